"""Hotspot demand by hour of day from the times of rider points (--by-hour)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.core.errors import InputError
from planner.inputs import demand, hours, pings
from planner.inputs.ping_hours import COLUMNS


def _stops(tmp_path, times):
    # two places 2 km apart: three stops at A, one at B (no rider column: each point a stop)
    path = tmp_path / "stops.csv"
    pd.DataFrame(
        {"lon": [114.25, 114.25, 114.25, 114.27], "lat": [22.70, 22.70, 22.70, 22.70],
         "time": times}
    ).to_csv(path, index=False)  # fmt: skip
    return path


def test_stops_count_in_the_hour_they_were_made(tmp_path):
    path = _stops(tmp_path, ["2026-05-01T09:10:00+08:00", "2026-05-01T09:50:00+08:00",
                             "2026-05-01T19:05:00+08:00", "2026-05-01T19:30:00+08:00"])  # fmt: skip
    found = pings.hotspots_from_points(path, by_hour=True)
    by_id = found.set_index("id")
    a, b = by_id.loc["C1"], by_id.loc["C2"]  # heaviest first
    assert a["weight"] == 3 and a["h09"] == 2 and a["h19"] == 1  # the clock as written
    assert b["weight"] == 1 and b["h19"] == 1
    cols = list(COLUMNS)
    assert np.allclose(found[cols].sum(axis=1), found["weight"])
    plain = pings.hotspots_from_points(path)
    assert "h09" not in plain.columns  # only when asked


def test_by_hour_needs_a_time_column(tmp_path):
    path = tmp_path / "stops.csv"
    pd.DataFrame({"lon": [114.25], "lat": [22.7]}).to_csv(path, index=False)
    with pytest.raises(InputError, match="time column"):
        pings.hotspots_from_points(path, by_hour=True)


def test_cli_by_hour_file_reads_back_as_demand_by_hour(tmp_path):
    path = _stops(tmp_path, ["2026-05-01 09:10", "2026-05-01 09:50", "2026-05-01 19:05",
                             "2026-05-01 19:30"])  # fmt: skip
    out = tmp_path / "hotspots.csv"
    res = CliRunner().invoke(
        main, ["hotspots", "--points", str(path), "--by-hour", "--out", str(out), "--quiet"],
        catch_exceptions=False,
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    hs = demand.read_hotspots(out)
    d = hours.demand_by_hour(hs)
    assert d is not None and d.sum() == 4 and d[:, 9].sum() == 2 and d[:, 19].sum() == 2
    assert hs["weight"].sum() == 4
