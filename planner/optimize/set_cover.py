"""Set cover: the fewest new sites that bring the covered share of demand to a target."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from .coverage import MaximalCoverage
from .solution import LP_BOUND_MAX_NNZ, Solution


def _count_bound(lp_value: float) -> float:
    """A bound on a number of sites from an LP value: rounded up, with a value within
    1e-6 of a whole number taken as that number."""
    return float(np.ceil(lp_value - 1e-6))


class SetCover:
    """The fewest new sites that bring the covered share of demand to ``target_share``.

    Parameters
    ----------
    cover
        Boolean ``demand × candidates`` matrix for the threshold of the goal.
    weights
        Demand of each row (>= 0).
    target_share
        Share of *all* demand to cover, existing stations included (1.0 = full coverage).
    covered
        Demand rows the existing stations already cover.
    """

    maximise = False

    def __init__(
        self,
        cover: sp.spmatrix,
        weights: Sequence[float] | np.ndarray,
        *,
        target_share: float = 1.0,
        covered: np.ndarray | None = None,
    ) -> None:
        self.cover = sp.csc_matrix(cover, dtype=float)
        self.cover.data[:] = 1.0
        n = self.cover.shape[0]
        self.weights = sol_mod.check_weights(weights, n)
        if not (0 < target_share <= 1):
            raise ConfigError(
                f"target_share: expected a share of all demand in (0, 1] (1.0: all of it), "
                f"got {target_share}"
            )
        self.covered = np.zeros(n, bool) if covered is None else np.asarray(covered, bool)
        total = float(self.weights.sum())
        self.need = target_share * total - float(self.weights[self.covered].sum())
        reachable = self.covered | (np.diff(self.cover.tocsr().indptr) > 0)
        best = float(self.weights[reachable].sum())
        if best < target_share * total - tol(total):
            raise ConfigError(
                f"target_share: even every candidate together covers only {best / total:.1%} "
                f"of demand, less than the {target_share:.1%} asked; lower the target or add "
                "candidates"
            )
        self.target_share = float(target_share)

    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray | sp.spmatrix,
        weights: Sequence[float],
        *,
        threshold: float,
        target_share: float = 1.0,
    ) -> SetCover:
        """From a ``demand × candidates`` cost matrix (see
        :meth:`~planner.optimize.coverage.MaximalCoverage.from_cost_matrix`) and the
        threshold of the goal (the cost's unit)."""
        return cls(sol_mod.cover_from_cost(cost, threshold), weights, target_share=target_share)

    # ------------------------------------------------------------------ evaluation
    def covered_demand(self, selected: Sequence[int] | np.ndarray) -> float:
        """Demand the existing stations and ``selected`` cover together."""
        hit = self.covered.copy()
        idx = np.asarray(selected, dtype=np.int64)
        hit[_kernels.ranges(self.cover.indptr, self.cover.indices, idx)] = True
        return float(self.weights[hit].sum())

    def reaches_target(self, selected: Sequence[int] | np.ndarray) -> bool:
        """Whether ``selected`` (with the existing stations) covers the target share."""
        target = self.target_share * float(self.weights.sum())
        return self.covered_demand(selected) >= target - tol(target)

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """The number of distinct sites in ``selected``."""
        return float(len(np.unique(np.asarray(selected, dtype=np.int64))))

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        """Distinct candidate columns that reach the target."""
        sel = np.asarray(selected, dtype=np.int64)
        n_c = self.cover.shape[1]
        distinct = len(np.unique(sel)) == len(sel) and bool(((sel >= 0) & (sel < n_c)).all())
        return distinct and self.reaches_target(sel)

    def _count0(self) -> np.ndarray:
        return self.covered.astype(np.int64)[None, :]

    # ------------------------------------------------------------------ solve
    def solve(self, method: str = "local", *, time_limit_s: _kernels.Limit = None) -> Solution:
        """``"greedy"`` (largest demand first), ``"local"`` or ``"exact"``.

        ``"local"`` and ``"exact"`` first reduce a full-coverage goal by the classic
        set-covering rules (a demand point only one site reaches forces that site in;
        dominated demand points and sites are dropped) and drop sites the others make
        unnecessary. ``"local"`` then looks for a cover with as many sites as the bound
        (the LP relaxation rounded up) with the maximal-coverage local search (finding one
        proves it optimal), else bisects towards it. ``"exact"`` branches on the LP
        relaxation of what is left (HiGHS's MILP solver takes over when that search grows
        large; within ``time_limit_s`` seconds when given). ``"local"`` then tries to prove
        its answer: the exact step within about a second on small models
        (:func:`~planner.optimize.solution.exact_step`).
        """
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        if self.need <= 1e-12:
            return Solution(np.zeros(0, np.int64), 0.0, 0.0, 0.0, method, optimal=True)
        sel, gains = self._greedy()
        sub = _CoverPart(self, reduce=method != "greedy")
        bound, relaxation = self._bound(sub, exact=method == "exact")
        if method != "greedy":  # exact on a small model searches the LP straight away
            large = sub.model.a.nnz > LP_BOUND_MAX_NNZ
            sel = self._local(sel, sub, bound, search=method == "local" or large)
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=sub.model.a.nnz)
        if close and len(sel) > bound and sub.a.shape[0]:
            sel, bound = self._exact(sel, sub, bound, relaxation, limit)
        return Solution(
            np.asarray(sel, dtype=np.int64),
            float(len(sel)),
            bound,
            sol_mod.gap(len(sel), bound, maximise=False),
            method,
            gains=gains[: len(sel)] if method == "greedy" else np.zeros(0),
            optimal=len(sel) <= bound,
            seconds=time.perf_counter() - t0,
        )

    def _greedy(self) -> tuple[np.ndarray, np.ndarray]:
        """The greedy cover (largest demand first, until the target is met) and the gain of
        every greedy pick (all candidates, in order)."""
        n_c = self.cover.shape[1]
        picks, gains, _ = _kernels.greedy_coverage(
            [self.cover], self.weights, np.ones(1), self._count0(), n_c, None, np.ones(n_c, bool)
        )
        k = int(np.searchsorted(np.cumsum(gains), self.need - tol(self.need))) + 1
        return picks[:k], gains

    @staticmethod
    def _bound(sub: _CoverPart, *, exact: bool) -> tuple[float, _kernels.Relaxation | None]:
        """A lower bound on the number of sites: the forced sites when they cover everything,
        else the forced sites plus the LP relaxation of the rest rounded up (on models up to
        :data:`~planner.optimize.solution.LP_BOUND_MAX_NNZ` non-zeros, or any size when
        ``exact``), else the forced sites plus one. With the LP relaxation when solved."""
        n_f = len(sub.forced)
        if not sub.a.shape[0]:  # the forced sites cover everything: they are the answer
            return float(n_f), None
        if sub.model.a.nnz <= LP_BOUND_MAX_NNZ or exact:
            relaxation = _kernels.Relaxation(sub.model)
            return n_f + _count_bound(relaxation.solve()[1]), relaxation
        return n_f + 1.0, None

    def _local(self, sel: np.ndarray, sub: _CoverPart, bound: float, *, search: bool) -> np.ndarray:
        """``sel`` without the sites the others make unnecessary (the forced sites when they
        suffice), then, when ``search``, the smallest cover local search finds below it."""
        sel = self._drop_redundant(sel)
        if not sub.a.shape[0] and len(sub.forced) < len(sel):
            sel = sub.forced
        for cand in sub.covers(bound, upto=len(sel) - 1) if search else []:
            if len(cand) < len(sel) and self.reaches_target(cand):
                sel = cand
        return sel

    def _exact(
        self,
        sel: np.ndarray,
        sub: _CoverPart,
        bound: float,
        relaxation: _kernels.Relaxation | None,
        time_limit_s: _kernels.Limit,
    ) -> tuple[np.ndarray, float]:
        """Branch on the LP relaxation of the part left, from the best cover known: the
        answer and the bound."""
        n_f = len(sub.forced)
        start = self._drop_redundant(sub.best if sub.best is not None else sub.greedy_cover())
        res = _kernels.solve_binary(
            sub.model,
            float(len(sel) - n_f),  # a cover of this size is known (see _CoverPart)
            sub.start(start),
            granularity=1.0,
            relaxation=relaxation,
            time_limit_s=time_limit_s,
        )
        if res.x.size:
            found = sub.selection(res.x)
            if len(found) <= len(sel) and self.reaches_target(found):
                sel = found
        return sel, max(bound, n_f + _count_bound(res.bound))

    def _drop_redundant(self, selected: np.ndarray) -> np.ndarray:
        """Drop sites the others make unnecessary, last picked first."""
        sel = np.asarray(selected, dtype=np.int64)
        for j in sel[::-1]:
            rest = sel[sel != j]
            if self.reaches_target(rest):
                sel = rest
        return sel


class _CoverPart:
    """The part of a :class:`SetCover` problem left to decide: demand rows not yet covered
    (and, for full coverage, reduced by the set-covering rules), candidate columns, the
    sites forced in, and its MILP (``x`` only for full coverage; with ``y`` per demand row
    and a demand row to reach for a partial target)."""

    def __init__(self, problem: SetCover, *, reduce: bool) -> None:
        csr = problem.cover.tocsr()
        rows = np.flatnonzero((np.diff(csr.indptr) > 0) & ~problem.covered & (problem.weights > 0))
        cols = np.arange(problem.cover.shape[1])
        self.forced = np.zeros(0, dtype=np.int64)
        self.full = problem.target_share >= 1.0
        if self.full and reduce:
            r, c, self.forced = _kernels.reduce_set_cover(csr[rows])
            rows, cols = rows[r], c
        self.cols = cols
        self.a = sp.csc_matrix(csr[rows][:, cols])
        self.w = np.ones(len(rows)) if self.full else problem.weights[rows]
        self.need = float(len(rows)) if self.full else problem.need
        #: The smallest cover :meth:`covers` found (None before it runs).
        self.best: np.ndarray | None = None
        self.model = self._model()

    def _model(self) -> _kernels.Model:
        n_y, n_x = self.a.shape
        if self.full:  # min sum x  s.t.  A x >= 1
            return _kernels.Model(
                np.ones(n_x), self.a, np.ones(n_y), np.full(n_y, np.inf),
                np.zeros(n_x), np.ones(n_x), np.ones(n_x, bool),
            )  # fmt: skip
        # min sum x  s.t.  y_i <= sum_j a_ij x_j,  sum_i w_i y_i >= need
        coo = self.a.tocoo()
        r = np.concatenate([coo.row, np.arange(n_y), np.full(n_y, n_y)])
        c = np.concatenate([coo.col, n_x + np.arange(n_y), n_x + np.arange(n_y)])
        v = np.concatenate([-np.ones(coo.nnz), np.ones(n_y), self.w])
        return _kernels.Model(
            np.concatenate([np.ones(n_x), np.zeros(n_y)]),
            sp.csc_matrix((v, (r, c)), shape=(n_y + 1, n_x + n_y)),
            np.concatenate([np.full(n_y, -np.inf), [self.need - 1e-9]]),
            np.concatenate([np.zeros(n_y), [np.inf]]),
            np.zeros(n_x + n_y),
            np.ones(n_x + n_y),
            np.concatenate([np.ones(n_x, bool), np.zeros(n_y, bool)]),
        )

    def selection(self, x: np.ndarray) -> np.ndarray:
        """Sites of the whole problem for a vector of this part's MILP."""
        return np.concatenate([self.forced, self.cols[x[: len(self.cols)] > 0.5]])

    def _try(self, p: int, kicks: int | None) -> np.ndarray | None:
        """A cover with ``p`` more sites found by maximal-coverage local search, or None."""
        if p <= 0 or p > len(self.cols):
            return None
        sol = MaximalCoverage(self.a, self.w, p).solve("local", kicks=kicks)
        if sol.objective < self.need - tol(self.need):
            return None
        return np.concatenate([self.forced, self.cols[sol.selected]])

    def covers(self, bound: float, *, upto: int) -> list[np.ndarray]:
        """Covers found by local search: one with as many sites as ``bound`` (optimal when
        found), else the smallest found by bisection up to ``upto`` sites."""
        if not self.a.shape[0]:
            self.best = self.forced
            return [self.forced]
        lo = int(bound) - len(self.forced)
        found = self._try(lo, None)
        if found is not None:
            self.best = found
            return [found]
        out: list[np.ndarray] = []
        hi = upto - len(self.forced)  # the sizes left to try: lo < p <= hi
        while lo < hi:
            mid = (lo + hi + 1) // 2
            cand = self._try(mid, 0)
            if cand is None:
                lo = mid
            else:
                out.append(cand)
                self.best = cand
                hi = mid - 1
        return out

    def greedy_cover(self) -> np.ndarray:
        """The forced sites and a greedy cover of this part."""
        n = len(self.cols)
        count = np.zeros((1, self.a.shape[0]), dtype=np.int64)
        picks, gains, _ = _kernels.greedy_coverage(
            [self.a], self.w, np.ones(1), count, n, None, np.ones(n, bool)
        )
        k = int(np.searchsorted(np.cumsum(gains), self.need - tol(self.need))) + 1
        return np.concatenate([self.forced, self.cols[picks[:k]]])

    def start(self, selected: np.ndarray) -> np.ndarray | None:
        """The MILP vector of a cover of the whole problem, when it lies in this part."""
        pos = {int(j): i for i, j in enumerate(self.cols)}
        forced = set(self.forced.tolist())
        if not forced <= set(selected.tolist()):
            return None
        x = np.zeros(self.model.a.shape[1])
        for j in selected:
            if int(j) in pos:
                x[pos[int(j)]] = 1.0
            elif int(j) not in forced:
                return None
        if not self.full:
            x[len(self.cols) :] = np.minimum(1.0, self.a @ x[: len(self.cols)])
        return x
