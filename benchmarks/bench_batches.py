"""Dijkstra batches sized by what they hold: peak memory and time of the travel-time matrix
with far more hotspots than road nodes, the batch sized by the nodes only (the old rule) and
by what a batch holds (``travel.batch_size_for``), measured in the same run.

    python benchmarks/bench_batches.py [--hotspots 300000] [--sources 60]

The embedded Helsinki extract (walking, about 5,300 nodes); random hotspots over its
bounding box (seeded). Prints the peak traced memory (tracemalloc) and the ratio.
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from planner.analysis import travel
from planner.app import demo_source
from planner.inputs import network


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--hotspots", type=int, default=300_000)
    ap.add_argument("--sources", type=int, default=60)
    args = ap.parse_args()
    net = network.load(demo_source(), mode="walk")
    rng = np.random.default_rng(0)
    minx, miny, maxx, maxy = net.nodes.total_bounds

    def points(k: int) -> np.ndarray:
        return np.column_stack([rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)])

    src = travel.snap(net, points(args.sources), np.array([f"S{i}" for i in range(args.sources)]))
    tgt = travel.snap(net, points(args.hotspots), np.array([f"H{i}" for i in range(args.hotspots)]))
    n = net.n_nodes + args.sources
    rules = {
        "by nodes only (old)": max(1, min(512, travel.BATCH_BYTES // (8 * n))),
        "by what a batch holds": travel.batch_size_for(n, args.hotspots),
    }
    peaks = {}
    for label, size in rules.items():
        tracemalloc.start()
        t = time.perf_counter()
        tt = travel.compute(net, src, tgt, limit_s=900.0, batch_size=size)
        peaks[label] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(f"{label:>24}: {size:4d} sources per batch, peak {peaks[label]:7.0f} MB, "
              f"{time.perf_counter() - t:5.1f} s, {tt.seconds.nnz:,} pairs kept")  # fmt: skip
    old, new = peaks.values()
    print(f"peak memory new/old: {new / old:.2f} (the pairs kept are the floor of both)")


if __name__ == "__main__":
    main()
