"""planner hotspots: rider points clustered into hotspots at the command line; errors name
the flags."""

from __future__ import annotations

import pandas as pd
from click.testing import CliRunner

from planner.cli import main

from ..inputs.conftest import csv_file as _csv
from ..inputs.test_demand import _pings


def test_hotspots_command_and_its_errors(tmp_path):
    p = _pings(tmp_path)
    out = tmp_path / "hs.csv"
    res = CliRunner().invoke(main, ["hotspots", "--points", str(p), "--weight-by", "riders",
                                    "--out", str(out), "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out)) == 3
    bare = _csv(tmp_path, "lon,lat\n121.4,31.2\n121.4,31.2\n", name="bare.csv")
    res = CliRunner().invoke(main, ["hotspots", "--points", str(bare), "--weight-by", "riders"])
    assert res.exit_code == 2 and "--weight-by='riders' needs a rider id column" in res.output
    res = CliRunner().invoke(main, ["hotspots", "--points", str(bare), "--eps-m", "0"])
    assert res.exit_code == 2 and res.output.startswith("error: --eps-m: 0 must be a radius")
    res = CliRunner().invoke(main, ["hotspots", "--points", str(p), "--min-points", "500"])
    assert res.exit_code == 2 and "lower --min-points or raise --eps-m" in res.output
