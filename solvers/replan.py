"""Recompute a plan after events (a cancellation, a sick crew member, ...), changing as little as possible.

The steps:

1. Apply the events to the tour (:func:`apply_events`): a cancelled show leaves it, a venue
   gets new windows, an added show joins it, a crew member's unavailability or joining
   narrows their availability. Vehicles and hotels are limited per day
   (:func:`day_limits`): a vehicle out of service misses only the loads and runs of those
   days, a hired one (a row of vehicles.csv) rides only on its hire days, and a lost hotel
   takes nobody that one night.
2. Freeze the past: every show of the previous plan that starts before ``today`` keeps its
   date, and nothing new may be placed before ``today`` (venue windows are clipped).
3. Keep booked dates: every other show of the previous plan becomes a fixed date, unless
   the events leave that date impossible (then it is *forced* to move) or
   ``allow_moving`` is set. Should fixed dates make the tour infeasible (travel between a
   forced show and its neighbours), the solve is retried with moves allowed.
4. Solve with the previous start days as CP-SAT hints and ``weights.replan_moved_show``
   per show not kept on its day, then re-run the rest of
   :func:`touring.planning.make_plan` (hotels, rota, loading) and, when the plan in force
   had runs, the transport runs.

What counts as booked: every show date of the plan in force, every hotel stay on a night
from ``today`` on, and every manifest (which vehicle carries which gear on a leg). Plan
files carry no booked mark: all of it is booked once published. A booked hotel stay is
kept whenever its hotel is still an option for that person that night (see
:func:`solvers.hotels.solve`); it changes only when an event forces it (the hotel lost that
night, the show moved or cancelled so the night is elsewhere or not needed, the person
unavailable) or, with ``allow_moving``, at ``weights.replan_changed_hotel`` each. Gear
stays in its booked vehicle unless that vehicle is out (lexicographic, before the number
of vehicles used, :mod:`solvers.loading`).

The stability term: a moved show (with ``allow_moving``) and a changed hotel night cost
their ``weights.replan_*`` weight in the tour's currency inside the same objective as
travel and rooms -- dominant weights, not a strict lexicographic order, set above any
saving on the example tours (5000 per moved show, 1000 per changed hotel night); lower
them in tour.toml to let savings win. Gear in another vehicle than booked is ranked
lexicographically in the loading model, right after gear left behind
(``weights.replan_changed_vehicle`` 0 turns it off).

Runs: the transport solver plans all days with one fleet, so when vehicles are out or
hired on some days each distinct fleet of the days from ``today`` on is solved on the days
up to its last day and each day takes the runs of its own fleet (vehicle positions are
carried within a solve, not across the seam), all over one travel matrix. Runs before ``today`` are the plan in force's. The plan in force's runs
seed each day's routing search (initial routes, where they still fit), and each person or
load served by another vehicle than there costs ``weights.replan_changed_vehicle`` in the
routing objective (:func:`solvers.vrp.prefer_vehicles`), so a day the events do not touch
gets its runs back and a touched day moves as few people as it can.
"""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Union

from solvers.loading import _booked_units, _legs
from solvers.schedule import ScheduleParams, _show_days, lead_kind
from solvers.transport import OWN_CAR_PREFIX, TransportParams
from solvers.travel import TravelMatrix, travel_matrix
from touring.io import LoadedTour
from touring.io.cache import JsonCache
from touring.model import DateRange, Plan, Show, StayKind, Tour, Weights

MOVE_PENALTY = Weights().replan_moved_show
"""The default of ``weights.replan_moved_show``: per show of the previous plan not kept on
its date, in the tour's currency."""


# --- events --------------------------------------------------------------------------

def _check_open_period(start: date, end: date | None) -> None:
    """A period from ``start`` to ``end`` (``None``: the rest of the season) of an event."""
    if end is not None and end < start:
        raise ValueError("end: must not be before start")


def _open_period(start: date, end: date | None) -> str:
    return f"{start}..{end or ''}"


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
        _check_open_period(self.start, self.end)

    def __str__(self) -> str:
        return f"vehicle {self.vehicle_id} out of service {_open_period(self.start, self.end)}"


@dataclass(frozen=True)
class HotelLost:
    hotel_id: str
    day: date

    def __str__(self) -> str:
        return f"hotel {self.hotel_id} booking lost on {self.day}"


@dataclass(frozen=True)
class CrewJoins:
    """A crew member listed in crew.csv who works only from ``start`` (to ``end``)."""

    crew_id: str
    start: date
    end: date | None = None  # None: for the rest of the season

    def __post_init__(self) -> None:
        _check_open_period(self.start, self.end)

    def __str__(self) -> str:
        return f"crew {self.crew_id} joins {_open_period(self.start, self.end)}"


@dataclass(frozen=True)
class VehicleHired:
    """A vehicle row of vehicles.csv that joins the fleet from ``start`` (to ``end``) only."""

    vehicle_id: str
    start: date
    end: date | None = None  # None: for the rest of the season

    def __post_init__(self) -> None:
        _check_open_period(self.start, self.end)

    def __str__(self) -> str:
        return f"vehicle {self.vehicle_id} hired {_open_period(self.start, self.end)}"


Event = Union[CancelShow, ChangeWindows, AddShow, CrewUnavailable, VehicleOut, HotelLost, CrewJoins, VehicleHired]


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
        elif isinstance(event, CrewJoins):
            known("crew member", event.crew_id, crew)
            member = crew[event.crew_id]
            period = DateRange(event.start, max(event.end or tour.season.end, event.start))
            within = tuple(DateRange(max(r.start, period.start), min(r.end, period.end))
                           for r in member.availability or (period,) if r.overlaps(period))
            crew[event.crew_id] = replace(member, availability=within or _never(tour))
        elif isinstance(event, (VehicleOut, VehicleHired)):
            known("vehicle", event.vehicle_id, vehicles)  # limited per day: see day_limits
        elif isinstance(event, HotelLost):
            known("hotel", event.hotel_id, hotels)  # closed that night only: see day_limits
    return replace(tour, shows=tuple(shows), venues=tuple(venues.values()), crew=tuple(crew.values()))


@dataclass(frozen=True)
class DayLimits:
    """What the events take away day by day: (hotel id, night) and (vehicle id, day) pairs."""

    closed_hotels: frozenset[tuple[str, date]] = frozenset()
    vehicles_out: frozenset[tuple[str, date]] = frozenset()


def day_limits(tour: Tour, events: tuple[Event, ...], today: date, last_day: date | None = None) -> DayLimits:
    """The hotels closed and vehicles unavailable on given days; days before ``today`` are history.

    A vehicle out of service is unavailable from ``max(start, today)`` to its end (the last
    day of the plan, ``last_day`` or the season's end, when open-ended); a hired vehicle
    on every day of the season outside its hire, the past included (it was not there).
    """
    first = tour.season.start - timedelta(days=1)
    # A month past the plan's end: a replan may bring the tour home a few days later.
    last = max(last_day or tour.season.end, tour.season.end) + timedelta(days=31)
    span = [first + timedelta(days=k) for k in range((last - first).days + 1)]
    closed, out = set(), set()
    for event in events:
        if isinstance(event, HotelLost) and event.day >= today:
            closed.add((event.hotel_id, event.day))
        elif isinstance(event, VehicleOut):
            end = event.end or last
            out |= {(event.vehicle_id, d) for d in span if max(event.start, today) <= d <= end}
        elif isinstance(event, VehicleHired):
            end = event.end or last
            out |= {(event.vehicle_id, d) for d in span if not event.start <= d <= end}
    return DayLimits(frozenset(closed), frozenset(out))


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
    had to be freed for the tour to be feasible at all. ``changed_stays`` lists the
    (crew id, night) of booked hotel stays, from ``today`` on, now in another hotel or
    none; ``changed_units`` counts gear units loaded in another vehicle than booked on a
    leg still driven the same day between the same places. ``limits`` are the hotels and
    vehicles the events took away, day by day.
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
    changed_stays: tuple[tuple[str, date], ...] = ()
    changed_units: int = 0
    limits: DayLimits = DayLimits()

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
    would be a change no event asked for. So does a crew member the previous plan does not
    know (in none of its nights and shifts, when it has any) unless a :class:`CrewJoins`
    names them: a row added to crew.csv is not an event by itself.
    """
    changed = _without_unknown_crew(apply_events(tour, events, today), previous, events)
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


def _without_unknown_crew(tour: Tour, previous: Plan, events: tuple[Event, ...]) -> Tour:
    if not previous.accommodation and not previous.crew_shifts:
        return tour
    known = {s.crew_id for n in previous.accommodation for s in n.stays}
    known |= {who for shift in previous.crew_shifts for who in shift.crew_ids}
    known |= {e.crew_id for e in events if isinstance(e, CrewJoins)}
    return replace(tour, crew=tuple(m if m.id in known else replace(m, availability=_never(tour))
                                    for m in tour.crew))


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


def _booked_stays(previous: Plan, today: date) -> dict[tuple[str, date], str]:
    """(crew id, night) -> hotel id of every hotel stay from ``today`` on: all of them are booked."""
    return {(stay.crew_id, night.day): stay.hotel_id for night in previous.accommodation if night.day >= today
            for stay in night.stays if stay.kind is StayKind.HOTEL and stay.hotel_id}


def _changed_stays(booked: dict[tuple[str, date], str], plan: Plan) -> tuple[tuple[str, date], ...]:
    now = {(stay.crew_id, night.day): stay.hotel_id for night in plan.accommodation for stay in night.stays
           if stay.kind is StayKind.HOTEL}
    return tuple(key for key in sorted(booked, key=lambda k: (k[1], k[0])) if now.get(key) != booked[key])


def _changed_units(tour: Tour, previous: Plan, plan: Plan) -> int:
    """Units in a vehicle beyond what it held on the same leg (same day, same places) before.

    The booked units are keyed as the loading model keys them (:func:`solvers.loading._booked_units`,
    by the new plan's legs), so the figure reported is the one the model minimised.
    """
    booked = _booked_units(_legs(tour, plan)[0], previous.loads)
    known = {leg for leg, _, _ in booked}
    return sum(max(0, line.units - booked.get((x.leg, line.equipment_id, x.vehicle_id), 0))
               for x in plan.loads if x.leg in known for line in x.lines)


def _fleets(tour: Tour, plan: Plan, out: frozenset[tuple[str, date]], today: date) -> dict[tuple[str, ...], list[int]]:
    """Fleet (vehicle ids) -> the indices of the plan's days from ``today`` on it serves.

    A fleet of past days only (a vehicle hired and returned before ``today``) is no
    solve: the runs before ``today`` are the plan in force's.
    """
    fleets: dict[tuple[str, ...], list[int]] = {}
    for k, day in enumerate(plan.days):
        if day.day >= today:
            fleets.setdefault(tuple(v.id for v in tour.vehicles if (v.id, day.day) not in out), []).append(k)
    return fleets


def _add_runs(tour: Tour, plan: Plan, previous: Plan, today: date, limits: DayLimits, matrix: TravelMatrix,
              params: TransportParams) -> Plan:
    """The plan with runs for each day by that day's fleet, and the runs before ``today`` as they were."""
    from touring.planning import add_transport

    runs, unserved, own, reports = [], [], [], []
    # One matrix for every fleet; each fleet is solved from the first day, since
    # transport.solve carries positions, hours and gear aboard only within one solve and
    # cannot start from a state: a fleet solved from its own first day would start every
    # vehicle at its depot.
    for fleet, indices in _fleets(tour, plan, limits.vehicles_out, today).items():
        if not fleet:
            continue
        days = {plan.days[k].day for k in indices}
        # Days after this fleet's last one need no solving; the earlier ones carry positions.
        part = replace(plan, days=plan.days[:max(indices) + 1])
        solved = add_transport(replace(tour, vehicles=tuple(v for v in tour.vehicles if v.id in fleet)), part,
                               matrix, params, previous_runs=tuple(r for r in previous.runs if r.vehicle_id in fleet
                                                                   or r.vehicle_id.startswith(OWN_CAR_PREFIX)))
        runs += [r for r in solved.runs if r.day in days]
        unserved += [u for u in solved.unserved_transport if u.day in days]
        own += [t for t in solved.own_travel if t.day in days and t not in own]
        reports.append(solved.transport_report)
    runs = [r for r in previous.runs if r.day < today] + sorted(runs, key=lambda r: r.day)
    unserved = [u for u in previous.unserved_transport if u.day < today] + sorted(unserved, key=lambda u: u.day)
    report = None
    if reports:
        statuses = {r.status for r in reports}
        status = "timed_out" if "timed_out" in statuses else "feasible" if statuses - {"optimal"} else "optimal"
        report = replace(reports[0], status=status,
                         objective=sum(r.objective or 0 for r in reports),
                         wall_time_s=round(sum(r.wall_time_s for r in reports), 3))
    own = [t for t in previous.own_travel if t.day < today] + sorted(own, key=lambda t: t.day)
    return replace(plan, runs=tuple(runs), unserved_transport=tuple(unserved), transport_report=report,
                   own_travel=tuple(own))


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
        Let booked shows and hotel stays move (each move costs its ``weights.replan_*``
        weight) instead of fixing them.
    add_dropped
        Let optional shows the previous plan dropped be played now (e.g. in a freed slot).
    stage_params
        ``hotel_params``, ``crew_params``, ``loading_params``: passed on to
        :func:`touring.planning.make_plan`; ``transport_params`` for the runs, re-planned
        when the plan in force has runs (or when given).

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
    last_day = max((d.day for d in previous_plan.days), default=None)
    limits = day_limits(loaded.tour, events, today, last_day)
    stays = _booked_stays(previous_plan, today)
    transport_params = stage_params.pop("transport_params", None)
    if transport_params is None and previous_plan.runs:
        transport_params = TransportParams()
    if transport_params is not None and not transport_params.vehicle_change_cost:
        # The stability term of the runs: a person or load in another vehicle than before.
        transport_params = replace(transport_params, vehicle_change_cost=loaded.tour.weights.replan_changed_vehicle)
    stage_params = dict(stage_params,
                        hotel_options=dict(closed=limits.closed_hotels, previous=previous_plan.accommodation,
                                           booked=stays, allow_moving=allow_moving),
                        loading_options=dict(unavailable=limits.vehicles_out, previous=previous_plan.loads))
    stable = replace(params, warm_start=False, move_penalty=loaded.tour.weights.replan_moved_show,
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
        if transport_params is not None and prepared.vehicles and (prepared.crew or prepared.equipment):
            matrix = travel_matrix(prepared, lead_kind(prepared), cache=JsonCache.for_tour(loaded.root))
            plan = _add_runs(prepared, plan, previous_plan, today, limits, matrix, transport_params)
    new = {b.show_id: b for b in plan.bookings}
    moved = tuple(sid for sid in new if sid in booked and new[sid].first_night != booked[sid].first_night)
    cancelled = tuple(sid for sid in booked if sid not in new)
    added = tuple(sid for sid in new if sid not in booked)
    return ReplanResult(plan, prepared, events, today, moved, tuple(forced), cancelled, added, relaxed,
                        clock.monotonic() - started, _changed_stays(stays, plan) if plan.found else (),
                        _changed_units(prepared, previous_plan, plan) if plan.found else 0, limits)
