"""Shapes computed once for display (circles and both states' service areas, still nested;
the roads, stored with the cached network), and the column-wise GeoJSON features, which
are geopandas' own."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.inputs import network_cache
from planner.outputs import display, geojson

UTM = "EPSG:32631"


def _ragged(x: float, y: float, r: float, rng: np.random.Generator) -> shapely.Polygon:
    a = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    rr = r * (1 + 0.01 * rng.standard_normal(len(a)))
    return shapely.Polygon(np.column_stack([x + rr * np.cos(a), y + rr * np.sin(a)]))


def _circles(rng: np.random.Generator) -> gpd.GeoDataFrame:
    """Two stations and one suggested site, three nested circles each (UTM metres)."""
    rows = []
    for sid, kind, (x, y) in (("S1", "existing", (430_000, 4_700_000)),
                              ("S2", "existing", (433_000, 4_700_500)),
                              ("N1", "suggested", (431_500, 4_703_000))):  # fmt: skip
        outer = _ragged(x, y, 1500, rng)
        middle = shapely.intersection(_ragged(x, y, 1000, rng), outer)
        inner = shapely.intersection(_ragged(x, y, 600, rng), middle)
        for minutes, g in zip((8.0, 10.0, 15.0), (inner, middle, outer), strict=True):
            rows.append({"station_id": sid, "kind": kind, "minutes": minutes, "geometry": g})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=UTM)


def _areas(iso: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    existing = iso.loc[iso["kind"] == "existing"]
    return gpd.GeoDataFrame(
        {"minutes": [8.0, 10.0, 15.0]},
        geometry=[
            shapely.union_all(existing.loc[existing["minutes"] == m].geometry.values)
            for m in (8.0, 10.0, 15.0)
        ],  # fmt: skip
        crs=UTM,
    )


def _vertices(geoms) -> int:
    return int(sum(shapely.get_num_coordinates(g) for g in geoms if g is not None))


def test_display_shapes_are_simplified_nested_and_the_new_state_holds_today():
    iso = _circles(np.random.default_rng(3)).to_crs("EPSG:4326")
    areas = _areas(_circles(np.random.default_rng(3))).to_crs("EPSG:4326")
    got = display.simplified(iso, areas, (8.0, 10.0, 15.0), metric=UTM, tolerance_m=50.0)
    assert [(sid, kind) for sid, kind, _ in got.circles] == [
        ("S1", "existing"),
        ("S2", "existing"),
        ("N1", "suggested"),
    ]
    assert _vertices(g for _, _, gs in got.circles for g in gs) < _vertices(iso.geometry) / 3
    assert _vertices(got.today) < _vertices(areas.geometry) / 3
    eps = 1e-7  # degrees (about 1 cm): reprojected edges bend a little
    for shapes in [gs for _, _, gs in got.circles] + [got.today, got.with_new]:
        for small, large in zip(shapes[:-1], shapes[1:], strict=True):
            assert large.buffer(eps).covers(small)
    for today, new in zip(got.today, got.with_new, strict=True):
        assert new.buffer(eps).covers(today) and new.area > today.area * 1.2
    new_site = got.circles[2][2]
    for k in range(3):  # the suggested site's circle is inside "with the suggested sites"
        assert got.with_new[k].buffer(eps).covers(new_site[k])
        assert not got.today[k].buffer(eps).covers(new_site[k])


def test_a_frame_built_from_the_network_is_stored_with_its_cache_entry(tmp_path):
    calls = []

    def build() -> gpd.GeoDataFrame:
        calls.append(1)
        line = shapely.LineString([(1.123456789012345, 42.5), (1.2, 42.600000000000001)])
        return gpd.GeoDataFrame(geometry=[line], crs="EPSG:4326")

    entry = tmp_path / "entry"
    entry.mkdir()
    first = network_cache.derived(entry, "roads-v1-tol5", build)
    again = network_cache.derived(entry, "roads-v1-tol5", build)
    assert len(calls) == 1 and (entry / "derived" / "roads-v1-tol5.parquet").is_file()
    assert shapely.equals_exact(first.geometry.values, again.geometry.values, 0).all()
    assert again.crs == first.crs
    network_cache.derived(None, "roads-v1-tol5", build)  # an uncached network: built
    assert len(calls) == 2
    (entry / "derived" / "roads-v1-tol5.parquet").write_bytes(b"damaged")
    network_cache.derived(entry, "roads-v1-tol5", build)  # rebuilt and stored again
    assert len(calls) == 3 and len(network_cache.derived(entry, "roads-v1-tol5", build)) == 1
    with pytest.raises(ValueError, match="derived frame name"):
        network_cache.derived(entry, "../escape", build)


def test_geojson_features_are_geopandas_features():
    frame = gpd.GeoDataFrame(
        {
            "id": pd.array(["a", None, "c<&>", "日本", "e", "f", "g"], dtype="string"),
            "n": [1, 2, 3, 4, 5, 6, 7],
            "x": [0.1, np.nan, 1e-7, 2.0, -3.5, 1e300, 0.0],
            "flag": [True, False, True, True, False, True, False],
            "count": pd.array([1, None, 3, 4, 5, 6, 7], dtype="Int64"),
            "text": ["p", None, "q", "r", np.nan, "s", "t"],
        },
        geometry=[
            shapely.Point(1.123456789012345, 42.1), None, shapely.Point(),
            shapely.Polygon([(0, 0), (1, 0), (1, 1)], [[(0.2, 0.1), (0.8, 0.1), (0.8, 0.7)]]),
            shapely.Point(1.0, 2.0, 3.0),
            shapely.MultiPolygon([shapely.box(0, 0, 1, 1), shapely.box(0.1, 2.3, 3.7, 4.9)]),
            shapely.LineString([(0, 0), (1.5, 2.25)]),
        ],
        crs="EPSG:4326",
    )  # fmt: skip
    want = frame.to_geo_dict(na="null", show_bbox=False, drop_id=True)["features"]
    got = geojson.features(frame)
    assert json.dumps(got, ensure_ascii=False) == json.dumps(want, ensure_ascii=False)
    bare = frame[["geometry"]]
    assert json.dumps(geojson.features(bare)) == json.dumps(
        bare.to_geo_dict(na="null", show_bbox=False, drop_id=True)["features"]
    )
