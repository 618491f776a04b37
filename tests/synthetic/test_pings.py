"""synthetic.pings: seeded rider pings, waits at centres, rides along roads (or straight
lines), lone pick-ups."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from planner.core.errors import InputError
from planner.synthetic.pings import PingPlan, generate_pings


def test_the_same_seed_gives_the_same_pings():
    plan = PingPlan(riders=4, shift_min=30, seed=11)
    a, b = generate_pings(plan).pings, generate_pings(plan).pings
    pd.testing.assert_frame_equal(a, b)
    other = generate_pings(PingPlan(riders=4, shift_min=30, seed=12)).pings
    assert not a["lon"].head(50).equals(other["lon"].head(50))


def test_riders_wait_ride_and_pick_up_pinging_at_the_interval():
    plan = PingPlan(riders=10, shift_min=60, ping_s=20, background=0.3, seed=5)
    made = generate_pings(plan)
    p = made.pings
    assert p["rider_id"].nunique() == 10 and set(p["activity"]) == {"stay", "ride", "pickup"}
    for _, track in p.groupby("rider_id"):
        step = track["timestamp"].diff().dt.total_seconds().dropna()
        assert (step > 0).all() and step.median() == pytest.approx(20, abs=1)
        assert len(track) == pytest.approx(60 * 60 / 20, rel=0.25)
    kinds = made.places.set_index("place")["kind"]
    assert (kinds[p.loc[p["activity"] == "stay", "place"]] == "centre").all()
    assert (kinds[p.loc[p["activity"] == "pickup", "place"]] == "pickup").all()
    assert (p.loc[p["activity"] == "ride", "place"] == "").all()
    assert (kinds == "centre").sum() == plan.centres and (kinds == "pickup").sum() > 5


def _ride_runs(p):
    """(place before, place after, pings) for each ride between two waits of a rider."""
    for _, track in p.groupby("rider_id", sort=False):
        run = (track["activity"] != track["activity"].shift()).cumsum()
        parts = [g for _, g in track.groupby(run, sort=True)]
        for before, ride, after in zip(parts, parts[1:], parts[2:], strict=False):
            if ride["activity"].iat[0] == "ride":
                yield before["place"].iat[0], after["place"].iat[0], ride


def test_without_a_network_the_rides_are_straight_lines():
    made = generate_pings(PingPlan(riders=3, shift_min=60, jitter_m=0.0, seed=3))
    places = made.places.set_index("place")
    lon0, lat0 = PingPlan().centre_lonlat
    to_m = pyproj.Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +units=m", always_xy=True
    )
    checked = 0
    for a, b, ride in _ride_runs(made.pings):
        ends = [to_m.transform(places.at[k, "lon"], places.at[k, "lat"]) for k in (a, b)]
        pts = shapely.points(np.column_stack(to_m.transform(ride["lon"], ride["lat"])))
        assert shapely.distance(shapely.LineString(ends), pts).max() < 0.5
        checked += 1
    assert checked > 5


def test_with_a_network_the_rides_follow_the_streets(helsinki_walk):
    made = generate_pings(PingPlan(riders=4, shift_min=60, jitter_m=3.0, seed=2),
                          network=helsinki_walk)  # fmt: skip
    ride = made.pings[made.pings["activity"] == "ride"]
    pts = gpd.GeoSeries(gpd.points_from_xy(ride["lon"], ride["lat"]), crs="EPSG:4326")
    pts = pts.to_crs(helsinki_walk.crs)
    _, dist = helsinki_walk.segments.sindex.nearest(pts, return_distance=True)
    assert len(ride) > 100 and np.quantile(dist, 0.99) < 12 and dist.max() < 20
    straight = generate_pings(PingPlan(riders=4, shift_min=60, jitter_m=3.0, seed=2)).pings
    assert not np.allclose(straight["lon"].head(200), made.pings["lon"].head(200))


@pytest.mark.parametrize(
    "change, name",
    [({"riders": 0}, "riders"), ({"centres": 1}, "centres"), ({"background": 1.5}, "background"),
     ({"ping_s": 0}, "ping_s")],
)  # fmt: skip
def test_a_plan_out_of_range_is_named(change, name):
    with pytest.raises(InputError, match=f"ping plan: {name} out of range"):
        generate_pings(PingPlan(**change))
