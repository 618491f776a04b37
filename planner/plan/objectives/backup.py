"""The backup objective: the most demand within the circles of two or more stations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ...core.errors import FieldError
from ...core.units import gap_label
from ...optimize import BackupCoverage, Solution

if TYPE_CHECKING:  # pragma: no cover
    from ..request import PlanRequest
from .base import NOT_WITH, Choice, Context, Objective

#: How many stations make demand backed up.
LEVEL = 2


@dataclass(frozen=True)
class Backup(Objective):
    """The new sites that bring the most demand within each circle of two or more stations
    (existing ones counted), so that it is still covered when one of them is closed or
    full; each circle counts once (``--minutes 10`` asks for the 10-minute circle only)."""

    name: ClassVar[str] = "backup"
    maximise: ClassVar[bool] = True
    relocates: ClassVar[bool] = True
    summary: ClassVar[str] = (
        "cover the most demand within the circles of two or more stations (backup coverage)"
    )

    def check(self, request: PlanRequest) -> list[FieldError]:
        if request.spacing_m > 0:
            return [FieldError("objective", NOT_WITH["reach"], name=self.name)]
        return []

    def _problem(self, ctx: Context, add: int, allowed: np.ndarray | None) -> BackupCoverage:
        return BackupCoverage.from_coverage(
            ctx.candidates, add, existing=ctx.stations, level=LEVEL, allowed=allowed
        )

    def problem(self, ctx: Context) -> BackupCoverage:
        return self._problem(ctx, ctx.add, ctx.allowed)

    def fixed_value(self, ctx: Context, fixed: np.ndarray) -> float:
        return self._problem(ctx, len(fixed), None).objective(fixed)

    def choose(self, ctx: Context) -> Choice:
        problem = self._problem(ctx, ctx.add, ctx.allowed)
        solution = problem.solve(ctx.request.method, time_limit_s=ctx.time_limit_s)
        return Choice(solution, site_columns={"backup_demand_added": np.round(solution.gains, 6)})

    def certificate(self, solution: Solution, request: PlanRequest, total_demand: float) -> str:
        circles = ", ".join(f"{m:g}" for m in request.minutes)
        proof = (
            "proven optimal"
            if solution.optimal
            else f"no choice of as many sites adds more than {solution.bound:,.6g}; "
            f"optimality gap at most {gap_label(solution.gap)}"
        )
        return (
            f"demand newly within reach of two or more stations, summed over the {circles}-"
            f"minute circles: {solution.objective:,.6g} ({proof})"
        )

    def meaning(self, minutes: tuple[float, ...]) -> str:
        said = " + ".join(f"demand newly within {m:g} min of two or more stations" for m in minutes)
        return (
            f"{said} (existing stations counted; backup coverage); the bound is an upper "
            "bound on any choice of as many sites"
        )
