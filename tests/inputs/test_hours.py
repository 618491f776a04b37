"""Opening hours (OSM syntax, read by opening-hours-py) and hotspot demand by hour."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from planner.core.errors import InputError
from planner.inputs import demand, hours, sites


def test_real_values_read_as_their_hours():
    w = hours.week("Mo-Fr 09:00-17:30; Sa 10:00-14:00")
    assert w.shape == (7, 24)
    # open 9-17 on weekdays (17:00-17:30 is half of hour 17: open), 10-13 on Saturday
    assert np.flatnonzero(w[0]).tolist() == list(range(9, 18))
    assert (w[:5] == w[0]).all()
    assert np.flatnonzero(w[5]).tolist() == [10, 11, 12, 13]
    assert not w[6].any()
    assert hours.week("24/7").all()
    assert hours.week("Mo-Su 08:00-22:00").sum() == 7 * 14
    assert not hours.week("PH off").any()  # only a holiday rule: closed
    assert hours.week("").all()  # no value: always open
    split = hours.week("Mo-Fr 09:00-13:00, 15:00-20:00")
    assert np.flatnonzero(split[2]).tolist() == [9, 10, 11, 12, 15, 16, 17, 18, 19]
    late = hours.week("Mo-Sa 22:00-02:00")  # past midnight: the early hours of the next day
    assert late[0, 22] and late[0, 23] and late[1, 0] and late[1, 1] and not late[0, 0]


def test_a_quarter_hour_is_not_open_a_whole_hour():
    w = hours.week("Mo 09:00-09:15")
    assert not w.any()
    assert hours.week("Mo 09:00-09:30")[0, 9]


def test_unreadable_value_names_file_row_and_value(tmp_path):
    path = tmp_path / "stations.csv"
    pd.DataFrame(
        {"id": ["A", "B"], "lon": [1.5, 1.51], "lat": [42.5, 42.51],
         "opening_hours": ["Mo-Fr 09:00-17:00", "open most days"]}
    ).to_csv(path, index=False)  # fmt: skip
    with pytest.raises(InputError) as err:
        sites.read_sites(path, role="stations")
    text = str(err.value)
    assert "stations.csv" in text and "row 3" in text and "'open most days'" in text
    assert "opening_hours" in text


def test_map_data_with_an_unreadable_value_warns_and_is_always_open(caplog):
    venues = pd.DataFrame({"opening_hours": ["Mo-Fr 09:00-17:00", "by appointment", ""]})
    with caplog.at_level(logging.WARNING):
        read = hours.of_sites(venues, source="venues of x.osm.pbf", strict=False)
    assert read.unreadable == 1 and read.assumed == 1
    assert read.open[1].all() and read.open[2].all() and not read.open[0, 6].any()
    assert "by appointment" in caplog.text
    cleaned = sites.map_hours(venues, "x.osm.pbf")
    assert cleaned.tolist() == ["Mo-Fr 09:00-17:00", "", ""]


def test_no_column_means_always_open():
    read = hours.of_sites(pd.DataFrame({"id": ["a", "b"]}), source="stations")
    assert read.open.all() and read.assumed == 2 and not read.given


def test_parse_hours():
    assert hours.parse_hours("11-14,17-21") == (11, 12, 13, 17, 18, 19, 20)
    assert hours.parse_hours("22-2") == (0, 1, 22, 23)
    assert hours.parse_hours("9") == (9,)
    assert hours.parse_hours("all") == tuple(range(24))
    for bad in ("25", "11-11", "noon", "3-30"):
        with pytest.raises(ValueError):
            hours.parse_hours(bad)


def test_wide_demand_by_hour(tmp_path):
    path = tmp_path / "hotspots.csv"
    frame = pd.DataFrame({"id": ["a", "b"], "lon": [1.5, 1.51], "lat": [42.5, 42.51]})
    for h in range(24):
        frame[f"h{h}"] = [1.0 if h == 12 else 0.0, 2.0 if h >= 18 else 0.0]
    frame.to_csv(path, index=False)
    hs = demand.read_hotspots(path)
    d = hours.demand_by_hour(hs)
    assert d.shape == (2, 24)
    assert d[0].tolist() == [1.0 if h == 12 else 0.0 for h in range(24)]
    assert hs["weight"].tolist() == [1.0, 12.0]  # a day's demand


def test_wide_demand_missing_hours_is_an_error(tmp_path):
    path = tmp_path / "hotspots.csv"
    frame = pd.DataFrame({"lon": [1.5], "lat": [42.5]})
    for h in range(20):
        frame[f"h{h:02d}"] = [1.0]
    frame.to_csv(path, index=False)
    with pytest.raises(InputError, match="20, 21, 22, 23"):
        demand.read_hotspots(path)


def test_long_demand_by_hour(tmp_path):
    path = tmp_path / "hotspots.csv"
    pd.DataFrame(
        {"id": ["a", "a", "b"], "lon": [1.5, 1.5, 1.51], "lat": [42.5, 42.5, 42.51],
         "hour": [12, 19, 19], "weight": [3.0, 5.0, 2.0]}
    ).to_csv(path, index=False)  # fmt: skip
    hs = demand.read_hotspots(path)
    assert hs["id"].tolist() == ["a", "b"]
    assert hs["weight"].tolist() == [8.0, 2.0]
    d = hours.demand_by_hour(hs)
    assert d[0, 12] == 3.0 and d[0, 19] == 5.0 and d[1, 19] == 2.0 and d.sum() == 10.0


def test_long_demand_bad_hour_and_moved_rows(tmp_path):
    path = tmp_path / "hotspots.csv"
    pd.DataFrame(
        {"id": ["a", "a"], "lon": [1.5, 1.5], "lat": [42.5, 42.5], "hour": [12, 24],
         "weight": [1, 1]}
    ).to_csv(path, index=False)  # fmt: skip
    with pytest.raises(InputError, match=r"row 3, column 'hour'.*0 to 23"):
        demand.read_hotspots(path)
    pd.DataFrame(
        {"id": ["a", "a"], "lon": [1.5, 1.6], "lat": [42.5, 42.5], "hour": [12, 13],
         "weight": [1, 1]}
    ).to_csv(path, index=False)  # fmt: skip
    with pytest.raises(InputError, match="different places"):
        demand.read_hotspots(path)


def test_wide_columns_kinds_and_the_h3_cell_column():
    assert hours.wide_columns(["id", "h3", "weight"]) is None  # an H3 cell, not hour 3
    both = hours.wide_columns(["h3", *[f"h{h:02d}" for h in range(24)]])
    assert both is not None and both[3] == "h03"
    assert hours.wide_columns([f"hour_{h}" for h in range(24)])[23] == "hour_23"
    assert hours.wide_columns(["a", "1", "2"]) is None
