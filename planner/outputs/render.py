"""The folium map a planner opens in a browser.

Every user string (names, ids, categories) is HTML-escaped before it reaches a popup,
tooltip or the legend. The map credits OpenStreetMap.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import shapely
from branca.element import Element

from ..core.crs import WGS84, wgs84_to_gcj02
from ..core.modes import Mode
from ..core.units import gap_label, minutes_label
from ..plan.result import Plan
from . import tables
from .summary import PlanSummary

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
        "oneway": "one-way streets",
        "roads": "Roads",
        "grade": "grade",
        "unique": "only this station within {m} min",
        "served": "demand served / capacity",
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
        "oneway": "单行道",
        "roads": "道路",
        "grade": "评级",
        "unique": "仅本站{m}分钟内覆盖",
        "served": "服务需求 / 容量",
    },
}


def _e(value: object) -> str:
    """HTML-escape a user string. Backticks and ``$`` are escaped too: folium places
    tooltips and popups inside JavaScript template literals, where they would end the string
    or open a ``${...}`` expression."""
    text = html.escape("" if value is None else str(value), quote=True)
    return text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def _popup(title: str, rows: Sequence[tuple[str, object]]) -> folium.Popup:
    body = "".join(
        f"<tr><th style='text-align:left'>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in rows
    )
    return folium.Popup(f"<b>{_e(title)}</b><table>{body}</table>", max_width=320)


def _fmt(x: object) -> str:
    if isinstance(x, (float, np.floating)):
        return f"{x:.1%}" if 0 <= x <= 1 and x != int(x) else f"{x:,.1f}"
    return str(x)


GRADE_COLOURS = {"A": "#1a9850", "B": "#91cf60", "C": "#fc8d59", "D": "#d73027", "-": "#888888"}
BASEMAPS = ("osm", "amap", "none")
AMAP_TILES = (
    "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8"
    "&x={x}&y={y}&z={z}"
)


def _to_gcj02(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Shift every geometry from WGS-84 to GCJ-02, to sit on Amap's GCJ-02 tiles."""
    out = frame.copy()

    def shift(xy: np.ndarray) -> np.ndarray:
        lon, lat = wgs84_to_gcj02(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    out.geometry = shapely.transform(out.geometry.values, shift)
    return out


def _div_marker(text: str, colour: str, *, round_: bool, cls: str) -> folium.DivIcon:
    radius = "50%" if round_ else "4px"
    return folium.DivIcon(
        html=f"<div class='{cls}' style='background:{colour};color:#fff;border-radius:{radius};"
        f"width:24px;height:24px;line-height:24px;text-align:center;font:bold 12px sans-serif;"
        f"border:2px solid #fff;box-shadow:0 0 2px #000'>{_e(text)}</div>",
        icon_size=(24, 24),
        icon_anchor=(12, 12),
    )


def _offline_page(html: str) -> str:
    """Drop every external script and stylesheet and inline Leaflet (XStatic-Leaflet)."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    html = re.sub(r"<script[^>]+src=\"https?://[^\"]+\"[^>]*>\s*</script>", "", html)
    html = re.sub(r"<link[^>]+href=\"https?://[^\"]+\"[^>]*/?>", "", html)
    # folium builds popups with jQuery's ``$(html)[0]``; this is all of jQuery it uses
    shim = (
        "window.$ = window.$ || function (markup) { var t = document.createElement("
        "'template'); t.innerHTML = String(markup).trim(); return [t.content.firstChild]; };"
    )
    inline = f"<style>{css}</style>\n<script>{js}</script>\n<script>{shim}</script>\n"
    return html.replace("<head>", "<head>\n" + inline, 1)


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
    basemap: str = "osm",
    roads: gpd.GeoDataFrame | None = None,
) -> str:
    """Render the plan as a standalone HTML page (folium) and return it.

    ``basemap``: ``"osm"`` (OpenStreetMap tiles), ``"amap"`` (Amap/Gaode tiles, which are in
    GCJ-02: every overlay is shifted to GCJ-02 to sit on them) or ``"none"``: no tiles and no
    CDN; Leaflet is inlined and ``roads`` (WGS-84 lines) are drawn instead, so the file opens
    with no network at all.
    """
    if basemap not in BASEMAPS:
        raise ValueError(f"basemap must be one of {BASEMAPS}")
    lab = LABELS.get(lang, LABELS["en"])
    shift = _to_gcj02 if basemap == "amap" else (lambda f: f)
    hs = shift(hotspots.to_crs(WGS84))
    st = shift(stations.to_crs(WGS84)) if len(stations) else stations
    rec = shift(recommended.to_crs(WGS84)) if len(recommended) else recommended
    iso = shift(isochrones.to_crs(WGS84)) if len(isochrones) else isochrones
    areas = shift(service_areas.to_crs(WGS84)) if len(service_areas) else service_areas
    minx, miny, maxx, maxy = hs.total_bounds
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None, control_scale=True)
    if basemap == "osm":
        folium.TileLayer("OpenStreetMap", attr=lab["credit"], name="OpenStreetMap").add_to(m)
    elif basemap == "amap":
        folium.TileLayer(
            AMAP_TILES, attr="© 高德地图 AutoNavi", name="高德地图 Amap", subdomains="1234"
        ).add_to(m)
    elif roads is not None and len(roads):
        folium.GeoJson(
            roads.to_crs(WGS84).geometry.union_all().__geo_interface__,
            name=lab["roads"],
            style_function=lambda _f: {"color": "#9a9a9a", "weight": 1, "opacity": 0.8},
            interactive=False,
        ).add_to(m)
    labels = [minutes_label(t * 60) for t in minutes]
    colours = {lb: THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)] for i, lb in enumerate(labels)}

    for lb in reversed(labels):
        group = folium.FeatureGroup(name=lab["circle"].format(m=lb), show=lb == labels[0])
        rows = (
            iso.loc[iso["minutes"].map(lambda x: minutes_label(x * 60)) == lb] if len(iso) else iso
        )
        for row in rows.itertuples():
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
    for row in areas.itertuples():
        lb = minutes_label(row.minutes * 60)
        group = folium.FeatureGroup(name=lab["area"].format(m=lb), show=False)
        colour = colours.get(lb, "#555")
        folium.GeoJson(
            row.geometry.__geo_interface__,
            style_function=lambda _f, c=colour: {"color": c, "weight": 2, "fillOpacity": 0.05},
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
    for row in st.itertuples():
        grade = str(getattr(row, "grade", "-") or "-")
        rows_ = [
            ("id", row.id),
            (lab["grade"], grade),
            (lab["category"], getattr(row, "venue", getattr(row, "category", ""))),
        ]
        for lb in labels:
            col = f"demand_{lb}"
            if hasattr(row, col):
                rows_.append((lab["demand"].format(m=lb), _fmt(getattr(row, col))))
        rows_.append((lab["road"], getattr(row, "nearest_road", "")))
        if hasattr(row, f"unique_{labels[0]}"):
            rows_.append(
                (lab["unique"].format(m=labels[0]), _fmt(getattr(row, f"unique_{labels[0]}")))
            )
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            popup=_popup(str(row.name), rows_),
            tooltip=folium.Tooltip(_e(f"{row.name} ({lab['grade']} {grade})")),
            icon=_div_marker(
                grade, GRADE_COLOURS.get(grade, "#555"), round_=False, cls="planner-station"
            ),
        ).add_to(g_st)
    g_st.add_to(m)

    g_new = folium.FeatureGroup(name=lab["suggested"])
    for row in rec.itertuples():
        rows_ = [
            (lab["rank"], int(row.rank)),
            ("id", row.id),
            (lab["category"], getattr(row, "category", "")),
            (lab["road"], getattr(row, "nearest_road", "")),
        ]
        if hasattr(row, "served_demand"):
            rows_.append((lab["served"], f"{row.served_demand:,.1f} / {row.capacity:,.1f}"))
        for lb in labels:
            rows_.append((lab["added"].format(m=lb), _fmt(getattr(row, f"demand_added_{lb}"))))
            rows_.append((lab["share"].format(m=lb), _fmt(getattr(row, f"cumulative_share_{lb}"))))
        folium.Marker(
            [row.geometry.y, row.geometry.x],
            icon=_div_marker(str(int(row.rank)), "#d7301f", round_=True, cls="planner-site"),
            popup=_popup(f"#{int(row.rank)} {row.name}", rows_),
            tooltip=folium.Tooltip(_e(f"#{int(row.rank)} {row.name}")),
        ).add_to(g_new)
    g_new.add_to(m)

    folium.LayerControl(collapsed=False).add_to(m)
    # every class of the mode's table, fastest first, with one-way handling
    speeds = (
        ", ".join(
            f"{_e(k)} {v:g}"
            for k, v in sorted(mode.speed_kph.items(), key=lambda kv: (-kv[1], kv[0]))
        )
        + f"; {_e(lab['oneway'])}: {_e(mode.oneway)}"
    )
    swatches = "".join(
        f"<div><span style='display:inline-block;width:12px;height:12px;background:{colours[lb]};"
        f"opacity:.6;margin-right:4px'></span>{_e(lab['circle'].format(m=lb))}</div>"
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
        f"<div>{_e(lab['mode'])}: {_e(mode.name)} — {_e(mode.describe(lang))}</div>"
        f"<div style='color:#555'>{_e(lab['speeds'])}: {speeds}</div>"
        f"<div style='color:#555'>{_e(lab['credit'])}</div></div>"
    )
    m.get_root().html.add_child(Element(legend))  # type: ignore[attr-defined]
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    page = m.get_root().render()
    return _offline_page(page) if basemap == "none" else page


REPORT_LABELS = {
    "en": {
        "title": "Service-circle report",
        "district": "District",
        "threshold": "within",
        "share": "share of demand",
        "target": "goal",
        "attained": "met",
        "yes": "yes",
        "no": "no",
        "travel": "Travel time to the nearest station (minutes)",
        "mean": "mean (reached demand)",
        "median": "median",
        "p90": "90th percentile",
        "beyond": "beyond the largest circle",
        "blind": "Blind spots",
        "hotspots": "hotspots",
        "demand": "demand",
        "stations": "Stations",
        "station": "station",
        "name": "name",
        "catchment": "catchment demand",
        "unique": "unique",
        "lost": "lost if closed",
        "grade": "grade",
        "rule": "Grading rule",
        "areas": "Sub-areas",
        "area": "area",
        "mode": "mode",
        "chart": "Demand within each circle, against the goal",
        "credit": "Road and POI data © OpenStreetMap contributors (ODbL).",
        "min": "min",
        "new": "With the suggested sites",
        "curve": "Coverage as new sites are added (greedy order)",
        "k": "new sites",
        "beyond_short": "beyond",
        "suggested": "Suggested sites",
        "rank": "rank",
        "venue": "venue",
        "road": "nearest road or address",
        "added": "demand added",
        "capacity": "capacity",
        "served": "demand served",
        "proven": "Proven optimal ({method}): no choice of as many sites does better.",
        "within": "Within {gap} of optimal ({method}): the answer is {objective}, and no choice "
        "of as many sites can do better than {bound}.",
        "fewest": "{objective} new sites ({method}); the fewest possible is at least {bound}.",
    },
    "zh": {
        "title": "服务圈评估报告",
        "district": "全区",
        "threshold": "分钟内",
        "share": "需求覆盖率",
        "target": "目标",
        "attained": "达标",
        "yes": "是",
        "no": "否",
        "travel": "到最近驿站的出行时间（分钟）",
        "mean": "平均（可达需求）",
        "median": "中位数",
        "p90": "90%分位",
        "beyond": "超出最大服务圈",
        "blind": "服务盲区",
        "hotspots": "热点数",
        "demand": "需求",
        "stations": "驿站",
        "station": "驿站",
        "name": "名称",
        "catchment": "服务片区需求",
        "unique": "独占覆盖",
        "lost": "关闭后失去",
        "grade": "评级",
        "rule": "评级规则",
        "areas": "分街道",
        "area": "街道",
        "mode": "出行方式",
        "chart": "各服务圈需求覆盖率与目标",
        "credit": "道路与兴趣点数据 © OpenStreetMap 贡献者（ODbL）。",
        "min": "分钟",
        "new": "加上建议新址后",
        "curve": "逐个增设新址后的覆盖率（贪心顺序）",
        "k": "新增站点数",
        "beyond_short": "超出",
        "suggested": "建议新址",
        "rank": "序号",
        "venue": "场所类型",
        "road": "最近道路或地址",
        "added": "新增需求",
        "capacity": "容量",
        "served": "服务需求",
        "proven": "已证明为最优方案（{method}）：同样数量的站点不可能做得更好。",
        "within": "与最优方案相差不超过 {gap}（{method}）：本方案为 {objective}，"
        "同样数量站点的任何方案都不超过 {bound}。",
        "fewest": "需新增 {objective} 处站点（{method}）；最少也需 {bound} 处。",
    },
}

GRADE_RULE_ZH = (
    "按各驿站的服务片区（以其为最近驿站的需求）评级："
    "A = 所有服务圈目标均达标；B = 除最近一档外均达标；"
    "C = 除最近两档外均达标；依此类推；"
    "再下一级 = 连最大服务圈目标也未达标；"
    "“-” = 没有以其为最近驿站的需求。"
)


def _pct(x: object) -> str:
    return "–" if x is None else f"{float(x):.1%}"  # type: ignore[arg-type]


def _svg_chart(rows: Sequence[tuple[str, float, float | None]], lab: dict[str, str]) -> str:
    """Horizontal bars (share within each threshold) with a tick at each goal."""
    width, bar_h, gap, left = 520, 26, 12, 80
    height = len(rows) * (bar_h + gap) + 30
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"role='img' aria-label='{_e(lab['chart'])}' font-family='sans-serif' "
        f"font-size='12'>"
    ]
    scale = width - left - 60
    for i, (label, share, goal) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        colour = THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)]
        parts.append(f"<text x='0' y='{y + bar_h * 0.7:.1f}'>{_e(label)}</text>")
        parts.append(f"<rect x='{left}' y='{y}' width='{scale}' height='{bar_h}' fill='#eee'/>")
        parts.append(
            f"<rect class='bar' x='{left}' y='{y}' width='{share * scale:.1f}' "
            f"height='{bar_h}' fill='{colour}'/>"
        )
        parts.append(f"<text x='{left + scale + 6}' y='{y + bar_h * 0.7:.1f}'>{share:.1%}</text>")
        if goal is not None:
            gx = left + goal * scale
            parts.append(
                f"<line x1='{gx:.1f}' x2='{gx:.1f}' y1='{y - 3}' y2='{y + bar_h + 3}' "
                f"stroke='#000' stroke-width='2'/>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _svg_curve(curve: Any, lab: dict[str, str]) -> str:
    """Cumulative share within each threshold after k new sites (k = 0 = today)."""
    cols = [c for c in curve.columns if c.startswith("cumulative_share_")]
    k = curve["rank"].to_numpy()
    width, height, left, bottom = 520, 220, 44, 28
    right = width - 100  # the legend stands beside the plot, never on the lines
    sx = (right - left) / max(1, k.max())
    sy = (height - bottom - 10) / 1.0
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"role='img' aria-label='{_e(lab['curve'])}' font-family='sans-serif' "
        f"font-size='11'>"
    ]
    for frac in (0.0, 0.5, 1.0):
        y = height - bottom - frac * sy
        parts.append(
            f"<line x1='{left}' x2='{right}' y1='{y:.1f}' y2='{y:.1f}' "
            f"stroke='#ddd'/><text x='2' y='{y + 4:.1f}'>{frac:.0%}</text>"
        )
    for i, c in enumerate(cols):
        colour = THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)]
        pts = " ".join(
            f"{left + kk * sx:.1f},{height - bottom - v * sy:.1f}"
            for kk, v in zip(k, curve[c].to_numpy(), strict=True)
        )
        parts.append(
            f"<polyline class='curve' points='{pts}' fill='none' stroke='{colour}' "
            f"stroke-width='2'/>"
        )
        parts.append(
            f"<text x='{right + 10}' y='{14 + 13 * i}' fill='{colour}'>"
            f"≤{_e(c.replace('cumulative_share_', ''))} {_e(lab['min'])}</text>"
        )
    parts.append(f"<text x='{left}' y='{height - 6}'>{_e(lab['k'])}: 0 … {int(k.max())}</text>")
    parts.append("</svg>")
    return "".join(parts)


def report_html(
    typed: PlanSummary,
    stations: Any,
    *,
    lang: str = "en",  # type: ignore[type-arg]
    curve: Any = None,
    recommended: Any = None,
) -> str:
    """A one-page HTML report of the district, the stations and their grades, the
    suggested sites with how far from optimal they can be, and (with a coverage curve) how
    coverage grows with each new site."""
    lab = REPORT_LABELS.get(lang, REPORT_LABELS["en"])
    summary = typed.to_dict()
    cov = summary["coverage_existing"]
    goals = {f"{g['minutes']:g}": g for g in cov.get("goals", [])}
    rows = []
    for k, v in cov["covered"].items():
        g = goals.get(k)
        rows.append((f"{k} {lab['min']}", float(v["share"]), g["target"] if g else None))
    table = "".join(
        f"<tr><td>{_e(k)} {_e(lab['min'])}</td><td>{_pct(v['share'])}</td>"
        f"<td>{_pct(goals[k]['target']) if k in goals else '–'}</td>"
        f"<td>{_e(lab['yes'] if goals.get(k, {}).get('attained') else lab['no'])}</td></tr>"
        for k, v in cov["covered"].items()
    )
    after = summary.get("coverage_after_recommended") or {}
    after_html = ""
    if after:
        after_html = (
            f"<p>{_e(lab['new'])}: "
            + ", ".join(f"{_e(k)} {_e(lab['min'])} {_pct(v)}" for k, v in after.items())
            + "</p>"
        )
    nm = cov.get("nearest_minutes", {})

    def fmt_min(x: object) -> str:
        return _e(lab["beyond"]) if x is None else f"{float(x):.1f}"  # type: ignore[arg-type]

    blind = "".join(
        f"<tr><td>{_e(k.replace('beyond_', ''))} {_e(lab['min'])}</td><td>{v['hotspots']}</td>"
        f"<td>{v['demand']:g}</td></tr>"
        for k, v in (summary.get("blind_spots") or {}).items()
    )
    labels = [k for k in cov["covered"]]
    head = "".join(f"<th>{_e(lab['demand'])} ≤{_e(k)}</th>" for k in labels)
    st_rows = []
    for r in stations.to_dict(orient="records"):
        cells = "".join(f"<td>{float(r.get(f'demand_{k}', 0)):g}</td>" for k in labels)
        st_rows.append(
            f"<tr><td>{_e(r['station_id'])}</td><td class='t'>{_e(r.get('name', ''))}</td>{cells}"
            f"<td>{float(r.get(f'unique_{labels[0]}', 0)):g}</td>"
            f"<td>{float(r.get(f'lost_if_closed_{labels[-1]}', 0)):g}</td>"
            f"<td>{float(r.get('catchment_demand', 0)):g}</td>"
            f"<td class='grade'>{_e(r.get('grade', ''))}</td></tr>"
        )
    areas = summary.get("areas") or []
    area_html = ""
    if areas:
        acols = [c for c in areas[0] if c.startswith("share_")]
        area_html = (
            f"<h2>{_e(lab['areas'])}</h2><table><tr><th>{_e(lab['area'])}</th>"
            f"<th>{_e(lab['demand'])}</th>"
            + "".join(f"<th>≤{_e(c[6:])} {_e(lab['min'])}</th>" for c in acols)
            + "</tr>"
            + "".join(
                f"<tr><td>{_e(a['area'])}</td><td>{float(a['demand']):g}</td>"
                + "".join(f"<td>{_pct(a[c])}</td>" for c in acols)
                + "</tr>"
                for a in areas
            )
            + "</table>"
        )
    suggested_html = _suggested_html(recommended, summary, labels, lab)
    rule = GRADE_RULE_ZH if lang == "zh" else summary.get("grades", {}).get("rule", "")
    curve_html = ""
    if curve is not None and len(curve) > 1:
        curve_html = f"<h2>{_e(lab['curve'])}</h2>{_svg_curve(curve, lab)}"
    params = summary.get("parameters", {})
    mode_text = params.get(f"mode_description_{lang}") or params.get("mode_description", "")
    return f"""<!DOCTYPE html>
<html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">
<title>{_e(lab["title"])}</title>
<style>body{{font:14px/1.4 "PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
max-width:960px;margin:24px auto;padding:0 12px}}
table{{border-collapse:collapse;margin:8px 0}}td,th{{border:1px solid #ccc;padding:3px 8px;
text-align:right}}td:first-child,th:first-child,.t{{text-align:left}}.grade{{font-weight:bold;
text-align:center}}h2{{margin-top:20px}}.note{{color:#555;font-size:12px}}</style></head>
<body><h1>{_e(lab["title"])}</h1>
<p>{_e(lab["mode"])}: {_e(params.get("mode", ""))} — {_e(mode_text)}</p>
<h2>{_e(lab["district"])}</h2>
<table><tr><th>{_e(lab["threshold"])}</th><th>{_e(lab["share"])}</th><th>{_e(lab["target"])}</th>
<th>{_e(lab["attained"])}</th></tr>{table}</table>
{_svg_chart(rows, lab)}
{after_html}
{suggested_html}
{curve_html}
<h2>{_e(lab["travel"])}</h2>
<table><tr><th>{_e(lab["mean"])}</th><th>{_e(lab["median"])}</th><th>{_e(lab["p90"])}</th></tr>
<tr><td>{fmt_min(nm.get("mean_of_reached"))}</td><td>{fmt_min(nm.get("median"))}</td>
<td>{fmt_min(nm.get("p90"))}</td></tr></table>
<h2>{_e(lab["blind"])}</h2>
<table><tr><th>{_e(lab["beyond_short"])}</th><th>{_e(lab["hotspots"])}</th><th>{_e(lab["demand"])}</th></tr>
{blind}</table>
<h2>{_e(lab["stations"])}</h2>
<table><tr><th>{_e(lab["station"])}</th><th class="t">{_e(lab["name"])}</th>{head}
<th>{_e(lab["unique"])} ≤{_e(labels[0])}</th><th>{_e(lab["lost"])} ≤{_e(labels[-1])}</th>
<th>{_e(lab["catchment"])}</th><th>{_e(lab["grade"])}</th></tr>{"".join(st_rows)}</table>
<p class="note"><b>{_e(lab["rule"])}:</b> {_e(rule)}</p>
{area_html}
<p class="note">{_e(lab["credit"])}</p>
</body></html>"""


def _suggested_html(
    recommended: Any, summary: dict[str, Any], labels: list[str], lab: dict[str, str]
) -> str:
    """The suggested sites and the optimiser's certificate: proven optimal, or the bound
    and the gap to it."""
    opt = summary.get("optimizer") or {}
    if recommended is None or not len(recommended) or not opt:
        return ""
    cap = "served_demand" in recommended.columns
    head = "".join(f"<th>{_e(lab['added'])} ≤{_e(k)}</th>" for k in labels)
    if cap:
        head += f"<th>{_e(lab['served'])}</th><th>{_e(lab['capacity'])}</th>"
    rows = []
    for r in recommended.to_dict(orient="records"):
        cells = "".join(f"<td>{float(r.get(f'demand_added_{k}', 0)):g}</td>" for k in labels)
        if cap:
            cells += f"<td>{float(r['served_demand']):g}</td><td>{float(r['capacity']):g}</td>"
        rows.append(
            f"<tr><td>{int(r['rank'])}</td><td class='t'>{_e(r.get('name', ''))}</td>"
            f"<td class='t'>{_e(r.get('category', ''))}</td>"
            f"<td class='t'>{_e(r.get('nearest_road', ''))}</td>"
            f"{cells}</tr>"
        )
    fields = {
        "method": _e(opt.get("method", "")),
        "objective": f"{float(opt['objective']):,.6g}",
        "bound": f"{float(opt['bound']):,.6g}",
        "gap": gap_label(float(opt["gap"])),
    }
    if (summary.get("inputs") or {}).get("reach"):
        fields["bound"] = f"{np.ceil(float(opt['bound']) - 1e-9):g}"
        text = lab["proven"] if opt.get("proven_optimal") else lab["fewest"]
    else:
        text = lab["proven"] if opt.get("proven_optimal") else lab["within"]
    return (
        f"<h2>{_e(lab['suggested'])}</h2><table><tr><th>{_e(lab['rank'])}</th>"
        f"<th class='t'>{_e(lab['name'])}</th><th class='t'>{_e(lab['venue'])}</th>"
        f"<th class='t'>{_e(lab['road'])}</th>"
        f"{head}</tr>{''.join(rows)}</table>"
        f"<p class='certificate'>{text.format(**fields)}</p>"
    )


def notebook_view(page: str, *, height: int = 520) -> Any:
    """Show a map page inline in a notebook (an iframe holding the page itself)."""
    from IPython.display import HTML

    return HTML(
        f'<iframe srcdoc="{html.escape(page, quote=True)}" width="100%" '
        f'height="{int(height)}" style="border:1px solid #ccc"></iframe>'
    )


def map_html(plan: Plan, *, lang: str = "en", basemap: str = "osm") -> str:
    """The map page of a plan (see :func:`plan_map`)."""
    return plan_map(
        hotspots=plan.hotspots, stations=tables.stations_with_scores(plan),
        recommended=plan.recommended, isochrones=plan.isochrones,
        service_areas=plan.service_areas, minutes=plan.minutes, mode=plan.network.mode,
        lang=lang, basemap=basemap,
        roads=tables.road_lines(plan) if basemap == "none" else None,
    )  # fmt: skip
