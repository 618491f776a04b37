"""Coverage in the hours that matter: the demand of those hours within the circles of the
sites open then (a venue closed in an hour adds nothing to it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ...analysis.hourly import Hours
from ...core.errors import FieldError
from ...inputs import hours as hours_in
from ...optimize import MaximalCoverage, hourly
from .base import Choice, Context, Objective, terms
from .coverage import Coverage

if TYPE_CHECKING:  # pragma: no cover
    from ..request import PlanRequest


def hours_text(hours: tuple[int, ...]) -> str:
    """Hours of the day as ranges of clock hours: ``(11, 12, 13, 17)`` → ``"11-14,17-18"``."""
    if len(hours) == 24:
        return "0-24"
    out, start = [], None
    for h in range(25):
        on = h in hours
        if on and start is None:
            start = h
        elif not on and start is not None:
            out.append(f"{start}-{h}")
            start = None
    return ",".join(out)


@dataclass(frozen=True)
class HoursCoverage(Coverage):
    """The most demand within the circles in the hours ``hours`` (``"11-14,17-21"`` or
    ``"all"``), on every day of the reference week: each hour's demand (the hotspots'
    demand by hour, else their weight spread over the day) counts where a site open in that
    hour reaches it. One coverage layer per hour, in the maximal-coverage machinery."""

    hours: Any = None
    name: ClassVar[str] = "coverage"
    takes: ClassVar[tuple[str, ...]] = ("minute_weights", "hours")
    summary: ClassVar[str] = "cover the most demand in the given hours, by sites open then"

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> Objective:
        return cls(minute_weights=opts.get("minute_weights"), hours=opts.get("hours"))

    def check(self, request: PlanRequest) -> list[FieldError]:
        problems = super().check(request)
        try:
            self._hours()
        except FieldError as exc:
            problems.append(exc)
        return problems

    def _hours(self) -> tuple[int, ...]:
        if isinstance(self.hours, tuple | list) and all(isinstance(h, int) for h in self.hours):
            given = tuple(sorted(set(self.hours)))
            if given and all(0 <= h < 24 for h in given):
                return given
        try:
            return hours_in.parse_hours(self.hours)
        except ValueError as exc:
            raise FieldError(
                "hours", "{hours}: {why}; give ranges of clock hours such as 11-14,17-21 "
                "(11:00 to 14:00 and 17:00 to 21:00), or all", why=str(exc),
            ) from None  # fmt: skip

    def normalised(self, minutes: tuple[float, ...]) -> Objective:
        done = super().normalised(minutes)
        return replace(done, hours=self._hours())  # type: ignore[type-var]

    def choose(self, ctx: Context) -> Choice:
        problem = self.problem(ctx)
        return Choice(problem.solve(ctx.request.method, time_limit_s=ctx.time_limit_s))

    def problem(self, ctx: Context) -> MaximalCoverage:
        hours = ctx.hours or Hours(
            np.ones((ctx.stations.times.seconds.shape[0], 7, 24), dtype=bool),
            np.ones((ctx.candidates.times.seconds.shape[0], 7, 24), dtype=bool),
        )
        slots = [(d, h) for d in range(7) for h in self._hours()]
        st_open, cand_open, demand = hourly.layers(
            slots, hours.stations, hours.candidates, hours.demand_in(ctx.weights)
        )
        return hourly.from_coverage(
            ctx.candidates, ctx.stations, ctx.add, station_open=st_open,
            candidate_open=cand_open, layer_demand=demand,
            threshold_weights=self.curve_weights(ctx.request.minutes),
            conflicts=ctx.conflicts, allowed=ctx.allowed,
        )  # fmt: skip

    def meaning(self, minutes: tuple[float, ...]) -> str:
        said = terms(self.curve_weights(minutes), minutes).replace("demand", "hourly demand")
        return (
            f"{said} of a site open in that hour, summed over the hours "
            f"{hours_text(self._hours())} of an average day of the week; the bound is an "
            "upper bound on any choice of as many sites"
        )

    def echo(self, request: PlanRequest) -> dict[str, Any]:
        return {**super().echo(request), "hours": hours_text(self._hours())}
