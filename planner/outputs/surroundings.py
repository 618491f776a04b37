"""What the summary, the console and the report say about other operators' stations and
the goals per area (see :mod:`planner.plan.levers`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..plan.result import Plan


def others(plan: Plan) -> dict[str, Any] | None:
    """``summary.json``'s ``others``: whether they count (and the assumption in words), the
    district's share within each circle by its own stations and with theirs, and each
    station with the demand it reaches; None without other operators' stations."""
    o = plan.others
    if o is None:
        return None
    return {
        "count_toward_goals": o.count,
        "assumption": o.assumption(),
        "coverage_own": dict(o.share_own),
        "coverage_with_others": dict(o.share_with),
        "stations": [
            {k: v for k, v in row.items() if k != "geometry"}
            for row in o.stations.to_dict(orient="records")
        ],
    }


def area_goals(plan: Plan) -> list[dict[str, Any]] | None:
    """``summary.json``'s ``area_goals``: one entry per goal (area, minutes, goal, share
    today and with the suggested sites, met in each state); None without goals per area."""
    if plan.area_goals is None:
        return None
    return [dict(r) for r in plan.area_goals.to_dict(orient="records")]


def _shares(shares: Mapping[str, float]) -> str:
    return ", ".join(f"{k} min {v:.1%}" for k, v in shares.items())


def console_lines(
    others_doc: Mapping[str, Any] | None, goals: Sequence[Mapping[str, Any]] | None
) -> list[str]:
    """The console's lines: the assumption about other operators' stations and both
    figures, and how many area goals are met today and with the suggested sites (and
    which are not)."""
    lines = []
    if others_doc is not None:
        lines.append(f"other operators: {others_doc['assumption']}")
        lines.append(
            f"  district's own stations: {_shares(others_doc['coverage_own'])}; with other "
            f"operators' stations: {_shares(others_doc['coverage_with_others'])}"
        )
    if goals:
        before = sum(bool(g["met_before"]) for g in goals)
        after = sum(bool(g["met_after"]) for g in goals)
        lines.append(
            f"area goals met: {before} of {len(goals)} today, {after} of {len(goals)} with the "
            "suggested sites"
        )
        for g in goals:
            if not g["met_after"]:
                lines.append(
                    f"  NOT met: {g['area']} {g['goal']:.0%} within {g['minutes']:g} min "
                    f"({g['share_after']:.1%} with the suggested sites)"
                )
    return lines
