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

#: Fill colours of the thresholds, nearest first (map circles, report bars and curves).
THRESHOLD_COLOURS = ("#1a9850", "#fee08b", "#fc8d59", "#d73027", "#7b3294")

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
        "cell": "{n} hotspots in a {size} cell",
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
        "cell": "{size}网格内{n}个热点",
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
        "proven": "已证明为最优方案（{method}）：同样数量的站点不可能做得更好。",
        "within": "与最优方案相差不超过 {gap}（{method}）：本方案为 {objective}，"
        "同样数量站点的任何方案都不超过 {bound}。",
        "fewest": "需新增 {objective} 处站点（{method}）；最少也需 {bound} 处。",
    },
}

#: The grading rule in Chinese (the English rule comes with the plan).
GRADE_RULE_ZH = (
    "按各驿站的服务片区（以其为最近驿站的需求）评级："
    "A = 所有服务圈目标均达标；B = 除最近一档外均达标；"
    "C = 除最近两档外均达标；依此类推；"
    "再下一级 = 连最大服务圈目标也未达标；"
    "“-” = 没有以其为最近驿站的需求。"
)


def map_labels(lang: str) -> Mapping[str, str]:
    """The map's label table for ``lang`` (``"en"`` or ``"zh"``; English otherwise)."""
    return MAP_LABELS.get(lang, MAP_LABELS["en"])


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
