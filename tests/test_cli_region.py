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


@pytest.fixture(scope="module")
def surroundings(tmp_path_factory, helsinki_walk, demo_files):
    """Other operators' stations (some candidate venues), two sub-areas (the south and
    north halves of the extract) and their goals."""
    d = tmp_path_factory.mktemp("surroundings")
    cand = pd.read_csv(demo_files / "candidates.csv")
    cand.iloc[::5].assign(operator="union").to_csv(d / "others.csv", index=False)
    x0, y0, x1, y1 = helsinki_walk.nodes.to_crs(4326).total_bounds
    mid = (y0 + y1) / 2
    gpd.GeoDataFrame(
        {"name": ["south", "north"]},
        geometry=[shapely.box(x0 - 0.01, y0 - 0.01, x1 + 0.01, mid),
                  shapely.box(x0 - 0.01, mid, x1 + 0.01, y1 + 0.01)], crs=4326,
    ).to_file(d / "areas.geojson")  # fmt: skip
    pd.DataFrame({"area": ["south", "north"], "minutes": [2.5, 2.5], "share": ["60%", "50%"]}
                 ).to_csv(d / "targets.csv", index=False)  # fmt: skip
    return d


def test_region_with_others_and_area_targets(
    helsinki_pbf, demo_files, districts, surroundings, tmp_path
):
    """The columns of other operators' stations and of goals per sub-area in the table;
    each district's folder states the other operators' stations."""
    args = _args(helsinki_pbf, demo_files, districts, tmp_path / "out")
    extra = ["--others", str(surroundings / "others.csv"), "--others-count", "no",
             "--areas", str(surroundings / "areas.geojson"),
             "--area-targets", str(surroundings / "targets.csv"), "--add", "1"]  # fmt: skip
    res = CliRunner().invoke(main, [*args, *extra])
    assert res.exit_code == 0, res.output
    t = pd.read_csv(tmp_path / "out" / "region_summary.csv", encoding="utf-8-sig")
    assert {"others", "today_own_2.5", "today_with_others_2.5", "area_goals",
            "area_goals_met_after"} <= set(t.columns)  # fmt: skip
    assert t["others"].sum() == 6 and (t["today_2.5"] == t["today_own_2.5"]).all()
    # both halves cross the districts' border: each goes whole to the district holding most
    assert t["area_goals"].sum() == 2
    assert "crosses district borders" in res.output
    assert "INFO distributed" not in res.output  # the cluster's news only with -v
    summary = (tmp_path / "out" / t["folder"].iloc[0] / "summary.json").read_text()
    assert '"others"' in summary and "do not count" in summary


def test_region_refuses_a_goal_for_an_unknown_area(
    helsinki_pbf, demo_files, districts, surroundings, tmp_path
):
    bad = tmp_path / "targets.csv"
    pd.DataFrame({"area": ["south", "middle"], "minutes": [2.5, 2.5], "share": [0.6, 0.5]}
                 ).to_csv(bad, index=False)  # fmt: skip
    args = _args(helsinki_pbf, demo_files, districts, tmp_path / "out")
    res = CliRunner().invoke(main, [*args, "--areas", str(surroundings / "areas.geojson"),
                                    "--area-targets", str(bad)])  # fmt: skip
    errors = [line for line in res.output.splitlines() if line.startswith("error: ")]
    assert res.exit_code == 2 and len(errors) == 1 and "Traceback" not in res.output
    assert "row 3, column 'area': 'middle' is not an area" in errors[0]
    assert str(bad) in errors[0] and not (tmp_path / "out" / "districts").exists()
