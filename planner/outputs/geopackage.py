"""``plan.gpkg``: every layer of a plan in one GeoPackage for QGIS and ArcGIS, written
with pyogrio (GDAL, each layer handed over as one Arrow table), byte for byte the same for
the same plan.

GDAL stamps the time of writing into ``gpkg_contents.last_change``; the configuration
option ``OGR_CURRENT_DATE`` sets that stamp, here to :data:`FIXED_DATE` for the time of
the write (and put back after). The rest of the file (SQLite pages, the R-tree spatial
indexes) depends only on the rows written and their order.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import geopandas as gpd
import pyogrio

from ..core.crs import WGS84

#: The ``last_change`` every layer states (ISO 8601, UTC, as GeoPackage requires).
FIXED_DATE = "2000-01-01T00:00:00.000Z"


@contextmanager
def _fixed_date() -> Iterator[None]:
    before = pyogrio.get_gdal_config_option("OGR_CURRENT_DATE")
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": FIXED_DATE})
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": before})


def write(layers: Mapping[str, gpd.GeoDataFrame], path: str | os.PathLike[str]) -> None:
    """Write ``layers`` (name → frame) into a new GeoPackage at ``path``, each in WGS-84
    (EPSG:4326), in the order given."""
    with _fixed_date():
        for name, frame in layers.items():
            out = frame.to_crs(WGS84) if frame.crs is not None else frame.set_crs(WGS84)
            pyogrio.write_dataframe(
                out.reset_index(drop=True), path, layer=name, driver="GPKG", append=False,
                use_arrow=True,
            )  # fmt: skip
