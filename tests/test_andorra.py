"""The planner on the whole of Andorra (real OSM extract in ../shared/data)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from planner.cli import main

STATIONS = Path(__file__).resolve().parents[1] / "data" / "andorra_stations.csv"


def test_andorra_plan(andorra_pbf, tmp_path):
    out = tmp_path / "andorra"
    res = CliRunner().invoke(
        main,
        [
            "plan",
            "--network",
            str(andorra_pbf),
            "--hotspots",
            "osm",
            "--stations",
            str(STATIONS),
            "--candidates",
            "osm",
            "--add",
            "5",
            "--out",
            str(out),
            "--quiet",
        ],
        catch_exceptions=False,
    )
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    assert s["network"]["segments_kept"] > 50_000
    assert s["counts"]["hotspots"] > 300 and s["counts"]["candidates"] > 200
    before = [v["share"] for v in s["coverage_existing"]["covered"].values()]
    after = list(s["coverage_after_recommended"].values())
    assert before[0] < before[1] < before[2]
    assert all(a > b for a, b in zip(after, before, strict=True))
    assert s["optimizer"]["gap"] < 0.2
    rec = pd.read_csv(out / "recommended_sites.csv")
    assert len(rec) == 5 and (rec["demand_added_8"] > 0).all()
    assert rec["lon"].between(1.4, 1.8).all() and rec["lat"].between(42.4, 42.7).all()
