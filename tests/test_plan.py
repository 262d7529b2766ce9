"""`touring plan`: the day-by-day plan, plan.json and its versions, on real tours on disk."""

from __future__ import annotations

import json
from datetime import date

from click.testing import CliRunner

from solvers.schedule import ScheduleParams
from touring.cli import main
from touring.io import load_tour
from touring.io.plan import SCHEMA, SCHEMA_VERSION, write_plan
from touring.model import DayKind
from touring.planning import make_plan
from touring.report import summary_lines


def test_plan_lays_out_every_day(tiny_tour):
    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5))
    assert plan.found and len(plan.bookings) == 3
    season_days = (loaded.tour.season.end - loaded.tour.season.start).days + 1
    assert [d.day for d in plan.days][:season_days] == list(loaded.tour.season.days())
    kinds = {d.day: d.kind for d in plan.days}
    for booking in plan.bookings:
        assert kinds[booking.first_night] is DayKind.SHOW
    # Every leg of the tour is driven on some day: the day totals add up to the legs.
    travelled = [(t.from_id, t.to_id) for d in plan.days for t in d.travel]
    stops = ["home"] + [b.venue_id for b in plan.bookings] + ["home"]
    assert sorted(set(travelled)) == sorted(set(zip(stops, stops[1:])))
    assert plan.km == sum(d.km for d in plan.days) > 100
    before = [d for d in plan.days if d.day < plan.bookings[0].setup_start]
    assert all(d.kind in (DayKind.HOME, DayKind.TRAVEL) for d in before)


def test_plan_json_is_versioned_and_never_overwritten(tiny_tour, tmp_path):
    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5))
    out = tmp_path / "out"
    first = write_plan(plan, loaded.tour, out)
    first_text = first.read_text()
    second = write_plan(plan, loaded.tour, out)
    assert (first.name, second.name) == ("plan-0001.json", "plan-0002.json")
    assert first.read_text() == first_text
    assert (out / "plan.json").read_text() == second.read_text()
    document = json.loads((out / "plan.json").read_text())
    assert (document["schema"], document["schema_version"]) == (SCHEMA, SCHEMA_VERSION)
    schedule = document["solvers"]["schedule"]
    assert schedule["status"] == "optimal" and schedule["gap"] == 0.0
    assert set(schedule) >= {"objective", "best_bound", "wall_time_s", "seed", "workers", "time_limit_s"}
    assert [s["show_id"] for s in document["shows"]] == [b.show_id for b in plan.bookings]
    assert document["days"][0]["date"] == "2026-03-01" and document["days"][0]["place"]["timezone"]
    assert document["costs"]["income"] == document["summary"]["fees"] and document["paperwork"] == []
    costs = [line["amount"] for line in document["costs"]["lines"] if line["category"] != "fees"]
    assert round(sum(costs), 2) == document["costs"]["costs"]
    assert not list((out / "versions").glob(".staged-*"))


def test_plan_command_prints_the_table_and_summary(tiny_tour, tmp_path):
    result = CliRunner().invoke(main, ["plan", str(tiny_tour), "-o", str(tmp_path / "out"), "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert "show    ab-brussels        Ancienne Belgique" in result.output
    assert "Shows played: 3 (3 required, 0 optional), 3 nights" in result.output
    assert "Solver: cp-sat optimal" in result.output
    assert "Result: fees 12,500 - costs " in result.output
    assert "plan " in result.stderr and "bound" in result.stderr  # progress lines
    assert (tmp_path / "out" / "plan.json").exists()


def test_plan_command_explains_an_impossible_tour(tiny_tour, tmp_path):
    (tiny_tour / "shows.csv").write_text("venue,fixed_date\nab-brussels,2026-03-10\nvooruit-ghent,2026-03-10\n",
                                         encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", str(tiny_tour), "-o", str(tmp_path / "out"), "--quiet"])
    assert result.exit_code == 1
    assert "No plan: the tour cannot be done as given.\nThese rules conflict:\n" in result.output
    assert "  - show `ab-brussels` is fixed on 2026-03-10\n" in result.output
    assert "  - show `vooruit-ghent` is fixed on 2026-03-10\n" in result.output
    document = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert document["solvers"]["schedule"]["status"] == "infeasible" and document["conflicts"]


def test_plan_command_plans_runs_unless_told_not_to(tiny_tour, tmp_path):
    result = CliRunner().invoke(main, ["plan", str(tiny_tour), "-o", str(tmp_path / "out"), "--quiet",
                                       "--time-limit", "5"])
    assert result.exit_code == 0, result.output
    assert "Transport: " in result.output and "Transport solver: routing " in result.output
    assert json.loads((tmp_path / "out" / "plan.json").read_text())["runs"]
    result = CliRunner().invoke(main, ["plan", str(tiny_tour), "-o", str(tmp_path / "bare"), "--quiet",
                                       "--time-limit", "5", "--no-transport"])
    assert result.exit_code == 0, result.output
    assert "Transport" not in result.output
    assert json.loads((tmp_path / "bare" / "plan.json").read_text())["runs"] == []


def test_example_tours_plan_to_optimality(tmp_path):
    from pathlib import Path

    for name in ("flemish-theatre", "festival-summer"):
        loaded = load_tour(Path(__file__).parent.parent / "data" / name)
        plan = make_plan(loaded, ScheduleParams(time_limit_s=30))
        assert plan.schedule_report.status == "optimal", name
        assert all(b.first_night >= loaded.tour.season.start for b in plan.bookings)
        required = {s.id for s in loaded.tour.shows if s.required}
        assert required <= {b.show_id for b in plan.bookings}
        fixed = {s.id: s.fixed_date for s in loaded.tour.shows if s.fixed_date}
        assert all(b.first_night == fixed[b.show_id] for b in plan.bookings if b.show_id in fixed)
        assert isinstance(plan.bookings[0].first_night, date)


def test_export_command_finds_the_tour_the_plan_records(tiny_tour, tmp_path):
    out = tmp_path / "out"
    planned = CliRunner().invoke(main, ["plan", str(tiny_tour), "-o", str(out), "--quiet", "--time-limit", "5"])
    assert planned.exit_code == 0, planned.output
    result = CliRunner().invoke(main, ["export", str(out / "plan.json"), "-o", str(tmp_path / "export"), "--no-pdf"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Written: ") and (tmp_path / "export" / "index.html").exists()
    assert len(list((tmp_path / "export" / "calendars").glob("*.ics"))) == 4  # the tour and three crew


def test_export_command_without_a_tour_says_what_to_do(tiny_tour, tmp_path):
    out = tmp_path / "out"
    CliRunner().invoke(main, ["plan", str(tiny_tour), "-o", str(out), "--quiet", "--time-limit", "5"])
    document = json.loads((out / "plan.json").read_text())
    del document["tour_source"]
    (out / "plan.json").write_text(json.dumps(document))
    result = CliRunner().invoke(main, ["export", str(out), "-o", str(tmp_path / "export")])
    assert result.exit_code == 1
    assert result.output == f"Error: {out / 'plan.json'} does not name a tour that exists here; give it with --tour\n"


def test_plan_says_where_the_crew_sleeps_and_what_is_still_to_book(tiny_tour, tmp_path):
    toml = tiny_tour / "tour.toml"
    toml.write_text(toml.read_text().replace("[rules]\n", "[rules]\ngo_home_radius_minutes = 10\n"))
    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5))
    assert plan.accommodation_report.status == "optimal"
    brussels = next(n for n in plan.accommodation if n.place_id == "ab-brussels")
    assert {s.crew_id: s.hotel_id for s in brussels.stays} == dict.fromkeys(("anna", "ben", "carl"), "ibis-brussels")
    assert plan.room_cost == 215.0
    lines = summary_lines(plan, loaded.tour)
    assert "Nights: 3 in hotels (215 EUR), 0 at home, 0 on the nightliner, 9 still without a bed" in lines
    assert "  book 1 single and 1 double near De Singel for 2026-03-11 (no hotel in the data lies within 30 min)" \
        in lines
    document = json.loads(write_plan(plan, loaded.tour, tmp_path / "out").read_text())
    assert document["solvers"]["accommodation"]["status"] == "optimal"
    assert document["summary"]["room_cost"] == 215.0 and document["summary"]["nights_to_book"] == 3
    assert document["to_book"][-1]["text"] == "book 1 single and 1 double near De Singel for 2026-03-11"


def test_plan_says_who_works_and_what_goes_in_which_vehicle(tiny_tour, tmp_path):
    from touring.io.plan import read_plan

    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5))
    assert plan.crew_report.status == "optimal" and plan.loading_report.status == "optimal"
    nights = [s for s in plan.crew_shifts if s.kind is DayKind.SHOW]
    assert len(nights) == 3 and all(s.crew_for("technician") == ("carl",) for s in nights)
    assert plan.unfilled_roles == ()
    assert {x.vehicle_id for x in plan.loads} == {"truck"}  # 13.7 m3 and 765 kg: too big for the van
    assert [m.kind for m in plan.equipment_moves] == ["pickup", "return"]
    lines = summary_lines(plan, loaded.tour)
    assert "Crew: 7 of 7 role places filled over 4 shifts" in lines
    assert "Loading: 4 vehicle loads over 4 legs, 0 unit(s) fit no vehicle, 2 rental pick-up(s) and return(s)" \
        in lines
    write_plan(plan, loaded.tour, tmp_path / "out")
    document = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert document["solvers"]["crew"]["status"] == document["solvers"]["loading"]["status"] == "optimal"
    assert document["crew"][0]["roles"] == [{"role": "technician", "crew_id": "carl"}]  # the Gent set-up day
    assert document["loads"][0]["lines"][0] == {"equipment_id": "set", "item": "Set pieces", "units": 4,
                                                "volume_m3": 10.0, "weight_kg": 480.0}
    assert read_plan(tmp_path / "out" / "plan.json") == plan


def test_plan_drives_the_crew_and_the_gear(tiny_tour, tmp_path):
    from touring.io.plan import read_plan

    from solvers.transport import TransportParams

    loaded = load_tour(tiny_tour)
    assert make_plan(loaded, ScheduleParams(time_limit_s=5)).transport_report is None  # the library plans runs on request
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5), transport_params=TransportParams())
    assert plan.transport_report.status in ("optimal", "feasible") and plan.runs
    assert {r.driver_id for r in plan.runs if r.vehicle_id == "truck"} == {"carl"}  # the only C licence
    assert all(s.seats <= 8 and s.volume_m3 <= 22 for r in plan.runs for s in r.stops)
    lines = summary_lines(plan, loaded.tour)
    assert any(line.startswith("Transport: ") for line in lines)
    assert any(line.startswith("Transport solver: routing ") for line in lines)
    write_plan(plan, loaded.tour, tmp_path / "out")
    document = json.loads((tmp_path / "out" / "plan.json").read_text())
    assert document["summary"]["transport_unserved"] == len(document["unserved_transport"])
    assert document["runs"][0]["stops"][0]["place_id"].startswith("depot:")
    assert read_plan(tmp_path / "out" / "plan.json") == plan
