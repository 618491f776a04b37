"""Set cover with several goals at once: the fewest new sites that bring, in every group of
demand points (a sub-area), the share of its demand within a threshold to that group's goal.

One goal is a group of demand rows, a threshold (one coverage matrix) and a share of the
group's demand. The answer meets every goal at once; the existing stations count.

- ``"greedy"`` picks the site that closes the most of what is missing, each goal's missing
  demand counted relative to what that goal needed at the start (a monotone submodular
  function, so greedy is the classic logarithmic approximation), until every goal is met;
  then drops the sites the others make unnecessary.
- ``"local"`` then replaces two sites by one while that still meets every goal, and tries
  to prove its answer with the LP branch and bound within a work limit (the same on any
  machine).
- ``"exact"`` solves the MILP (HiGHS), warm-started from the local answer, within
  ``time_limit_s`` when given.

Every answer carries a lower bound: the LP relaxation rounded up (on models up to
:data:`~planner.optimize.solution.LP_BOUND_MAX_NNZ` non-zeros, or any size with ``exact``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from .solution import LP_BOUND_MAX_NNZ, Solution

#: Most pairs of sites the two-for-one search tries per pass.
SWAP_PAIRS_MAX = 20_000


@dataclass(frozen=True)
class Goal:
    """One goal: the demand ``rows`` of a group (positions), the ``threshold`` (position in
    the coverage matrices) and the ``share`` of the group's demand to bring within it;
    ``name`` says which it is in errors."""

    rows: np.ndarray
    threshold: int
    share: float
    name: str = ""


class AreaCover:
    """The fewest new sites that meet every goal at once.

    Parameters
    ----------
    covers
        One boolean ``demand × candidates`` matrix per threshold.
    weights
        Demand of each row (>= 0).
    goals
        The goals (:class:`Goal`); a goal of a group without demand is met.
    covered
        Per threshold, the demand rows the existing stations already reach (None: none).
    """

    maximise = False

    def __init__(
        self,
        covers: Sequence[sp.spmatrix],
        weights: Sequence[float] | np.ndarray,
        goals: Sequence[Goal],
        *,
        covered: Sequence[np.ndarray] | None = None,
    ) -> None:
        self.covers = [sp.csc_matrix(c, dtype=float) for c in covers]
        for c in self.covers:
            c.data[:] = 1.0
        n, n_c = self.covers[0].shape
        if any(c.shape != (n, n_c) for c in self.covers):
            raise ConfigError("covers: every threshold's matrix must have the same shape")
        self.n_candidates = n_c
        self.weights = sol_mod.check_weights(weights, n)
        base = [np.zeros(n, bool) for _ in self.covers] if covered is None else covered
        self.covered = [np.asarray(c, bool) for c in base]
        self.goals = tuple(goals)
        for g in self.goals:
            self._check_goal(g, n)
        #: Each goal's demand needed beyond what the stations reach (<= 0: met already).
        self.need = np.array([self._need(g) for g in self.goals], dtype=float)
        self.active = np.flatnonzero(self.need > np.array([tol(self._total(g)) for g in goals]))
        # per goal, its rows as a 0/1 column: masks (n × goals)
        self._masks = sp.csc_matrix(
            (
                np.ones(sum(len(g.rows) for g in self.goals)),
                (np.concatenate([g.rows for g in self.goals] or [np.zeros(0, int)]),
                 np.repeat(np.arange(len(self.goals)), [len(g.rows) for g in self.goals])),
            ),
            shape=(n, len(self.goals)),
        )  # fmt: skip
        self._check_reachable()

    def _check_goal(self, g: Goal, n: int) -> None:
        if not (0 <= g.threshold < len(self.covers)):
            raise ConfigError(f"goal {g.name!r}: threshold {g.threshold} is not a matrix")
        if not (0.0 <= g.share <= 1.0):
            raise ConfigError(f"goal {g.name!r}: share must be in [0, 1], got {g.share}")
        rows = np.asarray(g.rows, dtype=np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= n or len(np.unique(rows)) < len(rows)):
            raise ConfigError(f"goal {g.name!r}: rows must be distinct positions below {n}")

    def _total(self, g: Goal) -> float:
        return float(self.weights[g.rows].sum())

    def _need(self, g: Goal) -> float:
        have = float(self.weights[g.rows][self.covered[g.threshold][g.rows]].sum())
        return g.share * self._total(g) - have

    def _check_reachable(self) -> None:
        """Every goal is within reach of the stations and every candidate together."""
        for i in self.active:
            g = self.goals[i]
            reach = self.covered[g.threshold] | (
                np.diff(self.covers[g.threshold].tocsr().indptr) > 0
            )
            total = self._total(g)
            best = float(self.weights[g.rows][reach[g.rows]].sum())
            if best < g.share * total - tol(total):
                raise ConfigError(
                    f"goal {g.name!r}: even every candidate together brings only "
                    f"{best / total:.1%} of its demand within the threshold, less than the "
                    f"{g.share:.1%} asked; lower the goal or add candidates"
                )

    # ------------------------------------------------------------------ evaluation
    def reached(self, selected: Sequence[int] | np.ndarray) -> list[np.ndarray]:
        """Per threshold, the rows the stations and ``selected`` reach."""
        idx = np.asarray(selected, dtype=np.int64)
        out = []
        for c, base in zip(self.covers, self.covered, strict=True):
            hit = base.copy()
            hit[_kernels.ranges(c.indptr, c.indices, idx)] = True
            out.append(hit)
        return out

    def shortfall(self, selected: Sequence[int] | np.ndarray) -> np.ndarray:
        """Per goal, the demand still missing with ``selected`` (0 when met)."""
        hit = self.reached(selected)
        out = np.zeros(len(self.goals))
        for i, g in enumerate(self.goals):
            have = float(self.weights[g.rows][hit[g.threshold][g.rows]].sum())
            out[i] = max(0.0, g.share * self._total(g) - have)
        return out

    def meets(self, selected: Sequence[int] | np.ndarray) -> bool:
        """Whether ``selected`` (with the existing stations) meets every goal."""
        short = self.shortfall(selected)
        return all(short[i] <= tol(self._total(g)) for i, g in enumerate(self.goals))

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """The number of distinct sites in ``selected``."""
        return float(len(np.unique(np.asarray(selected, dtype=np.int64))))

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        """Distinct candidate columns that meet every goal."""
        sel = np.asarray(selected, dtype=np.int64)
        ok = len(np.unique(sel)) == len(sel) and bool(
            ((sel >= 0) & (sel < self.n_candidates)).all()
        )
        return ok and self.meets(sel)

    # ------------------------------------------------------------------ solve
    def solve(self, method: str = "local", *, time_limit_s: _kernels.Limit = None) -> Solution:
        """``"greedy"``, ``"local"`` or ``"exact"`` (see the module's description)."""
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        if not len(self.active):
            return Solution(np.zeros(0, np.int64), 0.0, 0.0, 0.0, method, optimal=True)
        sel = self._drop_redundant(self._greedy())
        if method != "greedy":
            sel = self._two_for_one(sel)
        model = self._model()
        bound = self._lp_bound(model, exact=method == "exact")
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=model.a.nnz)
        if close and len(sel) > bound:
            sel, bound = self._exact(model, sel, bound, limit)
        return Solution(
            np.asarray(sel, dtype=np.int64), float(len(sel)), bound,
            sol_mod.gap(len(sel), bound, maximise=False), method,
            optimal=len(sel) <= bound, seconds=time.perf_counter() - t0,
        )  # fmt: skip

    def _gains(self, hit: list[np.ndarray], missing: np.ndarray) -> np.ndarray:
        """Per candidate (rows) and goal (columns), the demand of the goal's rows a site
        newly reaches, each goal capped at what it still misses."""
        out = np.zeros((self.n_candidates, len(self.goals)))
        for k, c in enumerate(self.covers):
            cols = [i for i, g in enumerate(self.goals) if g.threshold == k]
            if not cols:
                continue
            open_w = sp.diags(self.weights * ~hit[k])
            out[:, cols] = (c.T @ (open_w @ self._masks[:, cols])).toarray()
        return np.minimum(out, missing[None, :])

    def _greedy(self) -> np.ndarray:
        """Greedy picks until every goal is met: the site closing the largest sum of each
        goal's missing demand relative to its starting need (ties: the lowest column)."""
        scale = np.zeros(len(self.goals))
        scale[self.active] = 1.0 / self.need[self.active]
        picks: list[int] = []
        while True:
            missing = self.shortfall(picks)
            missing[[i for i in range(len(self.goals)) if i not in set(self.active)]] = 0.0
            if all(missing[i] <= tol(self._total(self.goals[i])) for i in self.active):
                return np.asarray(picks, dtype=np.int64)
            score = self._gains(self.reached(picks), missing) @ scale
            score[picks] = -1.0
            if score.max(initial=-1.0) <= 0:  # no site adds anything (only within tolerance)
                return np.asarray(picks, dtype=np.int64)
            picks.append(int(np.argmax(score)))

    def _drop_redundant(self, selected: np.ndarray) -> np.ndarray:
        """Drop sites the others make unnecessary, last picked first."""
        sel = np.asarray(selected, dtype=np.int64)
        for j in sel[::-1]:
            rest = sel[sel != j]
            if self.meets(rest):
                sel = rest
        return sel

    def _two_for_one(self, selected: np.ndarray) -> np.ndarray:
        """Replace two sites by one while every goal stays met (first such pair in order,
        the lowest column replacing them), until no pair can be replaced."""
        sel = np.asarray(selected, dtype=np.int64)
        improved = True
        while improved and len(sel) >= 2:
            improved = False
            pairs = itertools.islice(itertools.combinations(range(len(sel)), 2), SWAP_PAIRS_MAX)
            for a, b in pairs:
                rest = np.delete(sel, [a, b])
                missing = self.shortfall(rest)
                gains = self._gains(self.reached(rest), missing)
                slack = np.array([tol(self._total(g)) for g in self.goals])
                fits = np.flatnonzero((gains >= missing[None, :] - slack[None, :]).all(axis=1))
                fits = fits[~np.isin(fits, rest)]
                if fits.size:
                    sel, improved = np.append(rest, fits[0]), True
                    break
        return self._drop_redundant(sel)

    # ------------------------------------------------------------------ MILP
    def _model(self) -> _kernels.Model:
        """min sum x  s.t.  y_ik <= sum_j a_ijk x_j  (each open row i of a goal at k),
        sum_{i in g} w_i y_ik >= need_g  (each goal not yet met); x binary, y in [0, 1]."""
        n_c = self.n_candidates
        ys: list[tuple[int, int]] = []  # (threshold, row) of each y column
        for k in sorted({self.goals[i].threshold for i in self.active}):
            rows = np.unique(np.concatenate([self.goals[i].rows for i in self.active
                                             if self.goals[i].threshold == k]))  # fmt: skip
            rows = rows[~self.covered[k][rows] & (self.weights[rows] > 0)]
            ys += [(k, int(r)) for r in rows]
        pos = {key: n_c + i for i, key in enumerate(ys)}
        csr = [c.tocsr() for c in self.covers]
        r_idx: list[int] = []
        c_idx: list[int] = []
        vals: list[float] = []
        for i, (k, r) in enumerate(ys):  # link rows: y - sum a x <= 0
            js = csr[k].indices[csr[k].indptr[r] : csr[k].indptr[r + 1]]
            r_idx += [i] * (len(js) + 1)
            c_idx += [*js.tolist(), n_c + i]
            vals += [-1.0] * len(js) + [1.0]
        for t, gi in enumerate(self.active):  # goal rows: sum w y >= need
            g = self.goals[gi]
            cols = [pos[(g.threshold, int(r))] for r in g.rows if (g.threshold, int(r)) in pos]
            r_idx += [len(ys) + t] * len(cols)
            c_idx += cols
            vals += [float(self.weights[ys[c - n_c][1]]) for c in cols]
        n_rows, n_cols = len(ys) + len(self.active), n_c + len(ys)
        a = sp.csc_matrix((vals, (r_idx, c_idx)), shape=(n_rows, n_cols))
        need = self.need[self.active] - np.array(
            [tol(self._total(self.goals[i])) for i in self.active]
        )
        return _kernels.Model(
            np.concatenate([np.ones(n_c), np.zeros(len(ys))]), a,
            np.concatenate([np.full(len(ys), -np.inf), need]),
            np.concatenate([np.zeros(len(ys)), np.full(len(self.active), np.inf)]),
            np.zeros(n_cols), np.ones(n_cols),
            np.concatenate([np.ones(n_c, bool), np.zeros(len(ys), bool)]),
        )  # fmt: skip

    @staticmethod
    def _lp_bound(model: _kernels.Model, *, exact: bool) -> float:
        """The LP relaxation rounded up (a value within 1e-6 of a whole number taken as
        it); 1 on models too large to solve the LP for a heuristic."""
        if model.a.nnz > LP_BOUND_MAX_NNZ and not exact:
            return 1.0
        res = _kernels.solve_milp(*model, relax=True)
        return max(1.0, float(np.ceil(res.objective - 1e-6))) if res.optimal else 1.0

    def _start(self, model: _kernels.Model, sel: np.ndarray) -> np.ndarray:
        """The MILP vector of the answer ``sel``."""
        x = np.zeros(model.a.shape[1])
        x[sel] = 1.0
        link = model.a[: model.a.shape[0] - len(self.active)]
        y = np.minimum(1.0, -(link[:, : self.n_candidates] @ x[: self.n_candidates]))
        x[self.n_candidates :] = y
        return x

    def _exact(
        self, model: _kernels.Model, sel: np.ndarray, bound: float, limit: _kernels.Limit
    ) -> tuple[np.ndarray, float]:
        """Branch on the LP relaxation (HiGHS's MILP past its node limit) from ``sel``: the
        answer and the bound."""
        res = _kernels.solve_binary(
            model, float(len(sel)), self._start(model, sel), granularity=1.0, time_limit_s=limit
        )
        if res.x.size:
            found = np.flatnonzero(res.x[: self.n_candidates] > 0.5).astype(np.int64)
            if len(found) <= len(sel) and self.meets(found):
                sel = self._drop_redundant(found)
        if res.optimal:
            return sel, float(len(sel)) if not res.x.size else float(np.ceil(res.objective - 1e-6))
        found_bound = float(np.ceil(res.bound - 1e-6)) if np.isfinite(res.bound) else 0.0
        return sel, max(bound, found_bound)
