"""Sub-districts (街道, streets or any polygon layer) for figures per sub-area."""

from __future__ import annotations

import logging
import os

import geopandas as gpd
import numpy as np
import shapely

from ..core import crs as crs_mod
from ..core._validate import find_column
from ..core.crs import WGS84
from ..core.errors import InputError
from .points import (
    check_file,
    check_reading,
    checked_crs,
    read_vector,
    to_wgs84,
    vector_declaration,
)

log = logging.getLogger(__name__)


def read_areas(
    path: str | os.PathLike[str],
    *,
    name_column: str | None = None,
    crs: str | int | None = None,
    default_crs: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read sub-area polygons (GeoJSON, GeoPackage or Shapefile) into WGS-84.

    ``crs`` is the layer's coordinate system (it overrides what the file declares: a
    GeoPackage's CRS, a ``.prj``, a GeoJSON ``crs`` or ``coordinate_system`` member),
    ``default_crs`` the system of a layer that declares none; else WGS-84. Returns a
    GeoDataFrame with ``area`` (the name: ``name_column``, else a ``name``/``名称``
    column, else the row number) and polygon geometry; ``attrs["crs"]`` says how it was
    read.
    """
    p = check_file(path, "areas")
    source = f"areas file {str(p)!r}"
    gdf = read_vector(p, source)
    kinds = gdf.geometry.geom_type.fillna("none")
    bad = np.flatnonzero(~kinds.isin(["Polygon", "MultiPolygon"]).to_numpy())
    if bad.size:
        raise InputError(
            f"{source}: features {[int(i) for i in bad[:5]]} are "
            f"{sorted(set(kinds.iloc[bad]))}, not polygons; give a polygon layer of sub-districts"
        )
    crs, default_crs = checked_crs(crs, default_crs, field="areas_crs")
    declared, how, native = vector_declaration(p, gdf, source)
    reading = crs_mod.resolve(crs, declared, default_crs, how=how)
    check_reading(reading, default_crs, source=source, field="areas_crs")
    geometry = shapely.transform(
        gdf.geometry.values, lambda xy: np.column_stack(to_wgs84(xy[:, 0], xy[:, 1], reading,
                                                                  native=native))
    )  # fmt: skip
    col = find_column(gdf, "name", override=name_column, source=source)
    names = gdf[col].astype(str) if col else [f"area {i + 1}" for i in range(len(gdf))]
    out = gpd.GeoDataFrame({"area": list(names)}, geometry=geometry, crs=WGS84)
    out.attrs["crs"] = reading
    if out["area"].duplicated().any():
        dup = out.loc[out["area"].duplicated(), "area"].iloc[0]
        raise InputError(f"{source}: area name {dup!r} appears twice; names must be unique")
    log.info("read %d sub-areas", len(out))
    return out
