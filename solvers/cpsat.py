"""What every small CP-SAT model of touring shares: its parameters and its solver.

The accommodation, crew and loading models solve in well under a second on real tours,
so they favour reproducibility: ``deterministic`` runs one worker and reads the time
limit as CP-SAT deterministic time too, so the same seed gives the same answer on any
machine (interleaved workers would run each in one-second chunks, which costs more than
the search itself here). The tour-date scheduler has its own, larger settings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

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
