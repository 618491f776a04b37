"""Site controls and phases against brute force on small random instances: agreed sites are
always in the answer, excluded ones never, phases are nested; with ``"exact"`` the answer is
the best of every allowed set, for every objective."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest
from scipy import sparse

from planner.analysis.coverage import Coverage
from planner.optimize import CapacitatedCoverage as CapProblem
from planner.plan import fixing, objectives
from planner.plan.controls import Bound
from planner.plan.objectives import Context
from planner.plan.request import PlanRequest
from tests.conftest import times_from_dense

N_ST, N_C, N_H = 2, 7, 12
PENALTY = 1800.0  # twice the widest circle (15 min)
CAPACITY = 25.0


def _instance(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    st = rng.uniform(100, 1400, (N_ST, N_H))
    cand = rng.uniform(0, 1400, (N_C, N_H))
    st[st > 900], cand[cand > 900] = np.inf, np.inf
    weights = rng.integers(1, 10, N_H).astype(float)
    return st, cand, weights


def _context(seed: int, request: PlanRequest, *, fixed=(), excluded=()) -> Context:
    st, cand, w = _instance(seed)
    thresholds = request.thresholds_s
    st_t, c_t = times_from_dense(st), times_from_dense(cand)
    mask = np.zeros(N_C, dtype=bool)
    mask[list(excluded)] = True
    return Context(
        request, Coverage(st_t, w, thresholds), Coverage(c_t, w, thresholds), c_t, w,
        request.add, fixed=np.asarray(fixed, dtype=np.int64),
        excluded=mask if mask.any() else None,
    )  # fmt: skip


def _nearest(seed: int, sites) -> np.ndarray:
    st, cand, _ = _instance(seed)
    return np.vstack([st, cand[list(sites)]]).min(axis=0)


def _value(name: str, seed: int, sites, ctx: Context) -> float:
    """The objective's value of ``sites``, computed here from the dense times."""
    _, _, w = _instance(seed)
    base, near = _nearest(seed, ()), _nearest(seed, sites)
    if name == "coverage":
        return float(sum(w[(near <= t) & ~(base <= t)].sum() for t in (480, 600, 900)))
    if name == "time":
        return float((w * np.minimum(near, PENALTY)).sum())
    if name == "worst":
        return float(np.minimum(near, PENALTY).max())
    if name == "capacity":
        problem = CapProblem.from_coverage(
            ctx.candidates, np.full(N_C, CAPACITY), len(sites), existing=ctx.stations
        )
        return problem.objective(list(sites))
    raise AssertionError(name)


def _request(name: str, method: str, add: int, **more) -> PlanRequest:
    options = {"objective": name} if name in ("time", "worst") else {}
    if name == "capacity":
        options = {"capacity": CAPACITY}
    r = PlanRequest.from_options(add=add, method=method, min_spacing_m=0, **options, **more)
    if name == "capacity":
        r = replace(r, objective=objectives.CapacitatedCoverage(
            capacity=CAPACITY, values=np.full(N_C, CAPACITY)))  # fmt: skip
    return r


def _brute(name, seed, ctx, add, fixed, excluded) -> float:
    free = [j for j in range(N_C) if j not in fixed and j not in excluded]
    values = [
        _value(name, seed, (*fixed, *rest), ctx) for rest in combinations(free, add - len(fixed))
    ]
    return max(values) if name in ("coverage", "capacity") else min(values)


OBJECTIVES = ["coverage", "capacity", "time", "worst"]


@pytest.mark.parametrize("name", OBJECTIVES)
@pytest.mark.parametrize("seed", range(4))
def test_exact_with_controls_is_the_best_allowed_set(name, seed):
    rng = np.random.default_rng(100 + seed)
    order = rng.permutation(N_C)
    fixed, excluded = tuple(int(j) for j in order[:1]), tuple(int(j) for j in order[1:3])
    add = 3
    ctx = _context(seed, _request(name, "exact", add), fixed=fixed, excluded=excluded)
    objective = ctx.request.objective
    s = fixing.choose_one(objective, ctx).solution
    sel = [int(j) for j in s.selected]
    assert sel[: len(fixed)] == list(fixed) and not set(sel) & set(excluded)
    assert len(sel) == len(set(sel)) and (
        len(sel) <= add if objective.maximise else len(sel) == add
    )
    assert s.objective == pytest.approx(_value(name, seed, sel, ctx), rel=1e-9, abs=1e-9)
    best = _brute(name, seed, ctx, add, fixed, excluded)
    assert s.objective == pytest.approx(best, rel=1e-7, abs=1e-7) and s.optimal
    if objective.maximise:
        assert s.bound >= best - 1e-6
    else:
        assert s.bound <= best + 1e-6


@pytest.mark.parametrize("name", OBJECTIVES)
@pytest.mark.parametrize("method", ["greedy", "local"])
def test_heuristics_keep_agreed_sites_and_never_excluded_ones(name, method):
    for seed in range(3):
        fixed, excluded = (4, 1), (0, 6)
        ctx = _context(seed, _request(name, method, 4), fixed=fixed, excluded=excluded)
        s = fixing.choose_one(ctx.request.objective, ctx).solution
        sel = [int(j) for j in s.selected]
        assert sel[:2] == [4, 1] and not set(sel) & {0, 6} and len(set(sel)) == len(sel)
        value = _value(name, seed, sel, ctx)
        assert s.objective == pytest.approx(value, rel=1e-9, abs=1e-9)
        best = _brute(name, seed, ctx, 4, fixed, excluded)
        maximise = ctx.request.objective.maximise
        assert (s.bound >= best - 1e-6) if maximise else (s.bound <= best + 1e-6)


@pytest.mark.parametrize("seed", range(4))
def test_reach_counts_agreed_sites_and_finds_the_fewest(seed):
    st, cand, w = _instance(seed)
    request = PlanRequest.from_options(reach="60%@10", method="exact", min_spacing_m=0)
    fixed, excluded = (2,), (0,)
    ctx = _context(seed, request, fixed=fixed, excluded=excluded)
    s = fixing.choose_one(request.objective, ctx).solution
    sel = [int(j) for j in s.selected]
    assert sel[0] == 2 and 0 not in sel and s.objective == len(sel)

    def meets(sites) -> bool:
        return w[_nearest(seed, sites) <= 600].sum() >= 0.6 * w.sum() - 1e-9

    assert meets(sel)
    free = [j for j in range(N_C) if j not in (0, 2)]
    fewest = next(
        1 + k for k in range(len(free) + 1)
        if any(meets((2, *rest)) for rest in combinations(free, k))
    )  # fmt: skip
    assert len(sel) == fewest and s.optimal


@pytest.mark.parametrize("name", ["coverage", "time", "capacity"])
@pytest.mark.parametrize("seed", range(3))
def test_phases_are_nested_and_state_their_gap(name, seed):
    request = _request(name, "exact", 5, phases="2,5", include="S3")
    ctx = _context(seed, request, fixed=(3,), excluded=(5,))
    choice = fixing.choose(request.objective, ctx)
    one, two = choice.phases
    first = [int(j) for j in one.solution.selected]
    final = [int(j) for j in choice.solution.selected]
    assert first[0] == 3 and final[: len(first)] == first and 5 not in final
    assert len(first) <= 2 and len(final) <= 5  # coverage stops once no site adds demand
    phase = [1] * len(first) + [2] * (len(final) - len(first))
    assert list(choice.site_columns["phase"]) == phase
    best_nested = _brute(name, seed, ctx, 5, tuple(first), (5,))
    best_free = _brute(name, seed, ctx, 5, (3,), (5,))
    assert two.solution.objective == pytest.approx(best_nested, rel=1e-7, abs=1e-7)
    assert two.unconstrained.objective == pytest.approx(best_free, rel=1e-7, abs=1e-7)
    assert one.gap_to_unconstrained == pytest.approx(0.0, abs=1e-6)
    expected = abs(best_free - best_nested) / (best_free if ctx.request.objective.maximise
                                               else best_nested)  # fmt: skip
    assert two.gap_to_unconstrained == pytest.approx(expected, abs=1e-6)


def test_agreed_sites_next_to_each_other_are_both_kept_with_spacing():
    request = PlanRequest.from_options(add=3, method="exact", min_spacing_m=300)
    ctx = _context(0, request)
    pairs = np.array([[0, 1], [1, 0], [1, 2], [2, 1]])
    conflicts = sparse.csr_matrix((np.ones(4), (pairs[:, 0], pairs[:, 1])), shape=(N_C, N_C))
    ctx = replace(ctx, conflicts=conflicts, allowed=np.ones(N_C, dtype=bool))
    bound = Bound(fixed=np.array([0, 1]), excluded=np.zeros(N_C, bool))
    ctx = fixing.constrain(ctx, bound)
    usable = fixing.usable(ctx)
    assert usable is not None and usable[[0, 1]].all() and not usable[2]
    sel = list(fixing.choose_one(request.objective, ctx).solution.selected)
    assert sel[:2] == [0, 1] and 2 not in sel


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("method", ["exact", "local", "greedy"])
def test_relocate_closes_at_most_n_stations_and_keeps_the_controls(seed, method):
    request = PlanRequest.from_options(add=2, method=method, min_spacing_m=0, relocate=1)
    ctx = _context(seed, request, fixed=(6,), excluded=(0, 1))
    choice = fixing.choose(request.objective, ctx)
    closed, sel = list(choice.closed), [int(j) for j in choice.solution.selected]
    assert len(closed) <= 1 and sel[0] == 6 and not {0, 1} & set(sel)
    assert len(sel) <= 2 + len(closed)
    st, cand, w = _instance(seed)
    kept = [s for s in range(N_ST) if s not in closed]

    def value(stations, sites) -> float:
        near = np.vstack([st[list(stations)], cand[list(sites)]]).min(axis=0)
        base = st.min(axis=0)
        return float(sum(w[near <= t].sum() - w[base <= t].sum() for t in (480, 600, 900)))

    assert choice.solution.objective == pytest.approx(value(kept, sel))
    best = max(
        value([s for s in range(N_ST) if s not in out], (6, *rest))
        for k in (0, 1) for out in combinations(range(N_ST), k)
        for rest in combinations([2, 3, 4, 5], 1 + k)
    )  # fmt: skip
    assert choice.solution.objective <= best + 1e-9 <= choice.solution.bound + 1e-6
    if method == "exact":
        assert choice.solution.objective == pytest.approx(best) and choice.solution.optimal
    assert choice.unmoved is not None and choice.unmoved <= choice.solution.objective + 1e-9


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"relocate": "-1"}, "relocate"),
        ({"include": "a", "exclude": "a"}, "include"),
        ({"include": "a,b,c", "add": 2}, "include"),
    ],
)
def test_controls_that_do_not_go_together_are_field_errors(options, field):
    from planner.core.errors import RequestError

    with pytest.raises(RequestError) as info:
        PlanRequest.from_options(**options)
    assert field in {p.field for p in info.value.problems}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([1.0, None, 0.0], [True, False, False]),
        (["yes", "", "no"], [True, False, False]),
        ([True, False, True], [True, False, True]),
        (["1", "0", "X"], [True, False, True]),
    ],
)
def test_the_exclude_column_reads_yes_and_no(values, expected):
    import pandas as pd

    from planner.plan.controls import _exclude_column

    frame = pd.DataFrame({"id": ["a", "b", "c"], "exclude": values})
    assert _exclude_column(frame, "candidates c.csv").tolist() == expected
    frame["exclude"] = ["maybe", "", ""]
    with pytest.raises(ValueError, match=r"candidates c.csv: column exclude, site 'a': 'maybe'"):
        _exclude_column(frame, "candidates c.csv")


@pytest.mark.parametrize("seed", [7, 9, 22])  # draws where the phases cost something
def test_the_spacing_cost_with_phases_is_that_of_the_rule_alone(seed):
    """Solved again without the rule, the answer keeps its phases: the cost compares two
    phased plans, not a phased plan with the best unphased one."""
    from planner.plan.spacing import spacing_cost

    request = _request("coverage", "exact", 3, phases="1,3")
    ctx = _context(seed, request)
    pairs = np.array([[0, 1], [1, 0], [2, 3], [3, 2], [4, 5], [5, 4]])
    conflicts = sparse.csr_matrix((np.ones(6), (pairs[:, 0], pairs[:, 1])), shape=(N_C, N_C))
    spaced_ctx = replace(ctx, conflicts=conflicts, allowed=np.ones(N_C, dtype=bool))
    spaced = fixing.choose(request.objective, spaced_ctx)
    cost = spacing_cost(request.objective, spaced_ctx, spaced)
    phased = fixing.choose(request.objective, ctx)  # the same phases, no rule
    best = fixing.choose_one(_request("coverage", "exact", 3).objective, ctx)
    assert best.solution.objective > phased.solution.objective + 0.5  # phases cost here
    assert cost is not None and cost.proven_without
    assert cost.objective_without == pytest.approx(phased.solution.objective)
    assert cost.sites_without[:1] == tuple(int(j) for j in phased.solution.selected[:1])
    assert cost.objective_with == pytest.approx(spaced.solution.objective)
    assert cost.objective_with <= cost.objective_without + 1e-9
