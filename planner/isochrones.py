"""Isochrone polygons drawn from the same travel times as the coverage.

For a station and threshold T, a point on a road segment belongs to the isochrone when a
rider starting there reaches the station within T: riding to either end of the segment (as
its directions allow) and on from that node, whose time to the station is already known, or
riding straight along the station's own segment. The reachable pieces of every segment,
including the reachable part of a segment the threshold cuts, are buffered into a polygon.
Polygons of increasing thresholds are nested by construction, and have holes wherever no
road within reach runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import shapely
from shapely import ops

from ._progress import progress
from .config import minutes_label
from .network import Network
from .travel import Snapped, TravelTimes

log = logging.getLogger(__name__)

#: Half-width of the road corridors that make up an isochrone polygon (m).
DEFAULT_BUFFER_M = 40.0
#: Precision grid of polygon overlays (m): on a fixed grid, unions are exact, so a polygon
#: of a larger threshold covers the smaller one without floating-point slivers.
GRID_M = 0.01


def reachable_intervals(
    network: Network,
    node_seconds: np.ndarray,
    *,
    budget_s: float,
    station_segment: int = -1,
    station_fraction: float = 0.0,
    station_access_s: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pieces ``[lo, hi]`` (fractions along segments) from which the station is reachable
    within ``budget_s``. ``node_seconds`` is dense over nodes (``inf`` = out of reach) and
    includes the station's access leg."""
    s = network.segments
    u, v = s["u"].to_numpy(), s["v"].to_numpy()
    fwd, bwd = s["fwd_s"].to_numpy(), s["bwd_s"].to_numpy()
    left_v = budget_s - node_seconds[v]  # time left on arriving at v (riding forward)
    left_u = budget_s - node_seconds[u]  # on arriving at u (riding backward)
    segs, los, his = [], [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (left_v >= 0) & np.isfinite(fwd)
        k = np.flatnonzero(ok)
        segs.append(k)
        los.append(np.clip(1.0 - left_v[k] / fwd[k], 0.0, 1.0))
        his.append(np.ones(len(k)))
        ok = (left_u >= 0) & np.isfinite(bwd)
        k = np.flatnonzero(ok)
        segs.append(k)
        los.append(np.zeros(len(k)))
        his.append(np.clip(left_u[k] / bwd[k], 0.0, 1.0))
        if station_segment >= 0:
            left = budget_s - station_access_s
            j, f = station_segment, station_fraction
            if left >= 0 and np.isfinite(fwd[j]):
                segs.append(np.array([j]))
                los.append(np.array([max(0.0, f - left / fwd[j])]))
                his.append(np.array([f]))
            if left >= 0 and np.isfinite(bwd[j]):
                segs.append(np.array([j]))
                los.append(np.array([f]))
                his.append(np.array([min(1.0, f + left / bwd[j])]))
    seg, lo, hi = np.concatenate(segs), np.concatenate(los), np.concatenate(his)
    return _merge_intervals(seg, lo, hi)


def _merge_intervals(
    seg: np.ndarray, lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Union of the intervals of each segment (sorted by segment, then start)."""
    if len(seg) == 0:
        return seg, lo, hi
    order = np.lexsort((lo, seg))
    seg, lo, hi = seg[order], lo[order], hi[order]
    # running maximum of ``hi`` within each segment; a new piece starts where lo exceeds it
    out_s, out_l, out_h = [], [], []
    cur_s, cur_l, cur_h = seg[0], lo[0], hi[0]
    new_seg = np.r_[True, seg[1:] != seg[:-1]]
    if not (~new_seg).any():
        return seg, lo, hi
    for k in range(1, len(seg)):
        if not new_seg[k] and lo[k] <= cur_h:
            cur_h = max(cur_h, hi[k])
            continue
        out_s.append(cur_s)
        out_l.append(cur_l)
        out_h.append(cur_h)
        cur_s, cur_l, cur_h = seg[k], lo[k], hi[k]
    out_s.append(cur_s)
    out_l.append(cur_l)
    out_h.append(cur_h)
    return np.asarray(out_s), np.asarray(out_l), np.asarray(out_h)


def _pieces(network: Network, seg: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    lines = network.segments.geometry.values
    full = (lo <= 0.0) & (hi >= 1.0)
    out = list(lines[seg[full]])
    part = np.flatnonzero(~full)
    if part.size:
        geoms = lines[seg[part]]
        simple = shapely.get_num_coordinates(geoms) == 2
        if simple.any():
            a = shapely.line_interpolate_point(geoms[simple], lo[part][simple], normalized=True)
            b = shapely.line_interpolate_point(geoms[simple], hi[part][simple], normalized=True)
            out.extend(
                shapely.linestrings(
                    np.stack([shapely.get_coordinates(a), shapely.get_coordinates(b)], axis=1)
                )
            )
        for g, a_, b_ in zip(geoms[~simple], lo[part][~simple], hi[part][~simple], strict=True):
            out.append(ops.substring(g, a_, b_, normalized=True))
    return np.asarray(out, dtype=object)


def station_polygons(
    network: Network,
    times: TravelTimes,
    stations: Snapped,
    thresholds_s: Sequence[float],
    *,
    buffer_m: float = DEFAULT_BUFFER_M,
) -> gpd.GeoDataFrame:
    """One polygon per station and threshold (network CRS): ``station_id, minutes, geometry``.

    Needs ``times`` computed with ``keep_node_times=True``.
    """
    if times.node_seconds is None:
        raise ValueError("travel times were computed without node times; pass keep_node_times")
    ns = times.node_seconds.tocsr()
    n = network.n_nodes
    rows = []
    for i in progress(range(ns.shape[0]), total=ns.shape[0], desc="isochrones"):
        dense = np.full(n, np.inf)
        dense[ns.indices[ns.indptr[i] : ns.indptr[i + 1]]] = ns.data[
            ns.indptr[i] : ns.indptr[i + 1]
        ]
        prev = None
        for t in sorted(thresholds_s):
            if stations.segment[i] < 0:
                poly = shapely.Polygon()
            else:
                seg, lo, hi = reachable_intervals(
                    network,
                    dense,
                    budget_s=t,
                    station_segment=int(stations.segment[i]),
                    station_fraction=float(stations.fraction[i]),
                    station_access_s=float(stations.access_s[i]),
                )
                pieces = _pieces(network, seg, lo, hi)
                # buffering each piece and merging them is ~100x faster in GEOS than
                # buffering one MultiLineString of overlapping pieces
                poly = (
                    shapely.set_precision(
                        shapely.union_all(
                            shapely.buffer(pieces, buffer_m, quad_segs=4), grid_size=GRID_M
                        ),
                        GRID_M,
                    )
                    if len(pieces)
                    else shapely.Polygon()
                )
                if prev is not None:
                    poly = shapely.union(poly, prev, grid_size=GRID_M)
            prev = poly
            rows.append((times.source_ids[i], float(minutes_label(t)), poly))
    return gpd.GeoDataFrame(
        {"station_id": [r[0] for r in rows], "minutes": [r[1] for r in rows]},
        geometry=[r[2] for r in rows],
        crs=network.crs,
    )


def service_areas(polygons: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The dissolved service area of all stations per threshold: ``minutes, geometry``."""
    out = []
    prev = None
    for m in sorted(polygons["minutes"].unique()):
        area = shapely.union_all(
            polygons.loc[polygons["minutes"] == m].geometry.values, grid_size=GRID_M
        )
        if prev is not None:
            area = shapely.union(area, prev, grid_size=GRID_M)
        prev = area
        out.append((m, area))
    return gpd.GeoDataFrame(
        {"minutes": [o[0] for o in out]}, geometry=[o[1] for o in out], crs=polygons.crs
    )
