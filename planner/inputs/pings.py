"""Rider points (GPS pings, order pick-ups) into weighted hotspots, no point dropped unsaid.

Pings of a rider (a file with rider id and time columns) are read as a track, in time order:

1. **Moving or not.** A ping's speed is the distance from the rider's previous ping at least
   :data:`SPEED_WINDOW_S` seconds earlier, over the time between them (with pings that far
   apart or more, simply the previous ping; the window keeps the GPS jitter of a waiting rider
   from reading as riding). Faster than ``moving_kph`` is *moving*: riding through, never
   dwell and never demand.
2. **Stays.** Consecutive slow pings of one rider within ``stay_radius_m`` of the first of
   them, lasting at least ``stay_min_s`` and without a gap over :data:`STAY_GAP_S`, are one
   *stay* (a wait at a restaurant, a pick-up). Slow pings that last shorter are a *brief
   halt* (a red light, a queue).
3. **Hotspots.** Stays are grouped with a bounded diameter: ``method="cluster"`` links stays
   within ``eps_m`` (DBSCAN, scikit-learn) and splits any group wider than ``max_diameter_m``
   by complete linkage (SciPy), whose groups are never wider than the cut; ``method="hex"``
   groups them by H3 cell of resolution ``hex_res``. A lone stay is a hotspot of its own.

A file without a rider id or without a time column (order pick-ups) has no tracks: each point
is a *stop*, grouped the same way. Every point is counted under exactly one reason
(:class:`PointCounts`); the counts add up to the rows of the file.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import asdict, dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ..core._times import read_times
from ..core.crs import WGS84, projected_crs_for
from ..core.errors import InputError
from . import ping_hours
from ._ping_checks import METHODS as METHODS  # the choices, named here for the CLI
from ._ping_checks import WEIGHT_BY as WEIGHT_BY
from ._ping_checks import check_options as _check_options
from .points import read_point_table

log = logging.getLogger(__name__)

#: Recognised column names of raw rider points.
RIDER_COLUMNS = ("rider", "rider_id", "courier", "courier_id", "driver_id", "骑手", "骑手id",
                 "骑手编号", "骑手ID")  # fmt: skip
TIME_COLUMNS = ("time", "timestamp", "datetime", "时间", "时间戳", "定位时间")

#: Defaults. 5 km/h is a brisk walk: riders walk the last metres, e-bikes ride at 15-20 km/h.
MOVING_KPH = 5.0
STAY_RADIUS_M = 100.0
STAY_MIN_S = 60.0
EPS_M = 150.0
MAX_DIAMETER_M = 300.0
HEX_RES = 9
#: Speed is measured over at least this many seconds (see the module's description).
SPEED_WINDOW_S = 30.0
#: A gap between two pings longer than this ends a stay (the rider's app was off).
STAY_GAP_S = 600.0
#: Side of the grid cells the cluster method works on, as a share of the smaller of the
#: linking distance and the widest hotspot (see :func:`_cluster_groups`).
_GRID_SHARE = 0.1
#: Groups larger than this are first halved (as a k-d tree does) before complete linkage,
#: whose distance matrix grows with the square of the group.
_LINKAGE_MAX = 2000

_STAY, _MOVING, _BRIEF, _NO_RIDER, _NO_TIME, _OUTSIDE = range(6)


@dataclass(frozen=True)
class PointCounts:
    """What became of every point of the file: the counts add up to ``total``.

    ``stays``: pings in a stay, in a hotspot. ``stops``: points taken as stops as they are
    (no rider or no time column), in a hotspot. ``moving``: faster than ``moving_kph``.
    ``brief``: slow, but for less than ``stay_min_s``. ``no_rider`` / ``no_time``: the row's
    rider id or time is empty or unreadable. ``outside``: beyond ``bounds``.
    """

    total: int
    stays: int
    stops: int
    moving: int
    brief: int
    no_rider: int
    no_time: int
    outside: int

    def lines(self, *, moving_kph: float, stay_radius_m: float, stay_min_s: float) -> list[str]:
        """One line per reason, as the command prints them."""
        return [
            f"{self.total} rider points read:",
            f"  {self.stays} in hotspots as stays (slow pings within {stay_radius_m:g} m for "
            f"at least {stay_min_s:g} s)",
            f"  {self.stops} in hotspots as stops (no rider or no time column: each point a stop)",
            f"  {self.moving} moving (faster than {moving_kph:g} km/h): ride-through",
            f"  {self.brief} brief halts (slow for under {stay_min_s:g} s)",
            f"  {self.no_rider} without a rider id",
            f"  {self.no_time} without a readable time",
            f"  {self.outside} outside the bounds",
        ]


def hotspots_from_points(
    path: str | os.PathLike[str],
    *,
    method: str = "cluster",
    max_diameter_m: float = MAX_DIAMETER_M,
    eps_m: float = EPS_M,
    hex_res: int = HEX_RES,
    moving_kph: float = MOVING_KPH,
    stay_radius_m: float = STAY_RADIUS_M,
    stay_min_s: float = STAY_MIN_S,
    weight_by: str = "count",
    bounds: tuple[float, float, float, float] | None = None,
    crs: str | int | None = "wgs84",
    columns: dict[str, str] | None = None,
    by_hour: bool = False,
) -> gpd.GeoDataFrame:
    """Hotspots from raw rider points: stays of riders (or stops), grouped, none left out.

    Parameters
    ----------
    path
        CSV / XLSX / GeoJSON of points with lon/lat, optionally a rider id column
        (``rider_id``, ``骑手编号``...) and a time column (``timestamp``, ``时间``...).
    method, max_diameter_m, eps_m, hex_res
        ``"cluster"``: stays linked within ``eps_m`` m, split to ``max_diameter_m`` across at
        most; ``"hex"``: one hotspot per H3 cell of resolution ``hex_res`` (0-15).
    moving_kph, stay_radius_m, stay_min_s
        Faster pings are moving; a stay keeps within the radius for at least the seconds.
    weight_by
        ``"count"`` (stays or stops), ``"riders"`` (distinct riders; needs a rider column) or
        ``"dwell"`` (minutes of the stays, summed; needs rider and time columns).
    bounds
        ``(west, south, east, north)`` in WGS-84 degrees; points beyond are counted outside.

    Returns
    -------
    GeoDataFrame
        WGS-84 hotspots ``id, name, weight, points, stays, riders, dwell_min, diameter_m,
        lon, lat`` (and ``h3``), heaviest first; ``attrs["counts"]``: :class:`PointCounts`.
        With ``by_hour``, the demand of each hour of day ``h00``…``h23`` (:mod:`.ping_hours`).
    """
    _check_options(locals())
    df = read_point_table(  # a file that declares its system is read in it (crs: the rest)
        path, role="rider points", default_crs=crs, id_prefix="P", columns=columns
    )
    source = f"rider points file {str(path)!r}"
    rider_col, time_col = _rider_and_time_columns(df, weight_by, source)
    rules = {"moving_kph": moving_kph, "stay_radius_m": stay_radius_m, "stay_min_s": stay_min_s}
    stay_of, reason, xy, riders, secs = _classify(df, rider_col, time_col, source, rules, bounds)
    counts = _counts(reason, tracks=bool(rider_col and time_col))
    stays = _stay_table(stay_of, xy, df["lon"].to_numpy(), df["lat"].to_numpy(), riders, secs)
    _check_stays(stays, counts.lines(**rules)[3:], source)
    labels, cells = _groups(stays, method, hex_res, eps_m, max_diameter_m)
    hourly = None if not by_hour else ping_hours.table(
        df, time_col, stay_of, secs, stays, labels, weight_by, source=source)  # fmt: skip
    found = _hotspots(stays, labels, weight_by, riders=rider_col is not None, cells=cells,
                      hourly=hourly)  # fmt: skip
    found.attrs["counts"] = counts
    log.info("%d hotspots from %d stays or stops; %s", len(found), len(stays), asdict(counts))
    return found


def _check_stays(stays: pd.DataFrame, lines: list[str], source: str) -> None:
    """No stay or stop at all is an error that says what became of the points."""
    if stays.empty:
        reasons = "; ".join(line.strip() for line in lines)
        raise InputError(f"{source}: no point is a stay or a stop ({reasons}); check the rider "
                         "and time columns, the bounds and the speed")  # fmt: skip


def _groups(
    stays: pd.DataFrame, method: str, hex_res: int, eps_m: float, max_diameter_m: float
) -> tuple[np.ndarray, np.ndarray | None]:
    """Group label of each stay (and with ``method="hex"`` the H3 cell of each group)."""
    if method == "hex":
        return _hex_groups(stays, hex_res)
    return _cluster_groups(stays[["x", "y"]].to_numpy(), eps_m, max_diameter_m), None


def _classify(
    df: pd.DataFrame,
    rider_col: str | None,
    time_col: str | None,
    source: str,
    rules: dict[str, float],
    bounds: tuple[float, float, float, float] | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """The stay (or stop) of every point (-1: none) and its reason code, with the points in
    metres (UTM), the rider codes and the seconds (None without a time column)."""
    lon, lat = df["lon"].to_numpy(dtype=float), df["lat"].to_numpy(dtype=float)
    to_m = pyproj.Transformer.from_crs(WGS84, projected_crs_for(lon, lat), always_xy=True)
    xy = np.column_stack(to_m.transform(lon, lat))
    riders = _codes(df[rider_col]) if rider_col else np.full(len(df), -1)
    secs = None
    if time_col is not None:
        secs = _seconds(read_times(df[time_col], source=source, column=str(time_col)))
    if rider_col and secs is not None:
        stay_of, reason = _tracks(xy, riders, secs, rules["moving_kph"],
                                  rules["stay_radius_m"], rules["stay_min_s"])  # fmt: skip
    else:
        stay_of, reason = np.arange(len(df)), np.full(len(df), _STAY, dtype=np.int8)
    if bounds is not None:
        west, south, east, north = bounds
        out = ~((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north))
        stay_of, reason = np.where(out, -1, stay_of), np.where(out, _OUTSIDE, reason)
    return stay_of, reason, xy, riders, secs


def _rider_and_time_columns(
    df: pd.DataFrame, weight_by: str, source: str
) -> tuple[str | None, str | None]:
    """The rider id and time columns (None where the file has none).

    Raises :class:`InputError` when ``weight_by`` needs a column the file lacks.
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
    if weight_by == "dwell" and time_col is None:
        raise InputError.about(
            "weight_by",
            "{source}: {weight_by}='dwell' needs a time column (timestamp, 时间); add one, or "
            "weigh by count or riders",
            source=source,
        )
    if (rider_col is None) != (time_col is None):
        log.warning(
            "%s: a %s column but no %s column: pings cannot be followed per rider, so each "
            "point is a stop (moving riders cannot be told apart)",
            source, "rider" if rider_col else "time", "time" if rider_col else "rider id",
        )  # fmt: skip
    return rider_col, time_col


def _seconds(times: pd.Series) -> np.ndarray:
    """Seconds since the earliest time (NaN where there is none)."""
    ns = times.to_numpy(dtype="datetime64[ns]")
    ok = ~np.isnat(ns)
    out = np.full(len(ns), np.nan)
    if ok.any():
        out[ok] = (ns[ok] - ns[ok].min()) / np.timedelta64(1, "s")
    return out


def _codes(values: pd.Series) -> np.ndarray:
    """Rider ids as integer codes, -1 where the id is empty."""
    text = values.astype("string").str.strip()
    codes, _ = pd.factorize(text.mask(text == ""))
    return codes.astype(np.int64)


def _tracks(
    xy: np.ndarray,
    riders: np.ndarray,
    secs: np.ndarray,
    moving_kph: float,
    radius_m: float,
    min_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The stay of every ping (-1: none) and its reason (see the module's description)."""
    n = len(riders)
    reason = np.where(riders < 0, _NO_RIDER, np.where(np.isnan(secs), _NO_TIME, _BRIEF))
    stay_of = np.full(n, -1)
    idx = np.flatnonzero(reason == _BRIEF)
    idx = idx[np.lexsort((secs[idx], riders[idx]))]
    if not idx.size:
        return stay_of, reason.astype(np.int8)
    r, t, p = riders[idx], secs[idx], xy[idx]
    fast = _speeds(r, t, p) > moving_kph / 3.6
    stays = _runs(r, t, p, fast, radius_m**2, min_s)
    reason[idx[fast]] = _MOVING
    reason[idx[stays >= 0]] = _STAY
    stay_of[idx] = stays
    return stay_of, reason.astype(np.int8)


def _speeds(r: np.ndarray, t: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Speed (m/s) of each ping (sorted by rider, then time) from the rider's previous ping at
    least :data:`SPEED_WINDOW_S` earlier; without one, from the rider's first ping; the
    first ping itself, to the first ping that far later (or the rider's last)."""
    key = r.astype(float) * 1e10 + t
    first = np.searchsorted(r, r, side="left")
    last = np.searchsorted(r, r, side="right") - 1
    back = np.maximum(np.searchsorted(key, key - SPEED_WINDOW_S, side="right") - 1, first)
    ahead = np.minimum(np.searchsorted(key, key + SPEED_WINDOW_S, side="left"), last)
    other = np.where(np.arange(len(r)) == first, ahead, back)
    dist = np.hypot(*(p - p[other]).T)
    return dist / np.maximum(np.abs(t - t[other]), 1.0)


def _runs(
    r: np.ndarray, t: np.ndarray, p: np.ndarray, fast: np.ndarray, r2: float, min_s: float
) -> np.ndarray:
    """Stay number of each sorted ping (-1: none; a slow ping outside a stay is a brief
    halt)."""
    stays = np.full(len(r), -1)
    gap = np.diff(t, prepend=-np.inf) > STAY_GAP_S
    new = gap | np.diff(r, prepend=-1).astype(bool)
    xs, ys, fl, nl = p[:, 0].tolist(), p[:, 1].tolist(), fast.tolist(), new.tolist()
    ts = t.tolist()
    start, ax, ay, k = -1, 0.0, 0.0, 0
    for i in range(len(r) + 1):
        end = i == len(r)
        if end or fl[i] or nl[i] or start < 0 or (xs[i] - ax) ** 2 + (ys[i] - ay) ** 2 > r2:
            if start >= 0 and ts[i - 1] - ts[start] >= min_s:  # the run start..i-1 stays
                stays[start:i], k = k, k + 1
            start = -1 if end or fl[i] else i
            if start >= 0:
                ax, ay = xs[i], ys[i]
    return stays


def _counts(reason: np.ndarray, *, tracks: bool) -> PointCounts:
    n = np.bincount(reason, minlength=6)
    kept = int(n[_STAY])
    return PointCounts(
        total=len(reason), stays=kept if tracks else 0, stops=0 if tracks else kept,
        moving=int(n[_MOVING]), brief=int(n[_BRIEF]), no_rider=int(n[_NO_RIDER]),
        no_time=int(n[_NO_TIME]), outside=int(n[_OUTSIDE]),
    )  # fmt: skip


def _stay_table(
    stay_of: np.ndarray,
    xy: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    riders: np.ndarray,
    secs: np.ndarray | None,
) -> pd.DataFrame:
    """One row per stay (or stop): centre ``x, y`` (m) and ``lon, lat``, ``pings``,
    ``rider`` (NaN: none) and ``dwell_s`` (NaN without times)."""
    keep = stay_of >= 0
    frame = pd.DataFrame(
        {
            "stay": stay_of[keep], "x": xy[keep, 0], "y": xy[keep, 1], "lon": lon[keep],
            "lat": lat[keep], "rider": np.where(riders[keep] < 0, np.nan, riders[keep]),
            "t": secs[keep] if secs is not None else np.nan,
        }
    )  # fmt: skip
    g = frame.groupby("stay", sort=True)
    stays = g[["x", "y", "lon", "lat"]].mean()
    stays["pings"] = g.size()
    stays["rider"] = g["rider"].first()
    stays["dwell_s"] = g["t"].max() - g["t"].min()
    return stays.reset_index(drop=True)


def _cluster_groups(xy: np.ndarray, eps_m: float, cap_m: float) -> np.ndarray:
    """Group label of each point: linked within ``eps_m`` (DBSCAN, every point a core point),
    each group wider than ``cap_m`` split by complete linkage.

    Both work on the occupied cells of a fine grid (a tenth of the smaller of ``eps_m`` and
    ``cap_m``: 15 m by default), so a thousand pick-ups at one door cost one cell and a
    cell's neighbours within ``eps_m`` are a few hundred at most; the cut allows for the
    cell's size, so no group of the points themselves is wider than ``cap_m``.
    """
    from sklearn.cluster import DBSCAN

    size = _GRID_SHARE * min(eps_m, cap_m)
    cells, inv = np.unique(np.floor(xy / size).astype(np.int64), axis=0, return_inverse=True)
    centres = (cells + 0.5) * size
    cut = cap_m - size * math.sqrt(2)
    linked = DBSCAN(eps=eps_m, min_samples=1).fit_predict(centres)
    wide = np.flatnonzero(_diameters(centres, linked) > cut)
    labels = linked.copy()
    top = int(linked.max()) + 1
    order = np.argsort(linked, kind="stable")
    bounds = np.searchsorted(linked[order], np.arange(top + 1))
    for g in wide:
        members = order[bounds[g] : bounds[g + 1]]
        parts = _complete_linkage(centres[members], cut)
        labels[members] = np.where(parts == 0, g, top + parts - 1)
        top += int(parts.max())
    return np.unique(labels, return_inverse=True)[1].ravel()[inv.ravel()]


def _complete_linkage(pts: np.ndarray, cap_m: float) -> np.ndarray:
    """Labels 0..k-1 of groups no wider than ``cap_m`` (complete linkage, SciPy, cut at
    ``cap_m``); more than :data:`_LINKAGE_MAX` points are first halved at the median of their
    longer side, as a k-d tree does, until each part is small enough."""
    from scipy.cluster.hierarchy import fcluster, linkage

    if len(pts) < 2:
        return np.zeros(len(pts), dtype=np.int64)
    if len(pts) > _LINKAGE_MAX:
        axis = int(np.argmax(np.ptp(pts, axis=0)))
        order = np.argsort(pts[:, axis], kind="stable")
        half = len(pts) // 2
        out = np.empty(len(pts), dtype=np.int64)
        low = _complete_linkage(pts[order[:half]], cap_m)
        out[order[:half]] = low
        out[order[half:]] = _complete_linkage(pts[order[half:]], cap_m) + int(low.max()) + 1
        return out
    parts = fcluster(linkage(pts, method="complete"), t=cap_m, criterion="distance")
    return np.asarray(parts, dtype=np.int64) - 1


def _diameters(xy: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Largest distance between two points of each group ``0..max(labels)`` (metres), from
    the vertices of each group's convex hull (shapely)."""
    from scipy.spatial.distance import pdist

    k = int(labels.max()) + 1
    order = np.argsort(labels, kind="stable")
    hulls = shapely.convex_hull(shapely.multipoints(xy[order], indices=labels[order]))
    coords, which = shapely.get_coordinates(hulls, return_index=True)
    cuts = np.searchsorted(which, np.arange(1, k))
    out = np.zeros(k)
    for g, ring in enumerate(np.split(coords, cuts)):
        if len(ring) > 1:
            out[g] = pdist(ring).max()
    return out


def _hex_groups(stays: pd.DataFrame, res: int) -> tuple[np.ndarray, np.ndarray]:
    """Group label of each stay by its H3 cell (``h3``), and the cell of each group."""
    import h3

    cells = [
        h3.latlng_to_cell(la, lo, res) for lo, la in zip(stays["lon"], stays["lat"], strict=True)
    ]
    labels, uniq = pd.factorize(np.asarray(cells, dtype=object))
    return labels.astype(np.int64), np.asarray(uniq, dtype=object)


def _hotspots(
    stays: pd.DataFrame,
    labels: np.ndarray,
    weight_by: str,
    *,
    riders: bool,
    cells: np.ndarray | None,
    hourly: pd.DataFrame | None = None,
) -> gpd.GeoDataFrame:
    """Per group: centre (mean of its pings), ``points``, ``stays``, ``riders``,
    ``dwell_min``, ``diameter_m`` and the ``weight`` ``weight_by`` asks for."""
    s = stays.assign(group=labels, wlon=stays["lon"] * stays["pings"],
                     wlat=stays["lat"] * stays["pings"])  # fmt: skip
    g = s.groupby("group", sort=True)
    out = pd.DataFrame({"points": g["pings"].sum(), "stays": g.size()})
    out["riders"] = g["rider"].nunique() if riders else np.nan
    dwell = g["dwell_s"].sum(min_count=1) / 60.0
    out["dwell_min"] = dwell
    out["diameter_m"] = np.round(_diameters(stays[["x", "y"]].to_numpy(), labels), 1)
    out["lon"] = g["wlon"].sum() / out["points"]
    out["lat"] = g["wlat"].sum() / out["points"]
    weight = {"count": out["stays"], "riders": out["riders"], "dwell": dwell.fillna(0.0)}
    out.insert(0, "weight", weight[weight_by].astype(float))
    if cells is not None:
        out["h3"] = cells
    out = out if hourly is None else out.join(hourly)  # demand by hour (group labels)
    out = out.sort_values(["weight", "lon"], ascending=[False, True]).reset_index(drop=True)
    out.insert(0, "id", [f"C{i + 1}" for i in range(len(out))])
    kind = "hex" if cells is not None else "cluster"
    out.insert(1, "name", [f"{kind} {i + 1}" for i in range(len(out))])
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=WGS84)
