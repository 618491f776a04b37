"""Station sites: existing stations and candidate sites for new ones.

Candidates are real places that can host a station: the user's own list, or host venues
from the map (community centres, bank branches, pharmacies, post offices, malls,
supermarkets, fuel stations, hotels; see :data:`planner.config.HOST_VENUE_TAGS`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd

from . import _osm
from ._io import read_point_table
from .config import HOST_VENUE_TAGS
from .crs import WGS84
from .errors import InputError

log = logging.getLogger(__name__)


def read_sites(
    path: str | os.PathLike[str],
    *,
    role: str = "stations",
    crs: str | int | None = "wgs84",
    columns: dict[str, str] | None = None,
) -> gpd.GeoDataFrame:
    """Read stations or candidates: CSV with ``id, name, lon, lat`` (or a vector file).

    Returns a WGS-84 GeoDataFrame with unique string ``id``, ``name``, ``lon``, ``lat`` and
    any other columns of the file.
    """
    prefix = "S" if role == "stations" else "C"
    df = read_point_table(path, role=role, crs=crs, id_prefix=prefix, columns=columns)
    df = df.drop(columns=["weight"])
    log.info("read %d %s", len(df), role)
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=WGS84)


def candidates_from_osm(
    source: str | Path, *, tags: Mapping[str, Sequence[str]] = HOST_VENUE_TAGS
) -> gpd.GeoDataFrame:
    """Host venues of an OSM source as candidate sites (``id, name, category, street``)."""
    venues = _osm.read_pois(source, tags)
    if venues.empty:
        raise InputError(
            f"network {str(source)!r} has no host venues (banks, pharmacies, "
            "community centres...); give a --candidates file"
        )
    log.info("found %d host venues", len(venues))
    return venues


def empty_sites() -> gpd.GeoDataFrame:
    """A site table with no rows (a district with no station yet)."""
    return gpd.GeoDataFrame(
        {"id": [], "name": [], "lon": [], "lat": []},
        geometry=gpd.GeoSeries([], crs=WGS84),
        crs=WGS84,
    )
