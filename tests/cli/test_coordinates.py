"""Coordinate systems at the command line, on the real network of central Longgang
(Shenzhen), where GCJ-02 moves points by about 590 m: the classic mistake stops the run or is
warned about, per-input flags, and hotspot files that say they are WGS-84."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.core import crs
from planner.inputs import network as network_mod

from ..conftest import roadside_points


@pytest.fixture(scope="module")
def longgang_files(tmp_path_factory, longgang_ebike):
    """Stations in GCJ-02 (as copied from Amap), hotspots and candidates in WGS-84, all real
    places beside Longgang's roads."""
    d = tmp_path_factory.mktemp("longgang")
    st = roadside_points(longgang_ebike, 12, seed=1)
    glon, glat = crs.wgs84_to_gcj02(st["lon"].to_numpy(), st["lat"].to_numpy())
    st.assign(lon=np.round(glon, 7), lat=np.round(glat, 7)).to_csv(d / "stations.csv", index=False)
    roadside_points(longgang_ebike, 80, seed=2).assign(weight=1.0).to_csv(
        d / "hotspots.csv", index=False
    )
    cand = roadside_points(longgang_ebike, 10, seed=3)
    cand.assign(id=[f"C{i}" for i in range(10)]).to_csv(d / "candidates.csv", index=False)
    return d


@pytest.fixture
def longgang(monkeypatch, longgang_osm, longgang_ebike):
    """The Longgang file's network as loaded once for the session (loading takes ~15 s);
    every other step of the command runs."""
    load = network_mod.load

    def cached(source, *, mode="ebike", **options):
        same = str(source) == str(longgang_osm) and getattr(mode, "name", mode) == "ebike"
        default = options in ({}, {"min_part_nodes": 20, "min_part_km": 0.5})
        return longgang_ebike if same and default else load(source, mode=mode, **options)

    monkeypatch.setattr(network_mod, "load", cached)
    return str(longgang_osm)


def _plan(network, files, out, *flags, hotspots=None):
    args = ["plan", "--network", network, "--hotspots", str(hotspots or files / "hotspots.csv"),
            "--stations", str(files / "stations.csv"), "--candidates",
            str(files / "candidates.csv"), "--add", "1", "--out", str(out), "--quiet",
            *flags]  # fmt: skip
    return CliRunner().invoke(main, args, catch_exceptions=False)


def _median_snap(out, role):
    table = pd.read_csv(out / "snapping.csv", encoding="utf-8-sig")
    return float(table.loc[table["role"] == role, "snap_distance_m"].median())


def test_gcj02_stations_without_a_crs_stop_with_the_flag_to_give(
    longgang, longgang_files, tmp_path
):
    res = _plan(longgang, longgang_files, tmp_path / "out")
    assert res.exit_code == 2
    line = res.output.strip()
    assert line.count("\n") == 0 and line.startswith("error: stations file ")
    assert "read as WGS-84, its 12 points lie a median" in line
    assert "the coordinates look GCJ-02 (Amap, Tencent); give --stations-crs gcj02" in line
    assert not (tmp_path / "out").exists()


def test_a_crs_given_explicitly_is_kept_with_a_warning(longgang, longgang_files, tmp_path):
    out = tmp_path / "out"
    res = _plan(longgang, longgang_files, out, "--crs", "wgs84")
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    (warning,) = summary["inputs"]["warnings"]
    assert warning.startswith("stations file ") and "(--stations-crs gcj02?)" in warning
    assert summary["inputs"]["coordinates"]["stations"] == "wgs84, given for every input"
    assert "Check the inputs" in (out / "report.html").read_text(encoding="utf-8")
    assert _median_snap(out, "station") > 10  # read as asked: still the wrong places (~4 m right)


def test_the_stations_own_flag_reads_them_right(longgang, longgang_files, tmp_path):
    out = tmp_path / "out"
    res = _plan(longgang, longgang_files, out, "--stations-crs", "gcj02")
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert "warnings" not in summary["inputs"]
    assert summary["inputs"]["coordinates"] == {
        "hotspots": "wgs84, assumed (nothing given)",
        "stations": "gcj02, given for this input",
        "candidates": "wgs84, assumed (nothing given)",
    }
    assert _median_snap(out, "station") < 8
    # --crs for every input, the hotspots' and candidates' own flags over it
    out2 = tmp_path / "out2"
    res = _plan(longgang, longgang_files, out2, "--crs", "gcj02", "--hotspots-crs", "wgs84",
                "--candidates-crs", "wgs84")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (out2 / "snapping.csv").read_bytes() == (out / "snapping.csv").read_bytes()


def test_hotspots_written_from_gcj02_points_are_not_shifted_again(
    longgang, longgang_files, longgang_ebike, tmp_path
):
    places = roadside_points(longgang_ebike, 15, seed=6)
    rng = np.random.default_rng(7)
    lon = np.repeat(places["lon"].to_numpy(), 4) + rng.normal(0, 1e-5, 60)
    lat = np.repeat(places["lat"].to_numpy(), 4) + rng.normal(0, 1e-5, 60)
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    pings = tmp_path / "pings.csv"
    pd.DataFrame({"lon": glon.round(7), "lat": glat.round(7)}).to_csv(pings, index=False)
    hs = tmp_path / "hotspots.csv"
    res = CliRunner().invoke(main, ["hotspots", "--points", str(pings), "--crs", "gcj02",
                                    "--eps-m", "30", "--out", str(hs), "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert {"lon_wgs84", "lat_wgs84"} <= set(pd.read_csv(hs, encoding="utf-8-sig"))
    out = tmp_path / "out"
    res = _plan(longgang, longgang_files, out, "--crs", "gcj02", "--candidates-crs", "wgs84",
                hotspots=hs)  # fmt: skip
    assert res.exit_code == 0, res.output
    assert _median_snap(out, "hotspot") < 8  # read again as GCJ-02 they were ~590 m off
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["inputs"]["coordinates"]["hotspots"] == (
        "wgs84, declared by the file (columns lon_wgs84/lat_wgs84)"
    )
    assert "warnings" not in summary["inputs"]


def test_an_unknown_system_names_its_flag(tmp_path):
    pts = tmp_path / "points.csv"
    pts.write_text("id,name,lon,lat,weight\nA,a,114.2085,22.6867,1\n")
    for name in ("stations.csv", "candidates.csv"):
        (tmp_path / name).write_text("id,name,lon,lat\nS,s,114.2085,22.6867\n")
    for flag in ("--crs", "--hotspots-crs", "--stations-crs", "--candidates-crs"):
        res = _plan("never-read.osm", tmp_path, tmp_path / "out", flag, "marsgrid",
                    hotspots=pts)  # fmt: skip
        assert res.exit_code == 2
        assert res.output.startswith(f"error: {flag}: unknown coordinate system 'marsgrid'")


def test_too_few_points_to_stop_on_give_a_warning(longgang_ebike, tmp_path):
    from planner import app
    from planner.inputs import sites

    st = roadside_points(longgang_ebike, 5, seed=8)
    glon, glat = crs.wgs84_to_gcj02(st["lon"].to_numpy(), st["lat"].to_numpy())
    st.assign(lon=glon, lat=glat).to_csv(tmp_path / "st.csv", index=False)
    frame = sites.read_sites(tmp_path / "st.csv")
    src = app.Sources(network="longgang.osm", hotspots="osm", stations=str(tmp_path / "st.csv"))
    (warning,) = app.check_coordinates(longgang_ebike, src, {"stations": frame})
    assert "its 5 points lie a median" in warning and "(--stations-crs gcj02?)" in warning
