"""The command line, through click's CliRunner, on real tours on disk."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from touring.cli import main

README = Path(__file__).parent.parent / "README.md"


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_check_clean_tour(tiny_tour):
    result = run("check", tiny_tour)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Tiny test tour: 2026-03-01..2026-03-31 — 3 venues, 3 shows (3 required), 3 crew, 2 vehicles, "
        "3 equipment items, 1 hotels. No problems found.\n")


def test_check_reports_every_problem_without_a_traceback(tiny_tour):
    venues = tiny_tour / "venues.csv"
    venues.write_text(venues.read_text().replace("2000,5000", "-5,lots"))
    result = run("check", tiny_tour)
    assert result.exit_code == 1
    assert result.output == (
        "Error: 1 problem in the tour:\n"
        "  venues.csv, row 2, column 'fee': 'lots' is not a number\n")
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_check_prints_warnings_and_still_passes(tiny_tour):
    venues = tiny_tour / "venues.csv"
    venues.write_text(venues.read_text().replace(",contact\n", ",contact,colour\n"))
    result = CliRunner().invoke(main, ["check", str(tiny_tour)])
    assert result.exit_code == 0
    assert "warning: venues.csv, column 'colour': unknown column, ignored\n" in result.output


def test_check_missing_path_is_a_usage_error(tmp_path):
    result = run("check", tmp_path / "nowhere")
    assert result.exit_code == 2 and "does not exist" in result.output


def test_travel_summary(tiny_tour):
    result = run("travel", tiny_tour, "--kind", "car", "--top", "2")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Tiny test tour: 4 places, 6 legs by car (geodesic x 1.2 at 80 km/h)"
    assert lines[2] == "Longest 2 legs:"
    assert re.fullmatch(r"  .+ – .+: \d+ km, \dh\d\d", lines[3])
    assert "Legs with crossings: 0" in result.output
    assert run("travel", tiny_tour, "--kind", "car").output.splitlines()[0].endswith("[cached]")


def test_travel_lists_channel_crossings(tiny_tour):
    venues = tiny_tour / "venues.csv"
    venues.write_text(venues.read_text() +
                      "roundhouse,Roundhouse,London,GB,51.5432,-0.1519,1700,9000,2026-03-20..2026-03-22,,,,,,,,\n")
    result = run("travel", tiny_tour, "--kind", "truck")
    assert result.exit_code == 0, result.output
    assert "Legs with crossings: 4 (Eurotunnel Le Shuttle Folkestone–Calais 4)\nShortest 4 of them:\n" in result.output
    assert re.search(r"  home \(Gent\) – Roundhouse: \dh\d\d \(\dh\d\d driving\) via Eurotunnel", result.output)


def test_travel_with_unreachable_osrm_is_a_clear_error(tiny_tour):
    result = run("travel", tiny_tour, "--osrm", "http://127.0.0.1:9")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "http://127.0.0.1:9" in result.output


@pytest.mark.parametrize("command", ["check", "travel", "plan", "export", "shuttle", "replan", "history", "diff"])
def test_every_command_has_help_with_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0 and "Example:" in result.output and f"touring {command} " in result.output


def test_readme_documents_every_command():
    readme = README.read_text(encoding="utf-8")
    for command in main.commands:
        assert f"touring {command}" in readme, f"README lacks `touring {command}`"


def test_data_readme_carries_the_generated_format_reference():
    from touring.io.schema import reference_markdown

    data_readme = (Path(__file__).parent.parent / "data" / "README.md").read_text(encoding="utf-8")
    assert reference_markdown() in data_readme, "run: python -m touring.io.schema and paste into data/README.md"
