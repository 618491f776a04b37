"""The folium map a planner opens in a browser, drawn layer by layer: the basemap, the
service circles, the service areas, the hotspots, the existing stations, the suggested sites
and the legend.

The map reads the plan's frames (points and polygons) and, for the figures it states (mode,
speeds, thresholds), the typed :class:`~planner.outputs.summary.PlanSummary`. Every user
string (names, ids, categories) is HTML-escaped before it reaches a popup, tooltip or the
legend. The map credits OpenStreetMap.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element

from ..core.crs import WGS84, wgs84_to_gcj02
from ..core.units import minutes_text
from ..plan.result import Plan
from . import hotspot_cells, tables
from . import summary as summary_mod
from .i18n import THRESHOLD_COLOURS, figure, map_labels
from .i18n import escape as _e
from .summary import Parameters, PlanSummary

#: Marker colours of the station grades.
GRADE_COLOURS = {"A": "#1a9850", "B": "#91cf60", "C": "#fc8d59", "D": "#d73027", "-": "#888888"}
#: Map backgrounds: OpenStreetMap tiles, Amap tiles (GCJ-02), or none (offline).
BASEMAPS = ("osm", "amap", "none")
AMAP_TILES = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)


@dataclass(frozen=True)
class MapFrames:
    """The frames the map draws.

    Attributes
    ----------
    hotspots
        Points with ``id``, ``name``, ``weight`` and ``covered_<label>`` per threshold.
    stations
        Station points with their scores (``grade``, ``demand_<label>``, ...).
    recommended
        Suggested sites with ``rank`` and ``demand_added_<label>``,
        ``cumulative_share_<label>`` per threshold.
    isochrones
        Circles (polygons) with ``minutes``, ``station_id`` and ``kind``.
    service_areas
        One polygon per threshold (``minutes``): the union of the existing stations' circles.
    roads
        Road lines, drawn only on the offline map (``basemap="none"``).

    Any CRS; :meth:`on_basemap` brings them to the map's.
    """

    hotspots: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    recommended: gpd.GeoDataFrame
    isochrones: gpd.GeoDataFrame
    service_areas: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame | None = None

    @classmethod
    def of(cls, plan: Plan, *, roads: bool = False) -> MapFrames:
        """The frames of ``plan``; with ``roads``, its road lines too."""
        return cls(
            hotspots=plan.hotspots,
            stations=tables.stations_with_scores(plan),
            recommended=plan.recommended,
            isochrones=plan.isochrones,
            service_areas=plan.service_areas,
            roads=tables.road_lines(plan) if roads else None,
        )

    def on_basemap(self, basemap: str) -> MapFrames:
        """The frames in WGS-84, shifted to GCJ-02 for Amap's tiles (``basemap="amap"``)."""
        shift: Callable[[gpd.GeoDataFrame], gpd.GeoDataFrame] = (
            _to_gcj02 if basemap == "amap" else (lambda f: f)
        )

        def drawn(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
            return shift(frame.to_crs(WGS84)) if len(frame) else frame

        return MapFrames(
            hotspots=shift(self.hotspots.to_crs(WGS84)),
            stations=drawn(self.stations),
            recommended=drawn(self.recommended),
            isochrones=drawn(self.isochrones),
            service_areas=drawn(self.service_areas),
            roads=None if self.roads is None else self.roads.to_crs(WGS84),
        )


@dataclass(frozen=True)
class _Style:
    """What every layer shares: the labels, the threshold labels and their colours."""

    lab: Mapping[str, str]
    labels: tuple[str, ...]
    colours: Mapping[str, str]

    @classmethod
    def of(cls, minutes: Sequence[float], lang: str) -> _Style:
        labels = tuple(minutes_text(t) for t in minutes)
        colours = {lb: THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)] for i, lb in enumerate(labels)}
        return cls(map_labels(lang), labels, colours)


def map_html(
    plan: Plan, *, lang: str = "en", basemap: str = "osm", summary: PlanSummary | None = None
) -> str:
    """The map page of a plan (see :func:`plan_map`); ``summary``: the plan's summary when
    the caller has it already (built here otherwise)."""
    s = summary if summary is not None else summary_mod.build(plan)
    return plan_map(MapFrames.of(plan, roads=basemap == "none"), s, lang=lang, basemap=basemap)


def plan_map(
    frames: MapFrames, summary: PlanSummary, *, lang: str = "en", basemap: str = "osm"
) -> str:
    """Render the plan as a standalone HTML page (folium) and return it.

    Parameters
    ----------
    frames
        What to draw (see :class:`MapFrames`).
    summary
        The plan's summary: the thresholds, the mode and its speeds.
    lang
        ``"en"`` or ``"zh"``: the language of the labels.
    basemap
        ``"osm"`` (OpenStreetMap tiles), ``"amap"`` (Amap/Gaode tiles, which are in
        GCJ-02: every overlay is shifted to GCJ-02 to sit on them) or ``"none"``: no tiles and
        no CDN; Leaflet is inlined and ``frames.roads`` are drawn instead, so the file opens
        with no network at all.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {BASEMAPS}")
    style = _Style.of(summary.parameters.minutes, lang)
    drawn = frames.on_basemap(basemap)
    minx, miny, maxx, maxy = drawn.hotspots.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, control_scale=True)
    _basemap(m, basemap, drawn.roads, style)
    _circles(m, drawn.isochrones, style)
    _service_areas(m, drawn.service_areas, style)
    _hotspots(m, drawn.hotspots, style)
    _stations(m, drawn.stations, style)
    _suggested_sites(m, drawn.recommended, style)
    folium.LayerControl(collapsed=False).add_to(m)
    _legend(m, summary.parameters, lang, style)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    page = _stable_ids(m.get_root(), m.get_root().render())
    return _offline_page(page) if basemap == "none" else page


def _rows(frame: pd.DataFrame) -> Iterator[SimpleNamespace]:
    """The rows of ``frame`` with their columns as attributes, whatever the names (a column
    of a fractional threshold such as ``demand_added_7.5`` too, which ``itertuples`` drops)."""
    for record in frame.to_dict(orient="records"):
        yield SimpleNamespace(**{str(k): v for k, v in record.items()})


def _stable_ids(root: Element, page: str) -> str:
    """The page with folium's random element ids replaced by ids numbered in order of
    appearance, so the same plan always gives the same page, byte for byte."""
    ids: set[str] = set()
    stack = [root]
    while stack:
        element = stack.pop()
        if element._id in ids:
            continue
        ids.add(element._id)
        stack.extend(element._children.values())
        # popups hold their header, html and script as attributes, not as children
        stack.extend(v for v in vars(element).values() if isinstance(v, Element))
    seen: dict[str, str] = {}

    def stable(match: re.Match[str]) -> str:
        old = match.group(0)
        if old not in ids:
            return old
        if old not in seen:
            seen[old] = hashlib.sha256(f"planner-map-{len(seen)}".encode()).hexdigest()[:32]
        return seen[old]

    return re.sub(r"[0-9a-f]{32}", stable, page)


# --------------------------------------------------------------------------- layers


def _basemap(m: folium.Map, basemap: str, roads: gpd.GeoDataFrame | None, style: _Style) -> None:
    """The background: tiles, or the roads on the offline map."""
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", attr=style.lab["credit"], name="OpenStreetMap").add_to(m)
    elif basemap == "amap":
        folium.TileLayer(
            AMAP_TILES, attr="© 高德地图 AutoNavi", name="高德地图 Amap", subdomains="1234"
        ).add_to(m)
    elif roads is not None and len(roads):
        folium.GeoJson(
            roads.geometry.union_all().__geo_interface__,
            name=style.lab["roads"],
            style_function=lambda _f: {"color": "#9a9a9a", "weight": 1, "opacity": 0.8},
            interactive=False,
        ).add_to(m)


def _circles(m: folium.Map, iso: gpd.GeoDataFrame, style: _Style) -> None:
    """One layer per threshold, the largest first; only the nearest one shown at first."""
    lab = style.lab
    for lb in reversed(style.labels):
        group = folium.FeatureGroup(name=lab["circle"].format(m=lb), show=lb == style.labels[0])
        rows = (
            iso.loc[iso["minutes"].map(minutes_text) == lb] if len(iso) else iso
        )
        for row in _rows(rows):
            if row.geometry is None or row.geometry.is_empty:
                continue
            kind = lab["suggested"] if getattr(row, "kind", "") == "suggested" else lab["stations"]
            folium.GeoJson(
                row.geometry.__geo_interface__,
                style_function=lambda _f, c=style.colours[lb]: {
                    "color": c,
                    "weight": 1,
                    "fillColor": c,
                    "fillOpacity": 0.18,
                },
                tooltip=folium.Tooltip(
                    _e(f"{kind} {row.station_id}: " + lab["circle"].format(m=lb))
                ),
            ).add_to(group)
        group.add_to(m)


def _service_areas(m: folium.Map, areas: gpd.GeoDataFrame, style: _Style) -> None:
    """One hidden layer per threshold: the area within it of some existing station."""
    for row in _rows(areas):
        lb = minutes_text(row.minutes)
        group = folium.FeatureGroup(name=style.lab["area"].format(m=lb), show=False)
        colour = style.colours.get(lb, "#555")
        folium.GeoJson(
            row.geometry.__geo_interface__,
            style_function=lambda _f, c=colour: {"color": c, "weight": 2, "fillOpacity": 0.05},
            tooltip=folium.Tooltip(_e(style.lab["area"].format(m=lb))),
        ).add_to(group)
        group.add_to(m)


def _hotspots(m: folium.Map, hs: gpd.GeoDataFrame, style: _Style) -> None:
    """A dot per hotspot, sized by its weight: blue within the nearest threshold, red
    beyond it. Above :data:`~.hotspot_cells.MAP_HOTSPOTS_MAX` hotspots, a dot per cell of
    a square grid and status instead (see :func:`.hotspot_cells.cells`)."""
    lab, nearest = style.lab, style.labels[0]
    first = f"covered_{nearest}"
    group = folium.FeatureGroup(name=lab["hotspots"])
    if len(hs) > hotspot_cells.MAP_HOTSPOTS_MAX:
        hs = hotspot_cells.cells(hs, first, lab["cell"])
    wmax = float(hs["weight"].max()) if len(hs) else 1.0
    for row in _rows(hs):
        covered = bool(getattr(row, first, False))
        colour = "#2166ac" if covered else "#b2182b"
        radius = 3 + 7 * np.sqrt(float(row.weight) / wmax) if wmax > 0 else 4
        status = lab["covered"] if covered else lab["blind"].format(m=nearest)
        folium.CircleMarker(
            [row.geometry.y, row.geometry.x],
            radius=float(radius),
            color=colour,
            weight=1,
            fill=True,
            fill_opacity=0.6,
            tooltip=folium.Tooltip(
                _e(f"{row.name or row.id} · {lab['weight']} {row.weight:g} · {status}")
            ),
        ).add_to(group)
    group.add_to(m)


def _stations(m: folium.Map, st: gpd.GeoDataFrame, style: _Style) -> None:
    """A square per existing station, coloured and lettered by its grade."""
    group = folium.FeatureGroup(name=style.lab["stations"])
    for row in _rows(st):
        grade = str(getattr(row, "grade", "-") or "-")
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=_popup(str(row.name), _station_rows(row, grade, style)),
            tooltip=folium.Tooltip(_e(f"{row.name} ({style.lab['grade']} {grade})")),
            icon=_div_marker(
                grade, GRADE_COLOURS.get(grade, "#555"), round_=False, cls="planner-station"
            ),
        ).add_to(group)
    group.add_to(m)


def _station_rows(row: Any, grade: str, style: _Style) -> list[tuple[str, object]]:
    """The popup of a station: id, grade, venue, demand per threshold, road, unique."""
    lab, nearest = style.lab, style.labels[0]
    rows: list[tuple[str, object]] = [
        ("id", row.id),
        (lab["grade"], grade),
        (lab["category"], getattr(row, "venue", getattr(row, "category", ""))),
    ]
    for lb in style.labels:
        col = f"demand_{lb}"
        if hasattr(row, col):
            rows.append((lab["demand"].format(m=lb), figure(getattr(row, col))))
    rows.append((lab["road"], getattr(row, "nearest_road", "")))
    if hasattr(row, f"unique_{nearest}"):
        rows.append((lab["unique"].format(m=nearest), figure(getattr(row, f"unique_{nearest}"))))
    return rows


def _suggested_sites(m: folium.Map, rec: gpd.GeoDataFrame, style: _Style) -> None:
    """A numbered round marker per suggested site, in rank order."""
    group = folium.FeatureGroup(name=style.lab["suggested"])
    for row in _rows(rec):
        rank = int(row.rank)
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            icon=_div_marker(str(rank), "#d7301f", round_=True, cls="planner-site"),
            popup=_popup(f"#{rank} {row.name}", _site_rows(row, style)),
            tooltip=folium.Tooltip(_e(f"#{rank} {row.name}")),
        ).add_to(group)
    group.add_to(m)


def _site_rows(row: Any, style: _Style) -> list[tuple[str, object]]:
    """The popup of a suggested site: rank, id, venue, road, use of its capacity, and per
    threshold the demand it adds and the share after it."""
    lab = style.lab
    rows: list[tuple[str, object]] = [
        (lab["rank"], int(row.rank)),
        ("id", row.id),
        (lab["category"], getattr(row, "category", "")),
        (lab["road"], getattr(row, "nearest_road", "")),
    ]
    if hasattr(row, "served_demand"):
        rows.append((lab["served"], f"{row.served_demand:,.1f} / {row.capacity:,.1f}"))
    for lb in style.labels:
        rows.append((lab["added"].format(m=lb), figure(getattr(row, f"demand_added_{lb}"))))
        rows.append((lab["share"].format(m=lb), figure(getattr(row, f"cumulative_share_{lb}"))))
    return rows


def _legend(m: folium.Map, parameters: Parameters, lang: str, style: _Style) -> None:
    """The fixed box at the bottom left: circles, hotspot colours, grades, the mode with
    every class of its speed table (fastest first) and the credit."""
    lab, labels = style.lab, style.labels
    speeds = (
        ", ".join(
            f"{_e(k)} {v:g}"
            for k, v in sorted(parameters.speeds_kph.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        + f"; {_e(lab['oneway'])}: {_e(parameters.oneway)}"
    )
    swatches = "".join(
        f"<div><span style='display:inline-block;width:12px;height:12px;"
        f"background:{style.colours[lb]};opacity:.6;margin-right:4px'></span>"
        f"{_e(lab['circle'].format(m=lb))}</div>"
        for lb in labels
    )
    grades = " ".join(
        f"<span style='background:{c};color:#fff;padding:0 4px;border-radius:3px'>{g}</span>"
        for g, c in GRADE_COLOURS.items()
    )
    legend = (
        "<div id='planner-legend' style='position:fixed;bottom:24px;left:12px;z-index:1000;"
        "background:#fff;padding:8px 10px;border:1px solid #999;border-radius:4px;"
        "font:12px sans-serif;max-width:300px'>"
        f"<b>{_e(lab['title'])}</b>{swatches}"
        f"<div><span style='color:#2166ac'>●</span> {_e(lab['covered'])} "
        f"<span style='color:#b2182b'>●</span> {_e(lab['blind'].format(m=labels[0]))}</div>"
        f"<div>{_e(lab['stations'])}: {grades}</div>"
        f"<div>{_e(lab['mode'])}: {_e(parameters.mode)} — "
        f"{_e(parameters.describe_mode(lang))}</div>"
        f"<div style='color:#555'>{_e(lab['speeds'])}: {speeds}</div>"
        f"<div style='color:#555'>{_e(lab['credit'])}</div></div>"
    )
    m.get_root().html.add_child(Element(legend))  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- helpers


def _popup(title: str, rows: Sequence[tuple[str, object]]) -> folium.Popup:
    body = "".join(
        f"<tr><th style='text-align:left'>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows
    )
    return folium.Popup(f"<b>{_e(title)}</b><table>{body}</table>", max_width=320)


def _div_marker(text: str, colour: str, *, round_: bool, cls: str) -> folium.DivIcon:
    radius = "50%" if round_ else "4px"
    return folium.DivIcon(
        html=f"<div class='{cls}' style='background:{colour};color:#fff;border-radius:{radius};"
        f"width:24px;height:24px;line-height:24px;text-align:center;font:bold 12px sans-serif;"
        f"border:2px solid #fff;box-shadow:0 0 2px #000'>{_e(text)}</div>",
        icon_size=(24, 24),
        icon_anchor=(12, 12),
    )


def _to_gcj02(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Shift every geometry from WGS-84 to GCJ-02, to sit on Amap's GCJ-02 tiles."""
    out = frame.copy()

    def shift(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    out.geometry = shapely.transform(out.geometry.values, shift)
    return out


def _offline_page(page: str) -> str:
    """Drop every external script and stylesheet and inline Leaflet (XStatic-Leaflet)."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    page = re.sub(r"<script[^>]+src=\"https?://[^\"]+\"[^>]*>\s*</script>", "", page)
    page = re.sub(r"<link[^>]+href=\"https?://[^\"]+\"[^>]*/?>", "", page)
    # folium builds popups with jQuery's ``$(html)[0]``; this is all of jQuery it uses
    shim = (
        "window.$ = window.$ || function (markup) { var t = document.createElement("
        "'template'); t.innerHTML = String(markup).trim(); return [t.content.firstChild]; };"
    )
    inline = f"<style>{css}</style>\n<script>{js}</script>\n<script>{shim}</script>\n"
    return page.replace("<head>", "<head>\n" + inline, 1)


def notebook_view(page: str, *, height: int = 520) -> Any:
    """Show a map page inline in a notebook (an iframe holding the page itself).

    Parameters
    ----------
    page
        A page of :func:`map_html`.
    height
        Height of the frame (pixels).
    """
    from IPython.display import HTML

    return HTML(
        f'<iframe srcdoc="{html.escape(page, quote=True)}" width="100%" '
        f'height="{int(height)}" style="border:1px solid #ccc"></iframe>'
    )
