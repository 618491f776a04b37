"""Array-only kernels of the site optimiser (numpy / scipy / HiGHS; no labels, no frames).

Coverage problems are given per threshold ``k`` as CSC matrices ``demand × candidates``
(``indptr``, ``indices``), demand weights ``w``, threshold weights ``tw`` and the demand
already covered by existing stations, ``covered[k]`` (bool per demand row).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

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
    tol = 1e-12 * max(1.0, float(np.abs(tw).sum() * w.sum()))
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
        if not np.isfinite(avail[j]) or avail[j] <= tol:
            break
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
            if g[best] > loss + 1e-9 * max(1.0, abs(loss)):
                for k, m in enumerate(cols):
                    count[k][rows[k]] -= 1
                    count[k][m.indices[m.indptr[best] : m.indptr[best + 1]]] += 1
                sel[pos] = best
                gain = coverage_gains(cols, w, tw, count)
                improved = True
        if not improved:
            break
    return np.asarray(sel, dtype=np.int64)


@dataclass(frozen=True)
class MilpResult:
    x: np.ndarray
    objective: float
    bound: float
    optimal: bool
    status: str
    #: Row duals of an LP (``relax=True``): the change of the objective per unit of a row's
    #: bound; empty for a MILP.
    row_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))


@functools.cache
def _quiet_highs() -> type:
    """``highspy.Highs`` with its output off from the start.

    The wrapper's constructor enables callbacks (C++ ``Highs::setCallback``), and that call
    prints the banner ("Running HiGHS ...: Copyright ...") to stdout, once per process,
    unless ``output_flag`` is already off; setting it after the constructor is too late.
    """
    import highspy

    class QuietHighs(highspy.Highs):
        def enableCallbacks(self) -> None:
            self.setOptionValue("output_flag", False)
            super().enableCallbacks()

    return QuietHighs


def _highs(model: Sequence[Any], *, relax: bool, time_limit_s: float | None = None) -> Any:
    """A HiGHS instance holding ``model`` (column-wise arrays, no modelling layer), silent."""
    import highspy

    cost, a, row_lo, row_hi, col_lo, col_hi, integer = model
    h = _quiet_highs()()
    if time_limit_s is not None:
        h.setOptionValue("time_limit", max(float(time_limit_s), 1e-3))
    a = sp.csc_matrix(a)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(col_lo, dtype=float)
    lp.col_upper_ = np.asarray(col_hi, dtype=float)
    lp.row_lower_ = np.asarray(row_lo, dtype=float)
    lp.row_upper_ = np.asarray(row_hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    if not relax:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
            for b in integer
        ]
    h.passModel(lp)
    return h


def solve_milp(
    cost: np.ndarray,
    a: sp.csc_matrix,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    col_lo: np.ndarray,
    col_hi: np.ndarray,
    integer: np.ndarray,
    *,
    time_limit_s: float | None = None,
    mip_rel_gap: float = 0.0,
    relax: bool = False,
    start: np.ndarray | None = None,
) -> MilpResult:
    """Minimise ``cost @ x`` subject to ``row_lo <= a @ x <= row_hi`` and bounds, with HiGHS.

    The model is passed to HiGHS as column-wise arrays; no modelling layer is involved.
    """
    import highspy

    model = (cost, a, row_lo, row_hi, col_lo, col_hi, integer)
    h = _highs(model, relax=relax, time_limit_s=time_limit_s)
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if start is not None:  # a feasible answer (from local search) to prune with
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    solution = h.getSolution()
    x = np.asarray(solution.col_value, dtype=float)
    obj = float(info.objective_function_value)
    bound = obj if relax else float(info.mip_dual_bound)
    optimal = status == highspy.HighsModelStatus.kOptimal
    duals = np.asarray(solution.row_dual, dtype=float) if relax else np.zeros(0)
    return MilpResult(x, obj, bound, optimal, str(status), duals)


class Relaxation:
    """The LP relaxation of a model with 0/1 integer columns, kept in one HiGHS instance so
    that re-solves after bound changes start from the last basis.

    :meth:`branch_and_bound` proves small models optimal with a plain depth-first search
    on it: on models whose LP bound is nearly tight that takes a handful of LP re-solves,
    well under the start-up cost of a full MILP solve (presolve, cuts, heuristics).
    """

    def __init__(self, model: Sequence[Any]) -> None:
        self.model = tuple(model)
        self.h = _highs(self.model, relax=True)
        self.idx = np.flatnonzero(np.asarray(self.model[6], dtype=bool)).astype(np.int32)
        self.lo0 = np.asarray(self.model[4], dtype=float)[self.idx]
        self.hi0 = np.asarray(self.model[5], dtype=float)[self.idx]
        if ((self.lo0 < 0) | (self.hi0 > 1)).any():
            raise ValueError("Relaxation: integer columns must be 0/1")

    def solve(
        self, lo: np.ndarray | None = None, hi: np.ndarray | None = None
    ) -> tuple[str, float, np.ndarray]:
        """Solve with the integer columns' bounds set to ``lo``/``hi`` (default: the
        model's). Returns ``"optimal"``, ``"infeasible"`` or HiGHS's status, the objective
        and the solution."""
        import highspy

        lo = self.lo0 if lo is None else lo
        hi = self.hi0 if hi is None else hi
        self.h.changeColsBounds(len(self.idx), self.idx, lo, hi)
        self.h.run()
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", np.inf, np.zeros(0)
        if status != highspy.HighsModelStatus.kOptimal:
            return str(status), np.nan, np.zeros(0)
        x = np.asarray(self.h.getSolution().col_value, dtype=float)
        return "optimal", float(self.h.getInfo().objective_function_value), x

    def branch_and_bound(
        self,
        incumbent: float,
        *,
        granularity: float = 0.0,
        node_limit: int = 2000,
        time_limit_s: float | None = None,
    ) -> MilpResult | None:
        """Depth-first LP branch and bound (the most fractional column, the 1-branch
        first), pruning every node whose LP value cannot beat ``incumbent`` (the cost of a
        known answer) by a whole ``granularity`` step (0: by any amount).

        Returns the result (``x`` empty when nothing beats ``incumbent``; ``optimal`` when
        the search finished), or None when ``node_limit`` nodes, the time of about 10 root
        LP solves (at least 0.25 s), or an LP status other than optimal/infeasible stopped
        it early: the search is then no place for this model.
        """
        t0 = time.perf_counter()
        best_x = np.zeros(0)
        stack: list[tuple[np.ndarray, np.ndarray]] = [(self.lo0.copy(), self.hi0.copy())]
        nodes = 0
        budget = np.inf  # give up once the search has cost as much as ~10 root LPs
        while stack:
            spent = time.perf_counter() - t0
            if time_limit_s is not None and spent > time_limit_s:
                return MilpResult(best_x, incumbent, -np.inf, False, "time limit")
            if spent > budget:
                return None
            lo, hi = stack.pop()
            status, obj, x = self.solve(lo, hi)
            nodes += 1
            if nodes == 1:
                budget = max(0.25, 10 * (time.perf_counter() - t0))
            if status == "infeasible":
                continue
            if status != "optimal":
                return None
            slack = 1e-7 * max(1.0, abs(incumbent))
            if (
                (obj > incumbent - granularity + slack)
                if granularity > 0
                else (obj >= incumbent - 1e-9 * max(1.0, abs(incumbent)))
            ):
                continue
            xi = x[self.idx]
            frac = np.abs(xi - np.round(xi))
            if frac.max(initial=0.0) < 1e-6:
                best_x, incumbent = x, obj
                continue
            if nodes >= node_limit:
                return None
            j = int(np.argmax(frac))
            down_hi, up_lo = hi.copy(), lo.copy()
            down_hi[j], up_lo[j] = 0.0, 1.0
            stack += [(lo, down_hi), (up_lo, hi)]
        return MilpResult(best_x, incumbent, incumbent, True, f"optimal ({nodes} LP nodes)")


def solve_binary(
    model: Sequence[Any],
    incumbent: float,
    start: np.ndarray | None,
    *,
    granularity: float = 0.0,
    relaxation: Relaxation | None = None,
    time_limit_s: float | None = None,
    node_limit: int = 2000,
) -> MilpResult:
    """Solve a 0/1 model to optimality given a known answer (cost ``incumbent``, MILP
    vector ``start``): LP branch and bound first; past ``node_limit`` nodes HiGHS's MILP
    solver, warm-started from ``start``, takes over. ``x`` is empty when nothing beats the
    incumbent."""
    t0 = time.perf_counter()
    rel = relaxation if relaxation is not None else Relaxation(model)
    res = rel.branch_and_bound(
        incumbent, granularity=granularity, node_limit=node_limit, time_limit_s=time_limit_s
    )
    if res is not None:
        return res
    left = None if time_limit_s is None else time_limit_s - (time.perf_counter() - t0)
    return solve_milp(*model, time_limit_s=left, start=start)


def lagrangian_coverage(
    cols: Cols,
    w: np.ndarray,
    tw: np.ndarray,
    count0: np.ndarray,
    p: int,
    allowed: np.ndarray,
    target: float,
    *,
    iters: int = 300,
) -> tuple[float, np.ndarray]:
    """Upper bound on the best gain of ``p`` columns by Lagrangian relaxation of the
    coverage constraints ``y_ik <= sum_j a_ijk x_j`` (subgradient ascent, Polyak steps
    towards ``target``, the best known objective).

    Returns the bound and the columns the last relaxed solution opened (a restart point).
    """
    val = [tw[k] * w * (count0[k] == 0) for k in range(len(cols))]  # value of each (i, k)
    lam = [0.5 * v for v in val]
    best = np.inf
    best_x = np.zeros(0, dtype=np.int64)
    step_scale = 2.0
    stall = 0
    for _ in range(iters):
        score = sum(m.T @ lam[k] for k, m in enumerate(cols))
        score = np.where(allowed, score, -np.inf)
        top = np.argpartition(-score, min(p, len(score) - 1))[:p] if p else np.zeros(0, int)
        top = top[np.isfinite(score[top]) & (score[top] > 0)]
        y = [v > lk for v, lk in zip(val, lam, strict=True)]
        bound = sum(
            float((v - lk)[yk].sum()) for v, lk, yk in zip(val, lam, y, strict=True)
        ) + float(score[top].sum())
        if bound < best - 1e-9:
            best, best_x, stall = bound, top, 0
        else:
            stall += 1
            if stall >= 20:
                step_scale /= 2
                stall = 0
        if best - target <= 1e-6 * max(1.0, target) or step_scale < 1e-4:
            break
        x = np.zeros(cols[0].shape[1])
        x[top] = 1.0
        grads = [yk.astype(float) - (m @ x) for m, yk in zip(cols, y, strict=True)]
        norm = sum(float((g * g).sum()) for g in grads)
        if norm <= 0:
            break
        t = step_scale * (bound - target) / norm
        lam = [np.clip(lk + t * g, 0.0, v) for lk, g, v in zip(lam, grads, val, strict=True)]
    return float(best), np.asarray(best_x, dtype=np.int64)


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


def lagrangian_capacitated(
    pi: np.ndarray,
    pj: np.ndarray,
    pv: np.ndarray,
    w: np.ndarray,
    caps: np.ndarray,
    p: int,
    allowed: np.ndarray,
    target: float,
    *,
    iters: int = 400,
) -> tuple[float, np.ndarray]:
    """Upper bound on capacitated coverage by Lagrangian relaxation of the assignment
    constraints ``sum_j z_ij <= 1`` (multipliers ``lam_i`` per demand row).

    Pairs ``(pi, pj)`` carry ``pv``, the value per unit of demand ``w[pi]`` served. With the
    assignment relaxed each site fills its capacity alone, best reduced value per unit
    first (``pv - lam_i / w_i``); the ``p`` best sites open. The bound is the smallest
    ``sum(lam) + sum of the p best site values`` met by subgradient steps (Polyak steps
    towards ``target``, the best known objective); at its optimum it equals the LP bound of
    the formulation with ``z_ij <= x_j``. Returns the bound and the sites the best relaxed
    solution opens (a restart point).
    """
    n_rows = int(pi.max()) + 1 if len(pi) else 0
    lam = np.zeros(n_rows)
    amount = w[pi]
    best, best_x = np.inf, np.zeros(0, dtype=np.int64)
    step_scale, stall = 2.0, 0
    for _ in range(iters):
        unit = pv - lam[pi] / amount
        value, take = knapsack_fill(pj, unit, amount, caps)
        score = np.where(allowed, value, -np.inf)
        top = np.argpartition(-score, min(p, len(score) - 1))[:p] if p else np.zeros(0, int)
        top = top[np.isfinite(score[top]) & (score[top] > 0)]
        bound = float(lam.sum() + score[top].sum())
        if bound < best - 1e-9 * max(1.0, abs(best) if np.isfinite(best) else 1.0):
            best, best_x, stall = bound, top, 0
        else:
            stall += 1
            if stall >= 10:
                step_scale, stall = step_scale / 2, 0
        if best - target <= 1e-6 * max(1.0, target) or step_scale < 1e-3:
            break
        opened = np.zeros(len(caps), dtype=bool)
        opened[top] = True
        served = np.bincount(pi, weights=np.where(opened[pj], take / amount, 0.0), minlength=n_rows)
        grad = 1.0 - served  # d bound / d lam_i
        grad = np.where((lam <= 0) & (grad > 0), 0.0, grad)  # lam stays >= 0
        norm = float((grad * grad).sum())
        if norm <= 0:
            break
        lam = np.maximum(0.0, lam - step_scale * (bound - target) / norm * grad)
    return float(best), np.asarray(best_x, dtype=np.int64)


def lagrangian_pmedian(
    wc: np.ndarray,
    base: np.ndarray,
    p: int,
    target: float,
    *,
    granularity: float = 0.0,
    iters: int = 1000,
) -> tuple[float, np.ndarray, np.ndarray]:
    """Lower bound on the p-median optimum by Lagrangian relaxation of the assignment
    constraints (subgradient ascent, Polyak steps towards ``target``, the best known cost).

    ``wc`` is the weighted cost ``w_i c_ij`` (demand × candidates), ``base`` the weighted
    cost of each demand row's existing station (``inf`` where there is none). For
    multipliers ``lam``: ``L = sum_i lam_i + sum_i min(0, base_i - lam_i) + the p smallest
    rho_j``, ``rho_j = sum_i min(0, wc_ij - lam_i)``. The relaxation has the integrality
    property, so the best ``L`` tends to the LP bound.

    Returns the best bound, and at its multipliers ``rho`` (for variable fixing) and the p
    sites the relaxation opens. Stops early once ``target - L < granularity`` (the optimum is
    a multiple of ``granularity`` when that is > 0, so the target is then proven optimal).
    """
    n, m = wc.shape
    lam = np.sort(wc, axis=1)[:, min(p, m - 1)]
    lam = np.where(np.isfinite(lam), lam, np.nanmax(np.where(np.isfinite(wc), wc, 0.0)))
    lam = np.minimum(lam, base)
    best, best_rho, best_open = -np.inf, np.zeros(m), np.zeros(0, dtype=np.int64)
    scale, stall = 2.0, 0
    for _ in range(iters):
        red = np.minimum(0.0, wc - lam[:, None])
        rho = red.sum(axis=0)
        opened = np.argpartition(rho, p - 1)[:p] if p < m else np.arange(m)
        base_red = np.minimum(0.0, base - lam)
        bound = float(lam.sum() + base_red.sum() + rho[opened].sum())
        if not np.isfinite(best) or bound > best + 1e-12 * max(1.0, abs(best)):
            best, best_rho, best_open, stall = bound, rho, opened, 0
        else:
            stall += 1
            if stall >= 30:
                scale, stall = scale / 2, 0
        if target - best < max(granularity, 1e-9 * max(1.0, abs(target))) or scale < 1e-5:
            break
        # subgradient: 1 - (number of open sites or stations the row is assigned to)
        g = 1.0 - (red[:, opened] < 0).sum(axis=1) - (base_red < 0)
        norm = float(g @ g)
        if norm == 0:
            break  # the relaxed answer is feasible: optimal
        lam = lam + scale * max(target - bound, 1e-9 * max(1.0, abs(target))) / norm * g
    return float(best), best_rho, np.asarray(best_open, dtype=np.int64)


#: Largest sparse product (estimated non-zeros) the set-cover reductions may form.
REDUCE_MAX_PRODUCT = 20_000_000
#: Matrices up to this many cells are reduced as dense arrays (no sparse overhead).
REDUCE_DENSE_CELLS = 250_000


def _sums(a: np.ndarray | sp.csr_matrix, axis: int) -> np.ndarray:
    return np.asarray(a.sum(axis=axis)).ravel()


def _dominated(a: np.ndarray | sp.csr_matrix, keep_superset: bool) -> np.ndarray | None:
    """Rows of the 0/1 matrix ``a`` to drop by dominance, or None when the check is too
    large.

    ``keep_superset=False``: drop row ``i`` when another row is a subset of it (covering
    the smaller row covers ``i`` too). ``True``: drop row ``i`` when another row is a
    superset of it. Of identical rows the first is kept.
    """
    sizes = _sums(a, 1)
    if sp.issparse(a):
        if float((_sums(a, 0).astype(float) ** 2).sum()) > REDUCE_MAX_PRODUCT:
            return None
        inter = (a @ a.T).tocoo()
        i, k, v = inter.row, inter.col, inter.data
    else:
        dense = a.astype(np.float32)
        i, k = np.nonzero(dense @ dense.T)
        v = (dense @ dense.T)[i, k]
    off = i != k
    i, k, v = i[off], k[off], v[off]
    if keep_superset:  # row i is a subset of row k
        sub = v == sizes[i]
        strict = sizes[i] < sizes[k]
    else:  # row k is a subset of row i
        sub = v == sizes[k]
        strict = sizes[k] < sizes[i]
    drop = np.zeros(a.shape[0], dtype=bool)
    drop[i[sub & (strict | (k < i))]] = True
    return drop


def reduce_set_cover(a: sp.spmatrix) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Classic reductions of a set-covering matrix (rows must all be covered, every column
    costs the same), repeated until nothing changes:

    - a row covered by one column only forces that column in;
    - a row whose columns include all of another row's is dropped (covering the other
      covers it);
    - a column whose rows are all covered by another column is dropped.

    Returns the rows and columns left and the forced columns. A minimum cover of what is
    left, plus the forced columns, is a minimum cover of ``a``.
    """
    csr = sp.csr_matrix(a, dtype=np.int32)
    csr.data[:] = 1
    m: np.ndarray | sp.csr_matrix = (
        csr.toarray() if csr.shape[0] * csr.shape[1] <= REDUCE_DENSE_CELLS else csr
    )
    rows, cols = np.arange(m.shape[0]), np.arange(m.shape[1])
    forced: list[int] = []
    while m.shape[0] and m.shape[1]:
        single = np.flatnonzero(_sums(m, 1) == 1)
        if len(single):  # forced columns, and the rows they cover
            must = np.unique(np.asarray(m[single].argmax(axis=1)).ravel())
            forced += cols[must].tolist()
            hit = _sums(m[:, must], 1) > 0
            keep_c = np.ones(m.shape[1], dtype=bool)
            keep_c[must] = False
            m, rows, cols = m[~hit][:, keep_c], rows[~hit], cols[keep_c]
            continue
        changed = False
        drop_r = _dominated(m, keep_superset=False)
        if drop_r is not None and drop_r.any():
            m, rows, changed = m[~drop_r], rows[~drop_r], True
        mt = sp.csr_matrix(m.T) if sp.issparse(m) else m.T
        drop_c = _dominated(mt, keep_superset=True)
        if drop_c is not None:
            drop_c |= _sums(mt, 1) == 0  # a column that covers nothing is no use
            if drop_c.any():
                m, cols, changed = m[:, ~drop_c], cols[~drop_c], True
        if not changed:
            break
    if not m.shape[0]:
        cols = cols[:0]
    return rows, cols, np.asarray(sorted(forced), dtype=np.int64)
