"""The districts of a region: read from a polygon layer, checked, named, given a folder each,
and the rule that gives each hotspot to exactly one district.

The overlap rule: a point belongs to the district whose polygon covers it (its border
included). Where polygons overlap, or a point lies on a shared border, the point goes to the
district whose name sorts first (the order of the region table), so every hotspot is
counted once. Overlaps larger than :data:`OVERLAP_WARN_M2` are logged as a warning naming
the districts. Hotspots in no district are left out of every district and counted.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import unicodedata

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..core import crs as crs_mod
from ..core._validate import find_column
from ..core.crs import WGS84
from ..core.errors import InputError
from ..inputs.points import (
    check_file,
    check_reading,
    checked_crs,
    read_vector,
    to_wgs84,
    vector_declaration,
)

log = logging.getLogger(__name__)

#: Overlaps of two districts larger than this (m², about 10 m × 10 m) are logged.
OVERLAP_WARN_M2 = 100.0
#: Longest folder name made from a district name (characters, before any suffix).
FOLDER_CHARS = 60


def read_districts(
    path: str | os.PathLike[str],
    *,
    name_column: str | None = None,
    crs: str | int | None = None,
    default_crs: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read district polygons (GeoJSON, GeoPackage or Shapefile) into WGS-84.

    Returns a GeoDataFrame sorted by ``district`` (the name: ``name_column``, else a
    ``name``/``名称`` column), polygon geometry, and the layer's other columns (such as a
    count of new sites per district, or ``min_add``). ``crs``/``default_crs`` as for
    :func:`planner.inputs.areas.read_areas`. A missing or duplicated name, a feature that is
    not a polygon, or an invalid polygon is an :class:`~planner.core.errors.InputError`
    naming the district and the fix.
    """
    p = check_file(path, "districts")
    source = f"districts file {str(p)!r}"
    gdf = read_vector(p, source)
    names = _names(gdf, name_column, source)
    _check_shapes(gdf, names, source)
    crs, default_crs = checked_crs(crs, default_crs, field="districts_crs")
    declared, how, native = vector_declaration(p, gdf, source)
    reading = crs_mod.resolve(crs, declared, default_crs, how=how)
    check_reading(reading, default_crs, source=source, field="districts_crs")
    geometry = shapely.transform(
        gdf.geometry.values,
        lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], reading, native=native)),
    )
    others = {c: gdf[c].to_numpy() for c in gdf.columns if c not in ("district", "geometry")}
    out = gpd.GeoDataFrame({"district": names, **others}, geometry=geometry, crs=WGS84)
    out = out.sort_values("district", kind="stable").reset_index(drop=True)
    out.attrs["crs"] = reading
    log.info("read %d districts", len(out))
    return out


def _names(gdf: gpd.GeoDataFrame, name_column: str | None, source: str) -> list[str]:
    col = find_column(gdf, "name", override=name_column, source=source)
    if col is None and "district" in gdf.columns:
        col = "district"
    if col is None:
        raise InputError(
            f"{source}: no column names the districts; give --district-name-column COLUMN "
            f"(columns: {', '.join(map(str, gdf.columns.drop('geometry')))})"
        )
    raw = gdf[col]
    names = [unicodedata.normalize("NFC", str(v)).strip() if pd.notna(v) else "" for v in raw]
    empty = [i for i, n in enumerate(names) if not n]
    if empty:
        raise InputError(
            f"{source}: features {empty[:5]} have no name in column {col!r}; name every district"
        )
    seen: set[str] = set()
    for n in names:
        if n in seen:
            raise InputError(f"{source}: district name {n!r} appears twice; names must be unique")
        seen.add(n)
    return names


def _check_shapes(gdf: gpd.GeoDataFrame, names: list[str], source: str) -> None:
    """Every feature a valid, non-empty polygon; else an error naming the district."""
    geoms = gdf.geometry.values
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            raise InputError(f"{source}: district {names[i]!r} has no geometry; draw its polygon")
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(
                f"{source}: district {names[i]!r} is a {g.geom_type}, not a polygon; give a "
                "polygon layer of districts"
            )
        if not shapely.is_valid(g):
            raise InputError(
                f"{source}: district {names[i]!r} has an invalid polygon "
                f"({shapely.is_valid_reason(g)}); repair it (QGIS: Fix geometries; "
                "shapely.make_valid) and run again"
            )


def folders(names: list[str]) -> dict[str, str]:
    """A folder name for each district name: letters (any script), digits, ``-``, ``_``
    and ``.`` kept, anything else ``_``; a name that had to change, that is too long, or
    that would collide with another (ignoring case) gets ``-`` and 8 hex digits of its
    sha1. The same names always give the same folders."""
    base = {}
    for name in names:
        safe = re.sub(r"[^\w.-]", "_", name, flags=re.UNICODE).strip("._") or "district"
        base[name] = safe[:FOLDER_CHARS]
    taken = pd.Series([b.casefold() for b in base.values()]).value_counts()
    out = {}
    for name, safe in base.items():
        if safe != name or taken[safe.casefold()] > 1:
            safe = f"{safe}-{hashlib.sha1(name.encode('utf-8')).hexdigest()[:8]}"
        out[name] = safe
    return out


def assign(points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, crs: object) -> np.ndarray:
    """Per point, the position of its district in ``districts`` (sorted by name), or -1:
    the first district by name whose polygon covers it (see the module's rule). ``crs``:
    the projected CRS the test is made in."""
    out = np.full(len(points), -1, dtype=np.int64)
    if not len(points):
        return out
    polys = districts.geometry.to_crs(crs).values
    pts = points.geometry.to_crs(crs).values
    pi, di = shapely.STRtree(polys).query(pts, predicate="covered_by")
    order = np.lexsort((di, pi))
    pi, di = pi[order], di[order]
    first = np.r_[True, pi[1:] != pi[:-1]] if len(pi) else np.zeros(0, bool)
    out[pi[first]] = di[first]
    return out


def warn_overlaps(districts: gpd.GeoDataFrame, *, crs: object) -> list[tuple[str, str, float]]:
    """The pairs of districts that overlap by more than :data:`OVERLAP_WARN_M2` (names and
    m²), each logged as a warning."""
    polys = districts.geometry.to_crs(crs).values
    a, b = shapely.STRtree(polys).query(polys, predicate="overlaps")
    pairs = []
    for i, j in zip(a, b, strict=True):
        if i < j:
            area = float(shapely.area(shapely.intersection(polys[i], polys[j])))
            if area > OVERLAP_WARN_M2:
                pairs.append((districts["district"].iat[i], districts["district"].iat[j], area))
                log.warning(
                    "districts %r and %r overlap (%.0f m²): a point in both counts in %r",
                    pairs[-1][0], pairs[-1][1], area, pairs[-1][0],
                )  # fmt: skip
    return pairs
