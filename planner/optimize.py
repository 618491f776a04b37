"""Choosing new station sites.

Problem classes work on a coverage-value matrix (demand points × candidate sites) and a
demand vector; adapters build them from a cost matrix or from network
:class:`~planner.coverage.Coverage`. ``solve()`` returns a new :class:`Solution`; the problem
is never changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from . import _kernels
from .config import minutes_label
from .coverage import Coverage
from .errors import ConfigError


@dataclass(frozen=True)
class Solution:
    """Result of a solve.

    Attributes
    ----------
    selected
        Chosen candidate columns, in pick order.
    gains
        Objective added by each pick.
    objective
        Objective value of the new sites (on top of what existing stations already give).
    bound
        Upper bound on the best objective any ``p`` sites can reach.
    gap
        ``(bound - objective) / bound``: how far from optimal the answer can be at most.
    method
        How it was found.
    """

    selected: np.ndarray
    gains: np.ndarray
    objective: float
    bound: float
    gap: float
    method: str


class MaximalCoverage:
    """Maximal coverage: add ``p`` sites to maximise covered demand, keeping existing ones.

    Parameters
    ----------
    values
        ``demand × candidates`` sparse matrix: the value of serving demand ``i`` from site
        ``j`` (1 for plain coverage; the number of thresholds met for nested thresholds).
    weights
        Demand of each row (>= 0).
    p
        Number of new sites.
    base
        Value each demand row already gets from the existing stations (default 0).
    """

    def __init__(
        self,
        values: sp.spmatrix,
        weights: Sequence[float] | np.ndarray,
        p: int,
        *,
        base: np.ndarray | None = None,
    ) -> None:
        self.values = sp.csc_matrix(values)
        self.weights = np.asarray(weights, dtype=float)
        n_rows, n_cols = self.values.shape
        if self.weights.shape != (n_rows,):
            raise ConfigError(f"weights: expected {n_rows} values, got {self.weights.shape}")
        if (self.weights < 0).any() or not np.isfinite(self.weights).all():
            raise ConfigError("weights must be finite and >= 0")
        if not (0 <= int(p) <= n_cols):
            raise ConfigError(
                f"--add: asked for {p} new stations but there are only {n_cols} candidate sites; "
                "ask for fewer or give more candidates"
            )
        self.p = int(p)
        self.base = np.zeros(n_rows) if base is None else np.asarray(base, dtype=float)

    @classmethod
    def from_cost_matrix(
        cls, cost: np.ndarray | sp.spmatrix, weights: Sequence[float], *, threshold: float, p: int
    ) -> MaximalCoverage:
        """Build from a ``demand × candidates`` cost matrix (dense: every entry a cost; sparse:
        missing entries are unreachable)."""
        if sp.issparse(cost):
            m = sp.coo_matrix(cost)
            keep = m.data <= threshold
            vals = sp.csc_matrix((np.ones(keep.sum()), (m.row[keep], m.col[keep])), shape=m.shape)
        else:
            vals = sp.csc_matrix((np.asarray(cost) <= threshold).astype(float))
        return cls(vals, weights, p)

    @classmethod
    def from_coverage(
        cls,
        candidates: Coverage,
        p: int,
        *,
        existing: Coverage | None = None,
        threshold_weights: Sequence[float] | None = None,
    ) -> MaximalCoverage:
        """Build from network coverage: the value of a hotspot is the (weighted) number of
        thresholds within which it reaches a station, so nearer service counts more."""
        values = candidates.levels(threshold_weights)
        base = None
        if existing is not None and existing.times.seconds.shape[0] > 0:
            lv = existing.levels(threshold_weights)
            base = np.asarray(lv.max(axis=1).todense()).ravel()
        return cls(values, candidates.weights, p, base=base)

    def objective(self, selected: Sequence[int]) -> float:
        """Objective added by ``selected`` on top of the base."""
        cur = self.base.copy()
        if len(selected):
            sub = self.values[:, list(selected)]
            cur = np.maximum(cur, np.asarray(sub.max(axis=1).todense()).ravel())
        return float((self.weights * (cur - self.base)).sum())

    def solve(self, method: str = "greedy") -> Solution:
        """Solve; ``method="greedy"`` (the only method so far) with an online bound."""
        if method != "greedy":
            raise ConfigError(f"method: unknown solver {method!r}; use 'greedy'")
        v = self.values
        picks, gains, bound = _kernels.greedy_max_value(
            v.indptr, v.indices, v.data, self.weights, self.base, self.p
        )
        obj = float(gains.sum())
        gap = (bound - obj) / bound if bound > 0 else 0.0
        return Solution(picks, gains, obj, bound, max(0.0, gap), method)


def pick_table(
    existing: Coverage, candidates: Coverage, picks: Sequence[int] | np.ndarray
) -> pd.DataFrame:
    """Per pick (in order): demand it adds within each threshold and the cumulative share.

    Row 0 (``rank`` 0) is the existing stations alone.
    """
    total = float(candidates.weights.sum())
    n_h = len(candidates.weights)
    rows: list[dict[str, float | int]] = []
    covered = []
    for k in range(len(candidates.thresholds_s)):
        if existing.times.seconds.shape[0]:
            covered.append(existing.counts(k) > 0)
        else:
            covered.append(np.zeros(n_h, dtype=bool))
    cand_cov = [candidates.covered(k).tocsr() for k in range(len(candidates.thresholds_s))]
    base_row: dict[str, float | int] = {"rank": 0, "candidate": -1}
    for k, t in enumerate(candidates.thresholds_s):
        lab = minutes_label(t)
        d = float(candidates.weights[covered[k]].sum())
        base_row[f"added_{lab}"] = 0.0
        base_row[f"cumulative_{lab}"] = d
        base_row[f"cumulative_share_{lab}"] = d / total if total else 0.0
    rows.append(base_row)
    for r, j in enumerate(picks, start=1):
        row: dict[str, float | int] = {"rank": r, "candidate": int(j)}
        for k, t in enumerate(candidates.thresholds_s):
            lab = minutes_label(t)
            hit = cand_cov[k].indices[cand_cov[k].indptr[j] : cand_cov[k].indptr[j + 1]]
            new = hit[~covered[k][hit]]
            row[f"added_{lab}"] = float(candidates.weights[new].sum())
            covered[k][new] = True
            d = float(candidates.weights[covered[k]].sum())
            row[f"cumulative_{lab}"] = d
            row[f"cumulative_share_{lab}"] = d / total if total else 0.0
        rows.append(row)
    return pd.DataFrame(rows)
