"""Capacitated coverage: exact against brute force over every set of sites (each valued by
scipy's LP), a case by hand, and the Lagrangian bound against the LP of the strong
formulation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.core.errors import ConfigError
from planner.optimize import CapacitatedCoverage, MaximalCoverage, _kernels

from .conftest import served_linprog


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_capacitated_coverage_against_brute_force(data):
    """Two nested thresholds with weights, existing stations, capacities that bind or not:
    exact equals brute force over every set of sites (each valued by scipy's LP), the
    heuristics report what their sites really serve, every bound holds, and without
    binding capacities the answer is that of maximal coverage."""
    n = data.draw(st.integers(1, 7))
    m = data.draw(st.integers(1, 5))
    times = st.sampled_from([0.0, 1.0, 2.0, 9.0])
    t = np.array(data.draw(st.lists(st.lists(times, min_size=m, max_size=m),
                                    min_size=n, max_size=n)))  # fmt: skip
    existing = np.array(data.draw(st.lists(times, min_size=n, max_size=n)))
    thresholds = (1.0, 2.0)
    covers = [sp.csc_matrix((t <= th).astype(float)) for th in thresholds]
    covered = np.stack([existing <= th for th in thresholds])
    w = np.array(data.draw(st.lists(st.integers(0, 6), min_size=n, max_size=n)), dtype=float)
    cap = np.array(data.draw(st.lists(st.integers(0, 8), min_size=m, max_size=m)), dtype=float)
    tw = np.array(data.draw(st.lists(st.sampled_from([0.5, 1.0, 2.0]), min_size=2, max_size=2)))
    p = data.draw(st.integers(0, m))
    value = sum(tw[k] * ((t <= th) & ~covered[k][:, None]) for k, th in enumerate(thresholds))
    clash = np.triu(np.array(data.draw(st.lists(st.booleans(), min_size=m * m, max_size=m * m)))
                    .reshape(m, m), 1) & data.draw(st.booleans())  # fmt: skip
    conflicts = sp.csr_matrix(clash | clash.T)

    def make(capacities):
        return CapacitatedCoverage(covers, w, capacities, p, threshold_weights=tw,
                                   covered=covered, conflicts=conflicts)  # fmt: skip

    prob = make(cap)
    best = max(
        served_linprog(value, w, cap, c)
        for k in range(p + 1)
        for c in itertools.combinations(range(m), k)
        if not clash[np.ix_(c, c)].any()
    )
    exact = prob.solve("exact")
    assert exact.optimal and exact.objective == pytest.approx(best, abs=1e-6)
    greedy, local = prob.solve("greedy"), prob.solve("local")
    assert local.objective >= greedy.objective - 1e-9
    # the bound that prunes swaps never hides an improving one: from the first p sites
    # (fewer candidates than tries per position), swaps end where no single swap improves
    start = prob.uncapacitated.fill(np.arange(p))
    ends, end_value = prob._swaps(start, prob.objective(start), evaluations=10**6)
    for pos in range(len(ends)):
        for j in set(range(m)) - set(ends.tolist()):
            trial = ends.copy()
            trial[pos] = j
            if prob.feasible(trial):
                assert served_linprog(value, w, cap, trial.tolist()) <= end_value + 1e-6
    for sol in (greedy, local, exact):
        assert len(set(sol.selected.tolist())) == len(sol.selected) <= p
        assert prob.feasible(sol.selected)
        assert sol.objective == pytest.approx(
            served_linprog(value, w, cap, sol.selected.tolist()), abs=1e-6
        )
        assert sol.objective <= best + 1e-6 <= sol.bound + 2e-6
        served = prob.served(sol.selected)
        assert (served <= cap[sol.selected] + 1e-6).all()
        # the objective is the served demand counted once per threshold it is served within
        assert float(tw @ prob.served_within(sol.selected)) == pytest.approx(sol.objective)
    # capacities above all demand: maximal coverage with existing stations and weights
    free = make(np.full(m, np.inf)).solve("exact")
    mc = MaximalCoverage(
        covers, w, p, threshold_weights=tw, covered=covered, conflicts=conflicts
    ).solve("exact")
    assert free.objective == pytest.approx(mc.objective, abs=1e-6)


def test_capacitated_coverage_by_hand():
    """Two sites reach three hotspots of demand 4, 3 and 2; each can serve 5. One site: 5
    (its capacity). Two sites: site 0 takes hotspot 0 (4) and one unit of hotspot 1,
    site 1 the rest of hotspot 1 and hotspot 2 (2 + 2): all 9."""
    cover = sp.csc_matrix(np.array([[1, 0], [1, 1], [0, 1]], dtype=float))
    w = np.array([4.0, 3.0, 2.0])
    one = CapacitatedCoverage(cover, w, [5.0, 5.0], 1).solve("exact")
    assert one.objective == pytest.approx(5.0) and one.optimal
    two = CapacitatedCoverage(cover, w, [5.0, 5.0], 2)
    sol = two.solve("local")
    assert sol.objective == pytest.approx(9.0) and sol.gap == pytest.approx(0.0, abs=1e-9)
    assert two.served(sol.selected).sum() == pytest.approx(9.0)
    with pytest.raises(ConfigError, match="one value >= 0 per candidate"):
        CapacitatedCoverage(cover, w, [5.0, -1.0], 1)
    with pytest.raises(ConfigError, match=r"^capacities: expected one value >= 0 .* got 3"):
        CapacitatedCoverage(cover, w, [5.0, 5.0, 5.0], 1)
    with pytest.raises(ConfigError, match=r"^p: asked for 3 new sites"):  # the argument's name
        CapacitatedCoverage(cover, w, [5.0, 5.0], 3)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p=st.integers(1, 4))
def test_capacitated_lagrangian_bound_holds_and_nears_the_lp(seed, p):
    """Every value of the Lagrangian is at least the LP bound of the strong formulation
    (so at least the optimum); the subgradient steps bring it within 1% of that LP."""
    rng = np.random.default_rng(seed)
    cover = sp.csc_matrix((rng.random((40, 8)) < 0.35).astype(float))
    w = rng.integers(1, 9, 40).astype(float)
    prob = CapacitatedCoverage(cover, w, rng.integers(5, 40, 8).astype(float), p)
    lp = -_kernels.solve_milp(*prob._model(), relax=True).objective
    target = prob.solve("local").objective
    bound, _ = _kernels.lagrangian_capacitated(
        prob._pi, prob._pj, prob._pv, prob.weights, prob.capacities, p, prob.allowed, target
    )
    assert lp - 1e-6 <= bound <= lp * 1.01 + 1e-6
    assert prob.solve("exact").objective <= lp + 1e-6


def _scattered(seed: int, n: int = 150, m: int = 50, p: int = 12) -> CapacitatedCoverage:
    """Hotspots and candidates scattered over a 10 × 10 square, reach 2, capacities that
    bind (1.1 × demand / p)."""
    rng = np.random.default_rng(seed)
    hs, cd = rng.uniform(0, 10, (n, 2)), rng.uniform(0, 10, (m, 2))
    dist = np.hypot(*(hs[:, None, :] - cd[None, :, :]).transpose(2, 0, 1))
    w = rng.integers(1, 20, n).astype(float)
    return CapacitatedCoverage(sp.csc_matrix(dist < 2.0), w, np.full(m, 1.1 * w.sum() / p), p)


def test_the_lp_guided_search_leaves_the_swaps_local_optimum_for_the_optimum():
    prob = _scattered(10)
    start = prob._greedy()
    stuck, stuck_value = prob._swaps(start, prob.objective(start), evaluations=10**4)
    best = prob.solve("exact")
    assert best.optimal and stuck_value < best.objective - 1.0  # no swap helps, yet worse

    def fill(sites):
        return prob.uncapacitated.fill(np.concatenate([prob.fixed, sites]))

    guided, value = prob._guided(stuck, stuck_value, fill, evaluations=400)
    assert value == pytest.approx(best.objective) == pytest.approx(prob.objective(guided))
    assert prob.feasible(guided)


def test_the_neighbourhood_search_keeps_what_the_answer_and_the_lp_agree_on():
    prob = _scattered(10)
    n = len(prob.capacities)
    model = prob._model()
    _, _, lp = _kernels.Relaxation(model).solve()
    sel = prob._greedy()
    x = np.zeros(n)
    x[sel] = 1.0
    vector = np.concatenate([x, prob._assignment(sel)[1]])
    work = _kernels.Work(nodes=200, lp_iterations=10**5)
    res = _kernels.neighbourhood_search(
        model, lp, vector, -prob.objective(sel), n_sites=n, work=work
    )
    found = np.flatnonzero(res.x[:n] > 0.5)
    assert res.x.size and prob.objective(found) > prob.objective(sel) + 1.0
    assert -res.objective == pytest.approx(prob.objective(found))
    both_open = np.flatnonzero((x > 0.5) & (lp[:n] > 1 - 1e-6))
    both_closed = np.flatnonzero((x < 0.5) & (lp[:n] < 1e-6))
    assert set(both_open) <= set(found) and not set(both_closed) & set(found)
    # from the optimum nothing better is found
    best = prob.solve("exact")
    x[:] = 0.0
    x[best.selected] = 1.0
    vector = np.concatenate([x, prob._assignment(best.selected)[1]])
    again = _kernels.neighbourhood_search(model, lp, vector, -best.objective, n_sites=n, work=work)
    assert again.x.size == 0


def test_the_split_memo_gives_the_split_the_lp_gives(monkeypatch):
    prob = _scattered(3)
    rng = np.random.default_rng(7)
    sets = [rng.choice(len(prob.capacities), size=5, replace=False) for _ in range(12)]
    fresh = [_kernels.Transport(prob._pi, prob._pj, prob._pv, prob.weights, prob.capacities)
             .split(s) for s in sets]  # fmt: skip
    monkeypatch.setattr("planner.optimize._kernels.transport.MEMO_NUMBERS", 1_000)
    memo = _kernels.Transport(prob._pi, prob._pj, prob._pv, prob.weights, prob.capacities)
    for k in [*range(12), *range(11, -1, -1), 3, 3, 0]:  # again, backwards, repeated
        value, z, u = memo.split(sets[k][::-1])  # the order of the sites does not matter
        assert value == fresh[k][0]
        assert np.array_equal(z, fresh[k][1]) and np.array_equal(u, fresh[k][2])
        z[:] = -1.0  # what a caller does with its copy stays its own
    assert len(memo._memo) < 12 and memo._size <= 1_000  # the oldest sets forgotten


def test_a_root_lp_past_the_work_leaves_the_answer_unproven_without_the_exact_step(
    monkeypatch,
):
    solved = _scattered(10).solve("local")
    assert solved.optimal  # with the work, the proof step proves it
    monkeypatch.setattr("planner.optimize.capacitated.CAPACITY_LP_ITERATION_PAIRS", 0)
    prob = _scattered(10)
    assert prob._lp_work().lp_iterations == 500
    monkeypatch.setattr(
        prob, "_lp_work", lambda: _kernels.Work(nodes=200, lp_iterations=5)
    )  # a root LP this work cannot finish
    calls = []
    monkeypatch.setattr(prob, "_exact", lambda *a: calls.append(a))
    cut = prob.solve("local")
    assert not calls and not cut.optimal and cut.bound >= solved.objective - 1e-6
    assert prob._root()[1] == "iteration limit"
