"""Exports of the tiny tour's plan, read back with the tools a crew member's phone or a
tour manager's laptop would use: icalendar, openpyxl, a PDF reader, the CSV module."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from icalendar import Calendar
from openpyxl import load_workbook
from pypdf import PdfReader

from solvers.schedule import ScheduleParams
from solvers.transport import TransportParams
from touring.costs import Category, cost_rollup
from touring.export import ExportError, export_plan
from touring.export.calendars import tour_calendar
from touring.export.sheets import day_section, personal_page
from touring.export.tables import itinerary_tables
from touring.export.timeline import crew_days, timeline
from touring.io import load_tour
from touring.io.plan import read_plan, write_plan
from touring.model import DateRange, DayKind, Place, UnservedRequest
from touring.paperwork import PaperworkKind, paperwork
from touring.planning import make_plan

TINY = Path(__file__).parent / "data" / "tiny"
STAMP = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
IBIS = ("ibis-brussels,Ibis Brussels Centre,Brussels,BE,50.8450,4.3500,Rue Marché aux Herbes 100 1000 Brussels,"
        "4,2,95,120,+32 2 514 40 40\n")


@pytest.fixture(scope="module")
def planned(tmp_path_factory):
    """The tiny tour, its plan read back from plan.json, and two exports of it."""
    loaded = load_tour(TINY)
    out = tmp_path_factory.mktemp("export")
    write_plan(make_plan(loaded, ScheduleParams(time_limit_s=5)), loaded.tour, out / "plan", tour_source=TINY)
    plan = read_plan(out / "plan" / "plan.json")
    first = export_plan(plan, loaded.tour, out / "first", stamp=STAMP)
    second = export_plan(plan, loaded.tour, out / "second", pdf=False)
    return plan, loaded.tour, out, first, second


def hotel_tour(target: Path) -> Path:
    """A copy of the tiny tour whose crew live too far to go home (go-home radius 10 min),
    with the Ibis's address and phone: Brussels is a hotel night, Gent and Antwerp (no hotel
    within reach) are rooms still to book."""
    shutil.copytree(TINY, target, ignore=shutil.ignore_patterns(".touring"))
    toml = (target / "tour.toml").read_text()
    (target / "tour.toml").write_text(toml.replace("[rules]\n", "[rules]\ngo_home_radius_minutes = 10\n"))
    (target / "hotels.csv").write_text("id,name,city,country,lat,lon,address,singles,doubles,single_price,"
                                       "double_price,contact\n" + IBIS, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def hotel_planned(tmp_path_factory):
    """The hotel tour's plan read back from plan.json, and two exports of it on different days."""
    out = tmp_path_factory.mktemp("hotels")
    loaded = load_tour(hotel_tour(out / "tour"))
    write_plan(make_plan(loaded, ScheduleParams(time_limit_s=5)), loaded.tour, out / "plan", tour_source=out / "tour")
    plan = read_plan(out / "plan" / "plan.json")
    export_plan(plan, loaded.tour, out / "first", stamp=STAMP)
    export_plan(plan, loaded.tour, out / "second", pdf=False, stamp=STAMP + timedelta(days=3))
    return plan, loaded.tour, out


def border_tour(target: Path) -> Path:
    """A copy of the tiny tour whose Antwerp venue is the Roundhouse in London, and whose
    technician Carl is a US national: two legs cross into and out of Great Britain."""
    shutil.copytree(TINY, target, ignore=shutil.ignore_patterns(".touring"))
    venues, crew = target / "venues.csv", target / "crew.csv"
    venues.write_text(venues.read_text().replace("desingel-antwerp,De Singel,Antwerpen,BE,51.1920,4.4160",
                                                 "desingel-antwerp,Roundhouse,London,GB,51.5432,-0.1519"))
    crew.write_text(crew.read_text().replace("carl,Carl De Smet,technician,Aalst,BE,BE,",
                                             "carl,Carl De Smet,technician,Aalst,BE,US,"))
    return target


@pytest.fixture(scope="module")
def border_planned(tmp_path_factory):
    """The border tour's plan read back from plan.json (with its rota and loading), and its export."""
    out = tmp_path_factory.mktemp("border")
    loaded = load_tour(border_tour(out / "tour"))
    write_plan(make_plan(loaded, ScheduleParams(time_limit_s=5)), loaded.tour, out / "plan", tour_source=out / "tour")
    plan = read_plan(out / "plan" / "plan.json")
    export_plan(plan, loaded.tour, out / "export", stamp=STAMP)
    return plan, loaded.tour, out / "export"


def _sheet_rows(sheet) -> list[dict]:
    header = [c.value for c in sheet[1]]
    return [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]


def _events(path: Path) -> list:
    return Calendar.from_ical(path.read_bytes()).walk("VEVENT")


def _away_days(plan):
    return [d for d in plan.days if d.kind is not DayKind.HOME or d.travel]


def test_every_file_is_written_and_linked_from_the_index(planned):
    plan, tour, out, first, _ = planned
    assert all(path.exists() and path.stat().st_size for path in first)
    index = (out / "first" / "index.html").read_text()
    for path in first:
        relative = path.relative_to(out / "first").as_posix()
        if relative != "index.html":
            assert f'href="{relative}"' in index, relative
    assert not list((out / "first").rglob(".*.tmp"))


def test_calendar_events_start_in_their_place_zone_and_every_zone_is_defined(planned):
    plan, tour, out, _, _ = planned
    cal = Calendar.from_ical((out / "first" / "calendars" / "tour.ics").read_bytes())
    events = cal.walk("VEVENT")
    defined = {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")}
    kinds = {str(e["UID"]).split("/")[1] for e in events}
    assert kinds == {"travel", "show", "setup"}  # the tiny plan has no day off
    for event in events:
        start = event.decoded("DTSTART")
        if isinstance(start, datetime):
            assert start.tzinfo is not None and event["DTSTART"].params["TZID"] in defined
        else:
            assert event["DTSTART"].params.get("VALUE") == "DATE"
    shows = [e for e in events if str(e["UID"]).split("/")[1] == "show"]
    assert len(shows) == sum(b.nights for b in plan.bookings)
    brussels = next(e for e in shows if "ab-brussels" in str(e["UID"]))
    assert brussels.decoded("DTSTART") == datetime(2026, 3, 10, 14, 0, tzinfo=brussels.decoded("DTSTART").tzinfo)
    assert str(brussels.decoded("DTSTART").tzinfo) == "Europe/Brussels"
    assert brussels.decoded("DTEND").hour == 23
    assert str(brussels["LOCATION"]).startswith("Ancienne Belgique")
    assert brussels["GEO"].to_ical() == "50.8481;4.3486"
    assert all(int(e["SEQUENCE"]) == 0 for e in events)


def test_calendar_uids_are_unique_and_the_same_in_every_export(planned):
    _, tour, out, _, _ = planned
    first = [str(e["UID"]) for e in _events(out / "first" / "calendars" / "tour.ics")]
    second = [str(e["UID"]) for e in _events(out / "second" / "calendars" / "tour.ics")]
    assert len(first) == len(set(first)) and first == second
    assert all(uid.startswith("tiny-test-tour/") for uid in first)
    for member in tour.crew:
        mine = [str(e["UID"]) for e in _events(out / "first" / "calendars" / f"crew-{member.id}.ics")]
        assert mine and set(mine) <= set(first)


def test_a_calendar_over_two_zones_defines_both(planned):
    plan, tour, _, _, _ = planned
    london = _move_venue(tour, "desingel-antwerp", "Europe/London", 51.5072, -0.1276)
    cal = tour_calendar(plan, london, timeline(plan, london), STAMP)
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} == {"Europe/Brussels", "Europe/London"}
    show = next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("tiny-test-tour/show/desingel-antwerp/"))
    assert show["DTSTART"].params["TZID"] == "Europe/London" and show.decoded("DTSTART").hour == 13


def test_the_workbook_has_dated_frozen_sheets_and_matching_csv(planned):
    plan, _, out, _, _ = planned
    workbook = load_workbook(out / "first" / "itinerary.xlsx")
    # Anna has no bed near Gent (Ben and Carl go home): the plan has rooms to book.
    # No border on this tour: no Paperwork sheet.
    assert workbook.sheetnames == ["Schedule", "Shows", "Crew", "Travel", "Hotels", "To book", "Costs", "Rota",
                                   "Loads"]
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.column_dimensions["A"].width > 4
        name = sheet.title.lower().replace(" ", "-")
        rows = list(csv.reader((out / "first" / "csv" / f"{name}.csv").open(encoding="utf-8")))
        assert rows[0] == [c.value for c in sheet[1]] and len(rows) == sheet.max_row
    schedule = workbook["Schedule"]
    assert schedule.max_row == 1 + len(plan.days)
    first_day = schedule["A2"]
    assert first_day.is_date and first_day.value.date() == plan.days[0].day
    shows = workbook["Shows"]
    header = [c.value for c in shows[1]]
    first_night = shows.cell(2, header.index("first_night") + 1)
    assert first_night.is_date and first_night.value.date() == plan.bookings[0].first_night


def test_day_sheets_are_one_page_per_day_away(planned):
    plan, tour, out, _, _ = planned
    away = _away_days(plan)
    sheets = sorted((out / "first" / "days").glob("*.html"))
    assert [p.stem for p in sheets] == [d.day.isoformat() for d in away]
    assert len(PdfReader(out / "first" / "days" / "day-sheets.pdf").pages) == len(away)
    brussels = (out / "first" / "days" / "2026-03-10.html").read_text()
    for text in ("Ancienne Belgique", "info@example.org", "Load-in</td><td class=\"n\">14:00",
                 "Curfew</td><td class=\"n\">23:00", "Viernulvier → Ancienne Belgique", "59 km",
                 "Carl De Smet", "Tomorrow: departure 08:00", "Europe/Brussels"):
        assert text in brussels, text
    assert "Time zone changes" not in brussels


def test_a_day_sheet_says_when_the_time_zone_changes(planned):
    plan, tour, _, _, _ = planned
    london = _move_venue(tour, "desingel-antwerp", "Europe/London", 51.5072, -0.1276)
    days = {d.date: d for d in timeline(plan, london)}
    changed = day_section(london, days[date(2026, 3, 11)], days[date(2026, 3, 12)])
    assert "Time zone changes: Europe/London (UTC+00:00), the day before Europe/Brussels (UTC+01:00)" in changed
    back = day_section(london, days[date(2026, 3, 12)], None)
    assert "Time zone changes: Europe/Brussels (UTC+01:00), the day before Europe/London (UTC+00:00)" in back
    assert "Time zone changes" not in day_section(london, days[date(2026, 3, 10)], days[date(2026, 3, 11)])


def test_a_personal_itinerary_has_only_the_days_on_the_road(planned):
    plan, tour, out, _, _ = planned
    carl = dataclasses.replace(tour.crew_by_id["carl"], availability=(DateRange(date(2026, 3, 10), date(2026, 3, 11)),))
    crew = tuple(carl if c.id == "carl" else c for c in tour.crew)
    part_time = dataclasses.replace(tour, crew=crew)
    days = crew_days(timeline(plan, part_time), carl)
    assert [d.date for d in days] == [date(2026, 3, 10), date(2026, 3, 11)]
    page = personal_page(part_time, carl, days)
    assert page.count('<section class="brief">') == 2 and "Sun 08 March" not in page
    everyone = (out / "first" / "crew" / "anna.html").read_text()
    assert everyone.count('<section class="brief">') == len(_away_days(plan))
    assert len(PdfReader(out / "first" / "crew" / "anna.pdf").pages) >= 1


def test_a_night_at_home_is_on_the_day_sheet_and_the_itinerary(planned):
    plan, tour, out, _, _ = planned
    gent = (out / "first" / "days" / "2026-03-08.html").read_text()
    assert "<tr><td>At home</td><td>Ben Janssens, Carl De Smet</td></tr>" in gent
    assert "<tr><td>Not booked yet</td><td>Anna Peeters</td></tr>" in gent
    assert "book 1 single near Viernulvier for 2026-03-08</strong> — for Anna Peeters" in gent
    assert "Everyone sleeps at home." in (out / "first" / "days" / "2026-03-12.html").read_text()
    assert (out / "first" / "crew" / "ben.html").read_text().count("Night: at home") == len(_away_days(plan))


def test_the_hotels_sheet_has_a_bed_per_person_per_night_with_real_dates(hotel_planned):
    plan, tour, out = hotel_planned
    workbook = load_workbook(out / "first" / "itinerary.xlsx")
    assert workbook.sheetnames[4:6] == ["Hotels", "To book"]
    hotels = workbook["Hotels"]
    header = [c.value for c in hotels[1]]
    assert header[:4] == ["date", "crew", "kind", "hotel"] and {"room", "room_mate", "price"} <= set(header)
    rows = [dict(zip(header, (c.value for c in row))) for row in hotels.iter_rows(min_row=2)]
    assert len(rows) == sum(len(n.stays) for n in plan.accommodation) == 12
    assert all(hotels.cell(i, 1).is_date for i in range(2, hotels.max_row + 1))
    ibis = [r for r in rows if r["kind"] == "hotel"]
    assert [(r["date"].date(), r["crew"], r["room"], r["room_mate"], r["price"]) for r in ibis] == [
        (date(2026, 3, 10), "Anna Peeters", "double", "Ben Janssens", 60),
        (date(2026, 3, 10), "Ben Janssens", "double", "Anna Peeters", 60),
        (date(2026, 3, 10), "Carl De Smet", "single", None, 95)]
    assert all(r["hotel"] == "Ibis Brussels Centre" for r in ibis)
    assert {r["kind"] for r in rows} == {"hotel", "unbooked"}
    with (out / "first" / "csv" / "hotels.csv").open(encoding="utf-8") as f:
        assert sum(1 for row in csv.DictReader(f) if row["kind"] == "hotel" and row["date"] == "2026-03-10") == 3
    to_book = list(csv.DictReader((out / "first" / "csv" / "to-book.csv").open(encoding="utf-8")))
    assert [row["what"] for row in to_book] == [b.text for b in plan.to_book]
    assert to_book[-1]["what"] == "book 1 single and 1 double near De Singel for 2026-03-11"


def test_hotel_nights_are_events_in_the_hotel_zone_with_stable_uids(hotel_planned):
    plan, tour, out = hotel_planned
    cal = Calendar.from_ical((out / "first" / "calendars" / "tour.ics").read_bytes())
    nights = [e for e in cal.walk("VEVENT") if str(e["UID"]).split("/")[1] == "hotel"]
    assert sorted(str(e["UID"]) for e in nights) == [
        f"tiny-test-tour/hotel/{who}/2026-03-10@touring" for who in ("anna", "ben", "carl")]
    anna = next(e for e in nights if "/anna/" in str(e["UID"]))
    start, end = anna.decoded("DTSTART"), anna.decoded("DTEND")
    assert anna["DTSTART"].params["TZID"] == "Europe/Brussels" == str(start.tzinfo)
    assert start.replace(tzinfo=None) == datetime(2026, 3, 10, 15)  # check-in, local time
    assert end.replace(tzinfo=None) == datetime(2026, 3, 11, 10) and str(end.tzinfo) == "Europe/Brussels"
    assert str(anna["LOCATION"]) == "Ibis Brussels Centre, Rue Marché aux Herbes 100 1000 Brussels"
    assert anna["GEO"].to_ical() == "50.845;4.35"
    assert str(anna["SUMMARY"]) == "Hotel: Ibis Brussels Centre — Anna Peeters"
    assert "double room with Ben Janssens" in str(anna["DESCRIPTION"])
    again = [e for e in _events(out / "second" / "calendars" / "tour.ics") if "/hotel/" in str(e["UID"])]
    assert [str(e["UID"]) for e in again] == [str(e["UID"]) for e in nights]
    assert again[0].decoded("DTSTAMP") != nights[0].decoded("DTSTAMP")  # the only thing that differs
    mine = [e for e in _events(out / "first" / "calendars" / "crew-anna.ics") if "/hotel/" in str(e["UID"])]
    assert [str(e["UID"]) for e in mine] == ["tiny-test-tour/hotel/anna/2026-03-10@touring"]
    assert str(mine[0]["SUMMARY"]) == "Hotel: Ibis Brussels Centre"


def test_the_day_sheet_gives_the_hotel_the_rooms_and_what_to_book(hotel_planned):
    plan, tour, out = hotel_planned
    brussels = (out / "first" / "days" / "2026-03-10.html").read_text()
    for text in ("<h2>Tonight (check-in 15:00, check-out 10:00)</h2>", "<strong>Ibis Brussels Centre</strong>",
                 "Rue Marché aux Herbes 100 1000 Brussels", '<a href="tel:+3225144040">+32 2 514 40 40</a>',
                 "Double: Anna Peeters &amp; Ben Janssens", "Single: Carl De Smet"):
        assert text in brussels, text
    assert "to-book" not in brussels.split("<body>")[1]
    antwerp = (out / "first" / "days" / "2026-03-11.html").read_text()
    assert ('<div class="to-book"><strong>Still to book</strong><ul><li><strong>book 1 single and 1 double near '
            "De Singel for 2026-03-11</strong> — for Anna Peeters, Ben Janssens, Carl De Smet") in antwerp
    assert "<tr><td>Not booked yet</td><td>Anna Peeters, Ben Janssens, Carl De Smet</td></tr>" in antwerp
    assert len(PdfReader(out / "first" / "days" / "day-sheets.pdf").pages) == len(_away_days(plan))
    itinerary = (out / "first" / "crew" / "anna.html").read_text()
    assert ("Night: <strong>Ibis Brussels Centre</strong>, Rue Marché aux Herbes 100 1000 Brussels, contact "
            '<a href="tel:+3225144040">+32 2 514 40 40</a> (double, with Ben Janssens; check-in 15:00)') in itinerary
    assert itinerary.count("Night: <strong>not booked yet</strong>") == 3
    assert "Night: at home" in itinerary  # the drive home on the 12th


def test_the_index_lists_the_rooms_to_book_first(hotel_planned):
    plan, tour, out = hotel_planned
    index = (out / "first" / "index.html").read_text()
    box = index.index("Rooms still to book (3 nights)")
    assert box < index.index("<h2>Whole tour</h2>")
    assert '<a href="days/2026-03-11.html">book 1 single and 1 double near De Singel for 2026-03-11</a>' in index
    assert 'href="csv/hotels.csv"' in index and 'href="csv/to-book.csv"' in index


def test_a_plan_whose_hotel_the_tour_lacks_is_not_exported(hotel_planned, tmp_path):
    plan, tour, _ = hotel_planned
    with pytest.raises(ExportError, match="unknown places or crew ibis-brussels"):
        export_plan(plan, dataclasses.replace(tour, hotels=()), tmp_path, pdf=False)


def test_a_plan_without_days_is_not_exported(planned, tmp_path):
    plan, tour, _, _, _ = planned
    empty = dataclasses.replace(plan, days=(), schedule_report=dataclasses.replace(plan.schedule_report,
                                                                                    status="infeasible"))
    with pytest.raises(ExportError, match="has no days to export"):
        export_plan(empty, tour, tmp_path)


def _move_venue(tour, venue_id: str, zone: str, lat: float, lon: float):
    """The tour with one venue moved to another city and time zone (the plan stays valid)."""
    venue = tour.venue_by_id[venue_id]
    moved = dataclasses.replace(venue, place=Place(venue.id, venue.name, lat, lon, zone, "GB"))
    return dataclasses.replace(tour, venues=tuple(moved if v.id == venue_id else v for v in tour.venues))


# --- borders, rota, loading and costs (the border tour) -------------------------------

def test_the_day_a_leg_crosses_into_britain_has_a_paperwork_box(border_planned):
    plan, tour, out = border_planned
    items = paperwork(tour, plan)
    carnet = next(i for i in items if i.kind is PaperworkKind.CARNET and i.to_country == "GB")
    sheet = (out / "days" / f"{carnet.day.isoformat()}.html").read_text()
    box = sheet[sheet.index('<div class="papers">'):]
    box = box[:box.index("</div>")]
    for text in ("planning aid, not legal advice", "→ Roundhouse (BE → GB)",
                 '<td class="required">Required</td><td class="what">ATA carnet</td>'
                 f"<td>ATA carnet for the gear, {carnet.value:,.0f} EUR on board",
                 '<td class="required">Required</td><td class="what">Entry to GB</td>'
                 "<td><strong>Carl De Smet (US)</strong>: an ETA",
                 "<strong>Anna Peeters (BE), Ben Janssens (NL)</strong>: an ETA",  # the same need: one row
                 "clocks go back 1 h: Europe/Brussels (UTC+01:00) → Europe/London (UTC+00:00)"):
        assert text in box, text
    border_days = {i.day.isoformat() for i in items}
    assert len(border_days) == 2  # into Britain and back
    others = [p for p in (out / "days").glob("*.html") if p.stem not in border_days]
    assert others and not any('class="papers"' in p.read_text() for p in others)


def test_a_day_sheet_gives_the_crew_on_duty_and_the_gear_per_vehicle(border_planned):
    plan, tour, out = border_planned
    for shift in plan.crew_shifts:
        sheet = (out / "days" / f"{shift.day.isoformat()}.html").read_text()
        kind = "show" if shift.kind is DayKind.SHOW else "set-up"
        assert f"<h2>Crew on duty: {kind} {shift.start:%H:%M}–{shift.end:%H:%M}</h2>" in sheet
        for role, crew_id in shift.roles:
            assert f"<tr><td>{role}</td><td>{tour.crew_by_id[crew_id].name}</td>" in sheet
    truck = next(x for x in plan.loads if x.vehicle_id == "truck" and x.to_id == "desingel-antwerp")
    sheet = (out / "days" / f"{truck.day.isoformat()}.html").read_text()
    assert (f"<strong>truck</strong>, Ancienne Belgique → Roundhouse: {truck.volume_m3:,.1f} of 22.0 m³, "
            f"{truck.weight_kg:,.0f} of 3,000 kg") in sheet
    assert '<tr><td>Set pieces</td><td class="n">4</td><td class="n">10.0</td><td class="n">480</td></tr>' in sheet
    pickup = next(m for m in plan.equipment_moves if m.kind == "pickup")
    assert "pick up 1 × Hazer (rented) at Antwerpen (supplier)" in \
        (out / "days" / f"{pickup.day.isoformat()}.html").read_text()


def test_a_personal_itinerary_has_the_shifts_and_the_entry_requirements_of_that_person(border_planned):
    plan, tour, out = border_planned
    carl = (out / "crew" / "carl.html").read_text()
    mine = [s for s in plan.crew_shifts if "carl" in s.crew_ids]
    assert mine and carl.count("<br>Work: technician, ") == len(mine)
    assert f"technician, show {mine[-1].start:%H:%M}–{mine[-1].end:%H:%M}" in carl
    assert 'Border: <span class="required">required</span> — Carl De Smet (US) working in GB' in carl
    assert "Border: <span class=\"check\">check</span> — Carl De Smet (US) working in BE" in carl  # back home
    anna = (out / "crew" / "anna.html").read_text()
    assert "Anna Peeters (BE) working in GB" in anna and "Carl De Smet (US)" not in anna


def test_the_paperwork_costs_rota_and_loads_sheets_match_the_plan(border_planned):
    plan, tour, out = border_planned
    workbook = load_workbook(out / "itinerary.xlsx")
    assert workbook.sheetnames[-4:] == ["Paperwork", "Costs", "Rota", "Loads"]
    for name in ("Paperwork", "Costs", "Rota", "Loads"):
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2" and sheet["A2"].is_date and sheet.column_dimensions["A"].width > 4
        rows = list(csv.reader((out / "csv" / f"{name.lower()}.csv").open(encoding="utf-8")))
        assert rows[0] == [c.value for c in sheet[1]] and len(rows) == sheet.max_row

    papers = _sheet_rows(workbook["Paperwork"])
    assert len(papers) == len(paperwork(tour, plan))
    carnets = [r for r in papers if r["kind"] == "carnet"]
    assert [(r["countries"], r["action"], r["gear_value"]) for r in carnets] == [
        ("BE → GB", "required", 104900), ("GB → BE", "required", 104900)]
    assert ("entry", "required", "Carl De Smet") in {(r["kind"], r["action"], r["who"]) for r in papers}

    report = cost_rollup(tour, plan)
    costs = _sheet_rows(workbook["Costs"])
    lines = [r for r in costs if r["date"] is not None]
    assert len(lines) == len(report.lines) and all(r["category"] in {c.value for c in Category} for r in lines)
    assert round(sum(r["amount"] for r in lines), 2) == report.result  # income +, costs −
    totals = {r["item"]: r["amount"] for r in costs if r["category"] == "total"}
    assert (totals["result"], totals["costs"], totals["income"]) == (report.result, -report.costs, report.income)
    for category in {r["category"] for r in lines}:
        assert round(sum(r["amount"] for r in lines if r["category"] == category), 2) == totals[category]
    assert {r["estimate"] for r in lines} == {"yes", "no"}
    with (out / "csv" / "costs.csv").open(encoding="utf-8") as f:
        amounts = [float(r["amount"]) for r in csv.DictReader(f) if r["date"]]
    assert round(sum(amounts), 2) == report.result

    rota = _sheet_rows(workbook["Rota"])
    assert [(r["date"].date(), r["role"], r["crew"]) for r in rota] == [
        (s.day, role, tour.crew_by_id[crew_id].name) for s in plan.crew_shifts for role, crew_id in s.roles]

    loads = _sheet_rows(workbook["Loads"])
    truck = next(x for x in plan.loads if x.vehicle_id == "truck")
    assert [(r["item"], r["units"], r["m3"], r["kg"]) for r in loads
            if r["vehicle"] == "truck" and r["date"].date() == truck.day] == [
        (line.item, line.units, line.volume_m3, line.weight_kg) for line in truck.lines]
    assert {r["item"] for r in loads} == {"Set pieces", "Lighting flight cases", "Hazer (rented)"}


def test_the_index_links_the_new_tables_and_gives_the_result(border_planned):
    plan, tour, out = border_planned
    index = (out / "index.html").read_text()
    for name in ("paperwork", "costs", "rota", "loads"):
        assert f'href="csv/{name}.csv"' in index
    report = cost_rollup(tour, plan)
    assert f"<strong>Result: {report.result:,.2f} EUR</strong> (fees {report.income:,.2f} EUR − costs " in index


def test_a_day_sheet_lists_the_times_of_the_day_in_order(planned):
    plan, tour, _, _, _ = planned
    from dataclasses import replace
    from datetime import time

    venue = tour.venue_by_id["ab-brussels"]
    timed = replace(venue, soundcheck=time(17, 0), doors=time(19, 0), load_out=time(1, 30))
    tour = replace(tour, venues=tuple(timed if v.id == venue.id else v for v in tour.venues))
    days = {d.date: d for d in timeline(plan, tour)}
    show_day = next(b.first_night for b in plan.bookings if b.show_id == "ab-brussels")
    sheet = day_section(tour, days[show_day], None)
    labels = ["Load-in", "Sound check", "Doors", "Show", "Curfew", "Load-out"]
    positions = [sheet.index(f">{label}<") for label in labels]
    assert positions == sorted(positions)
    assert "01:30" in sheet


@pytest.fixture(scope="module")
def transport_planned(tmp_path_factory):
    """The tiny tour planned with transport runs (the truck, driven by carl), read back from
    plan.json as the CLI would, and its export."""
    loaded = load_tour(TINY)
    out = tmp_path_factory.mktemp("runs")
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5), transport_params=TransportParams())
    assert plan.runs, "the tiny tour's transport should plan runs"
    write_plan(plan, loaded.tour, out / "plan", tour_source=TINY)
    plan = read_plan(out / "plan" / "plan.json")
    export_plan(plan, loaded.tour, out / "export", pdf=False, stamp=STAMP)
    return plan, loaded.tour, out / "export"


def test_a_day_sheet_gives_each_vehicle_its_driver_and_stops(transport_planned):
    plan, tour, out = transport_planned
    run = next(r for r in plan.runs if r.vehicle_id == "truck")
    html = (out / "days" / f"{run.day.isoformat()}.html").read_text()
    vehicles = html.split("<h2>Vehicles</h2>", 1)[1]
    assert "<strong>truck</strong> — driver Carl De Smet" in vehicles
    assert "tel:+32470000003" in vehicles
    for stop in run.stops:
        assert f"{stop.arrival:%H:%M}" in vehicles


def test_the_runs_sheet_has_a_row_per_stop_with_real_dates(transport_planned):
    plan, _, out = transport_planned
    sheet = load_workbook(out / "itinerary.xlsx")["Runs"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == sum(len(r.stops) for r in plan.runs)
    assert sheet.freeze_panes == "A2"
    assert isinstance(rows[0][0], datetime) and rows[0][0].date() == plan.runs[0].day
    assert [c.value for c in sheet[1]][:4] == ["date", "vehicle", "driver", "stop"]
    with (out / "csv" / "runs.csv").open(newline="") as f:
        assert len(list(csv.DictReader(f))) == len(rows)


def test_an_itinerary_says_which_vehicle_a_person_rides_or_drives(transport_planned):
    plan, tour, out = transport_planned
    ben = (out / "crew" / "ben.html").read_text()
    assert "You ride in the truck (driver Carl De Smet): picked up at home of Ben Janssens" in ben
    assert "You drive the truck" in (out / "crew" / "carl.html").read_text()


def test_a_plan_without_runs_has_no_runs_sheet(planned):
    _, _, out, _, _ = planned
    names = load_workbook(out / "first" / "itinerary.xlsx").sheetnames
    assert "Runs" not in names and "Unserved moves" not in names
    assert not (out / "first" / "csv" / "runs.csv").exists()


def test_a_move_nobody_makes_is_boxed_on_the_day_sheet_and_in_its_sheet(transport_planned):
    plan, tour, _ = transport_planned
    day = plan.runs[0].day
    missed = UnservedRequest(day, "anna-out", "anna", "home:anna", "vooruit-ghent", "no seat left")
    plan = dataclasses.replace(plan, unserved_transport=(missed,))
    days = timeline(plan, tour)
    section = day_section(tour, next(d for d in days if d.date == day), None)
    box = section.split("Moves nobody makes", 1)[1]
    assert "Anna Peeters</strong> not carried from home of Anna Peeters to" in box and "no seat left" in box
    sheet = next(t for t in itinerary_tables(plan, tour, days) if t.name == "Unserved moves")
    assert sheet.rows == ((day, "Anna Peeters", "home of Anna Peeters", sheet.rows[0][3], "no seat left"),)
    anna = next(m for m in tour.crew if m.id == "anna")
    assert "Not carried: home of Anna Peeters" in personal_page(tour, anna, crew_days(days, anna))


def test_a_day_sheet_names_both_drivers_of_a_shared_run_and_a_parked_unload(transport_planned, tmp_path):
    changed = dataclasses.replace
    plan, tour, _ = transport_planned
    run = next(r for r in plan.runs if r.vehicle_id == "truck")
    shared = changed(run, co_driver_id="anna", co_driver_minutes=run.drive_minutes // 2)
    unload = changed(run, driver_id="", stops=run.stops[-1:], km=0.0, drive_minutes=0, breaks=(), cost=0.0)
    plan = changed(plan, runs=tuple(shared if r is run else r for r in plan.runs) + (unload,))
    export_plan(plan, tour, tmp_path / "export", pdf=False, stamp=STAMP)
    vehicles = (tmp_path / "export" / "days" / f"{run.day.isoformat()}.html").read_text().split(
        "<h2>Vehicles</h2>", 1)[1]
    assert "— driver Carl De Smet, " in vehicles and " and Anna" in vehicles and "taking turns" in vehicles
    assert "<strong>truck</strong> — driver nobody (parked, unloaded by the crew); 0 km" in vehicles
