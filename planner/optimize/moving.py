"""Relocation with any site problem: up to ``moves`` existing stations may close and be
replaced by candidate sites, on top of the new ones.

The objective's own problem is built over the union of the sites (:class:`Moving`): the
stations are its first ``n_s`` columns (it has no existing stations of its own), the
candidates follow, and it opens the stations' count plus the new sites. An answer keeps at
least ``n_s - moves`` station columns and every fixed column; so each station closed frees a
place for one more candidate. The value is the union problem's less what the stations alone
score (``offset``), so it is comparable with the answer that moves none.

``"greedy"`` starts from every station and the objective's own new sites and makes the best
move (one station out, one candidate in) while it helps, up to ``moves`` times; ``"local"``
then swaps any chosen site (station or candidate) for any other column while that helps
within the limit on moves (capacitated: at each position the candidates its Lagrangian
bound finds hopeful). The union problem solved without the limit on moves is a relaxation:
its bound bounds every relocation, and its answer is taken when it keeps enough stations
and is better (capacitated: its Lagrangian bound alone). ``"exact"`` (and ``"local"`` on
small models, within the proof work) solves the problem's MILP with one more row, the keep
row, through HiGHS where the problem has one (:func:`exact_of`); p-center searches its
radii with the keep row in each cover (:mod:`.moving_center`). Without either, the gap to
the relaxation's bound is stated as it is.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from ._site_search import SiteSearch
from .budget import BudgetedCoverage
from .capacitated import SWAP_EVALUATIONS, CapacitatedCoverage
from .coverage import MaximalCoverage
from .p_median import PMedian
from .solution import Solution

#: Most improving swaps of the search, per chosen site.
STEPS_PER_SITE = 10


@dataclass(frozen=True)
class Relocated:
    """The answer of a relocation: ``solution`` over the candidate columns (its value
    comparable with the answer that moves none) and the stations it ``closed``."""

    solution: Solution
    closed: np.ndarray


@dataclass(frozen=True)
class Exact:
    """How a union problem is solved exactly: its MILP (site columns first, minimised) with
    the constant part of its cost, the MILP vector of a set of columns, the granularity of
    its values and its size in pairs."""

    model: Callable[[], tuple[_kernels.Model, float]]
    start: Callable[[np.ndarray], np.ndarray]
    granularity: float
    pairs: int
    #: The work of ``"local"``'s LP steps where its root LP must finish within them for
    #: the proof step to run (capacitated); None: the proof step's own.
    lp_work: Callable[[], _kernels.Work] | None = None


def exact_of(problem: Any) -> Exact | None:
    """The MILP of ``problem`` where it has one (None: p-center and any other)."""
    if isinstance(problem, PMedian):
        return Exact(problem._milp, problem._start, problem._granularity(), problem.cost.size)
    if isinstance(problem, BudgetedCoverage):
        b = problem.base
        return Exact(lambda: (problem._milp(), 0.0), b._start, b._granularity(), b._pairs())
    if isinstance(problem, CapacitatedCoverage):
        return Exact(
            lambda: (problem._model(), 0.0), lambda sel: _capacitated_start(problem, sel), 0.0,
            len(problem._pj), problem._lp_work,
        )  # fmt: skip
    if isinstance(problem, MaximalCoverage | SiteSearch):
        return Exact(
            lambda: (problem._milp(), 0.0), problem._start, problem._granularity(),
            problem._pairs(),
        )  # fmt: skip
    return None


def _capacitated_start(problem: CapacitatedCoverage, sel: np.ndarray) -> np.ndarray:
    """The MILP vector of the capacitated sites ``sel``: ``x``, then its best split."""
    x = np.zeros(len(problem.capacities))
    x[sel] = 1.0
    return np.concatenate([x, problem._assignment(sel)[1]])


def keep_row(model: _kernels.Model, n_s: int, keep: int, fixed: np.ndarray) -> _kernels.Model:
    """``model`` with the keep row (at least ``keep`` of its first ``n_s`` columns open) and
    the ``fixed`` columns held open."""
    row = sp.csc_matrix(
        (np.ones(n_s), (np.zeros(n_s, dtype=np.int64), np.arange(n_s))),
        shape=(1, model.a.shape[1]),
    )
    lo = model.col_lo.copy()
    lo[fixed] = 1.0
    return model._replace(
        a=sp.vstack([model.a, row], format="csc"),
        row_lo=np.concatenate([model.row_lo, [float(keep)]]),
        row_hi=np.concatenate([model.row_hi, [np.inf]]),
        col_lo=lo,
    )


class Moving:
    """Relocation over a union problem (see the module).

    Parameters
    ----------
    problem
        The objective's problem over the union columns (stations first), with no existing
        stations, opening the stations' count plus the new sites; any
        :class:`~planner.optimize.solution.Problem`.
    n_s
        How many of its first columns are the existing stations.
    moves
        Most stations that may close.
    fixed
        Union columns in every answer (the agreed candidates).
    offset
        What the stations alone add to the union problem's value (0 where the value is
        absolute, as a travel time is); the relocation's value is the union's less it.
    """

    def __init__(
        self,
        problem: Any,
        n_s: int,
        moves: int,
        *,
        fixed: Sequence[int] | np.ndarray | None = None,
        offset: float = 0.0,
    ) -> None:
        if moves < 0:
            raise ConfigError(f"moves: expected 0 or more stations to move, got {moves}")
        self.problem, self.n_s, self.moves = problem, int(n_s), int(moves)
        self.maximise = bool(problem.maximise)
        self.fixed = np.zeros(0, np.int64) if fixed is None else np.asarray(fixed, np.int64)
        self.offset = float(offset)
        self.sign = 1.0 if self.maximise else -1.0

    def value(self, selected: Sequence[int] | np.ndarray) -> float:
        """The value of the union columns ``selected``, comparable with moving none."""
        return float(self.problem.objective(selected)) - self.offset

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        """An answer of the union problem holding the fixed columns and all but at most
        ``moves`` stations."""
        sel = np.asarray(selected, dtype=np.int64)
        kept = int((sel < self.n_s).sum())
        held = bool(np.isin(self.fixed, sel).all())
        return held and kept >= self.n_s - self.moves and bool(self.problem.feasible(sel))

    # ------------------------------------------------------------------ search
    def _closed(self, sel: np.ndarray) -> int:
        return self.n_s - int((sel < self.n_s).sum())

    def _best_swap(self, sel: np.ndarray, *, stations_only: bool) -> tuple[float, int, int]:
        """The best swap (improvement, position in ``sel`` out, column in) within the
        limit on moves; ``stations_only``: a station out, a candidate in."""
        n_cols = self._n_cols()
        best, best_val = (0.0, -1, -1), self.value(sel)
        closed = self._closed(sel)
        chosen = np.zeros(n_cols, dtype=bool)
        chosen[sel] = True
        fixed = set(self.fixed.tolist())
        for pos, out in enumerate(sel.tolist()):
            if out in fixed or (stations_only and out >= self.n_s):
                continue
            rest = np.delete(sel, pos)
            for j in range(self.n_s if stations_only else 0, n_cols):
                after = closed + (out < self.n_s) - (j < self.n_s)
                if chosen[j] or after > self.moves:
                    continue
                trial = np.append(rest, j)
                gain = self.sign * (self.value(trial) - best_val)
                if gain > best[0] + tol(best_val) and self.problem.feasible(trial):
                    best = (gain, pos, j)
        return best

    def _n_cols(self) -> int:
        if hasattr(self.problem, "n_sites"):  # SiteSearch, PCenter
            return int(self.problem.n_sites)
        if isinstance(self.problem, CapacitatedCoverage):
            return len(self.problem.capacities)
        if isinstance(self.problem, PMedian):
            return int(self.problem.cost.shape[1])
        if isinstance(self.problem, BudgetedCoverage):
            return len(self.problem.costs)
        return int(self.problem.cols[0].shape[1])

    def _search(self, sel: np.ndarray, *, stations_only: bool) -> np.ndarray:
        if isinstance(self.problem, CapacitatedCoverage):
            return self._capacitated_swaps(sel, stations_only=stations_only)
        steps = self.moves if stations_only else STEPS_PER_SITE * (len(sel) + self.moves)
        for _ in range(steps):
            gain, pos, j = self._best_swap(sel, stations_only=stations_only)
            if pos < 0:
                break
            sel = sel.copy()
            sel[pos] = j
        return sel

    def _capacitated_swaps(self, sel: np.ndarray, *, stations_only: bool) -> np.ndarray:
        """Capacitated swaps within the limit on moves: at each position the candidates
        the Lagrangian bound finds hopeful (:meth:`CapacitatedCoverage._hopeful`), the first
        that improves the split's value taking the place; at most
        :data:`~planner.optimize.capacitated.SWAP_EVALUATIONS` LP solves."""
        problem: CapacitatedCoverage = self.problem
        best, obj = np.asarray(sel, dtype=np.int64), problem.objective(sel)
        spent, improved, n_cols = 0, True, self._n_cols()
        is_station = np.arange(n_cols) < self.n_s
        while improved and spent < SWAP_EVALUATIONS:
            improved = False
            for pos, out in enumerate(best.tolist()):
                if out in self.fixed or (stations_only and out >= self.n_s):
                    continue
                after = self._closed(best) + (out < self.n_s) - is_station
                ok = (after <= self.moves) & ~(is_station & stations_only)
                for j in problem._hopeful(best, pos, obj, ok):
                    trial = best.copy()
                    trial[pos] = j
                    val, spent = problem.objective(trial), spent + 1
                    if val > obj + tol(obj):
                        best, obj, improved = trial, val, True
                        break
                spent += 1
                if improved or spent >= SWAP_EVALUATIONS:
                    break
        return best

    # ------------------------------------------------------------------ solve
    def solve(
        self,
        start: Sequence[int] | np.ndarray,
        method: str = "local",
        *,
        time_limit_s: _kernels.Limit = None,
        exact: Callable[[np.ndarray, float, float, _kernels.Limit], Any] | None = None,
    ) -> Relocated:
        """The answer by ``method`` from the union columns ``start`` (every station, the
        fixed columns and the objective's own new sites: a feasible answer that moves
        none), with a bound on the best value (see the module). ``exact``, where given,
        closes the gap instead of the problem's MILP (p-center): called with the answer,
        its value, the bound and the limit, it returns the same four and whether proven."""
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        sel = np.asarray(start, dtype=np.int64)
        if not self.feasible(sel):
            raise ConfigError("start: expected every station and the fixed columns")
        sel = self._search(sel, stations_only=True)
        if method != "greedy":
            sel = self._search(sel, stations_only=False)
        obj = self.value(sel)
        bound, other = self._relaxation(method, obj)
        if len(other) and self.feasible(other) and self.sign * (self.value(other) - obj) > tol(obj):
            sel, obj = other, self.value(other)
        optimal = sol_mod.proven(obj, bound, maximise=self.maximise)
        if not optimal and method != "greedy":
            sel, obj, bound, optimal = self._exact(sel, obj, bound, method, time_limit_s, exact)
        bound = max(bound, obj) if self.maximise else min(bound, obj)
        return self._answer(sel, obj, bound, method, optimal, time.perf_counter() - t0)

    def _relaxation(self, method: str, obj: float) -> tuple[float, np.ndarray]:
        """The bound of the union problem without the limit on moves (a relaxation) and its
        answer; capacitated, its Lagrangian bound alone (none of its search, whose LP solves
        the swaps and the exact step already spend)."""
        if isinstance(self.problem, CapacitatedCoverage):
            bound, _ = self.problem._bound(obj + self.offset, quick=method == "greedy")
            return bound - self.offset, np.zeros(0, dtype=np.int64)
        relaxed = self.problem.solve("greedy" if method == "greedy" else "local")
        return relaxed.bound - self.offset, np.asarray(relaxed.selected, dtype=np.int64)

    def _exact(
        self,
        sel: np.ndarray,
        obj: float,
        bound: float,
        method: str,
        time_limit_s: _kernels.Limit,
        exact: Callable[[np.ndarray, float, float, _kernels.Limit], Any] | None,
    ) -> tuple[np.ndarray, float, float, bool]:
        """The exact step with the keep row, where the problem has one."""
        parts = exact_of(self.problem)
        pairs = parts.pairs if parts is not None else len(getattr(self.problem, "vals", ()))
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=pairs)
        if not close:
            return sel, obj, bound, False
        if exact is not None:
            found, value, bound, optimal = exact(sel, obj, bound, limit)
            if not self.feasible(found):  # pragma: no cover - its covers hold the keep row
                return sel, obj, bound, False
            return found, value, bound, optimal
        if parts is None:
            return sel, obj, bound, False
        model, const = parts.model()
        model = keep_row(model, self.n_s, self.n_s - self.moves, self.fixed)
        relaxation = None
        if parts.lp_work is not None and isinstance(limit, _kernels.Work):
            limit = limit if isinstance(time_limit_s, _kernels.Work) else parts.lp_work()
            relaxation = _kernels.Relaxation(model)  # its root LP within the work, or no proof
            if relaxation.solve(iteration_limit=limit.lp_iterations)[0] != "optimal":
                return sel, obj, bound, False
        incumbent = self.sign * -(obj + self.offset) - const
        res = _kernels.solve_binary(
            model, incumbent, parts.start(sel), granularity=parts.granularity,
            relaxation=relaxation, time_limit_s=limit,
        )  # fmt: skip
        taken = not res.x.size  # a proof without a better answer proves the one given
        if res.x.size:
            found = np.flatnonzero(res.x[: self._n_cols()] > 0.5)
            if self.feasible(found) and self.sign * (self.value(found) - obj) >= 0:
                sel, obj, taken = found, self.value(found), True
        if res.optimal and taken:
            return sel, obj, obj, True
        best = self.sign * -(res.bound + const) - self.offset
        if np.isfinite(best):
            slack = _kernels.bound_slack(best)
            bound = min(bound, best + slack) if self.maximise else max(bound, best - slack)
        return sel, obj, bound, sol_mod.proven(obj, bound, maximise=self.maximise)

    def _answer(
        self, sel: np.ndarray, obj: float, bound: float, method: str, optimal: bool, s: float
    ) -> Relocated:
        """The answer over the candidate columns: the fixed ones first, then the others in
        the order chosen; and the stations closed."""
        sel = np.asarray(sel, dtype=np.int64)
        fixed = set(self.fixed.tolist())
        opened = np.concatenate([self.fixed, [j for j in sel if j not in fixed]])
        new = (opened[opened >= self.n_s] - self.n_s).astype(np.int64)
        solution = Solution(
            new, obj, bound, sol_mod.gap(obj, bound, maximise=self.maximise), method,
            optimal=bool(optimal), seconds=s,
        )  # fmt: skip
        return Relocated(solution, np.setdiff1d(np.arange(self.n_s), sel))
