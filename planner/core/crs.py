"""Coordinate systems at the user's edge: WGS-84, GCJ-02, BD-09 and any EPSG code.

Inside the package everything is in one projected CRS (metres); this module turns input
coordinates into WGS-84 lon/lat and picks the projected CRS for a study area.

GCJ-02 (used by Amap and Tencent maps) and BD-09 (Baidu) are not EPSG systems: they are
obfuscated offsets of WGS-84 of 100-700 m. The forward transforms are the published ones;
the inverse is solved by fixed-point iteration to well under a millimetre.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyproj

from .errors import FieldError

WGS84 = "EPSG:4326"
#: How the station list states its coordinate systems, in the file itself.
COORDINATES_NOTE = "lon/lat: WGS-84 (EPSG:4326); lon_gcj02/lat_gcj02: GCJ-02 (Amap, Tencent)"
#: The same note in Chinese (the ``coordinates`` cells of tables written with ``--lang zh``).
COORDINATES_NOTE_ZH = (
    "经度/纬度：WGS-84（EPSG:4326）；经度（GCJ-02）/纬度（GCJ-02）：GCJ-02（高德、腾讯地图）"
)

CRS_CHOICES = ("wgs84", "gcj02", "bd09")
#: Systems that are offsets of WGS-84 inside China and have no EPSG code.
OFFSET_SYSTEMS = ("gcj02", "bd09")
#: The legacy GeoJSON ``crs`` name of an offset system: ``urn:planner:crs:gcj02``.
URN_PREFIX = "urn:planner:crs:"
#: The top-level GeoJSON member that may name the system instead: ``"coordinate_system"``.
GEOJSON_MEMBER = "coordinate_system"

_A = 6378245.0  # Krasovsky 1940 semi-major axis used by GCJ-02
_EE = 0.00669342162296594323
_XPI = math.pi * 3000.0 / 180.0


def _out_of_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return ~((lon > 73.66) & (lon < 135.05) & (lat > 3.86) & (lat < 53.55))


def in_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """True where GCJ-02 (and so BD-09) differ from WGS-84: the rectangle around China that
    the published transforms use. Elsewhere GCJ-02 equals WGS-84."""
    return ~_out_of_china(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))


def _delta(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = lon - 105.0, lat - 35.0
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )  # fmt: skip
    dlon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )  # fmt: skip
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS-84 lon/lat (degrees) to GCJ-02. Points outside China are returned unchanged."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    dlon, dlat = _delta(lon, lat)
    out = _out_of_china(lon, lat)
    return np.where(out, lon, lon + dlon), np.where(out, lat, lat + dlat)


def gcj02_to_wgs84(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 lon/lat to WGS-84 by fixed-point iteration (error far below 0.5 m)."""
    glon, glat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if np.nanmax(np.abs(np.concatenate([elon.ravel(), elat.ravel(), [0.0]]))) < 1e-10:
            break
    return wlon, wlat


def gcj02_to_bd09(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """GCJ-02 lon/lat to BD-09."""
    x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _XPI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _XPI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BD-09 lon/lat to GCJ-02, iterated so that ``gcj02_to_bd09`` round-trips exactly."""
    blon, blat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    glon, glat = blon - 0.0065, blat - 0.006
    for _ in range(30):
        flon, flat = gcj02_to_bd09(glon, glat)
        elon, elat = flon - blon, flat - blat
        glon, glat = glon - elon, glat - elat
        if np.nanmax(np.abs(np.concatenate([elon.ravel(), elat.ravel(), [0.0]]))) < 1e-10:
            break
    return glon, glat


def normalize_crs(crs: str | int | None, *, field: str = "crs") -> str:
    """Normalise a user CRS choice to ``"wgs84"``, ``"gcj02"``, ``"bd09"`` or ``"EPSG:n"``;
    an unknown system is a :class:`FieldError` about ``field``."""
    if crs is None:
        return "wgs84"
    text = str(crs).strip().lower().replace("-", "").replace("_", "")
    if text in ("wgs84", "epsg:4326", "4326"):
        return "wgs84"
    if text in ("gcj02", "gcj", "amap", "gaode", "tencent"):
        return "gcj02"
    if text in ("bd09", "bd09ll", "baidu"):
        return "bd09"
    try:
        parsed = pyproj.CRS.from_user_input(crs if not text.isdigit() else int(text))
    except pyproj.exceptions.CRSError:
        raise FieldError(
            field,
            "{" + field + "}: unknown coordinate system {got!r}; use wgs84, gcj02, bd09 or "
            "EPSG:<code>",
            got=crs,
        ) from None
    epsg = parsed.to_epsg()
    return "wgs84" if epsg == 4326 else (f"EPSG:{epsg}" if epsg else parsed.to_string())


def to_wgs84(x: np.ndarray, y: np.ndarray, crs: str | int | None) -> tuple[np.ndarray, np.ndarray]:
    """Convert coordinates in ``crs`` (see :func:`normalize_crs`) to WGS-84 lon/lat degrees."""
    name = normalize_crs(crs)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if name == "wgs84":
        return x, y
    if name == "gcj02":
        return gcj02_to_wgs84(x, y)
    if name == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(x, y))
    tr = pyproj.Transformer.from_crs(name, WGS84, always_xy=True)
    lon, lat = tr.transform(x, y)
    return np.asarray(lon), np.asarray(lat)


def projected_crs_for(lon: np.ndarray, lat: np.ndarray) -> pyproj.CRS:
    """The UTM CRS (metres) of the zone that holds the centre of these WGS-84 points."""
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    clon, clat = float(np.nanmedian(lon)), float(np.nanmedian(lat))
    infos = pyproj.database.query_utm_crs_info(
        datum_name="WGS 84",
        area_of_interest=pyproj.aoi.AreaOfInterest(clon, clat, clon, clat),
    )
    if not infos:  # polar areas
        return pyproj.CRS.from_epsg(3857)
    return pyproj.CRS.from_epsg(int(infos[0].code))


# --------------------------------------------------------------------------- declarations

#: A lon/lat column name that states its system: ``lon_wgs84``, ``lat_gcj02``, ``经度_bd09``,
#: ``Longitude (WGS-84)``. Group 1 is the name, group 2 the system.
_SUFFIXED = re.compile(r"^(.*?)[\s_\-(]*(wgs84|gcj02|bd09)\)?$")


def column_system(header: object) -> tuple[str, str] | None:
    """``(name, system)`` when a column header ends with a coordinate system
    (``"lon_wgs84"`` → ``("lon", "wgs84")``); None otherwise."""
    text = " ".join(str(header).split()).lower().replace("wgs-84", "wgs84")
    text = text.replace("gcj-02", "gcj02").replace("bd-09", "bd09")
    m = _SUFFIXED.match(text)
    return (m.group(1), m.group(2)) if m and m.group(1) else None


def lonlat_columns(system: str) -> tuple[str, str]:
    """The column names that state ``system`` in a table the planner writes:
    ``("lon_wgs84", "lat_wgs84")``."""
    return f"lon_{system}", f"lat_{system}"


def declare_columns(frame: pd.DataFrame, system: str = "wgs84") -> pd.DataFrame:
    """``frame`` with its ``lon``/``lat`` columns renamed to state ``system``
    (``lon_wgs84``, ``lat_wgs84``), the form point readers honour as the file's CRS."""
    lon, lat = lonlat_columns(system)
    return frame.rename(columns={"lon": lon, "lat": lat})


def declared_name(text: object) -> str:
    """A coordinate system as a file declares it (``EPSG:4490``,
    ``urn:ogc:def:crs:EPSG::4490``, ``urn:ogc:def:crs:OGC:1.3:CRS84``,
    ``urn:planner:crs:gcj02``, ``gcj02``) normalised as :func:`normalize_crs` does."""
    raw = str(text).strip()
    low = raw.lower()
    if low.startswith(URN_PREFIX):
        raw = raw[len(URN_PREFIX) :]
    elif low.endswith("crs84") or low.endswith("crs:84"):
        return "wgs84"
    return normalize_crs(raw)


@dataclass(frozen=True)
class Reading:
    """How the coordinates of one input were read.

    Attributes
    ----------
    crs
        The system used (:func:`normalize_crs` form).
    origin
        ``"flag"`` (given for this input), ``"declared"`` (the file states it), ``"default"``
        (the system given for every input) or ``"assumed"`` (nothing given: WGS-84).
    declared
        What the file declares, if anything, and ``how`` it says so.
    """

    crs: str
    origin: str
    declared: str | None = None
    how: str = ""

    @property
    def given(self) -> bool:
        """Whether anyone chose the system (a flag or the file); False when assumed."""
        return self.origin != "assumed"

    def stated(self) -> str:
        """The system and where it comes from, as the summary states it."""
        where = {
            "flag": "given for this input",
            "declared": f"declared by the file ({self.how})",
            "default": "given for every input",
            "assumed": "assumed (nothing given)",
        }
        over = ""
        if self.origin == "flag" and self.declared not in (None, self.crs):
            over = f" over the file's {self.declared} ({self.how})"
        return f"{self.crs}, {where.get(self.origin, self.origin)}{over}"


def resolve(
    flag: str | int | None, declared: str | None, default: str | int | None, *, how: str = ""
) -> Reading:
    """The system of one input: its own flag, else what the file declares (``how``: where
    it says so), else the default for every input, else WGS-84."""
    if flag is not None:
        return Reading(normalize_crs(flag), "flag", declared, how)
    if declared is not None:
        return Reading(declared, "declared", declared, how)
    if default is not None:
        return Reading(normalize_crs(default), "default", None, how)
    return Reading("wgs84", "assumed", None, how)


def is_geographic(name: str) -> bool:
    """Whether a normalised system holds plain lon/lat degrees on a WGS-84-like datum
    (``wgs84``, ``EPSG:4490`` CGCS2000...): not an offset system, not projected metres."""
    if name == "wgs84":
        return True
    if name in OFFSET_SYSTEMS:
        return False
    return bool(pyproj.CRS.from_user_input(name).is_geographic)


def geojson_declaration(doc: object) -> str | None:
    """The system a parsed GeoJSON document declares: its top-level ``coordinate_system``
    member (``"gcj02"``), else the legacy ``crs`` member's name (``EPSG:4490``,
    ``urn:planner:crs:gcj02``); None when it declares nothing (RFC 7946: WGS-84)."""
    if not isinstance(doc, dict):
        return None
    if doc.get(GEOJSON_MEMBER) is not None:
        return declared_name(doc[GEOJSON_MEMBER])
    member = doc.get("crs")
    if not isinstance(member, dict):
        return None
    props = member.get("properties")
    name = props.get("name") if isinstance(props, dict) else None
    return None if name is None else declared_name(name)


def declared_pairs(headers: list[object], lon_names: tuple[str, ...], lat_names: tuple[str, ...]
                   ) -> dict[str, tuple[str, str]]:  # fmt: skip
    """Pairs of columns that state their system, by system: ``{"wgs84": ("lon_wgs84",
    "lat_wgs84")}`` (each name one of ``lon_names`` / ``lat_names`` plus a suffix)."""
    lons: dict[str, str] = {}
    lats: dict[str, str] = {}
    for h in headers:
        found = column_system(h)
        if found is None:
            continue
        name, system = found
        if name in lon_names:
            lons.setdefault(system, str(h))
        elif name in lat_names:
            lats.setdefault(system, str(h))
    return {s: (lons[s], lats[s]) for s in CRS_CHOICES if s in lons and s in lats}
