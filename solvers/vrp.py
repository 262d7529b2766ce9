"""Generic vehicle-routing core on OR-Tools routing (pywrapcp).

The transport-runs planner builds a :class:`Problem` (requests, vehicles, integer
matrices) and calls :func:`solve`. The core knows nothing about tours, people or
gear: only locations (rows of the matrices), requests, vehicles and rules.

Units and integer scaling
-------------------------
The units of touring are defined in ``solvers/units.py``; this core never rescales.
OR-Tools works on 64-bit integers only, so every quantity entering this module is
already an integer in a unit chosen by the caller:

* **time** (time windows, service times, travel-time matrix, driving limits,
  break durations) is one integer *time unit*. Callers pick the unit that keeps
  the precision they need: the transport planner converts with
  ``solvers/units.py`` (seconds for transport time), the Solomon benchmark uses
  tenths of the file's time unit (``floor(10 * d)``).
* **distance** (distance matrix) is one integer *distance unit* (metres for the
  planner, tenths for Solomon). Arc cost = distance * ``cost_per_distance``.
* **cost** (arc cost, fixed cost, penalties) is one integer cost unit (cents
  for the planner).
* **quantities** (demands, capacities) are integers per named dimension, e.g.
  ``{"seats": 1, "volume_dm3": 250, "payload_kg": 80}``.

Solver index conversion
-----------------------
OR-Tools numbers its *nodes* (our visit table: vehicle depots first, then one
node per stop of each request) and its *indices* (nodes plus duplicated
start/end copies). :class:`_NodeTable` is the only place that maps between
them and the domain ids.

Determinism
-----------
A routing search stopped by wall time is not reproducible: the number of
moves done before the deadline depends on the machine load. Setting
``SolveParams.solution_limit`` (OR-Tools) and ``SolveParams.iterations``
(PyVRP engine, which is seeded by ``SolveParams.seed``) gives a *reproducible
mode*: the search stops after a fixed amount of work and the time limit only
acts as a safety net. If the safety net fires, the result says so
(``hit_time_limit``) and is no longer guaranteed to be reproducible. On tiny
instances guided local search may find fewer improving solutions than the
limit and then runs to the time limit; ``metaheuristic="GREEDY_DESCENT"`` stops
at the first local optimum instead and is reproducible at any size.

Splits
------
``Problem.splits`` lets a request ride in pieces (several requests of its own, each
with its share of the demand): the whole, or every piece on a different vehicle, or
nothing. The pieces' active variables are tied (``ActiveVar(piece) ==
ActiveVar(first piece)``) and share a disjunction with the whole. OR-Tools' local
search moves one pair at a time, so it keeps splits all-or-none but never adds one to
a plan on its own: a split enters through a warm start or a first solution, or through
a relaxed search (``Split.all_or_none=False``) whose partial pieces the caller removes.

Driving rules
-------------
``VehicleSpec.max_driving`` caps a ``driving`` dimension whose transit is the
travel time only (EU: 9 h a day). ``VehicleSpec.break_rule`` puts optional
break intervals on the ``time`` dimension and calls
``RoutingDimension.SetBreakDistanceDurationOfVehicle``: OR-Tools then forbids
more than ``max_driving`` time units of route between two breaks of at least
``break_duration`` (the route start and end count as breaks). That span is
elapsed route time, so loading and waiting count as driving: stricter than EU
561/2006, never looser. A wait of ``break_duration`` or more counts as the break.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

__all__ = [
    "BreakRule",
    "Problem",
    "Request",
    "RoutingResult",
    "Route",
    "SolveParams",
    "Split",
    "Stop",
    "StopVisit",
    "TimeWindow",
    "VehicleSpec",
    "prefer_vehicles",
    "solve",
]

TIME = "time"
DRIVING = "driving"
VEHICLE_CHANGE = "vehicle_change"

# A horizon far beyond any working day yet small enough that sums of a few of
# them never overflow int64 in the solver.
_UNBOUNDED = 10**12
# Optional break intervals per vehicle at most: a 24 h shift under the EU rule
# needs 4; more would only slow the interval search.
_MAX_BREAKS = 6


# --------------------------------------------------------------------------- #
# Problem value types
# --------------------------------------------------------------------------- #


def _check_int(value: object, name: str, *, minimum: int | None = 0) -> None:
    # bool is an int subclass; a True capacity is always a caller bug.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")


def _check_quantities(values: Mapping[str, int], name: str) -> None:
    for key, value in values.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"{name} keys must be non-empty strings, got {key!r}")
        _check_int(value, f"{name}[{key!r}]")


@dataclass(frozen=True)
class TimeWindow:
    """Interval ``[start, end]`` (time units) bounding the *start* of service."""

    start: int = 0
    end: int = _UNBOUNDED

    def __post_init__(self) -> None:
        _check_int(self.start, "TimeWindow.start")
        _check_int(self.end, "TimeWindow.end")
        if self.end < self.start:
            raise ValueError(f"TimeWindow.end ({self.end}) is before start ({self.start})")


@dataclass(frozen=True)
class Stop:
    """One place a vehicle must visit to serve (part of) a request.

    Parameters
    ----------
    location : int
        Row/column of the location in the distance and travel-time matrices.
    window : TimeWindow
        When service may start.
    service : int
        Service (loading, boarding) duration in time units.
    """

    location: int
    window: TimeWindow = field(default_factory=TimeWindow)
    service: int = 0

    def __post_init__(self) -> None:
        _check_int(self.location, "Stop.location")
        if not isinstance(self.window, TimeWindow):
            raise ValueError(f"Stop.window must be a TimeWindow, got {self.window!r}")
        _check_int(self.service, "Stop.service")


@dataclass(frozen=True)
class Request:
    """A transport request: a single visit, or a pickup-and-delivery pair.

    A single visit (``delivery is None``) delivers ``demand`` that the vehicle
    loaded at its start depot. A pair loads ``demand`` at ``pickup`` and unloads
    it at ``delivery``, on the same vehicle, pickup first.

    Parameters
    ----------
    id : str
        Unique request id, used in routes and in the dropped list.
    pickup : Stop
        The visit (single) or the pickup stop (pair).
    delivery : Stop or None
        The delivery stop of a pair.
    demand : mapping of str to int
        Quantity per capacity dimension; missing dimensions are 0.
    penalty : int or None
        ``None``: mandatory. Otherwise the request is optional and dropping it
        costs ``penalty``.
    vehicles : tuple of str
        Ids of the only vehicles that may serve it (``SetAllowedVehiclesForIndex``);
        empty: any vehicle.
    keep_vehicle : str or None
        The vehicle that served it in the plan being revised (replanning).
    change_penalty : int
        Cost of serving it on another vehicle than ``keep_vehicle``: the stability
        term, in the cost unit of the arc costs.
    """

    id: str
    pickup: Stop
    delivery: Stop | None = None
    demand: Mapping[str, int] = field(default_factory=dict)
    penalty: int | None = None
    vehicles: tuple[str, ...] = ()
    keep_vehicle: str | None = None
    change_penalty: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"Request.id must be a non-empty string, got {self.id!r}")
        if not isinstance(self.pickup, Stop):
            raise ValueError(f"Request.pickup must be a Stop, got {self.pickup!r}")
        if self.delivery is not None and not isinstance(self.delivery, Stop):
            raise ValueError(f"Request.delivery must be a Stop or None, got {self.delivery!r}")
        _check_quantities(self.demand, "Request.demand")
        if self.penalty is not None:
            _check_int(self.penalty, "Request.penalty")
        _check_int(self.change_penalty, "Request.change_penalty")

    @property
    def is_pair(self) -> bool:
        """Whether the request is a pickup-and-delivery pair."""
        return self.delivery is not None

    def stops(self) -> tuple[Stop, ...]:
        """The request's stops in service order."""
        return (self.pickup,) if self.delivery is None else (self.pickup, self.delivery)


@dataclass(frozen=True)
class BreakRule:
    """At most ``max_driving`` between breaks of at least ``break_duration``.

    EU 561/2006 art. 7 is ``BreakRule(270, 45)`` in minutes. The span between
    breaks is measured on the time dimension (see "Driving rules" in the module
    docstring): the rule is enforced conservatively.
    """

    max_driving: int
    break_duration: int

    def __post_init__(self) -> None:
        _check_int(self.max_driving, "BreakRule.max_driving", minimum=1)
        _check_int(self.break_duration, "BreakRule.break_duration", minimum=1)


@dataclass(frozen=True)
class VehicleSpec:
    """One vehicle (one route at most).

    Parameters
    ----------
    id : str
        Unique vehicle id.
    start, end : int
        Matrix locations of the start and end depots (may differ).
    capacities : mapping of str to int
        Capacity per named dimension. A dimension the vehicle does not list has
        capacity 0 on it.
    cost_per_distance : int
        Arc cost multiplier.
    fixed_cost : int
        Cost paid if the vehicle is used.
    shift : TimeWindow
        Earliest departure from ``start`` and latest return to ``end``.
    max_driving : int or None
        Total driving time allowed on the route (EU: 540 min a day).
    break_rule : BreakRule or None
        Driving-break rule.
    max_span : int or None
        Longest time from leaving ``start`` to arriving at ``end`` (the US 14 h
        on-duty window), on the time dimension.
    first : str or None
        Id of a request whose first stop the vehicle must visit right after leaving
        ``start`` (e.g. collecting its driver); when that request is not served the
        vehicle stays unused.
    finish_early : bool
        Report the run finishing as early as it can (then leaving as late as that
        allows) rather than leaving as late as it can: for work due as soon as its
        window opens, e.g. a load-out right after the curfew.
    """

    id: str
    start: int
    end: int
    capacities: Mapping[str, int] = field(default_factory=dict)
    cost_per_distance: int = 1
    fixed_cost: int = 0
    shift: TimeWindow = field(default_factory=TimeWindow)
    max_driving: int | None = None
    break_rule: BreakRule | None = None
    max_span: int | None = None
    first: str | None = None
    finish_early: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"VehicleSpec.id must be a non-empty string, got {self.id!r}")
        _check_int(self.start, "VehicleSpec.start")
        _check_int(self.end, "VehicleSpec.end")
        _check_quantities(self.capacities, "VehicleSpec.capacities")
        _check_int(self.cost_per_distance, "VehicleSpec.cost_per_distance")
        _check_int(self.fixed_cost, "VehicleSpec.fixed_cost")
        if not isinstance(self.shift, TimeWindow):
            raise ValueError(f"VehicleSpec.shift must be a TimeWindow, got {self.shift!r}")
        if self.max_driving is not None:
            _check_int(self.max_driving, "VehicleSpec.max_driving")
        if self.max_span is not None:
            _check_int(self.max_span, "VehicleSpec.max_span", minimum=1)
        if self.break_rule is not None and not isinstance(self.break_rule, BreakRule):
            raise ValueError(f"VehicleSpec.break_rule must be a BreakRule, got {self.break_rule!r}")


@dataclass(frozen=True)
class Split:
    """Request ``whole`` may ride as ``pieces`` instead: all of them or none.

    A party that no free vehicle takes whole may still travel in several vehicles. The
    pieces are ordinary optional requests of the problem (each with its own share of
    the demand and its own windows). The solver serves the whole, or every piece, each
    on a different vehicle, or nothing (then the whole's penalty is paid); ``cost`` is
    paid when the pieces are served, so splitting is chosen only when it pays.

    Parameters
    ----------
    whole : str
        Id of the request as one party; it may be left out of the problem (when no
        vehicle takes it whole) and only its pieces are then offered.
    pieces : tuple of str
        Ids of the piece requests, at least two.
    penalty : int
        Cost of serving neither the whole nor the pieces.
    cost : int
        Cost of serving the pieces rather than the whole.
    all_or_none : bool
        ``False`` relaxes the split for searching: each piece is dropped on its own at
        an equal share of ``penalty`` and nothing ties the pieces and the whole, so a
        plan may serve some pieces only, two on one vehicle, or pieces and the whole:
        the caller keeps only complete sets. OR-Tools' moves insert one pair at a time;
        with the pieces tied they can never add a split to a plan, relaxed they can,
        and with no constraint outside the routing model its search runs at full speed.
    """

    whole: str
    pieces: tuple[str, ...]
    penalty: int
    cost: int = 0
    all_or_none: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.whole, str) or not self.whole:
            raise ValueError(f"Split.whole must be a non-empty string, got {self.whole!r}")
        object.__setattr__(self, "pieces", tuple(self.pieces))
        if len(self.pieces) < 2 or len(set(self.pieces)) != len(self.pieces):
            raise ValueError(f"Split {self.whole!r} needs at least two distinct pieces, got {self.pieces!r}")
        _check_int(self.penalty, f"Split[{self.whole!r}].penalty")
        _check_int(self.cost, f"Split[{self.whole!r}].cost")


def _as_matrix(rows: Sequence[Sequence[int]], name: str) -> tuple[tuple[int, ...], ...]:
    matrix = tuple(tuple(int(v) if not isinstance(v, bool) else v for v in row) for row in rows)
    n = len(matrix)
    for i, row in enumerate(matrix):
        if len(row) != n:
            raise ValueError(f"Problem.{name} must be square: row {i} has {len(row)} entries, not {n}")
        for j, value in enumerate(row):
            _check_int(value, f"Problem.{name}[{i}][{j}]")
    return matrix


@dataclass(frozen=True)
class Problem:
    """A complete routing problem.

    Parameters
    ----------
    distance : square matrix of int
        Distance units between locations.
    travel_time : square matrix of int
        Time units between locations, same shape as ``distance``.
    requests : sequence of Request
    vehicles : sequence of VehicleSpec
    splits : sequence of Split
        Requests that may ride in pieces (see :class:`Split`); empty by default.
    """

    distance: Sequence[Sequence[int]]
    travel_time: Sequence[Sequence[int]]
    requests: Sequence[Request]
    vehicles: Sequence[VehicleSpec]
    splits: Sequence[Split] = ()

    def __post_init__(self) -> None:
        # Freeze the containers so a Problem cannot change under a solve.
        object.__setattr__(self, "distance", _as_matrix(self.distance, "distance"))
        object.__setattr__(self, "travel_time", _as_matrix(self.travel_time, "travel_time"))
        object.__setattr__(self, "requests", tuple(self.requests))
        object.__setattr__(self, "vehicles", tuple(self.vehicles))
        object.__setattr__(self, "splits", tuple(self.splits))
        n = len(self.distance)
        if len(self.travel_time) != n:
            raise ValueError(
                f"Problem.travel_time is {len(self.travel_time)}x{len(self.travel_time)}, "
                f"distance is {n}x{n}"
            )
        if not self.vehicles:
            raise ValueError("Problem.vehicles must not be empty")
        for kind, items in (("requests", self.requests), ("vehicles", self.vehicles)):
            ids = [item.id for item in items]
            if len(set(ids)) != len(ids):
                dup = sorted({i for i in ids if ids.count(i) > 1})
                raise ValueError(f"Problem.{kind} ids must be unique, repeated: {dup}")
        for r in self.requests:
            for stop in r.stops():
                if stop.location >= n:
                    raise ValueError(
                        f"Problem.requests[{r.id!r}] location {stop.location} is outside the {n}x{n} matrix"
                    )
        vehicle_ids = {v.id for v in self.vehicles}
        for r in self.requests:
            unknown = [v for v in r.vehicles if v not in vehicle_ids]
            if unknown:
                raise ValueError(f"Problem.requests[{r.id!r}] allows unknown vehicles {unknown}")
        request_ids = {r.id for r in self.requests}
        for v in self.vehicles:
            if v.first is not None and v.first not in request_ids:
                raise ValueError(f"Problem.vehicles[{v.id!r}].first is an unknown request {v.first!r}")
        for v in self.vehicles:
            for loc in (v.start, v.end):
                if loc >= n:
                    raise ValueError(f"Problem.vehicles[{v.id!r}] depot {loc} is outside the {n}x{n} matrix")
        by_id = {r.id: r for r in self.requests}
        grouped: set[str] = set()
        for split in self.splits:
            for rid in (split.whole, *split.pieces):
                if rid in grouped:
                    raise ValueError(f"Problem.splits: request {rid!r} is in more than one split")
                grouped.add(rid)
            for rid in split.pieces:
                if rid not in by_id:
                    raise ValueError(f"Problem.splits[{split.whole!r}] has an unknown piece {rid!r}")
            for rid in (split.whole, *split.pieces):
                if rid in by_id and by_id[rid].penalty is None:
                    raise ValueError(f"Problem.splits[{split.whole!r}]: {rid!r} must be optional (a penalty)")

    @property
    def dimensions(self) -> tuple[str, ...]:
        """Capacity dimension names, sorted, from vehicles and demands."""
        names = {d for v in self.vehicles for d in v.capacities}
        names |= {d for r in self.requests for d in r.demand}
        return tuple(sorted(names))


# --------------------------------------------------------------------------- #
# Parameters and result
# --------------------------------------------------------------------------- #

_FIRST_SOLUTION = routing_enums_pb2.FirstSolutionStrategy.Value
_METAHEURISTIC = routing_enums_pb2.LocalSearchMetaheuristic.Value


@dataclass(frozen=True)
class SolveParams:
    """How to search.

    Parameters
    ----------
    time_limit : float
        Wall-clock seconds for the whole solve (all engines).
    solution_limit : int or None
        Reproducible mode for OR-Tools: stop after this many improving
        solutions; ``time_limit`` becomes a safety net.
    iterations : int or None
        Reproducible mode for the PyVRP engine: stop after this many
        iterations.
    engine : {"ortools", "pyvrp", "auto"}
        ``"pyvrp"`` and ``"auto"`` first solve with PyVRP (if installed and able
        to model the problem) and feed its routes to OR-Tools, which checks
        them and keeps improving; ``"ortools"`` uses OR-Tools alone.
    pyvrp_share : float
        Fraction of ``time_limit`` given to PyVRP when it runs.
    first_solution : str
        OR-Tools ``FirstSolutionStrategy`` name.
    metaheuristic : str
        OR-Tools ``LocalSearchMetaheuristic`` name.
    seed : int
        Seed of the PyVRP engine (OR-Tools routing search has no random seed).
    log_search : bool
        Let OR-Tools print its search log.
    """

    time_limit: float = 10.0
    solution_limit: int | None = None
    iterations: int | None = None
    engine: str = "auto"
    pyvrp_share: float = 0.9
    first_solution: str = "PARALLEL_CHEAPEST_INSERTION"
    metaheuristic: str = "GUIDED_LOCAL_SEARCH"
    seed: int = 0
    log_search: bool = False

    def __post_init__(self) -> None:
        if not self.time_limit > 0:
            raise ValueError(f"SolveParams.time_limit must be > 0, got {self.time_limit}")
        if self.solution_limit is not None:
            _check_int(self.solution_limit, "SolveParams.solution_limit", minimum=1)
        if self.iterations is not None:
            _check_int(self.iterations, "SolveParams.iterations", minimum=1)
        if self.engine not in ("ortools", "pyvrp", "auto"):
            raise ValueError(f"SolveParams.engine must be ortools, pyvrp or auto, got {self.engine!r}")
        if not 0.0 < self.pyvrp_share <= 1.0:
            raise ValueError(f"SolveParams.pyvrp_share must be in (0, 1], got {self.pyvrp_share}")
        if self.first_solution not in _FIRST_SOLUTION.keys():
            raise ValueError(f"SolveParams.first_solution unknown: {self.first_solution!r}")
        if self.metaheuristic not in _METAHEURISTIC.keys():
            raise ValueError(f"SolveParams.metaheuristic unknown: {self.metaheuristic!r}")

    @property
    def reproducible(self) -> bool:
        """Whether the search is bounded by work rather than by wall time."""
        return self.solution_limit is not None


@dataclass(frozen=True)
class StopVisit:
    """One visit in a route.

    ``arrival`` is when the vehicle reaches the location, ``start`` when service
    starts (after waiting for the window), ``departure`` = start + service.
    ``load`` is the load on board when leaving, per dimension. ``request`` is
    ``None`` and ``kind`` is ``"start"``/``"end"`` for depots; otherwise ``kind``
    is ``"visit"``, ``"pickup"`` or ``"delivery"``.
    """

    request: str | None
    kind: str
    location: int
    arrival: int
    start: int
    departure: int
    load: Mapping[str, int]


@dataclass(frozen=True)
class Route:
    """The route of one used vehicle.

    ``breaks`` lists ``(start, duration)`` of the driving breaks taken.
    """

    vehicle: str
    stops: tuple[StopVisit, ...]
    distance: int
    cost: int
    driving: int
    breaks: tuple[tuple[int, int], ...] = ()

    @property
    def requests(self) -> list[str]:
        """Request ids in visit order (a pair appears twice)."""
        return [s.request for s in self.stops if s.request is not None]


@dataclass(frozen=True)
class RoutingResult:
    """Outcome of :func:`solve`.

    ``status`` is ``"feasible"`` (a solution, not proven optimal),
    ``"optimal"``, ``"infeasible"`` (a mandatory request cannot be served or no
    solution found) or ``"timed_out"`` (no solution within the time limit).
    ``dropped`` maps request id to a human-readable reason. Routes of unused
    vehicles are omitted.
    """

    status: str
    routes: tuple[Route, ...]
    objective: int | None
    dropped: Mapping[str, str]
    wall_time: float
    engine: str
    hit_time_limit: bool = False

    @property
    def feasible(self) -> bool:
        """Whether the result carries a solution that serves every mandatory request."""
        return self.status in ("feasible", "optimal")

    @property
    def distance(self) -> int:
        """Total distance of all routes."""
        return sum(r.distance for r in self.routes)


# --------------------------------------------------------------------------- #
# Rules checked before solving: why a request cannot be served at all
# --------------------------------------------------------------------------- #


def _capacity_reason(problem: Problem, request: Request) -> str | None:
    fits = [
        v
        for v in problem.vehicles
        if all(q <= v.capacities.get(d, 0) for d, q in request.demand.items())
    ]
    if fits:
        return None
    worst = []
    for d, q in sorted(request.demand.items()):
        cap = max(v.capacities.get(d, 0) for v in problem.vehicles)
        if q > cap:
            worst.append(f"{d} {q} > largest capacity {cap}")
    return "capacity: " + ", ".join(worst or ["no vehicle fits all dimensions at once"])


def _alone_schedule_ok(problem: Problem, request: Request, v: VehicleSpec) -> bool:
    tt = problem.travel_time
    t = v.shift.start
    loc = v.start
    driving = 0
    for stop in request.stops():
        driving += tt[loc][stop.location]
        t = max(t + tt[loc][stop.location], stop.window.start)
        if t > stop.window.end:
            return False
        t += stop.service
        loc = stop.location
    driving += tt[loc][v.end]
    if v.max_driving is not None and driving > v.max_driving:
        return False
    finish = t + tt[loc][v.end]
    if v.max_span is not None:
        # Leaving as late as the first window allows is the shortest span alone.
        first = request.stops()[0]
        leave = max(v.shift.start, first.window.start - tt[v.start][first.location])
        if finish - leave > v.max_span:
            return False
    return finish <= v.shift.end


def _time_reason(problem: Problem, request: Request) -> str | None:
    if any(_alone_schedule_ok(problem, request, v) for v in problem.vehicles):
        return None
    windows = ", ".join(f"[{s.window.start}, {s.window.end}]" for s in request.stops())
    return f"time: no vehicle can serve it alone within its window {windows}, its shift and driving limit"


def _unservable_reason(problem: Problem, request: Request) -> str | None:
    """Reason why no vehicle could serve ``request`` even on an empty route."""
    return _capacity_reason(problem, request) or _time_reason(problem, request)


# --------------------------------------------------------------------------- #
# Index conversion: the one place where solver indices meet domain ids
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class _Node:
    location: int
    service: int
    window: TimeWindow
    request: Request | None  # None for depots
    kind: str  # "depot", "visit", "pickup", "delivery"
    demand: Mapping[str, int]  # signed change of load when served


class _NodeTable:
    """Routing nodes: depot nodes first, then one node per request stop."""

    def __init__(self, problem: Problem, requests: Sequence[Request]):
        depot_locs = sorted({loc for v in problem.vehicles for loc in (v.start, v.end)})
        self.nodes: list[_Node] = [
            _Node(loc, 0, TimeWindow(), None, "depot", {}) for loc in depot_locs
        ]
        depot_node = {loc: i for i, loc in enumerate(depot_locs)}
        self.starts = [depot_node[v.start] for v in problem.vehicles]
        self.ends = [depot_node[v.end] for v in problem.vehicles]
        self.request_nodes: dict[str, tuple[int, ...]] = {}
        for r in requests:
            ids = []
            if r.delivery is None:
                # A single visit unloads what the vehicle took at its start.
                ids.append(self._add(_Node(r.pickup.location, r.pickup.service, r.pickup.window, r,
                                           "visit", {d: -q for d, q in r.demand.items()})))
            else:
                ids.append(self._add(_Node(r.pickup.location, r.pickup.service, r.pickup.window, r,
                                           "pickup", dict(r.demand))))
                ids.append(self._add(_Node(r.delivery.location, r.delivery.service, r.delivery.window,
                                           r, "delivery", {d: -q for d, q in r.demand.items()})))
            self.request_nodes[r.id] = tuple(ids)
        self.manager = pywrapcp.RoutingIndexManager(
            len(self.nodes), len(problem.vehicles), self.starts, self.ends
        )

    def _add(self, node: _Node) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1

    def node_at(self, index: int) -> _Node:
        """Domain node of a solver index."""
        return self.nodes[self.manager.IndexToNode(index)]

    def location(self, index: int) -> int:
        """Matrix location of a solver index."""
        return self.nodes[self.manager.IndexToNode(index)].location

    def indices_of(self, request_id: str) -> tuple[int, ...]:
        """Solver indices of a request's stops, in service order."""
        return tuple(self.manager.NodeToIndex(n) for n in self.request_nodes[request_id])


# --------------------------------------------------------------------------- #
# Model building, one step per function
# --------------------------------------------------------------------------- #


@dataclass
class _Model:
    problem: Problem
    table: _NodeTable
    routing: pywrapcp.RoutingModel
    time_dim: pywrapcp.RoutingDimension
    breaks: dict[int, list]  # vehicle -> interval vars


def _register_transits(model: _Model) -> tuple[dict[int, int], int, int]:
    """Transit matrices: cost per distinct vehicle coefficient, time, driving.

    Matrices indexed by routing node are evaluated in C++; Python callbacks
    would cost a round trip per arc evaluation and slow the search severalfold.
    """
    p, table, routing = model.problem, model.table, model.routing
    dist, tt = p.distance, p.travel_time
    loc = [n.location for n in table.nodes]
    service = [n.service for n in table.nodes]

    # The price of a split is paid on the arcs into its first piece's pickup: once,
    # whichever vehicle takes it.
    entering = [0] * len(table.nodes)
    for split in p.splits:
        if split.cost and split.pieces[0] in table.request_nodes:
            entering[table.request_nodes[split.pieces[0]][0]] = split.cost
    cost_cb: dict[int, int] = {}
    for coef in sorted({v.cost_per_distance for v in p.vehicles}):
        cost = [[coef * dist[a][b] + entering[j] for j, b in enumerate(loc)] for a in loc]
        cost_cb[coef] = routing.RegisterTransitMatrix(cost)
    # Service is part of the time transit out of a node: service starts at the
    # cumul, the vehicle leaves after it.
    timing = [[service[i] + tt[a][b] for b in loc] for i, a in enumerate(loc)]
    driving = [[tt[a][b] for b in loc] for a in loc]
    return cost_cb, routing.RegisterTransitMatrix(timing), routing.RegisterTransitMatrix(driving)


def _add_arc_costs(model: _Model, cost_cb: Mapping[int, int]) -> None:
    for v, spec in enumerate(model.problem.vehicles):
        model.routing.SetArcCostEvaluatorOfVehicle(cost_cb[spec.cost_per_distance], v)
        model.routing.SetFixedCostOfVehicle(spec.fixed_cost, v)


def _add_time_dimension(model: _Model, time_cb: int) -> None:
    """Time windows bound the start of service; waiting is slack."""
    p, table, routing = model.problem, model.table, model.routing
    horizon = max(v.shift.end for v in p.vehicles)
    routing.AddDimension(time_cb, horizon, horizon, False, TIME)
    dim = routing.GetDimensionOrDie(TIME)
    for node_id, node in enumerate(table.nodes):
        if node.kind == "depot":
            continue
        index = table.manager.NodeToIndex(node_id)
        dim.CumulVar(index).SetRange(node.window.start, min(node.window.end, horizon))
    for v, spec in enumerate(p.vehicles):
        dim.CumulVar(routing.Start(v)).SetRange(spec.shift.start, spec.shift.end)
        dim.CumulVar(routing.End(v)).SetRange(spec.shift.start, spec.shift.end)
        if spec.max_span is not None:
            dim.SetSpanUpperBoundForVehicle(spec.max_span, v)
        if spec.break_rule is None:
            # Leave as late and return as early as the route allows, so the
            # reported shift has no idle time at its ends; the first finalizer
            # wins, so ``finish_early`` puts the end first. (With break intervals
            # these finalizers make the interval search fail: skipped there.)
            start_late = (routing.AddVariableMaximizedByFinalizer, dim.CumulVar(routing.Start(v)))
            end_early = (routing.AddVariableMinimizedByFinalizer, dim.CumulVar(routing.End(v)))
            for add, cumul in (end_early, start_late) if spec.finish_early else (start_late, end_early):
                add(cumul)
    model.time_dim = dim


def _add_capacity_dimensions(model: _Model) -> None:
    """One dimension per capacity name.

    Without pairs, all loads move one way and the standard CVRP model (cumul =
    demand served so far, from 0) has the same feasible routes as "unload at
    each stop what was loaded at the depot"; its fixed start lets OR-Tools'
    filters reject moves faster. With pairs, the signed model is needed: the
    start cumul is free and equals the load taken at the depot.
    """
    p, table, routing = model.problem, model.table, model.routing
    signed = any(n.kind == "pickup" for n in table.nodes)
    for name in p.dimensions:
        change = [n.demand.get(name, 0) for n in table.nodes]
        if not signed:
            change = [abs(q) for q in change]
        cb = routing.RegisterUnaryTransitVector(change)
        caps = [v.capacities.get(name, 0) for v in p.vehicles]
        routing.AddDimensionWithVehicleCapacity(cb, 0, caps, not signed, f"cap:{name}")


def _add_driving_rules(model: _Model, drive_cb: int) -> None:
    """Daily driving limit (driving dimension) and breaks (time dimension)."""
    p, table, routing = model.problem, model.table, model.routing
    if any(v.max_driving is not None for v in p.vehicles):
        limits = [v.max_driving if v.max_driving is not None else _UNBOUNDED for v in p.vehicles]
        routing.AddDimensionWithVehicleCapacity(drive_cb, 0, limits, True, DRIVING)
    if not any(v.break_rule is not None for v in p.vehicles):
        return
    solver = routing.solver()
    visit_transit = [table.node_at(i).service for i in range(routing.Size())]
    for v, spec in enumerate(p.vehicles):
        rule = spec.break_rule
        if rule is None:
            continue
        # Each break but the last needs a full driving span before it, so a
        # shift holds at most this many; spare optional breaks only slow the
        # interval search down.
        span = (spec.shift.end - spec.shift.start) // (rule.max_driving + rule.break_duration)
        count = max(1, min(span, _MAX_BREAKS))
        intervals = [
            solver.FixedDurationIntervalVar(
                spec.shift.start, spec.shift.end, rule.break_duration, True, f"break {spec.id} #{k}"
            )
            for k in range(count)
        ]
        # Breaks in order keep the search from exploring permutations of twins.
        model.time_dim.SetBreakIntervalsOfVehicle(intervals, v, visit_transit)
        model.time_dim.SetBreakDistanceDurationOfVehicle(rule.max_driving, rule.break_duration, v)
        model.breaks[v] = intervals


def _add_pickup_delivery(model: _Model) -> None:
    """Same vehicle, pickup before delivery; a vehicle's ``first`` request right after
    its start."""
    solver, routing, table = model.routing.solver(), model.routing, model.table
    for r in model.problem.requests:
        if not r.is_pair or r.id not in table.request_nodes:
            continue
        pick, drop = table.indices_of(r.id)
        routing.AddPickupAndDelivery(pick, drop)
        solver.Add(routing.VehicleVar(pick) == routing.VehicleVar(drop))
        solver.Add(model.time_dim.CumulVar(pick) <= model.time_dim.CumulVar(drop))
    # A vehicle with a first request goes there first or nowhere.
    for v, spec in enumerate(model.problem.vehicles):
        if spec.first in table.request_nodes:
            routing.NextVar(routing.Start(v)).SetValues([table.indices_of(spec.first)[0], routing.End(v)])


def _add_disjunctions(model: _Model) -> None:
    """Optional requests may be dropped at their penalty."""
    routing, table = model.routing, model.table
    grouped = {rid for split in model.problem.splits for rid in (split.whole, *split.pieces)}
    for r in model.problem.requests:
        if r.penalty is None or r.id not in table.request_nodes or r.id in grouped:
            continue
        first, *rest = table.indices_of(r.id)
        routing.AddDisjunction([first], r.penalty)
        # The pair constraint ties the delivery to the pickup; its own
        # disjunction only makes it droppable at all.
        for index in rest:
            routing.AddDisjunction([index], 0)


def _add_splits(model: _Model) -> None:
    """A whole or all of its pieces, each piece on its own vehicle, or nothing.

    One disjunction holds the whole's first stop and the first piece's (at most one of
    them, the penalty when neither); every other piece is active exactly when the
    first is. Local search moves one pair at a time, so it can move pieces between
    vehicles but not add or drop a split on its own: pieces enter a plan through a warm
    start (or a first solution) that holds them all.
    """
    routing, table = model.routing, model.table
    solver = routing.solver()
    for split in model.problem.splits:
        if not split.all_or_none:
            _add_relaxed_split(model, split)
            continue
        pieces = [rid for rid in split.pieces if rid in table.request_nodes]
        if len(pieces) < len(split.pieces):
            pieces = []  # a piece no vehicle takes: the split cannot happen
        firsts = [table.indices_of(split.whole)[0]] if split.whole in table.request_nodes else []
        if pieces:
            firsts.append(table.indices_of(pieces[0])[0])
        if firsts:
            routing.AddDisjunction(firsts, split.penalty, 1)
        for rid in [split.whole] + list(split.pieces):
            if rid not in table.request_nodes:
                continue
            first, *rest = table.indices_of(rid)
            if rid in pieces[1:]:
                routing.AddDisjunction([first], 0)
                solver.Add(routing.ActiveVar(first) == routing.ActiveVar(table.indices_of(pieces[0])[0]))
            elif rid not in pieces and rid != split.whole:
                routing.ActiveVar(first).SetValue(0)
                routing.AddDisjunction([first], 0)
            for index in rest:
                routing.AddDisjunction([index], 0)
        if pieces:
            # Unserved pieces all have vehicle -1; served ones ride in different vehicles.
            solver.Add(solver.AllDifferentExcept(
                [routing.VehicleVar(table.indices_of(rid)[0]) for rid in pieces], -1))


def _add_relaxed_split(model: _Model, split: Split) -> None:
    """The whole and each piece droppable on its own (see ``Split.all_or_none``).

    No solver constraint ties them: with one, OR-Tools checks every move with its CP
    solver (the parallel-cheapest-insertion first solution of a 500-transfer festival
    day with 8 splits so constrained had not finished after 27 s; without them it took 11 s).
    """
    routing, table = model.routing, model.table
    share = -(-split.penalty // len(split.pieces))
    for rid, penalty in [(split.whole, split.penalty)] + [(rid, share) for rid in split.pieces]:
        if rid not in table.request_nodes:
            continue
        first, *rest = table.indices_of(rid)
        routing.AddDisjunction([first], penalty)
        for index in rest:
            routing.AddDisjunction([index], 0)


def _search_parameters(params: SolveParams, time_limit: float) -> object:
    sp = pywrapcp.DefaultRoutingSearchParameters()
    sp.first_solution_strategy = _FIRST_SOLUTION.Value(params.first_solution)
    sp.local_search_metaheuristic = _METAHEURISTIC.Value(params.metaheuristic)
    sp.time_limit.FromMilliseconds(max(1, int(time_limit * 1000)))
    if params.solution_limit is not None:
        sp.solution_limit = params.solution_limit
    sp.log_search = params.log_search
    return sp


def _add_allowed_vehicles(model: _Model) -> None:
    """A request restricted to some vehicles may only be visited by them (or dropped, -1,
    when optional). On the vehicle variable: ``SetAllowedVehiclesForIndex`` rejects
    Python lists in the pinned ortools."""
    routing, table = model.routing, model.table
    position = {v.id: k for k, v in enumerate(model.problem.vehicles)}
    for r in model.problem.requests:
        if not r.vehicles or r.id not in table.request_nodes:
            continue
        allowed = sorted(position[v] for v in r.vehicles) + ([-1] if r.penalty is not None else [])
        for index in table.indices_of(r.id):
            routing.VehicleVar(index).SetValues(allowed)


def _add_vehicle_changes(model: _Model) -> None:
    """The stability term of a replan: a request served by another vehicle than its
    ``keep_vehicle`` costs its ``change_penalty``.

    A per-vehicle unary transit counts the penalties of the requests a route takes from
    other vehicles (at their pickup or visit, so a pair counts once); a soft upper bound
    of 0 on the route's end cumul adds that sum to the objective.
    """
    p, table, routing = model.problem, model.table, model.routing
    if not any(r.keep_vehicle is not None and r.change_penalty for r in p.requests):
        return
    callbacks = []
    for spec in p.vehicles:
        cost = [n.request.change_penalty if n.kind in ("pickup", "visit") and n.request.keep_vehicle is not None
                and n.request.keep_vehicle != spec.id else 0 for n in table.nodes]
        callbacks.append(routing.RegisterUnaryTransitVector(cost))
    total = sum(r.change_penalty for r in p.requests)
    routing.AddDimensionWithVehicleTransits(callbacks, 0, total, True, VEHICLE_CHANGE)
    dim = routing.GetDimensionOrDie(VEHICLE_CHANGE)
    for v in range(len(p.vehicles)):
        dim.SetCumulVarSoftUpperBound(routing.End(v), 0, 1)


def _build(problem: Problem, requests: Sequence[Request]) -> _Model:
    table = _NodeTable(problem, requests)
    routing = pywrapcp.RoutingModel(table.manager)
    model = _Model(problem, table, routing, None, {})  # type: ignore[arg-type]
    cost_cb, time_cb, drive_cb = _register_transits(model)
    _add_arc_costs(model, cost_cb)
    _add_time_dimension(model, time_cb)
    _add_capacity_dimensions(model)
    _add_driving_rules(model, drive_cb)
    _add_pickup_delivery(model)
    _add_disjunctions(model)
    _add_splits(model)
    _add_allowed_vehicles(model)
    _add_vehicle_changes(model)
    return model


# --------------------------------------------------------------------------- #
# Extraction
# --------------------------------------------------------------------------- #

_STATUS = {
    routing_enums_pb2.RoutingSearchStatus.ROUTING_SUCCESS: "feasible",
    routing_enums_pb2.RoutingSearchStatus.ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED: "feasible",
    routing_enums_pb2.RoutingSearchStatus.ROUTING_OPTIMAL: "optimal",
    routing_enums_pb2.RoutingSearchStatus.ROUTING_FAIL_TIMEOUT: "timed_out",
}


def _extract_routes(model: _Model, solution) -> tuple[Route, ...]:
    p, table, routing = model.problem, model.table, model.routing
    dims = p.dimensions
    tt, dist = p.travel_time, p.distance
    routes = []
    for v, spec in enumerate(p.vehicles):
        index = routing.Start(v)
        if routing.IsEnd(solution.Value(routing.NextVar(index))):
            continue
        breaks = []
        for interval in model.breaks.get(v, []):
            if solution.PerformedValue(interval):
                breaks.append((solution.StartValue(interval), solution.DurationValue(interval)))
        breaks.sort()
        path = [index]
        while not routing.IsEnd(index):
            index = solution.Value(routing.NextVar(index))
            path.append(index)
        # Loads are replayed from the route, whichever capacity model was used:
        # single visits are loaded at the start depot.
        load = {d: 0 for d in dims}
        for index in path:
            node = table.node_at(index)
            if node.kind == "visit":
                for d in dims:
                    load[d] -= node.demand.get(d, 0)
        stops = []
        departure = None
        prev_loc = None
        total_dist = driving = 0
        for k, index in enumerate(path):
            node = table.node_at(index)
            start = solution.Value(model.time_dim.CumulVar(index))
            if departure is None:
                arrival = start
            else:
                arrival = departure + tt[prev_loc][node.location]
                arrival += sum(d for s, d in breaks if departure <= s < start)
                arrival = min(arrival, start)
                total_dist += dist[prev_loc][node.location]
                driving += tt[prev_loc][node.location]
            for d in dims:
                load[d] += node.demand.get(d, 0)
            kind = {0: "start", len(path) - 1: "end"}.get(k, node.kind)
            stops.append(StopVisit(
                request=node.request.id if node.request else None,
                kind=kind, location=node.location, arrival=arrival, start=start,
                departure=start + node.service, load=dict(load),
            ))
            departure, prev_loc = start + node.service, node.location
        cost = total_dist * spec.cost_per_distance + spec.fixed_cost
        routes.append(Route(spec.id, tuple(stops), total_dist, cost, driving, tuple(breaks)))
    return tuple(routes)


def _dropped_by_solver(model: _Model, solution) -> dict[str, str]:
    dropped = {}
    pieces = {rid for split in model.problem.splits for rid in split.pieces}
    for r in model.problem.requests:
        if r.id not in model.table.request_nodes or r.id in pieces:
            continue
        first = model.table.indices_of(r.id)[0]
        if solution.Value(model.routing.NextVar(first)) == first:
            dropped[r.id] = (
                f"dropped by the solver: on the routes found, serving it would cost more than "
                f"its penalty {r.penalty} or break capacity, time or driving rules"
            )
    return dropped


# --------------------------------------------------------------------------- #
# Entry point
# --------------------------------------------------------------------------- #


def solve(problem: Problem, params: SolveParams = SolveParams(),
          initial_routes: Mapping[str, Sequence[str]] | None = None) -> RoutingResult:
    """Solve a routing problem.

    Parameters
    ----------
    problem : Problem
        The instance; all quantities are integers in the units described in the
        module docstring.
    params : SolveParams
        Search settings, engine choice and reproducible mode.
    initial_routes : mapping of vehicle id to request ids, optional
        A warm start: for each vehicle, request ids in visit order (a pair's id
        twice: pickup then delivery). It must satisfy every rule; if it does
        not, it is ignored and the search starts from scratch.

    Returns
    -------
    RoutingResult
        Status, routes, objective, dropped requests with reasons, wall time.
        "No solution" is a status, never an exception.

    Examples
    --------
    >>> depot = 0
    >>> p = Problem(distance=[[0, 5], [5, 0]], travel_time=[[0, 5], [5, 0]],
    ...             requests=[Request("a", Stop(1))],
    ...             vehicles=[VehicleSpec("v", depot, depot)])
    >>> solve(p, SolveParams(time_limit=1, solution_limit=10)).routes[0].requests
    ['a']
    """
    started = time.perf_counter()
    dropped: dict[str, str] = {}
    servable = []
    for r in problem.requests:
        reason = _unservable_reason(problem, r)
        if reason is None:
            servable.append(r)
        else:
            dropped[r.id] = reason
    mandatory_lost = any(r.penalty is None for r in problem.requests if r.id in dropped)

    engine = "ortools"
    warm = initial_routes
    if warm is None and params.engine in ("pyvrp", "auto") and not problem.splits:
        from solvers import pyvrp_engine

        if pyvrp_engine.available() and pyvrp_engine.can_model(problem, servable):
            warm = pyvrp_engine.solve_routes(problem, servable, params)
            engine = "pyvrp+ortools"
        elif params.engine == "pyvrp":
            raise ValueError("SolveParams.engine='pyvrp' but pyvrp is missing or cannot model this problem")

    model = _build(problem, servable)
    routing = model.routing
    remaining = params.time_limit - (time.perf_counter() - started)
    search = _search_parameters(params, max(remaining, 0.05))
    routing.CloseModelWithParameters(search)

    solution = None
    if warm:
        routes = _warm_start_indices(model, warm)
        if routes is not None:
            assignment = routing.ReadAssignmentFromRoutes(routes, True)
            if assignment is not None:
                solution = routing.SolveFromAssignmentWithParameters(assignment, search)
    if solution is None:
        if engine != "ortools":
            engine = "ortools"
        solution = routing.SolveWithParameters(search)
    wall = time.perf_counter() - started

    status_code = routing.status()
    if solution is None:
        status = _STATUS.get(status_code, "infeasible")
        return RoutingResult(status if status == "timed_out" else "infeasible", (), None, dropped,
                             wall, engine, wall >= params.time_limit * 0.98)
    dropped.update(_dropped_by_solver(model, solution))
    routes = _extract_routes(model, solution)
    _settle_splits(problem, routes, dropped)
    status = _STATUS.get(status_code, "feasible")
    if mandatory_lost:
        status = "infeasible"
    return RoutingResult(
        status=status,
        routes=routes,
        objective=solution.ObjectiveValue(),
        dropped=dropped,
        wall_time=wall,
        engine=engine,
        hit_time_limit=wall >= params.time_limit * 0.98,
    )


def _settle_splits(problem: Problem, routes: Sequence[Route], dropped: dict[str, str]) -> None:
    """Pieces are alternatives, never dropped themselves; a whole served in pieces (all of
    them when relaxed) is not dropped either. A whole left out before solving (no
    vehicle takes it) whose pieces are not served keeps its own reason."""
    served = {rid for route in routes for rid in route.requests}
    for split in problem.splits:
        reasons = [dropped.pop(rid) for rid in split.pieces if rid in dropped]
        if (any if split.all_or_none else all)(rid in served for rid in split.pieces):
            dropped.pop(split.whole, None)
        elif split.whole not in dropped and split.whole not in served:
            dropped[split.whole] = reasons[0] if reasons else (
                f"dropped by the solver: on the routes found, serving it in {len(split.pieces)} pieces would cost "
                f"more than its penalty {split.penalty} or break capacity, time or driving rules")


def prefer_vehicles(problem: Problem, routes: Mapping[str, Sequence[str]], penalty: int) -> Problem:
    """``problem`` with each request of ``routes`` (vehicle id -> request ids, as
    :func:`solve` takes them) preferring its vehicle there, at ``penalty`` per change."""
    keep = {rid: vid for vid, rids in routes.items() for rid in rids}
    requests = [replace(r, keep_vehicle=keep[r.id], change_penalty=penalty) if r.id in keep else r
                for r in problem.requests]
    return replace(problem, requests=requests)


def _warm_start_indices(model: _Model, warm: Mapping[str, Sequence[str]]) -> list[list[int]] | None:
    """Translate vehicle id -> request ids into solver indices per vehicle."""
    vehicle_pos = {v.id: k for k, v in enumerate(model.problem.vehicles)}
    routes: list[list[int]] = [[] for _ in model.problem.vehicles]
    seen: dict[str, int] = {}
    for vid, request_ids in warm.items():
        if vid not in vehicle_pos:
            return None
        for rid in request_ids:
            if rid not in model.table.request_nodes:
                return None
            k = seen.get(rid, 0)
            indices = model.table.indices_of(rid)
            if k >= len(indices):
                return None
            routes[vehicle_pos[vid]].append(indices[k])
            seen[rid] = k + 1
    return routes
