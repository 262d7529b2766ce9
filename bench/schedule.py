"""Benchmark the tour-date scheduler on generated tours (bench/generate_tour.py).

    python bench/schedule.py --shows 150 --days 180 --seconds 60 [--seeds 1 2 3]

For each seed it generates a tour that is feasible by construction, plans it with
touring's scheduler and, as the baseline in the same run, with the same CP-SAT model
without the warm start from the selection-and-sequencing core. One CSV row per run on
standard output: time to the first plan, final status, objective, bound and gap.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_tour import generate  # noqa: E402

from solvers.schedule import ScheduleParams  # noqa: E402
from touring.io import load_tour  # noqa: E402
from touring.planning import make_plan  # noqa: E402


def run(folder: Path, params: ScheduleParams) -> dict:
    loaded = load_tour(folder)
    started = time.monotonic()
    first: list[float] = []
    params = replace(params, progress=lambda seconds, objective, bound: first.append(time.monotonic() - started))
    plan = make_plan(loaded, params)
    report = plan.schedule_report
    return {
        "first_plan_s": f"{first[0]:.1f}" if first else ("" if not plan.found else f"{report.wall_time_s:.1f}"),
        "status": report.status, "shows_played": len(plan.bookings),
        "objective": "" if report.objective is None else f"{report.objective:.2f}",
        "bound": "" if report.best_bound is None else f"{report.best_bound:.2f}",
        "gap": "" if report.gap is None else f"{report.gap:.4f}", "wall_s": f"{report.wall_time_s:.1f}",
        "core_warm_start_s": f"{first[0]:.1f}" if first and params.warm_start else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shows", type=int, default=150)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1])
    parser.add_argument("--no-baseline", action="store_true", help="Skip the run without warm start.")
    args = parser.parse_args()
    writer = csv.writer(sys.stdout)
    writer.writerow(["seed", "engine", "first_plan_s", "status", "shows_played", "objective", "bound", "gap",
                     "wall_s", "core_warm_start_s"])
    params = ScheduleParams(time_limit_s=args.seconds, workers=args.workers)
    with tempfile.TemporaryDirectory() as scratch:
        for seed in args.seeds:
            folder = generate(Path(scratch) / f"tour-{seed}", args.shows, args.days, seed)
            engines = [("touring", params)]
            if not args.no_baseline:
                engines.append(("cp-sat-alone", replace(params, warm_start=False)))
            for name, engine in engines:
                row = run(folder, engine)
                writer.writerow([seed, name, *row.values()])
                sys.stdout.flush()


if __name__ == "__main__":
    main()
