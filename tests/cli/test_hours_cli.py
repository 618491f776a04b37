"""Opening hours and --hours through the CLI, on the Helsinki extract's files."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from planner.cli import main


def _plan(files, network, out, candidates, *extra):
    args = ["plan", "--quiet", "--network", str(network), "--hotspots",
            str(files / "hotspots.csv"), "--stations", str(files / "stations.csv"),
            "--candidates", str(candidates), "--mode", "walk", "--out", str(out),
            "--no-pdf", "--add", "2", *extra]  # fmt: skip
    return CliRunner().invoke(main, args, catch_exceptions=False)


def test_hours_plan_writes_coverage_by_hour_and_chart(tmp_path, demo_files, helsinki_pbf):
    cand = pd.read_csv(demo_files / "candidates.csv")
    cand["opening_hours"] = ["Mo-Fr 09:00-17:00", "24/7", ""] * (len(cand) // 3) + [""] * (
        len(cand) % 3
    )
    path = tmp_path / "candidates.csv"
    cand.to_csv(path, index=False)
    res = _plan(demo_files, helsinki_pbf, tmp_path / "out", path, "--hours", "17-21")
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    rows = summary["coverage_by_hour"]
    assert [r["hour"] for r in rows if r["day"] == "weekday"] == list(range(24))
    assert set(rows[0]["share_within"]) == set(summary["coverage_existing"]["covered"])
    assert summary["inputs"]["hours"] == "17-21"
    notes = summary["opening_hours"]
    assert notes["candidates_with_hours"] > 0 and "assumed open" in notes["assumption"]
    # the chosen sites are open in the evening: closed office-hours venues add nothing then
    chosen = set(pd.read_csv(tmp_path / "out" / "recommended_sites.csv")["id"].astype(str))
    office = set(cand.loc[cand["opening_hours"] == "Mo-Fr 09:00-17:00", "id"].astype(str))
    assert not chosen & office
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "class='hourly'" in html and "Coverage by hour of day" in html


def test_unreadable_opening_hours_is_one_error_line(tmp_path, demo_files, helsinki_pbf):
    cand = pd.read_csv(demo_files / "candidates.csv")
    cand["opening_hours"] = "24/7"
    cand.loc[4, "opening_hours"] = "ask the manager"
    path = tmp_path / "candidates.csv"
    cand.to_csv(path, index=False)
    res = _plan(demo_files, helsinki_pbf, tmp_path / "out", path)
    assert res.exit_code == 2
    assert "error:" in res.output and "row 6" in res.output and "ask the manager" in res.output


def test_bad_hours_flag_names_the_flag(tmp_path, demo_files, helsinki_pbf):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "out", demo_files / "candidates.csv",
                "--hours", "lunchtime")  # fmt: skip
    assert res.exit_code == 2 and "--hours" in res.output
