"""The array-only kernels on their own: the LP branch and bound and its hand-over to HiGHS,
the set-covering reductions and the fractional knapsack per site."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.optimize import MaximalCoverage
from planner.optimize._kernels import (
    Model,
    Relaxation,
    knapsack_fill,
    reduce_set_cover,
    solve_binary,
)

from .conftest import brute_force


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    p=st.integers(1, 4),
    whole=st.booleans(),
    node_limit=st.sampled_from([1, 2000]),
)
def test_lp_branch_and_bound_and_its_hand_over_to_highs(seed, p, whole, node_limit):
    """From the weakest incumbent (no site: nothing covered), the LP search (or HiGHS's
    MILP after one node) must find the brute-force optimum; whole-number weights let it
    prune by a whole unit."""
    rng = np.random.default_rng(seed)
    cover = rng.random((14, 9)) < 0.3
    w = rng.integers(1, 9, 14).astype(float) if whole else rng.gamma(2.0, 1.0, 14)
    prob = MaximalCoverage(sp.csc_matrix(cover.astype(float)), w, p)
    best, _ = brute_force(prob, p, 9)
    res = solve_binary(prob._milp(), 0.0, None, granularity=float(whole), node_limit=node_limit)
    assert res.optimal
    if best > 1e-9:
        chosen = np.flatnonzero(res.x[:9] > 0.5)
        assert len(chosen) <= p and prob.objective(chosen) == pytest.approx(best)
    assert -res.bound == pytest.approx(best)


def test_relaxation_takes_only_binary_integer_columns():
    a = sp.csc_matrix(np.ones((1, 2)))
    model = Model(np.ones(2), a, np.ones(1), np.full(1, np.inf), np.zeros(2),
                  np.array([1.0, 3.0]), np.ones(2, bool))  # fmt: skip
    with pytest.raises(ValueError, match="0/1"):
        Relaxation(model)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), density=st.floats(0.05, 0.4))
def test_set_cover_reductions_keep_a_minimum_cover(seed, density):
    rng = np.random.default_rng(seed)
    a = rng.random((12, 8)) < density
    a[np.arange(12), rng.integers(0, 8, 12)] = True

    def fewest(mat, cols):
        return next(
            k
            for k in range(len(cols) + 1)
            for c in itertools.combinations(cols, k)
            if mat[:, list(c)].any(axis=1).all()
        )

    rows, cols, forced = reduce_set_cover(sp.csr_matrix(a))
    assert not set(cols.tolist()) & set(forced.tolist())
    rest = a[np.ix_(rows, cols)]
    assert fewest(rest, list(range(len(cols)))) + len(forced) == fewest(a, list(range(8)))
    # a minimum cover of what is left, with the forced sites, covers every row of ``a``
    k = fewest(rest, list(range(len(cols))))
    best = next(
        c for c in itertools.combinations(range(len(cols)), k) if rest[:, list(c)].any(1).all()
    )
    chosen = np.concatenate([forced, cols[list(best)]]).astype(int)
    assert a[:, chosen].any(axis=1).all()


def test_knapsack_fill_by_hand():
    """Site 0 holds 5: it takes its best pair (3 per unit, amount 4) whole and 1 of the next
    (2 per unit); the pair of value <= 0 is left out. Site 1 has room for all of its pair."""
    pj = np.array([0, 0, 0, 1])
    unit = np.array([2.0, 3.0, -1.0, 1.0])
    amount = np.array([4.0, 4.0, 9.0, 2.0])
    value, take = knapsack_fill(pj, unit, amount, np.array([5.0, 10.0]))
    assert take.tolist() == [1.0, 4.0, 0.0, 2.0]
    assert value.tolist() == [3.0 * 4 + 2.0 * 1, 2.0]
