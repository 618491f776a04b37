"""Coverage within a budget in money: the most demand within the circles from sites whose
opening costs (a candidates column) add up to at most the budget."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ...core.errors import ConfigError, FieldError
from ...core.units import gap_label
from ...optimize import BudgetedCoverage, Solution
from .. import budget as budget_mod
from .base import Choice, Context, Objective, terms
from .coverage import Coverage

if TYPE_CHECKING:  # pragma: no cover
    from ..request import PlanRequest


@dataclass(frozen=True)
class BudgetCoverage(Coverage):
    """Coverage (each threshold weighted by ``minute_weights``) from sites whose opening
    costs, read from the candidates column ``cost``, add up to at most ``budget``; at most
    ``most`` sites when given (``add`` given with the budget), else as many as the budget
    pays for."""

    cost: Any = None
    budget: Any = None
    most: int | None = None
    values: np.ndarray | None = field(default=None, compare=False, repr=False)
    takes: ClassVar[tuple[str, ...]] = ("minute_weights", "cost", "budget")
    summary: ClassVar[str] = "cover the most demand within the circles for the budget"

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> Objective:
        return cls(
            minute_weights=opts.get("minute_weights"), cost=opts.get("cost"),
            budget=opts.get("budget"), most=opts.get("most_sites"),
        )  # fmt: skip

    def check(self, request: PlanRequest) -> list[FieldError]:
        problems = super().check(request) + budget_mod.check(self.cost, self.budget)
        if self.most is not None:
            from ..request import _whole

            try:
                _whole(self.most, "add")
            except FieldError as exc:
                problems.append(exc)
        return problems

    def normalised(self, minutes: tuple[float, ...]) -> Objective:
        from ..request import parse_minute_weights

        return replace(
            self, minute_weights=parse_minute_weights(self.minute_weights, minutes),
            budget=budget_mod.parse_budget(self.budget),
            cost=str(self.cost).strip(),
            most=None if self.most is None else int(float(self.most)),
        )  # fmt: skip

    def decides_count(self) -> bool:
        return True

    def bind(self, candidates: Any, *, keep: np.ndarray, source: str) -> Objective:
        values = budget_mod.costs(candidates, str(self.cost), source=source)
        return replace(self, values=values[keep])

    def without(self, fixed: np.ndarray, free: np.ndarray) -> Objective:
        if self.values is None:
            raise ConfigError("cost: the objective was not bound to its candidates")
        spent = float(self.values[fixed].sum())
        left = float(self.budget) - spent
        if left < -1e-9 * max(1.0, float(self.budget)):
            raise FieldError(
                "budget",
                "{budget} {budget_value:g}: the agreed sites ({include}) cost {spent:g} "
                "together, more than the budget; raise {budget} or agree fewer sites",
                budget_value=float(self.budget), spent=spent,
            )  # fmt: skip
        most = None if self.most is None else max(0, self.most - len(fixed))
        return replace(self, values=self.values[free], budget=max(left, 0.0), most=most)

    def fixed_columns(self, fixed: np.ndarray) -> dict[str, np.ndarray]:
        return {} if self.values is None else {"cost": self.values[fixed]}

    def over_union(
        self, n_stations: int, free: np.ndarray, *, station_capacity: np.ndarray | None = None
    ) -> Objective:
        if self.values is None:
            raise ConfigError("cost: the objective was not bound to its candidates")
        values = np.concatenate([np.zeros(n_stations), self.values[free]])
        most = None if self.most is None else self.most + n_stations
        return replace(self, values=values, most=most)

    def problem(self, ctx: Context) -> BudgetedCoverage:
        if self.values is None:
            raise ConfigError("cost: the objective was not bound to its candidates")
        return BudgetedCoverage.from_coverage(
            ctx.candidates, self.values, float(self.budget), most=self.most,
            existing=ctx.stations, threshold_weights=self.curve_weights(ctx.request.minutes),
            conflicts=ctx.conflicts, allowed=ctx.allowed,
        )  # fmt: skip

    def choose(self, ctx: Context) -> Choice:
        if self.values is None:
            raise ConfigError("cost: the objective was not bound to its candidates")
        budget = float(self.budget)
        affordable = self.values <= budget
        if ctx.allowed is not None:
            affordable &= ctx.allowed
        if len(self.values) and not affordable.any():
            raise FieldError(
                "budget",
                "{budget} {budget_value:g}: no candidate site costs that little or less (the "
                "cheapest{where} costs {cheapest:g}); raise {budget} or add cheaper sites",
                budget_value=budget, cheapest=float(self._cheapest(ctx)),
                where="" if ctx.allowed is None else " far enough from every station",
            )  # fmt: skip
        solution = self.problem(ctx).solve(ctx.request.method, time_limit_s=ctx.time_limit_s)
        return Choice(solution, site_columns={"cost": self.values[solution.selected]})

    def _cheapest(self, ctx: Context) -> float:
        assert self.values is not None
        pool = self.values if ctx.allowed is None else self.values[ctx.allowed]
        return float(pool.min()) if len(pool) else float(self.values.min())

    def meaning(self, minutes: tuple[float, ...]) -> str:
        said = terms(self.curve_weights(minutes), minutes)
        cap = "" if self.most is None else f" and at most {self.most} sites"
        return (
            f"{said}, from sites whose opening costs add up to at most the budget "
            f"({float(self.budget):,.0f}){cap}; the bound is an upper bound on any choice "
            "within the budget"
        )

    def certificate(self, solution: Solution, request: PlanRequest, total_demand: float) -> str:
        if solution.optimal:
            return "proven optimal: no choice of sites within the budget does better"
        return f"optimality gap at most {gap_label(solution.gap)} (of any choice within the budget)"

    def echo(self, request: PlanRequest) -> dict[str, Any]:
        return {
            **super().echo(request),
            "budget": {
                "cost_column": self.cost,
                "budget": float(self.budget),
                "most_sites": self.most,
            },  # fmt: skip
        }
