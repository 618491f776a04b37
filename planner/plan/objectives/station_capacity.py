"""Capacitated coverage with the existing stations capacitated too (``station_capacity``).

The existing stations become columns of the capacitated problem fixed open: every answer
holds them, swaps never remove them, the exact model gives them a lower bound of 1. The
demand is then split between the stations and the new sites, each within its capacity,
and every figure counts demand served, not demand reachable: a hotspot within 8 minutes of
a full station is not served within 8 minutes by it.

The value (and its bound) is the weighted demand the stations and the new sites serve
together; the new sites' answer, their columns and the split are stated without the
stations.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ...analysis import coverage
from ...analysis.travel import TravelTimes
from ...core.errors import ConfigError
from ...core.units import minutes_label
from ...optimize import CapacitatedCoverage as Problem
from .. import fixing
from .base import Choice, Context

if TYPE_CHECKING:  # pragma: no cover
    from .coverage import CapacitatedCoverage


def problem(objective: CapacitatedCoverage, ctx: Context) -> Problem:
    """The capacitated problem whose first columns are the stations of ``ctx`` (fixed
    open, at their capacities), then the candidates (at the objective's)."""
    caps = ctx.station_capacity
    n_st = ctx.stations.times.seconds.shape[0]
    if caps is None or caps.shape != (n_st,) or objective.values is None:
        raise ConfigError("station_capacity: expected one capacity per station that stays")
    st, cand = ctx.stations.times, ctx.candidate_times
    both = TravelTimes(
        sp.csr_matrix(sp.vstack([st.seconds, cand.seconds], format="csr")),
        np.concatenate([st.source_ids, cand.source_ids]), cand.target_ids, cand.limit_s,
    )  # fmt: skip
    sites = coverage.Coverage(both, ctx.candidates.weights, ctx.candidates.thresholds_s)
    m = cand.seconds.shape[0]
    conflicts = None
    if ctx.conflicts is not None:
        conflicts = sp.csr_matrix(sp.block_diag([sp.csr_matrix((n_st, n_st)), ctx.conflicts]))
    ok = fixing.usable(ctx)
    allowed = np.concatenate([np.ones(n_st, bool), np.ones(m, bool) if ok is None else ok])
    return Problem.from_coverage(
        sites, np.concatenate([caps, objective.values]), n_st + ctx.add,
        threshold_weights=objective.curve_weights(ctx.request.minutes), conflicts=conflicts,
        allowed=allowed, fixed=np.concatenate([np.arange(n_st), n_st + ctx.fixed]),
    )  # fmt: skip


def choose(objective: CapacitatedCoverage, ctx: Context) -> Choice:
    """The new sites of the problem with capacitated stations: the stations' service and
    the new sites' together within every capacity."""
    prob = problem(objective, ctx)
    n_st = ctx.stations.times.seconds.shape[0]
    s = prob.solve(ctx.request.method, time_limit_s=ctx.time_limit_s)
    stations = np.arange(n_st)
    new = s.selected[s.selected >= n_st] - n_st
    full = np.concatenate([stations, n_st + new])
    prefix = [prob.objective(full[: n_st + r]) for r in range(len(new) + 1)]
    alternative = s.alternative[s.alternative >= n_st] - n_st
    solution = type(s)(
        new.astype(np.int64), s.objective, s.bound, s.gap, s.method, gains=np.diff(prefix),
        optimal=s.optimal, seconds=s.seconds, alternatives=s.alternatives,
        alternative=alternative.astype(np.int64),
    )  # fmt: skip
    within = prob.served_within(full)
    total = float(ctx.weights.sum())
    served_after = {
        minutes_label(t): float(within[k]) / total if total else 0.0
        for k, t in enumerate(ctx.request.thresholds_s)
    }
    served = np.round(prob.served(full), 6)
    columns = {"capacity": np.asarray(objective.values)[new], "served_demand": served[n_st:]}
    caps = np.asarray(ctx.station_capacity, dtype=float)
    rows, cols, shares = prob.split(full)
    keep = cols >= n_st
    return Choice(
        solution, site_columns=columns, served_after=served_after,
        split=(rows[keep], cols[keep] - n_st, shares[keep]),
        station_columns={"capacity": caps, "served_demand": served[:n_st]},
        station_split=(rows[~keep], cols[~keep], shares[~keep]),
    )  # fmt: skip


def served_by_station(objective: CapacitatedCoverage, ctx: Context, new: np.ndarray) -> np.ndarray:
    """Demand each station of ``ctx`` serves in the best split with the new sites ``new``
    (candidate positions)."""
    prob = problem(objective, ctx)
    n_st = ctx.stations.times.seconds.shape[0]
    return prob.served(np.concatenate([np.arange(n_st), n_st + np.asarray(new, np.int64)]))[:n_st]


def after_moves(
    objective: CapacitatedCoverage, ctx: Context, selected: np.ndarray, closed: np.ndarray
) -> Choice:
    """The columns, figures and split of the candidates ``selected`` (positions) with the
    stations of ``ctx`` but those ``closed``: the objective's choice with every one of them
    agreed; the stations' columns and split over every station of ``ctx`` (a closed one
    serves nothing)."""
    n_st = ctx.stations.times.seconds.shape[0]
    keep = np.setdiff1d(np.arange(n_st), closed)
    rows = ctx.stations.times
    st = TravelTimes(
        sp.csr_matrix(rows.seconds[keep]), rows.source_ids[keep], rows.target_ids, rows.limit_s
    )
    caps = None if ctx.station_capacity is None else ctx.station_capacity[keep]
    forced = replace(
        ctx, request=replace(ctx.request, method="greedy"),
        stations=coverage.Coverage(st, ctx.weights, ctx.stations.thresholds_s),
        add=len(selected), fixed=np.asarray(selected, np.int64), allowed=None, excluded=None,
        conflicts=None, station_capacity=caps, hours=None,
    )  # fmt: skip
    choice = objective.choose(forced)
    if choice.station_columns is None or choice.station_split is None:
        return choice
    served = np.zeros(n_st)
    served[keep] = choice.station_columns["served_demand"]
    rows_, cols, shares = choice.station_split
    return replace(
        choice, station_columns={"capacity": np.asarray(ctx.station_capacity, float),
                                 "served_demand": served},
        station_split=(rows_, keep[cols], shares),
    )  # fmt: skip
