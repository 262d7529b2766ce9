"""Benchmark replanning after a cancellation on data/festival-summer.

    python bench/replan.py [--tour data/festival-summer] [--seconds 5] [--stage-seconds 2] [--cases 0]
                           [--allow-moving]

It plans the tour once (the plan in force), then cancels each booked show in turn with
``today`` set to the first occupied day of the show before it (the season's first day for
the first show), and replans it twice in the same run:

- ``replan``: :func:`solvers.replan.replan` (past frozen, booked dates fixed, hint, stability);
- ``scratch``: :func:`touring.planning.make_plan` on the tour without the show.

One CSV row per case on standard output: wall time of the whole pipeline and of the date
scheduler alone, and the number of other shows whose date changed against the plan in
force (the goal: 0 for ``replan``, at most 5 s per replan on 2 cores). For ``replan`` also
``replan_hotel_changes``, booked hotel stays changed that the cancellation did not force
(the night is still spent at the same place and the person still needs a bed), and
``replan_gear_changes``, gear units in another vehicle than booked on a leg driven the same
day between the same places (the goal: 0 for both).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from dataclasses import replace
from datetime import date

from solvers import crew, hotels, loading
from solvers.replan import CancelShow, replan
from solvers.schedule import ScheduleParams
from touring.io import load_tour
from touring.planning import make_plan


def _changes(before, after, cancelled: str) -> int:
    old = {b.show_id: b.first_night for b in before.bookings if b.show_id != cancelled}
    new = {b.show_id: b.first_night for b in after.bookings}
    return sum(1 for sid in old.keys() | new.keys() if old.get(sid) != new.get(sid))


def _unforced_stays(before, result) -> int:
    """Booked stays changed on nights still spent at the same place by someone who still needs a bed."""
    old = {n.day: n for n in before.accommodation}
    new = {n.day: n for n in result.plan.accommodation}
    count = 0
    for crew_id, day in result.changed_stays:
        a, b = old[day], new.get(day)
        stay = b.stay(crew_id) if b is not None else None
        if b is not None and a.place_id == b.place_id and stay is not None and stay.kind.value in ("hotel", "unbooked"):
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tour", default="data/festival-summer")
    parser.add_argument("--seconds", type=float, default=5.0, help="date scheduler time limit per solve")
    parser.add_argument("--stage-seconds", type=float, default=2.0, help="hotels, rota and loading, each")
    parser.add_argument("--plan-seconds", type=float, default=20.0, help="for the plan in force")
    parser.add_argument("--allow-moving", action="store_true", help="booked shows may move (stability term only)")
    parser.add_argument("--cases", type=int, default=0, help="only the first N cancellations (0: all)")
    args = parser.parse_args()

    loaded = load_tour(args.tour)
    stages = dict(hotel_params=hotels.AccommodationParams(time_limit_s=args.stage_seconds),
                  crew_params=crew.CrewParams(time_limit_s=args.stage_seconds),
                  loading_params=loading.LoadingParams(time_limit_s=args.stage_seconds))
    params = ScheduleParams(time_limit_s=args.seconds, workers=2)
    started = time.monotonic()
    plan = make_plan(loaded, replace(params, time_limit_s=args.plan_seconds), **stages)
    print(f"# plan in force: {len(plan.bookings)} shows, {plan.schedule_report.status}, "
          f"{time.monotonic() - started:.1f} s", file=sys.stderr)
    writer = csv.writer(sys.stdout)
    writer.writerow(["show", "today", "replan_s", "replan_schedule_s", "replan_status", "replan_changes",
                     "replan_hotel_changes", "replan_gear_changes",
                     "scratch_s", "scratch_schedule_s", "scratch_status", "scratch_changes"])
    bookings = plan.bookings[:args.cases] if args.cases else plan.bookings
    for i, booking in enumerate(bookings):
        today: date = plan.bookings[i - 1].setup_start if i else loaded.tour.season.start
        started = time.monotonic()
        result = replan(loaded, plan, (CancelShow(booking.show_id),), today, params, allow_moving=args.allow_moving,
                        **stages)
        replan_s = time.monotonic() - started
        without = replace(loaded, tour=replace(loaded.tour, shows=tuple(
            s for s in loaded.tour.shows if s.id != booking.show_id)))
        started = time.monotonic()
        scratch = make_plan(without, params, **stages)
        scratch_s = time.monotonic() - started
        writer.writerow([booking.show_id, today, f"{replan_s:.2f}", f"{result.plan.schedule_report.wall_time_s:.2f}",
                         result.plan.schedule_report.status + ("+relaxed" if result.relaxed else ""),
                         _changes(plan, result.plan, booking.show_id) if result.found else "",
                         _unforced_stays(plan, result) if result.found else "",
                         result.changed_units if result.found else "",
                         f"{scratch_s:.2f}", f"{scratch.schedule_report.wall_time_s:.2f}",
                         scratch.schedule_report.status,
                         _changes(plan, scratch, booking.show_id) if scratch.found else ""])
        sys.stdout.flush()


if __name__ == "__main__":
    main()
