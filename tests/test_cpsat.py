"""The shared CP-SAT pieces: one time limit spread over solves run one after another."""

from __future__ import annotations

import time

import pytest
from ortools.sat.python import cp_model

from solvers.cpsat import STATUS, Budget, CpSatParams


def _knapsack() -> cp_model.CpModel:
    """A small model whose proof takes CP-SAT some deterministic time."""
    model = cp_model.CpModel()
    weights = [23, 31, 29, 44, 53, 38, 63, 85, 89, 82, 17, 19, 41, 37, 55, 61, 71, 73, 79, 83]
    values = [92, 57, 49, 68, 60, 43, 67, 84, 87, 72, 21, 25, 44, 40, 59, 66, 70, 77, 81, 85]
    take = [model.new_bool_var(f"take[{k}]") for k in range(len(weights))]
    model.add(sum(w * x for w, x in zip(weights, take)) <= 300)
    model.maximize(sum(v * x for v, x in zip(values, take)))
    return model


def test_the_second_solve_gets_what_the_first_left():
    params = CpSatParams(time_limit_s=5, workers=1)
    budget = Budget(params)
    first = budget.solver()
    assert first.parameters.max_deterministic_time == 5
    assert STATUS[first.solve(_knapsack())] == "optimal"
    budget.spend(first)
    assert first.deterministic_time > 0
    second = budget.solver()
    assert second.parameters.max_deterministic_time == pytest.approx(5 - first.deterministic_time)
    assert second.parameters.max_time_in_seconds < 5
    assert budget.left()


def test_a_spent_budget_leaves_nothing_for_another_solve():
    params = CpSatParams(time_limit_s=2, workers=1)
    budget = Budget(params, started=time.monotonic() - 2.5)
    assert not budget.left()
    assert budget.solver().parameters.max_time_in_seconds == 0
    deterministic = Budget(params)
    deterministic.deterministic_used = 2.0  # as if earlier solves had used all of it
    assert not deterministic.left() and deterministic.solver().parameters.max_deterministic_time == 0
