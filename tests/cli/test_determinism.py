"""Same inputs, same files: two runs of the same command give a byte-identical output set,
apart from timings.json, the one file that holds this run's timings."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner

from planner.cli import main
from planner.outputs import pdf


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_two_runs_give_the_same_files(tmp_path):
    out = tmp_path / "demo"
    args = ["demo", "--out", str(out), "--quiet", "--capacity", "40", "--lang", "zh"]
    first = CliRunner().invoke(main, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    before = _digests(out)
    second = CliRunner().invoke(main, args, catch_exceptions=False)
    assert second.exit_code == 0 and second.output == first.output
    after = _digests(out)
    assert set(before) == set(after) and "timings.json" in before
    # the formats that stamp a time unless told not to: GeoPackage, workbook, PDF, Parquet
    stamped = {"plan.gpkg", "plan.xlsx", "travel_times.parquet"}
    if pdf.browser() is not None:
        stamped.add("report.pdf")
    assert stamped <= set(before)
    differ = sorted(name for name in before if before[name] != after[name])
    assert differ in ([], ["timings.json"])
    assert "timings_s" not in json.loads((out / "summary.json").read_text(encoding="utf-8"))
    timings = json.loads((out / "timings.json").read_text(encoding="utf-8"))
    assert set(timings["timings_s"]) >= {"snap", "travel_times", "optimize"}
