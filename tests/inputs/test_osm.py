"""inputs._osm: the kind of an OSM source, and roads and POIs from a small OSM XML file
(offline)."""

from __future__ import annotations

import pytest

from planner.core.errors import InputError, InputFileNotFound
from planner.inputs import _osm

TINY = """<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="42.5000" lon="1.5000"/>
  <node id="2" lat="42.5000" lon="1.5100"/>
  <node id="3" lat="42.5090" lon="1.5100">
    <tag k="amenity" v="pharmacy"/><tag k="name" v="Farmàcia"/>
    <tag k="addr:street" v="Carrer Major"/></node>
  <node id="4" lat="42.5050" lon="1.5050"><tag k="amenity" v="bench"/></node>
  <node id="5" lat="42.5060" lon="1.5060"><tag k="shop" v="bakery"/></node>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/>
    <tag k="name" v="Avinguda"/></way>
  <way id="11"><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/>
    <tag k="oneway" v="-1"/></way>
</osm>"""


@pytest.mark.parametrize(
    "source, kind",
    [("andorra.osm.pbf", "pbf"), ("x.osm", "xml"), ("x.osm.bz2", "xml"), ("g.graphml", "graphml"),
     ("Xuhui District, Shanghai", "place"), ("data/hotspots.csv", "unknown")],
)  # fmt: skip
def test_source_kind(source, kind):
    assert _osm.source_kind(source) == kind


def test_pois_from_osm_xml_match_the_tags(tmp_path):
    xml = tmp_path / "tiny.osm"
    xml.write_text(TINY)
    pois = _osm.read_pois(xml, {"amenity": ["pharmacy", "bank"], "shop": True})
    assert pois["id"].tolist() == ["node/3", "node/5"]  # the bench matches no tag
    assert pois["category"].tolist() == ["amenity=pharmacy", "shop=bakery"]
    assert pois["name"].tolist() == ["Farmàcia", ""] and pois["street"].iloc[0] == "Carrer Major"
    assert pois[["lon", "lat"]].iloc[0].tolist() == pytest.approx([1.51, 42.509])
    assert _osm.read_pois(xml, {"tourism": ["hotel"]}).empty
    with pytest.raises(InputError, match="POIs can be read only from .osm.pbf, .osm"):
        _osm.read_pois(tmp_path / "pois.csv", {"shop": True})


def test_ways_from_osm_xml_keep_their_tags(tmp_path):
    xml = tmp_path / "tiny.osm"
    xml.write_text(TINY)
    ways, nodes = _osm.read_ways(xml)
    assert len(ways) == 2 and set(nodes["osmid"]) >= {1, 2, 3}
    named = ways.loc[ways["name"].fillna("") == "Avinguda"].iloc[0]
    assert (named["u"], named["v"], named["highway"]) == (1, 2, "residential")
    flipped = ways.loc[ways["u"] == 3].iloc[0]  # oneway=-1 is drawn the way it may be ridden
    assert (flipped["v"], flipped["oneway"]) == (2, "yes")
    with pytest.raises(InputFileNotFound, match="network file .* does not exist"):
        _osm.read_ways(tmp_path / "nope.osm.pbf")
    with pytest.raises(InputError, match="unknown file type"):
        _osm.read_ways(tmp_path / "roads.csv")


def test_tag_text():
    assert _osm.tag_text(["A", "B"]) == "A;B"
    assert _osm.tag_text(None) == "" and _osm.tag_text(float("nan")) == ""
    assert _osm.tag_text(3) == "3"
