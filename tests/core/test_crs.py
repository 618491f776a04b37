from __future__ import annotations

import numpy as np
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
