"""Each district's network is clipped as its task is submitted, never all at once: a
resumed run finds complete folders without clipping, holds at most the tasks in flight, and
a changed network (anywhere) makes every district be computed again."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pytest
import shapely

from planner.app import demo_inputs
from planner.plan.request import PlanRequest
from planner.region import engine, tasks
from planner.region import run as region_run

REQUEST = dict(minutes="1,2.5", targets="0.5,0.8", min_spacing_m=0, snap_max_m=100, snap_warn_m=80)


@pytest.fixture(scope="module")
def demo(helsinki_pbf, helsinki_walk):
    _, hs, st, cand = demo_inputs(helsinki_pbf)
    return helsinki_walk, hs, st, cand


@pytest.fixture(scope="module")
def strips(helsinki_walk) -> gpd.GeoDataFrame:
    """Five districts side by side across the extract."""
    x0, y0, x1, y1 = helsinki_walk.nodes.to_crs(4326).total_bounds
    step = (x1 - x0) / 5
    polys = [
        shapely.box(x0 + i * step - (0.01 if i == 0 else 0), y0 - 0.01,
                    x0 + (i + 1) * step + (0.01 if i == 4 else 0), y1 + 0.01)
        for i in range(5)
    ]  # fmt: skip
    return gpd.GeoDataFrame({"district": [f"S{i}" for i in range(5)]}, geometry=polys, crs=4326)


class Counting(region_run.Clipper):
    """A clipper that counts its clips and the most clipped jobs not yet finished."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.clips, self.open, self.most = 0, 0, 0

    def job(self, job):
        self.clips += 1
        self.open += 1
        self.most = max(self.most, self.open)
        return super().job(job)


def test_clipped_on_submission_and_skipped_without_clipping(demo, strips, tmp_path, monkeypatch):
    net, hs, st, cand = demo
    request = PlanRequest.from_options(add=1, method="greedy", **REQUEST)
    jobs, halo, _ = region_run.make_jobs(net, strips, (hs, st, cand), request)
    assert all(j.network is None for j in jobs) and len({j.network_key for j in jobs}) == 1
    todo = [j for j in jobs if len(j.hotspots)]
    assert len(todo) >= 4
    clip = Counting(net, halo.network_m)
    with engine.Engine("local", 1, processes=False, retries=0) as run:
        monkeypatch.setattr(engine, "IN_FLIGHT_PER_WORKER", 1)
        stream = run.stream

        def finishing(*args, **kwargs):
            for item in stream(*args, **kwargs):
                clip.open -= 1
                yield item

        monkeypatch.setattr(run, "stream", finishing)
        rows, computed = region_run.plan_jobs(jobs, tmp_path, run, clip=clip)
        assert computed == len(todo) and clip.clips == len(todo)
        # one task in flight: its network, and the next one's, clipped as the first ends
        assert clip.most <= 2 < len(todo)
        again = Counting(net, halo.network_m)
        rows2, computed2 = region_run.plan_jobs(jobs, tmp_path, run, clip=again)
    assert computed2 == 0 and again.clips == 0 and rows2 == rows


def test_the_inputs_hash_needs_no_clipping_and_sees_every_change(demo, strips):
    """The hash is the same with or without the clipped network; a road changed anywhere,
    the halo's reach, a station or the request change it."""
    net, hs, st, cand = demo
    request = PlanRequest.from_options(add=1, **REQUEST)
    jobs, halo, _ = region_run.make_jobs(net, strips, (hs, st, cand), request)
    job = max(jobs, key=lambda j: len(j.stations))
    assert len(job.stations)
    clipped = region_run.Clipper(net, halo.network_m).job(job)
    assert clipped.inputs_hash == replace(job).inputs_hash
    slower = net.segments.copy()
    slower.loc[len(slower) - 1, "fwd_s"] += 1.0
    changed = tasks.network_key(replace(net, segments=slower), halo.network_m)
    assert changed != job.network_key
    assert replace(job, network_key=changed).inputs_hash != job.inputs_hash
    assert tasks.network_key(net, halo.network_m + 1) != job.network_key
    assert replace(job, stations=job.stations.iloc[1:]).inputs_hash != job.inputs_hash
    assert job.with_add(2).inputs_hash != job.inputs_hash
    again, _, _ = region_run.make_jobs(net, strips, (hs, st, cand), request)
    assert [j.inputs_hash for j in again] == [j.inputs_hash for j in jobs]
