"""Coverage by hour and the hours objective: a hand-built instance with known hours, brute
force on small random instances, and the bound by coverage with every venue open."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from planner.analysis import hourly as hourly_analysis
from planner.analysis.coverage import Coverage
from planner.inputs import hours as hours_in
from planner.optimize import hourly
from planner.plan.objectives import HoursCoverage
from planner.plan.request import PlanRequest
from tests.conftest import times_from_dense

INF = np.inf


def _cov(matrix, weights, thresholds=(600.0,)):
    return Coverage(times_from_dense(matrix), np.asarray(weights, float), thresholds)


def _solve(cand, st, p, st_open, cand_open, demand, hours, method="exact"):
    slots = [(d, h) for d in range(7) for h in hours]
    so, co, load = hourly.layers(slots, st_open, cand_open, demand)
    problem = hourly.from_coverage(
        cand, st, p, station_open=so, candidate_open=co, layer_demand=load
    )
    return problem, problem.solve(method)


def test_hand_built_closed_venue_adds_nothing():
    # H0: 10 riders a day at 18-20; H1: 4 riders a day at 9-11. C0 reaches both but keeps
    # office hours; C1 reaches H0 only and never closes. No existing station.
    cand = _cov([[300, 300], [300, INF]], [10, 4])
    st = _cov(np.zeros((0, 2)), [10, 4])
    demand = np.zeros((2, 24))
    demand[0, [18, 19]] = 5.0
    demand[1, [9, 10]] = 2.0
    cand_open = np.stack([hours_in.week("Mo-Su 08:00-17:00"), hours_in.week("24/7")])
    st_open = np.zeros((0, 7, 24), bool)
    _, every_hour = _solve(cand, st, 1, st_open, cand_open, demand, range(24))
    assert every_hour.selected.tolist() == [1] and every_hour.objective == pytest.approx(10.0)
    _, morning = _solve(cand, st, 1, st_open, cand_open, demand, range(9, 11))
    assert morning.selected.tolist() == [0] and morning.objective == pytest.approx(4.0)
    rows = hourly_analysis.by_hour(
        st, cand, np.array([0]), hourly_analysis.Hours(st_open, cand_open, demand)
    )
    share = {r["hour"]: r["share_within"]["10"] for r in rows if r["day"] == "weekday"}
    assert share[9] == 1.0 and share[18] == 0.0 and share[3] is None  # no demand at 3:00
    assert {r["day"] for r in rows} == {"weekday"}  # every day alike


def test_weekend_rows_where_the_hours_differ():
    cand = _cov([[300]], [1])
    st = _cov([[300]], [1])
    hours = hourly_analysis.Hours(
        hours_in.week("Mo-Fr 09:00-17:00")[None], np.ones((1, 7, 24), bool)
    )
    rows = hourly_analysis.by_hour(st, cand, np.zeros(0, int), hours)
    weekend = {r["hour"]: r["share_within_existing"]["10"] for r in rows if r["day"] == "weekend"}
    weekday = {r["hour"]: r["share_within_existing"]["10"] for r in rows if r["day"] == "weekday"}
    assert weekday[12] == 1.0 and weekday[20] == 0.0 and weekend[12] == 0.0


def _brute(times, w_h, st_times, st_open, cand_open, p, hours, threshold):
    """Best value by enumeration, from the definition: each hour's demand counts where an
    open chosen site or an open station reaches it, averaged over the week's days."""
    n_c = times.shape[0]
    best = 0.0
    for sel in itertools.combinations(range(n_c), p):
        value = 0.0
        for d in range(7):
            for h in hours:
                reach = np.zeros(times.shape[1], bool)
                for j in sel:
                    if cand_open[j, d, h]:
                        reach |= times[j] <= threshold
                for s in range(st_times.shape[0]):
                    if st_open[s, d, h]:
                        reach |= st_times[s] <= threshold
                newly = reach & ~np.array(
                    [any(st_open[s, d, h] and st_times[s, i] <= threshold
                         for s in range(st_times.shape[0])) for i in range(times.shape[1])]
                )  # fmt: skip
                value += float(w_h[newly, h].sum()) / 7.0
        best = max(best, value)
    return best


@pytest.mark.parametrize("seed", range(6))
def test_exact_equals_brute_force_and_hours_never_beat_all_open(seed):
    rng = np.random.default_rng(seed)
    n_h, n_c, n_s = 7, 5, 2
    times = np.where(rng.random((n_c, n_h)) < 0.45, rng.uniform(60, 900, (n_c, n_h)), INF)
    st_times = np.where(rng.random((n_s, n_h)) < 0.3, rng.uniform(60, 900, (n_s, n_h)), INF)
    w_h = rng.integers(0, 4, (n_h, 24)).astype(float)
    w = w_h.sum(axis=1)
    cand_open = rng.random((n_c, 7, 24)) < 0.6
    st_open = rng.random((n_s, 7, 24)) < 0.5
    cand, st = _cov(times, w), _cov(st_times, w)
    hours = sorted(rng.choice(24, size=5, replace=False).tolist())
    _, sol = _solve(cand, st, 2, st_open, cand_open, w_h, hours)
    assert sol.optimal
    assert sol.objective == pytest.approx(
        _brute(times, w_h, st_times, st_open, cand_open, 2, hours, 600.0), abs=1e-9
    )
    # coverage by hour never exceeds coverage with every venue open (same sites)
    picked = sol.selected
    rows = hourly_analysis.by_hour(st, cand, picked, hourly_analysis.Hours(st_open, cand_open, w_h))
    every = hourly_analysis.by_hour(
        st, cand, picked,
        hourly_analysis.Hours(np.ones_like(st_open), np.ones_like(cand_open), w_h),
    )  # fmt: skip
    open_share = {(r["hour"], r["day"]): r["share_within"]["10"] for r in every}
    for r in rows:
        got, top = r["share_within"]["10"], open_share[(r["hour"], "weekday")]
        if got is not None:
            assert got <= top + 1e-12
            assert r["share_within_existing"]["10"] <= got + 1e-12


def test_request_takes_hours_and_checks_them():
    req = PlanRequest.from_options(hours="11-14,17-21")
    assert isinstance(req.objective, HoursCoverage)
    assert req.objective.hours == (11, 12, 13, 17, 18, 19, 20)
    assert req.echo()["hours"] == "11-14,17-21"
    with pytest.raises(ValueError, match="hours"):
        PlanRequest.from_options(hours="lunch")
    with pytest.raises(ValueError, match="hours"):
        PlanRequest.from_options(hours="11-14", objective="time")
