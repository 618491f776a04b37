"""plan(): the stages from inputs and a request to a frozen Plan, without the CLI."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pytest

from planner.app import demo_inputs
from planner.core.errors import FieldError
from planner.optimize import Solution
from planner.plan import objectives
from planner.plan.objectives import Choice, Context, Objective
from planner.plan.request import PlanRequest
from planner.plan.result import Plan
from planner.plan.run import plan


@pytest.fixture(scope="module")
def demo(helsinki_pbf, helsinki_walk):
    _, hs, st, cand = demo_inputs(helsinki_pbf)
    return helsinki_walk, hs, st, cand.head(25).reset_index(drop=True)


def test_a_request_and_options_by_name_give_the_same_plan(demo):
    net, hs, st, cand = demo
    a = plan(net, hs, st, cand, PlanRequest(add=2))
    b = plan(net, hs, st, cand, add=2)
    assert isinstance(a, Plan) and list(a.recommended["id"]) == list(b.recommended["id"])
    assert a.solution.objective == b.solution.objective
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.sites_asked = 5  # type: ignore[misc]
    with pytest.raises(TypeError, match="not both"):
        plan(net, hs, st, cand, PlanRequest(add=2), add=3)


def test_scoring_only_without_candidates(demo):
    net, hs, st, _ = demo
    p = plan(net, hs, st, None, PlanRequest())
    assert p.sites_asked == 0 and len(p.recommended) == 0 and p.coverage_curve is None
    assert set(p.scores["station_id"]) == set(st["id"])


def test_more_sites_than_candidates_names_the_field(demo):
    net, hs, st, cand = demo
    with pytest.raises(FieldError) as info:
        plan(net, hs, st, cand.head(2), PlanRequest(add=3))
    assert info.value.field == "add"
    assert "asked for 3 new stations but there are only 2 candidate sites" in str(info.value)


def test_the_objective_decides_the_count_with_reach(demo):
    net, hs, st, cand = demo
    p = plan(net, hs, st, cand, PlanRequest(objective=objectives.Reach(minutes=10, share=0.9)))
    assert p.sites_asked == len(p.recommended) == int(p.solution.objective)
    assert p.recommended["cumulative_share_10"].iloc[-1] >= 0.9


def test_capacities_add_their_columns_and_served_shares(demo):
    net, hs, st, cand = demo
    p = plan(net, hs, st, cand, add=2, capacity=40)
    cols = list(p.recommended.columns)
    assert cols[cols.index("coordinates") + 1 : cols.index("coordinates") + 3] == [
        "capacity",
        "served_demand",
    ]
    assert (p.recommended["served_demand"] <= 40 + 1e-9).all()
    assert set(p.served_after) == {"8", "10", "15"}


@dataclass(frozen=True)
class FirstSites(Objective):
    """A new objective written outside the package: the first ``add`` candidates by id.
    It plugs into plan() with no change to plan()."""

    name = "first"

    def choose(self, ctx: Context) -> Choice:
        ids = ctx.candidates.times.source_ids
        picked = np.argsort(ids, kind="stable")[: ctx.add]
        return Choice(Solution(picked, float(ctx.add), float(ctx.add), 0.0, "greedy", optimal=True))

    def meaning(self, minutes: tuple[float, ...]) -> str:
        return "the first sites by id"


def test_a_new_objective_is_one_class(demo):
    net, hs, st, cand = demo
    p = plan(net, hs, st, cand, PlanRequest(add=2, objective=FirstSites()))
    assert list(p.recommended["id"]) == sorted(cand["id"])[:2]
    assert p.solution.optimal and len(p.isochrones.query("kind == 'suggested'")) == 2 * 3


def test_hotspot_status_and_blind_spots_agree_with_the_times(demo):
    net, hs, st, cand = demo
    p = plan(net, hs, st, cand, PlanRequest(add=1))
    nearest = p.station_times.nearest_seconds()
    assert (p.hotspots["covered_8"].to_numpy() == (nearest <= 480)).all()
    assert len(p.blind_spots) == int((~(nearest <= 480)).sum())
    w = p.blind_spots["weight"].to_numpy()
    assert (np.diff(w) <= 0).all()  # heaviest first


def test_objective_worst_is_the_p_center_of_the_network_times(demo):
    """Against brute force from the stored times (beyond the widest circle counts at twice
    its time); the CLI's --objective takes it with no change to plan() or the CLI."""
    import itertools

    net, hs, st, cand = demo
    cand = cand.head(12)
    res = plan(net, hs, st, cand, add=2, objective="worst", method="exact")
    penalty = 2 * res.candidate_times.limit_s
    cost = np.full(res.candidate_times.seconds.shape, penalty)
    m = res.candidate_times.seconds.tocoo()
    cost[m.row, m.col] = m.data
    base = np.minimum(res.station_times.nearest_seconds(), penalty)
    demand = hs["weight"].to_numpy() > 0
    best = min(
        np.minimum(base, cost[list(c)].min(axis=0))[demand].max()
        for c in itertools.combinations(range(len(cost)), 2)
    )
    assert res.solution.optimal and res.solution.objective == pytest.approx(best)
    assert isinstance(res.request.objective, objectives.LongestTime)


def test_spacing_that_leaves_too_few_candidates_names_add_and_the_spacing(demo):
    net, hs, st, cand = demo
    with pytest.raises(FieldError) as info:
        plan(net, hs, st, cand, add=3, min_spacing_m=1500)
    assert info.value.field == "add"
    text = info.value.render({"add": "--add", "min_spacing_m": "--min-spacing-m"})
    assert text.startswith("--add: asked for 3 new sites but only 0 candidates lie at least 1500 m")


@pytest.mark.parametrize("options", [{"add": 3}, {"add": 2, "capacity": "cap"}])
def test_row_order_of_the_candidates_never_decides_the_answer(demo, options):
    """Ties between venues are broken by id, whatever the order of the file's rows."""
    net, hs, st, cand = demo
    cand = cand.assign(cap=np.linspace(20, 60, len(cand)))
    a = plan(net, hs, st, cand, **options)
    b = plan(net, hs, st, cand.iloc[::-1].reset_index(drop=True), **options)
    c = plan(net, hs, st, cand.sample(frac=1, random_state=3).reset_index(drop=True), **options)
    assert list(a.recommended["id"]) == list(b.recommended["id"]) == list(c.recommended["id"])
    assert a.solution.objective == b.solution.objective == c.solution.objective
    if "capacity" in options:
        caps = dict(zip(cand["id"], cand["cap"], strict=True))
        assert list(b.recommended["capacity"]) == [caps[i] for i in b.recommended["id"]]


@pytest.mark.parametrize(
    "options",
    [{"add": 3}, {"add": 2, "capacity": 40}, {"add": 2, "objective": "time"},
     {"add": 2, "objective": "worst"}, {"add": 3, "method": "exact"}],
)  # fmt: skip
def test_the_coverage_curve_passes_through_the_suggested_sites(demo, options):
    """Whatever the objective and method, the curve lists the suggested sites first, in
    their order, and reaches exactly the suggested coverage; greedy picks follow."""
    net, hs, st, cand = demo
    p = plan(net, hs, st, cand, **options)
    k = len(p.recommended)
    head = p.coverage_curve.iloc[1 : k + 1]
    assert list(head["id"]) == list(p.recommended["id"]) and head["suggested"].all()
    assert not p.coverage_curve["suggested"].iloc[k + 1 :].any()
    for lab in ("8", "10", "15"):
        assert head[f"cumulative_share_{lab}"].iloc[-1] == pytest.approx(
            p.recommended[f"cumulative_share_{lab}"].iloc[-1]
        )
