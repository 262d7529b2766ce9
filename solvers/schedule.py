"""Tour dates: which show plays where and when (CP-SAT).

The model, day by day over the season (day 0 is the season's first day):

- Every show is a stop of one path from home back home (:func:`solvers.sequencing.add_path`,
  the selection-and-sequencing core that ``bench/optw.py`` scores). A stop starts on the
  first day the tour occupies the venue (its first set-up day, or its first night) and
  lasts ``setup_days + nights - 1`` days; its windows are the start days on which every
  night falls on an open day of the venue with the crew it needs, inside the season.
- Travel between two stops is a *lag* in days, from the last night of one to the first
  occupied day of the next: the drive must fit in the free days between them (each up to
  ``rules.max_drive_minutes_per_day``), the morning of the arrival day (until the venue's
  load-in) and, with a nightliner in the fleet, the night after the show (up to
  ``rules.nightliner_overnight_km``). Sea crossings and check-in use the day as driving does.
- On top of the path, one boolean per show and start day gives the days: the show nights
  and set-up days of each day, for the rhythm rules (at most N show days in a row, at
  least M days off, meaning days without a show or set-up, in any 7), the radius clauses and
  the preferred dates.
- The objective, in cents: travel km, driving hours and vehicle costs (per km and per day
  away), minus the fees of optional shows played, plus a penalty per show off its
  preferred dates; weights from tour.toml.

When the tour cannot be done, each rule instance is rebuilt behind an assumption literal
and CP-SAT's ``sufficient_assumptions_for_infeasibility`` names the conflicting ones; a
deletion pass then shrinks that set, and each literal is told in the tour's own words.
"""

from __future__ import annotations

import math
import time as clock
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Callable

from geopy.distance import geodesic
from ortools.sat.python import cp_model

from solvers.sequencing import END, START, WORK_PER_SECOND, PathHandles, PathProblem, Stop, add_path, solve_path
from solvers.travel import TravelMatrix
from solvers.units import MINUTES_PER_HOUR, money_to_cents
from touring.calendar import WEEKDAY_NAMES, closed_reason
from touring.model import Place, Show, Tour, VehicleKind, Venue

DAY_START_MINUTE = 8 * 60
"""The tour leaves at 08:00 on a travel or arrival day."""
DEFAULT_LOAD_IN_MINUTE = 14 * 60
"""A venue without a load-in time is taken to load in at 14:00."""

Progress = Callable[[float, float, float], None]  # (seconds, objective, bound), in currency


@dataclass(frozen=True)
class ScheduleParams:
    """How to solve: the time limit in seconds, the seed and the number of CP-SAT workers.

    ``deterministic`` reads the time limit as CP-SAT deterministic time and interleaves the
    workers, so the same seed and worker count give the same plan on any machine.
    """

    time_limit_s: float = 30.0
    seed: int = 0
    workers: int = 2
    deterministic: bool = True
    explain_time_limit_s: float = 20.0
    warm_start: bool = True  # seed CP-SAT with a path from the core on large tours
    # Replanning (solvers.replan): each show's previous first occupied day, given to CP-SAT
    # as a hint, and the cost in the tour's currency of each show not kept on that day.
    previous_starts: tuple[tuple[str, date], ...] = ()
    move_penalty: float = 0.0
    progress: Progress | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Booking:
    show_id: str
    venue_id: str
    first_night: date
    nights: int
    setup_start: date  # equals first_night when the venue needs no set-up day


@dataclass(frozen=True)
class Dropped:
    show_id: str
    reason: str


@dataclass(frozen=True)
class ScheduleResult:
    """The tour dates, or why there are none.

    ``status`` is ``optimal``, ``feasible``, ``infeasible`` or ``unknown`` (no plan found in
    the time limit). Money is in the tour's currency; ``gap`` is relative to the objective.
    """

    status: str
    bookings: tuple[Booking, ...] = ()
    dropped: tuple[Dropped, ...] = ()
    departure: date | None = None
    return_home: date | None = None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    wall_time_s: float = 0.0
    conflicts: tuple[str, ...] = ()
    lead_kind: VehicleKind = VehicleKind.VAN

    @property
    def found(self) -> bool:
        return self.status in ("optimal", "feasible")


# --- what each show can do, before any solving -------------------------------------

@dataclass(frozen=True)
class _ShowDays:
    show: Show
    venue: Venue
    setup: int
    nights: int
    roles: tuple[str, ...]
    starts: tuple[int, ...]  # start days that pass every rule of the show itself
    season_starts: tuple[int, ...]  # start days inside the season, whatever the venue says
    venue_ok: frozenset[int]  # season starts whose nights are open days of the venue
    crew_ok: frozenset[int]  # season starts whose nights have the crew the show needs
    fixed_start: int | None

    @property
    def duration(self) -> int:
        return self.setup + self.nights - 1

    def first_night(self, start: int) -> int:
        return start + self.setup

    def last_night(self, start: int) -> int:
        return start + self.setup + self.nights - 1


def _missing_roles(tour: Tour, roles: tuple[str, ...], day: date) -> list[str]:
    return [role for role in roles
            if not any(role in member.roles and member.is_available(day) for member in tour.crew)]


def _show_days(tour: Tour, show: Show) -> _ShowDays:
    venue = tour.venue_by_id[show.venue_id]
    season_days = (tour.season.end - tour.season.start).days + 1
    setup, nights = venue.setup_days, show.nights
    roles = tour.show_roles(show) if tour.crew else ()
    season_starts = tuple(range(0, season_days - setup - nights + 1))
    venue_ok, crew_ok = set(), set()
    for start in season_starts:
        night_days = [tour.season.start + timedelta(days=start + setup + k) for k in range(nights)]
        setup_days = [tour.season.start + timedelta(days=start + k) for k in range(setup)]
        if all(closed_reason(venue, d) is None for d in night_days) and all(
                any(d in w for w in venue.availability) for d in setup_days):
            venue_ok.add(start)
        if all(not _missing_roles(tour, roles, d) for d in night_days):
            crew_ok.add(start)
    fixed = None
    if show.fixed_date is not None:
        fixed = (show.fixed_date - tour.season.start).days - setup
    starts = tuple(s for s in season_starts if s in venue_ok and s in crew_ok and fixed in (None, s))
    return _ShowDays(show, venue, setup, nights, roles, starts, season_starts, frozenset(venue_ok),
                     frozenset(crew_ok), fixed)


def _runs(days: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs of sorted day numbers as (first, last) pairs."""
    runs: list[tuple[int, int]] = []
    for day in days:
        if runs and day == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _date_ranges(tour: Tour, days: list[int]) -> str:
    parts = []
    for first, last in _runs(sorted(days)):
        a, b = tour.season.start + timedelta(days=first), tour.season.start + timedelta(days=last)
        parts.append(str(a) if a == b else f"{a}..{b}")
    return "; ".join(parts)


def _windows_text(venue: Venue) -> str:
    text = "; ".join(str(w) for w in venue.availability)
    closed = [WEEKDAY_NAMES[d] for d in sorted(venue.closed_weekdays)]
    extras = ([f"closed on {', '.join(closed)}"] if closed else []) + \
        (["closed on public holidays"] if venue.closed_on_holidays else [])
    return text + (f" ({'; '.join(extras)})" if extras else "")


def _no_date_reason(tour: Tour, days: _ShowDays) -> str:
    """Why a show has no possible start day at all, from the show's own rules."""
    show = days.show
    if days.fixed_start is not None:
        return f"show `{show.id}` is fixed on {show.fixed_date}, which its own rules exclude"
    if not days.venue_ok:
        return (f"show `{show.id}` has no possible date: venue `{days.venue.id}` offers "
                f"{_windows_text(days.venue)}, and no {days.nights} open night(s) in a row fit in the season "
                f"{tour.season}")
    missing: dict[str, list[int]] = {}
    for start in sorted(days.venue_ok):
        for k in range(days.nights):
            day = tour.season.start + timedelta(days=days.first_night(start) + k)
            for role in _missing_roles(tour, days.roles, day):
                missing.setdefault(role, []).append(days.first_night(start) + k)
    detail = "; ".join(f"no {role} is available on {_date_ranges(tour, sorted(set(d)))}"
                       for role, d in missing.items())
    return f"show `{show.id}` has no possible date with its crew: {detail}"


# --- travel in days -----------------------------------------------------------------

def lead_kind(tour: Tour) -> VehicleKind:
    """The kind whose legs set the pace: the slowest vehicle of the fleet."""
    if not tour.vehicles:
        return VehicleKind.VAN
    return min((v.kind for v in tour.vehicles), key=lambda kind: tour.travel.speeds_kmh[kind])


def _arrival_allowance(tour: Tour, venue: Venue | None) -> int:
    """Driving minutes possible on the arrival day before the venue's load-in."""
    if venue is None:  # home: the whole day
        return tour.rules.max_drive_minutes_per_day
    load_in = venue.load_in.hour * 60 + venue.load_in.minute if venue.load_in else DEFAULT_LOAD_IN_MINUTE
    return max(0, min(tour.rules.max_drive_minutes_per_day, load_in - DAY_START_MINUTE))


def overnight_allowance(tour: Tour) -> int:
    """Driving minutes a nightliner covers in the night after a show (0 without one)."""
    if not any(v.kind is VehicleKind.NIGHTLINER for v in tour.vehicles):
        return 0
    speed = tour.travel.speeds_kmh[VehicleKind.NIGHTLINER]
    return int(tour.rules.nightliner_overnight_km / speed * MINUTES_PER_HOUR)


def _travel_days(minutes: int, allowance: int, overnight: int, per_day: int) -> int:
    """Whole free days needed before the arrival day to cover ``minutes`` of travel."""
    return math.ceil(max(0, minutes - allowance - overnight) / per_day)


# --- the CP-SAT model ---------------------------------------------------------------

@dataclass
class _Model:
    model: cp_model.CpModel
    path: PathHandles
    starts: dict[str, dict[int, cp_model.IntVar]]  # show id -> start day -> literal
    assumptions: dict[int, tuple[cp_model.IntVar, str]]  # literal index -> (literal, rule text)
    arc_cost: dict[tuple[str, str], int]  # cents
    problem: PathProblem


def _travel_matrix_rows(tour: Tour, shows: list[_ShowDays], matrix: TravelMatrix) -> list[list[int]]:
    per_day = tour.rules.max_drive_minutes_per_day
    overnight = overnight_allowance(tour)
    ids = ["home"] + [d.venue.id for d in shows] + ["home"]
    venues = [None] + [d.venue for d in shows] + [None]
    size = len(ids)
    rows = [[0] * size for _ in range(size)]
    for a in range(size - 1):
        for b in range(1, size):
            if a == b or (a == 0 and b == size - 1):
                continue
            # The day is used by driving and by crossings with their check-in alike.
            minutes = matrix.leg(ids[a], ids[b]).minutes if ids[a] != ids[b] else 0
            if b == size - 1:  # back home: the whole day, from the night after the show
                rows[a][b] = _travel_days(minutes, 0, overnight, per_day)
            elif a == 0:  # from home: leave on the first travel day
                rows[a][b] = 1 + _travel_days(minutes, _arrival_allowance(tour, venues[b]), 0, per_day)
            else:
                rows[a][b] = 1 + _travel_days(minutes, _arrival_allowance(tour, venues[b]), overnight, per_day)
    return rows


def _arc_costs(tour: Tour, shows: list[_ShowDays], matrix: TravelMatrix) -> dict[tuple[str, str], int]:
    weights = tour.weights
    cost_per_km = sum(v.cost_per_km for v in tour.vehicles)
    ids = {START: "home", END: "home"} | {d.show.id: d.venue.id for d in shows}
    costs = {}
    for a in ids:
        for b in ids:
            if a == b or a == END or b == START or (a == START and b == END):
                continue
            if ids[a] == ids[b]:
                costs[a, b] = 0
                continue
            leg = matrix.leg(ids[a], ids[b])
            amount = (leg.km * (weights.km + weights.cost * cost_per_km)
                      + leg.drive_minutes / MINUTES_PER_HOUR * weights.drive_hour)
            costs[a, b] = money_to_cents(amount)
    return costs


def _season_days(tour: Tour) -> int:
    return (tour.season.end - tour.season.start).days + 1


def _build(tour: Tour, shows: list[_ShowDays], matrix: TravelMatrix, explain: bool) -> _Model:
    model = cp_model.CpModel()
    assumptions: dict[int, tuple[cp_model.IntVar, str]] = {}

    def rule(name: str, text: str) -> cp_model.IntVar | None:
        """A literal that switches one rule instance on, in explain mode only."""
        if not explain:
            return None
        literal = model.new_bool_var(name)
        assumptions[literal.index] = (literal, text)
        return literal

    def enforce(constraint: cp_model.Constraint, *literals) -> None:
        present = [lit for lit in literals if lit is not None]
        if present:
            constraint.only_enforce_if(present)

    # Step 1: the path over the shows (the selection-and-sequencing core).
    days = _season_days(tour)
    stops = []
    for d in shows:
        allowed = d.season_starts if explain else d.starts
        windows = tuple(_runs(list(allowed))) or ((d.season_starts[0], d.season_starts[0]),)
        stops.append(Stop(d.show.id, 0, d.duration, windows, required=d.show.required and not explain))
    problem = PathProblem(tuple(stops), tuple(tuple(r) for r in _travel_matrix_rows(tour, shows, matrix)),
                          start_time=-1, end_by=days)
    path = add_path(model, problem)

    # Step 2: one literal per show and start day, tied to the path's start and visit.
    starts: dict[str, dict[int, cp_model.IntVar]] = {}
    for d in shows:
        sid = d.show.id
        domain = cp_model.Domain.from_flat_intervals(list(path.start[sid].proto.domain))
        literals = {t: model.new_bool_var(f"start[{sid}]={t}") for t in (d.season_starts if explain else d.starts)
                    if domain.contains(t)}
        starts[sid] = literals
        model.add(sum(literals.values()) == path.visit[sid])
        if literals:
            model.add(path.start[sid] == sum(t * lit for t, lit in literals.items())).only_enforce_if(
                path.visit[sid])
        if explain:
            if d.show.required:
                enforce(model.add(path.visit[sid] == 1),
                        rule(f"required[{sid}]", f"show `{sid}` is required"))
            closed = [lit for t, lit in literals.items() if t not in d.venue_ok]
            if closed:
                enforce(model.add(sum(closed) == 0), rule(
                    f"window[{sid}]", f"show `{sid}` must fall in the windows of venue `{d.venue.id}`: "
                                      f"{_windows_text(d.venue)}"))
            no_crew = [lit for t, lit in literals.items() if t not in d.crew_ok]
            if no_crew:
                crew_days = {d.first_night(t) + k for t in d.crew_ok for k in range(d.nights)}
                enforce(model.add(sum(no_crew) == 0), rule(
                    f"crew[{sid}]", f"show `{sid}` needs {', '.join(d.roles)} on every night, and the crew "
                                    f"lacks someone on {_date_ranges(tour, sorted(set(range(days)) - crew_days))}"))
            if d.fixed_start is not None:
                fixed = literals.get(d.fixed_start)
                literal = rule(f"fixed[{sid}]", f"show `{sid}` is fixed on {d.show.fixed_date}")
                # A fixed show is a confirmed one: it is played, on that day.
                if fixed is None:
                    enforce(model.add(path.visit[sid] + 1 <= 0), literal)
                else:
                    enforce(model.add(fixed == 1), literal)

    # Step 3: what each day holds: show nights and set-up days.
    show_night = [[] for _ in range(days)]
    busy = [[] for _ in range(days)]
    for d in shows:
        for t, literal in starts[d.show.id].items():
            for k in range(d.setup + d.nights):
                busy[t + k].append(literal)
            for k in range(d.nights):
                show_night[d.first_night(t) + k].append(literal)

    # Step 4: rhythm rules.
    limit = tour.rules.max_consecutive_show_days
    if limit < days:
        literal = rule("rhythm[consecutive]", f"at most {limit} show days in a row (rules.max_consecutive_show_days)")
        for first in range(days - limit):
            window = [lit for day in range(first, first + limit + 1) for lit in show_night[day]]
            if len(window) > limit:
                enforce(model.add(sum(window) <= limit), literal)
    off = tour.rules.days_off_per_week
    if off > 0 and days >= 7:
        literal = rule("rhythm[days_off]", f"at least {off} day(s) without a show or set-up in any 7 "
                                           "(rules.days_off_per_week)")
        for first in range(days - 6):
            window = [lit for day in range(first, first + 7) for lit in busy[day]]
            if len(window) > 7 - off:
                enforce(model.add(sum(window) <= 7 - off), literal)

    # Step 5: radius clauses.
    for d in shows:
        venue = d.venue
        if venue.radius_km is None:
            continue
        for other in shows:
            if other is d:
                continue
            km = _straight_km(venue.place, other.venue.place)
            if km > venue.radius_km:
                continue
            a, b = d.show.id, other.show.id
            gap = venue.radius_days
            literal = rule(f"radius[{a},{b}]",
                           f"the radius clause of `{venue.id}` ({venue.radius_km:g} km, {gap} days) keeps "
                           f"`{b}` ({km:.0f} km away) more than {gap} days from `{a}`")
            before = model.new_bool_var(f"radius_order[{a},{b}]")
            first_a = path.start[a] + d.setup
            last_a = path.start[a] + d.setup + d.nights - 1
            first_b = path.start[b] + other.setup
            last_b = path.start[b] + other.setup + other.nights - 1
            both = [path.visit[a], path.visit[b]] + ([literal] if literal is not None else [])
            model.add(first_b >= last_a + gap + 1).only_enforce_if([before, *both])
            model.add(first_a >= last_b + gap + 1).only_enforce_if([~before, *both])

    # Step 6: the objective, in cents.
    arc_cost = _arc_costs(tour, shows, matrix)
    weights = tour.weights
    terms = [cost * path.arc[key] for key, cost in arc_cost.items() if key in path.arc and cost]
    for d in shows:
        sid = d.show.id
        if not d.show.required:
            terms.append(-money_to_cents(tour.show_fee(d.show) * weights.optional_fee) * path.visit[sid])
        if d.show.preferred_dates and weights.preferred_date_miss:
            preferred = [lit for t, lit in starts[sid].items()
                         if any(tour.season.start + timedelta(days=d.first_night(t)) in r
                                for r in d.show.preferred_dates)]
            penalty = money_to_cents(weights.preferred_date_miss)
            terms.append(penalty * (path.visit[sid] - sum(preferred)))
    per_day = sum(v.cost_per_day for v in tour.vehicles) * weights.cost
    if per_day:
        departure = model.new_int_var(-1, days, "departure")
        for (a, b), literal in path.arc.items():
            if a == START:
                lead = problem.travel[0][problem.index(b)] if b != END else 1
                target = path.start[b] if b != END else path.end_time
                model.add(departure == target - lead + 1).only_enforce_if(literal)
        terms.append(money_to_cents(per_day) * (path.end_time - departure + 1))
    model.minimize(sum(terms))
    return _Model(model, path, starts, assumptions, arc_cost, problem)


# --- solving ------------------------------------------------------------------------

class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Progress, offset: float):
        super().__init__()
        self._report, self._offset, self._clock = report, offset, clock.monotonic()

    def on_solution_callback(self) -> None:
        self._report(clock.monotonic() - self._clock, (self.objective_value + self._offset) / 100,
                     (self.best_objective_bound + self._offset) / 100)


def _solver(params: ScheduleParams, time_limit_s: float) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = params.seed
    solver.parameters.num_workers = params.workers
    time_limit_s = max(1.0, time_limit_s)
    solver.parameters.max_time_in_seconds = time_limit_s
    if params.deterministic:
        # Interleaved workers stopped by deterministic time give the same answer on any
        # machine; the wall-clock limit above still holds, and when it is the one that
        # stops a long search the answer may differ between machines.
        solver.parameters.interleave_search = True
        solver.parameters.max_deterministic_time = time_limit_s
    return solver


_STATUS = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible",
           cp_model.MODEL_INVALID: "unknown", cp_model.UNKNOWN: "unknown"}


WARM_START_SHARE = 0.25
"""Share of the time limit the selection-and-sequencing core gets for a first path."""
WARM_START_MIN_SHOWS = 40
"""Below this many shows CP-SAT finds a first plan at once, and a warm start only costs time."""


def _warm_start(tour: Tour, shows: list[_ShowDays], built: _Model, params: ScheduleParams,
                time_limit_s: float) -> dict[str, int] | None:
    """A first path from the core (windows, travel and required shows only), as a hint.

    The core maximises the fees of the optional shows it visits; the rhythm rules and
    radius clauses it does not know are left to CP-SAT, which repairs the hint.
    """
    stops = tuple(Stop(stop.id, 0 if stop.required else int(tour.show_fee(tour.show_by_id[stop.id])),
                       stop.duration, stop.windows, stop.required) for stop in built.problem.stops)
    problem = PathProblem(stops, built.problem.travel, built.problem.start_time, built.problem.end_by)
    found = solve_path(problem, time_limit_s=max(0.1, time_limit_s), seed=params.seed, workers=params.workers,
                       deterministic=params.deterministic, search_work=int(time_limit_s * WORK_PER_SECOND))
    if not found.found:
        return None
    placed = _place_in_order(tour, shows, built, found.order)
    if placed is None:
        return None
    model, path = built.model, built.path
    for d in shows:
        sid = d.show.id
        model.add_hint(path.visit[sid], sid in placed)
        for t, literal in built.starts[sid].items():
            model.add_hint(literal, placed.get(sid) == t)
        if sid in placed:
            model.add_hint(path.start[sid], placed[sid])
    order = tuple(sid for sid, _ in sorted(placed.items(), key=lambda item: item[1]))
    used = set(zip((START,) + order, order + (END,)))
    for key, literal in path.arc.items():
        model.add_hint(literal, key in used)
    return placed


def _place_in_order(tour: Tour, shows: list[_ShowDays], built: _Model,
                    order: tuple[str, ...]) -> dict[str, int] | None:
    """Start days that keep every rule (travel, rhythm, radius) for the shows of ``order``.

    The required shows are placed first, in that order, each on its earliest good day;
    then each optional show goes into the first gap that takes it, or is left out.
    Returns ``None`` when a required show cannot be placed.
    """
    by_id = {d.show.id: d for d in shows}
    problem = built.problem
    end_node = problem.end_node
    sequence: list[tuple[str, int]] = []  # (show id, start day), in time order

    def fits(d: _ShowDays, t: int, position: int) -> bool:
        node = problem.index(d.show.id)
        if position > 0:
            prev_id, prev_start = sequence[position - 1]
            if t < by_id[prev_id].last_night(prev_start) + problem.travel[problem.index(prev_id)][node]:
                return False
        elif t < problem.start_time + problem.travel[0][node]:
            return False
        if position < len(sequence):
            next_id, next_start = sequence[position]
            if d.last_night(t) + problem.travel[node][problem.index(next_id)] > next_start:
                return False
        elif d.last_night(t) + problem.travel[node][end_node] > problem.end_by:
            return False
        nights = {by_id[x].first_night(u) + k for x, u in sequence for k in range(by_id[x].nights)}
        busy = {u + k for x, u in sequence for k in range(by_id[x].setup + by_id[x].nights)}
        if _rhythm_clash(tour, nights | {d.first_night(t) + k for k in range(d.nights)},
                         busy | {t + k for k in range(d.setup + d.nights)}) is not None:
            return False
        return all(_radius_clash(d, t, by_id[x], u) is None for x, u in sequence)

    def place(sid: str, after: int) -> bool:
        d = by_id[sid]
        for t in sorted(built.starts[sid]):
            if t < after:
                continue
            position = sum(1 for _, u in sequence if u < t)
            if fits(d, t, position):
                sequence.insert(position, (sid, t))
                return True
        return False

    last = problem.start_time
    for sid in order:
        if by_id[sid].show.required:
            if not place(sid, last):
                return None
            last = sequence[-1][1]
    for sid in order:
        if not by_id[sid].show.required:
            place(sid, problem.start_time)
    return dict(sequence)


def _explain(tour: Tour, shows: list[_ShowDays], matrix: TravelMatrix, params: ScheduleParams) -> tuple[str, ...]:
    """The smallest set of conflicting rule instances CP-SAT and a deletion pass find."""
    built = _build(tour, shows, matrix, explain=True)
    model = built.model
    model.clear_objective()
    literals = sorted(built.assumptions)
    deadline = clock.monotonic() + params.explain_time_limit_s

    def infeasible(subset: list[int]) -> tuple[bool, list[int]]:
        model.clear_assumptions()
        model.add_assumptions([built.assumptions[i][0] for i in subset])
        solver = _solver(params, max(0.5, min(5.0, deadline - clock.monotonic())))
        solver.parameters.interleave_search = False
        code = solver.solve(model)
        if code == cp_model.INFEASIBLE:
            return True, list(solver.sufficient_assumptions_for_infeasibility())
        return False, []

    is_infeasible, core = infeasible(literals)
    if not is_infeasible:
        return ("the rules conflict only through travel times between the shows and the season's "
                "bounds; no smaller set of rules could be singled out in the time given",)
    core = sorted(set(core)) or literals
    # Deletion pass: drop each literal whose removal keeps the conflict.
    for literal in list(core):
        if literal not in core or clock.monotonic() > deadline:
            continue
        trial = [x for x in core if x != literal]
        still, smaller = infeasible(trial)
        if still:
            core = sorted(set(smaller) & set(trial)) or trial
    return tuple(built.assumptions[i][1] for i in core)


def _travel_notes(tour: Tour, shows: list[_ShowDays], matrix: TravelMatrix, conflict: tuple[str, ...]) -> list[str]:
    """Travel facts between the shows a conflict names, so it reads as a whole."""
    named = [d for d in shows if any(f"`{d.show.id}`" in text for text in conflict)]
    notes = []
    for i, a in enumerate(named):
        for b in named[i + 1:]:
            if a.venue.id != b.venue.id:
                leg = matrix.leg(a.venue.id, b.venue.id)
                notes.append(f"travel between `{a.show.id}` and `{b.show.id}` takes {leg.minutes // 60}h"
                             f"{leg.minutes % 60:02d} ({leg.km:.0f} km)")
    return notes[:6]


def solve(tour: Tour, matrix: TravelMatrix, params: ScheduleParams = ScheduleParams()) -> ScheduleResult:
    """Choose the dates and order of the tour's shows.

    Parameters
    ----------
    tour
        The tour; its shows, venues, crew, rules and weights are used.
    matrix
        Travel between the tour's places for the fleet's slowest vehicle kind
        (see :func:`lead_kind`).
    params
        Time limit, seed, workers and progress reporting.

    Returns
    -------
    ScheduleResult
        Bookings in tour order, dropped optional shows with reasons, and the solver's
        status, objective, bound, gap and wall time; an infeasible tour carries the
        conflicting rules in ``conflicts``.
    """
    started = clock.monotonic()
    kind = lead_kind(tour)
    all_days = [_show_days(tour, show) for show in tour.shows]

    # Obvious cases first: a show with no possible date at all.
    hopeless = [d for d in all_days if not d.starts]
    conflicts = tuple(_no_date_reason(tour, d) for d in hopeless if d.show.required)
    if conflicts:
        return ScheduleResult("infeasible", conflicts=conflicts, wall_time_s=clock.monotonic() - started,
                              lead_kind=kind)
    shows = [d for d in all_days if d.starts]
    dropped = {d.show.id: _no_date_reason(tour, d) for d in hopeless}

    built = _build(tour, shows, matrix, explain=False)
    for d in shows:  # a required show the path cannot reach in the season
        if d.show.required and not built.starts[d.show.id]:
            reason = (f"show `{d.show.id}` cannot be reached from home and back within the season on any of its "
                      f"possible dates ({_date_ranges(tour, [d.first_night(t) for t in d.starts])})")
            return ScheduleResult("infeasible", conflicts=(reason,), wall_time_s=clock.monotonic() - started,
                                  lead_kind=kind)

    if params.previous_starts:
        _add_stability(tour, built, params)
    warm_share = WARM_START_SHARE * params.time_limit_s
    warm = _warm_start(tour, shows, built, params, warm_share) \
        if params.warm_start and not params.previous_starts and len(shows) >= WARM_START_MIN_SHOWS else None
    if warm is not None and params.progress is not None:
        params.progress(clock.monotonic() - started, _cost(tour, shows, built, warm) / 100, -math.inf)
    solver = _solver(params, params.time_limit_s - (clock.monotonic() - started))
    callback = _Progress(params.progress, 0) if params.progress else None
    code = solver.solve(built.model, callback)
    status = _STATUS[code]
    if status == "infeasible":
        conflict = _explain(tour, shows, matrix, params)
        conflict = conflict + tuple(_travel_notes(tour, shows, matrix, conflict))
        return ScheduleResult("infeasible", conflicts=conflict, wall_time_s=clock.monotonic() - started,
                              lead_kind=kind)
    raw_bound = solver.best_objective_bound
    # Without a solution CP-SAT may still have proved a bound; an infinite one says nothing.
    bound = raw_bound / 100 if math.isfinite(raw_bound) and abs(raw_bound) < 1e15 else None
    if status in ("optimal", "feasible"):
        placement = {sid: solver.value(built.path.start[sid]) for sid, lit in built.path.visit.items()
                     if solver.boolean_value(lit)}
        objective = solver.objective_value / 100
    else:
        placement, objective = None, None
    # The warm start is itself a plan that keeps every rule: it stands when CP-SAT found
    # nothing better in the time left.
    if warm is not None:
        warm_cost = _cost(tour, shows, built, warm) / 100
        if objective is None or warm_cost < objective:
            placement, objective = warm, warm_cost
            status = "feasible"
            if bound is not None and bound >= objective:
                bound = None  # CP-SAT's bound of a search that found nothing is no bound
    if placement is None:
        return ScheduleResult("unknown", wall_time_s=clock.monotonic() - started, lead_kind=kind)
    if bound is not None:
        bound = min(bound, objective)
    by_id = {d.show.id: d for d in shows}
    day = lambda offset: tour.season.start + timedelta(days=offset)  # noqa: E731
    ordered = sorted(placement.items(), key=lambda item: item[1])
    bookings = [Booking(sid, by_id[sid].venue.id, day(by_id[sid].first_night(t)), by_id[sid].nights, day(t))
                for sid, t in ordered]
    departure = return_home = None
    if ordered:
        problem = built.problem
        first_id, first_start = ordered[0]
        last_id, last_start = ordered[-1]
        departure = day(first_start - problem.travel[0][problem.index(first_id)] + 1)
        return_home = day(by_id[last_id].last_night(last_start)
                          + problem.travel[problem.index(last_id)][problem.end_node])
    for d in shows:
        if not d.show.required and d.show.id not in placement:
            dropped[d.show.id] = _why_dropped(tour, d, bookings, by_id, built, matrix)
    gap = 0.0 if status == "optimal" else (
        abs(objective - bound) / max(1.0, abs(objective)) if bound is not None else None)
    ordered_dropped = tuple(Dropped(s.id, dropped[s.id]) for s in tour.shows if s.id in dropped)
    return ScheduleResult(status, tuple(bookings), ordered_dropped, departure, return_home, objective, bound, gap,
                          clock.monotonic() - started, lead_kind=kind)


def _add_stability(tour: Tour, built: _Model, params: ScheduleParams) -> None:
    """Hint the previous start days and charge ``move_penalty`` per show not kept on its day."""
    model, penalty = built.model, money_to_cents(params.move_penalty)
    objective = model.proto.objective
    for sid, previous in params.previous_starts:
        if sid not in built.starts:
            continue
        t = (previous - tour.season.start).days
        for u, literal in built.starts[sid].items():
            model.add_hint(literal, u == t)
        kept = built.starts[sid].get(t)
        if kept is not None and penalty:
            # penalty * (1 - kept), written into the objective the model already has.
            objective.vars.append(kept.index)
            objective.coeffs.append(-penalty)
            objective.offset += penalty


def _cost(tour: Tour, shows: list[_ShowDays], built: _Model, placement: dict[str, int]) -> int:
    """The objective, in cents, of shows placed on these start days (as the model counts it)."""
    by_id = {d.show.id: d for d in shows}
    problem = built.problem
    order = [sid for sid, _ in sorted(placement.items(), key=lambda item: item[1])]
    total = sum(built.arc_cost.get(pair, 0) for pair in zip([START, *order], [*order, END]))
    weights = tour.weights
    for sid, t in placement.items():
        d = by_id[sid]
        if not d.show.required:
            total -= money_to_cents(tour.show_fee(d.show) * weights.optional_fee)
        if d.show.preferred_dates and weights.preferred_date_miss:
            night = tour.season.start + timedelta(days=d.first_night(t))
            if not any(night in r for r in d.show.preferred_dates):
                total += money_to_cents(weights.preferred_date_miss)
    per_day = sum(v.cost_per_day for v in tour.vehicles) * weights.cost
    if per_day and order:
        departure = placement[order[0]] - problem.travel[0][problem.index(order[0])] + 1
        back = by_id[order[-1]].last_night(placement[order[-1]]) + problem.travel[problem.index(order[-1])][
            problem.end_node]
        total += money_to_cents(per_day) * (back - departure + 1)
    elif per_day:
        total += money_to_cents(per_day)  # an empty tour still counts its one day, as the model does
    return total


@lru_cache(maxsize=65536)
def _straight_km(a: Place, b: Place) -> float:
    """Radius clauses are written as the crow flies: geodesic km between two venues."""
    return geodesic(a.coordinates, b.coordinates).km


def _radius_clash(a: _ShowDays, start_a: int, b: _ShowDays, start_b: int) -> Venue | None:
    """The venue whose radius clause forbids these two shows on these dates, if any."""
    for clause, other, start_c, start_o in ((a, b, start_a, start_b), (b, a, start_b, start_a)):
        venue = clause.venue
        if venue.radius_km is None:
            continue
        if _straight_km(venue.place, other.venue.place) > venue.radius_km:
            continue
        apart = max(other.first_night(start_o) - clause.last_night(start_c),
                    clause.first_night(start_c) - other.last_night(start_o))
        if apart <= venue.radius_days:
            return venue
    return None


def _rhythm_clash(tour: Tour, nights: set[int], busy: set[int]) -> str | None:
    limit, off = tour.rules.max_consecutive_show_days, tour.rules.days_off_per_week
    for first in sorted(nights):
        if all(first + k in nights for k in range(limit + 1)):
            return f"at most {limit} show days in a row"
    for first in sorted(busy):
        if off and sum(first + k in busy for k in range(7)) > 7 - off:
            return f"at least {off} day(s) off in any 7"
    return None


def _why_dropped(tour: Tour, d: _ShowDays, bookings: list[Booking], by_id: dict[str, _ShowDays],
                 built: _Model, matrix: TravelMatrix) -> str:
    """Why an optional show is not in the plan, checked against the plan's own dates."""
    problem = built.problem
    fee = tour.show_fee(d.show)
    origin = tour.season.start
    placed = [(by_id[b.show_id], (b.setup_start - origin).days) for b in bookings]
    nights = {o.first_night(t) + k for o, t in placed for k in range(o.nights)}
    busy = {t + k for o, t in placed for k in range(o.setup + o.nights)}
    reasons: dict[str, int] = {}
    taken_by: list[str] = []
    best: tuple[float, int] | None = None
    for start in built.starts[d.show.id] or d.starts:
        end = d.last_night(start)
        taken = [o.show.id for o, t in placed if not (o.last_night(t) < start or t > end)]
        if taken:
            taken_by += [x for x in taken if x not in taken_by]
            continue
        before = [(o, t) for o, t in placed if o.last_night(t) < start]
        after = [(o, t) for o, t in placed if t > end]
        prev_id = before[-1][0].show.id if before else START
        next_id = after[0][0].show.id if after else END
        prev_last = before[-1][0].last_night(before[-1][1]) if before else -1
        next_first = after[0][1] if after else problem.end_by
        me = problem.index(d.show.id)
        if start < prev_last + problem.travel[problem.index(prev_id)][me] or \
                end + problem.travel[me][problem.index(next_id)] > next_first:
            reason = "no time to travel there and on between the booked shows"
            reasons[reason] = reasons.get(reason, 0) + 1
            continue
        clash = next((v for o, t in placed if (v := _radius_clash(d, start, o, t)) is not None), None)
        if clash is not None:
            reason = f"the radius clause of `{clash.id}` ({clash.radius_km:g} km, {clash.radius_days} days)"
            reasons[reason] = reasons.get(reason, 0) + 1
            continue
        rhythm = _rhythm_clash(tour, nights | {d.first_night(start) + k for k in range(d.nights)},
                               busy | {start + k for k in range(d.setup + d.nights)})
        if rhythm is not None:
            reasons[rhythm] = reasons.get(rhythm, 0) + 1
            continue
        extra = (built.arc_cost.get((prev_id, d.show.id), 0) + built.arc_cost.get((d.show.id, next_id), 0)
                 - built.arc_cost.get((prev_id, next_id), 0)) / 100
        if best is None or extra < best[0]:
            best = (extra, start)
    if best is not None:
        extra, start = best
        when = origin + timedelta(days=d.first_night(start))
        weighed = fee * tour.weights.optional_fee
        if extra >= weighed:
            return (f"it fits on {when}, but the extra travel would cost {extra:,.0f} {tour.currency} against a fee "
                    f"of {fee:,.0f} {tour.currency}")
        return (f"it fits on {when} and would add {weighed - extra:,.0f} {tour.currency}; the solver stopped "
                "at its time limit before finding it")
    if taken_by:
        reasons[f"taken by {', '.join(f'`{x}`' for x in taken_by)}"] = 0
    if not reasons:
        return "no possible date can be reached from home and back within the season"
    ranked = sorted(reasons, key=lambda r: -reasons[r])
    return (f"none of its possible dates ({_date_ranges(tour, [d.first_night(t) for t in d.starts])}) is free: "
            + "; ".join(ranked[:3]))
