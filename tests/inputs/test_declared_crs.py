"""The coordinate system a file declares, against the ones given: columns that state it
(``lon_wgs84``), GeoJSON ``crs`` and ``coordinate_system`` members, GeoPackage and ``.prj``;
precedence: the input's own flag > the declaration > the default for every input > WGS-84."""

from __future__ import annotations

import json
import logging

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from planner.core import crs
from planner.core.crs import COORDINATES_NOTE
from planner.core.errors import InputError
from planner.inputs import areas, demand, sites

from .conftest import csv_file

#: Two places in central Longgang, Shenzhen (WGS-84), where GCJ-02 moves points by ~590 m.
LON = np.array([114.2085, 114.2238])
LAT = np.array([22.6867, 22.6947])
GLON, GLAT = crs.wgs84_to_gcj02(LON, LAT)


def _metres(frame, lon=LON, lat=LAT):
    """Largest distance (m) between the frame's points and ``lon, lat``."""
    return max(
        Geod(ellps="WGS84").inv(lon, lat, frame["lon"].to_numpy(), frame["lat"].to_numpy())[2]
    )


def _rows(lon, lat):
    return "".join(
        f"H{i},{x:.8f},{y:.8f},1\n" for i, (x, y) in enumerate(zip(lon, lat, strict=True))
    )


def test_columns_that_say_wgs84_are_not_shifted_by_the_default(tmp_path, caplog):
    p = csv_file(tmp_path, "id,lon_wgs84,lat_wgs84,weight\n" + _rows(LON, LAT))
    with caplog.at_level(logging.INFO, logger="planner"):
        hs = demand.read_hotspots(p, default_crs="gcj02")
    assert _metres(hs) < 0.01
    assert hs.attrs["crs"] == crs.Reading(
        "wgs84", "declared", "wgs84", "columns lon_wgs84/lat_wgs84"
    )
    assert "declares wgs84 (columns lon_wgs84/lat_wgs84): read as such, not as gcj02" in caplog.text
    plain = csv_file(tmp_path, "id,lon,lat,weight\n" + _rows(GLON, GLAT), name="plain.csv")
    assert _metres(demand.read_hotspots(plain, default_crs="gcj02")) < 0.5  # no declaration


def test_the_inputs_own_flag_overrides_the_columns_with_a_warning(tmp_path, caplog):
    p = csv_file(tmp_path, "id,lon_wgs84,lat_wgs84,weight\n" + _rows(GLON, GLAT))
    with caplog.at_level(logging.WARNING, logger="planner"):
        hs = demand.read_hotspots(p, crs="gcj02", default_crs="wgs84")
    assert _metres(hs) < 0.5 and hs.attrs["crs"].origin == "flag"
    assert "declares wgs84 (columns lon_wgs84/lat_wgs84) but is read as gcj02" in caplog.text


def test_of_several_declared_pairs_the_one_asked_for_else_wgs84(tmp_path):
    text = "id,name,lon_gcj02,lat_gcj02,lon_wgs84,lat_wgs84\n" + "".join(
        f"S{i},s,{g:.8f},{h:.8f},{x:.8f},{y:.8f}\n"
        for i, (g, h, x, y) in enumerate(zip(GLON, GLAT, LON, LAT, strict=True))
    )
    p = csv_file(tmp_path, text)
    for given in (None, "gcj02"):
        st = sites.read_sites(p, crs=given)
        assert _metres(st) < 0.5
        assert st.attrs["crs"].crs == (given or "wgs84")


def test_the_station_list_the_planner_writes_is_read_as_wgs84(tmp_path):
    # recommended_sites.csv: lon/lat WGS-84, stated in its coordinates column
    text = "rank,id,name,lon,lat,lon_gcj02,lat_gcj02,coordinates\n" + "".join(
        f'{i + 1},S{i},s,{x:.8f},{y:.8f},{g:.8f},{h:.8f},"{COORDINATES_NOTE}"\n'
        for i, (x, y, g, h) in enumerate(zip(LON, LAT, GLON, GLAT, strict=True))
    )
    p = csv_file(tmp_path, text)
    assert _metres(sites.read_sites(p, default_crs="gcj02")) < 0.01


def _geojson(path, lon, lat, **members):
    doc = {
        "type": "FeatureCollection",
        **members,
        "features": [
            {"type": "Feature", "properties": {"id": f"S{i}", "name": "s"},
             "geometry": {"type": "Point", "coordinates": [x, y]}}
            for i, (x, y) in enumerate(zip(lon, lat, strict=True))
        ],
    }  # fmt: skip
    path.write_text(json.dumps(doc))
    return path


def _legacy(name):
    return {"crs": {"type": "name", "properties": {"name": name}}}


def test_geojson_declaring_cgcs2000_is_not_shifted_by_the_default(tmp_path):
    p = _geojson(tmp_path / "st.geojson", LON, LAT, **_legacy("urn:ogc:def:crs:EPSG::4490"))
    st = sites.read_sites(p, default_crs="gcj02")
    assert _metres(st) < 0.01 and st.attrs["crs"].crs == "EPSG:4490"


@pytest.mark.parametrize(
    "members", [_legacy("urn:planner:crs:gcj02"), {"coordinate_system": "gcj02"}]
)
def test_geojson_marked_gcj02_is_converted(tmp_path, members):
    st = sites.read_sites(_geojson(tmp_path / "st.geojson", GLON, GLAT, **members))
    assert _metres(st) < 0.5
    assert st.attrs["crs"].origin == "declared" and st.attrs["crs"].given


def test_geojson_declaring_nothing_takes_the_default(tmp_path):
    st = sites.read_sites(_geojson(tmp_path / "st.geojson", GLON, GLAT), default_crs="gcj02")
    assert _metres(st) < 0.5 and st.attrs["crs"].origin == "default"


@pytest.mark.parametrize("epsg", [3857, 4547])  # Web Mercator; CGCS2000 / 3-degree GK CM 114E
def test_projected_geopackage_is_read_in_its_own_crs(tmp_path, epsg):
    p = tmp_path / "st.gpkg"
    pts = gpd.GeoSeries(gpd.points_from_xy(LON, LAT), crs=4326).to_crs(epsg)
    gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=pts).to_file(p)
    st = sites.read_sites(p, default_crs="gcj02")  # the default applies to files without one
    assert _metres(st) < 0.01
    assert st.attrs["crs"] == crs.Reading(f"EPSG:{epsg}", "declared", f"EPSG:{epsg}", "its CRS")


def test_shapefile_without_prj_takes_the_default(tmp_path):
    p = tmp_path / "st.shp"
    pts = gpd.GeoSeries(gpd.points_from_xy(LON, LAT), crs=4326).to_crs(4547)
    gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=pts).to_file(p)
    p.with_suffix(".prj").unlink()
    assert _metres(sites.read_sites(p, default_crs="EPSG:4547")) < 0.01


def test_a_flag_contradicting_a_declared_projection_is_an_error(tmp_path):
    p = tmp_path / "st.gpkg"
    gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=gpd.points_from_xy(LON, LAT), crs=4326).to_file(p)
    with pytest.raises(InputError, match=r"declares wgs84 \(its CRS\), which contradicts "
                                         r"stations_crs EPSG:4547"):  # fmt: skip
        sites.read_sites(p, crs="EPSG:4547")
    # GCJ-02 over a file labelled EPSG:4326 (what GIS tools write for Amap data): the flag wins
    gpd.GeoDataFrame({"id": ["A", "B"]}, geometry=gpd.points_from_xy(GLON, GLAT),
                     crs=4326).to_file(p)  # fmt: skip
    assert _metres(sites.read_sites(p, crs="gcj02")) < 0.5


def test_areas_in_gcj02_and_in_a_projection(tmp_path):
    box = shapely.box(114.20, 22.68, 114.23, 22.70)
    gbox = shapely.transform(
        box, lambda xy: np.column_stack(crs.wgs84_to_gcj02(xy[:, 0], xy[:, 1]))
    )
    p = tmp_path / "streets.geojson"
    gpd.GeoDataFrame({"name": ["龙城街道"]}, geometry=[gbox], crs=4326).to_file(p)
    got = areas.read_areas(p, crs="gcj02")
    assert got.geometry.iloc[0].symmetric_difference(box).area < 1e-9
    assert got.attrs["crs"].origin == "flag"
    q = tmp_path / "streets.gpkg"
    gpd.GeoDataFrame({"name": ["龙城街道"]}, geometry=[box], crs=4326).to_crs(4547).to_file(q)
    got = areas.read_areas(q, default_crs="gcj02")
    assert got.geometry.iloc[0].symmetric_difference(box).area < 1e-9
