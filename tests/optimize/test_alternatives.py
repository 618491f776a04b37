"""Another set of sites of the same value: when the answer is proven optimal, one more HiGHS
solve excludes the chosen set and asks for the same value; checked against brute force."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings

from planner.optimize import CapacitatedCoverage, MaximalCoverage, PMedian, SetCover
from planner.plan import objectives
from planner.plan.request import PlanRequest

from .conftest import coverage_instances

#: Two identical candidates (0 and 1) serve the heavy demand; candidate 2 the light one.
TWINS = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]], dtype=float)


@pytest.mark.parametrize("method", ["local", "exact"])
def test_two_identical_candidates_are_alternatives(method):
    sol = MaximalCoverage(sp.csc_matrix(TWINS), [5.0, 5.0, 1.0], 1).solve(method)
    assert sol.optimal and sol.selected.tolist() == [0]  # the tie goes to the first column
    assert sol.alternatives is True and sol.alternative.tolist() == [1]


def test_a_unique_optimum_has_no_alternative():
    cover = sp.csc_matrix(np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1]], dtype=float))
    sol = MaximalCoverage(cover, [5.0, 5.0, 1.0], 1).solve("exact")
    assert sol.optimal and sol.alternatives is False and sol.alternative.size == 0


def test_greedy_and_unproven_answers_do_not_know():
    sol = MaximalCoverage(sp.csc_matrix(TWINS), [5.0, 5.0, 1.0], 1).solve("greedy")
    assert sol.alternatives is None


def test_capacities_and_p_median_find_the_twin_too():
    cap = CapacitatedCoverage(sp.csc_matrix(TWINS), [5.0, 5.0, 1.0], [20.0] * 3, 1).solve("local")
    assert cap.optimal and cap.alternatives is True and cap.alternative.tolist() == [1]
    cost = np.array([[0, 0, 5], [1, 1, 5], [5, 5, 0]], dtype=float)
    med = PMedian(cost, np.ones(3), 2).solve("exact")
    assert med.optimal and med.alternatives is True
    assert sorted(med.alternative.tolist()) == [1, 2] and sorted(med.selected.tolist()) == [0, 2]


def test_the_same_inputs_give_the_same_alternative():
    runs = [MaximalCoverage(sp.csc_matrix(TWINS), [5.0, 5.0, 1.0], 1).solve("exact")
            for _ in range(2)]  # fmt: skip
    assert [r.alternative.tolist() for r in runs] == [[1], [1]]


def _brute_alternatives(prob, sel: tuple[int, ...], value: float, n_c: int) -> bool:
    """Another feasible set with at least as many sites as ``sel``, not containing all of
    it, of the same value."""
    for k in range(len(sel), prob.p + 1):
        for combo in itertools.combinations(range(n_c), k):
            if set(sel) <= set(combo) or not prob.feasible(combo):
                continue
            if abs(prob.objective(combo) - value) <= 1e-9:
                return True
    return False


@settings(max_examples=60, deadline=None)
@given(coverage_instances())
def test_alternatives_against_brute_force(inst):
    mats, w, covered, tw, p = inst
    prob = MaximalCoverage(
        [sp.csc_matrix(m.astype(float)) for m in mats], w, p, threshold_weights=tw, covered=covered
    )
    sol = prob.solve("exact")
    if not len(sol.selected):
        assert sol.alternatives is None
        return
    want = _brute_alternatives(prob, tuple(sol.selected.tolist()), sol.objective, mats[0].shape[1])
    assert sol.alternatives is want
    if want:
        other = sol.alternative
        assert prob.feasible(other) and prob.objective(other) == pytest.approx(sol.objective)
        assert not set(sol.selected.tolist()) <= set(other.tolist())


def test_reach_exact_stopped_short_says_not_proven_with_the_best_bound():
    rng = np.random.default_rng(3)
    pts = rng.uniform(0, 100, size=(80, 2))
    dist = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    problem = SetCover.from_cost_matrix(dist, np.ones(80), threshold=15.0)
    short = problem.solve("exact", time_limit_s=1e-9)  # stops before the proof
    assert not short.optimal and short.objective == 19 and short.bound == 18
    reach = objectives.Reach(minutes=10, share=1.0)
    request = PlanRequest.from_options(reach="100%@10", method="exact")
    text = reach.certificate(short, request, 80.0)
    assert text.endswith("19 (not proven: best bound 18 sites)"), text
    full = problem.solve("exact")
    assert full.optimal and full.objective == 18
    assert reach.certificate(full, request, 80.0).endswith("18 (proven the fewest)")
