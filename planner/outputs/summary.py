"""The summary of a plan as typed data: :class:`PlanSummary` is built once from a
:class:`~planner.plan.result.Plan`; ``summary.json``, the console lines, the map and the
report all read it.

JSON is strict: an undefined number is ``null``, never ``NaN`` (``allow_nan=False``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

import numpy as np

from ..core.units import minutes_label
from ..plan.result import Plan
from . import summary_controls as controls
from . import surroundings
from .budget import Budget, budget_of

#: Field metadata: left out of the JSON when None.
OMIT_NONE = {"omit_none": True}
#: Field metadata: not part of the JSON (console and pages only).
NOT_JSON = {"json": False}

CREDITS = "Road and POI data © OpenStreetMap contributors (ODbL)"


@dataclass(frozen=True)
class Circle:
    """Demand within one threshold of an existing station."""

    demand: float
    share: float
    hotspots: int
    beyond_demand: float


@dataclass(frozen=True)
class Goal:
    """A goal share of demand within a threshold, and whether it is met."""

    minutes: float
    target: float
    share: float
    attained: bool


@dataclass(frozen=True)
class NearestMinutes:
    """Travel time to the nearest station (minutes; None = beyond the largest circle)."""

    mean_of_reached: float | None
    median: float | None
    p90: float | None
    note: str = "null = beyond the largest threshold"


@dataclass(frozen=True)
class District:
    """District figures of the existing stations."""

    hotspots: int
    total_demand: float
    covered: Mapping[str, Circle]
    goals: tuple[Goal, ...]
    all_goals_attained: bool
    demand_beyond_limit: float
    nearest_minutes: NearestMinutes

    @classmethod
    def of(cls, d: Mapping[str, Any]) -> District:
        return cls(
            hotspots=int(d["hotspots"]),
            total_demand=float(d["total_demand"]),
            covered={k: Circle(**v) for k, v in d["covered"].items()},
            goals=tuple(Goal(**g) for g in d.get("goals", [])),
            all_goals_attained=bool(d.get("all_goals_attained", False)),
            demand_beyond_limit=float(d["demand_beyond_limit"]),
            nearest_minutes=NearestMinutes(**d["nearest_minutes"]),
        )


@dataclass(frozen=True)
class Parameters:
    minutes: tuple[float, ...]
    mode: str
    mode_description: str
    mode_description_zh: str
    speeds_kph: Mapping[str, float]
    oneway: str
    new_stations_asked: int

    def describe_mode(self, lang: str) -> str:
        """The mode in words, in Chinese with ``lang="zh"`` where a text is given."""
        return self.mode_description_zh if lang == "zh" else self.mode_description


@dataclass(frozen=True)
class Counts:
    hotspots: int
    hotspots_excluded: int
    stations: int
    candidates: int
    recommended: int
    travel_time_pairs: int


@dataclass(frozen=True)
class Grades:
    rule: str
    counts: Mapping[str, int]


@dataclass(frozen=True)
class Blind:
    """Hotspots (and their demand) beyond a threshold of every station."""

    hotspots: int
    demand: float


@dataclass(frozen=True)
class Optimizer:
    """The optimiser's answer and its certificate."""

    #: The objective's name (``coverage``, ``time``, ``worst``...).
    objective: str
    method: str
    #: The answer's value of the objective, the best bound known on the optimum, the
    #: relative gap between them, and whether the answer is proven optimal.
    value: float
    bound: float
    gap: float
    proven: bool
    objective_meaning: str
    demand_served_by_new_sites: float | None = field(default=None, metadata=OMIT_NONE)
    #: Whether another set of sites reaches the same (optimal) value: true, false, or null
    #: when not known; and such a set (ids) when there is one.
    alternatives: bool | None = None
    alternative_sites: tuple[str, ...] = ()

    def alternatives_sentence(self) -> str:
        """Whether the answer is the only one of its value, in one sentence (empty when
        the answer is not proven optimal)."""
        if not self.proven:
            return ""
        if self.alternatives is None:
            return "whether another set of sites reaches the same value is not known"
        if not self.alternatives:
            return "no other set of as many sites reaches the same value"
        return "another set of sites reaches the same value: " + ", ".join(self.alternative_sites)


@dataclass(frozen=True)
class Spacing:
    """The minimum spacing and what it costs: the coverage (share of demand within each
    threshold) and the objective with the rule and with the same objective solved without
    it, and the difference (``cost``, per threshold and of the objective)."""

    min_m: float
    candidates_too_close_to_a_station: int
    candidate_pairs_too_close: int
    coverage_with: Mapping[str, float]
    coverage_without: Mapping[str, float]
    cost: Mapping[str, float]
    objective_with: float
    objective_without: float
    objective_cost: float
    sites_without: tuple[str, ...]
    proven_without: bool
    measured: str = "straight line, from every existing station and between new sites"


def _spacing(plan: Plan) -> Spacing | None:
    c = plan.spacing
    if c is None:
        return None
    ids = plan.candidates["id"].astype(str).to_numpy()
    return Spacing(
        min_m=c.min_m, candidates_too_close_to_a_station=c.too_close,
        candidate_pairs_too_close=c.close_pairs, coverage_with=dict(c.coverage_with),
        coverage_without=dict(c.coverage_without),
        cost={k: c.coverage_without[k] - v for k, v in c.coverage_with.items()},
        objective_with=c.objective_with, objective_without=c.objective_without,
        objective_cost=c.cost, sites_without=tuple(ids[list(c.sites_without)]),
        proven_without=c.proven_without,
    )  # fmt: skip


@dataclass(frozen=True)
class Reach:
    minutes: float
    share: float


@dataclass(frozen=True)
class Site:
    """One suggested site as the console and the pages name it."""

    rank: int
    id: str
    name: str
    capacity: float | None = field(default=None, metadata=OMIT_NONE)
    served_demand: float | None = field(default=None, metadata=OMIT_NONE)
    #: The site's opening cost (with a budget).
    cost: float | None = field(default=None, metadata=OMIT_NONE)
    #: The phase the site opens in (with phases).
    phase: int | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class PlanSummary:
    """Everything ``summary.json`` states, typed; the console lines, map and report read
    it."""

    inputs: Mapping[str, Any]
    parameters: Parameters
    network: Mapping[str, Any]
    counts: Counts
    coverage_existing: District
    grades: Grades
    blind_spots: Mapping[str, Blind]
    areas: tuple[Mapping[str, Any], ...] | None
    coverage_after_recommended: Mapping[str, float]
    served_after_recommended: Mapping[str, float] | None = field(default=None, metadata=OMIT_NONE)
    optimizer: Optimizer | None = None
    spacing: Spacing | None = field(default=None, metadata=OMIT_NONE)
    crs: Mapping[str, str] = field(default_factory=dict)
    #: Per hour of a typical weekday (and weekend day): ``{hour, day, share_within}``.
    coverage_by_hour: tuple[Mapping[str, Any], ...] | None = field(default=None, metadata=OMIT_NONE)
    opening_hours: Mapping[str, Any] | None = field(default=None, metadata=OMIT_NONE)
    #: Seconds per stage: in ``timings.json``, not in ``summary.json``, so that the same
    #: inputs always give the same summary.
    timings_s: Mapping[str, float] = field(default_factory=dict, metadata=NOT_JSON)
    credits: str = CREDITS
    reach: Reach | None = field(default=None, metadata=NOT_JSON)
    objective: str = field(default="coverage", metadata=NOT_JSON)
    #: The optimiser's answer and certificate in one sentence, as the objective words it.
    certificate: str = field(default="", metadata=NOT_JSON)
    sites: tuple[Site, ...] = ()
    budget: Budget | None = field(default=None, metadata=OMIT_NONE)
    #: Other operators' stations and goals per area (see :mod:`.surroundings`).
    others: Mapping[str, Any] | None = field(default=None, metadata=OMIT_NONE)
    area_goals: tuple[Mapping[str, Any], ...] | None = field(default=None, metadata=OMIT_NONE)
    closed: tuple[controls.ClosedStation, ...] = ()
    closing: controls.ClosingLoss | None = field(default=None, metadata=OMIT_NONE)
    phases: tuple[controls.PhaseFigures, ...] | None = field(default=None, metadata=OMIT_NONE)
    relocation: controls.Moves | None = field(default=None, metadata=OMIT_NONE)
    #: With capacitated stations: each station's capacity and served demand.
    station_service: tuple[controls.StationService, ...] | None = field(
        default=None, metadata=OMIT_NONE
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (plain dicts, lists, numbers, strings; None for undefined)."""
        return _plain(self)

    def to_json(self) -> str:
        """Strict JSON (``allow_nan=False``), indented, UTF-8 text as is."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)


def timings_json(s: PlanSummary) -> str:
    """``timings.json``: the stage timings of this run (seconds), the one file of the set that
    differs between runs of the same inputs."""
    doc = {
        "note": "seconds per stage of this run; the one file of the set that differs "
        "between runs of the same inputs",
        "timings_s": _plain(s.timings_s),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False)


def _plain(value: Any) -> Any:
    """Dataclasses, mappings, sequences and numpy scalars as JSON-ready values; NaN and
    infinities become None."""
    if is_dataclass(value) and not isinstance(value, type):
        out = {}
        for f in fields(value):
            if f.metadata.get("json", True) is False:
                continue
            v = getattr(value, f.name)
            if v is None and f.metadata.get("omit_none"):
                continue
            out[f.name] = _plain(v)
        return out
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v) for v in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if value is None or isinstance(value, str):
        return value
    return str(value)


def build(plan: Plan) -> PlanSummary:
    """The summary of ``plan``."""
    request = plan.request
    mode = plan.network.mode
    objective = request.objective
    reach = request.echo()["reach"]
    return PlanSummary(
        inputs={**request.echo(), "add": int(plan.sites_asked)},
        parameters=Parameters(
            minutes=plan.minutes, mode=mode.name, mode_description=mode.description,
            mode_description_zh=mode.describe("zh"), speeds_kph=mode.speed_table(),
            oneway=mode.oneway, new_stations_asked=int(plan.sites_asked),
        ),
        network=_network(plan),
        counts=_counts(plan),
        coverage_existing=District.of(plan.district),
        grades=Grades(
            rule=plan.grade_rule,
            counts=plan.scores["grade"].value_counts().sort_index().to_dict()
            if "grade" in plan.scores else {},
        ),
        blind_spots=_blind(plan),
        areas=None
        if plan.areas_scored is None
        else tuple(plan.areas_scored.to_dict(orient="records")),
        coverage_after_recommended=_after(plan),
        served_after_recommended=None if plan.served_after is None else dict(plan.served_after),
        optimizer=_optimizer(plan),
        spacing=_spacing(plan),
        crs={"outputs": "EPSG:4326 (WGS-84 lon/lat)", "analysis": plan.network.crs.to_string()},
        timings_s=dict(plan.timings),
        coverage_by_hour=plan.coverage_by_hour, opening_hours=plan.opening_hours,
        reach=None if reach is None else Reach(**reach),
        objective=objective.name,
        certificate=objective.certificate(
            plan.solution, request, float(plan.district["total_demand"])
        ),
        sites=_sites(plan),
        budget=budget_of(plan),
        others=surroundings.others(plan),
        area_goals=None if plan.area_goals is None else tuple(surroundings.area_goals(plan) or ()),
        **controls.fields(plan, _after(plan)),
    )  # fmt: skip


def _optimizer(plan: Plan) -> Optimizer | None:
    """The optimiser's answer (None when there were no candidates)."""
    if not len(plan.candidates):
        return None
    recommended = plan.recommended
    served = "served_demand" in recommended.columns
    objective = plan.request.objective
    return Optimizer(
        objective=objective.name, method=plan.solution.method,
        value=float(plan.solution.objective), bound=float(plan.solution.bound),
        gap=float(plan.solution.gap), proven=bool(plan.solution.optimal),
        objective_meaning=objective.meaning(plan.minutes),
        demand_served_by_new_sites=float(recommended["served_demand"].sum())
        if served else None,
        alternatives=plan.solution.alternatives,
        alternative_sites=tuple(
            plan.candidates["id"].astype(str).to_numpy()[plan.solution.alternative]
        ),
    )  # fmt: skip


def _sites(plan: Plan) -> tuple[Site, ...]:
    """Each suggested site, in rank order."""
    recommended = plan.recommended
    served = "served_demand" in recommended.columns
    return tuple(
        Site(int(r["rank"]), str(r["id"]), str(r["name"] or ""),
             float(r["capacity"]) if served else None,
             float(r["served_demand"]) if served else None,
             cost=float(r["cost"]) if "cost" in r else None,
             phase=int(r["phase"]) if "phase" in r else None)
        for r in recommended.to_dict(orient="records")
    )  # fmt: skip


def _network(plan: Plan) -> dict[str, Any]:
    """The network's report with ``parts`` (the parts that hold demand, stations or
    candidates, each with its share of its own demand within each circle), the
    ``detour_anomalies`` count and ``warnings`` (sentences; always a list)."""
    out = dict(plan.network.report)
    out["warnings"] = list(out.get("warnings", []))
    if plan.parts is not None:
        out["parts"] = [_part(row) for row in plan.parts.to_dict(orient="records")]
    if "detour" in plan.hotspots.columns:
        flagged = (plan.hotspots["detour"] != "").to_numpy()
        out["detour_anomalies"] = int(flagged.sum())
        out["detour_anomaly_demand"] = float(plan.hotspots["weight"].to_numpy()[flagged].sum())
    return out


def _part(row: Mapping[str, Any]) -> dict[str, Any]:
    """One part: its figures, and ``covered`` per circle label (share of its demand)."""
    covered = {k[len("covered_") :]: v for k, v in row.items() if k.startswith("covered_")}
    out = {k: v for k, v in row.items() if not k.startswith("covered_")}
    return {**out, "covered": covered}


def _counts(plan: Plan) -> Counts:
    return Counts(
        hotspots=len(plan.hotspots),
        hotspots_excluded=int((plan.hotspots["snap_status"] == "excluded").sum()),
        stations=len(plan.stations),
        candidates=len(plan.candidates),
        recommended=len(plan.recommended),
        travel_time_pairs=int(plan.station_times.seconds.nnz + plan.candidate_times.seconds.nnz),
    )


def _blind(plan: Plan) -> dict[str, Blind]:
    hs = plan.hotspots
    out = {}
    for t in plan.request.thresholds_s:
        beyond = hs[f"beyond_{minutes_label(t)}"]
        out[f"beyond_{minutes_label(t)}"] = Blind(
            int(beyond.sum()), float(hs.loc[beyond, "weight"].sum())
        )
    return out


def _after(plan: Plan) -> dict[str, float]:
    if not len(plan.recommended):
        return {}
    last = plan.recommended.iloc[-1]
    return {
        minutes_label(t): float(last[f"cumulative_share_{minutes_label(t)}"])
        for t in plan.request.thresholds_s
    }
