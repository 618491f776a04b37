"""GeoJSON features of a frame, as geopandas makes them (``to_geo_dict(na="null",
show_bbox=False, drop_id=True)``), column by column instead of row by row.

geopandas turns every property to a Python object through ``astype(object)`` on the whole
frame (for a text column held by pyarrow, one element at a time in Python) and every
geometry through ``shapely.geometry.mapping``. Here each column is converted once
(pyarrow text in one call, numbers and flags with numpy), missing values become ``None``
(JSON ``null``), and two-dimensional points get their ``{"type": "Point", "coordinates":
(x, y)}`` from one coordinate array. The dicts are equal, key for key and value for
value, so ``json.dumps`` writes the same text.
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
    points = present & (shapely.get_type_id(geoms) == 0) & ~shapely.has_z(geoms)
    out: list[Any] = [None] * len(geoms)
    if points.any():
        xy = shapely.get_coordinates(geoms[points]).tolist()
        for i, (x, y) in zip(np.flatnonzero(points).tolist(), xy, strict=True):
            out[i] = {"type": "Point", "coordinates": (x, y)}
    for i in np.flatnonzero(present & ~points).tolist():
        out[i] = mapping(geoms[i])
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
