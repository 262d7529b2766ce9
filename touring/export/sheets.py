"""Day sheets (call sheets) and personal itineraries as plain, printable HTML.

Pages are written with :func:`html.escape` only and need nothing from a network: one
column that fits a phone, and the same page prints on A4 (one day per page for the day
sheets) through :func:`touring.export.pdf.pdf_bytes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from html import escape

from solvers.crossings import crossings as known_crossings
from touring.export.timeline import (
    CHECK_IN, CHECK_OUT, Day, hotel_by_id, hours, place_name, rides, run_stops, stay_hotel, stop_name, utc_offset,
    vehicle_name,
)
from touring.model import (
    CrewMember, CrewShift, DayKind, Hotel, RoomKind, Stay, StayKind, ToBook, Tour, UnservedRequest,
)
from touring.paperwork import DISCLAIMER, Action, PaperworkItem, PaperworkKind

STYLE = """
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 16px; line-height: 1.4; margin: 0 auto;
       max-width: 42em; padding: 0.8em; color: #111; background: #fff; }
h1 { font-size: 1.35em; margin: 0.2em 0; } h2 { font-size: 1.05em; margin: 1em 0 0.3em; border-bottom: 1px solid #999; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 0.15em 0.4em 0.15em 0; vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; } th { font-weight: 600; }
.where { font-size: 1.1em; margin: 0; } .muted { color: #555; }
.zone { border: 2px solid #b00; padding: 0.4em; margin: 0.6em 0; font-weight: 600; }
.to-book { border: 2px dashed #b00; background: #fff4f4; padding: 0.4em; margin: 0.6em 0; }
.to-book ul { margin: 0.2em 0; padding-left: 1.2em; }
.hotel { margin: 0.4em 0; }
.papers { border: 2px solid #b60; background: #fff8ec; padding: 0.4em; margin: 0.6em 0; break-inside: avoid; }
.papers { font-size: 0.9em; } .papers p { margin: 0.1em 0 0.3em; } .papers td { padding-bottom: 0.3em; }
.papers td.what, .papers td.required, .papers td.check { white-space: nowrap; }
.required { color: #b00; font-weight: 600; } .check { color: #b60; font-weight: 600; }
.left { color: #b00; font-weight: 600; }
.changed { border: 2px solid #05a; background: #eef4ff; padding: 0.4em; margin: 0.6em 0; break-inside: avoid; }
.changed ul { margin: 0.2em 0; padding-left: 1.2em; }
nav { margin: 0.5em 0 1em; } nav a { margin-right: 1em; }
a { color: #0645ad; }
section.day { page-break-after: always; break-after: page; }
section.day:last-of-type { page-break-after: auto; break-after: auto; }
section.brief { border-top: 1px solid #999; padding-top: 0.3em; break-inside: avoid; }
@page { size: A4; margin: 14mm; }
@media print { nav, .screen { display: none; } body { max-width: none; padding: 0; font-size: 11pt; } }
"""

KIND_TITLES = {DayKind.SHOW: "Show", DayKind.SETUP: "Set-up", DayKind.TRAVEL: "Travel", DayKind.OFF: "Day off",
               DayKind.HOME: "Home"}


def page(title: str, body: str) -> str:
    """A whole HTML document around ``body``."""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{escape(title)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n</body></html>\n")


def day_file(day: date) -> str:
    return f"{day.isoformat()}.html"


def _long_date(day: date) -> str:
    return day.strftime("%a %d %B %Y")


def _contact(text: str) -> str:
    """A contact as a link a phone can follow: mailto for an address, tel for a number."""
    if "@" in text and " " not in text.strip():
        return f'<a href="mailto:{escape(text.strip())}">{escape(text)}</a>'
    digits = text.replace(" ", "").replace("-", "")
    if digits.lstrip("+").isdigit():
        return f'<a href="tel:{escape(digits)}">{escape(text)}</a>'
    return escape(text)


def _crossing_names() -> dict[str, str]:
    return {c.id: c.name for c in known_crossings()}


def _clock(moment: datetime, day: date) -> str:
    """``08:00``, or ``01:00 (Sat 05)`` for a time past the day's midnight."""
    return f"{moment:%H:%M}" if moment.date() == day else f"{moment:%H:%M} ({moment:%a %d})"


def _travel_times(tour: Tour, day: Day, member: CrewMember | None) -> list[tuple[datetime, str, str]]:
    """Departures and arrivals: from the runs when they are planned (each vehicle's, or only
    ``member``'s own rides), else from the legs' fixed departure rule."""
    rows: list[tuple[datetime, str, str]] = []
    if day.runs:
        if member is not None:
            for ride in rides(day.local_runs, member.id):
                vehicle = escape(vehicle_name(tour, ride.run.vehicle_id))
                rows.append((ride.departs, f"{'Departure' if ride.drives else 'Pick-up'} "
                                           f"({escape(stop_name(tour, ride.pick_up.place_id))}, {vehicle})",
                             _clock(ride.departs, day.date)))
                rows.append((ride.arrives, f"Arrival ({escape(stop_name(tour, ride.drop_off.place_id))})",
                             _clock(ride.arrives, day.date)))
            return rows
        for run in day.local_runs:
            stops = run_stops(run)
            if not stops:
                continue
            vehicle = escape(vehicle_name(tour, run.vehicle_id))
            rows.append((stops[0].departure, f"{vehicle} leaves {escape(stop_name(tour, stops[0].place_id))}",
                         _clock(stops[0].departure, day.date)))
            here = next((stop for stop in stops[1:-1] if stop.place_id == day.place.id), None)
            if here is not None:
                rows.append((here.arrival, f"{vehicle} arrives", _clock(here.arrival, day.date)))
                rows.append((here.departure, f"{vehicle} leaves", _clock(here.departure, day.date)))
            rows.append((stops[-1].arrival, f"{vehicle} ends at {escape(stop_name(tour, stops[-1].place_id))}",
                         _clock(stops[-1].arrival, day.date)))
        return rows
    for leg in day.legs:
        rows.append((leg.depart, f"Departure ({escape(leg.origin.name)})", _clock(leg.depart, day.date)))
        label = f"Arrival ({escape(leg.destination.name)})" if leg.number == leg.parts else "Driving stops (on the road)"
        rows.append((leg.arrive, label, _clock(leg.arrive, day.date)))
    return rows


def _times(tour: Tour, day: Day, member: CrewMember | None = None) -> list[tuple[str, str]]:
    """The local times of the day in the order they happen, each with where it applies.

    Travel times come from the day's runs when they are planned (``member``: only their
    own rides), else from the legs.
    """
    rows = _travel_times(tour, day, member)
    if day.show is not None:
        rows.append((day.show.load_in, "Load-in", _clock(day.show.load_in, day.date)))
        for moment, label in ((day.show.soundcheck, "Sound check"), (day.show.doors, "Doors"),
                              (day.show.show, "Show")):
            if moment is not None:
                rows.append((moment, label, _clock(moment, day.date)))
        rows.append((day.show.curfew, "Curfew", _clock(day.show.curfew, day.date)))
        if day.show.load_out is not None:
            rows.append((day.show.load_out, "Load-out", _clock(day.show.load_out, day.date)))
    return [(label, text) for _, label, text in sorted(rows, key=lambda row: row[0])]


def _zone_notice(day: Day) -> str:
    if not day.zone_changed:
        return ""
    now = utc_offset(day.noon)
    return (f'<p class="zone">Time zone changes: {escape(day.place.timezone)} ({now}), '
            f"the day before {escape(day.previous_zone or '')} ({day.previous_offset}). All times are local.</p>")


def _travel_table(tour: Tour, day: Day) -> str:
    if not day.legs:
        return "<p>No travel.</p>"
    names = _crossing_names()
    rows = []
    for leg in day.legs:
        part = leg.part
        crossing = ", ".join(names.get(c, c) for c in part.crossings) or "—"
        title = f"{place_name(tour, part.from_id)} → {place_name(tour, part.to_id)}"
        if leg.parts > 1:
            title += f" (part {leg.number} of {leg.parts})"
        if part.overnight:
            title += " (overnight, nightliner)"
        rows.append(f"<tr><td>{escape(title)}</td><td class=\"n\">{part.km:,.0f} km</td>"
                    f"<td class=\"n\">{hours(part.drive_minutes)}</td><td>{escape(crossing)}</td></tr>")
    return ("<table><tr><th>Leg</th><th class=\"n\">Distance</th><th class=\"n\">Driving</th><th>Crossings</th></tr>"
            + "".join(rows) + "</table>")


def _venue_block(day: Day) -> str:
    venue = day.venue
    if venue is None:
        return f"<h2>Where</h2><p>{escape(day.place.name)}</p>"
    lines = [f"<strong>{escape(venue.name)}</strong>"]
    if venue.address:
        lines.append(escape(venue.address))
    lines.append(f'<span class="muted">{venue.place.lat:.4f}, {venue.place.lon:.4f}</span>')
    lines.append(f"Contact: {_contact(venue.contact)}" if venue.contact else "Contact: —")
    return "<h2>Venue</h2><p>" + "<br>".join(lines) + "</p>"


def _next_departure(tour: Tour, day: Day, following: Day | None, member: CrewMember | None = None) -> str:
    if following is None or (following.date - day.date).days != 1:
        return "<p>Tomorrow: the tour is home.</p>" if day.place.id == tour.home.id else "<p>Tomorrow: no plan.</p>"
    if following.runs:
        # The runs give the real first departure: the vehicle's, or this person's own pick-up.
        mine = rides(following.local_runs, member.id) if member is not None else ()
        if mine:
            ride = mine[0]
            what = "you drive" if ride.drives else "pick-up"
            return (f"<p>Tomorrow: {what} {_clock(ride.departs, following.date)} at "
                    f"{escape(stop_name(tour, ride.pick_up.place_id))} "
                    f"({escape(vehicle_name(tour, ride.run.vehicle_id))}).</p>")
        run = min((r for r in following.local_runs if r.stops), key=lambda r: r.stops[0].departure, default=None)
        if run is not None and member is None:
            first = run_stops(run)[0]
            return (f"<p>Tomorrow: first departure {_clock(first.departure, following.date)}, the "
                    f"{escape(vehicle_name(tour, run.vehicle_id))} from {escape(stop_name(tour, first.place_id))}.</p>")
    if not following.legs:
        return f"<p>Tomorrow: {KIND_TITLES[following.kind].lower()} in {escape(following.place.name)}, no travel.</p>"
    leg = following.legs[0]
    return (f"<p>Tomorrow: departure {_clock(leg.depart, following.date)} ({escape(leg.origin.timezone)}) from "
            f"{escape(leg.origin.name)} to {escape(leg.destination.name)}.</p>")


def changed_box(since: str | None, lines: tuple[str, ...], title: str = "Changed since") -> str:
    """A framed box of what changed since an earlier issue (``since``: ``version 3``); empty
    when nothing did or there was no earlier issue."""
    if since is None or not lines:
        return ""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f'<div class="changed"><strong>{escape(title)} {escape(since)}</strong><ul>{items}</ul></div>'


def to_book_box(tour: Tour, lines: tuple[ToBook, ...]) -> str:
    """A framed box of rooms still to book, each line with who needs them and why."""
    if not lines:
        return ""
    items = "".join(
        f"<li><strong>{escape(b.text)}</strong> — for "
        f"{escape(', '.join(tour.crew_by_id[c].name if c in tour.crew_by_id else c for c in b.crew_ids))}"
        f" <span class=\"muted\">({escape(b.reason)})</span></li>" for b in lines)
    return f'<div class="to-book"><strong>Still to book</strong><ul>{items}</ul></div>'


def _hotel_lines(hotel: Hotel) -> list[str]:
    """Name, address (or coordinates) and contact of a hotel, as HTML lines."""
    lines = [f"<strong>{escape(hotel.name)}</strong>",
             escape(hotel.address) if hotel.address
             else f'<span class="muted">{hotel.place.lat:.4f}, {hotel.place.lon:.4f}</span>']
    lines.append(f"Contact: {_contact(hotel.contact)}" if hotel.contact else "Contact: —")
    return lines


def room_text(tour: Tour, stay: Stay) -> str:
    """``double, with Ben Janssens``, ``single`` or ``double (alone)``."""
    if stay.room is RoomKind.DOUBLE:
        return f"double, with {tour.crew_by_id[stay.room_mate].name}" if stay.room_mate else "double (alone)"
    return stay.room.value if stay.room else "room"


def room_lines(tour: Tour, stays: list[Stay]) -> list[str]:
    """The rooms of one hotel, a shared double once: ``Double: Anna Peeters & Ben Janssens``."""
    lines, seen = [], set()
    for stay in stays:
        if stay.crew_id in seen:
            continue
        name = tour.crew_by_id[stay.crew_id].name
        if stay.room is RoomKind.DOUBLE and stay.room_mate:
            seen.add(stay.room_mate)
            lines.append(f"Double: {escape(name)} &amp; {escape(tour.crew_by_id[stay.room_mate].name)}")
        elif stay.room is RoomKind.DOUBLE:
            lines.append(f"Double (alone): {escape(name)}")
        else:
            lines.append(f"Single: {escape(name)}")
        seen.add(stay.crew_id)
    return lines


def _night_block(tour: Tour, day: Day) -> str:
    """Tonight: each hotel with its rooms, who goes home, who sleeps on board, who has no bed yet."""
    if day.night is None:
        if day.place.id == tour.home.id:
            return "<h2>Tonight</h2><p>Everyone sleeps at home.</p>"
        return to_book_box(tour, day.to_book)  # accommodation not planned: only what is known
    hotels = hotel_by_id(tour)
    by_hotel: dict[str, list[Stay]] = {}
    others: dict[StayKind, list[str]] = {}
    for stay in day.night.stays:
        if stay.kind is StayKind.HOTEL and stay.hotel_id in hotels:
            by_hotel.setdefault(stay.hotel_id, []).append(stay)
        else:
            others.setdefault(stay.kind, []).append(tour.crew_by_id[stay.crew_id].name)
    parts = [f"<h2>Tonight (check-in {CHECK_IN:%H:%M}, check-out {CHECK_OUT:%H:%M})</h2>"
             if by_hotel else "<h2>Tonight</h2>", to_book_box(tour, day.to_book)]
    for hotel_id, stays in by_hotel.items():
        lines = _hotel_lines(hotels[hotel_id]) + room_lines(tour, stays)
        parts.append('<p class="hotel">' + "<br>".join(lines) + "</p>")
    labels = {StayKind.HOME: "At home", StayKind.NIGHTLINER: "On the nightliner",
              StayKind.UNBOOKED: "Not booked yet"}
    rows = "".join(f"<tr><td>{label}</td><td>{escape(', '.join(others[kind]))}</td></tr>"
                   for kind, label in labels.items() if kind in others)
    if rows:
        parts.append(f"<table>{rows}</table>")
    if not day.night.stays:
        parts.append("<p>Nobody on the road tonight.</p>")
    return "".join(parts)


def _my_night(tour: Tour, day: Day, member: CrewMember) -> str:
    """One person's bed after ``day``, as a line of the itinerary; empty when not planned."""
    if day.night is None:
        return "Night: at home" if day.place.id == tour.home.id else ""
    stay = day.night.stay(member.id)
    if stay is None:
        return ""
    hotel = stay_hotel(tour, stay)
    if hotel is not None:
        details = [escape(x) for x in (hotel.address,) if x] + \
                  ([f"contact {_contact(hotel.contact)}"] if hotel.contact else [])
        return (f"Night: <strong>{escape(hotel.name)}</strong>{(', ' + ', '.join(details)) if details else ''}"
                f" ({escape(room_text(tour, stay))}; check-in {CHECK_IN:%H:%M})")
    if stay.kind is StayKind.HOME:
        return "Night: at home"
    if stay.kind is StayKind.NIGHTLINER:
        return "Night: on the nightliner"
    lines = [b.text for b in day.to_book if member.id in b.crew_ids]
    return ("Night: <strong>not booked yet</strong>"
            + (f" ({escape('; '.join(lines))})" if lines else ""))


ACTION_TITLES = {Action.REQUIRED: "Required", Action.CHECK: "Check", Action.INFO: "Note"}
PAPER_TITLES = {PaperworkKind.CARNET: "ATA carnet", PaperworkKind.ENTRY: "Entry", PaperworkKind.TIME_ZONE: "Clocks"}


def _source(source: str) -> str:
    if source.startswith(("http://", "https://")):
        return f' <span class="muted">(<a href="{escape(source)}">source</a>)</span>'
    return f' <span class="muted">({escape(source)})</span>' if source else ""


def paperwork_box(tour: Tour, items: tuple[PaperworkItem, ...]) -> str:
    """A framed box of what must be ready at the day's borders, leg by leg, with the disclaimer.

    Crew members who need the same thing share one row (a crew of twelve with one
    requirement is one row, not twelve).
    """
    if not items:
        return ""
    legs: dict[tuple[str, str], dict[tuple, list]] = {}
    for item in items:
        rows = legs.setdefault((item.from_id, item.to_id), {})
        member = tour.crew_by_id.get(item.crew_id or "")
        if item.kind is PaperworkKind.ENTRY and member is not None and ": " in item.text:
            # The text is "Name (NL) working in GB: what is needed"; the row names the people.
            who = f"{member.name} ({member.nationality})" if member.nationality else member.name
            rows.setdefault((item.kind, item.action, item.text.split(": ", 1)[1], item.source), []).append(who)
        else:
            rows.setdefault((item.kind, item.action, item.text, item.source), [])
    parts = [f'<div class="papers"><strong>Paperwork</strong> <span class="muted">— {escape(DISCLAIMER)}</span>']
    for (from_id, to_id), rows in legs.items():
        head = next(i for i in items if (i.from_id, i.to_id) == (from_id, to_id))
        countries = f" ({head.from_country} → {head.to_country})" if head.from_country != head.to_country else ""
        cells = []
        for (kind, action, text, source), people in rows.items():
            what = PAPER_TITLES[kind] + (f" to {head.to_country}" if kind is PaperworkKind.ENTRY else "")
            details = (f"<strong>{escape(', '.join(people))}</strong>: " if people else "") + escape(text)
            cells.append(f'<tr><td class="{action.value}">{ACTION_TITLES[action]}</td><td class="what">{what}</td>'
                         f"<td>{details}{_source(source)}</td></tr>")
        parts.append(f"<p>{escape(place_name(tour, from_id))} → {escape(place_name(tour, to_id))}{countries}</p>"
                     f"<table>{''.join(cells)}</table>")
    return "".join(parts) + "</div>"


def _shift_times(shift: CrewShift) -> str:
    end = f"{shift.end:%H:%M}" if shift.end.date() == shift.start.date() else f"{shift.end:%H:%M} ({shift.end:%a %d})"
    return f"{shift.start:%H:%M}–{end}"


def _crew_block(tour: Tour, day: Day) -> str:
    """Who is on duty in which role (from the rota), and who else is on the road; everyone
    available with their roles when the day has no rota."""
    def phone(member: CrewMember) -> str:
        return _contact(member.phone) if member.phone else ""

    if not day.shifts:
        crew = "".join(f"<tr><td>{escape(c.name)}</td><td>{escape(', '.join(c.roles))}</td>"
                       f"<td>{phone(c)}</td></tr>" for c in day.crew)
        return f"<h2>Crew ({len(day.crew)})</h2>" + (f"<table>{crew}</table>" if crew else "<p>Nobody.</p>")
    parts, on_duty = [], set()
    for shift in day.shifts:
        reasons: dict[str, list[str]] = {}
        for gap in day.unfilled:
            if (gap.show_id, gap.kind) == (shift.show_id, shift.kind):
                reasons.setdefault(gap.role, []).append(gap.reason)
        rows = []
        for role, crew_id in shift.roles:
            if crew_id is None:
                reason = reasons.get(role, []).pop(0) if reasons.get(role) else ""
                rows.append(f'<tr><td>{escape(role)}</td><td class="left">nobody</td>'
                            f'<td class="muted">{escape(reason)}</td></tr>')
                continue
            on_duty.add(crew_id)
            member = tour.crew_by_id[crew_id]
            rows.append(f"<tr><td>{escape(role)}</td><td>{escape(member.name)}</td><td>{phone(member)}</td></tr>")
        parts.append(f"<h2>Crew on duty: {KIND_TITLES[shift.kind].lower()} {_shift_times(shift)}</h2>"
                     f"<table><tr><th>Role</th><th>Who</th><th></th></tr>{''.join(rows)}</table>")
    others = [c.name for c in day.crew if c.id not in on_duty]
    if others:
        parts.append(f"<p>Also on the road: {escape(', '.join(others))}</p>")
    return "".join(parts)


def _gear_block(tour: Tour, day: Day) -> str:
    """What each vehicle carries on the day's legs against its limits, gear left behind, rental moves."""
    if not (day.loads or day.left_behind or day.moves):
        return ""
    parts = ["<h2>Gear</h2>"]
    for load in day.loads:
        vehicle = vehicle_name(tour, load.vehicle_id)
        rows = "".join(f'<tr><td>{escape(line.item)}</td><td class="n">{line.units}</td>'
                       f'<td class="n">{line.volume_m3:,.1f}</td><td class="n">{line.weight_kg:,.0f}</td></tr>'
                       for line in load.lines)
        parts.append(
            f"<p><strong>{escape(vehicle)}</strong>, {escape(place_name(tour, load.from_id))} → "
            f"{escape(place_name(tour, load.to_id))}: {load.volume_m3:,.1f} of {load.volume_limit_m3:,.1f} m³, "
            f"{load.weight_kg:,.0f} of {load.payload_limit_kg:,.0f} kg</p>"
            '<table><tr><th>Item</th><th class="n">Units</th><th class="n">m³</th><th class="n">kg</th></tr>'
            f"{rows}</table>")
    if day.left_behind:
        items = "".join(f'<li class="left">{escape(x.text)}</li>' for x in day.left_behind)
        parts.append(f"<p>Fits in no vehicle:</p><ul>{items}</ul>")
    if day.moves:
        items = "".join(f"<li>{escape(_move_text(tour, move))}</li>" for move in day.moves)
        parts.append(f"<p>Rental gear:</p><ul>{items}</ul>")
    return "".join(parts)


def _names(tour: Tour, crew_ids: tuple[str, ...]) -> str:
    return ", ".join(tour.crew_by_id[c].name if c in tour.crew_by_id else c for c in crew_ids)


def _gear(tour: Tour, ids: tuple[str, ...]) -> str:
    items = {e.id: e.item for e in tour.equipment}
    return ", ".join(items.get(i, i) for i in ids)


def unserved_box(tour: Tour, lines: tuple[UnservedRequest, ...]) -> str:
    """A framed box of the day's moves no run makes, each with its reason."""
    if not lines:
        return ""

    def subject(u: UnservedRequest) -> str:
        return _names(tour, (u.subject,)) if u.subject in tour.crew_by_id else _gear(tour, (u.subject,))

    items = "".join(f"<li><strong>{escape(subject(u))}</strong>"
                    f" not carried from {escape(stop_name(tour, u.from_id))} to {escape(stop_name(tour, u.to_id))}"
                    f' <span class="muted">({escape(u.reason)})</span></li>' for u in lines)
    return f'<div class="to-book"><strong>Moves nobody makes</strong><ul>{items}</ul></div>'


def _vehicles_block(tour: Tour, day: Day) -> str:
    """Each vehicle's run: driver, stops with local times, who boards and alights, the gear, km, breaks."""
    if not (day.runs or day.unserved):
        return ""
    parts = ["<h2>Vehicles</h2>"]
    for run in day.local_runs:
        driver = tour.crew_by_id.get(run.driver_id)
        who = (escape(driver.name) + (f", {_contact(driver.phone)}" if driver.phone else "")) if driver \
            else escape(run.driver_id or "nobody (parked, unloaded by the crew)")
        if run.co_driver_id:
            second = tour.crew_by_id.get(run.co_driver_id)
            who += f" and {escape(second.name if second else run.co_driver_id)}, taking turns"
        breaks = "; ".join(f"{_clock(start, day.date)} ({minutes} min)" for start, minutes in run.breaks)
        rows = []
        for number, stop in enumerate(run_stops(run), start=1):
            times = _clock(stop.arrival, day.date)
            if stop.departure != stop.arrival:
                times += f"–{_clock(stop.departure, day.date)}"
            what = []
            for label, ids in (("off", stop.alight), ("on", stop.board)):  # off on arrival, on to leave
                if ids:
                    what.append(f"{label}: {escape(_names(tour, ids))}")
            for label, ids in (("load", stop.load_gear), ("unload", stop.unload_gear)):
                if ids:
                    what.append(f"{label}: {escape(_gear(tour, ids))}")
            rows.append(f'<tr><td class="n">{number}</td><td>{escape(stop_name(tour, stop.place_id))}</td>'
                        f'<td class="n">{times}</td><td>{"<br>".join(what)}</td></tr>')
        parts.append(
            f"<p><strong>{escape(vehicle_name(tour, run.vehicle_id))}</strong> — driver {who}; "
            f"{run.km:,.0f} km, {hours(run.drive_minutes)} driving"
            + (f"; breaks {breaks}" if breaks else "") + "</p>"
            '<table><tr><th class="n">#</th><th>Stop</th><th class="n">Local time</th><th>On, off, gear</th></tr>'
            + "".join(rows) + "</table>")
    parts.append(unserved_box(tour, day.unserved))
    return "".join(parts)


def _my_rides(tour: Tour, day: Day, member: CrewMember) -> str:
    """Which vehicle ``member`` rides in (or drives) on ``day``, where and when picked up and dropped."""
    lines = []
    for ride in rides(day.local_runs, member.id):
        run = ride.run
        vehicle = escape(vehicle_name(tour, run.vehicle_id))
        if ride.drives:
            lines.append(f"You drive the {vehicle}: {escape(stop_name(tour, ride.pick_up.place_id))} "
                         f"{_clock(ride.departs, day.date)} → {escape(stop_name(tour, ride.drop_off.place_id))} "
                         f"{_clock(ride.arrives, day.date)}, {run.km:,.0f} km, {hours(run.drive_minutes)}")
            continue
        driver = tour.crew_by_id[run.driver_id].name if run.driver_id in tour.crew_by_id else run.driver_id
        lines.append(f"You ride in the {vehicle} (driver {escape(driver)}): picked up at "
                     f"{escape(stop_name(tour, ride.pick_up.place_id))} {_clock(ride.departs, day.date)}, dropped at "
                     f"{escape(stop_name(tour, ride.drop_off.place_id))} {_clock(ride.arrives, day.date)}")
    lines += [f'<span class="left">Not carried: {escape(stop_name(tour, u.from_id))} → '
              f"{escape(stop_name(tour, u.to_id))} ({escape(u.reason)})</span>"
              for u in day.unserved if u.subject == member.id]
    return "".join(f"<br>{line}" for line in lines)


def _move_text(tour: Tour, move) -> str:
    where = tour.places[move.supplier_id].name if move.supplier_id in tour.places else move.supplier_id
    show = place_name(tour, tour.show_by_id[move.show_id].venue_id) if move.show_id in tour.show_by_id \
        else move.show_id
    if move.kind == "pickup":
        return f"pick up {move.units} × {move.item} at {where} (supplier), before {show}"
    return f"return {move.units} × {move.item} to {where} (supplier), after {show}"


def day_section(tour: Tour, day: Day, following: Day | None, map_href: str | None = None,
                since: str | None = None, changed: tuple[str, ...] = ()) -> str:
    """The call sheet of one day, as a ``<section>``; ``changed`` lists what changed that day
    since the issue ``since`` (a re-issued sheet), boxed under the title."""
    show = f" — {escape(day.plan_day.show_id)}" if day.plan_day.show_id else ""
    times = "".join(f"<tr><td>{label}</td><td class=\"n\">{value}</td></tr>" for label, value in _times(tour, day))
    map_link = f'<p class="screen"><a href="{escape(map_href)}">Map of the day</a></p>' if map_href else ""
    return (
        f'<section class="day">\n<h1>{_long_date(day.date)}: {KIND_TITLES[day.kind]}{show}</h1>'
        f'<p class="where">{escape(place_name(tour, day.place.id))}</p>{changed_box(since, changed)}'
        f'{_zone_notice(day)}{map_link}\n'
        f"{_venue_block(day)}\n"
        f"<h2>Times (local, {escape(day.place.timezone)} {utc_offset(day.noon)})</h2>"
        + (f"<table>{times}</table>" if times else "<p>Nothing timed.</p>")
        + f"\n<h2>Travel</h2>{_travel_table(tour, day)}\n{paperwork_box(tour, day.paperwork)}\n"
        + _crew_block(tour, day) + f"\n{_vehicles_block(tour, day)}\n{_gear_block(tour, day)}"
        + f"\n{_night_block(tour, day)}"
        + f"\n<h2>Next day</h2>{_next_departure(tour, day, following)}\n</section>"
    )


def day_sheet_page(tour: Tour, days: tuple[Day, ...], index: int, map_href: str | None = None,
                   since: str | None = None, changed: tuple[str, ...] = ()) -> str:
    """The page of ``days[index]`` with links to the day before and after."""
    day = days[index]
    following = days[index + 1] if index + 1 < len(days) else None
    links = ['<a href="../index.html">All exports</a>']
    if index > 0:
        links.append(f'<a href="{day_file(days[index - 1].date)}">← {days[index - 1].date:%a %d %b}</a>')
    if following is not None:
        links.append(f'<a href="{day_file(following.date)}">{following.date:%a %d %b} →</a>')
    nav = "<nav>" + "".join(links) + "</nav>"
    return page(f"{tour.name}: {day.date.isoformat()}", nav + day_section(tour, day, following, map_href, since, changed))


def cancelled_day_page(tour: Tour, day: date, since: str, changed: tuple[str, ...]) -> str:
    """The page that replaces the day sheet of a day no longer on the road: what became of it."""
    nav = '<nav><a href="../index.html">All exports</a></nav>'
    body = (f'<section class="day"><h1>{_long_date(day)}: no longer on the road</h1>'
            + (changed_box(since, changed) or f"<p>This day was on the road in {escape(since)}.</p>") + "</section>")
    return page(f"{tour.name}: {day.isoformat()} (cancelled)", nav + body)


def day_sheets_document(tour: Tour, days: tuple[Day, ...], since: str | None = None,
                        changed: Mapping[date, tuple[str, ...]] | None = None) -> str:
    """Every day sheet in one document, one per printed page (``changed``: by date, as :func:`day_section`)."""
    changed = changed or {}
    sections = [day_section(tour, day, days[i + 1] if i + 1 < len(days) else None, None, since,
                            changed.get(day.date, ())) for i, day in enumerate(days)]
    return page(f"{tour.name}: day sheets", "\n".join(sections))


def personal_page(tour: Tour, member: CrewMember, days: tuple[Day, ...], map_href: str | None = None,
                  since: str | None = None, changed: Mapping[date, tuple[str, ...]] | None = None) -> str:
    """One person's itinerary: only the days they are on the road.

    ``changed`` gives, by date, what changed for this person since the issue ``since``: all
    of it is boxed at the top (days no longer on the road included), and each day's part
    again on that day.
    """
    changed = changed or {}
    parts = ["<nav class=\"screen\"><a href=\"../index.html\">All exports</a></nav>",
             f"<h1>{escape(member.name)}: {escape(tour.name)}</h1>",
             f"<p>{escape(', '.join(member.roles))}{' · ' + _contact(member.phone) if member.phone else ''}</p>",
             changed_box(since, tuple(f"{d:%a %d %b}: {line}" for d in sorted(changed) for line in changed[d])
                         or (("Nothing changes for you.",) if since is not None else ()))]
    if map_href:
        parts.append(f'<p class="screen"><a href="{escape(map_href)}">Map of my tour</a></p>')
    if not days:
        parts.append("<p>No days on the road in this plan.</p>")
    for i, day in enumerate(days):
        following = days[i + 1] if i + 1 < len(days) else None
        show = f" — {escape(day.plan_day.show_id)}" if day.plan_day.show_id else ""
        # Lower-case the first letter only: labels hold names of people and places.
        times = ", ".join(f"{label[:1].lower()}{label[1:]} {value}" for label, value in _times(tour, day, member))
        travel = "; ".join(f"{escape(leg.title)}: {leg.part.km:,.0f} km, {hours(leg.part.drive_minutes)}"
                           for leg in day.legs)
        venue = ""
        if day.venue is not None:
            details = [escape(x) for x in (day.venue.address,) if x] + \
                      ([f"contact {_contact(day.venue.contact)}"] if day.venue.contact else [])
            venue = f"<br>{escape(day.venue.name)}{(': ' + ', '.join(details)) if details else ''}"
        night = _my_night(tour, day, member)
        work = "; ".join(f"{escape(role)}, {KIND_TITLES[shift.kind].lower()} {_shift_times(shift)}"
                         for shift in day.shifts for role, crew_id in shift.roles if crew_id == member.id)
        papers = "".join(
            f'<br>Border: <span class="{item.action.value}">{ACTION_TITLES[item.action].lower()}</span> — '
            f"{escape(item.text)}{_source(item.source)}"
            for item in day.paperwork if item.kind is PaperworkKind.ENTRY and item.crew_id == member.id)
        parts.append(
            f'<section class="brief"><h2>{_long_date(day.date)}: {KIND_TITLES[day.kind]}{show}</h2>'
            + changed_box(since, changed.get(day.date, ()))
            + f"<p>{escape(place_name(tour, day.place.id))} ({escape(day.place.timezone)} {utc_offset(day.noon)})"
            f"{venue}{_zone_notice(day)}"
            + (f"<br>Times: {times}" if times else "")
            + (f"<br>Work: {work}" if work else "")
            + (f"<br>Travel: {travel}" if travel else "")
            + _my_rides(tour, day, member)
            + (papers + f' <span class="muted">({escape(DISCLAIMER)})</span>' if papers else "")
            + (f"<br>{night}" if night else "")
            + f"</p>{_next_departure(tour, day, following, member) if following is None or (following.date - day.date).days == 1 else ''}"
            + "</section>")
    return page(f"{member.name}: {tour.name}", "\n".join(parts))
