"""The planner on the whole of Andorra (real OSM extract in ../shared/data)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner import pipeline
from planner.cli import main
from planner.inputs import demand, sites
from planner.inputs import network as network_mod

STATIONS = Path(__file__).resolve().parents[2] / "data" / "andorra_stations.csv"


@pytest.fixture(scope="module")
def andorra_plan(andorra_pbf):
    net = network_mod.load(andorra_pbf, mode="ebike")
    return pipeline.plan(
        net,
        demand.hotspots_from_osm(andorra_pbf),
        sites.read_sites(STATIONS),
        sites.candidates_from_osm(andorra_pbf),
        add=5,
    )


def test_andorra_plan_from_the_cli(andorra_pbf, tmp_path):
    out = tmp_path / "andorra"
    res = CliRunner().invoke(main, [
        "plan", "--network", str(andorra_pbf), "--hotspots", "osm", "--stations", str(STATIONS),
        "--candidates", "osm", "--add", "5", "--out", str(out), "--quiet"],
        catch_exceptions=False)  # fmt: skip
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    assert s["network"]["segments_kept"] > 50_000
    assert s["counts"]["hotspots"] > 300 and s["counts"]["candidates"] > 200
    before = [v["share"] for v in s["coverage_existing"]["covered"].values()]
    after = list(s["coverage_after_recommended"].values())
    assert before[0] < before[1] < before[2]
    assert all(a > b for a, b in zip(after, before, strict=True))
    assert s["optimizer"]["gap"] < 0.2
    assert s["parameters"]["speeds_kph"]["residential"] == 16.0
    rec = pd.read_csv(out / "recommended_sites.csv")
    assert len(rec) == 5 and (rec["demand_added_8"] > 0).all()
    assert rec["lon"].between(1.4, 1.8).all() and rec["lat"].between(42.4, 42.7).all()
    # the default spacing: no suggested site within 300 m of a station or of another one
    # (without it the fifth site is a supermarket 128 m from Andorra la Vella's town hall)
    from pyproj import Geod

    geod = Geod(ellps="WGS84")
    st = pd.read_csv(STATIONS)
    for r in rec.itertuples():
        d_st = [geod.inv(r.lon, r.lat, x.lon, x.lat)[2] for x in st.itertuples()]
        d_new = [geod.inv(r.lon, r.lat, x.lon, x.lat)[2] for x in rec.itertuples() if x.id != r.id]
        assert min(d_st) >= 300.0 and min(d_new) >= 300.0, (r.id, min(d_st), min(d_new))
    spacing = s["spacing"]
    assert spacing["min_m"] == 300.0 and spacing["candidates_too_close_to_a_station"] > 0
    assert spacing["coverage_with"] == s["coverage_after_recommended"]
    assert spacing["objective_without"] >= spacing["objective_with"] == s["optimizer"]["value"]


def test_andorra_polygons_agree_with_coverage(andorra_plan):
    plan = andorra_plan
    crs = plan.network.crs
    iso = plan.isochrones.loc[plan.isochrones["kind"] == "existing"].to_crs(crs)
    hs = plan.hotspots.to_crs(crs).reset_index(drop=True)
    pairs = plan.station_times.pairs()
    pos = {h: i for i, h in enumerate(hs["id"])}
    checked = 0
    for m in plan.minutes:
        within = pairs.loc[pairs["seconds"] <= m * 60]
        polys = iso.loc[iso["minutes"] == m].set_index("station_id").geometry
        for row in within.itertuples():
            h = hs.iloc[pos[row.target_id]]
            # covered hotspots lie inside the polygon, allowing for their access leg
            assert polys[row.source_id].distance(h.geometry) <= h["snap_distance_m"] + 0.2
            checked += 1
    assert checked > 300
    # exactly nested in the analysis CRS (see test_isochrones); the WGS-84 outputs sit on a
    # 1e-6 degree grid, so after the round trip they are nested to within that grid
    for sid, g in iso.groupby("station_id"):
        geoms = g.sort_values("minutes").geometry.tolist()
        assert geoms[1].buffer(0.2).covers(geoms[0]), sid
        assert geoms[2].buffer(0.2).covers(geoms[1]), sid
    areas = plan.service_areas.to_crs(crs).sort_values("minutes").geometry.tolist()
    assert areas[2].buffer(0.2).covers(areas[0])


def test_andorra_times_match_networkx(andorra_plan):
    import networkx as nx

    from planner.analysis import travel

    net = andorra_plan.network
    rng = np.random.default_rng(5)
    picks = rng.choice(net.n_nodes, size=4, replace=False)
    pts = np.array([net.nodes.geometry.iloc[p].coords[0] for p in picks])
    s = travel.snap(net, pts, np.array([f"S{i}" for i in range(4)]))
    tt = travel.compute(net, s, s, limit_s=600.0, keep_node_times=True)
    g = nx.DiGraph()
    e = net.edges()
    for u, v, t in zip(e["u"], e["v"], e["travel_time_s"], strict=True):
        if not g.has_edge(v, u) or g[v][u]["w"] > t:
            g.add_edge(int(v), int(u), w=float(t))  # reversed: search from the station
    ns = tt.node_seconds.tocsr()
    for i, p in enumerate(picks):
        want = nx.single_source_dijkstra_path_length(g, int(p), cutoff=600.0, weight="w")
        got = dict(zip(ns[i].indices.tolist(), ns[i].data.tolist(), strict=True))
        assert set(got) == set(want)
        assert max(abs(got[j] - want[j]) for j in want) < 1e-6


def test_andorra_opening_hours_of_the_map(andorra_plan):
    """The OSM opening_hours tags of the host venues: coverage by hour never above the
    coverage with every venue open; the evening plan picks venues open in the evening."""
    from planner.inputs import hours as hours_in

    notes = andorra_plan.opening_hours
    assert notes is not None and notes["candidates_with_hours"] >= 10
    assert notes["stations_assumed_always_open"] == len(andorra_plan.stations)
    last = andorra_plan.recommended.iloc[-1]  # every venue open: the suggested coverage
    for row in andorra_plan.coverage_by_hour:
        for label, share in row["share_within"].items():
            assert share <= last[f"cumulative_share_{label}"] + 1e-6  # rounded to 1e-6
    keep = ["id", "name", "weight", "lon", "lat", "geometry"]
    evening = pipeline.plan(
        andorra_plan.network, andorra_plan.hotspots[keep],
        andorra_plan.stations.drop(columns="nearest_road"), andorra_plan.candidates,
        add=5, hours="17-22",
    )  # fmt: skip
    chosen = andorra_plan.candidates.set_index("id").loc[evening.recommended["id"]]
    for value in chosen["opening_hours"]:
        assert hours_in.week(str(value))[:, 17:22].any()  # open some evening hour (or always)
    assert evening.solution.objective <= andorra_plan.solution.objective + 1e-9
