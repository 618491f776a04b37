"""Road networks: loading from OpenStreetMap and travel speeds per mode.

A :class:`Network` is a directed graph stored as arrays. Each *segment* is one piece of road
between two nodes, drawn from ``u`` to ``v``, with its travel time in each direction (``inf``
where the mode may not go that way). Directed edges are derived from segments, so a two-way
street and its reverse share one geometry, which is what snapping needs.

Sources: a local ``.osm.pbf`` (pyrosm), a local ``.osm`` / ``.osm.bz2`` XML file or a place
name (osmnx; a place name needs the internet) or an osmnx ``.graphml`` file.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyproj
import scipy.sparse as sp
import shapely
from scipy.sparse.csgraph import connected_components

from ..core import crs as crs_mod
from ..core.errors import InputError, InputFileNotFound, NetworkError
from ..core.modes import Mode, get_mode
from ._osm import source_kind

log = logging.getLogger(__name__)

#: OSM way tags the speed and access rules read.
WAY_TAGS = (
    "highway", "oneway", "junction", "maxspeed", "access", "bicycle", "foot",
    "motor_vehicle", "motorcar", "oneway:bicycle", "cycleway", "name", "area", "motorroad",
)  # fmt: skip

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
        Counts: segments read, usable, and what was dropped outside the largest strongly
        connected part.
    """

    nodes: gpd.GeoDataFrame
    segments: gpd.GeoDataFrame
    crs: pyproj.CRS
    mode: Mode
    source: str
    report: dict[str, Any] = field(default_factory=dict)

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
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
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


# --------------------------------------------------------------------------- loading


def load(source: str | Path, *, mode: str | Mode = "ebike") -> Network:
    """Load a road network and time it for ``mode``.

    Parameters
    ----------
    source
        A ``.osm.pbf`` file (read offline with pyrosm), an ``.osm`` / ``.osm.bz2`` file or an
        osmnx ``.graphml`` file (read with osmnx), or a place name such as
        ``"Xuhui District, Shanghai"`` (downloaded with osmnx; needs the internet).
    mode
        ``"ebike"`` (default), ``"walk"``, ``"drive"`` or a :class:`~planner.config.Mode`.

    Returns
    -------
    Network
        In the UTM CRS of the network's centre; only its largest strongly connected part.
    """
    mode = get_mode(mode)
    kind = source_kind(source)
    if kind in ("pbf", "xml", "graphml"):
        p = Path(source)
        if not p.exists():
            raise InputFileNotFound(f"network file {str(p)!r} does not exist; check the path")
        if p.stat().st_size == 0:
            raise InputError(f"network file {str(p)!r} is empty")
    if kind == "pbf":
        ways, nodes = _read_pbf(str(source))
    elif kind in ("xml", "place"):
        ways, nodes = _read_osmnx(str(source), kind)
    elif kind == "graphml":
        ways, nodes = _read_graphml(str(source))
    else:
        raise InputError(
            f"network {str(source)!r}: unknown file type; use .osm.pbf, .osm, .osm.bz2, "
            ".graphml or a place name"
        )
    return build(ways, nodes, mode=mode, source=str(source))


def build(
    ways: pd.DataFrame,
    nodes: pd.DataFrame,
    *,
    mode: Mode,
    source: str,
    crs: str | pyproj.CRS = crs_mod.WGS84,
) -> Network:
    """Build a :class:`Network` from raw way segments and nodes.

    ``ways`` has ``u``, ``v`` (OSM node ids), a LineString ``geometry`` from u to v and the
    OSM tags of :data:`WAY_TAGS` (missing tags are fine). ``nodes`` has ``osmid``, ``x``,
    ``y``. Both are in ``crs``: WGS-84 input is projected to the UTM zone of its centre; a
    projected CRS is kept as it is.
    """
    n_read = len(ways)
    if n_read == 0:
        raise NetworkError(f"network {source!r} has no roads; check the file or place name")
    ways = ways.reset_index(drop=True)
    fwd_kph, bwd_kph = speeds_kph(ways, mode)
    usable = (fwd_kph > 0) | (bwd_kph > 0)
    if not usable.any():
        raise NetworkError(
            f"network {source!r}: none of its {n_read} roads is usable in mode {mode.name!r}; "
            "try another --mode"
        )
    ways = ways.loc[usable].reset_index(drop=True)
    fwd_kph, bwd_kph = fwd_kph[usable], bwd_kph[usable]

    nodes = nodes.drop_duplicates("osmid").set_index("osmid")
    lonlat = nodes[["x", "y"]]
    in_crs = pyproj.CRS.from_user_input(crs)
    if in_crs.is_projected:
        proj = in_crs
    else:
        proj = crs_mod.projected_crs_for(lonlat["x"].to_numpy(), lonlat["y"].to_numpy())
    geom = gpd.GeoSeries(ways.geometry.values, crs=in_crs).to_crs(proj)
    length = shapely.length(geom.values)
    fwd_s, bwd_s = travel_seconds(length, fwd_kph), travel_seconds(length, bwd_kph)

    # positions of the nodes used by usable ways
    used = pd.unique(np.concatenate([ways["u"].to_numpy(), ways["v"].to_numpy()]))
    missing = pd.Index(used).difference(lonlat.index)
    if len(missing):
        raise NetworkError(f"network {source!r}: {len(missing)} way nodes have no coordinates")
    pos = pd.Series(np.arange(len(used)), index=used)
    u = pos.loc[ways["u"].to_numpy()].to_numpy()
    v = pos.loc[ways["v"].to_numpy()].to_numpy()

    # largest strongly connected part
    fin_f, fin_b = np.isfinite(fwd_s), np.isfinite(bwd_s)
    rows = np.concatenate([u[fin_f], v[fin_b]])
    cols = np.concatenate([v[fin_f], u[fin_b]])
    adj = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(used), len(used)))
    n_comp, labels = connected_components(adj, directed=True, connection="strong")
    sizes = np.bincount(labels)
    big = int(np.argmax(sizes))
    keep_node = labels == big
    keep_seg = keep_node[u] & keep_node[v]
    # a one-way piece between two kept nodes stays; pieces touching dropped nodes go
    new_pos = np.cumsum(keep_node) - 1
    seg_names = ways["name"] if "name" in ways.columns else pd.Series([""] * len(ways))
    segments = gpd.GeoDataFrame(
        {
            "u": new_pos[u[keep_seg]],
            "v": new_pos[v[keep_seg]],
            "length_m": length[keep_seg],
            "fwd_s": fwd_s[keep_seg],
            "bwd_s": bwd_s[keep_seg],
            "highway": _first(ways["highway"])[keep_seg],
            "name": seg_names.fillna("").map(_text).to_numpy()[keep_seg],
        },
        geometry=geom.values[keep_seg],
        crs=proj,
    )
    kept_ids = used[keep_node]
    node_xy = gpd.GeoSeries.from_xy(
        lonlat.loc[kept_ids, "x"], lonlat.loc[kept_ids, "y"], crs=in_crs
    ).to_crs(proj)
    node_frame = gpd.GeoDataFrame({"osmid": kept_ids}, geometry=node_xy.values, crs=proj)
    report = {
        "source": source,
        "mode": mode.name,
        "segments_read": int(n_read),
        "segments_usable": int(usable.sum()),
        "segments_kept": int(keep_seg.sum()),
        "nodes_kept": int(keep_node.sum()),
        "nodes_dropped": int((~keep_node).sum()),
        "components": int(n_comp),
        "length_km_kept": round(float(length[keep_seg].sum()) / 1000, 3),
        "length_km_dropped": round(float(length[~keep_seg].sum()) / 1000, 3),
        "crs": proj.to_string(),
    }
    if report["nodes_dropped"]:
        log.info(
            "kept the largest strongly connected part: %d of %d nodes; dropped %d nodes and "
            "%.1f km of road in %d smaller parts",
            report["nodes_kept"],
            len(used),
            report["nodes_dropped"],
            report["length_km_dropped"],
            n_comp - 1,
        )
    if keep_node.sum() < 2:
        raise NetworkError(f"network {source!r}: fewer than two connected nodes remain")
    return Network(node_frame, segments, proj, mode, source, report)


def travel_seconds(length_m: np.ndarray, speed_kph: np.ndarray) -> np.ndarray:
    """Seconds to ride ``length_m`` metres at ``speed_kph``; ``inf`` where the speed is 0.

    Only allowed directions are divided, so a zero-length piece closed in one direction
    (two OSM nodes on one spot) is 0 s where allowed and ``inf`` where not, never 0 / 0.
    """
    length_m = np.asarray(length_m, dtype=float)
    speed_kph = np.asarray(speed_kph, dtype=float)
    allowed = speed_kph > 0
    return np.divide(length_m, speed_kph / 3.6, out=np.full(length_m.shape, np.inf), where=allowed)


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ";".join(str(x) for x in value)
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


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


def _read_pbf(path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    import pyrosm

    try:
        osm = pyrosm.OSM(path)
        got = osm.get_network(nodes=True, network_type="all")
    except Exception as exc:  # pyrosm raises plain exceptions on corrupt files
        raise InputError(f"network file {path!r} cannot be read as OSM PBF ({exc})") from None
    if got is None or got[1] is None or len(got[1]) == 0:
        raise NetworkError(f"network file {path!r} holds no roads")
    nodes, edges = got
    ways = pd.DataFrame(edges.drop(columns=[c for c in ("tags",) if c in edges.columns]))
    if "motorroad" not in ways.columns and "tags" in edges.columns:
        # pyrosm keeps tags outside its fixed columns as JSON text
        motorroad = edges["tags"].astype(str).str.contains('"motorroad": ?"yes"', regex=True)
        ways["motorroad"] = np.where(motorroad.to_numpy(), "yes", "")
    ways["geometry"] = edges.geometry.values
    nodes_df = pd.DataFrame(
        {
            "osmid": nodes["id"].to_numpy(),
            "x": nodes["lon"].to_numpy(),
            "y": nodes["lat"].to_numpy(),
        }
    )
    return ways, nodes_df


@contextmanager
def _osmnx_raw_tags() -> Iterator[Any]:
    """osmnx settings that keep each way once, in drawn order, with its raw tags."""
    import osmnx as ox

    saved = (ox.settings.all_oneway, ox.settings.useful_tags_way)
    ox.settings.all_oneway = True
    ox.settings.useful_tags_way = list(dict.fromkeys([*saved[1], *WAY_TAGS]))
    try:
        yield ox
    finally:
        ox.settings.all_oneway, ox.settings.useful_tags_way = saved


def _graph_frames(g: nx.MultiDiGraph) -> tuple[pd.DataFrame, pd.DataFrame]:
    import osmnx as ox

    nodes_gdf, edges_gdf = ox.convert.graph_to_gdfs(g, nodes=True, edges=True)
    edges_gdf = edges_gdf.to_crs(crs_mod.WGS84) if edges_gdf.crs else edges_gdf
    nodes_gdf = nodes_gdf.to_crs(crs_mod.WGS84) if nodes_gdf.crs else nodes_gdf
    ways = pd.DataFrame(edges_gdf.reset_index())
    ways["geometry"] = edges_gdf.geometry.values
    nodes_df = pd.DataFrame(
        {
            "osmid": nodes_gdf.index.to_numpy(),
            "x": nodes_gdf.geometry.x.to_numpy(),
            "y": nodes_gdf.geometry.y.to_numpy(),
        }
    )
    return ways, nodes_df


def _read_osmnx(source: str, kind: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    with _osmnx_raw_tags() as ox:
        try:
            if kind == "xml":
                g = ox.graph_from_xml(source, bidirectional=False, simplify=False, retain_all=True)
            else:
                g = ox.graph_from_place(source, network_type="all", simplify=False, retain_all=True)
        except ValueError as exc:
            raise NetworkError(
                f"network {source!r} holds no usable roads ({exc}); check the file or place"
            ) from None
        except Exception as exc:
            if kind == "place":
                raise NetworkError(
                    f"network {source!r}: the place could not be downloaded ({exc}); check the "
                    "name and the internet connection, or give a local .osm.pbf file"
                ) from None
            raise InputError(f"network file {source!r} cannot be read as OSM XML ({exc})") from None
    ways, nodes = _graph_frames(g)
    # with all_oneway, osmnx already turned ways tagged oneway=-1 around
    if "oneway" in ways.columns:
        rev = ways["oneway"].astype(str).isin(["-1", "reverse", "T"])
        ways.loc[rev, "oneway"] = "yes"
    return ways, nodes


def _read_graphml(path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A GraphML graph's edges are directed as saved; a pair u→v, v→u of the same way and
    length becomes one two-way segment."""
    import osmnx as ox

    try:
        g = ox.io.load_graphml(path)
    except Exception as exc:
        raise InputError(f"network file {path!r} cannot be read as GraphML ({exc})") from None
    if g.number_of_edges() == 0:
        raise NetworkError(f"network file {path!r} holds no edges")
    ways, nodes = _graph_frames(g)
    length = (
        ways["length"].astype(float).round(2)
        if "length" in ways.columns
        else pd.Series(shapely.length(ways.geometry.values)).round(6)
    )
    osmid = ways["osmid"].map(_text) if "osmid" in ways.columns else pd.Series([""] * len(ways))
    key_fwd = list(zip(ways["u"], ways["v"], osmid, length, strict=True))
    key_set = set(key_fwd)
    has_rev = np.array([(v, u, o, L) in key_set for (u, v, o, L) in key_fwd])
    # keep one of each pair (u < v), mark it two-way; lone edges are one-way as drawn
    lone = ~has_rev
    first_of_pair = has_rev & (ways["u"].to_numpy() < ways["v"].to_numpy())
    ways = ways.loc[lone | first_of_pair].copy()
    ways["oneway"] = np.where(lone[lone | first_of_pair], "yes", "no")
    ways["junction"] = ""
    return ways, nodes
