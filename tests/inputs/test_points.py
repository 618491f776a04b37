"""inputs.points: point tables (CSV in UTF-8 / GBK, Excel, vector files), their columns,
coordinate systems, and errors that name the row and the column."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.core import crs
from planner.core.errors import InputError
from planner.inputs import demand, sites

from .conftest import csv_file as _csv


def test_gbk_csv_with_chinese_headers(tmp_path):
    p = _csv(tmp_path, "编号,名称,经度,纬度,订单量\nA1,徐家汇站,121.4365,31.1886,12\n"
                       "A2,漕河泾站,121.3967,31.1701,7\n", encoding="gbk")  # fmt: skip
    hs = demand.read_hotspots(p)
    assert hs["id"].tolist() == ["A1", "A2"] and hs["name"].iloc[0] == "徐家汇站"
    assert hs["weight"].tolist() == [12.0, 7.0]
    assert hs["lon"].iloc[0] == pytest.approx(121.4365)


def test_utf8_bom_and_excel(tmp_path):
    p = _csv(tmp_path, "id,name,lng,lat\nS1,站一,121.40,31.20\n", encoding="utf-8-sig")
    assert sites.read_sites(p)["lon"].iloc[0] == pytest.approx(121.40)
    x = tmp_path / "stations.xlsx"
    pd.DataFrame({"编号": ["S1", "S2"], "名称": ["站一", "站二"], "经度": [121.4, 121.5],
                  "纬度": [31.2, 31.3]}).to_excel(x, index=False)  # fmt: skip
    st_ = sites.read_sites(x)
    assert st_["id"].tolist() == ["S1", "S2"] and st_["lat"].tolist() == [31.2, 31.3]


def test_column_overrides_and_ambiguous_columns(tmp_path):
    p = _csv(tmp_path, "code,x_wgs,y_wgs,orders\nA,121.4,31.2,3\n")
    hs = demand.read_hotspots(p, columns={"id": "code", "lon": "x_wgs", "lat": "y_wgs",
                                          "weight": "orders"})  # fmt: skip
    assert hs["id"].iloc[0] == "A" and hs["weight"].iloc[0] == 3.0
    q = _csv(tmp_path, "lon,lng,lat\n121.4,121.4,31.2\n", name="amb.csv")
    with pytest.raises(InputError, match=r"could all be the lon; keep one or name it with") as e:
        demand.read_hotspots(q)
    assert str(e.value).endswith("lon_column") and e.value.field == "lon_column"
    assert e.value.render({"lon_column": "--lon-column"}).endswith("name it with --lon-column")
    with pytest.raises(InputError, match="'nope' given for lat is not in the file"):
        demand.read_hotspots(p, columns={"lat": "nope"})


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("lon,lat,weight\n121.4,abc,1\n", "row 2, column 'lat': latitude must be a number"),
        ("lon,lat,weight\n121.4,,1\n121.5,31.2,1\n", "row 2, column 'lat'"),
        ("lon,lat,weight\n200,31.2,1\n", "out of range"),
        ("lon,lat,weight\n31.2,121.4,1\n", "look swapped; exchange the two columns"),
        ("lon,lat\n1.5,80.1\n2.5,81.0\n", "look swapped"),
        ("id,lon,lat\nA,121.4,31.2\nA,121.5,31.3\n", "duplicate id 'A'"),
        ("lon,lat,weight\n121.4,31.2,-2\n", "row 2, column 'weight': weight is negative"),
        ("lon,lat,weight\n", "no rows"),
        ("", "is empty"),
        ("name,value\nx,1\n", "no lon or lat column"),
    ],
)  # fmt: skip
def test_bad_point_files_name_row_and_column(tmp_path, text, fragment):
    p = _csv(tmp_path, text)
    with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        demand.read_hotspots(p)


def test_utf16_file_is_named_as_such(tmp_path):
    p = _csv(tmp_path, "lon,lat\n121.4,31.2\n", encoding="utf-16")
    with pytest.raises(InputError, match="UTF-16"):
        demand.read_hotspots(p)


def test_gcj02_input_is_converted_to_wgs84(tmp_path):
    wlon, wlat = 121.4737, 31.2304
    glon, glat = crs.wgs84_to_gcj02(np.array([wlon]), np.array([wlat]))
    p = _csv(tmp_path, f"id,name,lon,lat\nS1,a,{glon[0]:.9f},{glat[0]:.9f}\n")
    st_ = sites.read_sites(p, crs="gcj02")
    from pyproj import Geod

    d = Geod(ellps="WGS84").inv(wlon, wlat, st_["lon"].iloc[0], st_["lat"].iloc[0])[2]
    assert d < 0.5


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(st.one_of(st.text(max_size=6), st.floats(allow_nan=True),
                                   st.integers(-1000, 1000)), min_size=1, max_size=4),
                min_size=0, max_size=6),
       st.sampled_from(["lon,lat,weight", "lng,纬度,权重", "x,y", "id,lon,lat", ""]),
       st.sampled_from(["utf-8", "gb18030", "utf-8-sig"]))  # fmt: skip
def test_malformed_files_give_input_errors_only(tmp_path, rows, header, encoding):
    body = "\n".join(",".join(str(c).replace("\n", " ") for c in r) for r in rows)
    text = header + ("\n" + body if body else "")
    p = tmp_path / "fuzz.csv"
    try:
        p.write_bytes(text.encode(encoding))
    except UnicodeEncodeError:
        return
    try:
        hs = demand.read_hotspots(p)
    except InputError:
        return
    # whatever is accepted is clean
    assert np.isfinite(hs["lon"]).all() and np.isfinite(hs["lat"]).all()
    assert (hs["lon"].abs() <= 180).all() and (hs["lat"].abs() <= 90).all()
    assert (hs["weight"] >= 0).all() and hs["id"].is_unique


def test_empty_ids_and_geometries_are_named_by_row_and_feature(tmp_path):
    p = _csv(tmp_path, "id,lon,lat\nA,121.4,31.2\n,121.5,31.3\n")
    with pytest.raises(InputError, match=r"row 3, column 'id': id is empty$"):
        demand.read_hotspots(p)
    v = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=[shapely.Point(121.4, 31.2), None],
                     crs=4326).to_file(v)  # fmt: skip
    with pytest.raises(InputError, match=r"points.geojson': features \[1\]: missing or empty"):
        sites.read_sites(v)
