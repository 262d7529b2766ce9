"""Transport runs: real routing solves on small hand-built tours and plans.

The crew sleeps at home near Gent and plays in Paris (about 310 road km from Gent:
4 h 10 at van pace, 4 h 50 at truck pace). The EU daily limit of 9 h driving means no
vehicle can drive there, back and there again before the load-in, so what does not fit
one vehicle at once must go in another.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from solvers.transport import CAR_SEATS, TransportParams, TransportResult, licence_covers, solve
from touring.errors import FieldError
from touring.model import (
    HOME_ID, CrewMember, DateRange, DayKind, DriverHours, Equipment, Place, Plan, PlanDay, Rules, Show,
    SolverReport, Tour, Vehicle, VehicleKind, Venue,
)

SEASON = DateRange(date(2026, 3, 1), date(2026, 3, 31))
GENT = Place(HOME_ID, "Gent", 51.0543, 3.7174, "Europe/Brussels", "BE")
PARIS = Place("zenith", "Zénith Paris", 48.8940, 2.3930, "Europe/Paris", "FR")
DAY = date(2026, 3, 10)
FAST = TransportParams(time_limit_s=5)


def person(crew_id: str, *licences: str, lat: float = 51.05) -> CrewMember:
    return CrewMember(crew_id, crew_id.title(), ("technician",),
                      Place(f"home:{crew_id}", crew_id, lat, 3.72, "Europe/Brussels", "BE"),
                      licences=frozenset(licences))


def van(vehicle_id: str, seats: int = 3, volume: float = 8.0, payload: float = 1000.0) -> Vehicle:
    return Vehicle(vehicle_id, vehicle_id, VehicleKind.VAN, seats, Place(f"depot:{vehicle_id}", "depot", 51.06, 3.73,
                   "Europe/Brussels", "BE"), volume_m3=volume, payload_kg=payload, cost_per_km=0.3,
                   cost_per_day=50.0)


def truck(vehicle_id: str = "truck") -> Vehicle:
    return Vehicle(vehicle_id, vehicle_id, VehicleKind.TRUCK, 2, Place(f"depot:{vehicle_id}", "depot", 51.06, 3.73,
                   "Europe/Brussels", "BE"), volume_m3=40.0, payload_kg=10000.0, cost_per_km=0.8,
                   cost_per_day=150.0)


def gear(item_id: str, volume: float = 1.0, weight: float = 50.0) -> Equipment:
    return Equipment(item_id, item_id, 1, volume, weight)


def make_tour(crew, vehicles, equipment=(), load_in: time | None = time(14, 0),
              hours: DriverHours = DriverHours.EU) -> Tour:
    venue = Venue("zenith", "Zénith Paris", PARIS, (SEASON,), load_in=load_in, curfew=time(23, 0))
    return Tour("transport test", SEASON, GENT, (venue,), (Show("zenith", "zenith"),), crew=tuple(crew),
                vehicles=tuple(vehicles), equipment=tuple(equipment), rules=Rules(driver_hours=hours))


def show_plan() -> Plan:
    """One show day in Paris after a night at home; the crew sleeps in Paris (no hotel data)."""
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return Plan("transport test", SEASON, "EUR", VehicleKind.VAN, (), (),
                (PlanDay(DAY, DayKind.SHOW, "zenith", "zenith"),), report)


def runs_of(tour: Tour, params: TransportParams = FAST) -> TransportResult:
    result = solve(tour, show_plan(), params)
    assert result.found
    return result


def most_on_board(result: TransportResult, vehicle_id: str) -> tuple[int, float, float]:
    stops = [s for r in result.runs if r.vehicle_id == vehicle_id for s in r.stops]
    return (max(s.seats for s in stops), max(s.volume_m3 for s in stops), max(s.weight_kg for s in stops))


# --- licences ---

def test_licence_hierarchy():
    assert licence_covers({"CE"}, "C") and licence_covers({"C"}, "C1") and licence_covers({"C"}, "B")
    assert licence_covers({"DE"}, "D1") and licence_covers({"b"}, "B")
    assert not licence_covers({"C1"}, "C") and not licence_covers({"B"}, "C") and not licence_covers(set(), "B")


# --- capacities: a run splits when one vehicle cannot take everything at once ---

def test_seats_split_the_run():
    crew = [person("ann", "B"), person("bob", "B"), person("cat"), person("dan"), person("eve")]
    result = runs_of(make_tour(crew, [van("v1"), van("v2")]))
    assert result.unserved == ()
    assert {r.vehicle_id for r in result.runs} == {"v1", "v2"}
    assert {r.driver_id for r in result.runs} == {"ann", "bob"}
    boarded = sorted(c for r in result.runs for s in r.stops for c in s.board)
    assert boarded == ["ann", "bob", "cat", "dan", "eve"]  # each driver boards their own vehicle at home
    assert max(most_on_board(result, "v1")[0], most_on_board(result, "v2")[0]) == 2  # 3 seats, one the driver's


def test_seats_fit_one_van_without_split():
    crew = [person("ann", "B"), person("cat"), person("dan")]
    result = runs_of(make_tour(crew, [van("v1"), van("v2")]))
    assert result.unserved == () and [r.vehicle_id for r in result.runs] == ["v1"]


def test_volume_splits_the_run():
    crew = [person("ann", "B"), person("bob", "B")]
    items = [gear("pa", volume=5.0), gear("lights", volume=5.0)]
    result = runs_of(make_tour(crew, [van("v1"), van("v2")], items))
    assert result.unserved == ()
    assert len(result.runs) == 2
    assert all(most_on_board(result, r.vehicle_id)[1] == 5.0 for r in result.runs)


def test_weight_splits_the_run():
    crew = [person("ann", "B"), person("bob", "B")]
    items = [gear("risers", volume=1.0, weight=700.0), gear("truss", volume=1.0, weight=700.0)]
    result = runs_of(make_tour(crew, [van("v1"), van("v2")], items))
    assert result.unserved == ()
    assert len(result.runs) == 2
    assert all(most_on_board(result, r.vehicle_id)[2] == 700.0 for r in result.runs)
    loaded = sorted(g for r in result.runs for s in r.stops for g in s.unload_gear)
    assert loaded == ["risers", "truss"]


# --- driver hours ---

def test_eu_break_is_taken_on_a_long_drive():
    tour = make_tour([person("tom", "C")], [truck()], [gear("backline", volume=20.0, weight=3000.0)])
    result = runs_of(tour)
    (run,) = result.runs
    assert run.driver_id == "tom" and run.drive_minutes > 270  # more than 4 h 30 at truck pace
    assert [minutes for _, minutes in run.breaks] == [45]
    assert dict(result.driving_minutes) == {"tom": run.drive_minutes}
    assert run.stops[-1].arrival.time() <= time(14, 0)


def test_no_break_without_a_rule():
    tour = make_tour([person("tom", "C")], [truck()], [gear("backline", volume=20.0, weight=3000.0)],
                     hours=DriverHours.NONE)
    (run,) = runs_of(tour).runs
    assert run.breaks == ()


# --- licences decide who drives ---

def test_the_truck_is_driven_by_the_c_licence_holder():
    crew = [person("ann", "B"), person("tom", "C")]
    result = runs_of(make_tour(crew, [van("v1", volume=3.0), truck()], [gear("backline", volume=20.0)]))
    truck_run = next(r for r in result.runs if r.vehicle_id == "truck")
    assert truck_run.driver_id == "tom"
    assert result.unserved == ()


def test_without_a_c_holder_the_trucks_gear_is_unserved_with_the_reason():
    crew = [person("ann", "B"), person("tom", "B")]
    result = runs_of(make_tour(crew, [van("v1", volume=3.0), truck()], [gear("backline", volume=20.0)]))
    assert all(r.vehicle_id != "truck" for r in result.runs)
    (lost,) = [u for u in result.unserved if u.subject == "backline"]
    assert lost.reason.startswith("licence: only truck (licence C) could carry it")


# --- unservable requests ---

def test_a_call_nobody_can_reach_is_reported_with_its_reason():
    crew = [person("ann", "B"), person("cat")]
    result = runs_of(make_tour(crew, [van("v1")], load_in=time(2, 0)))
    assert result.runs == ()
    assert [(u.subject, u.from_id, u.to_id) for u in result.unserved] == [("ann", "home:ann", "zenith"),
                                                                         ("cat", "home:cat", "zenith")]
    assert all(u.reason.startswith("time: ") and "after the latest 01:58" in u.reason for u in result.unserved)


def test_no_free_seat_is_reported_with_its_reason():
    crew = [person("ann", "B"), person("cat")]
    result = runs_of(make_tour(crew, [van("v1", seats=1)]))
    assert [r.driver_id for r in result.runs] == ["ann"]
    (lost,) = result.unserved
    assert (lost.subject, lost.reason) == ("cat", "seats: no driven vehicle has a free seat besides the driver's")


def test_the_same_input_gives_the_same_runs():
    crew = [person("ann", "B"), person("bob", "B"), person("cat"), person("dan"), person("eve")]
    tour = make_tour(crew, [van("v1"), van("v2")], [gear("pa", volume=5.0), gear("lights", volume=5.0)])
    first, second = runs_of(tour), runs_of(tour)
    assert first.runs == second.runs and first.objective == second.objective
    assert not first.hit_time_limit


# --- the break check used when OR-Tools' break search finds nothing ---

def _route(*stops: tuple[int, int, int]):
    from solvers import vrp

    visits = tuple(vrp.StopVisit(None if k in (0, len(stops) - 1) else f"r{k}", "visit", 0, a, s, d, {})
                   for k, (a, s, d) in enumerate(stops))
    return vrp.Route("v", visits, 0, 0, 0)


def test_a_long_wait_counts_as_the_break():
    from solvers import vrp
    from solvers.transport import _keeps_breaks

    rule = vrp.BreakRule(270 * 60, 45 * 60)
    # 4 h driving, 6 h wait at the venue, 4 h driving: the wait is the break.
    holds = _route((0, 0, 0), (4 * 3600, 10 * 3600, 10 * 3600), (14 * 3600, 14 * 3600, 14 * 3600))
    assert _keeps_breaks(holds, rule) == [(4 * 3600, 45 * 60)]
    # 5 h without a wait of 45 min: broken.
    broken = _route((0, 0, 0), (5 * 3600, 5 * 3600 + 1200, 5 * 3600 + 1200), (6 * 3600, 6 * 3600, 6 * 3600))
    assert _keeps_breaks(broken, rule) is None


def test_loading_is_not_driving_for_the_break_rule():
    from solvers import vrp
    from solvers.transport import _keeps_breaks

    rule = vrp.BreakRule(270 * 60, 45 * 60)
    # 2 h driving, 90 min loading, 1 h 30 driving: 5 h on the road, 3 h 30 of it driving.
    holds = _route((0, 0, 0), (2 * 3600, 2 * 3600, 3 * 3600 + 1800), (5 * 3600, 5 * 3600, 5 * 3600))
    assert _keeps_breaks(holds, rule) == []
    # The same with 3 h of driving after the loading: 5 h of driving without a break.
    broken = _route((0, 0, 0), (2 * 3600, 2 * 3600, 3 * 3600 + 1800), (6 * 3600 + 1800,) * 3)
    assert _keeps_breaks(broken, rule) is None


# --- own cars: crew who start from home may drive their own car and carpool ---

def owner(crew_id: str, lat: float = 51.05) -> CrewMember:
    return replace(person(crew_id, "B", lat=lat), own_car=True)


def test_an_owner_drives_their_own_car_and_takes_colleagues_along():
    crew = [owner("ann"), person("bob", "B"), person("cat")]
    result = runs_of(make_tour(crew, [van("v1")]))
    assert result.unserved == ()
    (run,) = result.runs  # one car is cheaper than the van's day plus its km
    assert (run.vehicle_id, run.driver_id) == ("car:ann", "ann") and run.own_car
    assert sorted(c for s in run.stops for c in s.board) == ["ann", "bob", "cat"]
    assert run.cost == round(run.km * Rules().mileage_rate, 2)  # no fixed cost, the km allowance
    assert run.breaks == ()  # private driving: outside the driver-hour regulations
    assert dict(result.vehicle_km) == {"car:ann": run.km}


def test_a_car_has_four_seats_so_the_fifth_person_takes_the_van():
    crew = [owner("ann"), person("bob", "B"), person("cat"), person("dan"), person("eve")]
    result = runs_of(make_tour(crew, [van("v1")]))
    assert result.unserved == ()
    assert {r.vehicle_id for r in result.runs} == {"car:ann", "v1"}
    assert most_on_board(result, "car:ann")[0] <= CAR_SEATS - 1


def test_without_own_cars_nobody_commutes_by_car():
    crew = [person("ann", "B"), person("bob", "B"), person("cat")]
    result = runs_of(make_tour(crew, [van("v1")]))
    assert [r.vehicle_id for r in result.runs] == ["v1"] and not result.runs[0].own_car


def test_an_own_car_needs_a_licence():
    with pytest.raises(FieldError, match="own_car"):
        replace(person("cat"), own_car=True)


# --- the rota's driver drives ---

def test_the_rotas_driver_drives_the_truck():
    from datetime import datetime

    from touring.model import CrewShift

    crew = [person("tom", "C"), person("ugo", "C")]
    tour = make_tour(crew, [truck()], [gear("backline", volume=20.0)])
    shift = CrewShift("zenith", DAY, DayKind.SHOW, datetime(2026, 3, 10, 14), datetime(2026, 3, 10, 23),
                      (("technician", "tom"),), (("truck", "ugo"),))
    result = solve(tour, replace(show_plan(), crew_shifts=(shift,)), FAST)
    assert result.unserved == ()
    assert [(r.vehicle_id, r.driver_id) for r in result.runs] == [("truck", "ugo")]  # greedy would pick tom


# --- replanning: a day's search seeded with earlier runs ---

def test_a_resolve_seeded_with_its_own_runs_gives_the_same_runs():
    # Homes apart, so that no two runs cost the same.
    crew = [owner("ann", lat=51.0), person("bob", "B", lat=51.1), person("cat", lat=51.2), person("dan", lat=50.9),
            person("eve", lat=51.3)]
    # Without break intervals (their search depends on where it starts, so a seeded
    # solve may still improve on a run with breaks): greedy descent run to its local
    # optimum, and a seed there stays.
    tour = make_tour(crew, [van("v1"), van("v2")], [gear("pa", volume=5.0)], hours=DriverHours.NONE)
    converged = TransportParams(time_limit_s=10, solution_limit=100_000)
    first = runs_of(tour, converged)
    again = solve(tour, show_plan(), converged, previous_runs=first.runs)
    assert again.runs == first.runs and again.unserved == first.unserved and not again.hit_time_limit


def test_a_seed_that_breaks_a_rule_is_ignored():
    crew = [person("ann", "B"), person("cat")]
    tour = make_tour(crew, [van("v1")])
    first = runs_of(tour)
    # The same runs on a tour whose van has no free seat: cat cannot ride, the seed is ignored.
    tight = make_tour(crew, [van("v1", seats=1)])
    again = solve(tight, show_plan(), FAST, previous_runs=first.runs)
    assert [r.driver_id for r in again.runs] == ["ann"] and [u.subject for u in again.unserved] == ["cat"]


def test_the_seed_lists_each_runs_moves_in_visit_order():
    from solvers.transport import _build_day, _moves, _seed, _transport_matrix, own_car

    crew = [person("ann", "B"), person("bob", "B"), person("cat"), person("dan"), person("eve")]
    tour = make_tour(crew, [van("v1"), van("v2")], [gear("pa", volume=5.0)])
    first = runs_of(tour)
    plan, matrix = show_plan(), _transport_matrix(tour)
    cars = [own_car(replace(crew[0], own_car=True), tour.rules.mileage_rate)]
    parked = {v.id: v.depot.id for v in [*tour.vehicles, *cars]}
    drivers = {r.vehicle_id: r.driver_id for r in first.runs}
    fleet = [v for v in [*tour.vehicles, *cars] if v.id in drivers]
    d = _build_day(tour, matrix, plan.days[0], _moves(tour, plan, 0, matrix), fleet, parked, drivers)
    seed = _seed(d, first.runs)
    for run in first.runs:
        boarded = [f"crew:{c}:out" for s in run.stops for c in s.board] + [f"gear:{g}" for s in run.stops
                                                                          for g in s.load_gear]
        assert sorted(set(seed[run.vehicle_id])) == sorted(boarded)
        # Pickup, then delivery: each van collects its driver at home first.
        assert {rid: seed[run.vehicle_id].count(rid) for rid in boarded} == {rid: 2 for rid in boarded}
        assert seed[run.vehicle_id][0] == f"crew:{run.driver_id}:out"


# --- a driver who slept away from their vehicle reaches it in their own car ---

def test_an_owner_drives_their_car_to_the_depot_and_takes_the_van_from_there():
    tour = make_tour([owner("ann", lat=51.2), person("cat", lat=51.0)], [van("v1")], [gear("pa", volume=2.0)])
    result = runs_of(tour)
    assert result.unserved == ()
    van_run = next(r for r in result.runs if r.vehicle_id == "v1")
    car_run = next(r for r in result.runs if r.vehicle_id == "car:ann")
    assert [(s.place_id, s.board, s.alight) for s in car_run.stops] == [("home:ann", ("ann",), ()),
                                                                       ("depot:v1", (), ("ann",))]
    assert van_run.driver_id == "ann" and van_run.stops[0].board == ("ann",)  # aboard before anything loads
    assert car_run.stops[-1].arrival <= van_run.stops[0].departure


def test_a_driver_without_a_car_is_still_fetched_by_the_van():
    tour = make_tour([person("ann", "B", lat=51.2), person("cat", lat=51.0)], [van("v1")])
    (run,) = runs_of(tour).runs
    assert run.stops[0].place_id == "depot:v1" and run.stops[0].board == ()
    assert "ann" in run.stops[1].board


# --- gear follows the loading plan's manifests, and stays aboard overnight ---

AB = Place("ab", "Ancienne Belgique", 50.8481, 4.3486, "Europe/Brussels", "BE")
D1, D2 = date(2026, 3, 10), date(2026, 3, 11)


def two_venue_tour(crew, vehicles, equipment) -> Tour:
    venues = (Venue("ab", "AB", AB, (SEASON,), load_in=time(14, 0), curfew=time(23, 0)),
              Venue("zenith", "Zénith Paris", PARIS, (SEASON,), load_in=time(14, 0), curfew=time(23, 0)))
    return Tour("manifest test", SEASON, GENT, venues, (Show("ab", "ab"), Show("zenith", "zenith")),
                crew=tuple(crew), vehicles=tuple(vehicles), equipment=tuple(equipment))


def manifest_plan(vehicle_id: str, item: Equipment) -> Plan:
    """AB on D1 (gear from home), the Zénith on D2 (gear from the AB), in ``vehicle_id``."""
    from touring.model import LoadLine, VehicleLoad

    line = (LoadLine(item.id, item.item, 1, item.volume_m3, item.weight_kg),)
    loads = tuple(VehicleLoad(leg, day, a, b, vehicle_id, line, item.volume_m3, item.weight_kg, 40.0, 10000.0)
                  for leg, day, a, b in ((0, D1, HOME_ID, "ab"), (1, D2, "ab", "zenith")))
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return Plan("manifest test", SEASON, "EUR", VehicleKind.VAN, (), (),
                (PlanDay(D1, DayKind.SHOW, "ab", "ab"), PlanDay(D2, DayKind.SHOW, "zenith", "zenith")), report,
                loads=loads)


def test_gear_rides_in_the_manifests_vehicle_and_stays_aboard_overnight():
    backline = gear("backline", volume=2.0)
    tour = two_venue_tour([person("ann", "B"), person("bob", "B")], [van("v1"), van("v2")], [backline])
    result = solve(tour, manifest_plan("v2", backline), FAST)
    assert result.unserved == ()
    moved = {(r.day, r.vehicle_id) for r in result.runs for s in r.stops if s.load_gear or s.unload_gear}
    assert moved == {(D1, "v2"), (D2, "v2")}  # v1 could take it too: the manifest says v2
    first = next(r for r in result.runs if r.day == D1 and r.vehicle_id == "v2")
    loaded = next(s for s in first.stops if s.place_id == "ab" and s.load_gear)
    # Unloaded on arrival, loaded again after the curfew, and still aboard where it parks.
    assert loaded.departure.time() >= time(23, 0) and first.stops[-1].volume_m3 == 2.0
    second = next(r for r in result.runs if r.day == D2 and r.vehicle_id == "v2")
    assert second.stops[0].place_id == "ab" and second.stops[0].volume_m3 == 2.0  # aboard from the start
    assert second.stops[0].board[0] == second.driver_id  # its driver slept by the van at the AB
    (unloaded,) = [s for s in second.stops if s.unload_gear]
    assert unloaded.place_id == "zenith" and unloaded.departure.time() <= time(14, 0)


def test_gear_in_a_vehicle_nobody_on_duty_drives_is_unserved_with_the_reason():
    backline = gear("backline", volume=2.0)
    tour = two_venue_tour([person("ann", "B")], [van("v1"), truck()], [backline])
    result = solve(tour, manifest_plan("truck", backline), FAST)
    assert {u.subject for u in result.unserved} == {"backline"}
    assert all(u.reason == "licence: the loading plan puts it in truck (licence C), which nobody on duty drives "
               "today" for u in result.unserved)


# --- driver hours across days (EU 561/2006, FMCSA) ---

def duty(day: date, hours: float, end_hour: float = 18.0):
    from datetime import datetime, timedelta

    from solvers.driver_hours import Duty

    midnight = datetime.combine(day, time())
    return Duty(day, int(hours * 3600), midnight + timedelta(hours=6), midnight + timedelta(hours=end_hour))


MON = date(2026, 3, 9)  # a Monday


def test_eu_ten_hours_twice_a_week_then_nine():
    from solvers.driver_hours import duty_limits

    once = [duty(MON, 9.5)]
    assert duty_limits(DriverHours.EU, once, date(2026, 3, 11)).max_driving_s == 10 * 3600  # holds
    twice = [duty(MON, 9.5), duty(date(2026, 3, 10), 10.0)]
    assert duty_limits(DriverHours.EU, twice, date(2026, 3, 11)).max_driving_s == 9 * 3600  # binds
    # A new ISO week starts on Monday: the extensions are back.
    assert duty_limits(DriverHours.EU, twice, date(2026, 3, 16)).max_driving_s == 10 * 3600


def test_eu_56_hours_a_week():
    from solvers.driver_hours import duty_limits

    week = [duty(MON + timedelta(days=k), 9.0) for k in range(5)]  # 45 h by Friday
    assert duty_limits(DriverHours.EU, week, MON + timedelta(days=5)).max_driving_s == 10 * 3600  # holds
    week.append(duty(MON + timedelta(days=5), 9.0))  # 54 h by Saturday
    assert duty_limits(DriverHours.EU, week, MON + timedelta(days=6)).max_driving_s == 2 * 3600  # binds


def test_eu_90_hours_in_two_weeks():
    from solvers.driver_hours import duty_limits

    last_week = [duty(MON + timedelta(days=k), 9.0) for k in range(6)]  # 54 h
    this_week = [duty(MON + timedelta(days=7 + k), 9.0) for k in range(3)]  # 27 h: 81 h in all
    assert duty_limits(DriverHours.EU, last_week[:5] + this_week, MON + timedelta(days=10)).max_driving_s == \
        10 * 3600  # 72 h so far: holds
    assert duty_limits(DriverHours.EU, last_week + this_week, MON + timedelta(days=10)).max_driving_s == \
        9 * 3600  # binds: 90 - 81


def test_eu_eleven_hours_daily_rest_and_us_ten_hours_off_in_a_fourteen_hour_window():
    from datetime import datetime

    from solvers.driver_hours import duty_limits

    late = [duty(MON, 8.0, end_hour=25.5)]  # parked at 01:30 on Tuesday
    eu = duty_limits(DriverHours.EU, late, date(2026, 3, 10))
    assert eu.rested_at == datetime(2026, 3, 10, 10, 30) and eu.max_span_s is None  # 9 h: reduced
    # Three rests this week already reduced (06:00 starts after 01:30 ends): the fourth is 11 h.
    nights = [duty(MON + timedelta(days=k), 8.0, end_hour=25.5) for k in range(4)]
    assert duty_limits(DriverHours.EU, nights, MON + timedelta(days=4)).rested_at == \
        datetime(2026, 3, 13, 12, 30)
    us = duty_limits(DriverHours.US, late, date(2026, 3, 10))
    assert (us.rested_at, us.max_driving_s, us.max_span_s) == (datetime(2026, 3, 10, 11, 30), 11 * 3600, 14 * 3600)
    assert duty_limits(DriverHours.NONE, late, date(2026, 3, 10)) == duty_limits(DriverHours.NONE, (), MON)


def two_nights_at_the_ab(second_load_in: time) -> tuple[Tour, Plan]:
    """Tom drives the truck to the AB and home after a 23:45 curfew on D1 (parked after
    midnight), and again on D2, sleeping at home."""
    from dataclasses import replace as swap

    from touring.model import Night, Stay, StayKind

    tour = two_venue_tour([person("tom", "C")], [truck()], [])
    ab = swap(tour.venues[0], curfew=time(23, 45))
    second = Venue("ab2", "AB again", swap(AB, id="ab2"), (SEASON,), load_in=second_load_in, curfew=time(22, 0))
    tour = swap(tour, venues=(ab, second), shows=(Show("ab", "ab"), Show("ab2", "ab2")))
    days = (PlanDay(D1, DayKind.SHOW, "ab", "ab"), PlanDay(D2, DayKind.SHOW, "ab2", "ab2"))
    nights = tuple(Night(d, p, p, (Stay("tom", StayKind.HOME),)) for d, p in
                   ((date(2026, 3, 9), HOME_ID), (D1, "ab"), (D2, "ab2")))
    return tour, swap(show_plan(), days=days, accommodation=nights)


def test_a_run_past_midnight_keeps_the_driver_resting_into_the_next_morning():
    tour, plan = two_nights_at_the_ab(time(10, 0))
    result = solve(tour, plan, FAST)
    (first,) = [r for r in result.runs if r.day == D1]
    assert first.stops[-1].arrival.date() == D2  # parked after midnight
    assert [r for r in result.runs if r.day == D2] == []
    assert [(u.day, u.request_id) for u in result.unserved] == [(D2, "crew:tom:out"), (D2, "crew:tom:back")]
    rested = first.stops[-1].arrival + timedelta(hours=9)  # a reduced daily rest
    out, back = result.unserved
    assert out.reason.startswith(f"rest: tom rests until {rested:%H:%M}")
    assert back.reason == f"not taken there in the morning: {out.reason}"


def test_rested_the_next_run_goes():
    tour, plan = two_nights_at_the_ab(time(14, 0))
    result = solve(tour, plan, FAST)
    assert result.unserved == () and [r.day for r in result.runs] == [D1, D2]
    (first,), (second,) = ([r for r in result.runs if r.day == day] for day in (D1, D2))
    assert second.stops[0].departure >= first.stops[-1].arrival + timedelta(hours=9)


def paris_day_from_home(curfew: time, hours: DriverHours) -> tuple[Tour, Plan]:
    from dataclasses import replace as swap

    from touring.model import Night, Stay, StayKind

    tour = make_tour([person("tom", "C")], [truck()], hours=hours)
    tour = swap(tour, venues=(swap(tour.venues[0], curfew=curfew),))
    nights = tuple(Night(d, HOME_ID, HOME_ID, (Stay("tom", StayKind.HOME),)) for d in (date(2026, 3, 9), DAY))
    return tour, swap(show_plan(), accommodation=nights)


def test_us_fourteen_hour_window_holds_on_a_short_day_and_binds_on_a_long_one():
    tour, plan = paris_day_from_home(time(15, 0), DriverHours.US)  # out ~09:00, home ~20:00
    short = solve(tour, plan, FAST)
    assert short.unserved == ()
    (run,) = short.runs
    assert run.stops[-1].arrival - run.stops[0].departure <= timedelta(hours=14)
    tour, plan = paris_day_from_home(time(23, 0), DriverHours.US)  # home after 04:00: 19 h
    long = solve(tour, plan, FAST)
    assert [u.subject for u in long.unserved] == ["tom"]  # out or back: not both in 14 h
    assert all(r.stops[-1].arrival - r.stops[0].departure <= timedelta(hours=14) for r in long.runs)
    tour, plan = paris_day_from_home(time(23, 0), DriverHours.NONE)
    assert solve(tour, plan, FAST).unserved == ()


# --- breaks taken on the road when a solved route needs them ---

def _long_drive(deadline_h: float):
    """One request 6 h away from the depot, to be delivered by ``deadline_h``."""
    from solvers import vrp

    six = 6 * 3600
    problem = vrp.Problem(
        distance=[[0, 1], [1, 0]], travel_time=[[0, six], [six, 0]],
        requests=[vrp.Request("r", vrp.Stop(1, vrp.TimeWindow(0, int(deadline_h * 3600))))],
        vehicles=[vrp.VehicleSpec("v", 0, 1, shift=vrp.TimeWindow(3600, 20 * 3600))])
    # As the plain solve finds it: leave at 02:00, arrive at 08:00, no break.
    visits = (vrp.StopVisit(None, "start", 0, 2 * 3600, 2 * 3600, 2 * 3600, {}),
              vrp.StopVisit("r", "visit", 1, 8 * 3600, 8 * 3600, 8 * 3600, {}),
              vrp.StopVisit(None, "end", 1, 8 * 3600, 8 * 3600, 8 * 3600, {}))
    return problem, vrp.Route("v", visits, 1, 1, six)


def test_a_break_is_taken_on_the_road_and_the_departure_moves_earlier_to_keep_the_window():
    from solvers import vrp
    from solvers.transport import _with_breaks

    problem, route = _long_drive(8.0)
    fixed = _with_breaks(route, problem, vrp.BreakRule(270 * 60, 45 * 60))
    assert fixed.breaks == ((int(1.25 * 3600) + 270 * 60, 45 * 60),)  # after 4 h 30 on the road
    assert fixed.stops[0].departure == int(1.25 * 3600) and fixed.stops[1].arrival == 8 * 3600


def test_no_room_for_the_break_keeps_the_route_out():
    from solvers import vrp
    from solvers.transport import _with_breaks

    problem, route = _long_drive(8.0)
    tight = vrp.Problem(problem.distance, problem.travel_time, problem.requests,
                        [replace(problem.vehicles[0], shift=vrp.TimeWindow(2 * 3600, 20 * 3600))])
    assert _with_breaks(route, tight, vrp.BreakRule(270 * 60, 45 * 60)) is None


def test_rental_gear_is_picked_up_at_its_supplier_and_set_down_there_after_its_last_show():
    from dataclasses import replace as swap

    from touring.model import EquipmentMove, Owner

    supplier = Place("supplier:projector", "Rent-a-Beam, Brussels", 50.87, 4.42, "Europe/Brussels", "BE")
    projector = Equipment("projector", "Projector", 1, 0.3, 40.0, owner=Owner.RENTAL, needed_at=("ab",),
                          supplier=supplier)
    tour = two_venue_tour([person("ann", "B")], [van("v1")], [projector])
    plan = manifest_plan("v1", projector)
    plan = swap(plan, equipment_moves=(
        EquipmentMove("pickup", 0, D1, "projector", "Projector", 1, supplier.id, "ab"),
        EquipmentMove("return", 1, D2, "projector", "Projector", 1, supplier.id, "ab")))
    result = solve(tour, plan, FAST)
    assert result.unserved == ()
    stops = [(r.day, s.place_id, s.load_gear, s.unload_gear) for r in result.runs for s in r.stops
             if s.load_gear or s.unload_gear]
    assert (D1, supplier.id, ("projector",), ()) in stops  # picked up on the way to its show
    assert (D2, supplier.id, (), ("projector",)) in stops  # returned on the way to the next one
    assert not any(place == "zenith" for _, place, _, _ in stops)  # never taken to Paris


# --- the own_car column and the mileage rate, read from a tour folder ---

def test_own_car_and_mileage_rate_are_read_and_a_bad_value_names_its_cell(tiny_tour):
    from touring.errors import TourDataError
    from touring.io import load_tour

    crew = tiny_tour / "crew.csv"
    rows = crew.read_text(encoding="utf-8").splitlines()
    values = {"anna": "yes", "ben": "", "carl": "no"}
    crew.write_text("\n".join([rows[0] + ",own_car"] + [f"{r},{values[r.split(',')[0]]}" for r in rows[1:]]) + "\n",
                    encoding="utf-8")
    toml = tiny_tour / "tour.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[rules]", "[rules]\nmileage_rate = 0.35"),
                    encoding="utf-8")
    tour = load_tour(tiny_tour).tour
    assert [c.id for c in tour.crew if c.own_car] == ["anna"] and tour.rules.mileage_rate == 0.35
    crew.write_text(crew.read_text(encoding="utf-8").replace("anna@example.org,yes", "anna@example.org,maybe"),
                    encoding="utf-8")
    with pytest.raises(TourDataError) as raised:
        load_tour(tiny_tour)
    assert any("crew.csv" in str(e) and "own_car" in str(e) for e in raised.value.errors)


def test_gear_at_the_vehicles_parking_place_is_loaded_after_its_driver_boards():
    # The van is parked where the gear is (the home base); its driver, who has no car,
    # lives 20 km away: the van fetches her first, then loads.
    pa = gear("pa", volume=2.0)
    tour = two_venue_tour([person("ann", "B", lat=51.2)], [replace(van("v1"), depot=GENT)], [pa])
    result = solve(tour, manifest_plan("v1", pa), FAST)
    run = next(r for r in result.runs if r.day == D1)
    places = [(s.place_id, s.board, s.load_gear) for s in run.stops]
    assert places[:3] == [(HOME_ID, (), ()), ("home:ann", ("ann",), ()), (HOME_ID, (), ("pa",))]


def test_a_vehicle_whose_driver_stays_elsewhere_does_not_move_and_says_why():
    from dataclasses import replace as swap

    from touring.model import Night, Stay, StayKind

    pa = gear("pa", volume=2.0)
    tour = two_venue_tour([person("ann", "B")], [van("v1")], [pa])
    # Ann slept at the AB and sleeps there again: she goes nowhere on D1, the van is in Gent.
    from datetime import datetime

    from touring.model import CrewShift

    nights = tuple(Night(d, "ab", "ab", (Stay("ann", StayKind.UNBOOKED),)) for d in (date(2026, 3, 9), D1))
    rota = (CrewShift("ab", D1, DayKind.SHOW, datetime(2026, 3, 10, 14), datetime(2026, 3, 10, 23),
                      (("technician", "ann"),), (("v1", "ann"),)),)
    result = solve(tour, swap(manifest_plan("v1", pa), accommodation=nights, crew_shifts=rota), FAST)
    assert [r for r in result.runs if r.day == D1] == []
    lost = [u for u in result.unserved if u.day == D1]
    assert lost and all(u.reason == "driver: ann, on duty to drive v1, stays at ab today while v1 is parked at "
                        "depot:v1" for u in lost)


def test_a_van_does_not_cross_the_country_empty_to_fetch_its_driver():
    # Ann lives in Amsterdam, 140 min from the van in Gent, and has no car.
    tour = make_tour([person("ann", "B", lat=52.37)], [van("v1")], [gear("pa", volume=2.0)])
    result = runs_of(tour)
    assert result.runs == ()
    reasons = {u.subject: u.reason for u in result.unserved}
    assert reasons == {who: "driver: ann, the nearest who may drive v1, starts at home:ann, 140 min from v1 parked "
                            "at depot:v1" for who in ("ann", "pa")}


# --- far homes: own travel ---

def far_member(crew_id: str, lat: float, lon: float, country: str) -> CrewMember:
    return CrewMember(crew_id, crew_id.title(), ("technician",),
                      Place(f"home:{crew_id}", crew_id.title(), lat, lon, "Europe/Paris", country))


def test_a_crew_member_farther_than_a_days_drive_gets_an_own_travel_line_and_no_request():
    # Marseille is some 10 h from Paris at van pace: more than the 540 min daily limit.
    tour = make_tour([person("ann", "B"), far_member("marc", 43.2965, 5.3698, "FR")], [van("v1")])
    result = runs_of(tour)
    assert [(t.crew_id, t.from_id, t.to_id, t.day) for t in result.own_travel] == \
        [("marc", "home:marc", "zenith", DAY)]
    assert "more than a day's driving (540 min)" in result.own_travel[0].reason
    assert "book a flight or train from Marc to Zénith Paris" in result.own_travel[0].text
    assert not [u for u in result.unserved if u.subject == "marc"]
    assert all("marc" not in s.board for r in result.runs for s in r.stops)
    assert any("ann" in s.board for r in result.runs for s in r.stops)  # the near colleague is still driven


def test_a_long_daily_limit_keeps_the_far_home_a_drive():
    tour = make_tour([person("ann", "B"), far_member("marc", 43.2965, 5.3698, "FR")], [van("v1")])
    tour = replace(tour, rules=replace(tour.rules, max_drive_minutes_per_day=24 * 60))
    result = runs_of(tour)
    assert result.own_travel == ()
    # A request is made for them: served, or unserved with a reason.
    carried = any("marc" in s.board for r in result.runs for s in r.stops)
    assert carried or [u for u in result.unserved if u.subject == "marc"]


def test_a_home_across_the_sea_is_own_travel_even_when_short():
    # Dover to Paris is well under a day's drive, but the way crosses the Channel.
    tour = make_tour([person("ann", "B"), far_member("dan", 51.1279, 1.3134, "GB")], [van("v1")])
    result = runs_of(tour)
    assert [t.crew_id for t in result.own_travel] == ["dan"]
    assert result.own_travel[0].reason.startswith("across the sea")
    assert not [u for u in result.unserved if u.subject == "dan"]


def test_own_travel_is_written_to_plan_json_read_back_and_summarised():
    from touring.io.plan import plan_from_json, plan_to_json
    from touring.report import transport_summary

    tour = make_tour([person("ann", "B"), far_member("marc", 43.2965, 5.3698, "FR")], [van("v1")])
    result = runs_of(tour)
    plan = replace(show_plan(), runs=result.runs, unserved_transport=result.unserved, own_travel=result.own_travel)
    document = plan_to_json(plan, tour)
    assert document["summary"]["own_travel"] == 1
    assert document["own_travel"][0]["crew_id"] == "marc"
    assert plan_from_json(document, "plan.json").own_travel == result.own_travel
    old = {k: v for k, v in document.items() if k != "own_travel"}  # a plan written before own travel
    assert plan_from_json(old, "plan.json").own_travel == ()
    lines = transport_summary(plan)
    assert "Own travel to book: 1 journey(s)" in lines
    assert any("marc: book a flight or train from Marc to Zénith Paris" in line for line in lines)


# --- long legs: a drive longer than a day goes on over the next days ---

MARSEILLE = Place("dome", "Le Dôme", 43.3065, 5.3985, "Europe/Paris", "FR")
BCN = Place("bcn", "Palau Sant Jordi", 41.3634, 2.1527, "Europe/Madrid", "ES")
CUGAT = Place("cugat", "Teatre-Auditori Sant Cugat", 41.4722, 2.0817, "Europe/Madrid", "ES")


def long_leg_case(far: Place, travel_days: int, second: Place | None = None) -> tuple[Tour, Plan]:
    """The truck takes the backline from the home base (Gent) to ``far`` (a show after
    ``travel_days`` travel days, which the schedule leaves free as it does for a long leg),
    and on to ``second`` the next day when given. Kim (C) drives; Ann lives near Gent."""
    from touring.model import LoadLine, TravelPart, VehicleLoad

    backline = gear("backline", volume=2.0)
    places = [far] + ([second] if second else [])
    venues = tuple(Venue(p.id, p.name, p, (SEASON,), load_in=time(14, 0), curfew=time(23, 0)) for p in places)
    tour = Tour("long leg", SEASON, GENT, venues, tuple(Show(p.id, p.id) for p in places),
                crew=(person("kim", "C"), person("ann", "B")), vehicles=(truck(),), equipment=(backline,))
    part = TravelPart(HOME_ID, far.id, 0.0, 0, 0)
    days = [PlanDay(DAY + timedelta(days=n), DayKind.TRAVEL, HOME_ID, None, (part,)) for n in range(travel_days)]
    show_day = DAY + timedelta(days=travel_days)
    days.append(PlanDay(show_day, DayKind.SHOW, far.id, far.id, (part,)))
    line = (LoadLine("backline", "backline", 1, 2.0, 50.0),)
    loads = [VehicleLoad(0, DAY, HOME_ID, far.id, "truck", line, 2.0, 50.0, 40.0, 10000.0)]
    if second is not None:
        days.append(PlanDay(show_day + timedelta(days=1), DayKind.SHOW, second.id, second.id,
                            (TravelPart(far.id, second.id, 0.0, 0, 0),)))
        loads.append(VehicleLoad(1, show_day + timedelta(days=1), far.id, second.id, "truck", line, 2.0, 50.0,
                                 40.0, 10000.0))
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return tour, Plan("long leg", SEASON, "EUR", VehicleKind.TRUCK, (), (), tuple(days), report, loads=tuple(loads))


def stretches(run) -> list[float]:
    """Hours driven between the rests (breaks of 9 h or more) of a run."""
    out, start, pause = [], run.stops[0].departure, 0
    for at, minutes in list(run.breaks) + [(run.stops[-1].arrival, 24 * 60)]:
        if minutes >= 9 * 60:
            out.append(((at - start).total_seconds() / 60 - pause) / 60)
            start, pause = at + timedelta(minutes=minutes), 0
        else:
            pause += minutes
    return out


def test_a_two_day_leg_is_driven_over_two_days_within_the_daily_limit_and_the_gear_arrives():
    tour, plan = long_leg_case(MARSEILLE, 2)
    result = solve(tour, plan, FAST)
    (leg,) = [r for r in result.runs if r.day == DAY]
    assert (leg.vehicle_id, leg.driver_id, leg.stops[0].place_id, leg.stops[-1].place_id) == \
        ("truck", "kim", "depot:truck", "dome")
    assert leg.stops[0].load_gear == ("backline",)
    assert leg.drive_minutes > 10 * 60  # more than any one day allows
    hours = stretches(leg)
    assert len(hours) == 2 and all(h <= 10 + 1 / 60 for h in hours)  # EU: at most 10 h a day
    assert leg.stops[-1].arrival.date() == DAY + timedelta(days=1)
    show = DAY + timedelta(days=2)
    (unloaded,) = [s for r in result.runs if r.day == show for s in r.stops if "backline" in s.unload_gear]
    assert unloaded.place_id == "dome" and unloaded.departure.time() <= time(14, 0)
    assert result.unserved == ()
    # Ann lives near the home base: she rides along with the truck rather than fly.
    assert leg.stops[0].board == ("kim", "ann") and leg.stops[-1].alight == ("ann",)
    assert result.own_travel == ()


def test_a_leg_within_a_day_stays_one_run_on_the_day():
    # Paris is 5 h away: no leg of several days, the truck goes on the show day.
    tour, plan = long_leg_case(PARIS, 0)
    result = solve(tour, plan, FAST)
    assert {r.day for r in result.runs} == {DAY} and result.unserved == ()
    assert all(r.stops[-1].arrival.date() == DAY or r.stops[-1].arrival.day == DAY.day + 1 for r in result.runs)


def test_a_late_leg_is_reported_once_and_the_next_show_gets_its_gear():
    # Barcelona is 20 h from Gent at truck pace: one travel day is not enough for the
    # first show, but the truck goes on and the second show has its gear.
    tour, plan = long_leg_case(BCN, 1, CUGAT)
    result = solve(tour, plan, FAST)
    first, second = DAY + timedelta(days=1), DAY + timedelta(days=2)
    # The gear, its driver and Ann riding along all miss the first show: said once each.
    assert sorted((u.day, u.subject) for u in result.unserved) == [(first, "ann"), (first, "backline"), (first, "kim")]
    (late,) = [u for u in result.unserved if u.subject == "backline"]
    assert late.reason.startswith("long leg: truck is on its long leg from home to bcn with kim, arriving 2026-03-12")
    assert (late.from_id, late.to_id) == (HOME_ID, "bcn")
    assert {u.reason for u in result.unserved} == {late.reason}
    (unloaded,) = [s for r in result.runs if r.day == second for s in r.stops if "backline" in s.unload_gear]
    assert unloaded.place_id == "cugat"


def test_drive_days_keeps_the_eu_daily_limits_and_rests():
    from solvers import vrp
    from solvers.driver_hours import drive_days

    start = datetime(2026, 3, 9, 8, 0)  # a Monday
    arrival, breaks, days = drive_days(DriverHours.EU, (), start, 25 * 3600, vrp.BreakRule(270 * 60, 45 * 60))
    assert [d.driving_s / 3600 for d in days] == [10, 10, 5]  # 10 h twice a week, then the rest
    rests = [m for _, m in breaks if m >= 9 * 60]
    assert len(rests) == 2 and rests[0] == 9 * 60  # reduced daily rests, at most three a week
    assert arrival > start + timedelta(hours=25 + 2 * 9)
    one, _, single = drive_days(DriverHours.EU, (), start, 4 * 3600, vrp.BreakRule(270 * 60, 45 * 60))
    assert one == start + timedelta(hours=4) and len(single) == 1  # short: no break, no rest


def test_a_nightliner_and_a_truck_set_off_after_the_curfew():
    # AB (Brussels) on D1, Barcelona on D3; the schedule starts the leg in the night after
    # the AB show (a nightliner's part) and goes on on D2. The truck leaves after its
    # load-out too, not the next morning: its driver has not driven that day.
    from touring.model import TravelPart

    venues = (Venue("ab", "AB", AB, (SEASON,), load_in=time(14, 0), curfew=time(23, 0)),
              Venue("bcn", "Palau Sant Jordi", BCN, (SEASON,), load_in=time(14, 0), curfew=time(23, 0)))
    liner = Vehicle("liner", "liner", VehicleKind.NIGHTLINER, 16, AB, cost_per_km=1.0, licence="D")
    lorry = replace(truck(), depot=AB)
    tour = Tour("overnight", SEASON, GENT, venues, (Show("ab", "ab"), Show("bcn", "bcn")),
                crew=(person("uwe", "D"), person("kim", "C")), vehicles=(liner, lorry))
    part = TravelPart("ab", "bcn", 0.0, 0, 0)
    d3 = D2 + timedelta(days=1)
    days = (PlanDay(D1, DayKind.SHOW, "ab", "ab", (replace(part, overnight=True),)),
            PlanDay(D2, DayKind.TRAVEL, "ab", None, (part,)), PlanDay(d3, DayKind.SHOW, "bcn", "bcn", (part,)))
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    plan = Plan("overnight", SEASON, "EUR", VehicleKind.NIGHTLINER, (), (), days, report)
    result = solve(tour, plan, FAST)
    legs = {r.vehicle_id: r for r in result.runs if r.stops[-1].place_id == "bcn" and r.stops[0].place_id == "ab"}
    night, day = legs["liner"], legs["truck"]
    assert (night.day, night.driver_id, night.stops[0].departure) == (D1, "uwe", datetime.combine(D2, time(0)) -
                                                                      timedelta(hours=1))
    assert (day.day, day.driver_id, day.stops[0].departure) == (D1, "kim", night.stops[0].departure)
    assert max(night.stops[-1].arrival, day.stops[-1].arrival) <= datetime.combine(d3, time(14, 0))
    assert all(h <= 10 + 1 / 60 for h in stretches(night) + stretches(day))


def test_a_vehicle_more_than_a_days_drive_behind_follows_with_the_gear_it_holds():
    # The truck reaches Barcelona after its show; the next show, in Paris, is more than a
    # day's drive on: the truck sets off with the backline still aboard and says so once a
    # show, instead of staying parked and stranding every later move.
    tour, plan = long_leg_case(BCN, 1, PARIS)
    result = solve(tour, plan, FAST)
    first, second = DAY + timedelta(days=1), DAY + timedelta(days=2)
    follow = [r for r in result.runs if r.day == second and r.vehicle_id == "truck"]
    assert [(r.stops[0].place_id, r.stops[-1].place_id, r.driver_id) for r in follow] == [("bcn", "zenith", "kim")]
    assert all(h <= 10 + 1 / 60 for h in stretches(follow[0]))
    # Each show day says once per person and load that the truck (with Kim and Ann
    # aboard, and the backline) is still on its way.
    assert sorted((u.day, u.subject, u.reason.split(" with ")[0]) for u in result.unserved) == [
        (first, subject, "long leg: truck is on its long leg from home to bcn") for subject in ("ann", "backline", "kim")
    ] + [(second, subject, "long leg: truck is on its long leg from bcn to zenith") for subject in ("ann", "backline", "kim")]


# --- two drivers taking turns on a long leg (multi-manning) ---

def test_drive_two_takes_turns_without_roadside_breaks_and_rests_nine_hours():
    from solvers import vrp
    from solvers.driver_hours import drive_days, drive_two

    rule = vrp.BreakRule(270 * 60, 45 * 60)
    start = datetime(2026, 3, 9, 8, 0)  # a Monday, both drivers fresh
    arrival, breaks, (first, second) = drive_two(DriverHours.EU, ((), ()), start, 20 * 3600, rule)
    # 10 h each (the week's first extended day), breaks taken aboard while the other drives.
    assert (arrival, breaks) == (start + timedelta(hours=20), [])
    assert [d.driving_s for d in first] == [d.driving_s for d in second] == [10 * 3600]
    assert drive_days(DriverHours.EU, (), start, 20 * 3600, rule)[0] > arrival + timedelta(hours=9)
    # Five hours more: the vehicle stands for the 9 h multi-manning rest, then goes on.
    arrival, breaks, (first, second) = drive_two(DriverHours.EU, ((), ()), start, 25 * 3600, rule)
    assert breaks == [(start + timedelta(hours=20), 9 * 60)]
    assert arrival == start + timedelta(hours=20 + 9 + 5)
    assert sum(d.driving_s for d in first + second) == 25 * 3600


def overnight_to_marseille(*crew: CrewMember) -> tuple[Tour, Plan]:
    """A show at the AB on D1, the next at Marseille on D2 (load-in 14:00): the nightliner
    leaves after the curfew with everyone aboard, about 14 h of driving away."""
    from touring.model import TravelPart

    venues = (Venue("ab", "AB", AB, (SEASON,), load_in=time(14, 0), curfew=time(23, 0)),
              Venue("dome", "Le Dôme", MARSEILLE, (SEASON,), load_in=time(14, 0), curfew=time(23, 0)))
    liner = Vehicle("liner", "liner", VehicleKind.NIGHTLINER, 16,
                    Place("depot:liner", "depot", 51.06, 3.73, "Europe/Brussels", "BE"), cost_per_km=1.0, licence="D")
    tour = Tour("overnight", SEASON, GENT, venues, (Show("ab", "ab"), Show("dome", "dome")), crew=crew,
                vehicles=(liner,))
    part = TravelPart("ab", "dome", 0.0, 0, 0)
    days = (PlanDay(D1, DayKind.SHOW, "ab", "ab", (replace(part, overnight=True),)),
            PlanDay(D2, DayKind.SHOW, "dome", "dome", (part,)))
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return tour, Plan("overnight", SEASON, "EUR", VehicleKind.NIGHTLINER, (), (), days, report)


def test_one_driver_brings_the_crew_too_late_and_says_so():
    result = solve(*overnight_to_marseille(person("uwe", "D"), person("ann", "B")), FAST)
    (leg,) = [r for r in result.runs if r.stops[-1].place_id == "dome"]
    assert (leg.driver_id, leg.co_driver_id, leg.stops[0].board) == ("uwe", None, ("uwe", "ann"))
    assert any(minutes >= 9 * 60 for _, minutes in leg.breaks)  # a daily rest on the way
    late = [u for u in result.unserved if u.day == D2]
    assert sorted(u.subject for u in late) == ["ann", "uwe"]
    assert all(u.reason.startswith("long leg: liner is on its long leg from ab to dome with uwe, arriving 2026-03-11")
               and "after the latest 13:58" in u.reason for u in late)


def test_a_second_licensed_driver_aboard_takes_turns_and_the_crew_is_on_time():
    result = solve(*overnight_to_marseille(person("uwe", "D"), person("marc", "D"), person("ann", "B")), FAST)
    (leg,) = [r for r in result.runs if r.stops[-1].place_id == "dome"]
    driver, second = leg.driver_id, leg.co_driver_id
    assert {driver, second} == {"uwe", "marc"}
    assert leg.stops[0].board == (driver, second, "ann") and leg.stops[-1].alight == (second, "ann")
    assert leg.stops[-1].arrival <= datetime.combine(D2, time(14, 0)) - timedelta(minutes=2)
    assert not any(minutes >= 9 * 60 for _, minutes in leg.breaks)  # no rest stop needed
    assert leg.driving_by_driver == {driver: leg.drive_minutes - leg.co_driver_minutes, second: leg.co_driver_minutes}
    assert 0 < leg.co_driver_minutes <= 10 * 60 and leg.drive_minutes - leg.co_driver_minutes <= 10 * 60
    assert [u for u in result.unserved if u.day == D2] == []
    assert dict(result.driving_minutes)[second] >= leg.co_driver_minutes


def test_the_nightliner_drives_through_the_night_to_the_next_call_and_everyone_goes():
    # AB closes at 01:00; the crew sleeps aboard the nightliner, which reaches Hamburg (about
    # 8 h away) after 08:00 but before the next day's call; Ann, off duty at the AB show,
    # travels with the tour too.
    from touring.model import CrewShift, Night, Stay, StayKind, TravelPart

    hamburg = Place("arena", "Barclays Arena", 53.5894, 9.8990, "Europe/Berlin", "DE")
    venues = (Venue("ab", "AB", AB, (SEASON,), load_in=time(14, 0), curfew=time(1, 0)),
              Venue("arena", "Barclays Arena", hamburg, (SEASON,), load_in=time(16, 0), curfew=time(23, 0)))
    liner = Vehicle("liner", "liner", VehicleKind.NIGHTLINER, 16,
                    Place("depot:liner", "depot", 51.06, 3.73, "Europe/Brussels", "BE"), cost_per_km=1.0, licence="D")
    crew = (person("uwe", "D"), person("kim"), person("ann"))
    tour = Tour("overnight", SEASON, GENT, venues, (Show("ab", "ab"), Show("arena", "arena")), crew=crew,
                vehicles=(liner,))
    part = TravelPart("ab", "arena", 0.0, 0, 0, overnight=True)
    days = (PlanDay(D1, DayKind.SHOW, "ab", "ab", (part,)), PlanDay(D2, DayKind.SHOW, "arena", "arena"))
    aboard = tuple(Stay(c.id, StayKind.NIGHTLINER) for c in crew)
    home = tuple(Stay(c.id, StayKind.HOME) for c in crew)
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    shifts = (CrewShift("ab", D1, DayKind.SHOW, datetime.combine(D1, time(14, 0)), datetime.combine(D2, time(1, 0)),
                        (("technician", "uwe"), ("technician", "kim"))),)
    plan = Plan("overnight", SEASON, "EUR", VehicleKind.NIGHTLINER, (), (), days, report,
                accommodation=(Night(D1 - timedelta(days=1), HOME_ID, "ab", home),
                               Night(D1, "ab", "arena", aboard)), crew_shifts=shifts)
    result = solve(tour, plan, FAST)
    (night,) = [r for r in result.runs if r.stops[-1].place_id == "arena" and r.day == D1]
    assert night.stops[-1].arrival > datetime.combine(D2, time(8, 0))  # later than a day's run may end
    assert night.stops[-1].arrival <= datetime.combine(D2, time(16, 0))
    assert set(night.stops[-1].alight) >= {"kim", "ann"}
    assert [u for u in result.unserved if u.day == D1] == []
    # Ann, off duty, rode from home with the others: her move was a request of the day.
    assert any("ann" in s.board for r in result.runs if r.day == D1 for s in r.stops)


def test_gear_for_a_night_drive_is_loaded_after_the_curfew_and_unloaded_by_the_next_call():
    # AB on D1 (curfew 23:00), Frankfurt on D2 (load-in 16:00), the schedule drives the leg
    # through the night: the truck loads the backline after the curfew and unloads it at
    # the arena in the same run, the next morning.
    from touring.model import LoadLine, TravelPart, VehicleLoad

    frankfurt = Place("arena", "Festhalle", 50.1117, 8.6515, "Europe/Berlin", "DE")
    venues = (Venue("ab", "AB", AB, (SEASON,), load_in=time(14, 0), curfew=time(23, 0)),
              Venue("arena", "Festhalle", frankfurt, (SEASON,), load_in=time(16, 0), curfew=time(23, 0)))
    lorry = truck()
    tour = Tour("night drive", SEASON, GENT, venues, (Show("ab", "ab"), Show("arena", "arena")),
                crew=(person("kim", "C"),), vehicles=(lorry,), equipment=(gear("backline", volume=2.0),))
    part = TravelPart("ab", "arena", 0.0, 0, 0, overnight=True)
    days = (PlanDay(D1, DayKind.SHOW, "ab", "ab", (part,)), PlanDay(D2, DayKind.SHOW, "arena", "arena"))
    line = (LoadLine("backline", "backline", 1, 2.0, 50.0),)
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    plan = Plan("night drive", SEASON, "EUR", VehicleKind.TRUCK, (), (), days, report,
                loads=(VehicleLoad(0, D1, "ab", "arena", "truck", line, 2.0, 50.0, 40.0, 10000.0),))
    result = solve(tour, plan, FAST)
    assert [u for u in result.unserved if u.subject == "backline"] == []
    (run,) = [r for r in result.runs if any("backline" in s.load_gear for s in r.stops)]
    loaded = next(s for s in run.stops if "backline" in s.load_gear)
    unloaded = next(s for s in run.stops if "backline" in s.unload_gear)
    assert run.day == D1 and loaded.place_id == "ab" and loaded.departure > datetime.combine(D1, time(23, 0))
    assert unloaded.place_id == "arena" and D2 == unloaded.departure.date()
    assert unloaded.departure <= datetime.combine(D2, time(16, 0))


def test_gear_aboard_a_vehicle_parked_at_its_venue_is_unloaded_without_a_driver():
    tour, plan = long_leg_case(MARSEILLE, 2)  # the truck is in Marseille the day before the show
    result = solve(tour, plan, FAST)
    show = DAY + timedelta(days=2)
    (run,) = [r for r in result.runs if r.day == show and any("backline" in s.unload_gear for s in r.stops)]
    assert (run.vehicle_id, run.driver_id, run.km, run.drive_minutes) == ("truck", "", 0.0, 0)
    (stop,) = run.stops
    assert stop.place_id == "dome" and stop.departure <= datetime.combine(show, time(14, 0))
    assert result.unserved == ()


def test_a_vehicle_parked_too_late_to_unload_by_the_call_says_so():
    from solvers.transport import GEAR_BASE_S, _Move, _unload_parked

    call = 14 * 3600
    move = _Move("gear:0:truck:home>dome", "backline", True, "dome", "dome", 0, call - GEAR_BASE_S, GEAR_BASE_S,
                 items=("backline",), vehicle="truck", aboard=True)
    ((run, late),) = _unload_parked(DAY, [move], {"truck": datetime.combine(DAY, time(13, 51))})
    assert run is None and late == [(move, "time: truck arrives at 13:51; unloading takes 10 min, done after the "
                                           "call at 14:00")]
    ((run, late),) = _unload_parked(DAY, [move], {"truck": datetime.combine(DAY, time(13, 50))})
    assert late == [] and run.stops[0].departure == datetime.combine(DAY, time(14, 0))


def test_reasons_give_clock_times_past_midnight_as_the_next_day():
    from solvers.transport import _Move, _clock, _solver_reason

    assert [_clock(s) for s in (8 * 3600 + 30 * 60, 25 * 3600 + 90, 50 * 3600)] == \
        ["08:30", "01:01 the next day", "02:00, 2 days on"]
    move = _Move("gear:x", "x", True, "a", "b", 22 * 3600, 32 * 3600, 600)
    assert _solver_reason("time: no vehicle can serve it alone within its window [79200, 115200]", move) == (
        "time: no driven vehicle, even empty, can take it between 22:00 and 08:00 the next day within its shift, "
        "its driver's rest and driving limit")
    assert _solver_reason("seats: nothing", move) == "seats: nothing"


def test_gear_unloaded_too_late_is_reported_once_and_the_next_legs_load_as_planned():
    # The truck reaches Marseille at 11:36 on the show day, after the 11:30 load-in: the
    # backline is reported late there. It goes on to Sant Cugat through the night and then
    # is loaded after the curfew for Barcelona as the manifests say, not taken to be still
    # aboard from the late leg (which left it unloaded at Sant Cugat and loaded nowhere).
    from touring.model import LoadLine, TravelPart, VehicleLoad

    tour, plan = long_leg_case(MARSEILLE, 1, CUGAT)
    early = replace(tour.venue_by_id["dome"], load_in=time(11, 30))
    bcn = Venue(BCN.id, BCN.name, BCN, (SEASON,), load_in=time(14, 0), curfew=time(23, 0))
    tour = replace(tour, venues=(early, tour.venue_by_id["cugat"], bcn), shows=tour.shows + (Show("bcn", "bcn"),))
    third = DAY + timedelta(days=3)
    line = plan.loads[0].lines
    marseille, cugat = plan.days[1], plan.days[2]
    night = (replace(marseille, travel=marseille.travel + (TravelPart("dome", "cugat", 0.0, 0, 0, overnight=True),)),
             replace(cugat, travel=()))
    plan = replace(plan, days=plan.days[:1] + night + (PlanDay(third, DayKind.SHOW, "bcn", "bcn",
                                                  (TravelPart("cugat", "bcn", 0.0, 0, 0),)),),
                   loads=plan.loads + (VehicleLoad(2, third, "cugat", "bcn", "truck", line, 2.0, 50.0, 40.0, 10000.0),))
    result = solve(tour, plan, FAST)
    # The truck brings Kim and Ann too late as well; nothing later is missed.
    assert sorted((u.day, u.subject) for u in result.unserved) == [
        (DAY + timedelta(days=1), subject) for subject in ("ann", "backline", "kim")]
    (late,) = [u for u in result.unserved if u.subject == "backline"]
    assert late.reason.startswith("time: truck arrives at 11:36; unloading takes 16 min")
    loads = [(r.day, s.place_id) for r in result.runs for s in r.stops if "backline" in s.load_gear]
    unloads = [(s.departure.date(), s.place_id) for r in result.runs for s in r.stops if "backline" in s.unload_gear]
    assert loads == [(DAY, "depot:truck"), (DAY + timedelta(days=1), "dome"), (DAY + timedelta(days=2), "cugat")]
    assert unloads == [(DAY + timedelta(days=2), "cugat"), (third, "bcn")]
