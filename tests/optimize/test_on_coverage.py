"""The optimiser on coverage matrices: MaximalCoverage from a cost matrix or from the
network coverage (analysis.coverage.Coverage)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from planner import optimize
from planner.analysis import coverage
from planner.core.errors import ConfigError

from ..conftest import times_from_dense as _times

#: numpy's "invalid value" and "divide by zero" warnings mean a 0 × inf or 0 / 0 somewhere.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


INF = np.inf


def test_asking_for_more_sites_than_candidates_is_a_clear_error():
    with pytest.raises(ConfigError, match="only 2 usable candidate"):
        optimize.MaximalCoverage(sp.csc_matrix(np.ones((3, 2))), np.ones(3), 5)


def test_from_cost_matrix_dense_and_sparse_agree():
    rng = np.random.default_rng(3)
    cost = rng.uniform(0.5, 20, size=(30, 8))
    w = rng.integers(1, 5, size=30)
    a = optimize.MaximalCoverage.from_cost_matrix(cost, w, threshold=8.0, p=3).solve()
    far = cost > 12  # a sparse matrix leaves out what is beyond reach
    b = optimize.MaximalCoverage.from_cost_matrix(
        sp.csr_matrix(np.where(far, 0, cost)), w, threshold=8.0, p=3
    ).solve()
    assert a.selected.tolist() == b.selected.tolist()
    assert (
        a.objective
        == b.objective
        == pytest.approx(float(w[(cost[:, a.selected] <= 8).any(axis=1)].sum()))
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_existing=st.integers(0, 3),
    p=st.integers(0, 3),
    method=st.sampled_from(["greedy", "local", "exact"]),
)
def test_existing_stations_are_always_kept(seed, n_existing, p, method):
    """The value of new sites is what they add to the existing stations, never what they
    would cover alone: exact equals brute force over station sets that contain every
    existing station, and every method's figure is what its sites really add."""
    rng = np.random.default_rng(seed)
    n_h, n_c = 9, 5
    t = np.where(
        rng.random((n_existing + n_c, n_h)) < 0.5,
        rng.uniform(0, 1000, (n_existing + n_c, n_h)),
        INF,
    )
    w = rng.integers(0, 6, n_h).astype(float)
    thresholds = (480.0, 600.0, 900.0)
    tw = rng.choice([0.0, 1.0, 2.0], 3)
    cov_st = coverage.Coverage(_times(t[:n_existing].reshape(n_existing, n_h)), w, thresholds)
    cov_cand = coverage.Coverage(_times(t[n_existing:]), w, thresholds)

    def value(rows):  # weighted demand within each threshold of any of these stations
        if not len(rows):
            return 0.0
        best = t[list(rows)].min(axis=0)
        return sum(tw[k] * w[best <= th].sum() for k, th in enumerate(thresholds))

    kept = list(range(n_existing))
    base = value(kept)
    best = max(
        value(kept + [n_existing + j for j in combo]) - base
        for k in range(p + 1)
        for combo in itertools.combinations(range(n_c), k)
    )
    prob = optimize.MaximalCoverage.from_coverage(
        cov_cand, p, existing=cov_st, threshold_weights=tw
    )
    sol = prob.solve(method)
    added = value(kept + [n_existing + int(j) for j in sol.selected]) - base
    assert sol.objective == pytest.approx(added)
    assert sol.bound >= best - 1e-6
    if method == "exact":
        assert sol.objective == pytest.approx(best)
