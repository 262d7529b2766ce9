"""Driver-hour rules across days: what a driver may still drive, and when (EU, US).

The rules of ``rules.driver_hours`` that span more than one run: the breaks within a
run are the routing core's (:class:`solvers.vrp.BreakRule`, from :func:`hours_rule`),
the limits across days come from a driver's earlier runs (:class:`Duty`) through
:func:`duty_limits`, and a drive longer than a day is cut into days by
:func:`drive_days`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Sequence

from solvers import vrp
from touring.model import DriverHours, Tour

TRAVEL_DAY_START = time(8, 0)
"""On a travel day nobody is picked up before 08:00."""


def hours_rule(tour: Tour) -> tuple[int | None, vrp.BreakRule | None]:
    """Daily driving limit and break rule in seconds for ``rules.driver_hours`` (own cars;
    fleet vehicles get their driver's :func:`duty_limits`)."""
    hours = tour.rules.driver_hours
    if hours is DriverHours.EU:
        return EU_DAILY_S, vrp.BreakRule(270 * 60, 45 * 60)
    if hours is DriverHours.US:
        return US_DAILY_S, vrp.BreakRule(8 * 3600, 30 * 60)
    return None, None


@dataclass(frozen=True)
class Duty:
    """A driver's driving on one day: seconds driven, first departure and last arrival
    (local date-times); ``own_car`` for driving their own car (private driving: it counts
    towards a fleet driver's driving time, not towards their duty periods and rests)."""

    day: date
    driving_s: int
    start: datetime
    end: datetime
    own_car: bool = False


@dataclass(frozen=True)
class DutyLimits:
    """What a driver may do on a day given their past duties (:func:`duty_limits`)."""

    max_driving_s: int | None  # None: no limit
    rested_at: datetime | None  # no run before this; None: free
    max_span_s: int | None  # longest run from leaving to parking; None: no limit
    drive_until: datetime | None = None  # parked by then (a weekly rest is due); None: free
    why: str = ""  # the rule behind ``rested_at`` when it is not the daily rest


HOUR_S = 3600
EU_DAILY_S, EU_EXTENDED_S, EU_EXTENSIONS_PER_WEEK = 9 * HOUR_S, 10 * HOUR_S, 2
EU_WEEK_S, EU_FORTNIGHT_S, EU_DAILY_REST_S = 56 * HOUR_S, 90 * HOUR_S, 11 * HOUR_S
EU_REDUCED_REST_S, EU_REDUCTIONS_PER_WEEK = 9 * HOUR_S, 3
"""EU 561/2006: 9 h driving a day, 10 h at most twice per ISO week (art. 6.1), 56 h a
week (6.2), 90 h in two consecutive weeks (6.3), 11 h of daily rest (8.2), reduced to
9 h at most three times between two weekly rests (8.4)."""
EU_WEEKLY_REST_S, EU_WEEKLY_REST_DUE_S = 45 * HOUR_S, 6 * 24 * HOUR_S
"""EU 561/2006 art. 8(6): a weekly rest starts at the latest at the end of six 24 h
periods from the end of the last one. Only the regular weekly rest of 45 h is modelled
(the reduced 24 h rest, with its alternation and compensation, is not): stricter than
the regulation, never looser."""
US_DAILY_S, US_WINDOW_S, US_OFF_DUTY_S = 11 * HOUR_S, 14 * HOUR_S, 10 * HOUR_S
"""FMCSA 395.3 (property-carrying): 11 h driving within a 14 h window after 10 h off duty."""
US_CYCLE_S, US_CYCLE_DAYS, US_RESTART_S = 70 * HOUR_S, 8, 34 * HOUR_S
"""FMCSA 395.3(b): no driving after 70 h on duty in 8 consecutive days (the rule for a
carrier operating every day of the week, as a touring production does), reset by 34
consecutive hours off duty (395.3(c))."""


def _stamp(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def _last_weekly_rest(fleet: Sequence[Duty]) -> datetime | None:
    """When the driver's last weekly rest on record ended: the start of their first run
    after a gap of at least :data:`EU_WEEKLY_REST_S`, else of their first run on record
    (the driver is taken to come to the tour rested); None without runs."""
    ordered = sorted(fleet, key=lambda p: p.start)
    rested = ordered[0].start if ordered else None
    for a, b in zip(ordered, ordered[1:]):
        if b.start - a.end >= timedelta(seconds=EU_WEEKLY_REST_S):
            rested = b.start
    return rested


def _us_on_duty(fleet: Sequence[Duty], cars: Sequence[Duty], day: date, earliest: datetime) -> int:
    """Seconds on duty in the 8-day cycle ending on ``day`` (the 7 days before it), since the
    last 34 h off duty: a fleet run's span, own-car driving as its driving time."""
    since = day - timedelta(days=US_CYCLE_DAYS - 1)
    ordered = sorted(fleet, key=lambda p: p.start)
    restart = None
    for a, b in zip(ordered, ordered[1:]):
        if b.start - a.end >= timedelta(seconds=US_RESTART_S):
            restart = b.start
    if ordered and earliest - ordered[-1].end >= timedelta(seconds=US_RESTART_S):
        return 0

    def counts(p: Duty) -> bool:
        return p.day >= since and (restart is None or p.start >= restart)

    return sum(int((p.end - p.start).total_seconds()) for p in ordered if counts(p)) + \
        sum(p.driving_s for p in cars if counts(p))


def duty_limits(hours: DriverHours, past: Sequence[Duty], day: date, at: datetime | None = None) -> DutyLimits:
    """The driving limit, end of rest and longest run for a driver on ``day``.

    Parameters
    ----------
    hours : DriverHours
        The tour's regime.
    past : sequence of Duty
        The driver's earlier driving: fleet runs of the days before ``day`` count, own-car
        driving (``Duty.own_car``) of those days and of ``day`` itself too.
    day : date
    at : datetime, optional
        The earliest moment of interest on ``day`` (default: its midnight), for the rules
        that fall due at a moment rather than on a date (the EU weekly rest, the US restart).

    Returns
    -------
    DutyLimits
        ``eu``: 10 h when fewer than two days of this ISO week (Monday to Sunday) went
        over 9 h, else 9 h, never more than what is left of 56 h this week and of 90 h
        over this and last week, less the driver's own-car driving today; rest 11 h after
        the last run ends, or 9 h when fewer than three rests since the last weekly
        rest were reduced so; a weekly rest of 45 h after the last run when six 24 h
        periods have passed since the last weekly rest by the time the daily rest ends,
        else parked by the end of the sixth (``drive_until``). A gap of 45 h between
        runs is a weekly rest; the driver's first run on record is taken to follow one. The art. 8(6) derogation (12 days
        for international occasional coach services) is not used. ``us``: 11 h
        (less own-car driving today) within a 14 h run, 10 h off duty after the last,
        the run no longer than what is left of 70 h on duty in 8 days, or a 34 h restart
        after the last run when nothing is left. ``none``: no limit.
    """
    at = at or datetime.combine(day, time())
    before = [p for p in past if p.day < day]
    fleet = [p for p in before if not p.own_car]
    cars = [p for p in past if p.own_car and p.day <= day]
    car_today = sum(p.driving_s for p in cars if p.day == day)
    last = max((p.end for p in fleet), default=None)
    if hours is DriverHours.EU:
        year, week, _ = day.isocalendar()
        monday = day - timedelta(days=day.weekday())
        this_week = [p for p in before if p.day.isocalendar()[:2] == (year, week)]
        last_week = [p for p in before if monday - timedelta(days=7) <= p.day < monday]
        by_car = {p.day: 0 for p in cars}
        for p in cars:
            by_car[p.day] += p.driving_s
        # A day on which own-car and fleet driving together went over 9 h used an extension.
        extended = sum(p.driving_s + by_car.get(p.day, 0) > EU_DAILY_S for p in this_week if not p.own_car) + \
            sum(s > EU_DAILY_S for d, s in by_car.items() if d.isocalendar()[:2] == (year, week) and d < day
                and not any(p.day == d for p in fleet))
        ordered = sorted(fleet, key=lambda p: p.start)
        rested = _last_weekly_rest(fleet)
        # Reduced daily rests are counted between two weekly rests (art. 8(4)).
        reduced = sum(b.start - a.end < timedelta(seconds=EU_DAILY_REST_S)
                      for a, b in zip(ordered, ordered[1:]) if b.start >= rested)
        rest = EU_REDUCED_REST_S if reduced < EU_REDUCTIONS_PER_WEEK else EU_DAILY_REST_S
        daily = EU_EXTENDED_S if extended < EU_EXTENSIONS_PER_WEEK else EU_DAILY_S
        week_s = sum(p.driving_s for p in this_week) + car_today
        left = min(daily - car_today, EU_WEEK_S - week_s,
                   EU_FORTNIGHT_S - week_s - sum(p.driving_s for p in last_week))
        rested_at = last + timedelta(seconds=rest) if last else None
        earliest = max(at, rested_at or at)
        if last is None or earliest - last >= timedelta(seconds=EU_WEEKLY_REST_S):
            return DutyLimits(max(0, left), rested_at, None)  # the rest before this run is a weekly one
        due = rested + timedelta(seconds=EU_WEEKLY_REST_DUE_S)
        if earliest >= due:
            weekly = last + timedelta(seconds=EU_WEEKLY_REST_S)
            why = (f"has driven six 24 h periods since the last weekly rest (ended {_stamp(rested)}): "
                   f"rests 45 h until {_stamp(weekly)}")
            return DutyLimits(max(0, left), weekly, None, why=why)
        return DutyLimits(max(0, left), rested_at, None, due)
    if hours is DriverHours.US:
        rested_at = last + timedelta(seconds=US_OFF_DUTY_S) if last else None
        left = US_CYCLE_S - _us_on_duty(fleet, cars, day, max(at, rested_at or at))
        if left <= 0:
            restart = max(p.end for p in fleet + cars) + timedelta(seconds=US_RESTART_S)
            why = f"has been on duty 70 h in 8 days: 34 h restart until {_stamp(restart)}"
            return DutyLimits(max(0, US_DAILY_S - car_today), restart, US_WINDOW_S, why=why)
        return DutyLimits(max(0, US_DAILY_S - car_today), rested_at, min(US_WINDOW_S, left))
    return DutyLimits(None, None, None)


def drive_days(hours: DriverHours, past: Sequence[Duty], start: datetime, driving_s: int,
               rule: vrp.BreakRule | None) -> tuple[datetime, list[tuple[datetime, int]], list[Duty]]:
    """Drive ``driving_s`` seconds from ``start`` within a driver's limits, over as many days
    as it takes.

    Each day the driver drives up to what :func:`duty_limits` leaves them (given ``past``
    and the days already driven), with a break of ``rule.break_duration`` after every
    ``rule.max_driving``; then rests until the regime allows the next run (11 h, or 9 h
    reduced, in the EU; 10 h off duty in the US) and goes on. A weekly rest falls due on
    the way as :func:`duty_limits` has it: in the EU the driver stops at the end of the
    sixth 24 h period since their last weekly rest and rests 45 h; in the US, with 70 h on
    duty in 8 days, they rest 34 h.

    Returns
    -------
    tuple
        The arrival, the breaks and rests taken as (start, minutes), and one
        :class:`Duty` per stretch driven.
    """
    now, left, breaks, stretches = start, driving_s, [], []
    past = list(past)
    while left > 0:
        # A daily driving period runs from one daily rest to the next, not by the calendar:
        # a stretch earlier on this date (begun after a curfew) is an earlier period.
        # Own-car driving of this date stays on it: no daily rest came in between.
        earlier = [p if p.own_car else replace(p, day=min(p.day, now.date() - timedelta(days=1))) for p in past]
        limits = duty_limits(hours, earlier, now.date(), now)
        if limits.rested_at is not None and limits.rested_at > now:
            breaks.append((now, int((limits.rested_at - now).total_seconds()) // 60))
            now = limits.rested_at
        cap = left if limits.max_driving_s is None else limits.max_driving_s
        if cap <= 0:  # nothing left this week: on after the next day's rest
            morning = datetime.combine(now.date() + timedelta(days=1), TRAVEL_DAY_START)
            breaks.append((now, int((morning - now).total_seconds()) // 60))
            now = morning
            continue
        began, today, since = now, 0, 0
        while left > 0 and today < cap:
            chunk = min(left, cap - today, rule.max_driving - since if rule else left)
            if limits.max_span_s is not None:
                chunk = min(chunk, limits.max_span_s - int((now - began).total_seconds()))
            if limits.drive_until is not None:
                chunk = min(chunk, int((limits.drive_until - now).total_seconds()))
            if chunk <= 0:
                break
            now += timedelta(seconds=chunk)
            left, today, since = left - chunk, today + chunk, since + chunk
            if rule is not None and since >= rule.max_driving and left > 0 and today < cap:
                breaks.append((now, rule.break_duration // 60))
                now += timedelta(seconds=rule.break_duration)
                since = 0
        stretch = Duty(began.date(), today, began, now)
        stretches.append(stretch)
        past.append(stretch)
    return now, breaks, stretches


MULTI_MANNING_REST_S = 9 * HOUR_S
MULTI_MANNING_PERIOD_S = 30 * HOUR_S
"""EU 561/2006 art. 8(5): on a vehicle manned by two drivers each takes a daily rest of at
least 9 h within 30 h of the end of their last one; art. 7: a break may be taken aboard
while the other drives."""


def drive_two(hours: DriverHours, pasts: tuple[Sequence[Duty], Sequence[Duty]], start: datetime, driving_s: int,
              rule: vrp.BreakRule | None) -> tuple[datetime, list[tuple[datetime, int]], tuple[list[Duty], list[Duty]]]:
    """Drive ``driving_s`` seconds from ``start`` with two drivers taking turns (multi-manning).

    A turn lasts at most ``rule.max_driving`` and what its driver has left of the day
    (:func:`duty_limits`); the one off the wheel takes their break aboard, so the vehicle
    stops only when a driver would take the wheel again before their break is over, or
    when only one of them may still drive. A driving period ends when neither may
    drive, or (``eu``) 21 h after it began so that the 9 h rest ends within 30 h
    (``us``: the 14 h window); then the vehicle stands for the daily rest (9 h in the
    EU, art. 8(5); 10 h off duty in the US). Past duties count as in :func:`drive_days`.
    Under ``none`` one driver drives it all.

    Returns
    -------
    tuple
        The arrival, the vehicle's stops (breaks and rests) as (start, minutes), and
        each driver's :class:`Duty` stretches.
    """
    if hours is DriverHours.NONE:
        arrival, breaks, stretches = drive_days(hours, pasts[0], start, driving_s, rule)
        return arrival, breaks, (stretches, [])
    eu = hours is DriverHours.EU
    rest = timedelta(seconds=MULTI_MANNING_REST_S if eu else US_OFF_DUTY_S)
    window = MULTI_MANNING_PERIOD_S - MULTI_MANNING_REST_S if eu else US_WINDOW_S
    history = [list(pasts[0]), list(pasts[1])]
    mine: tuple[list[Duty], list[Duty]] = ([], [])
    now, left, breaks = start, driving_s, []
    ready = None  # end of the rest between two periods of this drive
    while left > 0:
        limits = [duty_limits(hours, [replace(p, day=min(p.day, now.date() - timedelta(days=1))) for p in h],
                              now.date()) for h in history]
        if ready is None:  # the first period: after each driver's own rest
            ready = max((x.rested_at for x in limits if x.rested_at is not None), default=now)
        if ready > now:
            breaks.append((now, int((ready - now).total_seconds()) // 60))
            now = ready
        caps = [left if x.max_driving_s is None else x.max_driving_s for x in limits]
        if max(caps) <= 0:  # neither has anything left this week: on after the next day's rest
            morning = datetime.combine(now.date() + timedelta(days=1), TRAVEL_DAY_START)
            breaks.append((now, int((morning - now).total_seconds()) // 60))
            now, ready = morning, morning
            continue
        began, driven, since = now, [0, 0], [0, 0]
        off_since = [now, now]
        turn = 0 if caps[0] >= caps[1] else 1
        while left > 0:
            elapsed = int((now - began).total_seconds())
            room = [caps[i] - driven[i] for i in (0, 1)]
            if room[turn] <= 0:
                turn = 1 - turn
            if room[turn] <= 0 or elapsed >= window:
                break
            if rule is not None and since[turn] >= rule.max_driving:
                # Back at the wheel before their break is over: the vehicle waits for it.
                wait = rule.break_duration - int((now - off_since[turn]).total_seconds())
                if wait > 0:
                    breaks.append((now, wait // 60))
                    now += timedelta(seconds=wait)
                since[turn] = 0
                continue
            chunk = min(left, room[turn], window - elapsed,
                        rule.max_driving - since[turn] if rule is not None else left)
            now += timedelta(seconds=chunk)
            left, driven[turn], since[turn] = left - chunk, driven[turn] + chunk, since[turn] + chunk
            off_since[turn] = now
            other = 1 - turn
            if rule is not None and int((now - off_since[other]).total_seconds()) >= rule.break_duration:
                since[other] = 0  # their turn off was a full break
            if room[other] > 0:
                turn = other
        for i in (0, 1):
            if driven[i]:
                stretch = Duty(began.date(), driven[i], began, now)
                mine[i].append(stretch)
                history[i].append(stretch)
        ready = now + rest
    return now, breaks, mine
