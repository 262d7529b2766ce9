"""Replanning after events, the history of versions and the per-person changes: real CP-SAT solves on tiny."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from solvers.replan import AddShow, CancelShow, ChangeWindows, CrewUnavailable, HotelLost, VehicleOut, replan
from solvers.schedule import ScheduleParams
from touring.changes import changes_html, changes_markdown, crew_changes
from touring.io import load_tour
from touring.io.history import History, parse_event, read_events_csv
from touring.model import DateRange
from touring.planning import make_plan

FAST = ScheduleParams(time_limit_s=5, workers=2)


@pytest.fixture
def planned(tiny_tour):
    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, FAST)
    assert plan.found
    return loaded, plan


def first_nights(plan) -> dict[str, date]:
    return {b.show_id: b.first_night for b in plan.bookings}


def works(plan, crew_id: str) -> list[tuple[str, date]]:
    return [(s.show_id, s.day) for s in plan.crew_shifts if crew_id in s.crew_ids]


# --- replan ---

def test_cancel_keeps_the_past_and_the_other_booked_shows(planned):
    loaded, plan = planned
    before = first_nights(plan)
    cancelled = plan.bookings[1]
    today = cancelled.setup_start
    result = replan(loaded, plan, (CancelShow(cancelled.show_id),), today, FAST)
    assert result.found
    assert result.cancelled == (cancelled.show_id,)
    assert result.moved == () and result.added == () and not result.relaxed
    assert first_nights(result.plan) == {k: v for k, v in before.items() if k != cancelled.show_id}
    # Before today nothing moves: the same days, the same shifts.
    assert [d for d in result.plan.days if d.day < today] == [d for d in plan.days if d.day < today]
    assert [s for s in result.plan.crew_shifts if s.day < today] == [s for s in plan.crew_shifts if s.day < today]
    # The other shows keep their people.
    assert [s for s in result.plan.crew_shifts if s.show_id != cancelled.show_id] == \
        [s for s in plan.crew_shifts if s.show_id != cancelled.show_id]


def test_allowed_moves_are_avoided_by_the_stability_term(planned):
    loaded, plan = planned
    cancelled = plan.bookings[1]
    result = replan(loaded, plan, (CancelShow(cancelled.show_id),), plan.bookings[0].setup_start, FAST,
                    allow_moving=True)
    assert result.found and result.moved == () and result.cancelled == (cancelled.show_id,)
    assert not any(s.fixed_date for s in result.tour.shows if s.id != plan.bookings[0].show_id)


def test_a_window_that_excludes_a_booked_date_forces_that_show_only(planned):
    loaded, plan = planned
    last = plan.bookings[-1]
    new_window = DateRange(last.first_night + timedelta(days=3), date(2026, 3, 28))
    result = replan(loaded, plan, (ChangeWindows(last.venue_id, (new_window,)),), plan.bookings[0].setup_start, FAST)
    assert result.found
    assert result.forced == (last.show_id,) and result.moved == (last.show_id,)
    assert first_nights(result.plan)[last.show_id] in new_window
    assert {k: v for k, v in first_nights(result.plan).items() if k != last.show_id} == \
        {k: v for k, v in first_nights(plan).items() if k != last.show_id}


def test_two_events_at_once(planned):
    loaded, plan = planned
    first, middle, last = plan.bookings
    window = DateRange(last.first_night + timedelta(days=2), date(2026, 3, 28))
    result = replan(loaded, plan, (CancelShow(middle.show_id), ChangeWindows(last.venue_id, (window,))),
                    first.setup_start, FAST)
    assert result.found
    assert result.cancelled == (middle.show_id,) and result.moved == (last.show_id,)
    assert first_nights(result.plan)[first.show_id] == first.first_night


def test_added_show_is_played_without_moving_the_others(planned):
    loaded, plan = planned
    result = replan(loaded, plan, (AddShow("desingel-antwerp", 2500),), plan.bookings[0].setup_start, FAST)
    assert result.found and result.added == ("desingel-antwerp-2",) and result.moved == ()


def test_events_naming_unknown_things_are_refused(planned):
    loaded, plan = planned
    with pytest.raises(ValueError, match="show `nope` is not in the tour"):
        replan(loaded, plan, (CancelShow("nope"),), date(2026, 3, 1), FAST)


def test_vehicle_out_and_hotel_lost_still_plan(planned):
    loaded, plan = planned
    events = (VehicleOut("truck", date(2026, 3, 1)), HotelLost("ibis-brussels", date(2026, 3, 10)))
    result = replan(loaded, plan, events, date(2026, 3, 1), FAST)
    assert result.found and result.moved == ()
    assert "truck" not in result.tour.vehicle_by_id and not result.tour.hotels


# --- per-person changes ---

def test_a_sick_crew_member_changes_only_what_they_touch(planned):
    loaded, plan = planned
    show_id, sick_day = next((s, d) for s, d in works(plan, "anna") if d > plan.bookings[0].setup_start)
    result = replan(loaded, plan, (CrewUnavailable("anna", DateRange(sick_day, sick_day)),),
                    plan.bookings[0].setup_start, FAST)
    assert result.found and result.moved == ()
    assert (show_id, sick_day) not in works(result.plan, "anna")
    changes = crew_changes(loaded.tour, plan, result.plan)
    assert {c.day for items in changes.values() for c in items} == {sick_day}
    venue = loaded.tour.venue_by_id[loaded.tour.show_by_id[show_id].venue_id].name
    when = f"{sick_day.day} March"
    assert f"You no longer work the {when} show at {venue}." in [c.text for c in changes["anna"]]
    replacement = [who for s in result.plan.crew_shifts if (s.show_id, s.day) == (show_id, sick_day)
                   for who in s.crew_ids if (show_id, sick_day) not in works(plan, who)]
    for member in loaded.tour.crew:
        if member.id != "anna" and member.id not in replacement:
            assert changes[member.id] == (), member.id
    for who in replacement:
        assert any(c.text.startswith(f"You now work the {when} show at {venue}") for c in changes[who])
    text = changes_markdown(loaded.tour, changes)
    assert "## Carl De Smet" in text and "<h2>Anna Peeters</h2>" in changes_html(loaded.tour, changes)


# --- history ---

def test_history_keeps_both_versions_and_the_diff_reads_right(planned):
    loaded, plan = planned
    cancelled = next(b for b in plan.bookings if b.venue_id == "ab-brussels")
    result = replan(loaded, plan, (CancelShow(cancelled.show_id),), cancelled.setup_start, FAST)
    with History(loaded.root) as history:
        assert history.add(plan, loaded.tour) == 1
        assert history.add(result.plan, result.tour, result.events, 1, cancelled.setup_start) == 2
        versions = history.versions()
        old, new = history.plan(1), history.plan(2)
    assert [(v.number, v.shows, v.events) for v in versions] == [(1, 3, ()), (2, 2, (CancelShow(cancelled.show_id),))]
    assert versions[1].based_on == 1 and versions[1].km < versions[0].km
    changes = crew_changes(loaded.tour, old, new)
    text = f"Your {cancelled.first_night.day} March show at Ancienne Belgique is cancelled."
    workers = {who for s in plan.crew_shifts if s.show_id == cancelled.show_id for who in s.crew_ids}
    assert workers
    for member in loaded.tour.crew:
        assert (text in [c.text for c in changes[member.id]]) == (member.id in workers)


def test_events_in_text_and_csv(tmp_path):
    assert parse_event("unavailable", "anna:2026-03-10..2026-03-12") == \
        CrewUnavailable("anna", DateRange(date(2026, 3, 10), date(2026, 3, 12)))
    assert parse_event("vehicle-out", "van:2026-03-10") == VehicleOut("van", date(2026, 3, 10))
    assert parse_event("window", "ab:2026-03-02..2026-03-04;2026-03-09").windows[1] == \
        DateRange(date(2026, 3, 9), date(2026, 3, 9))
    with pytest.raises(ValueError, match="add-show 'ab': expected ID:VALUE"):
        parse_event("add-show", "ab")
    events = tmp_path / "events.csv"
    events.write_text("kind,value\ncancel,ab-brussels\nhotel-lost,ibis-brussels:2026-03-10\n")
    assert read_events_csv(events) == (CancelShow("ab-brussels"), HotelLost("ibis-brussels", date(2026, 3, 10)))


# --- command line ---

def test_cli_end_to_end(tiny_tour, tmp_path):
    from touring.cli import main
    from touring.replan_cli import diff_command, history_command, replan_command

    out = tmp_path / "out"
    planned = CliRunner().invoke(main, ["plan", str(tiny_tour), "-o", str(out), "--quiet", "--time-limit", "5"])
    assert planned.exit_code == 0, planned.output
    plan = json.loads((out / "plan.json").read_text())
    ab = next(s for s in plan["shows"] if s["show_id"] == "ab-brussels")
    result = CliRunner().invoke(replan_command, [str(tiny_tour), "--plan", str(out / "plan.json"), "--today",
                                                 ab["setup_start"], "--cancel", "ab-brussels", "-o", str(out),
                                                 "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("version 2 (from 1): 2 shows, ")
    assert "  cancelled: ab-brussels\n" in result.output
    assert [s["show_id"] for s in json.loads((out / "plan.json").read_text())["shows"]] == \
        [s["show_id"] for s in plan["shows"] if s["show_id"] != "ab-brussels"]
    assert "show at Ancienne Belgique is cancelled." in (out / "changes.md").read_text()
    history = CliRunner().invoke(history_command, [str(tiny_tour)])
    assert history.exit_code == 0, history.output
    assert history.output.count("\nv") == 1 and "  - cancel show ab-brussels\n" in history.output
    diff = CliRunner().invoke(diff_command, [str(tiny_tour), "1", "2"])
    assert diff.exit_code == 0 and "show at Ancienne Belgique is cancelled." in diff.output
    missing = CliRunner().invoke(diff_command, [str(tiny_tour), "1", "9"])
    assert missing.exit_code == 1 and missing.output == "Error: there is no version 9\n"
    unknown = CliRunner().invoke(replan_command, [str(tiny_tour), "--plan", str(out / "plan.json"), "--today",
                                                  "2026-03-01", "--cancel", "nope", "-o", str(out)])
    assert unknown.exit_code == 1 and unknown.output == "Error: show `nope` is not in the tour\n"
