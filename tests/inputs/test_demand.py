"""inputs.demand: hotspots clustered from rider points, hotspots from OSM POIs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.core.errors import InputError
from planner.inputs import demand

from .conftest import csv_file as _csv


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


def test_weights_from_toml_change_the_osm_hotspots(tmp_path, helsinki_pbf):
    base = demand.hotspots_from_osm(helsinki_pbf)
    only = demand.hotspots_from_osm(helsinki_pbf, weights={"amenity=fast_food": 1.0})
    assert len(only) == (base["category"] == "amenity=fast_food").sum()
    assert only["weight"].sum() == len(only)


def test_unreadable_times_are_named_by_row_and_column(tmp_path):
    rows = "".join(f"121.4,31.2,r{k % 2},2026-05-01 12:0{k}\n" for k in range(6))
    p = _csv(tmp_path, "lon,lat,rider_id,timestamp\n" + rows.replace("12:03", "soon"))
    with pytest.raises(InputError, match=r"row 5, column 'timestamp': not a date and time; use"):
        demand.hotspots_from_points(p, weight_by="dwell")
