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
from datetime import date, datetime

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


@dataclass(frozen=True)
class Ride:
    """One person's ride: the vehicle, when it leaves with them on board, and whether they drive."""

    day: date
    vehicle_id: str
    leaves: datetime
    driving: bool


def rides(plan: Plan, crew_id: str) -> dict[date, list[Ride]]:
    """A person's rides per day, in time order: each boarding of a run (a driver who never boards: its start)."""
    out: dict[date, list[Ride]] = {}
    for run in plan.runs:
        driving = run.driver_id == crew_id
        boards = [stop.departure for stop in run.stops if crew_id in stop.board]
        if driving and not boards:
            boards = [run.stops[0].departure]
        for leaves in boards:
            out.setdefault(run.day, []).append(Ride(run.day, run.vehicle_id, leaves, driving))
    for day_rides in out.values():
        day_rides.sort(key=lambda r: r.leaves)
    return out


def _minutes(a: datetime, b: datetime) -> int:
    return round((b - a).total_seconds() / 60)


def _times(times: list[datetime]) -> str:
    clock = [f"{t:%H:%M}" for t in times]
    return clock[0] if len(clock) == 1 else ", ".join(clock[:-1]) + " and " + clock[-1]


def _ride_changes(tour: Tour, crew_id: str, old: Plan, new: Plan) -> list[Change]:
    """Rides of the same day compared in time order: the first with the first, and so on.

    The same change to several rides of a day (the ride out and the ride back in another
    vehicle) is one line naming each time.
    """
    names = {v.id: v.name for v in tour.vehicles}
    before, after = rides(old, crew_id), rides(new, crew_id)
    changes = []
    for day in sorted(set(before) | set(after)):
        a_list, b_list = before.get(day, []), after.get(day, [])
        alike: dict[tuple, list[datetime]] = {}  # what changed -> the rides' times, in order
        for k in range(max(len(a_list), len(b_list))):
            a = a_list[k] if k < len(a_list) else None
            b = b_list[k] if k < len(b_list) else None
            if a is not None and b is None:
                alike.setdefault(("cancelled", a.vehicle_id), []).append(a.leaves)
            elif a is None and b is not None:
                alike.setdefault(("new", b.vehicle_id, b.driving), []).append(b.leaves)
            elif a.vehicle_id != b.vehicle_id:
                alike.setdefault(("vehicle", b.vehicle_id, b.driving, a.vehicle_id), []).append(b.leaves)
            elif a.driving != b.driving:
                alike.setdefault(("driving", b.vehicle_id, b.driving), []).append(b.leaves)
            elif a.leaves != b.leaves:
                shift = _minutes(a.leaves, b.leaves)
                when = f"{abs(shift)} min {'earlier' if shift < 0 else 'later'}"
                changes.append(Change(crew_id, day, f"Your {_day(day)} {names.get(b.vehicle_id, b.vehicle_id)} "
                                                    f"leaves {when} ({b.leaves:%H:%M} instead of {a.leaves:%H:%M})."))
        for (kind, vehicle_id, *rest), times in alike.items():
            name = names.get(vehicle_id, vehicle_id)
            if kind == "cancelled":
                text = (f"Your {_day(day)} ride in the {name} ({_times(times)}) is cancelled." if len(times) == 1
                        else f"Your {_day(day)} rides in the {name} ({_times(times)}) are cancelled.")
            elif kind == "driving":
                text = (f"On {_day(day)} you now drive the {name}" if rest[0]
                        else f"On {_day(day)} you no longer drive the {name}: you ride in it") \
                    + f", leaving {_times(times)}."
            else:
                verb = "drive" if rest[0] else "ride in"
                instead = f" instead of the {names.get(rest[1], rest[1])}" if kind == "vehicle" else ""
                text = f"On {_day(day)} you now {verb} the {name}{instead}, leaving {_times(times)}."
            changes.append(Change(crew_id, day, text))
    return changes


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
            what = "hotel" if a and b and a.kind is b.kind is StayKind.HOTEL else "night"
            changes.append(Change(member.id, day, f"Your {_day(day)} {what} moves from {_bed(a, tour)} to "
                                                  f"{_bed(b, tour)}."))
        if old.runs and new.runs:
            changes += _ride_changes(tour, member.id, old, new)
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
