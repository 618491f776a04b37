"""planner hotspots: rider points into hotspots at the command line; what became of every
point is printed; errors name the flags."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.synthetic.pings import PingPlan, generate_pings

from ..inputs.conftest import csv_file as _csv


def _run(*args):
    return CliRunner().invoke(main, ["hotspots", *[str(a) for a in args]])


def test_the_command_writes_hotspots_and_prints_every_count(tmp_path):
    p = tmp_path / "pings.csv"
    generate_pings(PingPlan(riders=6, shift_min=60, seed=8)).pings.to_csv(p, index=False)
    out = tmp_path / "hs.csv"
    res = _run("--points", p, "--weight-by", "riders", "--out", out, "-q")
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    total = int(lines[0].split()[0])
    assert lines[0] == f"{total} rider points read:" and total == len(pd.read_csv(p))
    reasons = lines[1:8]
    assert [r.split(maxsplit=1)[1].split(" (")[0] for r in reasons] == [
        "in hotspots as stays", "in hotspots as stops", "moving", "brief halts",
        "without a rider id", "without a readable time", "outside the bounds",
    ]  # fmt: skip
    assert sum(int(r.split()[0]) for r in reasons) == total
    found = pd.read_csv(out)
    assert {"diameter_m", "points", "riders", "stays", "dwell_min"} <= set(found.columns)
    assert found["points"].sum() == int(reasons[0].split()[0])
    assert re.fullmatch(rf"{len(found)} hotspots \(total weight [\d.]+\) written to .*", lines[8])


def test_the_hex_method_and_bounds_from_the_command_line(tmp_path):
    p = tmp_path / "pings.csv"
    made = generate_pings(PingPlan(riders=4, shift_min=40, seed=9)).pings
    made.to_csv(p, index=False)
    out = tmp_path / "hex.csv"
    west = float(made["lon"].median())
    res = _run("--points", p, "--method", "hex", "--hex-res", "10", "--bounds",
               f"{west},20,120,25", "--out", out, "-q")  # fmt: skip
    assert res.exit_code == 0, res.output
    assert (pd.read_csv(out)["h3"].str.len() == 15).all()
    outside = next(line for line in res.output.splitlines() if "outside the bounds" in line)
    assert int(outside.split()[0]) == int((made["lon"] < west).sum())


def test_a_sample_file_from_the_command_line(tmp_path):
    p = tmp_path / "sample.csv"
    res = _run("--sample", p, "-q")
    assert res.exit_code == 0, res.output
    assert res.output.startswith(f"{len(pd.read_csv(p))} sample pings written to ")
    assert _run("--points", p, "--out", tmp_path / "h.csv", "-q").exit_code == 0


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--hex-res", "20"], "error: --hex-res: 20 must be an H3 resolution from 0 to 15"),
        (["--max-diameter-m", "-1"], "error: --max-diameter-m: -1 must be a distance in metres"),
        (["--max-diameter-m", "nan"], "error: --max-diameter-m: nan must be a distance in"),
        (["--moving-kph", "inf"], "error: --moving-kph: inf must be a speed in km/h above 0"),
        (["--stay-radius-m", "0"], "error: --stay-radius-m: 0 must be a radius in metres"),
        (["--bounds", "1,2,3"], "error: --bounds: '1,2,3' is not four numbers"),
        (["--bounds", "3,2,1,4"], "error: --bounds: (3.0, 2.0, 1.0, 4.0) must be west,south"),
        (["--hex-res", "9.5"], "error: --hex-res: '9.5' is not a whole number"),
        (["--eps-m", "far"], "error: --eps-m: 'far' is not a number"),
        (["--weight-by", "riders"], "': --weight-by='riders' needs a rider id column"),
    ],
)
def test_bad_values_are_one_error_line_naming_the_flag(tmp_path, flags, message):
    bare = _csv(tmp_path, "lon,lat\n121.4,31.2\n121.4,31.2\n", name="bare.csv")
    res = _run("--points", bare, *flags, "--out", tmp_path / "h.csv")
    assert res.exit_code == 2 and "Traceback" not in res.output
    errors = [line for line in res.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0], res.output


def test_no_points_file_names_the_flags(tmp_path):
    res = _run("--out", tmp_path / "h.csv")
    assert res.exit_code == 2 and res.output.startswith("error: --points: give the rider points")
