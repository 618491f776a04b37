"""The synthetic province: its districts tile the province, every point lies in its
district, the road network is what the planner loads, and the same plan gives the same
files."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.core.errors import FieldError
from planner.inputs import network
from planner.synthetic import province as pv

PLAN = pv.ProvincePlan(
    districts=11, nodes_per_district=64, hotspots_per_district=12, stations_per_district=1,
    candidates_per_district=5, seed=3,
)  # fmt: skip


@pytest.fixture(scope="module")
def prov() -> pv.Province:
    return pv.generate(PLAN)


def test_districts_tile_the_province(prov):
    d = prov.districts.to_crs(prov.crs)
    assert list(d["district"]) == [f"D{k:03d}" for k in range(1, 12)]
    assert d.geometry.is_valid.all() and (d.geometry.geom_type == "Polygon").all()
    union = shapely.union_all(d.geometry.to_numpy())
    assert union.area == pytest.approx(d.geometry.area.sum(), rel=1e-9)  # no overlap
    # 11 cells of 8 x 150 m = 1200 m a side: 4 columns, 2 full rows and 3 cells
    assert union.area == pytest.approx(11 * 1200.0**2, rel=1e-6)
    assert d.geometry.area.min() > 0.2 * 1200.0**2


def test_every_point_lies_in_its_district(prov):
    polys = prov.districts.set_index("district").geometry
    for role, n in (("hotspots", 12), ("stations", 1), ("candidates", 5)):
        frame = getattr(prov, role)
        assert frame.crs.to_epsg() == 4326 and frame["id"].is_unique
        assert (frame.groupby("district").size() == n).all() and frame["district"].nunique() == 11
        inside = [
            polys[d].covers(p) for d, p in zip(frame["district"], frame.geometry, strict=True)
        ]
        assert all(inside), role
    assert (prov.hotspots["weight"] > 0).all()
    assert set(prov.candidates["category"]) <= set(pv.CANDIDATE_CATEGORIES)


def test_the_road_grid_has_arterials_cycleways_and_gaps(prov):
    kinds = prov.ways["highway"].value_counts()
    assert set(kinds.index) == {"primary", "cycleway", "residential"}
    assert len(prov.nodes) == pytest.approx(11 * 64, rel=0.25)
    # arterials run unbroken; residential lines are cut where blocks are missing
    lines = prov.ways.groupby(["highway", "name"]).size()
    assert (lines["primary"] == 1).all() and (lines["residential"] > 1).any()
    ids = set(prov.nodes["osmid"])
    assert all(set(n) <= ids for n in prov.ways["nodes"])


@pytest.mark.parametrize("fmt", pv.NETWORK_FORMATS)
def test_the_files_load_as_the_planner_reads_them(prov, tmp_path, fmt):
    paths = pv.write(prov, tmp_path, network_format=fmt)
    net = network.load(paths["network"])
    used = {n for nodes in prov.ways["nodes"] for n in nodes}
    assert len(net.nodes) <= len(used) and len(net.nodes) > 0.9 * len(used)
    assert set(net.segments["highway"]) == {"primary", "cycleway", "residential"}
    districts = gpd.read_file(paths["districts"])
    assert list(districts["district"]) == list(prov.districts["district"])
    hs = pd.read_csv(paths["hotspots"])
    assert list(hs.columns) == ["id", "name", "district", "weight", "lon", "lat"]
    np.testing.assert_allclose(hs["lon"], prov.hotspots.geometry.x, atol=1e-7)


def test_same_plan_same_bytes_another_seed_another_province(prov, tmp_path):
    a = pv.write(prov, tmp_path / "a", network_format="osm.pbf")
    b = pv.write(pv.generate(PLAN), tmp_path / "b", network_format="osm.pbf")
    for role in a:
        assert a[role].read_bytes() == b[role].read_bytes(), role
    other = pv.generate(pv.ProvincePlan(**{**PLAN.__dict__, "seed": 4}))
    assert not other.hotspots.geometry.equals(prov.hotspots.geometry)


def test_parameters_out_of_range_are_refused():
    with pytest.raises(FieldError, match="districts"):
        pv.generate(pv.ProvincePlan(districts=0))
    with pytest.raises(FieldError, match="missing_share"):
        pv.generate(pv.ProvincePlan(missing_share=0.7))
    with pytest.raises(FieldError, match="network_format"):
        pv.write(pv.generate(PLAN), "unused", network_format="shp")


def test_one_district_is_the_whole_province():
    one = pv.generate(pv.ProvincePlan(districts=1, nodes_per_district=25, hotspots_per_district=3))
    assert len(one.districts) == 1 and len(one.hotspots) == 3
