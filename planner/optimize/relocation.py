"""Relocation: maximal coverage where up to ``moves`` existing stations may move to
candidate sites, on top of ``p`` new sites.

The stations become columns of the problem like the candidates, each with a keep variable:
an answer holds every station but at most ``moves`` of them, and at most as many sites in
all as the stations plus ``p``; so each station closed frees a place for one more
candidate. The value is the weighted demand covered beyond what every station covers today
(as :class:`~planner.optimize.coverage.MaximalCoverage` counts it), so it is comparable with
the answer that moves none.

``"greedy"`` starts from every station and the ``p`` greedy sites and makes the best single
move (one station out, one candidate in) while it helps, up to ``moves`` times;
``"local"`` then swaps any chosen site (station or candidate) for any other while that
helps within the limit on moves; ``"exact"`` solves the MILP with the keep variables
through HiGHS (``"local"`` too where the model is small, within the proof work).
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
from .coverage import MaximalCoverage
from .moving import Relocated
from .solution import Solution


class Relocation:
    """Add ``p`` sites and move up to ``moves`` stations to maximise covered demand.

    Parameters
    ----------
    stations, cover
        Per threshold, a boolean ``demand × stations`` and ``demand × candidates`` matrix.
    weights, threshold_weights
        As for :class:`~planner.optimize.coverage.MaximalCoverage`.
    p
        New sites beyond the stations' own count.
    moves
        Most stations that may close (each frees a place for a candidate).
    conflicts, allowed, fixed
        Candidate pairs that may not both open, candidates that may open at all, and
        candidates in every answer.
    held
        Stations (positions) that never close.
    """

    maximise = True

    def __init__(
        self,
        stations: Sequence[sp.spmatrix],
        cover: Sequence[sp.spmatrix],
        weights: Sequence[float] | np.ndarray,
        p: int,
        moves: int,
        *,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
        conflicts: sp.spmatrix | None = None,
        allowed: np.ndarray | None = None,
        fixed: Sequence[int] | np.ndarray | None = None,
        held: Sequence[int] | np.ndarray | None = None,
    ) -> None:
        self.n_s = stations[0].shape[1]
        n_c = cover[0].shape[1]
        union = [sp.hstack([s, c], format="csc") for s, c in zip(stations, cover, strict=True)]
        conf = None
        if conflicts is not None:
            conf = sp.block_diag([sp.csr_matrix((self.n_s, self.n_s)), conflicts], format="csr")
        ok = np.ones(n_c, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
        if moves < 0:
            raise ConfigError(f"moves: expected 0 or more stations to move, got {moves}")
        self.moves = int(moves)
        self.mc = MaximalCoverage(
            union, weights, self.n_s + int(p), threshold_weights=threshold_weights,
            conflicts=conf, allowed=np.concatenate([np.ones(self.n_s, dtype=bool), ok]),
        )  # fmt: skip
        given = np.zeros(0, np.int64) if fixed is None else np.asarray(fixed, np.int64)
        kept = np.zeros(0, np.int64) if held is None else np.asarray(held, np.int64)
        self.fixed = np.concatenate([self.n_s + given, kept])
        self.today = self.mc.objective(np.arange(self.n_s))

    def value(self, selected: Sequence[int] | np.ndarray) -> float:
        """Weighted demand the union columns ``selected`` cover beyond today's stations."""
        return self.mc.objective(selected) - self.today

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        sel = np.asarray(selected, dtype=np.int64)
        kept = int((sel < self.n_s).sum())
        held = bool(np.isin(self.fixed, sel).all())
        return held and kept >= self.n_s - self.moves and self.mc.feasible(sel)

    # ------------------------------------------------------------------ search
    def _gains(self, count: list[np.ndarray]) -> np.ndarray:
        """What each union column would add to the coverage counted by ``count``."""
        out = np.zeros(self.mc.cols[0].shape[1])
        for k, m in enumerate(self.mc.cols):
            out += self.mc.tw[k] * (m.T @ (self.mc.weights * (count[k] == 0)))
        return out

    def _counts(self, sel: np.ndarray) -> list[np.ndarray]:
        return [np.asarray(m[:, sel].sum(axis=1)).ravel() for m in self.mc.cols]

    def _best_swap(self, sel: np.ndarray, *, stations_only: bool) -> tuple[float, int, int]:
        """The best swap (gain, position in ``sel`` out, column in): one chosen site out,
        one other column in, within the limit on moves and the spacing rule."""
        best = (0.0, -1, -1)
        count = self._counts(sel)
        closed = self.n_s - int((sel < self.n_s).sum())
        for pos, out in enumerate(sel):
            if out in self.fixed or (stations_only and out >= self.n_s):
                continue
            col = [m.indices[m.indptr[out] : m.indptr[out + 1]] for m in self.mc.cols]
            less = [c.copy() for c in count]
            for k, rows in enumerate(col):
                less[k][rows] -= 1
            loss = sum(
                self.mc.tw[k] * float(self.mc.weights[rows][less[k][rows] == 0].sum())
                for k, rows in enumerate(col)
            )
            gain = self._gains(less) - loss
            ok = self.mc.allowed.copy()
            ok[sel] = False
            if out < self.n_s and (stations_only or closed >= self.moves):
                ok[self.n_s :] &= not closed >= self.moves  # closing one more: within moves
            if stations_only:
                ok[: self.n_s] = False  # a move: a station out, a candidate in
            if self.mc.conflicts is not None:
                ok[self.mc.conflicts[np.delete(sel, pos)].indices] = False
            gain = np.where(ok, gain, -np.inf)
            j = int(np.argmax(gain))
            if gain[j] > best[0] + tol(best[0]):
                best = (float(gain[j]), pos, j)
        return best

    def _search(self, sel: np.ndarray, *, stations_only: bool) -> np.ndarray:
        steps = self.moves if stations_only else 10 * (len(sel) + self.moves)
        for _ in range(steps):
            gain, pos, j = self._best_swap(sel, stations_only=stations_only)
            if pos < 0 or gain <= tol(self.today):
                break
            sel = sel.copy()
            sel[pos] = j
        return sel

    def _model(self) -> _kernels.Model:
        """The MILP of the union with the keep row: at least ``n_s - moves`` stations."""
        m = self.mc._milp()
        row = sp.csc_matrix(
            (np.ones(self.n_s), (np.zeros(self.n_s, dtype=np.int64), np.arange(self.n_s))),
            shape=(1, m.a.shape[1]),
        )
        lo = m.col_lo.copy()
        lo[self.fixed] = 1.0
        return _kernels.Model(
            m.cost, sp.vstack([m.a, row], format="csc"),
            np.concatenate([m.row_lo, [self.n_s - self.moves]]),
            np.concatenate([m.row_hi, [np.inf]]), lo, m.col_hi, m.integer,
        )  # fmt: skip

    def solve(self, method: str = "local", *, time_limit_s: _kernels.Limit = None) -> Relocated:
        """The answer by ``method`` (see the module), with a bound on the best value: the
        problem without the limit on moves (greedy), or the MILP's."""
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        start = np.concatenate([np.arange(self.n_s), self.fixed])
        sel = self.mc.fill(np.asarray(list(dict.fromkeys(start.tolist())), dtype=np.int64))
        sel = self._search(sel, stations_only=True)
        if method != "greedy":
            sel = self._search(sel, stations_only=False)
        obj = self.value(sel)
        bound = self.mc.solve("greedy").bound - self.today
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=self.mc._pairs())
        optimal = sol_mod.proven(obj, bound, maximise=True)
        if close and not optimal:
            res = _kernels.solve_binary(
                self._model(), -(obj + self.today), self.mc._start(sel),
                granularity=self.mc._granularity(), time_limit_s=limit,
            )  # fmt: skip
            found = np.flatnonzero(res.x[: len(self.mc.allowed)] > 0.5) if res.x.size else sel
            if self.feasible(found) and self.value(found) >= obj:
                sel, obj = found, self.value(found)
            bound = min(bound, -res.bound - self.today)
            optimal = res.optimal or sol_mod.proven(obj, bound, maximise=True)
        bound = max(bound, obj)
        sel = np.asarray(sel, dtype=np.int64)
        opened = np.concatenate([self.fixed, [j for j in sel if j not in set(self.fixed)]])
        new = (opened[opened >= self.n_s] - self.n_s).astype(np.int64)
        closed = np.setdiff1d(np.arange(self.n_s), sel)
        solution = Solution(
            new, obj, bound, sol_mod.gap(obj, bound, maximise=True), method,
            optimal=bool(optimal), seconds=time.perf_counter() - t0,
        )  # fmt: skip
        return Relocated(solution, closed)
