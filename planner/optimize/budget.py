"""Maximal coverage within a budget: every candidate has an opening cost, and the sites
chosen cost at most the budget in all (a knapsack constraint), optionally at most ``most``
of them, with the thresholds, weights and spacing rule of :class:`MaximalCoverage`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..analysis.coverage import Coverage
from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from ._kernels import budget as kb
from .coverage import MaximalCoverage, cover_of
from .solution import KICKS, LP_BOUND_MAX_NNZ, Solution

#: Nodes of the LP branch and bound of ``"exact"`` before HiGHS's MILP solver takes over.
EXACT_NODES = 20_000


class BudgetedCoverage:
    """Add sites to the existing stations to maximise covered demand, their opening costs
    adding up to at most ``budget``.

    Parameters
    ----------
    cover, weights, threshold_weights, covered, conflicts, allowed
        As :class:`~planner.optimize.MaximalCoverage`.
    costs
        Opening cost of each candidate (>= 0, finite; any unit of money).
    budget
        The most the chosen sites may cost in all (>= 0, the unit of ``costs``).
        Candidates dearer than the whole budget are never chosen.
    most
        The most sites to choose (None: as many as the budget pays for).
    """

    maximise = True

    def __init__(
        self,
        cover: sp.spmatrix | Sequence[sp.spmatrix],
        weights: Sequence[float] | np.ndarray,
        costs: Sequence[float] | np.ndarray,
        budget: float,
        *,
        most: int | None = None,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
        covered: np.ndarray | None = None,
        conflicts: sp.spmatrix | None = None,
        allowed: np.ndarray | None = None,
    ) -> None:
        mats = [cover] if sp.issparse(cover) else list(cover)  # type: ignore[list-item]
        n_cols = sp.csc_matrix(mats[0]).shape[1]
        self.costs = np.asarray(costs, dtype=float).ravel()
        if self.costs.shape != (n_cols,) or not (np.isfinite(self.costs).all()):
            raise ConfigError(f"costs: expected one finite cost per candidate ({n_cols})")
        if (self.costs < 0).any():
            raise ConfigError("costs: every opening cost must be 0 or more")
        self.budget = float(budget)
        if not (np.isfinite(self.budget) and self.budget >= 0):
            raise ConfigError(f"budget: must be a finite amount >= 0, got {budget!r}")
        ok = np.ones(n_cols, bool) if allowed is None else np.asarray(allowed, dtype=bool)
        self.affordable = ok & (self.costs <= self.budget + kb.money_slack(self.budget))
        usable = int(self.affordable.sum())
        if most is not None and int(most) < 0:
            raise ConfigError(f"most: the most sites must be 0 or more, got {most}")
        self.most = usable if most is None else min(int(most), usable)
        self.base = MaximalCoverage(
            mats, weights, self.most, threshold_weights=threshold_weights, covered=covered,
            conflicts=conflicts, allowed=self.affordable,
        )  # fmt: skip

    @classmethod
    def from_coverage(
        cls,
        candidates: Coverage,
        costs: np.ndarray,
        budget: float,
        *,
        most: int | None = None,
        existing: Coverage | None = None,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
        conflicts: sp.spmatrix | None = None,
        allowed: np.ndarray | None = None,
    ) -> BudgetedCoverage:
        """From network coverage of candidates (and of the existing stations, kept)."""
        cover, covered = cover_of(candidates, existing)
        return cls(
            cover, candidates.weights, costs, budget, most=most,
            threshold_weights=threshold_weights, covered=covered, conflicts=conflicts,
            allowed=allowed,
        )  # fmt: skip

    # ------------------------------------------------------------------ evaluation
    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """Weighted demand newly covered by ``selected`` (on top of the existing stations)."""
        return self.base.objective(selected)

    def spent(self, selected: Sequence[int] | np.ndarray) -> float:
        """What ``selected`` costs in all."""
        return float(self.costs[np.asarray(selected, dtype=np.int64)].sum())

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        """At most ``most`` distinct allowed sites, no two in conflict, within the budget."""
        sel = np.asarray(selected, dtype=np.int64)
        within = self.spent(sel) <= self.budget + kb.money_slack(self.budget)
        return bool(within and self.base.feasible(sel))

    # ------------------------------------------------------------------ model
    def _milp(self) -> _kernels.Model:
        """The model of :class:`MaximalCoverage` with one more row: ``sum_j c_j x_j <= B``."""
        m = self.base._milp()
        n_cols = m.a.shape[1]
        row = np.zeros(n_cols)
        row[: len(self.costs)] = self.costs
        a = sp.vstack([sp.csr_matrix(m.a), sp.csr_matrix(row)]).tocsc()
        return m._replace(
            a=a,
            row_lo=np.concatenate([m.row_lo, [-np.inf]]),
            row_hi=np.concatenate([m.row_hi, [self.budget]]),
        )

    # ------------------------------------------------------------------ solve
    def solve(
        self,
        method: str = "local",
        *,
        time_limit_s: _kernels.Limit = None,
        kicks: int | None = None,
    ) -> Solution:
        """Solve with ``"greedy"``, ``"local"`` or ``"exact"``.

        ``"greedy"``: picks by gain per unit of cost, and the classic safeguard: where the
        best single affordable site covers more than those picks, that site (topped up by
        greedy picks in what is left of the budget). ``"local"``: then adds and swaps
        within the budget from two starts (the greedy answer and the sites the LP
        relaxation opens most), random kicks while the gap stays open (``kicks`` rounds,
        default :data:`~planner.optimize.solution.KICKS` on models small enough for the
        LP bound), and the proof step of :func:`~planner.optimize.solution.exact_step`.
        ``"exact"``: adds and swaps, then the MILP with the knapsack row warm-started from
        them (LP branch and bound, then HiGHS), within ``time_limit_s`` when given. The
        bound: the LP relaxation with the knapsack row on small models, else the
        fractional knapsack of the greedy gains.
        """
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        picks, online = self._greedy()
        obj = self.objective(picks)
        pairs = self.base._pairs()
        small = sum(m.nnz for m in self.base.cols) <= LP_BOUND_MAX_NNZ
        bound, restart, relaxation = online, np.zeros(0, dtype=np.int64), None
        if method != "greedy":
            bound, restart, relaxation = self._bound(online, small=small)
        sel = picks
        if self.most and method != "greedy":  # cheap, and often meets the LP bound
            rounds = (KICKS if small else 0) if kicks is None else int(kicks)
            sel = self._local(picks, restart, bound, rounds=rounds if method == "local" else 0)
        obj = self.objective(sel)
        optimal = sol_mod.proven(obj, bound, maximise=True)
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=pairs)
        if close and not optimal and self.most:
            sel, obj, bound, optimal = self._exact(sel, obj, bound, relaxation, limit)
        bound = max(bound, obj)
        solution = Solution(
            np.asarray(sel, dtype=np.int64), obj, bound, sol_mod.gap(obj, bound, maximise=True),
            method, gains=self.base._gains_in_order(np.asarray(sel, dtype=np.int64)),
            optimal=bool(optimal), seconds=time.perf_counter() - t0,
        )  # fmt: skip
        return sol_mod.look_for_alternative(
            solution, lambda: (self._milp(), 0.0), self.objective,
            n_sites=len(self.costs), pairs=pairs, maximise=True,
        )  # fmt: skip

    def _greedy(self) -> tuple[np.ndarray, float]:
        """Greedy by gain per unit of cost, or the best single affordable site topped up,
        whichever covers more; and the online bound."""
        b = self.base
        picks, gains, online = kb.greedy_ratio(
            b.cols, b.weights, b.tw, b._count0(), self.costs, self.budget, self.most,
            b.conflicts, self.affordable,
        )  # fmt: skip
        if self.most:
            single = _kernels.coverage_gains(b.cols, b.weights, b.tw, b._count0())
            j = int(np.argmax(np.where(self.affordable, single, -np.inf)))
            if single[j] > float(np.sum(gains)) + tol(float(np.sum(gains))):
                picks = self.fill([j])
        if self.base._granularity() > 0:
            online = float(np.floor(online + tol(online)))
        return picks, online

    def _bound(
        self, online: float, *, small: bool
    ) -> tuple[float, np.ndarray, _kernels.Relaxation | None]:
        """The best cheap bound: the LP relaxation with the knapsack row on ``small``
        models (and the sites it opens most, a restart), else the online bound; rounded
        down when every objective value is whole."""
        if not small or not self.most:
            return online, np.zeros(0, dtype=np.int64), None
        relaxation = _kernels.Relaxation(self._milp())
        _, lp_obj, lp_x = relaxation.solve()
        bound = min(online, -lp_obj + _kernels.bound_slack(lp_obj))
        if self.base._granularity() > 0:
            bound = float(np.floor(bound + tol(bound)))
        restart = np.argsort(-lp_x[: len(self.costs)], kind="stable")
        return bound, restart[lp_x[restart] > 1e-9], relaxation

    def _descend(self, start: np.ndarray) -> np.ndarray:
        b = self.base
        return kb.interchange_budget(
            b.cols, b.weights, b.tw, b._count0(), start, self.costs, self.budget, self.most,
            b.conflicts, self.affordable,
        )  # fmt: skip

    def _local(
        self, picks: np.ndarray, restart: np.ndarray, bound: float, *, rounds: int
    ) -> np.ndarray:
        """Adds and swaps from the greedy ``picks`` and from ``restart`` made feasible (the
        better wins, the earlier on a tie), then ``rounds`` random kicks while the gap to
        ``bound`` stays open."""
        sel, best_val = picks, -1.0
        for start in (picks, self.fill(restart)):
            cand = self._descend(start)
            val = self.objective(cand)
            if val > best_val + tol(best_val):
                sel, best_val = cand, val
        if rounds and len(sel) and not sol_mod.proven(best_val, bound, maximise=True):
            sel = sol_mod.iterated_local_search(
                np.asarray(sel), best_val, rounds=rounds,
                pool=np.flatnonzero(self.affordable),
                descend=lambda trial: self._descend(self.fill(trial)),
                value_of=self.objective, maximise=True, bound=bound,
            )  # fmt: skip
        return np.asarray(sel, dtype=np.int64)

    def _exact(
        self,
        sel: np.ndarray,
        obj: float,
        bound: float,
        relaxation: _kernels.Relaxation | None,
        time_limit_s: _kernels.Limit,
    ) -> tuple[np.ndarray, float, float, bool]:
        """Close the gap with the LP search on the model with the knapsack row (up to
        :data:`EXACT_NODES` nodes: on budgets it finishes in a few where HiGHS's MILP
        solver takes seconds), then HiGHS's MILP; within ``time_limit_s``. The answer,
        its value, the bound and whether it is proven."""
        model = relaxation.model if relaxation is not None else self._milp()
        gran = self.base._granularity()
        if isinstance(time_limit_s, _kernels.Work):  # the proof step of "local"
            res = _kernels.solve_binary(
                model, -obj, self.base._start(sel), granularity=gran, relaxation=relaxation,
                time_limit_s=time_limit_s,
            )  # fmt: skip
        else:
            t0 = time.perf_counter()
            rel = relaxation if relaxation is not None else _kernels.Relaxation(model)
            searched = rel.branch_and_bound(
                -obj, granularity=gran, node_limit=EXACT_NODES, time_limit_s=time_limit_s,
                patience=None,
            )  # fmt: skip
            res = searched if searched is not None else _kernels.MilpResult(
                np.zeros(0), -obj, -np.inf, False, "node limit"
            )  # fmt: skip
            left = None if time_limit_s is None else time_limit_s - (time.perf_counter() - t0)
            if searched is None and (left is None or left > 0):
                res = _kernels.solve_milp(*model, time_limit_s=left, start=self.base._start(sel))
        found = np.flatnonzero(res.x[: len(self.costs)] > 0.5) if res.x.size else sel
        if self.feasible(found) and self.objective(found) >= obj:
            sel, obj = found, self.objective(found)
        bound = min(bound, -res.bound)
        return sel, obj, bound, res.optimal or sol_mod.proven(obj, bound, maximise=True)

    def fill(self, start: Sequence[int] | np.ndarray) -> np.ndarray:
        """``start`` made feasible and topped up: candidates not affordable, repeated, in
        conflict with one kept before them or beyond what is left of the budget are
        dropped (in order; at most ``most`` are kept), then greedy picks by gain per unit
        of cost fill what is left of the budget."""
        b = self.base
        chosen: list[int] = []
        left = self.budget + kb.money_slack(self.budget)
        for j in (int(v) for v in start):
            if len(chosen) == self.most:
                break
            if not self.affordable[j] or j in chosen or self.costs[j] > left:
                continue
            if b.conflicts is not None and chosen and b.conflicts[[j]][:, chosen].count_nonzero():
                continue
            chosen.append(j)
            left -= float(self.costs[j])
        count = b._count0()
        for j in chosen:
            for k, m in enumerate(b.cols):
                count[k][m.indices[m.indptr[j] : m.indptr[j + 1]]] += 1
        free = self.affordable.copy()
        free[chosen] = False
        if b.conflicts is not None and chosen:
            free[b.conflicts[chosen].indices] = False
        extra, _, _ = kb.greedy_ratio(
            b.cols, b.weights, b.tw, count, self.costs, max(left, 0.0),
            self.most - len(chosen), b.conflicts, free,
        )  # fmt: skip
        return np.asarray(chosen + [int(j) for j in extra], dtype=np.int64)
