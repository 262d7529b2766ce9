"""Tests for solvers.sequencing: real solves on tiny paths, checked by code of their own."""

from __future__ import annotations

import importlib.util
import itertools
import sys
from pathlib import Path

import pytest
from ortools.sat.python import cp_model

from solvers.sequencing import (END, START, PathProblem, Status, Stop, add_path, schedule,
                                solve_path)

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


def _load_bench():
    # The benchmark script is the one place that reads OPTW files; reuse it, do not copy it.
    spec = importlib.util.spec_from_file_location("optw_bench", ROOT / "bench" / "optw.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench():
    return _load_bench()


@pytest.fixture(scope="session")
def r101_15(bench):
    """The first 15 customers of Solomon r101 (OPTW, budget 230), in tenths."""
    nodes = bench.read_instance(DATA / "optw_r101_15.txt")
    return nodes, bench.build_problem(nodes, "trunc1")


def _manhattan(points: list[tuple[int, int]]) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(abs(ax - bx) + abs(ay - by) for bx, by in points) for ax, ay in points)


def _problem(stops: list[Stop], coords: list[tuple[int, int]], end_by: int,
             start_time: int = 0) -> PathProblem:
    """Depot at the origin for both ends; ``coords`` are the stops' coordinates."""
    return PathProblem(stops=tuple(stops), travel=_manhattan([(0, 0), *coords, (0, 0)]),
                       start_time=start_time, end_by=end_by)


def _times(problem: PathProblem, order: tuple[str, ...]) -> list[int] | None:
    """Earliest starts recomputed here, independently of the module, or None if late."""
    by_id = {s.id: (k + 1, s) for k, s in enumerate(problem.stops)}
    node, clock, starts = 0, problem.start_time, []
    for stop_id in order:
        nxt, stop = by_id[stop_id]
        clock += problem.travel[node][nxt]
        opening = [max(lo, clock) for lo, hi in stop.windows if clock <= hi]
        if not opening:
            return None
        starts.append(opening[0])
        clock = opening[0] + stop.duration
        node = nxt
    if clock + problem.travel[node][len(problem.stops) + 1] > problem.end_by:
        return None
    return starts


def _brute_force(problem: PathProblem) -> int:
    ids = [s.id for s in problem.stops]
    prize = {s.id: s.prize for s in problem.stops}
    required = {s.id for s in problem.stops if s.required}
    best = -1
    for k in range(len(ids) + 1):
        for order in itertools.permutations(ids, k):
            if required <= set(order) and _times(problem, order) is not None:
                best = max(best, sum(prize[i] for i in order))
    return best


def _assert_valid(problem: PathProblem, result) -> None:
    assert result.found
    assert [v.start for v in result.visits] == _times(problem, result.order)
    assert result.prize == sum(s.prize for s in problem.stops if s.id in set(result.order))


# -- a tiny instance, optimum by enumeration ---------------------------------------------

TINY_COORDS = [(2, 0), (4, 3), (0, 5), (-3, 2), (-2, -4), (5, -2)]


def _tiny() -> PathProblem:
    stops = [
        Stop("a", prize=4, duration=2, windows=((0, 30),)),
        Stop("b", prize=9, duration=3, windows=((10, 14),)),
        Stop("c", prize=6, duration=1, windows=((0, 8),)),
        Stop("d", prize=5, duration=2, windows=((15, 25),)),
        Stop("e", prize=7, duration=4, windows=((5, 12),)),
        Stop("f", prize=8, duration=2, windows=((0, 40),)),
    ]
    return _problem(stops, TINY_COORDS, end_by=34)


def test_tiny_optimum_matches_enumeration():
    problem = _tiny()
    best = _brute_force(problem)
    result = solve_path(problem, time_limit_s=2, seed=0, workers=1)
    assert result.status == Status.OPTIMAL
    assert result.prize == best
    assert result.bound == best and result.gap == 0
    _assert_valid(problem, result)
    # The instance is meant to be a real choice: not every stop fits.
    assert best < sum(s.prize for s in problem.stops)


def test_tiny_optimum_without_warm_start():
    problem = _tiny()
    result = solve_path(problem, time_limit_s=2, workers=1, search_work=0, segment_dtime=0)
    assert result.status == Status.OPTIMAL and result.prize == _brute_force(problem)
    assert result.heuristic_prize is None


# -- required stops ------------------------------------------------------------------------

def _detour(required: bool) -> PathProblem:
    """``far`` pays little and costs the time of both ``near`` stops."""
    stops = [
        Stop("near1", prize=5, duration=1, windows=((0, 20),)),
        Stop("near2", prize=5, duration=1, windows=((0, 20),)),
        Stop("far", prize=1, duration=1, windows=((0, 20),), required=required),
    ]
    return _problem(stops, [(1, 0), (2, 0), (0, 8)], end_by=17)


def test_required_stop_holds_when_optional():
    result = solve_path(_detour(required=False), time_limit_s=2, workers=1)
    assert result.status == Status.OPTIMAL
    assert set(result.order) == {"near1", "near2"} and result.prize == 10


def test_required_stop_is_visited():
    problem = _detour(required=True)
    result = solve_path(problem, time_limit_s=2, workers=1)
    assert result.status == Status.OPTIMAL
    assert "far" in result.order
    assert result.prize == _brute_force(problem)
    _assert_valid(problem, result)


def test_required_stop_that_cannot_fit_is_infeasible():
    stops = [
        Stop("a", prize=5, duration=1, windows=((0, 20),)),
        Stop("too_far", prize=1, duration=1, windows=((0, 100),), required=True),
    ]
    result = solve_path(_problem(stops, [(1, 0), (0, 30)], end_by=40), time_limit_s=2, workers=1)
    assert result.status == Status.INFEASIBLE
    assert result.visits == () and result.prize == 0 and not result.found


def test_two_required_stops_whose_windows_clash_are_infeasible():
    stops = [
        Stop("x", prize=1, duration=5, windows=((5, 5),), required=True),
        Stop("y", prize=1, duration=5, windows=((6, 6),), required=True),
    ]
    result = solve_path(_problem(stops, [(1, 0), (2, 0)], end_by=50), time_limit_s=2, workers=1)
    assert result.status == Status.INFEASIBLE


# -- windows --------------------------------------------------------------------------------

def test_stop_whose_window_closes_before_it_can_be_reached_is_skipped():
    stops = [
        Stop("reachable", prize=1, duration=0, windows=((0, 20),)),
        Stop("closed", prize=100, duration=0, windows=((0, 4),)),  # 5 away from the depot
    ]
    problem = _problem(stops, [(1, 0), (5, 0)], end_by=30)
    result = solve_path(problem, time_limit_s=2, workers=1)
    assert result.status == Status.OPTIMAL
    assert result.order == ("reachable",)


def test_same_stop_is_taken_when_its_window_is_reachable():
    stops = [
        Stop("reachable", prize=1, duration=0, windows=((0, 20),)),
        Stop("closed", prize=100, duration=0, windows=((0, 5),)),
    ]
    result = solve_path(_problem(stops, [(1, 0), (5, 0)], end_by=30), time_limit_s=2, workers=1)
    assert set(result.order) == {"reachable", "closed"}


def test_multiple_windows_uses_the_later_one():
    # "m" is 10 away: its first window is missed, the second opens at 30.
    stops = [Stop("m", prize=3, duration=2, windows=((0, 5), (30, 35)))]
    problem = _problem(stops, [(10, 0)], end_by=60)
    result = solve_path(problem, time_limit_s=2, workers=1)
    assert result.status == Status.OPTIMAL
    assert result.visits[0].stop_id == "m" and result.visits[0].start == 30


def test_multiple_windows_second_window_after_another_stop():
    # "m" is 1 away, so its first window (at 0) is missed: it goes after "n", in window 2.
    stops = [
        Stop("m", prize=3, duration=2, windows=((0, 0), (12, 14))),
        Stop("n", prize=3, duration=4, windows=((3, 6),)),
    ]
    problem = _problem(stops, [(1, 0), (2, 2)], end_by=30)
    result = solve_path(problem, time_limit_s=2, workers=1)
    assert result.prize == _brute_force(problem) == 6
    _assert_valid(problem, result)
    assert result.order == ("n", "m") and 12 <= result.visits[1].start <= 14


def test_no_window_fits_the_horizon_is_skipped():
    stops = [Stop("late", prize=9, duration=1, windows=((10, 12), (40, 45)))]
    result = solve_path(_problem(stops, [(1, 0)], end_by=8), time_limit_s=2, workers=1)
    assert result.status == Status.OPTIMAL and result.order == ()


def test_detour_faster_than_the_direct_trip_is_not_pruned():
    # Travel breaks the triangle inequality: start -> b takes 10, start -> a -> b takes 2.
    stops = [
        Stop("a", prize=1, duration=0, windows=((0, 50),)),
        Stop("b", prize=5, duration=0, windows=((0, 3),)),
    ]
    travel = ((0, 1, 10, 1),
              (1, 0, 1, 1),
              (10, 1, 0, 1),
              (1, 1, 1, 0))
    problem = PathProblem(stops=tuple(stops), travel=travel, start_time=0, end_by=20)
    for search_work in (None, 0):
        result = solve_path(problem, time_limit_s=2, workers=1, search_work=search_work,
                            segment_dtime=0)
        assert result.status == Status.OPTIMAL
        assert result.order == ("a", "b") and result.visits[1].start == 2


# -- a slice of r101, determinism, hints -----------------------------------------------------

def test_r101_slice_is_feasible_by_the_bench_checker(bench, r101_15):
    nodes, problem = r101_15
    result = solve_path(problem, time_limit_s=2, seed=0, workers=1)
    assert result.found
    assert bench.check_path(nodes, [int(i) for i in result.order], "trunc1") == result.prize


def test_same_seed_gives_the_same_result(r101_15):
    _, problem = r101_15
    first = solve_path(problem, time_limit_s=2, seed=3, workers=1)
    second = solve_path(problem, time_limit_s=2, seed=3, workers=1)
    assert (first.visits, first.prize, first.status) == (second.visits, second.prize,
                                                          second.status)


def test_deterministic_mode_with_two_workers(r101_15):
    _, problem = r101_15
    runs = [solve_path(problem, time_limit_s=1, seed=1, workers=2, deterministic=True)
            for _ in range(2)]
    assert runs[0].visits == runs[1].visits and runs[0].prize == runs[1].prize


def test_hint_is_used_and_never_makes_it_worse(r101_15):
    _, problem = r101_15
    reference = solve_path(problem, time_limit_s=2, workers=1)
    hinted = solve_path(problem, time_limit_s=2, workers=1, hint=reference.order,
                        search_work=0, segment_dtime=0)
    assert hinted.heuristic_prize == reference.prize
    assert hinted.prize >= reference.prize


def test_infeasible_hint_is_ignored(r101_15):
    _, problem = r101_15
    ids = [s.id for s in problem.stops]
    result = solve_path(problem, time_limit_s=2, workers=1, hint=ids)  # all 15: too long
    assert result.found


# -- add_path as a building block --------------------------------------------------------------

def test_add_path_handles_take_side_constraints():
    problem = _tiny()
    model = cp_model.CpModel()
    path = add_path(model, problem, prefix="p.")
    model.add(path.visit["f"] == 0)  # a side constraint a scheduler might add
    model.maximize(path.prize)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    assert not solver.boolean_value(path.visit["f"])
    without_f = _problem([s for s in problem.stops if s.id != "f"],
                         [c for s, c in zip(problem.stops, TINY_COORDS) if s.id != "f"], 34)
    assert solver.objective_value == _brute_force(without_f)
    assert path.visit["a"].name == "p.visit[a]"
    assert path.start["b"].name == "p.start[b]"
    assert any(key[0] == START for key in path.arc) and any(key[1] == END for key in path.arc)
    # Following the arcs gives an order whose CP-SAT start times respect the windows.
    successor = {a: b for (a, b), lit in path.arc.items() if solver.boolean_value(lit)}
    order, node = [], successor[START]
    while node != END:
        order.append(node)
        node = successor[node]
    assert schedule(problem, order) is not None


# -- validation ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, field", [
    (dict(id="", prize=1, duration=1, windows=((0, 1),)), "id"),
    (dict(id=START, prize=1, duration=1, windows=((0, 1),)), "id"),
    (dict(id="a", prize=-1, duration=1, windows=((0, 1),)), "prize"),
    (dict(id="a", prize=1.5, duration=1, windows=((0, 1),)), "prize"),
    (dict(id="a", prize=1, duration=-2, windows=((0, 1),)), "duration"),
    (dict(id="a", prize=1, duration=1, windows=()), "windows"),
    (dict(id="a", prize=1, duration=1, windows=((5, 1),)), "windows"),
    (dict(id="a", prize=1, duration=1, windows=((0, 5), (5, 9))), "windows"),
])
def test_stop_validation_names_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"^{field}:"):
        Stop(**kwargs)


def test_problem_validation_names_the_field():
    stop = Stop("a", prize=1, duration=1, windows=((0, 9),))
    good = ((0, 1, 1), (1, 0, 1), (1, 1, 0))
    with pytest.raises(ValueError, match="^travel:"):
        PathProblem(stops=(stop,), travel=((0, 1), (1, 0)), start_time=0, end_by=5)
    with pytest.raises(ValueError, match="^travel:"):
        PathProblem(stops=(stop,), travel=((0, -1, 1), (1, 0, 1), (1, 1, 0)), start_time=0,
                    end_by=5)
    with pytest.raises(ValueError, match="^stops:"):
        PathProblem(stops=(stop, stop), travel=good, start_time=0, end_by=5)
    with pytest.raises(ValueError, match="^end_by:"):
        PathProblem(stops=(stop,), travel=good, start_time=6, end_by=5)


def test_no_stops_gives_the_empty_path():
    problem = PathProblem(stops=(), travel=((0, 3), (3, 0)), start_time=0, end_by=5)
    result = solve_path(problem, time_limit_s=1, workers=1)
    assert result.status == Status.OPTIMAL and result.visits == () and result.prize == 0


def test_progress_reports_the_warm_start_and_solutions():
    seen = []
    result = solve_path(_tiny(), time_limit_s=2, workers=1,
                        progress=lambda seconds, prize, bound: seen.append((prize, bound)))
    assert seen and seen[0][0] == result.heuristic_prize
    assert all(prize <= bound for prize, bound in seen)
