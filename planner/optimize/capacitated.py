"""Capacitated coverage: maximal coverage where each new site serves at most its capacity of
demand, and a hotspot's demand may be split between new sites."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from ..analysis.coverage import Coverage
from ..core.errors import ConfigError
from ..core.units import tol
from . import _kernels
from . import solution as sol_mod
from .coverage import MaximalCoverage
from .solution import Solution

#: Swaps the capacitated local search judges (each a small assignment LP), in all and per
#: position in one pass.
SWAP_EVALUATIONS = 400
SWAP_TRIES = 10
#: Largest capacitated model (demand-site pairs) whose local search also tries
#: ``CAPACITY_KICKS`` random two-site kicks while the gap is above :data:`KICK_GAP`.
CAPACITY_KICKS_MAX_PAIRS = 20_000
CAPACITY_KICKS = 8
#: The Lagrangian bound is rarely exact: kicks run only while the gap is above this (0.01%).
KICK_GAP = 1e-4
#: Rounds of the LP-guided search (neighbourhood search, then swaps) on models up to
#: :data:`CAPACITY_KICKS_MAX_PAIRS` pairs while they improve the answer and the gap is open.
GUIDED_ROUNDS = 3
#: Simplex iterations × pairs ``"local"`` gives the root LP of the strong formulation
#: (shared by the guided search and the proof step): an iteration costs about the model's
#: size (~1 ms on the 19,400 pairs of the Helsinki demo with capacities, ~0.03 ms on SJC324
#: S=150), so this keeps it to about a second; at most the proof step's iterations.
CAPACITY_LP_ITERATION_PAIRS = 20_000_000


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
    fixed
        Candidate columns in every answer (sites already agreed), counted among the ``p``;
        they share the demand with the others like any chosen site, and answers list them
        first.
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
        fixed: Sequence[int] | np.ndarray | None = None,
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
        self.fixed = np.zeros(0, np.int64) if fixed is None else np.asarray(fixed, np.int64)
        if len(self.fixed) > self.p or not mc.allowed[self.fixed].all():
            raise ConfigError(f"fixed: {len(self.fixed)} sites, at most p={p} allowed ones")
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
        self._root_lp: tuple[_kernels.Relaxation, str, np.ndarray] | None = None
        self._splits = _kernels.Transport(
            self._pi, self._pj, self._pv, self.weights, self.capacities
        )

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
        cover = [sol_mod.cover_from_cost(cost, float(t)) for t in ts]
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
        fixed: Sequence[int] | np.ndarray | None = None,
    ) -> CapacitatedCoverage:
        """From network coverage of candidates (and of the existing stations, kept)."""
        mc = MaximalCoverage.from_coverage(
            candidates, p, existing=existing, threshold_weights=threshold_weights,
            conflicts=conflicts, allowed=allowed,
        )  # fmt: skip
        return cls(
            mc.cols, mc.weights, capacities, p, threshold_weights=mc.tw, covered=mc.covered,
            conflicts=conflicts, allowed=allowed, fixed=fixed,
        )  # fmt: skip

    # ------------------------------------------------------------------ evaluation
    def _assignment(
        self, selected: Sequence[int] | np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray]:
        """The best split of demand between ``selected`` within their capacities
        (:meth:`~planner.optimize._kernels.Transport.split`, remembered)."""
        return self._splits.split(selected)

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

    def split(
        self, selected: Sequence[int] | np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The best split of demand between ``selected``: for every pair with a share, its
        demand row, its candidate column and the share of the row's demand it serves."""
        _, z, _ = self._assignment(selected)
        keep = np.flatnonzero(z > 1e-9)
        return self._pi[keep], self._pj[keep], z[keep]

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
        """As for :meth:`MaximalCoverage.feasible` (capacities limit what is served, not
        which sites may open)."""
        held = np.isin(self.fixed, np.asarray(selected, dtype=np.int64)).all()
        return bool(held) and self.uncapacitated.feasible(selected)

    # ------------------------------------------------------------------ model
    def _model(self) -> _kernels.Model:
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
        conf_r, conf_c, conf_v, n_conf = sol_mod.conflict_rows(self.conflicts, n_rows)
        rr.append(conf_r)
        cc.append(conf_c)
        vv.append(conf_v)
        n_rows += n_conf
        a = sp.csc_matrix(
            (np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))), shape=(n_rows, m + n_z)
        )
        lower = np.zeros(m + n_z)
        lower[self.fixed] = 1.0
        return _kernels.Model(
            np.concatenate([np.zeros(m), -self.weights[pi] * self._pv]),
            a,
            np.full(n_rows, -np.inf),
            np.concatenate([np.ones(n_a), np.zeros(n_z + m), [self.p], np.ones(n_conf)]),
            lower,
            np.concatenate([self.allowed.astype(float), np.ones(n_z)]),
            np.concatenate([np.ones(m, bool), np.zeros(n_z, bool)]),
        )

    def _estimate(self, left: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each candidate's value if it alone served the demand ``left``, highest value per
        unit first up to its capacity, and the demand it would take from each pair."""
        return _kernels.knapsack_fill(self._pj, self._pv, left[self._pi], self.capacities)

    # ------------------------------------------------------------------ search
    def _greedy(self) -> np.ndarray:
        """Up to ``p`` sites, the fixed ones first, then each time the one that alone could
        serve most of the demand still unserved (within its capacity)."""
        left = self.weights.copy()
        free = self.allowed.copy()
        picks: list[int] = []
        for step in range(self.p):
            value, take = self._estimate(left)
            value = np.where(free, value, -np.inf)
            j = int(self.fixed[step]) if step < len(self.fixed) else int(np.argmax(value))
            if step >= len(self.fixed) and not value[j] > 1e-12:
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
        """Swap one site for another while that improves the exact value (``value`` is that
        of ``start``): the first candidate of :meth:`_hopeful` that improves takes the place.
        When none of them improves, no swap at that position can. ``evaluations`` LP solves
        at most."""
        best, obj = np.asarray(start, dtype=np.int64), value
        spent, improved = 0, True
        while improved and spent < evaluations:
            improved = False
            for pos in range(len(self.fixed), len(best)):
                hopeful = self._hopeful(best, pos, obj)
                spent += 1
                for j in hopeful:
                    if spent >= evaluations:
                        break
                    trial = best.copy()
                    trial[pos] = j
                    val = self.objective(trial)
                    spent += 1
                    if val > obj + tol(obj):
                        best, obj, improved = trial, val, True
                        break
                if spent >= evaluations:
                    break
        return best, obj

    def _hopeful(self, best: np.ndarray, pos: int, obj: float, only: object = None) -> np.ndarray:
        """The candidates that might beat ``obj`` in place of ``best[pos]`` (one LP solve).

        The split of demand between the others is solved, with the dual value ``u_i >= 0``
        of each demand row. For any such ``u`` the value of a set of sites is at most
        ``sum(u)`` plus what each site could serve alone at the reduced values
        ``w_i v_ij - u_i`` (Lagrangian relaxation; a fractional knapsack per site, one pass
        over the pairs for every candidate at once); with the duals of the others' split
        this bound is tight for them, so it is sharp for the candidates added back. Those
        whose bound beats ``obj`` are returned, at most :data:`SWAP_TRIES`, those that could
        serve most of the demand the others leave unserved first (of ``only``, where given).
        """
        rest = np.delete(best, pos)
        _, z, u = self._assignment(rest)
        amount = self.weights[self._pi]
        alone, _ = _kernels.knapsack_fill(
            self._pj, self._pv - u[self._pi] / amount, amount, self.capacities
        )
        base = float(u.sum() + alone[rest].sum())  # a bound on the others, any u
        # the order to try them in: what each could serve of the demand the rest leaves
        unserved = 1.0 - np.bincount(self._pi, weights=z, minlength=len(self.weights))
        gain, _ = self._estimate(self.weights * np.clip(unserved, 0.0, 1.0))
        ok = self.allowed & (True if only is None else np.asarray(only, dtype=bool))
        ok[best] = False
        if self.conflicts is not None and len(rest):
            c = self.conflicts
            ok[_kernels.ranges(c.indptr, c.indices, rest)] = False
        hopeful = np.flatnonzero(ok & (base + alone > obj + tol(obj)))
        return hopeful[np.argsort(-gain[hopeful], kind="stable")][:SWAP_TRIES]

    # ------------------------------------------------------------------ solve
    def solve(
        self,
        method: str = "local",
        *,
        time_limit_s: _kernels.Limit = None,
        evaluations: int = SWAP_EVALUATIONS,
    ) -> Solution:
        """``"greedy"`` (the largest capacity-limited gain first), ``"local"`` (then swaps
        while they help, each judged by the exact assignment, at most ``evaluations`` LP
        solves a run, from the greedy answer and from the sites the Lagrangian relaxation
        opens; on models up to :data:`CAPACITY_KICKS_MAX_PAIRS` pairs while the gap stays
        above :data:`KICK_GAP`, the LP-guided search of :meth:`_guided`, then a few seeded
        two-site kicks) or ``"exact"`` (LP branch
        and bound on the formulation with ``z_ij <= x_j``, handing over to HiGHS's MILP when
        it grows; within ``time_limit_s`` seconds when given). ``"local"`` then tries to
        prove its answer: the exact step within about a second on small models
        (:func:`~planner.optimize.solution.exact_step`).

        Bound: the lesser of the Lagrangian relaxation of the assignment constraints (which
        tends to the LP bound; for ``"greedy"``, its first step: every site alone at its
        capacity) and the bound of the same problem without capacities."""
        sol_mod.check_method(method)
        t0 = time.perf_counter()
        sel = self._greedy()
        obj = self.objective(sel)
        bound, opened = self._bound(obj, quick=method == "greedy")
        if method != "greedy" and len(sel):
            sel, obj = self._local(sel, opened, bound, evaluations=evaluations)
        optimal = sol_mod.proven(obj, bound, maximise=True)
        close, limit = sol_mod.exact_step(method, time_limit_s, pairs=len(self._pj))
        if isinstance(limit, _kernels.Work) and not isinstance(time_limit_s, _kernels.Work):
            limit = self._lp_work()
        if close and not optimal and self._worth_proving(limit):
            sel, obj, bound, optimal = self._exact(sel, obj, bound, limit)
        bound = max(bound, obj)
        sel = np.asarray(sel, dtype=np.int64)
        prefix = [self.objective(sel[:r]) for r in range(len(sel) + 1)]
        solution = Solution(
            sel,
            obj,
            bound,
            sol_mod.gap(obj, bound, maximise=True),
            method,
            gains=np.diff(prefix),
            optimal=bool(optimal),
            seconds=time.perf_counter() - t0,
        )
        return sol_mod.look_for_alternative(
            solution, lambda: (self._model(), 0.0), self.objective,
            n_sites=len(self.capacities), pairs=len(self._pj), maximise=True,
        )  # fmt: skip

    def _lp_work(self) -> _kernels.Work:
        """The work limit of ``"local"``'s LP steps: the proof step's nodes, and simplex
        iterations of :data:`CAPACITY_LP_ITERATION_PAIRS` over the pairs (at least 500)."""
        work = sol_mod.proof_work(len(self._pj))
        scaled = CAPACITY_LP_ITERATION_PAIRS // max(len(self._pj), 1)
        return work._replace(lp_iterations=min(work.lp_iterations, max(500, scaled)))

    def _root(self) -> tuple[_kernels.Relaxation, str, np.ndarray]:
        """The LP relaxation of the strong formulation, solved once within
        :meth:`_lp_work`'s iterations and kept: its status, its solution, and the HiGHS
        instance whose basis warm-starts every search after it."""
        if self._root_lp is None:
            rel = _kernels.Relaxation(self._model())
            status, _, lp = rel.solve(iteration_limit=self._lp_work().lp_iterations)
            self._root_lp = (rel, status, lp)
        return self._root_lp

    def _worth_proving(self, limit: _kernels.Limit) -> bool:
        """Whether the exact step may run within ``limit``: always with seconds or none;
        with a work limit only when the root LP was solved within the work."""
        return not isinstance(limit, _kernels.Work) or self._root()[1] == "optimal"

    def _bound(self, obj: float, *, quick: bool) -> tuple[float, np.ndarray]:
        """A bound on the optimum and the sites the relaxation opens (a restart point; none
        when ``quick``): the Lagrangian relaxation with steps towards ``obj``, or when
        ``quick`` every site alone at its capacity; at most the bound without capacities."""
        if quick:
            alone, _ = self._estimate(self.weights)
            top = np.sort(np.where(self.allowed, alone, 0.0))[::-1][: self.p]
            bound, opened = float(top.sum()), np.zeros(0, dtype=np.int64)
        else:
            bound, opened = _kernels.lagrangian_capacitated(
                self._pi, self._pj, self._pv, self.weights, self.capacities, self.p,
                self.allowed, obj,
            )  # fmt: skip
        return min(bound, self.uncapacitated.solve("greedy").bound), opened

    def _local(
        self, sel: np.ndarray, opened: np.ndarray, bound: float, *, evaluations: int
    ) -> tuple[np.ndarray, float]:
        """Swaps from the greedy ``sel`` and from the sites the relaxation ``opened`` (made
        feasible); the better run wins (the first on a tie). On small models, the LP-guided
        search and seeded kicks while the gap to ``bound`` is above :data:`KICK_GAP`."""

        def fill(start: np.ndarray) -> np.ndarray:  # the fixed sites first, always kept
            return self.uncapacitated.fill(np.concatenate([self.fixed, start]))

        runs = [
            self._swaps(start, self.objective(start), evaluations=evaluations)
            for start in (sel, fill(opened))
        ]
        sel, obj = max(runs, key=lambda r: r[1])  # the first on a tie
        small = len(self._pj) <= CAPACITY_KICKS_MAX_PAIRS
        if small and bound - obj > tol(bound, rel=KICK_GAP):
            sel, obj = self._guided(sel, obj, fill, evaluations=evaluations)
        if small and bound - obj > tol(bound, rel=KICK_GAP):
            sel = sol_mod.iterated_local_search(
                sel, obj, rounds=CAPACITY_KICKS, pool=np.flatnonzero(self.allowed),
                descend=lambda trial: self._swaps(fill(trial), 0.0, evaluations=evaluations)[0],
                value_of=self.objective, maximise=True, bound=bound,
            )  # fmt: skip
            obj = self.objective(sel)
        return sel, obj

    def _guided(
        self, sel: np.ndarray, obj: float, fill: Callable[[np.ndarray], np.ndarray], *,
        evaluations: int,
    ) -> tuple[np.ndarray, float]:  # fmt: skip
        """The LP relaxation guides the search: swaps from the sites it opens most, then,
        for up to :data:`GUIDED_ROUNDS` rounds while they improve, the neighbourhood where
        the answer and the LP agree fixed (branch and bound within
        :data:`~planner.optimize.solution.PROOF_WORK`) and swaps again."""
        n = len(self.capacities)
        work = sol_mod.PROOF_WORK
        rel, status, lp = self._root()
        if status != "optimal":
            return sel, obj
        order = np.lexsort((np.arange(n), -lp[:n]))
        start = fill(order[lp[order] > 1e-6][: self.p])
        best = max([(sel, obj), self._swaps(start, self.objective(start), evaluations=evaluations)],
                   key=lambda r: r[1])  # fmt: skip
        for _ in range(GUIDED_ROUNDS):
            x = np.zeros(n)
            x[best[0]] = 1.0
            vector = np.concatenate([x, self._assignment(best[0])[1]])
            res = _kernels.neighbourhood_search(
                self._model(), lp, vector, -best[1], n_sites=n, work=work
            )
            found = np.flatnonzero(res.x[:n] > 0.5) if res.x.size else best[0]
            if not (self.feasible(found) and self.objective(found) > best[1] + tol(best[1])):
                break
            best = self._swaps(fill(found), self.objective(fill(found)), evaluations=evaluations)
        return best

    def _exact(
        self, sel: np.ndarray, obj: float, bound: float, time_limit_s: _kernels.Limit
    ) -> tuple[np.ndarray, float, float, bool]:
        """Close the gap between ``sel`` (value ``obj``) and ``bound`` by branch and bound
        on the strong formulation, warm-started from ``sel`` and its best split: the answer,
        its value, the bound and whether it is proven."""
        x = np.zeros(len(self.capacities))
        x[sel] = 1.0
        start = np.concatenate([x, self._assignment(sel)[1]])  # x, then z
        res = _kernels.solve_binary(
            self._model(), -obj, start, relaxation=self._root()[0], time_limit_s=time_limit_s
        )
        found = np.flatnonzero(res.x[: len(self.capacities)] > 0.5) if res.x.size else sel
        if self.feasible(found) and self.objective(found) >= obj:
            sel, obj = found, self.objective(found)
        bound = min(bound, -res.bound + _kernels.bound_slack(res.bound))
        return sel, obj, bound, res.optimal or sol_mod.proven(obj, bound, maximise=True)
