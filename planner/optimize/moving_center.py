"""The exact step of relocation with p-center (:class:`~planner.optimize.moving.Moving`).

The longest time of an answer is one of the pair times, so the search runs over the sorted
times below the answer's, as :class:`~planner.optimize.p_center.PCenter` does: a radius
``r`` is within reach when the fewest union columns that bring every demand within ``r``,
holding the fixed columns and all but ``moves`` stations (the keep row), number at most
``p``. Each such cover is a small 0/1 model solved through HiGHS. A radius is proven out
of reach only when its model is solved, so the bound (the radius after the longest one
proven out of reach) stays honest when a limit stops a step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from ..core.units import tol
from . import _kernels
from .p_center import PCenter

Step = Callable[[np.ndarray, float, float, _kernels.Limit], tuple[np.ndarray, float, float, bool]]


def _cover(problem: PCenter, r: float, fixed: np.ndarray) -> _kernels.Model | None:
    """The model of the fewest columns within ``r`` of every demand, ``fixed`` held open
    (None: some demand no column reaches within ``r``)."""
    need = problem.demand & (problem.base > r)
    hit = (problem.vals <= r) & need[problem.rows]
    rows = np.flatnonzero(need)
    number = np.full(problem.n_rows, -1, dtype=np.int64)
    number[rows] = np.arange(len(rows))
    if len(rows) and np.bincount(number[problem.rows[hit]], minlength=len(rows)).min() == 0:
        return None
    n = problem.n_sites
    a = sp.csc_matrix(
        (np.ones(int(hit.sum())), (number[problem.rows[hit]], problem.cols[hit])),
        shape=(len(rows), n),
    )
    lo = np.zeros(n)
    lo[fixed] = 1.0
    return _kernels.Model(
        np.ones(n), a, np.ones(len(rows)), np.full(len(rows), np.inf), lo, np.ones(n),
        np.ones(n, dtype=bool),
    )  # fmt: skip


def exact_step(problem: PCenter, n_s: int, moves: int, fixed: np.ndarray) -> Step:
    """The exact step of :meth:`Moving.solve` for the union p-center ``problem`` whose first
    ``n_s`` columns are the stations, of which at most ``moves`` may close."""

    def reach(r: float, limit: _kernels.Limit) -> tuple[np.ndarray | None, bool]:
        model = _cover(problem, r, fixed)
        if model is None:
            return None, True
        row = sp.csc_matrix(
            (np.ones(n_s), (np.zeros(n_s, dtype=np.int64), np.arange(n_s))),
            shape=(1, problem.n_sites),
        )
        model = model._replace(
            a=sp.vstack([model.a, row], format="csc"),
            row_lo=np.concatenate([model.row_lo, [float(n_s - moves)]]),
            row_hi=np.concatenate([model.row_hi, [np.inf]]),
        )
        res = _kernels.solve_binary(
            model, float(problem.p + 1), None, granularity=1.0, time_limit_s=limit
        )
        if res.x.size:
            found = np.flatnonzero(res.x[: problem.n_sites] > 0.5)
            if len(found) <= problem.p:
                return found, False
        return None, bool(res.optimal)

    def step(
        sel: np.ndarray, obj: float, bound: float, limit: _kernels.Limit
    ) -> tuple[np.ndarray, float, float, bool]:
        radii = problem._radii()
        radii = radii[(radii >= bound - tol(bound)) & (radii < obj - tol(obj))]
        lo, hi, proven_out, best = -1, len(radii), -1, sel
        while hi - lo > 1:
            mid = (lo + hi) // 2
            found, out = reach(float(radii[mid]), limit)
            if found is not None:
                hi, best = mid, _filled(problem, found, sel, n_s)
            else:
                lo = mid
                proven_out = max(proven_out, mid) if out else proven_out
        value = problem.objective(best)
        if value > obj + tol(obj):  # pragma: no cover - a cover within r is never longer
            best, value = sel, obj
        if proven_out == hi - 1:  # every radius below the answer's is out of reach
            return best, value, value, True
        if proven_out >= 0:
            bound = max(bound, float(radii[proven_out + 1]))
        return best, value, bound, value <= bound + tol(bound)

    return step


def _filled(problem: PCenter, found: np.ndarray, sel: np.ndarray, n_s: int) -> np.ndarray:
    """The cover ``found`` topped up to ``p`` columns: the stations first (keeping them
    closes fewer), then the columns of ``sel``, then the rest in order."""
    out = list(found.tolist())
    for j in [*range(n_s), *sel.tolist(), *range(problem.n_sites)]:
        if len(out) >= problem.p:
            break
        if j not in out:
            out.append(int(j))
    return np.asarray(out, dtype=np.int64)
