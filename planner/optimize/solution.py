"""What every site problem shares: the :class:`Solution` a solve returns, the
:class:`Problem` protocol, the optimality gap, the iterated local search, and the checks and
matrix helpers of the problem modules.

Every problem works on matrices (rows: demand points, columns: candidate sites) and a
demand vector; ``selected`` is always an array of candidate columns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp

from ..core.errors import ConfigError
from ..core.units import PROVEN_GAP, tol
from . import _kernels

#: How a problem may be solved: greedy (with an online bound), greedy then swaps until no
#: swap improves, or exact (a MILP built straight from the sparse matrices, solved by HiGHS).
METHODS = ("greedy", "local", "exact")
#: Random two-site kicks of the iterated local search (coverage: small models only).
KICKS = 40
#: Largest model (non-zeros) for which the LP relaxation is solved to bound heuristics.
LP_BOUND_MAX_NNZ = 100_000
#: Work limit of the proof step of ``"local"`` (the exact step, warm-started from the local
#: answer, on models up to :data:`PROOF_MAX_PAIRS`) and of the search for another set of
#: the same value: LP nodes and simplex iterations, not seconds, so that the same inputs
#: always give the same answer and certificate. An LP node costs about as much as the model
#: is large, so the nodes allowed are :data:`PROOF_NODE_PAIRS` over the model's pairs (at
#: most :data:`PROOF_NODES`): about a second of work on two cores (see :func:`proof_work`).
PROOF_WORK = _kernels.Work(nodes=200, lp_iterations=20_000)
#: Node budget of the proof step in pairs × nodes, and its most nodes.
PROOF_NODE_PAIRS = 1_000_000
PROOF_NODES = 200
#: Simplex iterations of the search for another set of the same value: it starts cold on
#: the whole model (the proof step works on the reduced one), whose root LP alone can take
#: seconds (pmed6: 6,175 iterations); past this many the answer is "not known".
ALTERNATIVE_LP_ITERATIONS = 5_000
#: About how long the proof step takes at most (s), for the share p-center gives each step.
PROOF_TIME_S = 1.0
#: Largest model (covering or cost pairs of candidates and demand) ``"local"`` tries to
#: prove optimal. Measured on two cores: on the benchmark instances (Swain 55, SJC324: 169
#: to 54,130 pairs; OR-Library pmed1-10: 10,000 to 40,000) and the Helsinki demo (116,651
#: pairs over three circles) the exact step proves the local answer in 2-430 ms; on
#: synthetic cities building the model and a 1 s limit add 1.4 s at 208,476 pairs and
#: 3.3 s at 448,336 (whose root LP alone takes minutes).
PROOF_MAX_PAIRS = 200_000


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
        Solve time (s).
    alternatives
        Whether another set of sites reaches the same (optimal) value: True, False, or
        None when not known (not proven optimal, no search for one, or its time ran out).
    alternative
        Such another set (candidate columns) when ``alternatives`` is True.
    """

    selected: np.ndarray
    objective: float
    bound: float
    gap: float
    method: str
    gains: np.ndarray = field(default_factory=lambda: np.zeros(0))
    optimal: bool = False
    seconds: float = 0.0
    alternatives: bool | None = None
    alternative: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


@runtime_checkable
class Problem(Protocol):
    """A site problem: a set of candidate columns is scored, checked and searched for.

    ``maximise`` says which way the objective improves. ``solve`` never changes the
    problem; each problem adds its own keyword-only options (time limits and the like).
    """

    maximise: bool

    def objective(self, selected: Sequence[int] | np.ndarray) -> float:
        """Objective value of the sites ``selected`` (candidate columns)."""
        ...

    def feasible(self, selected: Sequence[int] | np.ndarray) -> bool:
        """Whether ``selected`` is an allowed answer (count, distinct, allowed sites)."""
        ...

    def solve(self, method: str = "local") -> Solution:
        """A new :class:`Solution` by ``method``, one of :data:`METHODS`."""
        ...


def gap(objective: float, bound: float, *, maximise: bool) -> float:
    """Relative distance between an answer's ``objective`` and the ``bound`` on the optimum:
    relative to the bound when maximising, to the objective when minimising; 0 when the
    reference is 0 or below (nothing to gain) or the answer meets the bound."""
    if maximise:
        return 0.0 if bound <= 0 else max(0.0, (bound - objective) / bound)
    return 0.0 if objective <= 0 else max(0.0, (objective - bound) / objective)


def proven(objective: float, bound: float, *, maximise: bool) -> bool:
    """Whether ``objective`` meets ``bound`` within :data:`~planner.core.units.PROVEN_GAP`
    (relative to the bound when maximising, to the objective when minimising, as
    :func:`gap`; at least ``PROVEN_GAP`` absolute)."""
    if maximise:
        return bound - objective <= tol(bound, rel=PROVEN_GAP)
    return objective - bound <= tol(objective, rel=PROVEN_GAP)


def iterated_local_search(
    sel: np.ndarray,
    value: float,
    *,
    rounds: int,
    pool: np.ndarray,
    descend: Callable[[np.ndarray], np.ndarray],
    value_of: Callable[[np.ndarray], float],
    maximise: bool,
    bound: float,
) -> np.ndarray:
    """Iterated local search from the local optimum ``sel`` (objective ``value``).

    Each of ``rounds`` rounds replaces two chosen sites by two of ``pool`` not chosen, at
    random (one where only one is left to bring in; seeded, so runs repeat), goes down to a
    local optimum again with ``descend`` and keeps the result when its ``value_of`` is
    better. Stops once the best meets ``bound`` within
    :data:`~planner.core.units.PROVEN_GAP`.
    """
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
        if sign * (val - best_val) > tol(best_val):
            best, best_val = cand, val
            if sign * (bound - best_val) <= tol(bound, rel=PROVEN_GAP):
                break
    return best


def proof_work(pairs: int) -> _kernels.Work:
    """The work limit of the proof step on a model of ``pairs`` pairs: at most
    :data:`PROOF_NODES` LP nodes, fewer on larger models (:data:`PROOF_NODE_PAIRS` over the
    pairs, at least 2), and the simplex iterations of :data:`PROOF_WORK`."""
    nodes = max(2, min(PROOF_NODES, PROOF_NODE_PAIRS // max(int(pairs), 1)))
    return _kernels.Work(nodes=nodes, lp_iterations=PROOF_WORK.lp_iterations)


def exact_step(
    method: str, time_limit_s: _kernels.Limit, *, pairs: int
) -> tuple[bool, _kernels.Limit]:
    """Whether the exact step (branch and bound, warm-started from the heuristic answer)
    follows the heuristic, and its limit (seconds or work; None: until proven).

    Always with ``"exact"``, within ``time_limit_s``; with ``"local"`` on models of at most
    :data:`PROOF_MAX_PAIRS` ``pairs``, within :func:`proof_work` (or the :class:`Work`
    limit given): the proof step, which proves the local answer optimal (or finds a better
    one) where that takes about a second, and otherwise leaves its bound as it was; with
    ``"local"`` on larger models only when ``time_limit_s`` gives seconds, within them;
    never with ``"greedy"``."""
    if method == "exact":
        return True, time_limit_s
    if method == "local" and pairs <= PROOF_MAX_PAIRS:
        given = isinstance(time_limit_s, _kernels.Work)
        return True, time_limit_s if given else proof_work(pairs)
    if method == "local" and isinstance(time_limit_s, float | int):
        return True, float(time_limit_s)  # a large model: more effort, within the seconds given
    return False, None


def look_for_alternative(
    solution: Solution,
    model: Callable[[], tuple[_kernels.Model, float]],
    value_of: Callable[[np.ndarray], float],
    *,
    n_sites: int,
    pairs: int,
    maximise: bool,
) -> Solution:
    """``solution`` with :attr:`Solution.alternatives` settled where it is proven optimal:
    one more HiGHS solve of the problem's ``model`` (a MILP with the site columns first and
    the constant part of its cost; built on demand) that excludes the chosen set and asks
    for the same value, within :func:`proof_work` of the model's non-zeros (by ``"exact"``, or by
    ``"local"`` on models up to :data:`PROOF_MAX_PAIRS` ``pairs``). The answer itself does
    not change, so ties stay broken as the solve broke them; another set found is checked
    with ``value_of``."""
    small = pairs <= PROOF_MAX_PAIRS
    if not solution.optimal or not (solution.method == "exact" or small):
        return solution
    if solution.method == "greedy" or not len(solution.selected):
        return solution
    t0 = time.perf_counter()
    mdl, const = model()
    cost = (-solution.objective if maximise else solution.objective) - const
    found, other = _kernels.another_optimum(
        mdl, n_sites, solution.selected, cost,
        work=proof_work(mdl.a.nnz)._replace(lp_iterations=ALTERNATIVE_LP_ITERATIONS),
    )  # fmt: skip
    if found:
        diff = value_of(other) - solution.objective
        if (-diff if maximise else diff) > tol(solution.objective):  # within the slack only
            found, other = None, np.zeros(0, dtype=np.int64)
    return replace(
        solution, alternatives=found, alternative=other,
        seconds=solution.seconds + time.perf_counter() - t0,
    )  # fmt: skip


def check_method(method: str) -> None:
    """Raise :class:`~planner.core.errors.ConfigError` unless ``method`` is one of
    :data:`METHODS`."""
    if method not in METHODS:
        raise ConfigError(f"method: unknown solver {method!r}; use one of {', '.join(METHODS)}")


def check_weights(weights: Sequence[float] | np.ndarray, n: int) -> np.ndarray:
    """``weights`` as floats, checked: one per demand row (``n``), finite and >= 0."""
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape != (n,):
        raise ConfigError(f"weights: expected one per demand row ({n}), got {w.shape[0]}")
    if not np.isfinite(w).all() or (w < 0).any():
        raise ConfigError("weights: every weight must be finite and >= 0; fix or drop the rows")
    return w


def cover_from_cost(cost: np.ndarray | sp.spmatrix, threshold: float) -> sp.csc_matrix:
    """Boolean ``demand × candidates`` coverage: ``cost <= threshold`` (same unit). A sparse
    ``cost`` covers only where it stores an entry (a missing pair is out of reach)."""
    if sp.issparse(cost):
        m = sp.coo_matrix(cost)
        keep = m.data <= threshold
        return sp.csc_matrix((np.ones(int(keep.sum())), (m.row[keep], m.col[keep])), shape=m.shape)
    c = np.asarray(cost, dtype=float)
    return sp.csc_matrix((c <= threshold).astype(float))


def conflict_rows(
    conflicts: sp.csr_matrix | None, first_row: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """MILP rows ``x_j + x_j' <= 1``, one per conflicting pair of candidates, numbered from
    ``first_row``: row indices, column indices and values of their entries, and their
    count."""
    if conflicts is None:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, np.zeros(0), 0
    pairs = sp.triu(conflicts, k=1).tocoo()
    r = first_row + np.arange(pairs.nnz)
    cols = np.concatenate([pairs.row, pairs.col]).astype(np.int64)
    return np.concatenate([r, r]), cols, np.ones(2 * pairs.nnz), int(pairs.nnz)
