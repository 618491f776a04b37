"""The coverage objectives: the most demand within the circles, with or without a capacity
per new site."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ...core.errors import ConfigError, FieldError
from ...core.units import minutes_label
from ...inputs import sites
from ...optimize import BudgetedCoverage, MaximalCoverage
from ...optimize import CapacitatedCoverage as _Capacitated

if TYPE_CHECKING:  # pragma: no cover
    from ..request import PlanRequest
from .. import fixing
from . import station_capacity
from .base import SPACING_M, Choice, Context, Objective, number_or_name, terms


@dataclass(frozen=True)
class Coverage(Objective):
    """The most demand within the circles, each threshold weighted (``minute_weights``,
    default 1 each: demand within 8 minutes counts three times, within 15 once)."""

    minute_weights: tuple[float, ...] | None = None
    name: ClassVar[str] = "coverage"
    takes: ClassVar[tuple[str, ...]] = ("minute_weights", "capacity")
    summary: ClassVar[str] = "cover the most demand within the circles"
    spacing_m: ClassVar[float] = SPACING_M
    maximise: ClassVar[bool] = True
    relocates: ClassVar[bool] = True

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> Objective:
        if opts.get("capacity") is not None:
            return CapacitatedCoverage(
                minute_weights=opts.get("minute_weights"), capacity=opts["capacity"],
                stations_capped=opts.get("station_capacity") is not None,
            )  # fmt: skip
        return cls(minute_weights=opts.get("minute_weights"))

    def check(self, request: PlanRequest) -> list[FieldError]:
        from ..request import parse_minute_weights

        try:
            parse_minute_weights(self.minute_weights, request.minutes)
        except FieldError as exc:
            return [exc]
        return []

    def curve_weights(self, minutes: tuple[float, ...]) -> tuple[float, ...]:
        if self.minute_weights is None:
            return super().curve_weights(minutes)
        return tuple(float(w) for w in self.minute_weights)

    def normalised(self, minutes: tuple[float, ...]) -> Objective:
        from ..request import parse_minute_weights

        return replace(self, minute_weights=parse_minute_weights(self.minute_weights, minutes))

    def problem(self, ctx: Context) -> MaximalCoverage | BudgetedCoverage:
        return MaximalCoverage.from_coverage(
            ctx.candidates, ctx.add, existing=ctx.stations,
            threshold_weights=self.curve_weights(ctx.request.minutes),
            conflicts=ctx.conflicts, allowed=ctx.allowed,
        )  # fmt: skip

    def choose(self, ctx: Context) -> Choice:
        return Choice(self.problem(ctx).solve(ctx.request.method, time_limit_s=ctx.time_limit_s))

    def meaning(self, minutes: tuple[float, ...]) -> str:
        said = terms(self.curve_weights(minutes), minutes)
        return f"{said}; the bound is an upper bound on any choice of as many sites"

    def fixed_value(self, ctx: Context, fixed: np.ndarray) -> float:
        return self.problem(replace(ctx, add=len(fixed), conflicts=None, allowed=None)).objective(
            fixed
        )


@dataclass(frozen=True)
class CapacitatedCoverage(Coverage):
    """Coverage where each new site serves at most its capacity (units of the hotspot
    weights): one number for every site, one per candidate, or a candidates column. A
    hotspot's demand may be split between sites; only demand served counts. With
    ``stations_capped`` (``station_capacity``) the existing stations serve within their own
    capacities too (:mod:`~planner.plan.objectives.station_capacity`)."""

    capacity: Any = None
    values: np.ndarray | None = field(default=None, compare=False, repr=False)
    stations_capped: bool = False
    fixes_sites: ClassVar[bool] = True

    def check(self, request: PlanRequest) -> list[FieldError]:
        problems = super().check(request)
        number = number_or_name(self.capacity)
        if isinstance(number, float) and not (np.isfinite(number) and number > 0):
            problems.append(
                FieldError(
                    "capacity",
                    "{capacity}: {got!r} must be a demand above 0 (the units of the hotspot "
                    "weights), or the name of a candidates column holding each site's capacity",
                    got=self.capacity,
                )
            )
        return problems

    def bind(self, candidates: Any, *, keep: np.ndarray, source: str) -> Objective:
        caps = sites.capacities(candidates, self.capacity, source=source)
        values = None if caps is None else caps[keep]
        return replace(self, values=values)

    def problem(self, ctx: Context) -> _Capacitated:  # type: ignore[override]
        if self.values is None:
            raise ConfigError("capacity: the objective was not bound to its candidates")
        return _Capacitated.from_coverage(
            ctx.candidates, self.values, ctx.add, existing=ctx.stations,
            threshold_weights=self.curve_weights(ctx.request.minutes), conflicts=ctx.conflicts,
            allowed=ctx.allowed,
        )  # fmt: skip

    def over_union(
        self, n_stations: int, free: np.ndarray, *, station_capacity: np.ndarray | None = None
    ) -> Objective:
        if self.values is None:
            raise ConfigError("capacity: the objective was not bound to its candidates")
        caps = np.full(n_stations, np.inf) if station_capacity is None else station_capacity
        return replace(self, values=np.concatenate([np.asarray(caps, float), self.values[free]]))

    def counts_stations(self, ctx: Context) -> bool:
        return ctx.station_capacity is not None

    def after_moves(self, ctx: Context, selected: np.ndarray, closed: np.ndarray) -> Choice:
        return station_capacity.after_moves(self, ctx, selected, closed)

    def choose(self, ctx: Context) -> Choice:
        if self.values is None:
            raise ConfigError("capacity: the objective was not bound to its candidates")
        if ctx.station_capacity is not None:
            return station_capacity.choose(self, ctx)
        weights = self.curve_weights(ctx.request.minutes)
        problem = _Capacitated.from_coverage(
            ctx.candidates, self.values, ctx.add, existing=ctx.stations,
            threshold_weights=weights, conflicts=ctx.conflicts, allowed=fixing.usable(ctx),
            fixed=ctx.fixed,
        )  # fmt: skip
        solution = problem.solve(ctx.request.method, time_limit_s=ctx.time_limit_s)
        newly = problem.served_within(solution.selected)
        total = float(ctx.weights.sum())
        served_after = {}
        for k, t in enumerate(ctx.request.thresholds_s):
            kept = 0.0
            if ctx.stations.times.seconds.shape[0]:
                kept = float(ctx.weights[ctx.stations.counts(k) > 0].sum())
            served_after[minutes_label(t)] = (kept + newly[k]) / total if total else 0.0
        columns = {
            "capacity": self.values[solution.selected],
            "served_demand": np.round(problem.served(solution.selected), 6),
        }
        return Choice(
            solution, site_columns=columns, served_after=served_after,
            split=problem.split(solution.selected),
        )  # fmt: skip

    def meaning(self, minutes: tuple[float, ...]) -> str:
        said = terms(self.curve_weights(minutes), minutes)
        if self.stations_capped:
            return (
                "demand the existing stations and the new sites serve together, each within "
                "its capacity (a hotspot's demand may be split between them; the shares "
                f"within each circle count demand served, not demand reachable), counted as "
                f"{said.replace('newly within', 'served within')}; the bound is an upper "
                "bound on any choice of as many sites"
            )
        return (
            "demand the new sites can serve within their capacities (a hotspot's demand "
            f"may be split between sites), counted as {said}; the bound is an upper bound "
            "on any choice of as many sites"
        )

    def echo(self, request: PlanRequest) -> dict[str, Any]:
        return {**super().echo(request), "capacity": number_or_name(self.capacity)}
