"""p-center (PCenter): checked against brute force over every choice of sites."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from planner.core.errors import ConfigError
from planner.optimize.p_center import PCenter


def _instance(rng: np.random.Generator):
    n, m = int(rng.integers(3, 22)), int(rng.integers(2, 8))
    cost = rng.uniform(0, 20, (n, m)).round(1)
    cost[rng.random((n, m)) < 0.4] = np.inf  # out of reach
    rows, cols = np.nonzero(np.isfinite(cost))
    sparse = sp.coo_matrix((cost[rows, cols], (rows, cols)), shape=(n, m))
    weights = rng.integers(0, 4, n).astype(float)
    base = np.where(rng.random(n) < 0.3, rng.uniform(0, 20, n).round(1), np.inf)
    p = int(rng.integers(0, min(3, m) + 1))
    return PCenter(sparse, weights, p, base_cost=base, unreachable_cost=25.0), m, p


@pytest.mark.parametrize("seed", range(40))
def test_every_method_against_brute_force(seed):
    problem, m, p = _instance(np.random.default_rng(seed))
    best = min(problem.objective(list(c)) for c in itertools.combinations(range(m), p))
    for method in ("greedy", "local", "exact"):
        sol = problem.solve(method)
        assert problem.feasible(sol.selected)
        assert sol.objective == pytest.approx(problem.objective(sol.selected))
        assert sol.bound <= best + 1e-9 <= sol.objective + 2e-9  # a valid bound, a real answer
        assert sol.gap >= 0
    exact = problem.solve("exact")
    assert exact.optimal and exact.objective == pytest.approx(best) and exact.gap == 0


def test_the_greedy_step_is_the_longest_time_after_each_site():
    rng = np.random.default_rng(7)
    problem, m, _ = _instance(rng)
    best = problem.times([0])
    longest = problem._longest_after(best)
    for j in range(m):
        naive = problem.times([0, j])[problem.demand]
        assert longest[j] == pytest.approx(naive.max() if naive.size else -np.inf)


def test_times_are_capped_and_zero_demand_does_not_count():
    cost = np.array([[1.0, 50.0], [40.0, 2.0], [99.0, 99.0]])
    problem = PCenter.from_cost_matrix(cost, [1, 1, 0], 1, unreachable_cost=30.0)
    assert problem.objective([0]) == 30.0 and problem.objective([1]) == 30.0
    both = PCenter.from_cost_matrix(cost, [1, 1, 0], 2, unreachable_cost=30.0).solve("exact")
    assert both.objective == 2.0 and both.optimal


def test_dense_zero_times_are_real_times():
    cost = np.array([[0.0, 5.0], [5.0, 0.0]])
    sol = PCenter.from_cost_matrix(cost, [1, 1], 2).solve("exact")
    assert sol.objective == 0.0 and sorted(sol.selected) == [0, 1]


def test_bad_arguments_name_the_argument():
    with pytest.raises(ConfigError, match="^p: expected 0..2"):
        PCenter(np.ones((2, 2)), [1, 1], 3, unreachable_cost=5.0)
    with pytest.raises(ConfigError, match="^unreachable_cost"):
        PCenter(np.ones((2, 2)), [1, 1], 1, unreachable_cost=0.0)


@pytest.mark.parametrize("seed", range(20))
def test_the_p_center_value_is_at_most_the_worst_time_of_the_coverage_answer(seed):
    """Any p sites are a p-center answer, the coverage objective's among them; the answer
    states the longest time, and its bound lies below it."""
    from planner.optimize import MaximalCoverage

    problem, m, p = _instance(np.random.default_rng(seed))
    if p == 0 or not problem.demand.any():
        return
    cost = sp.coo_matrix((problem.vals, (problem.rows, problem.cols)), shape=(problem.n_rows, m))
    cover = MaximalCoverage.from_cost_matrix(cost, problem.weights, threshold=10.0, p=p)
    chosen = cover.solve("exact").selected
    chosen = np.concatenate([chosen, np.setdiff1d(np.arange(m), chosen)[: p - len(chosen)]])
    sol = problem.solve("exact")
    assert sol.objective == pytest.approx(problem.times(sol.selected)[problem.demand].max())
    assert sol.bound <= sol.objective <= problem.objective(chosen) + 1e-9


@pytest.mark.parametrize("method", ["local", "exact"])
def test_a_spent_time_limit_gives_a_valid_answer_with_an_honest_bound(method):
    """``time_limit_s`` bounds the search over radii: with no time left the answer is the
    greedy one, still feasible, and its bound a true lower bound (so not claimed optimal
    unless it is); with time, the same instance is solved to the optimum."""
    rng = np.random.default_rng(7)
    n, m, p = 60, 12, 3
    cost = rng.uniform(0, 20, (n, m)).round(2)
    rows, cols = np.nonzero(cost < 12)
    sparse = sp.coo_matrix((cost[rows, cols], (rows, cols)), shape=(n, m))
    problem = PCenter(sparse, np.ones(n), p, unreachable_cost=25.0)
    best = min(problem.objective(list(c)) for c in itertools.combinations(range(m), p))
    rushed = problem.solve(method, time_limit_s=1e-9)
    assert problem.feasible(rushed.selected)
    assert rushed.bound <= best + 1e-9 <= rushed.objective + 2e-9
    assert rushed.optimal == (rushed.objective <= rushed.bound + 1e-9)
    assert rushed.bound < problem.solve(method).bound  # the limit stopped the search early
    full = problem.solve(method, time_limit_s=60.0)
    assert full.objective == pytest.approx(problem.solve(method).objective)
