"""Shapes drawn for display, computed once per output set and shared by the map page and
the report's static map: the circles of every site and the service areas of both states
("today" and "with the suggested sites"), simplified for display and still nested, and
the roads.

The polygons are simplified in a metric CRS (the network's, for a plan) with a tolerance
that grows with the district's extent (:func:`.map_data.display_tolerance_m`): each
site's circles and today's service areas with :func:`.map_data.nested_simplify` (the
widest first, each smaller one clipped by the simplified larger one), and the areas "with
the suggested sites" as the union of today's simplified areas and the suggested sites'
simplified circles, which nest because each part does. The GeoJSON and GeoPackage files
keep the plan's own polygons; these are for drawing only.

The roads are the merged, simplified lines of :func:`.map_data.road_lines` (main classes
only on a large network), computed once per network: kept with the network and, when it
comes from the network cache, stored with it, so a second run on the same file reads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import shapely

from ..core import _threads
from ..core.crs import WGS84
from ..core.units import minutes_text
from ..plan import derived
from ..plan.result import Plan
from . import map_data

#: Bumped when the roads drawn change, so stored road frames of older runs are not read.
ROADS_VERSION = 1


@dataclass(frozen=True)
class Shapes:
    """What the outputs draw, in WGS-84.

    Attributes
    ----------
    circles
        Per site with circles, in the order of the plan's isochrones: ``(site id, kind,
        polygons)``, kind ``existing`` or ``suggested``, one polygon (or None) per
        threshold, nested.
    today, with_new
        The service areas per threshold of the existing stations, and of the existing
        stations with the suggested sites; nested.
    roads
        The roads drawn (:func:`roads`), when known.
    """

    circles: list[tuple[str, str, list[Any]]]
    today: list[Any]
    with_new: list[Any]
    roads: gpd.GeoDataFrame | None = None
    #: ``today`` in the metric CRS it was simplified in, for the areas with the new sites.
    today_metric: list[Any] | None = field(default=None, repr=False, compare=False)


def of_plan(plan: Plan, *, today: Shapes | None = None) -> Shapes:
    """The display shapes of ``plan``, simplified in its network's CRS, with its roads;
    ``today``: its :func:`today_of_plan` when the caller has it (drawn first)."""
    metric, tolerance = _frame(plan)
    moved = frozenset(plan.moved.ids) if plan.moved is not None else frozenset()
    shapes = simplified(
        plan.isochrones, plan.service_areas, plan.minutes, metric=metric,
        tolerance_m=tolerance, valid=True, moved=moved,
        today_metric=None if today is None else today.today_metric,
    )  # fmt: skip
    return replace(shapes, roads=roads(plan) if today is None else today.roads)


def today_of_plan(plan: Plan) -> Shapes:
    """Today's service areas of ``plan`` and its roads only (no circles, nothing "with the
    suggested sites"), as :func:`of_plan` makes them: what the report's static map draws,
    ready before the rest; pass them on to :func:`of_plan`."""
    metric, tolerance = _frame(plan)
    labels = [minutes_text(m) for m in plan.minutes]
    today = _areas(plan.service_areas, labels, metric, tolerance, valid=True)
    shapes = _to_wgs84([], today, [], metric)
    return replace(shapes, roads=roads(plan), today_metric=today)


def _frame(plan: Plan) -> tuple[Any, float]:
    """The metric CRS a plan's shapes are simplified in, and the tolerance (m)."""
    metric = plan.network.crs
    hs = plan.hotspots
    bounds = hs.to_crs(metric).total_bounds if len(hs) else (0.0, 0.0, 0.0, 0.0)
    return metric, map_data.display_tolerance_m(bounds)


def simplified(
    isochrones: gpd.GeoDataFrame,
    service_areas: gpd.GeoDataFrame,
    minutes: Sequence[float],
    *,
    metric: Any,
    tolerance_m: float,
    valid: bool = False,
    moved: frozenset[str] = frozenset(),
    today_metric: list[Any] | None = None,
) -> Shapes:
    """The display shapes of these circles (``station_id``, ``kind``, ``minutes``) and
    service areas (``minutes``), any CRS, simplified by ``tolerance_m`` in the metric CRS
    ``metric``; see the module. ``valid``: the polygons are known to be valid (a plan's
    are: traced on a raster, rounded with a check), so they are not checked first.
    ``moved``: ids of stations the suggested moves close, left out of the areas "with the
    suggested sites" (then the union of the circles of the stations that stay and of the
    suggested sites). ``today_metric``: the service areas already simplified so (in
    ``metric``), when known."""
    labels = [minutes_text(m) for m in minutes]
    iso = isochrones.to_crs(metric) if len(isochrones) else isochrones
    groups = iso.groupby(["station_id", "kind"], sort=False) if len(iso) else []

    def circle(item: tuple[tuple[Any, Any], gpd.GeoDataFrame]) -> tuple[str, str, list[Any]]:
        (sid, kind), group = item
        by = {minutes_text(m): g for m, g in zip(group["minutes"], group.geometry, strict=True)}
        nested = map_data.nested_simplify([by.get(lb) for lb in labels], tolerance_m, valid=valid)
        return str(sid), str(kind), nested

    circles = list(_threads.ordered_map(circle, groups))  # in threads: GEOS leaves the GIL
    today = (
        _areas(service_areas, labels, metric, tolerance_m, valid=valid)
        if today_metric is None
        else today_metric
    )
    with_new = []
    for i, shape in enumerate(today):
        if moved:
            parts = [c[2][i] for c in circles if c[1] == "suggested" or c[0] not in moved]
        else:
            parts = [shape, *(c[2][i] for c in circles if c[1] == "suggested")]
        present = [g for g in parts if g is not None and not shapely.is_empty(g)]
        with_new.append(shapely.union_all(present) if present else shape)
    return replace(_to_wgs84(circles, today, with_new, metric), today_metric=today)


def _areas(
    service_areas: gpd.GeoDataFrame,
    labels: Sequence[str],
    metric: Any,
    tolerance_m: float,
    *,
    valid: bool,
) -> list[Any]:
    """The service areas per threshold label, simplified in ``metric`` and nested."""
    areas = service_areas.to_crs(metric) if len(service_areas) else service_areas
    by_area = {
        minutes_text(m): g for m, g in zip(areas.get("minutes", []), areas.geometry, strict=True)
    }
    return map_data.nested_simplify([by_area.get(lb) for lb in labels], tolerance_m, valid=valid)


def _to_wgs84(
    circles: list[tuple[str, str, list[Any]]], today: list[Any], with_new: list[Any], metric: Any
) -> Shapes:
    """The shapes reprojected to WGS-84 in one pass (None stays None)."""
    flat = [g for _, _, gs in circles for g in gs] + today + with_new
    back = list(gpd.GeoSeries(flat, crs=metric).to_crs(WGS84).to_numpy()) if flat else []
    out, at = [], 0
    for sid, kind, gs in circles:
        out.append((sid, kind, back[at : at + len(gs)]))
        at += len(gs)
    k = len(today)
    return Shapes(out, back[at : at + k], back[at + k : at + 2 * k])


def roads(plan: Plan) -> gpd.GeoDataFrame:
    """The roads the outputs draw (WGS-84): :func:`.map_data.road_lines` of the network's
    segments with the display tolerance of its extent, computed once per network (see the
    module)."""
    seg = plan.network.segments
    tol = map_data.display_tolerance_m(seg.total_bounds) if len(seg) else 1.0
    budget = map_data.ROAD_VERTEX_BUDGET
    name = f"display-roads-v{ROADS_VERSION}-tol{tol:.6g}-budget{budget}"
    return derived.network_frame(
        plan.network, name, lambda: map_data.road_lines(seg, tol, budget=budget).to_crs(WGS84)
    )
