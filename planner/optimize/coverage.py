"""Maximal coverage: add ``p`` sites to the existing stations to maximise the demand covered,
optionally over several thresholds with weights, with a minimum spacing between sites.

Also the spacing rule (:func:`spacing_conflicts`) and the per-pick table of a plan
(:func:`pick_table`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.spatial import cKDTree

from ..analysis.coverage import Coverage
from ..core.errors import ConfigError
from ..core.units import minutes_label, tol
from . import _kernels
from . import solution as sol_mod
from .solution import KICKS, LP_BOUND_MAX_NNZ, Solution


def spacing_conflicts(
    xy: np.ndarray, min_spacing: float, *, existing_xy: np.ndarray | None = None
) -> tuple[sp.csr_matrix, np.ndarray]:
    """Pairs of candidates closer than ``min_spacing`` (same units as ``xy``, a projected
    CRS: metres), and which candidates are allowed at all (not closer than that to an
    existing station at ``existing_xy``).

    Returns a symmetric boolean ``candidates × candidates`` matrix and a boolean per
    candidate.
    """
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


def cover_of(
    candidates: Coverage, existing: Coverage | None
) -> tuple[list[sp.csc_matrix], np.ndarray | None]:
    """The ``demand × candidates`` matrix of each threshold and, with existing stations, the
    ``thresholds × demand`` booleans they already cover: what the coverage problems take
    from network coverage."""
    k_all = range(len(candidates.thresholds_s))
    cover = [candidates.covered(k).T.tocsc() for k in k_all]
    covered = None
    if existing is not None and existing.times.seconds.shape[0] > 0:
        covered = np.stack([existing.counts(k) > 0 for k in k_all])
    return cover, covered


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
        Number of new sites (0 to the number of allowed candidates).
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
        self.weights = sol_mod.check_weights(weights, n_rows)
        k = len(self.cols)
        self.tw = np.ones(k) if threshold_weights is None else np.asarray(threshold_weights, float)
        if self.tw.shape != (k,) or (self.tw < 0).any():
            raise ConfigError(f"threshold_weights: expected one weight >= 0 per threshold ({k})")
        self.covered = (
            np.zeros((k, n_rows), dtype=bool)
            if covered is None
            else np.asarray(covered, dtype=bool).reshape(k, n_rows)
        )
        self.conflicts = None if conflicts is None else sp.csr_matrix(conflicts, dtype=bool)
        self.allowed = (
            np.ones(n_cols, dtype=bool) if allowed is None else np.asarray(allowed, dtype=bool)
        )
        usable = int(self.allowed.sum())
        if not (0 <= int(p) <= usable):
            raise ConfigError(
                f"p: asked for {p} new sites but there are only {usable} usable candidate "
                f"sites; ask for 0 to {usable}, or give more candidates"
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
        missing entries are out of reach) and one or more service thresholds (the cost's
        unit)."""
        ts = np.atleast_1d(np.asarray(threshold, dtype=float))
        return cls(
            [sol_mod.cover_from_cost(cost, float(t)) for t in ts],
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
        cover, covered = cover_of(candidates, existing)
        return cls(
            cover, candidates.weights, p, threshold_weights=threshold_weights, covered=covered,
            conflicts=conflicts, allowed=allowed,
        )  # fmt: skip

    # ------------------------------------------------------------------ evaluation
    def _count0(self) -> np.ndarray:
        return self.covered.astype(np.int64)

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """Weighted demand newly covered by ``selected`` (on top of the existing stations)."""
        total = 0.0
        idx = np.asarray([int(j) for j in selected], dtype=np.int64)
        for k, m in enumerate(self.cols):
            hit = np.zeros(m.shape[0], dtype=bool)
            hit[_kernels.ranges(m.indptr, m.indices, idx)] = True
            total += self.tw[k] * float(self.weights[hit & ~self.covered[k]].sum())
        return total

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        """At most ``p`` distinct allowed sites, no two of them in conflict."""
        sel = np.asarray(selected, dtype=np.int64)
        if len(sel) > self.p or len(set(sel.tolist())) != len(sel) or not self.allowed[sel].all():
            return False
        if self.conflicts is not None and len(sel):
            return not self.conflicts[sel][:, sel].count_nonzero()
        return True

    # ------------------------------------------------------------------ model
    def _y_rows(self, k: int, csr: sp.csr_matrix) -> np.ndarray:
        """Demand rows with a ``y_ik`` column at threshold ``k`` (``csr``: its cover):
        weight above 0, not yet covered, reached by some candidate."""
        return np.flatnonzero((np.diff(csr.indptr) > 0) & ~self.covered[k] & (self.weights > 0))

    def _milp(self) -> _kernels.Model:
        """Columns: x_j (candidates), then y_ik for demand i not yet covered at threshold k
        that some candidate reaches. Rows: y_ik - sum_j a_ijk x_j <= 0; sum_j x_j <= p;
        x_j + x_j' <= 1 for conflicting pairs."""
        n_c = self.cols[0].shape[1]
        costs = []
        n_y = 0
        rr: list[np.ndarray] = []
        cc: list[np.ndarray] = []
        vv: list[np.ndarray] = []
        for k, m in enumerate(self.cols):
            csr = m.tocsr()
            reach = self._y_rows(k, csr)
            coo = csr[reach].tocoo()  # rows: y_ik, columns: candidates
            # y column index: n_c + n_y + local row; one row per y, numbered as the y
            rr += [n_y + coo.row, n_y + np.arange(len(reach))]
            cc += [coo.col, n_c + n_y + np.arange(len(reach))]
            vv += [-np.ones(coo.nnz), np.ones(len(reach))]
            costs.append(-self.tw[k] * self.weights[reach])
            n_y += len(reach)
        rr.append(np.full(n_c, n_y))  # cardinality
        cc.append(np.arange(n_c))
        vv.append(np.ones(n_c))
        cr, ccf, cv, n_conf = sol_mod.conflict_rows(self.conflicts, n_y + 1)
        n_rows = n_y + 1 + n_conf
        a = sp.csc_matrix(
            (np.concatenate([*vv, cv]), (np.concatenate([*rr, cr]), np.concatenate([*cc, ccf]))),
            shape=(n_rows, n_c + n_y),
        )
        return _kernels.Model(
            np.concatenate([np.zeros(n_c), *costs]),
            a,
            np.full(n_rows, -np.inf),
            np.concatenate([np.zeros(n_y), [self.p], np.ones(n_conf)]),
            np.zeros(n_c + n_y),
            np.concatenate([self.allowed.astype(float), np.ones(n_y)]),
            np.concatenate([np.ones(n_c, bool), np.zeros(n_y, bool)]),
        )

    def _start(self, selected: np.ndarray) -> np.ndarray:
        """The full MILP vector (x, then y per threshold) of a set of sites."""
        x = np.zeros(self.cols[0].shape[1])
        x[np.asarray(selected, dtype=np.int64)] = 1.0
        ys = []
        for k, m in enumerate(self.cols):
            csr = m.tocsr()
            ys.append(np.minimum(1.0, csr[self._y_rows(k, csr)] @ x))
        return np.concatenate([x, *ys])

    def _pairs(self) -> int:
        """Size of the model: covering pairs of every threshold and conflicting pairs."""
        conflicts = 0 if self.conflicts is None else self.conflicts.nnz // 2
        return sum(m.nnz for m in self.cols) + conflicts

    def _granularity(self) -> float:
        """1 when every demand and threshold weight is a whole number (so is every
        objective value, and a bound can be rounded down), else 0."""
        whole = all(np.array_equal(v, np.round(v)) for v in (self.weights, self.tw))
        return 1.0 if whole else 0.0

    # ------------------------------------------------------------------ solve
    def solve(
        self,
        method: str = "local",
        *,
        time_limit_s: _kernels.Limit = None,
        kicks: int | None = None,
    ) -> Solution:
        """Solve with ``"greedy"``, ``"local"`` (greedy + interchange) or ``"exact"``.

        ``"local"`` swaps from two starts: the greedy answer and the sites a relaxation
        opens (the LP relaxation where the model is small, a Lagrangian one otherwise); the
        relaxation also gives the bound. ``"exact"``: when the bound already meets the answer
        it is proven optimal, otherwise a depth-first search on the LP relaxation closes the
        gap (HiGHS's MILP solver takes over if that search grows large, within
        ``time_limit_s`` seconds when given). On models small enough for the LP bound it
        starts from the greedy answer; on larger ones from the local search answer.
        ``kicks``: rounds of random two-site restarts of ``"local"`` while the gap stays open
        (default :data:`~planner.optimize.solution.KICKS` on models small enough for the LP
        bound, else none). Then ``"local"`` tries to prove its answer: the exact step within
        about a second (:func:`~planner.optimize.solution.exact_step`).
        """
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        picks, gains, online = self._greedy(self.p, self.allowed, self._count0())
        obj = float(np.sum(gains))
        small = sum(m.nnz for m in self.cols) <= LP_BOUND_MAX_NNZ
        bound, restart, relaxation = online, np.zeros(0, dtype=np.int64), None
        if obj < online - tol(online) or method != "greedy":
            bound, restart, relaxation = self._bound(obj, online, small=small)
        sel = picks
        if len(picks) and (method == "local" or (method == "exact" and not small)):
            rounds = (KICKS if small else 0) if kicks is None else int(kicks)
            sel = self._local(picks, restart, bound, rounds=rounds if method == "local" else 0)
        obj = self.objective(sel)
        optimal = sol_mod.proven(obj, bound, maximise=True)
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=self._pairs())
        if close and not optimal:
            sel, obj, bound, optimal = self._exact(sel, obj, bound, relaxation, limit)
        bound = max(bound, obj)
        gains = gains if method == "greedy" else self._gains_in_order(np.asarray(sel))
        solution = Solution(
            np.asarray(sel),
            obj,
            bound,
            sol_mod.gap(obj, bound, maximise=True),
            method,
            gains=gains,
            optimal=bool(optimal),
            seconds=time.perf_counter() - t0,
        )
        return sol_mod.look_for_alternative(
            solution, lambda: (self._milp(), 0.0), self.objective,
            n_sites=self.cols[0].shape[1], pairs=self._pairs(), maximise=True,
        )  # fmt: skip

    def _greedy(
        self, p: int, free: np.ndarray, count: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, float]:
        """Greedy picks of up to ``p`` of the ``free`` candidates on top of demand covered
        ``count`` times: picks, their gains and the online bound."""
        return _kernels.greedy_coverage(
            self.cols, self.weights, self.tw, count, p, self.conflicts, free
        )

    def _bound(
        self, obj: float, online: float, *, small: bool
    ) -> tuple[float, np.ndarray, _kernels.Relaxation | None]:
        """The best bound known on the optimum, given the greedy answer's value ``obj`` and
        its ``online`` bound: the LP relaxation on ``small`` models (the tightest cheap
        bound), else a Lagrangian relaxation by subgradient steps (a few matvecs each);
        rounded down when every objective value is whole. Also the ``p`` sites the
        relaxation opens most (a restart point) and the LP relaxation, when solved."""
        relaxation = None
        if small:
            relaxation = _kernels.Relaxation(self._milp())
            _, lp_obj, lp_x = relaxation.solve()
            bound = min(online, -lp_obj + _kernels.bound_slack(lp_obj))
            restart = np.argsort(-lp_x[: self.cols[0].shape[1]], kind="stable")[: self.p]
        else:
            lagr, restart = _kernels.lagrangian_coverage(
                self.cols, self.weights, self.tw, self._count0(), self.p, self.allowed, obj
            )
            bound = min(online, lagr)
        if self._granularity() > 0:
            bound = float(np.floor(bound + tol(bound)))
        return bound, restart, relaxation

    def _descend(self, start: np.ndarray) -> np.ndarray:
        """Interchange from the feasible ``start`` until no single swap improves."""
        return _kernels.interchange_coverage(
            self.cols, self.weights, self.tw, self._count0(), start, self.conflicts, self.allowed
        )

    def _local(
        self, picks: np.ndarray, restart: np.ndarray, bound: float, *, rounds: int
    ) -> np.ndarray:
        """Interchange from two starts, the greedy ``picks`` and ``restart`` made feasible
        (the better local optimum wins, the earlier on a tie), then ``rounds`` random kicks
        while the gap to ``bound`` stays open."""
        sel, best_val = picks, -1.0  # objectives are >= 0
        for start in (picks, self.fill(restart)):
            cand = self._descend(start)
            val = self.objective(cand)
            if val > best_val + tol(best_val):
                sel, best_val = cand, val
        if rounds and not sol_mod.proven(best_val, bound, maximise=True):
            sel = sol_mod.iterated_local_search(
                np.asarray(sel),
                best_val,
                rounds=rounds,
                pool=np.flatnonzero(self.allowed),
                descend=lambda trial: self._descend(self.fill(trial)),
                value_of=self.objective,
                maximise=True,
                bound=bound,
            )
        return np.asarray(sel)

    def _exact(
        self,
        sel: np.ndarray,
        obj: float,
        bound: float,
        relaxation: _kernels.Relaxation | None,
        time_limit_s: _kernels.Limit,
    ) -> tuple[np.ndarray, float, float, bool]:
        """Close the gap between ``sel`` (value ``obj``) and ``bound`` with the LP search
        (or HiGHS's MILP): the answer, its value, the bound and whether it is proven."""
        model = relaxation.model if relaxation is not None else self._milp()
        res = _kernels.solve_binary(
            model,
            -obj,
            self._start(sel),
            granularity=self._granularity(),
            relaxation=relaxation,
            time_limit_s=time_limit_s,
        )
        found = np.flatnonzero(res.x[: self.cols[0].shape[1]] > 0.5) if res.x.size else sel
        if self.feasible(found) and self.objective(found) >= obj:
            sel, obj = found, self.objective(found)
        bound = min(bound, -res.bound)
        return sel, obj, bound, res.optimal or sol_mod.proven(obj, bound, maximise=True)

    def fill(self, start: Sequence[int] | np.ndarray) -> np.ndarray:
        """``start`` made feasible and topped up to ``p`` sites: candidates not allowed,
        repeated, or in conflict with one kept before them are dropped (in order; at most
        ``p`` are kept), then greedy picks fill the places left while a candidate still adds
        demand.

        The start of a local search from any set of sites (those a relaxation opens, a
        random kick); :class:`~planner.optimize.capacitated.CapacitatedCoverage` starts
        from it too.
        """
        chosen: list[int] = []
        for j in start:
            j = int(j)
            if len(chosen) == self.p:
                break
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
        extra, _, _ = self._greedy(self.p - len(chosen), free, count)
        return np.asarray(chosen + [int(j) for j in extra], dtype=np.int64)

    def _gains_in_order(self, selected: np.ndarray) -> np.ndarray:
        """Objective added by each of ``selected`` on top of the ones before it."""
        prefix = [self.objective(selected[:r]) for r in range(len(selected) + 1)]
        return np.diff(prefix)

    def curve(self, k_max: int) -> pd.DataFrame:
        """Greedy coverage curve for ``k = 1..k_max`` new sites: marginal and cumulative
        objective, and the share of the best possible (all candidates) it reaches."""
        k_max = min(int(k_max), int(self.allowed.sum()))
        picks, gains, _ = self._greedy(k_max, self.allowed, self._count0())
        total_possible = (
            self.objective(np.flatnonzero(self.allowed)) if self.conflicts is None else np.nan
        )
        cum = np.cumsum(gains)
        return pd.DataFrame({
            "k": np.arange(1, len(picks) + 1), "candidate": picks, "marginal": gains,
            "cumulative": cum,
            "share_of_possible": cum / total_possible if total_possible else np.nan,
        })  # fmt: skip


def pick_table(
    existing: Coverage, candidates: Coverage, picks: Sequence[int] | np.ndarray
) -> pd.DataFrame:
    """Per pick (in order): demand it adds within each threshold and the cumulative share.

    Row 0 (``rank`` 0) is the existing stations alone. Columns ``added_<min>``,
    ``cumulative_<min>`` and ``cumulative_share_<min>`` per threshold (labelled in minutes).
    """
    total = float(candidates.weights.sum())
    n_h = len(candidates.weights)
    k_all = range(len(candidates.thresholds_s))
    has_existing = existing.times.seconds.shape[0] > 0
    covered = [existing.counts(k) > 0 if has_existing else np.zeros(n_h, bool) for k in k_all]
    cand_cov = [candidates.covered(k).tocsr() for k in k_all]
    labels = [minutes_label(t) for t in candidates.thresholds_s]

    def cumulative(row: dict[str, float | int], k: int) -> dict[str, float | int]:
        d = float(candidates.weights[covered[k]].sum())
        row[f"cumulative_{labels[k]}"] = d
        row[f"cumulative_share_{labels[k]}"] = d / total if total else 0.0
        return row

    base_row: dict[str, float | int] = {"rank": 0, "candidate": -1}
    for k in k_all:
        base_row[f"added_{labels[k]}"] = 0.0
        cumulative(base_row, k)
    rows = [base_row]
    for r, j in enumerate(picks, start=1):
        row: dict[str, float | int] = {"rank": r, "candidate": int(j)}
        for k in k_all:
            hit = cand_cov[k].indices[cand_cov[k].indptr[j] : cand_cov[k].indptr[j + 1]]
            new = hit[~covered[k][hit]]
            row[f"added_{labels[k]}"] = float(candidates.weights[new].sum())
            covered[k][new] = True
            cumulative(row, k)
        rows.append(row)
    return pd.DataFrame(rows)
