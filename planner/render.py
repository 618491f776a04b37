"""The folium map a planner opens in a browser.

Every user string (names, ids, categories) is HTML-escaped before it reaches a popup,
tooltip or the legend. The map credits OpenStreetMap.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import folium
import geopandas as gpd
import numpy as np
from branca.element import Element

from .config import Mode, minutes_label
from .crs import WGS84

#: Fill colours of the thresholds, nearest first.
THRESHOLD_COLOURS = ("#1a9850", "#fee08b", "#fc8d59", "#d73027", "#7b3294")

LABELS = {
    "en": {
        "title": "Service circles",
        "hotspots": "Hotspots (rider demand)",
        "stations": "Existing stations",
        "suggested": "Suggested sites",
        "circle": "{m}-min circles",
        "area": "{m}-min service area",
        "covered": "covered",
        "blind": "beyond {m} min",
        "mode": "Mode",
        "weight": "weight",
        "rank": "rank",
        "added": "demand added within {m} min",
        "share": "share within {m} min after this site",
        "demand": "demand within {m} min",
        "speeds": "speeds (km/h)",
        "category": "venue",
        "road": "nearest road",
        "credit": "© OpenStreetMap contributors",
    },
    "zh": {
        "title": "服务圈",
        "hotspots": "热点（骑手需求）",
        "stations": "现有驿站",
        "suggested": "建议新址",
        "circle": "{m}分钟服务圈",
        "area": "{m}分钟服务范围",
        "covered": "已覆盖",
        "blind": "超出{m}分钟",
        "mode": "出行方式",
        "weight": "权重",
        "rank": "序号",
        "added": "{m}分钟内新增需求",
        "share": "选址后{m}分钟覆盖率",
        "demand": "{m}分钟内需求",
        "speeds": "速度（公里/小时）",
        "category": "场所类型",
        "road": "最近道路",
        "credit": "© OpenStreetMap 贡献者",
    },
}


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _popup(title: str, rows: Sequence[tuple[str, object]]) -> folium.Popup:
    body = "".join(
        f"<tr><th style='text-align:left'>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows
    )
    return folium.Popup(f"<b>{_e(title)}</b><table>{body}</table>", max_width=320)


def _fmt(x: object) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{x:.1%}" if 0 <= x <= 1 and x != int(x) else f"{x:,.1f}"
    return str(x)


def plan_map(
    *,
    hotspots: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    recommended: gpd.GeoDataFrame,
    isochrones: gpd.GeoDataFrame,
    service_areas: gpd.GeoDataFrame,
    minutes: Sequence[float],
    mode: Mode,
    lang: str = "en",
) -> str:
    """Render the plan as a standalone HTML page (folium) and return it."""
    lab = LABELS.get(lang, LABELS["en"])
    hs = hotspots.to_crs(WGS84)
    minx, miny, maxx, maxy = hs.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, control_scale=True)
    folium.TileLayer("OpenStreetMap", attr=lab["credit"], name="OpenStreetMap").add_to(m)
    labels = [minutes_label(t * 60) for t in minutes]
    colours = {lb: THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)] for i, lb in enumerate(labels)}

    iso = isochrones.to_crs(WGS84)
    for lb in reversed(labels):
        group = folium.FeatureGroup(name=lab["circle"].format(m=lb), show=lb == labels[0])
        for row in iso.loc[iso["minutes"].map(lambda x: minutes_label(x * 60)) == lb].itertuples():
            if row.geometry is None or row.geometry.is_empty:
                continue
            kind = lab["suggested"] if getattr(row, "kind", "") == "suggested" else lab["stations"]
            folium.GeoJson(
                row.geometry.__geo_interface__,
                style_function=lambda _f, c=colours[lb]: {
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
    areas = service_areas.to_crs(WGS84) if len(service_areas) else service_areas
    for row in areas.itertuples():
        lb = minutes_label(row.minutes * 60)
        group = folium.FeatureGroup(name=lab["area"].format(m=lb), show=False)
        colour = colours.get(lb, "#555")
        folium.GeoJson(
            row.geometry.__geo_interface__,
            style_function=lambda _f, c=colour: {
                "color": c,
                "weight": 2,
                "fillOpacity": 0.05,
            },
            tooltip=folium.Tooltip(_e(lab["area"].format(m=lb))),
        ).add_to(group)
        group.add_to(m)

    first = f"covered_{labels[0]}"
    g_hot = folium.FeatureGroup(name=lab["hotspots"])
    wmax = float(hs["weight"].max()) if len(hs) else 1.0
    for row in hs.itertuples():
        covered = bool(getattr(row, first, False))
        colour = "#2166ac" if covered else "#b2182b"
        radius = 3 + 7 * np.sqrt(float(row.weight) / wmax) if wmax > 0 else 4
        status = lab["covered"] if covered else lab["blind"].format(m=labels[0])
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
        ).add_to(g_hot)
    g_hot.add_to(m)

    g_st = folium.FeatureGroup(name=lab["stations"])
    st = stations.to_crs(WGS84)
    for row in st.itertuples():
        rows = [("id", row.id)]
        for lb in labels:
            col = f"demand_{lb}"
            if hasattr(row, col):
                rows.append((lab["demand"].format(m=lb), _fmt(getattr(row, col))))
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=_popup(str(row.name), rows),
            tooltip=folium.Tooltip(_e(row.name)),
            icon=folium.Icon(color="blue", icon="home", prefix="fa"),
        ).add_to(g_st)
    g_st.add_to(m)

    g_new = folium.FeatureGroup(name=lab["suggested"])
    rec = recommended.to_crs(WGS84) if len(recommended) else recommended
    for row in rec.itertuples():
        rows = [
            (lab["rank"], int(row.rank)),
            ("id", row.id),
            (lab["category"], getattr(row, "category", "")),
            (lab["road"], getattr(row, "nearest_road", "")),
        ]
        for lb in labels:
            rows.append((lab["added"].format(m=lb), _fmt(getattr(row, f"demand_added_{lb}"))))
            rows.append((lab["share"].format(m=lb), _fmt(getattr(row, f"cumulative_share_{lb}"))))
        icon = folium.DivIcon(
            html=f"<div style='background:#d7301f;color:#fff;border-radius:50%;width:24px;"
            f"height:24px;line-height:24px;text-align:center;font-weight:bold;"
            f"border:2px solid #fff'>{int(row.rank)}</div>",
            icon_size=(24, 24),
            icon_anchor=(12, 12),
        )
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            icon=icon,
            popup=_popup(f"#{int(row.rank)} {row.name}", rows),
            tooltip=folium.Tooltip(_e(f"#{int(row.rank)} {row.name}")),
        ).add_to(g_new)
    g_new.add_to(m)

    folium.LayerControl(collapsed=False).add_to(m)
    speeds = ", ".join(
        f"{_e(k)} {v:g}" for k, v in sorted(mode.speed_kph.items(), key=lambda kv: -kv[1])[:8]
    )
    swatches = "".join(
        f"<div><span style='display:inline-block;width:12px;height:12px;background:{colours[lb]};"
        f"opacity:.6;margin-right:4px'></span>{_e(lab['circle'].format(m=lb))}</div>"
        for lb in labels
    )
    legend = (
        "<div id='planner-legend' style='position:fixed;bottom:24px;left:12px;z-index:1000;"
        "background:#fff;padding:8px 10px;border:1px solid #999;border-radius:4px;"
        "font:12px sans-serif;max-width:280px'>"
        f"<b>{_e(lab['title'])}</b>{swatches}"
        f"<div><span style='color:#2166ac'>●</span> {_e(lab['covered'])} "
        f"<span style='color:#b2182b'>●</span> {_e(lab['blind'].format(m=labels[0]))}</div>"
        f"<div>{_e(lab['mode'])}: {_e(mode.name)} — {_e(mode.description)}</div>"
        f"<div style='color:#555'>{_e(lab['speeds'])}: {speeds}</div>"
        f"<div style='color:#555'>{_e(lab['credit'])}</div></div>"
    )
    m.get_root().html.add_child(Element(legend))  # type: ignore[attr-defined]
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m.get_root().render()
