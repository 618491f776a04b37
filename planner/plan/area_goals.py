"""Goals per sub-area (街道): checked against the areas and the thresholds, turned into the
goals of :class:`~planner.plan.objectives.AreaReach`, and scored before and after the
suggested sites."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..core.errors import InputError
from ..core.units import minutes_label, reaches, tol
from ..optimize.area_cover import Goal
from .objectives import AreaReach
from .request import PlanRequest


def hotspot_areas(hotspots: gpd.GeoDataFrame, areas: gpd.GeoDataFrame) -> np.ndarray:
    """The position of each hotspot's area (-1: outside every area); a hotspot falls in the
    first area that contains it, as in the figures per area."""
    joined = gpd.sjoin(
        hotspots[["geometry"]].reset_index(drop=True),
        areas[["geometry"]].reset_index(drop=True),
        how="left", predicate="within",
    )  # fmt: skip
    first = joined.groupby(level=0)["index_right"].min().reindex(range(len(hotspots)))
    return first.fillna(-1).to_numpy(dtype=np.int64)


def check(
    targets: pd.DataFrame, areas: gpd.GeoDataFrame | None, request: PlanRequest, source: str
) -> pd.DataFrame:
    """The targets with ``threshold`` (position of the minutes among the thresholds) and
    ``area_position``; a name that is not an area, or minutes that are not a threshold, is
    an error naming the file, its rows and the fix."""
    if areas is None:
        raise InputError(f"{source}: goals per area need the areas (give the areas file)")
    names = {str(a): i for i, a in enumerate(areas["area"])}
    problems = []
    position = targets["area"].map(names)
    for _, row in targets.loc[position.isna()].head(5).iterrows():
        problems.append(
            f"row {row['row']}, column 'area': {row['area']!r} is not an area of the areas file"
        )
    minutes = request.minutes
    k = [
        next((i for i, m in enumerate(minutes) if abs(m - v) <= tol(m)), -1)
        for v in targets["minutes"]
    ]
    for i in np.flatnonzero(np.asarray(k) < 0)[:5]:
        problems.append(
            f"row {targets['row'].iloc[i]}, column 'minutes': {targets['minutes'].iloc[i]:g} is "
            f"not one of the thresholds ({', '.join(f'{m:g}' for m in minutes)})"
        )
    if problems:
        known = ", ".join(repr(n) for n in list(names)[:8]) + (" ..." if len(names) > 8 else "")
        raise InputError(
            f"{source}: " + "; ".join(problems) + f"; areas are {known}; fix the rows or the "
            "thresholds (minutes)"
        )
    return targets.assign(threshold=k, area_position=position.astype(int).to_numpy())


def goals(targets: pd.DataFrame, membership: np.ndarray) -> tuple[Goal, ...]:
    """The optimiser's goals: each target's hotspot rows, threshold and share."""
    return tuple(
        Goal(np.flatnonzero(membership == int(r["area_position"])), int(r["threshold"]),
             float(r["share"]), f"{r['area']} {r['share']:.0%}@{r['minutes']:g}")
        for r in targets.to_dict(orient="records")
    )  # fmt: skip


def bind(
    request: PlanRequest,
    targets: pd.DataFrame | None,
    hotspots: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame | None,
) -> PlanRequest:
    """The request with the goals of an :class:`AreaReach` objective bound to the hotspots;
    ``AreaReach`` without targets is an error, before any work."""
    if not isinstance(request.objective, AreaReach):
        return request
    if targets is None or areas is None:
        raise InputError.about(
            "reach", "{reach} areas: give the goals per area (an area targets file) and the areas"
        )
    membership = hotspot_areas(hotspots, areas)
    return replace(request, objective=request.objective.with_goals(goals(targets, membership)))


def scored(areas_scored: pd.DataFrame, targets: pd.DataFrame, request: PlanRequest) -> pd.DataFrame:
    """``areas_scored`` with, per threshold that has a goal, the area's goal
    (``area_goal_T``, empty where the area has none) and whether it is met today
    (``area_goal_T_met``) and with the suggested sites (``area_goal_T_met_after``)."""
    out = areas_scored.copy()
    for k, t in enumerate(request.thresholds_s):
        rows = targets.loc[targets["threshold"] == k]
        if not len(rows):
            continue
        lab = minutes_label(t)
        goal = out["area"].map(dict(zip(rows["area"], rows["share"], strict=True)))
        out[f"area_goal_{lab}"] = goal
        for col, share in ((f"area_goal_{lab}_met", f"share_{lab}"),
                           (f"area_goal_{lab}_met_after", f"share_after_{lab}")):  # fmt: skip
            met = [None if pd.isna(g) else _met(float(s), float(g), float(d))
                   for g, s, d in zip(goal, out[share], out["demand"], strict=True)]  # fmt: skip
            out[col] = pd.array(met, dtype="boolean")
    return out


def table(areas_scored: pd.DataFrame, targets: pd.DataFrame, request: PlanRequest) -> pd.DataFrame:
    """One row per goal, in the file's order: area, minutes, goal share, the share today and
    with the suggested sites, and whether the goal is met in each state."""
    by_area = areas_scored.set_index("area")
    rows: list[dict[str, Any]] = []
    for r in targets.to_dict(orient="records"):
        lab = minutes_label(request.thresholds_s[int(r["threshold"])])
        before = float(by_area.at[r["area"], f"share_{lab}"])
        after = float(by_area.at[r["area"], f"share_after_{lab}"])
        demand = float(by_area.at[r["area"], "demand"])
        rows.append({
            "area": r["area"], "minutes": float(r["minutes"]), "goal": float(r["share"]),
            "share_before": before, "share_after": after,
            "demand": demand,
            "met_before": _met(before, float(r["share"]), demand),
            "met_after": _met(after, float(r["share"]), demand),
        })  # fmt: skip
    return pd.DataFrame(rows)


def _met(share: float, goal: float, demand: float) -> bool:
    """Whether an area meets its goal; an area without demand meets every goal."""
    return demand <= 0 or reaches(share, goal)
