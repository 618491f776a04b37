"""The map's packing: varints, zig-zag deltas, shapes, nested simplification, the roads
kept on a large network."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from hypothesis import given
from hypothesis import strategies as st

from planner.outputs import map_data

from .test_map import unvarint


@given(st.lists(st.integers(min_value=0, max_value=2**40), max_size=50))
def test_varints_round_trip(values):
    assert unvarint(map_data.varint(np.array(values, dtype=np.uint64))) == values


def test_varints_at_the_width_boundaries():
    values = [0, 127, 128, 2**28 - 1, 2**28, 2**31 + 5, 2**32 - 1, 2**32, 2**63 + 1]
    for chunk in (values[:7], values):  # 32-bit and 64-bit paths
        assert unvarint(map_data.varint(np.array(chunk, dtype=np.uint64))) == chunk


@given(st.lists(st.integers(min_value=-(2**30), max_value=2**30), max_size=50))
def test_zigzag_is_a_bijection_onto_the_naturals(values):
    z = map_data.zigzag(np.array(values, dtype=np.int64)).astype(np.int64)
    back = np.where(z % 2 == 1, -(z + 1) // 2, z // 2)
    assert back.tolist() == values and (z >= 0).all()


def decode_shapes(streams: dict[str, bytes]) -> list[list[list[np.ndarray]]]:
    sp, pr, rp = (iter(unvarint(streams[k])) for k in ("sp", "pr", "rp"))
    xy = iter(unvarint(streams["xy"]))
    last, out = np.zeros(2, dtype=np.int64), []
    for n_parts in sp:
        parts = []
        for _ in range(n_parts):
            rings = []
            for _ in range(next(pr)):
                pts = []
                for _ in range(next(rp)):
                    d = [-(z + 1) // 2 if z % 2 else z // 2 for z in (next(xy), next(xy))]
                    last = last + np.array(d)
                    pts.append(last.copy())
                rings.append(np.array(pts))
            parts.append(rings)
        out.append(parts)
    return out


def test_shapes_round_trip_with_holes_parts_and_empties():
    square = shapely.Polygon(
        [(24.9, 60.1), (24.95, 60.1), (24.95, 60.15), (24.9, 60.15)],
        holes=[[(24.91, 60.11), (24.92, 60.11), (24.92, 60.12)]],
    )
    multi = shapely.MultiPolygon([square, shapely.box(25.0, 60.0, 25.01, 60.01)])
    line = shapely.LineString([(24.9, 60.1), (24.900001, 60.1), (24.93, 60.13)])
    shapes = decode_shapes(map_data.shapes_stream([multi, shapely.Polygon(), line]))
    assert [len(s) for s in shapes] == [2, 0, 1]
    outer, hole = shapes[0][0]
    assert np.array_equal(outer[:4], [[2490000, 6010000], [2495000, 6010000],
                                      [2495000, 6015000], [2490000, 6015000]])  # fmt: skip
    assert len(hole) == 4  # closed ring
    assert len(shapes[2][0][0]) == 2  # the point that rounds onto its neighbour is dropped


def test_nested_polygons_stay_nested_after_simplifying():
    rng = np.random.default_rng(3)
    a = np.linspace(0, 2 * np.pi, 400, endpoint=False)

    def ragged(r: float) -> shapely.Polygon:
        rr = r * (1 + 0.05 * rng.standard_normal(len(a)))
        return shapely.Polygon(np.column_stack([rr * np.cos(a), rr * np.sin(a)]))

    outer = ragged(1000)
    middle = shapely.intersection(ragged(800), outer)
    inner = shapely.intersection(middle, shapely.box(-2000, -2000, 300, 2000))  # shares an edge
    out = map_data.nested_simplify([inner, middle, outer], 25.0)
    assert all(shapely.get_num_coordinates(s) < shapely.get_num_coordinates(g)
               for s, g in zip(out, (inner, middle, outer), strict=True))  # fmt: skip
    assert out[1].buffer(1e-6).covers(out[0]) and out[2].buffer(1e-6).covers(out[1])
    assert not shapely.simplify(middle, 25.0).buffer(1e-6).covers(shapely.simplify(inner, 25.0))


def test_a_large_network_keeps_its_main_roads_within_the_budget():
    lines, classes = [], []
    for i in range(60):
        cls = "primary" if i % 10 == 0 else "residential"
        for j in range(60):
            lines.append(shapely.LineString([(j * 100, i * 100), ((j + 1) * 100, i * 100)]))
            classes.append(cls)
    seg = gpd.GeoDataFrame({"highway": classes}, geometry=lines, crs="EPSG:32635")
    every = map_data.road_lines(seg, 5.0)
    assert len(every) == 60  # merged: one line per street
    main = map_data.road_lines(seg, 5.0, budget=1000)
    assert len(main) == 6 and shapely.get_num_coordinates(main.geometry.values).sum() <= 1000
    assert len(map_data.road_lines(seg, 5.0, budget=1)) == 6  # at least the main class


def test_display_tolerance_grows_with_the_extent_within_bounds():
    assert map_data.display_tolerance_m((0, 0, 100, 100)) == 2.0
    assert map_data.display_tolerance_m((0, 0, 60_000, 80_000)) == 50.0
    assert map_data.display_tolerance_m((0, 0, 30_000, 40_000)) == 25.0
    assert map_data.display_tolerance_m((0, 0, 1e6, 1e6)) == 50.0
