"""Reading OpenStreetMap sources, roads and points of interest: a local ``.osm.pbf``
(pyrosm), a local ``.osm`` / ``.osm.bz2`` XML file (roads with pyosmium, points with osmnx)
or a place name (osmnx; the place needs the internet), and for roads an osmnx ``.graphml``
file. Which kind of source a name is, GIS line layers included, is decided here."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ..core.crs import WGS84
from ..core.errors import InputError, InputFileNotFound, NetworkError
from . import _osm_xml

if TYPE_CHECKING:
    import networkx as nx

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Host venues that can take a care station: ``{osm_key: (values...)}``.
HOST_VENUE_TAGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "amenity": (
            "community_centre", "social_facility", "townhall", "bank", "pharmacy",
            "post_office", "fuel", "library",
        ),
        "shop": ("mall", "supermarket", "department_store"),
        "tourism": ("hotel",),
    }
)  # fmt: skip

#: Rider pick-up proxies when no rider data exist: weight per ``key=value`` POI category.
#: ``"shop=*"`` is the weight of any other shop. Food delivery dominates rider trips, so
#: restaurants and fast food weigh more than retail.
DEMAND_POI_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "amenity=fast_food": 3.0, "amenity=food_court": 3.0, "amenity=restaurant": 2.0,
        "amenity=cafe": 1.0, "amenity=bar": 0.5, "amenity=pub": 0.5,
        "shop=supermarket": 2.0, "shop=convenience": 2.0, "shop=mall": 3.0,
        "shop=department_store": 2.0, "shop=bakery": 1.0, "shop=*": 0.5,
    }
)  # fmt: skip


#: OSM way tags the speed and access rules read.
WAY_TAGS = (
    "highway", "oneway", "junction", "maxspeed", "access", "bicycle", "foot",
    "motor_vehicle", "motorcar", "oneway:bicycle", "cycleway", "name", "area", "motorroad",
)  # fmt: skip


#: The local files a network (and OSM points) can be read from, as messages list them.
NETWORK_FORMATS = ".osm.pbf, .osm, .osm.bz2, .graphml, .gpkg, .shp or .geojson"

#: Endings of GIS line layers (read with pyogrio by :mod:`planner.inputs.roads_gis`).
GIS_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json")


def source_kind(source: str | Path) -> str:
    """``"pbf"``, ``"xml"``, ``"graphml"`` or ``"gis"`` (a line layer) for a local file,
    ``"unknown"`` for another file or anything that looks like a path, or ``"place"`` for a
    name."""
    name = str(source).lower()
    if name.endswith(".osm.pbf") or name.endswith(".pbf"):
        return "pbf"
    if name.endswith((".osm", ".osm.bz2", ".xml", ".osm.xml")):
        return "xml"
    if name.endswith(".graphml"):
        return "graphml"
    if name.endswith(GIS_SUFFIXES):
        return "gis"
    p = Path(str(source))
    if looks_like_path(str(source)) or p.exists():
        return "unknown"
    return "unknown" if p.suffix in (".csv", ".gz") else "place"


def looks_like_path(name: str) -> bool:
    """Whether ``name`` reads as a file path rather than a place name: it holds a path
    separator, starts with ``.`` or ``~``, or its parent folder exists."""
    if "/" in name or "\\" in name or name.startswith((".", "~")):
        return True
    parent = Path(name).parent
    return parent != Path(".") and parent.is_dir()


def check_source(source: str | Path) -> str:
    """The kind of ``source`` (:func:`source_kind`) once it is known to be usable.

    A local file must exist, be a file and hold bytes; anything that looks like a path
    (:func:`looks_like_path`) and does not exist is :class:`InputFileNotFound`, so a mistyped
    path is never sent to the online geocoder as a place name.
    """
    kind = source_kind(source)
    if kind == "place":
        return kind
    p = Path(source)
    if not p.exists():
        if kind == "unknown" and p.suffix:
            return kind  # a file of another type: the caller says which types it takes
        raise InputFileNotFound(
            f"network file {str(source)!r} does not exist; check the path (a network is a "
            f"{NETWORK_FORMATS} file, or a place name such as 'Xuhui District, Shanghai')"
        )
    if p.is_dir():
        raise InputError(
            f"network file {str(p)!r} is a folder; give a {NETWORK_FORMATS} file in it"
        )
    if p.stat().st_size == 0:
        raise InputError(f"network file {str(p)!r} is empty; download or export it again")
    return kind


def read_pois(source: str | Path, tags: Mapping[str, Sequence[str] | bool]) -> gpd.GeoDataFrame:
    """Points of interest matching ``tags`` (``{"amenity": ["bank"], "shop": True}``).

    Returns a WGS-84 GeoDataFrame of points with ``id`` (``node/123``, ``way/45``),
    ``name``, ``category`` (``amenity=bank``), ``street`` (``addr:street`` or empty),
    ``opening_hours`` (the tag, or empty) and ``lon``/``lat``. Polygons become their
    representative point.
    """
    kind = check_source(source)
    if kind == "pbf":
        raw, ids = _pbf_features(source, tags)
    elif kind in ("xml", "place"):
        raw, ids = _osmnx_features(source, tags, kind)
    else:
        raise InputError(
            f"network {str(source)!r}: POIs can be read only from .osm.pbf, .osm or a place name"
        )
    if raw is None:
        return _empty()
    raw = raw.set_crs(WGS84, allow_override=True) if raw.crs is None else raw.to_crs(WGS84)
    out = _poi_points(raw, ids, _categories(raw, tags))
    log.info("read %d POIs from %s", len(out), source)
    return out


def _pbf_features(
    source: str | Path, tags: Mapping[str, Sequence[str] | bool]
) -> tuple[gpd.GeoDataFrame | None, pd.Series]:
    """Features of a ``.osm.pbf`` matching ``tags`` (pyrosm) and their ``type/id``; None
    when there are none."""
    raw = _with_pbf(str(source), lambda osm: osm.get_pois(custom_filter=_tag_filter(tags)))
    if raw is None or len(raw) == 0:
        return None, pd.Series([], dtype=str)
    raw = raw.reset_index(drop=True)
    osm_type = raw["osm_type"].astype(str) if "osm_type" in raw else pd.Series(["node"] * len(raw))
    return raw, osm_type + "/" + raw["id"].astype("int64").astype(str)


def _osmnx_features(
    source: str | Path, tags: Mapping[str, Sequence[str] | bool], kind: str
) -> tuple[gpd.GeoDataFrame | None, pd.Series]:
    """Features of an OSM XML file or a place (osmnx) matching ``tags`` and their
    ``type/id``; None when there are none."""
    import osmnx as ox

    query: dict[str, bool | str | list[str]] = dict(_tag_filter(tags))
    try:
        raw = (
            ox.features_from_xml(str(source), tags=query)
            if kind == "xml"
            else ox.features_from_place(str(source), tags=query)
        )
    except ox._errors.InsufficientResponseError:
        return None, pd.Series([], dtype=str)
    except Exception as exc:  # osmnx, requests and the XML parser raise plain exceptions
        raise _osmnx_failure(str(source), kind, exc) from None
    raw = raw.reset_index()
    return raw, raw["element"].astype(str) + "/" + raw["id"].astype(str)


def _categories(raw: gpd.GeoDataFrame, tags: Mapping[str, Sequence[str] | bool]) -> pd.Series:
    """``key=value`` of the first of ``tags`` each feature matches (empty if none)."""
    category = pd.Series([""] * len(raw), dtype=object)
    for key, values in tags.items():
        if key not in raw.columns:
            continue
        col = raw[key]
        hit = col.notna() & (category == "")
        if not isinstance(values, bool):
            hit &= col.isin(list(values))
        category[hit.to_numpy()] = key + "=" + col[hit].astype(str)
    return category


def _poi_points(raw: gpd.GeoDataFrame, ids: pd.Series, category: pd.Series) -> gpd.GeoDataFrame:
    """One point per categorised feature with a geometry, unique ids in sorted order."""
    geom = raw.geometry
    ok = geom.notna() & ~geom.is_empty & (category != "").to_numpy()
    pts = geom[ok].representative_point()
    names = raw["name"] if "name" in raw.columns else pd.Series([""] * len(raw))
    street = raw["addr:street"] if "addr:street" in raw.columns else pd.Series([""] * len(raw))
    hours = raw["opening_hours"] if "opening_hours" in raw.columns else pd.Series([""] * len(raw))
    out = gpd.GeoDataFrame(
        {
            "id": ids[ok].to_numpy(),
            "name": names[ok].fillna("").astype(str).to_numpy(),
            "category": category[ok.to_numpy()].to_numpy(),
            "street": street[ok].fillna("").astype(str).to_numpy(),
            "opening_hours": hours[ok].fillna("").astype(str).to_numpy(),
            "lon": pts.x.to_numpy(),
            "lat": pts.y.to_numpy(),
        },
        geometry=pts.to_numpy(),
        crs=WGS84,
    )
    return out.drop_duplicates("id").sort_values("id", kind="stable").reset_index(drop=True)


def _tag_filter(tags: Mapping[str, Sequence[str] | bool]) -> dict[str, bool | list[str]]:
    return {k: (True if isinstance(v, bool) else list(v)) for k, v in tags.items()}


def _empty() -> gpd.GeoDataFrame:
    cols = {
        "id": [],
        "name": [],
        "category": [],
        "street": [],
        "opening_hours": [],
        "lon": np.array([]),
        "lat": np.array([]),
    }
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)


# --------------------------------------------------------------------------- roads


def read_ways(source: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Road pieces and their nodes from a ``.osm.pbf`` (pyrosm), an ``.osm`` / ``.osm.bz2``
    file (pyosmium: ``highway`` ways only, cut to the file's ``<bounds>``), a place name
    (osmnx) or an osmnx ``.graphml`` file, in WGS-84.

    Returns ``ways`` (``u``, ``v`` OSM node ids, a LineString ``geometry`` drawn from u to v
    and the tags of :data:`WAY_TAGS` that are present) and ``nodes`` (``osmid``, ``x`` =
    longitude, ``y`` = latitude).
    """
    kind = check_source(source)
    if kind == "pbf":
        ways, nodes = _read_pbf(str(source))
    elif kind == "xml":
        ways, nodes = _osm_xml.read_xml_roads(str(source), WAY_TAGS)
    elif kind == "place":
        ways, nodes = _read_osmnx(str(source), kind)
    elif kind == "graphml":
        ways, nodes = _read_graphml(str(source))
    else:
        raise InputError(
            f"network {str(source)!r}: unknown file type; use a {NETWORK_FORMATS} file or a "
            "place name"
        )
    return ways, nodes


def tag_text(value: Any) -> str:
    """An OSM tag value as text: lists joined by ``;``, missing values empty."""
    if isinstance(value, (list, tuple)):
        return ";".join(str(x) for x in value)
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _with_pbf(path: str, read: Callable[[Any], T]) -> T:
    """``read`` applied to the pyrosm reader of the ``.osm.pbf`` file ``path``.

    pyrosm reads lazily and raises plain exceptions (protobuf ``DecodeError``,
    ``InvalidOSMFileError``, zlib errors) on random bytes or a truncated file; each becomes
    one :class:`InputError` naming the file and the fix.
    """
    import pyrosm

    # pyrosm's own progress line ("Reading X took 00:03", on stderr when a read is slow)
    # would make a run's output depend on the machine's speed; the planner logs its stages.
    quiet = {"progress": False} if "progress" in inspect.signature(pyrosm.OSM).parameters else {}
    try:
        return read(pyrosm.OSM(path, **quiet))
    except Exception as exc:  # pyrosm raises plain exceptions on corrupt files
        why = str(exc).split(". ")[0][:160]
        raise InputError(
            f"network file {path!r} cannot be read as OSM PBF ({why}); the file is corrupt "
            "or truncated: download or export it again"
        ) from None


def _read_pbf(path: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    got = _with_pbf(path, lambda osm: osm.get_network(nodes=True, network_type="all"))
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
    edges_gdf = edges_gdf.to_crs(WGS84) if edges_gdf.crs else edges_gdf
    nodes_gdf = nodes_gdf.to_crs(WGS84) if nodes_gdf.crs else nodes_gdf
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
            g = ox.graph_from_place(source, network_type="all", simplify=False, retain_all=True)
        except ValueError as exc:
            raise NetworkError(
                f"network {source!r} holds no usable roads ({exc}); check the file or place"
            ) from None
        except Exception as exc:
            raise _osmnx_failure(source, kind, exc) from None
    ways, nodes = _graph_frames(g)
    # with all_oneway, osmnx already turned ways tagged oneway=-1 around
    if "oneway" in ways.columns:
        rev = ways["oneway"].astype(str).isin(["-1", "reverse", "T"])
        ways.loc[rev, "oneway"] = "yes"
    return ways, nodes


def _osmnx_failure(source: str, kind: str, exc: Exception) -> InputError | NetworkError:
    """The error for an OSM XML file (``kind="xml"``) or a place osmnx could not read."""
    if kind == "place":
        return NetworkError(
            f"network {source!r}: the place could not be downloaded ({exc}); check the "
            "name and the internet connection, or give a local .osm.pbf file"
        )
    return InputError(
        f"network file {source!r} cannot be read as OSM XML ({exc}); the file is corrupt or "
        "truncated: download or export it again"
    )


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
    _check_graphml(g, path)
    ways, nodes = _graph_frames(g)
    length = (
        ways["length"].astype(float).round(2)
        if "length" in ways.columns
        else pd.Series(shapely.length(ways.geometry.values)).round(6)
    )
    osmid = ways["osmid"].map(tag_text) if "osmid" in ways.columns else pd.Series([""] * len(ways))
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


def _check_graphml(g: nx.MultiDiGraph, path: str) -> None:
    """Raise :class:`NetworkError` unless the graph states a valid ``crs`` and every node
    has finite ``x`` and ``y`` (networkx adds an edge's undefined end as a bare node)."""
    source = f"network file {path!r}"
    crs = g.graph.get("crs")
    if crs is None or str(crs).strip() == "":
        raise NetworkError(
            f"{source}: the graph has no 'crs' attribute; save it with osmnx.save_graphml, or "
            'add <data key="crs">epsg:4326</data> (with its <key>) to its <graph>'
        )
    try:
        pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError:
        raise NetworkError(
            f"{source}: the graph's crs {str(crs)[:80]!r} is not a coordinate system; use an "
            "EPSG code such as epsg:4326"
        ) from None
    undefined, no_xy = [], []
    for node, data in g.nodes(data=True):
        if not data:
            undefined.append(node)
        elif not all(np.isfinite(_number(data.get(k))) for k in ("x", "y")):
            no_xy.append(node)
    if undefined:
        raise NetworkError(
            f"{source}: edges lead to {_few(undefined)} that the file does not define; add "
            "those <node> elements with x and y, or remove the edges"
        )
    if no_xy:
        raise NetworkError(
            f"{source}: {_few(no_xy)}: no number x or y (coordinates in the graph's crs); "
            "add them, or remove those nodes and their edges"
        )


def _number(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _few(nodes: list[Any]) -> str:
    """``node 9`` or ``nodes 1, 2, 3 and 4 more``."""
    shown = ", ".join(str(n) for n in nodes[:5])
    more = f" and {len(nodes) - 5} more" if len(nodes) > 5 else ""
    return f"node{'s' if len(nodes) > 1 else ''} {shown}{more}"
