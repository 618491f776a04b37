"""The halo of a district, and the network, stations and candidates clipped to it.

A station can serve a hotspot within ``T`` (the largest threshold) only if the straight
line between them is at most ``v·T``: ``v`` the mode's top speed (or the network's fastest
road, if any is faster), because the ride is at most ``v`` and the access legs (walked at
:data:`~planner.core.defaults.ACCESS_WALK_SPEED_KPH`, never faster than riding) count in
``T`` too. So the sites that serve a district lie within

``sites_m = v·T + snap_max_m + spacing_m``

of its polygon: the snapping allowance covers a point's walk to the road, and the minimum
spacing lets a station just beyond the reach still rule out a candidate too close to it,
as in a one-machine run. The network is clipped to ``sites_m + snap_max_m``: every road
within a ride of ``T`` and every site's own nearest road lie inside, so the district's
snapping and travel times are those of the whole network. Segments keep their order, so
ties break as on the whole network, and nodes keep their part of the whole network.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import shapely

from ..inputs.network import Network
from ..plan.request import PlanRequest


@dataclass(frozen=True)
class Halo:
    """How far beyond a district's polygon its sites and its network reach (m)."""

    speed_kph: float
    sites_m: float
    network_m: float


def halo(network: Network, request: PlanRequest) -> Halo:
    """The halo of every district planned on ``network`` for ``request``."""
    s = network.segments
    fastest = np.minimum(s["fwd_s"].to_numpy(), s["bwd_s"].to_numpy())
    ok = np.isfinite(fastest) & (fastest > 0)
    road_kph = float((s["length_m"].to_numpy()[ok] / fastest[ok]).max() * 3.6) if ok.any() else 0
    speed = max(float(network.mode.max_speed_kph), road_kph)
    reach_m = speed / 3.6 * request.thresholds_s[-1]
    sites_m = reach_m + float(request.snap_max_m) + float(request.spacing_m)
    return Halo(speed, sites_m, sites_m + float(request.snap_max_m))


def clip_network(
    network: Network,
    polygon: shapely.Geometry,
    distance_m: float,
    *,
    tree: shapely.STRtree | None = None,
) -> Network:
    """The segments of ``network`` within ``distance_m`` of ``polygon`` (network CRS), in
    their order, with the nodes they use (in theirs); a network of the same mode and CRS.
    ``tree``: the index of the segments' geometries (:func:`segment_tree`), built once for
    many districts."""
    segs = network.segments
    tree = segment_tree(network) if tree is None else tree
    keep = np.sort(tree.query(polygon, predicate="dwithin", distance=distance_m))
    sub = segs.iloc[keep].reset_index(drop=True)
    used = np.unique(np.concatenate([sub["u"].to_numpy(), sub["v"].to_numpy()]))
    new_pos = np.full(network.n_nodes, -1, dtype=np.int64)
    new_pos[used] = np.arange(len(used))
    sub["u"] = new_pos[sub["u"].to_numpy()]
    sub["v"] = new_pos[sub["v"].to_numpy()]
    nodes = network.nodes.iloc[used].reset_index(drop=True)
    report = {
        **network.report,
        "clipped_to_m": round(float(distance_m), 1),
        "segments_clipped": len(sub),
        "nodes_clipped": len(nodes),
    }
    return replace(network, nodes=nodes, segments=sub, report=report)


def segment_tree(network: Network) -> shapely.STRtree:
    """The spatial index of ``network``'s segments, in their order."""
    return shapely.STRtree(network.segments.geometry.values)


def point_tree(points: gpd.GeoDataFrame, crs: object) -> shapely.STRtree:
    """The spatial index of ``points`` (WGS-84) projected to ``crs``, in their order."""
    return shapely.STRtree(points.geometry.to_crs(crs).values)


def within(
    points: gpd.GeoDataFrame,
    polygon: shapely.Geometry,
    distance_m: float,
    *,
    crs: object,
    tree: shapely.STRtree | None = None,
) -> gpd.GeoDataFrame:
    """The rows of ``points`` (WGS-84) within ``distance_m`` of ``polygon`` (in ``crs``), in
    their order. ``tree``: their index (:func:`point_tree`), built once for many districts."""
    if not len(points):
        return points
    tree = point_tree(points, crs) if tree is None else tree
    keep = np.sort(tree.query(polygon, predicate="dwithin", distance=distance_m))
    return points.iloc[keep].reset_index(drop=True)
