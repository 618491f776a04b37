"""The classic mistake: points that fit the roads clearly better in another coordinate
system, on the real network of central Longgang (Shenzhen), and never outside China."""

from __future__ import annotations

import numpy as np

from planner.analysis import crs_check
from planner.core import crs

from ..conftest import roadside_points


def _lonlat(frame):
    return frame["lon"].to_numpy(), frame["lat"].to_numpy()


def test_gcj02_and_bd09_read_as_wgs84_are_found_on_longgang(longgang_ebike):
    roads = crs_check.Roads(longgang_ebike)
    lon, lat = _lonlat(roadside_points(longgang_ebike, 40, seed=1))
    assert crs_check.check(roads, lon, lat, "wgs84") is None  # read right
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    found = crs_check.check(roads, glon, glat, "wgs84")  # GCJ-02 numbers taken as WGS-84
    assert found is not None and (found.read_as, found.likely, found.points) == (
        "wgs84",
        "gcj02",
        40,
    )
    assert found.likely_median_m < 8 and found.median_m > crs_check.RATIO * found.likely_median_m
    blon, blat = crs.gcj02_to_bd09(glon, glat)
    assert crs_check.check(roads, blon, blat, "wgs84").likely == "bd09"
    assert "read as GCJ-02 (Amap, Tencent), " in found.figures()


def test_the_reverse_mistake_wgs84_read_as_gcj02(longgang_ebike):
    lon, lat = _lonlat(roadside_points(longgang_ebike, 40, seed=2))
    # WGS-84 numbers taken as GCJ-02: the reader moved them by the inverse transform
    wlon, wlat = crs.gcj02_to_wgs84(lon, lat)
    found = crs_check.check(longgang_ebike, wlon, wlat, "gcj02")
    assert found is not None and (found.read_as, found.likely) == ("gcj02", "wgs84")
    assert crs_check.check(longgang_ebike, lon, lat, "gcj02") is None  # GCJ-02 read right


def test_points_far_from_every_road_give_no_finding(longgang_ebike):
    # places 200-400 m off the roads: the shift cannot bring them clearly closer
    lon, lat = _lonlat(roadside_points(longgang_ebike, 40, offset_m=300.0, seed=3))
    assert crs_check.check(longgang_ebike, *crs.wgs84_to_gcj02(lon, lat), "wgs84") is None


def test_outside_china_nothing_is_found(helsinki_walk):
    lon, lat = _lonlat(roadside_points(helsinki_walk, 40, seed=4))
    # BD-09's offset applies everywhere, but there is no BD-09 data outside China
    blon, blat = crs.gcj02_to_bd09(lon, lat)
    for system in ("wgs84", "gcj02", "bd09"):
        assert crs_check.check(helsinki_walk, lon, lat, system) is None
        assert crs_check.check(helsinki_walk, blon, blat, system) is None


def test_projected_systems_are_not_checked(longgang_ebike):
    lon, lat = _lonlat(roadside_points(longgang_ebike, 10, seed=5))
    glon, glat = crs.wgs84_to_gcj02(lon, lat)
    assert crs_check.check(longgang_ebike, glon, glat, "EPSG:4547") is None
    assert crs_check.check(longgang_ebike, glon, glat, "EPSG:4490") is not None  # lon/lat
    assert crs_check.check(longgang_ebike, np.array([]), np.array([]), "wgs84") is None
