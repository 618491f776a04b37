"""p-median: ``p`` sites minimising the demand-weighted cost (travel time) to the nearest
chosen site or existing station."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from .solution import KICKS, Solution


class _Lagrangian(NamedTuple):
    """The Lagrangian relaxation at its best multipliers: the lower ``bound``, ``rho_j`` per
    candidate (the change of the relaxed answer when ``j`` is forced in or out) and the
    ``p`` sites it opens."""

    bound: float
    rho: np.ndarray
    opened: np.ndarray


def _times_weight(w: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """``w * cost`` with 0 where the weight is 0, even for an infinite cost."""
    w, cost = np.broadcast_arrays(w, cost)
    return np.multiply(w, cost, out=np.zeros(w.shape), where=w > 0)


class PMedian:
    """``p`` sites minimising the demand-weighted cost to the nearest chosen site.

    Parameters
    ----------
    cost
        Dense ``demand × candidates`` cost matrix, or sparse (missing = out of reach); any
        unit (the planner gives seconds).
    weights
        Demand of each row (>= 0).
    p
        Number of sites (1 to the number of candidates).
    unreachable_cost
        Cost charged for a pair missing from a sparse matrix (default: twice the largest
        stored cost).
    base_cost
        Per demand row, the cost to the nearest existing station (kept; default: none).
    """

    maximise = False

    def __init__(
        self,
        cost: np.ndarray | sp.spmatrix,
        weights: Sequence[float] | np.ndarray,
        p: int,
        *,
        unreachable_cost: float | None = None,
        base_cost: np.ndarray | None = None,
    ) -> None:
        if sp.issparse(cost):
            m = sp.coo_matrix(cost)
            fill = (
                unreachable_cost
                if unreachable_cost is not None
                else 2 * float(m.data.max(initial=1.0))
            )
            dense = np.full(m.shape, fill, dtype=float)
            dense[m.row, m.col] = m.data
            cost = dense
        self.cost = np.asarray(cost, dtype=float)
        n, m_c = self.cost.shape
        self.weights = sol_mod.check_weights(weights, n)
        if not (1 <= int(p) <= m_c):
            raise ConfigError(
                f"p: expected 1 to {m_c} sites (the number of candidates), got {p}; ask for "
                "fewer sites or give more candidates"
            )
        self.p = int(p)
        self.base = np.full(n, np.inf) if base_cost is None else np.asarray(base_cost, float)

    @classmethod
    def from_cost_matrix(
        cls, cost: np.ndarray | sp.spmatrix, weights: Sequence[float], *, p: int
    ) -> PMedian:
        """From a ``demand × candidates`` cost matrix (as the constructor)."""
        return cls(cost, weights, p)

    # ------------------------------------------------------------------ evaluation
    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """Demand-weighted cost from every demand row to the nearest of ``selected`` and
        the existing stations."""
        idx = [int(j) for j in selected]
        best = self.base if not idx else np.minimum(self.base, self.cost[:, idx].min(axis=1))
        return float((self.weights * best).sum())

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        """Exactly ``p`` distinct candidate columns."""
        sel = np.asarray(selected, dtype=np.int64)
        in_range = bool(((sel >= 0) & (sel < self.cost.shape[1])).all())
        return len(sel) == self.p and len(np.unique(sel)) == len(sel) and in_range

    def _weighted_cost(self) -> np.ndarray:
        return _times_weight(self.weights[:, None], self.cost)

    def _granularity(self) -> float:
        """1 when every weight and cost is a whole number (so is every objective value and
        a bound can be rounded up), else 0."""
        vals = [self.weights, self.cost[np.isfinite(self.cost)], self.base[np.isfinite(self.base)]]
        return 1.0 if all(np.array_equal(v, np.round(v)) for v in vals) else 0.0

    @staticmethod
    def _round_bound(bound: float, gran: float) -> float:
        """A lower ``bound`` rounded up to a multiple of ``gran`` (when above 0)."""
        return float(gran * np.ceil(bound / gran - 1e-9)) if gran > 0 else bound

    # ------------------------------------------------------------------ solve
    def solve(self, method: str = "local", *, time_limit_s: _kernels.Limit = None) -> Solution:
        """``"greedy"`` (add the site that lowers the cost most), ``"local"`` (then the fast
        interchange of Whitaker, from the greedy answer and from the sites a Lagrangian
        relaxation opens) or ``"exact"``.

        Bounds come from the Lagrangian relaxation of the assignment constraints (it tends
        to the LP bound at a fraction of the cost). ``"exact"`` uses the bound to rule sites
        in or out (a site is ruled out when every answer with it costs at least as much as
        the local answer), then a MILP on the sites left, warm-started from the local answer,
        closes the gap (within ``time_limit_s`` seconds when given). ``"local"`` then tries
        to prove its answer: the same exact step within about a second on small models
        (:func:`~planner.optimize.solution.exact_step`).
        """
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        sel = self._greedy()
        if method != "greedy":
            sel = self._interchange(sel)
        obj = self.objective(sel)
        gran = self._granularity()
        lagr = self._lagrangian(obj, gran)
        if method != "greedy":
            alt = self._interchange(lagr.opened)  # a second start: the relaxation's sites
            if self.objective(alt) < obj - tol(obj):
                sel, obj = alt, self.objective(alt)
        bound = self._round_bound(lagr.bound - _kernels.bound_slack(lagr.bound), gran)
        optimal = sol_mod.proven(obj, bound, maximise=False)
        if method == "local" and not optimal:
            sel = sol_mod.iterated_local_search(
                np.asarray(sel), obj, rounds=KICKS, pool=np.arange(self.cost.shape[1]),
                descend=self._interchange, value_of=self.objective, maximise=False, bound=bound,
            )  # fmt: skip
            obj = self.objective(sel)
            optimal = sol_mod.proven(obj, bound, maximise=False)
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=self.cost.size)
        if close and not optimal:
            sel, obj, bound, optimal = self._reduce_and_branch(
                np.asarray(sel), obj, bound, lagr, gran, limit
            )
        bound = min(bound, obj)
        solution = Solution(
            np.asarray(sel, dtype=np.int64),
            obj,
            bound,
            sol_mod.gap(obj, bound, maximise=False),
            method,
            optimal=bool(optimal),
            seconds=time.perf_counter() - t0,
        )
        return sol_mod.look_for_alternative(
            solution, self._milp, self.objective,
            n_sites=self.cost.shape[1], pairs=self.cost.size, maximise=False,
        )  # fmt: skip

    def _lagrangian(self, target: float, gran: float) -> _Lagrangian:
        """The Lagrangian relaxation, with subgradient steps towards ``target`` (the best
        cost known): fewer steps on larger matrices (50 to 1000)."""
        n, m = self.cost.shape
        bound, rho, opened = _kernels.lagrangian_pmedian(
            self._weighted_cost(),
            _times_weight(self.weights, self.base),
            self.p,
            target,
            granularity=gran,
            iters=int(np.clip(3e8 / max(1, n * m), 50, 1000)),
        )
        return _Lagrangian(bound, rho, opened)

    def _fixed(self, obj: float, lagr: _Lagrangian, gran: float) -> tuple[np.ndarray, np.ndarray]:
        """Sites the Lagrangian bound leaves undecided, and sites it fixes open.

        Forcing site ``j`` open (closed) changes the relaxed answer by one site, so the bound
        with ``j`` forced is known at once. When it shows that no answer strictly better than
        ``obj`` can have ``j`` open (closed), ``j`` is fixed closed (open).
        """
        is_open = np.zeros(self.cost.shape[1], dtype=bool)
        is_open[lagr.opened] = True
        slack = _kernels.bound_slack(obj)
        rho = lagr.rho
        with_j = lagr.bound - rho[lagr.opened].max() + rho  # bound when j is forced open
        without_j = lagr.bound - rho + (rho[~is_open].min() if (~is_open).any() else np.inf)

        def excluded(b: np.ndarray) -> np.ndarray:  # no strictly better answer in that case
            return b - slack > obj - gran if gran > 0 else b - slack >= obj

        fix_out = ~is_open & excluded(with_j)
        fix_in = is_open & excluded(without_j)
        return np.flatnonzero(~fix_out & ~fix_in), np.flatnonzero(fix_in)

    def _reduce_and_branch(
        self,
        sel: np.ndarray,
        obj: float,
        bound: float,
        lagr: _Lagrangian,
        gran: float,
        time_limit_s: _kernels.Limit,
    ) -> tuple[np.ndarray, float, float, bool]:
        """Rule sites in or out with the Lagrangian bound (:meth:`_fixed`), then solve the
        MILP on the rest, warm-started from ``sel`` (cost ``obj``) where it fits. The
        optimum is the better of ``obj`` and the optimum of the reduced problem: returns the
        answer, its cost, the bound and whether it is proven."""
        keep, ins = self._fixed(obj, lagr, gran)
        p_left = self.p - len(ins)
        if p_left == 0 or len(keep) < p_left:
            if p_left == 0 and self.objective(ins) < obj:
                return ins, self.objective(ins), self.objective(ins), True
            return sel, obj, obj, True  # nothing strictly better exists
        base = self.base if not len(ins) else np.minimum(self.base, self.cost[:, ins].min(axis=1))
        sub = PMedian(self.cost[:, keep], self.weights, p_left, base_cost=base)
        model, const = sub._milp()
        start = None
        if np.isin(sel, ins).sum() == len(ins) and np.isin(sel, np.concatenate([keep, ins])).all():
            start = sub._start(np.flatnonzero(np.isin(keep, sel)))
        res = _kernels.solve_binary(
            model, obj - const, start, granularity=gran, time_limit_s=time_limit_s
        )
        if res.x.size:
            found = np.concatenate([ins, keep[res.x[: len(keep)] > 0.5]])
            if len(found) == self.p and self.objective(found) < obj:
                sel, obj = found, self.objective(found)
        sub_bound = self._round_bound(res.bound + const - _kernels.bound_slack(obj), gran)
        bound = max(bound, min(obj, sub_bound))
        return sel, obj, bound, res.optimal or sol_mod.proven(obj, bound, maximise=False)

    # ------------------------------------------------------------------ search
    def _greedy(self) -> np.ndarray:
        """``p`` sites, each time the one that lowers the total cost most."""
        cur = self.base.copy()
        cur = np.where(np.isfinite(cur), cur, self.cost.max(axis=1) * 10 + 1)
        sel: list[int] = []
        for _ in range(self.p):
            totals = (self.weights[:, None] * np.minimum(cur[:, None], self.cost)).sum(axis=0)
            totals[sel] = np.inf
            j = int(np.argmin(totals))
            sel.append(j)
            cur = np.minimum(cur, self.cost[:, j])
        return np.asarray(sel, dtype=np.int64)

    def _interchange(self, selected: np.ndarray) -> np.ndarray:
        """Swap a chosen site for another while the total cost falls (best swap per pass)."""
        sel = [int(j) for j in selected]
        w = self.weights
        big = self.cost.max() * 10 + 1
        base = np.where(np.isfinite(self.base), self.base, big)
        while True:
            c = np.column_stack([self.cost[:, sel], base])
            order = np.argsort(c, axis=1)
            d1 = c[np.arange(len(c)), order[:, 0]]
            d2 = c[np.arange(len(c)), order[:, 1]] if c.shape[1] > 1 else d1
            near = order[:, 0]  # position in sel (len(sel) = base)
            current = float((w * d1).sum())
            best_val, best = current, None
            for pos in range(len(sel)):
                # cost of each demand once ``sel[pos]`` is removed
                without = np.where(near == pos, d2, d1)
                # adding candidate j: min(without, cost[:, j]) for every j at once
                totals = (w[:, None] * np.minimum(without[:, None], self.cost)).sum(axis=0)
                totals[sel] = np.inf
                j = int(np.argmin(totals))
                if totals[j] < best_val - tol(best_val):
                    best_val, best = float(totals[j]), (pos, j)
            if best is None:
                return np.asarray(sel, dtype=np.int64)
            sel[best[0]] = best[1]

    # ------------------------------------------------------------------ model
    def _start(self, selected: np.ndarray) -> np.ndarray:
        """The full MILP vector (x and z) of a set of sites, for a warm start."""
        n, m = self.cost.shape
        keep_rank = m - self.p + 1
        x = np.zeros(m)
        x[np.asarray(selected, dtype=np.int64)] = 1.0
        z: list[float] = []
        for i in range(n):
            ci = self.cost[i]
            levels = np.unique(ci[np.argsort(ci, kind="stable")[:keep_rank]])
            if np.isfinite(self.base[i]):
                levels = np.concatenate([levels[levels < self.base[i]], [self.base[i]]])
            nearest = min(ci[selected].min() if len(selected) else np.inf, self.base[i])
            z.extend((levels[:-1] < nearest).astype(float).tolist())
        return np.concatenate([x, np.asarray(z)])

    def _levels(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Per demand row, the candidates sorted by cost (``order``, ``sc``), which sorted
        entries can serve it (the ``m - p + 1`` nearest, below its station's cost) and open
        a new cost level (``usable``, ``new_level``)."""
        c = self.cost
        keep_rank = c.shape[1] - self.p + 1
        order = np.argsort(c, axis=1, kind="stable")
        sc = np.take_along_axis(c, order, axis=1)
        kth = sc[:, keep_rank - 1]
        usable = (sc <= kth[:, None]) & (sc < self.base[:, None])
        first = np.ones_like(usable)
        first[:, 1:] = sc[:, 1:] != sc[:, :-1]
        return order, sc, usable, usable & first

    def _milp(self) -> tuple[_kernels.Model, float]:
        """Elloumi's (2010) radius formulation, in chained form.

        For demand ``i`` let ``D_i1 < D_i2 < ...`` be the distinct costs to candidates (only
        the ``m - p + 1`` nearest can serve it; an existing station caps the list). Variables:
        ``x_j`` (open) and ``z_ik`` in [0, 1] (no open site within ``D_ik``). Rows:
        ``z_i,k-1 - z_ik - sum_{j: c_ij = D_ik} x_j <= 0`` (``z_i0 = 1``) and
        ``sum_j x_j = p``. Cost: ``sum_i w_i (D_i1 + sum_k (D_i,k+1 - D_ik) z_ik)``; the
        constant part is returned with the model. Its LP bound equals the classic assignment
        model's with far fewer non-zeros.
        """
        n, m = self.cost.shape
        order, sc, usable, new_level = self._levels()
        level = np.cumsum(new_level, axis=1) - 1  # level of each sorted entry
        n_levels = new_level.sum(axis=1) + np.isfinite(self.base)  # the base is a last level
        n_z_i = np.maximum(n_levels - 1, 0)
        off = np.concatenate([[0], np.cumsum(n_z_i)])
        n_z = int(off[-1])
        # level values per client: the distinct usable costs, then the base where there is one
        values = [np.concatenate([sc[i][new_level[i]],
                                  [self.base[i]] if np.isfinite(self.base[i]) else []])
                  for i in range(n)]  # fmt: skip
        const = float(sum(self.weights[i] * v[0] for i, v in enumerate(values)))
        cost_z = (
            np.concatenate([self.weights[i] * np.diff(v) for i, v in enumerate(values)])
            if n_z
            else np.zeros(0)
        )
        # x entries: sorted entry (i, pos) joins row (i, level) for every level but the last
        ii, pos = np.nonzero(usable & (level < n_z_i[:, None]))
        x_rows = off[ii] + level[ii, pos]
        z = np.arange(n_z)
        chain = z - off[np.repeat(np.arange(n), n_z_i)] > 0  # z_ik with k > 0 links z_i,k-1
        rr = np.concatenate([x_rows, z, z[chain], np.full(m, n_z)])
        cc = np.concatenate([order[ii, pos], m + z, m + z[chain] - 1, np.arange(m)])
        vv = np.concatenate(
            [-np.ones(len(x_rows)), -np.ones(n_z), np.ones(int(chain.sum())), np.ones(m)]
        )
        model = _kernels.Model(
            np.concatenate([np.zeros(m), cost_z]),
            sp.csc_matrix((vv, (rr, cc)), shape=(n_z + 1, m + n_z)),
            np.concatenate([np.full(n_z, -np.inf), [self.p]]),
            np.concatenate([np.where(chain, 0.0, -1.0), [self.p]]),
            np.zeros(m + n_z),
            np.ones(m + n_z),
            np.concatenate([np.ones(m, bool), np.zeros(n_z, bool)]),
        )
        return model, const
