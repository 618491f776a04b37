"""The map's data, packed small: what :mod:`planner.outputs.map` embeds in the page.

Everything numeric travels as one binary blob (zlib-compressed, base64 in the page) of
unsigned LEB128 varint streams; ``assets/map.js`` decodes it in the browser:

- hotspot coordinates: integer 1e-5 degrees (about 1 m), zig-zag delta-coded in a spatial
  order (coarse grid cells, row by row), so neighbours differ by a few units;
- hotspot weights: varints when every weight is a whole number below 2**31, little-endian
  float64 otherwise (the figures must equal ``summary.json``'s exactly);
- the sparse coverage: for each site (existing stations first, then every candidate) the
  page positions of the hotspots within the widest threshold, sorted, each as
  ``(gap - 1) * K + k`` where ``k`` is the nearest threshold that reaches it;
- shapes (circles, service areas, roads): counts of parts, rings and points, then zig-zag
  deltas of integer 1e-5 degrees.

Polygons are simplified for display with a tolerance in metres that grows with the
district's extent; nested polygons (8 ⊂ 10 ⊂ 15 minutes) stay nested: the widest is
simplified first and each smaller one is clipped by the simplified larger one.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

#: Coordinates are stored as integers of this many degrees (about 1.1 m at the equator).
COORD_STEP = 1e-5
#: The display tolerance is the extent's diagonal over this, between the two bounds (m).
TOLERANCE_SHARE = 4000.0
TOLERANCE_BOUNDS_M = (2.0, 40.0)
#: Roads beyond this many vertices keep only their main classes (largest first).
ROAD_VERTEX_BUDGET = 120_000
#: Road classes from the most to the least important; others come last.
ROAD_CLASSES = (
    ("motorway", "motorway_link", "trunk", "trunk_link"),
    ("primary", "primary_link"),
    ("secondary", "secondary_link"),
    ("tertiary", "tertiary_link"),
    ("unclassified", "residential", "living_street"),
)


def varint(values: np.ndarray) -> bytes:
    """Non-negative integers as unsigned LEB128 (7 bits a byte, high bit = more)."""
    v = np.asarray(values, dtype=np.uint64).ravel()
    if not len(v):
        return b""
    nbytes = np.ones(len(v), dtype=np.int64)
    rest = v >> np.uint64(7)
    while rest.any():
        nbytes += rest > 0
        rest >>= np.uint64(7)
    start = np.cumsum(nbytes) - nbytes
    out = np.zeros(int(nbytes.sum()), dtype=np.uint8)
    for b in range(int(nbytes.max())):
        has = nbytes > b
        chunk = (v[has] >> np.uint64(7 * b)) & np.uint64(0x7F)
        more = (nbytes[has] > b + 1).astype(np.uint64) << np.uint64(7)
        out[start[has] + b] = (chunk | more).astype(np.uint8)
    return out.tobytes()


def zigzag(values: np.ndarray) -> np.ndarray:
    """Signed integers as non-negative ones: 0, -1, 1, -2, ... → 0, 1, 2, 3, ..."""
    v = np.asarray(values, dtype=np.int64)
    return np.where(v < 0, -2 * v - 1, 2 * v).astype(np.uint64)


def grid_units(lonlat: np.ndarray) -> np.ndarray:
    """Degrees as integers of :data:`COORD_STEP`."""
    return np.rint(np.asarray(lonlat, dtype=float) / COORD_STEP).astype(np.int64)


@dataclass
class Blob:
    """Named byte streams packed into one compressed payload."""

    parts: dict[str, tuple[int, int]] = field(default_factory=dict)
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0

    def add(self, name: str, data: bytes) -> None:
        self.parts[name] = (self.size, len(data))
        self.chunks.append(data)
        self.size += len(data)

    def payload(self) -> str:
        """The streams, zlib-compressed (level 9, deterministic) and base64-encoded."""
        return base64.b64encode(zlib.compress(b"".join(self.chunks), 9)).decode("ascii")


def spatial_order(lonlat: np.ndarray, *, cells: int = 64) -> np.ndarray:
    """Positions of the points sorted by coarse grid cell (row by row), then by x: nearby
    points come together, so their deltas are small. Ties keep input order."""
    xy = np.asarray(lonlat, dtype=float).reshape(-1, 2)
    if not len(xy):
        return np.zeros(0, dtype=np.int64)
    lo, hi = xy.min(axis=0), xy.max(axis=0)
    span = np.where(hi > lo, hi - lo, 1.0)
    cell = np.minimum(((xy - lo) / span * cells).astype(np.int64), cells - 1)
    return np.lexsort((xy[:, 0], cell[:, 0], cell[:, 1]))


def points_stream(lonlat: np.ndarray) -> bytes:
    """Points in order as zig-zag deltas of integer 1e-5 degrees (x, y interleaved)."""
    g = grid_units(lonlat).reshape(-1, 2)
    d = np.diff(g, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return varint(zigzag(d.ravel()))


def weights_stream(weights: np.ndarray) -> tuple[bytes, str]:
    """Weights as varints (``"int"``) when all are whole and below 2**31, else float64."""
    w = np.asarray(weights, dtype=float)
    if np.all(np.isfinite(w)) and np.all(w == np.rint(w)) and np.all((w >= 0) & (w < 2**31)):
        return varint(w.astype(np.uint64)), "int"
    return w.astype("<f8").tobytes(), "f64"


def coverage_stream(
    seconds: Sequence[object],
    page_of_column: Sequence[np.ndarray],
    thresholds_s: Sequence[float],
) -> tuple[bytes, np.ndarray]:
    """The hotspots within reach of each site, nearest threshold per pair (see the module).

    Parameters
    ----------
    seconds
        Sparse ``sites × hotspots`` travel-time matrices (seconds), one per group of sites
        (stations, candidates), stacked in this order.
    page_of_column
        Per matrix, the page position of each of its columns (-1: not on the map).
    thresholds_s
        Increasing thresholds (s).

    Returns
    -------
    stream, counts
        The pairs' varints and the number of pairs per site.
    """
    t = np.asarray(thresholds_s, dtype=float)
    k_n = len(t)
    rows, pages, levels, offset = [], [], [], 0
    for m, page in zip(seconds, page_of_column, strict=True):
        coo = m.tocoo()  # type: ignore[attr-defined]
        level = np.searchsorted(t, coo.data, side="left")  # first threshold >= the time
        p = np.asarray(page, dtype=np.int64)[coo.col]
        keep = (level < k_n) & (p >= 0)
        rows.append(coo.row[keep].astype(np.int64) + offset)
        pages.append(p[keep])
        levels.append(level[keep])
        offset += m.shape[0]  # type: ignore[attr-defined]
    r, p, lv = (np.concatenate(a) if a else np.zeros(0, np.int64) for a in (rows, pages, levels))
    order = np.lexsort((p, r))
    r, p, lv = r[order], p[order], lv[order]
    counts = np.bincount(r, minlength=offset).astype(np.int64)
    prev = np.empty_like(p)
    if len(p):
        prev[1:] = p[:-1]
        first = np.ones(len(p), dtype=bool)
        first[1:] = r[1:] != r[:-1]
        prev[first] = -1
    codes = (p - prev - 1) * k_n + lv
    return varint(codes.astype(np.uint64)), counts


def display_tolerance_m(bounds_m: Sequence[float]) -> float:
    """The simplification tolerance (m) for a district with these projected bounds."""
    minx, miny, maxx, maxy = bounds_m
    diag = float(np.hypot(maxx - minx, maxy - miny))
    lo, hi = TOLERANCE_BOUNDS_M
    return float(np.clip(diag / TOLERANCE_SHARE, lo, hi))


def nested_simplify(geoms: Sequence[object], tolerance_m: float) -> list[object]:
    """Simplify polygons that nest (smallest first) so that they still nest: the widest is
    simplified (topology kept) and each smaller one, simplified, is clipped by the simplified
    next larger one."""
    out: list[object] = [None] * len(geoms)
    outer = None
    for i in range(len(geoms) - 1, -1, -1):
        g = geoms[i]
        if g is None or shapely.is_empty(g):
            out[i] = g
            continue
        s = shapely.simplify(shapely.make_valid(g), tolerance_m, preserve_topology=True)
        if outer is not None and not shapely.is_empty(outer):
            s = shapely.intersection(s, outer)
        out[i] = s
        outer = s
    return out


def shapes_stream(geoms: Sequence[object]) -> bytes:
    """Polygons and lines (WGS-84) as one stream: per shape its number of parts; per part its
    number of rings (1 for a line); per ring its number of points, then the points as
    zig-zag deltas of integer 1e-5 degrees from the previous point of the stream. Empty
    shapes have 0 parts; consecutive points that round to the same one are dropped."""
    ints: list[np.ndarray] = []
    last = np.zeros(2, dtype=np.int64)
    for g in geoms:
        parts = _parts(g)
        ints.append(np.array([len(parts)], dtype=np.int64))
        for rings in parts:
            ints.append(np.array([len(rings)], dtype=np.int64))
            for ring in rings:
                ints.append(np.array([len(ring)], dtype=np.int64))
                d = np.diff(ring, axis=0, prepend=last[None, :])
                last = ring[-1]
                ints.append(zigzag(d.ravel()).astype(np.int64))
    return varint(np.concatenate(ints).astype(np.uint64)) if ints else b""


def _parts(g: object) -> list[list[np.ndarray]]:
    """The parts of a geometry, each a list of rings of unique consecutive grid points."""
    if g is None or shapely.is_empty(g):
        return []
    out = []
    for part in shapely.get_parts(g):
        kind = shapely.get_type_id(part)
        if kind == 3:  # polygon
            lines = [shapely.get_exterior_ring(part)] + list(
                shapely.get_interior_ring(part, range(shapely.get_num_interior_rings(part)))
            )
            rings = [r for r in (_ring(x, 4) for x in lines) if r is not None]
            if rings and len(rings[0]):
                out.append(rings)
        elif kind in (1, 2):  # line string, linear ring
            ring = _ring(part, 2)
            if ring is not None:
                out.append([ring])
        elif kind in (4, 5, 6, 7):  # nested collections
            out.extend(_parts(part))
    return out


def _ring(line: object, min_points: int) -> np.ndarray | None:
    g = grid_units(shapely.get_coordinates(line))
    if not len(g):
        return None
    keep = np.ones(len(g), dtype=bool)
    keep[1:] = np.any(g[1:] != g[:-1], axis=1)
    g = g[keep]
    return g if len(g) >= min_points else None


def road_lines(
    segments: gpd.GeoDataFrame, tolerance_m: float, *, budget: int = ROAD_VERTEX_BUDGET
) -> gpd.GeoDataFrame:
    """The roads to draw (network CRS): merged lines, simplified by ``tolerance_m``; when
    they hold more than ``budget`` vertices, only the main classes that fit (at least the
    most important class present), so a country's network stays a few hundred kilobytes."""
    highway = (
        segments["highway"].astype(str).to_numpy()
        if "highway" in segments.columns
        else np.full(len(segments), "", dtype=object)
    )
    rank = np.full(len(segments), len(ROAD_CLASSES), dtype=np.int64)
    for i, classes in enumerate(ROAD_CLASSES):
        rank[np.isin(highway, classes)] = i
    vertices = shapely.get_num_coordinates(segments.geometry.values)
    present = sorted(set(rank.tolist()))
    top = present[0] if present else 0
    for r in present:  # the vertex count before merging and simplifying: an upper bound
        if int(vertices[rank <= r].sum()) <= budget:
            top = r
    chosen = _merged(segments.geometry.values[rank <= top], tolerance_m)
    return gpd.GeoDataFrame(geometry=chosen, crs=segments.crs)


def _merged(lines: np.ndarray, tolerance_m: float) -> np.ndarray:
    if not len(lines):
        return np.zeros(0, dtype=object)
    merged = shapely.line_merge(shapely.multilinestrings(lines))
    return shapely.simplify(shapely.get_parts(merged), tolerance_m)


def page_positions(ids: pd.Index, wanted: np.ndarray) -> np.ndarray:
    """Positions in ``ids`` of each of ``wanted`` (-1 where absent)."""
    return np.asarray(ids.get_indexer(pd.Index(wanted)), dtype=np.int64)
