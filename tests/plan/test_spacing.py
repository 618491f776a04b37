"""The minimum spacing of new sites: its default, what it costs, and 0 turning it off, on a
hand-built network where the best site is 135 m from a station across a river."""

from __future__ import annotations

import itertools
import json

import geopandas as gpd
import pytest

from planner.outputs import console, report, summary
from planner.plan import objectives
from planner.plan.request import PlanRequest
from planner.plan.run import plan
from tests.conftest import UTM, X0, Y0, make_network

#: Road A (y = 0) carries the station; road B (y = 135) runs along the other bank and meets
#: road A only 3 km away on either side, so the station reaches nothing on road B.
NODES = {1: (-3000, 0), 2: (0, 0), 3: (3000, 0), 4: (-3000, 135), 5: (0, 135), 6: (3000, 135)}
WAYS = [{"u": u, "v": v} for u, v in [(1, 2), (2, 3), (4, 5), (5, 6), (1, 4), (3, 6)]]
#: Candidates on road B: C1 right across the river from the station (135 m), C2 and C3
#: 150 m apart, C4 on the other side.
CANDIDATES = {"C1": (0, 140), "C2": (350, 140), "C3": (500, 140), "C4": (-450, 140)}
MINUTES = "2,3,4"


def _points(pts: dict[str, tuple[float, float]], **cols: object) -> gpd.GeoDataFrame:
    g = gpd.GeoDataFrame(
        {"id": list(pts), "name": list(pts), **cols},
        geometry=gpd.points_from_xy([X0 + x for x, _ in pts.values()],
                                    [Y0 + y for _, y in pts.values()]),
        crs=UTM,
    ).to_crs(4326)  # fmt: skip
    return g.assign(lon=g.geometry.x, lat=g.geometry.y)


@pytest.fixture(scope="module")
def river():
    net = make_network(NODES, WAYS)
    spots = {f"H{i}": (float(x), 140.0) for i, x in enumerate(range(-600, 601, 25))}
    spots["H_A"] = (40.0, 5.0)  # on the station's bank
    weights = [3.0 if -100 <= x <= 100 else 1.0 for x, _ in spots.values()]
    hotspots = _points(spots, weight=weights)
    stations = _points({"S1": (0.0, -5.0)})
    candidates = _points(CANDIDATES)
    return net, hotspots, stations, candidates


def _distances(p, stations) -> tuple[list[float], list[float]]:
    """Straight-line distances (m) of the suggested sites to the stations and to each
    other."""
    rec = p.recommended.to_crs(UTM).geometry
    st = stations.to_crs(UTM).geometry
    to_station = [float(st.distance(g).min()) for g in rec]
    between = [float(a.distance(b)) for a, b in itertools.combinations(rec, 2)]
    return to_station, between


def test_the_default_spacing_keeps_new_sites_300_m_from_stations_and_each_other(river):
    net, hs, st, cand = river
    p = plan(net, hs, st, cand, minutes=MINUTES, targets="0.5,0.5,0.5", add=2)
    to_station, between = _distances(p, st)
    assert min(to_station) >= 300.0 and min(between) >= 300.0, (to_station, between)
    assert "C1" not in set(p.recommended["id"])
    assert {"C2", "C3"} - set(p.recommended["id"])  # 150 m apart: never both
    assert p.request.spacing_m == objectives.SPACING_M == 300.0


def test_min_spacing_0_turns_it_off_and_the_best_site_is_across_the_river(river):
    net, hs, st, cand = river
    p = plan(net, hs, st, cand, minutes=MINUTES, targets="0.5,0.5,0.5", add=2, min_spacing_m=0)
    assert "C1" in set(p.recommended["id"])
    assert min(_distances(p, st)[0]) < 150.0
    assert p.spacing is None
    assert "spacing" not in summary.build(p).to_dict()


def test_the_summary_states_the_coverage_with_and_without_the_spacing(river):
    net, hs, st, cand = river
    p = plan(net, hs, st, cand, minutes=MINUTES, targets="0.5,0.5,0.5", add=2)
    free = plan(net, hs, st, cand, minutes=MINUTES, targets="0.5,0.5,0.5", add=2, min_spacing_m=0)
    s = summary.build(p)
    doc = json.loads(s.to_json())["spacing"]
    assert doc["min_m"] == 300.0 and doc["candidates_too_close_to_a_station"] == 1  # C1
    assert doc["candidate_pairs_too_close"] == 1  # C2-C3
    assert doc["coverage_with"] == s.coverage_after_recommended
    after_free = summary.build(free).coverage_after_recommended
    assert doc["coverage_without"] == pytest.approx(after_free)
    assert doc["objective_without"] == pytest.approx(free.solution.objective)
    assert doc["objective_with"] == pytest.approx(p.solution.objective)
    assert doc["objective_cost"] > 0 and doc["cost"]["2"] > 0
    assert set(doc["sites_without"]) == set(free.recommended["id"])
    lines = console.console_lines(s, "out")
    assert any(line.startswith("spacing: new sites at least 300 m") for line in lines)
    assert any("without it 2 min" in line for line in lines)
    page = report.report_html(s, p.scores, recommended=p.recommended)
    assert "at least 300 m" in page and "the spacing costs" in page


@pytest.mark.parametrize("name", ["time", "worst"])
def test_objectives_without_a_spacing_rule_default_to_none(river, name):
    assert PlanRequest.from_options(objective=name).spacing_m == 0.0
    assert PlanRequest.from_options(reach="50%@10").spacing_m == 0.0
    assert PlanRequest.from_options(add=2).echo()["min_spacing_m"] == 300.0
