"""Driver-hour rules across the week (solvers.driver_hours): the EU weekly rest, the US
70 h in 8 days with its 34 h restart, and own-car driving counted towards a fleet
driver's driving time. Pure unit tests on ``duty_limits`` and ``drive_days`` (each rule
exactly at its limit and one minute over), then real routing solves on tiny tours.

The week starts on Monday 2026-03-09.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta

from solvers import vrp
from solvers.driver_hours import Duty, drive_days, duty_limits
from solvers.transport import TransportParams, solve
from touring.model import (
    HOME_ID, CrewMember, DateRange, DayKind, DriverHours, Night, Place, Plan, PlanDay, Rules, Show, SolverReport,
    Stay, StayKind, Tour, Vehicle, VehicleKind, Venue,
)

MON = date(2026, 3, 9)
H = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
EU_BREAKS = vrp.BreakRule(270 * 60, 45 * 60)


def at(day_offset: int, hour: float) -> datetime:
    return datetime.combine(MON, time()) + timedelta(days=day_offset, hours=hour)


def run(day_offset: int, driving_h: float, start_h: float = 8.0, end_h: float = 18.0, own_car: bool = False,
        ) -> Duty:
    return Duty(MON + timedelta(days=day_offset), round(driving_h * 3600), at(day_offset, start_h),
                at(day_offset, end_h), own_car)


# --- EU 561/2006 art. 8(6): a weekly rest after six 24 h periods ---

SIX_DAYS = [run(k, 8.0) for k in range(6)]  # Monday to Saturday, 08:00-18:00: due Sunday 08:00


def test_eu_weekly_rest_holds_until_the_end_of_the_sixth_24_hour_period():
    limits = duty_limits(DriverHours.EU, SIX_DAYS, MON + timedelta(days=6))
    assert limits.rested_at == at(5, 18 + 9)  # Sunday 03:00, a reduced daily rest
    assert limits.drive_until == at(6, 8)  # six 24 h periods after Monday 08:00
    assert limits.max_driving_s == 8 * 3600 and limits.why == ""  # 56 - 48 h
    assert duty_limits(DriverHours.EU, SIX_DAYS, MON + timedelta(days=6), at(6, 8) - MINUTE).drive_until == at(6, 8)


def test_eu_weekly_rest_binds_once_the_sixth_24_hour_period_is_over():
    limits = duty_limits(DriverHours.EU, SIX_DAYS, MON + timedelta(days=6), at(6, 8))
    assert limits.rested_at == at(5, 18 + 45) and limits.drive_until is None  # 45 h from Saturday 18:00
    assert limits.why == ("has driven six 24 h periods since the last weekly rest (ended 2026-03-09 08:00): "
                          "rests 45 h until 2026-03-16 15:00")
    # The daily rest ending after the sixth period makes it due from midnight on.
    late = SIX_DAYS[:5] + [run(5, 8.0, end_h=23.5)]  # 9 h reduced rest: Sunday 08:30
    assert duty_limits(DriverHours.EU, late, MON + timedelta(days=6)).rested_at == at(5, 23.5 + 45)


def test_a_gap_of_45_hours_is_a_weekly_rest_and_one_of_44_h_59_is_not():
    rested = [run(0, 8.0), run(2, 8.0, start_h=15.0, end_h=20.0)]  # Monday 18:00 to Wednesday 15:00: 45 h
    assert duty_limits(DriverHours.EU, rested, MON + timedelta(days=3)).drive_until == at(2 + 6, 15)
    short = [run(0, 8.0), replace(rested[1], start=rested[1].start - MINUTE)]
    assert duty_limits(DriverHours.EU, short, MON + timedelta(days=3)).drive_until == at(6, 8)
    # 45 h off since the last run: the rest is taken, nothing is due.
    assert duty_limits(DriverHours.EU, SIX_DAYS, MON + timedelta(days=7), at(5, 18 + 45)).drive_until is None
    assert duty_limits(DriverHours.EU, SIX_DAYS, MON + timedelta(days=7), at(5, 18 + 45) - MINUTE).rested_at == \
        at(5, 18 + 45)


def test_reduced_daily_rests_count_from_the_last_weekly_rest_not_the_calendar_week():
    # Thursday to Sunday, 08:00-22:30: three rests of 9 h 30 before Monday's run.
    nights = [run(k, 8.0, 8.0, 22.5) for k in range(-4, 0)]
    assert duty_limits(DriverHours.EU, nights, MON).rested_at == at(-1, 22.5 + 11)  # a fourth: 11 h, a new week or not
    rested = [run(-6, 8.0, 8.0, 22.5)] + nights[1:]  # 57 h 30 off before Friday: two reduced since
    assert duty_limits(DriverHours.EU, rested, MON).rested_at == at(-1, 22.5 + 9)


def test_drive_days_stops_for_the_weekly_rest_when_it_falls_due_on_the_way():
    past = [run(k, 8.0) for k in range(5)]  # Monday to Friday: due Sunday 08:00
    arrival, breaks, stretches = drive_days(DriverHours.EU, past, at(5, 8), 20 * 3600, EU_BREAKS)
    (weekly,) = [(start, minutes) for start, minutes in breaks if minutes >= 24 * 60]
    assert weekly == (at(6, 8), 45 * 60)  # stops at the end of the sixth period and rests 45 h
    assert all(s.end <= at(6, 8) or s.start >= at(6, 8 + 45) for s in stretches)
    assert sum(s.driving_s for s in stretches) == 20 * 3600 and arrival > at(6, 8 + 45)
    # Without the history the same drive needs no weekly rest.
    _, fresh, _ = drive_days(DriverHours.EU, (), at(5, 8), 20 * 3600, EU_BREAKS)
    assert all(minutes < 24 * 60 for _, minutes in fresh)


# --- FMCSA 395.3(b): 70 h on duty in 8 days, the 34 h restart ---

def span(day_offset: int, start_h: float, hours: float) -> Duty:
    return run(day_offset, min(hours, 8.0), start_h, start_h + hours)


def test_us_70_hours_in_8_days_holds_to_the_minute_and_then_binds():
    week = [span(k, 6.0, 10.0) for k in range(6)] + [span(6, 6.0, 10.0 - 1 / 60)]  # 69 h 59 on duty
    limits = duty_limits(DriverHours.US, week, MON + timedelta(days=7))
    assert limits.max_span_s == 60 and limits.rested_at == at(6, 16 - 1 / 60 + 10)
    full = [span(k, 6.0, 10.0) for k in range(7)]  # 70 h
    limits = duty_limits(DriverHours.US, full, MON + timedelta(days=7))
    assert limits.rested_at == at(6, 16 + 34) and limits.max_span_s == 14 * 3600
    assert limits.why == "has been on duty 70 h in 8 days: 34 h restart until 2026-03-17 02:00"
    # The next day Monday's 10 h leave the 8-day window.
    assert duty_limits(DriverHours.US, full, MON + timedelta(days=8)).max_span_s == 10 * 3600


def test_us_34_hours_off_restart_the_count_and_33_h_59_do_not():
    before = [span(k, 6.0, 10.0) for k in range(5)]  # 50 h, Friday ends 16:00
    restarted = before + [span(6, 2.0, 10.0)]  # Sunday 02:00: 34 h off
    assert duty_limits(DriverHours.US, restarted, MON + timedelta(days=7)).max_span_s == 14 * 3600  # 10 h counted
    not_quite = before + [replace(restarted[-1], start=restarted[-1].start - MINUTE)]
    assert duty_limits(DriverHours.US, not_quite, MON + timedelta(days=7)).max_span_s == 10 * 3600 - 60


def test_drive_days_takes_the_34_hour_restart_on_the_way():
    full = [span(k, 6.0, 10.0) for k in range(7)]
    _, breaks, stretches = drive_days(DriverHours.US, full, at(7, 6), 5 * 3600, vrp.BreakRule(8 * 3600, 30 * 60))
    assert stretches[0].start == at(6, 16 + 34) and breaks[0] == (at(7, 6), 20 * 60)


# --- own-car driving counts towards a fleet driver's driving time ---

def test_own_car_driving_today_comes_off_the_daily_limit():
    assert duty_limits(DriverHours.EU, [], MON).max_driving_s == 10 * 3600
    car = run(0, 3.0, 6.0, 9.0, own_car=True)
    limits = duty_limits(DriverHours.EU, [car], MON)
    assert limits.max_driving_s == 7 * 3600 and limits.rested_at is None  # private driving sets no rest
    assert duty_limits(DriverHours.US, [car], MON).max_driving_s == 8 * 3600
    assert duty_limits(DriverHours.EU, [replace(car, driving_s=10 * 3600)], MON).max_driving_s == 0
    assert duty_limits(DriverHours.EU, [replace(car, driving_s=10 * 3600 - 60)], MON).max_driving_s == 60


def test_own_car_driving_counts_towards_the_week_and_the_extensions():
    week = [run(k, 9.0) for k in range(6)]  # 54 h by Saturday
    assert duty_limits(DriverHours.EU, week, MON + timedelta(days=6)).max_driving_s == 2 * 3600
    car = run(2, 1.0, 19.0, 20.0, own_car=True)
    assert duty_limits(DriverHours.EU, week + [car], MON + timedelta(days=6)).max_driving_s == 1 * 3600
    assert duty_limits(DriverHours.EU, week + [replace(car, driving_s=2 * 3600)],
                       MON + timedelta(days=6)).max_driving_s == 0
    # 8 h in the van and 1 h in the car is 9 h: no extension; 1 h 01 makes it one.
    days = [run(0, 8.0), run(1, 8.0)]
    cars = [run(k, 1.0, 19.0, 20.0, own_car=True) for k in range(2)]
    assert duty_limits(DriverHours.EU, days + cars, MON + timedelta(days=2)).max_driving_s == 10 * 3600
    over = [replace(c, driving_s=3600 + 60) for c in cars]
    assert duty_limits(DriverHours.EU, days + over, MON + timedelta(days=2)).max_driving_s == 9 * 3600


def test_drive_days_takes_the_own_car_driving_of_the_day_off_its_first_stretch():
    car = run(0, 3.0, 6.0, 9.0, own_car=True)
    _, _, stretches = drive_days(DriverHours.EU, [car], at(0, 10), 12 * 3600, EU_BREAKS)
    assert stretches[0].driving_s == 7 * 3600  # 10 h less her 3 h in the car
    _, _, fresh = drive_days(DriverHours.EU, [], at(0, 10), 12 * 3600, EU_BREAKS)
    assert fresh[0].driving_s == 10 * 3600


# --- through the routing: a real solve on tiny tours ---

SEASON = DateRange(date(2026, 3, 1), date(2026, 3, 31))
GENT = Place(HOME_ID, "Gent", 51.0543, 3.7174, "Europe/Brussels", "BE")
AB = Place("ab", "Ancienne Belgique", 50.8481, 4.3486, "Europe/Brussels", "BE")
PARIS = Place("zenith", "Zénith Paris", 48.8940, 2.3930, "Europe/Paris", "FR")
FAST = TransportParams(time_limit_s=5)
REPORT = SolverReport("cp-sat", "optimal", 0.0, 0.0, 0.0, 0.0, 1.0, 0, 1)


def member(crew_id: str, lat: float = 51.05, lon: float = 3.72, own_car: bool = False,
           licences: frozenset[str] = frozenset({"B"})) -> CrewMember:
    return CrewMember(crew_id, crew_id.title(), ("technician",),
                      Place(f"home:{crew_id}", crew_id, lat, lon, "Europe/Brussels", "BE"),
                      licences=licences, own_car=own_car)


def van() -> Vehicle:
    return Vehicle("v1", "v1", VehicleKind.VAN, 3, Place("depot:v1", "depot", 51.06, 3.73, "Europe/Brussels", "BE"),
                   volume_m3=8.0, payload_kg=1000.0, cost_per_km=0.3, cost_per_day=50.0)


def residency(days_on: list[int], hours: DriverHours = DriverHours.EU, monday: time = time(6, 0)
              ) -> tuple[Tour, Plan]:
    """Tom drives the van from Gent to the AB and back on the given days (offsets from
    Monday), sleeping at home; curfew 21:00, called at 10:00, on Monday at 06:00: his
    weekly count starts early on Monday, and the rest after Saturday ends after it."""
    early = Venue("ab-early", "AB", replace(AB, id="ab-early"), (SEASON,), load_in=monday, curfew=time(21, 0))
    venue = Venue("ab", "AB", AB, (SEASON,), load_in=time(10, 0), curfew=time(21, 0))
    tour = Tour("hours", SEASON, GENT, (early, venue),
                (Show("early", "ab-early"), Show("ab", "ab", nights=len(days_on) - 1)), crew=(member("tom"),),
                vehicles=(van(),), rules=Rules(driver_hours=hours))
    days = tuple(PlanDay(MON + timedelta(days=k), DayKind.SHOW, "ab-early" if k == 0 else "ab",
                         "early" if k == 0 else "ab") for k in days_on)
    nights = tuple(Night(MON + timedelta(days=k), HOME_ID, HOME_ID, (Stay("tom", StayKind.HOME),))
                   for k in range(-1, max(days_on) + 1))
    return tour, Plan("hours", SEASON, "EUR", VehicleKind.VAN, (), (), days, REPORT, accommodation=nights)


def test_six_days_in_a_row_hold_and_the_seventh_waits_for_the_weekly_rest_with_the_reason():
    six = solve(*residency(list(range(6))), FAST)
    assert six.unserved == () and len({r.day for r in six.runs}) == 6
    result = solve(*residency(list(range(7))), FAST)
    assert {r.day for r in result.runs} == {MON + timedelta(days=k) for k in range(6)}
    sunday = MON + timedelta(days=6)
    assert {(u.day, u.request_id) for u in result.unserved} == {(sunday, "crew:tom:out"), (sunday, "crew:tom:back")}
    out = next(u for u in result.unserved if u.request_id == "crew:tom:out")
    first = min(r.stops[0].departure for r in result.runs)
    saturday = max(r.stops[-1].arrival for r in result.runs)
    assert out.reason.startswith(f"rest: tom has driven six 24 h periods since the last weekly rest (ended "
                                 f"{first:%Y-%m-%d %H:%M}): rests 45 h until "
                                 f"{saturday + timedelta(hours=45):%Y-%m-%d %H:%M}")


def test_two_days_off_in_the_week_are_the_weekly_rest():
    result = solve(*residency([0, 1, 2, 5, 6, 7, 8]), FAST)  # Thursday and Friday off: over 45 h
    assert result.unserved == () and len({r.day for r in result.runs}) == 7


def test_us_a_sixth_long_day_has_only_what_is_left_of_70_hours_on_duty():
    five = solve(*residency(list(range(5)), DriverHours.US, monday=time(10, 0)), FAST)
    assert five.unserved == ()
    spans = [r.stops[-1].arrival - r.stops[0].departure for r in five.runs]
    assert len(spans) == 5 and H * 60 < sum(spans, timedelta()) <= H * 70  # about 12 h 40 a day
    six = solve(*residency(list(range(6)), DriverHours.US, monday=time(10, 0)), FAST)
    saturday = MON + timedelta(days=5)
    assert [u.day for u in six.unserved] == [saturday]  # there or back, not both
    assert sum((r.stops[-1].arrival - r.stops[0].departure for r in six.runs), timedelta()) <= H * 70


def paris_and_back(home_lat: float, home_lon: float) -> tuple[Tour, Plan]:
    """Ann drives her car to the van's depot, then the van with the backline to Paris and
    back (8 h 20 of driving at van pace, within the 10 h extended day); Cat has no
    licence. Both sleep at home."""
    from touring.model import Equipment

    venue = Venue("zenith", "Zénith Paris", PARIS, (SEASON,), load_in=time(14, 0), curfew=time(19, 0))
    crew = (member("ann", home_lat, home_lon, own_car=True), member("cat", lat=51.0, licences=frozenset()))
    tour = Tour("own car", SEASON, GENT, (venue,), (Show("zenith", "zenith"),), crew=crew, vehicles=(van(),),
                equipment=(Equipment("backline", "backline", 1, 2.0, 100.0),),
                rules=Rules(driver_hours=DriverHours.EU))
    day = MON + timedelta(days=1)
    nights = tuple(Night(d, HOME_ID, HOME_ID, (Stay("ann", StayKind.HOME), Stay("cat", StayKind.HOME)))
                   for d in (MON, day))
    plan = Plan("own car", SEASON, "EUR", VehicleKind.VAN, (), (), (PlanDay(day, DayKind.SHOW, "zenith", "zenith"),),
                REPORT, accommodation=nights)
    return tour, plan


def driving_of(result, crew_id: str) -> int:
    return sum(r.drive_minutes for r in result.runs if r.driver_id == crew_id)


def test_own_car_driving_to_the_van_comes_off_the_drivers_day():
    near = solve(*paris_and_back(51.5, 3.73), FAST)  # 47 min to the depot, 9 h 08 in the van after
    assert near.unserved == ()
    assert {r.vehicle_id for r in near.runs} == {"car:ann", "v1"}
    assert 9 * 60 < driving_of(near, "ann") <= 10 * 60  # her extended day, car included
    assert dict(near.driving_minutes)["ann"] == driving_of(near, "ann")  # the summary counts her car
    far = solve(*paris_and_back(51.55, 3.73), FAST)  # 53 min more in the car would make 10 h 06
    assert {u.subject for u in far.unserved} == {"ann", "cat", "backline"}
    assert driving_of(far, "ann") <= 10 * 60
