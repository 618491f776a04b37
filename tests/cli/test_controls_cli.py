"""``planner plan`` with the site controls and phases on the Helsinki files: each option
end to end, and each bad value as one ``error:`` line with exit code 2."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pandas as pd
import pytest

from tests.browser import console_errors, needs_chromium, probe
from tests.cli.test_cli import _run
from tests.outputs.test_map import data_of


def _plan(files, network, out, **flags):
    """``planner plan --quiet --no-pdf`` on the Helsinki files, walking."""
    args = {"network": network, "hotspots": files / "hotspots.csv",
            "stations": files / "stations.csv", "candidates": files / "candidates.csv",
            "mode": "walk", "out": out, **flags}  # fmt: skip
    pairs = [x for k, v in args.items() for x in (f"--{k.replace('_', '-')}", str(v))]
    return _run(["plan", "--quiet", "--no-pdf", *pairs])


def _ids(demo_files):
    cand = pd.read_csv(demo_files / "candidates.csv")["id"].astype(str).tolist()
    stations = pd.read_csv(demo_files / "stations.csv")["id"].astype(str).tolist()
    return cand, stations


def _summary(out):
    return json.loads((out / "summary.json").read_text())


def test_include_exclude_and_close(tmp_path, demo_files, helsinki_pbf):
    cand, stations = _ids(demo_files)
    agreed, refused = cand[-1], cand[:5]
    out = tmp_path / "controls"
    res = _plan(demo_files, helsinki_pbf, out, add=3, include=agreed, exclude=",".join(refused),
                close=stations[0], min_spacing_m=0)  # fmt: skip
    assert res.exit_code == 0, res.output
    s = _summary(out)
    ids = [site["id"] for site in s["sites"]]
    assert ids[0] == agreed and not set(refused) & set(ids) and len(ids) <= 3
    assert [c["id"] for c in s["closed"]] == [stations[0]]
    assert s["counts"]["stations"] == len(stations) - 1
    assert all(v >= 0 for v in s["closing"]["lost"].values())
    assert s["inputs"]["include"] == [agreed] and s["inputs"]["close"] == [stations[0]]
    opt = s["optimizer"]
    assert list(opt)[:6] == ["objective", "method", "value", "bound", "gap", "proven"]
    assert opt["objective"] == "coverage" and opt["value"] <= opt["bound"] + 1e-6
    rec = pd.read_csv(out / "recommended_sites.csv", encoding="utf-8-sig")
    assert rec["id"].astype(str).tolist() == ids
    closed, closing = _report_tables(out, "closed", "closing")
    assert closed.iloc[0, 0] == stations[0] and closed.iloc[0, 2] == "asked to close"
    lost = closing.set_index(closing.columns[0]).loc["Lost"]
    assert lost.tolist() == [f"{v:.1%}" for v in s["closing"]["lost"].values()]
    page = (out / "map.html").read_text(encoding="utf-8")
    shut = data_of(page)["closed"]
    assert shut["id"] == [stations[0]] and shut["by"] == ["close"]
    st = pd.read_csv(demo_files / "stations.csv").set_index("id").loc[stations[0]]
    assert (shut["lon"][0], shut["lat"][0]) == pytest.approx((st["lon"], st["lat"]), abs=1e-5)
    assert "pl-closed" in page and "Stations that close" in page


class _Tables(HTMLParser):
    """The rows (cell texts) of each table of a page, by the table's class."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._rows: list[list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows = self.tables.setdefault(dict(attrs).get("class") or "", [])
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._rows:
            self._rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "table":
            self._rows = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def _report_tables(out, *classes):
    """The report's tables of these classes, as text frames (the first row the header)."""
    parser = _Tables()
    parser.feed((out / "report.html").read_text(encoding="utf-8"))
    return [pd.DataFrame(parser.tables[c][1:], columns=parser.tables[c][0]) for c in classes]


def _summary_of(out, demo_files, helsinki_pbf, **flags):
    res = _plan(demo_files, helsinki_pbf, out, add=3, min_spacing_m=0, **flags)
    assert res.exit_code == 0, res.output
    return _summary(out)


def test_exclude_column_of_the_candidates_file(tmp_path, demo_files, helsinki_pbf):
    cand = pd.read_csv(demo_files / "candidates.csv")
    refused = cand["id"].astype(str).tolist()[::2]
    cand["exclude"] = ["yes" if str(i) in refused else "" for i in cand["id"]]
    d = tmp_path / "files"
    d.mkdir()
    for name in ("hotspots.csv", "stations.csv"):
        (d / name).write_bytes((demo_files / name).read_bytes())
    cand.to_csv(d / "candidates.csv", index=False)
    s = _summary_of(tmp_path / "out", d, helsinki_pbf, objective="time")
    ids = [site["id"] for site in s["sites"]]
    assert len(ids) == 3 and not set(ids) & set(refused)
    cand["exclude"] = ["perhaps"] + [""] * (len(cand) - 1)
    cand.to_csv(d / "candidates.csv", index=False)
    res = _plan(d, helsinki_pbf, tmp_path / "bad", add=3)
    assert res.exit_code == 2 and "column exclude" in res.output and "'perhaps'" in res.output


def test_phases_are_nested_in_every_output(tmp_path, demo_files, helsinki_pbf):
    out = tmp_path / "phases"
    res = _plan(demo_files, helsinki_pbf, out, phases="2,4", min_spacing_m=0)
    assert res.exit_code == 0, res.output
    s = _summary(out)
    one, two = s["phases"]
    assert two["site_ids"][: one["sites"]] == one["site_ids"] and s["inputs"]["add"] == 4
    assert one["gap_to_unconstrained"] <= 1e-6 and two["gap_to_unconstrained"] >= 0
    assert two["unconstrained_value"] >= two["value"] - 1e-9
    assert [site["phase"] for site in s["sites"]] == [1] * len(one["site_ids"]) + [2] * (
        len(two["site_ids"]) - len(one["site_ids"])
    )
    rec = pd.read_csv(out / "recommended_sites.csv", encoding="utf-8-sig")
    assert rec["phase"].tolist() == [site["phase"] for site in s["sites"]]
    assert "phase 2:" in res.output
    info = data_of((out / "map.html").read_text(encoding="utf-8"))["sites"]["info"].values()
    popup = {dict(rows)["id"]: dict(rows).get("phase") for rows in info if "rank" in dict(rows)}
    assert popup == {site["id"]: str(site["phase"]) for site in s["sites"]}
    (table,) = _report_tables(out, "phases")
    assert table.iloc[:, 1].tolist() == [str(one["sites"]), str(two["sites"])]
    assert table.iloc[1, 2] == ", ".join(two["site_ids"])
    assert table.iloc[0, -1] == f"{one['gap_to_unconstrained']:.2%}"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        ({"include": "no-such-site"}, "--include: 'no-such-site' is not a candidate"),
        ({"exclude": "no-such-site"}, "--exclude: 'no-such-site' is not a candidate"),
        ({"close": "no-such-station"}, "--close: 'no-such-station' is not an existing station"),
        ({"phases": "3,2"}, "--phases: the counts are the sites open after each phase"),
        ({"phases": "two"}, "--phases: expected whole site counts"),
        ({"phases": "2,4", "add": "3"}, "it differs from --add (3)"),
        ({"phases": "2", "reach": "50%@10"}, "--phases: works with --add, not with --reach"),
        ({"include": "a,,b"}, "--include: 'a,,b' has an empty id"),
    ],
)
def test_bad_controls_are_one_error_line(tmp_path, demo_files, helsinki_pbf, flags, message):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "bad", **flags)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert lines[-1].startswith("error:") and message in res.output, res.output
    assert "Traceback" not in res.output


def test_a_station_id_is_not_a_candidate(tmp_path, demo_files, helsinki_pbf):
    _, stations = _ids(demo_files)
    res = _plan(demo_files, helsinki_pbf, tmp_path / "bad", include=stations[0])
    assert res.exit_code == 2 and "is not a candidate but an existing station" in res.output
    cand, _ = _ids(demo_files)
    res = _plan(demo_files, helsinki_pbf, tmp_path / "bad", include=cand[0], exclude=cand[0])
    assert res.exit_code == 2 and "both name" in res.output


def test_relocate_lists_the_moves(tmp_path, demo_files, helsinki_pbf):
    out = tmp_path / "moves"
    res = _plan(demo_files, helsinki_pbf, out, add=1, relocate=1, min_spacing_m=0)
    assert res.exit_code == 0, res.output
    s = _summary(out)
    moves = s["relocation"]
    assert moves["most"] == 1 and len(moves["closed"]) <= 1
    assert moves["opened"] == [site["id"] for site in s["sites"]]
    assert len(moves["opened"]) <= 1 + len(moves["closed"])
    assert [c["id"] for c in s["closed"] if c["by"] == "relocate"] == moves["closed"]
    assert moves["value_gained_by_moving"] >= -1e-9
    shut = data_of((out / "map.html").read_text(encoding="utf-8"))["closed"]
    assert shut is None if not moves["closed"] else shut["id"] == moves["closed"]
    (table,) = _report_tables(out, "moves")
    gained = table.set_index(table.columns[0]).loc["Gained"]
    assert gained.tolist() == [f"{v:+.1%}" for v in moves["coverage_gained"].values()]
    assert ("Open: " + (", ".join(moves["opened"]) or "none")) in (out / "report.html").read_text()
    res = _plan(demo_files, helsinki_pbf, tmp_path / "bad", relocate="two")
    assert res.exit_code == 2 and "--relocate: expected how many stations" in res.output


def test_relocate_with_the_worst_time_and_with_phases(tmp_path, demo_files, helsinki_pbf):
    out = tmp_path / "worst"
    res = _plan(demo_files, helsinki_pbf, out, add=1, relocate=1, objective="worst",
                min_spacing_m=0)  # fmt: skip
    assert res.exit_code == 0, res.output
    s = _summary(out)
    moves, opt = s["relocation"], s["optimizer"]
    assert opt["objective"] == "worst" and moves["most"] == 1 and len(moves["closed"]) <= 1
    assert moves["opened"] == [site["id"] for site in s["sites"]]
    assert len(moves["opened"]) == 1 + len(moves["closed"])  # p-center opens every place
    assert [c["id"] for c in s["closed"] if c["by"] == "relocate"] == moves["closed"]
    # a time: moving improves when the longest time falls
    gained = moves["value_without_moves"] - opt["value"]
    assert moves["value_gained_by_moving"] == pytest.approx(gained) and gained >= -1e-9
    assert opt["bound"] <= opt["value"] + 1e-6
    out = tmp_path / "phased"
    res = _plan(demo_files, helsinki_pbf, out, add=2, relocate=1, phases="1,2",
                min_spacing_m=0)  # fmt: skip
    assert res.exit_code == 0, res.output
    s = _summary(out)
    closed = s["relocation"]["closed"]
    first, both = (p["site_ids"] for p in s["phases"])
    assert both[: len(first)] == first and len(first) <= 1 + len(closed)
    assert len(both) <= 2 + len(closed)
    assert [site["id"] for site in s["sites"]] == both


@pytest.mark.parametrize("objective", ["backup", "decay"])
def test_an_agreed_site_with_the_objectives_that_add_a_column_per_site(
    tmp_path, demo_files, helsinki_pbf, objective
):
    cand, _ = _ids(demo_files)
    out = tmp_path / objective
    res = _plan(demo_files, helsinki_pbf, out, add=3, include=cand[0], objective=objective)
    assert res.exit_code == 0, res.output
    rec = pd.read_csv(out / "recommended_sites.csv")
    column = f"{objective}_demand_added"
    assert rec["id"].astype(str).iloc[0] == cand[0] and len(rec) == 3
    # the agreed site is not the optimiser's choice: no value of its own; the others have one
    assert pd.isna(rec[column].iloc[0]) and rec[column].iloc[1:].notna().all()


def test_an_agreed_site_is_paid_from_the_budget(tmp_path, demo_files, helsinki_pbf):
    cand = pd.read_csv(demo_files / "candidates.csv")
    cand["cost"] = [10_000 * (1 + i % 5) for i in range(len(cand))]
    files = tmp_path / "files"
    files.mkdir()
    for name in ("hotspots.csv", "stations.csv"):
        (files / name).write_bytes((demo_files / name).read_bytes())
    cand.to_csv(files / "candidates.csv", index=False)
    agreed = str(cand["id"].iloc[0])
    out = tmp_path / "budget"
    res = _plan(files, helsinki_pbf, out, include=agreed, cost="cost", budget=30000)
    assert res.exit_code == 0, res.output
    s = _summary(out)
    assert s["sites"][0]["id"] == agreed and s["sites"][0]["cost"] == 10_000
    assert sum(site["cost"] for site in s["sites"]) == s["budget"]["spent"] <= 30000
    too_little = _plan(files, helsinki_pbf, tmp_path / "x", include=agreed, cost="cost",
                       budget=5000)  # fmt: skip
    assert too_little.exit_code == 2 and too_little.output.count("error:") == 1
    assert "--include" in too_little.output


@pytest.mark.parametrize("objective", ["backup", "decay"])
def test_agreeing_to_a_site_of_the_best_answer_keeps_its_value(
    tmp_path, demo_files, helsinki_pbf, objective
):
    free = _plan(demo_files, helsinki_pbf, tmp_path / "free", add=3, objective=objective,
                 method="exact")  # fmt: skip
    assert free.exit_code == 0, free.output
    best = _summary(tmp_path / "free")
    first = best["sites"][0]["id"]
    agreed = _plan(demo_files, helsinki_pbf, tmp_path / "agreed", add=3, objective=objective,
                   method="exact", include=first)  # fmt: skip
    assert agreed.exit_code == 0, agreed.output
    got = _summary(tmp_path / "agreed")["optimizer"]
    # the agreed site is part of an optimal answer: the value counts what it adds too
    assert got["proven"] and got["value"] == pytest.approx(best["optimizer"]["value"], rel=1e-9)


@needs_chromium
def test_the_map_draws_the_stations_that_close(tmp_path, demo_files, helsinki_pbf):
    """In Chromium: one grey crossed marker per closed station, at the station, with its
    name and why in the tooltip, in a layer of its own; no console errors."""
    _, stations = _ids(demo_files)
    out = tmp_path / "shut"
    res = _plan(demo_files, helsinki_pbf, out, add=1, close=stations[0], lang="zh")
    assert res.exit_code == 0, res.output
    got, run = probe(
        out / "map.html", tmp_path / "profile",
        "var m = document.querySelectorAll('.planner-closed'); return {n: m.length, "
        "text: m.length ? m[0].textContent : null, layers: Array.from(document.querySelectorAll("
        "'.leaflet-control-layers-overlays span')).map(function (s) { "
        "return s.textContent.trim(); })};",
    )  # fmt: skip
    assert got["n"] == 1 and got["text"] == "\u00d7"
    assert "关闭的驿站" in got["layers"]
    assert not console_errors(run.stderr), console_errors(run.stderr)


@needs_chromium
def test_the_map_with_the_suggested_moves_closes_the_moved_stations(
    tmp_path, demo_files, helsinki_pbf
):
    """With --relocate, the page's state "with the suggested sites" has the moved stations
    off: its figures are summary.json's, and its areas leave the moved stations out."""
    out = tmp_path / "moves"
    res = _plan(demo_files, helsinki_pbf, out, add=1, relocate=2, min_spacing_m=0)
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    closed = s["relocation"]["closed"]
    assert closed  # the demo's answer moves a station
    got, run = probe(
        out / "map.html", tmp_path / "profile",
        "var p = window.planner; var w = {state: p.state(), shares: p.coverage(), "
        "active: p.activeSites()}; p.setState('today'); "
        "return {with: w, today: {state: p.state(), active: p.activeSites()}};",
    )  # fmt: skip
    assert not console_errors(run.stderr), console_errors(run.stderr)
    assert got["with"]["state"] == "with"
    assert got["with"]["shares"] == pytest.approx(s["coverage_after_recommended"], abs=1e-12)
    assert not set(closed) & set(got["with"]["active"])
    assert set(closed) <= set(got["today"]["active"])  # today they are open
