"""The budget in money as the summary states it: the budget, what the suggested sites
spend of it and what is left (``summary.json`` ``budget``)."""

from __future__ import annotations

from dataclasses import dataclass

from ..plan.result import Plan


@dataclass(frozen=True)
class Budget:
    """The budget in money and what the suggested sites spend of it."""

    budget: float
    spent: float
    left: float
    cost_column: str
    most_sites: int | None = None


def budget_of(plan: Plan) -> Budget | None:
    """The budget of ``plan`` (None without one)."""
    given = plan.request.echo().get("budget")
    if not given or "cost" not in plan.recommended.columns:
        return None
    spent = float(plan.recommended["cost"].sum())
    return Budget(
        budget=float(given["budget"]), spent=spent, left=float(given["budget"]) - spent,
        cost_column=str(given["cost_column"]), most_sites=given["most_sites"],
    )  # fmt: skip
