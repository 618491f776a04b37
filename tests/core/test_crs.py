from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.core import crs
from planner.core.errors import ConfigError


def _metres(lon1, lat1, lon2, lat2):
    from pyproj import Geod

    return Geod(ellps="WGS84").inv(lon1, lat1, lon2, lat2)[2]


@settings(max_examples=200, deadline=None)
@given(st.floats(73.7, 134.9), st.floats(18.0, 53.5))
def test_gcj02_and_bd09_round_trip_under_half_a_metre(lon, lat):
    glon, glat = crs.wgs84_to_gcj02(np.array([lon]), np.array([lat]))
    back = crs.to_wgs84(glon, glat, "gcj02")
    assert _metres(lon, lat, back[0][0], back[1][0]) < 0.5
    blon, blat = crs.gcj02_to_bd09(glon, glat)
    back = crs.to_wgs84(blon, blat, "bd09")
    assert _metres(lon, lat, back[0][0], back[1][0]) < 0.5


def test_known_gcj02_offset_in_beijing():
    # Tiananmen: WGS-84 to GCJ-02 moves points by a few hundred metres
    glon, glat = crs.wgs84_to_gcj02(np.array([116.391275]), np.array([39.907320]))
    d = _metres(116.391275, 39.907320, glon[0], glat[0])
    assert 100 < d < 700


def test_outside_china_is_unchanged_and_epsg_works():
    lon, lat = crs.wgs84_to_gcj02(np.array([1.52]), np.array([42.5]))
    assert lon[0] == 1.52 and lat[0] == 42.5
    x, y = crs.to_wgs84(np.array([500000.0]), np.array([4700000.0]), "EPSG:32631")
    assert x[0] == pytest.approx(3.0, abs=1e-6)


def test_unknown_crs_is_a_clear_error():
    with pytest.raises(ConfigError, match="^crs: unknown coordinate system"):
        crs.normalize_crs("marsgrid")


@pytest.mark.parametrize(
    ("declared", "expected"),
    [("EPSG:4490", "EPSG:4490"), ("urn:ogc:def:crs:EPSG::4490", "EPSG:4490"),
     ("urn:ogc:def:crs:OGC:1.3:CRS84", "wgs84"), ("EPSG:4326", "wgs84"),
     ("urn:planner:crs:gcj02", "gcj02"), ("urn:planner:crs:bd09", "bd09"), ("GCJ-02", "gcj02"),
     ("EPSG:4547", "EPSG:4547")],
)  # fmt: skip
def test_declared_systems_are_normalised(declared, expected):
    assert crs.declared_name(declared) == expected


def test_column_names_state_their_system():
    assert crs.column_system("lon_wgs84") == ("lon", "wgs84")
    assert crs.column_system("Latitude (WGS-84)") == ("latitude", "wgs84")
    assert crs.column_system("经度_gcj02") == ("经度", "gcj02")
    assert crs.column_system("lon") is None and crs.column_system("wgs84") is None
    pairs = crs.declared_pairs(["id", "lng_bd09", "lat_bd09", "lon_wgs84"], ("lon", "lng"),
                               ("lat",))  # fmt: skip
    assert pairs == {"bd09": ("lng_bd09", "lat_bd09")}  # lon_wgs84 has no latitude
    frame = crs.declare_columns(pd.DataFrame({"lon": [1.0], "lat": [2.0], "weight": [3]}))
    assert list(frame) == ["lon_wgs84", "lat_wgs84", "weight"]


def test_precedence_flag_then_declaration_then_default_then_wgs84():
    assert crs.resolve("gcj02", "wgs84", "bd09") == crs.Reading("gcj02", "flag", "wgs84")
    assert crs.resolve(None, "wgs84", "gcj02").origin == "declared"
    assert crs.resolve(None, "wgs84", "gcj02").crs == "wgs84"
    assert crs.resolve(None, None, "Amap") == crs.Reading("gcj02", "default")
    over = crs.resolve("gcj02", "wgs84", None, how="its CRS").stated()
    assert over == "gcj02, given for this input over the file's wgs84 (its CRS)"
    assumed = crs.resolve(None, None, None)
    assert assumed == crs.Reading("wgs84", "assumed") and not assumed.given


def test_geojson_declarations():
    legacy = {"type": "FeatureCollection", "features": [],
              "crs": {"type": "name", "properties": {"name": "EPSG:4490"}}}  # fmt: skip
    assert crs.geojson_declaration(legacy) == "EPSG:4490"
    assert crs.geojson_declaration({"type": "FeatureCollection", "coordinate_system": "gcj02"})
    assert crs.geojson_declaration({"type": "FeatureCollection", "features": []}) is None
    with pytest.raises(ConfigError, match="marsgrid"):
        crs.geojson_declaration({"crs": {"type": "name", "properties": {"name": "marsgrid"}}})


def test_gcj02_applies_in_china_only():
    inside = crs.in_china(
        np.array([114.2, 121.47, 1.52, 24.94]), np.array([22.7, 31.2, 42.5, 60.17])
    )
    assert inside.tolist() == [True, True, False, False]  # Longgang, Shanghai; Andorra, Helsinki
