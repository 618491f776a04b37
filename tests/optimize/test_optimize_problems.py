"""Site optimiser: exact answers against brute force, heuristics against their guarantees,
and the published optima of the benchmark instances in ../shared/bench."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.csgraph import shortest_path

from planner.core.errors import ConfigError
from planner.optimize import MaximalCoverage, PMedian, SetCover, spacing_conflicts

BENCH = Path(__file__).resolve().parents[2].parent / "shared" / "bench"


@st.composite
def coverage_instances(draw):
    n_h = draw(st.integers(1, 10))
    n_c = draw(st.integers(1, 7))
    k = draw(st.integers(1, 2))
    mats = [
        np.array(draw(st.lists(st.lists(st.booleans(), min_size=n_c, max_size=n_c),
                               min_size=n_h, max_size=n_h)))
        for _ in range(k)
    ]  # fmt: skip
    w = np.array(draw(st.lists(st.integers(0, 9), min_size=n_h, max_size=n_h)), dtype=float)
    covered = np.array(draw(st.lists(st.lists(st.booleans(), min_size=n_h, max_size=n_h),
                                     min_size=k, max_size=k)))  # fmt: skip
    tw = np.array(draw(st.lists(st.sampled_from([1.0, 2.0, 0.5]), min_size=k, max_size=k)))
    p = draw(st.integers(0, n_c))
    return mats, w, covered, tw, p


def _brute(prob, p, n_c):
    best, arg = -1.0, ()
    combos = (c for k in range(p + 1) for c in itertools.combinations(range(n_c), k))
    for combo in combos:  # at most p sites: with spacing, p may not all fit
        if prob.feasible(combo):
            v = prob.objective(combo)
            if v > best + 1e-9:
                best, arg = v, combo
    return best, arg


@settings(max_examples=80, deadline=None)
@given(coverage_instances())
def test_coverage_exact_equals_brute_force_and_heuristics_keep_their_promises(inst):
    mats, w, covered, tw, p = inst
    prob = MaximalCoverage(
        [sp.csc_matrix(m.astype(float)) for m in mats], w, p, threshold_weights=tw, covered=covered
    )
    n_c = mats[0].shape[1]
    best, _ = _brute(prob, p, n_c)
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
    from planner.optimize._kernels import solve_binary

    rng = np.random.default_rng(seed)
    cover = rng.random((14, 9)) < 0.3
    w = rng.integers(1, 9, 14).astype(float) if whole else rng.gamma(2.0, 1.0, 14)
    prob = MaximalCoverage(sp.csc_matrix(cover.astype(float)), w, p)
    best, _ = _brute(prob, p, 9)
    model = prob._milp()
    res = solve_binary(model[:7], 0.0, None, granularity=float(whole), node_limit=node_limit)
    assert res.optimal
    if best > 1e-9:
        chosen = np.flatnonzero(res.x[:9] > 0.5)
        assert len(chosen) <= p and prob.objective(chosen) == pytest.approx(best)
    assert -res.bound == pytest.approx(best)


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
    best, _ = _brute(prob, p, n_c)
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
@given(st.data())
def test_pmedian_and_set_cover_against_brute_force(data):
    n = data.draw(st.integers(2, 8))
    m = data.draw(st.integers(1, 6))
    cost = np.array(data.draw(st.lists(st.lists(st.integers(0, 20), min_size=m, max_size=m),
                                       min_size=n, max_size=n)), dtype=float)  # fmt: skip
    w = np.array(data.draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=float)
    p = data.draw(st.integers(1, m))
    prob = PMedian(cost, w, p)
    best = min(prob.objective(c) for c in itertools.combinations(range(m), p))
    exact = prob.solve("exact")
    assert exact.objective == pytest.approx(best)
    greedy, local = prob.solve("greedy"), prob.solve("local")
    assert local.objective <= greedy.objective + 1e-9
    assert local.bound <= best + 1e-6
    threshold = data.draw(st.integers(0, 20))
    cover = cost <= threshold
    if (cover.any(axis=1) | (w == 0)).all() and w.sum() > 0:
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


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p=st.integers(1, 4), stations=st.integers(0, 2))
def test_pmedian_exact_with_real_costs_and_stations_against_brute_force(seed, p, stations):
    """Real-valued costs (no rounding of bounds) and existing stations; enough candidates
    that the Lagrangian bound rules sites in and out before the MILP on the rest."""
    rng = np.random.default_rng(seed)
    cost = rng.uniform(0, 10, (30, 10))  # not metric: the LP bound is often weak, so it branches
    base = rng.uniform(0, 10, (30, stations)).min(axis=1) if stations else None
    w = rng.gamma(2.0, 1.0, 30)
    prob = PMedian(cost, w, p, base_cost=base)
    best = min(prob.objective(c) for c in itertools.combinations(range(10), p))
    exact = prob.solve("exact")
    assert exact.optimal and exact.objective == pytest.approx(best, rel=1e-9)
    assert len(set(exact.selected.tolist())) == p
    for method in ("greedy", "local"):
        sol = prob.solve(method)
        assert sol.bound <= best * (1 + 1e-9) and sol.objective >= best * (1 - 1e-9)


def test_pmedian_exact_does_not_rely_on_a_good_local_answer(monkeypatch):
    """With swaps switched off the greedy answer is the incumbent; where it is not optimal,
    the sites the bound rules out must still leave room for the optimum."""
    monkeypatch.setattr(PMedian, "_interchange", lambda self, sel: np.asarray(sel))
    improved = 0
    for seed in range(150):
        rng = np.random.default_rng(seed)
        p = 1 + seed % 4
        prob = PMedian(rng.uniform(0, 10, (30, 10)), rng.gamma(2.0, 1.0, 30), p)
        best = min(prob.objective(c) for c in itertools.combinations(range(10), p))
        exact = prob.solve("exact")
        assert exact.optimal and exact.objective == pytest.approx(best, rel=1e-9), seed
        improved += prob.solve("greedy").objective > best + 1e-9
    assert improved >= 10  # the case this test is about did occur


@pytest.mark.parametrize("s, fewest", [(5, 30), (10, 9), (15, 5), (19, 3)])
def test_swain_fewest_stations_published_optima(s, fewest):
    """S=15 is covered by the forced sites alone; S=10 needs the LP search."""
    if not BENCH.exists():
        pytest.skip(f"benchmark instances not found at {BENCH} (needs ../shared/bench)")
    cost2, d = _swain()
    sc = SetCover.from_cost_matrix(cost2, d, threshold=s * s)
    for method in ("exact", "local"):
        sol = sc.solve(method)
        assert sol.objective == fewest and sol.optimal and sc.reaches_target(sol.selected)


@pytest.mark.parametrize("name, optimum", [("pmed1", 5819), ("pmed3", 4250)])
def test_pmedian_published_optima(name, optimum):
    if not BENCH.exists():
        pytest.skip(f"benchmark instances not found at {BENCH} (needs ../shared/bench)")
    lines = (BENCH / "pmed" / f"{name}.txt").read_text().split("\n")
    n, _, p = (int(v) for v in lines[0].split())
    edges = {}
    for line in lines[1:]:
        if len(parts := line.split()) == 3:  # the last occurrence of an edge sets its cost
            u, v = sorted((int(parts[0]) - 1, int(parts[1]) - 1))
            edges[(u, v)] = float(parts[2])
    r, c = np.array(list(edges)).T
    graph = sp.csr_matrix((list(edges.values()), (r, c)), shape=(n, n))
    cost = shortest_path(graph, directed=False)
    exact = PMedian(cost, np.ones(n), p).solve("exact")
    assert exact.objective == optimum and exact.optimal and exact.bound == optimum
    local = PMedian(cost, np.ones(n), p).solve("local")
    assert optimum <= local.objective <= 1.005 * optimum and local.bound <= optimum


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
        assert sc.reaches_target(sol.selected)
        assert sol.objective == len(sol.selected) >= fewest >= sol.bound


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), density=st.floats(0.05, 0.4))
def test_set_cover_reductions_keep_a_minimum_cover(seed, density):
    from planner.optimize._kernels import reduce_set_cover

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


def test_unreachable_target_is_a_clear_error():
    with pytest.raises(ConfigError, match="lower the target"):
        SetCover(sp.csc_matrix(np.array([[1.0], [0.0]])), [1, 1], target_share=0.9)


def test_coverage_curve_is_the_greedy_order():
    rng = np.random.default_rng(4)
    cost = rng.uniform(0, 10, size=(80, 12))
    prob = MaximalCoverage.from_cost_matrix(cost, np.ones(80), threshold=3.0, p=4)
    curve = prob.curve(8)
    assert curve["k"].tolist() == list(range(1, len(curve) + 1))
    assert (np.diff(curve["marginal"]) <= 1e-9).all()
    assert curve["cumulative"].iloc[3] == pytest.approx(prob.solve("greedy").objective)
    assert curve["share_of_possible"].iloc[-1] <= 1.0


def _swain():
    rows = (BENCH / "mclp" / "swain.txt").read_text().split("\n")[1:]
    data = np.array([[float(v) for v in r.split()] for r in rows if r.strip()])
    xy, d = data[:, 1:3], data[:, 3]
    return ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1), d


@pytest.mark.parametrize("s, p, optimum", [(10, 5, 609), (10, 7, 633), (10, 8, 638)])
def test_swain_published_optima(s, p, optimum):
    if not BENCH.exists():
        pytest.skip(f"benchmark instances not found at {BENCH} (needs ../shared/bench)")
    cost2, d = _swain()  # squared distances: ties at exactly S count as covered
    prob = MaximalCoverage.from_cost_matrix(cost2, d, threshold=s * s, p=p)
    exact = prob.solve("exact")
    assert exact.objective == optimum and exact.optimal
    local = prob.solve("local")
    assert local.objective >= 0.995 * optimum
    assert local.objective <= optimum <= local.bound + 1e-9


def _served_linprog(value, w, cap, sel):
    """The best split of demand between the sites ``sel`` within their capacities, by
    scipy's LP solver: the oracle for the capacitated problem."""
    from scipy.optimize import linprog

    pairs = [(i, j) for j in sel for i in range(len(w)) if value[i, j] > 0 and w[i] > 0]
    if not pairs:
        return 0.0
    c = [-w[i] * value[i, j] for i, j in pairs]
    a, b = [], []
    for i in {i for i, _ in pairs}:
        a.append([1.0 if pi == i else 0.0 for pi, _ in pairs])
        b.append(1.0)
    for j in sel:
        a.append([w[pi] if pj == j else 0.0 for pi, pj in pairs])
        b.append(cap[j])
    res = linprog(c, A_ub=a, b_ub=b, bounds=(0, 1), method="highs")
    return -res.fun


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_capacitated_coverage_against_brute_force(data):
    """Two nested thresholds with weights, existing stations, capacities that bind or not:
    exact equals brute force over every set of sites (each valued by scipy's LP), the
    heuristics report what their sites really serve, every bound holds, and without
    binding capacities the answer is that of maximal coverage."""
    from planner.optimize import CapacitatedCoverage

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
        _served_linprog(value, w, cap, c)
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
    start = prob.uncapacitated._fill(np.arange(p))
    ends, end_value = prob._swaps(start, prob.objective(start), evaluations=10**6)
    for pos in range(len(ends)):
        for j in set(range(m)) - set(ends.tolist()):
            trial = ends.copy()
            trial[pos] = j
            if prob.feasible(trial):
                assert _served_linprog(value, w, cap, trial.tolist()) <= end_value + 1e-6
    for sol in (greedy, local, exact):
        assert len(set(sol.selected.tolist())) == len(sol.selected) <= p
        assert prob.feasible(sol.selected)
        assert sol.objective == pytest.approx(
            _served_linprog(value, w, cap, sol.selected.tolist()), abs=1e-6
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
    from planner.optimize import CapacitatedCoverage

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


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), p=st.integers(1, 4))
def test_capacitated_lagrangian_bound_holds_and_nears_the_lp(seed, p):
    """Every value of the Lagrangian is at least the LP bound of the strong formulation
    (so at least the optimum); the subgradient steps bring it within 1% of that LP."""
    from planner.optimize import CapacitatedCoverage, _kernels

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


def test_kicks_with_one_candidate_to_spare():
    """p-median with one candidate more than p and a gap the bound leaves open: the random
    kicks bring in the one site left (they once asked for two and failed)."""
    rng = np.random.default_rng(981)
    m, n = int(rng.integers(3, 7)), int(rng.integers(4, 12))
    cost = rng.uniform(1, 10, size=(n, m)).round()
    w = rng.integers(0, 4, n).astype(float)
    prob = PMedian(cost, w, m - 1)
    best = min(prob.objective(c) for c in itertools.combinations(range(m), m - 1))
    local = prob.solve("local")
    assert local.objective == pytest.approx(best) and len(set(local.selected.tolist())) == m - 1
