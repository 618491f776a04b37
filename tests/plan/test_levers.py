"""Other operators' stations and goals per area around plan(), on the Helsinki extract."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.app import demo_inputs
from planner.core.errors import InputError
from planner.plan import levers
from planner.plan.request import PlanRequest


@pytest.fixture(scope="module")
def demo(helsinki_pbf, helsinki_walk):
    _, hs, st, cand = demo_inputs(helsinki_pbf)
    return helsinki_walk, hs, st, cand.head(25).reset_index(drop=True)


@pytest.fixture(scope="module")
def halves(demo):
    """Two areas, the west and east halves of the hotspots' extent (WGS-84)."""
    _, hs, _, _ = demo
    x0, y0, x1, y1 = hs.total_bounds
    mid = (x0 + x1) / 2
    boxes = [shapely.box(x0 - 1, y0 - 1, mid, y1 + 1), shapely.box(mid, y0 - 1, x1 + 1, y1 + 1)]
    return gpd.GeoDataFrame({"area": ["west", "east"]}, geometry=boxes, crs=4326)


@pytest.fixture(scope="module")
def others(demo):
    """Two venues of the extract run by other operators (taken from the candidates)."""
    _, _, _, cand = demo
    return cand.iloc[[3, 11]].assign(operator=["union", ""]).reset_index(drop=True)


def _shares(district):
    return {k: v["share"] for k, v in district["covered"].items()}


def test_counted_or_not_both_figures_are_stated_and_agree(demo, others):
    net, hs, st, cand = demo
    yes = levers.plan(net, hs, st, cand, PlanRequest(add=2), others=others, others_count=True)
    no = levers.plan(net, hs, st, cand, PlanRequest(add=2), others=others, others_count=False)
    assert yes.others.count and not no.others.count
    assert _shares(yes.district) == pytest.approx(yes.others.share_with)
    assert _shares(no.district) == pytest.approx(no.others.share_own)
    assert yes.others.share_own == pytest.approx(no.others.share_own)
    assert yes.others.share_with == pytest.approx(no.others.share_with)
    for k, v in yes.others.share_with.items():
        assert v >= yes.others.share_own[k] - 1e-12
    # counted: they are existing stations; either way never a candidate
    assert set(others["id"]) <= set(yes.stations["id"])
    assert not set(others["id"]) & set(no.stations["id"])
    for p in (yes, no):
        assert not set(others["id"]) & set(p.candidates["id"])
        assert p.others.stations["operator"].tolist() == ["union", "other"]
        assert (p.others.stations["demand_15"] >= p.others.stations["demand_8"]).all()
    assert yes.others.stations.drop(columns="geometry").equals(
        no.others.stations.drop(columns="geometry")
    )


def test_an_id_shared_with_a_station_is_an_error(demo, others):
    net, hs, st, cand = demo
    clash = pd.concat([others, st.head(1)], ignore_index=True)
    with pytest.raises(InputError, match="others file: ids .* also ids of the district"):
        levers.plan(net, hs, st, cand, PlanRequest(add=1), others=clash)


def test_fewest_sites_meet_every_area_goal(demo, halves):
    net, hs, st, cand = demo
    five = levers.plan(net, hs, st, cand, PlanRequest(add=5, min_spacing_m=0), areas=halves)
    after = five.areas_scored.set_index("area")
    # goals five sites are known to reach: the fewest sites can be no more than five
    targets = pd.DataFrame({
        "area": ["west", "east", "west"], "minutes": [10.0, 10.0, 15.0],
        "share": [after.at["west", "share_after_10"], after.at["east", "share_after_10"],
                  after.at["west", "share_after_15"]],
        "row": [2, 3, 4],
    })  # fmt: skip
    p = levers.plan(
        net, hs, st, cand, PlanRequest.from_options(reach="areas"), areas=halves,
        area_targets=targets,
    )  # fmt: skip
    assert 1 <= len(p.recommended) <= 5 and p.sites_asked == len(p.recommended)
    assert p.area_goals["met_after"].all()
    assert p.solution.bound <= p.solution.objective
    scored = p.areas_scored.set_index("area")
    assert bool(scored.at["west", "area_goal_10_met_after"]) and pd.isna(
        scored.at["east", "area_goal_15"]
    )
    exact = levers.plan(
        net, hs, st, cand, PlanRequest.from_options(reach="areas", method="exact"),
        areas=halves, area_targets=targets,
    )  # fmt: skip
    assert exact.solution.optimal and exact.solution.objective <= p.solution.objective


def test_goals_with_add_are_scored_before_and_after(demo, halves):
    net, hs, st, cand = demo
    targets = pd.DataFrame({"area": ["east"], "minutes": [8.0], "share": [1.0], "row": [2]})
    p = levers.plan(net, hs, st, cand, PlanRequest(add=2), areas=halves, area_targets=targets)
    g = p.area_goals.iloc[0]
    assert g["share_after"] >= g["share_before"]
    assert bool(g["met_before"]) == bool(np.isclose(g["share_before"], 1.0))


@pytest.mark.parametrize(
    ("row", "match"),
    [
        ({"area": "north", "minutes": 10.0}, r"row 2, column 'area': 'north' is not an area"),
        ({"area": "west", "minutes": 12.0}, r"row 2, column 'minutes': 12 is not one of"),
    ],
)
def test_targets_are_checked_against_areas_and_thresholds(demo, halves, row, match):
    net, hs, st, cand = demo
    targets = pd.DataFrame([{**row, "share": 0.9, "row": 2}])
    with pytest.raises(InputError, match=match):
        levers.plan(net, hs, st, cand, PlanRequest(add=1), areas=halves, area_targets=targets)


def test_reach_areas_needs_the_targets(demo, halves):
    net, hs, st, cand = demo
    with pytest.raises(InputError, match="goals per area"):
        levers.plan(net, hs, st, cand, PlanRequest.from_options(reach="areas"), areas=halves)
