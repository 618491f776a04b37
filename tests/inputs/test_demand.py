"""inputs.demand: hotspots from OSM POIs (rider points into hotspots: test_pings)."""

from __future__ import annotations

from planner.inputs import demand


def test_weights_from_toml_change_the_osm_hotspots(tmp_path, helsinki_pbf):
    base = demand.hotspots_from_osm(helsinki_pbf)
    only = demand.hotspots_from_osm(helsinki_pbf, weights={"amenity=fast_food": 1.0})
    assert len(only) == (base["category"] == "amenity=fast_food").sum()
    assert only["weight"].sum() == len(only)
