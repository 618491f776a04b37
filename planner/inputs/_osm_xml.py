"""Roads of an OSM XML file (``.osm``, ``.osm.bz2``), read with pyosmium (libosmium).

Only ways with a ``highway`` tag are read: an export of the map also holds buildings,
land use, railways, rivers and boundaries, which are not roads. Each way becomes one
segment per pair of consecutive nodes. When the file has a ``<bounds>`` element (exports
from openstreetmap.org, JOSM and Overpass have one), the roads are cut at that box: an
export holds every way that enters the box whole, with its far ends outside, where the
roads around it are missing.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from ..core.errors import InputError, NetworkError

log = logging.getLogger(__name__)

#: Box (min lon, min lat, max lon, max lat) of a file's ``<bounds>``.
Box = tuple[float, float, float, float]


def read_xml_roads(path: str, tags: tuple[str, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Road segments and their nodes of an OSM XML file, in WGS-84, cut to its bounds.

    Returns ``ways`` (``u``, ``v`` OSM node ids, ``osmid`` the way id, a two-point
    LineString ``geometry`` from u to v and the ``tags``, empty where the way has none; a
    ``oneway=-1`` way is turned round, drawn the way it may be ridden) and ``nodes``
    (``osmid``, ``x`` = longitude, ``y`` = latitude). Where a segment crosses the bounds it
    ends at the edge, at a new node with a negative id; nodes outside are dropped.
    """
    fmt = "osm.bz2" if path.lower().endswith(".bz2") else "osm"
    try:
        box = _bounds(path, fmt)
        ways = _segments(path, fmt, tags)
    except (RuntimeError, ValueError, OSError) as exc:  # libosmium's XML parser
        why = str(exc).split("\n")[0][:160]
        raise InputError(
            f"network file {path!r} cannot be read as OSM XML ({why}); the file is corrupt or "
            "truncated: download or export it again"
        ) from None
    if len(ways) == 0:
        raise NetworkError(f"network file {path!r} holds no roads (no way has a highway tag)")
    n_read = len(ways)
    if box is not None:
        ways = clip_to_box(ways, box)
        log.info(
            "%s: %d of %d road segments lie in the file's bounds %s (cut at the edge)",
            Path(path).name, len(ways), n_read, ", ".join(f"{c:g}" for c in box),
        )  # fmt: skip
        if len(ways) == 0:
            raise NetworkError(f"network file {path!r}: no road lies inside its <bounds>")
    return ways, _nodes(ways)


def _bounds(path: str, fmt: str) -> Box | None:
    """The box of the file's ``<bounds>`` element, or None when it has none."""
    import osmium

    reader = osmium.io.Reader(osmium.io.File(path, fmt), osmium.osm.osm_entity_bits.NOTHING)
    try:
        box = reader.header().box()
    finally:
        reader.close()
    if not box.valid():
        return None
    lo, hi = box.bottom_left, box.top_right
    return (lo.lon, lo.lat, hi.lon, hi.lat)


def _segments(path: str, fmt: str, tags: tuple[str, ...]) -> pd.DataFrame:
    """One row per pair of consecutive nodes of every ``highway`` way whose nodes the file
    holds (a pair with a node missing from the file is skipped, as is a node repeated)."""
    import osmium
    import osmium.filter

    ids, rows, us, vs, coords = [], [], [], [], []
    processor = (
        osmium.FileProcessor(osmium.io.File(path, fmt), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    for way in processor:
        if not isinstance(way, osmium.osm.Way):
            continue
        refs = [(n.ref, n.lon, n.lat) if n.location.valid() else None for n in way.nodes]
        pairs = [
            (a, b) for a, b in zip(refs[:-1], refs[1:], strict=True) if a and b and a[0] != b[0]
        ]
        if not pairs:
            continue
        rows.append({k: way.tags.get(k, "") for k in tags})
        ids.append((way.id, len(pairs)))
        us += [a[0] for a, _ in pairs]
        vs += [b[0] for _, b in pairs]
        coords += [((a[1], a[2]), (b[1], b[2])) for a, b in pairs]
    if not ids:
        return pd.DataFrame({"u": [], "v": [], "osmid": [], "geometry": []})
    repeat = np.array([n for _, n in ids])
    ways = pd.DataFrame(rows).loc[np.repeat(np.arange(len(rows)), repeat)].reset_index(drop=True)
    ways.insert(0, "osmid", np.repeat([i for i, _ in ids], repeat))
    u, v = np.array(us, dtype=np.int64), np.array(vs, dtype=np.int64)
    geometry = shapely.linestrings(np.array(coords, dtype=float))
    if "oneway" in ways.columns:  # oneway=-1 is drawn the way it may be ridden
        back = ways["oneway"].isin(["-1", "reverse"]).to_numpy()
        u, v = np.where(back, v, u), np.where(back, u, v)
        geometry[back] = shapely.reverse(geometry[back])
        ways.loc[back, "oneway"] = "yes"
    ways.insert(0, "v", v)
    ways.insert(0, "u", u)
    ways["geometry"] = geometry
    return ways


def clip_to_box(ways: pd.DataFrame, box: Box) -> pd.DataFrame:
    """The two-point segments ``ways`` (``u``, ``v``, ``geometry``, WGS-84) cut to ``box``.

    A segment inside is kept; one that crosses the edge is cut there and its end outside
    becomes a new node (ids -1, -2, … in segment order); one outside is dropped.
    """
    xy = shapely.get_coordinates(ways["geometry"].to_numpy()).reshape(-1, 2, 2)
    lon0, lat0, lon1, lat1 = box

    def inside(p: np.ndarray) -> np.ndarray:
        return (p[:, 0] >= lon0) & (p[:, 0] <= lon1) & (p[:, 1] >= lat0) & (p[:, 1] <= lat1)

    in_u, in_v = inside(xy[:, 0]), inside(xy[:, 1])
    cut = np.flatnonzero(~(in_u & in_v))
    piece = shapely.clip_by_rect(ways["geometry"].to_numpy()[cut], lon0, lat0, lon1, lat1)
    ok = (shapely.get_type_id(piece) == 1) & (shapely.length(piece) > 0)
    cut, piece = cut[ok], piece[ok]
    ends = shapely.get_coordinates(piece).reshape(-1, 2, 2)
    # keep the drawing direction u → v (the clipped piece may come out either way)
    flip = np.linalg.norm(ends[:, 0] - xy[cut, 0], axis=1) > np.linalg.norm(
        ends[:, 1] - xy[cut, 0], axis=1
    )
    ends[flip] = ends[flip, ::-1]
    out = ways.copy()
    out.loc[out.index[cut], "geometry"] = shapely.linestrings(ends)
    new_ids = -1 - np.arange(2 * len(cut)).reshape(-1, 2)
    u = out["u"].to_numpy().copy()
    v = out["v"].to_numpy().copy()
    u[cut] = np.where(in_u[cut], u[cut], new_ids[:, 0])
    v[cut] = np.where(in_v[cut], v[cut], new_ids[:, 1])
    out["u"], out["v"] = u, v
    keep = (in_u & in_v) | np.isin(np.arange(len(ways)), cut)
    return out.loc[keep].reset_index(drop=True)


def _nodes(ways: pd.DataFrame) -> pd.DataFrame:
    """``osmid``, ``x``, ``y`` of every segment end (each node once)."""
    xy = shapely.get_coordinates(ways["geometry"].to_numpy()).reshape(-1, 2, 2)
    nodes = pd.DataFrame(
        {
            "osmid": np.concatenate([ways["u"].to_numpy(), ways["v"].to_numpy()]),
            "x": np.concatenate([xy[:, 0, 0], xy[:, 1, 0]]),
            "y": np.concatenate([xy[:, 0, 1], xy[:, 1, 1]]),
        }
    )
    return nodes.drop_duplicates("osmid").reset_index(drop=True)
