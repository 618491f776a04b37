"""Coverage kernels under a budget: greedy by gain per unit of cost, the fractional knapsack
bound of the gains, and interchange that keeps the total cost within the budget.

The arrays are those of :mod:`.cover` (``cols``, ``w``, ``tw``, ``count``) with a cost per
column (``costs`` >= 0) and a budget in the same unit.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ...core.units import tol
from .cover import Cols, coverage_gains, open_site, ranges


def money_slack(budget: float) -> float:
    """How far above ``budget`` a total still fits (rounding of sums of costs only)."""
    return tol(budget, rel=1e-12)


def fractional_knapsack(gain: np.ndarray, costs: np.ndarray, budget: float) -> float:
    """The most gain that fractions of columns (gain >= 0 each) reach at a total cost of
    ``budget``: the columns by gain per unit of cost (free ones first), the last one cut.
    An upper bound on the gain of any set of columns within the budget."""
    keep = gain > 0
    g, c = gain[keep], costs[keep]
    free = c <= 0
    total = float(g[free].sum())
    g, c = g[~free], c[~free]
    if not len(g):
        return total
    order = np.argsort(-(g / c), kind="stable")
    g, c = g[order], c[order]
    before = np.concatenate([[0.0], np.cumsum(c)[:-1]])
    share = np.clip((budget - before) / c, 0.0, 1.0)
    return total + float((g * share).sum())


def _pick(gain: np.ndarray, costs: np.ndarray, fits: np.ndarray, least: float) -> int:
    """The column to add next: a free one of the largest gain when any adds something,
    else the largest gain per unit of cost (ties to the lowest column); -1 when none fits
    or adds more than ``least``."""
    useful = fits & (gain > least)
    if not useful.any():
        return -1
    free = useful & (costs <= 0)
    if free.any():
        return int(np.argmax(np.where(free, gain, -np.inf)))
    ratio = np.where(useful, gain / np.where(costs > 0, costs, 1.0), -np.inf)
    return int(np.argmax(ratio))


def greedy_ratio(
    cols: Cols,
    w: np.ndarray,
    tw: np.ndarray,
    count0: np.ndarray,
    costs: np.ndarray,
    budget: float,
    most: int,
    conflicts: sp.csr_matrix | None,
    allowed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Greedy picks by gain per unit of cost among the ``allowed`` columns that still fit in
    what is left of ``budget`` (at most ``most`` picks; a column too dear for what is left
    is passed over, a cheaper one may still fit), their gains, and an upper bound on the
    best total gain of any set of columns within the budget: the least over the steps of
    the gain so far plus the fractional knapsack of the gains at that step (and, with
    ``most``, plus the ``most`` largest gains); valid for monotone submodular coverage.
    """
    count = count0.copy()
    free = allowed.copy()
    by_row = [sp.csr_matrix(m) for m in cols]
    gain = coverage_gains(cols, w, tw, count)
    least = tol(float(np.abs(tw).sum() * w.sum()), rel=1e-12)
    slack = money_slack(budget)
    picks: list[int] = []
    gains: list[float] = []
    total, left, bound = 0.0, float(budget), np.inf
    while True:
        pos = np.where(allowed, np.clip(gain, 0, None), 0.0)
        top = float(np.sort(pos)[::-1][: max(most, 0)].sum())
        bound = min(bound, total + min(top, fractional_knapsack(pos, costs, budget)))
        if len(picks) >= most:
            break
        j = _pick(gain, costs, free & (costs <= left + slack), least)
        if j < 0:
            break
        got = open_site(j, cols, by_row, (w, tw), count, gain)
        picks.append(j)
        gains.append(got)
        total += got
        left -= float(costs[j])
        free[j] = False
        if conflicts is not None:
            free[conflicts.indices[conflicts.indptr[j] : conflicts.indptr[j + 1]]] = False
    return np.asarray(picks, dtype=np.int64), np.asarray(gains), float(bound)


def _add(count: np.ndarray, cols: Cols, j: int, step: int) -> None:
    for k, m in enumerate(cols):
        count[k][m.indices[m.indptr[j] : m.indptr[j + 1]]] += step


def _open(
    sel: list[int], allowed: np.ndarray, conflicts: sp.csr_matrix | None, out: int | None
) -> np.ndarray:
    """Columns that may come in: allowed, not chosen, in conflict with none of ``sel``
    but ``out`` (the one leaving, if any)."""
    ok = allowed.copy()
    ok[sel] = False
    others = [j for j in sel if j != out]
    if conflicts is not None and others:
        ok[ranges(conflicts.indptr, conflicts.indices, np.asarray(others))] = False
    return ok


def interchange_budget(
    cols: Cols,
    w: np.ndarray,
    tw: np.ndarray,
    count0: np.ndarray,
    selected: np.ndarray,
    costs: np.ndarray,
    budget: float,
    most: int,
    conflicts: sp.csr_matrix | None,
    allowed: np.ndarray,
    max_rounds: int = 1000,
) -> np.ndarray:
    """Local search within the budget from the feasible ``selected``: add the column of the
    largest gain that still fits (while fewer than ``most`` are chosen), else swap one
    chosen column for one that fits in the budget it frees (best swap for each column
    taken out, first improvement across them), until no move improves the objective."""
    sel = [int(j) for j in selected]
    count = count0.copy()
    for j in sel:
        _add(count, cols, j, 1)
    n = cols[0].shape[1]
    by_row = [sp.csr_matrix(m) for m in cols]
    slack = money_slack(budget)
    least = tol(float(np.abs(tw).sum() * w.sum()), rel=1e-12)
    gain = coverage_gains(cols, w, tw, count)
    for _ in range(max_rounds):
        left = float(budget) - float(costs[sel].sum())
        if len(sel) < most:
            g = np.where(_open(sel, allowed, conflicts, None) & (costs <= left + slack), gain, 0.0)
            best = int(np.argmax(g))
            if g[best] > least:
                sel.append(best)
                _add(count, cols, best, 1)
                gain = coverage_gains(cols, w, tw, count)
                continue
        improved = False
        for pos, out in enumerate(list(sel)):
            rows = [m.indices[m.indptr[out] : m.indptr[out + 1]] for m in cols]
            only = [r[count[k][r] == 1] for k, r in enumerate(rows)]  # rows only ``out`` covers
            loss = sum(tw[k] * float(w[only[k]].sum()) for k in range(len(cols)))
            g = gain.copy()
            for k, r in enumerate(by_row):
                back = np.repeat(tw[k] * w[only[k]], r.indptr[only[k] + 1] - r.indptr[only[k]])
                g += np.bincount(ranges(r.indptr, r.indices, only[k]), back, minlength=n)
            left = float(budget) - float(costs[sel].sum()) + float(costs[out])
            ok = _open(sel, allowed, conflicts, out) & (costs <= left + slack)
            g = np.where(ok, g, -np.inf)
            best = int(np.argmax(g))
            if g[best] > loss + tol(loss):
                _add(count, cols, out, -1)
                _add(count, cols, best, 1)
                sel[pos] = best
                gain = coverage_gains(cols, w, tw, count)
                improved = True
        if not improved:
            break
    return np.asarray(sel, dtype=np.int64)
