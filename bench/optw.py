"""OPTW benchmark: run :func:`solvers.sequencing.solve_path` on KU Leuven-format instances.

Usage::

    python bench/optw.py /work/shared/benchmarks/optw --seconds 30
    python bench/optw.py DIR --seconds 10 --instances c101 r101 --baseline

Prints ``instance,profit[,bks,gap,...]`` rows on stdout (header first) and a mean gap
on standard error when ``DIR/bks.csv`` exists. Every path is checked against the raw
instance by :func:`check_path`, which shares no code with the solver, before it is printed.

Scaling (the only place it happens for this benchmark)
------------------------------------------------------
``solve_path`` wants integers. Each instance's distance convention in ``bks.csv`` fixes
the unit:

- ``trunc1``: Euclidean distance truncated to 1 decimal, so the unit is 0.1 and a travel
  time is ``floor(10 * d)``;
- ``ceil2``: Euclidean distance rounded up to 2 decimals, unit 0.01, ``ceil(100 * d)``.

Service times, windows and the budget are multiplied by the same factor (they are exact
at that precision in the files; the reader refuses them otherwise). Distances are
computed with integer square roots from the exactly parsed decimal coordinates, so no
floating-point rounding can move a distance across a unit boundary. Instances missing
from ``bks.csv`` use ``trunc1``.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from solvers.sequencing import PathProblem, Stop, solve_path  # noqa: E402

SCALE = {"trunc1": 10, "ceil2": 100}


@dataclass(frozen=True)
class Node:
    """One node as written in the file (node 0 is the depot, its ``close`` the budget)."""

    x: Decimal
    y: Decimal
    duration: Decimal
    profit: int
    open: Decimal
    close: Decimal


def read_instance(path: Path) -> list[Node]:
    """Read a KU Leuven OPTW file: ``k v N t``, an unused line, then ``i x y d S f a [..] O C``."""
    lines = [line.split() for line in path.read_text().splitlines() if line.strip()]
    count = int(lines[0][2])
    nodes = []
    for row in lines[2:2 + count + 1]:
        a = int(row[6])
        nodes.append(Node(x=Decimal(row[1]), y=Decimal(row[2]), duration=Decimal(row[3]),
                          profit=int(Decimal(row[4])), open=Decimal(row[7 + a]),
                          close=Decimal(row[8 + a])))
    if len(nodes) != count + 1:
        raise ValueError(f"{path}: expected {count + 1} nodes, found {len(nodes)}")
    return nodes


def _scaled(value: Decimal, scale: int, what: str) -> int:
    scaled = value * scale
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{what} {value} is not a multiple of 1/{scale}")
    return int(scaled)


def _travel(a: Node, b: Node, convention: str) -> int:
    """Travel time in units of 1/SCALE[convention], by integer arithmetic only."""
    places = max(-min(v.as_tuple().exponent for v in (a.x, a.y, b.x, b.y)), 0)
    k = 10 ** places
    dx, dy = int((a.x - b.x) * k), int((a.y - b.y) * k)
    scale = SCALE[convention]
    # distance * scale = sqrt(squared) / k with squared = scale^2 (dx^2 + dy^2).
    squared = scale * scale * (dx * dx + dy * dy)
    root = math.isqrt(squared)
    if convention == "trunc1":
        return root // k
    root_up = root if root * root == squared else root + 1
    return -(-root_up // k)


def build_problem(nodes: list[Node], convention: str) -> PathProblem:
    """The single-path problem, in units of ``1 / SCALE[convention]``."""
    scale = SCALE[convention]
    depot, customers = nodes[0], nodes[1:]
    stops = tuple(Stop(id=str(i), prize=n.profit, duration=_scaled(n.duration, scale, "duration"),
                       windows=((_scaled(n.open, scale, "open"), _scaled(n.close, scale, "close")),))
                  for i, n in enumerate(customers, start=1))
    # The path starts and ends at the depot: the end depot is the depot again.
    order = [depot, *customers, depot]
    travel = tuple(tuple(_travel(a, b, convention) for b in order) for a in order)
    return PathProblem(stops=stops, travel=travel, start_time=_scaled(depot.open, scale, "open"),
                       end_by=_scaled(depot.close, scale, "close"))


def check_path(nodes: list[Node], order: list[int], convention: str) -> int:
    """Profit of ``order`` (customer numbers) after checking it against the raw instance.

    Independent of the solver on purpose: exact rational arithmetic on the file's values,
    distances by the convention's definition (``math.floor`` / ``math.ceil`` of the
    Euclidean distance at 1 or 2 decimals, computed from ``Fraction`` so the result is
    exact), earliest arrival, wait for the window to open, visit, move on. Raises
    ``AssertionError`` on a repeated node, a missed window or a late return.
    """
    def dist(a: Node, b: Node) -> Fraction:
        squared = Fraction(a.x - b.x) ** 2 + Fraction(a.y - b.y) ** 2
        if convention == "trunc1":
            # floor(10 d) is the largest m with m^2 <= 100 d^2.
            m = math.isqrt(math.floor(100 * squared))
            while (m + 1) ** 2 <= 100 * squared:
                m += 1
            while m * m > 100 * squared:
                m -= 1
            return Fraction(m, 10)
        # ceil(100 d) is the smallest m with m^2 >= 10000 d^2.
        m = math.isqrt(math.ceil(10000 * squared))
        while m * m < 10000 * squared:
            m += 1
        while m > 0 and (m - 1) ** 2 >= 10000 * squared:
            m -= 1
        return Fraction(m, 100)

    assert len(set(order)) == len(order), "a node is visited twice"
    assert all(1 <= i < len(nodes) for i in order), "unknown node"
    here, clock = nodes[0], Fraction(nodes[0].open)
    for i in order:
        node = nodes[i]
        clock += dist(here, node)
        assert clock <= node.close, f"node {i}: arrives at {float(clock)} after {node.close}"
        clock = max(clock, Fraction(node.open)) + Fraction(node.duration)
        here = node
    clock += dist(here, nodes[0])
    assert clock <= nodes[0].close, f"returns at {float(clock)} after {nodes[0].close}"
    return sum(nodes[i].profit for i in order)


def baseline(problem: PathProblem, seconds: float) -> list[int]:
    """Plain OR-Tools routing with disjunctions (cheapest arc + GLS), as an anchor."""
    from solvers.sequencing import routing_baseline  # only solvers/ imports ortools

    return [int(i) for i in routing_baseline(problem, time_limit_s=seconds)]


def read_bks(directory: Path) -> dict[str, dict[str, str]]:
    path = directory / "bks.csv"
    if not path.exists():
        return {}
    with path.open(newline="") as handle:
        return {row["instance"]: row for row in csv.DictReader(handle)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Solve OPTW instances with solve_path and print instance,profit as CSV.",
        epilog="example: python bench/optw.py /work/shared/benchmarks/optw --seconds 30")
    parser.add_argument("directory", type=Path, help="folder of *.txt instances (and bks.csv)")
    parser.add_argument("--seconds", type=float, default=30.0, help="time limit per instance")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT workers")
    parser.add_argument("--instances", nargs="+", help="names without .txt (default: all)")
    parser.add_argument("--iterations", type=int, default=2000,
                        help="local-search shakes without improvement (solve_path default 2000)")
    parser.add_argument("--baseline", action="store_true",
                        help="also run OR-Tools routing with disjunctions for --baseline-seconds")
    parser.add_argument("--baseline-seconds", type=float, default=10.0)
    args = parser.parse_args(argv)

    bks = read_bks(args.directory)
    paths = sorted(args.directory.glob("*.txt"))
    if args.instances:
        wanted = set(args.instances)
        paths = [p for p in paths if p.stem in wanted]
        missing = wanted - {p.stem for p in paths}
        if missing:
            parser.error(f"no such instance(s): {', '.join(sorted(missing))}")

    header = ["instance", "profit"]
    if bks:
        header += ["bks", "gap"]
    header += ["heuristic", "bound", "status", "seconds"]
    if args.baseline:
        header += ["baseline", "baseline_gap"]
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(header)
    sys.stdout.flush()
    gaps, baseline_gaps = [], []
    for path in paths:
        name = path.stem
        convention = bks.get(name, {}).get("distance_convention", "trunc1")
        nodes = read_instance(path)
        problem = build_problem(nodes, convention)
        result = solve_path(problem, time_limit_s=args.seconds, seed=args.seed,
                            workers=args.workers, search_iterations=args.iterations)
        profit = check_path(nodes, [int(i) for i in result.order], convention)
        assert profit == result.prize, f"{name}: solver says {result.prize}, check says {profit}"
        row: list[object] = [name, profit]
        best = int(bks[name]["profit"]) if name in bks else None
        if bks:
            gap = (best - profit) / best if best else None
            row += [best if best is not None else "", f"{gap:.4f}" if gap is not None else ""]
            if gap is not None:
                gaps.append(gap)
        row += [result.heuristic_prize if result.heuristic_prize is not None else "",
                result.bound, result.status.value, f"{result.wall_time_s:.1f}"]
        if args.baseline:
            order = baseline(problem, args.baseline_seconds)
            base = check_path(nodes, order, convention)
            row += [base, f"{(best - base) / best:.4f}" if best else ""]
            if best:
                baseline_gaps.append((best - base) / best)
        out.writerow(row)
        sys.stdout.flush()
    if gaps:
        print(f"mean gap {100 * sum(gaps) / len(gaps):.2f} % over {len(gaps)} instances "
              f"({args.seconds:g} s, seed {args.seed}, {args.workers} workers)", file=sys.stderr)
    if baseline_gaps:
        print(f"baseline mean gap {100 * sum(baseline_gaps) / len(baseline_gaps):.2f} % "
              f"({args.baseline_seconds:g} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
