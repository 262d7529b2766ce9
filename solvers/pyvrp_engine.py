"""Optional PyVRP engine: finds routes that :mod:`solvers.vrp` then checks.

PyVRP (hybrid genetic search) finds much better VRPTW solutions than OR-Tools'
own local search in the same time. It is used only as a route finder: its routes
are read into the OR-Tools model (``ReadAssignmentFromRoutes``), which enforces
every rule and keeps improving. Problems with rules PyVRP does not model here
(pickup-and-delivery pairs, daily driving limits, driving breaks, a vehicle's first
stop, requests limited to some vehicles, the cost of serving a request on another
vehicle than before) are left to OR-Tools alone. PyVRP could limit a client to some
vehicle types only through routing profiles with forbidding edges, one profile per
distinct set of vehicles, which is not worth it as a mere route finder. Units are
those of :mod:`solvers.vrp`, unchanged.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from solvers.vrp import Problem, Request, SolveParams

try:
    import pyvrp
    from pyvrp.stop import MaxIterations, MaxRuntime, MultipleCriteria
except ImportError:  # optional dependency
    pyvrp = None


def available() -> bool:
    """Whether PyVRP is installed."""
    return pyvrp is not None


def can_model(problem: "Problem", requests: Sequence["Request"]) -> bool:
    """Whether PyVRP can model every rule of ``problem``.

    Parameters
    ----------
    problem : Problem
    requests : sequence of Request
        The requests that will be solved.

    Returns
    -------
    bool
    """
    if any(r.is_pair for r in requests):
        return False
    if any(v.max_driving is not None or v.break_rule is not None or v.max_span is not None or v.first is not None
           for v in problem.vehicles):
        return False
    fleet = {v.id for v in problem.vehicles}
    # A route PyVRP gives the wrong vehicle is thrown away by OR-Tools, and one that
    # ignores the change penalty starts the search far from the plan it should keep.
    if any(fleet - set(r.vehicles) for r in requests if r.vehicles):
        return False
    if any(r.keep_vehicle is not None and r.change_penalty for r in requests):
        return False
    return bool(requests)


def solve_routes(problem: "Problem", requests: Sequence["Request"],
                 params: "SolveParams") -> dict[str, list[str]] | None:
    """Solve with PyVRP and return routes as vehicle id -> request ids.

    Parameters
    ----------
    problem : Problem
    requests : sequence of Request
        Single-visit requests to route.
    params : SolveParams
        ``time_limit * pyvrp_share`` seconds, or ``iterations`` in
        reproducible mode (time as a safety net), with ``seed``.

    Returns
    -------
    dict or None
        ``None`` if PyVRP found no feasible solution.
    """
    dims = problem.dimensions
    model = pyvrp.Model()
    # PyVRP wants one location per depot and per client; several may share a
    # matrix row, so keep the row of each.
    rows: list[int] = []
    locations = []

    def add_location(row: int):
        rows.append(row)
        loc = model.add_location(x=0, y=0)
        locations.append(loc)
        return loc

    depots = {}
    for row in sorted({loc for v in problem.vehicles for loc in (v.start, v.end)}):
        depots[row] = model.add_depot(add_location(row))
    for r in requests:
        stop = r.pickup
        model.add_client(
            add_location(stop.location),
            delivery=[r.demand.get(d, 0) for d in dims],
            service_duration=stop.service,
            tw_early=stop.window.start,
            tw_late=stop.window.end,
            prize=r.penalty or 0,
            required=r.penalty is None,
            name=r.id,
        )
    # Identical vehicles form one PyVRP vehicle type: its search treats them as
    # interchangeable instead of trying every permutation of lookalike types.
    groups: dict[tuple, list[str]] = {}
    for v in problem.vehicles:
        key = (v.start, v.end, tuple(v.capacities.get(d, 0) for d in dims), v.fixed_cost,
               v.shift.start, v.shift.end, v.cost_per_distance)
        groups.setdefault(key, []).append(v.id)
    for (start, end, caps, fixed, early, late, per_distance), ids in groups.items():
        model.add_vehicle_type(
            num_available=len(ids),
            capacity=list(caps),
            start_depot=depots[start],
            end_depot=depots[end],
            fixed_cost=fixed,
            tw_early=early,
            tw_late=late,
            unit_distance_cost=per_distance,
        )
    dist, tt = problem.distance, problem.travel_time
    for a, la in enumerate(locations):
        for b, lb in enumerate(locations):
            if a != b:
                model.add_edge(la, lb, distance=dist[rows[a]][rows[b]], duration=tt[rows[a]][rows[b]])
            else:
                model.add_edge(la, lb, distance=0, duration=0)
    seconds = params.time_limit * params.pyvrp_share
    if params.iterations is not None:
        stop = MultipleCriteria([MaxIterations(params.iterations), MaxRuntime(seconds)])
    else:
        stop = MaxRuntime(seconds)
    result = model.solve(stop, seed=params.seed, collect_stats=False, display=False)
    if not result.is_feasible():
        return None
    free = [list(ids) for ids in groups.values()]  # vehicle ids per type, in order
    routes: dict[str, list[str]] = {}
    for route in result.best.routes():
        vid = free[route.vehicle_type()].pop(0)
        # A client activity's idx is the client's position in the order added.
        routes[vid] = [requests[act.idx].id for act in route if act.is_client()]
    return routes

