"""What the new sites should do best: one class per objective.

An objective checks the options it takes (:meth:`Objective.check`), builds its problem of
:mod:`planner.optimize` from the one set of travel times and solves it
(:meth:`Objective.choose`), and says in words what its number means
(:meth:`Objective.meaning`). :func:`planner.plan.run.plan` calls these and nothing else, so a
new objective is one class here, registered in :data:`BY_NAME`, plus its problem in
``optimize/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import scipy.sparse as sp

from ..analysis import coverage
from ..analysis.travel import TravelTimes
from ..core.errors import ConfigError, FieldError
from ..core.units import gap_label, minutes_label, tol
from ..inputs import sites
from ..optimize import CapacitatedCoverage as _Capacitated
from ..optimize import MaximalCoverage, PCenter, PMedian, SetCover, Solution
from ..optimize._kernels import Limit

if TYPE_CHECKING:  # pragma: no cover
    from .request import PlanRequest


@dataclass(frozen=True)
class Context:
    """What an objective chooses from: the coverage of the existing stations and of the
    candidates (one set of travel times), the demand, the spacing rule and the request."""

    request: PlanRequest
    stations: coverage.Coverage
    candidates: coverage.Coverage
    candidate_times: TravelTimes
    weights: np.ndarray
    add: int
    conflicts: sp.csr_matrix | None = None
    allowed: np.ndarray | None = None
    #: Limit of an ``"exact"`` solve (seconds or a work limit; None: until proven).
    time_limit_s: Limit = None


@dataclass(frozen=True)
class Choice:
    """The chosen sites, with what the objective adds to them: columns per chosen site
    (``capacity``, ``served_demand``) and the share of demand served within each threshold
    (label) once the new sites are full."""

    solution: Solution
    site_columns: Mapping[str, np.ndarray] = field(default_factory=dict)
    served_after: Mapping[str, float] | None = None
    #: With capacities: hotspot positions, candidate positions and the share of each
    #: hotspot's demand the candidate serves in the best split.
    split: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


#: Default minimum spacing of the coverage objectives (m): a new site at least this far
#: (straight line) from every existing station and from every other new site. Planners do
#: not open two stations a few hundred metres apart; ``min_spacing_m=0`` turns it off.
SPACING_M = 300.0


def _terms(weights: tuple[float, ...], minutes: tuple[float, ...]) -> str:
    return " + ".join(
        f"{w:g} × demand newly within {m:g} min" for w, m in zip(weights, minutes, strict=True)
    )


class Objective:
    """Base of the objectives: the options it takes, its checks, its choice, its words."""

    #: How the objective is named (``objective="coverage"``, ``--objective coverage``).
    name: ClassVar[str] = ""
    #: Options of :meth:`PlanRequest.from_options` this objective takes.
    takes: ClassVar[tuple[str, ...]] = ()
    #: The objective in a few words (the CLI's help).
    summary: ClassVar[str] = ""
    #: Minimum spacing (m) when the request gives none (0: no spacing rule).
    spacing_m: ClassVar[float] = 0.0

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> Objective:
        return cls()

    def check(self, request: PlanRequest) -> list[FieldError]:
        """Problems of this objective with the rest of the request."""
        return []

    def bind(self, candidates: Any, *, keep: np.ndarray, source: str) -> Objective:
        """The objective with what it reads from the candidates (``source``: how errors name
        them) resolved, for the candidates at the positions ``keep``, in that order."""
        return self

    def curve_weights(self, minutes: tuple[float, ...]) -> tuple[float, ...]:
        """Weights of the thresholds in the coverage curve (greedy order of sites)."""
        return tuple([1.0] * len(minutes))

    def normalised(self, minutes: tuple[float, ...]) -> Objective:
        """The objective with its own values in their types (after :meth:`check`)."""
        return self

    def decides_count(self) -> bool:
        """True when the objective decides how many sites (``add`` is not used)."""
        return False

    def choose(self, ctx: Context) -> Choice:  # pragma: no cover - every objective has one
        raise NotImplementedError

    def meaning(self, minutes: tuple[float, ...]) -> str:  # pragma: no cover
        raise NotImplementedError

    def certificate(self, solution: Solution, request: PlanRequest, total_demand: float) -> str:
        """The answer and how far from optimal it can be, in one sentence (``total_demand``:
        the weight of every hotspot)."""
        if solution.optimal:
            return "proven optimal: no choice of as many sites does better"
        return f"optimality gap at most {gap_label(solution.gap)}"

    def echo(self, request: PlanRequest) -> dict[str, Any]:
        """How the summary states the objective (``inputs``)."""
        return {
            "reach": None,
            "objective": self.name,
            "minute_weights": list(self.curve_weights(request.minutes)),
            "capacity": None,
        }


@dataclass(frozen=True)
class Coverage(Objective):
    """The most demand within the circles, each threshold weighted (``minute_weights``,
    default 1 each: demand within 8 minutes counts three times, within 15 once)."""

    minute_weights: tuple[float, ...] | None = None
    name: ClassVar[str] = "coverage"
    takes: ClassVar[tuple[str, ...]] = ("minute_weights", "capacity")
    summary: ClassVar[str] = "cover the most demand within the circles"
    spacing_m: ClassVar[float] = SPACING_M

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> Objective:
        if opts.get("capacity") is not None:
            return CapacitatedCoverage(
                minute_weights=opts.get("minute_weights"), capacity=opts["capacity"]
            )
        return cls(minute_weights=opts.get("minute_weights"))

    def check(self, request: PlanRequest) -> list[FieldError]:
        from .request import parse_minute_weights

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
        from .request import parse_minute_weights

        return replace(self, minute_weights=parse_minute_weights(self.minute_weights, minutes))

    def problem(self, ctx: Context) -> MaximalCoverage:
        return MaximalCoverage.from_coverage(
            ctx.candidates, ctx.add, existing=ctx.stations,
            threshold_weights=self.curve_weights(ctx.request.minutes),
            conflicts=ctx.conflicts, allowed=ctx.allowed,
        )  # fmt: skip

    def choose(self, ctx: Context) -> Choice:
        return Choice(self.problem(ctx).solve(ctx.request.method, time_limit_s=ctx.time_limit_s))

    def meaning(self, minutes: tuple[float, ...]) -> str:
        terms = _terms(self.curve_weights(minutes), minutes)
        return f"{terms}; the bound is an upper bound on any choice of as many sites"


@dataclass(frozen=True)
class CapacitatedCoverage(Coverage):
    """Coverage where each new site serves at most its capacity (units of the hotspot
    weights): one number for every site, one per candidate, or a candidates column. A
    hotspot's demand may be split between sites; only demand served counts."""

    capacity: Any = None
    values: np.ndarray | None = field(default=None, compare=False, repr=False)

    def check(self, request: PlanRequest) -> list[FieldError]:
        problems = super().check(request)
        number = _number_or_name(self.capacity)
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
        return CapacitatedCoverage(
            minute_weights=self.minute_weights, capacity=self.capacity, values=values
        )

    def choose(self, ctx: Context) -> Choice:
        if self.values is None:
            raise ConfigError("capacity: the objective was not bound to its candidates")
        weights = self.curve_weights(ctx.request.minutes)
        problem = _Capacitated.from_coverage(
            ctx.candidates, self.values, ctx.add, existing=ctx.stations,
            threshold_weights=weights, conflicts=ctx.conflicts, allowed=ctx.allowed,
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
        terms = _terms(self.curve_weights(minutes), minutes)
        return (
            "demand the new sites can serve within their capacities (a hotspot's demand "
            f"may be split between sites), counted as {terms}; the bound is an upper bound "
            "on any choice of as many sites"
        )

    def echo(self, request: PlanRequest) -> dict[str, Any]:
        return {**super().echo(request), "capacity": _number_or_name(self.capacity)}


def _number_or_name(value: Any) -> float | str | None:
    """A setting given as text, as a number where it is one (``"40"`` → 40.0); values per
    candidate are stated as such."""
    if value is None or isinstance(value, str | int | float):
        try:
            return None if value is None else float(value)
        except ValueError:
            return str(value)
    return "one value per candidate"


def _beyond_s(request: PlanRequest) -> float:
    """What a hotspot beyond the widest circle of every station counts as (s): twice the
    widest circle, in the travel-time objectives."""
    return 2.0 * request.thresholds_s[-1]


#: Largest hotspots × candidates matrix (cells) the travel-time objective works on densely.
MEDIAN_MAX_CELLS = 50_000_000


@dataclass(frozen=True)
class TravelTime(Objective):
    """The least demand-weighted travel time to the nearest station (p-median on the same
    network times); a hotspot beyond the widest circle of every station counts at twice
    its time."""

    name: ClassVar[str] = "time"
    summary: ClassVar[str] = "cut demand-weighted travel time to the nearest station (p-median)"

    def check(self, request: PlanRequest) -> list[FieldError]:
        if request.spacing_m > 0:
            return [FieldError("objective", _NOT_WITH["reach"], name=self.name)]
        return []

    def choose(self, ctx: Context) -> Choice:
        times = ctx.candidate_times
        n_c, n_h = times.seconds.shape
        if ctx.add == 0 or n_c == 0:
            none = np.zeros(0, np.int64)
            return Choice(Solution(none, 0.0, 0.0, 0.0, ctx.request.method, optimal=True))
        if n_c * n_h > MEDIAN_MAX_CELLS:
            raise FieldError(
                "objective",
                "{objective} time: {n_h} hotspots × {n_c} candidates is too large for the "
                "travel-time objective; cluster the rider points into fewer hotspots, give fewer "
                "candidates, or use {objective} coverage",
                n_h=n_h, n_c=n_c,
            )  # fmt: skip
        penalty = _beyond_s(ctx.request)
        base = np.minimum(ctx.stations.nearest_seconds(), penalty)
        problem = PMedian(
            times.seconds.T.tocoo(), ctx.weights, ctx.add, unreachable_cost=penalty,
            base_cost=base,
        )  # fmt: skip
        return Choice(problem.solve(ctx.request.method))

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
class Reach(Objective):
    """The fewest new sites that bring ``share`` of demand within ``minutes`` (one of the
    thresholds), existing stations included (set cover)."""

    minutes: float = 10.0
    share: float = 0.9
    name: ClassVar[str] = "coverage"
    takes: ClassVar[tuple[str, ...]] = ("reach",)

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> Objective:
        mins, share = opts["reach"]
        return cls(minutes=mins, share=share)

    def decides_count(self) -> bool:
        return True

    def normalised(self, minutes: tuple[float, ...]) -> Objective:
        return replace(self, minutes=float(self.minutes), share=float(self.share))

    def check(self, request: PlanRequest) -> list[FieldError]:
        from .request import parse_reach

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

    def choose(self, ctx: Context) -> Choice:
        minutes = ctx.request.minutes
        k = next(i for i, m in enumerate(minutes) if abs(m - self.minutes) <= tol(m))
        covered = ctx.stations.counts(k) > 0 if ctx.stations.times.seconds.shape[0] else None
        try:
            problem = SetCover(
                ctx.candidates.covered(k).T.tocsc(), ctx.candidates.weights,
                target_share=self.share, covered=covered,
            )  # fmt: skip
        except ConfigError as exc:
            raise FieldError("reach", "{reach} {goal}: {why}", goal=self._goal(), why=exc) from None
        return Choice(problem.solve(ctx.request.method))

    def _goal(self) -> str:
        return f"{self.share:.0%}@{self.minutes:g}"

    def certificate(self, solution: Solution, request: PlanRequest, total_demand: float) -> str:
        fewest = (
            "proven the fewest"
            if solution.optimal
            else f"not proven: best bound {np.ceil(solution.bound - tol(solution.bound)):g} sites"
        )
        return (
            f"new sites needed for {self.share:.0%} within {self.minutes:g} min: "
            f"{solution.objective:g} ({fewest})"
        )

    def meaning(self, minutes: tuple[float, ...]) -> str:
        return (
            f"number of new sites needed to bring {self.share:.0%} of demand within "
            f"{self.minutes:g} min (existing stations included); the bound is a lower "
            "bound on that number"
        )

    def echo(self, request: PlanRequest) -> dict[str, Any]:
        return {**super().echo(request), "reach": {"minutes": self.minutes, "share": self.share}}


@dataclass(frozen=True)
class LongestTime(Objective):
    """The shortest longest travel time: the new sites that bring the farthest demand as
    close to a station as possible (p-center on the same network times); a hotspot beyond
    the widest circle of every station counts at twice its time."""

    name: ClassVar[str] = "worst"
    summary: ClassVar[str] = "shorten the longest travel time of any demand (p-center)"

    def check(self, request: PlanRequest) -> list[FieldError]:
        if request.spacing_m > 0:
            return [FieldError("objective", _NOT_WITH["reach"], name=self.name)]
        return []

    def choose(self, ctx: Context) -> Choice:
        penalty = _beyond_s(ctx.request)
        problem = PCenter(
            ctx.candidate_times.seconds.T.tocoo(), ctx.weights, ctx.add,
            base_cost=ctx.stations.nearest_seconds(), unreachable_cost=penalty,
        )  # fmt: skip
        return Choice(problem.solve(ctx.request.method))

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


#: Objectives by the name ``objective=`` takes; ``reach`` picks :class:`Reach`.
BY_NAME: Mapping[str, type[Objective]] = {
    "coverage": Coverage,
    "time": TravelTime,
    "worst": LongestTime,
}

#: Why an option cannot go with an objective that does not take it.
_NOT_WITH = {
    "minute_weights": "{minute_weights}: weigh the circles of the coverage objective only; "
    "drop it with {objective} time or {reach}",
    "capacity": "{capacity}: works with {add} and the coverage objective; drop it with "
    "{objective} time or {reach}",
    "reach": "{objective} {name}: works with {add} only (not with {reach} or {min_spacing_m})",
}


def from_options(opts: Mapping[str, Any]) -> Objective:
    """The objective the options ask for: ``objective`` by name (:data:`BY_NAME`), or
    :class:`Reach` when ``reach`` is given with the coverage objective. Options the
    objective does not take are an error."""
    name = opts.get("objective") or "coverage"
    if name not in BY_NAME:
        raise FieldError(
            "objective", "{objective}: use one of {choices}, got {got!r}",
            choices=", ".join(BY_NAME), got=name,
        )  # fmt: skip
    cls: type[Objective] = BY_NAME[name]
    if opts.get("reach") is not None and name == "coverage":
        cls = Reach
    classes: tuple[type[Objective], ...] = (*BY_NAME.values(), Reach)
    for option in sorted({o for c in classes for o in c.takes}):
        if opts.get(option) is not None and option not in cls.takes:
            raise FieldError(option if option != "reach" else "objective", _NOT_WITH[option],
                             name=name)  # fmt: skip
    return cls.from_options(opts)
