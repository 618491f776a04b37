"""The travel-time objectives: demand-weighted mean time (p-median) and the longest time
(p-center) to the nearest station."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from ...core.errors import FieldError
from ...core.units import gap_label, tol
from ...optimize import PCenter, PMedian, Solution

if TYPE_CHECKING:  # pragma: no cover
    from ..request import PlanRequest
from .base import NOT_WITH, Choice, Context, Objective, beyond_s

#: Largest hotspots × candidates matrix (cells) the travel-time objective works on densely.
MEDIAN_MAX_CELLS = 50_000_000


@dataclass(frozen=True)
class TravelTime(Objective):
    """The least demand-weighted travel time to the nearest station (p-median on the same
    network times); a hotspot beyond the widest circle of every station counts at twice
    its time."""

    name: ClassVar[str] = "time"
    summary: ClassVar[str] = "cut demand-weighted travel time to the nearest station (p-median)"
    relocates: ClassVar[bool] = True

    def check(self, request: PlanRequest) -> list[FieldError]:
        if request.spacing_m > 0:
            return [FieldError("objective", NOT_WITH["reach"], name=self.name)]
        return []

    def choose(self, ctx: Context) -> Choice:
        times = ctx.candidate_times
        n_c, n_h = times.seconds.shape
        if ctx.add == 0 or n_c == 0:  # the cost of the stations alone
            none, penalty = np.zeros(0, np.int64), beyond_s(ctx.request)
            cost = float((ctx.weights * np.minimum(ctx.stations.nearest_seconds(), penalty)).sum())
            return Choice(Solution(none, cost, cost, 0.0, ctx.request.method, optimal=True))
        problem = self.problem(ctx)
        return Choice(problem.solve(ctx.request.method, time_limit_s=ctx.time_limit_s))

    def problem(self, ctx: Context) -> PMedian:
        times = ctx.candidate_times
        n_c, n_h = times.seconds.shape
        if n_c * n_h > MEDIAN_MAX_CELLS:
            raise FieldError(
                "objective",
                "{objective} time: {n_h} hotspots × {n_c} candidates is too large for the "
                "travel-time objective; cluster the rider points into fewer hotspots, give fewer "
                "candidates, or use {objective} coverage",
                n_h=n_h, n_c=n_c,
            )  # fmt: skip
        penalty = beyond_s(ctx.request)
        base = np.minimum(ctx.stations.nearest_seconds(), penalty)
        return PMedian(
            times.seconds.T.tocoo(), ctx.weights, ctx.add, unreachable_cost=penalty,
            base_cost=base,
        )  # fmt: skip

    def certificate(self, solution: Solution, request: PlanRequest, total_demand: float) -> str:
        mean = solution.objective / total_demand / 60.0 if total_demand else float("nan")
        return (
            "demand-weighted mean time to the nearest station with the new sites: "
            f"{mean:.2f} min (optimality gap at most {gap_label(solution.gap)})"
        )

    def meaning(self, minutes: tuple[float, ...]) -> str:
        return (
            "demand-weighted travel time to the nearest station (seconds; a hotspot "
            "beyond the widest circle of every station counts at twice its time); the "
            "bound is a lower bound on any choice of as many sites"
        )


@dataclass(frozen=True)
class LongestTime(Objective):
    """The shortest longest travel time: the new sites that bring the farthest demand as
    close to a station as possible (p-center on the same network times); a hotspot beyond
    the widest circle of every station counts at twice its time."""

    name: ClassVar[str] = "worst"
    summary: ClassVar[str] = "shorten the longest travel time of any demand (p-center)"
    relocates: ClassVar[bool] = True

    def check(self, request: PlanRequest) -> list[FieldError]:
        if request.spacing_m > 0:
            return [FieldError("objective", NOT_WITH["reach"], name=self.name)]
        return []

    def choose(self, ctx: Context) -> Choice:
        problem = self.problem(ctx)
        return Choice(problem.solve(ctx.request.method, time_limit_s=ctx.time_limit_s))

    def problem(self, ctx: Context) -> PCenter:
        return PCenter(
            ctx.candidate_times.seconds.T.tocoo(), ctx.weights, ctx.add,
            base_cost=ctx.stations.nearest_seconds(), unreachable_cost=beyond_s(ctx.request),
        )  # fmt: skip

    def certificate(self, solution: Solution, request: PlanRequest, total_demand: float) -> str:
        widest = request.minutes[-1]
        if solution.objective > request.thresholds_s[-1] + tol(request.thresholds_s[-1]):
            return (
                f"longest time to the nearest station with the new sites: beyond {widest:g} min "
                f"(some demand is beyond {widest:g} min of every station, the new sites included)"
            )
        proof = (
            "proven the shortest"
            if solution.optimal
            else f"no choice of as many sites does better than {solution.bound / 60:.2f} min"
        )
        return (
            "longest time to the nearest station with the new sites: "
            f"{solution.objective / 60:.2f} min ({proof})"
        )

    def meaning(self, minutes: tuple[float, ...]) -> str:
        return (
            "the longest travel time from any demand to its nearest station (seconds; a "
            "hotspot beyond the widest circle of every station counts at twice its time); "
            "the bound is a lower bound on any choice of as many sites"
        )
