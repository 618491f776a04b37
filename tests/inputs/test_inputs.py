"""Readers of the inputs planners have, and the errors bad input gets."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.cli import main
from planner.core import crs
from planner.core.errors import ConfigError, InputError
from planner.inputs import demand, sites
from planner.inputs.settings_files import poi_weights_from_toml


def _csv(tmp_path, text, name="in.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


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
    with pytest.raises(InputError, match=r"could all be the lon.*--lon-column"):
        demand.read_hotspots(q)
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


def _pings(tmp_path):
    rng = np.random.default_rng(1)
    rows = []
    centres = [(121.40, 31.20), (121.45, 31.22), (121.50, 31.18)]
    t0 = pd.Timestamp("2026-05-01 12:00")
    for c, (lon, lat) in enumerate(centres):
        for k in range(20 + 10 * c):
            rider = f"R{c}-{k % (2 + c)}"
            rows.append(
                {
                    "lon": lon + rng.normal(0, 0.0003),
                    "lat": lat + rng.normal(0, 0.0003),
                    "rider_id": rider,
                    "timestamp": t0 + pd.Timedelta(minutes=k),
                }
            )
    rows.append({"lon": 121.6, "lat": 31.3, "rider_id": "lonely", "timestamp": t0})  # noise
    p = tmp_path / "pings.csv"
    pd.DataFrame(rows).to_csv(p, index=False)
    return p


def test_hotspots_clustered_from_rider_points(tmp_path):
    p = _pings(tmp_path)
    by_count = demand.hotspots_from_points(p, eps_m=150, min_points=5)
    assert len(by_count) == 3 and sorted(by_count["weight"]) == [20.0, 30.0, 40.0]
    assert by_count["points"].sum() == 90  # the lonely point is noise
    by_riders = demand.hotspots_from_points(p, weight_by="riders")
    assert sorted(by_riders["weight"]) == [2.0, 3.0, 4.0]
    dwell = demand.hotspots_from_points(p, weight_by="dwell").sort_values("points")
    # cluster 0: 20 pings a minute apart, riders alternate: each rider spans 18 minutes
    assert dwell["weight"].iloc[0] == pytest.approx(2 * 18.0)
    assert dwell["lon"].iloc[0] == pytest.approx(121.40, abs=2e-4)


def test_hotspots_command_and_its_errors(tmp_path):
    p = _pings(tmp_path)
    out = tmp_path / "hs.csv"
    res = CliRunner().invoke(main, ["hotspots", "--points", str(p), "--weight-by", "riders",
                                    "--out", str(out), "-q"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert len(pd.read_csv(out)) == 3
    bare = _csv(tmp_path, "lon,lat\n121.4,31.2\n121.4,31.2\n", name="bare.csv")
    res = CliRunner().invoke(main, ["hotspots", "--points", str(bare), "--weight-by", "riders"])
    assert res.exit_code == 2 and "rider id column" in res.output


def test_poi_weights_file(tmp_path):
    f = tmp_path / "w.toml"
    f.write_text('[weights]\n"amenity=restaurant" = 4\n"shop=*" = 1\n')
    assert poi_weights_from_toml(f) == {"amenity=restaurant": 4.0, "shop=*": 1.0}
    f.write_text("[weights]\nrestaurant = 4\n")
    with pytest.raises(ConfigError, match="amenity=restaurant"):
        poi_weights_from_toml(f)


def test_weights_from_toml_change_the_osm_hotspots(tmp_path, helsinki_pbf):
    base = demand.hotspots_from_osm(helsinki_pbf)
    only = demand.hotspots_from_osm(helsinki_pbf, weights={"amenity=fast_food": 1.0})
    assert len(only) == (base["category"] == "amenity=fast_food").sum()
    assert only["weight"].sum() == len(only)


def test_capacities_from_a_number_a_list_or_a_column():
    cand = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "name": ["", "", ""], "容量": [10.0, 0.0, None]},
        geometry=gpd.points_from_xy([0, 1, 2], [0, 1, 2]), crs="EPSG:4326",
    )  # fmt: skip
    assert sites.capacities(cand, None) is None
    assert sites.capacities(cand, "40").tolist() == [40.0] * 3
    assert sites.capacities(cand, [5, 6, 7]).tolist() == [5.0, 6.0, 7.0]
    with pytest.raises(ConfigError, match=r"one demand above 0 per candidate \(3\), got 2"):
        sites.capacities(cand, [5, 6])
    with pytest.raises(ConfigError, match="must be a demand above 0"):
        sites.capacities(cand, 0)
    with pytest.raises(InputError, match="no capacity column 'seats'"):
        sites.capacities(cand, "seats", source="cand.csv")
    with pytest.raises(InputError) as err:
        sites.capacities(cand, "容量", source="cand.csv")
    assert "row 3, column '容量': capacity must be above 0" in str(err.value)
    assert "row 4, column '容量': capacity must be a number" in str(err.value)


def test_capacity_errors_name_the_argument():
    """A wrong capacity names the argument ``capacity:`` (the CLI spells it as its flag)."""
    from planner.core.errors import FieldError

    cand = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=gpd.points_from_xy([0, 1], [0, 1]))
    with pytest.raises(FieldError) as err:
        sites.capacities(cand, "-5")
    assert str(err.value).startswith("capacity: '-5' must be a demand above 0")
    assert err.value.render({"capacity": "--capacity"}).startswith("--capacity: '-5'")
    with pytest.raises(ConfigError, match=r"^capacity: expected one demand above 0 per candidate"):
        sites.capacities(cand, [1.0, 0.0])
    with pytest.raises(InputError, match="give capacity as a number or as the name of one of"):
        sites.capacities(cand, "seats", source="candidates file 'c.csv'")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weight_by": "orders"}, "weight_by: use one of count, riders, dwell, not 'orders'"),
        ({"eps_m": 0}, "eps_m: 0 must be a radius in metres above 0"),
        ({"eps_m": -1, "min_points": 0}, "eps_m: -1 must be a radius in metres above 0, such as "
                                         "150; min_points: 0 must be at least 1"),
        ({"weight_by": "riders"}, "weight_by='riders' needs a rider id column"),
        ({"min_points": 50}, "no cluster of 50 points within 150 m; lower min_points or raise "
                             "eps_m"),
    ],
)  # fmt: skip
def test_clustering_errors_name_the_arguments(tmp_path, kwargs, message):
    p = _csv(tmp_path, "lon,lat\n" + "121.4,31.2\n" * 6)
    with pytest.raises(InputError) as err:
        demand.hotspots_from_points(p, **kwargs)
    assert message in str(err.value) and "--" not in str(err.value)


def test_dwell_without_a_time_column_names_the_file_and_the_argument(tmp_path):
    p = _csv(tmp_path, "lon,lat,rider_id\n" + "121.4,31.2,a\n" * 6, name="pings.csv")
    with pytest.raises(InputError) as err:
        demand.hotspots_from_points(p, weight_by="dwell")
    assert str(err.value).startswith(f"rider points file {str(p)!r}: weight_by='dwell' needs a ")
    assert "time column (timestamp, 时间)" in str(err.value)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[weights]\nrestaurant = 4\n",
         'weights."restaurant": a category must look like "amenity=restaurant"'),
        ("[weights]\n'amenity=bar' = -1\n", 'weights."amenity=bar" = -1; give a weight >= 0'),
        ("[weights]\n'amenity=bar' = nan\n", 'weights."amenity=bar" = nan; give a weight >= 0'),
        ("colour = 1\n", 'needs a [weights] table of "key=value" = weight entries'),
        ("[weights\n", "is not valid TOML"),
    ],
)  # fmt: skip
def test_bad_poi_weight_files_name_the_file_and_the_key(tmp_path, text, message):
    f = tmp_path / "w.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        poi_weights_from_toml(f)
    assert str(err.value).startswith(f"POI weights file {str(f)!r}") and message in str(err.value)
    with pytest.raises(ConfigError, match=r"^POI weights file '.*nope.toml' does not exist"):
        poi_weights_from_toml(tmp_path / "nope.toml")
