"""The backup, decay and p-center objectives through plan(): against brute force from the
stored network times, their checks, and the p-center invariant."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from planner.app import demo_inputs
from planner.core.errors import RequestError
from planner.pipeline import plan
from planner.plan import objectives
from planner.plan.objectives.decay import parse_decay
from planner.plan.request import PlanRequest


@pytest.fixture(scope="module")
def demo(helsinki_pbf, helsinki_walk):
    _, hs, st, cand = demo_inputs(helsinki_pbf)
    return helsinki_walk, hs, st, cand.head(10).reset_index(drop=True)


def _dense(times, fill=np.inf) -> np.ndarray:
    """``sources × targets`` seconds, ``fill`` where no time is stored (stored 0 kept)."""
    out = np.full(times.seconds.shape, fill)
    m = times.seconds.tocoo()
    out[m.row, m.col] = m.data
    return out


@pytest.mark.parametrize("decay", ["linear", "exp:4", "step:8=1,10=0.6,15=0.2"])
def test_objective_decay_is_the_best_decay_weighted_demand(demo, decay):
    net, hs, st, cand = demo
    res = plan(net, hs, st, cand, add=2, objective="decay", decay=decay, method="exact")
    f = parse_decay(decay, res.request.minutes)
    w = hs["weight"].to_numpy(dtype=float)
    cand_t, base = _dense(res.candidate_times), f(res.station_times.nearest_seconds())

    def added(chosen) -> float:
        return float((w * (np.maximum(base, f(cand_t[list(chosen)]).max(axis=0)) - base)).sum())

    best = max(added(c) for c in itertools.combinations(range(len(cand)), 2))
    assert res.solution.optimal and res.solution.objective == pytest.approx(best)
    assert res.recommended["decay_demand_added"].sum() == pytest.approx(best, abs=1e-5)
    summary = res.summary()
    assert summary["inputs"]["decay"] == decay and summary["inputs"]["objective"] == "decay"
    assert "the minutes to its nearest station" in summary["optimizer"]["objective_meaning"]


def test_objective_backup_is_the_most_demand_within_two_stations(demo):
    net, hs, st, cand = demo
    res = plan(net, hs, st, cand, add=2, objective="backup", method="exact")
    w = hs["weight"].to_numpy(dtype=float)
    cand_t, st_t = _dense(res.candidate_times), _dense(res.station_times)

    def added(chosen) -> float:
        total = 0.0
        for t in res.request.thresholds_s:
            before = (st_t <= t).sum(axis=0)
            after = before + (cand_t[list(chosen)] <= t).sum(axis=0)
            total += float(w[(after >= 2) & (before < 2)].sum())
        return total

    best = max(added(c) for c in itertools.combinations(range(len(cand)), 2))
    assert best > 0 and res.solution.optimal and res.solution.objective == best
    assert res.recommended["backup_demand_added"].sum() == best
    assert isinstance(res.request.objective, objectives.Backup)
    assert "two or more stations" in res.summary()["optimizer"]["objective_meaning"]


def test_the_p_center_value_is_at_most_the_worst_time_of_the_coverage_answer(demo):
    net, hs, st, cand = demo
    worst = plan(net, hs, st, cand, add=2, objective="worst", method="exact")
    cover = plan(net, hs, st, cand, add=2, min_spacing_m=0)
    penalty = 2 * worst.request.thresholds_s[-1]
    base = np.minimum(worst.station_times.nearest_seconds(), penalty)
    cand_t = np.minimum(_dense(worst.candidate_times), penalty)
    demand = hs["weight"].to_numpy() > 0
    chosen = list(cover.solution.selected)
    cover_worst = np.minimum(base, cand_t[chosen].min(axis=0))[demand].max()
    assert worst.solution.optimal and worst.solution.objective <= cover_worst + 1e-9
    assert worst.solution.bound <= worst.solution.objective


@pytest.mark.parametrize(
    "options, field, text",
    [({"objective": "decay", "decay": "cubic"}, "decay", "unknown decay"),
     ({"objective": "decay", "decay": "exp:0"}, "decay", "half-life must be above 0"),
     ({"objective": "decay", "decay": "exp:soon"}, "decay", "'soon' is not a number"),
     ({"objective": "decay", "decay": "step:8=1,20=0.5"}, "decay", "beyond the widest circle"),
     ({"objective": "decay", "decay": "step:8=0.5,10=0.9"}, "decay", "never rise"),
     ({"objective": "decay", "decay": "step:8"}, "decay", "each step is MIN=VALUE"),
     ({"decay": "linear"}, "decay", "drop it with objective coverage"),
     ({"objective": "backup", "min_spacing_m": 300}, "objective", "works with add only"),
     ({"objective": "decay", "min_spacing_m": 300}, "objective", "works with add only")],
)  # fmt: skip
def test_bad_options_of_the_new_objectives_name_their_field(options, field, text):
    with pytest.raises(RequestError) as info:
        PlanRequest.from_options(add=2, **options)
    assert [p.field for p in info.value.problems] == [field]
    assert text in str(info.value)


def test_the_decay_is_stated_as_the_option_writes_it():
    req = PlanRequest.from_options(objective="decay", decay=" EXP:5 ")
    assert req.objective.decay == "exp:5" and req.echo()["decay"] == "exp:5"
    assert PlanRequest.from_options(objective="decay").objective.decay == "linear"
    req = PlanRequest.from_options(
        objective="decay", decay="step:8=1,10=0.5", minutes="8,10", targets="0.8,1"
    )
    assert "within 10 min: 0.5" in req.objective.meaning(req.minutes)


@pytest.mark.parametrize("objective", ["worst", "time"])
def test_the_time_limit_reaches_the_p_center_and_p_median_solvers(demo, monkeypatch, objective):
    from planner.optimize import p_center, p_median

    seen: list[object] = []
    for cls in (p_center.PCenter, p_median.PMedian):
        solve = cls.solve

        def spy(self, method="local", *, time_limit_s=None, _solve=solve):
            seen.append(time_limit_s)
            return _solve(self, method, time_limit_s=time_limit_s)

        monkeypatch.setattr(cls, "solve", spy)
    net, hs, st, cand = demo
    res = plan(net, hs, st, cand, add=2, objective=objective, time_limit=7.5)
    assert seen == [7.5]
    assert res.summary()["inputs"]["time_limit_s"] == 7.5
