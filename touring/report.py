"""Plain-text views of a plan for the terminal."""

from __future__ import annotations

from touring.model import DayKind, Plan, Tour


def _hours(minutes: int) -> str:
    return f"{minutes // 60}h{minutes % 60:02d}"


def day_table(plan: Plan, tour: Tour) -> list[str]:
    """One line per day from departure to return: date, what, where, km, driving."""
    away = [d for d in plan.days if d.kind is not DayKind.HOME or d.travel]
    if not away:
        return []
    lines = [f"{'date':<15} {'day':<7} {'show':<18} {'where':<32} {'km':>6} {'drive':>6}  travel"]
    for day in away:
        place = tour.places[day.place_id]
        where = tour.venue_by_id[day.place_id].name if day.place_id in tour.venue_by_id else place.name
        legs = "; ".join(
            f"{tour.places[t.from_id].name if t.from_id != 'home' else 'home'} → "
            f"{tour.places[t.to_id].name if t.to_id != 'home' else 'home'}"
            f"{' (overnight)' if t.overnight else ''}{' via ' + ', '.join(t.crossings) if t.crossings else ''}"
            for t in day.travel)
        km = f"{day.km:,.0f}" if day.travel else ""
        drive = _hours(day.drive_minutes) if day.travel else ""
        show = day.show_id if day.kind is DayKind.SHOW else ""
        lines.append(f"{day.day.strftime('%a %Y-%m-%d'):<15} {day.kind.value:<7} {show[:18]:<18} {where[:32]:<32} "
                     f"{km:>6} {drive:>6}  {legs}")
    return lines


def summary_lines(plan: Plan, tour: Tour) -> list[str]:
    report = plan.schedule_report
    lines = []
    if plan.found:
        required = sum(tour.show_by_id[b.show_id].required for b in plan.bookings)
        lines += [
            f"Shows played: {len(plan.bookings)} ({required} required, {len(plan.bookings) - required} optional), "
            f"{sum(b.nights for b in plan.bookings)} nights",
            f"Travel: {plan.km:,.0f} km, {_hours(plan.drive_minutes)} driving (pace of the {plan.lead_kind.value})",
            f"Fees: {plan.fees:,.0f} {plan.currency}",
        ]
        if plan.dropped:
            lines.append(f"Optional shows dropped: {len(plan.dropped)}")
            lines += [f"  {d.show_id}: {d.reason}" for d in plan.dropped]
    else:
        lines.append("No plan: the tour cannot be done as given." if report.status == "infeasible"
                     else "No plan found within the time limit.")
        if plan.conflicts:
            lines.append("These rules conflict:")
            lines += [f"  - {c}" for c in plan.conflicts]
    gap = f", gap {report.gap:.2%}" if report.gap is not None else ""
    objective = f", cost {report.objective:,.2f} {plan.currency}, bound {report.best_bound:,.2f}" \
        if report.objective is not None else ""
    lines.append(f"Solver: {report.solver} {report.status}{objective}{gap}, {report.wall_time_s:.1f} s "
                 f"(limit {report.time_limit_s:g} s, seed {report.seed}, {report.workers} workers)")
    return lines
