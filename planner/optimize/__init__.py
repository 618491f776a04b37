"""Choosing new station sites, with a certificate of how good the answer is.

Problem classes work on matrices (rows: demand points, columns: candidate sites) and a demand
vector; the GeoDataFrame world reaches them through :class:`~planner.coverage.Coverage`
adapters. ``solve()`` returns a new :class:`Solution` and never changes the problem.

- :class:`MaximalCoverage`: add ``p`` sites to the existing stations to maximise the demand
  covered, optionally over several thresholds with weights, with a minimum spacing.
- :class:`CapacitatedCoverage`: the same with a capacity per new site.
- :class:`SetCover`: the fewest new sites that bring the covered share of demand to a target.
- :class:`PMedian`: ``p`` sites minimising demand-weighted travel cost.

Methods: ``"greedy"`` (with an online bound), ``"local"`` (greedy, then swaps until no swap
improves) and ``"exact"`` (a MILP built straight from the sparse matrices and solved by
HiGHS). Heuristic answers carry the best bound known (the LP relaxation where it fits) and
their gap to it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from ..analysis.coverage import Coverage
from ..core.errors import ConfigError
from ..core.units import PROVEN_GAP, minutes_label
from . import _kernels

METHODS = ("greedy", "local", "exact")
#: Relative slack added to bounds from floating-point LP solutions, so they stay valid.
_EPS = 1e-7
_PROVEN = PROVEN_GAP
#: Random two-site kicks of the iterated local search (coverage: small instances only).
KICKS = 40
#: Largest model (non-zeros) for which the LP relaxation is solved to bound heuristics.
LP_BOUND_MAX_NNZ = 100_000
#: Swaps the capacitated local search judges (each a small assignment LP), in all and per
#: position in one pass.
SWAP_EVALUATIONS = 400
SWAP_TRIES = 10
#: Largest capacitated model (demand-site pairs) whose local search also tries
#: ``CAPACITY_KICKS`` random two-site kicks while the gap is above 0.01%.
CAPACITY_KICKS_MAX_PAIRS = 20_000
CAPACITY_KICKS = 8


@dataclass(frozen=True)
class Solution:
    """Result of a solve.

    Attributes
    ----------
    selected
        Chosen candidate columns (pick order for greedy).
    objective
        Objective value of the answer: covered demand added (coverage), number of sites (set
        cover) or demand-weighted cost (p-median).
    bound
        Best bound known on the optimum (upper for maximisation, lower for minimisation).
    gap
        Relative distance between objective and bound: the answer is within ``gap`` of
        optimal. 0 means proven optimal.
    method
        ``"greedy"``, ``"local"`` or ``"exact"``.
    gains
        Objective added by each pick, in order (greedy coverage and set cover).
    optimal
        True when the answer is proven optimal.
    seconds
        Solve time.
    """

    selected: np.ndarray
    objective: float
    bound: float
    gap: float
    method: str
    gains: np.ndarray = field(default_factory=lambda: np.zeros(0))
    optimal: bool = False
    seconds: float = 0.0


def _gap(objective: float, bound: float, *, maximise: bool) -> float:
    if maximise:
        return 0.0 if bound <= 0 else max(0.0, (bound - objective) / bound)
    return 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)


def _times_weight(w: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """``w * cost`` with 0 where the weight is 0, even for an infinite cost."""
    w, cost = np.broadcast_arrays(w, cost)
    return np.multiply(w, cost, out=np.zeros(w.shape), where=w > 0)


def _iterated_local_search(
    sel: np.ndarray,
    value: float,
    *,
    rounds: int,
    pool: np.ndarray,
    descend: Any,
    value_of: Any,
    maximise: bool,
    bound: float,
) -> np.ndarray:
    """Iterated local search: replace two chosen sites at random (one where only one other
    site is left; seeded, so runs repeat),
    ``descend`` to a local optimum again, keep the result when it is better; stop at the
    bound."""
    rng = np.random.default_rng(0)
    sign = 1.0 if maximise else -1.0
    best, best_val = np.asarray(sel), value
    for _ in range(rounds):
        free = np.setdiff1d(pool, best)
        k = min(2, len(free), len(best))  # one site when only one is left to bring in
        if k == 0:
            break
        trial = best.copy()
        out = rng.choice(len(trial), size=k, replace=False)
        trial[out] = rng.choice(free, size=k, replace=False)
        cand = descend(trial)
        val = value_of(cand)
        if sign * (val - best_val) > 1e-9 * max(1.0, abs(best_val)):
            best, best_val = cand, val
            if sign * (bound - best_val) <= _PROVEN * max(1.0, abs(bound)):
                break
    return best


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise ConfigError(f"method: unknown solver {method!r}; use one of {', '.join(METHODS)}")


def _weights(weights: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != (n,):
        raise ConfigError(f"weights: expected one per demand row ({n}), got {w.shape[0]}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ConfigError("weights: must be finite and >= 0")
    return w


def _cover_from_cost(cost: np.ndarray | sp.spmatrix, threshold: float) -> sp.csc_matrix:
    """Boolean ``demand × candidates`` coverage: cost <= threshold (sparse: stored only)."""
    if sp.issparse(cost):
        m = sp.coo_matrix(cost)
        keep = m.data <= threshold
        return sp.csc_matrix((np.ones(int(keep.sum())), (m.row[keep], m.col[keep])), shape=m.shape)
    c = np.asarray(cost, dtype=float)
    return sp.csc_matrix((c <= threshold).astype(float))


def _conflict_rows(
    conflicts: sp.csr_matrix | None, first_row: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Model rows ``x_j + x_j' <= 1``, one per conflicting pair, numbered from
    ``first_row``: row indices, column indices and values of their entries, and their
    count."""
    if conflicts is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), 0
    pairs = sp.triu(conflicts, k=1).tocoo()
    r = first_row + np.arange(pairs.nnz)
    cols = np.concatenate([pairs.row, pairs.col]).astype(np.int64)
    return np.concatenate([r, r]), cols, np.ones(2 * pairs.nnz), int(pairs.nnz)


def spacing_conflicts(
    xy: np.ndarray, min_spacing: float, *, existing_xy: np.ndarray | None = None
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Pairs of candidates closer than ``min_spacing`` (same units as ``xy``), and which
    candidates are allowed at all (not closer than that to an existing station)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    n = len(xy)
    tree = cKDTree(xy)
    pairs = tree.query_pairs(r=min_spacing * (1 - 1e-12), output_type="ndarray")
    rows = np.concatenate([pairs[:, 0], pairs[:, 1]]) if len(pairs) else np.zeros(0, int)
    cols = np.concatenate([pairs[:, 1], pairs[:, 0]]) if len(pairs) else np.zeros(0, int)
    conflicts = sp.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=(n, n))
    allowed = np.ones(n, dtype=bool)
    if existing_xy is not None and len(existing_xy):
        d, _ = cKDTree(np.asarray(existing_xy, dtype=float).reshape(-1, 2)).query(xy)
        allowed = d >= min_spacing * (1 - 1e-12)
    return conflicts, allowed


class MaximalCoverage:
    """Maximal coverage: add ``p`` sites, keeping the existing stations, to maximise covered
    demand.

    Parameters
    ----------
    cover
        One boolean ``demand × candidates`` sparse matrix per threshold (or a single one):
        ``cover[k][i, j]`` when candidate ``j`` serves demand ``i`` within threshold ``k``.
    weights
        Demand of each row (>= 0).
    p
        Number of new sites.
    threshold_weights
        Weight of each threshold in the objective (default 1 each: demand within 8, 10 and
        15 minutes counts three times, within 15 only once).
    covered
        ``thresholds × demand`` booleans: demand the existing stations already cover.
    conflicts
        Symmetric boolean ``candidates × candidates`` matrix of pairs that may not both be
        chosen (minimum spacing); see :func:`spacing_conflicts`.
    allowed
        Boolean per candidate; ``False`` excludes it (too close to an existing station).
    """

    maximise = True

    def __init__(
        self,
        cover: sp.spmatrix | Sequence[sp.spmatrix],
        weights: Sequence[float] | np.ndarray,
        p: int,
        *,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
        covered: np.ndarray | None = None,
        conflicts: sp.spmatrix | None = None,
        allowed: np.ndarray | None = None,
    ) -> None:
        mats = [cover] if sp.issparse(cover) else list(cover)  # type: ignore[list-item]
        self.cols = [sp.csc_matrix(m, dtype=float) for m in mats]
        for m in self.cols:
            m.data[:] = 1.0
            m.eliminate_zeros()
        n_rows, n_cols = self.cols[0].shape
        if any(m.shape != (n_rows, n_cols) for m in self.cols):
            raise ConfigError("cover: every threshold's matrix must have the same shape")
        self.weights = _weights(weights, n_rows)
        self.tw = (
            np.ones(len(self.cols))
            if threshold_weights is None
            else np.asarray(threshold_weights, dtype=float)
        )
        if self.tw.shape != (len(self.cols),) or (self.tw < 0).any():
            raise ConfigError("threshold_weights: one weight >= 0 per threshold")
        self.covered = (
            np.zeros((len(self.cols), n_rows), dtype=bool)
            if covered is None
            else np.asarray(covered, dtype=bool).reshape(len(self.cols), n_rows)
        )
        self.conflicts = None if conflicts is None else sp.csr_matrix(conflicts, dtype=bool)
        self.allowed = (
            np.ones(n_cols, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
        )
        if not (0 <= int(p) <= int(self.allowed.sum())):
            raise ConfigError(
                f"--add: asked for {p} new stations but there are only {int(self.allowed.sum())} "
                "usable candidate sites; ask for fewer or give more candidates"
            )
        self.p = int(p)

    # ------------------------------------------------------------------ adapters
    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray | sp.spmatrix,
        weights: Sequence[float],
        *,
        threshold: float | Sequence[float],
        p: int,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
    ) -> MaximalCoverage:
        """From a ``demand × candidates`` cost matrix (dense: every entry a cost; sparse:
        missing entries are out of reach) and one or more service thresholds."""
        ts = np.atleast_1d(np.asarray(threshold, dtype=float))
        return cls(
            [_cover_from_cost(cost, float(t)) for t in ts],
            weights,
            p,
            threshold_weights=threshold_weights,
        )

    @classmethod
    def from_coverage(
        cls,
        candidates: Coverage,
        p: int,
        *,
        existing: Coverage | None = None,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
        conflicts: sp.spmatrix | None = None,
        allowed: np.ndarray | None = None,
    ) -> MaximalCoverage:
        """From network coverage of candidates (and of the existing stations, kept)."""
        k_all = range(len(candidates.thresholds_s))
        cover = [candidates.covered(k).T.tocsc() for k in k_all]
        covered = None
        if existing is not None and existing.times.seconds.shape[0] > 0:
            covered = np.stack([existing.counts(k) > 0 for k in k_all])
        return cls(
            cover,
            candidates.weights,
            p,
            threshold_weights=threshold_weights,
            covered=covered,
            conflicts=conflicts,
            allowed=allowed,
        )

    # ------------------------------------------------------------------ evaluation
    def _count0(self) -> np.ndarray:
        return self.covered.astype(np.int64)

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """Weighted demand newly covered by ``selected`` (on top of the existing stations)."""
        total = 0.0
        idx = list(int(j) for j in selected)
        for k, m in enumerate(self.cols):
            hit = np.zeros(m.shape[0], dtype=bool)
            hit[_kernels.ranges(m.indptr, m.indices, np.asarray(idx, dtype=np.int64))] = True
            total += self.tw[k] * float(self.weights[hit & ~self.covered[k]].sum())
        return total

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        sel = np.asarray(selected, dtype=np.int64)
        if len(sel) > self.p or len(set(sel.tolist())) != len(sel) or not self.allowed[sel].all():
            return False
        if self.conflicts is not None and len(sel):
            return not self.conflicts[sel][:, sel].count_nonzero()
        return True

    # ------------------------------------------------------------------ model
    def _milp(
        self,
    ) -> tuple[
        np.ndarray, sp.csc_matrix, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, int
    ]:
        """Columns: x_j (candidates), then y_ik for demand i not yet covered at threshold k
        that some candidate reaches. Rows: y_ik - sum_j a_ijk x_j <= 0; sum_j x_j <= p;
        x_j + x_j' <= 1 for conflicting pairs."""
        n_c = self.cols[0].shape[1]
        blocks, costs = [], []
        n_y = 0
        row_parts_r, row_parts_c, row_parts_v = [], [], []
        n_rows = 0
        for k, m in enumerate(self.cols):
            csr = m.tocsr()
            reach = np.flatnonzero(
                (np.diff(csr.indptr) > 0) & ~self.covered[k] & (self.weights > 0)
            )
            sub = csr[reach]  # rows: y_ik, columns: candidates
            coo = sub.tocoo()
            # y column index: n_c + n_y + local row
            row_parts_r += [n_rows + coo.row, n_rows + np.arange(len(reach))]
            row_parts_c += [coo.col, n_c + n_y + np.arange(len(reach))]
            row_parts_v += [-np.ones(coo.nnz), np.ones(len(reach))]
            costs.append(-self.tw[k] * self.weights[reach])
            blocks.append(reach)
            n_y += len(reach)
            n_rows += len(reach)
        # cardinality
        row_parts_r.append(np.full(n_c, n_rows))
        row_parts_c.append(np.arange(n_c))
        row_parts_v.append(np.ones(n_c))
        n_rows += 1
        cr, cc, cv, n_conf = _conflict_rows(self.conflicts, n_rows)
        row_parts_r.append(cr)
        row_parts_c.append(cc)
        row_parts_v.append(cv)
        n_rows += n_conf
        a = sp.csc_matrix(
            (
                np.concatenate(row_parts_v),
                (np.concatenate(row_parts_r), np.concatenate(row_parts_c)),
            ),
            shape=(n_rows, n_c + n_y),
        )
        cost = np.concatenate([np.zeros(n_c), *costs])
        row_lo = np.full(n_rows, -np.inf)
        row_hi = np.concatenate([np.zeros(n_y), [self.p], np.ones(n_conf)])
        col_lo = np.zeros(n_c + n_y)
        col_hi = np.concatenate([self.allowed.astype(float), np.ones(n_y)])
        integer = np.concatenate([np.ones(n_c, bool), np.zeros(n_y, bool)])
        return cost, a, row_lo, row_hi, col_lo, col_hi, integer, n_c

    # ------------------------------------------------------------------ solve
    def solve(
        self,
        method: str = "local",
        *,
        time_limit_s: float | None = None,
        kicks: int | None = None,
    ) -> Solution:
        """Solve with ``"greedy"``, ``"local"`` (greedy + interchange) or ``"exact"``.

        ``"local"`` swaps from two starts: the greedy answer and the sites a relaxation
        opens (the LP relaxation where the model is small, a Lagrangian one otherwise); the
        relaxation also gives the bound. ``"exact"``: when the bound already meets the answer
        it is proven optimal, otherwise a depth-first search on the LP relaxation closes the
        gap (HiGHS's MILP solver takes over if that search grows large). On models small
        enough for the LP bound it starts from the greedy answer; on larger ones from the
        local search answer. ``kicks``: rounds of random two-site restarts of ``"local"``
        while the gap stays open (default :data:`KICKS` on models small enough for the LP
        bound, else none).
        """
        _check_method(method)
        t0 = time.perf_counter()
        picks, gains, online = _kernels.greedy_coverage(
            self.cols, self.weights, self.tw, self._count0(), self.p, self.conflicts, self.allowed
        )
        sel = picks
        obj = float(np.sum(gains))
        bound = online
        model = None
        relaxation = None
        relaxed_x = np.zeros(0, dtype=np.int64)  # sites a relaxation opens: a restart point
        small = sum(m.nnz for m in self.cols) <= LP_BOUND_MAX_NNZ
        gran = self._granularity()
        if obj < bound - 1e-9 * max(1.0, bound) or method != "greedy":
            if small:  # the LP relaxation: the tightest cheap bound
                model = self._milp()
                relaxation = _kernels.Relaxation(model[:7])
                _, lp_obj, lp_x = relaxation.solve()
                bound = min(bound, -lp_obj + _EPS * max(1.0, abs(lp_obj)))
                relaxed_x = np.argsort(-lp_x[: model[7]], kind="stable")[: self.p]
            else:  # large: Lagrangian relaxation by subgradient steps, a few matvecs each
                lagr, relaxed_x = _kernels.lagrangian_coverage(
                    self.cols, self.weights, self.tw, self._count0(), self.p, self.allowed, obj
                )
                bound = min(bound, lagr)
            if gran > 0:  # every objective value is a whole number
                bound = float(np.floor(bound + 1e-9 * max(1.0, bound)))
        # swaps, unless exact on a small model: the LP search then starts from greedy
        if len(picks) and (method == "local" or (method == "exact" and not small)):
            starts = [picks, self._fill(relaxed_x)]
            best_val = -1.0  # objectives are >= 0
            for start in starts:  # the better local optimum wins (the earlier on a tie)
                cand = _kernels.interchange_coverage(
                    self.cols,
                    self.weights,
                    self.tw,
                    self._count0(),
                    start,
                    self.conflicts,
                    self.allowed,
                )
                val = self.objective(cand)
                if val > best_val + 1e-9 * max(1.0, abs(best_val)):
                    sel, best_val = cand, val
            rounds = (KICKS if small else 0) if kicks is None else int(kicks)
            if method == "local" and rounds and bound - best_val > _PROVEN * max(1.0, bound):
                sel = self._kicks(np.asarray(sel), best_val, bound, rounds=rounds)
        obj = self.objective(sel)
        proven = bound - obj <= _PROVEN * max(1.0, bound)
        if method == "exact" and not proven:
            model = model or self._milp()
            n_c = model[7]
            res = _kernels.solve_binary(
                model[:7],
                -obj,
                self._start(sel),
                granularity=gran,
                relaxation=relaxation,
                time_limit_s=time_limit_s,
            )
            found = np.flatnonzero(res.x[:n_c] > 0.5) if res.x.size else sel
            if self.feasible(found) and self.objective(found) >= obj:
                sel, obj = found, self.objective(found)
            bound = min(bound, -res.bound)
            proven = res.optimal or bound - obj <= _PROVEN * max(1.0, bound)
        bound = max(bound, obj)
        gains = gains if method == "greedy" else self._gains_in_order(np.asarray(sel))
        return Solution(
            np.asarray(sel),
            obj,
            bound,
            _gap(obj, bound, maximise=True),
            method,
            gains=gains,
            optimal=bool(proven),
            seconds=time.perf_counter() - t0,
        )

    def _granularity(self) -> float:
        """1 when every demand and threshold weight is a whole number (so is every
        objective value, and a bound can be rounded down), else 0."""
        whole = all(np.array_equal(v, np.round(v)) for v in (self.weights, self.tw))
        return 1.0 if whole else 0.0

    def _start(self, selected: np.ndarray) -> np.ndarray:
        """The full MILP vector (x, then y per threshold) of a set of sites."""
        n_c = self.cols[0].shape[1]
        x = np.zeros(n_c)
        x[np.asarray(selected, dtype=np.int64)] = 1.0
        ys = []
        for k, m in enumerate(self.cols):
            csr = m.tocsr()
            reach = np.flatnonzero(
                (np.diff(csr.indptr) > 0) & ~self.covered[k] & (self.weights > 0)
            )
            ys.append(np.minimum(1.0, csr[reach] @ x))
        return np.concatenate([x, *ys])

    def _kicks(
        self, sel: np.ndarray, value: float, bound: float, *, rounds: int = KICKS
    ) -> np.ndarray:
        return _iterated_local_search(
            sel,
            value,
            rounds=rounds,
            pool=np.flatnonzero(self.allowed),
            descend=lambda trial: _kernels.interchange_coverage(
                self.cols,
                self.weights,
                self.tw,
                self._count0(),
                self._fill(trial),
                self.conflicts,
                self.allowed,
            ),
            value_of=self.objective,
            maximise=True,
            bound=bound,
        )

    def _fill(self, start: np.ndarray) -> np.ndarray:
        """``start`` made feasible (conflicts dropped, in order) and topped up greedily to p."""
        chosen: list[int] = []
        for j in start:
            j = int(j)
            if not self.allowed[j] or j in chosen:
                continue
            if (
                self.conflicts is not None
                and chosen
                and self.conflicts[[j]][:, chosen].count_nonzero()
            ):
                continue
            chosen.append(j)
        count = self._count0()
        for j in chosen:
            for k, m in enumerate(self.cols):
                count[k][m.indices[m.indptr[j] : m.indptr[j + 1]]] += 1
        free = self.allowed.copy()
        free[chosen] = False
        if self.conflicts is not None and chosen:
            free[self.conflicts[chosen].indices] = False
        extra, _, _ = _kernels.greedy_coverage(
            self.cols, self.weights, self.tw, count, self.p - len(chosen), self.conflicts, free
        )
        return np.asarray(chosen + [int(j) for j in extra], dtype=np.int64)

    def _gains_in_order(self, selected: np.ndarray) -> np.ndarray:
        out, prev = [], 0.0
        for r in range(1, len(selected) + 1):
            cur = self.objective(selected[:r])
            out.append(cur - prev)
            prev = cur
        return np.asarray(out)

    def curve(self, k_max: int) -> pd.DataFrame:
        """Greedy coverage curve for ``k = 1..k_max`` new sites: marginal and cumulative
        objective, and the share of the best possible (all candidates) it reaches."""
        k_max = min(int(k_max), int(self.allowed.sum()))
        picks, gains, _ = _kernels.greedy_coverage(
            self.cols, self.weights, self.tw, self._count0(), k_max, self.conflicts, self.allowed
        )
        total_possible = (
            self.objective(np.flatnonzero(self.allowed)) if self.conflicts is None else np.nan
        )
        cum = np.cumsum(gains)
        return pd.DataFrame({
            "k": np.arange(1, len(picks) + 1), "candidate": picks, "marginal": gains,
            "cumulative": cum,
            "share_of_possible": cum / total_possible if total_possible else np.nan,
        })  # fmt: skip


class CapacitatedCoverage:
    """Maximal coverage where each new site serves at most its capacity of demand.

    A hotspot's demand may be split between new sites. Each unit of demand a new site
    serves counts the weights of the thresholds within which that site reaches it and the
    existing stations do not; without capacities this is :class:`MaximalCoverage` (the
    thresholds are nested, so the best site serving a hotspot reaches it within every
    threshold any chosen site does). Demand the existing stations cover within every
    threshold takes no capacity; their own capacity is not modelled.

    Parameters
    ----------
    cover
        One boolean ``demand × candidates`` sparse matrix per threshold (or a single one).
    weights
        Demand of each row (>= 0).
    capacities
        Demand each candidate can serve, in the units of ``weights`` (``inf``: no limit).
    p
        Number of new sites.
    threshold_weights, covered, conflicts, allowed
        As for :class:`MaximalCoverage`.
    """

    maximise = True

    def __init__(
        self,
        cover: sp.spmatrix | Sequence[sp.spmatrix],
        weights: Sequence[float] | np.ndarray,
        capacities: Sequence[float] | np.ndarray,
        p: int,
        *,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
        covered: np.ndarray | None = None,
        conflicts: sp.spmatrix | None = None,
        allowed: np.ndarray | None = None,
    ) -> None:
        #: The same problem without capacities: its bound is a bound here too.
        self.uncapacitated = MaximalCoverage(
            cover,
            weights,
            p,
            threshold_weights=threshold_weights,
            covered=covered,
            conflicts=conflicts,
            allowed=allowed,
        )
        mc = self.uncapacitated
        n, m = mc.cols[0].shape
        caps = np.asarray(capacities, dtype=float).ravel()
        if caps.shape != (m,) or np.isnan(caps).any() or (caps < 0).any():
            raise ConfigError(
                f"capacities: expected one value >= 0 per candidate ({m}), got {caps.shape[0]}"
                " values" + (" with some below 0 or missing" if caps.shape == (m,) else "")
            )
        self.weights, self.p = mc.weights, mc.p
        self.allowed, self.conflicts = mc.allowed, mc.conflicts
        self.capacities = np.minimum(caps, float(mc.weights.sum()))  # above all demand: none
        # value per unit of demand served of each (row, candidate) pair
        value = sp.csc_matrix((n, m))
        for k, col in enumerate(mc.cols):
            value = value + mc.tw[k] * sp.diags((~mc.covered[k]).astype(float)) @ col
        value = sp.csc_matrix(sp.diags((mc.weights > 0).astype(float)) @ value)
        value.eliminate_zeros()
        value.sort_indices()
        self._pj = np.repeat(np.arange(m), np.diff(value.indptr))
        self._pi = value.indices.astype(np.int64)
        self._pv = value.data.astype(float)

    # ------------------------------------------------------------------ adapters
    @classmethod
    def from_cost_matrix(
        cls,
        cost: np.ndarray | sp.spmatrix,
        weights: Sequence[float],
        capacities: Sequence[float] | np.ndarray,
        *,
        threshold: float | Sequence[float],
        p: int,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
    ) -> CapacitatedCoverage:
        """From a ``demand × candidates`` cost matrix (see
        :meth:`MaximalCoverage.from_cost_matrix`)."""
        ts = np.atleast_1d(np.asarray(threshold, dtype=float))
        cover = [_cover_from_cost(cost, float(t)) for t in ts]
        return cls(cover, weights, capacities, p, threshold_weights=threshold_weights)

    @classmethod
    def from_coverage(
        cls,
        candidates: Coverage,
        capacities: Sequence[float] | np.ndarray,
        p: int,
        *,
        existing: Coverage | None = None,
        threshold_weights: Sequence[float] | np.ndarray | None = None,
        conflicts: sp.spmatrix | None = None,
        allowed: np.ndarray | None = None,
    ) -> CapacitatedCoverage:
        """From network coverage of candidates (and of the existing stations, kept)."""
        mc = MaximalCoverage.from_coverage(
            candidates, p, existing=existing, threshold_weights=threshold_weights,
            conflicts=conflicts, allowed=allowed,
        )  # fmt: skip
        return cls(
            mc.cols, mc.weights, capacities, p, threshold_weights=mc.tw, covered=mc.covered,
            conflicts=conflicts, allowed=allowed,
        )  # fmt: skip

    # ------------------------------------------------------------------ evaluation
    def _assignment(
        self, selected: Sequence[int] | np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray]:
        """The best split of demand between ``selected`` within their capacities (a
        transportation LP): its value, the share ``z`` of each pair (zero for pairs of
        sites not selected) and the dual value ``u`` of each demand row's rule
        ``sum_j z_ij <= 1`` (zero for rows no selected site reaches)."""
        sel = np.unique(np.asarray(selected, dtype=np.int64))
        z = np.zeros(len(self._pj))
        u = np.zeros(len(self.weights))
        keep = np.flatnonzero(np.isin(self._pj, sel))
        if not len(keep):
            return 0.0, z, u
        pi, pj = self._pi[keep], self._pj[keep]
        rows, a_row = np.unique(pi, return_inverse=True)
        site = np.searchsorted(sel, pj)
        n_z = len(keep)
        a = sp.csc_matrix(
            (
                np.concatenate([np.ones(n_z), self.weights[pi]]),
                (np.concatenate([a_row, len(rows) + site]), np.tile(np.arange(n_z), 2)),
            ),
            shape=(len(rows) + len(sel), n_z),
        )
        row_hi = np.concatenate([np.ones(len(rows)), self.capacities[sel]])
        res = _kernels.solve_milp(
            -self.weights[pi] * self._pv[keep], a, np.full(a.shape[0], -np.inf), row_hi,
            np.zeros(n_z), np.ones(n_z), np.zeros(n_z, dtype=bool), relax=True,
        )  # fmt: skip
        z[keep] = np.clip(res.x, 0.0, 1.0)
        if res.row_dual.size:  # minimising -value: a binding <= row has a dual <= 0
            u[rows] = np.maximum(0.0, -res.row_dual[: len(rows)])
        return max(0.0, float(-res.objective)), z, u

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """Weighted demand ``selected`` can serve within the thresholds and their
        capacities, on top of the existing stations."""
        return self._assignment(selected)[0]

    def served(self, selected: Sequence[int] | np.ndarray) -> np.ndarray:
        """Demand (units of ``weights``) each of ``selected`` serves in the best split."""
        _, z, _ = self._assignment(selected)
        per_site = np.bincount(
            self._pj, weights=z * self.weights[self._pi], minlength=len(self.capacities)
        )
        return per_site[np.asarray(selected, dtype=np.int64)]

    def served_within(self, selected: Sequence[int] | np.ndarray) -> np.ndarray:
        """Per threshold, the demand ``selected`` serve within it in the best split, of the
        demand the existing stations do not already cover within it."""
        _, z, _ = self._assignment(selected)
        mc = self.uncapacitated
        out = np.zeros(len(mc.cols))
        n = len(self.weights)
        pair_key = self._pj * n + self._pi
        for k, col in enumerate(mc.cols):
            col_key = np.repeat(np.arange(col.shape[1]), np.diff(col.indptr)) * n + col.indices
            fresh = np.isin(pair_key, col_key) & ~mc.covered[k][self._pi]
            out[k] = float((z * self.weights[self._pi])[fresh].sum())
        return out

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        return self.uncapacitated.feasible(selected)

    # ------------------------------------------------------------------ model
    def _model(self) -> tuple[Any, ...]:
        """x_j, then z_ij per pair: sum_j z_ij <= 1; z_ij <= x_j; sum_i w_i z_ij <= cap_j x_j;
        sum_j x_j <= p; x_j + x_j' <= 1 for conflicting pairs."""
        m = len(self.capacities)
        pi, pj = self._pi, self._pj
        n_z = len(pi)
        _, a_row = np.unique(pi, return_inverse=True)
        n_a = int(a_row.max()) + 1 if n_z else 0
        zc = m + np.arange(n_z)
        link = n_a + np.arange(n_z)
        capr = n_a + n_z
        card = capr + m
        rr = [a_row, link, link, capr + pj, capr + np.arange(m), np.full(m, card)]
        cc = [zc, zc, pj, zc, np.arange(m), np.arange(m)]
        vv = [np.ones(n_z), np.ones(n_z), -np.ones(n_z), self.weights[pi], -self.capacities,
              np.ones(m)]  # fmt: skip
        n_rows = card + 1
        conf_r, conf_c, conf_v, n_conf = _conflict_rows(self.conflicts, n_rows)
        rr.append(conf_r)
        cc.append(conf_c)
        vv.append(conf_v)
        n_rows += n_conf
        a = sp.csc_matrix(
            (np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))), shape=(n_rows, m + n_z)
        )
        cost = np.concatenate([np.zeros(m), -self.weights[pi] * self._pv])
        row_lo = np.full(n_rows, -np.inf)
        row_hi = np.concatenate([np.ones(n_a), np.zeros(n_z + m), [self.p], np.ones(n_conf)])
        col_lo = np.zeros(m + n_z)
        col_hi = np.concatenate([self.allowed.astype(float), np.ones(n_z)])
        integer = np.concatenate([np.ones(m, bool), np.zeros(n_z, bool)])
        return cost, a, row_lo, row_hi, col_lo, col_hi, integer

    def _estimate(self, left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each candidate's value if it alone served the demand ``left``, highest value per
        unit first up to its capacity, and the demand it would take from each pair."""
        return _kernels.knapsack_fill(self._pj, self._pv, left[self._pi], self.capacities)

    def _greedy(self) -> np.ndarray:
        left = self.weights.copy()
        free = self.allowed.copy()
        picks: list[int] = []
        for _ in range(self.p):
            value, take = self._estimate(left)
            value = np.where(free, value, -np.inf)
            j = int(np.argmax(value))
            if not value[j] > 1e-12:
                break
            mine = self._pj == j
            np.subtract.at(left, self._pi[mine], take[mine])
            np.maximum(left, 0.0, out=left)
            picks.append(j)
            free[j] = False
            if self.conflicts is not None:
                c = self.conflicts
                free[c.indices[c.indptr[j] : c.indptr[j + 1]]] = False
        return np.asarray(picks, dtype=np.int64)

    def _swaps(
        self, start: np.ndarray, value: float, *, evaluations: int
    ) -> tuple[np.ndarray, float]:
        """Swap one site for another while that improves the exact value.

        For each site taken out, the split of demand between the others is solved, with
        the dual value ``u_i >= 0`` of each demand row. For any such ``u`` the value of a set
        of sites is at most ``sum(u)`` plus what each site could serve alone at the reduced
        values ``w_i v_ij - u_i`` (Lagrangian relaxation; a fractional knapsack per site,
        one pass over the pairs for every candidate at once); with the duals of the others'
        split this bound is tight for them, so it is sharp for the candidates added back.
        Candidates whose bound beats the current value
        are judged by the exact LP (at most :data:`SWAP_TRIES` per position), those that
        could serve most of the demand the others leave unserved first; when none beats it,
        no swap at that position can improve. ``evaluations`` LP solves at most."""
        best, obj = np.asarray(start, dtype=np.int64), value
        spent, improved = 0, True
        amount = self.weights[self._pi]
        while improved and spent < evaluations:
            improved = False
            for pos in range(len(best)):
                rest = np.delete(best, pos)
                _, z, u = self._assignment(rest)
                spent += 1
                alone, _ = _kernels.knapsack_fill(
                    self._pj, self._pv - u[self._pi] / amount, amount, self.capacities
                )
                base = float(u.sum() + alone[rest].sum())  # a bound on the others, any u
                # the order to try them in: what each could serve of the demand the rest
                # leaves unserved
                unserved = 1.0 - np.bincount(self._pi, weights=z, minlength=len(self.weights))
                gain, _ = self._estimate(self.weights * np.clip(unserved, 0.0, 1.0))
                ok = self.allowed.copy()
                ok[best] = False
                if self.conflicts is not None and len(rest):
                    c = self.conflicts
                    ok[_kernels.ranges(c.indptr, c.indices, rest)] = False
                tol = 1e-9 * max(1.0, obj)
                hopeful = np.flatnonzero(ok & (base + alone > obj + tol))
                for j in hopeful[np.argsort(-gain[hopeful], kind="stable")][:SWAP_TRIES]:
                    if spent >= evaluations:
                        break
                    trial = best.copy()
                    trial[pos] = j
                    val = self.objective(trial)
                    spent += 1
                    if val > obj + tol:
                        best, obj, improved = trial, val, True
                        break
                if spent >= evaluations:
                    break
        return best, obj

    def solve(
        self,
        method: str = "local",
        *,
        time_limit_s: float | None = None,
        evaluations: int = SWAP_EVALUATIONS,
    ) -> Solution:
        """``"greedy"`` (the largest capacity-limited gain first), ``"local"`` (then swaps
        while they help, each judged by the exact assignment, at most ``evaluations`` LP
        solves a run, from the greedy answer and from the sites the Lagrangian relaxation
        opens; on models up to :data:`CAPACITY_KICKS_MAX_PAIRS` pairs, a few seeded
        two-site kicks while the gap stays above 0.01%) or ``"exact"`` (LP branch and bound
        on the formulation with ``z_ij <= x_j``, handing over to HiGHS's MILP when it
        grows).

        Bound: the lesser of the Lagrangian relaxation of the assignment constraints (which
        tends to the LP bound; for ``"greedy"``, its first step: every site alone at its
        capacity) and the bound of the same problem without capacities."""
        _check_method(method)
        t0 = time.perf_counter()
        sel = self._greedy()
        obj = self.objective(sel)

        def lagrangian(target: float) -> tuple[float, np.ndarray]:
            return _kernels.lagrangian_capacitated(
                self._pi, self._pj, self._pv, self.weights, self.capacities, self.p,
                self.allowed, target,
            )  # fmt: skip

        if method == "greedy":  # quick bounds: each site alone at its capacity, or no capacity
            alone, _ = self._estimate(self.weights)
            top = np.sort(np.where(self.allowed, alone, 0.0))[::-1][: self.p]
            bound, opened = float(top.sum()), np.zeros(0, dtype=np.int64)
        else:
            bound, opened = lagrangian(obj)
        bound = min(bound, self.uncapacitated.solve("greedy").bound)
        if method != "greedy" and len(sel):
            # swaps from two starts: the greedy answer and the sites the relaxation opens
            runs = [
                self._swaps(start, self.objective(start), evaluations=evaluations)
                for start in (sel, self.uncapacitated._fill(opened))
            ]
            sel, obj = max(runs, key=lambda r: r[1])  # the first on a tie
            small = len(self._pj) <= CAPACITY_KICKS_MAX_PAIRS
            # the Lagrangian bound is rarely exact: kick only while the gap is worth it
            if small and bound - obj > 1e-4 * max(1.0, bound):
                sel = _iterated_local_search(
                    sel, obj, rounds=CAPACITY_KICKS, pool=np.flatnonzero(self.allowed),
                    descend=lambda trial: self._swaps(
                        self.uncapacitated._fill(trial), 0.0, evaluations=evaluations
                    )[0],
                    value_of=self.objective, maximise=True, bound=bound,
                )  # fmt: skip
                obj = self.objective(sel)
        proven = bound - obj <= _PROVEN * max(1.0, bound)
        if method == "exact" and not proven:
            model = self._model()
            start = np.zeros(len(self.capacities))
            start[sel] = 1.0
            start = np.concatenate([start, self._assignment(sel)[1]])  # x, then z
            res = _kernels.solve_binary(model, -obj, start, time_limit_s=time_limit_s)
            found = np.flatnonzero(res.x[: len(self.capacities)] > 0.5) if res.x.size else sel
            if self.feasible(found) and self.objective(found) >= obj:
                sel, obj = found, self.objective(found)
            bound = min(bound, -res.bound + _EPS * max(1.0, abs(res.bound)))
            proven = res.optimal or bound - obj <= _PROVEN * max(1.0, bound)
        bound = max(bound, obj)
        sel = np.asarray(sel, dtype=np.int64)
        prefix = [self.objective(sel[:r]) for r in range(len(sel) + 1)]
        return Solution(
            sel,
            obj,
            bound,
            _gap(obj, bound, maximise=True),
            method,
            gains=np.diff(prefix),
            optimal=bool(proven),
            seconds=time.perf_counter() - t0,
        )


class SetCover:
    """The fewest new sites that bring the covered share of demand to ``target_share``.

    Parameters
    ----------
    cover
        Boolean ``demand × candidates`` matrix for the threshold of the goal.
    weights
        Demand of each row.
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
        self.weights = _weights(weights, n)
        if not (0 < target_share <= 1):
            raise ConfigError(f"target share must be in (0, 1], got {target_share}")
        self.covered = np.zeros(n, bool) if covered is None else np.asarray(covered, bool)
        total = float(self.weights.sum())
        self.need = target_share * total - float(self.weights[self.covered].sum())
        reachable = self.covered | (np.diff(self.cover.tocsr().indptr) > 0)
        best = float(self.weights[reachable].sum())
        if best < target_share * total - 1e-9 * max(1.0, total):
            raise ConfigError(
                f"target: even every candidate together covers only {best / total:.1%} of "
                f"demand, less than the {target_share:.1%} asked; lower the target or add "
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
        return cls(_cover_from_cost(cost, threshold), weights, target_share=target_share)

    def covered_demand(self, selected: Sequence[int] | np.ndarray) -> float:
        hit = self.covered.copy()
        idx = np.asarray(selected, dtype=np.int64)
        hit[_kernels.ranges(self.cover.indptr, self.cover.indices, idx)] = True
        return float(self.weights[hit].sum())

    def solve(self, method: str = "local", *, time_limit_s: float | None = None) -> Solution:
        """``"greedy"`` (largest demand first), ``"local"`` or ``"exact"``.

        ``"local"`` and ``"exact"`` first reduce a full-coverage goal by the classic
        set-covering rules (a demand point only one site reaches forces that site in;
        dominated demand points and sites are dropped) and drop sites the others make
        unnecessary. ``"local"`` then looks for a cover with as many sites as the bound
        (the LP relaxation rounded up) with the maximal-coverage local search (finding one
        proves it optimal), else bisects towards it. ``"exact"`` branches on the LP
        relaxation of what is left (HiGHS's MILP solver takes over when that search grows
        large).
        """
        _check_method(method)
        t0 = time.perf_counter()
        n_c = self.cover.shape[1]
        if self.need <= 1e-12:
            return Solution(np.zeros(0, np.int64), 0.0, 0.0, 0.0, method, optimal=True)
        picks, gains, _ = _kernels.greedy_coverage(
            [self.cover], self.weights, np.ones(1), self._count0(), n_c, None, np.ones(n_c, bool)
        )
        k = int(np.searchsorted(np.cumsum(gains), self.need - 1e-9 * max(1.0, self.need))) + 1
        sel = picks[:k]
        sub = _CoverPart(self, reduce=method != "greedy")
        n_f = len(sub.forced)
        bound = n_f + 1.0
        relaxation = None
        if not sub.a.shape[0]:  # the forced sites cover everything: they are the answer
            bound = float(n_f)
        elif sub.model[1].nnz <= LP_BOUND_MAX_NNZ or method == "exact":
            relaxation = _kernels.Relaxation(sub.model)
            bound = n_f + float(np.ceil(relaxation.solve()[1] - 1e-6))
        if method != "greedy":
            sel = self._drop_redundant(sel)
            if not sub.a.shape[0] and len(sub.forced) < len(sel):
                sel = sub.forced
            # exact on a small model searches the LP straight away; on a larger one it
            # starts from the best cover local search finds
            small = sub.model[1].nnz <= LP_BOUND_MAX_NNZ
            wanted = method == "local" or (method == "exact" and not small)
            searches = sub.covers(bound, upto=len(sel) - 1) if wanted else []
            for cand in searches:
                if len(cand) < len(sel) and self.reaches_target(cand):
                    sel = cand
        if method == "exact" and len(sel) > bound and sub.a.shape[0]:
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
            bound = max(bound, n_f + float(np.ceil(res.bound - 1e-6)))
        return Solution(
            np.asarray(sel, dtype=np.int64),
            float(len(sel)),
            bound,
            _gap(len(sel), bound, maximise=False),
            method,
            gains=gains[: len(sel)] if method == "greedy" else np.zeros(0),
            optimal=len(sel) <= bound,
            seconds=time.perf_counter() - t0,
        )

    def _count0(self) -> np.ndarray:
        return self.covered.astype(np.int64)[None, :]

    def reaches_target(self, selected: Sequence[int] | np.ndarray) -> bool:
        target = self.target_share * float(self.weights.sum())
        return self.covered_demand(selected) >= target - 1e-9 * max(1.0, target)

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
        self.problem = problem
        csr = problem.cover.tocsr()
        rows = np.flatnonzero((np.diff(csr.indptr) > 0) & ~problem.covered & (problem.weights > 0))
        cols = np.arange(problem.cover.shape[1])
        self.forced = np.zeros(0, dtype=np.int64)
        self.full = problem.target_share >= 1.0
        if self.full and reduce:
            r, c, self.forced = _kernels.reduce_set_cover(csr[rows])
            rows, cols = rows[r], c
        self.rows, self.cols = rows, cols
        self.a = sp.csc_matrix(csr[rows][:, cols])
        self.w = np.ones(len(rows)) if self.full else problem.weights[rows]
        self.need = float(len(rows)) if self.full else problem.need
        self.best: np.ndarray | None = None
        n_y, n_x = self.a.shape
        if self.full:  # min sum x  s.t.  A x >= 1
            self.model: tuple[Any, ...] = (
                np.ones(n_x), self.a, np.ones(n_y), np.full(n_y, np.inf),
                np.zeros(n_x), np.ones(n_x), np.ones(n_x, bool),
            )  # fmt: skip
        else:  # min sum x  s.t.  y_i <= sum_j a_ij x_j,  sum_i w_i y_i >= need
            coo = self.a.tocoo()
            r = np.concatenate([coo.row, np.arange(n_y), np.full(n_y, n_y)])
            c = np.concatenate([coo.col, n_x + np.arange(n_y), n_x + np.arange(n_y)])
            v = np.concatenate([-np.ones(coo.nnz), np.ones(n_y), self.w])
            self.model = (
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
        if sol.objective < self.need - 1e-9 * max(1.0, self.need):
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
        k = int(np.searchsorted(np.cumsum(gains), self.need - 1e-9 * max(1.0, self.need))) + 1
        return np.concatenate([self.forced, self.cols[picks[:k]]])

    def start(self, selected: np.ndarray) -> np.ndarray | None:
        """The MILP vector of a cover of the whole problem, when it lies in this part."""
        pos = {int(j): i for i, j in enumerate(self.cols)}
        forced = set(self.forced.tolist())
        if not forced <= set(selected.tolist()):
            return None
        x = np.zeros(self.model[1].shape[1])
        for j in selected:
            if int(j) in pos:
                x[pos[int(j)]] = 1.0
            elif int(j) not in forced:
                return None
        if not self.full:
            x[len(self.cols) :] = np.minimum(1.0, self.a @ x[: len(self.cols)])
        return x


class PMedian:
    """``p`` sites minimising the demand-weighted cost to the nearest chosen site.

    Parameters
    ----------
    cost
        Dense ``demand × candidates`` cost matrix, or sparse (missing = out of reach).
    weights
        Demand of each row.
    p
        Number of sites.
    unreachable_cost
        Cost charged for a pair missing from a sparse matrix (default: twice the largest
        stored cost).
    base_cost
        Per demand row, the cost to the nearest existing station (kept; default: none).
    """

    maximise = False

    def __init__(
        self,
        cost: np.ndarray | sp.spmatrix,
        weights: Sequence[float] | np.ndarray,
        p: int,
        *,
        unreachable_cost: float | None = None,
        base_cost: np.ndarray | None = None,
    ) -> None:
        if sp.issparse(cost):
            m = sp.coo_matrix(cost)
            fill = (
                unreachable_cost
                if unreachable_cost is not None
                else 2 * float(m.data.max(initial=1.0))
            )
            dense = np.full(m.shape, fill, dtype=float)
            dense[m.row, m.col] = m.data
            cost = dense
        self.cost = np.asarray(cost, dtype=float)
        n, m_c = self.cost.shape
        self.weights = _weights(weights, n)
        if not (1 <= int(p) <= m_c):
            raise ConfigError(f"p: need 1 <= p <= {m_c} candidates, got {p}")
        self.p = int(p)
        self.base = np.full(n, np.inf) if base_cost is None else np.asarray(base_cost, float)

    @classmethod
    def from_cost_matrix(
        cls, cost: np.ndarray | sp.spmatrix, weights: Sequence[float], *, p: int
    ) -> PMedian:
        return cls(cost, weights, p)

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        idx = list(int(j) for j in selected)
        best = self.base if not idx else np.minimum(self.base, self.cost[:, idx].min(axis=1))
        return float((self.weights * best).sum())

    def solve(self, method: str = "local", *, time_limit_s: float | None = None) -> Solution:
        """``"greedy"`` (add the site that lowers the cost most), ``"local"`` (then the fast
        interchange of Whitaker, from the greedy answer and from the sites a Lagrangian
        relaxation opens) or ``"exact"``.

        Bounds come from the Lagrangian relaxation of the assignment constraints (it tends
        to the LP bound at a fraction of the cost). ``"exact"`` uses the bound to rule sites
        in or out (a site is ruled out when every answer with it costs at least as much as
        the local answer), then a MILP on the sites left, warm-started from the local answer,
        closes the gap.
        """
        _check_method(method)
        t0 = time.perf_counter()
        sel = self._greedy()
        if method != "greedy":
            sel = self._interchange(sel)
        obj = self.objective(sel)
        gran = self._granularity()
        n, m = self.cost.shape
        lagr, rho, opened = _kernels.lagrangian_pmedian(
            self._weighted_cost(),
            _times_weight(self.weights, self.base),
            self.p,
            obj,
            granularity=gran,
            iters=int(np.clip(3e8 / max(1, n * m), 50, 1000)),
        )
        if method != "greedy":
            alt = self._interchange(opened)  # a second start: the sites the relaxation opens
            if self.objective(alt) < obj - 1e-9 * max(1.0, obj):
                sel, obj = alt, self.objective(alt)
        bound = self._round_bound(lagr - _EPS * max(1.0, abs(lagr)), gran)
        optimal = obj - bound <= _PROVEN * max(1.0, obj)
        if method == "local" and not optimal:
            sel = _iterated_local_search(
                np.asarray(sel),
                obj,
                rounds=KICKS,
                pool=np.arange(m),
                descend=self._interchange,
                value_of=self.objective,
                maximise=False,
                bound=bound,
            )
            obj = self.objective(sel)
            optimal = obj - bound <= _PROVEN * max(1.0, obj)
        if method == "exact" and not optimal:
            sel, obj, bound, optimal = self._reduce_and_branch(
                np.asarray(sel), obj, bound, lagr, rho, opened, gran, time_limit_s
            )
        bound = min(bound, obj)
        return Solution(
            np.asarray(sel, dtype=np.int64),
            obj,
            bound,
            _gap(obj, bound, maximise=False),
            method,
            optimal=bool(optimal),
            seconds=time.perf_counter() - t0,
        )

    def _weighted_cost(self) -> np.ndarray:
        return _times_weight(self.weights[:, None], self.cost)

    def _granularity(self) -> float:
        """1 when every weight and cost is a whole number (so is every objective value and
        a bound can be rounded up), else 0."""
        vals = [self.weights, self.cost[np.isfinite(self.cost)], self.base[np.isfinite(self.base)]]
        return 1.0 if all(np.array_equal(v, np.round(v)) for v in vals) else 0.0

    @staticmethod
    def _round_bound(bound: float, gran: float) -> float:
        return float(gran * np.ceil(bound / gran - 1e-9)) if gran > 0 else bound

    def _reduce_and_branch(
        self,
        sel: np.ndarray,
        obj: float,
        bound: float,
        lagr: float,
        rho: np.ndarray,
        opened: np.ndarray,
        gran: float,
        time_limit_s: float | None,
    ) -> tuple[np.ndarray, float, float, bool]:
        """Rule sites in or out with the Lagrangian bound, then solve the MILP on the rest.

        Forcing site ``j`` open (closed) changes the relaxed answer by one site, so the bound
        with ``j`` forced is known at once. When it shows that no answer strictly better than
        ``obj`` can have ``j`` open (closed), ``j`` is fixed. The optimum is then the better
        of ``obj`` and the optimum of the reduced problem.
        """
        m = self.cost.shape[1]
        is_open = np.zeros(m, dtype=bool)
        is_open[opened] = True
        tol = _EPS * max(1.0, abs(obj))
        with_j = lagr - rho[opened].max() + rho  # bound when j (not opened) is forced open
        without_j = lagr - rho + (rho[~is_open].min() if (~is_open).any() else np.inf)

        def excluded(b: np.ndarray) -> np.ndarray:  # no strictly better answer in that case
            return b - tol > obj - gran if gran > 0 else b - tol >= obj

        fix_out = ~is_open & excluded(with_j)
        fix_in = is_open & excluded(without_j)
        keep = np.flatnonzero(~fix_out & ~fix_in)
        ins = np.flatnonzero(fix_in)
        p_left = self.p - len(ins)
        if p_left == 0 or len(keep) < p_left:
            cand = ins if p_left == 0 else None
            if cand is not None and self.objective(cand) < obj:
                return cand, self.objective(cand), self.objective(cand), True
            return sel, obj, obj, True  # nothing strictly better exists
        base = self.base if not len(ins) else np.minimum(self.base, self.cost[:, ins].min(axis=1))
        sub = PMedian(self.cost[:, keep], self.weights, p_left, base_cost=base)
        model, const = sub._milp()
        start = None
        if fix_in[sel].sum() == len(ins) and np.isin(sel, np.concatenate([keep, ins])).all():
            start = sub._start(np.flatnonzero(np.isin(keep, sel)))
        res = _kernels.solve_binary(
            model, obj - const, start, granularity=gran, time_limit_s=time_limit_s
        )
        if res.x.size:
            found = np.concatenate([ins, keep[res.x[: len(keep)] > 0.5]])
            if len(found) == self.p and self.objective(found) < obj:
                sel, obj = found, self.objective(found)
        sub_bound = self._round_bound(res.bound + const - _EPS * max(1.0, abs(obj)), gran)
        bound = max(bound, min(obj, sub_bound))
        return sel, obj, bound, res.optimal or obj - bound <= _PROVEN * max(1.0, obj)

    def _start(self, selected: np.ndarray) -> np.ndarray:
        """The full MILP vector (x and z) of a set of sites, for a warm start."""
        n, m = self.cost.shape
        keep_rank = m - self.p + 1
        x = np.zeros(m)
        x[np.asarray(selected, dtype=np.int64)] = 1.0
        z: list[float] = []
        for i in range(n):
            ci = self.cost[i]
            levels = np.unique(ci[np.argsort(ci, kind="stable")[:keep_rank]])
            if np.isfinite(self.base[i]):
                levels = np.concatenate([levels[levels < self.base[i]], [self.base[i]]])
            nearest = min(ci[selected].min() if len(selected) else np.inf, self.base[i])
            z.extend((levels[:-1] < nearest).astype(float).tolist())
        return np.concatenate([x, np.asarray(z)])

    def _greedy(self) -> np.ndarray:
        cur = self.base.copy()
        big = np.where(np.isfinite(cur), cur, self.cost.max(axis=1) * 10 + 1)
        cur = big
        sel: list[int] = []
        for _ in range(self.p):
            totals = (self.weights[:, None] * np.minimum(cur[:, None], self.cost)).sum(axis=0)
            totals[sel] = np.inf
            j = int(np.argmin(totals))
            sel.append(j)
            cur = np.minimum(cur, self.cost[:, j])
        return np.asarray(sel, dtype=np.int64)

    def _interchange(self, selected: np.ndarray) -> np.ndarray:
        """Swap a chosen site for another while the total cost falls (best swap per pass)."""
        sel = list(int(j) for j in selected)
        w = self.weights
        big = self.cost.max() * 10 + 1
        base = np.where(np.isfinite(self.base), self.base, big)
        while True:
            c = np.column_stack([self.cost[:, sel], base])
            order = np.argsort(c, axis=1)
            d1 = c[np.arange(len(c)), order[:, 0]]
            d2 = c[np.arange(len(c)), order[:, 1]] if c.shape[1] > 1 else d1
            near = order[:, 0]  # position in sel (len(sel) = base)
            current = float((w * d1).sum())
            best_val, best = current, None
            for pos in range(len(sel)):
                # cost of each demand once ``sel[pos]`` is removed
                without = np.where(near == pos, d2, d1)
                # adding candidate j: min(without, cost[:, j]) for every j at once
                totals = (w[:, None] * np.minimum(without[:, None], self.cost)).sum(axis=0)
                totals[sel] = np.inf
                j = int(np.argmin(totals))
                if totals[j] < best_val - 1e-9 * max(1.0, best_val):
                    best_val, best = float(totals[j]), (pos, j)
            if best is None:
                return np.asarray(sel, dtype=np.int64)
            sel[best[0]] = best[1]

    def _milp(self) -> tuple[tuple[Any, ...], float]:
        """Elloumi's (2010) radius formulation, in chained form.

        For demand ``i`` let ``D_i1 < D_i2 < ...`` be the distinct costs to candidates (only
        the ``m - p + 1`` nearest can serve it; an existing station caps the list). Variables:
        ``x_j`` (open) and ``z_ik`` in [0, 1] (no open site within ``D_ik``). Rows:
        ``z_i,k-1 - z_ik - sum_{j: c_ij = D_ik} x_j <= 0`` (``z_i0 = 1``) and
        ``sum_j x_j = p``. Cost: ``sum_i w_i (D_i1 + sum_k (D_i,k+1 - D_ik) z_ik)``; the
        constant part is returned with the model. Its LP bound equals the classic assignment
        model's with far fewer non-zeros.
        """
        n, m = self.cost.shape
        c = self.cost
        keep_rank = m - self.p + 1
        order = np.argsort(c, axis=1, kind="stable")
        sc = np.take_along_axis(c, order, axis=1)
        kth = sc[:, keep_rank - 1]
        usable = (sc <= kth[:, None]) & (sc < self.base[:, None])
        first = np.ones_like(usable)
        first[:, 1:] = sc[:, 1:] != sc[:, :-1]
        new_level = usable & first
        level = np.cumsum(new_level, axis=1) - 1  # level of each sorted entry
        n_levels = new_level.sum(axis=1) + np.isfinite(self.base)  # the base is a last level
        n_z_i = np.maximum(n_levels - 1, 0)
        off = np.concatenate([[0], np.cumsum(n_z_i)])
        n_z = int(off[-1])
        # level values per client: the distinct usable costs, then the base where there is one
        values = [np.concatenate([sc[i][new_level[i]],
                                  [self.base[i]] if np.isfinite(self.base[i]) else []])
                  for i in range(n)]  # fmt: skip
        const = float(sum(self.weights[i] * v[0] for i, v in enumerate(values)))
        cost_z = (
            np.concatenate([self.weights[i] * np.diff(v) for i, v in enumerate(values)])
            if n_z
            else np.zeros(0)
        )
        # x entries: sorted entry (i, pos) joins row (i, level) for every level but the last
        ii, pos = np.nonzero(usable & (level < n_z_i[:, None]))
        x_rows = off[ii] + level[ii, pos]
        x_cols = order[ii, pos]
        z = np.arange(n_z)
        client = np.repeat(np.arange(n), n_z_i)
        k = z - off[client]
        chain = k > 0
        rr = np.concatenate([x_rows, z, z[chain], np.full(m, n_z)])
        cc = np.concatenate([x_cols, m + z, m + z[chain] - 1, np.arange(m)])
        vv = np.concatenate(
            [-np.ones(len(x_rows)), -np.ones(n_z), np.ones(int(chain.sum())), np.ones(m)]
        )
        a = sp.csc_matrix((vv, (rr, cc)), shape=(n_z + 1, m + n_z))
        rlo = np.concatenate([np.full(n_z, -np.inf), [self.p]])
        rhi = np.concatenate([np.where(chain, 0.0, -1.0), [self.p]])
        cost = np.concatenate([np.zeros(m), cost_z])
        nv = m + n_z
        integer = np.concatenate([np.ones(m, bool), np.zeros(n_z, bool)])
        return (cost, a, rlo, rhi, np.zeros(nv), np.ones(nv), integer), const


def pick_table(
    existing: Coverage, candidates: Coverage, picks: Sequence[int] | np.ndarray
) -> pd.DataFrame:
    """Per pick (in order): demand it adds within each threshold and the cumulative share.

    Row 0 (``rank`` 0) is the existing stations alone.
    """
    total = float(candidates.weights.sum())
    n_h = len(candidates.weights)
    rows: list[dict[str, float | int]] = []
    covered = []
    for k in range(len(candidates.thresholds_s)):
        if existing.times.seconds.shape[0]:
            covered.append(existing.counts(k) > 0)
        else:
            covered.append(np.zeros(n_h, dtype=bool))
    cand_cov = [candidates.covered(k).tocsr() for k in range(len(candidates.thresholds_s))]
    base_row: dict[str, float | int] = {"rank": 0, "candidate": -1}
    for k, t in enumerate(candidates.thresholds_s):
        lab = minutes_label(t)
        d = float(candidates.weights[covered[k]].sum())
        base_row[f"added_{lab}"] = 0.0
        base_row[f"cumulative_{lab}"] = d
        base_row[f"cumulative_share_{lab}"] = d / total if total else 0.0
    rows.append(base_row)
    for r, j in enumerate(picks, start=1):
        row: dict[str, float | int] = {"rank": r, "candidate": int(j)}
        for k, t in enumerate(candidates.thresholds_s):
            lab = minutes_label(t)
            hit = cand_cov[k].indices[cand_cov[k].indptr[j] : cand_cov[k].indptr[j + 1]]
            new = hit[~covered[k][hit]]
            row[f"added_{lab}"] = float(candidates.weights[new].sum())
            covered[k][new] = True
            d = float(candidates.weights[covered[k]].sum())
            row[f"cumulative_{lab}"] = d
            row[f"cumulative_share_{lab}"] = d / total if total else 0.0
        rows.append(row)
    return pd.DataFrame(rows)
