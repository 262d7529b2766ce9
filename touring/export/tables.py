"""The itinerary as tables: Schedule (a row per day), Shows, Crew, Travel, Hotels (a row
per person per night, when the accommodation is planned), To book (when rooms are still
to find), Paperwork (what to have ready at the borders), Costs (every line of the cost
roll-up, then its totals), Rota (a row per role place) and Loads (a row per item per
vehicle per leg), Runs (a row per stop of each vehicle's run) and Unserved moves (what no
run carries), when transport runs are planned. A table joins the workbook only when it has rows.

Each table is a header and rows of typed cells (dates stay dates, numbers stay numbers);
:func:`xlsx_bytes` and :func:`csv_text` turn them into files.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from touring.costs import Category, CostReport, cost_rollup
from touring.export.timeline import Day, hotel_by_id, place_name, run_stops, slug, stop_name
from touring.model import Plan, Tour
from touring.paperwork import PaperworkItem

Cell = str | int | float | date | time | None


@dataclass(frozen=True)
class Table:
    name: str  # the sheet's name; the CSV file is its slug (To book: to-book.csv)
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def csv_name(self) -> str:
        return f"{slug(self.name)}.csv"


def _clock(moment: datetime | None) -> time | None:
    return moment.time().replace(tzinfo=None) if moment is not None else None


def schedule_table(plan: Plan, tour: Tour, days: tuple[Day, ...]) -> Table:
    """One row per day of the plan, at home or away."""
    timed = {d.date: d for d in days}
    rows = []
    for plan_day in plan.days:
        day = timed.get(plan_day.day)
        travel = "; ".join(f"{place_name(tour, t.from_id)} → {place_name(tour, t.to_id)}" for t in plan_day.travel)
        rows.append((
            plan_day.day, plan_day.day.strftime("%a"), plan_day.kind.value, plan_day.show_id or "",
            place_name(tour, plan_day.place_id), tour.places[plan_day.place_id].timezone,
            round(plan_day.km, 1), plan_day.drive_minutes, travel,
            _clock(day.departure) if day and day.departure else None,
            _clock(day.show.load_in) if day and day.show else None,
            _clock(day.show.show) if day and day.show else None,
            len(day.crew) if day else 0,
        ))
    return Table("Schedule", ("date", "weekday", "kind", "show", "place", "timezone", "km", "drive_minutes",
                              "travel", "departure", "load_in", "show_time", "crew"), tuple(rows))


def shows_table(plan: Plan, tour: Tour) -> Table:
    rows = []
    for number, b in enumerate(plan.bookings, start=1):
        venue = tour.venue_by_id[b.venue_id]
        rows.append((number, b.show_id, venue.name, venue.address, venue.place.country, venue.place.timezone,
                     b.setup_start, b.first_night, b.nights, b.first_night + timedelta(days=b.nights - 1),
                     venue.load_in, venue.show_time, venue.curfew, b.fee, plan.currency, b.fixed, venue.contact,
                     venue.place.lat, venue.place.lon))
    return Table("Shows", ("number", "show", "venue", "address", "country", "timezone", "setup_start",
                           "first_night", "nights", "last_night", "load_in", "show_time", "curfew", "fee",
                           "currency", "fixed", "contact", "lat", "lon"), tuple(rows))


def crew_table(tour: Tour, days: tuple[Day, ...]) -> Table:
    rows = []
    for member in tour.crew:
        mine = [d.date for d in days if member in d.crew]
        rows.append((member.id, member.name, "; ".join(member.roles), member.phone, member.email,
                     member.home.name, len(mine), min(mine, default=None), max(mine, default=None)))
    return Table("Crew", ("id", "name", "roles", "phone", "email", "home", "days_on_road", "first_day", "last_day"),
                 tuple(rows))


def travel_table(tour: Tour, days: tuple[Day, ...]) -> Table:
    rows = []
    for day in days:
        for leg in day.legs:
            part = leg.part
            rows.append((day.date, place_name(tour, part.from_id), place_name(tour, part.to_id), leg.number,
                         leg.parts, round(part.km, 1), part.drive_minutes, part.minutes, "; ".join(part.crossings),
                         part.overnight, _clock(leg.depart), leg.origin.timezone, _clock(leg.arrive),
                         str(leg.arrive.tzinfo)))
    return Table("Travel", ("date", "from", "to", "part", "parts", "km", "drive_minutes", "minutes", "crossings",
                            "overnight", "departure", "departure_timezone", "arrival", "arrival_timezone"),
                 tuple(rows))


def hotels_table(plan: Plan, tour: Tour) -> Table:
    """Every bed of every night away: a hotel room, home, the nightliner or not booked yet."""
    hotels = hotel_by_id(tour)
    names = {c.id: c.name for c in tour.crew}
    rows = []
    for night in plan.accommodation:
        for stay in night.stays:
            hotel = hotels.get(stay.hotel_id) if stay.hotel_id else None
            rows.append((night.day, names.get(stay.crew_id, stay.crew_id), stay.kind.value,
                         hotel.name if hotel else "", hotel.address if hotel else "",
                         stay.room.value if stay.room else "", names.get(stay.room_mate, stay.room_mate or ""),
                         stay.price, plan.currency, place_name(tour, night.place_id)))
    return Table("Hotels", ("date", "crew", "kind", "hotel", "address", "room", "room_mate", "price", "currency",
                            "near"), tuple(rows))


def to_book_table(plan: Plan, tour: Tour) -> Table:
    """The rooms no hotel in the data could give, one row per night and place."""
    names = {c.id: c.name for c in tour.crew}
    rows = tuple((b.day, b.place_name, b.singles, b.doubles, "; ".join(names.get(c, c) for c in b.crew_ids),
                  b.reason, b.text) for b in plan.to_book)
    return Table("To book", ("date", "near", "singles", "doubles", "crew", "reason", "what"), rows)


def _leg(tour: Tour, from_id: str, to_id: str) -> str:
    return f"{place_name(tour, from_id)} → {place_name(tour, to_id)}"


def paperwork_table(tour: Tour, items: tuple[PaperworkItem, ...]) -> Table:
    """What to have ready at each border, a row per item (a planning aid, not legal advice)."""
    names = {c.id: c.name for c in tour.crew}
    rows = tuple((i.day, _leg(tour, i.from_id, i.to_id), f"{i.from_country} → {i.to_country}", i.kind.value,
                  i.action.value, names.get(i.crew_id, i.crew_id or ""), i.value, i.text, i.source) for i in items)
    return Table("Paperwork", ("date", "leg", "countries", "kind", "action", "who", "gear_value", "text", "source"),
                 rows)


def costs_table(report: CostReport) -> Table:
    """Every line of the roll-up, then its totals; ``amount`` is income positive, costs negative.

    The lines' amounts add up to the ``result`` row, and each category's lines to the
    category's ``total`` row (all computed from the same whole cents).
    """
    def signed(category: Category, cents: int) -> float:
        return (cents if category.income else -cents) / 100

    rows: list[tuple[Cell, ...]] = [
        (line.day, line.category.value, line.item, line.quantity, line.unit, line.rate,
         signed(line.category, line.cents), report.currency, line.estimate) for line in report.lines]
    if report.lines:
        rows.append((None,) * 9)
        for category in Category:
            if any(line.category is category for line in report.lines):
                rows.append((None, "total", category.value, None, None, None,
                             signed(category, report.cents(category)), report.currency, None))
        rows += [(None, "total", "costs", None, None, None, -report.cost_cents / 100, report.currency, None),
                 (None, "total", "of which estimates", None, None, None, -report.estimated, report.currency, True),
                 (None, "total", "income", None, None, None, report.income_cents / 100, report.currency, None),
                 (None, "total", "result", None, None, None, report.result, report.currency, None)]
    rows += [(None, "not priced", text, None, None, None, None, None, None) for text in report.not_priced]
    return Table("Costs", ("date", "category", "item", "quantity", "unit", "rate", "amount", "currency", "estimate"),
                 tuple(rows))


def rota_table(plan: Plan, tour: Tour) -> Table:
    """A row per role place of every show night and set-up day; an empty ``crew`` says why in ``note``."""
    names = {c.id: c.name for c in tour.crew}
    rows = []
    for shift in plan.crew_shifts:
        reasons = {}
        for gap in plan.unfilled_roles:
            if (gap.show_id, gap.day, gap.kind) == (shift.show_id, shift.day, shift.kind):
                reasons.setdefault(gap.role, []).append(gap.reason)
        for role, crew_id in shift.roles:
            note = "" if crew_id else (reasons.get(role) or ["nobody"]).pop(0)
            rows.append((shift.day, shift.show_id, shift.kind.value, role, names.get(crew_id, crew_id or ""),
                         _clock(shift.start), _clock(shift.end), note))
    return Table("Rota", ("date", "show", "kind", "role", "crew", "start", "end", "note"), tuple(rows))


def loads_table(plan: Plan, tour: Tour) -> Table:
    """A row per item per vehicle per leg, then the units that fit in no vehicle."""
    vehicles = {v.id: v.name for v in tour.vehicles}
    rows: list[tuple[Cell, ...]] = []
    for load in plan.loads:
        for line in load.lines:
            rows.append((load.day, _leg(tour, load.from_id, load.to_id), vehicles.get(load.vehicle_id, load.vehicle_id),
                         line.item, line.units, line.volume_m3, line.weight_kg, load.volume_limit_m3,
                         load.payload_limit_kg, ""))
    items = {e.id: e.item for e in tour.equipment}
    for left in plan.left_behind:
        rows.append((left.day, _leg(tour, left.from_id, left.to_id), "",
                     items.get(left.equipment_id, left.equipment_id), left.units, None, None, None, None,
                     f"left behind: {left.reason}"))
    rows.sort(key=lambda row: row[0])
    return Table("Loads", ("date", "leg", "vehicle", "item", "units", "m3", "kg", "vehicle_m3_limit",
                           "vehicle_kg_limit", "note"), tuple(rows))


def runs_table(plan: Plan, tour: Tour) -> Table:
    """A row per stop of every vehicle run; km and driving minutes are the run's, on its first stop.
    The driver boards at the first stop and alights at the last (:func:`run_stops`)."""
    vehicles = {v.id: v.name for v in tour.vehicles}
    names = {c.id: c.name for c in tour.crew}
    items = {e.id: e.item for e in tour.equipment}
    rows: list[tuple[Cell, ...]] = []
    for run in plan.runs:
        for number, stop in enumerate(run_stops(run), start=1):
            gear = [f"load {items.get(g, g)}" for g in stop.load_gear] + \
                   [f"unload {items.get(g, g)}" for g in stop.unload_gear]
            rows.append((run.day, vehicles.get(run.vehicle_id, run.vehicle_id),
                         names.get(run.driver_id, run.driver_id), number, stop_name(tour, stop.place_id),
                         _clock(stop.arrival), _clock(stop.departure), "; ".join(names.get(c, c) for c in stop.board),
                         "; ".join(names.get(c, c) for c in stop.alight),
                         "; ".join(gear), round(run.km, 1) if number == 1 else None,
                         run.drive_minutes if number == 1 else None))
    return Table("Runs", ("date", "vehicle", "driver", "stop", "place", "arrival", "departure", "boarding",
                          "alighting", "gear", "km", "drive_minutes"), tuple(rows))


def unserved_table(plan: Plan, tour: Tour) -> Table:
    """The moves no run makes, a row each, with the reason."""
    names = {c.id: c.name for c in tour.crew} | {e.id: e.item for e in tour.equipment}
    rows = tuple((u.day, names.get(u.subject, u.subject), stop_name(tour, u.from_id), stop_name(tour, u.to_id),
                  u.reason) for u in plan.unserved_transport)
    return Table("Unserved moves", ("date", "who_or_what", "from", "to", "reason"), rows)


def itinerary_tables(plan: Plan, tour: Tour, days: tuple[Day, ...],
                     costs: CostReport | None = None) -> tuple[Table, ...]:
    """The tables of the itinerary workbook; the later ones only when they have rows.

    ``costs`` is the plan's cost roll-up (computed here when not given).
    """
    tables = [schedule_table(plan, tour, days), shows_table(plan, tour), crew_table(tour, days),
              travel_table(tour, days)]
    if plan.accommodation_report is not None:
        tables.append(hotels_table(plan, tour))
    if plan.to_book:
        tables.append(to_book_table(plan, tour))
    optional = [paperwork_table(tour, tuple(item for day in days for item in day.paperwork)),
                costs_table(costs if costs is not None else cost_rollup(tour, plan)),
                rota_table(plan, tour), loads_table(plan, tour)]
    if plan.runs:
        optional += [runs_table(plan, tour), unserved_table(plan, tour)]
    return tuple(tables + [table for table in optional if table.rows])


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, time):
        return cell.strftime("%H:%M")
    if isinstance(cell, date):
        return cell.isoformat()
    return str(cell)


def csv_text(table: Table) -> str:
    """The table as CSV: ISO dates, HH:MM times, one header row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows([_text(c) for c in row] for row in table.rows)
    return buffer.getvalue()


def xlsx_bytes(tables: tuple[Table, ...]) -> bytes:
    """A workbook with a sheet per table: bold frozen header, fitted widths, real dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(table.name)
        sheet.append(table.header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in table.rows:
            sheet.append(["yes" if c is True else "no" if c is False else c for c in row])
        sheet.freeze_panes = "A2"
        for column, name in enumerate(table.header, start=1):
            values = [row[column - 1] for row in table.rows]
            letter = get_column_letter(column)
            if any(isinstance(v, date) for v in values):
                for cell in sheet[letter][1:]:
                    cell.number_format = "yyyy-mm-dd"
            elif any(isinstance(v, time) for v in values):
                for cell in sheet[letter][1:]:
                    cell.number_format = "hh:mm"
            elif name == "amount":
                for cell in sheet[letter][1:]:
                    cell.number_format = "#,##0.00"
            width = max([len(name)] + [len(_text(v)) for v in values])
            sheet.column_dimensions[letter].width = min(60, width + 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
