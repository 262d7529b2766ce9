"""What every small CP-SAT model of touring shares: its parameters and its solver.

The accommodation, crew and loading models solve in well under a second on real tours,
so they favour reproducibility: ``deterministic`` runs one worker and reads the time
limit as CP-SAT deterministic time too, so the same seed gives the same answer on any
machine (interleaved workers would run each in one-second chunks, which costs more than
the search itself here). The tour-date scheduler has its own, larger settings.

A lexicographic objective can be solved in stages (:func:`solve_in_stages`): one short
solve per level, each fixing its optimum for the next, instead of one solve whose big
weights leave the LP bound far from the objective.
"""

from __future__ import annotations

import math
import time as clock
from dataclasses import dataclass
from typing import Sequence

from ortools.sat.python import cp_model

STATUS = {cp_model.OPTIMAL: "optimal", cp_model.FEASIBLE: "feasible", cp_model.INFEASIBLE: "infeasible",
          cp_model.MODEL_INVALID: "unknown", cp_model.UNKNOWN: "unknown"}


@dataclass(frozen=True)
class CpSatParams:
    """How to solve: time limit in seconds, seed, CP-SAT workers, determinism."""

    time_limit_s: float = 10.0
    seed: int = 0
    workers: int = 2
    deterministic: bool = True

    def __post_init__(self) -> None:
        if self.time_limit_s <= 0:
            raise ValueError(f"time_limit_s must be positive, got {self.time_limit_s:g}")
        if self.workers < 1:
            raise ValueError(f"workers must be at least 1, got {self.workers}")

    @property
    def search_workers(self) -> int:
        """The CP-SAT workers actually used: one when deterministic."""
        return 1 if self.deterministic else self.workers


def make_solver(params: CpSatParams) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.random_seed = params.seed
    solver.parameters.num_workers = params.search_workers
    solver.parameters.max_time_in_seconds = params.time_limit_s
    if params.deterministic:
        solver.parameters.max_deterministic_time = params.time_limit_s
    return solver


class Budget:
    """One time limit, ``params.time_limit_s``, shared by solves run one after another: each
    gets the wall time and (when deterministic) the deterministic time the earlier ones left.

    The wall clock runs from the budget's creation (``started``, :func:`time.monotonic`).
    """

    def __init__(self, params: CpSatParams, started: float | None = None):
        self.params = params
        self.started = clock.monotonic() if started is None else started
        self.deterministic_used = 0.0

    def wall_left(self) -> float:
        """Seconds of wall time left."""
        return self.params.time_limit_s - (clock.monotonic() - self.started)

    def deterministic_left(self) -> float:
        """Deterministic time left (counted only by :meth:`spend`)."""
        return self.params.time_limit_s - self.deterministic_used

    def left(self) -> bool:
        """Whether anything is left for another solve."""
        return self.wall_left() > 0 and self.deterministic_left() > 0

    def solver(self) -> cp_model.CpSolver:
        """A solver limited to what is left (:func:`make_solver` otherwise)."""
        solver = make_solver(self.params)
        solver.parameters.max_time_in_seconds = max(0.0, self.wall_left())
        if self.params.deterministic:
            solver.parameters.max_deterministic_time = max(0.0, self.deterministic_left())
        return solver

    def spend(self, solver: cp_model.CpSolver) -> None:
        """Count a finished solve's deterministic time against the budget."""
        self.deterministic_used += solver.deterministic_time


def figures(solver: cp_model.CpSolver, status: str, *, divisor: int = 1) -> tuple[float, float | None, float | None]:
    """Objective, bound and relative gap of a solved model, in the caller's units.

    With ``divisor`` 1 the objective is integral (model weights): its float noise is
    dropped and the bound rounded up. Otherwise both are divided (cents to currency).
    """
    raw = solver.best_objective_bound
    if divisor == 1:
        objective = float(round(solver.objective_value))
        bound = min(objective, float(math.ceil(raw - 1e-6))) if math.isfinite(raw) else None
    else:
        objective = solver.objective_value / divisor
        bound = min(objective, raw / divisor) if math.isfinite(raw) else None
    gap = 0.0 if status == "optimal" else (
        abs(objective - bound) / max(1.0, abs(objective)) if bound is not None else None)
    return objective, bound, gap


@dataclass(frozen=True)
class Stage:
    """One level of a lexicographic objective: minimise ``expression``, which the reported
    total counts ``weight`` times. The expression must never be negative."""

    name: str
    expression: cp_model.LinearExprT
    weight: int


@dataclass(frozen=True)
class StagedResult:
    """What :func:`solve_in_stages` found.

    ``solver`` holds the last solution found (read the model's variables from it), or is
    ``None`` when the first stage found nothing (``status`` ``infeasible`` or ``unknown``). ``objective``
    and ``bound`` are the weighted totals over all stages, ``gap`` relative to the
    objective; ``stages`` gives each stage solved as (name, status, value, bound).
    """

    status: str
    solver: cp_model.CpSolver | None
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    stages: tuple[tuple[str, str, float, float | None], ...] = ()


def solve_in_stages(model: cp_model.CpModel, stages: Sequence[Stage], params: CpSatParams,
                    *, linearization_level: int | None = None) -> StagedResult:
    """Minimise ``stages`` lexicographically, one solve per stage within ``params``' limit.

    Each stage minimises its expression with the optimum of the stages before it fixed
    (``model`` gets those constraints and a hint of the last solution). A stage that is
    not proved optimal ends the solve: its solution is kept, the later stages are not
    solved. The weighted total equals the one-shot objective
    ``sum(weight * expression)`` when each weight exceeds all that the later stages can
    sum to; its bound is the proved stages' values plus the first unproved stage's bound
    (the later expressions are at least zero).

    Parameters
    ----------
    model
        The model; its objective is replaced and constraints are added to it.
    stages
        The levels, most important first.
    params
        Time limit (for all stages together), seed, workers, determinism. When
        deterministic, each stage gets the deterministic time the earlier ones left.
    linearization_level
        CP-SAT's ``linearization_level`` for every stage (``None`` keeps its default):
        2 puts every clause in the LP, which small assignment models need for a bound.

    Returns
    -------
    StagedResult
        The status (``optimal`` only when every stage is), the solver holding the
        solution, and the weighted objective, bound and gap.
    """
    budget = Budget(params)
    best: cp_model.CpSolver | None = None
    solved: list[tuple[str, str, float, float | None]] = []
    proved_total, open_bound = 0, 0
    for stage in stages:
        if not budget.left():
            break
        model.minimize(stage.expression)
        solver = budget.solver()
        if linearization_level is not None:
            solver.parameters.linearization_level = linearization_level
        status = STATUS[solver.solve(model)]
        budget.spend(solver)
        if status not in ("optimal", "feasible"):
            raw = solver.best_objective_bound
            open_bound = stage.weight * max(0, math.ceil(raw - 1e-6)) if math.isfinite(raw) else 0
            solved.append((stage.name, status, math.nan, None))
            break
        value, bound, _ = figures(solver, status)
        solved.append((stage.name, status, value, bound))
        best = solver
        if status != "optimal":
            open_bound = stage.weight * max(0, int(bound)) if bound is not None else 0
            break
        proved_total += stage.weight * int(value)
        # The next stages keep this optimum, starting from the solution that reached it.
        if not isinstance(stage.expression, int):  # an empty sum is a plain 0
            model.add(stage.expression == int(value))
        model.clear_hints()
        for index, hinted in enumerate(solver.response_proto.solution):
            model.add_hint(model.get_int_var_from_proto_index(index), hinted)
    if best is None:  # the first stage: "infeasible", or "unknown" when out of time
        return StagedResult(solved[0][1] if solved else "unknown", None, stages=tuple(solved))
    objective = float(sum(stage.weight * best.value(stage.expression) for stage in stages))
    everything_proved = len(solved) == len(stages) and all(s[1] == "optimal" for s in solved)
    if everything_proved:
        return StagedResult("optimal", best, objective, objective, 0.0, tuple(solved))
    # A stage not reached or not bounded adds its expression's least value, zero.
    bound = min(objective, float(proved_total + open_bound))
    gap = abs(objective - bound) / max(1.0, abs(objective))
    return StagedResult("feasible", best, objective, bound, gap, tuple(solved))
