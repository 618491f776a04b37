"""Reading point tables (CSV, GeoJSON, GeoPackage, Shapefile) into WGS-84 frames."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ..core import crs as crs_mod
from ..core._encoding import decode_table_text
from ..core._validate import (
    COLUMN_ALIASES,
    Problems,
    check_distinct_headers,
    check_lonlat,
    check_unique_ids,
    check_weight_total,
    find_column,
    header_key,
    numeric_column,
    planner_columns,
    rows_text,
)
from ..core.crs import COORDINATES_NOTE, COORDINATES_NOTE_ZH
from ..core.errors import InputError, InputFileNotFound, PlannerError

TABLE_SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp")

logger = logging.getLogger(__name__)


def check_file(path: str | os.PathLike[str], role: str) -> Path:
    """Return ``path`` as a Path if it is a readable, non-empty file; else raise InputError."""
    p = Path(path)
    if not p.exists():
        raise InputFileNotFound(f"{role} file {str(p)!r} does not exist; check the path")
    if p.is_dir():
        raise InputError(f"{role} file {str(p)!r} is a folder; give a file")
    if p.stat().st_size == 0:
        raise InputError(f"{role} file {str(p)!r} is empty; export the table again")
    return p


def _read_csv(p: Path, role: str) -> pd.DataFrame:
    """A CSV's cells as text, in the encoding its bytes tell (:func:`decode_table_text`)."""
    source = f"{role} file {str(p)!r}"
    text, encoding = decode_table_text(p.read_bytes(), source)
    if encoding != "utf-8":
        logger.info("%s read as %s text", source, encoding)
    check_distinct_headers(next(csv.reader(io.StringIO(text), skipinitialspace=True), []), source)
    try:
        return pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
        )
    except pd.errors.EmptyDataError:
        raise InputError(f"{source} has no rows; export the table again") from None
    except pd.errors.ParserError as exc:
        raise InputError(f"{source} is not a valid CSV ({exc})") from None


def _read_table(p: Path, role: str) -> pd.DataFrame:
    """A CSV or Excel sheet as text cells (the first sheet of a workbook)."""
    if p.suffix.lower() in EXCEL_SUFFIXES:
        return _read_excel(p, f"{role} file {str(p)!r}")
    head = p.read_bytes()[:4096]
    if b"\x00" in head:
        raise InputError(
            f"{role} file {str(p)!r} looks like UTF-16 or binary, not CSV text; save it as "
            "CSV UTF-8 (Excel: 另存为 CSV UTF-8)"
        )
    return _read_csv(p, role)


def _read_excel(p: Path, source: str) -> pd.DataFrame:
    """The first sheet of a workbook as text cells, its headers checked first."""
    try:
        header = pd.read_excel(p, dtype=str, sheet_name=0, header=None, nrows=1)
        check_distinct_headers(header.iloc[0].tolist() if len(header) else [], source)
        frame = pd.read_excel(p, dtype=str, sheet_name=0)
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises several types for broken workbooks
        raise InputError(f"{source} cannot be read as Excel ({exc})") from None
    return frame.map(lambda v: v.strip() if isinstance(v, str) else v)


def read_vector(path: Path, source: str) -> gpd.GeoDataFrame:
    """Read a vector file (GeoJSON, GeoPackage, Shapefile) that must hold features."""
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(
            f"{source} cannot be read as {path.suffix or 'a vector file'} ({exc})"
        ) from None
    if gdf.empty:
        raise InputError(f"{source} has no features")
    return gdf


def read_point_table(
    path: str | os.PathLike[str],
    *,
    role: str,
    crs: str | int | None = None,
    id_prefix: str,
    need_weight: bool = False,
    columns: dict[str, str] | None = None,
    default_crs: str | int | None = None,
) -> pd.DataFrame:
    """Read a table of points and return ``id, name, lon, lat[, weight]`` plus other columns.

    Parameters
    ----------
    path
        CSV (UTF-8 with or without BOM, GBK/GB18030, Windows-1252/Latin-1...) or Excel
        with lon/lat columns, or a vector file (GeoJSON, GeoPackage, Shapefile) of points.
    role
        What the file is (``"hotspots"``, ``"stations"``...), used in error messages.
    crs, default_crs
        Coordinate system of this file (``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:n``),
        which overrides what the file declares (see :func:`check_reading`); None: the
        file's declaration (columns ``lon_wgs84, lat_wgs84``, a GeoJSON ``crs`` or
        ``coordinate_system`` member, a GeoPackage's or ``.prj``'s CRS), else
        ``default_crs`` (the system given for every input), else WGS-84.
    id_prefix
        Prefix of generated ids when the file has no id column (``H`` gives ``H1, H2...``).
    need_weight
        Require a non-negative ``weight`` column (rows without weight column get 1.0 if False).
    columns
        Overrides ``{"lon": "经度", ...}`` for the column recognition.

    Returns
    -------
    pandas.DataFrame
        lon/lat in WGS-84 degrees; ``id`` unique strings; ``weight`` floats >= 0. How the
        coordinates were read is ``frame.attrs["crs"]`` (a :class:`planner.core.crs.Reading`).
    """
    columns = columns or {}
    p = check_file(path, role)
    source = f"{role} file {str(p)!r}"
    problems = Problems(source)
    crs, default_crs = checked_crs(crs, default_crs, field=crs_field(role))
    coords = _read_coordinates(p, role, source, crs or default_crs or "wgs84", columns, problems)
    reading = crs_mod.resolve(crs, coords.declared, default_crs, how=coords.how)
    check_reading(reading, default_crs, source=source, field=crs_field(role))
    frame = coords.frame
    x, y = to_wgs84(coords.lon, coords.lat, reading, native=coords.native)
    check_lonlat(x, y, problems, coords.columns)
    ids, id_col = _ids(frame, id_prefix, columns, source, problems, unique=not _long(role, frame))
    name_col = find_column(frame, "name", override=columns.get("name"), source=source)
    names = frame[name_col].fillna("").astype(str) if name_col else ids
    out = pd.DataFrame({"id": ids.to_numpy(), "name": names.to_numpy(), "lon": x, "lat": y})
    weight_col = _add_weights(out, frame, columns, source, problems, need_weight=need_weight)
    problems.raise_if_any()
    used = {c for c in (id_col, name_col, weight_col, *coords.columns) if c}
    out = _with_other_columns(out, frame, used, source)
    out.attrs["crs"] = reading
    return out


@dataclass(frozen=True)
class _Coordinates:
    """The cells of a point file, its lon/lat (in the file's CRS) and where they came from."""

    frame: pd.DataFrame
    lon: np.ndarray
    lat: np.ndarray
    columns: list[str]
    #: The system the file declares (None: none), and where it says so.
    declared: str | None = None
    how: str = ""
    #: The EPSG system the numbers are in, for a vector file that declares one.
    native: str | None = None


def _read_coordinates(
    p: Path,
    role: str,
    source: str,
    wanted: str,
    columns: dict[str, str],
    problems: Problems,
) -> _Coordinates:
    """The file's rows and coordinates (in the file's own system): a table's lon/lat
    columns or a vector file's points; ``wanted`` picks between declared column pairs."""
    suffix = "".join(p.suffixes[-1:]).lower()
    if suffix in TABLE_SUFFIXES:
        coords = _table_coordinates(p, role, source, columns, problems, wanted)
    elif suffix in VECTOR_SUFFIXES:
        coords = _vector_coordinates(p, source, problems)
    else:
        raise InputError(
            f"{source}: unknown file type {suffix or '(none)'!r}; use .csv, .xlsx, .geojson, .gpkg "
            "or .shp"
        )
    return replace(coords, frame=coords.frame.reset_index(drop=True))


def _table_coordinates(
    p: Path, role: str, source: str, columns: dict[str, str], problems: Problems, wanted: str
) -> _Coordinates:
    """lon/lat columns of a CSV or Excel sheet, found by name or by ``columns``; or,
    without plain lon/lat columns, a pair that states its system (see
    :func:`_declared_columns`)."""
    frame = _read_table(p, role)
    if frame.empty:
        raise InputError(f"{source} has a header but no rows; add points")
    lon_col = find_column(frame, "lon", override=columns.get("lon"), source=source)
    lat_col = find_column(frame, "lat", override=columns.get("lat"), source=source)
    if lon_col is None and lat_col is None:
        lon_col, lat_col = _declared_pair(frame, wanted)
    if lon_col is None or lat_col is None:
        missing = [f for f, c in (("lon", lon_col), ("lat", lat_col)) if c is None]
        raise InputError(
            f"{source}: no {' or '.join(missing)} column; columns are {list(frame.columns)}; "
            "name them lon/lat (or lng, longitude, 经度 / latitude, 纬度)"
        )
    x = numeric_column(frame, lon_col, problems, field="longitude")
    y = numeric_column(frame, lat_col, problems, field="latitude")
    declared, how = _declared_columns(frame, lon_col, lat_col)
    return _Coordinates(frame, x, y, [lon_col, lat_col], declared, how)


def _declared_pair(frame: pd.DataFrame, wanted: str) -> tuple[str | None, str | None]:
    """The lon/lat columns that state their system (``lon_wgs84, lat_wgs84``...): the one
    pair, or of several the one in ``wanted``, else the WGS-84 pair, else the first."""
    pairs = crs_mod.declared_pairs(
        list(frame.columns), COLUMN_ALIASES["lon"], COLUMN_ALIASES["lat"]
    )
    if not pairs:
        return None, None
    pick = wanted if wanted in pairs else ("wgs84" if "wgs84" in pairs else next(iter(pairs)))
    return pairs[pick]


def _declared_columns(frame: pd.DataFrame, lon_col: str, lat_col: str) -> tuple[str | None, str]:
    """The system the coordinate columns state (their names end with it: ``lon_gcj02``),
    or that the file states in a ``coordinates`` column the planner writes
    (:data:`planner.core.crs.COORDINATES_NOTE`: its lon/lat are WGS-84)."""
    a, b = crs_mod.column_system(lon_col), crs_mod.column_system(lat_col)
    if a and b and a[1] == b[1]:
        return a[1], f"columns {lon_col}/{lat_col}"
    note = frame.get("coordinates")
    notes = (COORDINATES_NOTE, COORDINATES_NOTE_ZH)
    if header_key(lon_col) == "lon" and note is not None and note.isin(notes).all():
        return "wgs84", "column coordinates"
    return None, ""


def _vector_coordinates(p: Path, source: str, problems: Problems) -> _Coordinates:
    """Points of a vector file (see :func:`_vector_points`) in the file's own system, and
    the system it declares (see :func:`vector_declaration`)."""
    gdf = read_vector(p, source)
    declared, how, native = vector_declaration(p, gdf, source)
    geom = _vector_points(gdf.geometry.reset_index(drop=True), source, problems)
    x = geom.x.to_numpy(dtype=float) if len(geom) else np.array([])
    y = geom.y.to_numpy(dtype=float) if len(geom) else np.array([])
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return _Coordinates(frame, x, y, ["geometry.x", "geometry.y"], declared, how, native)


def vector_declaration(
    p: Path, gdf: gpd.GeoDataFrame, source: str
) -> tuple[str | None, str, str | None]:
    """What a vector file declares: ``(system, where it says so, EPSG system of its
    numbers)``. GeoJSON declares a system only with a ``coordinate_system`` or ``crs``
    member (without one, RFC 7946 makes it WGS-84, but the system given for every input
    still applies); GeoPackage and Shapefile (``.prj``) declare the CRS they carry."""
    if p.suffix.lower() in (".geojson", ".json"):
        try:
            declared = crs_mod.geojson_declaration(json.loads(p.read_bytes()))
        except PlannerError as exc:
            raise InputError(f"{source}: the crs it declares is unknown ({exc})") from None
        except (ValueError, UnicodeDecodeError):  # read_vector parsed it: not JSON text
            declared = None
        if declared is None:
            return None, "", None
        native = None if declared in crs_mod.OFFSET_SYSTEMS else declared
        return declared, "its crs member", native
    if gdf.crs is None:
        return None, "", None
    name = crs_mod.declared_name(gdf.crs.to_string())
    return name, "its CRS" if p.suffix.lower() == ".gpkg" else "its .prj", name


def checked_crs(
    crs: str | int | None, default: str | int | None, *, field: str
) -> tuple[str | None, str | None]:
    """A file's own system and the default, normalised (an unknown system is an error
    about ``field``, or ``crs`` for the default)."""
    return (
        None if crs is None else crs_mod.normalize_crs(crs, field=field),
        None if default is None else crs_mod.normalize_crs(default),
    )


def crs_field(role: str) -> str:
    """The argument that gives the system of a ``role``'s file (``stations_crs``)."""
    return (
        f"{role}_crs"
        if role in ("hotspots", "stations", "candidates", "areas", "others")
        else "crs"
    )


def check_reading(
    reading: crs_mod.Reading, default: str | int | None, *, source: str, field: str
) -> None:
    """Log how a file's system was chosen where a choice was overruled; raise
    :class:`InputError` when the file's flag contradicts what it declares beyond what a
    flag may correct.

    A flag naming an offset system (GCJ-02, BD-09) overrides a declared lon/lat system,
    and the reverse, with a warning: formats cannot state GCJ-02, so tools label Amap
    coordinates EPSG:4326. A flag naming another system than a declared projected one (or
    a projected flag over declared lon/lat) cannot both be right: an error.
    """
    declared = reading.declared
    if reading.origin == "declared" and default is not None:
        given = crs_mod.normalize_crs(default)
        if given != declared:
            logger.info("%s declares %s (%s): read as such, not as %s; give %s (--%s) to "
                        "override", source, declared, reading.how, given, field,
                        field.replace("_", "-"))  # fmt: skip
    if reading.origin != "flag" or declared is None or declared == reading.crs:
        return
    geo = {n: crs_mod.is_geographic(n) for n in (declared, reading.crs)}
    if all(geo.values()):
        return  # two lon/lat systems on WGS-84-like datums: the same numbers
    offset = {declared, reading.crs} & set(crs_mod.OFFSET_SYSTEMS)
    if offset and all(geo[n] or n in offset for n in geo):
        logger.warning("%s declares %s (%s) but is read as %s, as %s (--%s) says", source,
                       declared, reading.how, reading.crs, field,
                       field.replace("_", "-"))  # fmt: skip
        return
    raise InputError.about(
        field,
        "{source} declares {declared} ({how}), which contradicts {" + field + "} {given}; "
        "drop {" + field + "} to use the file's system, or fix the file's declaration",
        source=source, declared=declared, how=reading.how, given=reading.crs,
    )  # fmt: skip


def to_wgs84(
    x: np.ndarray, y: np.ndarray, reading: crs_mod.Reading, *, native: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """A file's numbers (in ``native`` when it declares an EPSG system) as WGS-84 lon/lat,
    read in ``reading.crs``: an offset system applies to the file's lon/lat."""
    if reading.crs in crs_mod.OFFSET_SYSTEMS:
        if native is not None:
            x, y = crs_mod.to_wgs84(x, y, native)
        return crs_mod.to_wgs84(x, y, reading.crs)
    if native is not None and crs_mod.is_geographic(reading.crs):
        return crs_mod.to_wgs84(x, y, native)
    return crs_mod.to_wgs84(x, y, reading.crs)


#: Geometries that stand for a place: a point, or a footprint (a venue's building).
_AREAS = ("Polygon", "MultiPolygon")


def _vector_points(geom: gpd.GeoSeries, source: str, problems: Problems) -> gpd.GeoSeries:
    """One point per feature, None where there is none.

    A Point is kept. A Polygon or MultiPolygon (a venue's footprint) becomes its
    representative point (a point inside it), with a warning that counts them. Any other
    geometry (MultiPoint, LineString, MultiLineString, GeometryCollection) has no single
    place and is refused, as is a feature without geometry: each is a problem naming the
    features (numbered from 0).
    """
    kind = geom.geom_type.fillna("")
    missing = (geom.isna() | geom.is_empty).to_numpy()
    area = kind.isin(_AREAS).to_numpy() & ~missing
    other = ~kind.isin(("Point", *_AREAS)).to_numpy() & ~missing
    if other.any():
        types = ", ".join(sorted(set(kind[other])))
        problems.add(
            f"features {[int(i) for i in np.flatnonzero(other)[:5]]}: {types} is not a point; "
            "give one Point (or a polygon) per feature (split a MultiPoint into single points)"
        )
    if missing.any():
        problems.add(
            f"features {[int(i) for i in np.flatnonzero(missing)[:5]]}: missing or empty geometry"
        )
    geom = geom.copy()
    if area.any():
        geom[area] = geom[area].representative_point()
        logging.getLogger(__name__).warning(
            "%s: %d polygon features stand for their representative point (a point inside "
            "each); give points to choose the spot",
            source,
            int(area.sum()),
        )
    geom[other | missing] = None
    return geom


def _long(role: str, frame: pd.DataFrame) -> bool:
    """Hotspots in the long form of hourly demand: one row per hotspot and hour, so an id
    repeats (see :mod:`planner.inputs.hours`)."""
    return role == "hotspots" and any(header_key(c) == "hour" for c in frame.columns)


def _ids(
    frame: pd.DataFrame,
    id_prefix: str,
    columns: dict[str, str],
    source: str,
    problems: Problems,
    *,
    unique: bool = True,
) -> tuple[pd.Series, str | None]:
    """The id column (checked: none empty, all unique unless not ``unique``) and its name,
    or generated ids ``{id_prefix}1, {id_prefix}2...`` and None."""
    id_col = find_column(frame, "id", override=columns.get("id"), source=source)
    if id_col is None:
        return pd.Series([f"{id_prefix}{i + 1}" for i in range(len(frame))]), None
    ids = frame[id_col].astype(str).str.strip()
    blank = np.flatnonzero((ids == "") | frame[id_col].isna().to_numpy())
    if blank.size:
        problems.add(f"{rows_text(blank)}, column {id_col!r}: id is empty")
    if unique:
        check_unique_ids(ids, problems, id_col)
    return ids, id_col


def _add_weights(
    out: pd.DataFrame,
    frame: pd.DataFrame,
    columns: dict[str, str],
    source: str,
    problems: Problems,
    *,
    need_weight: bool,
) -> str | None:
    """Set ``out["weight"]`` from the weight column (numbers >= 0), or 1.0 when there is
    none and none is needed; return the column's name."""
    weight_col = find_column(frame, "weight", override=columns.get("weight"), source=source)
    if weight_col is not None:
        w = numeric_column(frame, weight_col, problems, field="weight")
        neg = np.flatnonzero(w < 0)
        if neg.size:
            problems.add(
                f"{rows_text(neg)}, column {weight_col!r}: weight is negative; weights must be >= 0"
            )
        check_weight_total(w, problems, weight_col)
        out["weight"] = w
    elif need_weight:
        raise InputError(
            f"{source}: no weight column; columns are {list(frame.columns)}; "
            "add a weight column (or 权重 / 订单量 / 骑手数)"
        )
    else:
        out["weight"] = 1.0
    return weight_col


def _with_other_columns(
    out: pd.DataFrame, frame: pd.DataFrame, used: set[str], source: str
) -> pd.DataFrame:
    """``out`` with every column of the file that is not already read (``venue``...), but
    for the columns the planner writes itself (``grade``, ``demand_8``...: a reused output
    file), dropped with one warning."""
    others = [c for c in frame.columns if c not in used and c not in out.columns]
    stale = planner_columns(others)
    if stale:
        logger.warning(
            "%s: dropped %d column(s) the planner writes itself, %s (an output file reused "
            "as input?); the run computes them afresh",
            source, len(stale), ", ".join(repr(c) for c in stale),
        )  # fmt: skip
    for col in others:
        if str(col) not in stale:
            out[col] = frame[col].to_numpy()
    return out
