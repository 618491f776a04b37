"""Coverage within a budget: exact against brute force over every set of sites, the budget
and the count always held, bounds that hold, the greedy safeguard, and cases by hand."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.core.errors import ConfigError
from planner.optimize import BudgetedCoverage, MaximalCoverage
from planner.optimize._kernels import budget as kb


def brute_force(prob: BudgetedCoverage, n: int) -> float:
    best = 0.0
    for r in range(n + 1):
        for s in itertools.combinations(range(n), r):
            if prob.feasible(s):
                best = max(best, prob.objective(s))
    return best


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_budgeted_coverage_against_brute_force(data):
    """Two nested thresholds, existing stations, whole or fractional demand, a count cap or
    none, spacing conflicts or none: every method keeps to the budget and the count, its
    bound is above the optimum, "exact" equals brute force and says so, and an answer
    said to be optimal is."""
    n = data.draw(st.integers(1, 8))
    m = data.draw(st.integers(1, 7))
    a = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m),
                                    min_size=n, max_size=n)))  # fmt: skip
    wide = a | np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m),
                                           min_size=n, max_size=n)))  # fmt: skip
    covers = [sp.csc_matrix(a.astype(float)), sp.csc_matrix(wide.astype(float))]
    whole = data.draw(st.booleans())
    values = st.integers(0, 9) if whole else st.floats(0, 9, allow_nan=False)
    w = np.array(data.draw(st.lists(values, min_size=n, max_size=n)), dtype=float)
    costs = np.array(data.draw(st.lists(st.integers(0, 9), min_size=m, max_size=m)), float)
    budget = float(data.draw(st.integers(0, 25)))
    most = data.draw(st.one_of(st.none(), st.integers(0, m)))
    covered = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    conflicts = None
    if data.draw(st.booleans()) and m > 1:
        pairs = np.triu(np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=m,
                        max_size=m), min_size=m, max_size=m))), 1)  # fmt: skip
        conflicts = sp.csr_matrix(pairs | pairs.T)
    prob = BudgetedCoverage(
        covers, w, costs, budget, most=most, covered=np.stack([covered, covered]),
        conflicts=conflicts,
    )  # fmt: skip
    best = brute_force(prob, m)
    for method in ("greedy", "local", "exact"):
        sol = prob.solve(method)
        assert prob.feasible(sol.selected)
        assert prob.spent(sol.selected) <= budget
        assert most is None or len(sol.selected) <= most
        assert sol.objective == pytest.approx(prob.objective(sol.selected))
        assert sol.bound >= best - 1e-6
        assert sol.objective <= best + 1e-9
        if sol.optimal:
            assert sol.objective == pytest.approx(best)
    exact = prob.solve("exact")
    assert exact.optimal and exact.objective == pytest.approx(best)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_greedy_keeps_the_classic_safeguard(data):
    """Greedy by gain per yuan covers at least as much as the best single affordable site
    (the safeguard that gives it a constant-factor guarantee)."""
    n = data.draw(st.integers(1, 8))
    m = data.draw(st.integers(1, 6))
    a = np.array(data.draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m),
                                    min_size=n, max_size=n)))  # fmt: skip
    w = np.array(data.draw(st.lists(st.integers(0, 9), min_size=n, max_size=n)), float)
    costs = np.array(data.draw(st.lists(st.integers(0, 9), min_size=m, max_size=m)), float)
    budget = float(data.draw(st.integers(0, 15)))
    prob = BudgetedCoverage(sp.csc_matrix(a.astype(float)), w, costs, budget)
    single = max([prob.objective([j]) for j in range(m) if costs[j] <= budget], default=0.0)
    assert prob.solve("greedy").objective >= single


def test_safeguard_by_hand():
    """One dear site covers 10; ten cheap ones cover 1 each at a better ratio. With a
    budget of 10 greedy by ratio alone takes the cheap site (1 per yuan... then nothing
    fits): the safeguard takes the dear site instead, the optimum."""
    cover = sp.csc_matrix(np.array([[1, 0]] * 10 + [[0, 1]], dtype=float))
    prob = BudgetedCoverage(cover, np.ones(11), [10.0, 0.5], 10.0)
    greedy = prob.solve("greedy")
    assert greedy.selected.tolist() == [0]
    assert greedy.objective == 10
    exact = prob.solve("exact")
    assert exact.objective == 10 and exact.optimal
    # with 10.5 both fit
    assert sorted(BudgetedCoverage(cover, np.ones(11), [10.0, 0.5], 10.5).solve("local")
                  .selected.tolist()) == [0, 1]  # fmt: skip


def test_budget_by_hand():
    """Three sites covering 5, 4 and 3 of disjoint demand at costs 6, 3 and 3: with 6 to
    spend the two cheap ones (7) beat the dear one (5); with at most one site, the dear
    one; a site dearer than the budget is never chosen."""
    cover = sp.csc_matrix(np.kron(np.eye(3), np.ones((1, 1))))
    w = np.array([5.0, 4.0, 3.0])
    prob = BudgetedCoverage(cover, w, [6.0, 3.0, 3.0], 6.0)
    for method in ("greedy", "local", "exact"):
        sol = prob.solve(method)
        assert sorted(sol.selected.tolist()) == [1, 2]
        assert sol.objective == 7
    one = BudgetedCoverage(cover, w, [6.0, 3.0, 3.0], 6.0, most=1).solve("exact")
    assert one.selected.tolist() == [0] and one.optimal
    poor = BudgetedCoverage(cover, w, [6.0, 3.0, 3.0], 5.0).solve("local")
    assert poor.selected.tolist() == [1] and poor.optimal


def test_without_a_binding_budget_it_is_maximal_coverage():
    """With zero costs and a count cap, the budget binds nothing: the same value as
    maximal coverage with p sites."""
    rng = np.random.default_rng(3)
    a = sp.csc_matrix((rng.random((40, 12)) < 0.2).astype(float))
    w = rng.integers(1, 9, 40).astype(float)
    free = BudgetedCoverage(a, w, np.zeros(12), 0.0, most=4).solve("exact")
    plain = MaximalCoverage(a, w, 4).solve("exact")
    assert free.objective == plain.objective


def test_fractional_knapsack_bound():
    gain = np.array([6.0, 4.0, 3.0, 0.0, 2.0])
    costs = np.array([3.0, 4.0, 1.0, 1.0, 0.0])
    # free 2 first, then 3/1, 6/3, then half of 4/4
    assert kb.fractional_knapsack(gain, costs, 6.0) == pytest.approx(2 + 3 + 6 + 2)
    assert kb.fractional_knapsack(gain, costs, 0.0) == 2.0


def test_bad_costs_and_budgets():
    cover = sp.csc_matrix(np.eye(2))
    with pytest.raises(ConfigError, match="costs"):
        BudgetedCoverage(cover, [1, 1], [1.0, -1.0], 3.0)
    with pytest.raises(ConfigError, match="costs"):
        BudgetedCoverage(cover, [1, 1], [1.0], 3.0)
    with pytest.raises(ConfigError, match="budget"):
        BudgetedCoverage(cover, [1, 1], [1.0, 1.0], float("nan"))


def test_a_time_limit_bounds_the_exact_search():
    """A time limit far too short to finish: the answer still holds the budget, its bound is
    still above the optimum, and it is said to be optimal only when it is."""
    rng = np.random.default_rng(5)
    a = sp.csc_matrix((rng.random((60, 14)) < 0.25).astype(float))
    w = rng.random(60) * 10
    costs = rng.integers(1, 10, 14).astype(float)
    prob = BudgetedCoverage(a, w, costs, 20.0)
    best = prob.solve("exact")
    quick = prob.solve("exact", time_limit_s=1e-9)
    assert prob.feasible(quick.selected) and quick.bound >= best.objective - 1e-6
    assert quick.objective <= best.objective + 1e-9
    if quick.optimal:
        assert quick.objective == pytest.approx(best.objective)
