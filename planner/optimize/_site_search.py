"""The solve shared by the "exactly ``p`` new sites, the more value the better" problems
(:class:`~planner.optimize.decay.DecayCoverage`,
:class:`~planner.optimize.backup.BackupCoverage`): greedy with its online bound, the LP
relaxation's (or a Lagrangian) bound, interchange with random kicks, the exact step through
HiGHS and the search for another set of the same value.

A problem supplies its value (:meth:`SiteSearch.objective`), its greedy picks and online
bound, its interchange, and its MILP (site columns first, minimised: the cost is minus the
value) with the MILP vector of a set of sites.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from .solution import KICKS, LP_BOUND_MAX_NNZ, Solution


class SiteSearch:
    """Base of the problems that open exactly ``p`` of the allowed candidates to maximise a
    value that never falls when a site is added."""

    maximise = True
    #: Whether ``"greedy"`` solves the LP relaxation for its bound on small models (False
    #: where the Lagrangian bound of :meth:`_relaxed_bound` stands in for it).
    greedy_lp: bool = True
    n_sites: int
    p: int
    allowed: np.ndarray

    def _setup(self, n_sites: int, p: int, allowed: np.ndarray | None) -> None:
        """Check ``p`` against the allowed candidates and keep the counts."""
        self.n_sites = int(n_sites)
        self.allowed = (
            np.ones(self.n_sites, dtype=bool) if allowed is None else np.asarray(allowed, bool)
        )
        if self.allowed.shape != (self.n_sites,):
            raise ConfigError(f"allowed: expected one flag per candidate ({self.n_sites})")
        usable = int(self.allowed.sum())
        if not (0 <= int(p) <= usable):
            raise ConfigError(
                f"p: asked for {p} new sites but there are only {usable} usable candidate "
                f"sites; ask for 0 to {usable}, or give more candidates"
            )
        self.p = int(p)

    # ------------------------------------------------------------ what a problem supplies
    def objective(self, selected: Sequence[int] | np.ndarray) -> float:  # pragma: no cover
        raise NotImplementedError

    def _greedy(self) -> tuple[np.ndarray, float]:  # pragma: no cover
        """Greedy picks (``p`` of them) and an upper bound on the optimum."""
        raise NotImplementedError

    def _descend(self, start: np.ndarray) -> np.ndarray:  # pragma: no cover
        """Interchange from ``start`` until no swap of one site improves."""
        raise NotImplementedError

    def _milp(self) -> _kernels.Model:  # pragma: no cover
        raise NotImplementedError

    def _start(self, selected: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _pairs(self) -> int:  # pragma: no cover
        """Size of the model (non-zeros of its pairs)."""
        raise NotImplementedError

    def _relaxed_bound(self, value: float) -> float:
        """A bound cheaper than the LP's (a Lagrangian one), given the best ``value`` known;
        inf where the problem has none."""
        return np.inf

    def _granularity(self) -> float:
        """1 when every value is a whole number (a bound can be rounded down), else 0."""
        return 0.0

    # ------------------------------------------------------------ shared
    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        """Exactly ``p`` distinct allowed candidates."""
        sel = np.asarray(selected, dtype=np.int64)
        inside = bool(((sel >= 0) & (sel < self.n_sites)).all())
        if not (inside and len(sel) == self.p and len(np.unique(sel)) == len(sel)):
            return False
        return bool(self.allowed[sel].all())

    def solve(self, method: str = "local", *, time_limit_s: _kernels.Limit = None) -> Solution:
        """``"greedy"`` (with its online bound, the problem's Lagrangian bound where it has
        one, and the LP bound on small models unless the Lagrangian one stands in for it),
        ``"local"`` (then interchange and, on small models, random two-site kicks; then the
        exact step within about a second, :func:`~planner.optimize.solution.exact_step`) or
        ``"exact"`` (the MILP through HiGHS, warm-started from the local answer, within
        ``time_limit_s`` when given)."""
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        if self.p == 0:
            return Solution(np.zeros(0, np.int64), 0.0, 0.0, 0.0, method, optimal=True)
        picks, bound = self._greedy()
        obj = self.objective(picks)
        small = self._pairs() <= LP_BOUND_MAX_NNZ
        relaxation = None
        if not sol_mod.proven(obj, bound, maximise=True):
            bound = min(bound, self._relaxed_bound(obj))
        lp = small and (method != "greedy" or self.greedy_lp)
        if lp and not sol_mod.proven(obj, bound, maximise=True):
            relaxation = _kernels.Relaxation(self._milp())
            status, lp_obj, _ = relaxation.solve()
            if status == "optimal":
                bound = min(bound, -lp_obj + _kernels.bound_slack(lp_obj))
        bound = self._rounded(bound)
        sel = picks
        if method != "greedy":
            sel = self._local(picks, bound, rounds=KICKS if small and method == "local" else 0)
        obj = self.objective(sel)
        optimal = sol_mod.proven(obj, bound, maximise=True)
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=self._pairs())
        if close and not optimal:
            sel, obj, bound, optimal = self._exact(sel, obj, bound, relaxation, limit)
        bound = max(bound, obj)
        solution = Solution(
            np.asarray(sel, dtype=np.int64), obj, bound, sol_mod.gap(obj, bound, maximise=True),
            method, gains=self._gains_in_order(np.asarray(sel, dtype=np.int64)),
            optimal=bool(optimal), seconds=time.perf_counter() - t0,
        )  # fmt: skip
        return sol_mod.look_for_alternative(
            solution, lambda: (self._milp(), 0.0), self.objective,
            n_sites=self.n_sites, pairs=self._pairs(), maximise=True,
        )  # fmt: skip

    def _rounded(self, bound: float) -> float:
        if self._granularity() > 0 and np.isfinite(bound):
            return float(np.floor(bound + tol(bound)))
        return bound

    def _local(self, picks: np.ndarray, bound: float, *, rounds: int) -> np.ndarray:
        """Interchange from the greedy ``picks``, then ``rounds`` random kicks while the gap
        to ``bound`` stays open."""
        sel = self._descend(picks)
        value = self.objective(sel)
        if rounds and not sol_mod.proven(value, bound, maximise=True):
            sel = sol_mod.iterated_local_search(
                sel, value, rounds=rounds, pool=np.flatnonzero(self.allowed),
                descend=self._descend, value_of=self.objective, maximise=True, bound=bound,
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
        """Close the gap between ``sel`` (value ``obj``) and ``bound``: the LP search, then
        HiGHS's MILP. Returns the answer, its value, the bound and whether it is proven."""
        model = relaxation.model if relaxation is not None else self._milp()
        res = _kernels.solve_binary(
            model, -obj, self._start(sel), granularity=self._granularity(),
            relaxation=relaxation, time_limit_s=time_limit_s,
        )  # fmt: skip
        if res.x.size:
            found = np.flatnonzero(res.x[: self.n_sites] > 0.5)
            if self.feasible(found) and self.objective(found) > obj:
                sel, obj = found, self.objective(found)
        if res.optimal:
            return sel, obj, obj, True
        bound = min(bound, self._rounded(-res.bound + _kernels.bound_slack(res.bound)))
        return sel, obj, bound, sol_mod.proven(obj, bound, maximise=True)

    def _gains_in_order(self, selected: np.ndarray) -> np.ndarray:
        """Value added by each of ``selected`` on top of the ones before it."""
        prefix = [self.objective(selected[:r]) for r in range(len(selected) + 1)]
        return np.diff(prefix)
