from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.analysis import travel

from ..conftest import make_network, xy
from .conftest import real_snaps

#: numpy's "invalid value" and "divide by zero" warnings mean a 0 × inf or 0 / 0 somewhere.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

WALK = 4.8 / 3.6  # m/s
RIDE = 16.0 / 3.6  # residential e-bike speed, m/s


def _times(net, stations, hotspots, limit=10_000.0):
    s = travel.snap(net, xy(*stations), np.array([f"S{i}" for i in range(len(stations))]))
    h = travel.snap(net, xy(*hotspots), np.array([f"H{i}" for i in range(len(hotspots))]))
    tt = travel.compute(net, s, h, limit_s=limit, keep_node_times=True)
    return tt, s, h


def line():
    nodes = {1: (0, 0), 2: (1000, 0), 3: (2000, 0)}
    return make_network(nodes, [{"u": 1, "v": 2}, {"u": 2, "v": 3}], mode="walk")


def ring():
    nodes = {1: (0, 0), 2: (1000, 0), 3: (1000, 1000), 4: (0, 1000)}
    ways = [{"u": a, "v": b, "oneway": "yes"} for a, b in ((1, 2), (2, 3), (3, 4), (4, 1))]
    return make_network(nodes, ways, mode="ebike")


def test_snap_onto_edge_interior():
    net = line()
    s = travel.snap(net, xy((500, 10), (1500, -30)), np.array(["a", "b"]))
    assert s.distance_m == pytest.approx([10.0, 30.0])
    assert s.access_s == pytest.approx([10.0 / WALK, 30.0 / WALK])
    segs = net.segments
    first = segs.iloc[s.segment[0]]
    assert {net.nodes["osmid"][first["u"]], net.nodes["osmid"][first["v"]]} == {1, 2}
    assert s.fraction[0] == pytest.approx(0.5)
    assert s.snapped_xy[0] == pytest.approx(xy((500, 0))[0])


def test_times_on_a_line_by_hand():
    net = line()
    tt, _, _ = _times(net, [(2000, 0)], [(500, 10), (1999, 0)])
    t = tt.seconds.toarray()[0]
    assert t[0] == pytest.approx(1500 / WALK + 10 / WALK)
    assert t[1] == pytest.approx(1 / WALK)
    # node times include the station's (zero) access leg: node 1 is 2000 m away
    node1 = int(np.flatnonzero(net.nodes["osmid"].to_numpy() == 1)[0])
    assert tt.node_seconds.toarray()[0, node1] == pytest.approx(2000 / WALK)


def test_limit_keeps_only_pairs_within():
    net = line()
    tt, _, _ = _times(net, [(2000, 0)], [(500, 10), (1900, 0)], limit=1000.0)
    assert tt.seconds.nnz == 1
    assert tt.pairs()["target_id"].tolist() == ["H1"]


def test_same_segment_direct_ride():
    net = line()
    tt, _, _ = _times(net, [(700, 0)], [(200, 0)])
    assert tt.seconds.toarray()[0, 0] == pytest.approx(500 / WALK)


def test_one_way_ring_proves_rider_to_station_direction():
    net = ring()
    # hotspot on 1->2, station on 4->1: the rider must go round 2, 3, 4
    tt, _, _ = _times(net, [(-5, 500)], [(500, -5)])
    expected = (500 + 1000 + 1000 + 500) / RIDE + 2 * 5 / WALK
    assert tt.seconds.toarray()[0, 0] == pytest.approx(expected)
    # the other way round (station to hotspot) would be only 1000 m
    assert tt.seconds.toarray()[0, 0] > 2000 / RIDE


def test_one_way_same_segment_behind_goes_round():
    net = ring()
    tt, _, _ = _times(net, [(300, 0), (700, 0)], [(700, 0), (300, 0)])
    t = tt.seconds.toarray()
    assert t[1, 1] == pytest.approx(400 / RIDE)  # hotspot at 300 rides ahead to 700
    assert t[0, 0] == pytest.approx((300 + 3000 + 300) / RIDE)  # must go round the block


def test_excluded_points_get_no_times():
    net = line()
    s = travel.snap(net, xy((1000, 5000)), np.array(["far"]), max_distance_m=1000)
    assert s.excluded.all() and s.segment[0] == -1
    h = travel.snap(net, xy((500, 0)), np.array(["h"]))
    tt = travel.compute(net, s, h, limit_s=1e6)
    assert tt.seconds.nnz == 0


def _split_graph(net, pts_seg):
    """networkx graph with every point inserted into its segment as a node of its own."""
    g = nx.DiGraph()
    seg = net.segments
    by_seg: dict[int, list[tuple[float, str]]] = {}
    for name, (k, f) in pts_seg.items():
        by_seg.setdefault(k, []).append((f, name))
    for k, row in enumerate(seg.itertuples()):
        chain = [(0.0, row.u)] + sorted(by_seg.get(k, [])) + [(1.0, row.v)]
        for (f1, a), (f2, b) in zip(chain, chain[1:], strict=False):
            if f1 == f2:  # the same place: no ride needed either way
                g.add_edge(a, b, w=0.0)
                g.add_edge(b, a, w=0.0)
                continue
            if np.isfinite(row.fwd_s):
                w = (f2 - f1) * row.fwd_s
                if not g.has_edge(a, b) or g[a][b]["w"] > w:
                    g.add_edge(a, b, w=w)
            if np.isfinite(row.bwd_s):
                w = (f2 - f1) * row.bwd_s
                if not g.has_edge(b, a) or g[b][a]["w"] > w:
                    g.add_edge(b, a, w=w)
    return g


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_times_match_networkx_on_random_graphs(data):
    n = data.draw(st.integers(4, 9))
    coords = data.draw(
        st.lists(
            st.tuples(st.integers(0, 20), st.integers(0, 20)), min_size=n, max_size=n, unique=True
        )
    )
    nodes = {i + 1: (x * 100.0, y * 100.0) for i, (x, y) in enumerate(coords)}
    pairs = data.draw(
        st.lists(
            st.tuples(st.integers(1, n), st.integers(1, n)), min_size=n, max_size=3 * n, unique=True
        )
    )
    ways = []
    seen = set()
    for a, b in pairs:
        if a == b or (min(a, b), max(a, b)) in seen:
            continue
        seen.add((min(a, b), max(a, b)))
        ways.append(
            {
                "u": a,
                "v": b,
                "oneway": data.draw(st.sampled_from(["yes", "no", "-1"])),
                "highway": data.draw(st.sampled_from(["residential", "primary", "footway"])),
            }
        )
    if not ways:
        return
    try:
        net = make_network(nodes, ways, mode="ebike")
    except Exception:  # nothing strongly connected
        return
    k = data.draw(st.integers(1, 4))
    pts = [
        (data.draw(st.floats(-100, 2100)), data.draw(st.floats(-100, 2100))) for _ in range(2 * k)
    ]
    tt, s, h = _times(net, pts[:k], pts[k:], limit=1e9)
    names = {f"S{i}": (int(s.segment[i]), float(s.fraction[i])) for i in range(k)}
    names.update({f"H{j}": (int(h.segment[j]), float(h.fraction[j])) for j in range(k)})
    g = _split_graph(net, names)
    got = tt.seconds.toarray()
    stored = tt.seconds.tocoo()
    present = np.zeros(got.shape, dtype=bool)
    present[stored.row, stored.col] = True
    for i in range(k):
        if s.excluded[i]:
            assert not present[i].any()
            continue
        dist = nx.single_source_dijkstra_path_length(g.reverse(copy=False), f"S{i}", weight="w")
        for j in range(k):
            if f"H{j}" in dist:
                want = dist[f"H{j}"] + s.access_s[i] + h.access_s[j]
                assert present[i, j]
                assert got[i, j] == pytest.approx(want, abs=1e-6)
            else:
                assert not present[i, j]


def test_node_times_match_networkx_on_real_extract(helsinki_pbf):
    from planner.inputs import network as network_mod

    net = network_mod.load(helsinki_pbf, mode="ebike")
    g = net.to_networkx()
    rng = np.random.default_rng(7)
    picks = rng.choice(net.n_nodes, size=5, replace=False)
    pts = np.array([net.nodes.geometry.iloc[p].coords[0] for p in picks])
    s = travel.snap(net, pts, np.array([f"S{i}" for i in range(5)]))
    h = travel.snap(net, pts[:1], np.array(["H0"]))
    tt = travel.compute(net, s, h, limit_s=600.0, keep_node_times=True)
    gd = nx.DiGraph()
    for u, v, d in g.edges(data=True):
        if not gd.has_edge(v, u) or gd[v][u]["w"] > d["travel_time"]:
            gd.add_edge(v, u, w=d["travel_time"])  # reversed: search from the station
    for i, p in enumerate(picks):
        want = nx.single_source_dijkstra_path_length(gd, int(p), cutoff=600.0, weight="w")
        reach = tt.node_seconds.tocsr()[i]
        got = dict(zip(reach.indices.tolist(), reach.data.tolist(), strict=True))
        assert set(got) == set(want)
        assert max(abs(got[j] - want[j]) for j in want) < 1e-6


def test_snap_report_uses_the_points_own_warning_distance():
    """A point 150 m from the road is "far" when the warning distance is 100 m, "ok" at the
    default 300 m; the subset of a snap keeps its warning distance."""
    net = line()
    pts, ids = xy((500, 150), (1500, 20)), np.array(["far", "near"])
    strict = travel.snap(net, pts, ids, warn_distance_m=100.0)
    assert strict.report(net, role="hotspot")["status"].tolist() == ["far", "ok"]
    assert strict.subset(np.array([0])).report(net)["status"].tolist() == ["far"]
    default = travel.snap(net, pts, ids)
    assert default.report(net)["status"].tolist() == ["ok", "ok"]
    lenient = travel.snap(net, pts, ids, warn_distance_m=10.0)
    assert lenient.report(net)["status"].tolist() == ["far", "far"]


def test_station_on_the_hotspot_of_a_one_way_segment_is_zero_seconds():
    """Both points at one spot of a one-way segment: 0 s, though the segment cannot be
    ridden backwards (no 0 × inf on the way)."""
    net = ring()
    tt, s, h = _times(net, [(400, 0), (0, 300)], [(400, 0), (0, 300)])
    t = tt.seconds.toarray()
    assert t[0, 0] == 0.0 and t[1, 1] == 0.0
    assert t[0, 1] == pytest.approx((300 + 400) / RIDE)  # via node 1
    assert t[1, 0] == pytest.approx((600 + 1000 + 1000 + 700) / RIDE)  # round the block


def test_times_on_a_real_extract(real_ebike):
    """Snapping, reports and travel times on a real network: every stored time is within
    the limit and no numpy warning is raised (module mark)."""
    net = real_ebike
    s, h = real_snaps(net)
    report = s.report(net, role="station")
    assert set(report["status"]) <= {"ok", "far", "excluded"}
    tt = travel.compute(net, s, h, limit_s=900.0, keep_node_times=True, batch_size=5)
    assert tt.seconds.nnz > 0 and (tt.seconds.data <= 900.0).all()
    assert tt.node_seconds is not None and (tt.node_seconds.data <= 900.0).all()
    whole = travel.compute(net, s, h, limit_s=900.0)
    assert (whole.seconds != tt.seconds).nnz == 0  # batches do not change the answer


def test_batches_are_sized_by_what_they_hold():
    """A batch of Dijkstra rows holds its seconds over the graph and to every target (three
    arrays of them): with far more hotspots than nodes the targets decide the batch."""
    nodes_only = travel.batch_size_for(100_000, 0)
    assert nodes_only == travel.BATCH_BYTES // (8 * 100_000)
    many_targets = travel.batch_size_for(100_000, 1_000_000)
    assert 8 * many_targets * (100_000 + 3 * 1_000_000) <= travel.BATCH_BYTES
    assert many_targets < nodes_only
    assert travel.batch_size_for(100_000, 10**9) == 1 and travel.batch_size_for(1, 0) == 512
