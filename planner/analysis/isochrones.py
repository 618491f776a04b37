"""Isochrone polygons drawn from the same travel times as the coverage.

For a station and threshold T, a point on a road belongs to the isochrone when a rider
starting there reaches the station within T: riding to either end of its segment (as the
segment's directions allow) and on from that node, whose time to the station is already
known from the travel-time search, or riding straight along the station's own segment.

Every reachable segment is sampled every ``resolution_m / 2`` metres and each sample timed
this way, so the reachable part of a segment that a threshold cuts is included. The samples
are burnt into a raster on a grid shared by all stations, each cell at a level: how many
thresholds a sample in it is within. One dilation of these levels by the disk of
``buffer_m`` (each cell takes the highest level whose cell centre lies within ``buffer_m``
of its own, done as a few separable maximum filters) widens every threshold's reachable
cells at once; the cells of a level or more are turned into the polygon of its threshold
(rasterio). Because the reachable cells of a smaller threshold are a subset of those of a
larger one and all polygons share one grid, the polygons are nested exactly, vertex for
vertex, and have holes wherever no road within reach runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from functools import cache

import geopandas as gpd
import numpy as np
import rasterio.features
import shapely
from affine import Affine
from scipy import ndimage

from ..core._gc import collector_paused
from ..core._progress import progress
from ..core._threads import ordered_map
from ..core.units import minutes as to_minutes
from ..inputs.network import Network
from .travel import Snapped, TravelTimes, ride_seconds

log = logging.getLogger(__name__)

#: Half-width of the road corridors that make up an isochrone polygon (m).
DEFAULT_BUFFER_M = 40.0
#: Cell size of the raster the polygons are traced on (m).
DEFAULT_RESOLUTION_M = 10.0


def sample_times(
    network: Network,
    node_seconds: np.ndarray,
    *,
    limit_s: float,
    spacing_m: float,
    station_segment: int = -1,
    station_fraction: float = 0.0,
    station_access_s: float = 0.0,
    ends: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Points along the roads and their travel time to the station (s), where within limit.

    ``node_seconds`` is dense over nodes (``inf`` = out of reach) and includes the station's
    access leg. Returns ``xy`` (n × 2, network CRS) and ``seconds`` (n).
    """
    s = network.segments
    du, dv = node_seconds[s["u"].to_numpy()], node_seconds[s["v"].to_numpy()]
    near = (du <= limit_s) | (dv <= limit_s)
    if station_segment >= 0:
        near[station_segment] = True
    seg, frac = _samples(s["length_m"].to_numpy(), np.flatnonzero(near), spacing_m)
    if seg.size == 0:
        return np.zeros((0, 2)), np.zeros(0)
    fwd, bwd = s["fwd_s"].to_numpy(), s["bwd_s"].to_numpy()
    # riding forward to v, or backward to u, and on from that node
    t = np.minimum(
        ride_seconds(1.0 - frac, fwd[seg]) + dv[seg], ride_seconds(frac, bwd[seg]) + du[seg]
    )
    if station_segment >= 0:  # or straight along the station's own segment
        own = seg == station_segment
        f = station_fraction
        along = np.where(
            frac[own] <= f,
            ride_seconds(f - frac[own], fwd[station_segment]),
            ride_seconds(frac[own] - f, bwd[station_segment]),
        )
        t[own] = np.minimum(t[own], along + station_access_s)
    keep = t <= limit_s
    xy = _sample_xy(
        network, seg[keep], frac[keep], _segment_ends(network) if ends is None else ends
    )
    return xy, t[keep]


def _samples(
    length_m: np.ndarray, segments: np.ndarray, spacing_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Samples at most ``spacing_m`` apart along each of ``segments``, both ends included:
    the segment of each sample and its fraction along it (0 at ``u``, 1 at ``v``)."""
    n = np.maximum(2, np.ceil(length_m[segments] / spacing_m).astype(np.int64) + 1)
    idx = np.repeat(np.arange(len(segments)), n)
    start = np.repeat(np.cumsum(n) - n, n)
    frac = (np.arange(idx.size) - start) / np.repeat(n - 1, n)
    return segments[idx], frac


def _sample_xy(
    network: Network,
    seg: np.ndarray,
    frac: np.ndarray,
    ends: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> np.ndarray:
    """Coordinates (network CRS) of the points at ``frac`` along segments ``seg``."""
    start, end, straight = ends
    xy = start[seg] + frac[:, None] * (end[seg] - start[seg])
    bent = ~straight[seg]
    if bent.any():  # lines with inner vertices: let GEOS walk along them
        geoms = np.asarray(network.segments.geometry.values, dtype=object)[seg[bent]]
        pts = shapely.line_interpolate_point(geoms, frac[bent], normalized=True)
        xy[bent] = shapely.get_coordinates(pts)
    return xy


def _segment_ends(network: Network) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First and last vertex of every segment, and whether it is a straight 2-point line."""
    geoms = np.asarray(network.segments.geometry.values, dtype=object)
    n_coords = shapely.get_num_coordinates(geoms)
    coords = shapely.get_coordinates(geoms)
    last = np.cumsum(n_coords) - 1
    return coords[last - n_coords + 1], coords[last], n_coords == 2


def _grid(network: Network, resolution_m: float) -> tuple[float, float]:
    """Top-left corner of the raster grid shared by every station (multiples of the cell)."""
    minx, _, _, maxy = network.nodes.total_bounds
    return (np.floor(minx / resolution_m) - 4) * resolution_m, (
        np.ceil(maxy / resolution_m) + 4
    ) * resolution_m


@cache
def _disk_bands(buffer_m: float, resolution_m: float) -> tuple[tuple[int, int], ...]:
    """The disk of cell offsets ``(dr, dc)`` whose centres lie within ``buffer_m`` of the
    centre cell's (``hypot(dr * res, dc * res) <= buffer_m``, as a Euclidean distance
    transform measures it) as a union of centred rectangles ``(half height, half width)``:
    row offset ``d`` holds the columns within its half width, which shrinks with ``d``."""
    k = int(np.ceil(buffer_m / resolution_m)) + 1
    dr, dc = np.mgrid[-k : k + 1, -k : k + 1]
    disk = np.sqrt((dr * resolution_m) ** 2 + (dc * resolution_m) ** 2) <= buffer_m
    half = [(int(disk[k + d].sum()) - 1) // 2 for d in range(k + 1) if disk[k + d].any()]
    return tuple((max(e for e in range(len(half)) if half[e] >= h), h) for h in sorted(set(half)))


def _widened(hit: np.ndarray, buffer_m: float, resolution_m: float) -> np.ndarray:
    """The cells whose centre lies within ``buffer_m`` of a ``hit`` cell's centre (a
    dilation by the disk of :func:`_disk_bands`, each rectangle two 1-D maximum filters);
    ``hit`` holds no hit cell within the disk's radius of its border.

    ``hit`` is boolean, or levels (``uint8``, 0 = not hit): then each cell gets the highest
    level within the disk, so ``widened >= v`` are the cells widened from the cells of level
    ``v`` or more, every level in one pass."""
    src = hit.view(np.uint8)
    out = src.copy()  # the disk holds its centre
    for rows, cols in _disk_bands(float(buffer_m), float(resolution_m)):
        band = src
        for axis, half in ((0, rows), (1, cols)):
            if half:  # a filter of one cell changes nothing
                band = ndimage.maximum_filter1d(band, 2 * half + 1, axis=axis, mode="constant")
        if band is not src:
            np.maximum(out, band, out=out)
    return out.view(bool) if hit.dtype == bool else out


#: rasterio is called by one thread at a time: tracing holds the GIL anyway, and its
#: dataset set-up silences a warning with :class:`warnings.catch_warnings`, which is not
#: safe across threads (the warning would escape).
_TRACING = threading.Lock()


def _polygon(reach: np.ndarray, transform: Affine) -> shapely.Geometry:
    with _TRACING, collector_paused():  # rasterio's vertex tuples hold no cycles
        shapes = [
            shapely.Polygon(
                np.asarray(g["coordinates"][0]), [np.asarray(r) for r in g["coordinates"][1:]]
            )
            for g, _ in rasterio.features.shapes(
                reach.view(np.uint8), mask=reach, transform=transform, connectivity=4
            )
        ]
    if not shapes:
        return shapely.Polygon()
    return shapes[0] if len(shapes) == 1 else shapely.MultiPolygon(shapes)


def _nested(
    levels: np.ndarray, corner: tuple[tuple[float, float], float, int, int], n: int
) -> list[shapely.Geometry]:
    """The polygons of the cells of level ``n`` or more, ``n - 1`` or more... ``1`` or more
    (``levels``: ``uint8``, 0 = not reached; ``corner``: the grid's origin and cell size,
    and the row and column of the top-left cell of ``levels`` on it), smallest first, each
    traced (rasterio) from the smallest window holding its cells; the cells of one are a
    subset of those of the next on one grid, so the polygons nest exactly, vertex for
    vertex."""
    origin, resolution_m, r0, c0 = corner
    out = []
    for k in range(n):
        cells = levels >= n - k
        rows = np.flatnonzero(cells.any(axis=1))
        if rows.size == 0:
            out.append(shapely.Polygon())
            continue
        cols = np.flatnonzero(cells.any(axis=0))
        window = cells[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
        transform = _transform(origin, resolution_m, r0 + int(rows[0]), c0 + int(cols[0]))
        out.append(_polygon(np.ascontiguousarray(window), transform))
    return out


def _transform(origin: tuple[float, float], resolution_m: float, r0: int, c0: int) -> Affine:
    """The transform of the window of the shared grid whose top-left cell is ``(r0, c0)``."""
    x0, y1 = origin
    return Affine(resolution_m, 0.0, x0 + c0 * resolution_m, 0.0,
                  -resolution_m, y1 - r0 * resolution_m)  # fmt: skip


class _Reached:
    """The cells reached by any station, at the highest level any reaches them (see
    :func:`_traced`), on the shared grid: one raster over the windows seen so far (row
    ``r0``, column ``c0`` of its top-left cell), given up (``over``) when it would hold more
    than ``max_cells`` cells."""

    def __init__(self, max_cells: int) -> None:
        self.max_cells, self.over = max_cells, False
        self.r0 = self.c0 = 0
        self.cells: np.ndarray | None = None

    def add(self, r0: int, c0: int, reach: np.ndarray) -> None:
        if self.over:
            return
        if self.cells is None:
            self.r0, self.c0, self.cells = r0, c0, reach.copy()
            return
        (h, w), (hh, ww) = self.cells.shape, reach.shape
        top, left = min(self.r0, r0), min(self.c0, c0)
        bottom, right = max(self.r0 + h, r0 + hh), max(self.c0 + w, c0 + ww)
        if (bottom - top) * (right - left) > self.max_cells:
            self.over, self.cells = True, None
            return
        if (top, left, bottom, right) != (self.r0, self.c0, self.r0 + h, self.c0 + w):
            grown = np.zeros((bottom - top, right - left), dtype=self.cells.dtype)
            grown[self.r0 - top : self.r0 - top + h, self.c0 - left : self.c0 - left + w] = (
                self.cells
            )
            self.r0, self.c0, self.cells = top, left, grown
        part = self.cells[r0 - self.r0 : r0 - self.r0 + hh, c0 - self.c0 : c0 - self.c0 + ww]
        np.maximum(part, reach, out=part)

    def polygons(
        self, origin: tuple[float, float], resolution_m: float, n: int
    ) -> list[shapely.Geometry]:
        """The polygon of each of the ``n`` thresholds, smallest first."""
        if self.cells is None:
            return [shapely.Polygon() for _ in range(n)]
        return _nested(self.cells, (origin, resolution_m, self.r0, self.c0), n)


#: The largest raster of reached cells the service areas are traced from; beyond it (a
#: region of many districts) they are the union of the stations' polygons.
MAX_UNION_CELLS = 50_000_000


def _traced(
    xy: np.ndarray,
    seconds: np.ndarray,
    thresholds_s: Sequence[float],
    origin: tuple[float, float],
    buffer_m: float,
    resolution_m: float,
) -> tuple[tuple[int, int, np.ndarray] | None, list[shapely.Geometry]]:
    """Polygons (one per threshold, ``thresholds_s`` increasing) of the cells within
    ``buffer_m`` of a sample timed within it, and the window of levels they are traced from
    (its top-left row and column on the shared grid, and the levels; None where no sample
    is within), which the service areas gather.

    The samples' cells get a level: the number of thresholds a sample there is within (the
    most where several fall in one cell), so the cells of the smallest threshold have the
    highest level. One widening of these levels gives every threshold's cells, each traced
    from its own window (see :func:`_widened` and :func:`_nested`)."""
    n = len(thresholds_s)
    level = (seconds[:, None] <= np.asarray(thresholds_s, dtype=float)[None, :]).sum(axis=1)
    inside = level > 0
    if not inside.any():
        return None, [shapely.Polygon() for _ in range(n)]
    x0, y1 = origin
    pad = int(np.ceil(buffer_m / resolution_m)) + 2
    col = np.floor((xy[inside, 0] - x0) / resolution_m).astype(np.int64)
    row = np.floor((y1 - xy[inside, 1]) / resolution_m).astype(np.int64)
    level = level[inside].astype(np.uint8)
    # a window of the shared grid around the samples within the largest threshold
    c0, r0 = int(col.min()) - pad, int(row.min()) - pad
    w, h = int(col.max()) + pad + 1 - c0, int(row.max()) + pad + 1 - r0
    hit = np.zeros((h, w), dtype=np.uint8)
    np.maximum.at(hit, (row - r0, col - c0), level)
    reach = _widened(hit, buffer_m, resolution_m)
    return (r0, c0, reach), _nested(reach, (origin, resolution_m, r0, c0), n)


def station_polygons(
    network: Network,
    times: TravelTimes,
    stations: Snapped,
    thresholds_s: Sequence[float],
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
    resolution_m: float = DEFAULT_RESOLUTION_M,
) -> gpd.GeoDataFrame:
    """One polygon per station and threshold (network CRS): ``station_id, minutes, geometry``.

    Needs ``times`` computed with ``keep_node_times=True``.
    """
    return _station_polygons(network, times, stations, thresholds_s, buffer_m, resolution_m)


def station_polygons_and_areas(
    network: Network,
    times: TravelTimes,
    stations: Snapped,
    thresholds_s: Sequence[float],
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
    resolution_m: float = DEFAULT_RESOLUTION_M,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """:func:`station_polygons` and the :func:`service_areas` of all of them, the latter
    traced once from the cells any station reaches (the same cells as the union of the
    polygons, so the same areas, without a polygon union); from the union of the polygons
    where that raster would exceed :data:`MAX_UNION_CELLS` cells."""
    thresholds = sorted(float(t) for t in thresholds_s)
    reached = _Reached(MAX_UNION_CELLS)
    polys = _station_polygons(
        network, times, stations, thresholds, buffer_m, resolution_m, reached=reached
    )
    if reached.over:
        return polys, service_areas(polys)
    origin = _grid(network, resolution_m)
    areas = gpd.GeoDataFrame(
        {"minutes": [to_minutes(t) for t in thresholds]},
        geometry=reached.polygons(origin, resolution_m, len(thresholds)), crs=network.crs,
    )  # fmt: skip
    return polys, areas


def _station_polygons(
    network: Network,
    times: TravelTimes,
    stations: Snapped,
    thresholds_s: Sequence[float],
    buffer_m: float,
    resolution_m: float,
    *,
    reached: _Reached | None = None,
) -> gpd.GeoDataFrame:
    if times.node_seconds is None:
        raise ValueError("travel times were computed without node times; pass keep_node_times")
    thresholds = sorted(float(t) for t in thresholds_s)
    ns = times.node_seconds.tocsr()
    n = network.n_nodes
    origin = _grid(network, resolution_m)
    ends = _segment_ends(network)

    def one(i: int) -> tuple[tuple[int, int, np.ndarray] | None, list[shapely.Geometry]]:
        if stations.segment[i] < 0:
            return None, [shapely.Polygon() for _ in thresholds]
        dense = np.full(n, np.inf)
        lo, hi = ns.indptr[i], ns.indptr[i + 1]
        dense[ns.indices[lo:hi]] = ns.data[lo:hi]
        xy, sec = sample_times(
            network, dense, limit_s=thresholds[-1], spacing_m=resolution_m / 2,
            station_segment=int(stations.segment[i]), station_fraction=float(stations.fraction[i]),
            station_access_s=float(stations.access_s[i]), ends=ends,
        )  # fmt: skip
        return _traced(xy, sec, thresholds, origin, buffer_m, resolution_m)

    ids, minutes, geoms = [], [], []
    # in threads: the sampling and widening leave the GIL while another station is traced
    each = ordered_map(one, range(ns.shape[0]))
    for i, (window, polys) in enumerate(progress(each, total=ns.shape[0], desc="isochrones")):
        if reached is not None and window is not None:
            reached.add(*window)
        for t, p in zip(thresholds, polys, strict=True):
            ids.append(times.source_ids[i])
            minutes.append(to_minutes(t))
            geoms.append(p)
    return gpd.GeoDataFrame(
        {"station_id": ids, "minutes": minutes}, geometry=geoms, crs=network.crs
    )


def service_areas(polygons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The dissolved service area of all stations per threshold: ``minutes, geometry``.

    The station polygons share one grid, so their union is exact and nested.
    """
    out = []
    for m in sorted(polygons["minutes"].unique()):
        out.append((m, shapely.union_all(polygons.loc[polygons["minutes"] == m].geometry.values)))
    return gpd.GeoDataFrame(
        {"minutes": [o[0] for o in out]}, geometry=[o[1] for o in out], crs=polygons.crs
    )
