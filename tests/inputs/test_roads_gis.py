"""Road networks from a district's own GIS line layer (GeoPackage, Shapefile, GeoJSON)."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from planner.cli import FLAGS, main
from planner.core.errors import InputError, InputFileNotFound, NetworkError
from planner.inputs import network as network_mod
from planner.inputs import roads_gis

from ..conftest import SHARED

#: CGCS2000 / 3-degree Gauss-Kruger CM 114E: a projected CRS of Shenzhen planning data.
GK114 = "EPSG:4547"
X0, Y0 = 490_000.0, 2_510_000.0


def layer(tmp_path: Path, lines: list[list[tuple[float, float]]], name: str = "roads.gpkg",
          crs: str | None = GK114, **columns: list) -> Path:  # fmt: skip
    """A line layer of ``lines`` (metres from X0, Y0 in ``GK114``) with ``columns``."""
    geoms = [shapely.LineString([(X0 + x, Y0 + y) for x, y in line]) for line in lines]
    gdf = gpd.GeoDataFrame(dict(columns), geometry=geoms, crs=GK114)
    if crs is not None and crs != GK114:
        gdf = gdf.to_crs(crs)
    if crs is None:
        gdf = gdf.set_crs(None, allow_override=True)
    p = tmp_path / name
    gdf.to_file(p, engine="pyogrio")
    return p


def test_ends_half_a_metre_apart_join(tmp_path):
    p = layer(tmp_path, [[(0, 0), (100, 0)], [(100.5, 0), (200, 0)]], highway=["residential"] * 2)
    net = network_mod.load(p, mode="ebike")
    assert net.n_nodes == 3 and len(net.segments) == 2
    assert net.report["components"] == 1
    assert net.report["layer"]["gaps"] == 0 and net.report["layer"]["dangling_ends"] == 2
    assert net.crs.to_epsg() == 4547  # a layer in metres keeps its CRS
    assert net.segments["length_m"].sum() == pytest.approx(200.0, abs=0.6)


def test_ends_three_metres_apart_are_a_gap(tmp_path):
    p = layer(tmp_path, [[(0, 0), (100, 0)], [(103, 0), (200, 0)]], highway=["residential"] * 2)
    roads = roads_gis.read_roads(p)
    assert len(roads.nodes) == 4 and roads.counts["gaps"] == 2
    assert any(t.startswith("2 line ends lie 1 to 5 m from another line") for t in roads.warnings)
    joined = roads_gis.read_roads(p, snap_ends_m=4)
    assert len(joined.nodes) == 3 and joined.counts["gaps"] == 0


def test_an_end_short_of_a_road_joins_it_where_it_stops(tmp_path):
    # a side street stopping 0.6 m short of the middle of a main road (no vertex there)
    p = layer(tmp_path, [[(0, 0), (200, 0)], [(80, -50), (80, -0.6)]])
    roads = roads_gis.read_roads(p)
    assert len(roads.ways) == 3 and len(roads.nodes) == 4
    junction = roads.nodes.loc[np.hypot(roads.nodes["x"] - X0 - 80, roads.nodes["y"] - Y0) < 1e-6]
    assert len(junction) == 1
    assert roads.counts["dangling_ends"] == 3 and roads.counts["gaps"] == 0
    # with no tolerance, an end drawn onto the road still joins it; one short of it does not
    on = layer(tmp_path, [[(0, 0), (200, 0)], [(80, -50), (80, 0)]], name="on.gpkg")
    drawn_on = roads_gis.read_roads(on, snap_ends_m=0)
    assert len(drawn_on.ways) == 3 and drawn_on.counts["dangling_ends"] == 3
    short = roads_gis.read_roads(p, snap_ends_m="0")
    assert len(short.ways) == 2 and short.counts["dangling_ends"] == 4


def test_crossings_without_a_node_are_counted_and_shared_vertices_join(tmp_path):
    bridge = layer(tmp_path, [[(0, 0), (100, 0)], [(50, -50), (50, 50)]], name="bridge.gpkg")
    roads = roads_gis.read_roads(bridge)
    assert roads.counts["crossings_without_node"] == 1 and len(roads.nodes) == 4
    assert any(t.startswith("1 crossings without a node") for t in roads.warnings)
    net = network_mod.load(bridge, mode="walk")
    assert net.n_nodes == 2  # no turn from one road to the other: two parts, one kept
    crossing = layer(
        tmp_path, [[(0, 0), (50, 0), (100, 0)], [(50, -50), (50, 0), (50, 50)]], name="x.gpkg"
    )
    roads = roads_gis.read_roads(crossing)
    assert roads.counts["crossings_without_node"] == 0 and len(roads.nodes) == 5
    assert len(roads.ways) == 4 and roads.counts["dangling_ends"] == 4


def test_interior_vertices_are_not_nodes(tmp_path):
    p = layer(tmp_path, [[(0, 0), (30, 10), (60, 0), (100, 0)], [(100, 0), (100, 80)]])
    roads = roads_gis.read_roads(p)
    assert len(roads.nodes) == 3 and len(roads.ways) == 2
    assert shapely.get_num_coordinates(roads.ways["geometry"].to_numpy()).tolist() == [4, 2]
    assert roads.counts["dangling_ends"] == 2


def test_multilines_are_split_into_their_lines(tmp_path):
    geoms = [shapely.MultiLineString([[(X0, Y0), (X0 + 100, Y0)], [(X0 + 100, Y0),
                                      (X0 + 100, Y0 + 100)]])]  # fmt: skip
    p = tmp_path / "multi.geojson"
    gpd.GeoDataFrame({"highway": ["service"]}, geometry=geoms, crs=GK114).to_file(p)
    net = network_mod.load(p, mode="walk")
    assert net.n_nodes == 3 and len(net.segments) == 2


def test_the_oneway_column_is_respected(tmp_path):
    # a loop A(0,0) -> B(100,0) -> C(100,100) -> A: A-B one-way as drawn, B-C drawn from C
    # to B and one-way against its drawing, C-A both ways
    lines = [[(0, 0), (100, 0)], [(100, 100), (100, 0)], [(100, 100), (0, 0)]]
    p = layer(tmp_path, lines, highway=["residential"] * 3, dir=["yes", "-1", None])
    net = network_mod.load(p, mode="ebike", oneway_column="dir")
    assert net.n_nodes == 3 and len(net.segments) == 3
    seg = net.segments.sort_values("length_m", kind="stable").reset_index(drop=True)
    start = np.round(shapely.get_coordinates(shapely.get_point(seg.geometry.values, 0)) - [X0, Y0])
    assert start[:2].tolist() == [[0, 0], [100, 100]]  # drawn as in the layer
    assert np.isfinite(seg.loc[0, "fwd_s"]) and np.isinf(seg.loc[0, "bwd_s"])  # yes
    assert np.isinf(seg.loc[1, "fwd_s"]) and np.isfinite(seg.loc[1, "bwd_s"])  # -1
    assert np.isfinite(seg.loc[2, ["fwd_s", "bwd_s"]].to_numpy(dtype=float)).all()  # blank
    walk = network_mod.load(p, mode="walk", oneway_column="dir")
    assert np.isfinite(walk.segments[["fwd_s", "bwd_s"]].to_numpy()).all()
    bad = layer(tmp_path, lines, name="bad.gpkg", dir=["yes", "sometimes", "1"])
    with pytest.raises(InputError, match=r"1 lines have values .*'sometimes'") as err:
        network_mod.load(bad, oneway_column="dir")
    assert err.value.render(FLAGS).startswith("--oneway-column 'dir' of network file")


def test_road_classes_speeds_and_chinese_names(tmp_path):
    lines = [[(0, 0), (360, 0)], [(360, 0), (720, 0)], [(720, 0), (1080, 0)],
             [(1080, 0), (1440, 0)]]  # fmt: skip
    p = layer(tmp_path, lines, 等级=["支路", "快速路", "lane", "residential"],
              kmh=[10.0, None, 0.0, 60.0])  # fmt: skip
    roads = roads_gis.read_roads(p, road_class_column="等级")
    assert roads.ways["highway"].tolist() == ["tertiary", "trunk", "road", "residential"]
    assert roads.ways["motorroad"].tolist() == ["", "yes", "", ""]
    assert any(t.startswith("1 lines have a road class") and "'lane'" in t for t in roads.warnings)
    drive = network_mod.load(p, mode="drive", road_class_column="等级", speed_column="kmh")
    seconds = dict(zip(drive.segments["highway"], drive.segments["fwd_s"], strict=True))
    assert seconds["tertiary"] == pytest.approx(360 / (10 / 3.6), rel=1e-3)  # the column's 10
    assert seconds["trunk"] == pytest.approx(360 / (80 / 3.6), rel=1e-3)  # blank: the class's
    assert seconds["road"] == pytest.approx(360 / (30 / 3.6), rel=1e-3)  # 0: the class's
    ride = network_mod.load(p, mode="ebike", road_class_column="等级", speed_column="kmh")
    assert "trunk" not in set(ride.segments["highway"])  # 快速路 is closed to e-bikes
    assert ride.n_nodes == 3  # the part beyond the expressway, the longer one, is kept
    fast = ride.segments.loc[ride.segments["highway"] == "residential", "fwd_s"].iloc[0]
    assert fast == pytest.approx(360 / (25 / 3.6), rel=1e-3)  # 60 km/h, capped at 25
    slow = layer(tmp_path, lines[:1], name="s.gpkg", highway=["residential"], kmh=["fast"])
    with pytest.raises(InputError, match="speed that is not km/h .*'fast'"):
        network_mod.load(slow, speed_column="kmh")


def test_a_layer_without_a_class_column_is_all_roads(tmp_path):
    # two lines crossing at a shared vertex: four pieces, two lines
    p = layer(tmp_path, [[(0, 0), (50, 0), (100, 0)], [(50, -50), (50, 0), (50, 50)]],
              kind=["x", "y"])  # fmt: skip
    roads = roads_gis.read_roads(p)
    assert roads.ways["highway"].tolist() == ["road"] * 4
    assert any(t.startswith("no road class column: all 2 lines") for t in roads.warnings)
    unknown = roads_gis.read_roads(p, road_class_column="kind")
    assert any(t.startswith("2 lines have a road class") for t in unknown.warnings)


def test_a_shapefile_with_its_prj_in_a_projected_crs(tmp_path):
    p = layer(tmp_path, [[(0, 0), (0, 400)], [(0, 400), (300, 400)]], name="roads.shp",
              highway=["primary", "secondary"])  # fmt: skip
    assert p.with_suffix(".prj").exists()
    net = network_mod.load(p, mode="ebike")
    assert net.crs.to_epsg() == 4547 and net.n_nodes == 3
    assert net.segments["length_m"].sum() == pytest.approx(700.0)
    xy = net.nodes.to_crs(4326).geometry
    assert 113.8 < xy.x.mean() < 114.0 and 22.6 < xy.y.mean() < 22.8


def test_a_geographic_cgcs2000_layer_is_projected_to_utm(tmp_path):
    p = layer(tmp_path, [[(0, 0), (0, 400)], [(0, 400), (300, 400)]], crs="EPSG:4490")
    net = network_mod.load(p, mode="walk")
    assert net.crs.to_epsg() == 32649 and net.crs.is_projected  # UTM 49N holds 113.9°E
    assert net.segments["length_m"].sum() == pytest.approx(700.0, rel=2e-3)


@pytest.mark.filterwarnings("ignore:'crs' was not provided")
def test_a_layer_without_crs_needs_network_crs(tmp_path):
    p = layer(tmp_path, [[(0, 0), (0, 400)]], name="nocrs.shp", crs=None)
    p.with_suffix(".prj").unlink(missing_ok=True)
    with pytest.raises(InputError, match="states no coordinate system") as err:
        network_mod.load(p)
    assert "give it with --network-crs" in err.value.render(FLAGS)
    net = network_mod.load(p, mode="walk", network_crs=GK114)
    assert net.crs.to_epsg() == 4547
    other = layer(tmp_path, [[(0, 0), (0, 400)]], name="gk.gpkg")
    with pytest.raises(InputError, match="differs from the coordinate system"):
        network_mod.load(other, network_crs="EPSG:4326")


def test_bad_layers_and_options_are_one_clear_error(tmp_path):
    p = layer(tmp_path, [[(0, 0), (0, 400)]], highway=["primary"], 名称=["龙岗大道"])
    with pytest.raises(InputError) as err:
        network_mod.load(p, road_class_column="class")
    assert err.value.render(FLAGS) == (
        f"--road-class-column 'class': network file {str(p)!r} has no such column; its "
        "columns are highway, 名称"
    )
    assert roads_gis.read_roads(p).ways["name"].tolist() == ["龙岗大道"]
    with pytest.raises(InputError, match="not a distance"):
        network_mod.load(p, snap_ends_m="-1")
    squares = tmp_path / "blocks.gpkg"
    gpd.GeoDataFrame(geometry=[shapely.box(X0, Y0, X0 + 9, Y0 + 9)], crs=GK114).to_file(squares)
    with pytest.raises(NetworkError, match="holds no road lines .*Polygon"):
        network_mod.load(squares)
    with pytest.raises(InputFileNotFound, match="does not exist"):
        network_mod.load("roads.gpkg")  # never taken for a place name
    junk = tmp_path / "junk.geojson"
    junk.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(InputError, match="cannot be read as a GIS layer"):
        network_mod.load(junk)
    pbf = tmp_path / "x.osm.pbf"
    pbf.write_bytes(b"not read")
    with pytest.raises(InputError, match="is for a GIS line layer") as err:
        network_mod.load(pbf, road_class_column="class")
    assert err.value.render(FLAGS).startswith("--road-class-column is for a GIS line layer")


def test_the_cli_reads_a_gis_network_and_reports_its_flaws(tmp_path):
    lines = [[(0, 0), (1000, 0)], [(1000, 0), (1000, 1000)], [(1003, 1000), (2000, 1000)],
             [(500, -500), (500, 500)]]  # fmt: skip
    p = layer(tmp_path, lines, 等级=["主干路", "次干路", "支路", "支路"], crs="EPSG:4490")
    lonlat = gpd.GeoSeries(shapely.points([(X0 + 900, Y0 + 10), (X0 + 990, Y0 + 900)]),
                           crs=GK114).to_crs(4326)  # fmt: skip
    (tmp_path / "h.csv").write_text(
        "lon,lat,weight\n" + "".join(f"{q.x},{q.y},1\n" for q in lonlat)
    )
    (tmp_path / "s.csv").write_text(f"id,name,lon,lat\ns1,One,{lonlat[0].x},{lonlat[0].y}\n")
    out = tmp_path / "out"
    args = ["score", "--network", str(p), "--hotspots", str(tmp_path / "h.csv"),
            "--stations", str(tmp_path / "s.csv"), "--out", str(out), "-q"]  # fmt: skip
    bad = CliRunner().invoke(main, [*args, "--road-class-column", "class"])
    assert bad.exit_code == 2
    last = bad.output.strip().splitlines()[-1]
    assert last.startswith("error: --road-class-column 'class': network file")
    ok = CliRunner().invoke(main, [*args, "--road-class-column", "等级", "--snap-ends-m", "1"])
    assert ok.exit_code == 0, ok.output
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    warnings = summary["network"]["warnings"]
    assert any(w.startswith("2 line ends lie 1 to 5 m") for w in warnings)
    assert any(w.startswith("1 crossings without a node") for w in warnings)
    assert summary["network"]["layer"]["dangling_ends"] == 6
    assert summary["inputs"]["road_class_column"] == "等级"  # how the layer was read
    assert summary["inputs"]["snap_ends_m"] == "1"


# --------------------------------------------------------------------------- Longgang

LONGGANG = SHARED / "data" / "shenzhen_longgang_2019.osm"


@pytest.fixture(scope="module")
def longgang_ride() -> network_mod.Network:
    if not LONGGANG.exists():
        pytest.skip(f"real Longgang extract not found at {LONGGANG} (needs ../shared/data)")
    return network_mod.load(LONGGANG, mode="ebike")


def _export(net: network_mod.Network, path: Path) -> Path:
    """The network's road segments as a CGCS2000 line layer: class, one-way rule, speed."""
    s = net.segments
    fwd, bwd = np.isfinite(s["fwd_s"]).to_numpy(), np.isfinite(s["bwd_s"]).to_numpy()
    seconds = np.where(fwd, s["fwd_s"], s["bwd_s"])
    gdf = gpd.GeoDataFrame(
        {
            "class": s["highway"].to_numpy(),
            "dir": np.where(fwd & bwd, "no", np.where(fwd, "yes", "-1")),
            "kmh": np.round(s["length_m"].to_numpy() / seconds * 3.6, 3),
        },
        geometry=s.geometry.values,
        crs=net.crs,
    ).to_crs("EPSG:4490")
    gdf.to_file(path, engine="pyogrio")
    return path


def test_longgang_from_a_cgcs2000_gis_layer_matches_its_osm_network(tmp_path, longgang_ride):
    osm = longgang_ride
    p = _export(osm, tmp_path / "longgang_roads.gpkg")
    gis = network_mod.load(p, mode="ebike", road_class_column="class", oneway_column="dir",
                           speed_column="kmh")  # fmt: skip
    assert gis.crs == osm.crs  # EPSG:4490 lon/lat is taken to the UTM zone of its centre
    assert gis.n_nodes == pytest.approx(osm.n_nodes, rel=0.01)
    assert len(gis.segments) == pytest.approx(len(osm.segments), rel=0.01)
    km = gis.segments["length_m"].sum() / 1000
    assert km == pytest.approx(osm.segments["length_m"].sum() / 1000, rel=0.002)
    # travel times from sample nodes to every node, matched by position
    xy_osm = shapely.get_coordinates(osm.nodes.geometry.values)
    xy_gis = shapely.get_coordinates(gis.nodes.geometry.values)
    dist, match = cKDTree(xy_gis).query(xy_osm)
    assert np.quantile(dist, 0.99) < 1.0
    sources = np.random.default_rng(7).choice(osm.n_nodes, 8, replace=False)
    t_osm = dijkstra(osm.adjacency(), indices=sources)
    t_gis = dijkstra(gis.adjacency(), indices=match[sources])[:, match]
    ok = np.isfinite(t_osm) & (t_osm > 120)
    assert ok.mean() > 0.9
    rel = np.abs(t_gis[ok] - t_osm[ok]) / t_osm[ok]
    assert np.median(rel) < 0.005 and np.quantile(rel, 0.95) < 0.02
    assert "warnings" in gis.report and gis.report["layer"]["lines"] == len(osm.segments)


def test_a_geopackage_with_several_line_layers_or_a_bad_crs_is_refused(tmp_path):
    p = layer(tmp_path, [[(0, 0), (0, 400)]])
    more = gpd.GeoDataFrame(geometry=[shapely.LineString([(X0, Y0), (X0 + 9, Y0)])], crs=GK114)
    more.to_file(p, layer="rivers", engine="pyogrio")
    with pytest.raises(InputError, match="holds 2 line layers .*rivers"):
        network_mod.load(p)
    q = layer(tmp_path, [[(0, 0), (0, 400)]], name="one.gpkg")
    with pytest.raises(InputError, match="'EPSG:99999' is not a coordinate system") as err:
        network_mod.load(q, network_crs="EPSG:99999")
    assert err.value.render(FLAGS).startswith("--network-crs: 'EPSG:99999'")
