"""What changed between two plans, told to each crew member (Markdown and HTML).

For one person, the changes are: a show they were to work that is cancelled, a show of
theirs on another date, a show night or set-up day they no longer work or now work, a
night in another hotel (or at home, or still to book), and when both plans have transport
runs, their rides: a ride whose vehicle leaves earlier or later, a ride in another vehicle,
a ride cancelled or new, and driving instead of riding (or back).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Mapping, Sequence

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


def _same_bed(a: Stay | None, b: Stay | None) -> bool:
    """Whether two stays of one person on one night are the same bed; no night on the tour
    (no stay) is a night at home. The one rule of the change report and the re-issued sheets."""
    def bed(stay: Stay | None) -> tuple[StayKind, str | None]:
        return (stay.kind, stay.hotel_id) if stay is not None else (StayKind.HOME, None)

    return bed(a) == bed(b)


def _bed(stay: Stay | None, tour: Tour) -> str:
    """A bed in words; no stay is a night at home (:func:`_same_bed`)."""
    if stay is None:
        return "at home"
    if stay.kind is StayKind.HOTEL and stay.hotel_id:
        hotel = next((h for h in tour.hotels if h.id == stay.hotel_id), None)
        return hotel.name if hotel else stay.hotel_id
    return {"home": "at home"}.get(stay.kind.value, stay.kind.value.replace("_", " "))


def _rides_by_day(plan: Plan, crew_id: str) -> dict[date, tuple]:
    """A person's rides per day in the order they leave (:func:`touring.export.timeline.rides`)."""
    # Here, not at the top: touring.export imports this module.
    from touring.export.timeline import rides

    by_day: dict[date, list] = {}
    for run in plan.runs:
        by_day.setdefault(run.day, []).append(run)
    return {day: found for day, runs in by_day.items() if (found := rides(tuple(runs), crew_id))}


def _minutes(a: datetime, b: datetime) -> int:
    return round((b - a).total_seconds() / 60)


def _when(moment: datetime, day: date) -> str:
    """A clock time, with its date when a run of ``day`` leaves after midnight."""
    return f"{moment:%H:%M}" if moment.date() == day else f"{moment:%H:%M} on {_day(moment.date())}"


def _times(times: list[datetime], day: date) -> str:
    clock = [_when(t, day) for t in times]
    return clock[0] if len(clock) == 1 else ", ".join(clock[:-1]) + " and " + clock[-1]


def _person_ride_changes(tour: Tour, crew_id: str, old: Plan, new: Plan) -> list[Change]:
    """Rides of the same day compared in time order: the first with the first, and so on.

    The same change to several rides of a day (the ride out and the ride back in another
    vehicle) is one line naming each time.
    """
    names = {v.id: v.name for v in tour.vehicles}
    before, after = _rides_by_day(old, crew_id), _rides_by_day(new, crew_id)
    changes = []
    for day in sorted(set(before) | set(after)):
        a_list, b_list = before.get(day, []), after.get(day, [])
        alike: dict[tuple, list[datetime]] = {}  # what changed -> the rides' times, in order
        for k in range(max(len(a_list), len(b_list))):
            a = a_list[k] if k < len(a_list) else None
            b = b_list[k] if k < len(b_list) else None
            if a is not None and b is None:
                alike.setdefault(("cancelled", a.run.vehicle_id), []).append(a.departs)
            elif a is None and b is not None:
                alike.setdefault(("new", b.run.vehicle_id, b.drives), []).append(b.departs)
            elif a.run.vehicle_id != b.run.vehicle_id:
                alike.setdefault(("vehicle", b.run.vehicle_id, b.drives, a.run.vehicle_id), []).append(b.departs)
            elif a.drives != b.drives:
                alike.setdefault(("driving", b.run.vehicle_id, b.drives), []).append(b.departs)
            elif a.departs != b.departs:
                shift = _minutes(a.departs, b.departs)
                when = f"{abs(shift)} min {'earlier' if shift < 0 else 'later'}"
                name = names.get(b.run.vehicle_id, b.run.vehicle_id)
                changes.append(Change(crew_id, day, f"Your {_day(day)} {name} leaves {when} "
                                                    f"({_when(b.departs, day)} instead of {_when(a.departs, day)})."))
        for (kind, vehicle_id, *rest), times in alike.items():
            name = names.get(vehicle_id, vehicle_id)
            if kind == "cancelled":
                text = (f"Your {_day(day)} ride in the {name} ({_times(times, day)}) is cancelled." if len(times) == 1
                        else f"Your {_day(day)} rides in the {name} ({_times(times, day)}) are cancelled.")
            elif kind == "driving":
                text = (f"On {_day(day)} you now drive the {name}" if rest[0]
                        else f"On {_day(day)} you no longer drive the {name}: you ride in it") \
                    + f", leaving {_times(times, day)}."
            else:
                verb = "drive" if rest[0] else "ride in"
                instead = f" instead of the {names.get(rest[1], rest[1])}" if kind == "vehicle" else ""
                text = f"On {_day(day)} you now {verb} the {name}{instead}, leaving {_times(times, day)}."
            changes.append(Change(crew_id, day, text))
    return changes


def ride_changes(tour: Tour, old: Plan, new: Plan) -> dict[str, tuple[Change, ...]]:
    """Per crew member (in crew order), their rides' changes; empty unless both plans have runs.

    Computed once and given to :func:`crew_changes` and :func:`plan_changes` when both
    are wanted (an export re-issue), so that every person's rides are compared once.
    """
    if not (old.runs and new.runs):
        return {}
    return {member.id: tuple(_person_ride_changes(tour, member.id, old, new)) for member in tour.crew}


def crew_changes(tour: Tour, old: Plan, new: Plan,
                 rides: Mapping[str, Sequence[Change]] | None = None) -> dict[str, tuple[Change, ...]]:
    """Per crew member (every one of the tour, in crew order), what changed for them, by date.

    ``tour`` is the tour as it was before the changes, so that venue and hotel names of
    the old plan are known. ``rides`` are :func:`ride_changes` of the same plans, when
    already computed.
    """
    if rides is None:
        rides = ride_changes(tour, old, new)
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
            if _same_bed(a, b):
                continue
            what = "hotel" if a and b and a.kind is b.kind is StayKind.HOTEL else "night"
            changes.append(Change(member.id, day, f"Your {_day(day)} {what} moves from {_bed(a, tour)} to "
                                                  f"{_bed(b, tour)}."))
        changes += rides.get(member.id, ())
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
    """Whether a day (or no day) is on the road (:func:`touring.export.timeline.is_away`)."""
    from touring.export.timeline import is_away

    return day is not None and is_away(day)


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
            if not _same_bed(a, b):
                moves.setdefault((_bed(a, tour), _bed(b, tour)), []).append(crew_id)
        for (was, now), crew_ids in moves.items():
            who = ", ".join(names.get(c, c) for c in crew_ids)
            found.append(DayChange(day, "night", f"{who}: the {_day(day)} night moves from {was} to {now}.",
                                   tuple(crew_ids)))
    return found


def _named_rides(tour: Tour, rides: Mapping[str, Sequence[Change]]) -> list[DayChange]:
    """Each person's ride changes (:func:`ride_changes`), named."""
    return [DayChange(c.day, "ride", f"{member.name}: {c.text}", (member.id,))
            for member in tour.crew for c in rides.get(member.id, ())]


def plan_changes(tour: Tour, old: Plan, new: Plan,
                 rides: Mapping[str, Sequence[Change]] | None = None) -> tuple[DayChange, ...]:
    """What changed from ``old`` to ``new``, date by date: shows cancelled, moved or added;
    days no longer (or newly) on the road or of another kind; each person's night in
    another bed; each person's ride in another vehicle or at another time (when both plans
    have runs; ``rides``: :func:`ride_changes` of the same plans, when already computed).
    In date order; ``tour`` names venues, hotels and people of both plans."""
    if rides is None:
        rides = ride_changes(tour, old, new)
    shows = _show_changes(tour, old, new)
    found = shows + _day_changes(tour, old, new) + _night_changes(tour, old, new) + _named_rides(tour, rides)
    return tuple(sorted(found, key=lambda c: c.day))
