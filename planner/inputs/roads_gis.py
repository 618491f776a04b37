"""Road networks from a district's own GIS: a line layer in a GeoPackage, Shapefile or
GeoJSON file (read with pyogrio).

The coordinate system is read from the file. Lines are joined into a graph where their ends
meet within the snapping tolerance (see :mod:`planner.inputs._noding`); the road class, speed
and one-way rule of each line come from named columns. The reader returns way segments and
nodes in the shape :func:`planner.inputs.network.build` takes, in a projected CRS (metres),
with sentences on the layer's flaws (gaps, dangling ends, crossings without a node).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from ..core import crs as crs_mod
from ..core.errors import InputError, NetworkError
from . import _noding

log = logging.getLogger(__name__)

#: Default snapping tolerance (m): line ends closer than this are one junction.
SNAP_ENDS_M = 1.0

#: Largest snapping tolerance accepted (m); wider would join the two sides of a street.
SNAP_ENDS_MAX_M = 50.0

#: Road class of a line whose class is unknown or blank (OSM's "road of unknown type").
DEFAULT_CLASS = "road"

#: Chinese road classes (CJJ 37 urban roads, JTG B01 highways by administrative level, and
#: common names in planning data) as ``(OSM highway, motorroad)``. Urban expressways
#: (快速路) are closed to e-bikes and pedestrians, as OSM tags them ``motorroad=yes``.
CHINESE_CLASSES: Mapping[str, tuple[str, bool]] = MappingProxyType(
    {
        "高速公路": ("motorway", True), "高速": ("motorway", True),
        "城市快速路": ("trunk", True), "快速路": ("trunk", True),
        "匝道": ("motorway_link", True),
        "主干路": ("primary", False), "主干道": ("primary", False),
        "城市主干路": ("primary", False),
        "次干路": ("secondary", False), "次干道": ("secondary", False),
        "城市次干路": ("secondary", False),
        "支路": ("tertiary", False), "城市支路": ("tertiary", False),
        "街坊路": ("residential", False), "小区路": ("residential", False),
        "居住区道路": ("residential", False), "内部道路": ("service", False),
        "国道": ("trunk", False), "省道": ("primary", False), "县道": ("secondary", False),
        "乡道": ("tertiary", False), "村道": ("unclassified", False),
        "非机动车道": ("cycleway", False), "自行车道": ("cycleway", False),
        "人行道": ("footway", False), "步行道": ("footway", False),
        "步行街": ("pedestrian", False), "台阶": ("steps", False),
    }
)  # fmt: skip

#: OSM ``highway`` values a class column may hold as they are (any case).
OSM_CLASSES = (
    "motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link",
    "secondary", "secondary_link", "tertiary", "tertiary_link", "unclassified",
    "residential", "road", "living_street", "service", "cycleway", "track", "path",
    "bridleway", "footway", "pedestrian", "corridor", "steps",
)  # fmt: skip

#: One-way column values: drawn direction only, against it, both ways (any case; blank: both).
ONEWAY_VALUES: Mapping[str, str] = MappingProxyType(
    {
        **dict.fromkeys(("yes", "y", "true", "t", "1", "ft", "是", "单向"), "yes"),
        **dict.fromkeys(("-1", "reverse", "tf", "逆向"), "-1"),
        **dict.fromkeys(("no", "n", "false", "f", "0", "b", "", "否", "双向"), "no"),
    }
)

#: Columns holding the street name, the first present is used.
NAME_COLUMNS = ("name", "NAME", "Name", "名称", "道路名称", "路名")


@dataclass(frozen=True)
class Roads:
    """A GIS road layer as way segments and nodes in a projected CRS.

    ``ways``: ``u``, ``v`` (node ids), LineString ``geometry`` from u to v, ``highway``,
    ``motorroad``, ``oneway``, ``name`` and, with a speed column, ``maxspeed`` (km/h).
    ``nodes``: ``osmid`` (node id), ``x``, ``y``. ``crs``: their CRS (metres).
    ``warnings``: sentences on the layer's flaws; ``counts``: the same as numbers.
    """

    ways: pd.DataFrame
    nodes: pd.DataFrame
    crs: pyproj.CRS
    warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def read_roads(
    path: str | Path,
    *,
    road_class_column: str | None = None,
    speed_column: str | None = None,
    oneway_column: str | None = None,
    snap_ends_m: float | str = SNAP_ENDS_M,
    network_crs: str | None = None,
) -> Roads:
    """Read the road lines of a ``.gpkg``, ``.shp`` or ``.geojson`` file as a graph.

    Parameters
    ----------
    path
        The file; a GeoPackage must hold one line layer.
    road_class_column
        Column of road classes: OSM ``highway`` values or Chinese classes
        (:data:`CHINESE_CLASSES`); default ``highway`` if present, else every line is a
        ``road``. Unknown classes are taken as ``road`` and counted in the warnings.
    speed_column
        Column of speeds (km/h) replacing the class speed; blank or 0 keeps it. Each mode
        caps it at its top speed.
    oneway_column
        Column of one-way rules (:data:`ONEWAY_VALUES`); default: every line two-way.
    snap_ends_m
        Line ends within this distance (m, 0 to :data:`SNAP_ENDS_MAX_M`) of another line
        are joined to it.
    network_crs
        The CRS of a file that states none (a Shapefile without its ``.prj``).
    """
    name = str(path)
    tol = _tolerance(snap_ends_m)
    layer = _read_layer(name, network_crs)
    lines, src, warnings, counts = _lines(layer, name)
    tags, more = _way_attributes(src, name, road_class_column, speed_column, oneway_column)
    warnings += more
    noded = _noding.node_lines(lines, tol)
    flaws = _noding.flaws(noded, tol)
    counts.update(flaws)
    warnings += _flaw_sentences(flaws, tol)
    ways = tags.iloc[noded.line].reset_index(drop=True)
    ways.insert(0, "u", noded.u)
    ways.insert(1, "v", noded.v)
    ways["geometry"] = noded.geometry
    nodes = pd.DataFrame(
        {"osmid": np.arange(len(noded.node_xy)), "x": noded.node_xy[:, 0], "y": noded.node_xy[:, 1]}
    )
    for text in warnings:
        log.warning("%s: %s", Path(name).name, text)
    log.info(
        "read %d road lines from %s: %d pieces between %d nodes (ends joined within %g m)",
        len(lines), name, len(ways), len(nodes), tol,
    )  # fmt: skip
    return Roads(ways, nodes, layer.crs, warnings, counts)


def _tolerance(value: float | str) -> float:
    try:
        tol = float(value)
    except (TypeError, ValueError):
        tol = float("nan")
    if not (0 <= tol <= SNAP_ENDS_MAX_M):
        raise InputError.about(
            "snap_ends_m",
            "{snap_ends_m}: {got!r} is not a distance; give metres from 0 to {most:g}, e.g. 1",
            got=value, most=SNAP_ENDS_MAX_M,
        )  # fmt: skip
    return tol


def _read_layer(path: str, network_crs: str | None) -> gpd.GeoDataFrame:
    """The file's line layer in a projected CRS in metres (the UTM zone of its centre when
    the file's CRS is geographic or not in metres)."""
    import pyogrio

    try:
        layers = pyogrio.list_layers(path)
        lines = [str(n) for n, kind in layers if "line" in str(kind).lower()]
        if len(lines) > 1:
            raise InputError(
                f"network file {path!r} holds {len(lines)} line layers ({', '.join(lines)}); "
                "keep the road layer alone in a file of its own"
            )
        layer = lines[0] if lines else None
        gdf = gpd.read_file(path, engine="pyogrio", layer=layer)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        why = str(exc).split("\n")[0].split(";")[0].rstrip(".")[:160]
        raise InputError(
            f"network file {path!r} cannot be read as a GIS layer ({why}); export it again"
        ) from None
    crs = _file_crs(gdf, path, network_crs)
    gdf = gdf.set_crs(crs, allow_override=True)
    metres = crs.is_projected and all(
        (a.unit_name or "").lower() in ("metre", "meter") for a in crs.axis_info[:2]
    )
    if metres:
        return gdf
    valid = gdf.geometry.notna() & ~gdf.geometry.is_empty
    if not valid.any():
        return gdf
    starts = shapely.get_point(shapely.get_geometry(gdf.geometry[valid].to_numpy(), 0), 0)
    lonlat = gpd.GeoSeries(starts, crs=crs).to_crs(crs_mod.WGS84)
    return gdf.to_crs(crs_mod.projected_crs_for(lonlat.x.to_numpy(), lonlat.y.to_numpy()))


def _file_crs(gdf: gpd.GeoDataFrame, path: str, network_crs: str | None) -> pyproj.CRS:
    """The CRS the file states, or ``network_crs`` for a file that states none."""
    given = None
    if network_crs:
        try:
            given = pyproj.CRS.from_user_input(network_crs)
        except pyproj.exceptions.CRSError:
            raise InputError.about(
                "network_crs",
                "{network_crs}: {got!r} is not a coordinate system; use an EPSG code such as "
                "EPSG:4490 (CGCS2000) or EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM 114E)",
                got=network_crs,
            ) from None
    if gdf.crs is None:
        if given is None:
            raise InputError.about(
                "network_crs",
                "network file {file!r} states no coordinate system (a Shapefile without its "
                ".prj?); give it with {network_crs}, e.g. EPSG:4490 for CGCS2000 lon/lat",
                file=path,
            )  # fmt: skip
        return given
    if given is not None and not given.equals(gdf.crs, ignore_axis_order=True):
        raise InputError.about(
            "network_crs",
            "{network_crs} {got} differs from the coordinate system network file {file!r} "
            "states ({states}); leave {network_crs} out, or mend the file's CRS",
            got=network_crs, file=path, states=gdf.crs.to_string(),
        )  # fmt: skip
    return pyproj.CRS.from_user_input(gdf.crs)


def _lines(
    gdf: gpd.GeoDataFrame, path: str
) -> tuple[np.ndarray, pd.DataFrame, list[str], dict[str, int]]:
    """Single LineStrings of the layer (multi-lines split, Z dropped), the attribute row of
    each, and sentences on the features that are not usable lines."""
    geom = gdf.geometry
    kind = geom.geom_type.fillna("none")
    is_line = kind.isin(["LineString", "MultiLineString"]).to_numpy() & ~geom.is_empty.to_numpy()
    if not is_line.any():
        found = ", ".join(sorted(set(kind))) or "no features"
        raise NetworkError(
            f"network file {path!r} holds no road lines ({found}); export the road "
            "centre-lines as a LineString layer"
        )
    rows = gdf.loc[is_line].drop(columns=gdf.geometry.name)
    parts, index = shapely.get_parts(shapely.force_2d(geom[is_line].to_numpy()), return_index=True)
    ok = (shapely.get_num_coordinates(parts) >= 2) & (shapely.length(parts) > 0)
    warnings, counts = [], {"features_read": len(gdf), "lines": int(ok.sum())}
    skipped = int((~is_line).sum()) + int((~ok).sum())
    if skipped:
        warnings.append(
            f"{skipped} features are not road lines (points, polygons, empty or zero-length "
            "lines) and were left out"
        )
        counts["features_skipped"] = skipped
    return parts[ok], rows.iloc[index[ok]].reset_index(drop=True), warnings, counts


def _column(attrs: pd.DataFrame, path: str, name: str | None, field_: str) -> pd.Series | None:
    """The column ``name`` of the layer (None when not asked for); a missing one is an
    error naming the columns present."""
    if name is None:
        return None
    if name not in attrs.columns:
        raise InputError.about(
            field_,
            "{" + field_ + "} {column!r}: network file {file!r} has no such column; its "
            "columns are {cols}",
            column=name, file=path, cols=", ".join(map(str, attrs.columns)) or "none",
        )  # fmt: skip
    return attrs[name]


def _way_attributes(
    attrs: pd.DataFrame,
    path: str,
    class_col: str | None,
    speed_col: str | None,
    oneway_col: str | None,
) -> tuple[pd.DataFrame, list[str]]:
    """The tags :func:`planner.inputs.network.build` reads, from the layer's columns."""
    if class_col is None and "highway" in attrs.columns:
        class_col = "highway"
    classes = _column(attrs, path, class_col, "road_class_column")
    highway, motorroad, warnings = road_classes(classes, len(attrs))
    ways = pd.DataFrame({"highway": highway, "motorroad": np.where(motorroad, "yes", "")})
    oneway = _column(attrs, path, oneway_col, "oneway_column")
    ways["oneway"] = "no" if oneway is None else oneway_rules(oneway, path, oneway_col or "")
    speed = _column(attrs, path, speed_col, "speed_column")
    if speed is not None:
        ways["maxspeed"] = speeds(speed, path, speed_col or "")
    name_col = next((c for c in NAME_COLUMNS if c in attrs.columns), None)
    names = attrs[name_col] if name_col else pd.Series([""] * len(attrs))
    ways["name"] = names.fillna("").astype(str).to_numpy()
    return ways, warnings


def road_classes(values: pd.Series | None, n: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """OSM ``highway`` class and ``motorroad`` flag of each line from its class value, and
    sentences on the values that are not known (taken as :data:`DEFAULT_CLASS`)."""
    if values is None:
        text = (
            f"no road class column: all {n} lines are taken as {DEFAULT_CLASS!r} "
            "(name the column of road classes with --road-class-column)"
        )
        return np.full(n, DEFAULT_CLASS, dtype=object), np.zeros(n, dtype=bool), [text]
    raw = values.map(_text).str.strip()
    lower = raw.str.lower()
    highway = lower.where(lower.isin(OSM_CLASSES))
    chinese = raw.map(lambda s: CHINESE_CLASSES.get(s, (None, False)))
    highway = highway.fillna(chinese.map(lambda c: c[0]))
    motorroad = chinese.map(lambda c: c[1]).to_numpy(dtype=bool)
    unknown = highway.isna().to_numpy()
    warnings = []
    if unknown.any():
        seen = raw[unknown].replace("", "(blank)").value_counts()
        shown = ", ".join(f"{v!r} ({c})" for v, c in seen.head(5).items())
        more = f" and {len(seen) - 5} more" if len(seen) > 5 else ""
        warnings.append(
            f"{int(unknown.sum())} lines have a road class the speed tables do not know "
            f"({shown}{more}); they are taken as {DEFAULT_CLASS!r}"
        )
    return highway.fillna(DEFAULT_CLASS).to_numpy(dtype=object), motorroad, warnings


def oneway_rules(values: pd.Series, path: str, column: str) -> np.ndarray:
    """``yes`` (drawn direction only), ``-1`` (against it) or ``no`` for each value."""
    text = values.map(_text).str.strip().str.lower()
    rule = text.map(ONEWAY_VALUES)
    bad = rule.isna()
    if bad.any():
        shown = ", ".join(repr(v) for v in text[bad].unique()[:5])
        raise InputError.about(
            "oneway_column",
            "{oneway_column} {column!r} of network file {file!r}: {n} lines have values that "
            "are not a one-way rule ({shown}); use yes/1/true (drawn direction only), -1 "
            "(against it) or no/0/false (both ways)",
            column=column, file=path, n=int(bad.sum()), shown=shown,
        )  # fmt: skip
    return rule.to_numpy(dtype=object)


def speeds(values: pd.Series, path: str, column: str) -> np.ndarray:
    """Speeds (km/h) as text for the ``maxspeed`` tag; blank or 0 keeps the class speed."""
    text = values.map(_text).str.strip()
    number = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = (number.isna() & (text != "")) | (number < 0) | (number > 200)
    if bad.any():
        first = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError.about(
            "speed_column",
            "{speed_column} {column!r} of network file {file!r}: {n} lines have a speed that "
            "is not km/h from 0 to 200 (the first: {first!r}); mend or blank those values",
            column=column, file=path, n=int(bad.sum()), first=text.iloc[first],
        )  # fmt: skip
    return np.where(number.fillna(0).to_numpy() > 0, number.map("{:g}".format), "")


def _text(value: Any) -> str:
    """A cell as text: blank for missing, ``1`` for the number 1.0."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _flaw_sentences(flaws: dict[str, int], tol: float) -> list[str]:
    gap_m = _noding.GAP_FACTOR * tol
    texts = []
    if flaws["gaps"]:
        texts.append(
            f"{flaws['gaps']} line ends lie {tol:g} to {gap_m:g} m from another line without "
            "joining it (gaps: mend the layer, or widen --snap-ends-m)"
        )
    if flaws["dangling_ends"]:
        texts.append(
            f"{flaws['dangling_ends']} dangling ends: roads that end without meeting another "
            "road (dead ends and the edge of the layer, or gaps)"
        )
    if flaws["crossings_without_node"]:
        texts.append(
            f"{flaws['crossings_without_node']} crossings without a node: lines that cross "
            "with no shared vertex (bridges and tunnels, or junctions the layer lacks; no "
            "turn is possible there)"
        )
    return texts
