"""Rider demand: hotspots as weighted points.

Hotspots come from a table of weighted points, or, when no rider data exist, from the map's
own food and retail POIs as a proxy for rider pick-ups (weights per category in
:data:`planner.inputs._osm.DEMAND_POI_WEIGHTS`). Raw rider points (GPS pings, order
pick-ups) become hotspots in :mod:`planner.inputs.pings`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..core.crs import WGS84
from ..core.errors import InputError
from . import _osm, hours
from ._osm import DEMAND_POI_WEIGHTS
from .points import read_point_table

log = logging.getLogger(__name__)


def _frame(df: pd.DataFrame) -> gpd.GeoDataFrame:
    """``df`` with point geometry from its WGS-84 ``lon``/``lat`` (and its ``attrs``)."""
    out = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=WGS84)
    out.attrs.update(df.attrs)
    return out


def read_hotspots(
    path: str | os.PathLike[str],
    *,
    crs: str | int | None = None,
    columns: dict[str, str] | None = None,
    default_crs: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read hotspots: CSV (``lon, lat, weight``; optional ``id, name``) or a vector file.

    A file without a weight column gives every hotspot weight 1. ``crs`` is the file's
    coordinate system (it overrides what the file declares, such as the ``lon_wgs84,
    lat_wgs84`` columns ``planner hotspots`` writes), ``default_crs`` the system of a file
    that declares none. Returns a WGS-84 GeoDataFrame with unique ``id``, ``name``,
    ``weight`` (>= 0), ``lon``, ``lat``; ``attrs["crs"]`` says how it was read. Demand by
    hour of day (an ``hour`` column or 24 columns) becomes the columns
    :data:`planner.inputs.hours.DEMAND_COLUMNS` (see :mod:`planner.inputs.hours`).
    """
    df = read_point_table(
        path, role="hotspots", crs=crs, id_prefix="H", columns=columns, default_crs=default_crs
    )
    df = hours.with_demand_by_hour(df, source=f"hotspots file {str(path)!r}")
    if float(df["weight"].sum()) <= 0:
        raise InputError(f"hotspots file {str(path)!r}: all weights are 0; give some demand")
    log.info("read %d hotspots, total weight %.1f", len(df), df["weight"].sum())
    return _frame(df)


def hotspots_from_osm(
    source: str | Path, *, weights: Mapping[str, float] = DEMAND_POI_WEIGHTS
) -> gpd.GeoDataFrame:
    """Hotspots from the food and retail POIs of an OSM source, weighted by category.

    ``weights`` maps ``key=value`` (``amenity=restaurant``) to a weight; ``key=*`` is the
    weight of any other value of that key. The POIs stand in for rider pick-ups.
    """
    tags: dict[str, list[str] | bool] = {}
    for cat in weights:
        key, _, value = cat.partition("=")
        if value == "*":
            tags[key] = True
        elif tags.get(key) is not True:
            tags.setdefault(key, [])
            tags[key].append(value)  # type: ignore[union-attr]
    pois = _osm.read_pois(source, tags)
    if pois.empty:
        raise InputError(
            f"network {str(source)!r} has no food or retail POIs to derive "
            "hotspots from; give a hotspots file instead"
        )
    w = pois["category"].map(dict(weights))
    wild = pois["category"].str.split("=").str[0] + "=*"
    w = w.fillna(wild.map(dict(weights))).fillna(0.0).to_numpy(dtype=float)
    pois = pois.loc[w > 0].copy()
    pois["weight"] = w[w > 0]
    pois = pois[["id", "name", "category", "weight", "lon", "lat", "geometry"]].reset_index(
        drop=True
    )
    log.info("derived %d hotspots from POIs, total weight %.1f", len(pois), pois["weight"].sum())
    return gpd.GeoDataFrame(pois, geometry="geometry", crs=WGS84)
