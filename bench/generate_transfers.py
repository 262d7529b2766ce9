"""Generate one festival day of artist transfers: ``transfers.csv`` for a festival folder.

    python bench/generate_transfers.py data/festival-shuttle --seed 1 --count 500

Reads the folder's festival.toml, places.csv and fleet.csv and writes transfers.csv.
Four kinds of transfer, each with a window that a vehicle could keep alone (boarding
+ direct drive fit with 30 to 120 minutes to spare):

* arrivals (40 %): airport or station to a hotel or the site; parties on one flight or
  train share its landing time, so they can ride together;
* to the show (25 %): hotel to site, arriving 90 minutes before stage time;
* after the show (20 %): site to hotel, from 30 minutes after the set;
* departures (15 %): hotel to airport (2 h before the flight) or station (20 min).

Party sizes run from solo artists to 16-piece orchestras, the larger ones rare (one
party in ten has more than six people); luggage is 0.08 m3 a person plus hand
instruments (backline travels by truck, not by shuttle), so a party of up to six fits
a van's hold and only larger parties need the largest vehicles.

Demand stays within what the fleet can do: a draw is taken back when it would load
some group of vehicle types beyond ``--peak`` (default 0.5) of its time in some window
by the lower bound of :func:`solvers.shuttle.fleet_load`. That bound counts boarding
and the seats carried but no empty driving, which the rest of the time is for; a
festival whose bound exceeds 1 somewhere cannot be served by any plan.
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from solvers.shuttle import fleet_load, travel_table  # noqa: E402
from touring.io.files import write_text_atomic  # noqa: E402
from touring.io.shuttle import load_festival  # noqa: E402
from touring.shuttle import Festival, PlaceKind, Transfer  # noqa: E402

_FIRST = ("Velvet", "Neon", "Paper", "Silver", "Midnight", "Golden", "Electric", "Quiet", "Wild", "Broken",
          "Northern", "Crystal", "Lunar", "Hollow", "Scarlet", "Amber", "Static", "Wooden", "Glass", "Urban")
_SECOND = ("Polder", "Foxes", "Harbour", "Tides", "Machines", "Orchard", "Pilots", "Echoes", "Lanterns",
           "Rivers", "Satellites", "Horses", "Choir", "Gardens", "Signals", "Wolves", "Ballroom", "Kites")
_DAY_START = timedelta(hours=5)
_DAY_END = timedelta(hours=23, minutes=59)


def _party(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.45:
        return rng.randint(1, 2)
    if roll < 0.90:
        return rng.randint(3, 6)
    if roll < 0.97:
        return rng.randint(7, 12)
    return rng.randint(13, 16)


def _luggage(rng: random.Random, party: int) -> float:
    if party <= 2:  # solo artists and duos travel light enough for a car, mostly
        return round(0.08 * party + rng.choice((0.0, 0.0, 0.1, 0.2, 0.3, 0.6)), 2)
    # Guitars, horns, a keyboard: what the band carries by hand; at most 0.6 m3 keeps a
    # party of six (0.48 m3 of bags) inside a van's 1.5 m3 hold.
    instruments = rng.choice((0.0, 0.0, 0.2, 0.4, 0.6))
    if party >= 7:
        instruments += rng.choice((0.5, 1.0))
    return round(0.08 * party + instruments, 2)


def _round5(delta: timedelta) -> timedelta:
    minutes = int(delta.total_seconds() // 60)
    return timedelta(minutes=minutes - minutes % 5)


def generate(festival: Festival, count: int, seed: int, peak: float = 0.5) -> list[dict[str, str]]:
    """``count`` transfer rows (column -> text) for ``festival``'s places.

    Draws are taken back, latest first, while the busiest window of some group of
    vehicle types needs more than ``peak`` of its time by :func:`solvers.shuttle.fleet_load`.
    """
    if not 0 < peak <= 1:
        raise ValueError(f"peak must be in (0, 1], got {peak}")
    rng = random.Random(seed)
    matrix = travel_table(festival)
    by_kind = {kind: [p.id for p in festival.places if p.kind is kind] for kind in PlaceKind}
    airports, stations, hotels = by_kind[PlaceKind.AIRPORT], by_kind[PlaceKind.STATION], by_kind[PlaceKind.HOTEL]
    site = festival.site
    settings = festival.settings
    # A party must fit one vehicle; keep generated luggage inside the largest hold.
    largest_seats = max(v.seats for v in festival.fleet)
    largest_hold = max(v.luggage_m3 for v in festival.fleet)

    def need(origin: str, destination: str, party: int) -> timedelta:
        return settings.service(party) + timedelta(minutes=matrix.leg(origin, destination).minutes)

    rows: list[dict[str, str]] = []
    transfers: list[Transfer] = []
    flights: list[tuple[str, timedelta]] = []  # (airport or station, landing) shared by several parties
    names: set[str] = set()

    def draw() -> None:
        party = min(_party(rng), largest_seats)
        luggage = min(_luggage(rng, party), largest_hold)
        name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
        while name in names:
            name = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)} {rng.randint(2, 99)}"
        names.add(name)
        slack = timedelta(minutes=rng.choice((30, 45, 60, 75, 90, 120)))
        roll = rng.random()
        if roll < 0.40:  # arrival
            if flights and rng.random() < 0.5:
                origin, landing = rng.choice(flights)
            else:
                origin = rng.choice(airports * 3 + stations) if rng.random() < 0.8 else rng.choice(stations)
                landing = timedelta(hours=7) + timedelta(minutes=5 * rng.randint(0, 12 * 12))
                flights.append((origin, landing))
            destination = rng.choice(hotels) if rng.random() < 0.7 else site
            wait = timedelta(minutes=35 if origin in airports else 10)
            earliest = landing + wait
            latest = earliest + need(origin, destination, party) + slack
        elif roll < 0.65:  # hotel to the show
            origin, destination = rng.choice(hotels), site
            stage = timedelta(hours=13) + timedelta(minutes=5 * rng.randint(0, 10 * 12))
            latest = stage - timedelta(minutes=90)
            earliest = latest - need(origin, destination, party) - slack
        elif roll < 0.85:  # back from the show
            origin, destination = site, rng.choice(hotels)
            set_end = timedelta(hours=14) + timedelta(minutes=5 * rng.randint(0, 8 * 12))
            earliest = set_end + timedelta(minutes=30)
            latest = earliest + need(origin, destination, party) + slack
        else:  # departure
            origin = rng.choice(hotels)
            destination = rng.choice(airports * 2 + stations)
            leaves = timedelta(hours=9) + timedelta(minutes=5 * rng.randint(0, 11 * 12))
            latest = leaves - timedelta(minutes=120 if destination in airports else 20)
            earliest = latest - need(origin, destination, party) - slack
        earliest, latest = _round5(earliest), _round5(latest + timedelta(minutes=4))
        if earliest < _DAY_START or latest > _DAY_END:
            return
        transfers.append(Transfer(f"D{len(names)}", name, origin, destination, day + earliest, day + latest,
                                  party, luggage))
        rows.append({
            "id": transfers[-1].id, "who": name, "from": origin, "to": destination,
            "earliest_pickup": _clock(earliest), "latest_arrival": _clock(latest),
            "party": str(party), "luggage_m3": f"{luggage:g}",
        })

    day = festival.at(0)
    while True:
        while len(rows) < count:
            draw()
        worst = max(fleet_load(replace(festival, transfers=transfers), matrix), key=lambda w: w.ratio,
                    default=None)
        if worst is None or worst.ratio <= peak:
            break
        # Take back the latest draw in the busiest window and draw again.
        busy = set(worst.transfers)
        last = max(k for k, t in enumerate(transfers) if t.id in busy)
        del rows[last], transfers[last]
    for k, row in enumerate(rows):
        row["id"] = f"T{k + 1:03d}"
    return rows


def _clock(delta: timedelta) -> str:
    return (datetime.min + delta).strftime("%H:%M")


def to_csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, ["id", "who", "from", "to", "earliest_pickup", "latest_arrival", "party",
                                  "luggage_m3"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, nargs="?", default=ROOT / "data" / "festival-shuttle",
                        help="festival folder (festival.toml, places.csv, fleet.csv)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--peak", type=float, default=0.5,
                        help="largest share of a vehicle group's time that a window's transfers may need "
                             "by the lower bound (0 to 1)")
    args = parser.parse_args(argv)
    festival = load_festival(args.folder, with_transfers=False)
    rows = generate(festival, args.count, args.seed, args.peak)
    write_text_atomic(args.folder / "transfers.csv", to_csv(rows))
    print(f"{len(rows)} transfers written to {args.folder / 'transfers.csv'} (seed {args.seed})")


if __name__ == "__main__":
    main()
