"""Choose which stops to visit on one path, and in what order: the selection-and-sequencing core.

The problem is the orienteering problem with (multiple) time windows and mandatory
nodes: one path leaves a start depot at ``start_time``, visits a subset of the stops, each
inside one of its time windows, and reaches an end depot by ``end_by``. Every visited
stop earns its prize; required stops must be visited. The goal is the largest total prize.

Two entry points:

- :func:`add_path` puts the path into an existing CP-SAT model and returns the handles
  (visit literal, start-time variable, arc literals, all keyed by stop ids), so that a
  caller such as the tour-date scheduler can add side constraints to the same model.
- :func:`solve_path` solves the plain problem: an iterated local search builds a good
  path quickly, CP-SAT receives it as a hint and improves it and bounds it.

Units
-----
All times (durations, windows, travel, ``start_time``, ``end_by``) are integers in one
unit that the caller chooses (minutes for a tour, tenths or hundredths of a distance unit
for the OPTW benchmark); prizes are integers too. This module never scales anything:
whoever builds a :class:`PathProblem` converts to integers once, in one place, and says
which unit it used. CP-SAT needs integers; keeping the conversion outside also makes the
rounding the caller's explicit choice rather than a hidden one here.

Travel matrix
-------------
``travel`` is a square matrix of size ``len(stops) + 2`` over the nodes
``[start depot] + stops + [end depot]`` in that order: row/column 0 is the start depot,
``i + 1`` is ``stops[i]``, and the last one is the end depot. ``travel[a][b]`` is the time
from leaving ``a`` to arriving at ``b``; it need not be symmetric nor obey the triangle
inequality. Waiting before a window opens is allowed; a visit starts at the earliest
moment allowed by its windows (windows bound the *start* of the visit, both ends
inclusive), and its duration follows.

Determinism
-----------
The local search is driven by a seeded ``random.Random`` and bounded by a count of
iterations, never by the clock, so it gives the same path for the same seed on any
machine. CP-SAT gets ``random_seed`` and ``num_workers``; with ``deterministic=True`` it
also interleaves its workers and stops on deterministic time (its work counter) instead
of wall time, which makes the whole solve reproducible at the cost of some speed.
"""

from __future__ import annotations

import bisect
import enum
import random
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

from ortools.sat.python import cp_model

from touring.errors import FieldError

# How solve_path shares its time. Budgets are in deterministic units (local-search
# evaluations, CP-SAT deterministic time) so that a run is reproducible; the shares of
# wall time are only guards for slow or busy machines.
WORK_PER_SECOND = 1_200_000
"""Local-search work units per second of ``time_limit_s`` (one 2020s core does 3-7 million
a second on the OPTW benchmark, so this is about a third of the time)."""
SEARCH_SHARE_CAP = 0.4
"""The local search stops at this share of ``time_limit_s`` whatever its work budget."""
SEGMENT_DTIME_PER_SECOND = 0.1
"""CP-SAT deterministic time for segment re-solving per second of ``time_limit_s``
(deterministic time ran 2-3 times slower than the wall clock on the benchmark)."""
SEGMENT_SHARE_CAP = 0.65
"""Segment re-solving stops at this share of ``time_limit_s``; CP-SAT gets the rest."""
SEGMENT_MAX = 8
"""Longest stretch of consecutive visits re-solved at once."""
SEGMENT_POOL = 20
"""Unvisited stops offered to a stretch, the closest to its gap first."""
SEGMENT_DTIME = 0.3
"""CP-SAT deterministic time for one stretch."""
SEGMENT_STALE = 300
"""Stretches in a row without a gain before segment re-solving gives up."""

START = "<start>"
"""Key of the start depot in :attr:`PathHandles.arc`."""
END = "<end>"
"""Key of the end depot in :attr:`PathHandles.arc`."""


def _require(condition: bool, field_name: str, message: str) -> None:
    if not condition:
        raise FieldError(field_name, message)


def _is_int(value: object) -> bool:
    # bool is an int subclass; True as a duration is almost certainly a bug upstream.
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Stop:
    """A place the path may visit.

    Parameters
    ----------
    id
        Unique, non-empty; used in variable names and result keys.
    prize
        Earned when visited; a non-negative integer.
    duration
        Time spent at the stop, a non-negative integer.
    windows
        One or more ``(earliest, latest)`` bounds for the *start* of the visit, both
        inclusive, ascending and not overlapping.
    required
        The path must visit this stop.
    """

    id: str
    prize: int
    duration: int
    windows: tuple[tuple[int, int], ...]
    required: bool = False

    def __post_init__(self) -> None:
        _require(isinstance(self.id, str) and bool(self.id), "id", "must be a non-empty string")
        _require(self.id not in (START, END), "id", f"{self.id!r} is reserved for the depots")
        _require(_is_int(self.prize) and self.prize >= 0, "prize",
                 f"must be a non-negative integer, got {self.prize!r}")
        _require(_is_int(self.duration) and self.duration >= 0, "duration",
                 f"must be a non-negative integer, got {self.duration!r}")
        windows = tuple(tuple(w) for w in self.windows)
        object.__setattr__(self, "windows", windows)
        _require(len(windows) > 0, "windows", "needs at least one window")
        previous_end = None
        for window in windows:
            _require(len(window) == 2 and all(_is_int(v) for v in window), "windows",
                     f"each window is a pair of integers, got {window!r}")
            lo, hi = window
            _require(lo <= hi, "windows", f"window {window} ends before it starts")
            _require(previous_end is None or lo > previous_end, "windows",
                     f"windows must be ascending and disjoint, {window} overlaps or precedes "
                     f"the one ending at {previous_end}")
            previous_end = hi


@dataclass(frozen=True)
class PathProblem:
    """One path from a start depot to an end depot through a choice of stops.

    Parameters
    ----------
    stops
        The candidate stops, ids unique.
    travel
        Square integer matrix of size ``len(stops) + 2`` over
        ``[start depot] + stops + [end depot]`` (see the module docstring).
    start_time
        When the path leaves the start depot.
    end_by
        Latest arrival at the end depot.
    """

    stops: tuple[Stop, ...]
    travel: tuple[tuple[int, ...], ...]
    start_time: int
    end_by: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "stops", tuple(self.stops))
        object.__setattr__(self, "travel", tuple(tuple(row) for row in self.travel))
        _require(all(isinstance(s, Stop) for s in self.stops), "stops", "must all be Stop")
        ids = [s.id for s in self.stops]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        _require(not duplicates, "stops", f"duplicate ids {duplicates}")
        size = len(self.stops) + 2
        _require(len(self.travel) == size and all(len(row) == size for row in self.travel),
                 "travel", f"must be a {size}x{size} matrix over [start] + stops + [end]")
        for a, row in enumerate(self.travel):
            for b, value in enumerate(row):
                _require(_is_int(value) and value >= 0, "travel",
                         f"travel[{a}][{b}] must be a non-negative integer, got {value!r}")
        _require(_is_int(self.start_time), "start_time", "must be an integer")
        _require(_is_int(self.end_by), "end_by", "must be an integer")
        _require(self.end_by >= self.start_time, "end_by",
                 f"{self.end_by} is before start_time {self.start_time}")

    @property
    def end_node(self) -> int:
        """Index of the end depot in :attr:`travel`."""
        return len(self.stops) + 1

    def index(self, stop_id: str) -> int:
        """Index of a stop (or depot key) in :attr:`travel`."""
        if stop_id == START:
            return 0
        if stop_id == END:
            return self.end_node
        return self._index_of[stop_id]

    @property
    def _index_of(self) -> dict[str, int]:
        cached = self.__dict__.get("_index_cache")
        if cached is None:
            cached = {s.id: i + 1 for i, s in enumerate(self.stops)}
            object.__setattr__(self, "_index_cache", cached)
        return cached


class Status(str, enum.Enum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Visit:
    stop_id: str
    start: int


@dataclass(frozen=True)
class PathResult:
    """What :func:`solve_path` found.

    ``visits`` is empty when no path was found (see ``status``). ``bound`` is an upper
    bound on the prize of any path; ``gap`` is ``(bound - prize) / bound`` (0 when the bound
    is 0). ``heuristic_prize`` is the prize of the warm start given to CP-SAT (``None``
    when the local search found no path), kept to see what each phase contributed.
    """

    status: Status
    visits: tuple[Visit, ...]
    prize: int
    bound: int
    gap: float
    wall_time_s: float
    heuristic_prize: int | None = None

    @property
    def order(self) -> tuple[str, ...]:
        return tuple(v.stop_id for v in self.visits)

    @property
    def found(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)


@dataclass(frozen=True)
class PathHandles:
    """The CP-SAT variables of one path, keyed by stop id.

    ``arc`` is keyed by ``(from_id, to_id)`` with :data:`START` and :data:`END` for the
    depots; only arcs that can be part of a feasible path exist. ``visit[id]`` is also the
    negation of the stop's self-loop in the circuit. ``start[id]`` is the visit's start
    time; for a stop that is not visited it is free within its windows and means nothing.
    ``end_time`` is the arrival at the end depot, and ``prize`` the objective expression
    (not yet set as the objective: the caller decides).
    """

    visit: Mapping[str, cp_model.IntVar]
    start: Mapping[str, cp_model.IntVar]
    arc: Mapping[tuple[str, str], cp_model.IntVar]
    end_time: cp_model.IntVar
    prize: cp_model.LinearExprT


def schedule(problem: PathProblem, order: Sequence[str]) -> tuple[int, ...] | None:
    """Earliest start times of the stops visited in ``order``, or ``None`` if infeasible.

    Parameters
    ----------
    problem
        The problem the order belongs to.
    order
        Stop ids in visiting order, each at most once (unknown or repeated ids raise
        ``ValueError``).

    Returns
    -------
    tuple of int or None
        The start of each visit, or ``None`` when some window is missed or the end depot
        is reached after ``end_by``. Required stops are not checked here.
    """
    _require(len(set(order)) == len(order), "order", "repeats a stop")
    unknown = [i for i in order if i not in problem._index_of]
    _require(not unknown, "order", f"unknown stop ids {unknown}")
    travel = problem.travel
    node, departure = 0, problem.start_time
    starts = []
    for stop_id in order:
        nxt = problem.index(stop_id)
        stop = problem.stops[nxt - 1]
        begin = _earliest_start(stop.windows, departure + travel[node][nxt])
        if begin is None:
            return None
        starts.append(begin)
        node, departure = nxt, begin + stop.duration
    if departure + travel[node][problem.end_node] > problem.end_by:
        return None
    return tuple(starts)


def _earliest_start(windows: Sequence[tuple[int, int]], arrival: int) -> int | None:
    for lo, hi in windows:
        if arrival <= hi:
            return max(lo, arrival)
    return None


# --------------------------------------------------------------------------------------
# Reachability: shared by the CP-SAT model (domains, arcs) and the local search.
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Reach:
    """Per node, the windows cut to what a path could use; per arc, whether it can occur."""

    windows: tuple[tuple[tuple[int, int], ...], ...]  # index = node; depots hold one window
    arcs: tuple[tuple[int, int], ...]  # node pairs, stops and depots, no self-loops

    def reachable(self, node: int) -> bool:
        return bool(self.windows[node])


def _shortest(weights: Sequence[Sequence[int]], source: int, through: range) -> list[float]:
    """Dense Dijkstra from ``source``; only nodes in ``through`` may lie in between."""
    size = len(weights)
    dist = [float("inf")] * size
    dist[source] = 0
    done = [False] * size
    node = source
    while node is not None:
        done[node] = True
        if node == source or node in through:
            row = weights[node]
            for b in range(size):
                if not done[b] and dist[node] + row[b] < dist[b]:
                    dist[b] = dist[node] + row[b]
        pending = [(dist[b], b) for b in range(size) if not done[b] and dist[b] < float("inf")]
        node = min(pending)[1] if pending else None
    return dist


def _reach(problem: PathProblem) -> _Reach:
    travel, end = problem.travel, problem.end_node
    durations = [0] + [s.duration for s in problem.stops] + [0]
    # Fastest way to reach each stop from the start and to get home after it, through any
    # other stops, their windows ignored. The direct trip is not enough: the triangle
    # inequality is not assumed (road-time matrices often break it, truncated distances
    # by a unit), and a detour may be quicker.
    stops = range(1, end)
    forward = _shortest([[durations[a] + travel[a][b] for b in range(end + 1)]
                         for a in range(end + 1)], 0, stops)
    backward = _shortest([[travel[b][a] + durations[a] for b in range(end + 1)]
                          for a in range(end + 1)], end, stops)
    windows: list[tuple[tuple[int, int], ...]] = [((problem.start_time, problem.start_time),)]
    for i, stop in enumerate(problem.stops, start=1):
        if forward[i] == float("inf") or backward[i] == float("inf"):
            windows.append(())
            continue
        earliest = problem.start_time + int(forward[i])
        latest = problem.end_by - stop.duration - int(backward[i])
        cut = tuple((max(lo, earliest), min(hi, latest)) for lo, hi in stop.windows
                    if max(lo, earliest) <= min(hi, latest))
        windows.append(cut)
    windows.append(((problem.start_time, problem.end_by),))
    arcs = []
    for a in range(end + 1):
        if not windows[a] or a == end:
            continue
        first = windows[a][0][0] + durations[a]
        for b in range(1, end + 1):
            if b == a or not windows[b]:
                continue
            if first + travel[a][b] <= windows[b][-1][1]:
                arcs.append((a, b))
    return _Reach(tuple(windows), tuple(arcs))


# --------------------------------------------------------------------------------------
# CP-SAT model
# --------------------------------------------------------------------------------------

def add_path(model: cp_model.CpModel, problem: PathProblem, *, prefix: str = "") -> PathHandles:
    """Add one path through ``problem`` to ``model`` and return its variables.

    The path is a circuit over the start depot, the stops and the end depot, closed by a
    fixed arc from the end depot back to the start; a stop left out takes its self-loop.
    Arc literals enforce the time precedence ``start[j] >= start[i] + duration[i] +
    travel[i][j]``; each start-time domain is the union of the stop's windows, cut to what
    can be reached from the start depot and still return home in time. Arcs that no path
    could use are not created. No objective is set.

    Parameters
    ----------
    model
        The model to add to; it may already hold other variables and constraints.
    problem
        The stops, travel times and horizon.
    prefix
        Prepended to every variable name, to tell several paths apart in one model.

    Returns
    -------
    PathHandles
        Visit literals, start times and arc literals keyed by stop ids, the arrival at the
        end depot and the prize expression.
    """
    reach = _reach(problem)
    end = problem.end_node
    names = [START] + [s.id for s in problem.stops] + [END]
    durations = [0] + [s.duration for s in problem.stops] + [0]

    # Step 1: one start-time variable per node, its domain the reachable windows.
    times: list[cp_model.IntVar] = []
    for node, name in enumerate(names):
        cut = reach.windows[node]
        if not cut:
            # Unreachable: the value is never constrained, keep one legal point.
            original = problem.stops[node - 1].windows
            cut = (original[0][0], original[0][0]),
        domain = cp_model.Domain.from_intervals([list(w) for w in cut])
        times.append(model.new_int_var_from_domain(domain, f"{prefix}start[{name}]"))

    # Step 2: visit literals; required stops are forced, unreachable ones are excluded.
    visit: dict[str, cp_model.IntVar] = {}
    for node, stop in enumerate(problem.stops, start=1):
        literal = model.new_bool_var(f"{prefix}visit[{stop.id}]")
        visit[stop.id] = literal
        if stop.required:
            model.add(literal == 1)
        if not reach.reachable(node):
            model.add(literal == 0)

    # Step 3: the circuit; self-loops carry the "not visited" of optional stops.
    arcs: dict[tuple[str, str], cp_model.IntVar] = {}
    circuit = []
    for a, b in reach.arcs:
        literal = model.new_bool_var(f"{prefix}arc[{names[a]}->{names[b]}]")
        arcs[(names[a], names[b])] = literal
        circuit.append((a, b, literal))
        # Step 4: time precedence along a used arc.
        model.add(times[b] >= times[a] + durations[a] + problem.travel[a][b]).only_enforce_if(
            literal)
    for node, stop in enumerate(problem.stops, start=1):
        circuit.append((node, node, ~visit[stop.id]))
    circuit.append((end, 0, model.new_constant(1)))
    model.add_circuit(circuit)

    prize = sum(stop.prize * visit[stop.id] for stop in problem.stops if stop.prize)
    return PathHandles(visit=visit, start={s.id: times[i] for i, s in enumerate(problem.stops, 1)},
                       arc=arcs, end_time=times[end], prize=prize)


def _hint(model: cp_model.CpModel, problem: PathProblem, handles: PathHandles,
          order: Sequence[str], starts: Sequence[int]) -> None:
    """Hint every path variable, so CP-SAT can take the order as a complete first solution."""
    model.clear_hints()
    chosen = set(order)
    for stop in problem.stops:
        model.add_hint(handles.visit[stop.id], stop.id in chosen)
    used = set(zip([START, *order], [*order, END]))
    for key, literal in handles.arc.items():
        model.add_hint(literal, key in used)
    start_of = dict(zip(order, starts))
    for stop in problem.stops:
        var = handles.start[stop.id]
        if stop.id in start_of:
            model.add_hint(var, start_of[stop.id])
        else:
            domain = var.proto.domain
            model.add_hint(var, domain[0])
    last, departure = 0, problem.start_time
    if order:
        last = problem.index(order[-1])
        departure = starts[-1] + problem.stops[last - 1].duration
    model.add_hint(handles.end_time, departure + problem.travel[last][problem.end_node])


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, report: Callable[[float, int, int], None], clock: float):
        super().__init__()
        self._report = report
        self._clock = clock

    def on_solution_callback(self) -> None:
        self._report(time.monotonic() - self._clock, round(self.objective_value),
                     round(self.best_objective_bound))


# --------------------------------------------------------------------------------------
# Iterated local search (warm start)
# --------------------------------------------------------------------------------------

class _LocalSearch:
    """Iterated local search on one path, after Vansteenwegen et al. (2009).

    Vansteenwegen, Souffriau, Vanden Berghe, Van Oudheusden, *Iterated local search for
    the team orienteering problem with time windows*, Computers & OR 36(12), 2009: insert
    the stop with the best prize^a / extra-time ratio while one fits, then remove a run of
    consecutive visits and repeat. Added here, because the plain scheme stalls after a
    few hundred shakes: a random run to remove and a random exponent ``a`` per round
    (from the seeded ``rng``), a *replace* move (drop a visit for a dearer one that then
    fits), a *swap* of a visit for an unvisited stop of the same prize when the path then
    ends earlier, a 2-opt pass that makes the path end earlier to free time, and a return
    to the best path after a number of rounds without improvement. The replace and swap
    moves were what got the clustered (c10x) and pr instances unstuck.

    Times are kept as earliest starts with, per position, how far the arrival could be
    pushed later (``room``), so an insertion is checked in constant time. With several
    windows the room only counts the current window: a push into a later window is not
    tried, which can miss an insertion but never accepts a bad one.

    ``work`` counts elementary evaluations; the search stops on a budget of them rather
    than on the clock, so it is reproducible on any machine.
    """

    def __init__(self, problem: PathProblem, reach: _Reach, rng: random.Random):
        self.rng = rng
        self.travel = problem.travel
        self.end = problem.end_node
        self.start_time = problem.start_time
        self.end_by = problem.end_by
        self.duration = [0] + [s.duration for s in problem.stops] + [0]
        self.prize = [0] + [s.prize for s in problem.stops] + [0]
        self.weight = [float(p * p) for p in self.prize]
        self.required = {i for i, s in enumerate(problem.stops, 1) if s.required}
        self.lo = [[w[0] for w in ws] for ws in reach.windows]
        self.hi = [[w[1] for w in ws] for ws in reach.windows]
        self.candidates = [i for i in range(1, self.end) if reach.reachable(i)]
        self.work = 0
        self.reset_every = 8
        self.use_swap = True

    # -- times -------------------------------------------------------------------------
    def _begin(self, node: int, arrival: int) -> tuple[int, int] | None:
        """Earliest start at ``node`` for ``arrival`` and the end of the window it is in."""
        his = self.hi[node]
        k = bisect.bisect_left(his, arrival)
        if k == len(his):
            return None
        lo = self.lo[node][k]
        return (lo if lo > arrival else arrival), his[k]

    def timing(self, route: Sequence[int]) -> tuple[list[int], list[int]] | None:
        """Start times and, per position plus the end depot, the room to push arrival later.

        ``room[k]`` is how much the arrival at position ``k`` (``len(route)`` is the end
        depot) may grow without breaking anything downstream.
        """
        self.work += len(route) + 1
        travel, duration = self.travel, self.duration
        starts, window_end, arrivals = [], [], []
        node, departure = 0, self.start_time
        for nxt in route:
            arrival = departure + travel[node][nxt]
            found = self._begin(nxt, arrival)
            if found is None:
                return None
            arrivals.append(arrival)
            starts.append(found[0])
            window_end.append(found[1])
            node, departure = nxt, found[0] + duration[nxt]
        arrival_end = departure + travel[node][self.end]
        if arrival_end > self.end_by:
            return None
        room = [0] * (len(route) + 1)
        room[-1] = self.end_by - arrival_end
        for k in range(len(route) - 1, -1, -1):
            push = min(window_end[k] - starts[k], room[k + 1])
            room[k] = starts[k] - arrivals[k] + push
        return starts, room

    def _end_arrival(self, route: Sequence[int]) -> int | None:
        self.work += len(route) + 1
        travel, duration = self.travel, self.duration
        node, departure = 0, self.start_time
        for nxt in route:
            found = self._begin(nxt, departure + travel[node][nxt])
            if found is None:
                return None
            node, departure = nxt, found[0] + duration[nxt]
        arrival = departure + travel[node][self.end]
        return arrival if arrival <= self.end_by else None

    # -- moves -------------------------------------------------------------------------
    def best_insertion(self, route: Sequence[int], starts: list[int], room: list[int],
                       pool: Sequence[int]) -> tuple[float, int, int] | None:
        """The (ratio, node, position) of the best feasible insertion from ``pool``."""
        self.work += len(pool) * (len(route) + 1)
        travel, duration, weight = self.travel, self.duration, self.weight
        his, los = self.hi, self.lo
        best = None
        best_ratio = -1.0
        nodes = [0, *route, self.end]
        for pos in range(len(route) + 1):
            u, v = nodes[pos], nodes[pos + 1]
            departure = self.start_time if pos == 0 else starts[pos - 1] + duration[u]
            old_arrival = departure + travel[u][v]
            cap = room[pos]
            row_u = travel[u]
            for j in pool:
                arrival = departure + row_u[j]
                hj = his[j]
                if arrival > hj[-1]:
                    continue
                if len(hj) == 1:
                    lo = los[j][0]
                    begin = lo if lo > arrival else arrival
                else:
                    begin = self._begin(j, arrival)[0]
                shift = begin + duration[j] + travel[j][v] - old_arrival
                if shift > cap:
                    continue
                ratio = weight[j] / (shift if shift > 0 else 0.5)
                if ratio > best_ratio:
                    best_ratio, best = ratio, (ratio, j, pos)
        return best

    def fill(self, route: list[int], pool: set[int]) -> list[int]:
        """Insert from ``pool`` (updated in place) while something fits."""
        starts, room = self.timing(route)
        while pool:
            # Sorted, so ties go the same way in every run regardless of set ordering.
            best = self.best_insertion(route, starts, room, sorted(pool))
            if best is None:
                break
            _, j, pos = best
            route.insert(pos, j)
            pool.discard(j)
            starts, room = self.timing(route)
        return route

    def replace(self, route: list[int], pool: set[int]) -> list[int] | None:
        """Drop one optional visit for a dearer stop that then fits; ``None`` if none does."""
        prize = self.prize
        order = sorted(range(len(route)), key=lambda k: (prize[route[k]], k))
        for k in order:
            dropped = route[k]
            if dropped in self.required:
                continue
            dearer = [j for j in sorted(pool) if prize[j] > prize[dropped]]
            if not dearer:
                continue
            shorter = route[:k] + route[k + 1:]
            timed = self.timing(shorter)
            if timed is None:  # without the triangle inequality, a removal can make it late
                continue
            starts, room = timed
            best = self.best_insertion(shorter, starts, room, dearer)
            if best is not None:
                _, j, pos = best
                shorter.insert(pos, j)
                pool.discard(j)
                pool.add(dropped)
                return shorter
        return None

    def swap_equal(self, route: list[int], pool: set[int]) -> list[int] | None:
        """Trade a visit for an unvisited stop of the same prize if the path then ends
        earlier (more time left to insert); ``None`` if no such trade exists."""
        prize = self.prize
        finish = self._end_arrival(route)
        for k, dropped in enumerate(route):
            if dropped in self.required:
                continue
            same = [j for j in sorted(pool) if prize[j] == prize[dropped]]
            if not same:
                continue
            shorter = route[:k] + route[k + 1:]
            timed = self.timing(shorter)
            if timed is None:
                continue
            # The quickest place for a same-prize stop (weight 1: ratio = 1 / shift).
            saved, self.weight = self.weight, [1.0] * len(self.weight)
            try:
                best = self.best_insertion(shorter, *timed, same)
            finally:
                self.weight = saved
            if best is None:
                continue
            _, j, pos = best
            candidate = shorter[:pos] + [j] + shorter[pos:]
            end = self._end_arrival(candidate)
            if end is not None and end < finish:
                pool.discard(j)
                pool.add(dropped)
                return candidate
        return None

    def two_opt(self, route: list[int]) -> list[int]:
        """Reverse segments while that makes the path end earlier (frees time to insert)."""
        best_end = self._end_arrival(route)
        improved = True
        while improved:
            improved = False
            for a in range(len(route) - 1):
                for b in range(a + 1, len(route)):
                    candidate = route[:a] + route[a:b + 1][::-1] + route[b + 1:]
                    finish = self._end_arrival(candidate)
                    if finish is not None and finish < best_end:
                        route, best_end, improved = candidate, finish, True
        return route

    def improve(self, route: list[int]) -> list[int]:
        """Fill, then replace or tighten and fill again, until nothing changes."""
        pool = set(self.candidates) - set(route)
        route = self.fill(route, pool)
        while True:
            swapped = self.replace(route, pool)
            if swapped is not None:
                route = self.fill(swapped, pool)
                continue
            if self.use_swap:
                traded = self.swap_equal(route, pool)
                if traded is not None:
                    route = self.fill(traded, pool)
                    continue
            before = len(route)
            route = self.fill(self.two_opt(route), pool)
            if len(route) == before:
                return route

    def insert_required(self) -> list[int] | None:
        """A path through every required stop, by cheapest insertion, or ``None``."""
        route: list[int] = []
        pending = set(self.required)
        if not pending <= set(self.candidates):
            return None
        saved = self.weight
        # Rank by extra time only: prizes do not matter among stops that must go in.
        self.weight = [1.0] * len(saved)
        try:
            while pending:
                starts, room = self.timing(route)
                best = self.best_insertion(route, starts, room, sorted(pending))
                if best is None:
                    return None
                route.insert(best[2], best[1])
                pending.discard(best[1])
        finally:
            self.weight = saved
        return route

    def total(self, route: Sequence[int]) -> int:
        return sum(self.prize[i] for i in route)

    def shake(self, route: list[int], first: int, count: int) -> list[int]:
        """Remove ``count`` consecutive optional visits from position ``first`` (wrapping)."""
        if not route:
            return list(route)
        drop = {(first + k) % len(route) for k in range(count)}
        return [node for k, node in enumerate(route) if k not in drop or node in self.required]

    def run(self, initial: list[int] | None, budget: int, stale_limit: int,
            deadline: float = float("inf")) -> list[int] | None:
        """Search from ``initial`` (or from the required stops); stop after ``budget`` work
        units or ``stale_limit`` rounds without improvement, or at the ``deadline`` (a
        ``time.monotonic()`` value, a guard for slow machines that ends reproducibility)."""
        route = initial if initial is not None else self.insert_required()
        if route is None:
            return None
        route = self.improve(list(route))
        best, best_prize = list(route), self.total(route)
        stale = 0
        rng = self.rng
        while stale < stale_limit and self.work < budget and time.monotonic() < deadline:
            if route:
                size = rng.randint(1, max(1, len(route) // 3))
                shaken = self.shake(route, rng.randrange(len(route)), size)
                # Without the triangle inequality a removal can make the path late.
                if self.timing(shaken) is not None:
                    route = shaken
            exponent = rng.choice((1, 2, 2, 3))
            self.weight = [float(p ** exponent) for p in self.prize]
            route = self.improve(route)
            prize = self.total(route)
            if prize > best_prize:
                best, best_prize, stale = list(route), prize, 0
            else:
                stale += 1
                # Walk on from the current path, but come back to the best one now and
                # then so the walk does not drift into poor regions for long.
                if stale % self.reset_every == 0:
                    route = list(best)
        return best


# --------------------------------------------------------------------------------------
# Segment re-optimisation with CP-SAT (large neighbourhood search)
# --------------------------------------------------------------------------------------

def _segment_lns(problem: PathProblem, search: _LocalSearch, route: list[int],
                 rng: random.Random, dtime_budget: float, deadline: float,
                 pool_size: int = SEGMENT_POOL, max_length: int = SEGMENT_MAX) -> list[int]:
    """Improve ``route`` by re-solving short stretches of it exactly.

    A stretch of up to ``max_length`` consecutive visits, between two kept nodes ``u`` and
    ``v``, is itself a :class:`PathProblem`: leave ``u`` when the path does, reach ``v`` no
    later than its slack allows, and pick from the stretch's own stops plus the
    ``pool_size`` unvisited stops closest to the gap. CP-SAT solves that small problem
    (one worker, on deterministic time, hinted with the current stretch); a dearer
    answer replaces the stretch and the local search fills in after it. The local search
    is blind to such moves: in tight windows, several visits have to change together.
    Stops when CP-SAT's deterministic time adds up to ``dtime_budget``, after
    ``SEGMENT_STALE`` (or twice the number of reachable stops, if fewer) stretches in a row
    without a gain, or at ``deadline``.
    """
    travel, duration, end = problem.travel, search.duration, problem.end_node
    used, stale = 0.0, 0
    # Small paths have few distinct stretches; do not re-solve the same ones for long.
    patience = min(SEGMENT_STALE, 2 * len(search.candidates))
    while used < dtime_budget and stale < patience and time.monotonic() < deadline:
        stale += 1
        starts, room = search.timing(route)
        length = rng.randint(1, min(max_length, len(route))) if route else 0
        first = rng.randint(0, len(route) - length)
        u = route[first - 1] if first > 0 else 0
        v = route[first + length] if first + length < len(route) else end
        leave = starts[first - 1] + duration[u] if first > 0 else problem.start_time
        segment = route[first:first + length]
        # Arrival at v as the current stretch has it; v may arrive up to its room later.
        node, departure = u, leave
        for j in segment:
            departure = search._begin(j, departure + travel[node][j])[0] + duration[j]
            node = j
        latest_v = departure + travel[node][v] + room[first + length]
        outside = set(route) - set(segment)
        # Offer only stops that could fit in the gap on their own (in tight windows most
        # stops cannot), the closest first.
        free = []
        for j in search.candidates:
            if j in outside or j in segment:
                continue
            found = search._begin(j, leave + travel[u][j])
            if found is not None and found[0] + duration[j] + travel[j][v] <= latest_v:
                free.append(j)
        free.sort(key=lambda j: (travel[u][j] + travel[j][v], j))
        nodes = segment + free[:pool_size]
        stops = tuple(problem.stops[j - 1] for j in nodes)
        index = [u, *nodes, v]
        sub = PathProblem(stops=stops,
                          travel=tuple(tuple(travel[a][b] for b in index) for a in index),
                          start_time=leave, end_by=latest_v)
        model = cp_model.CpModel()
        handles = add_path(model, sub)
        model.maximize(handles.prize)
        order = [problem.stops[j - 1].id for j in segment]
        _hint(model, sub, handles, order, schedule(sub, order))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = rng.randrange(1 << 30)
        solver.parameters.max_deterministic_time = SEGMENT_DTIME
        code = solver.solve(model)
        used += solver.deterministic_time
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        if round(solver.objective_value) <= search.total(segment):
            continue
        new_segment = [problem.index(i) for i in _extract(sub, handles, solver)]
        candidate = route[:first] + new_segment + route[first + length:]
        if search.timing(candidate) is None:  # cannot happen unless room is wrong
            continue
        route, stale = search.improve(candidate), 0
    return route


# --------------------------------------------------------------------------------------
# Solve
# --------------------------------------------------------------------------------------

_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
    cp_model.MODEL_INVALID: Status.UNKNOWN,
    cp_model.UNKNOWN: Status.UNKNOWN,
}


def solve_path(problem: PathProblem, *, time_limit_s: float, seed: int = 0, workers: int = 2,
               hint: Sequence[str] | None = None,
               progress: Callable[[float, int, int], None] | None = None,
               search_work: int | None = None, search_iterations: int = 2000,
               segment_dtime: float | None = None,
               deterministic: bool = False) -> PathResult:
    """Find a path with the largest total prize.

    Step 1 runs an iterated local search (see :class:`_LocalSearch`) from ``hint`` or from
    scratch; step 2 re-solves short stretches of its path exactly with CP-SAT
    (:func:`_segment_lns`); step 3 gives the path to CP-SAT on the whole problem as a
    complete hint, to improve it and bound it for the rest of the time.

    Parameters
    ----------
    problem
        The stops, travel times and horizon.
    time_limit_s
        Wall-clock budget for the whole call, local search included.
    seed
        Seeds the local search and CP-SAT's ``random_seed``.
    workers
        CP-SAT's ``num_workers``. With one worker CP-SAT runs no large neighbourhood
        search, so two or more are much better when the cores are there.
    hint
        A previous order of stop ids; if it is feasible and has every required stop, the
        local search starts from it (so the hint CP-SAT receives is at least as good).
        Otherwise it is ignored.
    progress
        Called as ``progress(seconds, prize, bound)`` after the local search and for each
        improving CP-SAT solution.
    search_work
        Work budget of the local search (see :data:`WORK_PER_SECOND` for the default);
        0 skips it.
    search_iterations
        Shakes without improvement before the local search stops.
    segment_dtime
        CP-SAT deterministic time for re-solving stretches of the path (see
        :data:`SEGMENT_DTIME_PER_SECOND` for the default); 0 skips it.
    deterministic
        Make CP-SAT reproducible across runs with several workers: they are interleaved
        and the last step stops after ``(1 - SEGMENT_SHARE_CAP) * time_limit_s`` of
        deterministic time instead of at the wall-clock limit (so the call may take
        longer or shorter than ``time_limit_s``). With one worker and no time limit
        reached, or with this flag, equal seeds give equal results as long as the wall-time
        guards of steps 1 and 2 are not hit (they are not on a machine of today's speed).

    Returns
    -------
    PathResult
        Status, visits with earliest start times, prize, bound, gap and wall time.
        Infeasibility is a status, not an exception.
    """
    _require(time_limit_s > 0, "time_limit_s", f"must be positive, got {time_limit_s}")
    _require(_is_int(workers) and workers >= 1, "workers", f"must be at least 1, got {workers}")
    clock = time.monotonic()
    reach = _reach(problem)

    # Step 1: warm start from the local search.
    search = _LocalSearch(problem, reach, random.Random(seed))
    initial = None
    if hint is not None:
        hint = list(hint)
        if all(i in problem._index_of for i in hint) and len(set(hint)) == len(hint) \
                and _has_required(problem, hint) and schedule(problem, hint) is not None:
            initial = [problem.index(i) for i in hint]
    if search_work is None:
        search_work = int(time_limit_s * WORK_PER_SECOND)
    if segment_dtime is None:
        segment_dtime = time_limit_s * SEGMENT_DTIME_PER_SECOND
    warm = initial
    if search_work > 0:
        warm = search.run(initial, search_work, search_iterations,
                          clock + SEARCH_SHARE_CAP * time_limit_s)
    # Step 2: re-solve short stretches exactly, unless every reachable stop is in already.
    if warm is not None and segment_dtime > 0 \
            and search.total(warm) < _prize_upper(problem, reach):
        warm = _segment_lns(problem, search, warm, random.Random(seed + 1), segment_dtime,
                            clock + SEGMENT_SHARE_CAP * time_limit_s)
    warm_order = [problem.stops[i - 1].id for i in warm] if warm is not None else None
    if warm_order is not None and not _has_required(problem, warm_order):
        warm_order = None
    warm_starts = schedule(problem, warm_order) if warm_order is not None else None
    heuristic_prize = None
    if warm_order is not None and warm_starts is not None:
        heuristic_prize = _prize(problem, warm_order)
        if progress is not None:
            progress(time.monotonic() - clock, heuristic_prize, _prize_upper(problem, reach))
    else:
        warm_order = None

    # Step 3: CP-SAT on the whole path, hinted with the warm start.
    model = cp_model.CpModel()
    handles = add_path(model, problem)
    model.maximize(handles.prize)
    if warm_order is not None:
        _hint(model, problem, handles, warm_order, warm_starts)
    solver = cp_model.CpSolver()
    params = solver.parameters
    params.random_seed = seed
    params.num_workers = workers
    if deterministic:
        # A fixed amount of work, not what the clock left over, or runs would differ.
        params.interleave_search = True
        params.max_deterministic_time = max(0.05, time_limit_s * (1 - SEGMENT_SHARE_CAP))
    else:
        params.max_time_in_seconds = max(0.05, time_limit_s - (time.monotonic() - clock))
    callback = _Progress(progress, clock) if progress is not None else None
    code = solver.solve(model, callback)
    status = _STATUS[code]

    order: list[str] | None = None
    prize = 0
    bound = _prize_upper(problem, reach)
    if status in (Status.OPTIMAL, Status.FEASIBLE):
        order = _extract(problem, handles, solver)
        prize = round(solver.objective_value)
        bound = round(solver.best_objective_bound)
    elif status == Status.INFEASIBLE:
        bound = 0
    if warm_order is not None and (order is None or heuristic_prize > prize):
        order, prize = warm_order, heuristic_prize
        if status == Status.UNKNOWN:
            status = Status.FEASIBLE
    visits: tuple[Visit, ...] = ()
    if order is not None:
        starts = schedule(problem, order)
        # CP-SAT's own start times are feasible too; the earliest ones are recomputed so the
        # answer does not depend on which of many equivalent timings a worker returned.
        assert starts is not None, "solver returned a path that misses a window"
        visits = tuple(Visit(i, t) for i, t in zip(order, starts))
    bound = max(bound, prize)
    gap = (bound - prize) / bound if bound > 0 else 0.0
    return PathResult(status=status, visits=visits, prize=prize, bound=bound, gap=gap,
                      wall_time_s=time.monotonic() - clock, heuristic_prize=heuristic_prize)


def _has_required(problem: PathProblem, order: Iterable[str]) -> bool:
    chosen = set(order)
    return all(s.id in chosen for s in problem.stops if s.required)


def _prize(problem: PathProblem, order: Iterable[str]) -> int:
    return sum(problem.stops[problem.index(i) - 1].prize for i in order)


def _prize_upper(problem: PathProblem, reach: _Reach) -> int:
    return sum(s.prize for i, s in enumerate(problem.stops, 1) if reach.reachable(i))


def _extract(problem: PathProblem, handles: PathHandles, solver: cp_model.CpSolver) -> list[str]:
    """Follow the arcs set in the solution from the start depot to the end depot."""
    successor = {a: b for (a, b), lit in handles.arc.items() if solver.boolean_value(lit)}
    order, node = [], successor[START]
    while node != END:
        order.append(node)
        node = successor[node]
    return order


def routing_baseline(problem: PathProblem, *, time_limit_s: float) -> tuple[str, ...]:
    """Order found by the OR-Tools routing solver alone, as a yardstick for benchmarks.

    One vehicle, every stop a disjunction whose penalty is its prize times more than any
    path can travel (so prize comes first, travel breaks ties), a time dimension with the
    windows, path-cheapest-arc then guided local search, stopped by wall time (so it is
    not reproducible). Required stops get no disjunction. Returns ``()`` when nothing is
    found.
    """
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    # Step 1: index manager; node 0 start depot, stops 1..n, n+1 end depot.
    end = problem.end_node
    manager = pywrapcp.RoutingIndexManager(end + 1, 1, [0], [end])
    routing = pywrapcp.RoutingModel(manager)
    durations = [0] + [s.duration for s in problem.stops] + [0]

    # Step 2: transit = service at the origin + travel; arc cost = travel.
    def transit(i: int, j: int) -> int:
        a, b = manager.IndexToNode(i), manager.IndexToNode(j)
        return durations[a] + problem.travel[a][b]

    def distance(i: int, j: int) -> int:
        return problem.travel[manager.IndexToNode(i)][manager.IndexToNode(j)]

    transit_index = routing.RegisterTransitCallback(transit)
    routing.SetArcCostEvaluatorOfAllVehicles(routing.RegisterTransitCallback(distance))

    # Step 3: time dimension; waiting is slack.
    horizon = problem.end_by
    routing.AddDimension(transit_index, horizon, horizon, False, "time")
    dim = routing.GetDimensionOrDie("time")
    dim.CumulVar(routing.Start(0)).SetRange(problem.start_time, problem.start_time)
    dim.CumulVar(routing.End(0)).SetRange(problem.start_time, problem.end_by)
    weight = problem.end_by - problem.start_time + 1
    for node, stop in enumerate(problem.stops, start=1):
        index = manager.NodeToIndex(node)
        cumul = dim.CumulVar(index)
        cumul.SetRange(stop.windows[0][0], stop.windows[-1][1])
        for (_, hi), (lo, _) in zip(stop.windows, stop.windows[1:]):
            cumul.RemoveInterval(hi + 1, lo - 1)
        if not stop.required:
            routing.AddDisjunction([index], stop.prize * weight)

    # Step 4: search parameters and solve.
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    params.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH)
    params.time_limit.FromMilliseconds(int(time_limit_s * 1000))
    solution = routing.SolveWithParameters(params)
    if solution is None:
        return ()

    # Step 5: the one place solver indices become stop ids.
    order = []
    index = solution.Value(routing.NextVar(routing.Start(0)))
    while not routing.IsEnd(index):
        order.append(problem.stops[manager.IndexToNode(index) - 1].id)
        index = solution.Value(routing.NextVar(index))
    return tuple(order)
