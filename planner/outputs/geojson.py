"""GeoJSON features of a frame, as geopandas makes them (``to_geo_dict(na="null",
show_bbox=False, drop_id=True)``), column by column instead of row by row.

geopandas turns every property to a Python object through ``astype(object)`` on the whole
frame (for a text column held by pyarrow, one element at a time in Python) and every
geometry through ``shapely.geometry.mapping``. Here each column is converted once
(pyarrow text in one call, numbers and flags with numpy), missing values become ``None``
(JSON ``null``), and two-dimensional points and polygons get their coordinates from one
coordinate array per chunk (lists where ``mapping`` has tuples). The dicts are equal, key
for key and value for value, so ``json.dumps`` writes the same text.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping


def _objects(column: pd.Series) -> np.ndarray:
    """The column's values as Python objects, missing ones as None."""
    dtype = column.dtype
    if isinstance(dtype, pd.StringDtype):
        values = column.to_numpy(dtype=object, na_value=None)
    elif isinstance(dtype, np.dtype) and dtype.kind in "biuf":
        values = column.to_numpy().astype(object)
    else:
        values = column.astype(object).to_numpy(copy=True)
    missing = pd.isna(column).to_numpy()
    if missing.any():
        values[missing] = None
    return values


def _geometries(geoms: np.ndarray) -> list[Any]:
    """Each geometry as ``mapping`` gives it (None for a missing or empty one)."""
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    kind = shapely.get_type_id(geoms)
    flat = present & ~shapely.has_z(geoms)
    points, polygons = flat & (kind == 0), flat & np.isin(kind, (3, 6))
    out: list[Any] = [None] * len(geoms)
    if points.any():
        xy = shapely.get_coordinates(geoms[points]).tolist()
        for i, (x, y) in zip(np.flatnonzero(points).tolist(), xy, strict=True):
            out[i] = {"type": "Point", "coordinates": (x, y)}
    if polygons.any():
        at = np.flatnonzero(polygons)
        for i, coords in zip(at.tolist(), _polygon_coordinates(geoms[at]), strict=True):
            out[i] = coords
    for i in np.flatnonzero(present & ~points & ~polygons).tolist():
        out[i] = mapping(geoms[i])
    return out


def _polygon_coordinates(geoms: np.ndarray) -> list[dict[str, Any]]:
    """The ``mapping`` of each (non-empty, 2D) polygon or multipolygon, its rings' points
    taken from one coordinate array: ``Polygon``: rings (exterior first) of ``[x, y]``;
    ``MultiPolygon``: such a list per part."""
    parts, part_of = shapely.get_parts(geoms, return_index=True)
    rings, ring_of = shapely.get_rings(parts, return_index=True)
    xy, point_of = shapely.get_coordinates(rings, return_index=True)
    ends = np.searchsorted(point_of, np.arange(len(rings) + 1))
    points = xy.tolist()
    ring_list = [points[a:b] for a, b in zip(ends[:-1].tolist(), ends[1:].tolist(), strict=True)]
    ring_ends = np.searchsorted(ring_of, np.arange(len(parts) + 1)).tolist()
    part_rings = [ring_list[a:b] for a, b in zip(ring_ends[:-1], ring_ends[1:], strict=True)]
    part_ends = np.searchsorted(part_of, np.arange(len(geoms) + 1)).tolist()
    multi = (shapely.get_type_id(geoms) == 6).tolist()
    out = []
    for g, (a, b) in enumerate(zip(part_ends[:-1], part_ends[1:], strict=True)):
        if multi[g]:
            out.append({"type": "MultiPolygon", "coordinates": part_rings[a:b]})
        else:
            out.append({"type": "Polygon", "coordinates": part_rings[a]})
    return out


def features(frame: gpd.GeoDataFrame) -> list[dict[str, Any]]:
    """The features of ``frame`` (see the module): ``type``, ``properties`` (every column
    but the geometry, in order) and ``geometry``."""
    if not frame.columns.is_unique:
        raise ValueError("GeoDataFrame cannot contain duplicated column names.")
    geometry = frame.geometry.name
    names = [c for c in frame.columns if c != geometry]
    columns = [_objects(frame[c]) for c in names]
    geoms = _geometries(np.asarray(frame.geometry.values, dtype=object))
    rows = zip(*columns, strict=True) if columns else iter([()] * len(frame))
    return [
        {"type": "Feature", "properties": dict(zip(names, row, strict=True)), "geometry": g}
        for row, g in zip(rows, geoms, strict=True)
    ]
