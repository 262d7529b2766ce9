"""plan.json read back: `read_plan` is the inverse of `write_plan`."""

from __future__ import annotations

import json

import pytest

from solvers.schedule import ScheduleParams
from touring.errors import DataError
from touring.io import load_tour
from touring.io.plan import read_plan, version_number, write_plan
from touring.planning import make_plan


def test_a_plan_written_and_read_back_is_equal(tiny_tour, tmp_path):
    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5))
    write_plan(plan, loaded.tour, tmp_path / "out", tour_source=tiny_tour)
    back = read_plan(tmp_path / "out" / "plan.json")
    assert back == plan
    assert back.km == plan.km and back.drive_minutes == plan.drive_minutes


def test_reading_a_file_that_is_not_a_plan_names_the_field(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"schema": "something-else"}), encoding="utf-8")
    with pytest.raises(DataError, match="plan.json, 'schema': is not a plan"):
        read_plan(path)
    path.write_text(json.dumps({"schema": "touring-plan", "schema_version": 1, "season": {"start": "2026-03-01"}}),
                    encoding="utf-8")
    with pytest.raises(DataError, match="plan.json, 'season': lacks the field 'end'"):
        read_plan(path)


def test_the_version_number_of_a_plan_file(tiny_tour, tmp_path):
    loaded = load_tour(tiny_tour)
    plan = make_plan(loaded, ScheduleParams(time_limit_s=5))
    out = tmp_path / "out"
    first = write_plan(plan, loaded.tour, out)
    second = write_plan(plan, loaded.tour, out, tour_source=tiny_tour)  # differs: records its tour
    assert (version_number(first), version_number(second)) == (1, 2)
    assert version_number(out / "plan.json") == 2
    stray = tmp_path / "elsewhere.json"
    stray.write_text((out / "plan.json").read_text())
    assert version_number(stray) is None
