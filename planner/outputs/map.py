"""The map a planner opens in a browser: one self-contained page, Leaflet and the page's own
script (``assets/map.js``) inlined, the plan's data embedded as JSON, nothing from a CDN.

The page draws the hotspots as one canvas layer (a grid of cells when many are in view),
the existing stations, the suggested sites and, as what-if data, every candidate; service
circles and filled service areas for two states, "today" and "with the suggested sites";
the roads of the network (always with ``basemap="none"``, and as soon as a tile fails to
load otherwise, so the page still works offline); and a panel with the legend and the
what-if figures. Embedded with the page is the sparse coverage of every site, so switching
a station off or a candidate on updates coverage, goals and blind-spot demand at once, in
the browser, without a server (see :mod:`planner.outputs.map_data` for the packing).

User strings (names, ids, categories) reach the page in two ways only: HTML-escaped in the
legend, or inside the JSON data block, where ``<``, ``>``, ``&``, U+2028 and U+2029 are
``\\u`` escapes (so no ``</script>`` or ``<!--`` can close it), and the script writes them
as text nodes, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely

from ..core.crs import WGS84, wgs84_to_gcj02
from ..core.units import minutes_text
from ..plan.result import Plan
from . import display, map_data, map_others, map_page, tables
from . import summary as summary_mod
from .i18n import (
    BLIND_COLOUR,
    GRADE_COLOURS,
    SUGGESTED_COLOUR,
    figure,
    map_page_labels,
)
from .i18n import escape as _e
from .summary import PlanSummary
from .terms import CATEGORY_ZH, term, venue_name

#: Map backgrounds: OpenStreetMap tiles, Amap tiles (GCJ-02), or none (offline).
BASEMAPS = ("osm", "amap", "none")
OSM_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
AMAP_TILES = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)
AMAP_CREDIT = "© 高德地图 AutoNavi"
#: Hotspot names are embedded (for their popups) up to this many hotspots.
HOTSPOT_NAMES_MAX = 20_000
#: With more hotspots than this in view, the page draws them as a grid of cells (coloured by
#: the service most of each cell's demand gets, outlined when some of it is beyond every
#: circle); zooming in shows the points.
GRID_ABOVE = 4_000
#: Candidates are drawn (as small canvas circles) at first up to this many; above it their
#: layer starts switched off (the list and the layer control still reach every one).
CANDIDATES_SHOWN_MAX = 300


class TravelTimes(Protocol):
    """What the map reads of a plan's travel times: a sparse ``sources × hotspots`` matrix
    of seconds and the ids of its rows and columns."""

    @property
    def seconds(self) -> Any: ...
    @property
    def source_ids(self) -> Any: ...
    @property
    def target_ids(self) -> Any: ...


@dataclass(frozen=True)
class MapFrames:
    """What the map draws.

    Attributes
    ----------
    hotspots
        Points with ``id``, ``name`` and ``weight``.
    stations
        Station points with their scores (``grade``, ``demand_<label>``, ...).
    recommended
        Suggested sites with ``rank`` and ``demand_added_<label>``,
        ``cumulative_share_<label>`` per threshold.
    isochrones
        Circles (polygons) with ``minutes``, ``station_id`` and ``kind``
        (``existing`` / ``suggested``).
    service_areas
        One polygon per threshold (``minutes``): the union of the existing stations' circles.
    roads
        Road lines, drawn underneath on the offline map and when tiles fail.
    candidates
        Every candidate considered (points with ``id``, ``name``): the what-if sites.
    station_times, candidate_times
        Travel times of the stations and candidates to the hotspots (matched by id); without
        them no hotspot counts as covered.
    shapes
        The circles and service areas as drawn (:mod:`planner.outputs.display`), when the
        caller has them; simplified here from ``isochrones`` and ``service_areas``
        otherwise.

    Any CRS; the page is drawn in WGS-84 (shifted to GCJ-02 on Amap's tiles).
    """

    hotspots: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    recommended: gpd.GeoDataFrame
    isochrones: gpd.GeoDataFrame
    service_areas: gpd.GeoDataFrame
    roads: gpd.GeoDataFrame | None = None
    candidates: gpd.GeoDataFrame | None = None
    station_times: TravelTimes | None = None
    candidate_times: TravelTimes | None = None
    #: Other operators' stations (``id, name, operator``), and whether they count.
    others: gpd.GeoDataFrame | None = None
    others_counted: bool = True
    shapes: display.Shapes | None = None
    #: What the plan closes (``close``, ``relocate``; see :class:`planner.plan.closing.Closing`).
    closings: tuple[Any, ...] = ()

    @classmethod
    def of(
        cls, plan: Plan, *, roads: bool = True, shapes: display.Shapes | None = None
    ) -> MapFrames:
        """The frames of ``plan``; with ``roads``, its road lines too (main classes only on
        a large network, see :func:`planner.outputs.display.roads`); ``shapes``: the
        plan's display shapes when the caller has them (:func:`.display.of_plan`, made
        here otherwise)."""
        drawn = shapes if shapes is not None else display.of_plan(plan)
        if roads and drawn.roads is None:
            drawn = replace(drawn, roads=display.roads(plan))
        return cls(
            hotspots=plan.hotspots,
            stations=tables.stations_with_scores(plan),
            recommended=plan.recommended,
            isochrones=plan.isochrones,
            service_areas=plan.service_areas,
            roads=drawn.roads if roads else None,
            candidates=plan.candidates,
            station_times=plan.station_times,
            candidate_times=plan.candidate_times,
            others=None if plan.others is None else plan.others.stations,
            others_counted=plan.others is None or plan.others.count,
            shapes=drawn,
            closings=(plan.closed, plan.moved),
        )


def map_html(
    plan: Plan,
    *,
    lang: str = "en",
    basemap: str = "osm",
    summary: PlanSummary | None = None,
    shapes: display.Shapes | None = None,
) -> str:
    """The map page of a plan (see :func:`plan_map`); ``summary`` and ``shapes`` (its
    display shapes, :func:`.display.of_plan`): the plan's when the caller has them already
    (built here otherwise)."""
    s = summary if summary is not None else summary_mod.build(plan)
    return plan_map(MapFrames.of(plan, shapes=shapes), s, lang=lang, basemap=basemap)


def plan_map(
    frames: MapFrames, summary: PlanSummary, *, lang: str = "en", basemap: str = "osm"
) -> str:
    """Render the plan as one standalone HTML page and return it.

    Parameters
    ----------
    frames
        What to draw (see :class:`MapFrames`).
    summary
        The plan's summary: the thresholds, goals, mode and speeds, and the figures of both
        states.
    lang
        ``"en"`` or ``"zh"``: the language of the labels.
    basemap
        ``"osm"`` (OpenStreetMap tiles), ``"amap"`` (Amap/Gaode tiles, which are in
        GCJ-02: every overlay is shifted to GCJ-02 to sit on them) or ``"none"`` (no
        tiles: the roads drawn from the network). Leaflet is inlined in every case; the
        tiles are the only thing the page fetches, and when they fail it draws the roads.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {BASEMAPS}")
    minutes = tuple(float(m) for m in summary.parameters.minutes)
    data = _page_data(frames, summary, minutes, lang, basemap)
    method = summary.optimizer.method if summary.optimizer and len(frames.recommended) else None
    legend = map_page.legend(
        summary.parameters, lang, [minutes_text(m) for m in minutes], method=method
    )
    legend = map_others.with_legend(legend, data["others"], lang, data["closed"])
    return map_page.page(data, legend, lang)


# --------------------------------------------------------------------------- data


def _page_data(
    frames: MapFrames, summary: PlanSummary, minutes: tuple[float, ...], lang: str, basemap: str
) -> dict[str, Any]:
    """The JSON the page's script reads (numbers in the compressed blob)."""
    shift = _shifter(basemap)
    hs = frames.hotspots.to_crs(WGS84) if len(frames.hotspots) else frames.hotspots
    lonlat = shift(np.column_stack([hs.geometry.x, hs.geometry.y]).reshape(-1, 2))
    order = map_data.spatial_order(lonlat)
    blob = map_data.Blob()
    blob.add("hxy", map_data.points_stream(lonlat[order]))
    wbytes, wkind = map_data.weights_stream(hs["weight"].to_numpy(dtype=float)[order])
    blob.add("hw", wbytes)
    sites = _venues_in(_sites(frames, shift), lang)
    page_ids = pd.Index(hs["id"].to_numpy()[order])
    blob.add("cov", _coverage(frames, sites, page_ids, minutes, blob))
    circles, areas = _shapes(frames, sites, minutes, shift, blob)
    if frames.roads is not None and len(frames.roads):
        blob.add_shapes("roads", _shifted(frames.roads.to_crs(WGS84), shift))
    else:
        blob.add_shapes("roads", [])
    names = None
    if len(hs) <= HOTSPOT_NAMES_MAX:
        raw = hs["name"] if "name" in hs.columns else hs["id"]
        label = [
            str(n) if isinstance(n, str) and n else str(i)
            for n, i in zip(raw, hs["id"], strict=True)
        ]
        names = [label[i] for i in order]
    cov = summary.coverage_existing
    return {
        "lang": lang,
        "basemap": basemap,
        "tiles": {"osm": OSM_TILES, "amap": AMAP_TILES}.get(basemap),
        "credit": _e(AMAP_CREDIT if basemap == "amap" else map_page_labels(lang)["credit"]),
        "labels": [minutes_text(m) for m in minutes],
        "targets": [g.target for g in cov.goals] if cov.goals else [],
        "colours": {
            "thresholds": map_page.colours(len(minutes)),
            "blind": BLIND_COLOUR,
            "suggested": SUGGESTED_COLOUR,
            "grades": GRADE_COLOURS,
        },
        "lab": {**map_page_labels(lang), **map_others.labels(lang)},
        "others": map_others.data(frames.others, frames.others_counted, shift),
        "closed": map_others.closed_data(frames.closings, shift),
        "hotspots": {"n": len(hs), "weights": wkind, "names": names},
        "sites": sites,
        "circles": circles,
        "areas": areas,
        "figures": {
            "today": {k: c.share for k, c in cov.covered.items()},
            "with": dict(summary.coverage_after_recommended),
        },
        "grid_above": GRID_ABOVE,
        "candidates_shown": len(sites["id"]) - sites["kind"].count("e") <= CANDIDATES_SHOWN_MAX,
        "parts": blob.parts,
        "blob": blob.payload(),
    }


def _sites(frames: MapFrames, shift: Callable[[np.ndarray], np.ndarray]) -> dict[str, Any]:
    """Every site, existing stations first: id, name, kind (``e`` existing, ``s`` suggested,
    ``c`` candidate), coordinates, the grade or rank on its marker, popup rows."""
    st = frames.stations.to_crs(WGS84) if len(frames.stations) else frames.stations
    cand = frames.candidates if frames.candidates is not None else frames.recommended
    cand = cand.to_crs(WGS84) if len(cand) else cand
    rec = frames.recommended.set_index(frames.recommended["id"].astype(str))
    known = set(cand["id"].astype(str))
    extra = rec.loc[[i for i in rec.index if i not in known]].reset_index(drop=True)
    cand = pd.concat([cand, extra.to_crs(WGS84)], ignore_index=True) if len(extra) else cand
    ids = [str(i) for i in st["id"]] + [str(i) for i in cand["id"]]
    kinds = "e" * len(st) + "".join("s" if i in rec.index else "c" for i in cand["id"].astype(str))
    lonlat = np.vstack(
        [shift(np.column_stack([f.geometry.x, f.geometry.y]).reshape(-1, 2)) for f in (st, cand)]
    )
    info: dict[str, list[list[str]]] = {}
    mark = []
    for i, row in enumerate(st.to_dict(orient="records")):
        grade = str(row.get("grade") or "-")
        mark.append(grade)
        info[str(i)] = [[k, figure(v)] for k, v in _station_rows(row, grade)]
    rec_rows = dict(zip(rec.index, rec.to_dict(orient="records"), strict=True))
    for j, cid in enumerate(cand["id"].astype(str)):
        if cid in rec_rows:
            row = rec_rows[cid]
            mark.append(str(int(row["rank"])))
            info[str(len(st) + j)] = [[k, figure(v)] for k, v in _site_rows(row)]
        else:
            mark.append("")
    names = [str(n) if isinstance(n, str) else "" for n in list(st["name"]) + list(cand["name"])]
    moved = {i for c in frames.closings if c is not None and c.by == "relocate" for i in c.ids}
    return {
        "id": ids, "name": names, "kind": kinds, "mark": mark, "info": info,
        "moved": [i for i, sid in enumerate(st["id"].astype(str)) if sid in moved],
        "lon": np.round(lonlat[:, 0], 6).tolist(), "lat": np.round(lonlat[:, 1], 6).tolist(),
        "category": [str(c) if isinstance(c, str) else "" for c in cand.get(
            "category", pd.Series([""] * len(cand)))],
    }  # fmt: skip


def _venues_in(sites: dict[str, Any], lang: str) -> dict[str, Any]:
    """``sites`` with the venue categories (list and popup rows) in ``lang``, and the
    candidates named by their kind (:func:`.terms.venue_name`) named in ``lang``."""
    if lang != "zh":
        return sites
    info = {
        k: [[r[0], term(r[1], CATEGORY_ZH, lang) if r[0] == "category" else r[1]] for r in rows]
        for k, rows in sites["info"].items()
    }
    category = [term(c, CATEGORY_ZH, lang) for c in sites["category"]]
    first = len(sites["name"]) - len(sites["category"])  # the candidates come last
    kinds = zip(sites["name"][first:], sites["category"], strict=True)
    names = sites["name"][:first] + [venue_name(n, c, lang) for n, c in kinds]
    return {**sites, "info": info, "category": category, "name": names}


def _coverage(
    frames: MapFrames, sites: Mapping[str, Any], page_ids: pd.Index, minutes: Sequence[float],
    blob: map_data.Blob,
) -> bytes:  # fmt: skip
    """The coverage stream of every site in page order (see ``map_data.coverage_stream``);
    the pair counts per site go into the blob as ``covn``, their bytes as ``covb``."""
    ids = sites["id"]
    n_st = sites["kind"].count("e")
    matrices, columns = [], []
    for times, group in ((frames.station_times, ids[:n_st]), (frames.candidate_times, ids[n_st:])):
        if times is None or not len(group):
            matrices.append(sp.csr_matrix((len(group), len(page_ids))))
            columns.append(np.arange(len(page_ids)))
            continue
        m = times.seconds.tocsr()
        row = map_data.page_positions(pd.Index([str(s) for s in times.source_ids]), group)
        padded = sp.vstack([m, sp.csr_matrix((1, m.shape[1]))]).tocsr()
        matrices.append(padded[np.where(row < 0, m.shape[0], row)])
        columns.append(map_data.page_positions(page_ids, times.target_ids))
    thresholds_s = [float(m) * 60.0 for m in minutes]
    stream, counts, sizes = map_data.coverage_stream(matrices, columns, thresholds_s)
    blob.add("covn", map_data.varint(counts.astype(np.uint64)))
    blob.add("covb", map_data.varint(sizes.astype(np.uint64)))
    return stream


def _shapes(
    frames: MapFrames,
    sites: Mapping[str, Any],
    minutes: Sequence[float],
    shift: Callable[[np.ndarray], np.ndarray],
    blob: map_data.Blob,
) -> tuple[list[int], dict[str, int]]:
    """Circles per site and filled service areas per state, simplified for display and
    still nested (``frames.shapes``, or :func:`.display.simplified` of the frames). Returns
    the site of each group of circles and the count per state."""
    shapes = frames.shapes
    if shapes is None:
        metric = _metric_crs(frames)
        hs = frames.hotspots
        tol = map_data.display_tolerance_m(
            hs.to_crs(metric).total_bounds if len(hs) else (0, 0, 0, 0)
        )
        shapes = display.simplified(
            frames.isochrones, frames.service_areas, minutes, metric=metric, tolerance_m=tol
        )
    position = {(k, i): n for n, (i, k) in enumerate(zip(sites["id"], sites["kind"], strict=True))}
    circle_sites: list[int] = []
    circle_geoms: list[object] = []
    for sid, kind, geoms in shapes.circles:
        site = position.get(("e", sid) if kind == "existing" else ("s", sid))
        if site is not None:
            circle_sites.append(site)
            circle_geoms.extend(geoms)
    every = np.asarray(circle_geoms + shapes.today + shapes.with_new, dtype=object)
    drawn = list(shapely.transform(every, shift)) if len(every) else []
    n_c = len(circle_geoms)
    blob.add_shapes("circles", drawn[:n_c])
    blob.add_shapes("areas", drawn[n_c:])
    return circle_sites, {"today": len(shapes.today), "with": len(shapes.with_new)}


def _metric_crs(frames: MapFrames) -> Any:
    """A metric CRS for simplifying: the hotspots' UTM zone (WGS-84 without hotspots)."""
    hs = frames.hotspots
    if not len(hs):
        return WGS84
    return hs.to_crs(WGS84).estimate_utm_crs()


def _station_rows(row: Mapping[str, Any], grade: str) -> list[tuple[str, object]]:
    """The popup rows of a station (labels are keys the script translates)."""
    rows: list[tuple[str, object]] = [("id", row["id"]), ("grade", grade)]
    rows.append(("category", row.get("venue", row.get("category", "")) or ""))
    rows += [(f"demand:{k[7:]}", v) for k, v in row.items() if str(k).startswith("demand_")]
    rows.append(("road", row.get("nearest_road", "") or ""))
    return rows


def _site_rows(row: Mapping[str, Any]) -> list[tuple[str, object]]:
    """The popup rows of a suggested site: rank, id, venue, road, phase, use of its capacity, what
    it adds and the share after it per threshold."""
    rows: list[tuple[str, object]] = [("rank", int(row["rank"])), ("id", row["id"])]
    rows += [("category", row.get("category", "") or ""), ("road", row.get("nearest_road", ""))]
    if pd.notna(row.get("phase")):
        rows.append(("phase", int(row["phase"])))
    if "served_demand" in row:
        rows.append(("served", f"{row['served_demand']:,.1f} / {row['capacity']:,.1f}"))
    for k, v in row.items():
        if str(k).startswith("demand_added_"):
            rows.append((f"added:{k[13:]}", v))
        elif str(k).startswith("cumulative_share_"):
            rows.append((f"share:{k[17:]}", v))
    return rows


# --------------------------------------------------------------------------- helpers


def _shifter(basemap: str) -> Callable[[np.ndarray], np.ndarray]:
    """WGS-84 → GCJ-02 for Amap's tiles; unchanged otherwise."""
    if basemap != "amap":
        return lambda xy: xy

    def shift(xy: np.ndarray) -> np.ndarray:
        if not len(xy):
            return xy
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    return shift


def _shifted(frame: gpd.GeoDataFrame, shift: Callable[[np.ndarray], np.ndarray]) -> list[Any]:
    """The geometries of a WGS-84 frame with ``shift`` applied to every coordinate."""
    return list(shapely.transform(frame.geometry.values, shift))


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
