"""The sheets of ``plan.xlsx``, the workbook a planner hands to the district leadership:
a summary (before and after the suggested sites, goals met), the existing stations with
their grades, the suggested sites, the sub-areas, the coverage curve, the speed table and
an ``about`` sheet that states the coordinate systems once.

Frames keep the English machine names; :func:`planner.outputs.workbook.xlsx_bytes` turns
them into Chinese headers with ``lang="zh"``. The words the sheets themselves write (the
thresholds, yes/no, the about items) are in ``lang`` here.
"""

from __future__ import annotations

import pandas as pd

from ..core.crs import COORDINATES_NOTE_ZH
from ..core.units import reaches
from ..plan.result import Plan
from . import tables, terms
from .i18n import report_labels
from .summary import PlanSummary

CREDITS_ZH = "道路与兴趣点数据 © OpenStreetMap 贡献者（ODbL）"


def _within(minutes: float, lang: str) -> str:
    return f"{minutes:g}分钟" if lang == "zh" else f"{minutes:g} min"


def summary_sheet(s: PlanSummary, lang: str = "en") -> pd.DataFrame:
    """One row per threshold: the goal, the share of demand within it today and with the
    suggested sites, and whether each meets the goal."""
    lab = report_labels(lang)
    goals = {f"{g.minutes:g}": g for g in s.coverage_existing.goals}
    after = s.coverage_after_recommended
    rows = []
    for key, circle in s.coverage_existing.covered.items():
        goal = goals.get(key)
        share_after = after.get(key) if after else None
        rows.append(
            {
                "within": _within(float(key), lang),
                "goal": None if goal is None else goal.target,
                "before": circle.share,
                "goal_met_before": None if goal is None else lab["yes" if goal.attained else "no"],
                "after": share_after,
                "goal_met_after": None
                if goal is None or share_after is None
                else lab["yes" if reaches(share_after, goal.target) else "no"],
            }
        )
    return pd.DataFrame(rows)


def about_sheet(plan: Plan, s: PlanSummary, lang: str = "en") -> pd.DataFrame:
    """What the workbook is, once: coordinate systems, mode, one-way rule, thresholds,
    method, what the sites were chosen for, credits."""
    if lang != "zh":
        about = tables.about_sheet(plan)
        extra = pd.DataFrame({"item": ["oneway"], "value": [plan.network.mode.oneway]})
        return pd.concat([about, extra], ignore_index=True)
    mode = plan.network.mode
    key = objective_key(s)
    return pd.DataFrame(
        {
            "item": [
                "坐标系", "出行方式", "单行道", "服务圈（分钟）", "求解方法", "选址目标",
                "数据来源",
            ],
            "value": [
                COORDINATES_NOTE_ZH,
                f"{terms.MODE_ZH.get(mode.name, mode.name)}：{mode.describe('zh')}",
                terms.ONEWAY_ZH.get(mode.oneway, mode.oneway),
                "、".join(f"{m:g}" for m in plan.minutes),
                terms.METHOD_ZH.get(plan.solution.method, plan.solution.method),
                terms.OBJECTIVE_ZH.get(key, key),
                CREDITS_ZH,
            ],
        }
    )  # fmt: skip


def objective_key(s: PlanSummary) -> str:
    """The name of what the sites were chosen for (:data:`terms.OBJECTIVE_ZH`)."""
    if s.reach is not None:
        return "reach"
    if s.served_after_recommended is not None:
        return "capacity"
    return s.objective


def speeds_sheet(plan: Plan, lang: str = "en") -> pd.DataFrame:
    """The mode's speed per road class (km/h), road classes in ``lang``."""
    table = plan.network.mode.speed_table()
    return pd.DataFrame(
        {
            "road_class": [terms.term(k, terms.HIGHWAY_ZH, lang) for k in table],
            "speed_kph": [float(v) for v in table.values()],
        }
    )


def stations_sheet(plan: Plan) -> pd.DataFrame:
    """The existing stations with their scores and grades (the ``stations_scored`` table)."""
    return tables.stations_scored(plan)


def sites_sheet(plan: Plan) -> pd.DataFrame:
    """The suggested sites; the coordinate systems are stated once, in the about sheet."""
    return tables.recommended_table(plan).drop(columns="coordinates", errors="ignore")


def curve_sheet(plan: Plan) -> pd.DataFrame | None:
    """The coverage curve without its internal column positions."""
    if plan.coverage_curve is None:
        return None
    return plan.coverage_curve.drop(columns="candidate", errors="ignore")


def plan_sheets(plan: Plan, s: PlanSummary, lang: str = "en") -> dict[str, pd.DataFrame]:
    """Every sheet of ``plan.xlsx`` by machine name, in order (areas and the curve only
    when the plan has them)."""
    out = {
        "summary": summary_sheet(s, lang),
        "stations": stations_sheet(plan),
        "recommended_sites": sites_sheet(plan),
    }
    if plan.areas_scored is not None:
        out["areas"] = plan.areas_scored
    if plan.area_goals is not None:
        out["area_goals"] = plan.area_goals
    if plan.others is not None:
        out["other_operators"] = pd.DataFrame(plan.others.stations.drop(columns="geometry"))
    curve = curve_sheet(plan)
    if curve is not None:
        out["coverage_curve"] = curve
    out["speeds"] = speeds_sheet(plan, lang)
    out["about"] = about_sheet(plan, s, lang)
    return out
