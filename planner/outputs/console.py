"""What a run prints: the summary's figures as console lines (text from files escaped by the
caller)."""

from __future__ import annotations

from collections.abc import Mapping

from ..core.units import minutes_text, reaches
from . import summary_controls as controls
from . import surroundings
from .summary import PlanSummary


def _shares(shares: Mapping[str, float]) -> str:
    return ", ".join(f"{k} min {v:.1%}" for k, v in shares.items())


def _met(attained: bool) -> str:
    return "met" if attained else "NOT met"


def console_lines(s: PlanSummary, out: str) -> list[str]:
    """What the CLI prints after a run: counts, coverage before and after, the suggested
    sites, the goals, the optimiser's certificate and where the files are."""
    cov = s.coverage_existing
    after = s.coverage_after_recommended
    lines = [
        f"hotspots: {s.counts.hotspots} (total demand {cov.total_demand:g}); stations: "
        f"{s.counts.stations}; candidates: {s.counts.candidates}; mode: {s.parameters.mode}",
        "demand covered by existing stations: "
        + _shares({k: c.share for k, c in cov.covered.items()}),
    ]
    if after:
        lines.append(f"with {len(s.sites)} suggested sites: " + _shares(after))
        if s.served_after_recommended:
            who = "the stations and" if s.inputs.get("station_capacity") is not None else "the"
            lines.append(
                f"demand served, {who} new sites within their capacities: "
                + _shares(s.served_after_recommended)
            )
        for site in s.sites:
            use = ""
            if site.served_demand is not None and site.capacity is not None:
                use = f": serves {site.served_demand:g} of its capacity {site.capacity:g}"
            if site.cost is not None:
                use += f", costs {site.cost:,.0f}"
            lines.append(f"  #{site.rank} {site.name or site.id} ({site.id}){use}")
        if s.budget is not None:
            b = s.budget
            lines.append(f"spent {b.spent:,.0f} of the budget {b.budget:,.0f} ({b.left:,.0f} left)")
    lines += _goal_lines(s)
    if s.optimizer is not None and s.certificate:
        lines.append(s.certificate)
        if s.optimizer.alternatives_sentence():
            lines.append("  " + s.optimizer.alternatives_sentence())
    lines += spacing_lines(s)
    lines += controls.console_lines(s.closed, s.closing, s.phases, s.relocation)
    lines += surroundings.console_lines(s.others, s.area_goals)
    lines.append(f"outputs written to {out}")
    return lines


def _goal_lines(s: PlanSummary) -> list[str]:
    goals = s.coverage_existing.goals
    after = s.coverage_after_recommended
    lines = []
    if goals:
        lines.append(
            "goals with existing stations: "
            + ", ".join(
                f"{g.target:.0%} within {g.minutes:g} min {_met(g.attained)}" for g in goals
            )
        )
    if goals and after:
        lines.append(
            "goals with the suggested sites: "
            + ", ".join(
                f"{g.target:.0%} within {g.minutes:g} min "
                f"{_met(reaches(after[minutes_text(g.minutes)], g.target))}"
                for g in goals
            )
        )
    return lines


def spacing_lines(s: PlanSummary) -> list[str]:
    """The spacing rule and its cost, in two lines (none without the rule)."""
    sp = s.spacing
    if sp is None:
        return []
    return [
        f"spacing: new sites at least {sp.min_m:g} m from every station and from each other "
        f"({sp.candidates_too_close_to_a_station} candidates too close to a station left out; "
        "--min-spacing-m 0 turns it off)",
        f"  cost of the spacing: without it {_shares(sp.coverage_without)}; objective "
        f"{sp.objective_with:g} with it, {sp.objective_without:g} without "
        f"(cost {sp.objective_cost:g})",
    ]
