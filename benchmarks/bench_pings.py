"""Rider pings at real volume: ``planner hotspots`` with its defaults on 300,000 seeded pings,
against the old clustering, each in its own child process (peak RSS from ``wait4``, wall
time), in the same run.

    python benchmarks/bench_pings.py [--pings 300000] [--reference-pings 50000]
                                     [--network FILE.osm.pbf]

The pings come from :mod:`planner.synthetic.pings`: riders waiting at 40 centres of a
6 km square district, riding between them at 14-20 km/h (straight lines; along the roads of
``--network`` when given), one ping every 15 s, lone pick-ups on 15% of the rides.

The reference is the old call: DBSCAN (scikit-learn, haversine ball tree) with eps 150 m and
5 points on every ping, isolated points dropped. At 300,000 pings it needed about 12 GB, so
it runs on a seeded subsample of ``--reference-pings`` pings, and the new command runs on
the same subsample for a like-for-like ratio. Targets (checked on the full set): under 60 s
and under 2 GiB peak. For scale, the full set is also read as order pick-ups (lon/lat only:
every ping a stop, nothing moving), the heaviest case of the grouping.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

TARGET_S = 60.0
TARGET_BYTES = 2 * 2**30


def _old(points: str) -> dict[str, float]:
    """The old algorithm on every ping: DBSCAN eps 150 m, 5 points; noise left out."""
    from sklearn.cluster import DBSCAN

    from planner.inputs.points import read_point_table

    df = read_point_table(points, role="rider points", id_prefix="P")
    xy = np.radians(df[["lat", "lon"]].to_numpy(dtype=float))
    labels = DBSCAN(
        eps=150.0 / 6_371_008.8, min_samples=5, metric="haversine", algorithm="ball_tree"
    ).fit_predict(xy)
    kept = labels[labels >= 0]
    sizes = np.bincount(kept) if kept.size else np.array([0])
    return {
        "hotspots": float(len(sizes)),
        "largest share": float(sizes.max() / max(len(kept), 1)),
        "left out": float((labels < 0).sum()),
        "largest diameter m": _diameter(df, labels, int(np.argmax(sizes))),
    }


def _diameter(df: pd.DataFrame, labels: np.ndarray, group: int) -> float:
    """Widest distance (m) between two points of ``group``, from its convex hull."""
    import geopandas as gpd
    import shapely
    from scipy.spatial.distance import pdist

    from planner.core.crs import projected_crs_for

    members = df.loc[labels == group]
    if len(members) < 2:
        return 0.0
    pts = gpd.GeoSeries(gpd.points_from_xy(members["lon"], members["lat"]), crs="EPSG:4326")
    pts = pts.to_crs(projected_crs_for(members["lon"], members["lat"]))
    ring = shapely.get_coordinates(shapely.convex_hull(shapely.multipoints(pts.values)))
    return float(pdist(ring).max())


def _new(points: str, out: str) -> dict[str, float]:
    """``planner hotspots --points FILE --out OUT`` with its defaults, as the CLI runs it."""
    from click.testing import CliRunner

    from planner.cli import main

    res = CliRunner().invoke(main, ["hotspots", "--points", points, "--out", out, "-q"])
    if res.exit_code:
        raise SystemExit(res.output)
    found = pd.read_csv(out)
    return {
        "hotspots": float(len(found)),
        "largest share": float(found["points"].max() / found["points"].sum()),
        "left out": 0.0,
        "largest diameter m": float(found["diameter_m"].max()),
    }


def _child(kind: str, points: str, out: str) -> None:
    """Run one side and print its figures (JSON) with its wall time."""
    t = time.perf_counter()
    figures = _old(points) if kind == "old" else _new(points, out)
    figures["seconds"] = time.perf_counter() - t
    print(json.dumps(figures))


def _measure(kind: str, points: Path, tmp: Path) -> dict[str, float]:
    """Run ``kind`` in a child process; its figures, wall time and peak RSS (bytes)."""
    cmd = [sys.executable, __file__, "--child", kind, str(points), str(tmp / f"{kind}.csv")]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=os.environ.copy())
    assert proc.stdout is not None
    text = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"{kind} failed: {text.decode()}")
    figures: dict[str, float] = json.loads(text.decode().strip().splitlines()[-1])
    figures["wall s"] = time.perf_counter() - t
    figures["peak bytes"] = usage.ru_maxrss * 1024.0  # Linux reports KiB
    figures["cpu s"] = usage.ru_utime + usage.ru_stime  # the machine may be shared
    return figures


def _pings(n: int, network: str | None, path: Path) -> int:
    from planner.inputs.network import load
    from planner.synthetic.pings import PingPlan, generate_pings

    plan = PingPlan(riders=math.ceil(n / 400), centres=40, extent_m=6000.0, seed=2026)
    made = generate_pings(plan, network=load(network) if network else None).pings
    made.head(n).to_csv(path, index=False)
    return min(n, len(made))


def _line(label: str, f: dict[str, float]) -> str:
    return (
        f"{label:>26}: {f['wall s']:5.1f} s wall ({f['cpu s']:5.1f} s CPU), "
        f"peak {f['peak bytes'] / 2**20:5.0f} MiB, "
        f"{f['hotspots']:6.0f} hotspots, largest holds {f['largest share']:6.1%} and is "
        f"{f['largest diameter m']:6.0f} m across, {f['left out']:6.0f} pings left out"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pings", type=int, default=300_000)
    ap.add_argument("--reference-pings", type=int, default=50_000)
    ap.add_argument("--network", default=None)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        full, sub, stops = tmp / "pings.csv", tmp / "subsample.csv", tmp / "stops.csv"
        n = _pings(args.pings, args.network, full)
        frame = pd.read_csv(full)
        frame.sample(n=min(args.reference_pings, n), random_state=0).sort_index().to_csv(
            sub, index=False
        )
        frame[["lon", "lat"]].to_csv(stops, index=False)
        new_full = _measure("new", full, tmp)
        new_stops = _measure("new", stops, tmp)
        new_sub = _measure("new", sub, tmp)
        old_sub = _measure("old", sub, tmp)
    k = min(args.reference_pings, n)
    print(f"{n:,} seeded pings; reference (old DBSCAN eps 150 m, 5 points) on {k:,} of them")
    print(_line(f"new, {n:,} pings", new_full))
    print(_line(f"new, {n:,} as stops", new_stops) + " (no rider or time column)")
    print(_line(f"new, {k:,} pings", new_sub))
    print(_line(f"old, {k:,} pings", old_sub))
    print(f"new/old at {k:,} pings: wall time {new_sub['wall s'] / old_sub['wall s']:.2f}, "
          f"CPU time {new_sub['cpu s'] / old_sub['cpu s']:.2f}, "
          f"peak memory {new_sub['peak bytes'] / old_sub['peak bytes']:.2f}")  # fmt: skip
    ok_t, ok_m = new_full["wall s"] < TARGET_S, new_full["peak bytes"] < TARGET_BYTES
    print(f"targets at {n:,} pings: time {new_full['wall s']:.1f} s < {TARGET_S:.0f} s "
          f"{'PASS' if ok_t else 'FAIL'}; peak {new_full['peak bytes'] / 2**30:.2f} GiB < 2 GiB "
          f"{'PASS' if ok_m else 'FAIL'}")  # fmt: skip
    if not (ok_t and ok_m):
        raise SystemExit(1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(*sys.argv[2:5])
    else:
        main()
