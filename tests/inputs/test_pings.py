"""inputs.pings: rider pings into stays and bounded hotspots; every point counted."""

from __future__ import annotations

import logging

import h3
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.core.errors import InputError
from planner.inputs import network as network_mod
from planner.inputs import pings
from planner.synthetic.pings import PingPlan, generate_pings

from ..conftest import SHARED
from .conftest import csv_file as _csv


def _metres(lon1, lat1, lon2, lat2):
    """Haversine distance in metres."""
    lon1, lat1, lon2, lat2 = map(np.radians, (lon1, lat1, lon2, lat2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(a))


def _write(tmp_path, frame, name="pings.csv"):
    p = tmp_path / name
    frame.to_csv(p, index=False)
    return p


def _two_centres(net, seed=3):
    """One rider going back and forth between two centres along the roads of ``net``: the
    first seed from ``seed`` whose centres are far enough apart to tell."""
    for s in range(seed, seed + 50):
        plan = PingPlan(riders=1, centres=2, background=0.0, shift_min=90, seed=s)
        made = generate_pings(plan, network=net)
        c = made.places
        if _metres(c.lon[0], c.lat[0], c.lon[1], c.lat[1]) > 2 * pings.MAX_DIAMETER_M:
            return made
    raise AssertionError("no seed gives two centres far enough apart")


def test_a_ride_between_two_centres_is_two_hotspots_not_one_long_one(tmp_path, helsinki_walk):
    made = _two_centres(helsinki_walk)
    p = _write(tmp_path, made.pings)
    found = pings.hotspots_from_points(p)
    assert len(found) == 2 and found["diameter_m"].max() <= pings.MAX_DIAMETER_M
    for _, centre in made.places.iterrows():  # each hotspot sits on its centre
        assert _metres(found["lon"], found["lat"], centre.lon, centre.lat).min() < 20
    counts = found.attrs["counts"]
    ride = int((made.pings["activity"] == "ride").sum())
    assert counts.moving >= ride and counts.stays + counts.moving + counts.brief == len(made.pings)
    assert found["points"].sum() == counts.stays <= (made.pings["activity"] == "stay").sum()


def test_dwell_counts_only_the_time_spent_waiting(tmp_path, helsinki_walk):
    made = _two_centres(helsinki_walk)
    p = _write(tmp_path, made.pings)
    found = pings.hotspots_from_points(p, weight_by="dwell")
    waits = made.pings.assign(t=pd.to_datetime(made.pings["timestamp"]))
    waits = waits[waits["activity"] == "stay"]
    visit = (waits["place"] != waits["place"].shift()).cumsum()
    spans = waits.groupby(visit)["t"].agg(lambda t: (t.max() - t.min()).total_seconds() / 60)
    # the first half minute of each wait still reads as arriving (SPEED_WINDOW_S)
    assert spans.sum() - 0.5 * len(spans) - 0.01 <= found["weight"].sum() <= spans.sum()
    shift = (waits["t"].max() - waits["t"].min()).total_seconds() / 60
    assert found["weight"].sum() < 0.8 * shift  # the rides between are not dwell
    assert found["stays"].sum() == len(spans)


def test_isolated_stops_are_hotspots_of_their_own(tmp_path):
    rng = np.random.default_rng(5)
    dense = [(114.20 + 0.01 * k + rng.normal(0, 2e-5), 22.70 + rng.normal(0, 2e-5))
             for k in range(3) for _ in range(30)]  # fmt: skip
    lone = [(114.25 + 0.004 * k, 22.75) for k in range(5)]
    p = _write(tmp_path, pd.DataFrame(dense + lone, columns=["lon", "lat"]))
    found = pings.hotspots_from_points(p)
    counts = found.attrs["counts"]
    assert counts.stops == counts.total == 95 and found["points"].sum() == 95
    assert sorted(found["points"]) == [1] * 5 + [30] * 3
    assert (found.loc[found["points"] == 1, "diameter_m"] == 0).all()
    assert found["riders"].isna().all() and found["dwell_min"].isna().all()


def test_a_street_of_stops_is_cut_into_hotspots_no_wider_than_the_cap(tmp_path):
    lon = 114.20 + np.arange(61) * 0.0005  # a stop every ~51 m for 3 km: chains at 150 m
    p = _write(tmp_path, pd.DataFrame({"lon": lon, "lat": 22.70}))
    for cap in (300.0, 120.0):
        found = pings.hotspots_from_points(p, max_diameter_m=cap)
        assert found["diameter_m"].max() <= cap and found["points"].sum() == 61
        assert len(found) >= 3000 / cap


def test_large_groups_are_halved_before_linkage_and_stay_within_the_cap(tmp_path, monkeypatch):
    rng = np.random.default_rng(2)
    pts = pd.DataFrame({"lon": 114.2 + rng.uniform(0, 0.01, 400),
                        "lat": 22.7 + rng.uniform(0, 0.01, 400)})  # fmt: skip
    p = _write(tmp_path, pts)
    monkeypatch.setattr(pings, "_LINKAGE_MAX", 50)
    found = pings.hotspots_from_points(p, eps_m=300)
    assert found["diameter_m"].max() <= pings.MAX_DIAMETER_M and found["points"].sum() == 400


def test_every_point_is_counted_once_under_a_stated_reason(tmp_path, caplog):
    made = generate_pings(PingPlan(riders=6, shift_min=60, seed=4)).pings
    made["timestamp"] = made["timestamp"].astype(str)
    lon_cut = float(made["lon"].quantile(0.9))
    inside = np.flatnonzero(made["lon"] <= lon_cut)  # outside the bounds comes first
    blank, bad = inside[[3, 40]], inside[[7, 90, 91]]
    made.loc[blank, "rider_id"] = ""
    made.loc[bad, "timestamp"] = ["", "soon", "2026-13-45 25:00:00"]
    p = _write(tmp_path, made)
    with caplog.at_level(logging.WARNING, logger="planner"):
        found = pings.hotspots_from_points(p, bounds=(100.0, 10.0, lon_cut, 40.0))
    c = found.attrs["counts"]
    parts = (c.stays, c.stops, c.moving, c.brief, c.no_rider, c.no_time, c.outside)
    assert sum(parts) == c.total == len(made)
    assert c.no_rider == 2 and c.no_time == 3 and c.stops == 0
    assert c.outside == int((made["lon"] > lon_cut).sum()) > 0
    assert found["points"].sum() == c.stays and (found["lon"] <= lon_cut).all()
    rows = f"rows {bad[1] + 2}, {bad[2] + 2}, column 'timestamp': not a date and time"
    assert rows in caplog.text


def test_the_moving_speed_is_an_option(tmp_path):
    made = generate_pings(PingPlan(riders=3, shift_min=45, seed=6)).pings
    p = _write(tmp_path, made)
    default = pings.hotspots_from_points(p).attrs["counts"]
    lax = pings.hotspots_from_points(p, moving_kph=200.0).attrs["counts"]
    assert default.moving > 0.3 * len(made) and lax.moving == 0


def test_hex_hotspots_are_h3_cells_of_the_resolution(tmp_path):
    made = generate_pings(PingPlan(riders=8, shift_min=60, seed=1)).pings
    p = _write(tmp_path, made)
    for res in (8, 10):
        found = pings.hotspots_from_points(p, method="hex", hex_res=res)
        assert found["h3"].is_unique
        assert all(h3.is_valid_cell(c) and h3.get_resolution(c) == res for c in found["h3"])
        inside = [
            h3.latlng_to_cell(la, lo, res) for lo, la in zip(found.lon, found.lat, strict=True)
        ]
        assert np.mean(np.array(inside) == found["h3"].to_numpy()) > 0.9  # centres in their cell
        assert found["points"].sum() == found.attrs["counts"].stays
    coarse = pings.hotspots_from_points(p, method="hex", hex_res=8)
    assert len(coarse) < len(found)


def test_hotspot_rows_carry_their_size_and_riders(tmp_path):
    made = generate_pings(PingPlan(riders=5, shift_min=60, seed=2)).pings
    found = pings.hotspots_from_points(_write(tmp_path, made), weight_by="riders")
    for col in ("id", "name", "weight", "points", "stays", "riders", "dwell_min", "diameter_m"):
        assert col in found.columns
    assert (found["weight"] == found["riders"]).all() and found["riders"].max() <= 5
    assert (found["dwell_min"] > 0).all() and found["weight"].is_monotonic_decreasing


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"weight_by": "orders"}, "weight_by: use one of count, riders, dwell, not 'orders'"),
        ({"method": "grid"}, "method: use one of cluster, hex, not 'grid'"),
        ({"hex_res": 20}, "hex_res: 20 must be an H3 resolution from 0 to 15, such as 9"),
        ({"max_diameter_m": -1}, "max_diameter_m: -1 must be a distance in metres above 0"),
        ({"max_diameter_m": float("nan")}, "max_diameter_m: nan must be a distance in metres"),
        ({"eps_m": -1, "hex_res": -2}, "eps_m: -1 must be a radius in metres above 0, such as "
                                       "150; hex_res: -2 must be an H3 resolution"),
        ({"moving_kph": 0}, "moving_kph: 0 must be a speed in km/h above 0, such as 5"),
        ({"stay_min_s": -5}, "stay_min_s: -5 must be seconds, 0 or more"),
        ({"bounds": (2, 1, 1, 2)}, "bounds: (2, 1, 1, 2) must be west,south,east,north"),
        ({"weight_by": "riders"}, "weight_by='riders' needs a rider id column"),
    ],
)  # fmt: skip
def test_options_out_of_range_are_named(tmp_path, kwargs, message):
    p = _csv(tmp_path, "lon,lat\n" + "121.4,31.2\n" * 6)
    with pytest.raises(InputError) as err:
        pings.hotspots_from_points(p, **kwargs)
    assert message in str(err.value) and "--" not in str(err.value)


def test_dwell_without_a_time_column_names_the_file_and_the_argument(tmp_path):
    p = _csv(tmp_path, "lon,lat,rider_id\n" + "121.4,31.2,a\n" * 6, name="pings.csv")
    with pytest.raises(InputError) as err:
        pings.hotspots_from_points(p, weight_by="dwell")
    assert str(err.value).startswith(f"rider points file {str(p)!r}: weight_by='dwell' needs a ")
    assert "time column (timestamp, 时间)" in str(err.value)


def test_nothing_left_to_group_says_why(tmp_path):
    rows = "".join(f"{121.4 + k * 0.01:.2f},31.2,r1,2026-05-01 12:0{k}\n" for k in range(6))
    p = _csv(tmp_path, "lon,lat,rider_id,timestamp\n" + rows)  # ~950 m a minute: riding
    with pytest.raises(InputError, match="no point is a stay or a stop .*6 moving"):
        pings.hotspots_from_points(p)


def test_pick_ups_with_rider_ids_but_no_times_are_stops_counting_named_riders(tmp_path, caplog):
    rows = "".join(f"114.2,22.7,{r}\n" for r in ("a", "b", "a", "", ""))
    p = _csv(tmp_path, "lon,lat,rider_id\n" + rows)
    with caplog.at_level(logging.WARNING, logger="planner"):
        found = pings.hotspots_from_points(p, weight_by="riders")
    assert found.attrs["counts"].stops == 5 and found["points"].tolist() == [5]
    assert found["riders"].tolist() == [2] and found["weight"].tolist() == [2.0]
    assert "a rider column but no time column" in caplog.text


@settings(max_examples=30, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(1, 300),
    cap=st.floats(20.0, 500.0),
    eps=st.floats(5.0, 400.0),
    spread=st.floats(10.0, 3000.0),
)
def test_no_group_is_wider_than_the_cap_and_every_point_has_one(seed, n, cap, eps, spread):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, spread, (max(1, n // 20), 2))
    xy = centres[rng.integers(len(centres), size=n)] + rng.normal(0, spread / 20, (n, 2))
    labels = pings._cluster_groups(xy, eps, cap)
    assert labels.shape == (n,) and labels.min() == 0
    assert set(labels) == set(range(labels.max() + 1))  # numbered without gaps
    assert pings._diameters(xy, labels).max() <= cap + 1e-6


LONGGANG = SHARED / "data" / "shenzhen_longgang_2019.osm"


@pytest.mark.shared
def test_riders_on_longgang_streets_give_a_hotspot_at_every_place_they_wait(tmp_path):
    if not LONGGANG.exists():
        pytest.skip(f"real Longgang extract not found at {LONGGANG} (needs ../shared/data)")
    net = network_mod.load(LONGGANG, mode="ebike")
    made = generate_pings(PingPlan(riders=20, shift_min=60, centres=6, seed=1), network=net)
    found = pings.hotspots_from_points(_write(tmp_path, made.pings))
    waits = made.pings[made.pings["place"] != ""].assign(t=pd.to_datetime(made.pings["timestamp"]))
    span = waits.groupby(["rider_id", "place"])["t"].agg(lambda t: t.max() - t.min())
    long = span[span >= pd.Timedelta(seconds=90)].index.get_level_values("place")
    visited = made.places[made.places["place"].isin(long)]  # not cut short by the shift's end
    cap = pings.MAX_DIAMETER_M
    for p in visited.itertuples():
        near = _metres(found["lon"], found["lat"], p.lon, p.lat).min()
        others = _metres(visited["lon"], visited["lat"], p.lon, p.lat)
        alone = np.sort(others)[1] > 2 * cap  # places closer than that may share a hotspot
        assert near < (30 if alone else cap)  # lone pick-ups kept as hotspots of their own
    assert len(found) <= len(visited)
    assert found["diameter_m"].max() <= pings.MAX_DIAMETER_M
    counts = found.attrs["counts"]
    assert counts.moving >= (made.pings["activity"] == "ride").sum()
    assert counts.stays + counts.moving + counts.brief == counts.total == len(made.pings)
