"""Coverage kernels: greedy picks, interchange, and the fractional knapsack per site.

Coverage problems are given per threshold ``k`` as CSC matrices ``demand × candidates``
(``indptr``, ``indices``), demand weights ``w``, threshold weights ``tw`` and how often each
demand row is already covered, ``count[k]`` (an int per demand row; existing stations give
the start, ``count0``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ...core.units import tol

Cols = Sequence[sp.csc_matrix]


def ranges(indptr: np.ndarray, indices: np.ndarray, major: np.ndarray) -> np.ndarray:
    """``indices`` of the given columns of a CSC (rows of a CSR) matrix, concatenated."""
    starts, ends = indptr[major], indptr[np.asarray(major) + 1]
    lens = ends - starts
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=indices.dtype)
    shift = np.repeat(starts - np.concatenate([[0], np.cumsum(lens)[:-1]]), lens)
    return indices[shift + np.arange(total)]


def _col_ids(m: sp.csc_matrix) -> np.ndarray:
    return np.repeat(np.arange(m.shape[1]), np.diff(m.indptr))


def coverage_gains(cols: Cols, w: np.ndarray, tw: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Gain of adding each column: ``sum_k tw_k * sum_{i in col_k} w_i [count_k[i] == 0]``."""
    n = cols[0].shape[1]
    out = np.zeros(n)
    for k, m in enumerate(cols):
        free = tw[k] * w * (count[k] == 0)
        out += np.bincount(_col_ids(m), weights=free[m.indices], minlength=n)
    return out


def open_site(
    j: int,
    cols: Cols,
    by_row: Sequence[sp.csr_matrix],
    weights: tuple[np.ndarray, np.ndarray],
    count: np.ndarray,
    gain: np.ndarray,
) -> float:
    """Open site ``j`` in a greedy step: count the rows it covers (``count``, per threshold,
    updated in place), take the demand it newly covers off every other site's ``gain``
    (in place), and return that demand (``weights``: row weights and threshold weights)."""
    w, tw = weights
    n = len(gain)
    got = 0.0
    for k, m in enumerate(cols):
        rows = m.indices[m.indptr[j] : m.indptr[j + 1]]
        new = rows[count[k][rows] == 0]
        count[k][rows] += 1
        if len(new):
            got += tw[k] * float(w[new].sum())
            r = by_row[k]
            lose = np.repeat(tw[k] * w[new], r.indptr[new + 1] - r.indptr[new])
            gain -= np.bincount(ranges(r.indptr, r.indices, new), lose, minlength=n)
    return got


def greedy_coverage(
    cols: Cols,
    w: np.ndarray,
    tw: np.ndarray,
    count0: np.ndarray,
    p: int,
    conflicts: sp.csr_matrix | None,
    allowed: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Greedy picks (ties to the lowest column), their gains, and the online upper bound on
    the best total gain of ``p`` columns (min over steps of gain so far + the ``p`` largest
    gains at that step; valid for monotone submodular objectives without conflicts).

    Gains are kept up to date from the rows each pick newly covers, so the whole run reads
    each non-zero a few times instead of once per pick.
    """
    count = count0.copy()
    free = allowed.copy()
    n = cols[0].shape[1]
    by_row = [sp.csr_matrix(m) for m in cols]
    gain = coverage_gains(cols, w, tw, count)
    least = tol(float(np.abs(tw).sum() * w.sum()), rel=1e-12)  # a gain worth a pick
    picks: list[int] = []
    gains: list[float] = []
    total, bound = 0.0, np.inf
    for step in range(p + 1):
        top = np.where(allowed, gain, 0.0)
        top = np.partition(top, n - p)[n - p :] if 0 < p < n else top[: max(p, 0)]
        bound = min(bound, total + float(np.clip(top, 0, None).sum()))
        if step == p:
            break
        avail = np.where(free, gain, -np.inf)
        j = int(np.argmax(avail))
        if not np.isfinite(avail[j]) or avail[j] <= least:
            break
        got = open_site(j, cols, by_row, (w, tw), count, gain)
        picks.append(j)
        gains.append(got)
        total += got
        free[j] = False
        if conflicts is not None:
            free[conflicts.indices[conflicts.indptr[j] : conflicts.indptr[j + 1]]] = False
    if len(picks) < p and conflicts is None:
        bound = total  # nothing more to gain anywhere: greedy is optimal
    return np.asarray(picks, dtype=np.int64), np.asarray(gains), float(bound)


def interchange_coverage(
    cols: Cols,
    w: np.ndarray,
    tw: np.ndarray,
    count0: np.ndarray,
    selected: np.ndarray,
    conflicts: sp.csr_matrix | None,
    allowed: np.ndarray,
    max_rounds: int = 1000,
) -> np.ndarray:
    """Swap one selected column for an unselected one while that improves the objective
    (best swap for each column taken out, first improvement across them).

    The gains with a column taken out are the current gains plus, for each row only that
    column covers, the row's weight on every column that covers it: a few rows per
    column instead of a pass over the whole matrix.
    """
    sel = list(int(j) for j in selected)
    count = count0.copy()
    n = cols[0].shape[1]
    by_row = [sp.csr_matrix(m) for m in cols]
    for j in sel:
        for k, m in enumerate(cols):
            count[k][m.indices[m.indptr[j] : m.indptr[j + 1]]] += 1
    gain = coverage_gains(cols, w, tw, count)
    for _ in range(max_rounds):
        improved = False
        for pos, out in enumerate(list(sel)):
            rows = [m.indices[m.indptr[out] : m.indptr[out + 1]] for m in cols]
            only = [r[count[k][r] == 1] for k, r in enumerate(rows)]  # rows only ``out`` covers
            loss = sum(tw[k] * float(w[only[k]].sum()) for k in range(len(cols)))
            g = gain.copy()
            for k, r in enumerate(by_row):
                back = np.repeat(tw[k] * w[only[k]], r.indptr[only[k] + 1] - r.indptr[only[k]])
                g += np.bincount(ranges(r.indptr, r.indices, only[k]), back, minlength=n)
            ok = allowed.copy()
            ok[sel] = False
            if conflicts is not None:
                others = [j for j in sel if j != out]
                if others:
                    ok[ranges(conflicts.indptr, conflicts.indices, np.asarray(others))] = False
            g = np.where(ok, g, -np.inf)
            best = int(np.argmax(g))
            if g[best] > loss + tol(loss):
                for k, m in enumerate(cols):
                    count[k][rows[k]] -= 1
                    count[k][m.indices[m.indptr[best] : m.indptr[best + 1]]] += 1
                sel[pos] = best
                gain = coverage_gains(cols, w, tw, count)
                improved = True
        if not improved:
            break
    return np.asarray(sel, dtype=np.int64)


def knapsack_fill(
    pj: np.ndarray, unit: np.ndarray, amount: np.ndarray, caps: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For every column, fill its capacity ``caps[j]`` with the amounts of its pairs, the
    highest value per unit first, pairs of value <= 0 left out (a fractional knapsack per
    column). Returns each column's value and the amount taken from each pair."""
    n = len(caps)
    take = np.zeros(len(pj))
    pos = np.flatnonzero(unit > 0)
    if not len(pos):
        return np.zeros(n), take
    u = unit[pos]
    top = float(u.max())
    # one sort key: column first, then value per unit, highest first (u <= top, so the
    # second term stays within [0, span) and never reaches the next column)
    span = top - float(u.min()) + 1.0
    order = pos[np.argsort(pj[pos] * span + (top - u), kind="stable")]
    col = pj[order]
    amt = amount[order]
    cum = np.cumsum(amt)
    starts = np.searchsorted(col, np.arange(n))
    before = cum - amt - np.concatenate([[0.0], cum])[starts][col]
    take[order] = np.clip(caps[col] - before, 0.0, amt)
    return np.bincount(pj, weights=take * unit, minlength=n), take
