"""``planner region`` killed for real (SIGKILL of its whole process group, cluster workers
included) while it runs: the same command again computes only the districts that were not
published, and the folder then holds the same files as a run that was never stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

FAST = ["--mode", "walk", "--minutes", "1,2.5", "--targets", "0.5,0.8", "--min-spacing-m", "0",
        "--snap-max-m", "100", "--snap-warn-m", "80", "--method", "greedy", "--no-pdf",
        "--basemap", "none", "--workers", "1", "--add", "1"]  # fmt: skip
STRIPS = 6

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="process groups and SIGKILL")


@pytest.fixture(scope="module")
def strips(tmp_path_factory, helsinki_walk):
    x0, y0, x1, y1 = helsinki_walk.nodes.to_crs(4326).total_bounds
    edges = [x0 - 0.01 + (x1 - x0 + 0.02) * k / STRIPS for k in range(STRIPS + 1)]
    path = tmp_path_factory.mktemp("strips") / "strips.geojson"
    gpd.GeoDataFrame(
        {"name": [f"strip {k}" for k in range(STRIPS)]},
        geometry=[
            shapely.box(a, y0 - 0.01, b, y1 + 0.01)
            for a, b in zip(edges[:-1], edges[1:], strict=True)
        ],
        crs=4326,
    ).to_file(path)
    return path


def _command(helsinki_pbf, demo_files, strips, out: Path) -> list[str]:
    return [
        sys.executable, "-c", "from planner.cli import main; main()", "region",
        "--network", helsinki_pbf, "--districts", str(strips),
        "--hotspots", str(demo_files / "hotspots.csv"),
        "--stations", str(demo_files / "stations.csv"),
        "--candidates", str(demo_files / "candidates.csv"), *FAST, "--out", str(out),
    ]  # fmt: skip


def _published(out: Path) -> list[str]:
    """The district folders published (not the hidden staging folders of those under way)."""
    found = (out / "districts").glob("*/district.json")
    return sorted(p.parent.name for p in found if not p.parent.name.startswith("."))


def _files(folder: Path) -> dict[str, bytes]:
    """The files of a region folder, but for the run's clock and its command line (the
    output folder differs between the runs compared)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in ("timings.json", "manifest.json")
        and not p.name.endswith(".lock")
    }  # fmt: skip


def test_a_killed_region_run_resumes_where_it_stopped(helsinki_pbf, demo_files, strips, tmp_path):
    out = tmp_path / "killed"
    env = {**os.environ, "PLANNER_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.Popen(
        _command(helsinki_pbf, demo_files, strips, out), env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 240
    try:
        while not _published(out) and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(run.pid, signal.SIGKILL)  # the run and its cluster's workers
        run.wait()
    before = _published(out)
    planned = 4  # two strips at the edges hold no hotspot: no plan, no folder
    assert 1 <= len(before) < planned, "the run ended before it could be killed mid-way"
    assert not (out / "region_summary.csv").exists()

    again = subprocess.run(
        _command(helsinki_pbf, demo_files, strips, out), env=env, capture_output=True,
        text=True, timeout=240,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-2000:]
    done = f"{STRIPS} districts: {planned} done ({planned - len(before)} computed now)"
    assert done in again.stdout + again.stderr
    for name in before:  # the published districts were kept as they were, not redone
        assert json.loads((out / "districts" / name / "district.json").read_text())

    whole = tmp_path / "whole"
    never = subprocess.run(
        _command(helsinki_pbf, demo_files, strips, whole), env=env, capture_output=True,
        text=True, timeout=240,
    )  # fmt: skip
    assert never.returncode == 0, never.stderr[-2000:]
    assert _files(out) == _files(whole)
