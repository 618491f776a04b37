"""Travel-time engine and isochrone benchmark: ratios against references run in the same
process, on the same graph and the same sources.

    python benchmarks/bench_travel.py            # Andorra (if ../shared is there) + grid
    python benchmarks/bench_travel.py --quick    # smaller grid, fewer sources

References:
- raw ``scipy.sparse.csgraph.dijkstra(..., limit=...)`` on the network's reversed adjacency;
- the networkx approach of osmnx's isochrone examples: ``nx.ego_graph(G, node,
  radius=limit, distance="travel_time")`` on the MultiDiGraph.
"""

from __future__ import annotations

import argparse
import gc
import logging
import time
import tracemalloc
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import dijkstra

from planner.analysis import isochrones, travel
from planner.core.modes import get_mode
from planner.inputs import network as network_mod

ANDORRA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "andorra_2020-04.osm.pbf"
LIMIT_S = 900.0


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def grid_network(side: int, spacing_m: float = 80.0, seed: int = 0) -> network_mod.Network:
    """A ``side × side`` street grid (UTM 31N) with 10% one-way streets and mixed classes."""
    rng = np.random.default_rng(seed)
    ids = np.arange(side * side).reshape(side, side)
    x = np.repeat(np.arange(side), side).reshape(side, side) * spacing_m + 400_000.0
    y = np.tile(np.arange(side), side).reshape(side, side) * spacing_m + 4_600_000.0
    u = np.concatenate([ids[:-1, :].ravel(), ids[:, :-1].ravel()])
    v = np.concatenate([ids[1:, :].ravel(), ids[:, 1:].ravel()])
    xs, ys = x.ravel(), y.ravel()
    coords = np.stack([np.column_stack([xs[u], ys[u]]), np.column_stack([xs[v], ys[v]])], axis=1)
    ways = pd.DataFrame({
        "u": u, "v": v,
        "highway": rng.choice(["residential", "tertiary", "secondary"], size=len(u),
                              p=[0.7, 0.2, 0.1]),
        "oneway": np.where(rng.random(len(u)) < 0.1, "yes", "no"),
        "geometry": shapely.linestrings(coords),
    })  # fmt: skip
    nodes = pd.DataFrame({"osmid": ids.ravel(), "x": xs, "y": ys})
    return network_mod.build(
        ways, nodes, mode=get_mode("ebike"), source=f"grid {side}x{side}", crs="EPSG:32631"
    )


def node_points(net: network_mod.Network, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pick = rng.choice(net.n_nodes, size=n, replace=False)
    return pick, shapely.get_coordinates(net.nodes.geometry.values[pick])


def bench_matrix(net, n_sources: int, n_targets: int, nx_sources: int) -> dict[str, float]:
    pick, xy = node_points(net, n_sources, 1)
    _, txy = node_points(net, n_targets, 2)
    src = travel.snap(net, xy, np.array([f"S{i}" for i in range(n_sources)]))
    tgt = travel.snap(net, txy, np.array([f"H{i}" for i in range(n_targets)]))
    ours = best_of(lambda: travel.compute(net, src, tgt, limit_s=LIMIT_S)) / n_sources
    adj = net.adjacency(reverse=True)
    raw = best_of(lambda: dijkstra(adj, directed=True, indices=pick, limit=LIMIT_S)) / n_sources
    g = net.to_networkx()
    t = time.perf_counter()
    for p in pick[:nx_sources]:
        nx.ego_graph(g, int(p), radius=LIMIT_S, distance="travel_time")
    ego = (time.perf_counter() - t) / nx_sources
    tt = travel.compute(net, src, tgt, limit_s=LIMIT_S)
    return {
        "ours_ms": ours * 1e3,
        "scipy_ms": raw * 1e3,
        "ego_ms": ego * 1e3,
        "pairs": tt.seconds.nnz,
    }


def bench_memory(net, counts: list[int], n_targets: int) -> list[dict[str, float]]:
    rows = []
    _, txy = node_points(net, n_targets, 2)
    tgt = travel.snap(net, txy, np.array([f"H{i}" for i in range(n_targets)]))
    for n in counts:
        _, xy = node_points(net, n, 3)
        src = travel.snap(net, xy, np.array([f"S{i}" for i in range(n)]))
        gc.collect()
        tracemalloc.start()
        tt = travel.compute(net, src, tgt, limit_s=LIMIT_S)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(
            {
                "sources": n,
                "peak_mb": peak / 2**20,
                "pairs": tt.seconds.nnz,
                "dense_mb": n * net.n_nodes * 8 / 2**20,
            }
        )
    return rows


def bench_isochrones(net, n_stations: int) -> float:
    _, xy = node_points(net, n_stations, 4)
    src = travel.snap(net, xy, np.array([f"S{i}" for i in range(n_stations)]))
    tt = travel.compute(net, src, src, limit_s=LIMIT_S, keep_node_times=True)
    thresholds = [480.0, 600.0, 900.0]
    secs = best_of(lambda: isochrones.station_polygons(net, tt, src, thresholds), repeat=2)
    return secs / (n_stations * len(thresholds)) * 1e3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller grid and fewer sources")
    ap.add_argument("--grid-side", type=int, default=450, help="grid side (450 → 202,500 nodes)")
    ap.add_argument("--sources", type=int, default=200)
    args = ap.parse_args()
    logging.basicConfig(level=logging.WARNING)
    side = 120 if args.quick else args.grid_side
    n_src = 40 if args.quick else args.sources

    graphs = []
    if ANDORRA.exists():
        graphs.append(("Andorra (OSM, e-bike)", network_mod.load(ANDORRA, mode="ebike")))
    else:
        print(f"(Andorra extract not found at {ANDORRA}; skipped)")
    graphs.append((f"grid {side}×{side}", grid_network(side)))

    print(f"\nTravel-time matrix, limit {LIMIT_S:.0f} s, {n_src} sources, cost per source")
    print(
        f"{'graph':26} {'nodes':>8} {'ours ms':>9} {'scipy ms':>9} {'ours/scipy':>10} "
        f"{'ego_graph ms':>13} {'ego/ours':>9}"
    )
    for name, net in graphs:
        r = bench_matrix(net, n_src, 2000, nx_sources=3)
        print(
            f"{name:26} {net.n_nodes:>8,} {r['ours_ms']:>9.2f} {r['scipy_ms']:>9.2f} "
            f"{r['ours_ms'] / r['scipy_ms']:>10.2f} {r['ego_ms']:>13.1f} "
            f"{r['ego_ms'] / r['ours_ms']:>9.1f}"
        )
    print("targets: ours/scipy <= 1.5, ego/ours >= 30")

    if ANDORRA.exists():
        ms = bench_isochrones(graphs[0][1], 10 if args.quick else 30)
        print(
            f"\nIsochrone polygons on Andorra: {ms:.1f} ms per station-threshold polygon "
            f"(target <= 20 ms)"
        )

    net = graphs[-1][1]
    counts = [25, 100] if args.quick else [50, 400]
    print(f"\nPeak memory of the travel-time matrix on {graphs[-1][0]} (tracemalloc)")
    print(f"{'sources':>8} {'pairs kept':>11} {'peak MB':>9} {'dense sources×nodes MB':>23}")
    rows = bench_memory(net, counts, 2000)
    for r in rows:
        print(f"{r['sources']:>8} {r['pairs']:>11,} {r['peak_mb']:>9.1f} {r['dense_mb']:>23.1f}")
    grow = rows[1]["peak_mb"] / rows[0]["peak_mb"]
    factor = counts[1] // counts[0]
    pairs = rows[1]["pairs"] / max(rows[0]["pairs"], 1)
    print(f"sources ×{factor}: peak memory ×{grow:.2f}, pairs kept ×{pairs:.2f}, dense ×{factor}")


if __name__ == "__main__":
    main()
