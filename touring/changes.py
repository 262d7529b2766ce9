"""What changed between two plans, told to each crew member (Markdown and HTML).

For one person, the changes are: a show they were to work that is cancelled, a show of
theirs on another date, a show night or set-up day they no longer work or now work, and
a night in another hotel (or at home, or still to book). The plans carry no departure
times (every travel day starts at the same hour), so vehicle times are not compared.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta

from touring.model import DayKind, Plan, Stay, StayKind, Tour


@dataclass(frozen=True)
class Change:
    crew_id: str
    day: date
    text: str


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%B')}"


def _work(plan: Plan, crew_id: str) -> dict[tuple[str, date], tuple[DayKind, tuple[str, ...]]]:
    out = {}
    for shift in plan.crew_shifts:
        roles = tuple(role for role, who in shift.roles if who == crew_id)
        if roles:
            out[shift.show_id, shift.day] = (shift.kind, roles)
    return out


def _bed(stay: Stay | None, tour: Tour) -> str:
    if stay is None:
        return "no night on the tour"
    if stay.kind is StayKind.HOTEL and stay.hotel_id:
        hotel = next((h for h in tour.hotels if h.id == stay.hotel_id), None)
        return hotel.name if hotel else stay.hotel_id
    return {"home": "at home"}.get(stay.kind.value, stay.kind.value.replace("_", " "))


def crew_changes(tour: Tour, old: Plan, new: Plan) -> dict[str, tuple[Change, ...]]:
    """Per crew member (every one of the tour, in crew order), what changed for them, by date.

    ``tour`` is the tour as it was before the changes, so that venue and hotel names of
    the old plan are known.
    """
    venue_name = {v.id: v.name for v in tour.venues}
    old_shows = {b.show_id: b for b in old.bookings}
    new_shows = {b.show_id: b for b in new.bookings}
    result = {}
    for member in tour.crew:
        changes: list[Change] = []
        before, after = _work(old, member.id), _work(new, member.id)
        reported: set[str] = set()
        for (show_id, day), (kind, _) in sorted(before.items(), key=lambda item: item[0][1]):
            venue = venue_name.get(old_shows[show_id].venue_id, old_shows[show_id].venue_id) \
                if show_id in old_shows else show_id
            if show_id not in new_shows:
                if show_id not in reported and kind is DayKind.SHOW:
                    changes.append(Change(member.id, day, f"Your {_day(day)} show at {venue} is cancelled."))
                    reported.add(show_id)
            elif new_shows[show_id].first_night != old_shows[show_id].first_night:
                if show_id not in reported:
                    changes.append(Change(member.id, day, f"Your show at {venue} moves from {_day(day)} to "
                                                          f"{_day(new_shows[show_id].first_night)}."))
                    reported.add(show_id)
            elif (show_id, day) not in after:
                what = "show" if kind is DayKind.SHOW else "set-up day"
                changes.append(Change(member.id, day, f"You no longer work the {_day(day)} {what} at {venue}."))
        for (show_id, day), (kind, roles) in sorted(after.items(), key=lambda item: item[0][1]):
            if (show_id, day) in before or show_id in reported:
                continue
            venue = venue_name.get(new_shows[show_id].venue_id, new_shows[show_id].venue_id)
            what = "show" if kind is DayKind.SHOW else "set-up day"
            changes.append(Change(member.id, day, f"You now work the {_day(day)} {what} at {venue} "
                                                  f"({', '.join(roles)})."))
        old_nights = {n.day: n.stay(member.id) for n in old.accommodation}
        new_nights = {n.day: n.stay(member.id) for n in new.accommodation}
        for day in sorted(set(old_nights) | set(new_nights)):
            a, b = old_nights.get(day), new_nights.get(day)
            if ((a.kind, a.hotel_id) if a else None) == ((b.kind, b.hotel_id) if b else None):
                continue
            changes.append(Change(member.id, day, f"Your {_day(day)} night moves from {_bed(a, tour)} to "
                                                  f"{_bed(b, tour)}."))
        result[member.id] = tuple(sorted(changes, key=lambda c: c.day))
    return result


def changes_markdown(tour: Tour, changes: dict[str, tuple[Change, ...]]) -> str:
    """One section per crew member; those with nothing changed say so in one line."""
    names = {m.id: m.name for m in tour.crew}
    lines = [f"# Changes for the crew of {tour.name}", ""]
    for crew_id, items in changes.items():
        lines.append(f"## {names.get(crew_id, crew_id)}")
        lines.append("")
        lines += [f"- {c.text}" for c in items] or ["Nothing changes for you."]
        lines.append("")
    return "\n".join(lines)


def changes_html(tour: Tour, changes: dict[str, tuple[Change, ...]]) -> str:
    names = {m.id: m.name for m in tour.crew}
    parts = [f"<h1>Changes for the crew of {html.escape(tour.name)}</h1>"]
    for crew_id, items in changes.items():
        parts.append(f"<h2>{html.escape(names.get(crew_id, crew_id))}</h2>")
        if items:
            parts.append("<ul>" + "".join(f"<li>{html.escape(c.text)}</li>" for c in items) + "</ul>")
        else:
            parts.append("<p>Nothing changes for you.</p>")
    return "<!doctype html>\n<meta charset=\"utf-8\">\n" + "\n".join(parts) + "\n"


@dataclass(frozen=True)
class DayChange:
    """One change between two plans on one date, as data for the re-issued day sheets and
    itineraries: ``what`` is ``show``, ``day``, ``night`` or ``ride``; ``crew_ids`` the
    people it concerns (empty: the whole tour)."""

    day: date
    what: str
    text: str
    crew_ids: tuple[str, ...] = ()


def _place(tour: Tour, place_id: str) -> str:
    # Here, not at the top: touring.export imports this module.
    from touring.export.timeline import place_name

    return place_name(tour, place_id) if place_id in tour.places else place_id


def _is_away(day) -> bool:
    return day is not None and (day.kind is not DayKind.HOME or bool(day.travel))


def _describe(tour: Tour, day) -> str:
    if not _is_away(day):
        return "at home"
    where = _place(tour, day.place_id)
    return {DayKind.SHOW: f"show at {where}", DayKind.SETUP: f"set-up at {where}", DayKind.OFF: f"day off in {where}",
            DayKind.TRAVEL: f"travel to {where}"}.get(day.kind, f"travel to {where}")


def _show_changes(tour: Tour, old: Plan, new: Plan) -> list[DayChange]:
    venue_name = {v.id: v.name for v in tour.venues}
    before = {b.show_id: b for b in old.bookings}
    after = {b.show_id: b for b in new.bookings}
    found = []
    for show_id, b in before.items():
        venue = venue_name.get(b.venue_id, b.venue_id)
        nights = [b.first_night + timedelta(days=n) for n in range(b.nights)]
        if show_id not in after:
            found += [DayChange(d, "show", f"The show at {venue} on {_day(d)} is cancelled.") for d in nights]
        elif after[show_id].first_night != b.first_night:
            text = f"The show at {venue} moves from {_day(b.first_night)} to {_day(after[show_id].first_night)}."
            found += [DayChange(b.first_night, "show", text), DayChange(after[show_id].first_night, "show", text)]
    for show_id, b in after.items():
        if show_id not in before:
            found.append(DayChange(b.first_night, "show",
                                   f"New show at {venue_name.get(b.venue_id, b.venue_id)} on {_day(b.first_night)}."))
    return found


def _day_changes(tour: Tour, old: Plan, new: Plan) -> list[DayChange]:
    before, after = {d.day: d for d in old.days}, {d.day: d for d in new.days}

    def legs(day) -> str:
        return "; ".join(f"{_place(tour, t.from_id)} → {_place(tour, t.to_id)}" for t in day.travel) or "none"

    found = []
    for day in sorted(set(before) | set(after)):
        a, b = before.get(day), after.get(day)
        if not (_is_away(a) or _is_away(b)):
            continue
        if not _is_away(b):
            found.append(DayChange(day, "day", f"No longer on the road on {_day(day)} (was: {_describe(tour, a)})."))
        elif _describe(tour, a) != _describe(tour, b):
            found.append(DayChange(day, "day", f"Now {_describe(tour, b)} (was: {_describe(tour, a)})."))
        elif a is not None and [(t.from_id, t.to_id) for t in a.travel] != [(t.from_id, t.to_id) for t in b.travel]:
            found.append(DayChange(day, "day", f"Travel now {legs(b)} (was: {legs(a)})." if b.travel
                                   else f"No travel now (was: {legs(a)})."))
    return found


def _night_changes(tour: Tour, old: Plan, new: Plan) -> list[DayChange]:
    """Per night, the people who move from one bed to another, one change per move (a crew of
    fourteen moving hotel together is one line, not fourteen)."""
    names = {m.id: m.name for m in tour.crew}
    before, after = {n.day: n for n in old.accommodation}, {n.day: n for n in new.accommodation}
    found = []
    for day in sorted(set(before) | set(after)):
        ids = {s.crew_id for n in (before.get(day), after.get(day)) if n for s in n.stays}
        moves: dict[tuple[str, str], list[str]] = {}
        for crew_id in sorted(ids, key=lambda c: names.get(c, c)):
            a = before[day].stay(crew_id) if day in before else None
            b = after[day].stay(crew_id) if day in after else None
            # No night on the tour and a night at home are the same bed.
            bed_a = (a.kind, a.hotel_id) if a else (StayKind.HOME, None)
            bed_b = (b.kind, b.hotel_id) if b else (StayKind.HOME, None)
            if bed_a != bed_b:
                moves.setdefault((_bed(a, tour) if a else "at home", _bed(b, tour) if b else "at home"),
                                 []).append(crew_id)
        for (was, now), crew_ids in moves.items():
            who = ", ".join(names.get(c, c) for c in crew_ids)
            found.append(DayChange(day, "night", f"{who}: the {_day(day)} night moves from {was} to {now}.",
                                   tuple(crew_ids)))
    return found


def _ride_changes(tour: Tour, old: Plan, new: Plan) -> list[DayChange]:
    """Each person's pick-ups compared ride by ride (vehicle, place, time), when both plans have runs."""
    from touring.export.timeline import rides, stop_name, vehicle_name

    if not (old.runs and new.runs):
        return []

    def vehicle(ride) -> str:
        return vehicle_name(tour, ride.run.vehicle_id)

    by_day: dict[date, tuple[list, list]] = {}
    for index, plan in enumerate((old, new)):
        for run in plan.runs:
            by_day.setdefault(run.day, ([], []))[index].append(run)
    found = []
    for day, (runs_a, runs_b) in sorted(by_day.items()):
        for member in tour.crew:
            a, b = rides(tuple(runs_a), member.id), rides(tuple(runs_b), member.id)
            for number in range(max(len(a), len(b))):
                x, y = (a[number] if number < len(a) else None), (b[number] if number < len(b) else None)
                key = [(r.run.vehicle_id, r.pick_up.place_id, r.departs) if r else None for r in (x, y)]
                if key[0] == key[1]:
                    continue
                if x is None or y is None:
                    text = (f"a new ride in the {vehicle(y)}: pick-up {y.departs:%H:%M} at "
                            f"{stop_name(tour, y.pick_up.place_id)}" if x is None else
                            f"no ride any more in the {vehicle(x)} (was {x.departs:%H:%M} at "
                            f"{stop_name(tour, x.pick_up.place_id)})")
                elif key[0][:2] == key[1][:2]:
                    minutes = int((y.departs - x.departs).total_seconds() // 60)
                    text = (f"the {vehicle(y)} leaves {abs(minutes)} min {'earlier' if minutes < 0 else 'later'} "
                            f"({y.departs:%H:%M} instead of {x.departs:%H:%M})")
                else:
                    text = (f"now the {vehicle(y)} at {y.departs:%H:%M} from {stop_name(tour, y.pick_up.place_id)}, "
                            f"not the {vehicle(x)} at {x.departs:%H:%M} from {stop_name(tour, x.pick_up.place_id)}")
                found.append(DayChange(day, "ride", f"{member.name}: {text}.", (member.id,)))
    return found


def plan_changes(tour: Tour, old: Plan, new: Plan) -> tuple[DayChange, ...]:
    """What changed from ``old`` to ``new``, date by date: shows cancelled, moved or added;
    days no longer (or newly) on the road or of another kind; each person's night in
    another bed; each person's ride in another vehicle or at another time (when both plans
    have runs). In date order; ``tour`` names venues, hotels and people of both plans."""
    shows = _show_changes(tour, old, new)
    found = shows + _day_changes(tour, old, new) + _night_changes(tour, old, new) \
        + _ride_changes(tour, old, new)
    return tuple(sorted(found, key=lambda c: c.day))
