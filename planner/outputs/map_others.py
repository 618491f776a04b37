"""Other operators' stations and the stations that close on the map: their points in the
page's data, their words, and their rows of the legend. The page draws each as a layer of
its own: other operators' stations as a purple ring (around the station's own marker when
they count as existing stations), the stations that close (``close``, ``relocate``) as a
grey crossed square."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
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
           "not_counted": "not counted toward the goals", "operator": "operator",
           "closed": "Stations that close", "closed_close": "asked to close",
           "closed_relocate": "moved to a better site"},
    "zh": {"others": "其他运营方驿站", "counted": "计入目标", "not_counted": "不计入目标",
           "operator": "运营方", "closed": "关闭的驿站", "closed_close": "按要求关闭",
           "closed_relocate": "迁往更优选址"},
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


def closed_data(
    closings: Sequence[Any], shift: Callable[[np.ndarray], np.ndarray]
) -> dict[str, Any] | None:
    """``id``, ``name``, ``by`` (``close`` or ``relocate``), ``lon``, ``lat`` (shifted as
    the page's overlays) of the stations that close; None when none do."""
    frames = [(c.points, c.by) for c in closings if c is not None and c.points is not None]
    frames = [(f, by) for f, by in frames if len(f)]
    if not frames:
        return None
    pts = [f.to_crs(WGS84) for f, _ in frames]
    xy = np.concatenate([np.column_stack([p.geometry.x, p.geometry.y]) for p in pts])
    lonlat = shift(xy.reshape(-1, 2))
    return {
        "id": [str(i) for p in pts for i in p["id"]],
        "name": [str(n) if isinstance(n, str) else "" for p in pts for n in p["name"]],
        "by": [by for f, by in frames for _ in range(len(f))],
        "lon": np.round(lonlat[:, 0], 6).tolist(),
        "lat": np.round(lonlat[:, 1], 6).tolist(),
    }


def with_legend(
    legend: str,
    others: Mapping[str, Any] | None,
    lang: str,
    closed: Mapping[str, Any] | None = None,
) -> str:
    """The legend with a row for other operators' stations and one for the stations that
    close (when there are any)."""
    if (others is None and closed is None) or not legend.endswith("</div>"):
        return legend
    w = labels(lang)
    rows = ""
    if others is not None:
        rows += (
            f"<div><i class='pl-other'></i>{_e(w['others'])} "
            f"({_e(w['counted' if others['counted'] else 'not_counted'])})</div>"
        )
    if closed is not None:
        rows += f"<div><i class='pl-closed'></i>{_e(w['closed'])}</div>"
    return legend[: -len("</div>")] + rows + "</div>"
