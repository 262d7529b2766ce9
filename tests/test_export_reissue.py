"""Re-issued exports after a replan, read back from the files: calendars keep their UIDs,
raise SEQUENCE only for what changed and send what is gone as cancelled; day sheets,
itineraries and the index box what changed; times come from the transport runs."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar

from solvers.replan import CancelShow, ChangeWindows, replan
from solvers.schedule import ScheduleParams
from solvers.transport import TransportParams
from touring.changes import crew_changes, plan_changes, ride_changes
from touring.export import ExportError, export_plan
from touring.export.sheets import day_section
from touring.export.state import STATE_FILE
from touring.export.timeline import is_away, rides, run_stops, stop_name, timeline
from touring.io import load_tour
from touring.model import DateRange, Stay, StayKind
from touring.planning import make_plan

TINY = Path(__file__).parent / "data" / "tiny"
FAST = ScheduleParams(time_limit_s=5, workers=2)
STAMPS = [datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc) + timedelta(days=n) for n in range(5)]


def _events(path: Path) -> dict[str, dict]:
    """UID -> SEQUENCE, STATUS, DTSTAMP and DTSTART of every event of an .ics file."""
    events = {}
    for event in Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in events, f"{uid} twice in {path.name}"
        events[uid] = {"sequence": int(event["SEQUENCE"]), "status": str(event["STATUS"]),
                       "dtstamp": event.decoded("DTSTAMP"), "start": event.decoded("DTSTART")}
    return events


def _show_uid(show_id: str) -> str:
    return f"tiny-test-tour/show/{show_id}/night-1@touring"


@pytest.fixture(scope="module")
def reissued(tmp_path_factory):
    """Version 1 of the tiny tour's plan exported twice into one folder, then version 2
    (the middle show cancelled, the last one moved by a new window) exported into it."""
    root = tmp_path_factory.mktemp("reissue")
    shutil.copytree(TINY, root / "tour", ignore=shutil.ignore_patterns(".touring"))
    loaded = load_tour(root / "tour")
    v1 = make_plan(loaded, FAST)
    first, middle, last = v1.bookings
    window = DateRange(last.first_night + timedelta(days=2), date(2026, 3, 28))
    result = replan(loaded, v1, (CancelShow(middle.show_id), ChangeWindows(last.venue_id, (window,))),
                    first.setup_start, FAST)
    assert result.cancelled == (middle.show_id,) and result.moved == (last.show_id,)
    out = root / "export"
    snapshots = {}
    export_plan(v1, loaded.tour, out, pdf=False, stamp=STAMPS[0], version=1)
    snapshots["v1"] = {p.name: _events(p) for p in (out / "calendars").glob("*.ics")}
    export_plan(v1, loaded.tour, out, pdf=False, stamp=STAMPS[1], version=1)
    snapshots["v1 again"] = {p.name: _events(p) for p in (out / "calendars").glob("*.ics")}
    export_plan(result.plan, result.tour, out, pdf=False, stamp=STAMPS[2], version=2)
    snapshots["v2"] = {p.name: _events(p) for p in (out / "calendars").glob("*.ics")}
    return v1, result, out, snapshots


def test_a_first_export_sends_every_event_at_sequence_zero(reissued):
    _, _, _, snap = reissued
    assert all(e["sequence"] == 0 and e["status"] == "CONFIRMED" for cal in snap["v1"].values() for e in cal.values())


def test_a_reexport_without_changes_keeps_every_sequence(reissued):
    _, _, _, snap = reissued
    for name, events in snap["v1"].items():
        again = snap["v1 again"][name]
        assert {uid: (e["sequence"], e["status"]) for uid, e in again.items()} == \
            {uid: (e["sequence"], e["status"]) for uid, e in events.items()}
        assert all(e["dtstamp"] == STAMPS[1] for e in again.values())  # DTSTAMP: when the file was made


def test_a_replan_keeps_uids_raises_sequence_of_what_changed_and_cancels_what_is_gone(reissued):
    v1, result, _, snap = reissued
    first, middle, last = v1.bookings
    before, after = snap["v1"]["tour.ics"], snap["v2"]["tour.ics"]
    assert set(before) <= set(after)  # every UID of the earlier issue is sent again
    # Unchanged: the first show keeps its SEQUENCE.
    assert after[_show_uid(first.show_id)]["sequence"] == 0
    assert after[_show_uid(first.show_id)]["start"] == before[_show_uid(first.show_id)]["start"]
    # Moved: the same UID at its new date, SEQUENCE + 1.
    moved = after[_show_uid(last.show_id)]
    new_night = next(b.first_night for b in result.plan.bookings if b.show_id == last.show_id)
    assert (moved["sequence"], moved["status"], moved["start"].date()) == (1, "CONFIRMED", new_night)
    # Cancelled: sent as it was, with STATUS:CANCELLED and the next SEQUENCE.
    gone = after[_show_uid(middle.show_id)]
    assert (gone["sequence"], gone["status"]) == (1, "CANCELLED")
    assert gone["start"] == before[_show_uid(middle.show_id)]["start"] and gone["dtstamp"] == STAMPS[2]
    # Every event of the earlier issue that is not in the new plan is cancelled, nothing else is.
    live = {uid for uid, e in after.items() if e["status"] == "CONFIRMED"}
    assert {uid for uid, e in after.items() if e["status"] == "CANCELLED"} == set(before) - live
    # A personal calendar says the same for that person.
    ben = snap["v2"]["crew-ben.ics"]
    assert (ben[_show_uid(middle.show_id)]["status"], ben[_show_uid(middle.show_id)]["sequence"]) == ("CANCELLED", 1)


def test_a_second_reexport_keeps_sequences_and_a_returning_event_gets_the_next_one(reissued, tmp_path):
    v1, result, out, snap = reissued
    again = tmp_path / "again"
    shutil.copytree(out, again)
    export_plan(result.plan, result.tour, again, pdf=False, stamp=STAMPS[3], version=2)
    after = _events(again / "calendars" / "tour.ics")
    assert {uid: (e["sequence"], e["status"]) for uid, e in after.items()} == \
        {uid: (e["sequence"], e["status"]) for uid, e in snap["v2"]["tour.ics"].items()}
    # Back to version 1: the cancelled show returns and the moved one moves back, each at SEQUENCE 2.
    export_plan(v1, load_tour(TINY).tour, again, pdf=False, stamp=STAMPS[4], version=3)
    back = _events(again / "calendars" / "tour.ics")
    first, middle, last = v1.bookings
    assert (back[_show_uid(middle.show_id)]["status"], back[_show_uid(middle.show_id)]["sequence"]) == ("CONFIRMED", 2)
    assert back[_show_uid(last.show_id)]["sequence"] == 2 and back[_show_uid(first.show_id)]["sequence"] == 0
    # Days of version 2 that version 1 does not have on the road: their sheets say so, their maps are gone.
    gone = sorted({d.day for d in result.plan.days if is_away(d)} - {d.day for d in v1.days if is_away(d)})
    assert gone
    for day in gone:
        page = (again / "days" / f"{day.isoformat()}.html").read_text()
        assert ": no longer on the road</h1>" in page and "Changed since version 2" in page
        assert not (again / "maps" / f"day-{day.isoformat()}.html").exists()
        assert f'href="days/{day.isoformat()}.html"' in (again / "index.html").read_text()


def test_reissued_day_sheets_itineraries_and_index_say_what_changed(reissued):
    v1, result, out, _ = reissued
    _, middle, last = v1.bookings
    new_night = next(b.first_night for b in result.plan.bookings if b.show_id == last.show_id)
    moved = (out / "days" / f"{new_night.isoformat()}.html").read_text()
    box = moved.split('<div class="changed">', 1)[1].split("</div>", 1)[0]
    assert "Changed since version 1" in box and "The show at De Singel moves from" in box
    index = (out / "index.html").read_text().split('<div class="changed">', 1)[1].split("</div>", 1)[0]
    assert "The show at Ancienne Belgique on 10 March is cancelled." in index
    actor = next(who for shift in v1.crew_shifts if shift.show_id == middle.show_id
                 for role, who in shift.roles if role == "actor")
    page = (out / "crew" / f"{actor}.html").read_text()
    top = page.split('<div class="changed">', 1)[1].split("</div>", 1)[0]
    assert "Your 10 March show at Ancienne Belgique is cancelled." in top
    # A day nothing happened to has no box.
    untouched = next(d for d in result.plan.days if d.show_id == v1.bookings[0].show_id)
    assert 'class="changed"' not in (out / "days" / f"{untouched.day.isoformat()}.html").read_text()
    state = json.loads((out / STATE_FILE).read_text())
    assert (state["issue"]["issue"], state["issue"]["version"], state["since"]["version"]) == (2, 2, 1)


def test_a_first_export_has_no_change_boxes(tmp_path):
    loaded = load_tour(TINY)
    plan = make_plan(loaded, FAST)
    export_plan(plan, loaded.tour, tmp_path, pdf=False, stamp=STAMPS[0])
    assert not any('class="changed"' in p.read_text() for p in tmp_path.rglob("*.html") if "maps" not in p.parts)


def test_a_broken_export_state_is_refused_naming_the_field(reissued, tmp_path):
    v1, _, out, _ = reissued
    shutil.copytree(out, tmp_path / "x")
    state = json.loads((tmp_path / "x" / STATE_FILE).read_text())
    del state["issue"]["plan"]
    (tmp_path / "x" / STATE_FILE).write_text(json.dumps(state))
    with pytest.raises(ExportError) as error:
        export_plan(v1, load_tour(TINY).tour, tmp_path / "x", pdf=False)
    assert str(error.value) == f"cannot re-issue the export in {tmp_path / 'x'}: export-state.json, 'issue': " \
                               "lacks the field 'plan'"


# --- times from the transport runs ---

@pytest.fixture(scope="module")
def with_runs(tmp_path_factory):
    loaded = load_tour(TINY)
    plan = make_plan(loaded, FAST, transport_params=TransportParams())
    assert plan.runs
    out = tmp_path_factory.mktemp("runs")
    export_plan(plan, loaded.tour, out, pdf=False, stamp=STAMPS[0])
    return plan, loaded.tour, out


def test_the_times_table_comes_from_the_runs(with_runs):
    plan, tour, out = with_runs
    days = {d.date: d for d in timeline(plan, tour)}
    run = next(r for r in plan.runs if r.day in days and days[r.day].legs)
    html = (out / "days" / f"{run.day.isoformat()}.html").read_text()
    times = html.split("<h2>Times", 1)[1].split("<h2>", 1)[0]
    assert f"truck leaves {stop_name(tour, run.stops[0].place_id)}</td><td class=\"n\">" \
           f"{run.stops[0].departure:%H:%M}</td>" in times
    assert ">Departure (" not in times  # not the fixed 08:00 rule of the legs


def test_the_tour_calendar_and_the_schedule_take_the_runs_departure(with_runs):
    plan, tour, out = with_runs
    run = plan.runs[0]
    events = {str(e["UID"]): e for e in Calendar.from_ical((out / "calendars" / "tour.ics").read_bytes()).walk("VEVENT")}
    event = events[f"tiny-test-tour/run/{run.vehicle_id}/{run.day.isoformat()}@touring"]
    start = event.decoded("DTSTART")
    assert (start.strftime("%H:%M"), str(start.tzinfo)) == (f"{run.stops[0].departure:%H:%M}", "Europe/Brussels")
    assert not any(uid.startswith("tiny-test-tour/travel/") and uid.endswith(f"/{run.day.isoformat()}@touring")
                   for uid in events)
    with (out / "csv" / "schedule.csv").open(newline="") as f:
        row = next(r for r in csv.DictReader(f) if r["date"].startswith(run.day.isoformat()))
    assert row["departure"].startswith(f"{run.stops[0].departure:%H:%M}")


def test_the_times_stay_the_legs_without_runs(tmp_path):
    loaded = load_tour(TINY)
    plan = make_plan(loaded, FAST)
    day = next(d for d in timeline(plan, loaded.tour) if d.legs)
    assert ">Departure (" in day_section(loaded.tour, day, None) and "08:00" in day_section(loaded.tour, day, None)


def test_an_itinerary_and_a_calendar_give_the_persons_own_ride(with_runs):
    plan, tour, out = with_runs
    days = timeline(plan, tour)
    day = next(d for d in days if rides(d.local_runs, "ben"))
    ride = rides(day.local_runs, "ben")[0]
    ben = (out / "crew" / "ben.html").read_text()
    assert f"pick-up (home of Ben Janssens, truck) {ride.departs:%H:%M}" in ben
    events = Calendar.from_ical((out / "calendars" / "crew-ben.ics").read_bytes()).walk("VEVENT")
    mine = next(e for e in events if str(e["UID"]) == f"tiny-test-tour/ride/ben/{day.date.isoformat()}/1@touring")
    assert mine.decoded("DTSTART") == ride.departs and str(mine["SUMMARY"]).startswith("Ride: truck, home of Ben Janssens")
    assert not any(str(e["UID"]).startswith("tiny-test-tour/travel/") and e.decoded("DTSTART").date() == day.date
                   for e in events)


def test_the_driver_boards_at_the_first_stop(with_runs):
    plan, tour, out = with_runs
    run = next(r for r in plan.runs if r.driver_id not in r.stops[0].board)  # the model picks the driver up later
    stops = run_stops(run)
    assert stops[0].board[0] == run.driver_id and stops[-1].alight[-1] == run.driver_id
    assert not any(run.driver_id in s.board + s.alight for s in stops[1:-1])
    day = next(d for d in timeline(plan, tour) if d.date == run.day)
    first_row = day_section(tour, day, None).split("<h2>Vehicles</h2>", 1)[1].split("</tr>", 2)[1]
    assert "on: Carl De Smet" in first_row
    with (out / "csv" / "runs.csv").open(newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["date"].startswith(run.day.isoformat())]
    assert rows[0]["boarding"].startswith("Carl De Smet") and rows[-1]["alighting"].endswith("Carl De Smet")
    assert not any("Carl De Smet" in r["boarding"] + r["alighting"] for r in rows[1:-1])


def _ben_leaves_earlier(plan):
    """The plan with Ben's first ride leaving 30 minutes earlier, and that run."""
    run = next(r for r in plan.runs if any("ben" in s.board for s in r.stops))
    at = next(i for i, s in enumerate(run.stops) if "ben" in s.board)
    earlier = tuple(dataclasses.replace(s, departure=s.departure - timedelta(minutes=30)) if i == at else s
                    for i, s in enumerate(run.stops))
    return dataclasses.replace(plan, runs=tuple(dataclasses.replace(r, stops=earlier) if r is run else r
                                                for r in plan.runs)), run


def test_a_ride_that_leaves_earlier_is_a_change(with_runs):
    plan, tour, _ = with_runs
    moved, run = _ben_leaves_earlier(plan)
    changes = [c for c in plan_changes(tour, plan, moved) if c.what == "ride"]
    assert [(c.day, c.crew_ids) for c in changes] == [(run.day, ("ben",))]
    assert changes[0].text.startswith("Ben Janssens: Your ") and " truck leaves 30 min earlier (" in changes[0].text
    assert plan_changes(tour, plan, plan) == ()


# --- command line ---

def test_the_rides_compared_once_serve_the_sheets_and_the_itineraries(with_runs):
    plan, tour, _ = with_runs
    moved, run = _ben_leaves_earlier(plan)
    rides = ride_changes(tour, plan, moved)
    assert [(c.day, c.crew_id) for changes in rides.values() for c in changes] == [(run.day, "ben")]
    assert plan_changes(tour, plan, moved, rides) == plan_changes(tour, plan, moved)
    assert crew_changes(tour, plan, moved, rides) == crew_changes(tour, plan, moved)
    # What is given is what is told: no rides compared, no ride changes.
    assert not [c for c in plan_changes(tour, plan, moved, {}) if c.what == "ride"]
    assert crew_changes(tour, plan, moved, {})["ben"] == ()
    assert ride_changes(tour, dataclasses.replace(plan, runs=()), moved) == {}


def test_replan_export_reissues_the_previous_export(tiny_tour, tmp_path):
    from touring.cli import main
    from touring.replan_cli import replan_command

    out, export = tmp_path / "out", tmp_path / "export"
    planned = CliRunner().invoke(main, ["plan", str(tiny_tour), "-o", str(out), "--quiet", "--time-limit", "5",
                                        "--export", str(export)])
    assert planned.exit_code == 0, planned.output
    plan = json.loads((out / "plan.json").read_text())
    ab = next(s for s in plan["shows"] if s["show_id"] == "ab-brussels")
    result = CliRunner().invoke(replan_command, [str(tiny_tour), "--plan", str(out / "plan.json"), "--today",
                                                 ab["setup_start"], "--cancel", "ab-brussels", "-o", str(out),
                                                 "--time-limit", "5", "--export", str(export)])
    assert result.exit_code == 0, result.output
    # `touring plan --export` recorded the plan's version: the re-issue names it.
    assert "Exports re-issued (version 1 before)" in result.output
    events = _events(export / "calendars" / "tour.ics")
    assert (events[_show_uid("ab-brussels")]["status"], events[_show_uid("ab-brussels")]["sequence"]) == \
        ("CANCELLED", 1)
    assert "Changed since version 1" in (export / "index.html").read_text()
    assert (export / "days" / "day-sheets.pdf").exists()


def test_the_calendar_of_someone_no_longer_on_the_tour_cancels_all_their_events(tiny_tour, tmp_path):
    loaded = load_tour(tiny_tour)
    export_plan(make_plan(loaded, FAST), loaded.tour, tmp_path, pdf=False, stamp=STAMPS[0])
    before = _events(tmp_path / "calendars" / "crew-anna.ics")
    crew = tiny_tour / "crew.csv"
    crew.write_text("".join(line.replace(",shared,anna,", ",single,,") for line in crew.read_text().splitlines(True)
                            if not line.startswith("anna,")))
    without = load_tour(tiny_tour)
    export_plan(make_plan(without, FAST), without.tour, tmp_path, pdf=False, stamp=STAMPS[1])
    after = _events(tmp_path / "calendars" / "crew-anna.ics")
    assert before and set(after) == set(before)
    assert all((e["status"], e["sequence"]) == ("CANCELLED", 1) for e in after.values())


def test_people_who_move_to_the_same_bed_are_one_change(tiny_tour, tmp_path):
    from solvers.replan import HotelLost

    toml = (tiny_tour / "tour.toml").read_text()
    (tiny_tour / "tour.toml").write_text(toml.replace("[rules]\n", "[rules]\ngo_home_radius_minutes = 10\n"))
    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, FAST)
    night = next(n for n in plan.accommodation if any(s.hotel_id == "ibis-brussels" for s in n.stays))
    guests = tuple(s.crew_id for s in night.stays if s.hotel_id == "ibis-brussels")
    assert len(guests) > 1
    result = replan(loaded, plan, (HotelLost("ibis-brussels", night.day),), plan.bookings[0].setup_start, FAST)
    nights = [c for c in plan_changes(loaded.tour, plan, result.plan) if c.what == "night" and c.day == night.day]
    assert len(nights) == 1 and set(nights[0].crew_ids) == set(guests)
    assert nights[0].text == "Anna Peeters, Ben Janssens, Carl De Smet: the 10 March night moves from " \
                             "Ibis Brussels Centre to unbooked."


def test_no_night_on_the_tour_is_a_night_at_home_in_the_report_and_on_the_sheets(with_runs):
    plan, tour, _ = with_runs
    night, guest = next((n, s) for n in plan.accommodation for s in n.stays if s.kind is StayKind.UNBOOKED)
    who = guest.crew_id

    def instead(stay):  # the plan with the guest's stay that night replaced (None: no night on the tour)
        stays = tuple(s for s in night.stays if s.crew_id != who) + ((stay,) if stay else ())
        return dataclasses.replace(plan, accommodation=tuple(dataclasses.replace(n, stays=stays) if n is night else n
                                                             for n in plan.accommodation))

    at_home, gone = instead(Stay(who, StayKind.HOME)), instead(None)
    # Holds: at home, then no night on the tour, is the same bed for both.
    assert [c for c in crew_changes(tour, at_home, gone)[who] if c.day == night.day] == []
    assert [c for c in plan_changes(tour, at_home, gone) if c.what == "night"] == []
    # Binds: a night away no longer on the tour moves home, told alike by both.
    text = f"{night.day.day} March night moves from unbooked to at home."
    assert [c.text for c in crew_changes(tour, plan, gone)[who] if c.day == night.day] == [f"Your {text}"]
    assert [c.text for c in plan_changes(tour, plan, gone) if c.what == "night"] == \
        [f"{tour.crew_by_id[who].name}: the {text}"]
