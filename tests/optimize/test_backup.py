"""Backup coverage (BackupCoverage): every method against brute force over every choice of
sites, by hand, and level 1 against maximal coverage."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from planner.core.errors import ConfigError
from planner.optimize import BackupCoverage, MaximalCoverage, _kernels


def _instance(seed: int, level: int = 2):
    rng = np.random.default_rng(seed)
    n, m, k = int(rng.integers(2, 16)), int(rng.integers(1, 8)), int(rng.integers(1, 3))
    cover = [rng.random((n, m)) < 0.35 for _ in range(k)]
    w = rng.integers(0, 5, n).astype(float)
    existing = rng.integers(0, 3, (k, n))
    allowed = rng.random(m) < 0.85
    p = int(rng.integers(0, allowed.sum() + 1))
    problem = BackupCoverage(
        [sp.csc_matrix(c) for c in cover], w, p, existing=existing, level=level, allowed=allowed
    )
    return problem, cover, w, existing, allowed, p


def _value(cover, w, existing, chosen, level=2) -> float:
    """Demand newly reached by ``level`` stations or more, from the dense matrices."""
    total = 0.0
    for c, e in zip(cover, existing, strict=True):
        count = e + c[:, list(chosen)].sum(axis=1)
        total += float(w[(count >= level) & (e < level)].sum())
    return total


@pytest.mark.parametrize("seed", range(45))
def test_every_method_against_brute_force(seed):
    problem, cover, w, existing, allowed, p = _instance(seed)
    best = max(_value(cover, w, existing, c)
               for c in itertools.combinations(np.flatnonzero(allowed), p))  # fmt: skip
    for method in ("greedy", "local", "exact"):
        sol = problem.solve(method)
        assert problem.feasible(sol.selected) and allowed[sol.selected].all()
        assert sol.objective == _value(cover, w, existing, sol.selected)
        assert sol.bound >= best - 1e-9 and sol.objective <= best  # a valid bound
        assert sol.gains.sum() == pytest.approx(sol.objective)
    exact = problem.solve("exact")
    assert exact.optimal and exact.objective == best


@pytest.mark.parametrize("seed", range(20))
def test_the_greedy_bound_and_the_lp_bound_hold(seed):
    problem, cover, w, existing, allowed, p = _instance(seed)
    if p == 0:
        return
    best = max(_value(cover, w, existing, c)
               for c in itertools.combinations(np.flatnonzero(allowed), p))  # fmt: skip
    _, online = problem._greedy()
    assert online >= best - 1e-9
    lp = _kernels.solve_milp(*problem._milp(), relax=True)
    assert -lp.objective >= best - 1e-7


@pytest.mark.parametrize("seed", range(15))
def test_level_one_is_maximal_coverage(seed):
    """With one station enough, backup coverage is plain maximal coverage."""
    problem, cover, w, existing, allowed, p = _instance(seed, level=1)
    mclp = MaximalCoverage([sp.csc_matrix(c) for c in cover], w, p,
                           covered=existing > 0, allowed=allowed)  # fmt: skip
    assert problem.solve("exact").objective == pytest.approx(mclp.solve("exact").objective)


def test_a_second_station_near_the_busiest_demand_wins():
    """Hotspot 0 (weight 5) has one station within reach; hotspot 1 (weight 3) none. Site 0
    reaches hotspot 0, sites 1 and 2 reach hotspot 1: one site backs up hotspot 0 (5); two
    back up hotspot 1 (3) or hotspot 0 (5); three back up both (8)."""
    cover = sp.csc_matrix(np.array([[1, 0, 0], [0, 1, 1]], dtype=bool))
    one = BackupCoverage(cover, [5.0, 3.0], 1, existing=np.array([[1, 0]]))
    sol = one.solve("exact")
    assert sol.selected.tolist() == [0] and sol.objective == 5.0 and sol.optimal
    two = BackupCoverage(cover, [5.0, 3.0], 2, existing=np.array([[1, 0]]))
    assert two.solve("local").objective == 5.0
    assert two.objective([1, 2]) == 3.0 and two.objective([0, 1]) == 5.0
    three = BackupCoverage(cover, [5.0, 3.0], 3, existing=np.array([[1, 0]]))
    assert three.solve("greedy").objective == 8.0


def test_stored_zeros_of_the_cover_reach_nothing():
    cover = sp.csc_matrix((np.array([1.0, 0.0, 1.0]), (np.array([0, 0, 1]), np.array([0, 1, 1]))),
                          shape=(2, 2))  # fmt: skip
    problem = BackupCoverage(cover, [1.0, 1.0], 1, existing=np.array([[1, 1]]))
    assert problem.objective([1]) == 1.0  # site 1 reaches row 1 only


def test_demand_already_backed_up_adds_nothing():
    cover = sp.csc_matrix(np.ones((2, 2), dtype=bool))
    problem = BackupCoverage(cover, [1.0, 1.0], 2, existing=np.array([[2, 5]]))
    sol = problem.solve("greedy")
    assert sol.objective == 0.0 and sol.bound == 0.0 and sol.optimal


def test_bad_arguments_name_the_argument():
    cover = sp.csc_matrix(np.ones((2, 2), dtype=bool))
    with pytest.raises(ConfigError, match="^p: asked for 3"):
        BackupCoverage(cover, [1, 1], 3)
    with pytest.raises(ConfigError, match="^level"):
        BackupCoverage(cover, [1, 1], 1, level=0)
    with pytest.raises(ConfigError, match="^cover"):
        BackupCoverage([cover, sp.csc_matrix(np.ones((3, 2)))], [1, 1], 1)
