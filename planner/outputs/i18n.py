"""The words and the small formatting helpers of the map and the report, in English and
Chinese: the label tables, the Chinese grading rule, the threshold colours both draw with,
and the escaping every user string goes through before it reaches a page.

A language other than ``"zh"`` or ``"en"`` falls back to English.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

import numpy as np

#: Languages with a label table.
LANGUAGES = ("en", "zh")

#: Colours of the thresholds, nearest first (map circles, areas and hotspots, report bars
#: and curves): indigo, sky blue, wine (Paul Tol's and Okabe–Ito's colour-blind-safe sets),
#: then bluish green and orange. With the vermillion of blind hotspots and the black of
#: suggested sites, every pair stays at least 30 CIELAB units apart under simulated
#: deuteranopia, protanopia and tritanopia (Machado et al. 2009), and each threshold colour
#: at least 36 from the map's grey background.
THRESHOLD_COLOURS = ("#332288", "#56B4E9", "#882255", "#009E73", "#E69F00")
#: Hotspots beyond every circle (Okabe–Ito vermillion: nothing else on the map is red).
BLIND_COLOUR = "#D55E00"
#: Suggested sites (black, numbered in white, ringed in yellow).
SUGGESTED_COLOUR = "#000000"
#: Station grades, best first: a dark-to-light sequence of one hue (ColorBrewer Greys-like
#: in brown, apart from the thresholds' blues, greens and purples), "-" in mid grey.
GRADE_COLOURS = {"A": "#3f2a14", "B": "#7f5a2e", "C": "#b8905c", "D": "#e6cfa3", "-": "#9e9e9e"}

#: Labels of the map (layer names, popups, tooltips, legend).
MAP_LABELS: Mapping[str, Mapping[str, str]] = {
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
        "phase": "phase",
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
        "phase": "建设期",
    },
}

#: Labels of the report (headings, table heads, the optimiser's certificate).
REPORT_LABELS: Mapping[str, Mapping[str, str]] = {
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
        "curve": "Coverage as new sites are added (the suggested sites first, then the next best)",
        "k": "new sites",
        "beyond_short": "beyond",
        "suggested": "Suggested sites",
        "rank": "rank",
        "venue": "venue",
        "road": "nearest road or address",
        "added": "demand added",
        "capacity": "capacity",
        "served": "demand served",
        "cost": "opening cost",
        "spent": "Budget: the suggested sites cost {spent} in all, of {budget} ({left} left).",
        "proven": "Proven optimal ({method}): no choice of as many sites does better.",
        "proven_fewest": "Proven the fewest ({method}): no choice of fewer new sites meets "
        "the goal.",
        "within": "Within {gap} of optimal ({method}): the answer is {objective}, and no choice "
        "of as many sites can do better than {bound}.",
        "fewest": "{objective} new sites ({method}); not proven: best bound {bound} sites.",
        "network": "Road network",
        "warning": "Warning",
        "parts": "Parts of the network",
        "part": "part",
        "nodes": "nodes",
        "road_km": "km of road",
        "candidates": "candidates",
        "no_station": "no station on this part: its demand is a blind spot",
        "parts_kept": "{kept} strongly connected parts kept; {dropped} parts under {nodes} nodes "
        "and {km:g} km of road dropped ({dropped_nodes} nodes, {dropped_km:g} km).",
        "detours": "Detour anomalies: {n} hotspots (demand {d:g}) lie close to their nearest "
        "station in a straight line but far from it on the network; see the detour column of "
        "snapping.csv and blind_spots.csv.",
        "alt_unknown": "Whether another set of sites reaches the same value is not known.",
        "alt_none": "No other set of as many sites reaches the same value.",
        "alt_some": "Another set of sites reaches the same value: {sites}.",
        "spacing": "Spacing: every new site at least {min_m} m (straight line) from every "
        "station and from the other new sites ({too_close} candidates too close to a station "
        "left out). Coverage with the spacing: {with_}; without it: {without} (objective "
        "{obj_with} against {obj_without}: the spacing costs {cost}).",
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
        "curve": "逐个增设新址后的覆盖率（先为建议站址，其后为次优站址）",
        "k": "新增站点数",
        "beyond_short": "超出",
        "suggested": "建议新址",
        "rank": "序号",
        "venue": "场所类型",
        "road": "最近道路或地址",
        "added": "新增需求",
        "capacity": "容量",
        "served": "服务需求",
        "cost": "开办成本",
        "spent": "预算：建议新址共需 {spent}，预算 {budget}（剩余 {left}）。",
        "proven": "已证明为最优方案（{method}）：同样数量的站点不可能做得更好。",
        "proven_fewest": "已证明为最少（{method}）：更少的新增站点无法达到目标。",
        "within": "与最优方案相差不超过 {gap}（{method}）：本方案为 {objective}，"
        "同样数量站点的任何方案都不超过 {bound}。",
        "fewest": "需新增 {objective} 处站点（{method}）；未证明为最少：最佳下界为 {bound} 处。",
        "network": "路网",
        "warning": "警告",
        "parts": "路网的连通部分",
        "part": "部分",
        "nodes": "节点数",
        "road_km": "道路公里数",
        "candidates": "候选点",
        "no_station": "该部分没有驿站：其需求均为服务盲区",
        "parts_kept": "保留 {kept} 个强连通部分；舍弃 {dropped} 个小于 {nodes} 个节点且不足 "
        "{km:g} 公里道路的碎片（{dropped_nodes} 个节点，{dropped_km:g} 公里）。",
        "detours": "绕行异常：{n} 个热点（需求 {d:g}）与最近驿站直线距离很近，但路网上相距很远；"
        "见 snapping.csv 和 blind_spots.csv 的 detour 列。",
        "alt_unknown": "尚不清楚是否有其他站点组合能达到同样的值。",
        "alt_none": "没有其他同样数量的站点组合能达到同样的值。",
        "alt_some": "另一组站点也能达到同样的值：{sites}。",
        "spacing": "间距：每处新址与现有驿站及其他新址的直线距离至少 {min_m} 米（{too_close} "
        "处候选点距现有驿站过近，未予考虑）。有间距要求时的覆盖率：{with_}；无间距要求时："
        "{without}（目标值 {obj_with}，无间距时 {obj_without}：间距要求的代价为 {cost}）。",
    },
}

#: The warning about a network without the ways riders use, in Chinese; ``{fix}`` is one of
#: :data:`NO_RIDER_WAYS_FIX_ZH`.
NO_RIDER_WAYS_ZH = (
    "路网中没有人行道、自行车道、小路、步行街或台阶（机动车路网如 osmnx 的 'drive' 图即如此）："
    "骑手和行人使用的人行道与非机动车道未被绘制，单行道和立交会把几百米变成很长的绕行，"
    "出行时间偏长；{fix}"
)
NO_RIDER_WAYS_FIX_ZH = {
    "oneway": '可在 --speeds 中设置 oneway = "ignore"，或改用完整路网（.osm.pbf 或 .osm 导出，'
    "或 osmnx network_type 'all' 的路网）",
    "full": "请改用完整路网（.osm.pbf 或 .osm 导出，或 osmnx network_type 'all' 的路网）",
}

#: The grading rule in Chinese (the English rule comes with the plan).
GRADE_RULE_ZH = (
    "按各驿站的服务片区（以其为最近驿站的需求）评级："
    "A = 所有服务圈目标均达标；B = 除最近一档外均达标；"
    "C = 除最近两档外均达标；依此类推；"
    "再下一级 = 连最大服务圈目标也未达标；"
    "“-” = 没有以其为最近驿站的需求。"
)


#: Labels of the map page's panel, states and what-if figures (with :data:`MAP_LABELS`).
MAP_PAGE_LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "page_title": "Service circles: map",
        "within": "within {m} min",
        "candidates": "candidates (what-if)",
        "today": "Today",
        "with": "With the suggested sites",
        "custom": "Your choice of sites",
        "legend": "Legend",
        "whatif": "What if",
        "sites": "Sites (click to switch on or off)",
        "filter": "find a site by name or id",
        "goal": "goal",
        "share_of_demand": "share of demand",
        "met": "met",
        "not_met": "not met",
        "blind_demand": "demand beyond",
        "roads_fallback": "Map tiles unavailable: roads drawn from the network",
        "active": "sites on",
        "on": "on",
        "off": "off",
        "id": "id",
        "more": "more: type to find",
        "method": "sites chosen by",
    },
    "zh": {
        "page_title": "服务圈地图",
        "within": "{m}分钟内",
        "candidates": "候选站址（假设分析）",
        "today": "现状",
        "with": "加上建议新址",
        "custom": "自选站点",
        "legend": "图例",
        "whatif": "假设分析",
        "sites": "站点（点击开启或关闭）",
        "filter": "按名称或编号查找站点",
        "goal": "目标",
        "share_of_demand": "需求覆盖率",
        "met": "达标",
        "not_met": "未达标",
        "blind_demand": "未覆盖需求",
        "roads_fallback": "底图瓦片无法加载：已改为显示路网",
        "active": "开启站点数",
        "on": "开",
        "off": "关",
        "id": "编号",
        "more": "更多：请输入查找",
        "method": "选址方法",
    },
}


def map_page_labels(lang: str) -> Mapping[str, str]:
    """Every label of the map page: :data:`MAP_LABELS` and :data:`MAP_PAGE_LABELS`."""
    key = lang if lang in MAP_LABELS else "en"
    return {**MAP_LABELS[key], **MAP_PAGE_LABELS[key]}


def report_labels(lang: str) -> Mapping[str, str]:
    """The report's label table for ``lang`` (``"en"`` or ``"zh"``; English otherwise)."""
    return REPORT_LABELS.get(lang, REPORT_LABELS["en"])


def grade_rule(rule: str, lang: str) -> str:
    """The grading rule in ``lang``: the Chinese text for ``"zh"``, ``rule`` otherwise."""
    return GRADE_RULE_ZH if lang == "zh" else rule


def html_lang(lang: str) -> str:
    """The page's ``lang`` attribute: ``"zh-CN"`` for Chinese, ``"en"`` otherwise."""
    return "zh-CN" if lang == "zh" else "en"


def escape(value: object) -> str:
    """HTML-escape a user string (None is the empty string).

    Backticks, ``$`` and backslashes are escaped too: folium places tooltips and popups
    inside JavaScript template literals, where they would end the string or open a
    ``${...}`` expression.
    """
    text = html.escape("" if value is None else str(value), quote=True)
    return text.replace("`", "&#96;").replace("$", "&#36;").replace("\\", "&#92;")


def defined(x: object) -> float | None:
    """``x`` as a float, or None when it is None, NaN or infinite (an undefined number)."""
    if x is None:
        return None
    value = float(x)  # type: ignore[arg-type]
    return value if math.isfinite(value) else None


def pct(x: object) -> str:
    """A share as a percentage with one decimal (``"43.3%"``); ``"–"`` when undefined."""
    value = defined(x)
    return "–" if value is None else f"{value:.1%}"


def figure(x: object) -> str:
    """A figure of a popup: a fraction in (0, 1) as a percentage (``"43.3%"``), any other
    float with thousands separators and one decimal (``"1,011.5"``), anything else as
    text."""
    if isinstance(x, (float, np.floating)):
        return f"{x:.1%}" if 0 <= x <= 1 and x != int(x) else f"{x:,.1f}"
    return str(x)


#: Labels of the report's deliverable sections: where the suggested sites are, the static
#: map and its legend, the mode's one-way rule.
DELIVERABLE_LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "where": "Where the suggested sites are",
        "rank": "rank",
        "id": "id",
        "name": "name",
        "venue": "venue type",
        "road": "nearest road or address",
        "lon": "lon (WGS-84)",
        "lat": "lat (WGS-84)",
        "lon_gcj02": "lon (GCJ-02)",
        "lat_gcj02": "lat (GCJ-02)",
        "coordinates": "WGS-84 (EPSG:4326) is what GPS and OpenStreetMap use; GCJ-02 is what "
        "Amap and Tencent maps use.",
        "map": "Map of the plan",
        "area": "{m}-min service area of the existing stations",
        "covered": "hotspot within {m} min",
        "blind": "hotspot beyond {m} min",
        "stations": "existing station",
        "sites": "suggested site (numbered by rank)",
        "oneway": "one-way streets",
        "areas_after": "Sub-areas before and after the suggested sites",
        "area_name": "area",
        "today": "≤{m} min today",
        "with_sites": "≤{m} min with the sites",
    },
    "zh": {
        "where": "建议新址位置",
        "rank": "序号",
        "id": "编号",
        "name": "名称",
        "venue": "场所类型",
        "road": "最近道路或地址",
        "lon": "经度（WGS-84）",
        "lat": "纬度（WGS-84）",
        "lon_gcj02": "经度（GCJ-02）",
        "lat_gcj02": "纬度（GCJ-02）",
        "coordinates": "WGS-84（EPSG:4326）为 GPS 与 OpenStreetMap 所用坐标；GCJ-02 为高德、"
        "腾讯地图所用坐标。",
        "map": "规划示意图",
        "area": "现有驿站{m}分钟服务范围",
        "covered": "{m}分钟内的热点",
        "blind": "超出{m}分钟的热点",
        "stations": "现有驿站",
        "sites": "建议新址（按序号）",
        "oneway": "单行道",
        "areas_after": "各街道增设建议新址前后",
        "area_name": "街道",
        "today": "{m}分钟 现有",
        "with_sites": "{m}分钟 新址后",
    },
}


def deliverable_labels(lang: str) -> Mapping[str, str]:
    """The labels of the report's deliverable sections for ``lang`` (English otherwise)."""
    return DELIVERABLE_LABELS.get(lang, DELIVERABLE_LABELS["en"])
