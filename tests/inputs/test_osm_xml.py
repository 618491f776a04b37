"""Roads of an OSM XML export: only ``highway`` ways, cut to the file's ``<bounds>``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
import shapely

from planner.core.errors import InputError, NetworkError
from planner.inputs import _osm
from planner.inputs import network as network_mod

from ..conftest import SHARED

LONGGANG = SHARED / "data" / "shenzhen_longgang_2019.osm"

#: A street (1-2-3) leaving the bounds at lon 1.51 towards node 4, a footway (2-5), a
#: building, a railway and a parish boundary; bounds lon 1.5 to 1.51, lat 42.5 to 42.51.
EXPORT = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6" generator="test">
  <bounds minlat="42.5000" minlon="1.5000" maxlat="42.5100" maxlon="1.5100"/>
  <node id="1" lat="42.5050" lon="1.5000"/>
  <node id="2" lat="42.5050" lon="1.5050"/>
  <node id="3" lat="42.5050" lon="1.5080"/>
  <node id="4" lat="42.5050" lon="1.5200"/>
  <node id="5" lat="42.5090" lon="1.5050"/>
  <node id="6" lat="42.5010" lon="1.5010"/>
  <node id="7" lat="42.5010" lon="1.5020"/>
  <node id="8" lat="42.5020" lon="1.5020"/>
  <node id="9" lat="42.5080" lon="1.5000"/>
  <node id="10" lat="42.5080" lon="1.5090"/>
  <way id="100"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/>
    <tag k="highway" v="residential"/><tag k="name" v="Carrer Major"/></way>
  <way id="101"><nd ref="2"/><nd ref="5"/><tag k="highway" v="footway"/></way>
  <way id="102"><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="6"/>
    <tag k="building" v="yes"/></way>
  <way id="103"><nd ref="9"/><nd ref="10"/><tag k="railway" v="rail"/></way>
  <way id="104"><nd ref="1"/><nd ref="9"/><tag k="boundary" v="administrative"/></way>
</osm>"""


@pytest.fixture
def export(tmp_path: Path) -> Path:
    p = tmp_path / "export.osm"
    p.write_text(EXPORT)
    return p


def test_only_highway_ways_are_roads(export):
    ways, nodes = _osm.read_ways(export)
    assert sorted(set(ways["osmid"])) == [100, 101]  # no building, railway, boundary
    assert sorted(set(ways["highway"])) == ["footway", "residential"]
    assert not {6, 7, 8, 9, 10} & set(nodes["osmid"])


def test_roads_are_cut_at_the_bounds(export):
    ways, nodes = _osm.read_ways(export)
    assert len(ways) == 4  # 1-2, 2-3, 3-edge, 2-5
    assert 4 not in set(nodes["osmid"])  # node 4 lies outside the bounds
    edge = ways.loc[ways["u"] == 3].iloc[0]
    assert edge["v"] < 0  # a new node where the street leaves the bounds
    end = shapely.get_coordinates(edge["geometry"])[-1]
    assert end == pytest.approx([1.51, 42.505])
    assert nodes.set_index("osmid").loc[edge["v"], ["x", "y"]].tolist() == pytest.approx(list(end))
    lon, lat = nodes["x"].to_numpy(), nodes["y"].to_numpy()
    assert ((lon >= 1.5) & (lon <= 1.51) & (lat >= 42.5) & (lat <= 42.51)).all()


def test_the_network_of_an_export_holds_its_roads_only(export):
    net = network_mod.load(export, mode="ebike")
    assert net.report["segments_read"] == 4
    assert set(net.segments["highway"]) == {"residential", "footway"}
    # the street ends at the edge: 1.0 km of street (lon 1.500 to 1.510) plus a 444.8 m
    # footway at 42.505°N
    km = net.segments["length_m"].sum() / 1000
    assert km == pytest.approx(0.8196 + 0.4448, rel=0.01)


def test_an_export_without_bounds_is_not_cut(tmp_path):
    p = tmp_path / "nobounds.osm"
    p.write_text(EXPORT.replace('<bounds minlat="42.5000" minlon="1.5000" maxlat="42.5100" '
                                'maxlon="1.5100"/>', ""))  # fmt: skip
    ways, nodes = _osm.read_ways(p)
    assert len(ways) == 4 and 4 in set(nodes["osmid"]) and (ways["u"] > 0).all()


def test_an_export_without_roads_or_broken_is_one_clear_error(tmp_path):
    p = tmp_path / "houses.osm"
    p.write_text(EXPORT.replace('k="highway"', 'k="building"'))
    with pytest.raises(NetworkError, match="no roads .*highway"):
        _osm.read_ways(p)
    q = tmp_path / "cut.osm"
    q.write_text(EXPORT[: len(EXPORT) // 2])
    with pytest.raises(InputError, match="cannot be read as OSM XML"):
        _osm.read_ways(q)
    r = tmp_path / "away.osm"
    r.write_text(EXPORT.replace('maxlat="42.5100"', 'maxlat="42.5001"'))
    with pytest.raises(NetworkError, match="no road lies inside"):
        _osm.read_ways(r)


@pytest.fixture(scope="module")
def longgang() -> Path:
    if not LONGGANG.exists():
        pytest.skip(f"real Longgang extract not found at {LONGGANG} (needs ../shared/data)")
    return LONGGANG


def _highway_ways(path: Path) -> tuple[set[int], tuple[float, float, float, float]]:
    """Ids of the file's ways with a highway tag and its bounds, read with the standard
    library."""
    root = ET.parse(path).getroot()
    b = root.find("bounds")
    assert b is not None
    box = tuple(float(b.get(k, "nan")) for k in ("minlon", "minlat", "maxlon", "maxlat"))
    ids = {
        int(w.get("id", "0"))
        for w in root.iter("way")
        if any(t.get("k") == "highway" for t in w.iter("tag"))
    }
    return ids, box  # type: ignore[return-value]


def test_longgang_export_holds_its_roads_inside_its_bounds(longgang):
    ways, nodes = _osm.read_ways(longgang)
    highway_ids, (lon0, lat0, lon1, lat1) = _highway_ways(longgang)
    assert set(ways["osmid"]) <= highway_ids  # buildings, land use, railways are gone
    assert ways["highway"].astype(str).str.len().gt(0).all()
    lon, lat = nodes["x"].to_numpy(), nodes["y"].to_numpy()
    eps = 1e-7
    assert ((lon >= lon0 - eps) & (lon <= lon1 + eps)).all()
    assert ((lat >= lat0 - eps) & (lat <= lat1 + eps)).all()
    net = network_mod.load(longgang, mode="ebike")
    xy = shapely.get_coordinates(net.nodes.to_crs(4326).geometry.values)
    assert np.all((xy[:, 0] >= lon0 - eps) & (xy[:, 0] <= lon1 + eps))
    assert net.report["segments_read"] == len(ways)
    # the export's roads reach out to about 3.3 km beyond the box (lat 22.656 for 22.673)
    assert 80 < net.report["length_km_kept"] < 130
