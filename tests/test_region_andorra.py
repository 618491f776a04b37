"""The halo equality on a real extract: Andorra's parishes (OSM ``admin_level=7``) planned
on their clipped networks against one plan over the whole country restricted to each
parish's hotspots. Skipped where ``../shared/data`` is absent."""

from __future__ import annotations

import geopandas as gpd
import pytest

from planner.app import demo_inputs
from planner.inputs import network as network_mod
from planner.plan import run as plan_run
from planner.plan.request import PlanRequest
from planner.region import run as region_run

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def parishes(andorra_pbf) -> gpd.GeoDataFrame:
    from pyrosm import OSM

    b = OSM(str(andorra_pbf)).get_boundaries(boundary_type="administrative")
    p = b.loc[b["admin_level"].astype(str) == "7", ["name", "geometry"]]
    return gpd.GeoDataFrame(
        {"district": p["name"].to_numpy()}, geometry=p.geometry.to_numpy(), crs=4326
    ).sort_values("district", ignore_index=True)


def test_parishes_equal_the_whole_country(andorra_pbf, parishes):
    assert len(parishes) == 7
    _, hs, st, cand = demo_inputs(str(andorra_pbf), n_stations=8)
    net = network_mod.load(andorra_pbf, mode="ebike")
    request = PlanRequest.from_options(add=2, minutes="5,8", targets="0.8,1", method="greedy")
    jobs, halo, outside = region_run.make_jobs(net, parishes, (hs, st, cand), request)
    assert halo.sites_m == pytest.approx(25 / 3.6 * 480 + 1000 + 300)
    assert sum(len(j.hotspots) for j in jobs) + outside == len(hs)
    job = region_run.Clipper(net, halo.network_m).job(
        next(j for j in jobs if j.name == "Escaldes-Engordany")
    )
    assert job.network.n_nodes < 0.75 * net.n_nodes  # Andorra is small: half is the halo
    part = plan_run.plan(job.network, job.hotspots, job.stations, job.candidates, request)
    whole = plan_run.plan(net, job.hotspots, st, cand, request)
    for m in ("5", "8"):
        assert part.district["covered"][m] == whole.district["covered"][m]
    assert part.recommended["id"].tolist() == whole.recommended["id"].tolist()
    got, want = part.hotspots["nearest_minutes"], whole.hotspots["nearest_minutes"]
    assert got.equals(want)
