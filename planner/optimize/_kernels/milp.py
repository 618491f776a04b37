"""MILP and LP solves with HiGHS, from column-wise arrays (no modelling layer): one solve,
a re-solvable LP relaxation with a depth-first branch and bound on it, and the hand-over
from that search to HiGHS's MILP solver.

HiGHS is imported on first use (it takes a tenth of a second), and every instance is silent
from its creation: nothing reaches stdout.
"""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from ...core.units import tol

#: Relative slack added to bounds read from floating-point LP values, so they stay valid.
BOUND_SLACK = 1e-7


def bound_slack(x: float) -> float:
    """The slack of a bound near ``x``: :data:`BOUND_SLACK` relative to ``|x|``, at least
    :data:`BOUND_SLACK` absolute."""
    return tol(x, rel=BOUND_SLACK)


class Work(NamedTuple):
    """A limit on the work of a search that does not depend on the machine's speed, so the
    same inputs always give the same answer: LP nodes and simplex iterations in all."""

    nodes: int
    lp_iterations: int


#: How long a search may run: seconds, a :class:`Work` limit, or None (until proven).
Limit = float | Work | None


class Model(NamedTuple):
    """Minimise ``cost @ x`` subject to ``row_lo <= a @ x <= row_hi`` and
    ``col_lo <= x <= col_hi``, with ``x_j`` whole where ``integer[j]`` (column-wise arrays;
    ``-inf``/``inf`` for a missing side)."""

    cost: np.ndarray
    a: sp.csc_matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    col_lo: np.ndarray
    col_hi: np.ndarray
    integer: np.ndarray


@dataclass(frozen=True)
class MilpResult:
    """Result of a solve: the answer ``x`` (empty when none was found), its ``objective``,
    the best ``bound`` on the optimum (a lower bound: every model is minimised), whether the
    answer is proven ``optimal`` and how the solve ended (``status``, for people)."""

    x: np.ndarray
    objective: float
    bound: float
    optimal: bool
    status: str
    #: Row duals of an LP (``relax=True``): the change of the objective per unit of a row's
    #: bound; empty for a MILP.
    row_dual: np.ndarray = field(default_factory=lambda: np.zeros(0))


@functools.cache
def _quiet_highs() -> type:
    """``highspy.Highs`` with its output off from the start.

    The wrapper's constructor enables callbacks (C++ ``Highs::setCallback``), and that call
    prints the banner ("Running HiGHS ...: Copyright ...") to stdout, once per process,
    unless ``output_flag`` is already off; setting it after the constructor is too late.
    """
    import highspy

    class QuietHighs(highspy.Highs):
        def enableCallbacks(self) -> None:
            self.setOptionValue("output_flag", False)
            super().enableCallbacks()

    return QuietHighs


def _highs(model: Model, *, relax: bool, time_limit_s: float | None = None) -> Any:
    """A silent HiGHS instance holding ``model`` (its integrality too unless ``relax``)."""
    import highspy

    cost, a, row_lo, row_hi, col_lo, col_hi, integer = model
    h = _quiet_highs()()
    if time_limit_s is not None:
        h.setOptionValue("time_limit", max(float(time_limit_s), 1e-3))
    a = sp.csc_matrix(a)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = a.shape[1], a.shape[0]
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(col_lo, dtype=float)
    lp.col_upper_ = np.asarray(col_hi, dtype=float)
    lp.row_lower_ = np.asarray(row_lo, dtype=float)
    lp.row_upper_ = np.asarray(row_hi, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(float)
    if not relax:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if b else highspy.HighsVarType.kContinuous
            for b in integer
        ]
    h.passModel(lp)
    return h


def solve_milp(
    cost: np.ndarray,
    a: sp.csc_matrix,
    row_lo: np.ndarray,
    row_hi: np.ndarray,
    col_lo: np.ndarray,
    col_hi: np.ndarray,
    integer: np.ndarray,
    *,
    time_limit_s: float | None = None,
    relax: bool = False,
    start: np.ndarray | None = None,
) -> MilpResult:
    """Minimise ``cost @ x`` subject to ``row_lo <= a @ x <= row_hi`` and bounds, with HiGHS
    (the fields of :class:`Model`, in order): to optimality (no relative gap allowed), within
    ``time_limit_s`` seconds when given, as an LP with row duals when ``relax``, pruning with
    the feasible answer ``start`` when given.
    """
    import highspy

    model = Model(cost, a, row_lo, row_hi, col_lo, col_hi, integer)
    h = _highs(model, relax=relax, time_limit_s=time_limit_s)
    h.setOptionValue("mip_rel_gap", 0.0)
    if start is not None:  # a feasible answer (from local search) to prune with
        sol = highspy.HighsSolution()
        sol.col_value = np.asarray(start, dtype=float).tolist()
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    status = h.getModelStatus()
    info = h.getInfo()
    solution = h.getSolution()
    x = np.asarray(solution.col_value, dtype=float)
    obj = float(info.objective_function_value)
    bound = obj if relax else float(info.mip_dual_bound)
    optimal = status == highspy.HighsModelStatus.kOptimal
    duals = np.asarray(solution.row_dual, dtype=float) if relax else np.zeros(0)
    return MilpResult(x, obj, bound, optimal, str(status), duals)


class Relaxation:
    """The LP relaxation of a model with 0/1 integer columns, kept in one HiGHS instance so
    that re-solves after bound changes start from the last basis.

    :meth:`branch_and_bound` proves small models optimal with a plain depth-first search
    on it: on models whose LP bound is nearly tight that takes a handful of LP re-solves,
    well under the start-up cost of a full MILP solve (presolve, cuts, heuristics).
    """

    def __init__(self, model: Model | tuple[Any, ...]) -> None:
        self.model = Model(*model)
        self.h = _highs(self.model, relax=True)
        self.idx = np.flatnonzero(np.asarray(self.model.integer, dtype=bool)).astype(np.int32)
        self.lo0 = np.asarray(self.model.col_lo, dtype=float)[self.idx]
        self.hi0 = np.asarray(self.model.col_hi, dtype=float)[self.idx]
        if ((self.lo0 < 0) | (self.hi0 > 1)).any():
            raise ValueError("Relaxation: integer columns must be 0/1")

    def solve(
        self,
        lo: np.ndarray | None = None,
        hi: np.ndarray | None = None,
        *,
        time_limit_s: float | None = None,
        iteration_limit: int | None = None,
    ) -> tuple[str, float, np.ndarray]:
        """Solve with the integer columns' bounds set to ``lo``/``hi`` (default: the
        model's), within ``time_limit_s`` seconds and ``iteration_limit`` simplex
        iterations when given. Returns ``"optimal"``, ``"infeasible"``, ``"time limit"``,
        ``"iteration limit"`` or HiGHS's status, the objective and the solution."""
        import highspy

        # HiGHS's clock runs on over the runs of one instance: the limit is set past it
        limit = np.inf if time_limit_s is None else self.h.getRunTime() + max(time_limit_s, 1e-3)
        self.h.setOptionValue("time_limit", float(limit))
        iters = 2**31 - 1 if iteration_limit is None else max(int(iteration_limit), 1)
        self.h.setOptionValue("simplex_iteration_limit", iters)
        lo = self.lo0 if lo is None else lo
        hi = self.hi0 if hi is None else hi
        self.h.changeColsBounds(len(self.idx), self.idx, lo, hi)
        self.h.run()
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", np.inf, np.zeros(0)
        if status == highspy.HighsModelStatus.kTimeLimit:
            return "time limit", np.nan, np.zeros(0)
        if status == highspy.HighsModelStatus.kIterationLimit:
            return "iteration limit", np.nan, np.zeros(0)
        if status != highspy.HighsModelStatus.kOptimal:
            return str(status), np.nan, np.zeros(0)
        x = np.asarray(self.h.getSolution().col_value, dtype=float)
        return "optimal", float(self.h.getInfo().objective_function_value), x

    def branch_and_bound(
        self,
        incumbent: float,
        *,
        granularity: float = 0.0,
        node_limit: int = 2000,
        time_limit_s: Limit = None,
        patience: float | None = 10.0,
    ) -> MilpResult | None:
        """Depth-first LP branch and bound (the most fractional column, the 1-branch
        first), pruning every node whose LP value cannot beat ``incumbent`` (the cost of a
        known answer) by a whole ``granularity`` step (0: by any amount).

        Returns the result (``x`` empty when nothing beats ``incumbent``; ``optimal`` when
        the search finished; status ``"time limit"`` when ``time_limit_s`` ran out, the LP
        solves included), or None when ``node_limit`` nodes, the time of ``patience`` root
        LP solves (at least 0.25 s; None: no such limit), or an LP status other than
        optimal/infeasible stopped it early. With a :class:`Work` limit no clock counts: past
        its nodes or simplex iterations it stops with status ``"work limit"``, the same on
        any machine.
        """
        work, seconds, node_limit, iterations = _limits(time_limit_s, node_limit)
        t0 = time.perf_counter()
        best_x = np.zeros(0)
        stack: list[tuple[np.ndarray, np.ndarray]] = [(self.lo0.copy(), self.hi0.copy())]
        nodes, budget = 0, np.inf  # give up once the search cost ~``patience`` root LPs
        while stack:
            spent = time.perf_counter() - t0
            left = None if seconds is None else seconds - spent
            if left is not None and left <= 0:
                return MilpResult(best_x, incumbent, -np.inf, False, "time limit")
            if work is None and spent > budget:
                return None
            lo, hi = stack.pop()
            status, obj, x = self.solve(lo, hi, time_limit_s=left, iteration_limit=iterations)
            nodes += 1
            if iterations is not None:
                iterations -= int(self.h.getInfo().simplex_iteration_count)
            if status == "time limit":
                return MilpResult(best_x, incumbent, -np.inf, False, "time limit")
            if nodes == 1 and patience is not None:
                budget = max(0.25, patience * (time.perf_counter() - t0))
            if status == "infeasible":
                continue
            if status != "optimal" or (iterations is not None and iterations <= 0):
                return _stopped(best_x, incumbent) if work else None
            if _pruned(obj, incumbent, granularity):
                continue
            xi = x[self.idx]
            frac = np.abs(xi - np.round(xi))
            if frac.max(initial=0.0) < 1e-6:
                best_x, incumbent = x, obj
                continue
            if nodes >= node_limit:
                return _stopped(best_x, incumbent) if work else None
            j = int(np.argmax(frac))
            down_hi, up_lo = hi.copy(), lo.copy()
            down_hi[j], up_lo[j] = 0.0, 1.0
            stack += [(lo, down_hi), (up_lo, hi)]
        return MilpResult(best_x, incumbent, incumbent, True, f"optimal ({nodes} LP nodes)")


def another_optimum(
    model: Model | tuple[Any, ...],
    n_sites: int,
    selected: np.ndarray,
    cost: float,
    *,
    work: Work,
) -> tuple[bool | None, np.ndarray]:
    """Whether a set of sites other than ``selected`` reaches the optimal ``cost`` of the
    model (its 0/1 site columns are the first ``n_sites``): the LP branch and bound of the
    model with a no-good cut ``sum_{j in selected} x_j <= |selected| - 1`` and at least as
    many sites, looking for an answer of that cost, within the ``work`` limit (so the
    same inputs always give the same finding).

    Returns True and the other set's columns, False when no other set exists, or None
    (and no set) when the limit stopped the search first.
    """
    m = Model(*model)
    sel = np.asarray(selected, dtype=np.int64)
    n_cols = m.a.shape[1]
    cut = np.zeros(n_cols)
    cut[sel] = 1.0
    count = np.zeros(n_cols)
    count[:n_sites] = 1.0
    a = sp.vstack([sp.csr_matrix(m.a), sp.csr_matrix(np.vstack([cut, count]))]).tocsc()
    row_lo = np.concatenate([m.row_lo, [-np.inf, float(len(sel))]])
    row_hi = np.concatenate([m.row_hi, [len(sel) - 1.0, np.inf]])
    rel = Relaxation(Model(m.cost, a, row_lo, row_hi, m.col_lo, m.col_hi, m.integer))
    # an answer of the optimal cost beats this incumbent; nothing cheaper exists
    res = rel.branch_and_bound(cost + 10 * tol(cost) + bound_slack(cost), time_limit_s=work)
    if res is not None and res.x.size:
        return True, np.flatnonzero(res.x[:n_sites] > 0.5).astype(np.int64)
    if res is not None and res.optimal:
        return False, np.zeros(0, dtype=np.int64)
    return None, np.zeros(0, dtype=np.int64)


def neighbourhood_search(
    model: Model | tuple[Any, ...],
    relaxed: np.ndarray,
    start: np.ndarray,
    incumbent: float,
    *,
    n_sites: int,
    work: Work,
) -> MilpResult:
    """Relaxation-induced neighbourhood search: the model with the site columns (the first
    ``n_sites``) on which the answer ``start`` (MILP vector, cost ``incumbent``) and the LP
    solution ``relaxed`` agree fixed (open in both or closed in both), the others left to
    the LP branch and bound, within ``work``. ``x`` is empty when nothing beats the
    incumbent."""
    m = Model(*model)
    lo, hi = np.asarray(m.col_lo, float).copy(), np.asarray(m.col_hi, float).copy()
    open_now = np.asarray(start[:n_sites]) > 0.5
    lp = np.asarray(relaxed[:n_sites])
    lo[:n_sites][open_now & (lp > 1 - 1e-6)] = 1.0
    hi[:n_sites][~open_now & (lp < 1e-6)] = 0.0
    rel = Relaxation(m._replace(col_lo=lo, col_hi=hi))
    res = rel.branch_and_bound(incumbent, time_limit_s=work)
    return res if res is not None else _stopped(np.zeros(0), incumbent)


def _pruned(obj: float, incumbent: float, granularity: float) -> bool:
    """Whether a node of LP value ``obj`` cannot beat ``incumbent`` by a whole
    ``granularity`` step (0: by any amount)."""
    if granularity > 0:
        return obj > incumbent - granularity + bound_slack(incumbent)
    return obj >= incumbent - tol(incumbent)


def _limits(limit: Limit, node_limit: int) -> tuple[Work | None, float | None, int, int | None]:
    """A search's limit unpacked: the work limit, seconds, nodes and simplex iterations."""
    if isinstance(limit, Work):
        return limit, None, limit.nodes, limit.lp_iterations
    return None, limit, node_limit, None


def _stopped(best_x: np.ndarray, incumbent: float) -> MilpResult:
    """A search stopped by its work limit: the best answer found, nothing proven."""
    return MilpResult(best_x, incumbent, -np.inf, False, "work limit")


def solve_binary(
    model: Model | tuple[Any, ...],
    incumbent: float,
    start: np.ndarray | None,
    *,
    granularity: float = 0.0,
    relaxation: Relaxation | None = None,
    time_limit_s: Limit = None,
    node_limit: int = 2000,
) -> MilpResult:
    """Solve a 0/1 model to optimality given a known answer (cost ``incumbent``, MILP
    vector ``start``): LP branch and bound first; past ``node_limit`` nodes HiGHS's MILP
    solver, warm-started from ``start``, takes over. ``x`` is empty when nothing beats the
    incumbent."""
    t0 = time.perf_counter()
    rel = relaxation if relaxation is not None else Relaxation(model)
    res = rel.branch_and_bound(
        incumbent, granularity=granularity, node_limit=node_limit, time_limit_s=time_limit_s
    )
    if res is not None:
        return res
    if isinstance(time_limit_s, Work):  # pragma: no cover - the search returns with a Work
        return MilpResult(np.zeros(0), incumbent, -np.inf, False, "work limit")
    left = None if time_limit_s is None else time_limit_s - (time.perf_counter() - t0)
    if left is not None and left <= 0:
        return MilpResult(np.zeros(0), incumbent, -np.inf, False, "time limit")
    return solve_milp(*model, time_limit_s=left, start=start)
