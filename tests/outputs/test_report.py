"""The report reads the typed summary: its numbers, the optimiser's certificate, the reach
wording, escaping and Chinese labels. No CLI: the report of a plan built in memory."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from planner.outputs import i18n, report, report_checks, summary, tables
from planner.outputs.summary import NearestMinutes, PlanSummary
from planner.outputs.terms import METHOD_ZH

from .conftest import EVIL, TRICKY


def page(s: PlanSummary, plan, lang: str = "en") -> str:
    return report.report_html(
        s, tables.stations_scored(plan), lang=lang, curve=plan.coverage_curve,
        recommended=plan.recommended,
    )  # fmt: skip


def test_report_states_the_district_shares_goals_and_travel_times(plan_add2, summary_add2):
    s = summary_add2
    html = page(s, plan_add2)
    cov = s.coverage_existing
    for label, circle in cov.covered.items():
        assert f"<tr><td>{label} min</td><td>{circle.share:.1%}</td>" in html
    for goal in cov.goals:
        assert f"<td>{goal.target:.1%}</td>" in html
    after = ", ".join(f"{k} min {v:.1%}" for k, v in s.coverage_after_recommended.items())
    assert f"<p>With the suggested sites: {after}</p>" in html
    nm = cov.nearest_minutes
    assert f"<tr><td>{nm.mean_of_reached:.1f}</td><td>{nm.median:.1f}</td>" in html
    for key, blind in s.blind_spots.items():
        assert f"<td>{blind.hotspots}</td><td>{blind.demand:g}</td>" in html, key
    assert html.count("<polyline class='curve'") == len(cov.covered)  # the coverage curve


def test_report_reads_the_typed_attributes_never_the_json_dict(
    plan_add2, summary_add2, monkeypatch
):
    def no_dict(self):  # the report must not go back through the JSON document
        raise AssertionError("report_html called to_dict()")

    monkeypatch.setattr(PlanSummary, "to_dict", no_dict)
    covered = dict(summary_add2.coverage_existing.covered)
    covered["8"] = replace(covered["8"], share=0.1234)
    s = replace(
        summary_add2,
        coverage_existing=replace(summary_add2.coverage_existing, covered=covered),
        grades=replace(summary_add2.grades, rule="a rule <as typed>"),
    )
    html = page(s, plan_add2)
    assert "<tr><td>8 min</td><td>12.3%</td>" in html
    assert "class='bar' x='80' y='10' width='46.9'" in html  # 12.34% of the 380-px scale
    assert "a rule &lt;as typed&gt;" in html


def test_certificate_proven_and_not_proven(plan_add2, summary_add2):
    opt = summary_add2.optimizer
    assert opt is not None
    proven = replace(summary_add2, optimizer=replace(opt, proven=True, alternatives=False))
    html = page(proven, plan_add2)
    assert (
        f"<p class='certificate'>Proven optimal ({opt.method}): no choice of as many sites "
        "does better. No other set of as many sites reaches the same value.</p>"
    ) in html
    twin = replace(
        proven,
        optimizer=replace(proven.optimizer, alternatives=True, alternative_sites=("a<b", "c")),
    )
    assert "Another set of sites reaches the same value: a&lt;b, c.</p>" in page(twin, plan_add2)
    unknown = replace(proven, optimizer=replace(proven.optimizer, alternatives=None))
    assert "Whether another set of sites reaches the same value is not known." in page(
        unknown, plan_add2
    )
    open_ = replace(
        summary_add2,
        optimizer=replace(opt, value=853.0, bound=856.3173, gap=0.0038739, proven=False),
    )
    html = page(open_, plan_add2)
    assert (
        f"<p class='certificate'>Within 0.39% of optimal ({opt.method}): the answer is 853, "
        "and no choice of as many sites can do better than 856.317.</p>"
    ) in html
    zh = page(open_, plan_add2, lang="zh")
    assert f"与最优方案相差不超过 0.39%（{METHOD_ZH[opt.method]}）：本方案为 853" in zh


def test_reach_wording(plan_reach):
    s = summary.build(plan_reach)
    assert s.reach == summary.Reach(minutes=10, share=0.9)
    opt = s.optimizer
    assert opt is not None
    html = page(s, plan_reach)
    proven = replace(s, optimizer=replace(opt, proven=True))
    assert (
        f"Proven the fewest ({opt.method}): no choice of fewer new sites meets the goal."
        in page(proven, plan_reach)
    )
    assert "no choice of as many sites" not in page(proven, plan_reach)
    assert "已证明为最少" in page(proven, plan_reach, lang="zh")
    not_proven = replace(s, optimizer=replace(opt, value=3.0, bound=1.2, proven=False))
    html = page(not_proven, plan_reach)
    # the bound on a number of sites is a whole number: 1.2 sites means at least 2
    assert (
        f"<p class='certificate'>3 new sites ({opt.method}); not proven: best bound 2 sites.</p>"
    ) in html
    zh = page(not_proven, plan_reach, lang="zh")
    assert f"需新增 3 处站点（{METHOD_ZH[opt.method]}）；未证明为最少：最佳下界为 2 处。" in zh


def test_undefined_numbers_read_as_words_not_nan(plan_add2, summary_add2):
    cov = summary_add2.coverage_existing
    nm = NearestMinutes(mean_of_reached=math.nan, median=None, p90=math.inf)
    after = dict.fromkeys(summary_add2.coverage_after_recommended, math.nan)
    s = replace(
        summary_add2,
        coverage_existing=replace(cov, nearest_minutes=nm),
        coverage_after_recommended=after,
    )
    html = page(s, plan_add2)
    assert html.count("<td>beyond the largest circle</td>") == 3
    assert "nan%" not in html and ">nan<" not in html and ">inf<" not in html
    assert "With the suggested sites: 8 min –" in html


def test_hostile_names_are_escaped(plan_add2, summary_add2):
    html = page(summary_add2, plan_add2)
    assert EVIL not in html and "<img" not in html
    assert i18n.escape(EVIL) in html
    assert i18n.escape(TRICKY) in html and "${" not in html


def test_chinese_report(plan_add2, summary_add2):
    html = page(summary_add2, plan_add2, lang="zh")
    assert '<html lang="zh-CN">' in html
    assert "<title>服务圈评估报告</title>" in html
    assert "步行 4.8 公里/小时" in html  # the mode in Chinese
    assert i18n.escape(i18n.GRADE_RULE_ZH) in html
    assert summary_add2.grades.rule not in html
    for key in ("district", "travel", "blind", "stations", "suggested", "curve"):
        assert f"<h2>{i18n.REPORT_LABELS['zh'][key]}</h2>" in html
    assert "Stations" not in html and "Suggested sites" not in html


def test_sub_areas_and_an_empty_plan(plan_add2, summary_add2):
    areas = (
        {"area": "西街道 <b>", "hotspots": 3, "demand": 12.5, "share_8": 0.5, "share_10": math.nan},
    )
    html = page(replace(summary_add2, areas=areas), plan_add2)
    assert "<h2>Sub-areas</h2>" in html
    assert "<tr><td>西街道 &lt;b&gt;</td><td>12.5</td><td>50.0%</td><td>–</td></tr>" in html
    bare = report.report_html(summary_add2, tables.stations_scored(plan_add2))
    assert "Suggested sites" not in bare and "<polyline" not in bare


@pytest.mark.parametrize("lang", ["en", "zh", "fr"])
def test_every_language_gives_a_whole_page(plan_add2, summary_add2, lang):
    html = page(summary_add2, plan_add2, lang=lang)
    assert html.startswith("<!DOCTYPE html>") and html.endswith("</body></html>")
    assert ("服务圈评估报告" in html) == (lang == "zh")


def test_the_network_warning_is_in_the_language_of_the_page():
    import numpy as np

    from planner.core.modes import get_mode
    from planner.core.parts import rider_way_warnings

    (text,) = rider_way_warnings(np.array(["primary"]), get_mode("ebike"))
    en, zh = "en", "zh"
    assert report_checks._warning(text, en) == text
    assert "非机动车道" in report_checks._warning(text, zh)
    assert 'oneway = "ignore"' in report_checks._warning(text, zh)
    (walking,) = rider_way_warnings(np.array(["primary"]), get_mode("walk"))
    assert "oneway" not in report_checks._warning(walking, zh)
    assert report_checks._warning("another warning", zh) == "another warning"


def test_the_hourly_chart_legend_speaks_the_reports_language():
    from planner.outputs import report_hours

    rows = [{"hour": h, "day": "weekday", "share_within": {"8": 0.5, "15": 0.9}}
            for h in range(24)]  # fmt: skip
    zh = report_hours.chart(rows, {"8": 0.8}, report_hours.LABELS["zh"])
    en = report_hours.chart(rows, {"8": 0.8}, report_hours.LABELS["en"])
    assert "≤8分钟" in zh and "≤15分钟" in zh and " min<" not in zh
    assert "≤8 min" in en


def test_the_area_goal_and_operator_headers_are_chinese():
    import pandas as pd

    from planner.outputs import terms

    frame = pd.DataFrame(columns=["area", "share_before", "share_after", "met_before",
                                  "met_after", "operator"])  # fmt: skip
    heads = list(terms.localise(frame, "zh").columns)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in heads), heads


def test_the_coordinates_note_is_chinese_and_still_read_back_as_wgs84():
    """``--lang zh`` tables state their coordinate systems in Chinese; a planner feeding such
    a table back in (recommended sites as candidates) still has its lon/lat read as WGS-84."""
    import pandas as pd

    from planner.core.crs import COORDINATES_NOTE, COORDINATES_NOTE_ZH
    from planner.inputs import points
    from planner.outputs import terms

    frame = pd.DataFrame(
        {"id": ["a"], "lon": [1.5], "lat": [42.5], "coordinates": [COORDINATES_NOTE]}
    )
    zh = terms.localise(frame, "zh")
    assert zh.iloc[0, -1] == COORDINATES_NOTE_ZH and "WGS-84" in COORDINATES_NOTE_ZH
    back = frame.assign(coordinates=COORDINATES_NOTE_ZH)
    assert points._declared_columns(back, "lon", "lat")[0] == "wgs84"
    assert points._declared_columns(frame.assign(coordinates="x"), "lon", "lat")[0] is None
