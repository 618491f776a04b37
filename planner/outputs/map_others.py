"""Other operators' stations on the map: their points in the page's data, their words,
and their row of the legend. The page draws them as a layer of their own, a purple ring
(around the station's own marker when they count as existing stations)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import geopandas as gpd
import numpy as np

from ..core.crs import WGS84
from .i18n import escape as _e

#: The colour of other operators' stations (distinct from the grades and suggested sites).
OTHERS_COLOUR = "#7B3294"

#: The layer's name and the legend's words.
LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {"others": "Other operators' stations", "counted": "counted toward the goals",
           "not_counted": "not counted toward the goals", "operator": "operator"},
    "zh": {"others": "其他运营方驿站", "counted": "计入目标", "not_counted": "不计入目标",
           "operator": "运营方"},
}  # fmt: skip


def labels(lang: str) -> dict[str, str]:
    """The words the page's script reads (``lab.others`` ...)."""
    return dict(LABELS.get(lang, LABELS["en"]))


def data(
    others: gpd.GeoDataFrame | None, counted: bool, shift: Callable[[np.ndarray], np.ndarray]
) -> dict[str, Any] | None:
    """``id``, ``name``, ``operator``, ``lon``, ``lat`` (shifted as the page's overlays)
    and ``counted``; None without other operators' stations."""
    if others is None or not len(others):
        return None
    pts = others.to_crs(WGS84)
    lonlat = shift(np.column_stack([pts.geometry.x, pts.geometry.y]).reshape(-1, 2))
    return {
        "id": [str(i) for i in pts["id"]],
        "name": [str(n) if isinstance(n, str) else "" for n in pts["name"]],
        "operator": [str(o) for o in pts.get("operator", [""] * len(pts))],
        "lon": np.round(lonlat[:, 0], 6).tolist(),
        "lat": np.round(lonlat[:, 1], 6).tolist(),
        "counted": bool(counted),
    }


def with_legend(legend: str, others: Mapping[str, Any] | None, lang: str) -> str:
    """The legend with a row for other operators' stations (when there are any)."""
    if others is None or not legend.endswith("</div>"):
        return legend
    w = labels(lang)
    row = (
        f"<div><i class='pl-other'></i>{_e(w['others'])} "
        f"({_e(w['counted' if others['counted'] else 'not_counted'])})</div>"
    )
    return legend[: -len("</div>")] + row + "</div>"
