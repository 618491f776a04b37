"""--others, --others-count, --area-targets and --reach areas through the CLI: the README's
Andorra examples as written, and one clear error line for bad input."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from planner.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("### Other operators' stations and goals per area", 1)[1]
    block = re.search(r"```\n(.*?)```", section, flags=re.S).group(1)
    joined = block.replace("\\\n", " ")
    return [shlex.split(line) for line in joined.splitlines() if line.strip()]


def test_the_readme_examples_run_on_andorra(andorra_pbf, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    runs = {}
    for cmd in _readme_commands():
        assert cmd[:2] == ["planner", "plan"]
        args = [str(andorra_pbf) if a.endswith("andorra_2020-04.osm.pbf") else a for a in cmd[1:]]
        out = tmp_path / Path(args[args.index("--out") + 1]).name
        args[args.index("--out") + 1] = str(out)
        res = CliRunner().invoke(main, [*args, "--no-pdf", "--quiet"], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        runs["no" if "no" in args else "yes"] = (out, res.output)
    for key, (out, output) in runs.items():
        s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        others = s["others"]
        assert others["count_toward_goals"] is (key == "yes")
        assert "other operators" in output and others["assumption"] in output
        own = s["coverage_existing"]["covered"]
        figure = others["coverage_with_others"] if key == "yes" else others["coverage_own"]
        assert {k: v["share"] for k, v in own.items()} == pytest.approx(figure)
        assert all(g["met_after"] for g in s["area_goals"]) and len(s["area_goals"]) == 8
        scored = pd.read_csv(out / "areas_scored.csv")
        assert {"area_goal_10", "area_goal_10_met", "area_goal_10_met_after"} <= set(scored)
        assert s["optimizer"]["proven"]
        page = (out / "map.html").read_text(encoding="utf-8")
        assert '"others":{"id":[' in page and "pl-other" in page
        assert "Other operators" in (out / "report.html").read_text(encoding="utf-8")
        layers = gpd.list_layers(out / "plan.gpkg")["name"].tolist()
        assert "other_operators" in layers
    # counting other operators' coverage never needs more new sites
    n = {k: len(pd.read_csv(out / "recommended_sites.csv")) for k, (out, _) in runs.items()}
    assert n["yes"] <= n["no"]


@pytest.fixture
def areas_file(tmp_path, demo_files):
    hs = pd.read_csv(demo_files / "hotspots.csv")
    x0, x1, y0, y1 = hs["lon"].min(), hs["lon"].max(), hs["lat"].min(), hs["lat"].max()
    mid = (x0 + x1) / 2
    boxes = [shapely.box(x0 - 1, y0 - 1, mid, y1 + 1), shapely.box(mid, y0 - 1, x1 + 1, y1 + 1)]
    p = tmp_path / "halves.geojson"
    gpd.GeoDataFrame({"name": ["west", "east"]}, geometry=boxes, crs=4326).to_file(p)
    return p


@pytest.mark.parametrize(
    ("case", "expect"),
    [
        ("unknown_area", "row 3, column 'area': 'north' is not an area"),
        ("bad_share", "row 2, column 'share'"),
        ("threshold", "row 2, column 'minutes': 12 is not one of the thresholds"),
        ("no_areas", "goals per area need the areas"),
        ("no_targets", "--reach areas: give the goals per area"),
        ("shared_id", "are also ids of the district's stations"),
    ],
)
def test_bad_input_is_one_error_line(tmp_path, demo_files, helsinki_pbf, areas_file, case,
                                     expect):  # fmt: skip
    targets = tmp_path / "targets.csv"
    targets.write_text("area,minutes,share\nwest,10,90%\neast,10,0.8\n", encoding="utf-8")
    args = ["plan", "--network", helsinki_pbf, "--mode", "walk", "--hotspots",
            str(demo_files / "hotspots.csv"), "--stations", str(demo_files / "stations.csv"),
            "--candidates", str(demo_files / "candidates.csv"), "--areas", str(areas_file),
            "--area-targets", str(targets), "--reach", "areas", "--out", str(tmp_path / "o"),
            "--quiet", "--no-pdf"]  # fmt: skip
    if case == "unknown_area":
        targets.write_text("area,minutes,share\nwest,10,90%\nnorth,10,0.8\n", encoding="utf-8")
    elif case == "bad_share":
        targets.write_text("area,minutes,share\nwest,10,lots\n", encoding="utf-8")
    elif case == "threshold":
        targets.write_text("area,minutes,share\nwest,12,0.5\n", encoding="utf-8")
    elif case == "no_areas":
        i = args.index("--areas")
        del args[i : i + 2]
    elif case == "no_targets":
        i = args.index("--area-targets")
        del args[i : i + 2]
    elif case == "shared_id":
        others = tmp_path / "others.csv"
        pd.read_csv(demo_files / "stations.csv").head(1).to_csv(others, index=False)
        args += ["--others", str(others)]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    assert expect in lines[0], lines[0]
