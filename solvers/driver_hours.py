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
    """A driver's driving on one day in fleet vehicles: seconds driven, first departure
    and last arrival (local date-times)."""

    day: date
    driving_s: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class DutyLimits:
    """What a driver may do on a day given their past duties (:func:`duty_limits`)."""

    max_driving_s: int | None  # None: no limit
    rested_at: datetime | None  # no run before this; None: free
    max_span_s: int | None  # longest run from leaving to parking; None: no limit


HOUR_S = 3600
EU_DAILY_S, EU_EXTENDED_S, EU_EXTENSIONS_PER_WEEK = 9 * HOUR_S, 10 * HOUR_S, 2
EU_WEEK_S, EU_FORTNIGHT_S, EU_DAILY_REST_S = 56 * HOUR_S, 90 * HOUR_S, 11 * HOUR_S
EU_REDUCED_REST_S, EU_REDUCTIONS_PER_WEEK = 9 * HOUR_S, 3
"""EU 561/2006: 9 h driving a day, 10 h at most twice per ISO week (art. 6.1), 56 h a
week (6.2), 90 h in two consecutive weeks (6.3), 11 h of daily rest (8.2), reduced to
9 h at most three times between two weekly rests (8.4; taken here as per ISO week)."""
US_DAILY_S, US_WINDOW_S, US_OFF_DUTY_S = 11 * HOUR_S, 14 * HOUR_S, 10 * HOUR_S
"""FMCSA 395.3 (property-carrying): 11 h driving within a 14 h window after 10 h off duty."""


def duty_limits(hours: DriverHours, past: Sequence[Duty], day: date) -> DutyLimits:
    """The driving limit, end of rest and longest run for a driver on ``day``.

    Parameters
    ----------
    hours : DriverHours
        The tour's regime.
    past : sequence of Duty
        The driver's earlier days in fleet vehicles (days before ``day`` count).
    day : date

    Returns
    -------
    DutyLimits
        ``eu``: 10 h when fewer than two days of this ISO week (Monday to Sunday) went
        over 9 h, else 9 h, never more than what is left of 56 h this week and of 90 h
        over this and last week; rest 11 h after the last run ends, or 9 h when fewer
        than three rests of this ISO week were reduced so. ``us``: 11 h within
        a 14 h run, 10 h off duty after the last. ``none``: no limit.
    """
    before = [p for p in past if p.day < day]
    last = max((p.end for p in before), default=None)
    if hours is DriverHours.EU:
        year, week, _ = day.isocalendar()
        monday = day - timedelta(days=day.weekday())
        this_week = [p for p in before if p.day.isocalendar()[:2] == (year, week)]
        last_week = [p for p in before if monday - timedelta(days=7) <= p.day < monday]
        extended = sum(p.driving_s > EU_DAILY_S for p in this_week)
        ordered = sorted(before, key=lambda p: p.start)
        reduced = sum(b.start - a.end < timedelta(seconds=EU_DAILY_REST_S)
                      for a, b in zip(ordered, ordered[1:]) if b.day.isocalendar()[:2] == (year, week))
        rest = EU_REDUCED_REST_S if reduced < EU_REDUCTIONS_PER_WEEK else EU_DAILY_REST_S
        daily = EU_EXTENDED_S if extended < EU_EXTENSIONS_PER_WEEK else EU_DAILY_S
        week_s = sum(p.driving_s for p in this_week)
        left = min(daily, EU_WEEK_S - week_s, EU_FORTNIGHT_S - week_s - sum(p.driving_s for p in last_week))
        return DutyLimits(max(0, left), last + timedelta(seconds=rest) if last else None, None)
    if hours is DriverHours.US:
        return DutyLimits(US_DAILY_S, last + timedelta(seconds=US_OFF_DUTY_S) if last else None, US_WINDOW_S)
    return DutyLimits(None, None, None)


def drive_days(hours: DriverHours, past: Sequence[Duty], start: datetime, driving_s: int,
               rule: vrp.BreakRule | None) -> tuple[datetime, list[tuple[datetime, int]], list[Duty]]:
    """Drive ``driving_s`` seconds from ``start`` within a driver's limits, over as many days
    as it takes.

    Each day the driver drives up to what :func:`duty_limits` leaves them (given ``past``
    and the days already driven), with a break of ``rule.break_duration`` after every
    ``rule.max_driving``; then rests until the regime allows the next run (11 h, or 9 h
    reduced, in the EU; 10 h off duty in the US) and goes on.

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
        earlier = [replace(p, day=min(p.day, now.date() - timedelta(days=1))) for p in past]
        limits = duty_limits(hours, earlier, now.date())
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
