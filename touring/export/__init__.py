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
    OUT/export-state.json             what this export sent, for the next one (written last)

Exporting into a folder that holds an earlier export re-issues it (see
:mod:`touring.export.state`): calendar events keep their UIDs, a changed event gets the next
SEQUENCE, an unchanged one keeps its SEQUENCE, and events that are gone are sent as
cancelled; day sheets, itineraries and the index box what changed since the earlier
issue's plan (:func:`touring.changes.plan_changes`, :func:`touring.changes.crew_changes`),
cancelled days included. Exporting the same plan again changes nothing.

Hotels and To book join the workbook when the plan has its accommodation and rooms still
to book; the calendars then hold a hotel night per person, and the index lists the rooms
still to book at the top. Paperwork, Rota and Loads join when the plan crosses a border, has
its rota, has its loading; Runs (and Unserved moves, when some move is not made) when it
has transport runs; Costs whenever the roll-up has lines, and the index gives its result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from html import escape
from pathlib import Path

from touring.changes import DayChange, crew_changes, plan_changes, ride_changes
from touring.costs import CostReport, cost_rollup
from touring.errors import DataError
from touring.export import calendars, sheets, tables
from touring.export.pdf import PdfUnavailable, pdf_bytes
from touring.export.state import ExportState, next_issue, read_state, write_state
from touring.export.timeline import Day, crew_days, hotel_by_id, is_away, slug, timeline
from touring.io.files import write_bytes_atomic, write_text_atomic
from touring.io.plan import plan_from_json, plan_to_json
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
                stamp: datetime | None = None, version: int | None = None) -> list[Path]:
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
    version
        The plan's version number, when known: later issues say "changed since version N".

    Raises
    ------
    ExportError
        When the plan has no days (no plan was found) or names places the tour lacks, or
        the folder's export state cannot be read.
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
    try:
        previous = read_state(write.out)
        # Through JSON and back: the state holds the document as read from its file.
        document = json.loads(json.dumps(plan_to_json(plan, tour)))
        issue, since = next_issue(previous, document, version, stamp.isoformat())
        old = plan_from_json(since.plan, f"export-state.json, issue {since.number}") if since is not None else None
    except DataError as error:
        raise ExportError(f"cannot re-issue the export in {write.out}: {error}") from None
    label = since.label if since is not None else None
    # Every person's rides compared once, for the day sheets and the itineraries both.
    rides = ride_changes(tour, old, plan) if old is not None else {}
    changes = plan_changes(tour, old, plan, rides) if old is not None else ()
    personal = crew_changes(tour, old, plan, rides) if old is not None else {}

    # Calendars.
    cals = {"calendars/tour.ics": calendars.tour_calendar(plan, tour, days, stamp)}
    for member in tour.crew:
        cals[f"calendars/crew-{slug(member.id)}.ics"] = calendars.crew_calendar(plan, tour, days, member, stamp)
    earlier = previous.calendars if previous is not None else {}
    for name in sorted(set(earlier) - set(cals)):
        # A calendar of someone no longer on the tour: every event of theirs is sent as cancelled.
        cals[name] = calendars.calendar(plan, tour, (), f"{tour.name} (cancelled)", stamp)
    issued = {}
    for name, cal in cals.items():
        issued[name] = calendars.reissue(cal, earlier.get(name, {}), stamp)
        write.bytes(name, cal.to_ical())

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
    by_day = _texts_by_day(changes)
    for index, day in enumerate(days):
        write.text(f"days/{sheets.day_file(day.date)}",
                   sheets.day_sheet_page(tour, days, index, f"../maps/day-{day.date.isoformat()}.html", label,
                                         by_day.get(day.date, ())))
    gone = sorted({d.day for d in old.days if is_away(d)} - {d.date for d in days}) if old is not None else []
    for day in gone:
        # The earlier issue's sheet of a day no longer on the road must not stay as it was.
        write.text(f"days/{sheets.day_file(day)}", sheets.cancelled_day_page(tour, day, label, by_day.get(day, ())))
        (write.out / "maps" / f"day-{day.isoformat()}.html").unlink(missing_ok=True)
    if pdf:
        write.bytes("days/day-sheets.pdf", pdf_bytes(sheets.day_sheets_document(tour, days, label, by_day)))
    for member in tour.crew:
        mine = _texts_by_day(list(personal.get(member.id, ())))
        document = sheets.personal_page(tour, member, crew_days(days, member), f"../maps/crew-{slug(member.id)}.html",
                                        label, mine)
        write.text(f"crew/{slug(member.id)}.html", document)
        if pdf:
            write.bytes(f"crew/{slug(member.id)}.pdf", pdf_bytes(document))

    write.text("index.html", _index(plan, tour, days, itinerary, costs, pdf, label, changes, tuple(gone)))
    # Last: the state describes an export only once all of it is written.
    write_state(write.out, ExportState(issue, since, issued))
    return write.written


def _texts_by_day(changes) -> dict[date, tuple[str, ...]]:
    """Change texts (of :class:`~touring.changes.DayChange` or :class:`~touring.changes.Change`) by date."""
    found: dict[date, list[str]] = {}
    for change in changes:
        found.setdefault(change.day, []).append(change.text)
    return {day: tuple(texts) for day, texts in found.items()}


def _index(plan: Plan, tour: Tour, days: tuple[Day, ...], itinerary: tuple[tables.Table, ...], costs: CostReport,
           pdf: bool, since: str | None = None, changes: tuple[DayChange, ...] = (), gone: tuple[date, ...] = ()) -> str:
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
        + _changed(days, since, changes, gone)
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


def _changed(days: tuple[Day, ...], since: str | None, changes: tuple[DayChange, ...], gone: tuple[date, ...]) -> str:
    """What changed since the earlier issue, date by date, each date linked to its day sheet
    (for a day no longer on the road, the page that says so)."""
    if since is None:
        return ""
    if not changes:
        return f'<div class="changed"><strong>Nothing changed since {escape(since)}</strong></div>'
    on_sheets = {d.date for d in days} | set(gone)
    items = "".join(
        "<li>" + (f'<a href="days/{sheets.day_file(c.day)}">{c.day:%a %d %b}</a>' if c.day in on_sheets
                  else f"{c.day:%a %d %b}") + f": {escape(c.text)}</li>" for c in changes)
    return f'<div class="changed"><strong>Changed since {escape(since)}</strong><ul>{items}</ul></div>'


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
