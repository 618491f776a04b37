"""``planner plan --relocate`` with ``--reach``, ``--reach areas`` and ``--capacity`` end to
end: the moves in ``summary.json``, the console and the report, on the Helsinki demo files
and the Andorra extract (skipped where absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from tests.cli.test_controls_cli import _plan, _report_tables

ROOT = Path(__file__).resolve().parents[2]


def _summary(out: Path) -> dict:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def _check_moves(s: dict, most: int) -> dict:
    """The invariants of ``relocation`` in a summary, and it."""
    moves = s["relocation"]
    assert moves["most"] == most and len(moves["closed"]) <= most
    assert moves["opened"] == [site["id"] for site in s["sites"]]
    assert len(moves["moved_to"]) == len(moves["closed"])
    assert sorted(moves["moved_to"] + moves["new_sites"]) == sorted(moves["opened"])
    assert [c["id"] for c in s["closed"] if c["by"] == "relocate"] == moves["closed"]
    assert moves["value_gained_by_moving"] >= -1e-9
    opt = s["optimizer"]
    assert list(opt)[:6] == ["objective", "method", "value", "bound", "gap", "proven"]
    return moves


def _andorra(andorra_pbf: Path, out: Path, *flags: str) -> str:
    args = ["plan", "--network", str(andorra_pbf), "--hotspots", "osm", "--stations",
            "data/andorra_stations.csv", "--candidates", "osm", *flags, "--out", str(out),
            "--no-pdf"]  # fmt: skip
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_reach_with_moves_on_andorra(andorra_pbf, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "reach"
    output = _andorra(andorra_pbf, out, "--reach", "80%@10", "--relocate", "2")
    s = _summary(out)
    moves, opt = _check_moves(s, 2), s["optimizer"]
    closed, opened = moves["closed"], moves["opened"]
    # the value is the number of new sites: the moves are not counted
    assert opt["value"] == len(opened) - len(closed) and opt["proven"]
    assert moves["sites_saved"] == moves["value_without_moves"] - opt["value"] >= 1
    assert opt["bound"] <= opt["value"] and moves["coverage_after"]["10"] >= 0.8 - 1e-9
    n, k, m = len(closed), opt["value"], moves["value_without_moves"]
    sentence = f"moving {n} station{'s' * (n != 1)} meets the goal with {k:g} new site"
    assert sentence in output and f"instead of {m:g}" in output
    report = (out / "report.html").read_text(encoding="utf-8")
    assert f"Moving {n} station" in report and f"instead of {m:g}." in report


def test_area_goals_with_moves_keep_the_other_operators_stations(andorra_pbf, tmp_path,
                                                                 monkeypatch):  # fmt: skip
    monkeypatch.chdir(ROOT)
    out = tmp_path / "areas"
    _andorra(
        andorra_pbf, out, "--others", "data/andorra_others.csv", "--areas",
        "data/andorra_parishes.geojson", "--area-targets", "data/andorra_parish_targets.csv",
        "--reach", "areas", "--relocate", "2", "--quiet",
    )  # fmt: skip
    s = _summary(out)
    moves = _check_moves(s, 2)
    theirs = {row["id"] for row in s["others"]["stations"]}
    assert moves["closed"] and not set(moves["closed"]) & theirs
    assert all(g["met_after"] for g in s["area_goals"])
    assert s["optimizer"]["value"] == len(moves["opened"]) - len(moves["closed"])


@pytest.mark.parametrize("station_capacity", [None, 3])
def test_capacity_with_moves(tmp_path, demo_files, helsinki_pbf, station_capacity):
    out = tmp_path / "cap"
    flags = {"add": 2, "relocate": 1, "capacity": 5, "min_spacing_m": 0}
    if station_capacity is not None:
        flags["station_capacity"] = station_capacity
    res = _plan(demo_files, helsinki_pbf, out, **flags)
    assert res.exit_code == 0, res.output
    s = _summary(out)
    moves, opt = _check_moves(s, 1), s["optimizer"]
    assert len(moves["opened"]) == 2 + len(moves["closed"])
    assert opt["value"] <= opt["bound"] + 1e-6
    assert all(site["capacity"] == 5 for site in s["sites"])
    assert all(site["served_demand"] <= 5 + 1e-6 for site in s["sites"])
    if station_capacity is not None:
        served = {r["id"]: r["served_demand"] for r in s["station_service"]}
        assert all(served[i] == 0 for i in moves["closed"])
        assert all(v <= station_capacity + 1e-6 for v in served.values())
    (table,) = _report_tables(out, "moves")
    assert list(table[table.columns[0]]) == ["Today", "After the moves and new sites", "Gained"]
    report = (out / "report.html").read_text(encoding="utf-8")
    assert "the objective improves by" in report


def test_the_moves_in_words():
    from planner.outputs.summary_controls import Moves

    share = {"8": 0.5}
    base = {"most": 2, "opened": ("a", "b", "c"), "coverage_today": share,
            "coverage_after": share, "coverage_gained": share,
            "value_without_moves": 5.0}  # fmt: skip
    two = Moves(closed=("s1", "s2"), value_gained_by_moving=2.0, sites_saved=2.0, **base)
    assert two.sentence() == "moving 2 stations meets the goal with 3 new sites instead of 5"
    one = Moves(closed=("s1",), value_gained_by_moving=4.0, sites_saved=4.0, **base)
    assert one.sentence() == "moving 1 station meets the goal with 1 new site instead of 5"
    none = Moves(closed=(), value_gained_by_moving=0.0, sites_saved=0.0, **base)
    assert none.sentence() == "moving no station saves a site (5 new sites either way)"
    other = Moves(closed=("s1",), value_gained_by_moving=12.5, **base)
    assert other.sentence() == "the objective improves by +12.5 against moving no station"


def test_the_spacing_figures_count_the_stations_that_stay(andorra_pbf, tmp_path, monkeypatch):
    """With moves and the spacing rule, the coverage the spacing states for the answer is
    the answer's own: the moved stations closed, as in ``coverage_after_recommended``."""
    monkeypatch.chdir(ROOT)
    out = tmp_path / "moves"
    _andorra(andorra_pbf, out, "--add", "2", "--relocate", "2")
    s = _summary(out)
    assert _check_moves(s, 2)["closed"]  # the answer moves stations
    with_rule = s["spacing"]["coverage_with"]
    assert with_rule == pytest.approx(s["coverage_after_recommended"])


def test_more_moves_than_stations_is_one_error_line(demo_files, helsinki_pbf, tmp_path):
    stations = pd.read_csv(demo_files / "stations.csv")
    n = len(stations)
    res = _plan(
        demo_files,
        helsinki_pbf,
        tmp_path / "out",
        add=2,
        relocate=n + 3,
        close=stations["id"].iloc[0],
    )
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: --relocate")
    assert f"{n + 3} stations may move" in lines[0] and f"holds {n - 1} that can" in lines[0]
    assert not (tmp_path / "out").exists()
