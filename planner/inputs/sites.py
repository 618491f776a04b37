"""Station sites: existing stations and candidate sites for new ones.

Candidates are real places that can host a station: the user's own list, or host venues
from the map (community centres, bank branches, pharmacies, post offices, malls,
supermarkets, fuel stations, hotels; see :data:`planner.inputs._osm.HOST_VENUE_TAGS`).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..core._validate import Problems, numeric_column, rows_text
from ..core.crs import WGS84
from ..core.errors import FieldError, InputError
from . import _osm, hours
from ._osm import HOST_VENUE_TAGS
from .points import read_point_table

log = logging.getLogger(__name__)


def read_sites(
    path: str | os.PathLike[str],
    *,
    role: str = "stations",
    crs: str | int | None = None,
    columns: dict[str, str] | None = None,
    default_crs: str | int | None = None,
) -> gpd.GeoDataFrame:
    """Read stations, candidates or other operators' stations (``role="others"``): CSV
    with ``id, name, lon, lat`` (or a vector file).

    ``crs`` is this file's coordinate system (it overrides what the file declares),
    ``default_crs`` the system of a file that declares none (see
    :func:`planner.inputs.points.read_point_table`). Returns a WGS-84 GeoDataFrame with
    unique string ``id``, ``name``, ``lon``, ``lat`` and any other columns of the file;
    ``attrs["crs"]`` says how its coordinates were read.
    """
    prefix = {"stations": "S", "others": "O"}.get(role, "C")
    df = read_point_table(
        path, role=role, crs=crs, id_prefix=prefix, columns=columns, default_crs=default_crs
    )
    reading = df.attrs.get("crs")
    df = df.drop(columns=["weight"])
    hours.of_sites(df, source=f"{role} file {str(path)!r}")  # unreadable hours: an error
    log.info("read %d %s", len(df), role)
    out = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=WGS84)
    out.attrs["crs"] = reading
    return out


def candidates_from_osm(
    source: str | Path, *, tags: Mapping[str, Sequence[str]] = HOST_VENUE_TAGS
) -> gpd.GeoDataFrame:
    """Host venues of an OSM source as candidate sites (``id, name, category, street,
    opening_hours``)."""
    venues = _osm.read_pois(source, tags)
    if venues.empty:
        raise InputError(
            f"network {str(source)!r} has no host venues (banks, pharmacies, "
            "community centres...); give a candidates file instead"
        )
    log.info("found %d host venues", len(venues))
    return venues.assign(name=venue_names(venues), opening_hours=map_hours(venues, source))


def map_hours(venues: pd.DataFrame, source: str | Path) -> pd.Series:
    """The venues' ``opening_hours`` tags, with the values the parser cannot read emptied
    (with one warning: map data is messy, and such a venue then counts as always open)."""
    given = venues.get("opening_hours", pd.Series("", index=venues.index)).fillna("")
    read = hours.of_sites(venues, source=f"venues of {str(source)!r}", strict=False)
    if not read.unreadable:
        return given.astype(str)
    ok = [_readable(str(v)) for v in given]
    return given.astype(str).where(ok, "")


def _readable(value: str) -> bool:
    try:
        hours.week(value)
    except ValueError:
        return False
    return True


def venue_names(venues: pd.DataFrame) -> pd.Series:
    """Each venue's name, and for a venue the map leaves unnamed its kind and street
    (``"bank, 人民南路"``, ``"fuel"``), never a bare OSM id."""
    name = venues["name"].fillna("").astype(str).str.strip()
    kind = venues["category"].fillna("").astype(str).str.split("=").str[-1].str.replace("_", " ")
    street = venues.get("street", pd.Series("", index=venues.index)).fillna("").astype(str)
    fallback = kind.where(street.str.strip() == "", kind + ", " + street.str.strip())
    return name.where(name != "", fallback)


def empty_sites() -> gpd.GeoDataFrame:
    """A site table with no rows (a district with no station yet)."""
    return gpd.GeoDataFrame(
        {"id": [], "name": [], "lon": [], "lat": []},
        geometry=gpd.GeoSeries([], crs=WGS84),
        crs=WGS84,
    )


def capacities(
    candidates: gpd.GeoDataFrame,
    capacity: float | str | Sequence[float] | np.ndarray | None,
    *,
    source: str = "candidates",
    option: str = "capacity",
) -> np.ndarray | None:
    """Demand each candidate can serve, in the units of the hotspot weights.

    Parameters
    ----------
    candidates
        Candidate sites, rows in the order of their file.
    capacity
        ``None`` (no limit), one number for every candidate (such as ``300`` or ``"300"``),
        one number per candidate (in their order), or the name of a column of
        ``candidates`` holding each site's own capacity.
    source
        How to name the candidates in an error (their file).
    option
        The option errors name (``station_capacity`` for the existing stations' own).

    Returns
    -------
    numpy.ndarray or None
        One value > 0 per candidate, or None when there is no limit.
    """
    if capacity is None or (isinstance(capacity, str) and not capacity.strip()):
        return None
    if not isinstance(capacity, (str, int, float, np.number)):
        return _capacity_per_candidate(candidates, capacity, option)
    value = _number(capacity)
    if value is None:
        return _capacity_column(candidates, str(capacity), source, option)
    if not (np.isfinite(value) and value > 0):
        raise FieldError(
            option,
            "{" + option + "}: {got!r} must be a demand above 0 (the units of the hotspot "
            "weights), or the name of a column of the {source} holding each site's capacity",
            got=capacity, source=source,
        )  # fmt: skip
    return np.full(len(candidates), value)


def _number(value: float | str) -> float | None:
    """``value`` as a float, or None when it is not a number (a column name)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _capacity_per_candidate(
    candidates: gpd.GeoDataFrame, capacity: Sequence[float] | np.ndarray, option: str
) -> np.ndarray:
    """One capacity per candidate, in their order: as many as candidates, each above 0."""
    values = np.asarray(capacity, dtype=float).ravel()
    right_length = values.shape == (len(candidates),)
    if not right_length or not (np.isfinite(values) & (values > 0)).all():
        raise FieldError(
            option,
            "{"
            + option
            + "}: expected one demand above 0 per candidate ({n}), got {k} values{some}",
            n=len(candidates),
            k=values.shape[0],
            some=" with some not above 0" if right_length else "",
        )
    return values


def _capacity_column(
    candidates: gpd.GeoDataFrame, column: str, source: str, option: str
) -> np.ndarray:
    """Each site's capacity from the column ``column`` of ``candidates`` (numbers above 0;
    every bad row reported at once)."""
    if column not in candidates.columns:
        raise InputError.about(
            option,
            "{source}: no capacity column {column!r}; columns are {columns}; give {"
            + option + "} as a number or as the name of one of these columns",
            source=source, column=column,
            columns=[c for c in candidates.columns if c != "geometry"],
        )  # fmt: skip
    problems = Problems(source)
    values = numeric_column(candidates, column, problems, field=option)
    bad = np.flatnonzero(np.isfinite(values) & (values <= 0))
    if bad.size:
        problems.add(
            f"{rows_text(bad)}, column {column!r}: capacity must be above 0; give the demand "
            "the site can serve, or delete the rows"
        )
    problems.raise_if_any()
    return values
