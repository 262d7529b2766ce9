"""Plain-text views of a plan for the terminal."""

from __future__ import annotations

from touring.costs import cost_rollup
from touring.model import DayKind, Plan, SolverReport, StayKind, Tour
from touring.paperwork import DISCLAIMER, paperwork


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
        if plan.accommodation_report is not None:
            kinds = [s.kind for night in plan.accommodation for s in night.stays]
            lines.append(f"Nights: {kinds.count(StayKind.HOTEL)} in hotels ({plan.room_cost:,.0f} {plan.currency}), "
                         f"{kinds.count(StayKind.HOME)} at home, {kinds.count(StayKind.NIGHTLINER)} on the "
                         f"nightliner, {kinds.count(StayKind.UNBOOKED)} still without a bed")
            if plan.to_book:
                lines.append(f"Still to book: {len(plan.to_book)} night(s)")
                lines += [f"  {b.text} ({b.reason})" for b in plan.to_book]
        if plan.crew_report is not None:
            places = sum(len(shift.roles) for shift in plan.crew_shifts)
            wheels = sum(len(shift.drivers) for shift in plan.crew_shifts)
            no_driver = sum(1 for shift in plan.crew_shifts for _, crew_id in shift.drivers if crew_id is None)
            lines.append(f"Crew: {places - len(plan.unfilled_roles) + no_driver} of {places} role places filled "
                         f"over {len(plan.crew_shifts)} shifts")
            if wheels:
                lines.append(f"Drivers: {wheels - no_driver} of {wheels} fleet driver places filled")
            lines += [f"  {u.text}" for u in plan.unfilled_roles]
        if plan.loading_report is not None:
            legs = len({x.leg for x in plan.loads} | {x.leg for x in plan.left_behind})
            lines.append(f"Loading: {len(plan.loads)} vehicle loads over {legs} legs, "
                         f"{sum(x.units for x in plan.left_behind)} unit(s) fit no vehicle, "
                         f"{len(plan.equipment_moves)} rental pick-up(s) and return(s)")
            lines += [f"  {x.text}" for x in plan.left_behind]
            lines += [f"  {m.text}" for m in plan.equipment_moves]
        if plan.transport_report is not None:
            lines += transport_summary(plan)
        lines += cost_summary(plan, tour) + paperwork_summary(plan, tour)
    else:
        lines.append("No plan: the tour cannot be done as given." if report.status == "infeasible"
                     else "No plan found within the time limit.")
        if plan.conflicts:
            lines.append("These rules conflict:")
            lines += [f"  - {c}" for c in plan.conflicts]
    lines.append(_solver_line("Solver", report, plan.currency))
    if plan.accommodation_report is not None:
        lines.append(_solver_line("Accommodation solver", plan.accommodation_report, plan.currency))
    if plan.crew_report is not None:
        lines.append(_solver_line("Crew solver", plan.crew_report, "points"))
    if plan.loading_report is not None:
        lines.append(_solver_line("Loading solver", plan.loading_report, "points"))
    if plan.transport_report is not None:
        lines.append(_solver_line("Transport solver", plan.transport_report, plan.currency))
    return lines


def transport_summary(plan: Plan) -> list[str]:
    """Runs: km per vehicle, driving per driver, their cost, and every move no run makes."""
    km: dict[str, float] = {}
    driving: dict[str, int] = {}
    for run in plan.runs:
        km[run.vehicle_id] = km.get(run.vehicle_id, 0.0) + run.km
        for driver, minutes in run.driving_by_driver.items():
            if driver:  # a parked vehicle unloaded at its venue has none
                driving[driver] = driving.get(driver, 0) + minutes
    lines = [f"Transport: {len(plan.runs)} run(s), {sum(km.values()):,.0f} km, "
             f"{sum(r.cost for r in plan.runs):,.0f} {plan.currency}, "
             f"{len(plan.unserved_transport)} move(s) unserved"]
    if km:
        lines.append("  vehicle km: " + ", ".join(f"{v} {k:,.0f}" for v, k in km.items()))
        lines.append("  driving: " + ", ".join(f"{c} {_hours(m)}" for c, m in driving.items()))
    lines += [f"  {u.text}" for u in plan.unserved_transport]
    if plan.own_travel:
        # Journeys too far to drive: the crew travel on their own and the tour manager books them.
        lines.append(f"Own travel to book: {len(plan.own_travel)} journey(s)")
        lines += [f"  {t.text}" for t in plan.own_travel]
    return lines


def cost_summary(plan: Plan, tour: Tour) -> list[str]:
    """The tour's result by category (plan.json holds every line)."""
    costs = cost_rollup(tour, plan)
    parts = ", ".join(f"{c.value.replace('_', ' ')} {amount:,.0f}" for c, amount in costs.by_category.items()
                      if amount and not c.income)
    lines = [f"Result: fees {costs.income:,.0f} - costs {costs.costs:,.0f} = {costs.result:,.0f} {costs.currency} "
             f"({parts}; {costs.estimated:,.0f} of it estimated from touring/data tables)"]
    return lines + [f"  not priced: {what}" for what in costs.not_priced]


def paperwork_summary(plan: Plan, tour: Tour) -> list[str]:
    """What to have ready at each border, by date."""
    items = paperwork(tour, plan)
    if not items:
        return []
    return [f"Borders ({DISCLAIMER}):"] + [f"  {i.day.isoformat()} {i.from_country}→{i.to_country} "
                                           f"[{i.action.value}] {i.text}" for i in items]


def _solver_line(label: str, report: SolverReport, currency: str) -> str:
    gap = f", gap {report.gap:.2%}" if report.gap is not None else ""
    bound = f"{report.best_bound:,.2f}" if report.best_bound is not None else "none"
    objective = f", cost {report.objective:,.2f} {currency}, bound {bound}" if report.objective is not None else ""
    return (f"{label}: {report.solver} {report.status}{objective}{gap}, {report.wall_time_s:.1f} s "
            f"(limit {report.time_limit_s:g} s, seed {report.seed}, {report.workers} workers)")
