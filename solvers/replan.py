"""Recompute a plan after events (a cancellation, a sick crew member, ...), changing as little as possible.

The steps:

1. Apply the events to the tour (:func:`apply_events`): a cancelled show leaves it, a venue
   gets new windows, an added show joins it, a crew member's or vehicle's unavailability
   and a lost hotel narrow what the solvers may use.
2. Freeze the past: every show of the previous plan that starts before ``today`` keeps its
   date, and nothing new may be placed before ``today`` (venue windows are clipped).
3. Keep booked dates: every other show of the previous plan becomes a fixed date, unless
   the events leave that date impossible (then it is *forced* to move) or
   ``allow_moving`` is set. Should fixed dates make the tour infeasible (travel between a
   forced show and its neighbours), the solve is retried with moves allowed.
4. Solve with the previous start days as CP-SAT hints and :data:`MOVE_PENALTY` per show
   not kept on its day (a stability term that outweighs travel savings), then re-run the
   rest of :func:`touring.planning.make_plan` (hotels, rota, loading).

Known coarseness of this first slice: a vehicle out of service for any day from ``today``
on, and a hotel lost on any date, are left out of the whole replan rather than those days
only (the hotel and loading solvers have no per-day availability yet).
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Union

from solvers.schedule import ScheduleParams, _show_days
from touring.io import LoadedTour
from touring.model import DateRange, Plan, Show, Tour

MOVE_PENALTY = 5000.0
"""Per show of the previous plan not kept on its date, in the tour's currency: dearer than
the travel a move could usually save, so CP-SAT moves a show only when nothing else works."""


# --- events --------------------------------------------------------------------------

@dataclass(frozen=True)
class CancelShow:
    show_id: str

    def __str__(self) -> str:
        return f"cancel show {self.show_id}"


@dataclass(frozen=True)
class ChangeWindows:
    venue_id: str
    windows: tuple[DateRange, ...]

    def __post_init__(self) -> None:
        if not self.windows:
            raise ValueError("windows: a venue needs at least one window")

    def __str__(self) -> str:
        return f"venue {self.venue_id} windows now {'; '.join(str(w) for w in self.windows)}"


@dataclass(frozen=True)
class AddShow:
    venue_id: str
    fee: float

    def __post_init__(self) -> None:
        if self.fee < 0:
            raise ValueError("fee: must not be negative")

    def __str__(self) -> str:
        return f"add show at {self.venue_id} (fee {self.fee:g})"


@dataclass(frozen=True)
class CrewUnavailable:
    crew_id: str
    period: DateRange

    def __str__(self) -> str:
        return f"crew {self.crew_id} unavailable {self.period}"


@dataclass(frozen=True)
class VehicleOut:
    vehicle_id: str
    start: date
    end: date | None = None  # None: for the rest of the season

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("end: must not be before start")

    def __str__(self) -> str:
        return f"vehicle {self.vehicle_id} out of service {self.start}..{self.end or ''}"


@dataclass(frozen=True)
class HotelLost:
    hotel_id: str
    day: date

    def __str__(self) -> str:
        return f"hotel {self.hotel_id} booking lost on {self.day}"


Event = Union[CancelShow, ChangeWindows, AddShow, CrewUnavailable, VehicleOut, HotelLost]


def _subtract(ranges: tuple[DateRange, ...], cut: DateRange) -> tuple[DateRange, ...]:
    out = []
    for r in ranges:
        if not r.overlaps(cut):
            out.append(r)
            continue
        if r.start < cut.start:
            out.append(DateRange(r.start, cut.start - timedelta(days=1)))
        if cut.end < r.end:
            out.append(DateRange(cut.end + timedelta(days=1), r.end))
    return tuple(out)


def apply_events(tour: Tour, events: tuple[Event, ...], today: date | None = None) -> Tour:
    """The tour as the events leave it; unavailability before ``today`` is history and ignored.

    Raises
    ------
    ValueError
        When an event names a show, venue, crew member, vehicle or hotel the tour lacks.
    """
    shows, venues = list(tour.shows), {v.id: v for v in tour.venues}
    crew, vehicles, hotels = {m.id: m for m in tour.crew}, {v.id: v for v in tour.vehicles}, \
        {h.id: h for h in tour.hotels}
    horizon = DateRange(min(today or tour.season.start, tour.season.end), tour.season.end)

    def known(kind: str, key: str, table) -> None:
        if key not in table:
            raise ValueError(f"{kind} `{key}` is not in the tour")

    for event in events:
        if isinstance(event, CancelShow):
            known("show", event.show_id, {s.id for s in shows})
            shows = [s for s in shows if s.id != event.show_id]
        elif isinstance(event, ChangeWindows):
            known("venue", event.venue_id, venues)
            venues[event.venue_id] = replace(venues[event.venue_id], availability=event.windows)
        elif isinstance(event, AddShow):
            known("venue", event.venue_id, venues)
            ids = {s.id for s in shows} | {s.id for s in tour.shows}
            number = 2
            while f"{event.venue_id}-{number}" in ids:
                number += 1
            shows.append(Show(f"{event.venue_id}-{number}", event.venue_id, fee=event.fee))
        elif isinstance(event, CrewUnavailable):
            known("crew member", event.crew_id, crew)
            if not event.period.overlaps(horizon):
                continue
            cut = DateRange(max(event.period.start, horizon.start), event.period.end)
            member = crew[event.crew_id]
            crew[event.crew_id] = replace(member, availability=_subtract(member.availability or (tour.season,), cut)
                                          or _never(tour))
        elif isinstance(event, VehicleOut):
            known("vehicle", event.vehicle_id, vehicles)
            if (event.end or tour.season.end) >= horizon.start:
                vehicles.pop(event.vehicle_id)
        elif isinstance(event, HotelLost):
            known("hotel", event.hotel_id, hotels)
            if event.day >= horizon.start:
                hotels.pop(event.hotel_id)
    return replace(tour, shows=tuple(shows), venues=tuple(venues.values()), crew=tuple(crew.values()),
                   vehicles=tuple(vehicles.values()), hotels=tuple(hotels.values()))


def _never(tour: Tour) -> tuple[DateRange, ...]:
    """An availability outside the season: empty would mean 'always available'."""
    before = tour.season.start - timedelta(days=1)
    return (DateRange(before, before),)


# --- replanning ----------------------------------------------------------------------

@dataclass(frozen=True)
class ReplanResult:
    """The new plan and what it changed against the previous one.

    ``moved`` lists shows of both plans on another date; ``forced`` the booked shows whose
    date the events made impossible; ``cancelled`` shows of the previous plan no longer
    played; ``added`` shows played now and not before. ``relaxed`` tells that booked dates
    had to be freed for the tour to be feasible at all.
    """

    plan: Plan
    tour: Tour
    events: tuple[Event, ...]
    today: date
    moved: tuple[str, ...]
    forced: tuple[str, ...]
    cancelled: tuple[str, ...]
    added: tuple[str, ...]
    relaxed: bool
    wall_time_s: float

    @property
    def found(self) -> bool:
        return self.plan.found

    @property
    def changes(self) -> int:
        return len(self.moved) + len(self.cancelled) + len(self.added)


def _clip_windows(tour: Tour, today: date, history: dict[str, Show], previous: Plan) -> Tour:
    """Venue windows from ``today`` on, plus the days the history shows occupy."""
    kept: dict[str, list[DateRange]] = {}
    for b in previous.bookings:
        if b.show_id in history:
            kept.setdefault(b.venue_id, []).append(
                DateRange(b.setup_start, b.first_night + timedelta(days=b.nights - 1)))
    venues = []
    for v in tour.venues:
        windows = [DateRange(max(w.start, today), w.end) for w in v.availability if w.end >= today]
        windows += kept.get(v.id, [])
        venues.append(replace(v, availability=tuple(windows) or _never(tour)))
    return replace(tour, venues=tuple(venues))


def prepare(tour: Tour, previous: Plan, events: tuple[Event, ...], today: date,
            allow_moving: bool = False, add_dropped: bool = False) -> tuple[Tour, tuple[str, ...]]:
    """The tour to solve (events applied, past frozen, booked dates fixed) and the shows forced to move.

    Optional shows the previous plan dropped stay out unless ``add_dropped``: playing them
    would be a change no event asked for.
    """
    changed = apply_events(tour, events, today)
    if not add_dropped:
        played = {b.show_id for b in previous.bookings}
        original = {s.id for s in tour.shows}
        changed = replace(changed, shows=tuple(s for s in changed.shows
                                               if s.id in played or s.required or s.id not in original))
    booked = {b.show_id: b for b in previous.bookings}
    history = {s.id: s for s in changed.shows if s.id in booked and booked[s.id].setup_start < today}
    changed = _clip_windows(changed, today, history, previous)
    shows, forced = [], []
    for show in changed.shows:
        b = booked.get(show.id)
        if b is None:
            shows.append(show)
        elif show.id in history:
            shows.append(replace(show, fixed_date=b.first_night))
        else:
            pinned = replace(show, fixed_date=b.first_night)
            if not _show_days(replace(changed, shows=(pinned,)), pinned).starts:
                forced.append(show.id)
                shows.append(replace(show, fixed_date=None))
            else:
                shows.append(show if allow_moving else pinned)
    return replace(changed, shows=tuple(shows)), tuple(forced)


def _with_fixed(tour: Tour, show_ids: set[str], fixed: dict[str, date | None]) -> Tour:
    return replace(tour, shows=tuple(replace(s, fixed_date=fixed[s.id]) if s.id in show_ids else s
                                     for s in tour.shows))


def _keep_past_nights(previous: Plan, plan: Plan, today: date) -> Plan:
    """The new plan with the nights before ``today`` as they were slept (the hotel solver re-solves all)."""
    if not plan.accommodation:
        return plan
    before = {n.day: n for n in previous.accommodation if n.day < today}
    nights = tuple(before[n.day] if n.day in before and before[n.day].place_id == n.place_id else n
                   for n in plan.accommodation)
    to_book = tuple(b for b in previous.to_book if b.day < today) + tuple(b for b in plan.to_book if b.day >= today)
    return replace(plan, accommodation=nights, to_book=to_book)


def _keep_rota(tour: Tour, previous: Plan, plan: Plan) -> Plan:
    """The new plan with each shift staffed as before wherever the same people can still work it.

    The rota solver starts afresh and may swap people on shifts nothing touched; a shift of
    the same show on the same day, with the same roles and everyone still available, keeps
    its previous people (the unfilled roles must be the same, so ``unfilled_roles`` still
    holds). The rota's working-time rules were met by each plan on its own; if mixing them
    would put someone on two shifts of one day, the new rota stands as solved.
    """
    before = {(s.show_id, s.day): s for s in previous.crew_shifts}
    crew = tour.crew_by_id
    shifts, kept = [], 0
    for shift in plan.crew_shifts:
        old = before.get((shift.show_id, shift.day))
        if (old is not None and [r for r, _ in old.roles] == [r for r, _ in shift.roles]
                and all(who is None or (who in crew and crew[who].is_available(shift.day)) for _, who in old.roles)
                and [r for r, who in old.roles if who is None] == [r for r, who in shift.roles if who is None]):
            shifts.append(replace(shift, roles=old.roles))
            kept += 1
        else:
            shifts.append(shift)
    # Old and new shifts side by side must not put anyone on two shifts of one day.
    seen: set[tuple[str, date]] = set()
    for shift in shifts:
        for who in set(shift.crew_ids):
            if (who, shift.day) in seen:
                return plan
            seen.add((who, shift.day))
    return replace(plan, crew_shifts=tuple(shifts)) if kept else plan


def replan(tour: Tour | LoadedTour, previous_plan: Plan, events: tuple[Event, ...], today: date,
           params: ScheduleParams = ScheduleParams(), allow_moving: bool = False, add_dropped: bool = False,
           root: Path | None = None, **stage_params) -> ReplanResult:
    """Replan the tour after ``events``, keeping the past and changing as little as possible.

    Parameters
    ----------
    tour
        The tour the previous plan was made from (a :class:`LoadedTour` brings its folder,
        which holds the travel cache; else ``root`` or the current folder is used).
    previous_plan
        The plan in force.
    events
        What happened, applied in order.
    today
        Shows starting before this day are history and keep their dates.
    params
        The scheduler's time limit, seed and workers (hint and stability are added here).
    allow_moving
        Let booked shows move (each move costs :data:`MOVE_PENALTY`) instead of fixing them.
    add_dropped
        Let optional shows the previous plan dropped be played now (e.g. in a freed slot).
    stage_params
        ``hotel_params``, ``crew_params``, ``loading_params``: passed on to
        :func:`touring.planning.make_plan`.

    Returns
    -------
    ReplanResult
        The new plan (``plan.found`` is false when no plan keeps every rule) and its changes.
    """
    from touring.planning import make_plan  # planning imports solvers: import here, not at load

    started = clock.monotonic()
    loaded = tour if isinstance(tour, LoadedTour) else LoadedTour(tour, (), Path(root or "."))
    events = tuple(events)
    prepared, forced = prepare(loaded.tour, previous_plan, events, today, allow_moving, add_dropped)
    booked = {b.show_id: b for b in previous_plan.bookings}
    stable = replace(params, warm_start=False, move_penalty=MOVE_PENALTY,
                     previous_starts=tuple((sid, b.setup_start) for sid, b in booked.items()
                                           if sid in prepared.show_by_id))
    plan = make_plan(replace(loaded, tour=prepared), stable, **stage_params)
    relaxed = False
    if not plan.found and not allow_moving:
        # Fixed dates leave no way through (e.g. travel from a forced show): free the
        # booked future shows and let the stability term keep them where it can.
        future = {s.id for s in prepared.show_by_id.values()
                  if s.id in booked and booked[s.id].setup_start >= today}
        freed = _with_fixed(prepared, future, {sid: None for sid in future})
        retry = make_plan(replace(loaded, tour=freed), stable, **stage_params)
        if retry.found:
            plan, prepared, relaxed = retry, freed, True
    kept_out = tuple(replace(d, reason=f"{d.reason} (kept out when replanning)") for d in previous_plan.dropped
                     if d.show_id not in prepared.show_by_id and d.show_id in loaded.tour.show_by_id)
    if kept_out:
        plan = replace(plan, dropped=plan.dropped + kept_out)
    if plan.found:
        plan = _keep_past_nights(previous_plan, plan, today)
        plan = _keep_rota(prepared, previous_plan, plan)
    new = {b.show_id: b for b in plan.bookings}
    moved = tuple(sid for sid in new if sid in booked and new[sid].first_night != booked[sid].first_night)
    cancelled = tuple(sid for sid in booked if sid not in new)
    added = tuple(sid for sid in new if sid not in booked)
    return ReplanResult(plan, prepared, events, today, moved, tuple(forced), cancelled, added, relaxed,
                        clock.monotonic() - started)
