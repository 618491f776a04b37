"""Lagrangian relaxations: bounds (and restart points) for the three problem families, by
subgradient steps of a few matrix-vector products each."""

from __future__ import annotations

import numpy as np

from ...core.units import PROVEN_GAP, tol
from .cover import Cols, knapsack_fill


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
        if best - target <= tol(target, rel=PROVEN_GAP) or step_scale < 1e-4:
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
        if bound < best - tol(best if np.isfinite(best) else 1.0):
            best, best_x, stall = bound, top, 0
        else:
            stall += 1
            if stall >= 10:
                step_scale, stall = step_scale / 2, 0
        if best - target <= tol(target, rel=PROVEN_GAP) or step_scale < 1e-3:
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
        if not np.isfinite(best) or bound > best + tol(best, rel=1e-12):
            best, best_rho, best_open, stall = bound, rho, opened, 0
        else:
            stall += 1
            if stall >= 30:
                scale, stall = scale / 2, 0
        if target - best < max(granularity, tol(target)) or scale < 1e-5:
            break
        # subgradient: 1 - (number of open sites or stations the row is assigned to)
        g = 1.0 - (red[:, opened] < 0).sum(axis=1) - (base_red < 0)
        norm = float(g @ g)
        if norm == 0:
            break  # the relaxed answer is feasible: optimal
        lam = lam + scale * max(target - bound, tol(target)) / norm * g
    return float(best), best_rho, np.asarray(best_open, dtype=np.int64)


#: Largest sparse product (estimated non-zeros) the set-cover reductions may form.
