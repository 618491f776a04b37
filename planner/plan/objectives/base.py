"""The base of the objectives: what one chooses from (:class:`Context`), what it returns
(:class:`Choice`) and the :class:`Objective` every objective subclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np
import scipy.sparse as sp

from ...analysis import coverage
from ...analysis.hourly import Hours
from ...analysis.travel import TravelTimes
from ...core.errors import FieldError
from ...core.units import gap_label
from ...optimize import Solution
from ...optimize._kernels import Limit

if TYPE_CHECKING:  # pragma: no cover
    from ..request import PlanRequest


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
    #: Candidates in every answer (sites already agreed), counted among the ``add`` new
    #: sites, and candidates never chosen (see :mod:`planner.plan.fixing`).
    fixed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    excluded: np.ndarray | None = None
    #: When the sites are open and the demand is, by hour (None: always, evenly).
    hours: Hours | None = None
    #: Demand each existing station of ``stations`` can serve (None: no limit).
    station_capacity: np.ndarray | None = None
    #: Existing stations (positions) that never move with ``relocate`` (other operators').
    held: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


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
    #: With capacitated stations (``station_capacity``): per station that stays, its
    #: ``capacity`` and the ``served_demand`` it serves in the best split.
    station_columns: Mapping[str, np.ndarray] | None = None
    #: With capacitated stations: hotspot positions, station positions and the share of
    #: each hotspot's demand the station serves in the best split.
    station_split: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    #: With phases: each phase's figures (see :mod:`planner.plan.fixing`).
    phases: tuple[Any, ...] = ()
    #: With relocation: the stations closed (positions) and the value of the best answer
    #: found that moves none (see :mod:`planner.plan.moves`).
    closed: np.ndarray | None = None
    unmoved: float | None = None


#: Default minimum spacing of the coverage objectives (m): a new site at least this far
#: (straight line) from every existing station and from every other new site. Planners do
#: not open two stations a few hundred metres apart; ``min_spacing_m=0`` turns it off.
SPACING_M = 300.0


def terms(weights: tuple[float, ...], minutes: tuple[float, ...]) -> str:
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
    #: Whether a larger value is better (the coverage objectives).
    maximise: ClassVar[bool] = False
    #: Whether :meth:`choose` honours ``Context.fixed`` and ``Context.excluded`` itself;
    #: otherwise :mod:`planner.plan.fixing` reduces the problem for it.
    fixes_sites: ClassVar[bool] = False
    #: Whether existing stations may move (``relocate``): the objective then builds its
    #: problem from any context (:meth:`problem`), the union of stations and candidates
    #: included, or gives its goals over any context (:attr:`meets_goals`)
    #: (:mod:`planner.plan.moves`).
    relocates: ClassVar[bool] = False
    #: Whether the objective asks for the fewest new sites that meet its goals (which it
    #: gives over any context, :meth:`cover_goals`).
    meets_goals: ClassVar[bool] = False

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

    def problem(self, ctx: Context) -> Any:  # pragma: no cover - where it relocates
        """The objective's problem of :mod:`planner.optimize` for ``ctx`` (a
        :class:`~planner.optimize.solution.Problem`), ignoring its fixed and excluded
        candidates (:attr:`relocates`)."""
        raise NotImplementedError

    def cover_goals(self, ctx: Context) -> tuple[list[sp.csc_matrix], tuple[Any, ...]]:
        """Where it :attr:`meets_goals`: one boolean ``demand ×
        candidates`` matrix per threshold its goals use, and its goals over them
        (:class:`~planner.optimize.area_cover.Goal`), ignoring the existing stations of
        ``ctx``."""
        raise NotImplementedError  # pragma: no cover - where it meets goals

    def over_union(
        self, n_stations: int, free: np.ndarray, *, station_capacity: np.ndarray | None = None
    ) -> Objective:
        """The objective of the problem over the ``n_stations`` stations followed by the
        candidates at the positions ``free`` (:func:`planner.plan.moves.union_context`);
        what it reads per candidate follows, and a station reads as an open site (with its
        ``station_capacity`` where given, else without a limit)."""
        return self

    def counts_stations(self, ctx: Context) -> bool:
        """Whether the objective's value counts what the existing stations of ``ctx`` do
        (a travel time, demand served by capacitated stations and new sites together):
        then a relocation's value is the union problem's as it is, else less what every
        station alone adds."""
        return not self.maximise

    def after_moves(self, ctx: Context, selected: np.ndarray, closed: np.ndarray) -> Choice | None:
        """The objective's columns and figures (:class:`Choice`) of the candidates
        ``selected`` with the stations of ``ctx`` but those ``closed`` (positions), its
        solution left to the caller; None: the columns :mod:`planner.plan.moves` finds."""
        return None

    def without(self, fixed: np.ndarray, free: np.ndarray) -> Objective:
        """The objective of the smaller problem where the ``fixed`` candidates count as
        existing stations and only the ``free`` ones (positions) are chosen from
        (:func:`planner.plan.fixing.reduced`); what it reads per candidate follows."""
        return self

    def fixed_columns(self, fixed: np.ndarray) -> dict[str, np.ndarray]:
        """The per-site columns (see :class:`Choice`) of the ``fixed`` candidates, where
        the objective knows them without choosing (a cost)."""
        return {}

    def fixed_value(self, ctx: Context, fixed: np.ndarray) -> float:
        """What the ``fixed`` candidates alone add to the objective on top of the existing
        stations of ``ctx``: the value of an answer with them is this plus the value of the
        rest when the fixed sites count as existing (0 when the value is absolute, as a
        travel time is)."""
        return 0.0

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


def number_or_name(value: Any) -> float | str | None:
    """A setting given as text, as a number where it is one (``"40"`` → 40.0); values per
    candidate are stated as such."""
    if value is None or isinstance(value, str | int | float):
        try:
            return None if value is None else float(value)
        except ValueError:
            return str(value)
    return "one value per candidate"


def beyond_s(request: PlanRequest) -> float:
    """What a hotspot beyond the widest circle of every station counts as (s): twice the
    widest circle, in the travel-time objectives."""
    return 2.0 * request.thresholds_s[-1]


#: Why an option cannot go with an objective that does not take it.
NOT_WITH = {
    "minute_weights": "{minute_weights}: weigh the circles of the coverage objective only; "
    "drop it with {objective} time or {reach}",
    "capacity": "{capacity}: works with {add} and the coverage objective; drop it with "
    "{objective} time, {reach} or {budget}",
    "cost": "{cost}: works with {budget} and the coverage objective, not with another "
    "{objective} nor with {reach}; drop one of them",
    "budget": "{budget}: works with the coverage objective ({add} then caps the number of "
    "sites), not with another {objective} nor with {reach}; drop one of them",
    "decay": "{decay}: weighs the minutes of {objective} decay only; drop it with {objective} "
    "{name}",
    "reach": "{objective} {name}: works with {add} only (not with {reach} or {min_spacing_m})",
    "hours": "{hours}: works with {add} and the coverage objective, without {capacity}; drop "
    "it with {objective} time or {reach}",
}
