"""inputs.network: speeds and access per mode, the largest strongly connected part, real
extracts (PBF, OSM XML, GraphML) and travel seconds without numpy warnings."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from planner.core.errors import NetworkError
from planner.core.modes import get_mode
from planner.inputs import network as network_mod

from ..conftest import SHARED, make_network

LONGGANG = SHARED / "data" / "shenzhen_longgang_2019.osm"

#: numpy's "invalid value" and "divide by zero" warnings mean a 0 × inf or 0 / 0 somewhere.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


def _ways(**cols):
    n = len(next(iter(cols.values())))
    base = {"highway": ["residential"] * n}
    base.update(cols)
    return pd.DataFrame(base)


def test_ebike_respects_oneway_and_contraflow():
    ways = _ways(
        highway=["residential"] * 4,
        oneway=["yes", "-1", "yes", None],
        **{"oneway:bicycle": [None, None, "no", None]},
    )
    fwd, bwd = network_mod.speeds_kph(ways, get_mode("ebike"))
    assert list(fwd > 0) == [True, False, True, True]
    assert list(bwd > 0) == [False, True, True, True]
    assert fwd[0] == pytest.approx(16.0)


def test_walk_ignores_oneway_and_ebike_pushes_on_footways():
    ways = _ways(
        highway=["residential", "footway", "steps", "motorway"], oneway=["yes", None, None, "yes"]
    )
    fwd, bwd = network_mod.speeds_kph(ways, get_mode("walk"))
    assert (bwd[:3] > 0).all() and fwd[3] == 0 and bwd[3] == 0
    efwd, _ = network_mod.speeds_kph(ways, get_mode("ebike"))
    assert efwd[1] == pytest.approx(5.0)  # pushing speed on a footway
    assert efwd[3] == 0  # motorways are not for e-bikes
    assert efwd.max() <= 25.0


def test_motorroads_are_closed_to_riders_and_walkers_but_not_cars():
    ways = _ways(highway=["trunk", "trunk"], motorroad=["yes", None])
    for mode in ("ebike", "walk"):
        fwd, _ = network_mod.speeds_kph(ways, get_mode(mode))
        assert list(fwd > 0) == [False, True]
    fwd, _ = network_mod.speeds_kph(ways, get_mode("drive"))
    assert (fwd > 0).all()


def test_drive_uses_maxspeed_and_excludes_paths():
    ways = _ways(highway=["primary", "primary", "footway"], maxspeed=["30", "20 mph", None])
    fwd, _ = network_mod.speeds_kph(ways, get_mode("drive"))
    assert fwd[0] == pytest.approx(30.0)
    assert fwd[1] == pytest.approx(20 * 1.609344)
    assert fwd[2] == 0


def test_private_access_is_excluded_unless_granted():
    ways = _ways(access=["private", "private", None], bicycle=[None, "yes", "no"])
    fwd, _ = network_mod.speeds_kph(ways, get_mode("ebike"))
    assert list(fwd > 0) == [False, True, False]


def test_largest_strongly_connected_part_is_kept_and_reported():
    nodes = {1: (0, 0), 2: (100, 0), 3: (200, 0), 10: (0, 500), 11: (100, 500)}
    ways = [
        {"u": 1, "v": 2},
        {"u": 2, "v": 3},
        {"u": 10, "v": 11},  # separate island
        {"u": 3, "v": 10, "oneway": "yes"},
    ]  # one-way link: not strongly connected
    net = make_network(nodes, ways, mode="ebike")
    assert sorted(net.nodes["osmid"]) == [1, 2, 3]
    assert net.report["nodes_dropped"] == 2
    assert net.report["segments_kept"] == 2
    lengths = sorted(net.segments["length_m"])
    assert lengths == pytest.approx([100.0, 100.0])


def test_network_with_nothing_strongly_connected_is_an_error():
    nodes = {1: (0, 0), 2: (100, 0), 3: (200, 0)}
    ways = [{"u": 1, "v": 2, "oneway": "yes"}, {"u": 2, "v": 3, "oneway": "yes"}]
    with pytest.raises(NetworkError, match="fewer than two connected nodes"):
        make_network(nodes, ways, mode="ebike")


def test_network_with_no_usable_road_is_an_error():
    nodes = {1: (0, 0), 2: (100, 0)}
    with pytest.raises(NetworkError, match="usable") as err:
        make_network(nodes, [{"u": 1, "v": 2, "highway": "motorway"}], mode="walk")
    assert str(err.value) == (
        "network 'hand-built': none of its 1 roads is usable in mode 'walk'; try another mode "
        "(ebike, walk, drive)"
    )


def test_zero_length_one_way_piece_is_timed_without_warnings():
    """Two OSM nodes on one spot joined by a one-way piece: 0 s forward, no way back, and
    no 0 / 0 on the way (that division warned "invalid value encountered in divide")."""
    nodes = {1: (0, 0), 2: (100, 0), 3: (100, 0), 4: (0, 100)}
    ways = [{"u": 1, "v": 2}, {"u": 2, "v": 3, "oneway": "yes"}, {"u": 3, "v": 4}, {"u": 4, "v": 1}]
    net = make_network(nodes, ways, mode="ebike")
    seg = net.segments
    zero = seg.loc[seg["length_m"] == 0]
    assert len(zero) == 1 and zero["fwd_s"].iloc[0] == 0.0 and np.isinf(zero["bwd_s"].iloc[0])
    assert np.isfinite(seg.loc[seg["length_m"] > 0, ["fwd_s", "bwd_s"]].to_numpy()).all()


def test_travel_seconds_by_hand():
    got = network_mod.travel_seconds(np.array([360.0, 0.0, 0.0, 100.0]), np.array([3.6, 0, 18, 0]))
    assert got.tolist() == [360.0, np.inf, 0.0, np.inf]


@pytest.mark.parametrize("name", ["andorra_2020-04.osm.pbf", "shenzhen_longgang_2019.osm"])
def test_real_extracts_load_without_numpy_warnings(name):
    path = SHARED / "data" / name
    if not path.exists():
        pytest.skip(f"real extract not found at {path} (needs ../shared/data)")
    net = network_mod.load(path, mode="ebike")
    seg = net.segments
    assert not seg[["length_m", "fwd_s", "bwd_s"]].isna().any().any()
    assert (np.isfinite(seg["fwd_s"]) | np.isfinite(seg["bwd_s"])).all()
    assert (seg["length_m"] >= 0).all() and net.report["segments_kept"] == len(seg)


def test_real_extract_loads(helsinki_walk):
    net = helsinki_walk
    assert net.crs.is_projected and "32635" in net.crs.to_string()  # UTM 35N for Helsinki
    assert net.n_nodes > 3000
    seg = net.segments
    assert (seg["length_m"] > 0).mean() > 0.99
    assert np.isfinite(seg["fwd_s"]).all() and np.isfinite(seg["bwd_s"]).all()  # walking
    # edges are consistent with lengths and the walking speed
    e = net.edges()
    assert (e["travel_time_s"] >= e["length_m"] / (4.8 / 3.6) - 1e-9).all()
    steps = e.merge(seg[["highway"]], left_on="segment", right_index=True)
    st = steps[steps["highway"] == "steps"]
    assert np.allclose(st["travel_time_s"], st["length_m"] / (2.5 / 3.6))


def test_osm_xml_and_graphml_load_offline(tmp_path):
    xml = tmp_path / "tiny.osm"
    xml.write_text("""<?xml version='1.0' encoding='UTF-8'?>
<osm version="0.6">
  <node id="1" lat="42.5000" lon="1.5000"/>
  <node id="2" lat="42.5000" lon="1.5100"/>
  <node id="3" lat="42.5090" lon="1.5100"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><tag k="highway" v="residential"/></way>
  <way id="11"><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/>
    <tag k="oneway" v="-1"/></way>
  <way id="12"><nd ref="3"/><nd ref="1"/><tag k="highway" v="residential"/></way>
</osm>""")
    net = network_mod.load(xml, mode="ebike")
    assert net.n_nodes == 3
    seg = net.segments
    one = seg[np.isinf(seg["fwd_s"]) | np.isinf(seg["bwd_s"])]
    assert len(one) == 1  # way 11 is one-way, from node 3 to node 2
    osmid = net.nodes["osmid"].to_numpy()
    row = one.iloc[0]
    allowed_from = osmid[row["u"]] if np.isfinite(row["fwd_s"]) else osmid[row["v"]]
    assert allowed_from == 3

    import osmnx as ox

    g = net.to_networkx()
    assert g.number_of_edges() == 5
    # save an osmnx graph to GraphML and read it back
    gx = ox.graph_from_xml(xml, simplify=False, retain_all=True)
    path = tmp_path / "tiny.graphml"
    ox.io.save_graphml(gx, path)
    walk = network_mod.load(path, mode="walk")
    assert walk.n_nodes == 3 and len(walk.segments) == 3
    assert np.isfinite(walk.segments[["fwd_s", "bwd_s"]].to_numpy()).all()
    ride = network_mod.load(path, mode="ebike")
    assert len(ride.segments) == 3
    assert (~np.isfinite(ride.segments[["fwd_s", "bwd_s"]].to_numpy())).sum() == 1


def test_empty_network_file_is_a_clear_error(tmp_path):
    from planner.core.errors import InputError

    f = tmp_path / "empty.osm.pbf"
    f.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        network_mod.load(f)
    g = tmp_path / "nothing.osm"
    g.write_text("<?xml version='1.0' encoding='UTF-8'?><osm version='0.6'></osm>")
    with pytest.raises((NetworkError, InputError)):
        network_mod.load(g)


def _two_grids(size_b: int):
    """A 4 × 4 grid of streets 200 m apart, and 3 km east a ``size_b × size_b`` one."""
    nodes, ways = {}, []
    for first, x0, size in ((1, 0.0, 4), (101, 3000.0, size_b)):
        for i in range(size):
            for j in range(size):
                n = first + i * size + j
                nodes[n] = (x0 + i * 200.0, j * 200.0)
                if i + 1 < size:
                    ways.append({"u": n, "v": n + size})
                if j + 1 < size:
                    ways.append({"u": n, "v": n + 1})
    return nodes, ways


def test_every_part_above_the_floor_is_kept_with_its_part_id():
    nodes, ways = _two_grids(2)  # the second: 4 nodes, 0.8 km of road
    net = make_network(nodes, ways, mode="ebike")
    assert net.report["parts_kept"] == 2 and net.report["nodes_dropped"] == 0
    part = net.nodes.set_index("osmid")["part"]
    assert part[1] == 0 and part[101] == 1  # the largest part is part 0
    assert set(net.segments["part"]) == {0, 1}


def test_a_part_under_both_floors_is_dropped_and_counted():
    nodes, ways = _two_grids(2)
    net = make_network(nodes, ways, mode="ebike", min_part_nodes=5, min_part_km=1.0)
    assert net.report["parts_kept"] == 1 and net.report["parts_dropped"] == 1
    assert net.report["nodes_dropped"] == 4
    assert net.report["length_km_dropped"] == pytest.approx(0.8)
    # either floor keeps it: 4 nodes, or 0.8 km
    assert make_network(nodes, ways, mode="ebike", min_part_nodes=4)
    kept = make_network(nodes, ways, mode="ebike", min_part_nodes=5, min_part_km=0.8)
    assert kept.report["parts_kept"] == 2


@pytest.mark.parametrize(
    ("nodes", "km", "field"),
    [
        (-1, 0.5, "min_part_nodes"),
        ("2.5", 0.5, "min_part_nodes"),
        (20, "x", "min_part_km"),
        (20, float("nan"), "min_part_km"),
    ],
)
def test_a_bad_floor_names_its_option(nodes, km, field):
    from planner.core.errors import FieldError

    grid, ways = _two_grids(2)
    with pytest.raises(FieldError) as err:
        make_network(grid, ways, mode="ebike", min_part_nodes=nodes, min_part_km=km)
    assert err.value.field == field


def test_a_network_for_cars_warns_riders_and_walkers_but_not_drivers():
    nodes = {1: (0, 0), 2: (100, 0), 3: (200, 0)}
    ways = [{"u": 1, "v": 2, "highway": "primary"}, {"u": 2, "v": 3, "highway": "secondary"}]
    ebike = make_network(nodes, ways, mode="ebike")
    (text,) = ebike.report["warnings"]
    assert "pavements and non-motorised lanes" in text and 'oneway = "ignore"' in text
    (walk,) = make_network(nodes, ways, mode="walk").report["warnings"]
    assert "oneway" not in walk and "full network" in walk  # walking ignores one-ways
    assert make_network(nodes, ways, mode="drive").report["warnings"] == []
    with_path = [*ways, {"u": 3, "v": 1, "highway": "footway"}]
    assert make_network(nodes, with_path, mode="ebike").report["warnings"] == []


@pytest.mark.skipif(not LONGGANG.exists(), reason=f"{LONGGANG} not present")
def test_the_full_longgang_export_has_the_ways_riders_use():
    net = network_mod.load(LONGGANG, mode="ebike")
    assert net.report["warnings"] == []
    assert net.report["parts_kept"] >= 1


def test_a_drive_graphml_in_ebike_mode_warns_in_the_log(tmp_path, caplog):
    import networkx as nx
    import osmnx as ox

    g = nx.MultiDiGraph(crs="epsg:4326")
    for n, (x, y) in {1: (1.52, 42.51), 2: (1.521, 42.51), 3: (1.521, 42.511)}.items():
        g.add_node(n, x=x, y=y)
    for k, (u, v) in enumerate([(1, 2), (2, 3), (3, 1)]):  # a one-way carriageway loop
        g.add_edge(u, v, osmid=10 + k, highway="primary", oneway=True, length=100.0)
    path = tmp_path / "drive.graphml"
    ox.save_graphml(g, path)
    with caplog.at_level("WARNING", logger="planner"):
        net = network_mod.load(path, mode="ebike")
    (text,) = net.report["warnings"]
    assert text in caplog.text
    assert network_mod.load(path, mode="drive").report["warnings"] == []
