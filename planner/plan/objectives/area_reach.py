"""The fewest new sites that meet every sub-area's goals at once (set cover with one goal
per area and threshold; see :mod:`planner.optimize.area_cover`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import scipy.sparse as sp

from ...core.errors import ConfigError, FieldError
from ...optimize import Solution
from ...optimize.area_cover import AreaCover, Goal
from .base import Choice, Context, Objective
from .reach import fewest

if TYPE_CHECKING:  # pragma: no cover
    from ..request import PlanRequest

#: The value of ``reach`` that asks for every area's goals (``--reach areas``).
AREAS = "areas"


@dataclass(frozen=True, eq=False)
class AreaReach(Objective):
    """The fewest new sites that bring, in every area with a goal, the share of its demand
    within each goal's threshold to that goal; existing stations included. The goals come
    from the area targets (:func:`planner.plan.area_goals.bind`)."""

    goals: tuple[Goal, ...] = ()
    name: ClassVar[str] = "coverage"
    takes: ClassVar[tuple[str, ...]] = ("reach",)
    relocates: ClassVar[bool] = True
    meets_goals: ClassVar[bool] = True

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> Objective:
        return cls()

    def decides_count(self) -> bool:
        return True

    def with_goals(self, goals: tuple[Goal, ...]) -> AreaReach:
        return replace(self, goals=goals)

    def check(self, request: PlanRequest) -> list[FieldError]:
        if request.spacing_m > 0:
            return [
                FieldError(
                    "reach",
                    "{reach} areas: a minimum spacing is not supported when asking for the "
                    "fewest stations; drop {min_spacing_m}, or use {add} with it",
                )
            ]
        return []

    def _check_goals(self) -> None:
        if not self.goals:
            raise FieldError(
                "reach", "{reach} areas: give the goals per area with an area targets file"
            )

    def cover_goals(self, ctx: Context) -> tuple[list[sp.csc_matrix], tuple[Goal, ...]]:
        self._check_goals()
        n_k = len(ctx.request.thresholds_s)
        return [ctx.candidates.covered(k).T.tocsc() for k in range(n_k)], self.goals

    def choose(self, ctx: Context) -> Choice:
        self._check_goals()
        n_k = len(ctx.request.thresholds_s)
        has_stations = ctx.stations.times.seconds.shape[0] > 0
        try:
            problem = AreaCover(
                [ctx.candidates.covered(k).T.tocsc() for k in range(n_k)], ctx.weights,
                self.goals,
                covered=[ctx.stations.counts(k) > 0 for k in range(n_k)] if has_stations
                else None,
            )  # fmt: skip
        except ConfigError as exc:
            raise FieldError("reach", "{reach} areas: {why}", why=exc) from None
        return Choice(problem.solve(ctx.request.method, time_limit_s=ctx.time_limit_s))

    def fixed_value(self, ctx: Context, fixed: np.ndarray) -> float:
        return float(len(fixed))  # the agreed sites count among the new ones, as with reach

    def certificate(self, solution: Solution, request: PlanRequest, total_demand: float) -> str:
        return (
            f"new sites needed to meet the goals of every area ({len(self.goals)} goals): "
            f"{solution.objective:g} ({fewest(solution)})"
        )

    def meaning(self, minutes: tuple[float, ...]) -> str:
        return (
            f"number of new sites needed to meet every area's goals at once ({len(self.goals)} "
            "goals, existing stations included); the bound is a lower bound on that number"
        )

    def echo(self, request: PlanRequest) -> dict[str, Any]:
        return {**super().echo(request), "reach_areas": True}
