"""The words about other operators' stations and goals per area: console, report sections
and map legend; names from files shown as text, never markup."""

from __future__ import annotations

from types import SimpleNamespace

from planner.outputs import map_others, report_surroundings, surroundings

EVIL = "<img src=x onerror=alert(1)>"

OTHERS = {
    "count_toward_goals": False,
    "assumption": "the 1 stations of other operators do not count toward the district's goals",
    "coverage_own": {"8": 0.5, "10": 0.6},
    "coverage_with_others": {"8": 0.7, "10": 0.8},
    "stations": [{"id": "O1", "name": EVIL, "operator": EVIL, "demand_8": 3.0, "demand_10": 4.0}],
}
GOALS = (
    {"area": "南湾街道", "minutes": 10.0, "goal": 0.9, "share_before": 0.5, "share_after": 0.95,
     "demand": 10.0, "met_before": False, "met_after": True},
    {"area": EVIL, "minutes": 8.0, "goal": 0.8, "share_before": 0.2, "share_after": 0.4,
     "demand": 5.0, "met_before": False, "met_after": False},
)  # fmt: skip


def test_the_console_states_the_assumption_both_figures_and_the_goals_not_met():
    lines = surroundings.console_lines(OTHERS, GOALS)
    assert lines[0].startswith("other operators: the 1 stations")
    assert "8 min 50.0%" in lines[1] and "8 min 70.0%" in lines[1]
    assert "area goals met: 0 of 2 today, 1 of 2 with the suggested sites" in lines
    assert lines[-1].startswith(f"  NOT met: {EVIL} 80% within 8 min (40.0%")


def test_report_sections_escape_names_and_speak_chinese():
    s = SimpleNamespace(others=OTHERS, area_goals=GOALS)
    for lang in ("en", "zh"):
        html = report_surroundings.others(s, lang) + report_surroundings.area_goals(s, lang)
        assert EVIL not in html and "&lt;img" in html
    zh = report_surroundings.others(s, "zh")
    assert "其他运营方的驿站" in zh and "不计入目标" in zh and "70.0%" in zh
    assert "未达标" in report_surroundings.area_goals(s, "zh")
    empty = SimpleNamespace(others=None, area_goals=None)
    assert (
        report_surroundings.others(empty, "en") == report_surroundings.area_goals(empty, "en") == ""
    )


def test_the_legend_gains_a_row_only_with_other_operators():
    legend = "<div id='planner-legend'><div>a</div></div>"
    assert map_others.with_legend(legend, None, "en") == legend
    row = map_others.with_legend(legend, {"counted": True}, "zh")
    assert row.endswith("其他运营方驿站 (计入目标)</div></div>") and "pl-other" in row
