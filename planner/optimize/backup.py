"""Backup coverage: ``p`` new sites maximising the demand within each threshold of at least
``level`` (default 2) stations, existing stations counted, so that it stays covered when one
station is closed or full (the backup idea of Hogan and ReVelle, 1986; spopt's LSCP-B asks
the same of a set cover).

Demand row ``i`` at threshold ``k`` is backed up when ``c_ik + sum_{j in S} a_ijk >=
level`` (``c_ik``: the existing stations that reach it). The value is not submodular (a
first site may add nothing that a second one completes), so greedy ranks a site by its
credit ``g_j = sum_ik w_i a_ijk / (level - c_ik)`` over rows not yet backed up: every step
towards the level earns its share. The same credit bounds any answer: a row newly backed
up by a set of sites is reached by at least ``level - c_ik`` of them, so what ``p`` sites
add is at most the sum of the ``p`` largest credits (at any greedy step, on top of what it
holds). The MILP: ``(level - c_ik) u_ik - sum_j a_ijk x_j <= 0``, ``u``, ``x`` binary,
``sum_j x_j = p``; its LP relaxation bounds the heuristics on small models.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from ..analysis.coverage import Coverage
from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from ._site_search import SiteSearch


class BackupCoverage(SiteSearch):
    """``p`` new sites maximising the weighted demand reached by ``level`` stations or more.

    Parameters
    ----------
    cover
        One boolean ``demand × candidates`` sparse matrix per threshold (or a single one).
    weights
        Demand of each row (>= 0).
    p
        Number of new sites (0 to the number of allowed candidates).
    existing
        ``thresholds × demand`` counts of existing stations reaching each row (default 0).
    level
        How many stations make a row backed up (2: "two or more").
    threshold_weights
        Weight of each threshold in the value (default 1 each).
    allowed
        Boolean per candidate; ``False`` excludes it.
    """

    def __init__(
        self,
        cover: sp.spmatrix | Sequence[sp.spmatrix],
        weights: Sequence[float] | np.ndarray,
        p: int,
        *,
        existing: np.ndarray | None = None,
        level: int = 2,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
        allowed: np.ndarray | None = None,
    ) -> None:
        mats = [cover] if sp.issparse(cover) else list(cover)  # type: ignore[list-item]
        coo = [sp.coo_matrix(m) for m in mats]
        n_rows, n_sites = coo[0].shape
        if any(m.shape != (n_rows, n_sites) for m in coo):
            raise ConfigError("cover: every threshold's matrix must have the same shape")
        if int(level) < 1:
            raise ConfigError(f"level: expected 1 or more stations, got {level}")
        self.level = int(level)
        self.weights = sol_mod.check_weights(weights, n_rows)
        k = len(coo)
        tw = np.ones(k) if threshold_weights is None else np.asarray(threshold_weights, float)
        if tw.shape != (k,) or (tw < 0).any() or not np.isfinite(tw).all():
            raise ConfigError(f"threshold_weights: expected one weight >= 0 per threshold ({k})")
        c0 = np.zeros((k, n_rows)) if existing is None else np.asarray(existing, dtype=float)
        self.c0 = np.minimum(c0.reshape(k, n_rows), self.level).astype(np.int64)
        self._setup(n_sites, p, allowed)
        self.n_thresholds = k
        # a "cell" is one (threshold, demand row) pair that may still be backed up
        cells = (self.c0 < self.level) & (tw[:, None] * self.weights[None, :] > 0)
        cell_id = np.full((k, n_rows), -1, dtype=np.int64)
        cell_id[cells] = np.arange(int(cells.sum()))
        cell = np.concatenate([cell_id[t][m.row] for t, m in enumerate(coo)])
        col = np.concatenate([m.col for m in coo]).astype(np.int64)
        keep = (cell >= 0) & (np.concatenate([m.data for m in coo]) != 0)  # stored zeros
        self._group(
            cell[keep], col[keep], (tw[:, None] * self.weights[None, :])[cells],
            (self.level - self.c0)[cells],
        )  # fmt: skip
        self.start = np.searchsorted(self.cols, np.arange(n_sites + 1))
        # cells no choice of p allowed sites can back up never count in a bound
        reach = np.bincount(self.cells[self.allowed[self.cols]], minlength=len(self.cell_w))
        self.possible = (self.cell_need <= min(self.p, self.level)) & (reach >= self.cell_need)

    def _group(self, cell: np.ndarray, col: np.ndarray, w: np.ndarray, need: np.ndarray) -> None:
        """Merge the cells reached by the same candidates and short of the level by as many
        stations (their weights add: one is backed up exactly when the others are), so the
        model holds one row per kind of cell; keep the pairs sorted by candidate."""
        m = sp.csr_matrix((np.ones(len(cell)), (cell, col)), shape=(len(w), self.n_sites))
        m.sum_duplicates()
        m.sort_indices()
        groups: dict[bytes, int] = {}
        of = np.empty(len(w), dtype=np.int64)
        for i in range(len(w)):
            key = need[i].tobytes() + m.indices[m.indptr[i] : m.indptr[i + 1]].tobytes()
            of[i] = groups.setdefault(key, len(groups))
        first = np.unique(of, return_index=True)[1]
        self.cell_w = np.bincount(of, weights=w, minlength=len(groups))
        self.cell_need = need[first]
        pairs = np.unique(np.column_stack([m.tocoo().col, of[m.tocoo().row]]), axis=0)
        pairs = pairs.reshape(-1, 2).astype(np.int64)
        self.cols, self.cells = pairs[:, 0], pairs[:, 1]

    @classmethod
    def from_coverage(
        cls,
        candidates: Coverage,
        p: int,
        *,
        existing: Coverage | None = None,
        level: int = 2,
        allowed: np.ndarray | None = None,
    ) -> BackupCoverage:
        """From network coverage of the candidates (and of the existing stations, counted)."""
        k_all = range(len(candidates.thresholds_s))
        cover = [candidates.covered(k).T.tocsc() for k in k_all]
        counts = None
        if existing is not None and existing.times.seconds.shape[0] > 0:
            counts = np.stack([existing.counts(k) for k in k_all])
        return cls(cover, candidates.weights, p, existing=counts, level=level, allowed=allowed)

    # ------------------------------------------------------------------ evaluation
    def counts(self, selected: Sequence[int] | np.ndarray) -> np.ndarray:
        """Per cell, the stations that reach it with ``selected`` open (capped at the
        level)."""
        pos = _kernels.ranges(self.start, np.arange(len(self.cols)), np.asarray(selected, int))
        added = np.bincount(self.cells[pos], minlength=len(self.cell_w))
        return np.minimum(self.level - self.cell_need + added, self.level)

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """Weighted demand newly backed up by ``selected`` (summed over the thresholds)."""
        return float(self.cell_w[self.counts(selected) >= self.level].sum())

    def _credits(self, count: np.ndarray) -> np.ndarray:
        """Per candidate, its credit ``sum w / (level - count)`` over cells below the
        level."""
        left = self.level - count
        share = np.where((left > 0) & self.possible, self.cell_w / np.maximum(left, 1), 0.0)
        return np.bincount(self.cols, weights=share[self.cells], minlength=self.n_sites)

    def _completes(self, count: np.ndarray) -> np.ndarray:
        """Per candidate, the weight of cells one station short that it completes."""
        short = np.where(count == self.level - 1, self.cell_w, 0.0)
        return np.bincount(self.cols, weights=short[self.cells], minlength=self.n_sites)

    def _pairs(self) -> int:
        return len(self.cols)

    def _granularity(self) -> float:
        return 1.0 if np.array_equal(self.cell_w, np.round(self.cell_w)) else 0.0

    # ------------------------------------------------------------------ search
    def _greedy(self) -> tuple[np.ndarray, float]:
        """Each time the site of the largest credit (ties: the larger completed weight,
        then the lowest column); the bound is the least over the steps of the value so far
        plus the ``p`` largest credits."""
        count = self.level - self.cell_need.copy()
        picked: list[int] = []
        bound = np.inf
        for _ in range(self.p + 1):
            credit = self._credits(count)
            credit[~self.allowed] = -1.0
            credit[picked] = -1.0
            now = float(self.cell_w[count >= self.level].sum())
            top = np.sort(np.maximum(credit, 0.0))[::-1][: self.p].sum()
            bound = min(bound, now + float(top))
            if len(picked) == self.p:
                break
            done = self._completes(count)
            order = np.lexsort((np.arange(self.n_sites), -done, -credit))
            j = int(order[0])
            picked.append(j)
            count[self.cells[self.start[j] : self.start[j + 1]]] += 1
        return np.asarray(picked, dtype=np.int64), bound + _kernels.bound_slack(bound)

    def _descend(self, start: np.ndarray) -> np.ndarray:
        """Best swap per pass (a chosen site out, another in) while the value rises."""
        sel = [int(j) for j in start]
        while True:
            count = self.counts(sel)
            best_val, swap = float(self.cell_w[count >= self.level].sum()), None
            for pos in range(len(sel)):
                without = self.counts([j for q, j in enumerate(sel) if q != pos])
                base = float(self.cell_w[without >= self.level].sum())
                totals = base + self._completes(without)
                totals[~self.allowed] = -np.inf
                totals[sel] = -np.inf
                j = int(np.argmax(totals))
                if totals[j] > best_val + tol(best_val):
                    best_val, swap = float(totals[j]), (pos, j)
            if swap is None:
                return np.asarray(sel, dtype=np.int64)
            sel[swap[0]] = swap[1]

    # ------------------------------------------------------------------ model
    def _milp(self) -> _kernels.Model:
        """Columns: ``x_j``, then ``u`` per cell. Rows: per cell ``need * u -
        sum_j a_j x_j <= 0``; ``sum_j x_j = p``. Cost: minus ``sum w u``."""
        n, n_u = self.n_sites, len(self.cell_w)
        u = np.arange(n_u)
        rr = np.concatenate([self.cells, u, np.full(n, n_u)])
        cc = np.concatenate([self.cols, n + u, np.arange(n)])
        vv = np.concatenate([-np.ones(len(self.cols)), self.cell_need.astype(float), np.ones(n)])
        return _kernels.Model(
            np.concatenate([np.zeros(n), -self.cell_w]),
            sp.csc_matrix((vv, (rr, cc)), shape=(n_u + 1, n + n_u)),
            np.concatenate([np.full(n_u, -np.inf), [self.p]]),
            np.concatenate([np.zeros(n_u), [self.p]]),
            np.zeros(n + n_u),
            np.concatenate([self.allowed.astype(float), np.ones(n_u)]),
            np.ones(n + n_u, dtype=bool),
        )

    def _start(self, selected: np.ndarray) -> np.ndarray:
        x = np.zeros(self.n_sites)
        x[np.asarray(selected, dtype=np.int64)] = 1.0
        return np.concatenate([x, (self.counts(selected) >= self.level).astype(float)])
