"""The frames of a plan drawn from its figures: the blind spots, the best split of demand
between sites with capacities, polygons in WGS-84."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..analysis import coverage, travel
from ..core import _threads
from ..core.crs import WGS84
from . import _network
from .objectives import Choice

#: Coordinate grid of output polygons (degrees; about 0.1 m).
POLYGON_GRID_DEG = 1e-6


def blind_spots(
    hs: gpd.GeoDataFrame, cov: coverage.Coverage, fig: _network.NetworkFigures
) -> gpd.GeoDataFrame:
    """The blind spots (heaviest first) with the hotspots' names and coordinates, part of
    the network, the reason and any detour anomaly."""
    blind = coverage.blind_spots(cov, fig.reasons)
    beyond = [c for c in blind.columns if c.startswith("beyond_")]
    cols = ["id", "name", "weight", "lon", "lat", "nearest_minutes", *beyond, "part",
            "blind_reason", "detour", "detour_factor", "geometry"]  # fmt: skip
    rows = hs.iloc[blind["position"].to_numpy()][cols].reset_index(drop=True)
    rows = rows.rename(columns={"blind_reason": "reason"})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=WGS84)


def split(choice: Choice, times: travel.TravelTimes) -> pd.DataFrame | None:
    """The best split of demand between the suggested sites, by id (with capacities)."""
    if choice.split is None:
        return None
    rows, cols, share = choice.split
    return pd.DataFrame(
        {"hotspot_id": times.target_ids[rows], "site_id": times.source_ids[cols],
         "share": np.round(share, 9)}
    )  # fmt: skip


def splits(
    choice: Choice, cand_times: travel.TravelTimes, st_times: travel.TravelTimes
) -> dict[str, Any]:
    """The plan's ``served_split`` (:func:`split`), and with capacitated stations its
    ``station_service`` (each station's capacity and served demand) and ``station_split``
    (the share of each hotspot's demand each station serves), by id; None without."""
    out: dict[str, Any] = {"served_split": split(choice, cand_times)}
    if choice.station_columns is None or choice.station_split is None:
        return {**out, "station_service": None, "station_split": None}
    rows, cols, share = choice.station_split
    out["station_service"] = pd.DataFrame(
        {"station_id": st_times.source_ids, **choice.station_columns}
    )
    out["station_split"] = pd.DataFrame(
        {"hotspot_id": st_times.target_ids[rows], "station_id": st_times.source_ids[cols],
         "share": np.round(share, 9)}
    )  # fmt: skip
    return out


def wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons in WGS-84 on a 1e-6 degree grid (about 0.1 m), which keeps files small.

    The polygons are traced on a raster of 10 m cells, so distinct vertices and edges lie
    metres apart and rounding each coordinate keeps them valid; only a polygon that is not
    valid after the rounding goes through GEOS's slower overlay that repairs it."""
    out = frame.to_crs(WGS84)
    exact = np.asarray(out.geometry.values, dtype=object)
    runs = _threads.balanced(shapely.get_num_coordinates(exact), _threads.threads())
    geoms = np.empty(len(exact), dtype=object)
    rounded = _threads.ordered_map(lambda r: _rounded(exact[r]), runs)  # GEOS leaves the GIL
    for run, part in zip(runs, rounded, strict=True):
        geoms[run] = part
    out.geometry = gpd.GeoSeries(geoms, index=out.index, crs=out.crs)
    return out


def _rounded(exact: np.ndarray) -> np.ndarray:
    """The geometries on the grid of :data:`POLYGON_GRID_DEG` (see :func:`wgs84`)."""
    geoms = shapely.set_precision(exact, POLYGON_GRID_DEG, mode="pointwise")
    bad = ~shapely.is_valid(geoms)
    if bad.any():
        geoms[bad] = shapely.set_precision(exact[bad], POLYGON_GRID_DEG)
    return geoms
