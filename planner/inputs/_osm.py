"""Reading points of interest from an OSM source: a local ``.osm.pbf`` (pyrosm), a local
``.osm`` / ``.osm.bz2`` XML file or a place name (osmnx; the place needs the internet)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType

import geopandas as gpd
import numpy as np
import pandas as pd

from ..core.crs import WGS84
from ..core.errors import InputError

log = logging.getLogger(__name__)

#: Host venues that can take a care station: ``{osm_key: (values...)}``.
HOST_VENUE_TAGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "amenity": (
            "community_centre", "social_facility", "townhall", "bank", "pharmacy",
            "post_office", "fuel", "library",
        ),
        "shop": ("mall", "supermarket", "department_store"),
        "tourism": ("hotel",),
    }
)  # fmt: skip

#: Rider pick-up proxies when no rider data exist: weight per ``key=value`` POI category.
#: ``"shop=*"`` is the weight of any other shop. Food delivery dominates rider trips, so
#: restaurants and fast food weigh more than retail.
DEMAND_POI_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "amenity=fast_food": 3.0, "amenity=food_court": 3.0, "amenity=restaurant": 2.0,
        "amenity=cafe": 1.0, "amenity=bar": 0.5, "amenity=pub": 0.5,
        "shop=supermarket": 2.0, "shop=convenience": 2.0, "shop=mall": 3.0,
        "shop=department_store": 2.0, "shop=bakery": 1.0, "shop=*": 0.5,
    }
)  # fmt: skip


def source_kind(source: str | Path) -> str:
    """``"pbf"``, ``"xml"``, ``"graphml"`` for a local file, or ``"place"`` for a name."""
    name = str(source).lower()
    if name.endswith(".osm.pbf") or name.endswith(".pbf"):
        return "pbf"
    if name.endswith((".osm", ".osm.bz2", ".xml", ".osm.xml")):
        return "xml"
    if name.endswith(".graphml"):
        return "graphml"
    p = Path(str(source))
    if p.suffix and (
        p.exists()
        or "/" in name
        or "\\" in name
        or p.suffix in (".csv", ".json", ".geojson", ".gz")
    ):
        return "unknown"
    return "place"


def read_pois(source: str | Path, tags: Mapping[str, Sequence[str] | bool]) -> gpd.GeoDataFrame:
    """Points of interest matching ``tags`` (``{"amenity": ["bank"], "shop": True}``).

    Returns a WGS-84 GeoDataFrame of points with ``id`` (``node/123``, ``way/45``),
    ``name``, ``category`` (``amenity=bank``), ``street`` (``addr:street`` or empty) and
    ``lon``/``lat``. Polygons become their representative point.
    """
    kind = source_kind(source)
    if kind == "pbf":
        import pyrosm

        osm = pyrosm.OSM(str(source))
        flt = _tag_filter(tags)
        raw = osm.get_pois(custom_filter=flt)
        if raw is None or len(raw) == 0:
            return _empty()
        raw = raw.reset_index(drop=True)
        osm_type = (
            raw["osm_type"].astype(str) if "osm_type" in raw else pd.Series(["node"] * len(raw))
        )
        ids = osm_type + "/" + raw["id"].astype("int64").astype(str)
    elif kind in ("xml", "place"):
        import osmnx as ox

        query: dict[str, bool | str | list[str]] = dict(_tag_filter(tags))
        try:
            raw = (
                ox.features_from_xml(str(source), tags=query)
                if kind == "xml"
                else ox.features_from_place(str(source), tags=query)
            )
        except ox._errors.InsufficientResponseError:
            return _empty()
        raw = raw.reset_index()
        ids = raw["element"].astype(str) + "/" + raw["id"].astype(str)
    else:
        raise InputError(
            f"network {str(source)!r}: POIs can be read only from .osm.pbf, .osm or a place name"
        )
    raw = raw.set_crs(WGS84, allow_override=True) if raw.crs is None else raw.to_crs(WGS84)
    category = pd.Series([""] * len(raw), dtype=object)
    for key, values in tags.items():
        if key not in raw.columns:
            continue
        col = raw[key]
        hit = col.notna() & (category == "")
        if not isinstance(values, bool):
            hit &= col.isin(list(values))
        category[hit.to_numpy()] = key + "=" + col[hit].astype(str)
    geom = raw.geometry
    ok = geom.notna() & ~geom.is_empty & (category != "").to_numpy()
    pts = geom[ok].representative_point()
    names = raw["name"] if "name" in raw.columns else pd.Series([""] * len(raw))
    street = raw["addr:street"] if "addr:street" in raw.columns else pd.Series([""] * len(raw))
    out = gpd.GeoDataFrame(
        {
            "id": ids[ok].to_numpy(),
            "name": names[ok].fillna("").astype(str).to_numpy(),
            "category": category[ok.to_numpy()].to_numpy(),
            "street": street[ok].fillna("").astype(str).to_numpy(),
            "lon": pts.x.to_numpy(),
            "lat": pts.y.to_numpy(),
        },
        geometry=pts.to_numpy(),
        crs=WGS84,
    )
    out = out.drop_duplicates("id").sort_values("id", kind="stable").reset_index(drop=True)
    log.info("read %d POIs from %s", len(out), source)
    return out


def _tag_filter(tags: Mapping[str, Sequence[str] | bool]) -> dict[str, bool | list[str]]:
    return {k: (True if isinstance(v, bool) else list(v)) for k, v in tags.items()}


def _empty() -> gpd.GeoDataFrame:
    cols = {
        "id": [],
        "name": [],
        "category": [],
        "street": [],
        "lon": np.array([]),
        "lat": np.array([]),
    }
    return gpd.GeoDataFrame(cols, geometry=gpd.GeoSeries([], crs=WGS84), crs=WGS84)
