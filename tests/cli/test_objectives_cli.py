"""The backup and decay objectives at the CLI: their flags, outputs and errors."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from planner.cli import main


def _plan(files, network, out, *flags):
    return CliRunner().invoke(
        main,
        ["plan", "--quiet", "--network", str(network), "--hotspots", str(files / "hotspots.csv"),
         "--stations", str(files / "stations.csv"), "--candidates",
         str(files / "candidates.csv"), "--mode", "walk", "--out", str(out), "--no-pdf",
         "--add", "2", *flags],
        catch_exceptions=False,
    )  # fmt: skip


def test_objective_decay_at_the_cli(tmp_path, demo_files, helsinki_pbf):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "d", "--objective", "decay",
                "--decay", "step:8=1,10=0.7,15=0.4")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "decay-weighted demand the new sites add (step:8=1,10=0.7,15=0.4):" in res.output
    s = json.loads((tmp_path / "d" / "summary.json").read_text())
    assert s["inputs"]["decay"] == "step:8=1,10=0.7,15=0.4"
    assert "within 10 min: 0.7" in s["optimizer"]["objective_meaning"]
    rec = pd.read_csv(tmp_path / "d" / "recommended_sites.csv", encoding="utf-8-sig")
    assert s["optimizer"]["value"] > 0
    assert abs(rec["decay_demand_added"].sum() - s["optimizer"]["value"]) < 1e-5


def test_objective_backup_at_the_cli(tmp_path, demo_files, helsinki_pbf):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "b", "--objective", "backup")
    assert res.exit_code == 0, res.output
    assert "demand newly within reach of two or more stations" in res.output
    s = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert s["inputs"]["objective"] == "backup"
    assert "two or more stations" in s["optimizer"]["objective_meaning"]


def test_bad_decay_is_one_clear_line(tmp_path, demo_files, helsinki_pbf):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "x", "--objective", "decay",
                "--decay", "exp:-3")  # fmt: skip
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        "error: --decay: the half-life must be above 0 minutes; write linear, "
        "exp:HALF_LIFE_MIN (such as exp:5) or step:MIN=VALUE,... (such as "
        "step:8=1,10=0.7,15=0.4), got 'exp:-3'"
    ]
    res = _plan(demo_files, helsinki_pbf, tmp_path / "y", "--decay", "linear")
    assert res.exit_code == 2 and "--decay: weighs the minutes of --objective decay" in res.output
    res = _plan(demo_files, helsinki_pbf, tmp_path / "z", "--objective", "backup",
                "--min-spacing-m", "300")  # fmt: skip
    assert res.exit_code == 2 and "--objective backup: works with --add only" in res.output
