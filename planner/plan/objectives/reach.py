"""The fewest new sites that meet a goal (set cover)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import scipy.sparse as sp

from ...core.errors import ConfigError, FieldError
from ...core.units import tol
from ...optimize import SetCover, Solution
from ...optimize.area_cover import Goal

if TYPE_CHECKING:  # pragma: no cover
    from ..request import PlanRequest
from .base import Choice, Context, Objective


@dataclass(frozen=True)
class Reach(Objective):
    """The fewest new sites that bring ``share`` of demand within ``minutes`` (one of the
    thresholds), existing stations included (set cover)."""

    minutes: float = 10.0
    share: float = 0.9
    name: ClassVar[str] = "coverage"
    takes: ClassVar[tuple[str, ...]] = ("reach",)
    relocates: ClassVar[bool] = True
    meets_goals: ClassVar[bool] = True

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> Objective:
        mins, share = opts["reach"]
        return cls(minutes=mins, share=share)

    def decides_count(self) -> bool:
        return True

    def normalised(self, minutes: tuple[float, ...]) -> Objective:
        return replace(self, minutes=float(self.minutes), share=float(self.share))

    def check(self, request: PlanRequest) -> list[FieldError]:
        from ..request import parse_reach

        try:
            parse_reach((self.minutes, self.share), request.minutes)
        except FieldError as exc:
            return [exc]
        if request.spacing_m > 0:
            return [
                FieldError(
                    "reach",
                    "{reach}: a minimum spacing is not supported when asking for the fewest "
                    "stations; drop {min_spacing_m}, or use {add} with it",
                )
            ]
        return []

    def _threshold(self, minutes: tuple[float, ...]) -> int:
        return next(i for i, m in enumerate(minutes) if abs(m - self.minutes) <= tol(m))

    def cover_goals(self, ctx: Context) -> tuple[list[sp.csc_matrix], tuple[Goal, ...]]:
        k = self._threshold(ctx.request.minutes)
        n = len(ctx.weights)
        return [ctx.candidates.covered(k).T.tocsc()], (
            Goal(np.arange(n), 0, self.share, self._goal()),
        )

    def choose(self, ctx: Context) -> Choice:
        k = self._threshold(ctx.request.minutes)
        covered = ctx.stations.counts(k) > 0 if ctx.stations.times.seconds.shape[0] else None
        try:
            problem = SetCover(
                ctx.candidates.covered(k).T.tocsc(), ctx.candidates.weights,
                target_share=self.share, covered=covered,
            )  # fmt: skip
        except ConfigError as exc:
            raise FieldError("reach", "{reach} {goal}: {why}", goal=self._goal(), why=exc) from None
        return Choice(problem.solve(ctx.request.method, time_limit_s=ctx.time_limit_s))

    def fixed_value(self, ctx: Context, fixed: np.ndarray) -> float:
        return float(len(fixed))

    def _goal(self) -> str:
        return f"{self.share:.0%}@{self.minutes:g}"

    def certificate(self, solution: Solution, request: PlanRequest, total_demand: float) -> str:
        return (
            f"new sites needed for {self.share:.0%} within {self.minutes:g} min: "
            f"{solution.objective:g} ({fewest(solution)})"
        )

    def meaning(self, minutes: tuple[float, ...]) -> str:
        return (
            f"number of new sites needed to bring {self.share:.0%} of demand within "
            f"{self.minutes:g} min (existing stations included); the bound is a lower "
            "bound on that number"
        )

    def echo(self, request: PlanRequest) -> dict[str, Any]:
        return {**super().echo(request), "reach": {"minutes": self.minutes, "share": self.share}}


def fewest(solution: Solution) -> str:
    """Whether a number of sites is proven the fewest, or the best bound on it; with moves
    (more sites open than are new), how many stations move."""
    moved = len(solution.selected) - int(round(solution.objective))
    moving = f"; {moved} station{'s' * (moved != 1)} moved, not counted" if moved > 0 else ""
    if solution.optimal:
        return f"proven the fewest{moving}"
    bound = np.ceil(solution.bound - tol(solution.bound))
    return f"not proven: best bound {bound:g} sites{moving}"
