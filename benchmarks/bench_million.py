"""Peak memory of a whole ``planner plan`` run with a million hotspots on the Andorra extract
(e-bike, its 4 stations, its 295 host venues as candidates, 5 new sites), against references
measured in the same run: the bare network load, and the same run with a tenth of the
hotspots. Each run is a child process; its peak resident memory is the kernel's
(``os.wait4``). Then a file of 6.6 million hotspots against the default memory limit: it must
be refused at once, with exit status 2 and one ``error:`` line.

    python benchmarks/bench_million.py                     # 1,000,000 and 100,000 hotspots
    python benchmarks/bench_million.py --hotspots 300000   # a shorter run

Hotspots are seeded: road nodes of the extract drawn at random, each moved by about 50 m
(normal, σ 0.0005° × 0.0004°), weights 1..19. Skips with a message where the extract is
absent. Target: the million-hotspot run peaks under 4 GiB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
ANDORRA = ROOT.parent / "shared" / "data" / "andorra_2020-04.osm.pbf"
STATIONS = ROOT / "data" / "andorra_stations.csv"
TARGET_GIB = 4.0
GIB = 2**30


def hotspots_file(n: int, path: Path, *, seed: int = 0) -> Path:
    """``n`` seeded hotspots near the extract's roads, as a CSV (lon, lat, weight)."""
    from planner.core.crs import WGS84
    from planner.inputs import network

    net = network.load(ANDORRA, mode="ebike")
    nodes = net.nodes.to_crs(WGS84)
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(nodes), n)
    lon = nodes.geometry.x.to_numpy()[pick] + rng.normal(0, 0.0005, n)
    lat = nodes.geometry.y.to_numpy()[pick] + rng.normal(0, 0.0004, n)
    weight = rng.integers(1, 20, n)
    pd.DataFrame({"lon": lon.round(6), "lat": lat.round(6), "weight": weight}).to_csv(
        path, index=False
    )
    return path


def child(args: list[str]) -> tuple[int, float, float, list[str]]:
    """Run ``python args`` as a child: exit status, peak resident memory (GiB), seconds and
    the lines it wrote to stderr."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PLANNER_MEMORY_GIB", None)  # the default limit, as a planner runs it
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, *args], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace").strip().splitlines()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss * 1024 / GIB  # kilobytes on Linux
    return proc.returncode, peak, time.perf_counter() - t, err


def plan(hotspots: Path, out: Path) -> tuple[int, float, float, list[str]]:
    return child(["-m", "planner.cli", "plan", "--quiet", "--network", str(ANDORRA),
                  "--hotspots", str(hotspots), "--stations", str(STATIONS),
                  "--candidates", "osm", "--add", "5", "--out", str(out)])  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hotspots", type=int, default=1_000_000)
    ap.add_argument("--reference", type=int, default=None, help="default: a tenth")
    args = ap.parse_args()
    if not ANDORRA.exists():
        print(f"skipped: the Andorra extract is not at {ANDORRA} (needs ../shared/data)")
        return 0
    big, small = args.hotspots, args.reference or max(args.hotspots // 10, 1)
    with tempfile.TemporaryDirectory(prefix="bench_million_") as tmp:
        d = Path(tmp)
        code, bare, secs, _ = child(["-c", "from planner.inputs import network; "
                                     f"network.load({str(ANDORRA)!r}, mode='ebike')"])  # fmt: skip
        print(f"{'bare network load':>28}: peak {bare:5.2f} GiB, {secs:6.1f} s")
        peaks = {}
        for n in (small, big):
            code, peak, secs, err = plan(hotspots_file(n, d / f"hs_{n}.csv"), d / f"out_{n}")
            peaks[n] = peak
            files = sum(f.stat().st_size for f in (d / f"out_{n}").glob("*")) / 2**20
            state = "ok" if code == 0 else f"exit {code}: {err[-1] if err else ''}"
            print(f"{f'plan, {n:,} hotspots':>28}: peak {peak:5.2f} GiB, {secs:6.1f} s, "
                  f"outputs {files:,.0f} MB ({state})")  # fmt: skip
            if code != 0:
                return 1
        print(f"peak {big:,} / {small:,} hotspots: {peaks[big] / peaks[small]:.2f} "
              f"(hotspots ×{big / small:g}); over the bare network load: "
              f"{peaks[big] / bare:.2f}")  # fmt: skip
        refused = refusal(d)
    within = peaks[big] < TARGET_GIB
    verdict = "met" if within else "NOT met"
    print(f"peak with {big:,} hotspots {peaks[big]:.2f} GiB "
          f"{'<' if within else '>='} {TARGET_GIB:g} GiB: {verdict}")  # fmt: skip
    return 0 if within and refused else 1


def refusal(d: Path) -> bool:
    """6.6 million hotspots (one row repeated) against the default limit: exit 2, one
    ``error:`` line, at once."""
    many = d / "hs_6600000.csv"
    many.write_bytes(b"lon,lat,weight\n" + b"1.5213,42.5078,1\n" * 6_600_000)
    code, peak, secs, err = plan(many, d / "out_many")
    last = err[-1] if err else ""
    ok = code == 2 and len(err) == 1 and last.startswith("error: ") and "6,600,000 " in last
    print(f"{'plan, 6,600,000 hotspots':>28}: exit {code} in {secs:.1f} s, peak {peak:.2f} GiB: "
          f"{last[:160]}{'…' if len(last) > 160 else ''}")  # fmt: skip
    return ok


if __name__ == "__main__":
    sys.exit(main())
