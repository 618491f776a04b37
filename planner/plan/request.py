"""What a plan is asked to do: a :class:`PlanRequest` (thresholds, goals, how many new sites,
the objective, the optimiser and the snapping limits), checked as a whole.

Every option is validated once, here, and every problem is reported at once
(:class:`~planner.core.errors.RequestError`). Messages name the request's fields
(``minutes``, ``add``); the CLI spells them as its flags. The objectives themselves live in
:mod:`planner.plan.objectives`: each is one class, and :func:`planner.plan.run.plan` has no
branch per objective.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..core import memory
from ..core.defaults import DEFAULT_MINUTES, DEFAULT_TARGETS, SNAP_MAX_M, SNAP_WARN_M
from ..core.errors import FieldError, RequestError
from ..core.units import seconds, tol
from ..optimize import METHODS
from . import controls, objectives
from .controls import Controls
from .effort import parse_time_limit
from .objectives import Objective

#: Every option :meth:`PlanRequest.from_options` takes, and the library default of each.
OPTIONS: Mapping[str, Any] = {
    "minutes": DEFAULT_MINUTES,
    "targets": None,
    "add": 3,
    "objective": "coverage",
    "reach": None,
    "minute_weights": None,
    "capacity": None,
    "cost": None,
    "budget": None,
    "decay": None,
    "hours": None,
    "method": "local",
    "time_limit": None,
    "min_spacing_m": None,
    "snap_warn_m": SNAP_WARN_M,
    "snap_max_m": SNAP_MAX_M,
    "memory_gib": None,
    **dict.fromkeys(controls.NAMES),
}


def _numbers(value: object, name: str, example: str, *, percent: bool = False) -> list[float]:
    """A comma-separated string such as ``"8,10,15"`` (with ``percent``, ``"80%,90%"`` too:
    the caller scales) or a sequence of numbers, as floats."""
    if isinstance(value, str):
        parts: list[Any] = [p.strip() for p in value.split(",") if p.strip()]
        if percent:
            parts = [p.rstrip("%") for p in parts]
    else:
        try:
            parts = list(value)  # type: ignore[call-overload]
        except TypeError:
            parts = [value]
    try:
        values = [float(p) for p in parts]
    except (TypeError, ValueError):
        raise FieldError(
            name, "{" + name + "}: expected numbers such as {example}, got {got!r}",
            example=example, got=value,
        ) from None  # fmt: skip
    if not all(np.isfinite(values)):
        raise FieldError(
            name, "{" + name + "}: expected finite numbers such as {example}, got {got!r}",
            example=example, got=value,
        )  # fmt: skip
    return values


def _whole(value: object, name: str) -> int:
    """A count given as a number or text (``3``, ``"3"``), 0 or more."""
    try:
        number = float(value) if not isinstance(value, bool) else float("nan")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not (np.isfinite(number) and number == int(number)):
        raise FieldError(name, "{" + name + "}: must be a whole number, got {got!r}", got=value)
    if number < 0:
        raise FieldError(name, "{" + name + "}: must be 0 or more, got {got}", got=int(number))
    return int(number)


def _metres(value: object, name: str, example: str) -> float:
    """A distance in metres given as a number or text, finite."""
    try:
        number = float(value) if not isinstance(value, bool) else float("nan")  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not np.isfinite(number):
        raise FieldError(
            name, "{" + name + "}: expected a distance in metres such as {example}, got {got!r}",
            example=example, got=value,
        )  # fmt: skip
    return number


def _listed(minutes: tuple[float, ...], sep: str = ",") -> str:
    return sep.join(f"{m:g}" for m in minutes)


def parse_minutes(value: object) -> tuple[float, ...]:
    """Service-circle thresholds (minutes): positive, below a day, strictly increasing; a
    sequence of numbers or a comma-separated string such as ``"8,10,15"``."""
    values = tuple(_numbers(value, "minutes", "8,10,15"))
    if not values:
        raise FieldError("minutes", "{minutes}: give at least one threshold, such as 8,10,15")
    if any(not (0 < v < 24 * 60) for v in values):
        raise FieldError(
            "minutes", "{minutes}: thresholds must be between 0 and 1440, got {got}", got=values
        )
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise FieldError(
            "minutes",
            "{minutes}: thresholds must be strictly increasing, got {got}; "
            "write them in order, such as 8,10,15",
            got=values,
        )
    return values


def parse_targets(value: object, minutes: tuple[float, ...]) -> tuple[float, ...]:
    """Goal shares, one per threshold: all fractions (``"0.8,0.9,1"``) or all percentages
    (``"80,90,100"`` or ``"80%,90%,100%"``); a share above 100% is an error.

    ``None`` gives the seed documents' goals (80%, 90%, 100%) for the thresholds 8, 10, 15;
    other thresholds need their own goals.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        if tuple(float(m) for m in minutes) == DEFAULT_MINUTES:
            return DEFAULT_TARGETS
        raise FieldError(
            "targets",
            "{targets}: give one goal share per threshold for {minutes} {listed}, such as "
            "{example}; the default goals (80%, 90%, 100%) are for 8,10,15 only",
            listed=_listed(minutes), example=",".join(["0.8"] * (len(minutes) - 1) + ["1"]),
        )  # fmt: skip
    values = _numbers(value, "targets", "0.8,0.9,1.0", percent=True)
    if len(values) != len(minutes):
        raise FieldError(
            "targets",
            "{targets}: give one share per threshold ({n} for {minutes} {listed}), got {got}",
            n=len(minutes), listed=_listed(minutes), got=len(values),
        )  # fmt: skip
    values = _as_fractions(value, values)
    if any(not (0.0 <= v <= 1.0) for v in values):
        raise FieldError(
            "targets", "{targets}: shares must be between 0 and 1 (or 0-100%), got {got}",
            got=values,
        )  # fmt: skip
    return tuple(values)


def _as_fractions(given: object, values: list[float]) -> list[float]:
    """Shares as fractions: percentages when written with ``%`` or when every share but 0 is
    above 1; a mix of fractions and percentages (``0.8,0.9,1.5``) is an error."""
    marked = isinstance(given, str) and "%" in given
    if marked or all(v == 0 or v > 1 for v in values) and any(v > 1 for v in values):
        return [v / 100.0 for v in values]
    if any(v > 1 for v in values):
        raise FieldError(
            "targets",
            "{targets}: {got!r} mixes fractions (at most 1) and percentages (above 1); write "
            "them all as fractions such as 0.8,0.9,1 or all as percentages such as 80,90,100",
            got=given,
        )
    return values


def parse_minute_weights(value: object, minutes: tuple[float, ...]) -> tuple[float, ...] | None:
    """Weight of each service circle in the coverage objective, one per threshold, such as
    ``"3,2,1"``: demand within 8 minutes then counts 3 + 2 + 1 = 6 times, within 15 minutes
    only once. ``None`` (or empty text) means 1 each."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    values = _numbers(value, "minute_weights", "3,2,1")
    if len(values) != len(minutes):
        raise FieldError(
            "minute_weights",
            "{minute_weights}: give one weight per threshold ({n} for {minutes} {listed}), "
            "got {got}",
            n=len(minutes), listed=_listed(minutes), got=len(values),
        )  # fmt: skip
    if any(v < 0 for v in values) or not any(v > 0 for v in values):
        raise FieldError(
            "minute_weights",
            "{minute_weights}: weights must be >= 0 and at least one above 0, got {got}",
            got=values,
        )
    return tuple(values)


def parse_reach(value: object, minutes: tuple[float, ...]) -> tuple[float, float] | None:
    """A goal such as ``"90%@10"`` (or ``"0.9@10"``, or ``(10, 0.9)``): the share of demand
    to bring within one of the thresholds. Returns ``(minutes, share)``, or None."""
    goal = reach_value(value)
    if goal is None:
        return None
    mins, share = goal
    if not (0.0 < share <= 1.0):
        raise FieldError(
            "reach", "{reach}: the share must be above 0 and at most 100%, got {got!r}",
            got=value,
        )  # fmt: skip
    if not any(abs(mins - m) <= tol(m) for m in minutes):
        raise FieldError(
            "reach",
            "{reach}: {mins:g} min is not one of the thresholds ({listed}); use one of them "
            "or add it to {minutes}",
            mins=mins, listed=_listed(minutes, ", "),
        )  # fmt: skip
    return mins, share


def reach_value(value: object) -> tuple[float, float] | None:
    """``(minutes, share)`` of a goal given as text (``"90%@10"``) or as a pair, not yet
    checked against the thresholds; None for no goal."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, tuple | list) and len(value) == 2:
        try:
            return float(value[0]), float(value[1])
        except (TypeError, ValueError):
            raise FieldError(
                "reach", "{reach}: expected (minutes, share) numbers, got {got!r}", got=value
            ) from None
    return _reach_text(str(value))


def _reach_text(text: str) -> tuple[float, float]:
    share_s, sep, mins_s = text.partition("@")
    try:
        share = float(share_s.strip().rstrip("%"))
        mins = float(mins_s)
    except ValueError:
        raise FieldError(
            "reach", "{reach}: expected SHARE@MINUTES such as 90%@10 or 0.9@10, got {got!r}",
            got=text,
        ) from None  # fmt: skip
    if not sep:
        raise FieldError(
            "reach", "{reach}: expected SHARE@MINUTES such as 90%@10, got {got!r}", got=text
        )
    marked = share_s.strip().endswith("%")
    if not marked and share > 1.0 and share != int(share):
        raise FieldError(
            "reach",
            "{reach}: {got!r}: a share above 1 without % is ambiguous; write it as a fraction "
            "such as 0.9@10 or as a percentage such as 90%@10",
            got=text,
        )
    if marked or share > 1.0:
        share /= 100.0
    return mins, share


@dataclass(frozen=True)
class PlanRequest:
    """Everything a plan is asked, apart from the data.

    Parameters
    ----------
    minutes
        Increasing service-circle thresholds (minutes), default 8, 10, 15.
    targets
        Goal share of demand within each threshold; None gives 80%, 90%, 100% for three
        thresholds (100% within the widest otherwise).
    add
        How many new sites to suggest (the :class:`~planner.plan.objectives.Reach`
        objective decides the number itself).
    objective
        What the new sites should do best (see :mod:`planner.plan.objectives`).
    method
        Optimiser: ``"greedy"``, ``"local"`` (greedy then swaps; default) or ``"exact"``.
    min_spacing_m
        Minimum straight-line distance between any two stations, new or existing (m); 0
        turns the rule off. None takes the objective's default
        (:attr:`~planner.plan.objectives.Objective.spacing_m`: 300 m for the coverage
        objectives, none for the others).
    snap_warn_m, snap_max_m
        Points farther than ``snap_warn_m`` from a usable road are reported; farther than
        ``snap_max_m`` they are excluded and listed.
    sources
        Where the inputs came from (file names), stated in the summary.
    time_limit
        The most seconds the optimiser may spend (None: ``"exact"`` until proven, ``"local"``
        a fixed amount of work); see :mod:`planner.plan.effort`.
    memory_gib
        The memory the run may use (GiB; None: ``PLANNER_MEMORY_GIB``, else 4): a run whose
        counts need more is refused (see :mod:`planner.core.memory`). Not stated in the
        summary: it changes whether a run goes ahead, never what it finds.
    """

    minutes: tuple[float, ...] = DEFAULT_MINUTES
    targets: tuple[float, ...] | None = None
    add: int = 3
    objective: Objective = field(default_factory=objectives.Coverage)
    method: str = "local"
    min_spacing_m: float | None = None
    snap_warn_m: float = SNAP_WARN_M
    snap_max_m: float = SNAP_MAX_M
    sources: Mapping[str, Any] = field(default_factory=dict)
    memory_gib: float | None = None
    time_limit: float | None = None
    #: Sites agreed, venues excluded, stations closed, phases (:mod:`planner.plan.controls`).
    controls: Controls = field(default_factory=Controls)

    @property
    def thresholds_s(self) -> tuple[float, ...]:
        """The thresholds in seconds (the package's unit)."""
        return tuple(seconds(m) for m in self.minutes)

    @property
    def spacing_m(self) -> float:
        """The minimum spacing (m; 0: none): ``min_spacing_m``, else the objective's."""
        if self.min_spacing_m is None:
            return float(self.objective.spacing_m)
        return float(self.min_spacing_m)

    @property
    def goals(self) -> tuple[float, ...]:
        """The goal share of each threshold (the defaults where none were given)."""
        return self.targets if self.targets is not None else parse_targets(None, self.minutes)

    @classmethod
    def from_options(cls, **options: Any) -> PlanRequest:
        """A validated request from options as a user gives them: numbers or text
        (``minutes="8,10,15"``, ``reach="90%@10"``, ``minute_weights="3,2,1"``), with the
        objective chosen by name (``objective="coverage"|"time"``, or ``reach``). Every
        problem is reported at once. See :data:`OPTIONS` for the names and defaults;
        ``threshold_weights`` is taken as another name of ``minute_weights``."""
        if "threshold_weights" in options:
            options["minute_weights"] = options.pop("threshold_weights")
        sources = options.pop("sources", None) or {}
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            raise TypeError(f"unknown plan options {unknown}; known are {sorted(OPTIONS)}")
        opts = {**OPTIONS, **{k: v for k, v in options.items() if v is not None}}
        site_controls, problems = Controls.from_options(opts)
        if site_controls.phases and options.get("add") is None:
            opts["add"] = site_controls.phases[-1]
        if options.get("add") is not None and options.get("reach") is not None:
            problems.append(
                FieldError(
                    "add",
                    "{add} and {reach} both say how many sites: {reach} asks for the fewest "
                    "that meet a goal; drop one of them",
                )
            )
        try:
            if str(opts["reach"]).strip().lower() == objectives.AREAS:
                opts["reach"] = objectives.AREAS  # every area's goals (area targets)
            else:
                opts["reach"] = reach_value(opts["reach"])
            opts["most_sites"] = options.get("add")  # with a budget: the most sites, if given
            objective: Objective = objectives.from_options(opts)
        except FieldError as exc:
            problems.append(exc)
            objective = objectives.Coverage()
        request = cls(
            minutes=opts["minutes"], targets=opts["targets"], add=opts["add"],
            objective=objective, method=opts["method"], min_spacing_m=opts["min_spacing_m"],
            snap_warn_m=opts["snap_warn_m"], snap_max_m=opts["snap_max_m"], sources=sources,
            memory_gib=opts["memory_gib"], time_limit=opts["time_limit"],
            controls=site_controls,
        )  # fmt: skip
        try:
            request = request.validate()
        except RequestError as exc:
            problems += [p for p in exc.problems if p.field not in {q.field for q in problems}]
        if problems:
            raise RequestError(problems)
        return request

    def validate(self) -> PlanRequest:
        """Check every option and how they combine, and return the request with each value
        in its type (minutes and goals as tuples of floats, ``add`` an int, the objective's
        own values parsed); or raise :class:`~planner.core.errors.RequestError` listing every
        problem. Checks that depend on the thresholds wait until the thresholds are right."""
        problems: list[FieldError] = []

        def attempt(fn: Any, *args: Any) -> Any:
            try:
                return fn(*args)
            except FieldError as exc:
                problems.append(exc)
                return None

        minutes = attempt(parse_minutes, self.minutes)
        targets = attempt(parse_targets, self.targets, minutes) if minutes else None
        add = attempt(_whole, self.add, "add")
        attempt(self._check_method)
        spacing = attempt(self._spacing)
        limits = attempt(self._snap_limits)
        memory_gib = attempt(memory.limit_gib, self.memory_gib)
        time_limit = attempt(parse_time_limit, self.time_limit)
        if problems or minutes is None:
            raise RequestError(problems)
        clean = replace(
            self, minutes=minutes, targets=targets, add=add, min_spacing_m=spacing,
            snap_warn_m=limits[0], snap_max_m=limits[1], memory_gib=memory_gib,
            time_limit=time_limit,
        )  # fmt: skip
        problems += self.objective.check(clean) + self.controls.check(clean)
        if problems:
            raise RequestError(problems)
        return replace(clean, objective=self.objective.normalised(minutes))

    def _check_method(self) -> None:
        if self.method not in METHODS:
            raise FieldError(
                "method", "{method}: use one of {choices}, got {got!r}",
                choices=", ".join(METHODS), got=self.method,
            )  # fmt: skip

    def _spacing(self) -> float:
        if self.min_spacing_m is None:
            return float(self.objective.spacing_m)
        spacing = _metres(self.min_spacing_m, "min_spacing_m", "300")
        if spacing < 0:
            raise FieldError(
                "min_spacing_m", "{min_spacing_m}: must be 0 (no spacing) or more, got {got:g}",
                got=spacing,
            )  # fmt: skip
        return spacing

    def _snap_limits(self) -> tuple[float, float]:
        warn = _metres(self.snap_warn_m, "snap_warn_m", "300")
        most = _metres(self.snap_max_m, "snap_max_m", "1000")
        if warn <= 0:
            raise FieldError(
                "snap_warn_m", "{snap_warn_m}: must be above 0 m, got {got:g}", got=warn
            )
        if warn > most:
            raise FieldError(
                "snap_warn_m",
                "{snap_warn_m}: {warn:g} m is above {snap_max_m} ({most:g} m); lower "
                "{snap_warn_m} or raise {snap_max_m}",
                warn=warn, most=most,
            )  # fmt: skip
        return warn, most

    def echo(self) -> dict[str, Any]:
        """The request as the summary states it (``inputs``), after the sources."""
        return {
            **self.sources,
            "add": int(self.add),
            "method": self.method,
            "min_spacing_m": self.spacing_m,
            **({} if self.time_limit is None else {"time_limit_s": self.time_limit}),
            **self.objective.echo(self),
            **self.controls.echo(),
        }
