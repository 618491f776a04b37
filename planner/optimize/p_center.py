"""p-center: the new sites that make the longest travel time of any demand to its nearest
station as short as possible, the existing stations kept.

The answer is always one of the pair times, so the search runs over the sorted times: a
radius ``r`` is reachable with ``p`` new sites when the fewest sites that bring every hotspot
within ``r`` (set cover, :class:`~planner.optimize.set_cover.SetCover`) number at most ``p``.
``exact`` solves each set cover exactly and proves the optimum; ``local`` uses set cover's
local search with its lower bound and its proof step (the searches' proof steps share about
a second), so a radius is proven out of reach only when the bound on its cover exceeds
``p``; ``greedy`` adds the site that shortens the longest time most.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from .set_cover import SetCover
from .solution import Solution


class PCenter:
    """``p`` new sites minimising the longest travel time from any demand to its nearest
    station (existing or new).

    Parameters
    ----------
    cost
        ``demand × candidates`` travel times; in a sparse matrix a missing pair is out of
        reach (it costs ``unreachable_cost``), in a dense one any time >= it is.
    weights
        Demand of each row; rows of zero demand do not count.
    p
        Number of new sites.
    base_cost
        Each row's time to its nearest existing station (inf: none within reach).
    unreachable_cost
        What a time beyond reach counts as (such as twice the widest circle); every time
        is capped at it.
    """

    maximise = False

    def __init__(
        self,
        cost: np.ndarray | sp.spmatrix,
        weights: Sequence[float] | np.ndarray,
        p: int,
        *,
        base_cost: np.ndarray | None = None,
        unreachable_cost: float,
    ) -> None:
        if not (np.isfinite(unreachable_cost) and unreachable_cost > 0):
            raise ConfigError(f"unreachable_cost: expected a time above 0, got {unreachable_cost}")
        self.cap = float(unreachable_cost)
        m = sp.coo_matrix(cost) if sp.issparse(cost) else sp.coo_matrix(np.asarray(cost, float))
        keep = np.isfinite(m.data) & (m.data < self.cap)
        if not sp.issparse(cost):  # a dense matrix's zeros are real times
            dense = np.asarray(cost, float)
            rows, cols = np.nonzero(dense < self.cap)
            self.rows, self.cols, self.vals = rows, cols, dense[rows, cols]
        else:
            self.rows, self.cols, self.vals = m.row[keep], m.col[keep], m.data[keep].astype(float)
        self.n_rows, self.n_sites = m.shape
        self.weights = sol_mod.check_weights(weights, self.n_rows)
        self.demand = self.weights > 0
        base = np.full(self.n_rows, np.inf) if base_cost is None else np.asarray(base_cost, float)
        self.base = np.minimum(base, self.cap)
        if not (0 <= p <= self.n_sites):
            raise ConfigError(f"p: expected 0..{self.n_sites} new sites, got {p}")
        self.p = int(p)

    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray | sp.spmatrix,
        weights: Sequence[float] | np.ndarray,
        p: int,
        *,
        unreachable_cost: float | None = None,
    ) -> PCenter:
        """From a cost matrix alone; ``unreachable_cost`` defaults to above every time."""
        if unreachable_cost is None:
            given = sp.coo_matrix(cost).data if sp.issparse(cost) else cost
            data = np.asarray(given, float).ravel()
            finite = data[np.isfinite(data)]
            unreachable_cost = float(finite.max()) + 1.0 if finite.size else 1.0
        return cls(cost, weights, p, unreachable_cost=unreachable_cost)

    def times(self, selected: Sequence[int] | np.ndarray) -> np.ndarray:
        """Each row's time to its nearest station with ``selected`` open (capped)."""
        best = self.base.copy()
        mask = np.isin(self.cols, np.asarray(selected, dtype=np.int64))
        np.minimum.at(best, self.rows[mask], self.vals[mask])
        return best

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """The longest time of any demand to its nearest station."""
        t = self.times(selected)[self.demand]
        return float(t.max()) if t.size else 0.0

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        s = np.asarray(selected, dtype=np.int64)
        inside = bool(((s >= 0) & (s < self.n_sites)).all())
        return len(np.unique(s)) == len(s) == self.p and inside

    def solve(self, method: str = "local", *, time_limit_s: _kernels.Limit = None) -> Solution:
        """Solve with ``"greedy"``, ``"local"`` or ``"exact"`` (see the module).
        ``time_limit_s`` (seconds) bounds the search over radii: once spent, the answer is
        the best found so far and the bound the shortest radius not proven out of reach (so
        the gap stays honest); a work limit caps each proof step of ``"exact"``."""
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        floor = self.objective(np.arange(self.n_sites))  # no choice of sites does better
        if self.p == 0 or not self.demand.any():
            picked = np.zeros(0, np.int64) if self.p == 0 else np.arange(self.p)
            value = self.objective(picked)
            return Solution(picked, value, value, 0.0, method, optimal=True,
                            seconds=time.perf_counter() - t0)  # fmt: skip
        if method == "greedy":
            picked, bound = self._greedy(), floor
        else:
            picked, bound = self._search(method, floor, time_limit_s)
        value = self.objective(picked)
        bound = min(max(bound, floor), value)
        gap = sol_mod.gap(value, bound, maximise=False)
        return Solution(
            picked, value, bound, gap, method, optimal=value <= bound + tol(bound),
            seconds=time.perf_counter() - t0,
        )  # fmt: skip

    # ------------------------------------------------------------------ greedy

    def _greedy(self, start: np.ndarray | None = None) -> np.ndarray:
        """Add, one at a time, the site after which the longest time is shortest (ties: the
        least demand-weighted time)."""
        picked = list(np.zeros(0, np.int64) if start is None else start)
        while len(picked) < self.p:
            best = self.times(picked)
            worst = self._longest_after(best)
            total = self._weighted_after(best)
            worst[picked] = np.inf
            order = np.lexsort((np.arange(self.n_sites), total, worst))
            picked.append(int(order[0]))
        return np.asarray(picked, dtype=np.int64)

    def _longest_after(self, best: np.ndarray) -> np.ndarray:
        """For every site, the longest demand time once it is added to ``best``."""
        rows = np.flatnonzero(self.demand)
        rank = np.empty(self.n_rows, np.int64)
        order = rows[np.argsort(-best[rows], kind="stable")]
        rank[order] = np.arange(len(order))
        keep = self.demand[self.rows]
        r, c, v = self.rows[keep], self.cols[keep], self.vals[keep]
        inside = np.full(self.n_sites, -np.inf)
        np.maximum.at(inside, c, np.minimum(best[r], v))
        # the longest time among rows a site does not reach: the first rank missing from it
        srt = np.lexsort((rank[r], c))
        cs, rs = c[srt], rank[r][srt]
        start = np.searchsorted(cs, np.arange(self.n_sites))
        pos = np.arange(len(cs)) - start[cs]
        first_gap = np.full(self.n_sites, len(order))
        miss = rs != pos
        np.minimum.at(first_gap, cs[miss], pos[miss])
        count = np.bincount(cs, minlength=self.n_sites)
        first_gap = np.where(first_gap == len(order), np.minimum(count, len(order)), first_gap)
        ranked = np.append(best[order], -np.inf)  # past the last rank: every row is reached
        return np.maximum(inside, ranked[first_gap])

    def _weighted_after(self, best: np.ndarray) -> np.ndarray:
        """For every site, the demand-weighted time once it is added (tie-break)."""
        saved = np.zeros(self.n_sites)
        gain = self.weights[self.rows] * np.maximum(best[self.rows] - self.vals, 0.0)
        np.add.at(saved, self.cols, gain)
        return float((self.weights * best).sum()) - saved

    # ------------------------------------------------------------------ search

    def _radii(self) -> np.ndarray:
        values = np.concatenate([self.vals, self.base[self.demand], [self.cap]])
        return np.unique(values[values <= self.cap])

    def _reach(
        self, r: float, method: str, time_limit_s: _kernels.Limit = None
    ) -> tuple[np.ndarray | None, bool]:
        """Sites that bring every demand within ``r`` (at most ``p``; None if not found),
        and whether ``r`` is proven out of reach (the set cover's exact step within
        ``time_limit_s``)."""
        covered = ~self.demand | (self.base <= r)
        if covered.all():
            return np.zeros(0, np.int64), False
        hit = self.vals <= r
        cover = sp.csc_matrix(
            (np.ones(int(hit.sum())), (self.rows[hit], self.cols[hit])),
            shape=(self.n_rows, self.n_sites),
        )
        try:
            sc = SetCover(cover, self.demand.astype(float), target_share=1.0, covered=covered)
        except ConfigError:  # some demand no site reaches within r
            return None, True
        sol = sc.solve("exact" if method == "exact" else "local", time_limit_s=time_limit_s)
        if len(sol.selected) <= self.p:
            return np.asarray(sol.selected, dtype=np.int64), False
        return None, bool(sol.bound > self.p + tol(self.p))

    def _search(
        self, method: str, floor: float, time_limit_s: _kernels.Limit = None
    ) -> tuple[np.ndarray, float]:
        """Binary search over the sorted times for the shortest radius within reach; the
        bound is the radius after the longest one proven out of reach. With ``"local"``,
        the set covers' proof steps share :data:`~planner.optimize.solution.PROOF_WORK`
        (so a search whose every step is proven proves the answer, as ``"exact"`` does)."""
        radii = self._radii()
        radii = radii[radii >= floor - tol(floor)]
        steps = max(1, int(np.ceil(np.log2(len(radii) + 1))))
        work = sol_mod.PROOF_WORK
        limit: _kernels.Limit = (
            _kernels.Work(max(1, work.nodes // steps), max(1, work.lp_iterations // steps))
            if method == "local"
            else time_limit_s
        )
        seconds = time_limit_s if isinstance(time_limit_s, int | float) else None
        deadline = None if seconds is None else time.perf_counter() + float(seconds)
        lo, hi = -1, len(radii) - 1  # radii[hi] = the cap is always within reach
        proven_out = -1
        best = self._greedy()
        while hi - lo > 1:
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and left <= 0:
                break  # out of time: the bound counts only the radii proven out of reach
            mid = (lo + hi) // 2
            step = limit if left is None or method == "local" else left
            sites, out = self._reach(float(radii[mid]), method, step)
            if sites is not None:
                hi, best = mid, self._greedy(sites)
            else:
                lo = mid
                proven_out = max(proven_out, mid) if out else proven_out
        if self.objective(best) > radii[hi] + tol(radii[hi]):
            best = self._greedy()
        bound = float(radii[proven_out + 1]) if proven_out + 1 < len(radii) else float(radii[-1])
        return best, bound
