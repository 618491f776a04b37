"""Relocation with the fewest new sites that meet the goals: up to ``moves`` existing
stations may close, each in place of a candidate that opens, and the moves are not new
sites.

The problem runs over the union of the sites: the stations are its first ``n_s`` columns,
the candidates follow. An answer is a set of columns that meets every goal
(:class:`~planner.optimize.area_cover.Goal`: one for a single coverage goal, one per area
and threshold for the areas' goals), holds the fixed columns, keeps all but at most
``moves`` stations and closes no more stations than candidates open (no net closure). Its
value, the number of new sites, is the candidates opened less the stations closed: the
columns chosen less ``n_s``. So the problem is a set cover over the union with two more
rows: at least ``n_s - moves`` station columns (the keep row) and at least ``n_s`` columns
in all (the moves row).

``"greedy"`` starts from every station, the fixed columns and the objective's own new
sites (the answer that moves none), drops the sites the others make unnecessary, then
replaces a station and one other site by one column while every goal stays met (a move
that saves a site); ``"local"`` then replaces any two sites by one the same way, from that
answer and from the LP relaxation's sites, and tries to prove its answer within the proof
work. ``"exact"`` solves the MILP (HiGHS) warm-started from the local answer. The bound is
the LP relaxation rounded up, less ``n_s`` (on models up to
:data:`~planner.optimize.solution.LP_BOUND_MAX_NNZ` non-zeros, or any size with
``"exact"``; else 0).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from .area_cover import SWAP_PAIRS_MAX, AreaCover, Goal
from .moving import Relocated
from .solution import LP_BOUND_MAX_NNZ, Solution


class MovingCover:
    """The fewest new sites that meet every goal when up to ``moves`` stations may move.

    Parameters
    ----------
    covers
        One boolean ``demand × sites`` matrix per threshold: the ``n_s`` stations first,
        then the candidates.
    weights
        Demand of each row (>= 0).
    goals
        The goals (:class:`~planner.optimize.area_cover.Goal`).
    n_s
        How many of the first columns are the existing stations.
    moves
        Most stations that may close.
    fixed
        Columns in every answer (the agreed candidates).
    """

    maximise = False

    def __init__(
        self,
        covers: Sequence[sp.spmatrix],
        weights: Sequence[float] | np.ndarray,
        goals: Sequence[Goal],
        n_s: int,
        moves: int,
        *,
        fixed: Sequence[int] | np.ndarray | None = None,
    ) -> None:
        if moves < 0:
            raise ConfigError(f"moves: expected 0 or more stations to move, got {moves}")
        self.cover = AreaCover(covers, weights, goals)
        self.n_s, self.moves = int(n_s), int(moves)
        self.n_cols = self.cover.n_candidates
        if self.n_s > self.n_cols:
            raise ConfigError(f"n_s: {n_s} stations but {self.n_cols} columns")
        self.fixed = np.zeros(0, np.int64) if fixed is None else np.asarray(fixed, np.int64)
        self._slack = np.array([tol(self.cover._total(g)) for g in self.cover.goals])

    # ------------------------------------------------------------------ evaluation
    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """The new sites of the union columns ``selected``: candidates opened less stations
        closed."""
        return float(len(np.unique(np.asarray(selected, dtype=np.int64)))) - self.n_s

    def _counts_ok(self, sel: np.ndarray) -> bool:
        """The keep row and the moves row, the fixed columns held, distinct columns."""
        kept = int((sel < self.n_s).sum())
        distinct = len(np.unique(sel)) == len(sel)
        in_range = bool(((sel >= 0) & (sel < self.n_cols)).all())
        held = bool(np.isin(self.fixed, sel).all())
        rows = kept >= self.n_s - self.moves and len(sel) >= self.n_s
        return distinct and in_range and held and rows

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        """Distinct columns that meet every goal, hold the fixed ones, close at most
        ``moves`` stations and no more stations than candidates open."""
        sel = np.asarray(selected, dtype=np.int64)
        return self._counts_ok(sel) and self.cover.meets(sel)

    # ------------------------------------------------------------------ search
    def _drop(self, sel: np.ndarray) -> np.ndarray:
        """Drop the sites the others make unnecessary: candidates last opened first, then
        stations (each then a move that saves a site)."""
        sel = np.asarray(sel, dtype=np.int64)
        order = [*(j for j in sel[::-1] if j >= self.n_s), *(j for j in sel[::-1] if j < self.n_s)]
        for j in order:
            rest = sel[sel != j]
            if j not in self.fixed and self.feasible(rest):
                sel = rest
        return sel

    def _two_for_one(self, sel: np.ndarray, *, with_station: bool) -> np.ndarray:
        """Replace two sites by one column while that meets every goal and the rows (the
        first such pair in order, the lowest column), until no pair can be; with
        ``with_station`` only pairs holding a station (the moves)."""
        sel = self._drop(sel)
        improved = True
        while improved and len(sel) >= 2:
            improved = False
            free = [i for i, j in enumerate(sel) if j not in self.fixed]
            pairs: Iterable[tuple[int, int]] = itertools.combinations(free, 2)
            if with_station:
                pairs = (p for p in pairs if min(sel[p[0]], sel[p[1]]) < self.n_s)
            for a, b in itertools.islice(pairs, SWAP_PAIRS_MAX):
                found = self._one_for(np.delete(sel, [a, b]))
                if found is not None:
                    sel, improved = self._drop(found), True
                    break
        return sel

    def _one_for(self, rest: np.ndarray) -> np.ndarray | None:
        """``rest`` and one column that makes it an answer (None: no column does)."""
        missing = self.cover.shortfall(rest)
        gains = self.cover._gains(self.cover.reached(rest), missing)
        fits = np.flatnonzero((gains >= missing[None, :] - self._slack[None, :]).all(axis=1))
        for j in fits[~np.isin(fits, rest)]:
            trial = np.append(rest, j)
            if self._counts_ok(trial):
                return trial
        return None

    def _rounded(self, lp: np.ndarray) -> np.ndarray:
        """An answer from the LP relaxation: the fixed columns and every column it opens,
        largest first (ties: the lowest column; together they meet the goals and the keep
        row), then stations up to ``n_s`` columns."""
        x = lp[: self.n_cols]
        order = np.lexsort((np.arange(self.n_cols), -x))
        sel = [*self.fixed.tolist(), *(int(j) for j in order if x[j] > 1e-9)]
        sel = list(dict.fromkeys(sel))
        sel += [s for s in range(self.n_s) if s not in sel][: max(0, self.n_s - len(sel))]
        return np.asarray(sel, dtype=np.int64)

    # ------------------------------------------------------------------ model
    def _model(self) -> _kernels.Model:
        """The set cover's MILP over the union with the keep row and the moves row, the
        fixed columns held open."""
        base = self.cover._model()
        n = base.a.shape[1]
        idx = np.concatenate([np.arange(self.n_s), np.arange(self.n_cols)])
        rows = sp.csc_matrix(
            (np.ones(len(idx)), (np.repeat([0, 1], [self.n_s, self.n_cols]), idx)), shape=(2, n)
        )
        lo = base.col_lo.copy()
        lo[self.fixed] = 1.0
        return base._replace(
            a=sp.vstack([base.a, rows], format="csc"),
            row_lo=np.concatenate([base.row_lo, [self.n_s - self.moves, self.n_s]]),
            row_hi=np.concatenate([base.row_hi, [np.inf, np.inf]]),
            col_lo=lo,
        )

    # ------------------------------------------------------------------ solve
    def solve(
        self,
        start: Sequence[int] | np.ndarray,
        method: str = "local",
        *,
        time_limit_s: _kernels.Limit = None,
    ) -> Relocated:
        """The answer by ``method`` from the union columns ``start`` (every station, the
        fixed columns and the objective's own new sites: the answer that moves none), with
        a lower bound on the fewest new sites (see the module)."""
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        sel = np.asarray(start, dtype=np.int64)
        if not self.feasible(sel) or not (sel < self.n_s).sum() == self.n_s:
            raise ConfigError(
                "start: expected every station and the fixed columns, meeting the goals"
            )
        sel = self._two_for_one(sel, with_station=True)
        model = self._model()
        large = model.a.nnz > LP_BOUND_MAX_NNZ and method != "exact"
        relaxation = None if large else _kernels.Relaxation(model)
        bound, lp = 0.0, None
        if relaxation is not None:
            status, value, x = relaxation.solve()
            if status == "optimal":
                bound, lp = max(0.0, float(np.ceil(value - 1e-6)) - self.n_s), x
        if method != "greedy":
            runs = [self._two_for_one(sel, with_station=False)]
            rounded = None if lp is None else self._rounded(lp)
            if rounded is not None and self.objective(runs[0]) > bound and self.feasible(rounded):
                runs.append(self._two_for_one(rounded, with_station=False))
            sel = min(runs, key=len)  # the first on a tie
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=model.a.nnz)
        if close and self.objective(sel) > bound:
            sel, bound = self._exact(model, relaxation, sel, bound, limit)
        return self._answer(self._fewer_moves(sel), bound, method, time.perf_counter() - t0)

    def _fewer_moves(self, sel: np.ndarray) -> np.ndarray:
        """``sel`` with each move that saves nothing undone: a closed station back in
        place of an opened candidate (not a fixed one) wherever every goal stays met."""
        sel = np.asarray(sel, dtype=np.int64)
        for s in np.setdiff1d(np.arange(self.n_s), sel):
            for pos in np.flatnonzero(sel >= self.n_s)[::-1]:  # the last opened first
                trial = sel.copy()
                trial[pos] = s
                if sel[pos] not in self.fixed and self.feasible(trial):
                    sel = trial
                    break
        return sel

    def _exact(
        self,
        model: _kernels.Model,
        relaxation: _kernels.Relaxation | None,
        sel: np.ndarray,
        bound: float,
        limit: _kernels.Limit,
    ) -> tuple[np.ndarray, float]:
        """Branch on the LP relaxation (HiGHS's MILP past its node limit) from ``sel``: the
        answer and the bound."""
        start = self.cover._start(self.cover._model(), sel)
        res = _kernels.solve_binary(
            model, float(len(sel)), start, granularity=1.0, relaxation=relaxation,
            time_limit_s=limit,
        )  # fmt: skip
        if res.x.size:
            found = np.flatnonzero(res.x[: self.n_cols] > 0.5).astype(np.int64)
            if len(found) <= len(sel) and self.feasible(found):
                sel = self._drop(found)
        if res.optimal:
            return sel, self.objective(sel)
        if np.isfinite(res.bound):
            bound = max(bound, float(np.ceil(res.bound - 1e-6)) - self.n_s)
        return sel, bound

    def _answer(self, sel: np.ndarray, bound: float, method: str, seconds: float) -> Relocated:
        """The answer over the candidate columns (the fixed ones first, then the others in
        the order chosen) and the stations closed."""
        fixed = set(self.fixed.tolist())
        opened = np.concatenate([self.fixed, [j for j in sel if j not in fixed]])
        new = (opened[opened >= self.n_s] - self.n_s).astype(np.int64)
        value = self.objective(sel)
        bound = min(bound, value)
        solution = Solution(
            new, value, bound, sol_mod.gap(value, bound, maximise=False), method,
            optimal=value <= bound, seconds=seconds,
        )  # fmt: skip
        return Relocated(solution, np.setdiff1d(np.arange(self.n_s), sel))
