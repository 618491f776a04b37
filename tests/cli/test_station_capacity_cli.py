"""``planner plan --capacity --station-capacity`` end to end on the Helsinki extract, and
its bad input at the CLI."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from planner.cli import main


def _plan(files, network, out, stations=None, **flags):
    args = {"network": network, "hotspots": files / "hotspots.csv",
            "stations": stations or files / "stations.csv",
            "candidates": files / "candidates.csv", "mode": "walk", "out": out, "add": 2,
            "method": "exact", "capacity": 40, **flags}  # fmt: skip
    argv = [
        "plan",
        "--quiet",
        *[
            x
            for k, v in args.items()
            if v is not None
            for x in (f"--{k.replace('_', '-')}", str(v))
        ],
    ]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


def test_station_capacity_counts_served_demand(tmp_path, demo_files, helsinki_pbf):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "free")
    assert res.exit_code == 0, res.output
    free = json.loads((tmp_path / "free" / "summary.json").read_text())
    out = tmp_path / "capped"
    res = _plan(demo_files, helsinki_pbf, out, station_capacity=5)
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    assert s["inputs"]["station_capacity"] == 5.0 and s["optimizer"]["proven"]
    assert "existing stations and the new sites serve" in s["optimizer"]["objective_meaning"]
    assert "not demand reachable" in s["optimizer"]["objective_meaning"]
    rec = pd.read_csv(out / "recommended_sites.csv", encoding="utf-8-sig")
    assert (rec["served_demand"] <= rec["capacity"] + 1e-6).all()
    n_st = s["counts"]["stations"]
    total = s["coverage_existing"]["total_demand"]
    for k, share in s["served_after_recommended"].items():  # at most stations + new sites full
        assert share * total <= 5.0 * n_st + rec["served_demand"].sum() + 1e-6, k
        assert share <= free["served_after_recommended"][k] + 1e-9


def test_bad_station_capacity_is_one_error_line(tmp_path, demo_files, helsinki_pbf):
    st = pd.read_csv(demo_files / "stations.csv")
    st["seats"] = 20.0
    st.loc[1, "seats"] = -1
    path = tmp_path / "stations.csv"
    st.to_csv(path, index=False)
    res = _plan(demo_files, helsinki_pbf, tmp_path / "a", stations=path, station_capacity="seats")
    assert res.exit_code == 2
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    assert f"stations {path}" in lines[0] and "row 3, column 'seats'" in lines[0]
    res = _plan(demo_files, helsinki_pbf, tmp_path / "b", station_capacity="nope")
    assert res.exit_code == 2 and "no capacity column 'nope'" in res.output
    res = _plan(demo_files, helsinki_pbf, tmp_path / "c", station_capacity=0)
    assert res.exit_code == 2 and "--station-capacity: '0' must be a demand above 0" in res.output
    res = _plan(demo_files, helsinki_pbf, tmp_path / "d", capacity=None, station_capacity=5)
    assert res.exit_code == 2
    assert "--station-capacity: works with --capacity" in res.output
