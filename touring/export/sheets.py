"""Day sheets (call sheets) and personal itineraries as plain, printable HTML.

Pages are written with :func:`html.escape` only and need nothing from a network: one
column that fits a phone, and the same page prints on A4 (one day per page for the day
sheets) through :func:`touring.export.pdf.pdf_bytes`.
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from solvers.crossings import crossings as known_crossings
from touring.export.timeline import (
    CHECK_IN, CHECK_OUT, Day, hotel_by_id, hours, place_name, stay_hotel, utc_offset,
)
from touring.model import CrewMember, DayKind, Hotel, RoomKind, Stay, StayKind, ToBook, Tour

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


def _times(day: Day) -> list[tuple[str, str]]:
    """The local times of the day in the order they happen, each with where it applies."""
    rows: list[tuple[datetime, str, str]] = []
    for leg in day.legs:
        rows.append((leg.depart, f"Departure ({escape(leg.origin.name)})", _clock(leg.depart, day.date)))
        label = f"Arrival ({escape(leg.destination.name)})" if leg.number == leg.parts else "Driving stops (on the road)"
        rows.append((leg.arrive, label, _clock(leg.arrive, day.date)))
    if day.show is not None:
        rows.append((day.show.load_in, "Load-in", _clock(day.show.load_in, day.date)))
        if day.show.show is not None:
            rows.append((day.show.show, "Show", _clock(day.show.show, day.date)))
        rows.append((day.show.curfew, "Curfew", _clock(day.show.curfew, day.date)))
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


def _next_departure(tour: Tour, day: Day, following: Day | None) -> str:
    if following is None or (following.date - day.date).days != 1:
        return "<p>Tomorrow: the tour is home.</p>" if day.place.id == tour.home.id else "<p>Tomorrow: no plan.</p>"
    if not following.legs:
        return f"<p>Tomorrow: {KIND_TITLES[following.kind].lower()} in {escape(following.place.name)}, no travel.</p>"
    leg = following.legs[0]
    return (f"<p>Tomorrow: departure {_clock(leg.depart, following.date)} ({escape(leg.origin.timezone)}) from "
            f"{escape(leg.origin.name)} to {escape(leg.destination.name)}.</p>")


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


def day_section(tour: Tour, day: Day, following: Day | None, map_href: str | None = None) -> str:
    """The call sheet of one day, as a ``<section>``."""
    show = f" — {escape(day.plan_day.show_id)}" if day.plan_day.show_id else ""
    times = "".join(f"<tr><td>{label}</td><td class=\"n\">{value}</td></tr>" for label, value in _times(day))
    crew = "".join(f"<tr><td>{escape(c.name)}</td><td>{escape(', '.join(c.roles))}</td>"
                   f"<td>{_contact(c.phone) if c.phone else ''}</td></tr>" for c in day.crew)
    map_link = f'<p class="screen"><a href="{escape(map_href)}">Map of the day</a></p>' if map_href else ""
    return (
        f'<section class="day">\n<h1>{_long_date(day.date)}: {KIND_TITLES[day.kind]}{show}</h1>'
        f'<p class="where">{escape(place_name(tour, day.place.id))}</p>{_zone_notice(day)}{map_link}\n'
        f"{_venue_block(day)}\n"
        f"<h2>Times (local, {escape(day.place.timezone)} {utc_offset(day.noon)})</h2>"
        + (f"<table>{times}</table>" if times else "<p>Nothing timed.</p>")
        + f"\n<h2>Travel</h2>{_travel_table(tour, day)}\n"
        f"<h2>Crew ({len(day.crew)})</h2>" + (f"<table>{crew}</table>" if crew else "<p>Nobody.</p>")
        + f"\n{_night_block(tour, day)}"
        + f"\n<h2>Next day</h2>{_next_departure(tour, day, following)}\n</section>"
    )


def day_sheet_page(tour: Tour, days: tuple[Day, ...], index: int, map_href: str | None = None) -> str:
    """The page of ``days[index]`` with links to the day before and after."""
    day = days[index]
    following = days[index + 1] if index + 1 < len(days) else None
    links = ['<a href="../index.html">All exports</a>']
    if index > 0:
        links.append(f'<a href="{day_file(days[index - 1].date)}">← {days[index - 1].date:%a %d %b}</a>')
    if following is not None:
        links.append(f'<a href="{day_file(following.date)}">{following.date:%a %d %b} →</a>')
    nav = "<nav>" + "".join(links) + "</nav>"
    return page(f"{tour.name}: {day.date.isoformat()}", nav + day_section(tour, day, following, map_href))


def day_sheets_document(tour: Tour, days: tuple[Day, ...]) -> str:
    """Every day sheet in one document, one per printed page."""
    sections = [day_section(tour, day, days[i + 1] if i + 1 < len(days) else None) for i, day in enumerate(days)]
    return page(f"{tour.name}: day sheets", "\n".join(sections))


def personal_page(tour: Tour, member: CrewMember, days: tuple[Day, ...], map_href: str | None = None) -> str:
    """One person's itinerary: only the days they are on the road."""
    parts = ["<nav class=\"screen\"><a href=\"../index.html\">All exports</a></nav>",
             f"<h1>{escape(member.name)}: {escape(tour.name)}</h1>",
             f"<p>{escape(', '.join(member.roles))}{' · ' + _contact(member.phone) if member.phone else ''}</p>"]
    if map_href:
        parts.append(f'<p class="screen"><a href="{escape(map_href)}">Map of my tour</a></p>')
    if not days:
        parts.append("<p>No days on the road in this plan.</p>")
    for i, day in enumerate(days):
        following = days[i + 1] if i + 1 < len(days) else None
        show = f" — {escape(day.plan_day.show_id)}" if day.plan_day.show_id else ""
        times = ", ".join(f"{label.lower()} {value}" for label, value in _times(day))
        travel = "; ".join(f"{escape(leg.title)}: {leg.part.km:,.0f} km, {hours(leg.part.drive_minutes)}"
                           for leg in day.legs)
        venue = ""
        if day.venue is not None:
            details = [escape(x) for x in (day.venue.address,) if x] + \
                      ([f"contact {_contact(day.venue.contact)}"] if day.venue.contact else [])
            venue = f"<br>{escape(day.venue.name)}{(': ' + ', '.join(details)) if details else ''}"
        night = _my_night(tour, day, member)
        parts.append(
            f'<section class="brief"><h2>{_long_date(day.date)}: {KIND_TITLES[day.kind]}{show}</h2>'
            f"<p>{escape(place_name(tour, day.place.id))} ({escape(day.place.timezone)} {utc_offset(day.noon)})"
            f"{venue}{_zone_notice(day)}"
            + (f"<br>Times: {times}" if times else "")
            + (f"<br>Travel: {travel}" if travel else "")
            + (f"<br>{night}" if night else "")
            + f"</p>{_next_departure(tour, day, following) if following is None or (following.date - day.date).days == 1 else ''}"
            + "</section>")
    return page(f"{member.name}: {tour.name}", "\n".join(parts))
