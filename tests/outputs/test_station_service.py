"""Capacitated stations (``station_capacity``) in the deliverables: each station's served
demand against its capacity in stations_scored.csv, summary.json and the report, and the
GeoPackage's assignment lines following the plan's split, never beyond a capacity."""

from __future__ import annotations

import re

import pyogrio
import pytest

from planner.outputs import report, summary, tables
from planner.outputs.geopackage import write
from planner.plan.run import plan

STATION_CAP, SITE_CAP = 100.0, 150.0


@pytest.fixture(scope="module")
def capped(helsinki_walk, demo_points):
    """Two new sites of capacity 150; every station can serve 100 (less than it reaches)."""
    hotspots, stations, candidates = demo_points
    return plan(
        helsinki_walk, hotspots, stations, candidates.head(12), add=2, capacity=SITE_CAP,
        station_capacity=STATION_CAP,
    )  # fmt: skip


def test_the_plan_states_each_stations_service_within_its_capacity(capped):
    service = capped.station_service
    assert service is not None and len(service) == len(capped.stations)
    assert (service["served_demand"] <= service["capacity"] + 1e-6).all()
    assert (service["capacity"] == STATION_CAP).all()
    # each station reaches more demand than it may serve: the caps bind
    assert (capped.scores["demand_15"] > STATION_CAP).all()
    by_station = capped.station_split.merge(
        capped.hotspots[["id", "weight"]], left_on="hotspot_id", right_on="id"
    )
    served = (by_station["share"] * by_station["weight"]).groupby(by_station["station_id"]).sum()
    assert served.reindex(service["station_id"]).to_numpy() == pytest.approx(
        service["served_demand"].to_numpy(), abs=1e-5
    )
    scored = tables.stations_scored(capped)
    assert {"capacity", "served_demand"} <= set(scored.columns)
    doc = summary.build(capped).to_dict()
    assert [s["served_demand"] for s in doc["station_service"]] == pytest.approx(
        service["served_demand"].tolist()
    )


def test_the_assignment_layer_follows_the_split(capped, tmp_path):
    path = tmp_path / "plan.gpkg"
    write({"assignments": tables.assignment(capped)}, path)
    lines = pyogrio.read_dataframe(path, layer="assignments")
    per_site = lines.groupby(["site_kind", "site_id"])["served_demand"].sum()
    service = capped.station_service.set_index("station_id")["served_demand"]
    existing = per_site.loc["existing"]
    assert existing.reindex(service.index).to_numpy() == pytest.approx(service.to_numpy(), abs=1e-5)
    assert (existing <= STATION_CAP + 1e-5).all()
    assert (per_site.loc["suggested"] <= SITE_CAP + 1e-5).all()
    assert (lines.groupby("hotspot_id")["share"].sum() <= 1 + 1e-6).all()


def test_the_report_shows_served_demand_against_capacity(capped):
    s = summary.build(capped)
    html = report.report_html(s, tables.stations_scored(capped), lang="zh")
    table = html.split("<table class='stations'>", 1)[1].split("</table>", 1)[0]
    assert "<th>服务需求</th><th>容量</th>" in table
    served = [float(x) for x in re.findall(r"<td class='served'>([^<]+)</td>", table)]
    caps = [float(x) for x in re.findall(r"<td class='capacity'>([^<]+)</td>", table)]
    assert served == pytest.approx(capped.station_service["served_demand"].tolist(), abs=1e-4)
    assert caps == [STATION_CAP] * len(capped.stations)
