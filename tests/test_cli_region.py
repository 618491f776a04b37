"""``planner region`` through the CLI runner: a run on a cluster given by its address, and
the errors that stop a run before any work (one ``error:`` line, exit status 2)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from planner.cli import main

FAST = ["--mode", "walk", "--minutes", "1,2.5", "--targets", "0.5,0.8", "--min-spacing-m", "0",
        "--snap-max-m", "100", "--snap-warn-m", "80", "--method", "greedy", "--no-pdf",
        "--basemap", "none"]  # fmt: skip


@pytest.fixture(scope="module")
def districts(tmp_path_factory, helsinki_walk):
    x0, y0, x1, y1 = helsinki_walk.nodes.to_crs(4326).total_bounds
    mid = (x0 + x1) / 2
    path = tmp_path_factory.mktemp("districts") / "districts.geojson"
    gpd.GeoDataFrame(
        {"名称": ["=west", "east"], "n": [1, 0]},
        geometry=[shapely.box(x0 - 0.01, y0 - 0.01, mid, y1 + 0.01),
                  shapely.box(mid, y0 - 0.01, x1 + 0.01, y1 + 0.01)], crs=4326,
    ).to_file(path)  # fmt: skip
    return path


def _args(helsinki_pbf, demo_files, districts, out):
    return [
        "region", "--network", helsinki_pbf, "--districts", str(districts),
        "--hotspots", str(demo_files / "hotspots.csv"), "--stations",
        str(demo_files / "stations.csv"), "--candidates", str(demo_files / "candidates.csv"),
        *FAST, "--out", str(out),
    ]  # fmt: skip


def test_region_on_a_running_cluster(helsinki_pbf, demo_files, districts, tmp_path):
    from dask.distributed import LocalCluster

    with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        args = _args(helsinki_pbf, demo_files, districts, tmp_path / "out")
        res = CliRunner().invoke(
            main, [*args, "--add-column", "n", "--scheduler", cluster.scheduler_address]
        )
    assert res.exit_code == 0, res.output
    assert "2 districts: 2 done (2 computed now)" in res.output
    table = pd.read_csv(tmp_path / "out" / "region_summary.csv", encoding="utf-8-sig")
    assert table["district"].tolist() == ["'=west", "east"]  # a name never runs as a formula
    assert table["sites_suggested"].tolist() == [1, 0]
    assert (tmp_path / "out" / table["folder"].iloc[1] / "map.html").exists()


def test_region_refuses_two_counts_and_bad_polygons(helsinki_pbf, demo_files, districts, tmp_path):
    args = _args(helsinki_pbf, demo_files, districts, tmp_path / "out")
    res = CliRunner().invoke(main, [*args, "--add", "2", "--add-total", "4"])
    assert res.exit_code == 2 and "--add and --add-total" in res.output
    bad = tmp_path / "bad.geojson"
    bowtie = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    gpd.GeoDataFrame({"name": ["Knot"]}, geometry=[bowtie], crs=4326).to_file(bad)
    args[args.index(str(districts))] = str(bad)
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2
    assert res.output.startswith("error: ") and "'Knot' has an invalid polygon" in res.output
    res = CliRunner().invoke(main, [*args, "--scheduler", "nowhere"])
    assert res.exit_code == 2 and "--scheduler" in res.output
