"""Reading point tables (CSV, GeoJSON, GeoPackage, Shapefile) into WGS-84 frames."""

from __future__ import annotations

import csv
import io
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
    Problems,
    check_distinct_headers,
    check_lonlat,
    check_unique_ids,
    check_weight_total,
    find_column,
    numeric_column,
    planner_columns,
    rows_text,
)
from ..core.errors import InputError, InputFileNotFound

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
    crs: str | int | None = "wgs84",
    id_prefix: str,
    need_weight: bool = False,
    columns: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Read a table of points and return ``id, name, lon, lat[, weight]`` plus other columns.

    Parameters
    ----------
    path
        CSV (UTF-8 with or without BOM, GBK/GB18030, Windows-1252/Latin-1...) or Excel
        with lon/lat columns, or a vector file (GeoJSON, GeoPackage, Shapefile) of points.
    role
        What the file is (``"hotspots"``, ``"stations"``...), used in error messages.
    crs
        Coordinate system of a CSV's lon/lat: ``wgs84``, ``gcj02``, ``bd09`` or ``EPSG:n``.
        Vector files carry their own CRS; ``gcj02``/``bd09`` still apply to their lon/lat.
    id_prefix
        Prefix of generated ids when the file has no id column (``H`` gives ``H1, H2...``).
    need_weight
        Require a non-negative ``weight`` column (rows without weight column get 1.0 if False).
    columns
        Overrides ``{"lon": "经度", ...}`` for the column recognition.

    Returns
    -------
    pandas.DataFrame
        lon/lat in WGS-84 degrees; ``id`` unique strings; ``weight`` floats >= 0.
    """
    columns = columns or {}
    p = check_file(path, role)
    source = f"{role} file {str(p)!r}"
    problems = Problems(source)
    crs_name = crs_mod.normalize_crs(crs)
    coords = _read_coordinates(p, role, source, crs_name, columns, problems)
    frame = coords.frame
    x, y = coords.lon, coords.lat
    if crs_name != "wgs84":
        x, y = crs_mod.to_wgs84(x, y, crs_name)
    check_lonlat(x, y, problems, coords.columns)
    ids, id_col = _ids(frame, id_prefix, columns, source, problems)
    name_col = find_column(frame, "name", override=columns.get("name"), source=source)
    names = frame[name_col].fillna("").astype(str) if name_col else ids
    out = pd.DataFrame({"id": ids.to_numpy(), "name": names.to_numpy(), "lon": x, "lat": y})
    weight_col = _add_weights(out, frame, columns, source, problems, need_weight=need_weight)
    problems.raise_if_any()
    used = {c for c in (id_col, name_col, weight_col, *coords.columns) if c}
    return _with_other_columns(out, frame, used, source)


@dataclass(frozen=True)
class _Coordinates:
    """The cells of a point file, its lon/lat (in the file's CRS) and where they came from."""

    frame: pd.DataFrame
    lon: np.ndarray
    lat: np.ndarray
    columns: list[str]


def _read_coordinates(
    p: Path,
    role: str,
    source: str,
    crs_name: str,
    columns: dict[str, str],
    problems: Problems,
) -> _Coordinates:
    """The file's rows and coordinates: a table's lon/lat columns or a vector file's points."""
    suffix = "".join(p.suffixes[-1:]).lower()
    if suffix in TABLE_SUFFIXES:
        coords = _table_coordinates(p, role, source, columns, problems)
    elif suffix in VECTOR_SUFFIXES:
        coords = _vector_coordinates(p, source, crs_name, problems)
    else:
        raise InputError(
            f"{source}: unknown file type {suffix or '(none)'!r}; use .csv, .xlsx, .geojson, .gpkg "
            "or .shp"
        )
    return replace(coords, frame=coords.frame.reset_index(drop=True))


def _table_coordinates(
    p: Path, role: str, source: str, columns: dict[str, str], problems: Problems
) -> _Coordinates:
    """lon/lat columns of a CSV or Excel sheet, found by name or by ``columns``."""
    frame = _read_table(p, role)
    if frame.empty:
        raise InputError(f"{source} has a header but no rows; add points")
    lon_col = find_column(frame, "lon", override=columns.get("lon"), source=source)
    lat_col = find_column(frame, "lat", override=columns.get("lat"), source=source)
    if lon_col is None or lat_col is None:
        missing = [f for f, c in (("lon", lon_col), ("lat", lat_col)) if c is None]
        raise InputError(
            f"{source}: no {' or '.join(missing)} column; columns are {list(frame.columns)}; "
            "name them lon/lat (or lng, longitude, 经度 / latitude, 纬度)"
        )
    x = numeric_column(frame, lon_col, problems, field="longitude")
    y = numeric_column(frame, lat_col, problems, field="latitude")
    return _Coordinates(frame, x, y, [lon_col, lat_col])


def _vector_coordinates(p: Path, source: str, crs_name: str, problems: Problems) -> _Coordinates:
    """Points of a vector file (see :func:`_vector_points`), in WGS-84 unless the file's
    lon/lat are GCJ-02 or BD-09."""
    gdf = read_vector(p, source)
    if gdf.crs is not None and crs_name not in ("gcj02", "bd09"):
        gdf = gdf.to_crs(crs_mod.WGS84)
    geom = _vector_points(gdf.geometry.reset_index(drop=True), source, problems)
    x = geom.x.to_numpy(dtype=float) if len(geom) else np.array([])
    y = geom.y.to_numpy(dtype=float) if len(geom) else np.array([])
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name))
    return _Coordinates(frame, x, y, ["geometry.x", "geometry.y"])


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


def _ids(
    frame: pd.DataFrame,
    id_prefix: str,
    columns: dict[str, str],
    source: str,
    problems: Problems,
) -> tuple[pd.Series, str | None]:
    """The id column (checked: none empty, all unique) and its name, or generated ids
    ``{id_prefix}1, {id_prefix}2...`` and None."""
    id_col = find_column(frame, "id", override=columns.get("id"), source=source)
    if id_col is None:
        return pd.Series([f"{id_prefix}{i + 1}" for i in range(len(frame))]), None
    ids = frame[id_col].astype(str).str.strip()
    blank = np.flatnonzero((ids == "") | frame[id_col].isna().to_numpy())
    if blank.size:
        problems.add(f"{rows_text(blank)}, column {id_col!r}: id is empty")
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
