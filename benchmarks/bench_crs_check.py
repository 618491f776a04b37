"""How well the check for points in the wrong coordinate system tells right from wrong, on
the real network of central Longgang, Shenzhen (``../shared/data``).

    python benchmarks/bench_crs_check.py            # 400 draws per case
    python benchmarks/bench_crs_check.py --quick    # 100 draws

Places beside the roads (points on random segments, moved ``offset`` metres away) are
drawn ``n`` at a time. For each draw the rule of :func:`planner.analysis.crs_check.check`
(another reading's median distance to the road at most 1/RATIO of the median as read and at
least MIN_GAIN_M smaller) is applied twice: to the places read right (a flag there is a false
alarm) and to their GCJ-02 numbers read as WGS-84 (a flag there is the mistake found). The
reference is the same rule on the same draws, so the two rates are comparable.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import shapely

from planner.analysis import crs_check
from planner.core import crs
from planner.inputs import network as network_mod

LONGGANG = (
    Path(__file__).resolve().parents[1].parent / "shared" / "data" / "shenzhen_longgang_2019.osm"
)


def places(net: network_mod.Network, n: int, offset_m: float, seed: int) -> np.ndarray:
    """``n`` WGS-84 lon/lat points ``offset_m`` away (in a random direction) from random
    spots on the segments: some stay that far from every road, some come closer to it or
    to another road."""
    import geopandas as gpd

    rng = np.random.default_rng(seed)
    seg = net.segments.geometry.values[rng.integers(0, len(net.segments), n)]
    on = shapely.line_interpolate_point(seg, rng.uniform(0.1, 0.9, n), normalized=True)
    angle = rng.uniform(0, 2 * np.pi, n)
    xy = shapely.get_coordinates(on) + offset_m * np.column_stack([np.cos(angle), np.sin(angle)])
    pts = gpd.GeoSeries(shapely.points(xy), crs=net.crs).to_crs(4326)
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def flagged(read: np.ndarray, alternatives: list[np.ndarray]) -> bool:
    median = float(np.median(read))
    best = min(float(np.median(a)) for a in alternatives)
    return best * crs_check.RATIO <= median and median - best >= crs_check.MIN_GAIN_M


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 draws per case")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if not LONGGANG.exists():
        raise SystemExit(f"needs the Longgang extract at {LONGGANG}")
    net = network_mod.load(LONGGANG, mode="ebike")
    roads = crs_check.Roads(net)
    draws = 100 if args.quick else 400
    print("| places moved | median as read right | GCJ-02 read as WGS-84 | n | false alarms | "
          "mistakes found |\n| --- | --- | --- | --- | --- | --- |")  # fmt: skip
    for offset in (5.0, 15.0, 30.0, 60.0):
        lon, lat = places(net, 3000, offset, seed=1).T
        right = roads.distance_m(lon, lat)
        alt_right = [
            roads.distance_m(*crs.gcj02_to_wgs84(lon, lat)),
            roads.distance_m(*crs.gcj02_to_wgs84(*crs.bd09_to_gcj02(lon, lat))),
        ]
        glon, glat = crs.wgs84_to_gcj02(lon, lat)
        wrong = roads.distance_m(glon, glat)
        alt_wrong = [right, roads.distance_m(*crs.gcj02_to_wgs84(*crs.bd09_to_gcj02(glon, glat)))]
        rng = np.random.default_rng(0)
        for n in (5, 10, 30):
            alarms = found = 0
            for _ in range(draws):
                i = rng.choice(len(lon), n, replace=False)
                alarms += flagged(right[i], [a[i] for a in alt_right])
                found += flagged(wrong[i], [a[i] for a in alt_wrong])
            print(f"| {offset:g} m | {np.median(right):.1f} m | {np.median(wrong):.1f} m | {n} | "
                  f"{alarms / draws:.1%} | {found / draws:.1%} |")  # fmt: skip


if __name__ == "__main__":
    main()
