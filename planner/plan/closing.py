"""Stations that close (``close``): they leave the existing stations before the plan, which
then fills the gap; :func:`loss` states what their closing loses, from the same kind of
network travel times as every other figure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import geopandas as gpd
import numpy as np
import scipy.sparse as sp

from ..analysis import coverage, travel
from ..core.units import minutes_label
from ..inputs.network import Network
from .controls import Bound
from .objectives import Choice, Context
from .request import PlanRequest


@dataclass(frozen=True)
class Closing:
    """The stations that close (ids and names) and the share of demand within each
    threshold (label) of a station with them and without them."""

    ids: tuple[str, ...]
    names: tuple[str, ...]
    share_with: Mapping[str, float]
    share_without: Mapping[str, float]
    #: ``close`` (asked to close) or ``relocate`` (moved to a better site).
    by: str = "close"
    #: With ``relocate``: the site that opens in each one's place (ids, in their order).
    to: tuple[str, ...] = ()
    #: The stations that close (``id``, ``name``, point geometry; None when not known).
    points: gpd.GeoDataFrame | None = field(default=None, compare=False, repr=False)

    @property
    def lost(self) -> dict[str, float]:
        """The share of demand each threshold loses when they close (>= 0)."""
        return {k: max(0.0, v - self.share_without[k]) for k, v in self.share_with.items()}


def split(stations: gpd.GeoDataFrame, bound: Bound) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """The stations that stay, and those that close."""
    closed = np.zeros(len(stations), dtype=bool) if bound.closed is None else bound.closed
    return (
        stations.loc[~closed].reset_index(drop=True),
        stations.loc[closed].reset_index(drop=True),
    )


def loss(
    net: Network,
    request: PlanRequest,
    closed: gpd.GeoDataFrame,
    hotspots: travel.Snapped,
    staying: coverage.Coverage,
) -> Closing | None:
    """What closing the stations ``closed`` (WGS-84) loses against the coverage of the
    stations that stay (``staying``): their travel times to the snapped ``hotspots``
    within the widest threshold, the same way as every station's. None when none close."""
    if not len(closed):
        return None
    g = closed.geometry.to_crs(net.crs)
    snapped = travel.snap(
        net, np.column_stack([g.x.to_numpy(), g.y.to_numpy()]), closed["id"].to_numpy(),
        max_distance_m=request.snap_max_m, warn_distance_m=request.snap_warn_m,
    )  # fmt: skip
    times = travel.compute(net, snapped, hotspots, limit_s=request.thresholds_s[-1])
    t = staying.times
    both = travel.TravelTimes(
        _stack(t.seconds, times.seconds), np.concatenate([t.source_ids, times.source_ids]),
        t.target_ids, t.limit_s,
    )  # fmt: skip
    every = coverage.Coverage(both, staying.weights, staying.thresholds_s)
    return Closing(
        ids=tuple(closed["id"].astype(str)),
        names=tuple(closed["name"].fillna("").astype(str)),
        share_with=_shares(every),
        share_without=_shares(staying),
        points=closed[["id", "name", "geometry"]].reset_index(drop=True),
    )


def staying(ctx: Context, choice: Choice) -> Context:
    """``ctx`` with only the stations that stay after the moves of ``choice`` (the same
    context without moves)."""
    if choice.closed is None or not len(choice.closed):
        return ctx
    t = ctx.stations.times
    keep = np.setdiff1d(np.arange(t.seconds.shape[0]), choice.closed)
    rows = travel.TravelTimes(
        sp.csr_matrix(t.seconds[keep]), t.source_ids[keep], t.target_ids, t.limit_s
    )
    return replace(ctx, stations=coverage.Coverage(rows, ctx.weights, ctx.stations.thresholds_s))


def moved(
    stations: gpd.GeoDataFrame, before: Context, after: Context, choice: Choice
) -> Closing | None:
    """The stations the moves of ``choice`` close, with the coverage of the stations before
    and after (the new sites left out). None without moves."""
    if before is after or choice.closed is None:
        return None
    rows = stations.iloc[choice.closed]
    return Closing(
        ids=tuple(rows["id"].astype(str)), names=tuple(rows["name"].fillna("").astype(str)),
        share_with=_shares(before.stations), share_without=_shares(after.stations),
        by="relocate", points=rows[["id", "name", "geometry"]].reset_index(drop=True),
        to=in_place(before, choice.closed, choice.solution.selected),
    )  # fmt: skip


def in_place(ctx: Context, closed: np.ndarray, opened: np.ndarray) -> tuple[str, ...]:
    """The site of ``opened`` (candidate positions) that opens in the place of each station
    ``closed`` (positions), in their order: of the sites not yet taken, the one that reaches
    the most of the demand the station reached within the widest threshold (ties: the
    nearest to it over that demand, then the first opened). Which site replaces which is a
    reading of the answer, not a rule of it: the plan opens the sites together."""
    widest = ctx.request.thresholds_s[-1]
    st = ctx.stations.times.seconds.tocsr()
    cand = ctx.candidate_times.seconds.tocsr()
    free = [int(j) for j in opened]
    out = []
    for s in closed:
        if not free:
            break
        row = st[int(s)]
        near = row.indices[row.data <= widest]  # a stored time may be 0
        scores = []
        for j in free:
            theirs = cand[j]
            within = theirs.indices[theirs.data <= widest]
            both, _, at = np.intersect1d(near, within, return_indices=True)
            mean = float(theirs.data[theirs.data <= widest][at].mean()) if len(both) else np.inf
            scores.append((-float(ctx.weights[both].sum()), mean))
        k = min(range(len(free)), key=lambda i: scores[i])
        out.append(str(ctx.candidate_times.source_ids[free.pop(k)]))
    return tuple(out)


def _stack(a: sp.spmatrix, b: sp.spmatrix) -> sp.csr_matrix:
    return sp.csr_matrix(sp.vstack([a, b], format="csr"))


def _shares(cov: coverage.Coverage) -> dict[str, float]:
    total = float(cov.weights.sum())
    near = cov.nearest_seconds()
    return {
        minutes_label(t): float(cov.weights[near <= t].sum()) / total if total else 0.0
        for t in cov.thresholds_s
    }
