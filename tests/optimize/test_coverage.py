"""Maximal coverage: exact against brute force, heuristics against their guarantees, the
spacing rule, the greedy curve, the start repair shared with the capacitated problem, and
the published optima of Swain's instance."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.core.errors import ConfigError
from planner.optimize import MaximalCoverage, spacing_conflicts

from .conftest import brute_force, coverage_instances, need_bench, swain


@settings(max_examples=80, deadline=None)
@given(coverage_instances())
def test_coverage_exact_equals_brute_force_and_heuristics_keep_their_promises(inst):
    mats, w, covered, tw, p = inst
    prob = MaximalCoverage(
        [sp.csc_matrix(m.astype(float)) for m in mats], w, p, threshold_weights=tw, covered=covered
    )
    n_c = mats[0].shape[1]
    best, _ = brute_force(prob, p, n_c)
    exact = prob.solve("exact")
    assert exact.objective == pytest.approx(best) and exact.optimal
    greedy = prob.solve("greedy")
    local = prob.solve("local")
    assert local.objective >= greedy.objective - 1e-9  # local search never worse than greedy
    assert greedy.objective >= (1 - 1 / np.e) * best - 1e-9
    assert np.all(np.diff(greedy.gains) <= 1e-9)  # gains never increase along the order
    for sol in (greedy, local, exact):
        assert sol.bound >= best - 1e-6  # every bound is a true upper bound
        assert len(set(sol.selected.tolist())) == len(sol.selected) <= p
        # the gains are what each pick adds, in order: they sum to the objective
        assert float(np.sum(sol.gains)) == pytest.approx(sol.objective)


@settings(max_examples=40, deadline=None)
@given(coverage_instances(), st.data())
def test_spacing_is_respected(inst, data):
    mats, w, covered, tw, p = inst
    n_c = mats[0].shape[1]
    xy = np.array(data.draw(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)),
                                     min_size=n_c, max_size=n_c)), dtype=float)  # fmt: skip
    conflicts, allowed = spacing_conflicts(xy, 2.0, existing_xy=np.array([[0.0, 0.0]]))
    p = min(p, int(allowed.sum()))
    prob = MaximalCoverage(
        [sp.csc_matrix(m.astype(float)) for m in mats],
        w,
        p,
        threshold_weights=tw,
        covered=covered,
        conflicts=conflicts,
        allowed=allowed,
    )
    best, _ = brute_force(prob, p, n_c)
    for method in ("greedy", "local", "exact"):
        sol = prob.solve(method)
        assert prob.feasible(sol.selected), method
        sel = xy[sol.selected]
        if len(sel) > 1:
            d = np.sqrt(((sel[:, None] - sel[None]) ** 2).sum(-1))
            assert d[np.triu_indices(len(sel), 1)].min() >= 2.0
        assert (np.sqrt((sel**2).sum(-1)) >= 2.0).all()  # away from the existing station
        assert sol.bound >= best - 1e-6
    assert prob.solve("exact").objective == pytest.approx(best)


@settings(max_examples=40, deadline=None)
@given(coverage_instances(), st.data())
def test_fill_repairs_any_start_and_tops_it_up(inst, data):
    """Not allowed, repeated and conflicting sites are dropped in order (the first of a
    conflicting pair stays), the rest kept; greedy picks fill the places left up to ``p``
    while any candidate still adds something."""
    mats, w, covered, tw, p = inst
    n_c = mats[0].shape[1]
    xy = np.array(data.draw(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)),
                                     min_size=n_c, max_size=n_c)), dtype=float)  # fmt: skip
    conflicts, allowed = spacing_conflicts(xy, 1.5, existing_xy=np.array([[0.0, 0.0]]))
    p = min(p, int(allowed.sum()))
    prob = MaximalCoverage(
        [sp.csc_matrix(m.astype(float)) for m in mats], w, p, threshold_weights=tw,
        covered=covered, conflicts=conflicts, allowed=allowed,
    )  # fmt: skip
    start = data.draw(st.lists(st.integers(0, n_c - 1), max_size=p + 2))
    filled = prob.fill(start)
    assert prob.feasible(filled)
    kept: list[int] = []
    for j in start:
        ok = allowed[j] and j not in kept and not conflicts[[j]][:, kept].count_nonzero()
        if ok and len(kept) < p:
            kept.append(j)
    assert filled[: len(kept)].tolist() == kept
    if len(filled) < p:  # stopped early: no candidate left that could add anything
        rest = [j for j in range(n_c) if prob.feasible([*filled.tolist(), j])]
        assert all(
            prob.objective([*filled.tolist(), j]) <= prob.objective(filled) + 1e-9 for j in rest
        )


def test_fill_drops_what_the_start_may_not_hold():
    cover = sp.csc_matrix(np.eye(4))
    conflicts = sp.csr_matrix(np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0] * 4, [0] * 4], bool))
    prob = MaximalCoverage(
        cover, np.array([1.0, 2.0, 3.0, 4.0]), 3, conflicts=conflicts,
        allowed=np.array([True, True, False, True]),
    )  # fmt: skip
    # 2 is not allowed, 1 conflicts with 0, 0 repeats: 0 stays, greedy adds 3
    assert prob.fill([0, 2, 1, 0]).tolist() == [0, 3]


def test_coverage_curve_is_the_greedy_order():
    rng = np.random.default_rng(4)
    cost = rng.uniform(0, 10, size=(80, 12))
    prob = MaximalCoverage.from_cost_matrix(cost, np.ones(80), threshold=3.0, p=4)
    curve = prob.curve(8)
    assert curve["k"].tolist() == list(range(1, len(curve) + 1))
    assert (np.diff(curve["marginal"]) <= 1e-9).all()
    assert curve["cumulative"].iloc[3] == pytest.approx(prob.solve("greedy").objective)
    assert curve["share_of_possible"].iloc[-1] <= 1.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"p": 5}, r"^p: asked for 5 new sites but there are only 2 usable candidate sites"),
        ({"p": -1}, r"^p: asked for -1 new sites"),
        ({"p": 1, "threshold_weights": [1.0, 2.0]}, r"^threshold_weights: expected one weight"),
        ({"p": 1, "weights": [1.0, -1.0, 1.0]}, r"^weights: every weight must be finite"),
        ({"p": 1, "weights": [1.0]}, r"^weights: expected one per demand row \(3\), got 1"),
    ],
)
def test_bad_arguments_are_named_in_the_error(kwargs, message):
    """Library errors name the argument of the signature (``p``), never a CLI flag."""
    args = {"weights": np.ones(3), **kwargs}
    with pytest.raises(ConfigError, match=message) as err:
        MaximalCoverage(sp.csc_matrix(np.ones((3, 2))), args.pop("weights"), **args)
    assert "--" not in str(err.value)


@pytest.mark.parametrize("s, p, optimum", [(10, 5, 609), (10, 7, 633), (10, 8, 638)])
def test_swain_published_optima(s, p, optimum):
    need_bench()
    cost2, d = swain()  # squared distances: ties at exactly S count as covered
    prob = MaximalCoverage.from_cost_matrix(cost2, d, threshold=s * s, p=p)
    exact = prob.solve("exact")
    assert exact.objective == optimum and exact.optimal
    local = prob.solve("local")
    assert local.objective >= 0.995 * optimum
    assert local.objective <= optimum <= local.bound + 1e-9
