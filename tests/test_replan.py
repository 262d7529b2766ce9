"""Replanning after events, the history of versions and the per-person changes: real CP-SAT solves on tiny."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from solvers.replan import (
    AddShow, CancelShow, ChangeWindows, CrewJoins, CrewUnavailable, HotelLost, VehicleHired, VehicleOut, day_limits,
    replan, _fleets,
)
from solvers.schedule import ScheduleParams
from solvers.transport import TransportParams
from touring.changes import changes_html, changes_markdown, crew_changes
from touring.errors import DataError
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


def test_vehicle_out_and_hotel_lost_apply_to_their_days_only(planned):
    loaded, plan = planned
    events = (VehicleOut("truck", date(2026, 3, 10), date(2026, 3, 11)), HotelLost("ibis-brussels", date(2026, 3, 10)))
    result = replan(loaded, plan, events, date(2026, 3, 1), FAST)
    assert result.found and result.moved == ()
    assert "truck" in result.tour.vehicle_by_id and result.tour.hotels
    assert result.limits.closed_hotels == {("ibis-brussels", date(2026, 3, 10))}
    assert result.limits.vehicles_out == {("truck", date(2026, 3, 10)), ("truck", date(2026, 3, 11))}
    # Open-ended: from the later of its start and today, to past the season's end; the past stays.
    open_ended = day_limits(loaded.tour, (VehicleOut("truck", date(2026, 3, 5)),), date(2026, 3, 8)).vehicles_out
    assert ("truck", date(2026, 3, 8)) in open_ended and ("truck", date(2026, 3, 31)) in open_ended
    assert ("truck", date(2026, 3, 7)) not in open_ended
    # The truck carries the gear on every leg but those it would hold on the two days it is
    # out: driven on the 10th and 11th, and the drive home of the 12th, loaded after the
    # show of the 11th.
    trucked = {x.day for x in result.plan.loads if x.vehicle_id == "truck"}
    assert trucked == {x.day for x in plan.loads} - {date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)}


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


# --- per-day events, booked hotels, rides: the tiny tour with hotels everyone needs ---

RUNS = TransportParams()


@pytest.fixture
def hotel_tour(tiny_tour):
    """The tiny tour where nobody goes home at night and Gent has two hotels, Ibis the cheaper."""
    toml = tiny_tour / "tour.toml"
    toml.write_text(toml.read_text().replace("[rules]\n", "[rules]\ngo_home_radius_minutes = 0\n"))
    with (tiny_tour / "hotels.csv").open("a") as hotels:
        hotels.write("ibis-gent,Ibis Gent Centrum,Gent,BE,51.0530,3.7250,4,2,70,95\n"
                     "harmony,Hotel Harmony,Gent,BE,51.0570,3.7210,4,2,110,140\n"
                     "singel-inn,Singel Inn,Antwerpen,BE,51.1930,4.4150,4,2,80,100\n")
    return tiny_tour


@pytest.fixture
def hotel_planned(hotel_tour):
    loaded = load_tour(hotel_tour)
    plan = make_plan(loaded, FAST, transport_params=RUNS)
    assert plan.found and plan.runs
    return loaded, plan


def hotels_of(plan, crew_id: str) -> dict[date, str | None]:
    return {n.day: n.stay(crew_id).hotel_id for n in plan.accommodation if n.stay(crew_id)}


def test_cancel_keeps_booked_hotels_and_frees_the_cancelled_nights(hotel_planned):
    loaded, plan = hotel_planned
    ab = next(b for b in plan.bookings if b.show_id == "ab-brussels")
    result = replan(loaded, plan, (CancelShow("ab-brussels"),), ab.setup_start, FAST)
    assert result.found and result.moved == ()
    for member in loaded.tour.crew:
        before, after = hotels_of(plan, member.id), hotels_of(result.plan, member.id)
        # Every night before today and every booked night still on the tour keeps its hotel.
        assert {d: h for d, h in after.items() if d in before and d != ab.first_night} == \
            {d: h for d, h in before.items() if d in after and d != ab.first_night}
    assert {d for _, d in result.changed_stays} <= {ab.first_night}
    # The runs before today are the plan in force's; the Brussels night has no ride any more.
    assert [r for r in result.plan.runs if r.day < ab.setup_start] == [r for r in plan.runs if r.day < ab.setup_start]


def test_a_lost_hotel_rehouses_that_night_only_and_the_report_names_the_hotels(hotel_planned):
    loaded, plan = hotel_planned
    ghent = [n for n in plan.accommodation if n.place_id == "vooruit-ghent"]
    assert len(ghent) == 2 and all(s.hotel_id == "ibis-gent" for n in ghent for s in n.stays)
    lost = ghent[1].day
    result = replan(loaded, plan, (HotelLost("ibis-gent", lost),), plan.bookings[0].setup_start, FAST)
    assert result.found
    for member in loaded.tour.crew:
        after = hotels_of(result.plan, member.id)
        assert after[ghent[0].day] == "ibis-gent" and after[lost] == "harmony"
        assert {d: h for d, h in after.items() if d != lost} == \
            {d: h for d, h in hotels_of(plan, member.id).items() if d != lost}
    assert result.changed_stays == tuple((m.id, lost) for m in sorted(loaded.tour.crew, key=lambda m: m.id))
    changes = crew_changes(loaded.tour, plan, result.plan)
    hotel_lines = [c.text for c in changes["anna"] if "hotel" in c.text]
    assert hotel_lines == [f"Your {lost.day} March hotel moves from Ibis Gent Centrum to Hotel Harmony."]


def test_moves_allowed_are_counted_when_the_weights_let_savings_win(hotel_planned, hotel_tour):
    loaded, plan = hotel_planned
    # A plan in force that booked everyone at Harmony in Gent: Ibis is cheaper.
    dear = replace(plan, accommodation=tuple(
        replace(n, stays=tuple(replace(s, hotel_id="harmony") if s.hotel_id == "ibis-gent" else s for s in n.stays))
        for n in plan.accommodation))
    today = plan.bookings[0].setup_start
    gent_nights = [n.day for n in plan.accommodation if n.place_id == "vooruit-ghent"]
    kept = replan(loaded, dear, (CancelShow("desingel-antwerp"),), today, FAST, allow_moving=True)
    # The Antwerp nights are forced to change (the show is cancelled); Gent keeps Harmony.
    assert kept.found and not {d for _, d in kept.changed_stays} & set(gent_nights)
    toml = hotel_tour / "tour.toml"
    toml.write_text(toml.read_text() + "\n[weights]\nreplan_changed_hotel = 1\n")
    cheap = load_tour(hotel_tour)
    moved = replan(cheap, dear, (CancelShow("desingel-antwerp"),), today, FAST, allow_moving=True)
    assert moved.found and len([d for _, d in moved.changed_stays if d in gent_nights]) == 3 * len(gent_nights)
    assert all(hotels_of(moved.plan, "anna")[d] == "ibis-gent" for d in gent_nights)
    fixed = replan(cheap, dear, (CancelShow("desingel-antwerp"),), today, FAST)
    # Without --allow-moving the bookings are rules, whatever the weights.
    assert fixed.found and not {d for _, d in fixed.changed_stays} & set(gent_nights)


def _ben_also_technician(tour_dir, licences: str) -> None:
    """Ben can stand in for Carl as the technician (so the show keeps its date), holding ``licences``."""
    crew = tour_dir / "crew.csv"
    crew.write_text(crew.read_text().replace("ben,Ben Janssens,actor,Mechelen,BE,NL,,",
                                             f"ben,Ben Janssens,actor; technician,Mechelen,BE,NL,{licences},"))


def test_a_sick_driver_and_nobody_licensed_leaves_the_gear_unserved_that_day(hotel_tour):
    _ben_also_technician(hotel_tour, "B")
    loaded = load_tour(hotel_tour)
    plan = make_plan(loaded, FAST, transport_params=RUNS)
    ab = next(b for b in plan.bookings if b.show_id == "desingel-antwerp")  # gear arrives that day
    assert {r.driver_id for r in plan.runs if r.day == ab.first_night} == {"carl"}
    result = replan(loaded, plan, (CrewUnavailable("carl", DateRange(ab.first_night, ab.first_night)),),
                    plan.bookings[0].setup_start, FAST)
    assert result.found and result.moved == ()
    assert all(r.driver_id != "carl" for r in result.plan.runs if r.day == ab.first_night)
    gear = [u for u in result.plan.unserved_transport if u.day == ab.first_night and u.request_id.startswith("gear:")]
    assert gear and all("licen" in u.reason for u in gear)
    assert [r for r in result.plan.runs if r.day != ab.first_night and r.day >= plan.bookings[0].setup_start] \
        and all(r.driver_id == "carl" for r in result.plan.runs if r.vehicle_id == "truck" and r.day != ab.first_night)


def test_a_sick_driver_is_replaced_by_another_licensed_one(hotel_tour):
    _ben_also_technician(hotel_tour, "B; C")
    loaded = load_tour(hotel_tour)
    plan = make_plan(loaded, FAST, transport_params=RUNS)
    ab = next(b for b in plan.bookings if b.show_id == "desingel-antwerp")
    assert {r.driver_id for r in plan.runs if r.day == ab.first_night and r.vehicle_id == "truck"} == {"carl"}
    result = replan(loaded, plan, (CrewUnavailable("carl", DateRange(ab.first_night, ab.first_night)),),
                    plan.bookings[0].setup_start, FAST)
    assert result.found and result.moved == ()
    truck = [r for r in result.plan.runs if r.day == ab.first_night and r.vehicle_id == "truck"]
    assert truck and truck[0].driver_id == "ben"
    assert not [u for u in result.plan.unserved_transport if u.day == ab.first_night]
    changes = crew_changes(loaded.tour, plan, result.plan)
    assert any(c.text.startswith(f"On {ab.first_night.day} March you now drive the truck") for c in changes["ben"])


def test_a_broken_truck_hands_its_gear_to_the_hired_replacement_for_those_days(hotel_tour):
    with (hotel_tour / "vehicles.csv").open("a") as vehicles:
        vehicles.write("truck2,truck,3,22,3000,0.5,180,Gent\n")
    loaded = load_tour(hotel_tour)
    # The plan in force was made before the hire: truck2 is no part of it.
    before = replace(loaded, tour=replace(loaded.tour, vehicles=tuple(v for v in loaded.tour.vehicles
                                                                     if v.id != "truck2")))
    plan = make_plan(before, FAST)
    assert {x.vehicle_id for x in plan.loads} == {"truck"}
    ab = next(b for b in plan.bookings if b.show_id == "ab-brussels")
    out = DateRange(ab.first_night, ab.first_night + timedelta(days=1))
    # The replacement is hired from the eve of the breakdown, when the gear of the leg
    # driven on its first day goes in after the curfew, to the day after, when the gear
    # loaded on its last night is driven.
    hired = DateRange(out.start - timedelta(days=1), out.end + timedelta(days=1))
    events = (VehicleOut("truck", out.start, out.end), VehicleHired("truck2", hired.start, hired.end))
    result = replan(loaded, plan, events, plan.bookings[0].setup_start, FAST)
    assert result.found and result.plan.left_behind == ()
    by_day = {x.day: x.vehicle_id for x in result.plan.loads}
    held = {out.start, out.end, out.end + timedelta(days=1)}  # driven, or loaded the night before
    assert by_day == {x.day: ("truck2" if x.day in held else "truck") for x in plan.loads}
    assert result.changed_units == sum(line.units for x in plan.loads if x.day in held for line in x.lines)
    limits = day_limits(loaded.tour, events, plan.bookings[0].setup_start)
    assert ("truck2", hired.start - timedelta(days=1)) in limits.vehicles_out
    assert ("truck2", hired.start) not in limits.vehicles_out and ("truck", out.start) in limits.vehicles_out


def test_gear_units_changed_are_the_units_moved_out_of_their_booked_vehicle(hotel_tour):
    loaded = load_tour(hotel_tour)
    plan = make_plan(loaded, FAST)
    assert {x.vehicle_id for x in plan.loads} == {"truck"}
    ab = next(b for b in plan.bookings if b.show_id == "ab-brussels")
    out = DateRange(ab.first_night, ab.first_night + timedelta(days=1))
    result = replan(loaded, plan, (VehicleOut("truck", out.start, out.end),), plan.bookings[0].setup_start, FAST)
    assert result.found and [x.day for x in plan.loads if x.day in out]
    # The van takes what fits of the truck's load on the legs the truck would hold gear on
    # those days (the drive home too, loaded on the last of them); the rest stays behind.
    moved = sum(line.units for x in result.plan.loads if x.vehicle_id == "van" for line in x.lines)
    assert moved and [b for b in result.plan.left_behind if b.day in out]
    assert result.changed_units == moved
    # Nothing moved: nothing counted.
    assert replan(loaded, plan, (), plan.bookings[0].setup_start, FAST).changed_units == 0


def test_a_fleet_of_past_days_only_is_not_solved_again(hotel_tour):
    with (hotel_tour / "vehicles.csv").open("a") as vehicles:
        vehicles.write("truck2,truck,3,22,3000,0.5,180,Gent\n")
    loaded = load_tour(hotel_tour)
    plan = make_plan(loaded, FAST)
    first, second = plan.bookings[0].setup_start, plan.bookings[1].setup_start
    hired = (VehicleHired("truck2", first, first),)
    # Hired on a day still to come: that day has a fleet of its own, solved.
    limits = day_limits(loaded.tour, hired, first)
    assert [ids for ids in _fleets(loaded.tour, plan, limits.vehicles_out, first) if "truck2" in ids] == \
        [("van", "truck", "truck2")]
    # Hired and returned before today: its runs are the plan in force's, nothing to solve.
    limits = day_limits(loaded.tour, hired, second)
    fleets = _fleets(loaded.tour, plan, limits.vehicles_out, second)
    assert list(fleets) == [("van", "truck")]
    assert min(plan.days[k].day for k in fleets["van", "truck"]) == second


def test_a_crew_member_joining_works_only_from_that_day(hotel_tour):
    with (hotel_tour / "crew.csv").open("a") as crew:
        crew.write("dirk,Dirk Claes,actor,Gent,BE,BE,B,single,,,\n")
    loaded = load_tour(hotel_tour)
    plan = make_plan(replace(loaded, tour=replace(loaded.tour, crew=tuple(m for m in loaded.tour.crew
                                                                         if m.id != "dirk"))), FAST)
    last = plan.bookings[-1]
    result = replan(loaded, plan, (CrewJoins("dirk", last.setup_start),), plan.bookings[0].setup_start, FAST)
    assert result.found
    dirk = result.tour.crew_by_id["dirk"]
    assert not dirk.is_available(last.setup_start - timedelta(days=1)) and dirk.is_available(last.first_night)
    assert all(n.stay("dirk") is None for n in result.plan.accommodation if n.day < last.setup_start)
    assert any(n.stay("dirk") for n in result.plan.accommodation if n.day >= last.setup_start)
    # Without --join the new row is no event: Dirk stays out of the replan.
    unjoined = replan(loaded, plan, (CancelShow(last.show_id),), plan.bookings[0].setup_start, FAST)
    assert unjoined.found and all(n.stay("dirk") is None for n in unjoined.plan.accommodation)


def test_two_events_at_once_with_rides_reported(hotel_planned):
    loaded, plan = hotel_planned
    ab = next(b for b in plan.bookings if b.show_id == "ab-brussels")
    events = (CancelShow("desingel-antwerp"), HotelLost("ibis-gent", plan.bookings[0].first_night))
    result = replan(loaded, plan, events, plan.bookings[0].setup_start, FAST)
    assert result.found and result.cancelled == ("desingel-antwerp",) and result.moved == ()
    assert first_nights(result.plan)["ab-brussels"] == ab.first_night
    changes = crew_changes(loaded.tour, plan, result.plan)
    lost = plan.bookings[0].first_night
    texts = [c.text for c in changes["carl"]]
    assert f"Your {lost.day} March hotel moves from Ibis Gent Centrum to Hotel Harmony." in texts
    antwerp = next(b for b in plan.bookings if b.show_id == "desingel-antwerp").first_night
    assert f"Your {antwerp.day} March show at De Singel is cancelled." in texts
    # Carl drove the truck to De Singel: that run is gone or changed, so his ride of the day
    # changes (cancelled, another vehicle, or another time).
    day_rides = [t for t in texts if t.startswith((f"Your {antwerp.day} March ride", f"On {antwerp.day} March you "))
                 or (t.startswith(f"Your {antwerp.day} March ") and " leaves " in t)]
    assert day_rides
    # Nothing else: the lost night, the next morning's pick-up at the other hotel, the cancelled show.
    assert {c.day for c in changes["carl"]} <= {lost, lost + timedelta(days=1), antwerp, antwerp + timedelta(days=1)}
    assert all(" leaves " in c.text for c in changes["carl"] if c.day == lost + timedelta(days=1))


def test_join_and_hire_in_text_and_csv(tmp_path):
    assert parse_event("join", "dirk:2026-03-10") == CrewJoins("dirk", date(2026, 3, 10))
    assert parse_event("hire", "truck2:2026-03-10..2026-03-11") == \
        VehicleHired("truck2", date(2026, 3, 10), date(2026, 3, 11))
    with pytest.raises(ValueError, match="hire 'truck2:2026-03-12..2026-03-11': end: must not be before start"):
        parse_event("hire", "truck2:2026-03-12..2026-03-11")
    events = tmp_path / "events.csv"
    events.write_text("kind,value\njoin,dirk:2026-03-10..2026-03-12\nhire,truck2:2026-03-10\n")
    joined = (CrewJoins("dirk", date(2026, 3, 10), date(2026, 3, 12)), VehicleHired("truck2", date(2026, 3, 10)))
    assert read_events_csv(events) == joined
    events.write_text("kind,value\njoin,dirk:2026-03-10..2026-03-12\nhire,truck2:tomorrow\n")
    with pytest.raises(DataError, match="events.csv.*3.*value"):
        read_events_csv(events)


def test_join_and_hire_are_kept_in_the_history(planned):
    loaded, plan = planned
    events = (CrewJoins("anna", date(2026, 3, 10)), VehicleHired("van", date(2026, 3, 10), date(2026, 3, 11)))
    with History(loaded.root) as history:
        history.add(plan, loaded.tour)
        history.add(plan, loaded.tour, events, 1, date(2026, 3, 9))
        assert history.versions()[1].events == events


def test_cli_join_and_hire_errors_name_the_option(hotel_planned, hotel_tour, tmp_path):
    from touring.io.plan import write_plan
    from touring.replan_cli import replan_command

    loaded, plan = hotel_planned
    write_plan(plan, loaded.tour, tmp_path / "in", tour_source=hotel_tour)
    result = CliRunner().invoke(replan_command, [str(hotel_tour), "--plan", str(tmp_path / "in" / "plan.json"),
                                                 "--today", "2026-03-01", "--hire", "truck2:soon",
                                                 "-o", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--hire" in result.output and "hire 'truck2:soon'" in result.output


def test_a_vehicle_out_on_two_days_leaves_the_runs_of_the_other_days_to_it(hotel_planned):
    loaded, plan = hotel_planned
    out = DateRange(date(2026, 3, 10), date(2026, 3, 11))
    assert {r.vehicle_id for r in plan.runs if r.day in out} == {"truck"}
    result = replan(loaded, plan, (VehicleOut("truck", out.start, out.end),), plan.bookings[0].setup_start, FAST)
    assert result.found and result.moved == ()
    assert all(r.vehicle_id != "truck" for r in result.plan.runs if r.day in out)
    # Gear for a leg is loaded after the curfew of the night before: that eve's run changes
    # too (nothing goes into the truck for the next leg), and so does the day after, whose
    # leg would be loaded into the truck on its last day out; every other day keeps its runs.
    eve, after = out.start - timedelta(days=1), out.end + timedelta(days=1)
    touched = {eve, out.start, out.end, after}
    assert [r for r in result.plan.runs if r.day not in touched] == [r for r in plan.runs if r.day not in touched]
    # What the van cannot hold is reported for those legs only, by loading and by the runs.
    assert {x.day for x in result.plan.left_behind} == {out.start, out.end, after}
    assert {u.day for u in result.plan.unserved_transport} <= touched
    changes = crew_changes(loaded.tour, plan, result.plan)
    assert any(c.text.startswith("On 10 March you now drive the van instead of the truck") for c in changes["carl"])


def test_the_report_names_exactly_the_changes_of_a_lost_hotel_and_a_replaced_truck(hotel_tour):
    with (hotel_tour / "vehicles.csv").open("a") as vehicles:
        vehicles.write("truck2,truck,3,22,3000,0.5,180,Gent\n")
    loaded = load_tour(hotel_tour)
    plan = make_plan(loaded, FAST, transport_params=RUNS)
    assert {r.vehicle_id for r in plan.runs if r.day in (date(2026, 3, 10), date(2026, 3, 11))} == {"truck"}
    events = (HotelLost("ibis-gent", date(2026, 3, 9)), VehicleOut("truck", date(2026, 3, 10), date(2026, 3, 11)),
              VehicleHired("truck2", date(2026, 3, 9), date(2026, 3, 12)))  # loaded on the 9th, driven on the 12th
    result = replan(loaded, plan, events, date(2026, 3, 9), FAST)
    assert result.found and result.moved == ()

    def at(moment, day: int) -> str:
        return f"{moment:%H:%M}" + ("" if moment.day == day else f" on {moment.day} March")

    def run_of(runs, day: int, vehicle: str):
        return next((r for r in runs if r.day == date(2026, 3, day) and r.vehicle_id == vehicle), None)

    # Carl drives the truck2 on every day it is hired (loaded on the 9th, driven on the
    # 12th): a driver's ride is the whole run, leaving with them at its first stop.
    changes = crew_changes(loaded.tour, plan, result.plan)
    expected = ["Your 9 March hotel moves from Ibis Gent Centrum to Hotel Harmony."]
    for day in (9, 10, 11, 12):
        run = run_of(result.plan.runs, day, "truck2")
        assert run is not None and run.driver_id == "carl" and run_of(plan.runs, day, "truck").driver_id == "carl"
        expected.append(f"On {day} March you now drive the truck2 instead of the truck, "
                        f"leaving {at(run.stops[0].departure, day)}.")
    assert [c.text for c in changes["carl"]] == expected

    def rides_along(runs, day: int, vehicle: str) -> str:
        run = run_of(runs, day, vehicle)
        return " and ".join(at(s.departure, day) for s in run.stops if "anna" in s.board) if run else ""

    # Anna rides along with Carl: her rides change vehicle too (a new ride where she had
    # none, off duty on the 9th, moving to the new hotel); nothing else changes.
    expected = ["Your 9 March hotel moves from Ibis Gent Centrum to Hotel Harmony."]
    for day in (9, 10, 11, 12):
        now, before = rides_along(result.plan.runs, day, "truck2"), rides_along(plan.runs, day, "truck")
        if now:
            expected.append(f"On {day} March you now ride in the truck2{' instead of the truck' if before else ''}, "
                            f"leaving {now}.")
    assert [c.text for c in changes["anna"]] == expected
    html = changes_html(loaded.tour, changes)
    assert "<li>On 10 March you now drive the truck2 instead of the truck, leaving " in html


def test_a_ride_leaving_earlier_is_told_in_minutes(hotel_planned):
    loaded, plan = hotel_planned
    run = next(r for r in plan.runs if r.day == date(2026, 3, 10))
    earlier = replace(run, stops=tuple(replace(s, departure=s.departure - timedelta(minutes=30)) for s in run.stops))
    new = replace(plan, runs=tuple(earlier if r is run else r for r in plan.runs))
    changes = crew_changes(loaded.tour, plan, new)
    rider = next(who for s in run.stops for who in s.board if who != run.driver_id)
    boarding = [s.departure for s in run.stops if rider in s.board]
    assert len(boarding) == 2  # out to the venue and back to the hotel
    assert [c.text for c in changes[rider]] == [
        f"Your 10 March truck leaves 30 min earlier ({t - timedelta(minutes=30):%H:%M} instead of {t:%H:%M})."
        for t in boarding]
    riders = {who for s in run.stops for who in s.board}
    assert all(changes[m.id] == () for m in loaded.tour.crew if m.id not in riders)


def test_a_freed_day_takes_the_optional_show_that_could_not_have_it(tiny_tour):
    # AB Brussels (optional) and De Singel (required) both want 11 March only: AB is dropped.
    venues = tiny_tour / "venues.csv"
    venues.write_text(venues.read_text().replace("2026-03-02..2026-03-14,mon", "2026-03-11,")
                      .replace("2026-03-10..2026-03-28,sun", "2026-03-11,"))
    (tiny_tour / "shows.csv").write_text("id,venue,required\nvooruit-ghent,vooruit-ghent,yes\n"
                                         "ab-brussels,ab-brussels,no\ndesingel-antwerp,desingel-antwerp,yes\n")
    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, FAST)
    assert [d.show_id for d in plan.dropped] == ["ab-brussels"]
    kept = first_nights(plan)["vooruit-ghent"]
    used = replan(loaded, plan, (CancelShow("desingel-antwerp"),), date(2026, 3, 1), FAST, add_dropped=True)
    assert used.found and used.added == ("ab-brussels",) and used.moved == ()
    assert first_nights(used.plan) == {"vooruit-ghent": kept, "ab-brussels": date(2026, 3, 11)}
    # Without --add-dropped playing it would be a change no event asked for.
    alone = replan(loaded, plan, (CancelShow("desingel-antwerp"),), date(2026, 3, 1), FAST)
    assert alone.found and alone.added == () and first_nights(alone.plan) == {"vooruit-ghent": kept}


def test_a_replan_keeps_the_own_travel_lines_of_far_homes(hotel_tour):
    crew = hotel_tour / "crew.csv"
    crew.write_text(crew.read_text().replace("Ben Janssens,actor,Mechelen,BE", "Ben Janssens,actor,Marseille,FR"))
    loaded = load_tour(hotel_tour)
    plan = make_plan(loaded, FAST, transport_params=RUNS)
    assert plan.own_travel and {t.crew_id for t in plan.own_travel} == {"ben"}
    last = plan.bookings[-1]
    result = replan(loaded, plan, (CancelShow(last.show_id),), plan.bookings[0].setup_start, FAST)
    assert result.found
    # Ben still flies in: the journeys the replan keeps are told, not dropped.
    assert {t.crew_id for t in result.plan.own_travel} == {"ben"}
    assert {t.day for t in result.plan.own_travel} <= {t.day for t in plan.own_travel} | \
        {d.day for d in result.plan.days}
