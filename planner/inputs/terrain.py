"""Terrain: a digital elevation model (DEM) makes each road's speed follow its grade.

The DEM is any raster rasterio reads (GeoTIFF and the rest), in any CRS it states. Every road
segment is cut into pieces of about :data:`SAMPLE_SPACING_M` metres; the ground height at
each piece's ends comes from the DEM (bilinear between cell centres), so a road over a hill
climbs and descends even when its two ends are level. The time of a segment in each
direction is the sum over its pieces of length / speed, the speed of each piece given by the
mode's slope rule (:mod:`planner.core.slope`) on that piece's grade. Where the DEM has no
value (outside it, or a nodata cell) the piece is taken as flat, and the summary says how
many km of road that is.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely

from ..core.errors import InputError
from ..core.slope import SlopeRule

log = logging.getLogger(__name__)

#: Length of the road pieces whose grade is sampled (m).
SAMPLE_SPACING_M = 20.0
#: Most DEM cells read at once; a finer DEM over a larger area is read averaged down to fit.
MAX_CELLS = 40_000_000


@dataclass(frozen=True)
class Sloped:
    """Segment times that follow the slope: seconds each way (``inf`` = not allowed, as
    before) and what the summary states (``report``)."""

    fwd_s: np.ndarray
    bwd_s: np.ndarray
    report: Mapping[str, Any]


def sloped_times(
    geometry: Any,
    length_m: np.ndarray,
    times_s: tuple[np.ndarray, np.ndarray],
    crs: pyproj.CRS,
    dem: str | Path,
    rule: SlopeRule,
    *,
    spacing_m: float = SAMPLE_SPACING_M,
) -> Sloped:
    """The times of segments (line ``geometry`` drawn from u to v in the projected ``crs``,
    ``length_m``, flat ``times_s`` = (u→v, v→u) seconds) once their grades from ``dem``
    (a raster file) are applied with ``rule``."""
    fwd_s, bwd_s = (np.asarray(t, dtype=float) for t in times_s)
    length = np.asarray(length_m, dtype=float)
    seg, cut = _pieces(length, spacing_m)
    starts, ends = _piece_ends(geometry, seg, cut, length)
    z0, z1 = (_heights(pts, crs, dem) for pts in (starts, ends))
    run = (cut[:, 1] - cut[:, 0]) * length[seg]
    known = np.isfinite(z0) & np.isfinite(z1) & (run > 0)
    grade = np.where(known, (z1 - z0) / np.where(run > 0, run, 1.0), 0.0)
    times = []
    for flat_s, sign in ((fwd_s, 1.0), (bwd_s, -1.0)):
        with np.errstate(divide="ignore", invalid="ignore"):
            flat_kph = np.where(np.isfinite(flat_s) & (flat_s > 0), length / flat_s * 3.6, 0.0)
        speed = rule.speed_kph(flat_kph[seg], sign * grade)
        piece_s = np.divide(run, speed / 3.6, out=np.zeros_like(run), where=speed > 0)
        total = np.bincount(seg, weights=piece_s, minlength=len(length))
        times.append(np.where(np.isfinite(flat_s) & (flat_s > 0), total, flat_s))
    report = _report(dem, rule, spacing_m, run, known, grade)
    log.info(
        "terrain: %d road pieces sampled from %s, %.1f km without heights, steepest %.0f%%",
        len(run), Path(dem).name, report["km_without_heights"], 100 * report["steepest_grade"],
    )  # fmt: skip
    return Sloped(times[0], times[1], report)


def _pieces(length: np.ndarray, spacing_m: float) -> tuple[np.ndarray, np.ndarray]:
    """For each piece: its segment, and where it starts and ends along it (fractions)."""
    n = np.maximum(1, np.ceil(length / spacing_m)).astype(np.int64)
    seg = np.repeat(np.arange(len(length)), n)
    first = np.repeat(np.cumsum(n) - n, n)
    k = np.arange(len(seg)) - first
    per = n[seg].astype(float)
    return seg, np.column_stack([k / per, (k + 1) / per])


def _piece_ends(
    geometry: Any, seg: np.ndarray, cut: np.ndarray, length: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The x, y of each piece's start and end on its segment's line."""
    lines = np.asarray(geometry)[seg]
    out = []
    for frac in (cut[:, 0], cut[:, 1]):
        pts = shapely.line_interpolate_point(lines, frac, normalized=True)
        out.append(shapely.get_coordinates(pts))
    return out[0], out[1]


def _heights(xy: np.ndarray, crs: pyproj.CRS, dem: str | Path) -> np.ndarray:
    """Ground height (m) at the points ``xy`` (in ``crs``): bilinear between DEM cell
    centres; NaN outside the DEM or next to a nodata cell."""
    band, transform, dem_crs = _read_window(dem, xy, crs)
    x, y = _to_dem(xy, crs, dem_crs)
    col, row = ~transform @ (x, y)
    col, row = np.asarray(col) - 0.5, np.asarray(row) - 0.5
    c0, r0 = np.floor(col).astype(np.int64), np.floor(row).astype(np.int64)
    h, w = band.shape
    inside = (c0 >= 0) & (r0 >= 0) & (c0 + 1 < w) & (r0 + 1 < h)
    c0c, r0c = np.clip(c0, 0, max(w - 2, 0)), np.clip(r0, 0, max(h - 2, 0))
    fc, fr = col - c0c, row - r0c
    v = [band[r0c + dr, np.minimum(c0c + dc, w - 1)] for dr, dc in ((0, 0), (0, 1), (1, 0), (1, 1))]
    z = (v[0] * (1 - fc) + v[1] * fc) * (1 - fr) + (v[2] * (1 - fc) + v[3] * fc) * fr
    return np.where(inside, z, np.nan)


def _read_window(
    dem: str | Path, xy: np.ndarray, crs: pyproj.CRS
) -> tuple[np.ndarray, Any, pyproj.CRS]:
    """The DEM's first band over the points (as floats, nodata as NaN), its transform and
    CRS; averaged down when the window holds more than :data:`MAX_CELLS` cells."""
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.windows import from_bounds

    name = str(dem)
    if not Path(name).is_file():
        raise InputError(f"--dem {name!r}: no such file; give a DEM raster such as a GeoTIFF")
    try:
        src = rasterio.open(name)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"--dem {name!r}: not a raster rasterio can read ({exc})") from None
    with src:
        if src.crs is None:
            raise InputError(
                f"--dem {name!r} states no coordinate system; write one into the file "
                "(gdal_edit.py -a_srs EPSG:n) and run again"
            )
        dem_crs = pyproj.CRS.from_user_input(src.crs.to_wkt())
        x, y = _to_dem(xy, crs, dem_crs)
        pad = 2 * max(abs(src.res[0]), abs(src.res[1]))
        bounds = (x.min() - pad, y.min() - pad, x.max() + pad, y.max() + pad)
        win = from_bounds(*bounds, transform=src.transform).round_offsets().round_lengths()
        win = win.intersection(rasterio.windows.Window(0, 0, src.width, src.height))
        cells = int(win.width) * int(win.height)
        scale = max(1, math.ceil(math.sqrt(cells / MAX_CELLS)))
        shape = (max(2, int(win.height) // scale), max(2, int(win.width) // scale))
        band = src.read(1, window=win, out_shape=shape, masked=True, resampling=Resampling.average)
        transform = src.window_transform(win) @ rasterio.Affine.scale(
            win.width / shape[1], win.height / shape[0]
        )
    return np.ma.filled(band.astype(float), np.nan), transform, dem_crs


def _to_dem(xy: np.ndarray, crs: pyproj.CRS, dem_crs: pyproj.CRS) -> tuple[np.ndarray, np.ndarray]:
    if pyproj.CRS.from_user_input(crs) == dem_crs:
        return xy[:, 0], xy[:, 1]
    tr = pyproj.Transformer.from_crs(crs, dem_crs, always_xy=True)
    x, y = tr.transform(xy[:, 0], xy[:, 1])
    return np.asarray(x), np.asarray(y)


def _report(
    dem: str | Path,
    rule: SlopeRule,
    spacing_m: float,
    run: np.ndarray,
    known: np.ndarray,
    grade: np.ndarray,
) -> dict[str, Any]:
    km = float(run.sum()) / 1000.0
    steep = np.abs(grade[known])
    return {
        "dem": Path(dem).name,
        **rule.describe(),
        "sample_spacing_m": float(spacing_m),
        "km_sampled": round(km, 3),
        "km_without_heights": round(float(run[~known].sum()) / 1000.0, 3),
        "mean_abs_grade": round(float(np.average(steep, weights=run[known])), 5)
        if known.any()
        else 0.0,
        "steepest_grade": round(float(steep.max()), 5) if known.any() else 0.0,
        "climb_m": round(float(np.sum(np.maximum(grade, 0.0) * run)), 1),
    }


def on_terrain(net: Any, dem: str | Path) -> Any:
    """``net`` (a :class:`planner.inputs.network.Network`) with its segment times following
    the grades of ``dem`` under its mode's slope rule; the report's ``terrain`` says so. A
    mode whose rule is ``none`` (driving) keeps its times, and the report says that too."""
    rule: SlopeRule = net.mode.slope_rule
    warnings = list(net.report.get("warnings", []))
    if not rule.applies:
        warnings.append(
            f"the DEM {Path(dem).name} was given but mode {net.mode.name!r} does not follow "
            "the slope (its rule is none); its speeds are the flat ones"
        )
        return replace(net, report={**net.report, "warnings": warnings})
    seg = net.segments
    out = sloped_times(
        seg.geometry.values, seg["length_m"].to_numpy(),
        (seg["fwd_s"].to_numpy(), seg["bwd_s"].to_numpy()), net.crs, dem, rule,
    )  # fmt: skip
    if out.report["km_without_heights"] > 0:
        warnings.append(
            f"{out.report['km_without_heights']:g} km of road have no height in the DEM "
            f"{Path(dem).name} (outside it or nodata): taken as flat"
        )
    segments = seg.assign(fwd_s=out.fwd_s, bwd_s=out.bwd_s)
    mode = replace(
        net.mode,
        description=f"{net.mode.description}; speeds follow the slope of {Path(dem).name} "
        f"({rule.name} rule)",
        description_zh=f"{net.mode.describe('zh')}；速度随 {Path(dem).name} 的坡度变化"
        f"（{rule.name} 规则）",
    )
    report = {**net.report, "terrain": dict(out.report), "warnings": warnings}
    return replace(net, segments=segments, mode=mode, report=report)
