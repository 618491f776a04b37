"""The report's chart of coverage by hour of day against the goals, drawn as inline SVG (no
script, prints as it shows), and the note on the opening hours it assumes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .i18n import THRESHOLD_COLOURS
from .i18n import escape as _e
from .summary import PlanSummary

LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Coverage by hour of day, with the suggested sites, against the goals",
        "hour": "hour of day",
        "weekday": "weekday",
        "weekend": "weekend day (dashed)",
        "within": "≤{m} min",
        "goal": "goal",
        "venues": "{st} of {n_st} stations and {cand} of {n_cand} candidates have opening "
        "hours; the others are assumed open around the clock.",
    },
    "zh": {
        "title": "按小时的覆盖率（含建议新址）与目标",
        "hour": "时段（小时）",
        "weekday": "工作日",
        "weekend": "周末（虚线）",
        "within": "≤{m}分钟",
        "goal": "目标",
        "venues": "{n_st} 个站点中 {st} 个、{n_cand} 个候选点中 {cand} 个有营业时间；"
        "其余按全天营业计。",
    },
}


def section(summary: PlanSummary, lang: str) -> str:
    """The chart and its note (empty when the plan has no coverage by hour)."""
    rows = summary.coverage_by_hour
    if not rows:
        return ""
    lab = LABELS.get(lang, LABELS["en"])
    goals = {f"{g.minutes:g}": g.target for g in summary.coverage_existing.goals}
    notes = summary.opening_hours or {}
    st, cand = notes.get("stations_with_hours", 0), notes.get("candidates_with_hours", 0)
    n_st = st + notes.get("stations_assumed_always_open", 0)
    n_cand = cand + notes.get("candidates_assumed_always_open", 0)
    note = lab["venues"].format(st=st, n_st=n_st, cand=cand, n_cand=n_cand)
    return f'<h2>{_e(lab["title"])}</h2>{chart(rows, goals, lab)}<p class="note">{_e(note)}</p>'


def chart(
    rows: Sequence[Mapping[str, Any]], goals: Mapping[str, float], lab: Mapping[str, str]
) -> str:
    """Share of each hour's demand within each threshold (a line per threshold, dashed for
    the weekend day) with the goal of each threshold as a thin line."""
    width, height, left, bottom, right = 560, 240, 44, 30, 440
    sx, sy = (right - left) / 23.0, height - bottom - 10.0
    labels = list(rows[0]["share_within"])
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"role='img' aria-label='{_e(lab['title'])}' font-family='sans-serif' font-size='11'>"
    ]
    for frac in (0.0, 0.5, 1.0):
        y = height - bottom - frac * sy
        parts.append(
            f"<line x1='{left}' x2='{right}' y1='{y:.1f}' y2='{y:.1f}' stroke='#ddd'/>"
            f"<text x='2' y='{y + 4:.1f}'>{frac:.0%}</text>"
        )
    for h in range(0, 24, 3):
        parts.append(f"<text x='{left + h * sx - 4:.1f}' y='{height - bottom + 14}'>{h}</text>")
    for i, label in enumerate(labels):
        colour = THRESHOLD_COLOURS[i % len(THRESHOLD_COLOURS)]
        if label in goals:
            y = height - bottom - goals[label] * sy
            parts.append(
                f"<line class='goal' x1='{left}' x2='{right}' y1='{y:.1f}' y2='{y:.1f}' "
                f"stroke='{colour}' stroke-width='1' stroke-dasharray='2,3'/>"
            )
        for day, dash in (("weekday", ""), ("weekend", " stroke-dasharray='6,4'")):
            pts = [
                f"{left + int(r['hour']) * sx:.1f},"
                f"{height - bottom - r['share_within'][label] * sy:.1f}"
                for r in rows
                if r["day"] == day and r["share_within"].get(label) is not None
            ]
            if pts:  # a path, not a polyline: the report's polylines are the coverage curve
                parts.append(
                    f"<path class='hourly' d='M{' L'.join(pts)}' fill='none' stroke='{colour}' "
                    f"stroke-width='2'{dash}/>"
                )
        within = _e(lab["within"].format(m=label))
        parts.append(f"<text x='{right + 10}' y='{14 + 13 * i}' fill='{colour}'>{within}</text>")
    days = [lab["weekday"]] + ([lab["weekend"]] if any(r["day"] == "weekend" for r in rows) else [])
    parts.append(f"<text x='{right + 10}' y='{20 + 13 * len(labels)}'>{_e(', '.join(days))}</text>")
    parts.append(
        f"<text x='{right + 10}' y='{34 + 13 * len(labels)}'>┄ {_e(lab['goal'])}</text>"
        f"<text x='{left}' y='{height - 4}'>{_e(lab['hour'])}</text></svg>"
    )
    return "".join(parts)
