"""Snapping points onto the road network and network travel times.

Every point (hotspot, station, candidate) is snapped onto the nearest usable *segment*, not
the nearest node: the rider rides from the snapped point to either end of the segment, as the
segment's directions allow, and walks the access leg between the point and the road.

Travel times run in the rider-to-station direction. One bounded Dijkstra per station
(``scipy.sparse.csgraph.dijkstra`` with ``limit``) on the *reversed* graph finds, from the
station, the time from every road node *to* the station. Each station enters the graph as a
virtual node joined to the ends of its segment; a hotspot's time is the better of riding
ahead or back to the ends of its own segment and on from there, so the part of a segment
between a point and a node is timed exactly. Only pairs within the limit are
kept, in sparse matrices; sources are processed in batches so no dense sources × nodes
matrix exists at any time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import dijkstra

from ..core._progress import progress
from ..core.defaults import ACCESS_WALK_SPEED_KPH, SNAP_MAX_M, SNAP_WARN_M
from ..core.memory import Budget
from ..inputs.network import Network, csr_min

log = logging.getLogger(__name__)

#: Working memory for one batch of Dijkstra rows (bytes).
BATCH_BYTES = 64 * 2**20


@dataclass(frozen=True)
class Snapped:
    """Points snapped onto network segments (arrays aligned with ``ids``).

    Attributes
    ----------
    ids
        The points' ids.
    segment
        Position of the segment in ``network.segments`` (-1 when excluded).
    fraction
        Position along the segment, 0 at its ``u`` node, 1 at its ``v`` node.
    distance_m
        Straight distance from the point to the road (m).
    access_s
        Time of that access leg at walking speed (s).
    snapped_xy
        The snapped point on the road, in the network CRS (m).
    excluded
        True where the point is farther than the hard limit from every usable road.
    """

    ids: np.ndarray
    segment: np.ndarray
    fraction: np.ndarray
    distance_m: np.ndarray
    access_s: np.ndarray
    snapped_xy: np.ndarray
    excluded: np.ndarray
    warn_distance_m: float = SNAP_WARN_M

    def __len__(self) -> int:
        return len(self.ids)

    def subset(self, positions: np.ndarray) -> Snapped:
        """The points at ``positions``, in that order."""
        idx = np.asarray(positions, dtype=np.int64)
        fields = ("ids", "segment", "fraction", "distance_m", "access_s", "snapped_xy", "excluded")
        arrays: dict[str, Any] = {f: np.asarray(getattr(self, f))[idx] for f in fields}
        return replace(self, **arrays)

    def report(self, network: Network, *, role: str = "") -> pd.DataFrame:
        """One row per point: segment, road name, snap distance, access seconds, status."""
        seg = self.segment
        ok = seg >= 0
        names = np.full(len(seg), "", dtype=object)
        names[ok] = network.segments["name"].to_numpy()[seg[ok]]
        status = np.where(
            self.excluded, "excluded", np.where(self.distance_m > self.warn_distance_m, "far", "ok")
        )
        return pd.DataFrame(
            {
                "role": role,
                "id": self.ids,
                "segment": seg,
                "road_name": names,
                "snap_distance_m": np.round(self.distance_m, 2),
                "access_s": np.round(self.access_s, 2),
                "status": status,
            }
        )


def snap(
    network: Network,
    xy: np.ndarray,
    ids: np.ndarray,
    *,
    max_distance_m: float = SNAP_MAX_M,
    warn_distance_m: float = SNAP_WARN_M,
    access_speed_kph: float = ACCESS_WALK_SPEED_KPH,
) -> Snapped:
    """Snap points (``xy`` in the network CRS, metres) onto their nearest usable segment.

    Points farther than ``warn_distance_m`` are logged as a warning; points farther than
    ``max_distance_m`` are marked ``excluded`` (and listed) rather than dropped.
    """
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    pts = shapely.points(xy)
    lines = network.segments.geometry.values
    tree = shapely.STRtree(lines)
    n = len(xy)
    seg = np.full(n, -1, dtype=np.int64)
    dist = np.full(n, np.inf)
    if n:
        (pi, li), d = tree.query_nearest(pts, return_distance=True, all_matches=True)
        # ties: the lowest segment position wins, so results do not depend on tree order
        frame = pd.DataFrame({"p": pi, "l": li, "d": d}).sort_values(["p", "d", "l"])
        first = frame.drop_duplicates("p")
        seg[first["p"].to_numpy()] = first["l"].to_numpy()
        dist[first["p"].to_numpy()] = first["d"].to_numpy()
    excluded = ~(dist <= max_distance_m)
    frac = np.zeros(n)
    snapped = xy.copy()
    ok = seg >= 0
    if ok.any():
        frac[ok] = shapely.line_locate_point(lines[seg[ok]], pts[ok], normalized=True)
        on_road = shapely.line_interpolate_point(lines[seg[ok]], frac[ok], normalized=True)
        snapped[ok] = shapely.get_coordinates(on_road)
    frac = np.clip(np.nan_to_num(frac), 0.0, 1.0)
    seg = np.where(excluded, -1, seg)
    access = np.where(excluded, np.inf, dist / (access_speed_kph / 3.6))
    far = int(((dist > warn_distance_m) & ~excluded).sum())
    if far:
        log.warning("%d points lie more than %.0f m from a usable road", far, warn_distance_m)
    if excluded.any() and not excluded.all():  # all excluded: the caller says so, once
        log.warning(
            "%d points lie more than %.0f m from every usable road and are excluded: %s",
            int(excluded.sum()),
            max_distance_m,
            ", ".join(map(str, ids[excluded][:10])),
        )
    return Snapped(np.asarray(ids), seg, frac, dist, access, snapped, excluded, warn_distance_m)


@dataclass(frozen=True)
class TravelTimes:
    """Network travel times from targets (hotspots) to sources (stations or candidates).

    Attributes
    ----------
    seconds
        CSR matrix ``sources × targets`` of travel seconds, access legs included. Only pairs
        within ``limit_s`` are stored; a stored entry may be exactly 0.
    source_ids, target_ids
        Labels of rows and columns.
    limit_s
        The largest time kept (s).
    node_seconds
        CSR ``sources × nodes``: seconds from each road node to the source, the source's
        access leg included (for isochrones); ``None`` unless asked for.
    """

    seconds: sp.csr_matrix
    source_ids: np.ndarray
    target_ids: np.ndarray
    limit_s: float
    node_seconds: sp.csr_matrix | None = None

    def pairs(self) -> pd.DataFrame:
        """Long table ``source_id, target_id, seconds`` of every stored pair."""
        m = self.seconds.tocoo()
        return pd.DataFrame(
            {
                "source_id": self.source_ids[m.row],
                "target_id": self.target_ids[m.col],
                "seconds": m.data,
            }
        )

    def nearest_seconds(self) -> np.ndarray:
        """Per target, the time to its nearest source (``inf`` beyond the limit)."""
        out = np.full(self.seconds.shape[1], np.inf)
        m = self.seconds.tocoo()
        np.minimum.at(out, m.col, m.data)
        return out


def ride_seconds(share: np.ndarray | float, seconds: np.ndarray | float) -> np.ndarray:
    """Seconds to ride ``share`` (0..1) of a segment that takes ``seconds`` end to end.

    ``inf`` where the direction is not allowed (``seconds`` is ``inf``), and 0 where the
    share is 0 or less (a point on the node itself needs no ride, whatever the direction).
    ``inf`` is never multiplied, so there is no ``0 × inf``.
    """
    finite = np.isfinite(seconds)
    cost = np.where(finite, share * np.where(finite, seconds, 0.0), np.inf)
    return np.where(np.asarray(share) <= 0.0, 0.0, cost)


def _source_edges(network: Network, pts: Snapped) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges of the *reversed* graph from each source (row ``i``) to its segment's ends.

    A rider arrives at the station from ``u`` (riding forward) or from ``v`` (riding
    backward); in the reversed graph these are station → u and station → v.
    """
    ok = np.flatnonzero(pts.segment >= 0)
    seg = pts.segment[ok]
    t = pts.fraction[ok]
    s = network.segments
    rows = np.concatenate([ok, ok])
    cols = np.concatenate([s["u"].to_numpy()[seg], s["v"].to_numpy()[seg]])
    vals = np.concatenate(
        [
            ride_seconds(t, s["fwd_s"].to_numpy()[seg]),
            ride_seconds(1.0 - t, s["bwd_s"].to_numpy()[seg]),
        ]
    )
    fin = np.isfinite(vals)
    return rows[fin], cols[fin], vals[fin]


def _target_legs(
    network: Network, pts: Snapped
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """For each target: the node ahead (``v``) and behind (``u``) on its segment and the
    seconds to ride there from the target (``inf`` where not allowed or excluded)."""
    s = network.segments
    seg = np.maximum(pts.segment, 0)
    ok = pts.segment >= 0
    t = pts.fraction
    ahead = np.where(ok, ride_seconds(1.0 - t, s["fwd_s"].to_numpy()[seg]), np.inf)
    behind = np.where(ok, ride_seconds(t, s["bwd_s"].to_numpy()[seg]), np.inf)
    return s["v"].to_numpy()[seg], ahead, s["u"].to_numpy()[seg], behind


def _same_segment(
    network: Network, sources: Snapped, targets: Snapped
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Direct rides along one segment between a target and a source on it (network seconds)."""
    src = pd.DataFrame(
        {"i": np.arange(len(sources)), "seg": sources.segment, "fs": sources.fraction}
    )
    tgt = pd.DataFrame(
        {"j": np.arange(len(targets)), "seg": targets.segment, "ft": targets.fraction}
    )
    both = src[src.seg >= 0].merge(tgt[tgt.seg >= 0], on="seg")
    if both.empty:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64), np.array([])
    seg = both["seg"].to_numpy()
    fs, ft = both["fs"].to_numpy(), both["ft"].to_numpy()
    fwd = network.segments["fwd_s"].to_numpy()[seg]
    bwd = network.segments["bwd_s"].to_numpy()[seg]
    # riding forward (the source ahead of the target) or backward; 0 where both meet
    t_fwd = np.where(fs >= ft, ride_seconds(fs - ft, fwd), np.inf)
    t_bwd = np.where(fs <= ft, ride_seconds(ft - fs, bwd), np.inf)
    return both["i"].to_numpy(), both["j"].to_numpy(), np.minimum(t_fwd, t_bwd)


def compute(
    network: Network,
    sources: Snapped,
    targets: Snapped,
    *,
    limit_s: float,
    keep_node_times: bool = False,
    batch_size: int | None = None,
    budget: Budget | None = None,
) -> TravelTimes:
    """Travel seconds from every target to every source, kept where within ``limit_s``.

    Parameters
    ----------
    network
        The road network.
    sources
        Stations or candidate sites (snapped); one bounded Dijkstra runs per source.
    targets
        Hotspots (snapped).
    limit_s
        Largest travel time kept (s), access legs included.
    keep_node_times
        Also keep the seconds from every reachable road node to each source (isochrones).
    batch_size
        Sources per Dijkstra call; by default as many as fit in :data:`BATCH_BYTES`.
    budget
        The run's memory budget: a :class:`~planner.core.memory.MemoryLimitError` as soon
        as the pairs kept (node times included) pass what it leaves for them.
    """
    n = network.n_nodes
    n_s, n_t = len(sources), len(targets)
    graph = _graph_with_sources(network, sources)
    legs = _target_legs(network, targets)
    active = np.flatnonzero((sources.segment >= 0) & (sources.access_s <= limit_s))
    if batch_size is None:
        batch_size = batch_size_for(n + n_s, n_t)
    direct = _direct_rides(network, sources, targets, limit_s=limit_s)
    pairs, node_pairs = _Rows(n_s), _Rows(n_s)
    room = budget.max_pairs() if budget is not None else 0
    batches = [active[k : k + batch_size] for k in range(0, len(active), batch_size)]
    for done, batch in enumerate(progress(batches, total=len(batches), desc="travel times")):
        dist, tt = _batch_times(graph, batch, sources, targets, legs, limit_s=limit_s)
        _ride_direct(tt, batch, direct)
        pairs.add_within(batch, tt, limit_s)
        del tt
        if keep_node_times:
            node_pairs.add_within(batch, dist[:, :n] + sources.access_s[batch][:, None], limit_s)
        if budget is not None and pairs.count + node_pairs.count > room:
            sites_done = int(sum(len(b) for b in batches[: done + 1]))
            raise budget.refuse_pairs(pairs.count + node_pairs.count, sites_done, len(active))
    seconds = pairs.matrix(n_t)
    msg = "travel times: %d sources × %d targets, %d pairs within %.0f s"
    log.info(msg, n_s, n_t, seconds.nnz, limit_s)
    node_seconds = node_pairs.matrix(n) if keep_node_times else None
    return TravelTimes(
        seconds, np.asarray(sources.ids), np.asarray(targets.ids), float(limit_s), node_seconds
    )


def _direct_rides(
    network: Network, sources: Snapped, targets: Snapped, *, limit_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rides along one segment from a target to a source on it, access legs included,
    where within ``limit_s``: source positions, target positions, seconds."""
    i, j, direct = _same_segment(network, sources, targets)
    direct = direct + sources.access_s[i] + targets.access_s[j]
    within = direct <= limit_s
    return i[within], j[within], direct[within]


def _ride_direct(
    tt: np.ndarray, batch: np.ndarray, direct: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> None:
    """Lower the block ``tt`` (row ``r`` is source ``batch[r]``) to the direct rides along
    one segment where they are quicker than the network's."""
    i, j, seconds = direct
    mine = np.isin(i, batch)
    if mine.any():
        rows = np.searchsorted(batch, i[mine])
        np.minimum.at(tt, (rows, j[mine]), seconds[mine])


def batch_size_for(n_graph: int, n_targets: int) -> int:
    """Sources per Dijkstra call so that one batch holds at most :data:`BATCH_BYTES`: each
    source's row of seconds over the graph (roads and sources' own nodes), and its seconds to
    every target three times over (the two ends of each target's segment and their minimum).
    With far more hotspots than nodes the targets dominate; a batch is never below one
    source."""
    per_source = 8 * (n_graph + 3 * n_targets)
    return max(1, min(512, BATCH_BYTES // max(per_source, 1)))


def _batch_times(
    graph: sp.csr_matrix,
    batch: np.ndarray,
    sources: Snapped,
    targets: Snapped,
    legs: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    *,
    limit_s: float,
) -> tuple[np.ndarray, np.ndarray]:
    """One bounded Dijkstra from the sources at positions ``batch`` (their virtual nodes in
    ``graph``): the seconds from every node to each source (no access leg), and from every
    target to each source along ``legs`` (see :func:`_target_legs`), both access legs in."""
    s_access = sources.access_s[batch]
    n = graph.shape[0] - len(sources)
    limit = float(limit_s - s_access.min())
    dist = dijkstra(graph, directed=True, indices=n + batch, limit=limit)
    ahead_node, ahead_s, behind_node, behind_s = legs
    tt = np.minimum(dist[:, ahead_node] + ahead_s, dist[:, behind_node] + behind_s)
    tt += targets.access_s[None, :] + s_access[:, None]
    return dist, tt


def _graph_with_sources(network: Network, sources: Snapped) -> sp.csr_matrix:
    """The cached reversed road graph with one extra row per source (its virtual node
    ``n_nodes + i``), joined to the ends of its segment."""
    n, n_s = network.n_nodes, len(sources)
    size = n + n_s
    base = network.reverse_adjacency
    r, c, w = _source_edges(network, sources)
    extra = csr_min(r, c, w, (n_s, size))
    return sp.csr_matrix(
        (np.concatenate([base.data, extra.data]),
         np.concatenate([base.indices, extra.indices]),
         np.concatenate([base.indptr, extra.indptr[1:] + base.nnz])),
        shape=(size, size),
    )  # fmt: skip


class _Rows:
    """Sparse rows of ``seconds`` gathered batch by batch, in row order: a batch's rows come
    after the rows of the batches before it. Each batch is kept as CSR rows (column and
    seconds, 12 bytes a pair) as it comes, so no sort of all the pairs and no copy of them
    is needed."""

    def __init__(self, n_rows: int) -> None:
        self.per_row = np.zeros(n_rows, dtype=np.int64)
        self.cols: list[np.ndarray] = []
        self.vals: list[np.ndarray] = []
        self.count = 0

    def add_within(self, batch: np.ndarray, seconds: np.ndarray, limit_s: float) -> None:
        """The entries of the dense ``len(batch) × m`` block ``seconds`` within the limit;
        block row ``r`` is row ``batch[r]`` (``batch`` increasing, after every row added)."""
        r, c = np.nonzero(seconds <= limit_s)
        self.per_row[batch] = np.bincount(r, minlength=len(batch))
        self.cols.append(c.astype(np.int32))
        self.vals.append(seconds[r, c])
        self.count += len(c)

    def matrix(self, n_cols: int) -> sp.csr_matrix:
        """The CSR matrix ``rows × n_cols`` of the entries (sorted, without duplicates)."""
        indptr = np.zeros(len(self.per_row) + 1, dtype=np.int64)
        np.cumsum(self.per_row, out=indptr[1:])
        index = np.int32 if self.count < np.iinfo(np.int32).max else np.int64
        cols = np.concatenate(self.cols) if self.cols else np.array([], dtype=np.int32)
        vals = np.concatenate(self.vals) if self.vals else np.array([], dtype=float)
        self.cols, self.vals = [], []
        return sp.csr_matrix(
            (vals, cols.astype(index, copy=False), indptr.astype(index)),
            shape=(len(self.per_row), n_cols),
        )
