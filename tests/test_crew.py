"""Crew rota: each rule where it holds and where it binds, real CP-SAT solves.

Tours and plans are built by hand: shows at two Brussels venues, a crew of actors and
technicians. A plan is a list of (kind, show) per day from 2026-03-10 on.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest

from solvers.crew import CrewParams, CrewResult, solve
from touring.model import (
    HOME_ID, CrewMember, DateRange, DayKind, Place, Plan, PlanDay, Rules, Show, SolverReport, Tour, Venue,
    VehicleKind,
)

SEASON = DateRange(date(2026, 3, 1), date(2026, 3, 31))
HOME = Place(HOME_ID, "Gent", 51.0543, 3.7174, "Europe/Brussels", "BE")
BRUSSELS = Place("ab-brussels", "Ancienne Belgique", 50.8481, 4.3486, "Europe/Brussels", "BE")
FOREST = Place("forest", "Forest National", 50.8096, 4.3238, "Europe/Brussels", "BE")
FAST = CrewParams(time_limit_s=5)
SHOW, SETUP = DayKind.SHOW, DayKind.SETUP


def day(n: int) -> date:
    return date(2026, 3, 10) + timedelta(days=n)


def person(crew_id: str, *roles: str, away: tuple[int, ...] = ()) -> CrewMember:
    """A crew member; ``away`` lists the day numbers they are not available."""
    availability = ()
    if away:
        free = [n for n in range(-9, 22) if n not in away]
        availability = tuple(DateRange(day(n), day(n)) for n in free)
    return CrewMember(crew_id, crew_id.title(), roles or ("technician",),
                      Place(f"home:{crew_id}", crew_id, 51.0, 4.0, "Europe/Brussels", "BE"),
                      availability=availability)


def make_tour(crew: list[CrewMember], roles: tuple[str, ...] = ("actor", "technician"), rules: Rules = Rules(),
              load_in: time | None = None, curfew: time | None = None, forest_setup: int = 0) -> Tour:
    venues = (Venue("ab-brussels", "Ancienne Belgique", BRUSSELS, (SEASON,), load_in=load_in, curfew=curfew),
              Venue("forest", "Forest National", FOREST, (SEASON,), setup_days=forest_setup))
    shows = (Show("ab-brussels", "ab-brussels", roles=roles), Show("forest", "forest", roles=roles))
    return Tour("crew test", SEASON, HOME, venues, shows, crew=tuple(crew), rules=rules)


def make_plan_of(days: list[tuple[DayKind, str]]) -> Plan:
    plan_days = tuple(PlanDay(day(n), kind, show_id, show_id) for n, (kind, show_id) in enumerate(days))
    report = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)
    return Plan("crew test", SEASON, "EUR", VehicleKind.VAN, (), (), plan_days, report)


def rota(tour: Tour, days: list[tuple[DayKind, str]], params: CrewParams = FAST) -> CrewResult:
    result = solve(tour, make_plan_of(days), params)
    assert result.status == "optimal"
    return result


def roles_of(result: CrewResult, n: int, kind: DayKind = SHOW) -> tuple[tuple[str, str | None], ...]:
    return next(s.roles for s in result.shifts if s.day == day(n) and s.kind is kind)


# --- filling roles ---

def test_every_role_is_filled_by_someone_holding_it():
    result = rota(make_tour([person("ann", "actor"), person("tom")]), [(SHOW, "ab-brussels")])
    assert roles_of(result, 0) == (("actor", "ann"), ("technician", "tom"))
    assert result.unfilled == () and result.most_shifts == 1
    assert result.objective == 3 * 1 + 1 + 1  # most shifts (weight R*S+1 = 3), then per role: one each
    shift = result.shifts[0]
    assert (shift.start, shift.end) == (datetime(2026, 3, 10, 14), datetime(2026, 3, 10, 23))  # the defaults


def test_a_role_listed_twice_needs_two_people():
    tour = make_tour([person("tom"), person("tim"), person("ann", "actor")], roles=("technician", "technician"))
    assert sorted(rota(tour, [(SHOW, "ab-brussels")]).shifts[0].crew_for("technician")) == ["tim", "tom"]
    tour = make_tour([person("tom"), person("ann", "actor")], roles=("technician", "technician"))
    result = rota(tour, [(SHOW, "ab-brussels")])
    assert result.shifts[0].crew_for("technician") == ("tom", None)
    assert [u.text for u in result.unfilled] == [
        "no technician for `ab-brussels` on 2026-03-10: tom takes the other technician place, ann lacks the role"]


def test_a_role_nobody_can_take_is_reported_with_show_day_and_role():
    tour = make_tour([person("tom", away=(0,)), person("ann", "actor")])
    result = rota(tour, [(SHOW, "ab-brussels")])
    assert roles_of(result, 0) == (("actor", "ann"), ("technician", None))
    [missing] = result.unfilled
    assert (missing.show_id, missing.day, missing.role) == ("ab-brussels", day(0), "technician")
    assert missing.text == "no technician for `ab-brussels` on 2026-03-10: tom is unavailable, ann lacks the role"
    unfilled_weight = 3 * 1 + 2 * 1 + 1  # (R*S+1)*S + R*S + 1, with S = 1 shift and R = 2 roles
    assert result.objective == unfilled_weight + 3 * 1 + 1  # plus ann's one shift, overall and as actor


def test_a_role_nobody_holds_says_so():
    result = rota(make_tour([person("ann", "actor")], roles=("actor", "driver")), [(SHOW, "ab-brussels")])
    assert [u.reason for u in result.unfilled] == ["nobody in the crew holds the role"]


def test_no_one_holds_two_roles_at_once():
    tour = make_tour([person("max", "actor", "technician")])
    result = rota(tour, [(SHOW, "ab-brussels")])
    assert sorted(result.shifts[0].crew_ids) == ["max"]
    assert [u.text for u in result.unfilled] in (
        ["no technician for `ab-brussels` on 2026-03-10: max works as actor"],
        ["no actor for `ab-brussels` on 2026-03-10: max works as technician"])


# --- availability ---

def test_unavailability_is_respected():
    tour = make_tour([person("tom", away=(1,)), person("tim", away=(0,)), person("ann", "actor")],
                     roles=("technician",))
    result = rota(tour, [(SHOW, "ab-brussels"), (SHOW, "ab-brussels")])
    assert (roles_of(result, 0), roles_of(result, 1)) == ((("technician", "tom"),), (("technician", "tim"),))


# --- set-up days ---

def test_set_up_days_need_the_technical_roles_from_nine_to_six():
    tour = make_tour([person("ann", "actor"), person("tom"), person("tim")], forest_setup=1,
                     roles=("actor", "technician", "stage manager"))
    tour_roles = {"stage manager"}
    result = rota(tour, [(SETUP, "forest"), (SHOW, "forest")])
    setup = next(s for s in result.shifts if s.kind is SETUP)
    assert [r for r, _ in setup.roles] == ["technician", "stage manager"]  # no actor on a set-up day
    assert (setup.start, setup.end) == (datetime(2026, 3, 10, 9), datetime(2026, 3, 10, 18))
    assert {u.role for u in result.unfilled} == tour_roles  # nobody holds it
    # The set-up roles can be named instead of guessed from the role names.
    named = rota(tour, [(SETUP, "forest")], CrewParams(time_limit_s=5, setup_roles=frozenset({"actor"})))
    assert named.shifts[0].roles == (("actor", "ann"),)


# --- 11 h rest ---

def test_rest_holds_between_two_late_show_nights():
    # Curfew 01:00 to load-in 14:00 the next day: 13 h of rest, one technician does both.
    tour = make_tour([person("tom"), person("ann", "actor")], load_in=time(16, 0), curfew=time(1, 0))
    result = rota(tour, [(SHOW, "ab-brussels"), (SHOW, "ab-brussels")])
    assert result.unfilled == ()
    assert result.shifts[0].end == datetime(2026, 3, 11, 1, 0)  # a curfew after midnight ends the next day
    assert dict(result.shifts_worked) == {"tom": 2, "ann": 2}


def test_rest_binds_between_a_late_curfew_and_a_morning_set_up():
    # Curfew 01:00, set-up at 09:00 the next day: 8 h of rest, so two different technicians.
    tour = make_tour([person("tom"), person("tim"), person("ann", "actor")], roles=("technician",),
                     load_in=time(16, 0), curfew=time(1, 0), forest_setup=1)
    result = rota(tour, [(SHOW, "ab-brussels"), (SETUP, "forest")])
    assert result.unfilled == ()
    assert {roles_of(result, 0)[0][1], roles_of(result, 1, SETUP)[0][1]} == {"tom", "tim"}
    # With one technician the set-up (or the show) is left unfilled, and the rest says why.
    tour = make_tour([person("tom"), person("ann", "actor")], roles=("technician",), load_in=time(16, 0), curfew=time(1, 0),
                     forest_setup=1)
    result = rota(tour, [(SHOW, "ab-brussels"), (SETUP, "forest")])
    [missing] = result.unfilled
    assert missing.reason.startswith("tom works `")
    assert missing.reason.endswith("which leaves under 11h00 rest, ann lacks the role")


def test_rest_holds_at_exactly_eleven_hours():
    # Curfew 22:00, set-up at 09:00: exactly 11 h, allowed.
    tour = make_tour([person("tom")], roles=("technician",), curfew=time(22, 0), forest_setup=1)
    result = rota(tour, [(SHOW, "ab-brussels"), (SETUP, "forest")])
    assert result.unfilled == () and dict(result.shifts_worked) == {"tom": 2}


# --- max working minutes ---

def test_a_shift_within_the_daily_maximum_is_worked():
    tour = make_tour([person("tom")], roles=("technician",), rules=Rules(max_working_minutes_per_day=540))
    assert rota(tour, [(SHOW, "ab-brussels")]).unfilled == ()  # 14:00-23:00 is 9 h


def test_a_shift_over_the_daily_maximum_is_worked_by_nobody():
    tour = make_tour([person("tom")], roles=("technician",), load_in=time(10, 0), curfew=time(0, 30))
    result = rota(tour, [(SHOW, "ab-brussels")])
    assert result.shifts[0].roles == (("technician", None),)
    assert [u.text for u in result.unfilled] == [
        "no technician for `ab-brussels` on 2026-03-10: the shift 10:00–00:30 lasts 14h30, over the 10h00 a day "
        "the rules allow"]
    tour = make_tour([person("tom")], roles=("technician",), rules=Rules(max_working_minutes_per_day=480))
    assert "lasts 9h00, over the 8h00" in rota(tour, [(SHOW, "ab-brussels")]).unfilled[0].reason


# --- spreading the work ---

def test_the_work_is_spread_evenly():
    tour = make_tour([person("tom"), person("tim")], roles=("technician",))
    result = rota(tour, [(SHOW, "ab-brussels")] * 4)
    assert dict(result.shifts_worked) == {"tom": 2, "tim": 2}
    assert result.most_shifts == 2 and result.gap == 0.0


def test_the_work_is_spread_inside_each_role_too():
    # The only technician works every night; the two actors still share theirs.
    tour = make_tour([person("tom"), person("ann", "actor"), person("bob", "actor")])
    result = rota(tour, [(SHOW, "ab-brussels")] * 4)
    assert dict(result.shifts_worked) == {"tom": 4, "ann": 2, "bob": 2}


def test_an_empty_plan_has_no_shifts():
    result = rota(make_tour([person("tom")]), [])
    assert (result.shifts, result.unfilled, result.objective) == ((), (), 0.0)


# --- determinism and parameters ---

def test_the_same_seed_gives_the_same_rota():
    crew = [person(f"t{k}") for k in range(4)] + [person(f"a{k}", "actor") for k in range(3)]
    tour = make_tour(crew, roles=("actor", "actor", "technician", "technician"), forest_setup=1)
    days = [(SHOW, "ab-brussels")] * 3 + [(SETUP, "forest"), (SHOW, "forest"), (SHOW, "forest")]
    first, second = rota(tour, days), rota(tour, days)
    assert first.shifts == second.shifts and first.shifts_worked == second.shifts_worked
    assert first.unfilled == () and first.most_shifts == 4  # ten actor places for three actors


def test_params_are_checked():
    with pytest.raises(ValueError, match="time_limit_s must be positive"):
        CrewParams(time_limit_s=0)
    with pytest.raises(ValueError, match="workers must be at least 1"):
        CrewParams(workers=0)


# --- drivers: a licensed driver on duty for each vehicle the loading plan uses ---

def _with_truck_load(crew: list[CrewMember]) -> tuple[Tour, Plan]:
    from dataclasses import replace as swap

    from touring.model import LoadLine, Vehicle, VehicleLoad

    truck = Vehicle("truck", "Truck", VehicleKind.TRUCK, 3, HOME, volume_m3=20, payload_kg=3000)
    tour = swap(make_tour(crew), vehicles=(truck,))
    plan = make_plan_of([(SHOW, "ab-brussels"), (SHOW, "forest")])
    load = VehicleLoad(0, day(1), "ab-brussels", "forest", "truck", (LoadLine("pa", "PA", 1, 1.0, 50.0),),
                       1.0, 50.0, 20.0, 3000.0)
    return tour, swap(plan, loads=(load,))


def test_a_c_licence_holder_is_put_on_duty_to_drive_the_truck_on_load_out_and_arrival():
    crew = [person("ann", "actor"), person("tom")]
    crew.append(CrewMember("wim", "Wim", ("actor",), crew[0].home, licences=frozenset({"C"})))
    tour, plan = _with_truck_load(crew)
    result = solve(tour, plan, FAST)
    assert result.unfilled == ()
    first, second = (next(s for s in result.shifts if s.day == day(n)) for n in (0, 1))
    # Loaded after the show at the AB on day 0, unloaded at Forest on day 1: the only C
    # holder drives both days and also plays.
    assert first.drivers == second.drivers == (("truck", "wim"),)
    assert "wim" in second.crew_ids


def test_a_technician_drives_rather_than_an_actor_who_could():
    ann = CrewMember("ann", "Ann", ("actor",), HOME, licences=frozenset({"C"}))
    tom = CrewMember("tom", "Tom", ("technician",), HOME, licences=frozenset({"C"}))
    for crew in ([ann, tom], [tom, ann]):  # whoever is listed first
        tour, plan = _with_truck_load(crew)
        result = solve(tour, plan, FAST)
        assert result.status == "optimal" and result.unfilled == ()
        assert [s.drivers for s in result.shifts] == [(("truck", "tom"),), (("truck", "tom"),)]


def test_the_driver_takes_no_role_place_another_can_take():
    # Tom must drive the truck both days; Bob and Carl can do the technician's work, so
    # Tom, listed first, is left to drive (his load-out and drive eat into his rest).
    tom = CrewMember("tom", "Tom", ("technician",), HOME, licences=frozenset({"C"}))
    crew = [tom, person("bob"), person("carl"), person("ann", "actor")]
    tour, plan = _with_truck_load(crew)
    result = solve(tour, plan, FAST)
    assert result.status == "optimal" and result.unfilled == ()
    assert all(s.drivers == (("truck", "tom"),) for s in result.shifts)
    assert all(who != "tom" for s in result.shifts for _, who in s.roles)


def test_a_driver_still_takes_a_role_place_nobody_else_can():
    tom = CrewMember("tom", "Tom", ("technician",), HOME, licences=frozenset({"C"}))
    tour, plan = _with_truck_load([tom, person("ann", "actor")])
    result = solve(tour, plan, FAST)
    assert result.unfilled == ()
    assert all(("technician", "tom") in s.roles for s in result.shifts)


def test_no_driver_place_without_gear_moving():
    crew = [person("ann", "actor"), person("tom"),
            CrewMember("wim", "Wim", ("actor",), HOME, licences=frozenset({"C"}))]
    tour, plan = _with_truck_load(crew)
    from dataclasses import replace as swap

    result = solve(tour, swap(plan, loads=()), FAST)
    assert all(s.drivers == () for s in result.shifts)


def test_without_a_c_licence_the_truck_driver_place_is_unfilled_with_the_reason():
    crew = [person("ann", "actor"), CrewMember("bob", "Bob", ("technician",), HOME, licences=frozenset({"B"}))]
    tour, plan = _with_truck_load(crew)
    result = solve(tour, plan, FAST)
    assert [(gap.day, gap.role) for gap in result.unfilled] == [(day(0), "driver:truck"), (day(1), "driver:truck")]
    assert {gap.reason for gap in result.unfilled} == {"nobody in the crew holds licence C"}


# --- a vehicle keeps its driver: over each leg, over the season, rarest licences first ---

def _with_legs(crew: list[CrewMember], days: list[tuple[DayKind, str]], legs: list[tuple[int, str, str]],
               roles: tuple[str, ...] = ("actor",), kind: VehicleKind = VehicleKind.TRUCK) -> tuple[Tour, Plan]:
    """A truck (licence C; or a van, B) moving gear on each (first day, from, to) leg, and
    a nightliner (licence D) that carries no gear, so has no driver place in the rota."""
    from dataclasses import replace as swap

    from touring.model import LoadLine, Vehicle, VehicleLoad

    truck = Vehicle("truck", "Truck", kind, 3, HOME, volume_m3=20, payload_kg=3000)
    nightliner = Vehicle("nightliner", "Nightliner", VehicleKind.NIGHTLINER, 12, HOME, volume_m3=4, payload_kg=1500)
    tour = swap(make_tour(crew, roles=roles), vehicles=(truck, nightliner))
    loads = tuple(VehicleLoad(k, day(n), origin, to, "truck", (LoadLine("pa", "PA", 1, 1.0, 50.0),), 1.0, 50.0, 20.0,
                              3000.0) for k, (n, origin, to) in enumerate(legs))
    return tour, swap(make_plan_of(days), loads=loads)


def _driver(name: str, *licences: str, away: tuple[int, ...] = ()) -> CrewMember:
    return replace(person(name, "driver", away=away), licences=frozenset(licences))


# Four show days, the truck loaded after each show and unloaded by the next call:
# driver places on days 0 to 3, one leg (load-out, arrival) on days (0, 1), (1, 2), (2, 3).
FOUR_NIGHTS = [(SHOW, "ab-brussels"), (SHOW, "forest"), (SHOW, "ab-brussels"), (SHOW, "forest")]
FOUR_LEGS = [(1, "ab-brussels", "forest"), (2, "forest", "ab-brussels"), (3, "ab-brussels", "forest")]


def truck_drivers(result: CrewResult) -> list[str | None]:
    return [dict(s.drivers).get("truck") for s in sorted(result.shifts, key=lambda s: s.day)]


def test_one_driver_keeps_the_truck_on_consecutive_gear_days():
    # Two drivers alike: spreading the work inside the role "driver:truck" would share the
    # four days out; the truck keeps whichever of them takes it first.
    tour, plan = _with_legs([person("ann", "actor"), _driver("tom", "C"), _driver("tim", "C")], FOUR_NIGHTS,
                            FOUR_LEGS)
    result = solve(tour, plan, FAST)
    assert result.status == "optimal" and result.unfilled == ()
    assert len(set(truck_drivers(result))) == 1 and None not in truck_drivers(result)


def test_the_driver_whose_licence_covers_fewer_idle_vehicles_takes_the_truck():
    # Uwe's D is the only one for the nightliner, which has no place in the rota: Kevin
    # (C only) drives the truck, whoever is listed first.
    uwe, kevin = _driver("uwe", "C", "D"), _driver("kevin", "C")
    for drivers in ([uwe, kevin], [kevin, uwe]):
        tour, plan = _with_legs([person("ann", "actor"), *drivers], FOUR_NIGHTS, FOUR_LEGS)
        assert truck_drivers(solve(tour, plan, FAST)) == ["kevin"] * 4


def test_a_performer_drives_only_when_nobody_else_can_even_the_nightliners_driver():
    # A van (licence B) moves the gear; Tom (B and D) is the nightliner's only driver.
    # Ann plays every night: Tom drives the van rather than have her at the wheel all day.
    ann = replace(person("ann", "actor"), licences=frozenset({"B"}))
    tom = replace(person("tom", "technician"), licences=frozenset({"B", "D"}))
    tour, plan = _with_legs([ann, tom], FOUR_NIGHTS, FOUR_LEGS, ("actor", "technician"), VehicleKind.VAN)
    assert truck_drivers(solve(tour, plan, FAST)) == ["tom"] * 4


def test_a_performer_off_stage_drives_to_keep_the_nightliners_driver_free():
    # Bob plays every night, Ann never does: she drives the van and Tom, whose D is the
    # nightliner's only one, is left to the transport runs.
    ann = replace(person("ann", "actor"), licences=frozenset({"B"}))
    bob = person("bob", "actor")
    tom = replace(person("tom", "technician"), licences=frozenset({"B", "D"}))
    tour, plan = _with_legs([ann, bob, tom], FOUR_NIGHTS, FOUR_LEGS, ("actor", "technician"), VehicleKind.VAN)
    result = solve(tour, plan, FAST)
    assert truck_drivers(result) == ["ann"] * 4
    assert all(("actor", "bob") in s.roles for s in result.shifts)


# The drive from home arrives on day 0, the truck is loaded on day 1 (the second AB show)
# and unloaded at Forest on day 2, loaded again on day 3 for the drive home: one leg (1, 2).
SPLIT_NIGHTS = [(SHOW, "ab-brussels"), (SHOW, "ab-brussels"), (SHOW, "forest"), (SHOW, "forest")]
SPLIT_LEGS = [(0, HOME_ID, "ab-brussels"), (2, "ab-brussels", "forest"), (4, "forest", HOME_ID)]


def test_the_preferred_driver_away_one_day_is_replaced_that_day_only():
    crew = [person("ann", "actor"), _driver("uwe", "C", "D"), _driver("kevin", "C", away=(0,))]
    tour, plan = _with_legs(crew, SPLIT_NIGHTS, SPLIT_LEGS)
    assert truck_drivers(solve(tour, plan, FAST)) == ["uwe", "kevin", "kevin", "kevin"]


def test_a_leg_stays_in_one_drivers_hands_the_replacement_takes_both_its_days():
    # Kevin is away on day 2, when the truck loaded on day 1 arrives: Uwe loads it on day 1
    # and drives it on; Kevin keeps the other days.
    crew = [person("ann", "actor"), _driver("uwe", "C", "D"), _driver("kevin", "C", away=(2,))]
    tour, plan = _with_legs(crew, SPLIT_NIGHTS, SPLIT_LEGS)
    assert truck_drivers(solve(tour, plan, FAST)) == ["kevin", "uwe", "uwe", "kevin"]
    # On consecutive legs, each day both an arrival and a load-out, the whole run is one
    # leg after the other: Uwe takes them all.
    tour, plan = _with_legs(crew, FOUR_NIGHTS, FOUR_LEGS)
    assert truck_drivers(solve(tour, plan, FAST)) == ["uwe"] * 4


def test_a_leg_changes_hands_rather_than_leave_a_driver_place_unfilled():
    # Uwe is away on day 1, Kevin on day 2: the leg (1, 2) can only change hands.
    crew = [person("ann", "actor"), _driver("uwe", "C", "D", away=(1,)), _driver("kevin", "C", away=(2,))]
    tour, plan = _with_legs(crew, FOUR_NIGHTS, FOUR_LEGS)
    result = solve(tour, plan, FAST)
    assert result.unfilled == ()
    assert truck_drivers(result)[1:3] == ["kevin", "uwe"]


# --- solving in stages: unfilled places, then the busiest person, then each role's ---

def test_a_small_rota_is_proved_optimal_stage_by_stage_and_the_same_twice():
    # Two technicians for three technician places a day, and the set-up at 09:00 follows
    # the 23:00 curfew of day 1 too closely for one person to work both; three actors for
    # one place a night: every stage has something to decide and to prove.
    crew = [person("tom"), person("tim"), person("ann", "actor"), person("bob", "actor"), person("eve", "actor")]
    tour = make_tour(crew, roles=("actor", "technician", "technician", "technician"), forest_setup=1)
    days = [(SHOW, "ab-brussels")] * 2 + [(SETUP, "forest"), (SHOW, "forest")]
    first, second = rota(tour, days), rota(tour, days)
    assert (first.status, first.gap, first.bound) == ("optimal", 0.0, first.objective)
    assert len(first.unfilled) == 1 + 4 + 1 and first.most_shifts == 3
    assert dict(first.shifts_worked) == {"tom": 3, "tim": 3, "ann": 1, "bob": 1, "eve": 1}
    # S = 4 shifts, R = 2 roles: 45 per unfilled place, 9 per shift of the busiest, 1 per role.
    assert first.objective == 45 * 6 + 9 * 3 + (3 + 1)
    assert first.shifts == second.shifts and first.unfilled == second.unfilled


def test_stages_are_lexicographic_an_earlier_stage_is_kept_whatever_the_later_would_gain():
    from ortools.sat.python import cp_model

    from solvers.cpsat import CpSatParams, Stage, solve_in_stages

    def staged(order: list[str]):
        model = cp_model.CpModel()
        a, b = model.new_int_var(0, 5, "a"), model.new_int_var(0, 5, "b")
        model.add(a + b >= 4)
        model.add(b <= 3)
        stages = {"a": Stage("a", a, 10), "b": Stage("b", b, 1)}
        result = solve_in_stages(model, [stages[name] for name in order], CpSatParams(time_limit_s=5))
        return result, result.solver.value(a), result.solver.value(b)

    result, a, b = staged(["a", "b"])
    assert (a, b) == (1, 3)  # a first: b cannot drop below 3 without raising a
    assert (result.status, result.objective, result.bound, result.gap) == ("optimal", 13.0, 13.0, 0.0)
    assert [(name, status, value) for name, status, value, _ in result.stages] == [
        ("a", "optimal", 1.0), ("b", "optimal", 3.0)]
    _, a, b = staged(["b", "a"])
    assert (a, b) == (4, 0)


def test_an_infeasible_first_stage_gives_no_solver():
    from ortools.sat.python import cp_model

    from solvers.cpsat import CpSatParams, Stage, solve_in_stages

    model = cp_model.CpModel()
    a = model.new_int_var(0, 5, "a")
    model.add(a >= 6)
    result = solve_in_stages(model, [Stage("a", a, 1)], CpSatParams(time_limit_s=5))
    assert (result.status, result.solver, result.objective) == ("infeasible", None, None)
