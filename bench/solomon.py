"""Solomon VRPTW benchmark for the routing core, distance-only objective.

Usage::

    python bench/solomon.py /work/shared/benchmarks/solomon --seconds 30 --baseline

Reads every ``*.txt`` Solomon instance in DIR, solves it with
:func:`solvers.vrp.solve`, checks the routes against the raw file with code that
shares nothing with the solver, and prints ``instance,vehicles,distance`` (plus
``baseline_vehicles,baseline_distance`` with ``--baseline``) as CSV on stdout.
Per-instance gaps and the mean gap against ``distonly_trunc1`` of ``DIR/bks.csv``
go to stderr.

Scaling (the only place in the benchmark): every arc's distance and travel time
is ``floor(10 * euclid)`` integer tenths, and ready times, due dates and service
times are multiplied by 10, so the integer model is exact for the CVRPLIB
"truncated to one decimal" convention. Distances are printed back in file units
(tenths / 10).
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# Run as a script from a checkout: make the repository's packages importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from solvers.vrp import Problem, Request, SolveParams, Stop, TimeWindow, VehicleSpec, solve  # noqa: E402

SCALE = 10
DEPOT = 0
BASELINE_PENALTY = 10**7


@dataclass(frozen=True)
class Customer:
    """One row of the CUSTOMER section (number 0 is the depot)."""

    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True)
class Instance:
    """A Solomon instance as written in the file."""

    name: str
    vehicles: int
    capacity: int
    nodes: tuple[Customer, ...]  # nodes[0] is the depot


class InfeasibleSolution(Exception):
    """A solution broke a rule of the instance; the message says which."""


def read_instance(path: str | Path) -> Instance:
    """Read a Solomon-format file.

    Parameters
    ----------
    path : str or Path

    Returns
    -------
    Instance

    Raises
    ------
    ValueError
        If the VEHICLE or CUSTOMER section is missing or a row is malformed.
    """
    lines = [ln.strip() for ln in Path(path).read_text().splitlines()]
    lines = [ln for ln in lines if ln]
    name = lines[0]
    try:
        v = next(i for i, ln in enumerate(lines) if ln.upper().startswith("VEHICLE"))
        c = next(i for i, ln in enumerate(lines) if ln.upper().startswith("CUSTOMER"))
    except StopIteration:
        raise ValueError(f"{path}: missing VEHICLE or CUSTOMER section") from None
    number, capacity = (int(t) for t in lines[v + 2].split()[:2])
    nodes = []
    for ln in lines[c + 1:]:
        tokens = ln.split()
        if not tokens[0].lstrip("-").isdigit():
            continue  # the column header line
        if len(tokens) != 7:
            raise ValueError(f"{path}: customer row needs 7 fields: {ln!r}")
        no, x, y, demand, ready, due, service = tokens
        nodes.append(Customer(int(no), float(x), float(y), int(demand), int(float(ready)),
                              int(float(due)), int(float(service))))
    if not nodes or nodes[0].number != 0:
        raise ValueError(f"{path}: the first customer row must be the depot, number 0")
    return Instance(name, number, capacity, tuple(nodes))


def arc_tenths(a: Customer, b: Customer) -> int:
    """``floor(10 * euclid(a, b))``, exact for integer coordinates."""
    dx, dy = a.x - b.x, a.y - b.y
    if dx.is_integer() and dy.is_integer():
        return math.isqrt(int(100 * (dx * dx + dy * dy)))
    return math.floor(SCALE * math.hypot(dx, dy))


def matrix(inst: Instance) -> list[list[int]]:
    """Distance = travel time matrix in tenths, indexed by customer number."""
    return [[arc_tenths(a, b) for b in inst.nodes] for a in inst.nodes]


def to_problem(inst: Instance, *, penalty: int | None = None) -> Problem:
    """Build the routing problem (distance-only, all vehicles at the depot).

    Parameters
    ----------
    inst : Instance
    penalty : int or None
        ``None``: every customer mandatory; otherwise each may be dropped at
        this penalty (the plain OR-Tools baseline needs it to find a start).
    """
    m = matrix(inst)
    depot = inst.nodes[DEPOT]
    requests = [
        Request(
            id=str(c.number),
            pickup=Stop(c.number, TimeWindow(SCALE * c.ready, SCALE * c.due), SCALE * c.service),
            demand={"load": c.demand},
            penalty=penalty,
        )
        for c in inst.nodes[1:]
    ]
    shift = TimeWindow(SCALE * depot.ready, SCALE * depot.due)
    vehicles = [
        VehicleSpec(f"v{k}", DEPOT, DEPOT, {"load": inst.capacity}, cost_per_distance=1,
                    fixed_cost=0, shift=shift)
        for k in range(inst.vehicles)
    ]
    return Problem(m, m, requests, vehicles)


def check_solution(inst: Instance, routes: list[list[int]]) -> int:
    """Check routes against the raw instance and return their distance in tenths.

    Independent of the solver: recomputes arcs from coordinates and replays each
    route from the depot's ready time.

    Parameters
    ----------
    inst : Instance
    routes : list of list of int
        Customer numbers per route, depot excluded.

    Returns
    -------
    int
        Total distance in tenths.

    Raises
    ------
    InfeasibleSolution
        Naming the broken rule: customer coverage, fleet size, capacity, time
        window or return time.
    """
    nodes = inst.nodes
    served = [c for r in routes for c in r]
    missing = sorted(set(range(1, len(nodes))) - set(served))
    repeated = sorted({c for c in served if served.count(c) > 1})
    unknown = sorted(c for c in set(served) if not 0 < c < len(nodes))
    if missing or repeated or unknown:
        raise InfeasibleSolution(f"coverage: missing {missing}, repeated {repeated}, unknown {unknown}")
    used = [r for r in routes if r]
    if len(used) > inst.vehicles:
        raise InfeasibleSolution(f"fleet: {len(used)} routes > {inst.vehicles} vehicles")
    total = 0
    depot = nodes[DEPOT]
    for k, route in enumerate(used):
        load = sum(nodes[c].demand for c in route)
        if load > inst.capacity:
            raise InfeasibleSolution(f"capacity: route {k} carries {load} > {inst.capacity}")
        t, prev = SCALE * depot.ready, depot
        for c in route:
            node = nodes[c]
            arc = arc_tenths(prev, node)
            total += arc
            t = max(t + arc, SCALE * node.ready)
            if t > SCALE * node.due:
                raise InfeasibleSolution(
                    f"time window: route {k} starts customer {c} at {t / SCALE} > due {node.due}")
            t += SCALE * node.service
            prev = node
        arc = arc_tenths(prev, depot)
        total += arc
        if t + arc > SCALE * depot.due:
            raise InfeasibleSolution(
                f"return: route {k} is back at {(t + arc) / SCALE} > depot due {depot.due}")
    return total


def _routes_of(result) -> list[list[int]]:
    return [[int(rid) for rid in route.requests] for route in result.routes]


def solve_ours(inst: Instance, seconds: float, engine: str = "auto", seed: int = 0) -> list[list[int]]:
    """touring's solve: PyVRP routes (if installed) polished and checked by OR-Tools."""
    result = solve(to_problem(inst), SolveParams(time_limit=seconds, engine=engine, seed=seed))
    if not result.feasible:
        raise InfeasibleSolution(f"solver status {result.status}, dropped {dict(result.dropped)}")
    return _routes_of(result)


def solve_baseline(inst: Instance, seconds: float) -> list[list[int]]:
    """Plain OR-Tools: cheapest arc with droppable visits, then guided local search."""
    params = SolveParams(time_limit=seconds, engine="ortools", first_solution="PATH_CHEAPEST_ARC",
                         metaheuristic="GUIDED_LOCAL_SEARCH")
    result = solve(to_problem(inst, penalty=BASELINE_PENALTY), params)
    if result.routes == () or result.dropped:
        raise InfeasibleSolution(f"baseline status {result.status}, dropped {len(result.dropped)} customers")
    return _routes_of(result)


def read_bks(directory: Path) -> dict[str, float]:
    """``distonly_trunc1`` per instance from ``bks.csv``."""
    with open(directory / "bks.csv", newline="") as f:
        return {row["instance"]: float(row["distonly_trunc1"]) for row in csv.DictReader(f)}


def _run(solver, inst: Instance, seconds: float, **options) -> tuple[int, float] | None:
    try:
        routes = solver(inst, seconds, **options)
        tenths = check_solution(inst, routes)
    except InfeasibleSolution as exc:
        print(f"{inst.name}: {solver.__name__} infeasible: {exc}", file=sys.stderr)
        return None
    return sum(1 for r in routes if r), tenths / SCALE


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; see the module docstring."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python bench/solomon.py "
                                            "/work/shared/benchmarks/solomon --seconds 30 --baseline")
    parser.add_argument("directory", type=Path, help="folder with Solomon *.txt files and bks.csv")
    parser.add_argument("--seconds", type=float, default=30.0, help="time per instance and solver")
    parser.add_argument("--baseline", action="store_true", help="also run plain OR-Tools")
    parser.add_argument("--only", nargs="*", help="instance names to run (default: all)")
    parser.add_argument("--engine", choices=["auto", "ortools"], default="auto",
                        help="auto: PyVRP routes checked by OR-Tools when pyvrp is installed; "
                             "ortools: OR-Tools alone")
    args = parser.parse_args(argv)

    bks = read_bks(args.directory)
    paths = sorted(args.directory.glob("*.txt"))
    if args.only:
        paths = [p for p in paths if p.stem in set(args.only)]
    header = ["instance", "vehicles", "distance"]
    if args.baseline:
        header += ["baseline_vehicles", "baseline_distance"]
    print(",".join(header), flush=True)
    gaps: list[float] = []
    base_gaps: list[float] = []
    failures = 0
    for path in paths:
        inst = read_instance(path)
        started = time.perf_counter()
        ours = _run(solve_ours, inst, args.seconds, engine=args.engine)
        row = [path.stem] + (["", ""] if ours is None else [str(ours[0]), f"{ours[1]:.1f}"])
        ref = bks.get(path.stem)
        note = f"{path.stem}: {time.perf_counter() - started:.1f}s"
        if ours is None:
            failures += 1
        elif ref is not None:
            gaps.append(100 * (ours[1] - ref) / ref)
            note += f" gap {gaps[-1]:.2f}%"
        if args.baseline:
            base = _run(solve_baseline, inst, args.seconds)
            row += ["", ""] if base is None else [str(base[0]), f"{base[1]:.1f}"]
            if base is not None and ref is not None:
                base_gaps.append(100 * (base[1] - ref) / ref)
                note += f" baseline gap {base_gaps[-1]:.2f}%"
        print(",".join(row), flush=True)
        print(note, file=sys.stderr, flush=True)
    summary = f"mean gap {sum(gaps) / max(len(gaps), 1):.2f}% over {len(gaps)} instances"
    if failures:
        summary += f", {failures} without a feasible solution"
    if args.baseline:
        summary += (f"; baseline mean gap {sum(base_gaps) / max(len(base_gaps), 1):.2f}% "
                    f"over {len(base_gaps)} instances")
    print(summary, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
