"""``region_map.html``: every district drawn in the colour of its goal attainment, each a
click away from its own map (``<folder>/map.html``, a relative link), with a legend and a
list of the districts. Self-contained like the plan's map: Leaflet and the page's script
inlined (:mod:`.map_page`), no CDN; names reach the page only as JSON data and text nodes.

The polygons are simplified for the page: projected to a metric CRS, each simplified
(Douglas–Peucker, topology kept) with a tolerance of :data:`TOLERANCE_SHARE` of the region's
extent (at least :data:`MIN_TOLERANCE_M`), and their lon/lat rounded to 1e-5 degrees (about
a metre). Two neighbours' copies of their shared border may then part by up to the
tolerance, a hairline at the zoom that shows the whole region. Simplifying them together
(:func:`shapely.coverage_simplify`) would keep the border shared but takes seconds per
hundred thousand vertices, and the districts of a province hold millions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..core.crs import WGS84, projected_crs_for
from ..core.errors import FieldError
from . import map_page, region_table
from .i18n import escape as _e
from .i18n import html_lang, pct

#: Simplification tolerance as a share of the region's diagonal (1/3000: 170 m on a
#: province 500 km across, 3 m on a parish of 10 km).
TOLERANCE_SHARE = 1 / 3000
#: The smallest tolerance (metres).
MIN_TOLERANCE_M = 2.0
#: Decimal places of the page's lon/lat.
DIGITS = 5


def simplified(districts: gpd.GeoDataFrame) -> list[shapely.Geometry | None]:
    """Each district's polygon simplified for the page, in WGS-84 (None when empty)."""
    if districts.crs is None:
        raise FieldError("districts", "the districts have no CRS; expected WGS-84 (EPSG:4326)")
    wgs = districts.to_crs(WGS84).geometry.to_numpy()
    present = ~(shapely.is_missing(wgs) | shapely.is_empty(wgs))
    if not present.any():
        return [None] * len(wgs)
    centre = shapely.centroid(shapely.union_all(shapely.envelope(wgs[present])))
    crs = projected_crs_for(np.array([centre.x]), np.array([centre.y]))
    metric = gpd.GeoSeries(wgs[present], crs=WGS84).to_crs(crs).to_numpy()
    x0, y0, x1, y1 = shapely.total_bounds(metric)
    tol = max(MIN_TOLERANCE_M, math.hypot(x1 - x0, y1 - y0) * TOLERANCE_SHARE)
    simple = shapely.simplify(shapely.make_valid(metric), tol, preserve_topology=True)
    back = gpd.GeoSeries(simple, crs=crs).to_crs(WGS84).to_numpy()
    out: list[shapely.Geometry | None] = [None] * len(wgs)
    for i, geom in zip(np.flatnonzero(present), back, strict=True):
        out[i] = shapely.transform(geom, lambda xy: np.round(xy, DIGITS))
    return out


def _rings(geom: shapely.Geometry | None) -> list[list[list[list[float]]]]:
    """Polygons → rings → ``[lat, lon]`` (Leaflet's order); lines and points dropped."""
    if geom is None:
        return []
    polys = [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]
    out = []
    for poly in polys:
        rings = [poly.exterior, *poly.interiors]
        out.append([[[round(y, DIGITS), round(x, DIGITS)] for x, y in r.coords] for r in rings])
    return out


def _href(row: Mapping[str, Any]) -> str | None:
    """The district map's relative URL (percent-encoded), or None without one."""
    if row["status"] != "done" or not row["folder"]:
        return None
    return quote(str(row["folder"]).strip("/") + "/map.html", safe="/")


def _figures(row: Mapping[str, Any], keys: Sequence[str], lab: Mapping[str, str]) -> list:
    rows = [
        [lab["hotspots"], f"{int(row['hotspots'])}"],
        [lab["demand"], f"{float(row['demand']):.6g}"],
        [lab["stations"], f"{int(row['stations'])}"],
        [lab["sites_suggested"], f"{int(row['sites_suggested'])}"],
    ]
    for m in keys:
        for name in ("today", "after", "goal"):
            value = region_table.share(row[f"{name}_{m}"])
            rows.append([lab[name].format(m=m), "–" if value is None else pct(value)])
    return rows


def page_data(
    table: pd.DataFrame, districts: gpd.GeoDataFrame, minutes: Sequence[float], lang: str
) -> dict[str, Any]:
    """The page's data: labels, colours and one entry per district of the checked table
    (name, class, link, error, figures, rings). Every table district must have a row in
    ``districts`` (column ``district``)."""
    lab = region_table.labels(lang)
    names = districts["district"].astype(str).tolist()
    unknown = sorted(set(table["district"]) - set(names))
    if unknown:
        raise FieldError("districts", "no polygon for the districts {unknown}", unknown=unknown)
    shapes = dict(zip(names, simplified(districts), strict=True))
    keys = region_table.threshold_labels(minutes)
    entries = []
    for row in table.to_dict("records"):
        cls = region_table.attainment(row, minutes)
        entries.append(
            {
                "name": row["district"],
                "cls": cls,
                "status": lab.get(row["status"], row["status"]),
                "href": _href(row),
                "error": row["error"] or None,
                "figures": _figures(row, keys, lab) if cls != "failed" else [],
                "rings": _rings(shapes[row["district"]]),
            }
        )
    return {
        "lab": {k: lab[k] for k in ("open_map", "districts", "legend", "credit", "error")},
        "classes": [
            [c, lab[f"cls_{c}"], region_table.CLASS_COLOURS[c]] for c in region_table.CLASSES
        ],
        "districts": entries,
    }


def map_html(
    table: pd.DataFrame, districts: gpd.GeoDataFrame, *, minutes: Sequence[float], lang: str
) -> str:
    """The whole page (the table as :func:`.region_table.checked` returns it)."""
    data = page_data(table, districts, minutes, lang)
    css, js = map_page._leaflet()
    title = _e(region_table.labels(lang)["map_title"])
    return (
        f'<!DOCTYPE html>\n<html lang="{html_lang(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{css}</style>\n"
        f"<style>{map_page._asset('region_map.css')}</style>\n</head>\n<body>\n"
        '<div id="planner-map"></div>\n'
        f'<script type="application/json" id="planner-data">{map_page.script_json(data)}'
        f"</script>\n<script>{js}</script>\n<script>{map_page._asset('region_map.js')}"
        "</script>\n</body>\n</html>\n"
    )
