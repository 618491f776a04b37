from __future__ import annotations

import numpy as np
import pytest
import shapely

from planner.analysis import isochrones, travel

from ..conftest import make_network, xy
from .conftest import real_snaps

#: numpy's "invalid value" and "divide by zero" warnings mean a 0 × inf or 0 / 0 somewhere.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

WALK = 4.8 / 3.6
RIDE = 16.0 / 3.6


def nested(inner, outer) -> bool:
    return outer.covers(inner)


def test_polygon_covers_the_reachable_part_of_a_cut_edge():
    nodes = {1: (0, 0), 2: (1000, 0), 3: (2000, 0)}
    net = make_network(nodes, [{"u": 1, "v": 2}, {"u": 2, "v": 3}], mode="walk")
    s = travel.snap(net, xy((0, 0)), np.array(["S"]))
    h = travel.snap(net, xy((10, 0)), np.array(["H"]))
    tt = travel.compute(net, s, h, limit_s=1000 / WALK, keep_node_times=True)
    # 600 m of walking: the polygon reaches x = 600 m (plus the corridor), not further
    polys = isochrones.station_polygons(
        net, tt, s, [600 / WALK, 1000 / WALK], buffer_m=10, resolution_m=2
    )
    p6, p10 = polys.geometry.iloc[0], polys.geometry.iloc[1]
    assert p6.contains(shapely.Point(xy((590, 0))[0]))
    assert not p6.intersects(shapely.Point(xy((620, 0))[0]))
    assert p10.contains(shapely.Point(xy((990, 0))[0]))
    assert nested(p6, p10)


def test_isochrones_nested_and_agree_with_coverage(helsinki_walk):
    net = helsinki_walk
    rng = np.random.default_rng(11)
    minx, miny, maxx, maxy = net.nodes.total_bounds
    pts = np.column_stack([rng.uniform(minx, maxx, 150), rng.uniform(miny, maxy, 150)])
    s = travel.snap(net, pts[:3], np.array(["S0", "S1", "S2"]))
    h = travel.snap(net, pts[3:], np.array([f"H{i}" for i in range(147)]))
    thresholds = [240.0, 360.0, 480.0]
    tt = travel.compute(net, s, h, limit_s=480.0, keep_node_times=True)
    polys = isochrones.station_polygons(net, tt, s, thresholds)
    assert len(polys) == 9
    for sid in ("S0", "S1", "S2"):
        g = polys.loc[polys["station_id"] == sid].sort_values("minutes").geometry.tolist()
        assert nested(g[0], g[1]) and nested(g[1], g[2])
        assert g[0].area < g[2].area
    # every hotspot counted as covered lies inside that station's polygon (on its road)
    sec = tt.seconds.tocoo()
    for i, j, t in zip(sec.row, sec.col, sec.data, strict=True):
        for k, thr in enumerate(thresholds):
            if t <= thr:
                poly = polys.geometry.iloc[3 * i + k]
                assert poly.buffer(1e-6).contains(shapely.Point(h.snapped_xy[j]))
    areas = isochrones.service_areas(polys)
    assert nested(areas.geometry.iloc[0], areas.geometry.iloc[2])


def test_polygons_have_holes_where_nothing_is_reachable():
    # a 1 km square block: the inside of the block is not road, so it is a hole
    nodes = {1: (0, 0), 2: (1000, 0), 3: (1000, 1000), 4: (0, 1000)}
    ways = [{"u": a, "v": b} for a, b in ((1, 2), (2, 3), (3, 4), (4, 1))]
    net = make_network(nodes, ways, mode="walk")
    s = travel.snap(net, xy((0, 0)), np.array(["S"]))
    h = travel.snap(net, xy((500, 0)), np.array(["H"]))
    tt = travel.compute(net, s, h, limit_s=5000 / WALK, keep_node_times=True)
    poly = isochrones.station_polygons(net, tt, s, [5000 / WALK], buffer_m=20, resolution_m=5)
    poly = poly.geometry.iloc[0]
    assert len(poly.interiors) == 1
    assert not poly.contains(shapely.Point(xy((500, 500))[0]))
    # a corridor 2 × 20 m wide, plus one cell for tracing on a 5 m grid
    assert poly.area == pytest.approx(4 * 1000 * (40 + 5), rel=0.03)


def test_station_on_a_node_of_a_one_way_ring():
    """A station on a node of a one-way block: its own segment cannot be ridden backwards,
    so the part of it behind the station is reached only round the block."""
    nodes = {1: (0, 0), 2: (1000, 0), 3: (1000, 1000), 4: (0, 1000)}
    ways = [{"u": a, "v": b, "oneway": "yes"} for a, b in ((1, 2), (2, 3), (3, 4), (4, 1))]
    net = make_network(nodes, ways, mode="ebike")
    s = travel.snap(net, xy((0, 0)), np.array(["S"]))
    h = travel.snap(net, xy((0, 500)), np.array(["H"]))
    tt = travel.compute(net, s, h, limit_s=600 / RIDE, keep_node_times=True)
    poly = isochrones.station_polygons(net, tt, s, [600 / RIDE], buffer_m=10, resolution_m=2)
    poly = poly.geometry.iloc[0]
    assert poly.contains(shapely.Point(xy((0, 590))[0]))  # riding down 4 -> 1 to the station
    assert not poly.intersects(shapely.Point(xy((500, 0))[0]))  # 1 -> 2 leads away from it


def test_polygons_on_a_real_extract(real_ebike):
    """Nested polygons on a real network, without numpy warnings (module mark)."""
    net = real_ebike
    _, h = real_snaps(net)
    nodes = np.random.default_rng(3).choice(net.n_nodes, size=4, replace=False)
    at_nodes = shapely.get_coordinates(net.nodes.geometry.values[nodes])
    s = travel.snap(net, at_nodes, np.array(["S0", "S1", "S2", "S3"]))
    tt = travel.compute(net, s, h, limit_s=600.0, keep_node_times=True)
    polys = isochrones.station_polygons(net, tt, s, [300.0, 600.0])
    for sid in s.ids:
        small, large = polys.loc[polys["station_id"] == sid].sort_values("minutes").geometry
        assert not small.is_empty and nested(small, large)
    areas = isochrones.service_areas(polys)
    assert nested(areas.geometry.iloc[0], areas.geometry.iloc[1])


@pytest.mark.parametrize(
    ("buffer_m", "resolution_m"), [(40.0, 10.0), (25.0, 10.0), (40.0, 7.0), (15.0, 10.0),
                                   (0.0, 10.0), (5.0, 10.0), (33.3, 4.1)]
)  # fmt: skip
def test_the_widened_cells_are_those_a_distance_transform_finds(buffer_m, resolution_m):
    """Every cell whose centre lies within the buffer of a hit cell's centre, no other: the
    same cells as a Euclidean distance transform (the disk as separable maximum filters)."""
    from scipy import ndimage

    rng = np.random.default_rng(7)
    pad = int(np.ceil(buffer_m / resolution_m)) + 2
    hit = np.zeros((60 + 2 * pad, 80 + 2 * pad), dtype=bool)
    rows, cols = rng.integers(0, 60, 150) + pad, rng.integers(0, 80, 150) + pad
    hit[rows, cols] = True
    hit[pad + 30, pad : pad + 80] = True  # a road across
    expected = ndimage.distance_transform_edt(~hit, sampling=resolution_m) <= buffer_m
    got = isochrones._widened(hit, buffer_m, resolution_m)
    assert got.dtype == bool and got.shape == hit.shape
    np.testing.assert_array_equal(got, expected)


def test_widened_levels_are_each_level_widened_alone():
    """One dilation of the levels gives, for every level v, the cells that widening the
    cells of level v or more alone gives: all thresholds from one pass."""
    rng = np.random.default_rng(11)
    levels = np.zeros((70, 90), dtype=np.uint8)
    levels[rng.integers(8, 62, 300), rng.integers(8, 82, 300)] = rng.integers(1, 4, 300)
    got = isochrones._widened(levels, 40.0, 10.0)
    assert got.dtype == np.uint8
    for v in (1, 2, 3):
        np.testing.assert_array_equal(got >= v, isochrones._widened(levels >= v, 40.0, 10.0))
