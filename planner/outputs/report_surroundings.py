"""The report's sections on other operators' stations (whether they count, both figures,
the list) and on the goals per area (each goal today and with the suggested sites)."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .i18n import escape as _e
from .i18n import figure, pct
from .summary import PlanSummary
from .terms import AREA_ZH, term

#: The sections' words, English and Chinese.
LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType({
    "en": {
        "others": "Other operators' stations", "counted": "They count toward the goals: "
        "the figures and the suggested sites include their coverage.",
        "not_counted": "They do not count toward the goals: the figures are the district's "
        "own stations'.", "own": "District's own stations", "with": "With other operators' "
        "stations", "id": "ID", "name": "Name", "operator": "Operator",
        "demand": "Demand within {m} min", "goals": "Goals per area", "area": "Area",
        "minutes": "Minutes", "goal": "Goal", "today": "Today", "after": "With suggested sites",
        "met": "met", "not_met": "NOT met", "circle": "{m} min",
    },
    "zh": {
        "others": "其他运营方的驿站", "counted": "计入目标：各项数字与建议新址均包含其覆盖。",
        "not_counted": "不计入目标：各项数字仅为本辖区自有驿站。", "own": "本辖区自有驿站",
        "with": "加上其他运营方驿站", "id": "编号", "name": "名称", "operator": "运营方",
        "demand": "{m}分钟内需求", "goals": "各街道目标", "area": "街道", "minutes": "分钟",
        "goal": "目标", "today": "现状", "after": "加上建议新址", "met": "达标",
        "not_met": "未达标", "circle": "{m}分钟",
    },
})  # fmt: skip


def others(s: PlanSummary, lang: str) -> str:
    """Whether other operators' stations count, the share within each circle by the
    district's own stations and with theirs, and the list (empty without them)."""
    o = s.others
    if not o:
        return ""
    w = LABELS[lang]
    circles = list(o["coverage_own"])
    head = "".join(f"<th>{_e(w['circle'].format(m=m))}</th>" for m in circles)
    rows = "".join(
        f"<tr><td>{_e(w[key])}</td>" + "".join(f"<td>{pct(o[doc][m])}</td>" for m in circles)
        + "</tr>"
        for key, doc in (("own", "coverage_own"), ("with", "coverage_with_others"))
    )  # fmt: skip
    demand = [k for k in (o["stations"][0] if o["stations"] else {}) if k.startswith("demand_")]
    st_head = "".join(f"<th>{_e(w['demand'].format(m=k[len('demand_') :]))}</th>" for k in demand)
    st_rows = "".join(
        f"<tr><td class='t'>{_e(r['id'])}</td><td class='t'>{_e(r.get('name'))}</td>"
        f"<td class='t'>{_e(r.get('operator'))}</td>"
        + "".join(f"<td>{figure(r[k])}</td>" for k in demand) + "</tr>"
        for r in o["stations"]
    )  # fmt: skip
    said = w["counted" if o["count_toward_goals"] else "not_counted"]
    return (
        f"<h2>{_e(w['others'])}</h2><p>{_e(said)}</p>"
        f"<table class='others'><tr><th></th>{head}</tr>{rows}</table>"
        f"<table class='others-list'><thead><tr><th>{_e(w['id'])}</th><th>{_e(w['name'])}</th>"
        f"<th>{_e(w['operator'])}</th>{st_head}</tr></thead><tbody>{st_rows}</tbody></table>"
    )


def area_goals(s: PlanSummary, lang: str) -> str:
    """Each area's goal, its share today and with the suggested sites, and whether it is
    met in each state (empty without goals per area)."""
    if not s.area_goals:
        return ""
    w = LABELS[lang]

    def met(value: object) -> str:
        return _e(w["met"] if value else w["not_met"])

    rows = "".join(
        f"<tr><td class='t'>{_e(term(g['area'], AREA_ZH, lang))}</td><td>{g['minutes']:g}</td>"
        f"<td>{pct(g['goal'])}</td><td>{pct(g['share_before'])} {met(g['met_before'])}</td>"
        f"<td>{pct(g['share_after'])} {met(g['met_after'])}</td></tr>"
        for g in s.area_goals
    )
    return (
        f"<h2>{_e(w['goals'])}</h2><table class='area-goals'><thead><tr>"
        f"<th>{_e(w['area'])}</th><th>{_e(w['minutes'])}</th><th>{_e(w['goal'])}</th>"
        f"<th>{_e(w['today'])}</th><th>{_e(w['after'])}</th></tr></thead><tbody>{rows}"
        "</tbody></table>"
    )
