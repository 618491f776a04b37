"""The tables of a plan as planners receive them: scored stations, travel times, the
station list's ``about`` sheet, and the roads for the offline map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..core.crs import COORDINATES_NOTE, WGS84
from ..plan.result import Plan
from .summary import CREDITS


def stations_scored(plan: Plan) -> pd.DataFrame:
    """Each station's id, name and WGS-84 coordinates with its scores."""
    base = pd.DataFrame(plan.stations[["id", "name", "lon", "lat"]]).rename(
        columns={"id": "station_id"}
    )
    return base.merge(plan.scores, on="station_id", how="left")


def stations_with_scores(plan: Plan) -> gpd.GeoDataFrame:
    """The station points with their scores (for the map)."""
    return plan.stations.merge(plan.scores, left_on="id", right_on="station_id", how="left")


def recommended_table(plan: Plan) -> pd.DataFrame:
    """The station list without its geometry (CSV, XLSX)."""
    return pd.DataFrame(plan.recommended.drop(columns="geometry"))


def travel_times(plan: Plan) -> pd.DataFrame:
    """Every pair within the largest threshold: source kind and id, hotspot id, minutes.

    Built from the sparse times' arrays in one step (no frame per kind, no concatenation
    of frames), the source kind and id as categories (a byte or two a pair), so a plan of a
    million hotspots holds one lean copy of its pairs here."""
    parts = [(kind, tt, tt.seconds.tocoo()) for kind, tt in
             (("station", plan.station_times), ("candidate", plan.candidate_times))]  # fmt: skip
    ids = [np.asarray(tt.source_ids, dtype=object) for _, tt, _ in parts]
    names = pd.Index(pd.unique(np.concatenate(ids)))
    kind = np.concatenate([np.full(m.nnz, k, dtype=np.int8) for k, (_, _, m) in enumerate(parts)])
    source = np.concatenate(
        [names.get_indexer(i)[m.row] for i, (_, _, m) in zip(ids, parts, strict=True)]
    )
    return pd.DataFrame(
        {
            "source_kind": pd.Categorical.from_codes(kind, categories=[k for k, _, _ in parts]),
            "source_id": pd.Categorical.from_codes(source, categories=names),
            "hotspot_id": np.concatenate([tt.target_ids[m.col] for _, tt, m in parts]),
            "minutes": np.concatenate([np.round(m.data / 60.0, 3) for _, _, m in parts]),
        }
    )


def about_sheet(plan: Plan) -> pd.DataFrame:
    """What the station list is: coordinate systems, mode, thresholds, what the sites were
    chosen for, credits."""
    mode = plan.network.mode
    return pd.DataFrame(
        {
            "item": ["coordinates", "mode", "minutes", "method", "objective", "credits"],
            "value": [
                COORDINATES_NOTE,
                f"{mode.name}: {mode.description}",
                ", ".join(f"{m:g}" for m in plan.minutes),
                plan.solution.method,
                plan.request.objective.meaning(plan.minutes),
                CREDITS,
            ],
        }
    )


def road_lines(plan: Plan, *, tolerance_m: float = 3.0) -> gpd.GeoDataFrame:
    """The network's roads as merged, lightly simplified WGS-84 lines (offline basemap)."""
    segments = plan.network.segments.geometry.values
    merged = shapely.line_merge(shapely.multilinestrings(segments))
    lines = shapely.simplify(shapely.get_parts(merged), tolerance_m)
    return gpd.GeoDataFrame(geometry=lines, crs=plan.network.crs).to_crs(WGS84)
