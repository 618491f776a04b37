"""Set cover: the fewest sites against brute force (full and partial targets, with demand the
existing stations cover), the published optima of Swain's instance and clear errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.core.errors import ConfigError
from planner.optimize import SetCover

from .conftest import cost_instances, need_bench, swain


@settings(max_examples=40, deadline=None)
@given(cost_instances(), st.integers(0, 20))
def test_full_set_cover_of_a_cost_matrix_against_brute_force(inst, threshold):
    cost, w, _ = inst
    m = cost.shape[1]
    cover = cost <= threshold
    if not ((cover.any(axis=1) | (w == 0)).all() and w.sum() > 0):
        return  # no full cover exists: the error case has its own test
    sc = SetCover(sp.csc_matrix(cover.astype(float)), w, target_share=1.0)
    fewest = min(
        k
        for k in range(m + 1)
        for c in itertools.combinations(range(m), k)
        if sc.covered_demand(c) >= w.sum() - 1e-9
    )
    ex = sc.solve("exact")
    assert ex.objective == fewest and sc.covered_demand(ex.selected) >= w.sum() - 1e-9
    loc = sc.solve("local")
    assert loc.objective >= fewest and loc.bound <= fewest
    assert sc.covered_demand(loc.selected) >= w.sum() - 1e-9


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    density=st.floats(0.1, 0.5),
    target=st.sampled_from([1.0, 1.0, 0.9, 0.75, 0.5]),
    existing=st.booleans(),
)
def test_set_cover_against_brute_force(seed, density, target, existing):
    """Full and partial targets, with and without demand the existing stations cover; big
    enough that the set-covering reductions force and drop sites."""
    rng = np.random.default_rng(seed)
    n, m = 14, 9
    cover = rng.random((n, m)) < density
    cover[np.arange(n), rng.integers(0, m, n)] = True  # every row reachable
    w = rng.integers(0, 6, n).astype(float)
    if w.sum() == 0:
        w[0] = 1.0
    covered = rng.random(n) < 0.3 if existing else None
    sc = SetCover(sp.csc_matrix(cover.astype(float)), w, target_share=target, covered=covered)
    fewest = next(
        k for k in range(m + 1) for c in itertools.combinations(range(m), k) if sc.reaches_target(c)
    )
    ex = sc.solve("exact")
    assert ex.optimal and ex.objective == fewest == len(ex.selected)
    assert sc.reaches_target(ex.selected) and len(set(ex.selected.tolist())) == fewest
    for method in ("greedy", "local"):
        sol = sc.solve(method)
        assert sc.reaches_target(sol.selected) and sc.feasible(sol.selected)
        assert sol.objective == len(sol.selected) == sc.objective(sol.selected)
        assert sol.objective >= fewest >= sol.bound


def test_a_target_the_stations_already_meet_needs_no_site():
    cover = sp.csc_matrix(np.array([[1.0, 0.0], [0.0, 1.0]]))
    sc = SetCover(cover, [3.0, 1.0], target_share=0.75, covered=np.array([True, False]))
    for method in ("greedy", "local", "exact"):
        sol = sc.solve(method)
        assert sol.selected.tolist() == [] and sol.objective == 0 and sol.optimal


def test_unreachable_target_is_a_clear_error():
    with pytest.raises(ConfigError, match=r"^target_share: .*lower the target"):
        SetCover(sp.csc_matrix(np.array([[1.0], [0.0]])), [1, 1], target_share=0.9)
    with pytest.raises(ConfigError, match=r"^target_share: expected a share .* got 1.5"):
        SetCover(sp.csc_matrix(np.array([[1.0], [1.0]])), [1, 1], target_share=1.5)


@pytest.mark.parametrize("s, fewest", [(5, 30), (10, 9), (15, 5), (19, 3)])
def test_swain_fewest_stations_published_optima(s, fewest):
    """S=15 is covered by the forced sites alone; S=10 needs the LP search."""
    need_bench()
    cost2, d = swain()
    sc = SetCover.from_cost_matrix(cost2, d, threshold=s * s)
    for method in ("exact", "local"):
        sol = sc.solve(method)
        assert sol.objective == fewest and sol.optimal and sc.reaches_target(sol.selected)
