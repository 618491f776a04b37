"""Rider demand: hotspots as weighted points.

Hotspots come from a table of weighted points, or, when no rider data exist, from the map's
own food and retail POIs as a proxy for rider pick-ups (weights per category in
:data:`planner.inputs._osm.DEMAND_POI_WEIGHTS`).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..core._validate import rows_text
from ..core.crs import WGS84
from ..core.errors import InputError
from . import _osm
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
    ``weight`` (>= 0), ``lon``, ``lat``; ``attrs["crs"]`` says how it was read.
    """
    df = read_point_table(
        path, role="hotspots", crs=crs, id_prefix="H", columns=columns, default_crs=default_crs
    )
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


#: Recognised column names of raw rider points.
RIDER_COLUMNS = (
    "rider",
    "rider_id",
    "courier",
    "courier_id",
    "driver_id",
    "骑手",
    "骑手id",
    "骑手编号",
    "骑手ID",
)
TIME_COLUMNS = ("time", "timestamp", "datetime", "时间", "时间戳", "定位时间")
WEIGHT_BY = ("count", "riders", "dwell")
EARTH_RADIUS_M = 6_371_008.8


def hotspots_from_points(
    path: str | os.PathLike[str],
    *,
    eps_m: float = 150.0,
    min_points: int = 5,
    weight_by: str = "count",
    crs: str | int | None = "wgs84",
    columns: dict[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Cluster raw rider points (GPS pings or order pick-ups) into weighted hotspots.

    DBSCAN (scikit-learn) on a haversine ball tree: points within ``eps_m`` metres chain into
    a cluster when a core point has at least ``min_points`` neighbours; isolated points are
    noise and are left out (their count is logged).

    Parameters
    ----------
    path
        CSV / XLSX / GeoJSON of points with lon/lat, optionally a rider id column
        (``rider_id``, ``骑手编号``...) and a time column (``timestamp``, ``时间``...).
    eps_m
        Neighbourhood radius in metres.
    min_points
        Points needed around a core point.
    weight_by
        ``"count"`` (points), ``"riders"`` (distinct riders; needs a rider column) or
        ``"dwell"`` (minutes riders spend there: per rider, last minus first time in the
        cluster, summed; needs rider and time columns).

    Returns
    -------
    GeoDataFrame
        WGS-84 hotspots ``id, name, weight, points, riders, lon, lat`` (the cluster centre).
    """
    _check_clustering(eps_m, min_points, weight_by)
    df = read_point_table(  # a file that declares its system is read in it (crs: the rest)
        path, role="rider points", default_crs=crs, id_prefix="P", columns=columns
    )
    source = f"rider points file {str(path)!r}"
    rider_col, times = _riders_and_times(df, weight_by, source)
    labels = _cluster_labels(df, eps_m=eps_m, min_points=min_points, source=source)
    keep = labels >= 0
    pts = df.loc[keep].assign(cluster=labels[keep])
    out = _clusters(pts, weight_by, rider_col, None if times is None else times[keep])
    out = out.sort_values(["weight", "lon"], ascending=[False, True]).reset_index(drop=True)
    out.insert(0, "id", [f"C{i + 1}" for i in range(len(out))])
    out.insert(1, "name", [f"cluster {i + 1}" for i in range(len(out))])
    return _frame(out)


def _check_clustering(eps_m: float, min_points: int, weight_by: str) -> None:
    """Raise :class:`InputError` naming every clustering argument out of its range."""
    if weight_by not in WEIGHT_BY:
        raise InputError.about(
            "weight_by", "{weight_by}: use one of {choices}, not {got!r}",
            choices=", ".join(WEIGHT_BY), got=weight_by,
        )  # fmt: skip
    wrong = []
    bad_eps = not (eps_m > 0 and math.isfinite(eps_m))  # NaN fails both, inf the second
    if bad_eps:
        wrong.append("{eps_m}: {eps:g} must be a radius in metres above 0, such as 150")
    if min_points < 1:
        wrong.append("{min_points}: {points} must be at least 1, such as 5")
    if wrong:
        field = "eps_m" if bad_eps else "min_points"
        raise InputError.about(field, "; ".join(wrong), eps=eps_m, points=min_points)


def _riders_and_times(
    df: pd.DataFrame, weight_by: str, source: str
) -> tuple[str | None, pd.Series | None]:
    """The rider id column (None if there is none) and, to weigh by dwell, the times.

    Raises :class:`InputError` when ``weight_by`` needs a column the file lacks, or when a
    time cannot be read.
    """
    lower = {str(c).strip().lower(): c for c in df.columns}
    rider_col = next((lower[c.lower()] for c in RIDER_COLUMNS if c.lower() in lower), None)
    time_col = next((lower[c.lower()] for c in TIME_COLUMNS if c.lower() in lower), None)
    if weight_by in ("riders", "dwell") and rider_col is None:
        raise InputError.about(
            "weight_by",
            "{source}: {weight_by}={how!r} needs a rider id column (one of {names}, 骑手编号); "
            "add one, or weigh by count",
            source=source, how=weight_by, names=", ".join(RIDER_COLUMNS[:4]),
        )  # fmt: skip
    if weight_by != "dwell":
        return rider_col, None
    if time_col is None:
        raise InputError.about(
            "weight_by",
            "{source}: {weight_by}='dwell' needs a time column (timestamp, 时间); add one, or "
            "weigh by count or riders",
            source=source,
        )
    return rider_col, read_times(df[time_col], source=source, column=str(time_col))


#: A time of day followed by a UTC offset: ``Z``, ``UTC``, ``+08:00``, ``-0500``, ``+08``.
_OFFSET = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"


def read_times(values: pd.Series, *, source: str, column: str) -> pd.Series:
    """Times of a column as naive datetimes, in UTC when the times carry offsets.

    Times that all carry a UTC offset (``2026-05-01T12:00:00+08:00``, ``...04:10:00Z``) are
    converted to UTC, so mixed offsets compare correctly; times without offsets are kept as
    they are (local time). A column mixing both is refused, naming the rows of each kind,
    since a time without an offset has no place on the UTC line. Raises
    :class:`InputError` naming the rows that are not dates and times.
    """
    text = values.astype("string").str.strip()
    given = text.notna() & (text != "")
    aware = text.str.contains(_OFFSET, regex=True, na=False).to_numpy(dtype=bool)
    naive = given.to_numpy(dtype=bool) & ~aware
    if aware.any() and naive.any():
        raise InputError(
            f"{source}, column {column!r}: mixes times with a UTC offset "
            f"({rows_text(np.flatnonzero(aware))}) and without "
            f"({rows_text(np.flatnonzero(naive))}); give every time an offset (such as +08:00 "
            "or Z) or none"
        )
    if aware.any():
        times = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        times = times.dt.tz_localize(None)
    else:
        times = pd.to_datetime(text, errors="coerce")
    bad = np.flatnonzero(times.isna().to_numpy())
    if bad.size:
        raise InputError(
            f"{source}: {rows_text(bad)}, column {column!r}: not a "
            "date and time; use ISO form such as 2026-05-01 12:30:00"
        )
    return pd.Series(times.to_numpy(), index=values.index)


def _cluster_labels(df: pd.DataFrame, *, eps_m: float, min_points: int, source: str) -> np.ndarray:
    """DBSCAN label of every point (-1 = noise); raises when every point is noise."""
    from sklearn.cluster import DBSCAN

    xy = np.radians(df[["lat", "lon"]].to_numpy(dtype=float))
    labels: np.ndarray = DBSCAN(
        eps=eps_m / EARTH_RADIUS_M,
        min_samples=min_points,
        metric="haversine",
        algorithm="ball_tree",
    ).fit_predict(xy)
    keep = labels >= 0
    log.info(
        "clustered %d rider points into %d hotspots; %d isolated points left out",
        len(df),
        len(set(labels[keep])),
        int((~keep).sum()),
    )
    if not keep.any():
        raise InputError.about(
            "min_points",
            "{source}: no cluster of {points} points within {eps:g} m; lower {min_points} or "
            "raise {eps_m}",
            source=source, points=min_points, eps=eps_m,
        )  # fmt: skip
    return labels


def _clusters(
    pts: pd.DataFrame, weight_by: str, rider_col: str | None, times: pd.Series | None
) -> pd.DataFrame:
    """Per cluster (in label order): centre ``lon, lat``, ``points``, ``riders`` and the
    ``weight`` ``weight_by`` asks for."""
    grouped = pts.groupby("cluster", sort=True)
    out = pd.DataFrame(
        {"lon": grouped["lon"].mean(), "lat": grouped["lat"].mean(), "points": grouped.size()}
    )
    out["riders"] = grouped[rider_col].nunique() if rider_col else np.nan
    if weight_by == "count":
        out["weight"] = out["points"].astype(float)
    elif weight_by == "riders":
        out["weight"] = out["riders"].astype(float)
    else:
        assert times is not None and rider_col is not None
        out["weight"] = _dwell_minutes(pts, rider_col, times).reindex(out.index).fillna(0.0)
    return out


def _dwell_minutes(pts: pd.DataFrame, rider_col: str, times: pd.Series) -> pd.Series:
    """Per cluster: the minutes each rider spends there (last minus first time), summed."""
    span = pd.DataFrame(
        {
            "cluster": pts["cluster"].to_numpy(),
            "rider": pts[rider_col].to_numpy(),
            "t": times.to_numpy(),
        }
    )
    per = span.groupby(["cluster", "rider"])["t"].agg(["min", "max"])
    minutes = (per["max"] - per["min"]).dt.total_seconds() / 60.0
    return minutes.groupby(level=0).sum()
