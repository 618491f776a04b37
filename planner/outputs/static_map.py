"""A static map of a plan for the printed report: the dissolved service areas of the
existing stations per threshold and the roads (both as the map page draws them, see
:mod:`planner.outputs.display`), the hotspots (blue within the first circle,
red beyond), the existing stations and the numbered suggested sites.

Drawn with matplotlib (the Agg canvas of a :class:`~matplotlib.figure.Figure`, no pyplot
state) from the plan's WGS-84 frames, in lon/lat with the aspect of the district's
latitude. The PNG is the same bytes for the same plan: fixed size and dpi, no
``Software`` or date in its metadata. The picture holds no words (only the site numbers),
so it needs no font for Chinese; the report's legend is HTML.
"""

from __future__ import annotations

import base64
import io
import math

import numpy as np
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.figure import Figure

from ..plan.result import Plan
from . import display
from .i18n import THRESHOLD_COLOURS

#: Size of the picture (inches) and its resolution.
SIZE_IN = (8.0, 6.0)
DPI = 110

#: Colours of the points: hotspots within the first circle / beyond it, stations, sites.
COVERED, BLIND, STATION, SITE = "#2b6cb0", "#d7301f", "#111111", "#c51b7d"


def _polygons(ax, geometries, colour: str) -> None:  # type: ignore[no-untyped-def]
    """The exteriors of ``geometries`` filled in ``colour``, as one collection (a patch per
    ring would walk every vertex again to update the axes' limits)."""
    rings = [
        np.asarray(poly.exterior.coords)
        for geom in geometries
        for poly in shapely.get_parts(geom)
        if isinstance(poly, shapely.Polygon) and not poly.is_empty  # no slivers of clipping
    ]
    if rings:
        ax.add_collection(PolyCollection(rings, facecolors=colour, alpha=0.35, linewidths=0))


def _draw(ax, plan: Plan, shapes: display.Shapes) -> None:  # type: ignore[no-untyped-def]
    for index in range(len(shapes.today) - 1, -1, -1):  # the widest first
        geom = shapes.today[index]
        if geom is not None:
            _polygons(ax, [geom], THRESHOLD_COLOURS[index % len(THRESHOLD_COLOURS)])
    lines = (shapes.roads if shapes.roads is not None else display.roads(plan)).geometry
    coords, of = shapely.get_coordinates(lines.to_numpy(), return_index=True)
    roads = np.split(coords, np.flatnonzero(np.diff(of)) + 1) if len(coords) else []
    ax.add_collection(LineCollection(roads, colors="#9a9a9a", linewidths=0.4))
    hs = plan.hotspots
    covered = hs[f"covered_{plan.minutes[0]:g}"].to_numpy(dtype=bool)
    size = 4 + 10 * np.sqrt(hs["weight"].to_numpy(dtype=float) / max(1e-9, hs["weight"].max()))
    for mask, colour in ((covered, COVERED), (~covered, BLIND)):
        ax.scatter(hs["lon"][mask], hs["lat"][mask], s=size[mask], color=colour, linewidths=0)
    st = plan.stations
    ax.scatter(st["lon"], st["lat"], s=70, marker="s", color=STATION, edgecolors="white")
    rec = plan.recommended
    ax.scatter(rec["lon"], rec["lat"], s=190, marker="o", color=SITE, edgecolors="white")
    for rank, lon, lat in zip(rec["rank"], rec["lon"], rec["lat"], strict=True):
        ax.annotate(
            str(int(rank)), (lon, lat), ha="center", va="center", color="white",
            fontsize=8, fontweight="bold",
        )  # fmt: skip


def png(plan: Plan, *, shapes: display.Shapes | None = None) -> bytes:
    """The map as PNG bytes (same plan, same bytes); ``shapes``: the plan's display shapes
    (:func:`.display.of_plan`) when the caller has them."""
    fig = Figure(figsize=SIZE_IN, dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.02, 0.02, 0.96, 0.96))
    _draw(ax, plan, shapes if shapes is not None else display.of_plan(plan))
    lat = float(np.nanmean(plan.hotspots["lat"])) if len(plan.hotspots) else 0.0
    ax.set_aspect(1.0 / max(0.1, math.cos(math.radians(lat))), adjustable="datalim")
    ax.set_xticks([])
    ax.set_yticks([])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def png_base64(plan: Plan, *, shapes: display.Shapes | None = None) -> str:
    """The map as a ``data:`` URI of its PNG, for an ``<img>`` of the report."""
    data = png(plan, shapes=shapes)
    return "data:image/png;base64," + base64.b64encode(data).decode("ascii")
