"""``relocate`` with the objectives that decide the number of sites (``reach``, ``reach``
areas) and with capacities (``capacity``, ``station_capacity``), against brute force on
small random instances: at most N stations close, agreed sites stay, excluded ones never
open, the goals are met; with ``"exact"`` the answer is the best of every allowed set of
moves and sites, and the heuristics' bounds bound it."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from planner.analysis.coverage import Coverage
from planner.optimize.area_cover import Goal
from planner.plan import fixing
from planner.plan.objectives import AreaReach, Context
from planner.plan.request import PlanRequest
from tests.conftest import times_from_dense

N_ST, N_C, N_H = 3, 7, 14
THRESHOLDS = (480.0, 600.0, 900.0)
FIXED, EXCLUDED = (6,), (0,)
SHARE, MINUTES = 0.8, 10
#: Goals of two areas (the first seven hotspots, the last seven): threshold position, share.
AREA_GOALS = ((0, 1, 0.7), (1, 0, 0.5), (0, 2, 0.9))
CAPACITY, STATION_CAPACITY = 12.0, 9.0
METHODS = ["greedy", "local", "exact"]


def _instance(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2000 + seed)
    st = rng.uniform(100, 1500, (N_ST, N_H))
    cand = rng.uniform(0, 1500, (N_C, N_H))
    st[st > 900], cand[cand > 900] = np.inf, np.inf
    return st, cand, rng.integers(1, 10, N_H).astype(float)


def _goals() -> tuple[Goal, ...]:
    halves = (np.arange(7), np.arange(7, N_H))
    return tuple(Goal(halves[a], k, share, f"area {a}") for a, k, share in AREA_GOALS)


def _context(kind: str, seed: int, method: str, moves: int = 1, add: int = 2) -> Context:
    st, cand, w = _instance(seed)
    options: dict = {"reach": f"{SHARE:.0%}@{MINUTES}"}
    if kind == "areas":
        options = {"reach": "areas"}
    elif kind != "reach":
        options = {"capacity": CAPACITY, "add": add}
        if kind == "station_capacity":
            options["station_capacity"] = STATION_CAPACITY
    request = PlanRequest.from_options(method=method, min_spacing_m=0, relocate=moves, **options)
    objective = request.objective
    if kind == "areas":
        objective = AreaReach(goals=_goals())
    elif kind != "reach":
        objective = objective.bind(pd.DataFrame({"id": range(N_C)}), keep=np.arange(N_C),
                                   source="candidates")  # fmt: skip
    request = replace(request, objective=objective)
    st_t, c_t = times_from_dense(st), times_from_dense(cand)
    caps = np.full(N_ST, STATION_CAPACITY) if kind == "station_capacity" else None
    return Context(
        request, Coverage(st_t, w, THRESHOLDS), Coverage(c_t, w, THRESHOLDS), c_t, w,
        add if kind not in ("reach", "areas") else 0, fixed=np.asarray(FIXED, dtype=np.int64),
        excluded=np.isin(np.arange(N_C), EXCLUDED), station_capacity=caps,
    )  # fmt: skip


def _meets(kind: str, seed: int, kept, sites) -> bool:
    """Whether the stations ``kept`` and candidates ``sites`` meet the goal(s)."""
    st, cand, w = _instance(seed)
    times = np.vstack([st[list(kept)], cand[list(sites)]])
    near = times.min(axis=0) if len(times) else np.full(N_H, np.inf)
    if kind == "reach":
        return w[near <= MINUTES * 60].sum() >= SHARE * w.sum() - 1e-9
    for g in _goals():
        rows = g.rows
        have = w[rows][near[rows] <= THRESHOLDS[g.threshold]].sum()
        if have < g.share * w[rows].sum() - 1e-9:
            return False
    return True


def _served(seed: int, kept, sites, station_cap: float) -> float:
    """The best split of demand (a transportation LP, scipy's HiGHS): each pair's value per
    unit is the number of thresholds within which the site reaches the hotspot."""
    st, cand, w = _instance(seed)
    times = np.vstack([st[list(kept)], cand[list(sites)]])
    cap = min(station_cap, w.sum())  # without a capacity: all the demand at most
    caps = [cap] * len(kept) + [CAPACITY] * len(sites)
    pairs = [(i, j) for j in range(len(times)) for i in range(N_H) if times[j, i] <= 900]
    if not pairs:
        return 0.0
    value = [w[i] * sum(times[j, i] <= t for t in THRESHOLDS) for i, j in pairs]
    a = np.zeros((N_H + len(times), len(pairs)))
    for p, (i, j) in enumerate(pairs):
        a[i, p], a[N_H + j, p] = 1.0, w[i]
    res = linprog(-np.asarray(value), A_ub=a, b_ub=[1.0] * N_H + caps, bounds=(0, 1),
                  method="highs")  # fmt: skip
    return float(-res.fun)


def _capacity_value(kind: str, seed: int, kept, sites) -> float:
    """The planner's value: served together with capacitated stations; else what the new
    sites serve beyond today's (uncapped) stations."""
    if kind == "station_capacity":
        return _served(seed, kept, sites, STATION_CAPACITY)
    return _served(seed, kept, sites, np.inf) - _served(seed, range(N_ST), (), np.inf)


def _moves(moves: int):
    free = [j for j in range(N_C) if j not in FIXED and j not in EXCLUDED]
    for k in range(moves + 1):
        for out in combinations(range(N_ST), k):
            yield [s for s in range(N_ST) if s not in out], k, free


def _brute(kind: str, seed: int, moves: int = 1, add: int = 2) -> float:
    """The best value of every allowed set of moves and sites."""
    best = []
    for kept, k, free in _moves(moves):
        if kind in ("reach", "areas"):  # the fewest sites, at least as many as closed
            best += [
                len(FIXED) + size - k
                for size in range(max(0, k - len(FIXED)), len(free) + 1)
                for rest in combinations(free, size)
                if _meets(kind, seed, kept, (*FIXED, *rest))
            ]
        else:
            best += [
                _capacity_value(kind, seed, kept, (*FIXED, *rest))
                for rest in combinations(free, add + k - len(FIXED))
            ]
    return min(best) if kind in ("reach", "areas") else max(best)


def _check(kind: str, seed: int, choice, moves: int = 1, add: int = 2) -> float:
    """The invariants of a relocated answer, and its value as the brute force counts it."""
    closed = [int(s) for s in (() if choice.closed is None else choice.closed)]
    sel = [int(j) for j in choice.solution.selected]
    kept = [s for s in range(N_ST) if s not in closed]
    assert len(closed) <= moves and sel[: len(FIXED)] == list(FIXED)
    assert not set(sel) & set(EXCLUDED) and len(set(sel)) == len(sel)
    if kind in ("reach", "areas"):
        assert _meets(kind, seed, kept, sel) and len(closed) <= len(sel)
        value = float(len(sel) - len(closed))
    else:
        assert len(sel) == add + len(closed)
        value = _capacity_value(kind, seed, kept, sel)
    assert choice.solution.objective == pytest.approx(value, rel=1e-7, abs=1e-7)
    return value


def _feasible(kind: str, seed: int) -> bool:
    return kind not in ("reach", "areas") or _meets(kind, seed, range(N_ST), range(1, N_C))


KINDS = ["reach", "areas", "capacity", "station_capacity"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("seed", range(6))
def test_exact_relocation_is_the_best_allowed(kind, seed):
    if not _feasible(kind, seed):
        pytest.skip("no set of sites meets the goals of this instance")
    ctx = _context(kind, seed, "exact")
    choice = fixing.choose(ctx.request.objective, ctx)
    value, best = _check(kind, seed, choice), _brute(kind, seed)
    s = choice.solution
    assert value == pytest.approx(best, rel=1e-7, abs=1e-7) and s.optimal
    assert s.bound == pytest.approx(best, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["greedy", "local"])
def test_heuristic_relocation_keeps_the_controls_and_a_true_bound(kind, method):
    fewest = kind in ("reach", "areas")
    sign = -1.0 if fewest else 1.0
    for seed in range(4):
        if not _feasible(kind, seed):
            continue
        ctx = _context(kind, seed, method)
        choice = fixing.choose(ctx.request.objective, ctx)
        value, best = _check(kind, seed, choice), _brute(kind, seed)
        s = choice.solution
        assert sign * (best - value) >= -1e-7  # never better than the best allowed
        assert sign * (s.bound - best) >= -1e-6  # the bound bounds it
        still = fixing.choose_one(ctx.request.objective, ctx, moving=False).solution
        assert choice.unmoved == pytest.approx(still.objective, rel=1e-9, abs=1e-9)
        assert sign * (value - choice.unmoved) >= -1e-7  # moving never does worse


@pytest.mark.parametrize("moves", [0, 2])
def test_the_limit_on_moves_holds(moves):
    for kind in KINDS:
        for seed in range(2):
            if not _feasible(kind, seed):
                continue
            ctx = _context(kind, seed, "exact", moves=moves)
            choice = fixing.choose(ctx.request.objective, ctx)
            value = _check(kind, seed, choice, moves=moves)
            assert value == pytest.approx(_brute(kind, seed, moves=moves), rel=1e-7, abs=1e-7)


def test_moving_a_station_saves_new_sites():
    """A station that reaches nobody moves to the site that reaches the last hotspots: no
    new site is needed where one was without the move."""
    st = np.array([[100.0, 100, np.inf, np.inf], [np.inf] * 4])
    cand = np.array([[np.inf, np.inf, 200.0, 200.0], [np.inf, np.inf, 300.0, np.inf]])
    w = np.ones(4)
    request = PlanRequest.from_options(reach="100%@10", method="exact", relocate=1)
    st_t, c_t = times_from_dense(st), times_from_dense(cand)
    ctx = Context(request, Coverage(st_t, w, THRESHOLDS), Coverage(c_t, w, THRESHOLDS),
                  c_t, w, 0)  # fmt: skip
    choice = fixing.choose(request.objective, ctx)
    assert list(choice.closed) == [1] and list(choice.solution.selected) == [0]
    assert choice.solution.objective == 0 and choice.unmoved == 1 and choice.solution.optimal


def test_capacitated_relocation_states_the_stations_that_stay():
    ctx = _context("station_capacity", 1, "exact")
    choice = fixing.choose(ctx.request.objective, ctx)
    closed = list(choice.closed)
    assert choice.station_columns is not None and choice.station_split is not None
    served = choice.station_columns["served_demand"]
    assert len(served) == N_ST and all(served[s] == 0 for s in closed)
    assert set(choice.station_split[1].tolist()) <= set(range(N_ST)) - set(closed)
    assert list(choice.site_columns["capacity"]) == [CAPACITY] * len(choice.solution.selected)


@pytest.mark.parametrize("kind", [*KINDS, "coverage", "time"])
def test_held_stations_never_move(kind):
    """Other operators' stations (``held``) count but never close: the station that reaches
    nobody moves when it may, and stays when it is held."""
    inf = np.inf
    st = np.array([[100.0, 100, inf, inf, inf], [inf] * 5])
    cand = np.array([[inf, inf, 200.0, 200.0, inf], [inf, inf, inf, inf, 300.0]])
    w = np.ones(5)
    options: dict = {"reach": "100%@10"} if kind == "reach" else {"add": 1}
    if kind in ("capacity", "station_capacity"):
        options["capacity"] = 5
    if kind in ("coverage", "time"):
        options["objective"] = kind
    for held in ((), (1,)):
        request = PlanRequest.from_options(method="exact", relocate=1, min_spacing_m=0, **options)
        objective = request.objective
        if kind == "areas":
            objective = AreaReach(goals=(Goal(np.arange(5), 1, 1.0, "all"),))
        elif kind in ("capacity", "station_capacity"):
            objective = objective.bind(pd.DataFrame({"id": range(2)}), keep=np.arange(2),
                                       source="candidates")  # fmt: skip
        request = replace(request, objective=objective)
        st_t, c_t = times_from_dense(st), times_from_dense(cand)
        caps = np.full(2, 5.0) if kind == "station_capacity" else None
        ctx = Context(
            request, Coverage(st_t, w, THRESHOLDS), Coverage(c_t, w, THRESHOLDS), c_t, w,
            0 if kind in ("reach", "areas") else 1, station_capacity=caps,
            held=np.asarray(held, dtype=np.int64),
        )  # fmt: skip
        choice = fixing.choose(objective, ctx)
        assert list(choice.closed) == ([] if held else [1])
        fewest = kind in ("reach", "areas")  # held: two new sites, else one in its place
        assert sorted(choice.solution.selected) == ([0, 1] if fewest or not held else [0])
        assert choice.solution.objective == choice.unmoved if held else choice.solution.optimal


@pytest.mark.parametrize("kind", ["capacity", "station_capacity"])
def test_phases_with_moves_and_capacities(kind):
    """With phases the moves are decided in phase 1; the sites keep their capacity column
    and phase, and the value is the last phase's with the stations that stay."""
    ctx = _context(kind, 2, "exact", add=3)
    request = replace(ctx.request, controls=replace(ctx.request.controls, phases=(2, 3)))
    ctx = replace(ctx, request=request)
    choice = fixing.choose(request.objective, ctx)
    closed = [int(s) for s in choice.closed]
    one, two = choice.phases
    sel = [int(j) for j in choice.solution.selected]
    first = [int(j) for j in one.solution.selected]
    assert len(closed) <= 1 and sel[: len(first)] == first and len(first) <= 2 + len(closed)
    assert len(sel) <= 3 + len(closed) and not set(sel) & set(EXCLUDED) and FIXED[0] in first
    assert list(choice.site_columns["capacity"]) == [CAPACITY] * len(sel)
    assert list(choice.site_columns["phase"]) == [1] * len(first) + [2] * (len(sel) - len(first))
    kept = [s for s in range(N_ST) if s not in closed]
    value = _capacity_value(kind, 2, kept, sel)
    assert choice.solution.objective == pytest.approx(value, rel=1e-7, abs=1e-7)
