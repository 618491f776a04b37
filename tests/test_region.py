"""``planner region``: the halo equality against a one-machine plan, resume, determinism
across worker counts, districts without hotspots, failures that spare the others, the
districts file's checks and the overlap rule.

The offline instance is the embedded Helsinki extract (walking, short circles so that the
halo is a real part of the network) cut into hand-drawn districts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from planner.app import demo_inputs
from planner.core.errors import InputError
from planner.plan import run as plan_run
from planner.plan.request import PlanRequest
from planner.region import budget, engine
from planner.region import districts as districts_mod
from planner.region import run as region_run

REQUEST = dict(minutes="1,2.5", targets="0.5,0.8", min_spacing_m=0, snap_max_m=100, snap_warn_m=80)


@pytest.fixture(scope="module")
def demo(helsinki_pbf, helsinki_walk):
    _, hs, st, cand = demo_inputs(helsinki_pbf)
    return helsinki_walk, hs, st, cand


@pytest.fixture(scope="module")
def boxes(helsinki_walk) -> gpd.GeoDataFrame:
    """Three districts side by side across the extract, and one beyond it (no hotspots)."""
    x0, y0, x1, y1 = helsinki_walk.nodes.to_crs(4326).total_bounds
    a, b = x0 + (x1 - x0) / 3, x0 + 2 * (x1 - x0) / 3
    lo, hi = y0 - 0.01, y1 + 0.01
    polys = [
        shapely.box(x0 - 0.01, lo, a, hi),
        shapely.box(a, lo, b, hi),
        shapely.box(b, lo, x1 + 0.01, hi),
        shapely.box(x1 + 0.05, y0, x1 + 0.06, y1),
    ]
    names = ["A west", "B middle", "C east", "D far"]
    return gpd.GeoDataFrame({"district": names}, geometry=polys, crs=4326)


def _local(workers: int = 1) -> engine.Engine:
    return engine.Engine("local", workers, processes=False, retries=0)


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "timings.json" and not p.name.endswith(".lock")
    }


def test_halo_equals_the_whole_network(demo, boxes):
    """Each district on its clipped network: the same coverage per threshold and the same
    sites as a plan over the whole network restricted to its hotspots."""
    net, hs, st, cand = demo
    request = PlanRequest.from_options(add=2, **REQUEST)
    jobs, halo, _ = region_run.make_jobs(net, boxes, (hs, st, cand), request)
    assert halo.sites_m == pytest.approx(4.8 / 3.6 * 150 + 100)
    assert all(job.network is None for job in jobs)  # clipped only when submitted
    clip = region_run.Clipper(net, halo.network_m)
    for job in map(clip.job, jobs[:3]):
        if job.name != "B middle":  # the outer districts: a real clip, not the whole network
            assert 0 < job.network.n_nodes < 0.9 * net.n_nodes
            assert len(job.candidates) < len(cand)
        part = plan_run.plan(job.network, job.hotspots, job.stations, job.candidates, request)
        whole = plan_run.plan(net, job.hotspots, st, cand, request)
        for m in ("1", "2.5"):
            got, want = part.district["covered"][m], whole.district["covered"][m]
            assert got["share"] == want["share"] and got["demand"] == want["demand"]
        assert part.recommended["id"].tolist() == whole.recommended["id"].tolist()
        assert len(part.recommended) == 2
        np.testing.assert_array_equal(
            part.hotspots["nearest_minutes"].to_numpy(),
            whole.hotspots["nearest_minutes"].to_numpy(),
        )


@pytest.fixture(scope="module")
def runs(demo, boxes, tmp_path_factory):
    """The outer districts and the one beyond the hotspots, run on one worker and on two."""
    net, hs, st, cand = demo
    request = PlanRequest.from_options(add=1, method="greedy", **REQUEST)
    frame = boxes.iloc[[0, 2, 3]].reset_index(drop=True)
    out = tmp_path_factory.mktemp("region")
    one, two = out / "one", out / "two"
    r1 = region_run.plan_region(net, frame, (hs, st, cand), request, one, run=_local(1))
    r2 = region_run.plan_region(net, frame, (hs, st, cand), request, two, run=_local(2))
    return frame, request, (one, r1), (two, r2)


def test_one_worker_and_two_give_the_same_files(runs):
    _, _, (one, r1), (two, r2) = runs
    assert _files(one) == _files(two) and r1.table.equals(r2.table)
    assert r1.computed == r2.computed == 2


def test_region_table_and_folders(runs, demo):
    """One row per district by name; a district beyond the hotspots says so; each done
    district's folder holds the plan outputs and district.json, listed in its manifest."""
    _, _, (one, r1), _ = runs
    t = r1.table
    assert t["district"].tolist() == ["A west", "C east", "D far"]
    assert t["status"].tolist() == ["done", "done", "no hotspots"]
    assert t.loc[2, "folder"] == "" and t.loc[2, "hotspots"] == 0
    assert np.isnan(t.loc[2, "today_1"]) and not t.loc[2, "met_after_1"]
    assert t.loc[0, "sites_suggested"] == 1 and 0 <= t.loc[0, "today_2.5"] <= 1
    for f in t.loc[t["status"] == "done", "folder"]:
        manifest = json.loads((one / f / "manifest.json").read_text())
        names = {e["name"] for e in manifest["files"]}
        assert {"map.html", "summary.json", "district.json"} <= names
        record = json.loads((one / f / "district.json").read_text())
        assert record["row"]["folder"] == f and len(record["inputs_sha256"]) == 64
    csv = (one / "region_summary.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv[0].startswith("district,status,error,folder,hotspots,demand") and len(csv) == 4


def test_resume_computes_only_what_is_missing(runs, demo, tmp_path):
    """After a killed run (one folder missing, another with a file cut short) the next run
    computes those two again and gives the same files; a complete folder is skipped."""
    net, hs, st, cand = demo
    frame, request, (one, r1), _ = runs
    out = tmp_path / "out"
    shutil.copytree(one, out)
    shutil.rmtree(out / r1.table.loc[0, "folder"])
    (out / r1.table.loc[1, "folder"] / "summary.json").write_text("{")
    again = region_run.plan_region(net, frame, (hs, st, cand), request, out, run=_local(1))
    assert again.computed == 2 and _files(out) == _files(one)
    done = region_run.plan_region(net, frame, (hs, st, cand), request, out, run=_local(1))
    assert done.computed == 0 and done.table.equals(again.table)
    jobs, _, _ = region_run.make_jobs(net, frame, (hs, st, cand), request)
    assert jobs[0].inputs_hash == jobs[0].with_add(1).inputs_hash
    assert jobs[0].inputs_hash != jobs[0].with_add(2).inputs_hash


def test_a_failed_district_spares_the_others(demo, boxes, tmp_path):
    """A district asked for more sites than its halo holds fails with the reason; the
    others are planned and written."""
    net, hs, st, cand = demo
    request = PlanRequest.from_options(add=1, method="greedy", **REQUEST)
    frame = boxes.iloc[[0, 1]].assign(sites=[1, 500])
    result = region_run.plan_region(
        net, frame, (hs, st, cand), request, tmp_path, run=_local(2),
        sites=region_run.Sites("column", "sites"),
    )  # fmt: skip
    t = result.table.set_index("district")
    assert t.loc["B middle", "status"] == "failed"
    assert "500" in t.loc["B middle", "error"] and t.loc["B middle", "folder"] == ""
    assert t.loc["A west", "status"] == "done" and t.loc["A west", "sites_suggested"] == 1
    csv = (tmp_path / "region_summary.csv").read_text(encoding="utf-8-sig")
    assert "B middle" in csv and "failed" in csv


def test_add_total_follows_the_curves(demo, boxes, tmp_path):
    """--add-total: the split follows the districts' curves, respects min_add, sums to K,
    and the curves are stored for the next run."""
    net, hs, st, cand = demo
    request = PlanRequest.from_options(add=0, method="greedy", **REQUEST)
    frame = boxes.iloc[[0, 2]].assign(min_add=[0, 2])
    result = region_run.plan_region(
        net, frame, (hs, st, cand), request, tmp_path, run=_local(1),
        sites=region_run.Sites("total", 4),
    )  # fmt: skip
    t = result.table.set_index("district")
    assert t["sites_suggested"].sum() == 4 and t.loc["C east", "sites_suggested"] >= 2
    curves = sorted((tmp_path / "curves").glob("*.json"))
    assert len(curves) == 2  # A west, C east: by name, as the table
    gains = [json.loads(p.read_text())["gains"] for p in curves]
    assert all(len(g) == 4 for g in gains)
    assert t["sites_suggested"].tolist() == budget.split_total(gains, 4, [0, 2])
    again = region_run.plan_region(
        net, frame, (hs, st, cand), request, tmp_path, run=_local(1),
        sites=region_run.Sites("total", 4),
    )  # fmt: skip
    assert again.computed == 0


# --------------------------------------------------------------------------- districts file


def _write(tmp_path: Path, polys, names) -> Path:
    path = tmp_path / "districts.geojson"
    gpd.GeoDataFrame({"name": names}, geometry=polys, crs=4326).to_file(path, driver="GeoJSON")
    return path


def test_invalid_polygon_names_the_district(tmp_path):
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    path = _write(tmp_path, [shapely.box(2, 2, 3, 3), bowtie], ["Fine", "Bow tie 区"])
    with pytest.raises(InputError, match="Bow tie 区.*invalid polygon.*Self-intersection"):
        districts_mod.read_districts(path)


def test_duplicate_and_missing_names(tmp_path):
    path = _write(tmp_path, [shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)], ["A", "A"])
    with pytest.raises(InputError, match="'A' appears twice"):
        districts_mod.read_districts(path)
    points = tmp_path / "p.geojson"
    gpd.GeoDataFrame({"name": ["x"]}, geometry=[shapely.Point(0, 0)], crs=4326).to_file(points)
    with pytest.raises(InputError, match="'x' is a Point, not a polygon"):
        districts_mod.read_districts(points)


def test_read_districts_sorts_and_keeps_columns(tmp_path):
    path = tmp_path / "d.geojson"
    gpd.GeoDataFrame(
        {"name": ["乙区", "甲区"], "sites": [2, 3]},
        geometry=[shapely.box(1, 0, 2, 1), shapely.box(0, 0, 1, 1)], crs=4326,
    ).to_file(path)  # fmt: skip
    d = districts_mod.read_districts(path)
    assert d["district"].tolist() == sorted(["乙区", "甲区"]) and "sites" in d.columns


def test_overlap_rule_counts_each_hotspot_once():
    """A point in two districts goes to the one first by name; on a shared border too."""
    d = gpd.GeoDataFrame(
        {"district": ["a", "b"]},
        geometry=[shapely.box(0, 0, 0.02, 0.01), shapely.box(0.01, 0, 0.03, 0.01)], crs=4326,
    )  # fmt: skip
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy([0.005, 0.015, 0.025, 0.02, 0.5], [0.005] * 5), crs=4326
    )
    got = districts_mod.assign(pts, d, crs="EPSG:32631")
    assert got.tolist() == [0, 0, 1, 0, -1]
    assert [p[:2] for p in districts_mod.warn_overlaps(d, crs="EPSG:32631")] == [("a", "b")]


def test_folder_names_are_safe_and_distinct():
    names = ["龙岗区", "a b", "a_b", "../etc", "A_B", "plain-name.1"]
    got = districts_mod.folders(names)
    assert got["龙岗区"] == "龙岗区" and got["plain-name.1"] == "plain-name.1"
    assert len({v.casefold() for v in got.values()}) == len(names)
    assert all("/" not in v and not v.startswith(".") for v in got.values())
    assert got == districts_mod.folders(list(reversed(names)))


def test_scheduler_is_checked():
    with pytest.raises(Exception, match="tcp://host:8786"):
        engine.Engine("somewhere")
    with pytest.raises(Exception, match="1 or more"):
        engine.Engine("local", 0)


def _flaky(path: str, value: int) -> int:
    """Fails on its first try (a file records the tries), then returns ``value``."""
    p = Path(path)
    tries = int(p.read_text()) if p.exists() else 0
    p.write_text(str(tries + 1))
    if tries == 0:
        raise OSError("first try fails")
    return value


def test_a_failed_task_is_retried_then_reported(tmp_path):
    with engine.Engine("local", 1, processes=False, retries=1) as run:
        got = list(run.stream(_flaky, [(str(tmp_path / "a"), 7)], desc="x"))
    assert [(i, r, e) for i, r, e in got] == [(0, 7, None)]
    with engine.Engine("local", 1, processes=False, retries=0) as run:
        ((i, result, error),) = run.stream(_flaky, [(str(tmp_path / "b"), 7)], desc="x")
    assert result is None and "first try fails" in engine.failure_text(error)


def test_reach_decides_each_districts_count(demo, boxes, tmp_path):
    net, hs, st, cand = demo
    request = PlanRequest.from_options(reach="60%@2.5", method="greedy", **REQUEST)
    frame = boxes.iloc[[0]]
    with _local(1) as run:
        result = region_run.plan_region(
            net, frame, (hs, st, cand), request, tmp_path, run=run, sites=region_run.Sites("reach")
        )
    row = result.table.iloc[0]
    assert row["status"] == "done" and row["after_2.5"] >= 0.6 > row["today_2.5"]
    assert row["sites_suggested"] >= 1


def _size(data):
    return len(data)


def test_a_districts_large_data_gives_no_warning_of_dasks():
    """Each task carries its district's network: Dask's advice on large graphs is not for
    the planner's user."""
    import warnings

    data = np.random.default_rng(0).bytes(12 * 2**20)  # above Dask's 10 MB
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with engine.Engine("local", 1, processes=False, retries=0) as run:
            got = list(run.stream(_size, [(data,)], desc="x"))
    assert [(i, r, e) for i, r, e in got] == [(0, len(data), None)]
