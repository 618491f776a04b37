"""inputs.areas: sub-district polygons, their names, and errors that name the file."""

from __future__ import annotations

import geopandas as gpd
import pytest
import shapely

from planner.core.errors import InputError
from planner.inputs import areas

WEST = shapely.box(121.40, 31.20, 121.45, 31.25)
EAST = shapely.box(121.45, 31.20, 121.50, 31.25)


def _layer(tmp_path, names, geoms, *, column="名称"):
    path = tmp_path / "streets.geojson"
    geoms = geoms if isinstance(geoms, gpd.GeoSeries) else gpd.GeoSeries(geoms, crs=4326)
    gpd.GeoDataFrame({column: names}, geometry=geoms).to_file(path)
    return path


def test_areas_are_read_in_wgs84_with_their_names(tmp_path):
    path = _layer(tmp_path, ["西街道", "东街道"], [WEST, EAST])
    got = areas.read_areas(path)
    assert got["area"].tolist() == ["西街道", "东街道"] and got.crs.to_epsg() == 4326
    assert got.geometry.iloc[0].equals(WEST)
    projected = _layer(tmp_path, ["a", "b"], gpd.GeoSeries([WEST, EAST], crs=4326).to_crs(32651))
    assert areas.read_areas(projected).geometry.iloc[1].bounds == pytest.approx(EAST.bounds)


def test_area_names_from_a_given_column_or_numbered(tmp_path):
    path = _layer(tmp_path, ["w", "e"], [WEST, EAST], column="street")
    assert areas.read_areas(path, name_column="street")["area"].tolist() == ["w", "e"]
    assert areas.read_areas(path)["area"].tolist() == ["area 1", "area 2"]
    with pytest.raises(InputError, match="column 'nope' given for name is not in the file"):
        areas.read_areas(path, name_column="nope")


def test_points_and_twice_named_areas_are_errors_naming_the_file(tmp_path):
    path = _layer(tmp_path, ["a", "b"], [WEST, shapely.Point(121.4, 31.2)])
    with pytest.raises(InputError, match=r"^areas file '.*': features \[1\] are \['Point'\]"):
        areas.read_areas(path)
    path = _layer(tmp_path, ["a", "a"], [WEST, EAST])
    with pytest.raises(InputError, match="area name 'a' appears twice; names must be unique"):
        areas.read_areas(path)
    with pytest.raises(InputError, match="areas file .* does not exist"):
        areas.read_areas(tmp_path / "nope.geojson")
