"""Every part of the network counts: two islands with stations on one only, and a network
made for cars used by riders (warnings, detour anomalies)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pytest

from planner.outputs import summary as summary_mod
from planner.outputs.report import report_html
from planner.outputs.tables import stations_scored
from planner.plan import objectives
from planner.plan.request import PlanRequest
from planner.plan.run import plan
from tests.conftest import UTM, X0, Y0, make_network

#: Island B lies this far east of island A (m): farther than any snap limit.
GAP_M = 3000.0


def _grid(origin: tuple[float, float], first_id: int, size: int = 4, step: float = 200.0):
    """A ``size × size`` grid of two-way residential streets, ``step`` metres apart."""
    nodes, ways = {}, []
    for i in range(size):
        for j in range(size):
            nodes[first_id + i * size + j] = (origin[0] + i * step, origin[1] + j * step)
    for i in range(size):
        for j in range(size):
            n = first_id + i * size + j
            if i + 1 < size:
                ways.append({"u": n, "v": n + size})
            if j + 1 < size:
                ways.append({"u": n, "v": n + 1})
    return nodes, ways


def _points(rows: list[tuple[str, float, float]], weight: list[float] | None = None):
    """WGS-84 points ``(id, x, y)`` with x, y metres from the test origin (UTM 31N)."""
    geom = gpd.points_from_xy([X0 + r[1] for r in rows], [Y0 + r[2] for r in rows], crs=UTM)
    frame = gpd.GeoDataFrame({"id": [r[0] for r in rows], "name": [r[0] for r in rows]},
                             geometry=geom).to_crs("EPSG:4326")  # fmt: skip
    frame["lon"], frame["lat"] = frame.geometry.x, frame.geometry.y
    if weight is not None:
        frame["weight"] = weight
    return frame


@pytest.fixture(scope="module")
def islands():
    na, wa = _grid((0.0, 0.0), 1)
    nb, wb = _grid((GAP_M, 0.0), 101)
    net = make_network({**na, **nb}, wa + wb, mode="ebike")
    hotspots = _points(
        [("HA1", 100, 5), ("HA2", 400, 205), ("HB1", GAP_M + 100, 5), ("HB2", GAP_M + 300, 405)],
        weight=[4.0, 4.0, 1.0, 1.0],
    )
    stations = _points([("S1", 200, 105)])
    candidates = _points([("CA", 600, 5), ("CB", GAP_M + 200, 205)])
    return net, hotspots, stations, candidates


def test_both_islands_are_kept_with_their_part_ids(islands):
    net = islands[0]
    assert net.report["parts_kept"] == 2 and net.report["nodes_dropped"] == 0
    assert sorted(np.unique(net.nodes["part"])) == [0, 1]
    # the island of the lowest node ids is part 0 on a tie of size
    assert net.nodes.loc[net.nodes["osmid"] == 1, "part"].item() == 0


def test_the_island_without_a_station_is_a_blind_spot_with_its_reason(islands):
    net, hs, st, cand = islands
    p = plan(net, hs, st, cand, PlanRequest(add=1))
    status = p.hotspots.set_index("id")
    assert (status["snap_status"] != "excluded").all()  # was: HB1, HB2 far from every road
    reason = "no station on its part of the network"
    assert list(status.loc[["HB1", "HB2"], "blind_reason"]) == [reason] * 2
    assert set(status.loc[["HA1", "HA2"], "blind_reason"]) == {""}
    blind = p.blind_spots.set_index("id")
    assert set(blind.index) == {"HB1", "HB2"}
    assert set(blind["reason"]) == {"no station on its part of the network"}
    assert set(p.snapping.loc[p.snapping["role"] == "hotspot", "status"]) == {"ok"}


def test_summary_lists_the_parts_with_their_demand_and_coverage(islands):
    net, hs, st, cand = islands
    p = plan(net, hs, st, cand, PlanRequest(add=1))
    doc = json.loads(summary_mod.build(p).to_json())  # strict JSON: raises on NaN
    listed = {q["part"]: q for q in doc["network"]["parts"]}
    assert set(listed) == {0, 1}
    assert listed[0]["demand"] == 8.0 and listed[0]["stations"] == 1
    assert listed[0]["candidates"] == 1 and listed[0]["covered"]["8"] == 1.0
    assert listed[1]["demand"] == 2.0 and listed[1]["stations"] == 0
    assert listed[1]["candidates"] == 1 and listed[1]["covered"]["15"] == 0.0
    assert listed[1]["demand_share"] == pytest.approx(0.2)
    assert doc["network"]["parts_kept"] == 2
    page = report_html(summary_mod.build(p), stations_scored(p))
    assert "Parts of the network" in page and "no station" in page


def test_reach_is_feasible_with_a_candidate_on_each_island(islands):
    net, hs, st, cand = islands
    p = plan(net, hs, st, cand, PlanRequest(objective=objectives.Reach(minutes=10, share=1.0)))
    assert list(p.recommended["id"]) == ["CB"]
    assert p.recommended["cumulative_share_10"].iloc[-1] == pytest.approx(1.0)
    assert p.solution.optimal


def _one_way_loop(side_m: float):
    """A one-way loop: 100 m east along y = 0, then ``side_m`` north, west and south."""
    nodes = {1: (0.0, 0.0), 2: (100.0, 0.0), 3: (100.0, side_m), 4: (0.0, side_m)}
    ways = [{"u": a, "v": b, "oneway": "yes"} for a, b in ((1, 2), (2, 3), (3, 4), (4, 1))]
    return make_network(nodes, ways, mode="ebike")


def test_a_one_way_loop_is_a_detour_anomaly_in_the_tables_and_the_summary():
    net = _one_way_loop(600.0)
    # H1 is 60 m past the station: riders go round the loop (about 1.3 km); H2 is before it
    hs = _points([("H1", 80, 5), ("H2", 10, 5)], weight=[2.0, 1.0])
    p = plan(net, hs, _points([("S1", 20, 5)]), None, PlanRequest())
    status = p.hotspots.set_index("id")
    # by hand: 20 + 600 + 100 + 600 + 20 m at 16 km/h = 301.5 s against 60 m at 20 km/h
    assert status.loc["H1", "detour_factor"] == pytest.approx(301.5 / 10.8, abs=0.01)
    assert "station S1 (60 m away in a straight line)" in status.loc["H1", "detour"]
    assert status.loc["H2", "detour"] == "" and np.isnan(status.loc["H2", "detour_factor"])
    snap = p.snapping.set_index("id")
    assert snap.loc["H1", "detour"] == status.loc["H1", "detour"]
    assert snap.loc["S1", "detour"] == ""
    doc = json.loads(summary_mod.build(p).to_json())
    assert doc["network"]["detour_anomalies"] == 1
    assert doc["network"]["detour_anomaly_demand"] == 2.0
    page = report_html(summary_mod.build(p), stations_scored(p))
    assert "Detour anomalies: 1 hotspots" in page
    # residential streets only: no footway, cycleway or path, so riders are warned
    (warning,) = doc["network"]["warnings"]
    assert "non-motorised lanes" in warning and "Warning:</b>" in page
    assert "oneway = &quot;ignore&quot;" in page


def test_a_station_close_by_but_beyond_the_largest_circle_is_flagged_in_the_blind_spots():
    net = _one_way_loop(2000.0)  # round the loop: about 4.1 km, over 15 min at 16 km/h
    hs = _points([("H1", 80, 5)], weight=[1.0])
    p = plan(net, hs, _points([("S1", 20, 5)]), None, PlanRequest())
    blind = p.blind_spots.set_index("id")
    assert "beyond 15 min on the network" in blind.loc["H1", "detour"]
    assert blind.loc["H1", "reason"] == "beyond 8 min of every station"
    assert np.isnan(blind.loc["H1", "detour_factor"])


def test_reach_out_of_reach_names_the_part_without_a_site(islands):
    from planner.core.errors import FieldError

    net, hs, st, cand = islands
    only_a = cand.loc[cand["id"] == "CA"].reset_index(drop=True)
    with pytest.raises(FieldError) as err:
        plan(net, hs, st, only_a, PlanRequest(objective=objectives.Reach(minutes=10, share=1.0)))
    assert err.value.field == "reach"
    text = str(err.value)
    assert "covers only 80.0% of demand" in text
    assert "no station or candidate lies on part 1 (20.0% of demand) of the network" in text
    assert "at most 80.0% of demand can ever be reached" in text


def test_oneway_ignore_in_the_speeds_file_removes_the_detour(tmp_path):
    from planner.inputs.settings_files import mode_from_toml

    speeds = tmp_path / "speeds.toml"
    speeds.write_text('mode = "ebike"\noneway = "ignore"\n', encoding="utf-8")
    mode = mode_from_toml(speeds, base="ebike")
    nodes = {1: (0.0, 0.0), 2: (100.0, 0.0), 3: (100.0, 600.0), 4: (0.0, 600.0)}
    ways = [{"u": a, "v": b, "oneway": "yes"} for a, b in ((1, 2), (2, 3), (3, 4), (4, 1))]
    net = make_network(nodes, ways, mode=mode)
    hs = _points([("H1", 80, 5)], weight=[1.0])
    p = plan(net, hs, _points([("S1", 20, 5)]), None, PlanRequest())
    assert p.hotspots["detour"].tolist() == [""]
    assert p.hotspots["nearest_minutes"].iloc[0] < 0.5  # 60 m straight back along the road
