"""Tests of festival shuttles: reading (touring/io/shuttle.py), planning (solvers/shuttle.py),
the independent plan check (touring/shuttle.py) and the command (touring/shuttle_cli.py).

All solves are real; the largest (40 generated transfers) takes a few seconds.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import generate_transfers  # noqa: E402
from solvers.shuttle import ShuttleParams, fleet_load, solve, travel_table  # noqa: E402
from touring.errors import DataError  # noqa: E402
from touring.io.shuttle import FestivalDataError, load_festival  # noqa: E402
from touring.shuttle import Transfer, check_plan  # noqa: E402
from touring.shuttle_cli import shuttle_command  # noqa: E402

EXAMPLE = ROOT / "data" / "festival-shuttle"
FAST = ShuttleParams(time_limit=5.0, solution_limit=30, metaheuristic="GREEDY_DESCENT")

TOML = 'name = "Tiny fest"\ndate = 2027-07-01\nsite = "site"\n'
PLACES = (
    "id,name,kind,lat,lon\n"
    "site,Werchter festival site,site,50.9663,4.7023\n"
    "bru,Brussels Airport,airport,50.9010,4.4844\n"
)


def write_festival(folder: Path, fleet: str, transfers: str, toml: str = TOML, places: str = PLACES) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "festival.toml").write_text(toml, encoding="utf-8")
    (folder / "places.csv").write_text(places, encoding="utf-8")
    (folder / "fleet.csv").write_text(fleet, encoding="utf-8")
    (folder / "transfers.csv").write_text(transfers, encoding="utf-8")
    return folder


ONE_VAN = "id,kind,seats,luggage_m3,depot,cost_per_km,fixed_cost\nvan,van,4,1.0,site,0.4,100\n"
HEADER = "id,who,from,to,earliest_pickup,latest_arrival,party,luggage_m3\n"


def solved(folder: Path, params: ShuttleParams = FAST):
    festival = load_festival(folder)
    plan = solve(festival, params)
    matrix = travel_table(festival)
    assert check_plan(festival, plan, lambda a, b: matrix.leg(a, b).minutes) == []
    return festival, plan


def runs_of(plan) -> list[set[str]]:
    return [set(run.transfers) for v in plan.vehicles for run in v.runs]


# --------------------------------------------------------------------------- #
# Reading
# --------------------------------------------------------------------------- #


def test_parsing_errors_are_all_named(tmp_path: Path) -> None:
    folder = write_festival(
        tmp_path / "bad",
        fleet="id,kind,seats,luggage_m3,depot\nvan,lorry,4,1.0,site\nvan2,van,4,1.0,nowhere\n",
        transfers=HEADER + "t1,A,bru,site,25:00,12:00,2,0.1\n"
                           "t2,B,bru,moon,10:00,12:00,2,0.1\n"
                           "t2,C,bru,site,10:00,12:00,2,0.1\n"
                           "t4,D,bru,site,12:00,11:00,2,0.1\n"
                           "t5,E,bru,site,10:00,12:00,zero,0.1\n",
        places=PLACES + "x,Nowhere,castle,91,4\n",
        toml=TOML + "speed = 3\n",
    )
    with pytest.raises(FestivalDataError) as caught:
        load_festival(folder)
    assert caught.value.errors == [
        DataError("festival.toml", None, "speed", "unknown setting (known: name, date, site, service.minutes, "
                  "service.per_passenger_minutes, travel.detour_factor, travel.speed_kmh, unserved_penalty, "
                  "split.max_pieces, split.extra_piece_cost)",
                  setting=True),
        DataError("places.csv", 4, "kind", "'castle' is not one of airport, station, hotel, site"),
        DataError("fleet.csv", 2, "kind", "'lorry' is not one of car, van, bus"),
        DataError("fleet.csv", 3, "depot", "'nowhere' is not a place in places.csv"),
        DataError("transfers.csv", 2, "earliest_pickup", "'25:00' is not a time of day (write HH:MM, e.g. 20:15)"),
        DataError("transfers.csv", 6, "party", "'zero' is not a whole number"),
        DataError("transfers.csv", 4, "id", "repeats id 't2' of row 3"),
        DataError("transfers.csv", 3, "to", "'moon' is not a place in places.csv"),
        DataError("transfers.csv", 5, "latest_arrival", "11:00 is not after earliest_pickup 12:00"),
    ]
    assert "transfers.csv, row 3, column 'to': 'moon' is not a place in places.csv" in str(caught.value)


def test_missing_file_and_setting(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER, toml='name = "x"\ndate = 2027-07-01\n')
    (folder / "fleet.csv").unlink()
    with pytest.raises(FestivalDataError) as caught:
        load_festival(folder)
    assert caught.value.errors == [
        DataError("festival.toml", None, "site", "is required", setting=True),
        DataError("fleet.csv", None, None, f"is missing from {folder}"),
    ]


def test_example_loads_with_site_time_zone() -> None:
    festival = load_festival(EXAMPLE)
    assert festival.timezone == "Europe/Brussels"
    assert len(festival.vehicles()) == 40
    assert len(festival.transfers) == 500


# --------------------------------------------------------------------------- #
# Capacity rules: holds / binds
# --------------------------------------------------------------------------- #


def test_two_small_parties_share_a_run(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,site,10:00,13:00,2,0.3\n"
                                                               "b,B,bru,site,10:00,13:00,2,0.3\n")
    _, plan = solved(folder)
    assert len(plan.served) == 2
    assert runs_of(plan) == [{"a", "b"}]


def test_seats_split_a_run(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,site,10:00,13:00,3,0.3\n"
                                                               "b,B,bru,site,10:00,13:00,2,0.3\n")
    _, plan = solved(folder)
    assert len(plan.served) == 2
    assert sorted(runs_of(plan), key=sorted) == [{"a"}, {"b"}]


def test_luggage_splits_a_run(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,site,10:00,13:00,1,0.6\n"
                                                               "b,B,bru,site,10:00,13:00,1,0.6\n")
    _, plan = solved(folder)
    assert len(plan.served) == 2
    assert sorted(runs_of(plan), key=sorted) == [{"a"}, {"b"}]


# --------------------------------------------------------------------------- #
# Unserved transfers carry a reason
# --------------------------------------------------------------------------- #


def test_window_too_short_is_unserved_with_reason(tmp_path: Path) -> None:
    # Brussels Airport to Werchter is about 21 min at 75 km/h (geodesic x 1.3), plus 7 min boarding.
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "ok,A,bru,site,10:00,11:00,2,0.3\n"
                                                               "late,B,bru,site,10:00,10:20,2,0.3\n")
    festival, plan = solved(folder)
    assert [s.transfer for s in plan.served] == ["ok"]
    minutes = travel_table(festival).leg("bru", "site").minutes
    arrives = f"10:{7 + minutes:02d}"
    assert [(u.transfer, u.reason) for u in plan.unserved] == [(
        "late", f"time: boarding 7 min from the earliest pickup 10:00 plus the direct drive of {minutes} min "
                f"reaches site at {arrives}, after the latest arrival 10:20")]


def test_party_larger_than_any_vehicle_is_unserved_with_reason(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "big,Orchestra,bru,site,10:00,13:00,20,1\n")
    _, plan = solved(folder)
    assert plan.served == ()
    assert [(u.transfer, u.reason) for u in plan.unserved] == [
        ("big", "seats: a party of 20 does not fit the largest vehicle (4 seats)")]


def test_busy_fleet_drops_with_solver_reason(tmp_path: Path) -> None:
    # One van can do a (board 10:00, at the site by 10:40) but is then too far from the
    # airport for b: empty driving, which the fleet bound does not count, makes b late.
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,site,10:00,10:40,1,0.1\n"
                                                               "b,B,bru,site,10:30,11:10,1,0.1\n")
    festival, plan = solved(folder)
    assert [w.at_least_unserved for w in fleet_load(festival)] == [0]
    assert len(plan.served) == 1 and len(plan.unserved) == 1
    assert plan.unserved[0].reason.startswith("no vehicle was free to take it between 10:30 and 11:10")


# --------------------------------------------------------------------------- #
# The fleet bound: a window whose transfers need more vehicle time than there is
# --------------------------------------------------------------------------- #


def test_fleet_bound_binds_and_names_the_window(tmp_path: Path) -> None:
    # Bru to the site is 18 min. Two parties of 4 (the van's seats), 10:00 to 10:40:
    # 2 x 9 min boarding + 2 x 4 people x 17 min / 4 seats = 52 min of one van's 40.
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,site,10:00,10:40,4,0.3\n"
                                                               "b,B,bru,site,10:00,10:40,4,0.3\n")
    festival, plan = solved(folder)
    assert travel_table(festival).leg("bru", "site").minutes == 18
    [load] = fleet_load(festival)
    assert (load.types, load.vehicles, load.transfers) == (("van",), 1, ("a", "b"))
    assert (load.need, load.have, load.at_least_unserved) == (52 * 60, 40 * 60, 1)
    assert len(plan.served) == 1
    assert [u.reason for u in plan.unserved] == [
        "fleet too small: 2 transfers with windows inside 10:00-10:40 need at least 52 min of the 1 vehicle "
        "(van) that can take them (boarding, and their seats and luggage over the direct drive), which has "
        "40 min there: at least 1 of them cannot be served"]


def test_fleet_bound_holds_when_the_window_is_wider(tmp_path: Path) -> None:
    # The same two parties with an hour more: 52 min of 100, and the van serves both.
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,site,10:00,11:40,4,0.3\n"
                                                               "b,B,bru,site,10:00,11:40,4,0.3\n")
    festival, plan = solved(folder)
    [load] = fleet_load(festival)
    assert (load.need, load.have, load.at_least_unserved) == (52 * 60, 100 * 60, 0)
    assert len(plan.served) == 2 and plan.unserved == ()


def test_fleet_bound_groups_vehicle_types_by_what_they_take(tmp_path: Path) -> None:
    # The party of 6 only fits the bus; the duo fits both. Each group gets its own window.
    fleet = ("id,kind,seats,luggage_m3,depot,cost_per_km,fixed_cost,count\n"
             "van,van,4,1.0,site,0.4,100,2\nbus,bus,16,4.0,site,0.9,300,1\n")
    folder = write_festival(tmp_path / "f", fleet, HEADER + "big,A,bru,site,10:00,11:00,6,0.5\n"
                                                            "duo,B,bru,site,12:00,13:00,2,0.2\n")
    festival, plan = solved(folder)
    loads = {w.types: w for w in fleet_load(festival)}
    assert set(loads) == {("bus",), ("bus", "van")}
    assert loads["bus",].transfers == ("big",) and loads["bus",].vehicles == 1
    assert loads["bus", "van"].vehicles == 3 and set(loads["bus", "van"].transfers) <= {"big", "duo"}
    assert len(plan.served) == 2


# --------------------------------------------------------------------------- #
# The independent check catches a broken plan
# --------------------------------------------------------------------------- #


def test_check_plan_catches_late_arrival_and_overload(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,site,10:00,13:00,2,0.3\n")
    festival, plan = solved(folder)
    vehicle = plan.vehicles[0]
    board, alight = vehicle.runs[0].stops
    late = dataclasses.replace(alight, start=alight.start + timedelta(hours=3),
                               departure=alight.departure + timedelta(hours=3))
    broken = dataclasses.replace(plan, vehicles=(dataclasses.replace(
        vehicle, runs=(dataclasses.replace(vehicle.runs[0], stops=(board, late)),)),))
    problems = check_plan(festival, broken)
    assert any("after the latest arrival 13:00" in p for p in problems)
    crowded = dataclasses.replace(festival, transfers=(dataclasses.replace(festival.transfers[0], party=6),))
    assert any("6 people on board, 4 seats" in p for p in check_plan(crowded, plan))


# --------------------------------------------------------------------------- #
# The generated example, determinism, the command
# --------------------------------------------------------------------------- #


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("festival")
    for name in ("festival.toml", "places.csv", "fleet.csv"):
        shutil.copy(EXAMPLE / name, folder / name)
    festival = load_festival(folder, with_transfers=False)
    (folder / "transfers.csv").write_text(generate_transfers.to_csv(generate_transfers.generate(festival, 40, 7)))
    return folder


def test_generated_example_served_on_time(generated: Path) -> None:
    # Reproducible mode: the same plan on any machine, so "all 40" is a fixed fact.
    festival, plan = solved(generated, ShuttleParams(time_limit=20.0, solution_limit=50))
    transfers = {t.id: t for t in festival.transfers}
    assert len(festival.transfers) == 40
    assert not plan.hit_time_limit
    assert plan.unserved == ()
    assert len(plan.served) == 40
    assert all(s.on_time(transfers[s.transfer]) for s in plan.served)


def no_splits(festival):
    """The festival with splitting turned off (``split.max_pieces = 1``)."""
    return dataclasses.replace(festival, settings=dataclasses.replace(festival.settings, max_pieces=1))


def test_fallback_first_solution_takes_over_when_the_first_leaves_transfers_out(generated: Path) -> None:
    # Split parties would serve what the first plans leave out: off, to see the fallback alone.
    festival = no_splits(load_festival(generated))
    first = dataclasses.replace(FAST, solution_limit=1, scarce_share=0.0)
    weak = solve(festival, dataclasses.replace(first, first_solution="SAVINGS", fallback_first_solution=None))
    assert len(weak.unserved) > 0
    rescued = solve(festival, dataclasses.replace(first, first_solution="SAVINGS"))
    assert rescued.unserved == () and len(rescued.served) == 40
    # A fallback that serves fewer is not kept.
    alone = solve(festival, dataclasses.replace(first, fallback_first_solution=None,
                                                first_solution="PATH_CHEAPEST_ARC"))
    worse = solve(festival, dataclasses.replace(first, fallback_first_solution="CHRISTOFIDES",
                                                first_solution="PATH_CHEAPEST_ARC"))
    assert 0 < len(alone.unserved) and worse.served == alone.served


SMALL_FLEET = ("id,kind,seats,luggage_m3,depot,cost_per_km,fixed_cost,count\n"
               "car-site,car,3,0.6,werchter,0.30,180,3\n"
               "van-site,van,7,1.5,werchter,0.40,220,5\n"
               "van-leuven,van,7,1.5,park-inn-leuven,0.40,220,3\n"
               "minibus,bus,16,4.0,werchter,0.90,350,2\n")


def small_fleet_instance(tmp_path: Path) -> Path:
    """The example festival's places with :data:`SMALL_FLEET` and 120 generated transfers (seed 3)."""
    folder = tmp_path / "small-fleet"
    folder.mkdir()
    for name in ("festival.toml", "places.csv"):
        shutil.copy(EXAMPLE / name, folder / name)
    (folder / "fleet.csv").write_text(SMALL_FLEET)
    festival = load_festival(folder, with_transfers=False)
    (folder / "transfers.csv").write_text(generate_transfers.to_csv(generate_transfers.generate(festival, 120, 3)))
    return folder


def test_transfers_only_scarce_vehicles_take_are_planned_first(tmp_path: Path) -> None:
    # 120 transfers on 13 vehicles, two of them minibuses: cheapest insertion over the
    # whole fleet fills a minibus with transfers a van could take and leaves a party
    # only a minibus holds; planning those parties on the minibuses first serves all.
    folder = small_fleet_instance(tmp_path)
    search = ShuttleParams(time_limit=20.0, solution_limit=30, fallback_first_solution=None)
    whole_fleet = solve(no_splits(load_festival(folder)), dataclasses.replace(search, scarce_share=0.0))
    assert len(whole_fleet.unserved) == 1
    festival, plan = solved(folder, search)
    assert not plan.hit_time_limit
    assert plan.unserved == () and len(plan.served) == 120
    # Every phase is bounded by work, not by the clock: the same plan again.
    assert dataclasses.replace(solve(festival, search), wall_time=0) == dataclasses.replace(plan, wall_time=0)


def test_a_party_the_first_plan_leaves_out_rides_split(tmp_path: Path) -> None:
    # The whole-fleet first plan of the instance above leaves out a party of 13 that
    # only the two minibuses hold; offered as two vans' worth, it rides split and every
    # other transfer whole.
    folder = small_fleet_instance(tmp_path)
    search = ShuttleParams(time_limit=20.0, solution_limit=30, fallback_first_solution=None, scarce_share=0.0)
    festival, plan = solved(folder, search)
    assert not plan.hit_time_limit
    assert plan.unserved == () and len(plan.served) == 120
    split = [s for s in plan.served if s.pieces]
    transfers = {t.id: t for t in festival.transfers}
    assert [s.describe(transfers[s.transfer]) for s in split] == ["party of 13: 7 in van-site-4, 6 in van-site-5"]
    assert dataclasses.replace(solve(festival, search), wall_time=0) == dataclasses.replace(plan, wall_time=0)


def test_no_scarce_vehicles_means_no_decomposition(tmp_path: Path) -> None:
    # Every transfer fits the only van: the search is the same with or without the rule.
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,site,10:00,13:00,2,0.3\n"
                                                               "b,B,site,bru,14:00,16:00,3,0.3\n")
    festival = load_festival(folder)
    with_rule = solve(festival, FAST)
    without = solve(festival, dataclasses.replace(FAST, scarce_share=0.0))
    assert dataclasses.replace(with_rule, wall_time=0) == dataclasses.replace(without, wall_time=0)
    assert len(with_rule.served) == 2


def test_improvement_starts_from_the_first_solution(generated: Path) -> None:
    festival = load_festival(generated)
    first = solve(festival, ShuttleParams(time_limit=20.0, solution_limit=1))
    improved = solve(festival, ShuttleParams(time_limit=20.0, solution_limit=50))
    assert first.unserved == improved.unserved == ()
    assert improved.objective < first.objective


def test_generator_keeps_peaks_within_the_fleet(generated: Path) -> None:
    festival = load_festival(generated, with_transfers=False)
    loose = generate_transfers.generate(festival, 120, 7, peak=1.0)
    tight = generate_transfers.generate(festival, 120, 7, peak=0.1)
    assert generate_transfers.generate(festival, 120, 7, peak=0.1) == tight  # same seed, same day
    ratios = {}
    for name, rows in (("loose", loose), ("tight", tight)):
        (generated.parent / name).mkdir(exist_ok=True)
        for file in ("festival.toml", "places.csv", "fleet.csv"):
            shutil.copy(generated / file, generated.parent / name / file)
        (generated.parent / name / "transfers.csv").write_text(generate_transfers.to_csv(rows))
        ratios[name] = max(w.ratio for w in fleet_load(load_festival(generated.parent / name)))
        assert len(rows) == 120 and [r["id"] for r in rows] == [f"T{k:03d}" for k in range(1, 121)]
    assert ratios["tight"] <= 0.1 < ratios["loose"]


def test_shipped_example_is_within_the_fleet() -> None:
    loads = fleet_load(load_festival(EXAMPLE))
    assert max(w.ratio for w in loads) <= 0.5
    assert all(w.at_least_unserved == 0 for w in loads)


def test_reproducible_mode_is_deterministic(tmp_path: Path, generated: Path) -> None:
    festival = load_festival(generated)
    small = dataclasses.replace(festival, transfers=festival.transfers[:15])
    first, second = solve(small, FAST), solve(small, FAST)
    assert not first.hit_time_limit
    assert dataclasses.replace(first, wall_time=0) == dataclasses.replace(second, wall_time=0)


def test_command_writes_plan_and_prints_summary(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,site,10:00,13:00,2,0.3\n"
                                                               "late,B,bru,site,10:00,10:20,2,0.3\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(shuttle_command, [str(folder), "-o", str(out), "--time-limit", "3",
                                                  "--solutions", "20"])
    assert result.exit_code == 0, result.output
    assert "transfers served on time: 1 of 2" in result.output
    assert "late (B): time: boarding 7 min" in result.output
    data = json.loads((out / "shuttle.json").read_text())
    assert data["served"] == 1 and data["unserved_transfers"][0]["transfer"] == "late"
    assert data["vehicles"][0]["runs"][0][0]["start"] == "2027-07-01T10:00+02:00"


def test_command_reports_data_errors(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", ONE_VAN, HEADER + "a,A,bru,moon,10:00,13:00,2,0.3\n")
    result = CliRunner().invoke(shuttle_command, [str(folder), "-o", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert result.output == ("Error: 1 problem in the festival:\n"
                             "  transfers.csv, row 2, column 'to': 'moon' is not a place in places.csv\n")


def test_an_unknown_column_is_an_error_naming_the_known_ones(tmp_path: Path) -> None:
    places = PLACES.replace("kind,lat,lon\n", "kind,lat,lon,colour\n")
    folder = write_festival(tmp_path / "odd", fleet="id,kind,seats,luggage_m3,depot\nvan,van,4,1.0,site\n",
                            transfers=HEADER, places=places)
    with pytest.raises(FestivalDataError) as caught:
        load_festival(folder)
    assert DataError("places.csv", None, "colour", "unknown column (known: id, name, kind, lat, lon)") \
        in caught.value.errors


# --------------------------------------------------------------------------- #
# Split parties: several vehicles for one party when no free vehicle takes it whole
# --------------------------------------------------------------------------- #

VAN_AND_CARS = ("id,kind,seats,luggage_m3,depot,cost_per_km,fixed_cost,count\n"
                "van,van,7,1.5,site,0.4,220,1\ncar,car,3,0.6,site,0.3,180,2\n")
TWO_CARS = "id,kind,seats,luggage_m3,depot,cost_per_km,fixed_cost,count\ncar,car,3,0.6,site,0.3,180,2\n"


def test_party_that_no_free_vehicle_takes_rides_split(tmp_path: Path) -> None:
    # Two parties of 5 must leave at 10:00 (45 min for a 25-28 min ride): the van takes
    # one, the other rides in both cars.
    folder = write_festival(tmp_path / "f", VAN_AND_CARS, HEADER + "a,Band,bru,site,10:00,10:45,5,0.5\n"
                                                                   "b,Crew,site,bru,10:00,10:45,5,0.5\n")
    festival, plan = solved(folder)
    assert plan.unserved == ()
    by_id = {s.transfer: s for s in plan.served}
    transfers = {t.id: t for t in festival.transfers}
    [split] = [s for s in plan.served if s.pieces]
    [whole] = [s for s in plan.served if not s.pieces]
    assert whole.vehicle == "van"
    assert split.describe(transfers[split.transfer]) == "party of 5: 3 in car-1, 2 in car-2"
    assert [p.luggage_m3 for p in split.pieces] == pytest.approx([0.3, 0.2])
    assert all(transfers[s].earliest_pickup <= p.pickup and p.arrival <= transfers[s].latest_arrival
               for s in by_id for p in by_id[s].pieces)
    stops = [(stop.transfer, stop.piece, stop.party) for v in plan.vehicles if v.vehicle != "van"
             for run in v.runs for stop in run.stops]
    assert sorted(stops) == [(split.transfer, 1, 3)] * 2 + [(split.transfer, 2, 2)] * 2


def test_party_too_large_for_every_vehicle_rides_split(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", TWO_CARS, HEADER + "a,Band,bru,site,10:00,13:00,4,0.4\n")
    festival, plan = solved(folder)
    assert plan.unserved == ()
    [served] = plan.served
    assert served.describe(festival.transfers[0]) == "party of 4: 2 in car-1, 2 in car-2"


def test_party_that_fits_a_free_vehicle_is_not_split(tmp_path: Path) -> None:
    # Two cars (2 x 180 + 100 for the second piece) would cost less than this van, but
    # the van is free: a party rides split only when it would otherwise be left out.
    cheap_cars = VAN_AND_CARS.replace("van,van,7,1.5,site,0.4,220,1", "van,van,7,1.5,site,0.9,600,1")
    folder = write_festival(tmp_path / "f", cheap_cars, HEADER + "a,Band,bru,site,10:00,10:45,5,0.5\n")
    _, plan = solved(folder)
    [served] = plan.served
    assert served.pieces == () and served.vehicle == "van"


def test_one_person_is_never_split(tmp_path: Path) -> None:
    # A solo artist with 0.9 m3 fits no car's hold; the luggage would fit two cars, the artist not.
    folder = write_festival(tmp_path / "f", TWO_CARS, HEADER + "solo,Solo,bru,site,10:00,13:00,1,0.9\n")
    _, plan = solved(folder)
    assert plan.served == ()
    assert [(u.transfer, u.reason) for u in plan.unserved] == [
        ("solo", "luggage: 0.9 m3 does not fit the largest hold (0.6 m3)")]


def test_split_ok_no_keeps_the_party_whole(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", TWO_CARS, HEADER.replace("\n", ",split_ok\n")
                            + "a,Band,bru,site,10:00,13:00,4,0.4,no\n")
    _, plan = solved(folder)
    assert plan.served == ()
    assert [u.reason for u in plan.unserved] == ["seats: a party of 4 does not fit the largest vehicle (3 seats)"]


def test_pieces_are_all_or_none(tmp_path: Path) -> None:
    # A party of 6 needs both cars (3 + 3); a solo artist on the same ride takes a seat
    # of one. Serving the party would leave the solo out: one transfer either way, and
    # the solo costs less. No piece of the party rides alone.
    folder = write_festival(tmp_path / "f", TWO_CARS, HEADER + "band,Band,bru,site,10:00,10:45,6,0.6\n"
                                                               "solo,Solo,bru,site,10:00,10:45,1,0.1\n")
    _, plan = solved(folder)
    assert [s.transfer for s in plan.served] == ["solo"]
    assert [(u.transfer, u.reason) for u in plan.unserved] == [(
        "band", "seats: a party of 6 does not fit the largest vehicle (3 seats); split as 3 + 3, no 2 vehicles "
                "were free to take the pieces at once")]
    assert all(stop.transfer == "solo" for v in plan.vehicles for run in v.runs for stop in run.stops)


def test_piece_sizes_are_the_fewest_that_fit_a_smaller_vehicle() -> None:
    from solvers.shuttle import piece_sizes

    festival = load_festival(EXAMPLE, with_transfers=False)
    day = festival.at(0)

    def sizes(party: int, m3: float, **kw) -> list[tuple[int, float]]:
        t = Transfer("t", "T", "bru", "werchter", day, day + timedelta(hours=2), party, m3, **kw)
        return [(people, round(share, 3)) for people, share in piece_sizes(festival, t)]

    assert sizes(10, 1.8) == [(5, 0.9), (5, 0.9)]  # a minibus party: two vans
    assert sizes(16, 2.28) == [(6, 0.855), (5, 0.712), (5, 0.712)]  # three vans (max_pieces 3)
    assert sizes(6, 0.48) == [(3, 0.24), (3, 0.24)]  # a van party: two cars
    assert sizes(2, 0.2) == [(1, 0.1), (1, 0.1)]
    assert sizes(1, 0.1) == []
    assert sizes(6, 0.48, split_ok=False) == []
    fewer = dataclasses.replace(festival, settings=dataclasses.replace(festival.settings, max_pieces=2))
    t = Transfer("t", "T", "bru", "werchter", day, day + timedelta(hours=2), 16, 2.28)
    assert [people for people, _ in piece_sizes(fewer, t)] == [8, 8]  # two minibuses


def test_split_ok_is_read_and_checked(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", TWO_CARS, HEADER.replace("\n", ",split_ok\n")
                            + "a,A,bru,site,10:00,13:00,1,0.1,yes\nb,B,bru,site,10:00,13:00,2,0.1,maybe\n"
                              "c,C,bru,site,10:00,13:00,2,0.1,\n")
    with pytest.raises(FestivalDataError) as caught:
        load_festival(folder)
    assert caught.value.errors == [
        DataError("transfers.csv", 3, "split_ok", "'maybe' is not yes or no"),
        DataError("transfers.csv", 2, "split_ok", "a party of 1 cannot be split"),
    ]


def test_check_plan_catches_broken_pieces(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", TWO_CARS, HEADER + "a,Band,bru,site,10:00,13:00,4,0.4\n")
    festival, plan = solved(folder)
    [served] = plan.served
    first, second = served.pieces
    same_car = dataclasses.replace(plan, served=(dataclasses.replace(
        served, pieces=(first, dataclasses.replace(second, vehicle=first.vehicle))),))
    assert any("two pieces share a vehicle" in p for p in check_plan(festival, same_car))
    short = dataclasses.replace(plan, served=(dataclasses.replace(
        served, pieces=(first, dataclasses.replace(second, party=1))),))
    assert any("the pieces carry 3 people of 4" in p for p in check_plan(festival, short))
    refused = dataclasses.replace(festival, transfers=(dataclasses.replace(festival.transfers[0], split_ok=False),))
    assert any("the party may not split" in p for p in check_plan(refused, plan))


def test_command_shows_split_parties(tmp_path: Path) -> None:
    folder = write_festival(tmp_path / "f", TWO_CARS, HEADER + "a,Band,bru,site,10:00,13:00,4,0.4\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(shuttle_command, [str(folder), "-o", str(out), "--time-limit", "3",
                                                  "--solutions", "20"])
    assert result.exit_code == 0, result.output
    assert "  split over several vehicles: 1\n    a (Band): party of 4: 2 in car-1, 2 in car-2\n" in result.output
    data = json.loads((out / "shuttle.json").read_text())
    [served] = data["transfers"]
    assert served["split"] == "party of 4: 2 in car-1, 2 in car-2"
    assert [(p["piece"], p["vehicle"], p["party"]) for p in served["pieces"]] == [(1, "car-1", 2), (2, "car-2", 2)]
    assert {s["piece"] for v in data["vehicles"] for run in v["runs"] for s in run} == {1, 2}


def test_fleet_bound_is_not_a_reason_when_a_party_could_split_onto_other_vehicles(tmp_path: Path) -> None:
    # Only the 7-seat bus takes a party of 6, and two such parties in 10:00-10:40 are
    # more than it can do (the bound). But b could ride as 3 + 3 in the cars, so the
    # bound proves nothing about b: here the cars are busy with c1 and c2 instead.
    fleet = ("id,kind,seats,luggage_m3,depot,cost_per_km,fixed_cost,count\n"
             "bus,bus,7,2.0,site,0.9,300,1\ncar,car,3,0.6,site,0.3,180,2\n")
    folder = write_festival(tmp_path / "f", fleet, HEADER + "a,A,bru,site,10:00,10:40,6,0.6\n"
                                                            "b,B,bru,site,10:00,10:40,6,0.6\n"
                                                            "c1,C1,site,bru,10:00,10:40,1,0.1\n"
                                                            "c2,C2,site,bru,10:00,10:40,1,0.1\n")
    festival, plan = solved(folder)
    assert {w.types: w.at_least_unserved for w in fleet_load(festival)}[("bus",)] == 1
    assert sorted(s.transfer for s in plan.served) in (["a", "c1", "c2"], ["b", "c1", "c2"])
    [unserved] = plan.unserved
    assert unserved.reason.startswith("no vehicle was free to take it between 10:00 and 10:40")
    assert unserved.reason.endswith("; split as 3 + 3, no 2 vehicles were free to take the pieces at once")
