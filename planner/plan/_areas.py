"""District figures per sub-area, today and with the suggested sites."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..analysis import coverage
from ..core.units import minutes_label
from .request import PlanRequest


def figures(
    stations: coverage.Coverage,
    candidates: coverage.Coverage,
    selected: np.ndarray,
    hotspots: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame | None,
    request: PlanRequest,
) -> pd.DataFrame | None:
    """The figures per sub-area, today and with the suggested sites (None without areas)."""
    if areas is None:
        return None
    after = _covered_after(stations, candidates, selected)
    return area_figures(stations, hotspots, areas, request, after=after)


def _covered_after(
    stations: coverage.Coverage, candidates: coverage.Coverage, selected: np.ndarray
) -> list[np.ndarray]:
    """Per threshold, the hotspots an existing station or a suggested site reaches within it."""
    rows = np.asarray(selected, dtype=np.int64)
    out = []
    for k in range(len(stations.thresholds_s)):
        reached = stations.counts(k) > 0 if stations.times.seconds.shape[0] else None
        new = np.asarray(candidates.covered(k)[rows].sum(axis=0)).ravel() > 0
        out.append(new if reached is None else reached | new)
    return out


def area_figures(
    cov: coverage.Coverage,
    hotspots: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    request: PlanRequest,
    *,
    after: Sequence[np.ndarray] | None = None,
) -> pd.DataFrame:
    """District figures per sub-area; hotspots fall in the first area that contains them.
    ``after``: per threshold, which hotspots the stations and the suggested sites together
    reach within it; each area then also has ``share_after_<T>``."""
    joined = gpd.sjoin(
        hotspots[["geometry"]].reset_index(drop=True),
        areas[["area", "geometry"]],
        how="left",
        predicate="within",
    )
    label = joined.groupby(level=0)["area"].first().reindex(range(len(hotspots)))
    names: Sequence[Any] = [*areas["area"].tolist(), None]
    rows = []
    for name in names:
        mask = (label.isna() if name is None else label == name).to_numpy()
        if name is None and not mask.any():
            continue
        d = coverage.district_summary(cov, request.goals, subset=mask)
        row: dict[str, Any] = {
            "area": name if name is not None else "(outside every area)",
            "hotspots": d["hotspots"],
            "demand": d["total_demand"],
        }
        for lab, v in d["covered"].items():
            row[f"share_{lab}"] = v["share"]
        for k, reached in enumerate(after or ()):
            demand = float(cov.weights[mask].sum())
            share = float(cov.weights[mask & reached].sum()) / demand if demand else 0.0
            row[f"share_after_{minutes_label(request.thresholds_s[k])}"] = share
        for g in d.get("goals", []):
            row[f"goal_{g['minutes']:g}_attained"] = g["attained"]
        row["nearest_minutes_median"] = d["nearest_minutes"]["median"]
        row["nearest_minutes_p90"] = d["nearest_minutes"]["p90"]
        rows.append(row)
    return pd.DataFrame(rows)
