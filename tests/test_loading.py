"""Loading: each rule where it holds and where it binds, real CP-SAT solves.

Tours and plans are built by hand: three shows (Brussels, Antwerp, Gent), a van
(4 m3, 900 kg) and a truck (22 m3, 3000 kg) unless a test brings its own fleet.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from solvers.loading import LoadingParams, LoadingResult, solve
from touring.model import (
    HOME_ID, DateRange, DayKind, Equipment, LoadLine, Owner, Place, Plan, PlanDay, Show, SolverReport, Tour,
    TravelPart, Vehicle, VehicleKind, VehicleLoad, Venue, Weights,
)

SEASON = DateRange(date(2026, 3, 1), date(2026, 3, 31))
HOME = Place(HOME_ID, "Gent", 51.0543, 3.7174, "Europe/Brussels", "BE")
VENUES = {"brussels": (50.8481, 4.3486), "antwerp": (51.1920, 4.4160), "gent": (51.0480, 3.7276)}
SUPPLIER = Place("supplier", "Rent-a-Haze", 51.2, 4.4, "Europe/Brussels", "BE")
VAN = Vehicle("van", "Van", VehicleKind.VAN, 9, HOME, volume_m3=4, payload_kg=900)
TRUCK = Vehicle("truck", "Truck", VehicleKind.TRUCK, 3, HOME, volume_m3=22, payload_kg=3000)
FAST = LoadingParams(time_limit_s=5)


def day(n: int) -> date:
    return date(2026, 3, 10) + timedelta(days=n)


def gear(item_id: str, quantity: int = 1, m3: float = 0.5, kg: float = 50, **options) -> Equipment:
    if options.get("owner") is Owner.RENTAL:
        options.setdefault("supplier", SUPPLIER)
    return Equipment(item_id, item_id.title(), quantity, m3, kg, **options)


def make_tour(equipment: list[Equipment], vehicles: tuple[Vehicle, ...] = (VAN, TRUCK)) -> Tour:
    venues = tuple(Venue(v, v.title(), Place(v, v.title(), lat, lon, "Europe/Brussels", "BE"), (SEASON,))
                   for v, (lat, lon) in VENUES.items())
    shows = tuple(Show(v, v) for v in VENUES)
    return Tour("loading test", SEASON, HOME, venues, shows, vehicles=vehicles, equipment=tuple(equipment))


def make_plan_of(stops: list[str], two_day_legs: tuple[int, ...] = ()) -> Plan:
    """One show per stop on consecutive days, driving to it that morning, then home.

    A leg whose index is in ``two_day_legs`` is driven over a travel day and the morning
    of the show day, in two parts.
    """
    days: list[PlanDay] = []
    previous, n = HOME_ID, 0
    for leg, where in enumerate(stops + [HOME_ID]):
        part = TravelPart(previous, where, 50.0, 40, 40)
        if leg in two_day_legs:
            days.append(PlanDay(day(n), DayKind.TRAVEL, previous, None, (part,)))
            n += 1
        kind = DayKind.SHOW if where != HOME_ID else DayKind.TRAVEL
        days.append(PlanDay(day(n), kind, where, where if kind is DayKind.SHOW else None, (part,)))
        previous, n = where, n + 1
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return Plan("loading test", SEASON, "EUR", VehicleKind.VAN, (), (), tuple(days), report)


def load(tour: Tour, stops: list[str], params: LoadingParams = FAST, **options) -> LoadingResult:
    result = solve(tour, make_plan_of(stops, **options), params)
    assert result.status == "optimal"
    return result


def units(result: LoadingResult, leg: int) -> dict[str, dict[str, int]]:
    """vehicle id -> item id -> units on a leg."""
    return {x.vehicle_id: {line.equipment_id: line.units for line in x.lines}
            for x in result.loads if x.leg == leg}


# --- legs ---

def test_every_leg_is_one_load_even_over_two_days():
    result = load(make_tour([gear("set")]), ["brussels", "antwerp"], two_day_legs=(1,))
    assert [(leg.from_id, leg.to_id, leg.first_day, leg.last_day, leg.next_show_id) for leg in result.legs] == [
        (HOME_ID, "brussels", day(0), day(0), "brussels"),
        ("brussels", "antwerp", day(1), day(2), "antwerp"),
        ("antwerp", HOME_ID, day(3), day(3), None)]
    assert [x.day for x in result.loads] == [day(0), day(1), day(3)]


def test_a_plan_without_legs_loads_nothing():
    result = solve(make_tour([gear("set")]), replace(make_plan_of([]), days=()), FAST)
    assert (result.status, result.loads, result.left_behind, result.objective) == ("optimal", (), (), 0.0)


# --- fewest vehicles ---

def test_a_load_that_fits_one_vehicle_uses_one():
    result = load(make_tour([gear("set", 4, 2.5, 120), gear("lights", 6, 0.6, 45)]), ["brussels"])
    assert units(result, 0) == {"truck": {"set": 4, "lights": 6}}
    manifest = result.load(0, "truck")
    assert (manifest.volume_m3, manifest.weight_kg) == (13.6, 750.0)
    assert (manifest.volume_limit_m3, manifest.payload_limit_kg) == (22, 3000)
    assert result.vehicles_used == 2 and result.left_behind == ()  # one per leg, two legs


def test_a_small_load_takes_the_van_or_the_truck_but_not_both():
    result = load(make_tour([gear("cases", 4, 0.5, 100)]), ["brussels"])
    assert len(units(result, 0)) == 1


# --- payload ---

def test_payload_binds_and_a_second_vehicle_takes_the_rest():
    big_van = Vehicle("van", "Van", VehicleKind.VAN, 9, HOME, volume_m3=10, payload_kg=1500)
    result = load(make_tour([gear("risers", 10, 0.5, 400)], (big_van, TRUCK)), ["brussels"])
    assert units(result, 0) == {"van": {"risers": 3}, "truck": {"risers": 7}}
    for manifest in result.loads:
        assert manifest.weight_kg <= manifest.payload_limit_kg and manifest.volume_m3 <= manifest.volume_limit_m3
    assert result.left_behind == ()


def test_payload_binds_and_a_too_small_fleet_reports_what_is_left():
    result = load(make_tour([gear("risers", 10, 0.5, 400)]), ["brussels"])
    assert units(result, 0) == {"van": {"risers": 2}, "truck": {"risers": 7}}
    [left, _home] = result.left_behind
    assert (left.leg, left.equipment_id, left.units) == (0, "risers", 1)
    assert left.text == ("1 × `risers` fit no vehicle from home to brussels on 2026-03-10: the fleet is full: "
                         "the leg carries 5 m3 and 4000 kg against 26 m3 and 3900 kg in 2 vehicle(s)")


def test_a_unit_bigger_than_any_vehicle_is_reported_never_dropped():
    result = load(make_tour([gear("piano", 1, 2, 3500), gear("mic", 2, 0.01, 1)]), ["brussels"])
    assert list(units(result, 0).values()) == [{"mic": 2}]
    assert [(x.leg, x.equipment_id, x.units) for x in result.left_behind] == [(0, "piano", 1), (1, "piano", 1)]
    assert result.left_behind[0].reason == (
        "one unit is 2 m3 and 3500 kg, more than any vehicle (van takes 4 m3 and 900 kg; truck takes 22 m3 and "
        "3000 kg)")


def test_exactly_full_is_allowed():
    result = load(make_tour([gear("weights", 3, 0.1, 1000)], (TRUCK,)), ["brussels"])
    assert units(result, 0) == {"truck": {"weights": 3}} and result.left_behind == ()


# --- volume ---

def test_volume_binds_for_light_bulky_gear():
    truck = Vehicle("truck", "Truck", VehicleKind.TRUCK, 3, HOME, volume_m3=6, payload_kg=3000)
    result = load(make_tour([gear("drapes", 10, 1.0, 5)], (VAN, truck)), ["brussels"])
    assert units(result, 0) == {"van": {"drapes": 4}, "truck": {"drapes": 6}}
    small_van = Vehicle("van", "Van", VehicleKind.VAN, 9, HOME, volume_m3=3, payload_kg=900)
    result = load(make_tour([gear("drapes", 10, 1.0, 5)], (small_van, truck)), ["brussels"])
    assert [(x.equipment_id, x.units) for x in result.left_behind if x.leg == 0] == [("drapes", 1)]


# --- keeping items where they were ---

def test_items_stay_in_the_same_vehicle_from_leg_to_leg():
    twin = Vehicle("truck2", "Truck 2", VehicleKind.TRUCK, 3, HOME, volume_m3=22, payload_kg=3000)
    tour = make_tour([gear("set", 4, 2.5, 700), gear("lights", 6, 0.6, 45)], (TRUCK, twin))
    result = load(tour, ["brussels", "antwerp", "gent"])
    assert result.units_moved == 0
    assert units(result, 0) == units(result, 1) == units(result, 2) == units(result, 3)
    assert len(units(result, 0)) == 2  # 2800 kg of set and 270 kg of lights: over one truck's 3000 kg


def test_a_rental_joining_makes_others_move_only_when_it_must():
    # The haze joins on leg 1 and fits beside the set: nothing moves.
    tour = make_tour([gear("set", 1, 3, 800), gear("haze", 1, 0.5, 50, owner=Owner.RENTAL, needed_at=("antwerp",))],
                     (VAN, TRUCK))
    result = load(tour, ["brussels", "antwerp"])
    assert units(result, 0) == {"van": {"set": 1}}
    assert units(result, 1) == {"van": {"set": 1, "haze": 1}} and result.units_moved == 0


def test_keeping_items_in_place_looks_ahead_but_never_costs_a_vehicle():
    # The haze joining on leg 1 does not fit beside the set in the van: the set goes in
    # the truck from the start rather than moving there on leg 1.
    tour = make_tour([gear("set", 1, 3, 800), gear("haze", 1, 1.5, 50, owner=Owner.RENTAL, needed_at=("antwerp",))])
    result = load(tour, ["brussels", "antwerp"])
    assert units(result, 0) == {"truck": {"set": 1}}
    assert units(result, 1) == units(result, 2) == {"truck": {"set": 1, "haze": 1}}
    assert (result.units_moved, result.vehicles_used) == (0, 3)


# --- rental pick-up and return ---

def test_rental_is_picked_up_before_its_first_show_and_returned_after_its_last():
    haze = gear("haze", 2, 0.1, 15, owner=Owner.RENTAL, needed_at=("antwerp",))
    result = load(make_tour([haze]), ["brussels", "antwerp", "gent"])
    assert [leg.equipment_ids for leg in result.legs] == [(), ("haze",), ("haze",), ()]
    assert [m.text for m in result.moves] == [
        "pick up 2 × Haze at supplier on 2026-03-11, before `antwerp`",
        "return 2 × Haze to supplier on 2026-03-12, after `antwerp`"]


def test_rental_needed_at_every_show_rides_from_the_first_leg_to_the_last():
    result = load(make_tour([gear("haze", 1, 0.1, 15, owner=Owner.RENTAL)]), ["brussels", "antwerp"])
    assert [leg.equipment_ids for leg in result.legs] == [("haze",)] * 3
    assert [(m.kind, m.leg, m.show_id) for m in result.moves] == [("pickup", 0, "brussels"), ("return", 2, "antwerp")]


def test_own_gear_rides_the_whole_tour_when_any_show_needs_it_and_stays_home_otherwise():
    tour = make_tour([gear("organ", needed_at=("gent",)), gear("unused", needed_at=("nowhere",))])
    result = load(tour, ["brussels", "gent"])
    assert [leg.equipment_ids for leg in result.legs] == [("organ",)] * 3
    assert result.moves == ()


# --- determinism and parameters ---

def test_the_same_seed_gives_the_same_loads():
    tour = make_tour([gear("set", 4, 2.5, 600), gear("lights", 6, 0.6, 45), gear("cases", 12, 0.3, 40),
                      gear("haze", 1, 0.1, 15, owner=Owner.RENTAL, needed_at=("antwerp", "gent"))])
    first, second = load(tour, ["brussels", "antwerp", "gent"]), load(tour, ["brussels", "antwerp", "gent"])
    assert first.loads == second.loads and first.moves == second.moves and first.objective == second.objective


def test_params_are_checked():
    with pytest.raises(ValueError, match="time_limit_s must be positive"):
        LoadingParams(time_limit_s=-1)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        LoadingParams(workers=0)


# --- replanning: vehicles out on some days, booked manifests ---

def test_a_vehicle_out_one_day_misses_the_leg_driven_then_and_the_one_loaded_that_night():
    # Day 1: the truck would drive the Brussels gear to Antwerp and take it on board again
    # after the Antwerp show for the drive to Gent on day 2.
    tour = make_tour([gear("set", 2, 3, 800)])
    result = solve(tour, make_plan_of(["brussels", "antwerp", "gent"]), FAST, unavailable={("truck", day(1))})
    assert result.status == "optimal"
    assert units(result, 0) == units(result, 3) == {"truck": {"set": 2}}
    # The van takes one set (4 m3): the other is left, and the reason names the truck.
    assert units(result, 1) == units(result, 2) == {"van": {"set": 1}}
    assert [(x.leg, x.units) for x in result.left_behind] == [(1, 1), (2, 1)]
    assert result.left_behind[0].reason.endswith("(not available while it would hold the gear: truck on 2026-03-11)")


def test_a_vehicle_out_on_no_leg_day_changes_nothing():
    tour = make_tour([gear("set", 2, 3, 800)])
    result = solve(tour, make_plan_of(["brussels", "antwerp"]), FAST, unavailable={("truck", day(9))})
    assert result.left_behind == () and {v for leg in range(3) for v in units(result, leg)} == {"truck"}


def _twins():
    twin = Vehicle("truck2", "Truck 2", VehicleKind.TRUCK, 3, HOME, volume_m3=22, payload_kg=3000)
    return make_tour([gear("set", 2, 3, 800)], (TRUCK, twin))


def test_booked_manifests_are_kept_where_a_fresh_solve_could_pick_either_twin():
    tour, plan = _twins(), make_plan_of(["brussels", "antwerp"])
    fresh = solve(tour, plan, FAST)
    other = "truck" if units(fresh, 0) == {"truck2": {"set": 2}} else "truck2"
    booked = tuple(replace(x, vehicle_id=other) for x in fresh.loads)
    result = solve(tour, plan, FAST, previous=booked)
    assert [units(result, leg) for leg in range(3)] == [{other: {"set": 2}}] * 3


def test_gear_moves_to_the_replacement_only_on_the_legs_its_vehicle_is_out_for():
    tour, plan = _twins(), make_plan_of(["brussels", "gent", "antwerp"])
    booked = tuple(x for x in solve(replace(tour, vehicles=(TRUCK,)), plan, FAST).loads)
    assert {x.vehicle_id for x in booked} == {"truck"}
    # Out on day 3 only: the drive home, loaded after the Antwerp show on day 2, goes in
    # the twin; the earlier legs keep their booked truck.
    result = solve(tour, plan, FAST, previous=booked, unavailable={("truck", day(3))})
    assert [units(result, leg) for leg in range(4)] == [{"truck": {"set": 2}}] * 3 + [{"truck2": {"set": 2}}]


def test_booked_manifests_outrank_fewer_vehicles_unless_their_weight_is_zero():
    tour, plan = _twins(), make_plan_of(["brussels", "antwerp"])
    line = LoadLine("set", "Set", 1, 3.0, 800.0)
    booked = tuple(VehicleLoad(k, d, f, t, v, (line,), 3.0, 800.0, 22.0, 3000.0)
                   for k, (f, t, d) in enumerate([(HOME_ID, "brussels", day(0)), ("brussels", "antwerp", day(1)),
                                                  ("antwerp", HOME_ID, day(2))])
                   for v in ("truck", "truck2"))
    kept = solve(tour, plan, FAST, previous=booked)
    assert [units(kept, leg) for leg in range(3)] == [{"truck": {"set": 1}, "truck2": {"set": 1}}] * 3
    free = solve(replace(tour, weights=Weights(replan_changed_vehicle=0)), plan, FAST, previous=booked)
    assert [len(units(free, leg)) for leg in range(3)] == [1, 1, 1] and free.vehicles_used == 3


def _plan_with_set_up_and_off_days() -> Plan:
    """Home -> Brussels (day 0, set-up day 1, show day 2) -> Antwerp (day 3, set-up day 4,
    off day 5, show day 6) -> home (day 7): each leg's load-out, travel and arrival days
    are apart. Two sets of 3 m3 fill the truck; the van (4 m3) takes one."""
    kinds = [(DayKind.TRAVEL, "brussels", None, (HOME_ID, "brussels")), (DayKind.SETUP, "brussels", "brussels", None),
             (DayKind.SHOW, "brussels", "brussels", None), (DayKind.TRAVEL, "antwerp", None, ("brussels", "antwerp")),
             (DayKind.SETUP, "antwerp", "antwerp", None), (DayKind.OFF, "antwerp", None, None),
             (DayKind.SHOW, "antwerp", "antwerp", None), (DayKind.TRAVEL, HOME_ID, None, ("antwerp", HOME_ID))]
    days = tuple(PlanDay(day(n), kind, place, show, (TravelPart(*leg, 50.0, 40, 40),) if leg else ())
                 for n, (kind, place, show, leg) in enumerate(kinds))
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return Plan("loading test", SEASON, "EUR", VehicleKind.VAN, (), (), days, report)


def test_a_vehicle_out_only_on_the_load_out_day_takes_no_gear_on_that_leg():
    # Day 2: the Brussels gear goes into the truck after the show and stays aboard until
    # the drive to Antwerp on day 3; a truck out on day 2 cannot take it.
    tour, plan = make_tour([gear("set", 2, 3, 800)]), _plan_with_set_up_and_off_days()
    result = solve(tour, plan, FAST, unavailable={("truck", day(2))})
    assert [units(result, leg) for leg in range(3)] == [{"truck": {"set": 2}}, {"van": {"set": 1}},
                                                        {"truck": {"set": 2}}]
    assert [(x.leg, x.units) for x in result.left_behind] == [(1, 1)]


def test_a_vehicle_out_only_on_the_arrival_day_takes_no_gear_on_that_leg():
    # Driven to Antwerp on day 3, unloaded there by the set-up call on day 4.
    tour, plan = make_tour([gear("set", 2, 3, 800)]), _plan_with_set_up_and_off_days()
    result = solve(tour, plan, FAST, unavailable={("truck", day(4))})
    assert units(result, 1) == {"van": {"set": 1}} and [x.leg for x in result.left_behind] == [1]
    assert units(result, 0) == units(result, 2) == {"truck": {"set": 2}}


def test_a_vehicle_out_the_day_after_the_arrival_still_carries_the_leg():
    # Unloaded at Antwerp on day 4, loaded again after the show on day 6: the truck holds
    # no gear on the off day 5.
    tour, plan = make_tour([gear("set", 2, 3, 800)]), _plan_with_set_up_and_off_days()
    result = solve(tour, plan, FAST, unavailable={("truck", day(5))})
    assert [units(result, leg) for leg in range(3)] == [{"truck": {"set": 2}}] * 3
