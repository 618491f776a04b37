"""Maximal coverage over hours of the day: one coverage layer per hour.

In the hours that matter, the demand of each hour counts within reach of the sites open
then. A layer is a copy of the demand rows (the demand of its hours) whose cover keeps only
the candidates open in those hours; the existing stations cover a layer's rows only when
open. Hours whose open sites are the same share one layer (their demand summed), so a
week of hours is a handful of layers. The layers stack into one
:class:`~planner.optimize.coverage.MaximalCoverage`: same greedy, local search, bounds and
exact solve.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..analysis.coverage import Coverage
from .coverage import MaximalCoverage


def layers(
    slots: Sequence[tuple[int, int]],
    station_open: np.ndarray,
    candidate_open: np.ndarray,
    demand: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The layers of the hours ``slots`` (``(day, hour)`` pairs of the reference week):
    which stations and candidates are open in each layer (``layers × sites`` booleans)
    and each layer's demand (``layers × hotspots``: the sum over its hours, divided by 7,
    so that the value is the demand of an average day).

    ``station_open``, ``candidate_open``: ``sites × 7 × 24`` booleans; ``demand``:
    ``hotspots × 24``.
    """
    n_st = station_open.shape[0]
    key = np.concatenate(
        [station_open[:, [d for d, _ in slots], [h for _, h in slots]],
         candidate_open[:, [d for d, _ in slots], [h for _, h in slots]]], axis=0,
    ).T  # fmt: skip
    patterns, which = np.unique(key, axis=0, return_inverse=True)
    which = np.asarray(which).ravel()
    load = np.zeros((len(patterns), demand.shape[0]))
    for s, (_, h) in enumerate(slots):
        load[which[s]] += demand[:, h]
    return patterns[:, :n_st], patterns[:, n_st:], load / 7.0


def from_coverage(
    candidates: Coverage,
    existing: Coverage,
    p: int,
    *,
    station_open: np.ndarray,
    candidate_open: np.ndarray,
    layer_demand: np.ndarray,
    threshold_weights: Sequence[float] | np.ndarray | None = None,
    conflicts: sp.spmatrix | None = None,
    allowed: np.ndarray | None = None,
) -> MaximalCoverage:
    """The maximal coverage problem of the layers (see :func:`layers`): row ``l × hotspots
    + i`` is hotspot ``i`` in layer ``l``, with demand ``layer_demand[l, i]``, covered by
    the candidates open in layer ``l`` (``candidate_open[l]``) and already covered where an
    existing station open then reaches it."""
    n_layers = len(layer_demand)
    k_all = range(len(candidates.thresholds_s))
    cover, covered = [], []
    for k in k_all:
        cand = candidates.covered(k).T.tocsc()  # hotspots × candidates
        cover.append(
            sp.vstack([_keep_columns(cand, candidate_open[layer]) for layer in range(n_layers)])
        )
        st = existing.covered(k).tocsr()
        rows = []
        for layer in range(n_layers):
            idx = np.flatnonzero(station_open[layer])
            hit = np.asarray(st[idx].sum(axis=0)).ravel() > 0 if len(idx) else None
            rows.append(hit if hit is not None else np.zeros(st.shape[1], dtype=bool))
        covered.append(np.concatenate(rows) if rows else np.zeros(0, dtype=bool))
    return MaximalCoverage(
        cover, np.asarray(layer_demand, dtype=float).ravel(), p,
        threshold_weights=threshold_weights, covered=np.stack(covered),
        conflicts=conflicts, allowed=allowed,
    )  # fmt: skip


def _keep_columns(m: sp.csc_matrix, keep: np.ndarray) -> sp.csc_matrix:
    """``m`` with the columns not in ``keep`` (booleans) emptied, no stored zeros."""
    out = sp.csc_matrix(m @ sp.diags(np.asarray(keep, dtype=float)), dtype=float)
    out.eliminate_zeros()
    return out
