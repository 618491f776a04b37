"""Distance-decay coverage ("maximize attendance"): ``p`` new sites maximising the demand
weighted by a decay function of the travel time to the nearest station, existing stations
kept.

Each demand row ``i`` counts ``w_i * max(b_i, max_{j in S} a_ij)``, where ``a_ij`` is the
value (0..1) of candidate ``j`` for row ``i`` and ``b_i`` the value of the existing
stations; the objective is what the new sites add, ``sum_i w_i (max(...) - b_i)``. It is a
facility-location function: monotone and submodular, so greedy comes with the online bound
``f(S) + the p largest gains at S`` (the least over the greedy steps). The MILP is the
radius formulation in chained form (as Elloumi's for p-median): per row the distinct values
``v_1 > v_2 > ... > v_K > b_i`` and ``y_ik`` "some open site gives at least ``v_k``", with
``y_ik <= y_i,k-1 + sum_{j: a_ij = v_k} x_j``; its LP bound is the classic one's with
far fewer non-zeros.

The decay functions (:class:`Decay`) turn travel seconds into values: ``linear`` (1 at 0,
0 at the widest circle), ``exp`` (halved every ``half_life_s``) and ``step`` (a table);
every one is 0 beyond the widest circle, where no time is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from ._site_search import SiteSearch

#: The decay functions :class:`Decay` knows.
KINDS = ("linear", "exp", "step")


@dataclass(frozen=True)
class Decay:
    """A distance-decay function of travel time (s), 0 beyond ``widest_s``.

    ``linear``: ``1 - t / widest_s``. ``exp``: ``0.5 ** (t / half_life_s)``. ``step``:
    the value of the first step at or beyond ``t`` (``steps``: pairs of seconds, value,
    seconds increasing, values in 0..1 and not increasing).
    """

    kind: str
    widest_s: float
    half_life_s: float | None = None
    steps: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(f"decay: unknown kind {self.kind!r}; use one of {', '.join(KINDS)}")
        if not (np.isfinite(self.widest_s) and self.widest_s > 0):
            raise ConfigError(f"decay: widest_s must be a time above 0, got {self.widest_s}")
        if self.kind == "exp" and not (self.half_life_s and self.half_life_s > 0):
            raise ConfigError("decay: exp needs a half-life above 0")
        if self.kind == "step":
            t = np.array([s for s, _ in self.steps], dtype=float)
            v = np.array([x for _, x in self.steps], dtype=float)
            if not len(t) or (np.diff(t) <= 0).any() or (np.diff(v) > 0).any():
                raise ConfigError("decay: steps must have increasing times, values not rising")
            if ((v < 0) | (v > 1)).any() or t[-1] > self.widest_s + tol(self.widest_s):
                raise ConfigError("decay: step values in 0..1, times within the widest circle")

    def __call__(self, seconds: np.ndarray) -> np.ndarray:
        """The value of each travel time (``inf``: beyond reach, 0)."""
        t = np.asarray(seconds, dtype=float)
        inside = t <= self.widest_s + tol(self.widest_s)
        safe = np.where(inside, t, 0.0)
        if self.kind == "linear":
            out = np.clip(1.0 - safe / self.widest_s, 0.0, 1.0)
        elif self.kind == "exp":
            out = 0.5 ** (safe / float(self.half_life_s or 1.0))
        else:
            times = np.array([s for s, _ in self.steps])
            values = np.array([x for _, x in self.steps] + [0.0])
            tie = np.array([tol(s) for s in times])
            out = values[np.searchsorted(times + tie, safe, side="left")]
        return np.where(inside, out, 0.0)


class DecayCoverage(SiteSearch):
    """``p`` new sites maximising decay-weighted demand on top of the existing stations.

    Parameters
    ----------
    value
        Sparse ``demand × candidates`` values in 0..1 (a missing pair is worth 0).
    weights
        Demand of each row (>= 0).
    p
        Number of new sites (0 to the number of allowed candidates).
    base
        Each row's value from the existing stations (default 0).
    allowed
        Boolean per candidate; ``False`` excludes it.
    """

    greedy_lp = False

    def __init__(
        self,
        value: sp.spmatrix,
        weights: Sequence[float] | np.ndarray,
        p: int,
        *,
        base: np.ndarray | None = None,
        allowed: np.ndarray | None = None,
    ) -> None:
        m = sp.coo_matrix(value)
        n_rows, n_sites = m.shape
        self.weights = sol_mod.check_weights(weights, n_rows)
        self.base = np.zeros(n_rows) if base is None else np.asarray(base, dtype=float)
        if self.base.shape != (n_rows,) or not np.isfinite(self.base).all():
            raise ConfigError(f"base: expected one finite value per demand row ({n_rows})")
        if not np.isfinite(m.data).all() or (m.data < 0).any():
            raise ConfigError("value: every value must be finite and >= 0")
        self._setup(n_sites, p, allowed)
        # only entries above the station's value and with demand can ever add anything
        keep = (m.data > self.base[m.row]) & (self.weights[m.row] > 0)
        order = np.lexsort((m.row[keep], m.col[keep]))  # by candidate, then row
        self.rows = m.row[keep][order].astype(np.int64)
        self.cols = m.col[keep][order].astype(np.int64)
        self.vals = m.data[keep][order].astype(float)
        self.n_rows = n_rows
        self.start = np.searchsorted(self.cols, np.arange(n_sites + 1))

    @classmethod
    def from_times(
        cls,
        seconds: sp.spmatrix,
        weights: Sequence[float] | np.ndarray,
        p: int,
        decay: Decay,
        *,
        base_seconds: np.ndarray | None = None,
        allowed: np.ndarray | None = None,
    ) -> DecayCoverage:
        """From sparse ``demand × candidates`` travel times (a missing pair is beyond
        reach; a stored 0 is a real time) and each row's time to its nearest existing
        station (``inf``: none within reach)."""
        m = sp.coo_matrix(seconds)
        value = sp.coo_matrix((decay(m.data), (m.row, m.col)), shape=m.shape)
        base = None if base_seconds is None else decay(np.asarray(base_seconds, dtype=float))
        return cls(value, weights, p, base=base, allowed=allowed)

    # ------------------------------------------------------------------ evaluation
    def best(self, selected: Sequence[int] | np.ndarray) -> np.ndarray:
        """Each row's value with ``selected`` open (the existing stations kept)."""
        best = self.base.copy()
        idx = np.asarray(selected, dtype=np.int64)
        pos = _kernels.ranges(self.start, np.arange(len(self.cols)), idx)
        np.maximum.at(best, self.rows[pos], self.vals[pos])
        return best

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """Decay-weighted demand the new sites ``selected`` add."""
        return float((self.weights * (self.best(selected) - self.base)).sum())

    def _gains(self, cur: np.ndarray) -> np.ndarray:
        """Value each candidate adds to rows valued ``cur``."""
        g = self.weights[self.rows] * np.maximum(self.vals - cur[self.rows], 0.0)
        return np.bincount(self.cols, weights=g, minlength=self.n_sites)

    def _pairs(self) -> int:
        return len(self.vals)

    def _relaxed_bound(self, value: float) -> float:
        """The Lagrangian bound: relax "each row takes one site's value" with multipliers
        ``lam_i >= 0``; the relaxed answer opens the ``p`` sites of largest
        ``rho_j = sum_i max(0, w_i (a_ij - b_i) - lam_i)`` and is worth ``sum lam + the p
        largest rho``, an upper bound for any ``lam``. Subgradient steps towards ``value``
        (the best answer known; 50 to 300 of them, fewer on larger models) tend to the LP
        bound."""
        wa = self.weights[self.rows] * (self.vals - self.base[self.rows])
        lam = np.zeros(self.n_rows)
        has = np.zeros(self.n_rows, dtype=bool)
        has[self.rows] = True
        best, mu, stall = np.inf, 2.0, 0
        for _ in range(int(np.clip(3e7 / max(len(wa), 1), 50, 300))):
            red = wa - lam[self.rows]
            rho = np.bincount(self.cols, weights=np.maximum(red, 0.0), minlength=self.n_sites)
            rho[~self.allowed] = -np.inf
            top = np.argsort(-rho, kind="stable")[: self.p]
            bound = float(lam.sum() + rho[top].sum())
            if not np.isfinite(best) or bound < best - tol(best):
                best, stall = bound, 0
            else:
                stall += 1
                mu, stall = (mu / 2, 0) if stall >= 10 else (mu, stall)
            is_open = np.zeros(self.n_sites, dtype=bool)
            is_open[top] = True
            taken = np.bincount(self.rows[is_open[self.cols] & (red > 0)], minlength=self.n_rows)
            g = np.where(has, 1.0 - taken, 0.0)
            norm = float((g * g).sum())
            if best <= value + tol(value, rel=1e-9) or norm == 0 or mu < 1e-6:
                break
            lam = np.maximum(0.0, lam - mu * max(bound - value, tol(value)) / norm * g)
        return best + _kernels.bound_slack(best)

    # ------------------------------------------------------------------ search
    def _greedy(self) -> tuple[np.ndarray, float]:
        """Each time the site that adds most (ties: the lowest column); the online bound is
        the least over the steps of the value so far plus the ``p`` largest gains."""
        cur = self.base.copy()
        picked: list[int] = []
        bound = np.inf
        for _ in range(self.p + 1):
            gains = self._gains(cur)
            gains[~self.allowed] = -1.0
            gains[picked] = -1.0
            now = float((self.weights * (cur - self.base)).sum())
            top = np.sort(np.maximum(gains, 0.0))[::-1][: self.p].sum()
            bound = min(bound, now + float(top))
            if len(picked) == self.p:
                break
            j = int(np.argmax(gains))
            picked.append(j)
            lo, hi = self.start[j], self.start[j + 1]
            np.maximum.at(cur, self.rows[lo:hi], self.vals[lo:hi])
        return np.asarray(picked, dtype=np.int64), bound + _kernels.bound_slack(bound)

    def _descend(self, start: np.ndarray) -> np.ndarray:
        """Best swap per pass (a chosen site out, another in) while the value rises."""
        sel = [int(j) for j in start]
        w = self.weights
        while True:
            chosen = np.column_stack([self._column(j) for j in sel] + [self.base])
            order = np.argsort(-chosen, axis=1, kind="stable")
            r = np.arange(self.n_rows)
            d1, d2 = chosen[r, order[:, 0]], chosen[r, order[:, 1]]
            current = float((w * d1).sum())
            best_val, swap = current, None
            for pos in range(len(sel)):
                without = np.where(order[:, 0] == pos, d2, d1)
                totals = float((w * without).sum()) + self._gains(without)
                totals[~self.allowed] = -np.inf
                totals[sel] = -np.inf
                j = int(np.argmax(totals))
                if totals[j] > best_val + tol(best_val):
                    best_val, swap = float(totals[j]), (pos, j)
            if swap is None:
                return np.asarray(sel, dtype=np.int64)
            sel[swap[0]] = swap[1]

    def _column(self, j: int) -> np.ndarray:
        out = np.zeros(self.n_rows)
        lo, hi = self.start[j], self.start[j + 1]
        out[self.rows[lo:hi]] = self.vals[lo:hi]
        return out

    # ------------------------------------------------------------------ model
    def _levels(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The entries sorted by row, then value falling (positions into the entries), the
        level (``y`` column) of each, and per level its row and value."""
        order = np.lexsort((self.cols, -self.vals, self.rows))
        r, v = self.rows[order], self.vals[order]
        new = np.ones(len(r), dtype=bool)
        new[1:] = (r[1:] != r[:-1]) | (v[1:] != v[:-1])
        level = np.cumsum(new) - 1
        return order, level, r[new], v[new]

    def _milp(self) -> _kernels.Model:
        """Columns: ``x_j``, then one ``y`` per level of each row. Rows: per level
        ``y_ik - y_i,k-1 - sum_{j: a_ij = v_ik} x_j <= 0``; ``sum_j x_j = p``. Cost: minus
        ``sum_i w_i sum_k (v_ik - v_i,k+1) y_ik`` (``v_i,K+1 = b_i``)."""
        n = self.n_sites
        order, level, y_row, y_val = self._levels()
        n_y = len(y_row)
        first = np.ones(n_y, dtype=bool)
        first[1:] = y_row[1:] != y_row[:-1]
        nxt = np.append(y_val[1:], 0.0)
        nxt = np.where(np.append(~first[1:], False), nxt, self.base[y_row])
        ys = np.arange(n_y)
        chained = ys[~first]
        rr = np.concatenate([level, ys, chained, np.full(n, n_y)])
        cc = np.concatenate([self.cols[order], n + ys, n + chained - 1, np.arange(n)])
        vv = np.concatenate([-np.ones(len(level)), np.ones(n_y), -np.ones(len(chained)),
                             np.ones(n)])  # fmt: skip
        return _kernels.Model(
            np.concatenate([np.zeros(n), -self.weights[y_row] * (y_val - nxt)]),
            sp.csc_matrix((vv, (rr, cc)), shape=(n_y + 1, n + n_y)),
            np.concatenate([np.full(n_y, -np.inf), [self.p]]),
            np.concatenate([np.zeros(n_y), [self.p]]),
            np.zeros(n + n_y),
            np.concatenate([self.allowed.astype(float), np.ones(n_y)]),
            np.concatenate([np.ones(n, dtype=bool), np.zeros(n_y, dtype=bool)]),
        )

    def _start(self, selected: np.ndarray) -> np.ndarray:
        """The MILP vector of a set of sites: ``x``, then ``y`` (its best value reaches the
        level)."""
        x = np.zeros(self.n_sites)
        x[np.asarray(selected, dtype=np.int64)] = 1.0
        _, _, y_row, y_val = self._levels()
        best = self.best(selected)
        return np.concatenate([x, (best[y_row] >= y_val).astype(float)])
