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
import scipy.sparse as sp
import shapely

#: Coordinates are stored as integers of this many degrees (about 1.1 m at the equator).
COORD_STEP = 1e-5
#: The display tolerance is the extent's diagonal over this, between the two bounds (m):
#: about half a pixel when the whole district fills a screen.
TOLERANCE_SHARE = 2000.0
TOLERANCE_BOUNDS_M = (2.0, 50.0)
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


def _unsigned(values: np.ndarray) -> np.ndarray:
    """``values`` as unsigned integers, 32-bit when they fit (half the memory traffic)."""
    v = np.asarray(values).ravel()
    if v.dtype != np.uint32 and (not len(v) or int(v.max()) < 2**32):
        return v.astype(np.uint32)
    return v.astype(np.uint64) if v.dtype != np.uint32 else v


def varint_sizes(values: np.ndarray) -> np.ndarray:
    """The number of bytes of each value as a varint."""
    v = _unsigned(values)
    nbytes = np.ones(len(v), dtype=np.int64)
    for b in range(1, 10):
        more = v >= (1 << (7 * b))
        if not more.any():
            break
        nbytes += more
    return nbytes


def varint(values: np.ndarray, sizes: np.ndarray | None = None) -> bytes:
    """Non-negative integers as unsigned LEB128 (7 bits a byte, high bit = more);
    ``sizes``: their :func:`varint_sizes` when the caller has them."""
    v = _unsigned(values)
    if not len(v):
        return b""
    nbytes = varint_sizes(v) if sizes is None else sizes
    start = np.cumsum(nbytes) - nbytes
    out = np.zeros(int(nbytes.sum()), dtype=np.uint8)
    one = v.dtype.type
    for b in range(int(nbytes.max())):
        has = nbytes > b if b else slice(None)
        chunk = ((v[has] >> one(7 * b)) & one(0x7F)).astype(np.uint8)
        more = (nbytes[has] > b + 1).astype(np.uint8) << np.uint8(7)
        out[start[has] + b] = chunk | more
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

    def add_shapes(self, name: str, geoms: Sequence[object]) -> None:
        """The four streams of :func:`shapes_stream`, as ``name.sp``, ``name.pr``..."""
        for key, data in shapes_stream(geoms).items():
            self.add(f"{name}.{key}", data)

    def payload(self) -> str:
        """The streams, zlib-compressed (deterministic) and base64-encoded."""
        return base64.b64encode(zlib.compress(b"".join(self.chunks), 6)).decode("ascii")


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
) -> tuple[bytes, np.ndarray, np.ndarray]:
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
    stream, counts, sizes
        The pairs' varints, the number of pairs per site and the bytes per site (so that a
        page can decode one site's list when it is first switched on).
    """
    t = np.asarray(thresholds_s, dtype=float)
    k_n = len(t)
    blocks = []
    n_pages = max((int(np.max(p)) + 1 for p in page_of_column if len(p)), default=0)
    for m, page in zip(seconds, page_of_column, strict=True):
        csr = sp.csr_matrix(m)  # rows are sites: each site's pairs together
        csr.sum_duplicates()
        level = np.searchsorted(t, csr.data, side="left")  # first threshold >= the time
        p = np.asarray(page, dtype=np.int64)[csr.indices]
        keep = (level < k_n) & (p >= 0)
        row = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
        indptr = np.zeros(csr.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(row[keep], minlength=csr.shape[0]), out=indptr[1:])
        # stored as level + 1 so that level 0 is not an implicit zero; each row sorted
        block = sp.csr_matrix((level[keep] + 1, p[keep], indptr), shape=(csr.shape[0], n_pages))
        block.sort_indices()
        blocks.append(block)
    both = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, 0))
    both.sort_indices()  # a no-op where the blocks' rows are sorted
    counts = np.diff(both.indptr).astype(np.int64)
    p = both.indices.astype(np.int64)
    prev = np.empty_like(p)
    if len(p):
        prev[1:] = p[:-1]
        prev[both.indptr[:-1][counts > 0]] = -1
    codes = ((p - prev - 1) * k_n + (both.data.astype(np.int64) - 1)).astype(np.uint64)
    row = np.repeat(np.arange(len(counts)), counts)
    each = varint_sizes(codes)
    sizes = np.bincount(row, weights=each, minlength=len(counts)).astype(np.int64)
    return varint(codes, each), counts, sizes


def display_tolerance_m(bounds_m: Sequence[float]) -> float:
    """The simplification tolerance (m) for a district with these projected bounds."""
    minx, miny, maxx, maxy = bounds_m
    diag = float(np.hypot(maxx - minx, maxy - miny))
    lo, hi = TOLERANCE_BOUNDS_M
    return float(np.clip(diag / TOLERANCE_SHARE, lo, hi))


def nested_simplify(
    geoms: Sequence[object], tolerance_m: float, *, valid: bool = False
) -> list[object]:
    """Simplify polygons that nest (smallest first) so that they still nest: the widest is
    simplified and each smaller one, simplified, is clipped by the simplified next larger
    one. ``valid``: the polygons are known to be valid (a plan's are), so they are not
    checked and repaired first.

    Each polygon is simplified with Douglas-Peucker (GEOS keeps its polygons valid), and
    with the slower topology-preserving simplifier only where that result is not a valid
    polygon: on the staircase outlines of traced isochrones the first is several times
    faster."""
    out: list[object] = [None] * len(geoms)
    outer = None
    for i in range(len(geoms) - 1, -1, -1):
        g = geoms[i]
        if g is None or shapely.is_empty(g):
            out[i] = g
            continue
        if not valid and not shapely.is_valid(g):
            g = shapely.make_valid(g)
        s = _simplified(g, tolerance_m)
        if outer is not None and not shapely.is_empty(outer) and not shapely.covers(outer, s):
            s = shapely.intersection(s, outer)
        out[i] = s
        outer = s
    return out


def _simplified(g: object, tolerance_m: float) -> object:
    """``g`` simplified by ``tolerance_m`` (see :func:`nested_simplify`)."""
    s = shapely.simplify(g, tolerance_m, preserve_topology=False)
    if (
        shapely.is_empty(s)
        or not shapely.is_valid(s)
        or shapely.get_type_id(s) != shapely.get_type_id(g)
    ):
        s = shapely.simplify(g, tolerance_m, preserve_topology=True)
    return s


def shapes_stream(geoms: Sequence[object]) -> dict[str, bytes]:
    """Polygons and lines (WGS-84) as four streams: ``sp`` the number of parts of each shape,
    ``pr`` the number of rings of each part (1 for a line), ``rp`` the number of points of
    each ring, and ``xy`` the points as zig-zag deltas of integer 1e-5 degrees from the
    previous point of the stream. Empty shapes have 0 parts; consecutive points of a ring
    that round to the same one are dropped."""
    arr = np.asarray(list(geoms), dtype=object)
    arr = np.where(shapely.is_geometry(arr), arr, shapely.Polygon())
    parts, part_of = shapely.get_parts(arr, return_index=True)
    keep = ~shapely.is_empty(parts)
    parts, part_of = parts[keep], part_of[keep]
    polygon = shapely.get_type_id(parts) == 3
    rings = np.empty(0, dtype=object)
    ring_of = np.empty(0, dtype=np.int64)
    if polygon.any():
        rings, ring_of = shapely.get_rings(parts[polygon], return_index=True)
        ring_of = np.flatnonzero(polygon)[ring_of]
    lines = np.flatnonzero(~polygon)
    all_rings = np.concatenate([rings, parts[lines]])
    all_of = np.concatenate([ring_of, lines]).astype(np.int64)
    order = np.argsort(all_of, kind="stable")  # rings in part order, exterior first
    all_rings, all_of = all_rings[order], all_of[order]
    xy, point_of = shapely.get_coordinates(all_rings, return_index=True)
    g = grid_units(xy)
    same = np.zeros(len(g), dtype=bool)
    same[1:] = np.all(g[1:] == g[:-1], axis=1) & (point_of[1:] == point_of[:-1])
    g, point_of = g[~same], point_of[~same]
    d = np.diff(g, axis=0, prepend=np.zeros((1, 2), dtype=np.int64))
    return {
        "sp": varint(np.bincount(part_of, minlength=len(arr)).astype(np.uint64)),
        "pr": varint(np.bincount(all_of, minlength=len(parts)).astype(np.uint64)),
        "rp": varint(np.bincount(point_of, minlength=len(all_rings)).astype(np.uint64)),
        "xy": varint(zigzag(d.ravel())),
    }


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
