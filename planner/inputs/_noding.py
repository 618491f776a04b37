"""Turning GIS road lines into a graph: nodes where lines meet, and the flaws of the layer.

Lines are in a projected CRS (metres). Two lines meet where an end of one lies within the
snapping tolerance of the other (of its end, of a vertex, or of a point on it), or where
they share a vertex exactly (within :data:`SAME_POINT_M`). Lines that cross without such a
point (bridges, tunnels, or a junction the layer lacks) stay apart; :func:`flaws` counts
them, with the gaps a little wider than the tolerance and the dangling ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

#: Two vertices this close (m) are the same point, whatever the tolerance.
SAME_POINT_M = 1e-3

#: A dangling end this many tolerances from another line (but not joined) is a gap.
GAP_FACTOR = 5.0


@dataclass(frozen=True)
class Noded:
    """Pieces of road between nodes: ``geometry`` (LineStrings from node ``u`` to node
    ``v``), ``line`` (the input line each piece comes from), ``u``, ``v`` (node positions)
    and ``node_xy`` (``n × 2`` coordinates of the nodes)."""

    geometry: np.ndarray
    line: np.ndarray
    u: np.ndarray
    v: np.ndarray
    node_xy: np.ndarray


def node_lines(lines: np.ndarray, tol_m: float) -> Noded:
    """Node the LineStrings ``lines`` (metres) with the snapping tolerance ``tol_m``.

    An end within ``tol_m`` of another line is joined to it (moved onto its nearest vertex,
    or onto a new vertex there); ends and vertices that meet become one node, placed on the
    vertex of the line met (or the first end). Lines are split at their nodes; interior
    vertices that meet nothing stay inside the pieces.
    """
    lines = _with_landing_vertices(lines, tol_m)
    xy, line_of = shapely.get_coordinates(lines, return_index=True)
    first = np.r_[True, line_of[1:] != line_of[:-1]]
    last = np.r_[line_of[1:] != line_of[:-1], True]
    is_end = first | last
    step = np.r_[0.0, np.hypot(*np.diff(xy, axis=0).T)]
    step[first] = 0.0
    along = pd.Series(step).groupby(line_of).cumsum().to_numpy()
    i, j = _meeting(xy, line_of, is_end, along, tol_m)
    is_node = is_end.copy()
    is_node[i] = is_node[j] = True
    n = len(xy)
    adj = sp.coo_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
    _, label = connected_components(adj, directed=False)
    nodes = np.flatnonzero(is_node)
    # a node sits on the interior vertex of a line met, if any, else on the first end
    order = pd.DataFrame({"label": label[nodes], "end": is_end[nodes], "at": nodes})
    where = order.sort_values(["label", "end", "at"]).drop_duplicates("label")
    node_of_label = pd.Series(np.arange(len(where)), index=where["label"].to_numpy())
    node_id = np.full(n, -1)
    node_id[nodes] = node_of_label.loc[label[nodes]].to_numpy()
    node_xy = xy[where["at"].to_numpy()]
    return _split(xy, line_of, nodes, node_id, node_xy, tol_m)


def _with_landing_vertices(lines: np.ndarray, tol_m: float) -> np.ndarray:
    """``lines`` with a vertex added where an end of another line lies within ``tol_m`` (at
    least :data:`SAME_POINT_M`) of them, away from their vertices (an end that stops just
    short of, or on, a road)."""
    if len(lines) < 2:
        return lines
    reach = max(tol_m, SAME_POINT_M)
    ends = np.concatenate([shapely.get_point(lines, 0), shapely.get_point(lines, -1)])
    owner = np.tile(np.arange(len(lines)), 2)
    e, k = shapely.STRtree(lines).query(ends, predicate="dwithin", distance=reach)
    keep = owner[e] != k
    e, k = e[keep], k[keep]
    at = shapely.line_locate_point(lines[k], ends[e])
    length = shapely.length(lines[k])
    keep = (at > reach) & (at < length - reach)
    if not keep.any():
        return lines
    adds = pd.DataFrame({"line": k[keep], "at": at[keep]})
    out = lines.copy()
    for line, group in adds.groupby("line"):
        out[line] = _insert(lines[line], np.sort(group["at"].to_numpy()), reach)
    return out


def _insert(line: shapely.LineString, at: np.ndarray, tol_m: float) -> shapely.LineString:
    """``line`` with vertices at the distances ``at`` along it, except where a vertex
    already lies within ``tol_m``."""
    xy = shapely.get_coordinates(line)
    along = np.r_[0.0, np.cumsum(np.hypot(*np.diff(xy, axis=0).T))]
    gap = np.abs(at[:, None] - along[None, :]).min(axis=1)
    at = at[gap > tol_m]
    if not len(at):
        return line
    new = shapely.get_coordinates(shapely.line_interpolate_point(line, at))
    pos = np.searchsorted(along, at)
    return shapely.LineString(np.insert(xy, pos, new, axis=0))


def _meeting(
    xy: np.ndarray, line_of: np.ndarray, is_end: np.ndarray, along: np.ndarray, tol_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of vertices that become one node: an end and a vertex within ``tol_m``, or two
    vertices at the same point; on one line only when they lie far apart along it (a loop)."""
    pairs = cKDTree(xy).query_pairs(r=max(tol_m, SAME_POINT_M), output_type="ndarray")
    if not len(pairs):
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    i, j = pairs[:, 0], pairs[:, 1]
    same = np.hypot(*(xy[i] - xy[j]).T) <= SAME_POINT_M
    apart = (line_of[i] != line_of[j]) | (np.abs(along[i] - along[j]) > 2 * tol_m + SAME_POINT_M)
    keep = (is_end[i] | is_end[j] | same) & apart
    return i[keep], j[keep]


def _split(
    xy: np.ndarray,
    line_of: np.ndarray,
    nodes: np.ndarray,
    node_id: np.ndarray,
    node_xy: np.ndarray,
    tol_m: float,
) -> Noded:
    """The pieces of each line between consecutive node vertices ``nodes`` (vertex
    positions in ``xy``), their ends moved onto their nodes; slivers shorter than the
    tolerance that start and end at one node are dropped."""
    a, b = nodes[:-1], nodes[1:]
    same_line = line_of[a] == line_of[b]
    a, b = a[same_line], b[same_line]
    count = b - a + 1
    piece = np.repeat(np.arange(len(a)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    idx = np.repeat(a, count) + offset
    coords = xy[idx].copy()
    starts = np.cumsum(count) - count
    coords[starts] = node_xy[node_id[a]]
    coords[starts + count - 1] = node_xy[node_id[b]]
    geometry = shapely.linestrings(coords, indices=piece)
    u, v = node_id[a], node_id[b]
    keep = (u != v) | (shapely.length(geometry) > 2 * tol_m + SAME_POINT_M)
    used = np.unique(np.concatenate([u[keep], v[keep]]))
    renumber = np.full(len(node_xy), -1)
    renumber[used] = np.arange(len(used))
    return Noded(
        geometry[keep], line_of[a][keep], renumber[u[keep]], renumber[v[keep]], node_xy[used]
    )


def flaws(noded: Noded, tol_m: float) -> dict[str, int]:
    """Counts of the layer's flaws once noded: ``gaps`` (dangling ends within
    :data:`GAP_FACTOR` × ``tol_m`` of another line, not joined), ``dangling_ends`` (nodes of
    one piece only) and ``crossings_without_node`` (pairs of pieces that cross or touch
    where they share no node)."""
    u, v, geom = noded.u, noded.v, noded.geometry
    degree = np.bincount(np.concatenate([u, v]), minlength=len(noded.node_xy))
    dangling = np.flatnonzero(degree == 1)
    tree = shapely.STRtree(geom)
    gaps = 0
    if len(dangling) and tol_m > 0:
        # the one piece at each dangling node, and the node at its other end
        at = np.concatenate([u, v])
        piece_of = pd.Series(np.tile(np.arange(len(u)), 2), index=at).groupby(level=0).first()
        own = piece_of.loc[dangling].to_numpy()
        other = np.where(u[own] == dangling, v[own], u[own])
        points = shapely.points(noded.node_xy[dangling])
        d, k = tree.query(points, predicate="dwithin", distance=GAP_FACTOR * tol_m)
        near = (u[k] != dangling[d]) & (v[k] != dangling[d])
        near &= (u[k] != other[d]) & (v[k] != other[d])
        gaps = len(np.unique(d[near]))
    i, j = tree.query(geom, predicate="intersects")
    pair = i < j
    i, j = i[pair], j[pair]
    shared = (u[i] == u[j]) | (u[i] == v[j]) | (v[i] == u[j]) | (v[i] == v[j])
    return {
        "gaps": int(gaps),
        "dangling_ends": len(dangling),
        "crossings_without_node": int((~shared).sum()),
    }
