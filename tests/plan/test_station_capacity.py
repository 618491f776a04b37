"""Capacitated existing stations (``station_capacity``) against brute force on small random
instances: every subset of candidates, its best split of demand between the stations and
the subset solved here as a transportation LP with scipy."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest
from scipy.optimize import linprog

from planner.analysis.coverage import Coverage
from planner.core.errors import RequestError
from planner.plan import fixing, objectives
from planner.plan.controls import Bound
from planner.plan.objectives import Context, station_capacity
from planner.plan.request import PlanRequest
from tests.conftest import times_from_dense

N_ST, N_C, N_H = 3, 6, 10
THRESHOLDS = (480.0, 600.0, 900.0)


def _instance(seed: int):
    rng = np.random.default_rng(seed)
    st = rng.uniform(100, 1300, (N_ST, N_H))
    cand = rng.uniform(0, 1300, (N_C, N_H))
    st[st > 900], cand[cand > 900] = np.inf, np.inf
    weights = rng.integers(1, 10, N_H).astype(float)
    st_caps = rng.uniform(3, 15, N_ST).round(1)
    cand_caps = rng.uniform(3, 15, N_C).round(1)
    return st, cand, weights, st_caps, cand_caps


def _served_best(times: np.ndarray, w: np.ndarray, caps: np.ndarray) -> float:
    """The best split of demand between the sites of ``times`` (rows), by linprog."""
    pairs = [(j, i) for j in range(times.shape[0]) for i in range(N_H) if times[j, i] <= 900]
    if not pairs:
        return 0.0
    value = np.array([w[i] * sum(times[j, i] <= t for t in THRESHOLDS) for j, i in pairs])
    a = np.zeros((N_H + times.shape[0], len(pairs)))
    for k, (j, i) in enumerate(pairs):
        a[i, k] = 1.0
        a[N_H + j, k] = w[i]
    b = np.concatenate([np.ones(N_H), caps])
    res = linprog(-value, A_ub=a, b_ub=b, bounds=(0, 1), method="highs")
    return float(-res.fun)


def _brute(seed: int, add: int, fixed=()) -> float:
    st, cand, w, st_caps, cand_caps = _instance(seed)
    free = [j for j in range(N_C) if j not in fixed]
    return max(
        _served_best(
            np.vstack([st, cand[list(sub)]]), w, np.concatenate([st_caps, cand_caps[list(sub)]])
        )
        for rest in combinations(free, add - len(fixed))
        for sub in [(*fixed, *rest)]
    )


def _context(seed: int, method: str, add: int, fixed=()) -> Context:
    st, cand, w, st_caps, cand_caps = _instance(seed)
    request = PlanRequest.from_options(
        add=add, method=method, min_spacing_m=0, capacity=1.0, station_capacity=1.0
    )
    request = replace(request, objective=objectives.CapacitatedCoverage(
        capacity=1.0, values=cand_caps, stations_capped=True))  # fmt: skip
    st_t, c_t = times_from_dense(st), times_from_dense(cand)
    ctx = Context(
        request, Coverage(st_t, w, THRESHOLDS), Coverage(c_t, w, THRESHOLDS), c_t, w, add
    )  # fmt: skip
    bound = Bound(fixed=np.asarray(fixed, dtype=np.int64), station_capacity=st_caps)
    return fixing.constrain(ctx, bound)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("fixed", [(), (2,)])
def test_exact_is_the_best_subset_with_capacitated_stations(seed, fixed):
    ctx = _context(seed, "exact", 3, fixed)
    choice = fixing.choose(ctx.request.objective, ctx)
    s = choice.solution
    best = _brute(seed, 3, fixed)
    assert s.optimal and s.objective == pytest.approx(best, rel=1e-6, abs=1e-6)
    assert set(fixed) <= set(s.selected.tolist()) and len(set(s.selected.tolist())) <= 3
    st, cand, w, st_caps, cand_caps = _instance(seed)
    sel = list(s.selected)
    mine = _served_best(np.vstack([st, cand[sel]]), w, np.concatenate([st_caps, cand_caps[sel]]))
    assert mine == pytest.approx(s.objective, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("method", ["greedy", "local"])
def test_heuristics_are_valid_and_bounded(seed, method):
    ctx = _context(seed, method, 2)
    objective = ctx.request.objective
    choice = fixing.choose(objective, ctx)
    s = choice.solution
    best = _brute(seed, 2)
    assert len(s.selected) <= 2 and len(set(s.selected.tolist())) == len(s.selected)
    assert s.objective <= best + 1e-6 and s.bound >= best - 1e-6
    st_caps, cand_caps = _instance(seed)[3:]
    served = station_capacity.served_by_station(objective, ctx, s.selected)
    assert (served <= st_caps + 1e-6).all() and (served >= -1e-9).all()
    assert (choice.site_columns["served_demand"] <= cand_caps[s.selected] + 1e-6).all()
    total = float(ctx.weights.sum())
    for label, share in choice.served_after.items():  # served, never more than all demand
        assert 0.0 <= share <= 1.0 + 1e-9, label
    assert served.sum() + choice.site_columns["served_demand"].sum() <= total + 1e-6


def test_capacitated_stations_serve_at_most_their_capacity_and_bind():
    """Stations able to serve all demand give the plan where they are uncapacitated for the
    demand they reach; tight station capacities serve less within 8 minutes."""
    seed = 3
    ctx = _context(seed, "exact", 2)
    tight = fixing.choose(ctx.request.objective, ctx).served_after
    loose_ctx = replace(ctx, station_capacity=np.full(N_ST, 1e9))
    loose = fixing.choose(ctx.request.objective, loose_ctx).served_after
    for k in tight:
        assert tight[k] <= loose[k] + 1e-9


def test_station_capacity_needs_capacity_and_a_positive_value():
    with pytest.raises(RequestError, match="station_capacity: works with capacity"):
        PlanRequest.from_options(add=2, station_capacity=10)
    with pytest.raises(RequestError, match="station_capacity: -3 must be a demand above 0"):
        PlanRequest.from_options(add=2, capacity=10, station_capacity=-3)
    r = PlanRequest.from_options(add=2, capacity=10, station_capacity="seats")
    assert r.controls.station_capacity == "seats" and r.objective.stations_capped
