"""Benchmark festival shuttles: solve a festival folder and check the plan.

    python bench/shuttle.py data/festival-shuttle --seconds 60

Prints, for the planner and for a baseline measured in the same run, the transfers
served, served on time and served split over several vehicles, vehicles used, runs, km
and wall time, and on standard error
the busiest window of each group of vehicle types by the lower bound of
:func:`solvers.shuttle.fleet_load` (above 100 %, no plan can serve them all). Every plan is
re-checked by :func:`touring.shuttle.check_plan` (the plan's own times against the
festival's windows, seats, holds and road minutes, and for a split party every piece on
time, in its own vehicle, the pieces carrying the whole party; no solver code): a plan that fails
stops the run with exit status 1.

Baselines:

* ``first``: the planner's first solutions (the first-solution strategy and, if it
  leaves transfers out, the fallback) and no improvement (``solution_limit=1``), over
  the same model;
* ``one-per-transfer``: the vehicles a dispatcher would need sending one vehicle per
  transfer with no vehicle reused: simply the number of transfers that fit alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from solvers.shuttle import ShuttleParams, fleet_load, solve, travel_table, unservable_reason  # noqa: E402
from touring.io.shuttle import load_festival  # noqa: E402
from touring.shuttle import Festival, ShuttlePlan, check_plan  # noqa: E402


def _row(name: str, festival: Festival, plan: ShuttlePlan, minutes) -> tuple[str, list[str]]:
    transfers = {t.id: t for t in festival.transfers}
    on_time = sum(s.on_time(transfers[s.transfer]) for s in plan.served)
    runs = sum(len(v.runs) for v in plan.vehicles)
    split = sum(bool(s.pieces) for s in plan.served)
    problems = check_plan(festival, plan, minutes)
    line = (f"{name},{len(festival.transfers)},{len(plan.served)},{on_time},{split},{len(plan.unserved)},"
            f"{len(plan.vehicles)},{runs},{plan.km:.1f},{plan.objective},{plan.status},{plan.wall_time:.1f},"
            f"{'ok' if not problems else f'{len(problems)} problems'}")
    return line, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seconds", type=float, default=60.0, help="time limit of the planner")
    parser.add_argument("--baseline-seconds", type=float, default=60.0,
                        help="safety time limit of the first-solution baseline")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--first-solution", default=ShuttleParams.first_solution,
                        help="OR-Tools first-solution strategy of both runs (default: %(default)s)")
    parser.add_argument("--fallback", default=ShuttleParams.fallback_first_solution,
                        help="first-solution strategy tried when the first leaves transfers out, or 'none' "
                             "(default: %(default)s)")
    parser.add_argument("--scarce-share", type=float, default=ShuttleParams.scarce_share,
                        help="share of the time for planning the transfers only a few vehicles take "
                             "first; 0 turns that off (default: %(default)s)")
    args = parser.parse_args(argv)
    search = {"first_solution": args.first_solution,
              "fallback_first_solution": None if args.fallback == "none" else args.fallback,
              "scarce_share": args.scarce_share}

    festival = load_festival(args.folder)
    matrix = travel_table(festival)
    minutes = lambda a, b: matrix.leg(a, b).minutes  # noqa: E731
    alone = sum(unservable_reason(festival, matrix, t) is None for t in festival.transfers)
    print(f"# {festival.name}: {len(festival.transfers)} transfers, {len(festival.vehicles())} vehicles, "
          f"{len(festival.places)} places", file=sys.stderr)
    for load in fleet_load(festival, matrix):
        print(f"# busiest window of {', '.join(load.types)} ({load.vehicles} vehicles): "
              f"{load.start:%H:%M}-{load.end:%H:%M}, {len(load.transfers)} transfers need at least "
              f"{load.ratio:.0%} of their time (lower bound), at least {load.at_least_unserved} unservable",
              file=sys.stderr)
    print("solver,transfers,served,on_time,split,unserved,vehicles,runs,km,objective,status,seconds,check")
    failed: list[str] = []
    if not args.no_baseline:
        base = solve(festival, ShuttleParams(time_limit=args.baseline_seconds, solution_limit=1, **search))
        line, problems = _row("first-solution", festival, base, minutes)
        print(line, flush=True)
        failed += [f"first-solution: {p}" for p in problems]
    print(f"one-per-transfer,{len(festival.transfers)},{alone},{alone},0,{len(festival.transfers) - alone},"
          f"{alone},{alone},,,,,", flush=True)
    plan = solve(festival, ShuttleParams(time_limit=args.seconds, **search))
    line, problems = _row("planner", festival, plan, minutes)
    print(line, flush=True)
    failed += [f"planner: {p}" for p in problems]
    transfers = {t.id: t for t in festival.transfers}
    for item in plan.served:
        if item.pieces:
            print(f"# split {item.transfer}: {item.describe(transfers[item.transfer])}", file=sys.stderr)
    for item in plan.unserved:
        print(f"# unserved {item.transfer}: {item.reason}", file=sys.stderr)
    for problem in failed[:20]:
        print(f"CHECK FAILED {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
