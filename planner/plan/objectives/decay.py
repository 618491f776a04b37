"""The distance-decay objective ("maximize attendance"): demand weighted by a decay function
of the minutes to the nearest station.

``decay`` is written ``linear`` (1 at 0 min, 0 at the widest circle), ``exp:HALF_LIFE_MIN``
(halved every so many minutes) or ``step:MIN=VALUE,...`` (``step:8=1,10=0.7,15=0.4``: demand
within 8 minutes counts fully, within 10 at 0.7, within 15 at 0.4). Every function is 0
beyond the widest circle, where no travel time is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from ...core.errors import FieldError
from ...core.units import gap_label, seconds, tol
from ...optimize import Solution
from ...optimize.decay import Decay, DecayCoverage

if TYPE_CHECKING:  # pragma: no cover
    from ..request import PlanRequest
from .base import NOT_WITH, Choice, Context, Objective

#: The decay when none is given.
DEFAULT_DECAY = "linear"
_FORMS = (
    "linear, exp:HALF_LIFE_MIN (such as exp:5) or step:MIN=VALUE,... (such as "
    "step:8=1,10=0.7,15=0.4)"
)


def _bad(got: object, why: str) -> FieldError:
    return FieldError("decay", "{decay}: {why}; write " + _FORMS + ", got {got!r}", why=why,
                      got=got)  # fmt: skip


def _number(text: str, got: object, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _bad(got, f"{what} {text.strip()!r} is not a number") from None
    if not np.isfinite(value):
        raise _bad(got, f"{what} {text.strip()!r} is not a finite number")
    return value


def _steps(body: str, got: object, widest: float) -> tuple[tuple[float, float], ...]:
    steps = []
    for part in (p.strip() for p in body.split(",")):
        if part.count("=") != 1:
            raise _bad(got, f"each step is MIN=VALUE, got {part!r}")
        left, right = part.split("=")
        steps.append((_number(left, got, "minutes"), _number(right, got, "value")))
    mins = [m for m, _ in steps]
    vals = [v for _, v in steps]
    if any(b <= a for a, b in zip(mins, mins[1:], strict=False)) or mins[0] <= 0:
        raise _bad(got, "step minutes must be above 0 and increasing")
    if mins[-1] > widest + tol(widest):
        raise _bad(got, f"the last step ({mins[-1]:g} min) lies beyond the widest circle "
                        f"({widest:g} min), where no travel time is kept")  # fmt: skip
    rising = any(b > a for a, b in zip(vals, vals[1:], strict=False))
    if rising or any(not 0 <= v <= 1 for v in vals):
        raise _bad(got, "step values must lie in 0..1 and never rise with the minutes")
    return tuple(steps)


def parse_decay(value: object, minutes: tuple[float, ...]) -> Decay:
    """The decay function that ``value`` writes (see the module), for the circles
    ``minutes`` (its widest one is where every function reaches 0)."""
    text = DEFAULT_DECAY if value is None else str(value).strip().lower()
    kind, _, body = text.partition(":")
    widest_s = seconds(minutes[-1])
    if kind == "linear" and not body:
        return Decay("linear", widest_s)
    if kind == "exp" and body:
        half = _number(body, value, "half-life")
        if half <= 0:
            raise _bad(value, "the half-life must be above 0 minutes")
        return Decay("exp", widest_s, half_life_s=seconds(half))
    if kind == "step" and body:
        steps = _steps(body, value, minutes[-1])
        return Decay("step", widest_s, steps=tuple((seconds(m), v) for m, v in steps))
    raise _bad(value, "unknown decay")


def decay_text(decay: Decay) -> str:
    """``decay`` as the option writes it (``exp:5``, ``step:8=1,10=0.7``)."""
    if decay.kind == "exp":
        return f"exp:{float(decay.half_life_s or 0) / 60:g}"
    if decay.kind == "step":
        return "step:" + ",".join(f"{s / 60:g}={v:g}" for s, v in decay.steps)
    return decay.kind


def _words(decay: Decay) -> str:
    widest = decay.widest_s / 60
    if decay.kind == "exp":
        half = float(decay.half_life_s or 0) / 60
        return f"0.5 ^ (minutes / {half:g}) (halved every {half:g} min) up to {widest:g} min"
    if decay.kind == "step":
        return (
            "a step table ("
            + ", ".join(f"within {s / 60:g} min: {v:g}" for s, v in decay.steps)
            + ")"
        )
    return f"1 - minutes / {widest:g} (1 at the station, 0 at {widest:g} min)"


@dataclass(frozen=True)
class DecayObjective(Objective):
    """The most demand weighted by a distance-decay function of the minutes to the nearest
    station (ArcGIS's "maximize attendance"); 0 beyond the widest circle."""

    decay: Any = None
    name: ClassVar[str] = "decay"
    maximise: ClassVar[bool] = True
    relocates: ClassVar[bool] = True
    takes: ClassVar[tuple[str, ...]] = ("decay",)
    summary: ClassVar[str] = (
        "cover the most demand weighted by a decay of the minutes to the nearest station "
        "(--decay linear|exp:HALF_LIFE_MIN|step:MIN=VALUE,...)"
    )

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> Objective:
        return cls(decay=opts.get("decay"))

    def check(self, request: PlanRequest) -> list[FieldError]:
        problems = []
        if request.spacing_m > 0:
            problems.append(FieldError("objective", NOT_WITH["reach"], name=self.name))
        try:
            parse_decay(self.decay, request.minutes)
        except FieldError as exc:
            problems.append(exc)
        return problems

    def normalised(self, minutes: tuple[float, ...]) -> Objective:
        return replace(self, decay=decay_text(parse_decay(self.decay, minutes)))

    def function(self, minutes: tuple[float, ...]) -> Decay:
        """The decay function of the circles ``minutes``."""
        return parse_decay(self.decay, minutes)

    def _problem(self, ctx: Context, add: int, allowed: np.ndarray | None) -> DecayCoverage:
        return DecayCoverage.from_times(
            ctx.candidate_times.seconds.T, ctx.weights, add, self.function(ctx.request.minutes),
            base_seconds=ctx.stations.nearest_seconds(), allowed=allowed,
        )  # fmt: skip

    def problem(self, ctx: Context) -> DecayCoverage:
        return self._problem(ctx, ctx.add, ctx.allowed)

    def fixed_value(self, ctx: Context, fixed: np.ndarray) -> float:
        return self._problem(ctx, len(fixed), None).objective(fixed)

    def choose(self, ctx: Context) -> Choice:
        problem = self._problem(ctx, ctx.add, ctx.allowed)
        solution = problem.solve(ctx.request.method, time_limit_s=ctx.time_limit_s)
        return Choice(solution, site_columns={"decay_demand_added": np.round(solution.gains, 6)})

    def certificate(self, solution: Solution, request: PlanRequest, total_demand: float) -> str:
        share = solution.objective / total_demand if total_demand else 0.0
        proof = (
            "proven optimal"
            if solution.optimal
            else f"no choice of as many sites adds more than {solution.bound:,.6g}; "
            f"optimality gap at most {gap_label(solution.gap)}"
        )
        said = decay_text(self.function(request.minutes))
        return (
            f"decay-weighted demand the new sites add ({said}): {solution.objective:,.6g}, "
            f"{share:.1%} of all demand ({proof})"
        )

    def meaning(self, minutes: tuple[float, ...]) -> str:
        return (
            "demand weighted by the decay "
            f"{_words(self.function(minutes))} of the minutes to its nearest station, 0 beyond "
            f"{minutes[-1]:g} min, that the new sites add on top of the existing stations; "
            "the bound is an upper bound on any choice of as many sites"
        )

    def echo(self, request: PlanRequest) -> dict[str, Any]:
        return {**super().echo(request), "decay": decay_text(self.function(request.minutes))}
