"""``relocate`` with every objective that opens a given number of sites, against brute force
on small random instances: at most N stations close, agreed sites stay, excluded ones never
open; with ``"exact"`` the answer is the best of every allowed set of moves and sites; the
value is comparable with the answer that moves none; and with phases the moves are decided
with phase 1."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import numpy as np
import pytest

from planner.analysis.coverage import Coverage
from planner.plan import fixing, objectives
from planner.plan.objectives import Context
from planner.plan.request import PlanRequest
from tests.conftest import times_from_dense

N_ST, N_C, N_H = 3, 7, 14
PENALTY = 1800.0  # twice the widest circle (15 min)
THRESHOLDS = (480.0, 600.0, 900.0)
FIXED, EXCLUDED = (6,), (0,)
BUDGET = 10.0
NAMES = ["coverage", "time", "worst", "backup", "decay", "budget"]


def _instance(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1000 + seed)
    st = rng.uniform(100, 1400, (N_ST, N_H))
    cand = rng.uniform(0, 1400, (N_C, N_H))
    st[st > 900], cand[cand > 900] = np.inf, np.inf
    weights = rng.integers(1, 10, N_H).astype(float)
    costs = rng.integers(1, 6, N_C).astype(float)
    return st, cand, weights, costs


def _request(name: str, method: str, add: int, **more) -> PlanRequest:
    options: dict = {} if name in ("coverage", "budget") else {"objective": name}
    if name == "budget":
        options = {"budget": BUDGET, "cost": "cost"}
    return PlanRequest.from_options(
        add=add, method=method, min_spacing_m=0, relocate=1, **options, **more
    )


def _context(name: str, seed: int, request: PlanRequest) -> Context:
    st, cand, w, costs = _instance(seed)
    if name == "budget":
        request = replace(request, objective=replace(request.objective, values=costs))
    st_t, c_t = times_from_dense(st), times_from_dense(cand)
    excluded = np.isin(np.arange(N_C), EXCLUDED)
    return Context(
        request, Coverage(st_t, w, THRESHOLDS), Coverage(c_t, w, THRESHOLDS), c_t, w,
        request.add, fixed=np.asarray(FIXED, dtype=np.int64), excluded=excluded,
    )  # fmt: skip


def _decay(t: np.ndarray) -> np.ndarray:
    return np.where(t <= 900, np.clip(1 - np.where(np.isfinite(t), t, 0) / 900, 0, 1), 0.0)


def _score(name: str, times: np.ndarray, w: np.ndarray) -> float:
    """The objective's absolute score of the open sites' ``times`` (sites × hotspots)."""
    near = times.min(axis=0) if len(times) else np.full(N_H, np.inf)
    if name in ("coverage", "budget"):
        return float(sum(w[near <= t].sum() for t in THRESHOLDS))
    if name == "time":
        return float((w * np.minimum(near, PENALTY)).sum())
    if name == "worst":
        return float(np.minimum(near, PENALTY).max())
    if name == "backup":
        return float(sum(w[(times <= t).sum(axis=0) >= 2].sum() for t in THRESHOLDS))
    if name == "decay":
        return float((w * _decay(near)).sum())
    raise AssertionError(name)


def _value(name: str, seed: int, kept, sites) -> float:
    """The value of keeping the stations ``kept`` and opening ``sites``, as the planner
    states it: against today's stations for the additive objectives, absolute for times."""
    st, cand, w, _ = _instance(seed)
    score = _score(name, np.vstack([st[list(kept)], cand[list(sites)]]), w)
    if name in ("time", "worst"):
        return score
    return score - _score(name, st, w)


def _allowed_sets(name: str, seed: int, add: int, moves: int = 1):
    """Every (stations kept, new sites) the request allows."""
    _, _, _, costs = _instance(seed)
    free = [j for j in range(N_C) if j not in FIXED and j not in EXCLUDED]
    for k in range(moves + 1):
        for out in combinations(range(N_ST), k):
            kept = [s for s in range(N_ST) if s not in out]
            sizes = range(len(free) + 1) if name == "budget" else [add + k - len(FIXED)]
            for size in sizes:
                for rest in combinations(free, size):
                    sites = (*FIXED, *rest)
                    if name == "budget" and (
                        costs[list(sites)].sum() > BUDGET or len(sites) > add + k
                    ):
                        continue
                    yield kept, sites


def _brute(name: str, seed: int, add: int) -> float:
    values = [_value(name, seed, kept, sites) for kept, sites in _allowed_sets(name, seed, add)]
    return min(values) if name in ("time", "worst") else max(values)


def _check(name: str, seed: int, choice, add: int) -> tuple[float, bool]:
    """The invariants of a relocated answer; its value and which way is better."""
    closed = [int(s) for s in choice.closed]
    sel = [int(j) for j in choice.solution.selected]
    assert len(closed) <= 1 and sel[: len(FIXED)] == list(FIXED)
    assert not set(sel) & set(EXCLUDED) and len(set(sel)) == len(sel)
    assert len(sel) <= add + len(closed)
    kept = [s for s in range(N_ST) if s not in closed]
    value = _value(name, seed, kept, sel)
    assert choice.solution.objective == pytest.approx(value, rel=1e-9, abs=1e-9)
    return value, name not in ("time", "worst")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("add", [1, 2])
def test_exact_relocation_is_the_best_allowed_move(name, seed, add):
    ctx = _context(name, seed, _request(name, "exact", add))
    choice = fixing.choose(ctx.request.objective, ctx)
    value, maximise = _check(name, seed, choice, add)
    best = _brute(name, seed, add)
    s = choice.solution
    assert value == pytest.approx(best, rel=1e-7, abs=1e-7) and s.optimal
    assert (s.bound >= best - 1e-6) if maximise else (s.bound <= best + 1e-6)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("method", ["greedy", "local"])
def test_heuristic_relocation_keeps_the_controls_and_a_true_bound(name, method):
    add = 2
    for seed in range(3):
        ctx = _context(name, seed, _request(name, method, add))
        choice = fixing.choose(ctx.request.objective, ctx)
        value, maximise = _check(name, seed, choice, add)
        best = _brute(name, seed, add)
        s = choice.solution
        sign = 1.0 if maximise else -1.0
        assert sign * (best - value) >= -1e-9  # never better than the best allowed
        assert sign * (s.bound - best) >= -1e-6  # the bound bounds the best allowed
        # the answer that moves none: the objective's own, and never better than moving
        still = fixing.choose_one(ctx.request.objective, ctx, moving=False).solution
        assert choice.unmoved == pytest.approx(still.objective, rel=1e-9, abs=1e-9)
        assert choice.unmoved == pytest.approx(
            _value(name, seed, range(N_ST), still.selected), rel=1e-9, abs=1e-9
        )
        assert sign * (value - choice.unmoved) >= -1e-9


def test_moving_helps_where_a_station_is_badly_placed():
    """A station that reaches nobody moves to the site that covers the rest."""
    st = np.array([[100.0, 100, np.inf, np.inf], [150.0, 150, np.inf, np.inf], [np.inf] * 4])
    cand = np.array([[np.inf, np.inf, 200.0, 200.0], [np.inf, np.inf, 300.0, np.inf]])
    w = np.ones(4)
    for name in ("time", "worst", "backup", "decay"):
        request = PlanRequest.from_options(
            add=1, method="exact", min_spacing_m=0, relocate=1, objective=name
        )
        st_t, c_t = times_from_dense(st), times_from_dense(cand)
        ctx = Context(request, Coverage(st_t, w, THRESHOLDS), Coverage(c_t, w, THRESHOLDS),
                      c_t, w, 1)  # fmt: skip
        choice = fixing.choose(request.objective, ctx)
        if name == "backup":  # two sites on the far pair back it up only with a move
            assert list(choice.closed) == [2] and sorted(choice.solution.selected) == [0, 1]
            assert choice.solution.objective > choice.unmoved
        else:
            assert list(choice.closed) in ([], [2]) and 0 in choice.solution.selected


@pytest.mark.parametrize("name", ["coverage", "time", "worst", "backup"])
@pytest.mark.parametrize("seed", range(3))
def test_phases_with_moves_decide_them_in_phase_one(name, seed):
    request = _request(name, "exact", 3, phases="2,3")
    ctx = _context(name, seed, request)
    choice = fixing.choose(request.objective, ctx)
    one, two = choice.phases
    closed = [int(s) for s in choice.closed]
    first = [int(j) for j in one.solution.selected]
    final = [int(j) for j in choice.solution.selected]
    assert len(closed) <= 1 and final[: len(first)] == first and first[0] == FIXED[0]
    assert len(first) <= 2 + len(closed) and len(final) <= 3 + len(closed)
    assert not set(final) & set(EXCLUDED)
    assert list(choice.site_columns["phase"]) == [1] * len(first) + [2] * (len(final) - len(first))
    # phase 1 is the best relocation of its size
    assert one.solution.objective == pytest.approx(_brute(name, seed, 2), rel=1e-7, abs=1e-7)
    # phase 2: the best of the sites added to phase 1's, with the stations that stay
    kept = [s for s in range(N_ST) if s not in closed]
    free = [j for j in range(N_C) if j not in first and j not in EXCLUDED]
    values = [_value(name, seed, kept, (*first, *rest)) for rest in combinations(free, 1)]
    best = min(values) if name in ("time", "worst") else max(values)
    assert two.solution.objective == pytest.approx(best, rel=1e-7, abs=1e-7)
    assert choice.solution.objective == pytest.approx(_value(name, seed, kept, final))
    # the same phases without moves, in the same terms
    still = fixing.choose(request.objective, ctx, moving=False)
    assert choice.unmoved == pytest.approx(still.solution.objective)


def test_relocate_works_with_every_objective():
    for options in ({"reach": "80%@10"}, {"reach": "areas"}, {"capacity": 10},
                    {"capacity": 10, "station_capacity": 5}):  # fmt: skip
        request = PlanRequest.from_options(relocate=1, min_spacing_m=0, **options)
        assert request.controls.relocate == 1 and request.objective.relocates
    assert objectives.TravelTime.relocates and objectives.LongestTime.relocates


def _hours_context(relocate: int) -> Context:
    from planner.analysis import hourly

    rng = np.random.default_rng(3)
    st, cand, w, _ = _instance(3)
    request = PlanRequest.from_options(
        add=3, method="exact", min_spacing_m=0, hours="11-14,17-21", include="S2",
        relocate=relocate,
    )  # fmt: skip
    hours = hourly.Hours(rng.random((N_ST, 7, 24)) > 0.3, rng.random((N_C, 7, 24)) > 0.3)
    st_t, c_t = times_from_dense(st), times_from_dense(cand)
    return Context(
        request, Coverage(st_t, w, THRESHOLDS), Coverage(c_t, w, THRESHOLDS), c_t, w, 3,
        fixed=np.array([2]), hours=hours,
    )  # fmt: skip


def test_hours_with_an_agreed_site_state_the_hourly_value():
    """The agreed site's share of the value is counted by the hour too."""
    ctx = _hours_context(0)
    s = fixing.choose(ctx.request.objective, ctx).solution
    assert s.selected[0] == 2 and s.optimal
    direct = ctx.request.objective.problem(ctx).objective(s.selected)
    assert s.objective == pytest.approx(direct, rel=1e-9)


def test_hours_with_moves():
    ctx = _hours_context(1)
    choice = fixing.choose(ctx.request.objective, ctx)
    s = choice.solution
    assert s.selected[0] == 2 and len(choice.closed) <= 1 and s.optimal
    assert len(s.selected) <= 3 + len(choice.closed)
    still = fixing.choose(ctx.request.objective, ctx, moving=False).solution
    assert choice.unmoved == pytest.approx(still.objective) and s.objective >= still.objective


@pytest.mark.parametrize("name", ["backup", "decay"])
def test_backup_and_decay_with_an_agreed_site_state_an_upper_bound_and_its_gap(name):
    from planner.optimize import solution as sol_mod

    for seed in range(4):
        request = PlanRequest.from_options(add=2, method="greedy", min_spacing_m=0,
                                           objective=name, include="S6")  # fmt: skip
        ctx = replace(_context(name, seed, request), excluded=None)
        s = fixing.choose(request.objective, ctx).solution
        assert request.objective.maximise and s.bound >= s.objective - 1e-9
        assert s.gap == pytest.approx(sol_mod.gap(s.objective, s.bound, maximise=True))
