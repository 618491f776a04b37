"""An output set is replaced whole or not at all (:mod:`planner.outputs.output_set`).

The low-level writer is tested with tiny files in child processes that are killed (by a
fault injected before any step that changes the file system, or by SIGKILL at several
delays); after each kill the folder must hold exactly one run's complete set: the
manifest's file list equals the folder's files, each sha256 matches, every file carries the
same run, and no file of the other run is left. The whole plan's set is tested with the
Helsinki plan of ``conftest.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner import app
from planner.cli import main
from planner.core.errors import InputError
from planner.outputs import files, output_set

#: A child process publishing tiny sets: run ``r`` writes a.txt, b.txt, c.txt and
#: only_<r % 2>.txt, each holding ``run=r``; so a mix of two runs, or a file of an older run
#: beside a newer set, shows.
CHILD = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from planner.outputs import output_set

    def publish(out, run, size=2000, inside=None):
        with output_set.atomic_dir(out) as tmp:
            for name in ("a", "b", "c", f"only_{run % 2}"):
                (tmp / f"{name}.txt").write_text(f"run={run}\\n" + "x" * size)
            if inside:
                inside()

    def inject(base, count, exchange):
        if exchange == "no":
            output_set.exchange = lambda a, b: False
        for k in range(1, count + 1):
            folder = base / f"k{k}"
            publish(folder, 1)
            pid = os.fork()
            if pid == 0:
                calls = [0]
                def dying(fn):
                    def step(*a, **kw):
                        calls[0] += 1
                        if calls[0] == k:
                            os._exit(9)
                        return fn(*a, **kw)
                    return step
                for name in ("mkdir", "rename", "replace", "unlink", "rmdir", "fsync"):
                    setattr(os, name, dying(getattr(os, name)))
                if hasattr(output_set, "exchange"):
                    output_set.exchange = dying(output_set.exchange)
                publish(folder, 2)
                os._exit(0)
            os.waitpid(pid, 0)

    mode, out = sys.argv[1], Path(sys.argv[2])
    if mode == "inject":
        inject(out, int(sys.argv[3]), sys.argv[4])
    elif mode == "loop":
        publish(out, 0, size=50_000)
        print("ready", flush=True)
        run = 1
        while True:
            publish(out, run, size=50_000)
            run += 1
    elif mode == "hold":
        publish(out, 0)
        def wait():
            print("inside", flush=True)
            sys.stdin.readline()
        publish(out, 1, inside=wait)
    else:
        publish(out, int(sys.argv[3]))
    """
)


def _child(*args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, *map(str, args)],
        text=True, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_set(folder: Path, *, manifest: bool = True) -> int:
    """Assert ``folder`` holds exactly one complete tiny set; its run. ``manifest``: also
    check the manifest (the run's files checked first, so a mix shows as such)."""
    names = sorted(p.name for p in folder.iterdir() if manifest or p.name != output_set.MANIFEST)
    runs = {
        n: (folder / n).read_text().split("\n")[0]
        for n in names
        if n != output_set.MANIFEST and (folder / n).is_file()
    }
    assert len(set(runs.values())) == 1, f"files of several runs: {runs}"
    run = int(next(iter(runs.values())).removeprefix("run="))
    expected = ["a.txt", "b.txt", "c.txt", f"only_{run % 2}.txt"]
    assert names == sorted(expected + ["manifest.json"] * manifest), f"not run {run}'s set"
    if manifest:
        check_manifest(folder)
    return run


def check_manifest(folder: Path) -> dict:
    """Assert the manifest lists exactly the folder's other files, sizes and sha256 right."""
    doc = json.loads((folder / output_set.MANIFEST).read_text(encoding="utf-8"))
    listed = {f["name"]: f for f in doc["files"]}
    present = sorted(p.name for p in folder.iterdir() if p.name != output_set.MANIFEST)
    assert [f["name"] for f in doc["files"]] == present  # sorted, complete, nothing extra
    for name, f in listed.items():
        if name == output_set.TIMINGS:  # this run's timings: listed, never hashed
            assert f["sha256"] is None and f["bytes"] is None
            continue
        assert f["sha256"] == _sha(folder / name) and f["bytes"] == (folder / name).stat().st_size
    return doc


def _leftovers(folder: Path) -> list[str]:
    """Staging folders and set-aside sets beside ``folder`` or in it (the lock file stays)."""
    beside = [p.name for p in folder.parent.iterdir() if p.name.startswith(f".{folder.name}.")]
    inside = [p.name for p in folder.iterdir() if p.name.startswith(".planner-staging-")]
    return sorted(n for n in beside + inside if n != f".{folder.name}.lock")


def _write(folder: Path, run: int, names=("a", "b", "c")) -> None:
    with files.atomic_dir(folder) as tmp:
        for name in (*names, f"only_{run % 2}"):
            (tmp / f"{name}.txt").write_text(f"run={run}\n")


# --------------------------------------------------------------------------- kills


@pytest.mark.parametrize("exchange", ["yes", "no"])
def test_a_kill_before_any_step_leaves_one_whole_set(tmp_path, exchange):
    """A child dies (``os._exit``) before the k-th step that changes the file system of the
    publish, for every k; ``exchange="no"``: the fallback of two renames."""
    count = 18  # a publish has 16 such steps (17 in the fallback)
    child = _child("inject", tmp_path, count, exchange)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    runs = []
    for k in range(1, count + 1):
        folder = tmp_path / f"k{k}"
        if not folder.exists():  # a kill between the fallback's two renames
            assert exchange == "no" and len(list(tmp_path.glob(f".k{k}.old-*"))) == 1
            with output_set.claim(folder):  # the next run puts the previous set back
                pass
        runs.append(check_set(folder, manifest=False))
    for k in range(1, count + 1):
        check_set(tmp_path / f"k{k}")
    assert set(runs) == {1, 2}, runs  # some kills before the swap, and the last ones after
    assert runs == sorted(runs), runs  # once the new set is in, it stays
    for k in range(1, count + 1):  # the next run cleans up what the killed one left
        folder = tmp_path / f"k{k}"
        _write(folder, 3)
        assert check_set(folder) == 3 and _leftovers(folder) == [], k


def test_sigkill_at_several_delays_leaves_one_whole_set(tmp_path):
    """Children publish sets in a loop (50 kB files) and get SIGKILL at staggered delays."""
    delays = [0.002, 0.009, 0.017, 0.031, 0.047, 0.083]
    children = [_child("loop", tmp_path / f"d{i}") for i in range(len(delays))]
    try:
        for child in children:
            assert child.stdout is not None and child.stdout.readline() == "ready\n"
        for child, delay in zip(children, delays, strict=True):
            time.sleep(delay)
            child.send_signal(signal.SIGKILL)
    finally:
        for child in children:
            child.kill()
            child.communicate(timeout=30)
    for i in range(len(delays)):
        check_set(tmp_path / f"d{i}", manifest=False)
    for i in range(len(delays)):
        folder = tmp_path / f"d{i}"
        check_set(folder)
        _write(folder, 7)
        assert check_set(folder) == 7 and _leftovers(folder) == []


def test_an_error_inside_leaves_the_previous_set_and_no_staging(tmp_path):
    out = tmp_path / "out"
    _write(out, 1)
    with pytest.raises(RuntimeError), files.atomic_dir(out) as tmp:
        (tmp / "a.txt").write_text("run=2\n")
        raise RuntimeError("the writer failed")
    assert check_set(out) == 1 and _leftovers(out) == []


# --------------------------------------------------------------------------- whole sets


def test_a_new_set_leaves_no_file_of_the_older_one(tmp_path):
    out = tmp_path / "out"
    _write(out, 1, names=("a", "b", "c", "areas_scored", "coverage_curve"))
    _write(out, 2)
    assert check_set(out) == 2


def test_a_score_run_after_a_plan_run_leaves_no_stale_files(
    tmp_path, demo_points, helsinki_pbf, monkeypatch
):
    """``planner score`` into the folder of a plan run (a set holding ``areas_scored.csv``
    and ``coverage_curve.csv``); the manifest states the version, the command line, the
    request and the input files' hashes, in a fixed order, as strict JSON."""
    out = tmp_path / "out"
    _write(out, 1, names=("summary", "map", "areas_scored", "coverage_curve"))
    hotspots, stations, _ = demo_points
    pd.DataFrame(hotspots.drop(columns="geometry")).to_csv(tmp_path / "hs.csv", index=False)
    pd.DataFrame(stations.drop(columns="geometry")).to_csv(tmp_path / "st.csv", index=False)
    argv = ["planner", "score", "--network", helsinki_pbf, "--hotspots", str(tmp_path / "hs.csv"),
            "--stations", str(tmp_path / "st.csv"), "--mode", "walk", "--out", str(out),
            "--quiet"]  # fmt: skip
    monkeypatch.setattr(sys, "argv", argv)
    res = CliRunner().invoke(main, argv[1:], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    doc = check_manifest(out)
    names = [f["name"] for f in doc["files"]]
    assert {"map.html", "summary.json", "stations_scored.csv", "report.html"} <= set(names)
    assert not {"areas_scored.csv", "coverage_curve.csv", "only_1.txt", "a.txt"} & set(names)
    assert _leftovers(out) == []

    def no_constant(name: str) -> None:
        raise AssertionError(f"not strict JSON: {name}")

    json.loads((out / "manifest.json").read_text(encoding="utf-8"), parse_constant=no_constant)
    assert list(doc) == [
        "manifest_version", "planner_version", "command", "request", "inputs", "files"
    ]  # fmt: skip
    assert doc["planner_version"] == version("planner") and doc["command"] == argv
    assert doc["request"] == json.loads((out / "summary.json").read_text())["inputs"]
    assert doc["request"]["add"] == 0 and doc["request"]["candidates"] is None
    assert {role: f["sha256"] for role, f in doc["inputs"].items()} == {
        "network": _sha(Path(helsinki_pbf)),
        "hotspots": _sha(tmp_path / "hs.csv"),
        "stations": _sha(tmp_path / "st.csv"),
    }
    assert doc["inputs"]["hotspots"]["path"] == str(tmp_path / "hs.csv")


def test_only_input_files_are_hashed(tmp_path):
    """Keywords (osm, none), place names and missing files are left to the request's echo
    and the readers' errors."""
    src = app.Sources(network="Helsinki, Finland", hotspots="osm", stations="none",
                      candidates="osm", speeds=str(tmp_path / "speeds.toml"))  # fmt: skip
    assert src.files() == {"network": "Helsinki, Finland", "speeds": str(tmp_path / "speeds.toml")}
    assert output_set.Provenance.of(src.files()).inputs == {}
    (tmp_path / "speeds.toml").write_text('mode = "walk"\n')
    prov = output_set.Provenance.of(src.files(), argv=("planner", "plan"))
    assert prov.argv == ("planner", "plan")
    assert prov.inputs == {"speeds": {"path": str(tmp_path / "speeds.toml"), "bytes": 14,
                                      "sha256": _sha(tmp_path / "speeds.toml")}}  # fmt: skip


def test_the_cli_passes_its_command_line(tmp_path, monkeypatch):
    seen = {}

    def fake(*args, **kwargs):
        seen.update(kwargs)
        raise InputError("stop here")

    monkeypatch.setattr(app, "run_demo", fake)
    monkeypatch.setattr(sys, "argv", ["planner", "demo", "--out", "x"])
    res = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "x"), "--quiet"])
    assert res.exit_code == 2 and seen["argv"] == ["planner", "demo", "--out", "x"]


# --------------------------------------------------------------------------- two runs


def test_a_second_run_into_the_same_folder_fails_at_once(tmp_path):
    out = tmp_path / "out"
    holder = _child("hold", out)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "inside\n"
        t0 = time.perf_counter()
        second = _child("once", out, 5)
        _, err = second.communicate(timeout=60)
        assert second.returncode != 0 and "being written by another run" in err, err
        assert str(out) in err and "OutputFolderError" in err
        with pytest.raises(InputError, match="being written by another run"), files.atomic_dir(out):
            pass
        assert time.perf_counter() - t0 < 30
        assert check_set(out) == 0  # still the holder's previous set
    finally:
        _, err = holder.communicate("\n", timeout=60)
    assert holder.returncode == 0, err
    assert check_set(out) == 1 and _leftovers(out) == []


def test_the_cli_names_the_folder_another_run_writes(tmp_path):
    out = tmp_path / "out"
    holder = _child("hold", out)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "inside\n"
        res = CliRunner().invoke(main, ["demo", "--out", str(out), "--quiet"])
    finally:
        holder.communicate("\n", timeout=60)
    assert res.exit_code == 2, res.output
    assert res.output.startswith(f"error: output folder {str(out)!r} is being written by another")
    assert check_set(out) == 1


# --------------------------------------------------------------------------- leftovers


def test_the_next_run_removes_what_killed_runs_left(tmp_path):
    out = tmp_path / "out"
    _write(out, 1)
    for leftover in (".out.staging-abc123", ".out.old-1-2"):
        (tmp_path / leftover).mkdir()
        (tmp_path / leftover / "map.html").write_text("half")
    (tmp_path / "out.keep").mkdir()  # not a leftover: another name
    _write(out, 2)
    assert check_set(out) == 2 and _leftovers(out) == []
    assert (tmp_path / "out.keep").is_dir()


def test_a_previous_set_left_aside_is_put_back(tmp_path):
    """The fallback swap killed between its renames: ``out`` missing, the set aside."""
    out = tmp_path / "out"
    _write(out, 1)
    os.rename(out, tmp_path / ".out.old-7-8")
    with output_set.claim(out):
        assert check_set(out) == 1
    assert _leftovers(out) == []


# --------------------------------------------------------------------------- refused targets


def _refused(out: str | Path, match: str) -> None:
    with pytest.raises(InputError, match=match), files.atomic_dir(out):
        pass


@pytest.mark.parametrize(
    ("target", "match"),
    [
        ("", "is empty"),
        ("/", "root of a file system"),
        (".", "is the current folder"),
        ("cwd/..", "is the current folder or holds it"),
        ("home", "is the home folder"),
        ("a-file", "is a file"),
    ],
)
def test_dangerous_targets_are_refused(tmp_path, monkeypatch, target, match):
    home, cwd = tmp_path / "home", tmp_path / "cwd"
    home.mkdir()
    cwd.mkdir()
    (tmp_path / "a-file").write_text("mine")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd)
    places = {"home": home, "a-file": tmp_path / "a-file"}
    out = str(places.get(target, target))
    before = sorted(p.name for p in Path("/").iterdir())
    _refused(out, match)
    assert list(cwd.iterdir()) == [] and list(home.iterdir()) == []
    assert sorted(p.name for p in Path("/").iterdir()) == before
    assert (tmp_path / "a-file").read_text() == "mine"


@pytest.mark.parametrize("kind", ["foreign", "set-and-notes", "bad-manifest", "legacy-and-notes"])
def test_a_folder_with_files_the_planner_did_not_write_is_kept(tmp_path, kind):
    out = tmp_path / "out"
    if kind != "foreign":
        _write(out, 1)
    if kind == "bad-manifest":
        (out / "manifest.json").write_text("{not json")
    if kind == "legacy-and-notes":
        (out / "manifest.json").unlink()
        (out / "summary.json").write_text("{}")
    out.mkdir(exist_ok=True)
    (out / "notes.txt").write_text("my notes")
    _refused(out, "holds files the planner did not write .*(notes.txt|manifest.json).* move")
    assert (out / "notes.txt").read_text() == "my notes"
    if kind == "foreign":  # refused before the lock: nothing written beside it either
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_an_empty_folder_and_an_old_set_without_manifest_are_replaced(tmp_path):
    (tmp_path / "empty").mkdir()
    _write(tmp_path / "empty", 1)
    assert check_set(tmp_path / "empty") == 1
    old = tmp_path / "old"
    old.mkdir()
    for name in ("summary.json", "map.html", "areas_scored.csv"):
        (old / name).write_text("{}")
    (old / ".planner-staging-x1").mkdir()  # what a killed run of those versions left
    _write(old, 2)
    assert check_set(old) == 2


@pytest.mark.parametrize("out", ["", "/"])
def test_the_cli_refuses_empty_and_root_out(tmp_path, monkeypatch, out):
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["demo", "--out", out, "--quiet"])
    assert res.exit_code == 2, res.output
    assert res.output.startswith(f"error: output folder {out!r} is ")
    assert list(tmp_path.iterdir()) == []


def test_a_symlinked_folder_stays_a_link_to_the_new_set(tmp_path):
    real, link = tmp_path / "real", tmp_path / "link"
    _write(real, 1)
    link.symlink_to(real, target_is_directory=True)
    _write(link, 2)
    assert link.is_symlink() and check_set(link) == 2 and check_set(real) == 2
