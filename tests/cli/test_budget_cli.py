"""``--cost COLUMN --budget AMOUNT`` end to end on the small real extract: the budget holds,
every output carries the costs, bad costs are reported by file, row and value; and
``--time-limit``."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main


def _plan(files, network, out, **flags):
    args = {"network": network, "hotspots": files / "hotspots.csv",
            "stations": files / "stations.csv", "candidates": files / "candidates.csv",
            "mode": "walk", "out": out, "pdf": None, **flags}  # fmt: skip
    argv = ["plan", "--quiet"]
    for k, v in args.items():
        argv += [f"--no-{k}"] if v is None else [f"--{k.replace('_', '-')}", str(v)]
    return CliRunner().invoke(main, argv, catch_exceptions=False)


@pytest.fixture(scope="module")
def priced(demo_files, tmp_path_factory):
    """The Helsinki candidates with an opening cost each: 40,000 to 200,000."""
    cand = pd.read_csv(demo_files / "candidates.csv")
    cand["cost"] = [40_000 + 20_000 * (i % 9) for i in range(len(cand))]
    path = tmp_path_factory.mktemp("priced") / "candidates.csv"
    cand.to_csv(path, index=False)
    return path, dict(zip(cand["id"].astype(str), cand["cost"], strict=True))


def test_budget_holds_and_every_output_carries_the_costs(tmp_path, demo_files, helsinki_pbf,
                                                         priced):  # fmt: skip
    path, cost = priced
    out = tmp_path / "b"
    res = _plan(demo_files, helsinki_pbf, out, candidates=path, cost="cost", budget=250000,
                method="exact", time_limit=60)  # fmt: skip
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    ids = [site["id"] for site in s["sites"]]
    assert ids and all(site["cost"] == cost[site["id"]] for site in s["sites"])
    spent = sum(cost[i] for i in ids)
    assert s["budget"] == {"budget": 250000.0, "spent": spent, "left": 250000.0 - spent,
                           "cost_column": "cost", "most_sites": None}  # fmt: skip
    assert spent <= 250000
    assert s["optimizer"]["proven"] and s["optimizer"]["bound"] >= s["optimizer"][
        "value"]  # fmt: skip
    rec = pd.read_csv(out / "recommended_sites.csv")
    assert rec["cost"].tolist() == [cost[str(i)] for i in rec["id"]]
    report = (out / "report.html").read_text()
    assert "<th>opening cost</th>" in report and f"cost {spent:,.0f} in all" in report
    assert f"spent {spent:,.0f} of the budget 250,000" in res.output
    assert s["inputs"]["time_limit_s"] == 60.0


def test_bad_costs_are_reported_by_file_row_and_value(tmp_path, demo_files, helsinki_pbf):
    cand = pd.read_csv(demo_files / "candidates.csv")
    cand["cost"] = "50000"
    cand.loc[3, "cost"] = None
    cand.loc[5, "cost"] = "cheap"
    cand.loc[7, "cost"] = "-2"
    path = tmp_path / "cand.csv"
    cand.to_csv(path, index=False)
    res = _plan(demo_files, helsinki_pbf, tmp_path / "a", candidates=path, cost="cost",
                budget="100000")  # fmt: skip
    assert res.exit_code == 2
    line = res.output.strip()
    assert line.startswith(f"error: candidates {path}: rows 5, 7, column 'cost'"), line
    assert "row 9, column 'cost': cost must be 0 or more, found -2" in line
    res = _plan(demo_files, helsinki_pbf, tmp_path / "b", candidates=path, cost="price",
                budget="100000")  # fmt: skip
    assert res.exit_code == 2 and "no cost column 'price'" in res.output


@pytest.mark.parametrize(
    "flags, message",
    [
        ({"budget": "100000"}, "--budget needs --cost"),
        ({"cost": "cost"}, "--cost 'cost' needs --budget"),
        ({"cost": "cost", "budget": "lots"}, "--budget: expected an amount of money above 0"),
        ({"cost": "cost", "budget": "-5"}, "--budget: expected an amount of money above 0"),
        ({"cost": "cost", "budget": "5", "objective": "time"}, "--budget: works with the coverage"),
        ({"cost": "cost", "budget": "5", "capacity": "9"}, "--capacity: works with --add"),
        ({"cost": "cost", "budget": "1000"}, "--budget 1000: no candidate site costs that little"),
        ({"time_limit": "0"}, "--time-limit: expected seconds above 0"),
    ],
)
def test_bad_budget_options(tmp_path, demo_files, helsinki_pbf, priced, flags, message):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "x", candidates=priced[0], **flags)
    assert res.exit_code == 2
    assert message in res.output and res.output.count("\n") == 1, res.output
