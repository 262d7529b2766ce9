"""Exports a crew member opens on a phone with no signal: calendars, spreadsheets, day
sheets, personal itineraries and maps, from a plan and its tour.

``export_plan(plan, tour, out_dir)`` writes (every file atomically)::

    OUT/index.html                    links to everything below
    OUT/calendars/tour.ics            the whole tour
    OUT/calendars/crew-ID.ics         one per crew member
    OUT/itinerary.xlsx                sheets Schedule, Shows, Crew, Travel, Hotels, To book,
                                      Paperwork, Costs, Rota, Loads, Runs, Unserved moves
    OUT/csv/{schedule,shows,crew,travel,hotels,to-book,paperwork,costs,rota,loads,runs,unserved-moves}.csv
    OUT/days/YYYY-MM-DD.html          a day sheet per day on the road: times, travel, paperwork
                                      at the borders, the crew on duty, the gear per vehicle,
                                      the vehicles' runs, the night's beds
    OUT/days/day-sheets.pdf           all day sheets, one page each
    OUT/crew/ID.html, OUT/crew/ID.pdf personal itineraries
    OUT/maps/tour.html, OUT/maps/day-YYYY-MM-DD.html, OUT/maps/crew-ID.html

Hotels and To book join the workbook when the plan has its accommodation and rooms still
to book; the calendars then hold a hotel night per person, and the index lists the rooms
still to book at the top. Paperwork, Rota and Loads join when the plan crosses a border, has
its rota, has its loading; Runs (and Unserved moves, when some move is not made) when it
has transport runs; Costs whenever the roll-up has lines, and the index gives its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from pathlib import Path

from touring.costs import CostReport, cost_rollup
from touring.export import calendars, sheets, tables
from touring.export.pdf import PdfUnavailable, pdf_bytes
from touring.export.timeline import Day, crew_days, hotel_by_id, slug, timeline
from touring.io.files import write_bytes_atomic, write_text_atomic
from touring.model import Plan, Tour

__all__ = ["ExportError", "PdfUnavailable", "export_plan"]


class ExportError(ValueError):
    """The plan cannot be exported (no plan was found, or it belongs to another tour)."""


@dataclass
class _Writer:
    out: Path
    written: list[Path]

    def text(self, relative: str, text: str) -> Path:
        path = self.out / relative
        write_text_atomic(path, text)
        self.written.append(path)
        return path

    def bytes(self, relative: str, data: bytes) -> Path:
        path = self.out / relative
        write_bytes_atomic(path, data)
        self.written.append(path)
        return path


def export_plan(plan: Plan, tour: Tour, out_dir: str | Path, *, pdf: bool = True,
                stamp: datetime | None = None) -> list[Path]:
    """Write every export of ``plan`` into ``out_dir``; returns the files written.

    Parameters
    ----------
    plan, tour
        A found plan and the tour it was made from (see :func:`touring.io.plan.read_plan`).
    out_dir
        The folder to write into; created when missing, files replaced atomically.
    pdf
        Also render the day sheets and itineraries as PDF (needs WeasyPrint and pango).
    stamp
        The calendars' DTSTAMP (when the export was made); now when ``None``.

    Raises
    ------
    ExportError
        When the plan has no days (no plan was found) or names places the tour lacks.
    PdfUnavailable
        When ``pdf`` is true and WeasyPrint cannot run.
    """
    import maps  # here, not at the top: maps builds on touring.export.timeline

    if not plan.found or not plan.days:
        raise ExportError(f"the plan of {plan.tour_name!r} has no days to export (solver status "
                          f"{plan.schedule_report.status})")
    missing = sorted({d.place_id for d in plan.days} - set(tour.places)
                     | {b.venue_id for b in plan.bookings} - set(tour.venue_by_id)
                     | {s.hotel_id for n in plan.accommodation for s in n.stays if s.hotel_id} - set(hotel_by_id(tour))
                     | {c for n in plan.accommodation for s in n.stays for c in (s.crew_id, s.room_mate) if c}
                     - set(tour.crew_by_id))
    if plan.tour_name != tour.name or missing:
        raise ExportError(f"the plan of {plan.tour_name!r} does not fit the tour {tour.name!r}"
                          + (f": unknown places or crew {', '.join(missing)}" if missing else ""))
    stamp = stamp or datetime.now(timezone.utc).replace(microsecond=0)
    days = timeline(plan, tour)
    write = _Writer(Path(out_dir), [])

    # Calendars.
    write.bytes("calendars/tour.ics", calendars.tour_calendar(plan, tour, days, stamp).to_ical())
    for member in tour.crew:
        write.bytes(f"calendars/crew-{slug(member.id)}.ics",
                    calendars.crew_calendar(plan, tour, days, member, stamp).to_ical())

    # Spreadsheets.
    costs = cost_rollup(tour, plan)
    itinerary = tables.itinerary_tables(plan, tour, days, costs)
    write.bytes("itinerary.xlsx", tables.xlsx_bytes(itinerary))
    for table in itinerary:
        write.text(f"csv/{table.csv_name}", tables.csv_text(table))

    # Maps.
    write.text("maps/tour.html", maps.offline_html(maps.tour_map(plan, tour)))
    for day in days:
        write.text(f"maps/day-{day.date.isoformat()}.html", maps.offline_html(maps.day_map(plan, tour, day.date)))
    for member in tour.crew:
        write.text(f"maps/crew-{slug(member.id)}.html", maps.offline_html(maps.person_map(plan, tour, member)))

    # Day sheets and personal itineraries.
    for index, day in enumerate(days):
        write.text(f"days/{sheets.day_file(day.date)}",
                   sheets.day_sheet_page(tour, days, index, f"../maps/day-{day.date.isoformat()}.html"))
    if pdf:
        write.bytes("days/day-sheets.pdf", pdf_bytes(sheets.day_sheets_document(tour, days)))
    for member in tour.crew:
        document = sheets.personal_page(tour, member, crew_days(days, member), f"../maps/crew-{slug(member.id)}.html")
        write.text(f"crew/{slug(member.id)}.html", document)
        if pdf:
            write.bytes(f"crew/{slug(member.id)}.pdf", pdf_bytes(document))

    write.text("index.html", _index(plan, tour, days, itinerary, costs, pdf))
    return write.written


def _index(plan: Plan, tour: Tour, days: tuple[Day, ...], itinerary: tuple[tables.Table, ...], costs: CostReport,
           pdf: bool) -> str:
    def link(href: str, text: str) -> str:
        return f'<a href="{escape(href)}">{escape(text)}</a>'

    first, last = (days[0].date, days[-1].date) if days else (plan.season.start, plan.season.end)
    crew_rows = "".join(
        f"<tr><td>{escape(m.name)}</td><td>{link(f'crew/{slug(m.id)}.html', 'itinerary')}"
        + (f" ({link(f'crew/{slug(m.id)}.pdf', 'PDF')})" if pdf else "")
        + f"</td><td>{link(f'calendars/crew-{slug(m.id)}.ics', 'calendar')}</td>"
          f"<td>{link(f'maps/crew-{slug(m.id)}.html', 'map')}</td></tr>"
        for m in tour.crew)
    day_rows = "".join(
        f"<tr><td>{link(f'days/{sheets.day_file(d.date)}', d.date.strftime('%a %d %b %Y'))}</td>"
        f"<td>{escape(sheets.KIND_TITLES[d.kind])}</td><td>{escape(d.place.name)}</td>"
        f"<td>{link(f'maps/day-{d.date.isoformat()}.html', 'map')}</td></tr>"
        for d in days)
    body = (
        f"<h1>{escape(tour.name)}</h1><p>On the road {first:%d %b %Y} – {last:%d %b %Y}: "
        f"{len(plan.bookings)} shows, {plan.km:,.0f} km.</p>"
        + _result(costs)
        + _to_book(plan, tour, days)
        + f"<h2>Whole tour</h2><ul><li>{link('maps/tour.html', 'Map of the tour')}</li>"
        f"<li>{link('calendars/tour.ics', 'Calendar (iCalendar)')}</li>"
        f"<li>{link('itinerary.xlsx', 'Itinerary spreadsheet (.xlsx)')}; CSV: "
        + ", ".join(link(f"csv/{table.csv_name}", table.name.lower()) for table in itinerary)
        + "</li>"
        + (f"<li>{link('days/day-sheets.pdf', 'All day sheets (PDF)')}</li>" if pdf else "")
        + f"</ul><h2>Crew</h2><table>{crew_rows}</table><h2>Day sheets</h2><table>{day_rows}</table>"
    )
    return sheets.page(f"{tour.name}: exports", body)


def _result(costs: CostReport) -> str:
    """The roll-up's result in one line, with what is estimated and what could not be priced."""
    if not costs.lines:
        return ""

    def money(amount: float) -> str:
        return f"{amount:,.2f} {escape(costs.currency)}"

    text = (f"<p><strong>Result: {money(costs.result)}</strong> (fees {money(costs.income)} − costs "
            f"{money(costs.costs)}, of which {money(costs.estimated)} estimated")
    if costs.not_priced:
        text += f"; not priced: {escape('; '.join(costs.not_priced))}"
    return text + ").</p>"


def _to_book(plan: Plan, tour: Tour, days: tuple[Day, ...]) -> str:
    """The rooms still to book, each linked to its day sheet; empty when every bed is found."""
    if not plan.to_book:
        return ""
    on_sheets = {d.date for d in days}
    items = "".join(
        "<li>" + (f'<a href="days/{sheets.day_file(b.day)}">{escape(b.text)}</a>' if b.day in on_sheets
                  else escape(b.text))
        + f' <span class="muted">({escape(b.reason)})</span></li>' for b in plan.to_book)
    nights = len({b.day for b in plan.to_book})
    return (f'<div class="to-book"><strong>Rooms still to book ({nights} night{"s" if nights > 1 else ""})'
            f"</strong><ul>{items}</ul></div>")
