"""The region's spatial indexes built once for every district give each district the same
clipped network and halo sites as an index of its own; a job's inputs hash is computed
once and still tells jobs apart."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from planner.app import demo_inputs
from planner.region import halo as halo_mod
from planner.region import tasks


@pytest.fixture(scope="module")
def demo(helsinki_pbf, helsinki_walk):
    _, hs, st, cand = demo_inputs(helsinki_pbf)
    return helsinki_walk, hs, st, cand


def _polygons(network, n: int = 5) -> list[shapely.Geometry]:
    """``n`` random boxes over the network's extent (network CRS), seeded."""
    x0, y0, x1, y1 = network.nodes.total_bounds
    rng = np.random.default_rng(3)
    out = []
    for _ in range(n):
        cx, cy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        w, h = rng.uniform(50, (x1 - x0) / 3), rng.uniform(50, (y1 - y0) / 3)
        out.append(shapely.box(cx - w, cy - h, cx + w, cy + h))
    return out


def test_a_shared_index_clips_as_an_own_one(demo):
    network, _, stations, candidates = demo
    roads = halo_mod.segment_tree(network)
    st_tree = halo_mod.point_tree(stations, network.crs)
    cand_tree = halo_mod.point_tree(candidates, network.crs)
    sizes = set()
    for poly in _polygons(network):
        own = halo_mod.clip_network(network, poly, 150.0)
        shared = halo_mod.clip_network(network, poly, 150.0, tree=roads)
        pd.testing.assert_frame_equal(own.segments, shared.segments)
        pd.testing.assert_frame_equal(own.nodes, shared.nodes)
        sizes.add(len(own.segments))
        for points, tree in ((stations, st_tree), (candidates, cand_tree)):
            a = halo_mod.within(points, poly, 300.0, crs=network.crs)
            b = halo_mod.within(points, poly, 300.0, crs=network.crs, tree=tree)
            assert list(a["id"]) == list(b["id"])
    assert len(sizes) > 1  # the boxes clip different parts


def test_inputs_hash_once_per_job_and_distinct(demo):
    from planner.plan.request import PlanRequest

    network, hotspots, stations, candidates = demo
    request = PlanRequest(add=1, minutes="1,2.5", targets="0.5,0.8").validate()
    job = tasks.Job(name="A", folder="districts/A", polygon=shapely.box(0, 0, 1, 1),
                    network=network, hotspots=hotspots, stations=stations,
                    candidates=candidates, request=request)  # fmt: skip
    first = job.inputs_hash
    assert job.__dict__["inputs_hash"] == first and job.inputs_hash == first
    other = job.with_add(2)
    assert "inputs_hash" not in other.__dict__  # a new job hashes afresh
    assert other.inputs_hash != first
    assert other.with_add(1).inputs_hash == first
