"""Road networks: loading from OpenStreetMap and travel speeds per mode.

A :class:`Network` is a directed graph stored as arrays. Each *segment* is one piece of road
between two nodes, drawn from ``u`` to ``v``, with its travel time in each direction (``inf``
where the mode may not go that way). Directed edges are derived from segments, so a two-way
street and its reverse share one geometry, which is what snapping needs.

Sources: a local ``.osm.pbf`` (pyrosm), a local ``.osm`` / ``.osm.bz2`` XML file
(pyosmium), a place name (osmnx; a place name needs the internet), an osmnx ``.graphml``
file, or a GIS line layer (``.gpkg``, ``.shp``, ``.geojson``; :mod:`.roads_gis`).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely

from ..core import crs as crs_mod
from ..core.errors import InputError, NetworkError
from ..core.modes import MODES, Mode, get_mode
from ..core.parts import MIN_PART_KM, MIN_PART_NODES, kept_parts, part_floor, rider_way_warnings
from . import _osm, network_cache, roads_gis, terrain
from ._osm import tag_text

log = logging.getLogger(__name__)

_YES = ("yes", "designated", "permissive", "destination", "customers", "delivery")
_FORWARD_ONLY = ("yes", "true", "1")
_BACKWARD_ONLY = ("-1", "reverse")


@dataclass(frozen=True)
class Network:
    """A directed road network for one travel mode, in a projected CRS (metres, seconds).

    Attributes
    ----------
    nodes
        GeoDataFrame indexed ``0..n-1`` with ``osmid`` and point geometry.
    segments
        GeoDataFrame indexed ``0..m-1``: ``u``, ``v`` (node positions), ``length_m``,
        ``fwd_s`` (seconds from u to v) and ``bwd_s`` (v to u; ``inf`` = not allowed),
        ``highway``, ``name`` and the line geometry drawn from u to v.
    crs
        The projected CRS of every geometry.
    mode
        The travel mode whose speeds and rules made the travel times.
    source
        Where the network came from.
    report
        Counts: segments read, usable and kept, the strongly connected parts kept and
        dropped (under the size floor), and ``warnings`` (sentences) about the network.
    """

    nodes: gpd.GeoDataFrame
    segments: gpd.GeoDataFrame
    crs: pyproj.CRS
    mode: Mode
    source: str
    report: dict[str, Any] = field(default_factory=dict)
    #: The network cache folder it was read from or stored in (None: not cached).
    cache_entry: Path | None = field(default=None, compare=False, repr=False)

    @property
    def n_nodes(self) -> int:
        return len(self.nodes)

    def edges(self) -> pd.DataFrame:
        """Directed edges: ``u``, ``v``, ``segment``, ``length_m``, ``travel_time_s``."""
        s = self.segments
        fwd = np.isfinite(s["fwd_s"].to_numpy())
        bwd = np.isfinite(s["bwd_s"].to_numpy())
        idx = np.arange(len(s))
        return pd.DataFrame(
            {
                "u": np.concatenate([s["u"].to_numpy()[fwd], s["v"].to_numpy()[bwd]]),
                "v": np.concatenate([s["v"].to_numpy()[fwd], s["u"].to_numpy()[bwd]]),
                "segment": np.concatenate([idx[fwd], idx[bwd]]),
                "length_m": np.concatenate(
                    [s["length_m"].to_numpy()[fwd], s["length_m"].to_numpy()[bwd]]
                ),
                "travel_time_s": np.concatenate(
                    [s["fwd_s"].to_numpy()[fwd], s["bwd_s"].to_numpy()[bwd]]
                ),
            }
        )

    @functools.cached_property
    def reverse_adjacency(self) -> sp.csr_matrix:
        """``adjacency(reverse=True)``, built once per network and reused by every search."""
        return self.adjacency(reverse=True)

    def adjacency(self, *, reverse: bool = False) -> sp.csr_matrix:
        """Sparse ``n × n`` matrix of travel seconds (the fastest of parallel edges).

        With ``reverse=True`` every edge points the other way, so a search from a node
        finds the times *to* it.
        """
        e = self.edges()
        u, v = e["u"].to_numpy(), e["v"].to_numpy()
        if reverse:
            u, v = v, u
        return csr_min(u, v, e["travel_time_s"].to_numpy(), (self.n_nodes, self.n_nodes))

    def to_networkx(self) -> nx.MultiDiGraph:
        """The network as an osmnx-style MultiDiGraph (``length``, ``travel_time`` on edges)."""
        g = nx.MultiDiGraph(crs=self.crs, mode=self.mode.name, speeds_kph=self.mode.speed_table())
        xy = shapely.get_coordinates(self.nodes.geometry.values)
        for i, (x, y) in enumerate(xy):
            g.add_node(i, x=float(x), y=float(y), osmid=self.nodes["osmid"].iat[i])
        for row in self.edges().itertuples(index=False):
            g.add_edge(
                int(row.u),
                int(row.v),
                length=float(row.length_m),
                travel_time=float(row.travel_time_s),
                segment=int(row.segment),
            )
        return g


def csr_min(
    rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, shape: tuple[int, int]
) -> sp.csr_matrix:
    """CSR matrix keeping the minimum of duplicate entries and explicit zeros."""
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    vals = np.asarray(vals, dtype=float)
    order = np.lexsort((vals, cols, rows))
    rows, cols, vals = rows[order], cols[order], vals[order]
    keep = np.ones(len(rows), dtype=bool)
    keep[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, vals = rows[keep], cols[keep], vals[keep]
    indptr = np.zeros(shape[0] + 1, dtype=np.int64)
    np.add.at(indptr, rows + 1, 1)
    indptr = np.cumsum(indptr)
    return sp.csr_matrix((vals, cols.astype(np.int32), indptr.astype(np.int32)), shape=shape)


def load(
    source: str | Path,
    *,
    mode: str | Mode = "ebike",
    road_class_column: str | None = None,
    speed_column: str | None = None,
    oneway_column: str | None = None,
    snap_ends_m: float | str | None = None,
    network_crs: str | None = None,
    min_part_nodes: int = MIN_PART_NODES,
    min_part_km: float = MIN_PART_KM,
    cache: bool = False,
    dem: str | Path | None = None,
) -> Network:
    """Load a road network and time it for ``mode``.

    Parameters
    ----------
    source
        ``.osm.pbf`` (pyrosm), ``.osm`` / ``.osm.bz2`` (pyosmium, cut to its ``<bounds>``),
        osmnx ``.graphml``, a ``.gpkg`` / ``.shp`` / ``.geojson`` line layer (the district's
        GIS: :func:`planner.inputs.roads_gis.read_roads`) or a place name (osmnx, online).
    mode
        ``"ebike"`` (default), ``"walk"``, ``"drive"`` or a :class:`~planner.core.modes.Mode`.
    road_class_column, speed_column, oneway_column, snap_ends_m, network_crs
        For a GIS line layer only: the columns of road class, speed (km/h) and one-way
        rule, the snapping tolerance of line ends (m, default 1) and the CRS of a file that
        states none. Its flaws (gaps, dangling ends, crossings without a node) are
        sentences in ``report["warnings"]``, their counts in ``report["layer"]``.
    min_part_nodes, min_part_km
        The size floor of a strongly connected part (nodes, km; the largest part always).
    cache, dem
        Reuse and store the network of a local file in :mod:`.network_cache`; a DEM raster
        whose grades the speeds then follow (:mod:`.terrain`).

    Returns
    -------
    Network
        In the UTM CRS of its centre (a GIS layer in metres keeps its own); every strongly
        connected part above the floor, each node and segment with its ``part``.
    """
    mode = get_mode(mode)
    gis = {
        "road_class_column": road_class_column, "speed_column": speed_column,
        "oneway_column": oneway_column, "snap_ends_m": snap_ends_m, "network_crs": network_crs,
    }  # fmt: skip
    floor = (min_part_nodes, min_part_km)
    cache = cache and Path(source).is_file()  # a place name is never cached
    key = network_cache.Key.of(source, mode, floor=floor, road_layer=gis) if cache else None
    if key is not None and (hit := network_cache.read(key)) is not None:
        mode = replace(mode, use_maxspeed=hit.use_maxspeed)
        net = Network(hit.nodes, hit.segments, hit.crs, mode, str(source), hit.report, hit.path)
    else:
        net = _read_and_build(source, mode, gis, floor)
        if key is not None:
            frames = (net.nodes, net.segments, net.crs, net.report)
            entry = network_cache.Entry(*frames, net.mode.use_maxspeed)
            net = replace(net, cache_entry=network_cache.write(key, entry))
    return net if dem is None else terrain.on_terrain(net, dem)


def _read_and_build(
    source: str | Path, mode: Mode, gis: dict[str, Any], floor: tuple[int, float]
) -> Network:
    """The network of ``source`` (see :func:`load`), read and built."""
    min_part_nodes, min_part_km = floor
    if _osm.check_source(source) == "gis":
        return _load_gis(source, mode, gis)
    asked = [k for k, v in gis.items() if v is not None]
    if asked:
        raise InputError.about(
            asked[0],
            "{" + asked[0] + "} is for a GIS line layer (.gpkg, .shp, .geojson); network "
            "{file!r} is not one: leave it out",
            file=str(source),
        )
    ways, nodes = _osm.read_ways(source)
    return build(
        ways, nodes, mode=mode, source=str(source),
        min_part_nodes=min_part_nodes, min_part_km=min_part_km,
    )  # fmt: skip


def _load_gis(source: str | Path, mode: Mode, options: dict[str, Any]) -> Network:
    """The network of a GIS line layer, its flaws in the report."""
    if options["snap_ends_m"] is None:
        options = {**options, "snap_ends_m": roads_gis.SNAP_ENDS_M}
    roads = roads_gis.read_roads(source, **options)
    if "maxspeed" in roads.ways.columns:  # the speed column replaces the class speeds
        mode = replace(mode, use_maxspeed=True)
    net = build(roads.ways, roads.nodes, mode=mode, source=str(source), crs=roads.crs)
    report = {
        **net.report,
        "warnings": [*net.report.get("warnings", []), *roads.warnings],
        "layer": dict(roads.counts),
    }
    return replace(net, report=report)


def build(
    ways: pd.DataFrame,
    nodes: pd.DataFrame,
    *,
    mode: Mode,
    source: str,
    crs: str | pyproj.CRS = crs_mod.WGS84,
    min_part_nodes: int = MIN_PART_NODES,
    min_part_km: float = MIN_PART_KM,
) -> Network:
    """Build a :class:`Network` from raw way segments and nodes.

    ``ways`` has ``u``, ``v`` (OSM node ids), a LineString ``geometry`` from u to v and the
    OSM tags of :data:`planner.inputs._osm.WAY_TAGS` (missing tags are fine). ``nodes`` has
    ``osmid``, ``x``, ``y``. Both are in ``crs``: WGS-84 input is projected to the UTM zone of
    its centre; a projected CRS is kept as it is.

    Every strongly connected part with at least ``min_part_nodes`` nodes *or* at least
    ``min_part_km`` km of road is kept, and the largest part always; smaller parts are
    dropped and counted. Nodes and segments carry their ``part`` (0 = the largest); a
    one-way piece from one kept part to another stays, and belongs to the part it leaves.
    """
    floor = part_floor(min_part_nodes, min_part_km)
    n_read = len(ways)
    if n_read == 0:
        raise NetworkError(f"network {source!r} has no roads; check the file or place name")
    ways, fwd_kph, bwd_kph = _usable_ways(ways.reset_index(drop=True), mode, source)
    lonlat = nodes.drop_duplicates("osmid").set_index("osmid")[["x", "y"]]
    in_crs = pyproj.CRS.from_user_input(crs)
    if in_crs.is_projected:
        proj = in_crs
    else:
        proj = crs_mod.projected_crs_for(lonlat["x"].to_numpy(), lonlat["y"].to_numpy())
    used, pieces = _pieces(ways, fwd_kph, bwd_kph, lonlat.index, crs=(in_crs, proj), source=source)
    u, v = pieces["u"].to_numpy(), pieces["v"].to_numpy()
    part, n_comp = kept_parts(
        u, v, pieces[["fwd_s", "bwd_s"]].to_numpy(), pieces["length_m"].to_numpy(),
        n_nodes=len(used), floor=floor,
    )  # fmt: skip
    keep_node = part >= 0
    # a one-way piece between two kept nodes stays; pieces touching dropped nodes go
    keep_seg = keep_node[u] & keep_node[v]
    segments = pieces.loc[keep_seg].reset_index(drop=True)
    new_pos = np.cumsum(keep_node) - 1
    segments["u"] = new_pos[segments["u"].to_numpy()]
    segments["v"] = new_pos[segments["v"].to_numpy()]
    segments["part"] = part[u[keep_seg]]
    node_frame = _node_frame(lonlat, used[keep_node], crs=(in_crs, proj))
    node_frame["part"] = part[keep_node]
    report = {
        "source": source, "mode": mode.name, "segments_read": int(n_read),
        **_part_report(part, keep_seg, pieces["length_m"].to_numpy(), n_comp, floor),
        "crs": proj.to_string(),
        "warnings": rider_way_warnings(segments["highway"].to_numpy(), mode),
    }  # fmt: skip
    _log_parts(report, n_nodes=len(used))
    if report["nodes_kept"] < 2:
        raise NetworkError(f"network {source!r}: fewer than two connected nodes remain")
    return Network(node_frame, segments, proj, mode, source, report)


def _usable_ways(
    ways: pd.DataFrame, mode: Mode, source: str
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The ways ``mode`` may use in at least one direction, with their speeds each way
    (km/h, 0 = not allowed); raises :class:`NetworkError` when there are none."""
    fwd_kph, bwd_kph = speeds_kph(ways, mode)
    usable = (fwd_kph > 0) | (bwd_kph > 0)
    if not usable.any():
        raise NetworkError(
            f"network {source!r}: none of its {len(ways)} roads is usable in mode "
            f"{mode.name!r}; try another mode ({', '.join(MODES)})"
        )
    return ways.loc[usable].reset_index(drop=True), fwd_kph[usable], bwd_kph[usable]


def _pieces(
    ways: pd.DataFrame,
    fwd_kph: np.ndarray,
    bwd_kph: np.ndarray,
    known: pd.Index,
    *,
    crs: tuple[pyproj.CRS, pyproj.CRS],
    source: str,
) -> tuple[np.ndarray, gpd.GeoDataFrame]:
    """The OSM ids of the nodes the ways use (``known``: the ids with coordinates), and one
    segment per way in the projected CRS: ``u``, ``v`` (positions in those ids),
    ``length_m``, ``fwd_s``, ``bwd_s``, ``highway``, ``name``, geometry.

    ``crs`` is the input CRS and the projected one.
    """
    in_crs, proj = crs
    geom = gpd.GeoSeries(ways.geometry.values, crs=in_crs).to_crs(proj)
    length = shapely.length(geom.values)
    used = pd.unique(np.concatenate([ways["u"].to_numpy(), ways["v"].to_numpy()]))
    missing = pd.Index(used).difference(known)
    if len(missing):
        raise NetworkError(f"network {source!r}: {len(missing)} way nodes have no coordinates")
    pos = pd.Series(np.arange(len(used)), index=used)
    names = ways["name"] if "name" in ways.columns else pd.Series([""] * len(ways))
    pieces = gpd.GeoDataFrame(
        {
            "u": pos.loc[ways["u"].to_numpy()].to_numpy(),
            "v": pos.loc[ways["v"].to_numpy()].to_numpy(),
            "length_m": length,
            "fwd_s": travel_seconds(length, fwd_kph),
            "bwd_s": travel_seconds(length, bwd_kph),
            "highway": _first(ways["highway"]),
            "name": names.fillna("").map(tag_text).to_numpy(),
        },
        geometry=geom.values,
        crs=proj,
    )
    return used, pieces


def _node_frame(
    lonlat: pd.DataFrame, ids: np.ndarray, *, crs: tuple[pyproj.CRS, pyproj.CRS]
) -> gpd.GeoDataFrame:
    """The nodes ``ids`` (OSM ids, in this order) as points in the projected CRS;
    ``lonlat`` holds their ``x``, ``y`` in the input CRS (``crs``: input, projected)."""
    in_crs, proj = crs
    xy = gpd.GeoSeries.from_xy(lonlat.loc[ids, "x"], lonlat.loc[ids, "y"], crs=in_crs)
    return gpd.GeoDataFrame({"osmid": ids}, geometry=xy.to_crs(proj).values, crs=proj)


def _part_report(
    part: np.ndarray,
    keep_seg: np.ndarray,
    length: np.ndarray,
    n_comp: int,
    floor: tuple[int, float],
) -> dict[str, Any]:
    """What was kept and dropped: segments, nodes, parts (``part``: the kept part of each
    node, -1 dropped), road length, and the floor."""
    kept = int(part.max()) + 1 if (part >= 0).any() else 0
    return {
        "segments_usable": len(keep_seg),
        "segments_kept": int(keep_seg.sum()),
        "nodes_kept": int((part >= 0).sum()),
        "nodes_dropped": int((part < 0).sum()),
        "components": int(n_comp),
        "parts_kept": kept,
        "parts_dropped": int(n_comp) - kept,
        "min_part_nodes": floor[0],
        "min_part_km": floor[1],
        "length_km_kept": round(float(length[keep_seg].sum()) / 1000, 3),
        "length_km_dropped": round(float(length[~keep_seg].sum()) / 1000, 3),
    }


def _log_parts(report: dict[str, Any], *, n_nodes: int) -> None:
    if report["nodes_dropped"] or report["parts_kept"] > 1:
        log.info(
            "kept %d strongly connected parts (%d of %d nodes); dropped %d nodes and %.1f km "
            "of road in %d parts under %d nodes and %g km",
            report["parts_kept"],
            report["nodes_kept"],
            n_nodes,
            report["nodes_dropped"],
            report["length_km_dropped"],
            report["parts_dropped"],
            report["min_part_nodes"],
            report["min_part_km"],
        )


def travel_seconds(length_m: np.ndarray, speed_kph: np.ndarray) -> np.ndarray:
    """Seconds to ride ``length_m`` metres at ``speed_kph``; ``inf`` where the speed is 0.

    Only allowed directions are divided, so a zero-length piece closed in one direction
    (two OSM nodes on one spot) is 0 s where allowed and ``inf`` where not, never 0 / 0.
    """
    length_m = np.asarray(length_m, dtype=float)
    speed_kph = np.asarray(speed_kph, dtype=float)
    allowed = speed_kph > 0
    return np.divide(length_m, speed_kph / 3.6, out=np.full(length_m.shape, np.inf), where=allowed)


def _first(col: pd.Series) -> np.ndarray:
    return (
        col.map(lambda x: x[0] if isinstance(x, (list, tuple)) and x else x)
        .fillna("")
        .astype(str)
        .str.strip()
        .to_numpy()
    )


def _tag(ways: pd.DataFrame, key: str) -> np.ndarray:
    if key not in ways.columns:
        return np.full(len(ways), "", dtype=object)
    return _first(ways[key]).astype(str)


def parse_maxspeed_kph(values: np.ndarray) -> np.ndarray:
    """Parse OSM ``maxspeed`` strings (``50``, ``30 mph``, ``50;60``) to km/h; NaN if none."""
    s = pd.Series(values, dtype=object).fillna("").astype(str).str.lower()
    num = pd.to_numeric(s.str.extract(r"(\d+(?:\.\d+)?)")[0], errors="coerce").to_numpy()
    mph = s.str.contains("mph").to_numpy()
    return np.where(mph, num * 1.609344, num)


def speeds_kph(ways: pd.DataFrame, mode: Mode) -> tuple[np.ndarray, np.ndarray]:
    """Speed in each direction (km/h, 0 = not allowed) of every way segment in ``mode``."""
    highway = _tag(ways, "highway")
    table = mode.speed_kph
    speed = pd.Series(highway).map(table).to_numpy(dtype=float)
    allowed = np.isfinite(speed)
    speed = np.where(allowed, speed, 0.0)
    if mode.use_maxspeed:
        ms = parse_maxspeed_kph(_tag(ways, "maxspeed"))
        speed = np.where(allowed & np.isfinite(ms) & (ms > 0), ms, speed)
    speed = np.minimum(speed, mode.max_speed_kph)

    access = _tag(ways, "access")
    own = _tag(ways, mode.access_tag)
    granted = np.isin(own, _YES)
    denied = (np.isin(access, ("no", "private")) & ~granted) | (own == "no")
    if mode.name in ("ebike", "walk"):
        # motorroads (机动车专用道) are closed to bicycles, e-bikes and pedestrians
        denied |= _tag(ways, "motorroad") == "yes"
    if "area" in ways.columns:
        denied |= (_tag(ways, "area") == "yes") & ~np.isin(highway, ("pedestrian", "footway"))
    if mode.name == "ebike":
        # riders dismount and push where cycling is not allowed on foot-only ways
        push = (own == "dismount") | ((own == "no") & np.isin(highway, ("footway", "pedestrian")))
        speed = np.where(push, min(5.0, mode.max_speed_kph), speed)
        denied &= ~push
    speed = np.where(denied, 0.0, speed)

    fwd = speed.copy()
    bwd = speed.copy()
    if mode.oneway == "respect":
        oneway = np.char.lower(_tag(ways, "oneway").astype(str))
        junction = _tag(ways, "junction")
        forward_only = np.isin(oneway, _FORWARD_ONLY) | (
            np.isin(junction, ("roundabout", "circular")) & (oneway != "no")
        )
        backward_only = np.isin(oneway, _BACKWARD_ONLY)
        contra = np.zeros(len(ways), dtype=bool)
        for key, values in mode.contraflow_tags:
            contra |= np.isin(_tag(ways, key), values)
        bwd = np.where(forward_only & ~contra, 0.0, bwd)
        fwd = np.where(backward_only & ~contra, 0.0, fwd)
    return fwd, bwd
