"""What the minimum spacing costs: the same objective solved without it, and the coverage
of both answers.

The spacing rule keeps every new site at least ``min_spacing_m`` (straight line) from the
existing stations and from the other new sites. It can only lower the best value; the cost
states by how much, so a planner sees what the rule gives up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np

from ..core.units import minutes_label, tol
from ..optimize import pick_table
from ..optimize._kernels import Work
from . import closing, fixing
from .objectives import Choice, Context, Objective

#: Work limit of the solve without spacing when the method is ``"exact"`` (LP nodes and
#: simplex iterations, not seconds, so the same inputs give the same summary); the greedy
#: and local methods take about as long as the solve with spacing.
UNSPACED_EXACT_WORK = Work(nodes=2000, lp_iterations=200_000)


@dataclass(frozen=True)
class SpacingCost:
    """The answer with the spacing rule against the same objective solved without it.

    Attributes
    ----------
    min_m
        The minimum spacing (m).
    too_close
        Candidates closer than ``min_m`` to an existing station (left out).
    close_pairs
        Pairs of candidates closer than ``min_m`` to each other (not both chosen).
    coverage_with, coverage_without
        Share of demand within each threshold (label) of a station, with the suggested
        sites and with the sites chosen without the rule.
    objective_with, objective_without
        The objective's value of both answers (without the rule at least the value with
        it: the spaced answer is allowed without the rule too).
    sites_without
        Candidate positions of the answer without the rule.
    proven_without
        Whether the answer without the rule is proven optimal.
    """

    min_m: float
    too_close: int
    close_pairs: int
    coverage_with: Mapping[str, float]
    coverage_without: Mapping[str, float]
    objective_with: float
    objective_without: float
    sites_without: tuple[int, ...]
    proven_without: bool

    @property
    def cost(self) -> float:
        """How much of the objective the rule gives up (>= 0)."""
        return self.objective_without - self.objective_with


def _shares(ctx: Context, selected: np.ndarray) -> dict[str, float]:
    last = pick_table(ctx.stations, ctx.candidates, selected).iloc[-1]
    return {
        minutes_label(t): float(last[f"cumulative_share_{minutes_label(t)}"])
        for t in ctx.request.thresholds_s
    }


def spacing_cost(objective: Objective, ctx: Context, choice: Choice) -> SpacingCost | None:
    """The cost of the spacing rule of ``ctx`` for the answer ``choice`` of ``objective``:
    the objective solved again without the rule, by the same method (``"exact"`` within
    :data:`UNSPACED_EXACT_WORK`) and with the same phases, so the cost is the rule's alone.
    None without a spacing rule or without sites."""
    if (ctx.conflicts is None and ctx.allowed is None) or ctx.add <= 0:
        return None
    spaced = choice.solution
    limit = UNSPACED_EXACT_WORK if ctx.request.method == "exact" else None
    free = fixing.choose(  # phase by phase when there are phases, as the answer was
        objective, replace(ctx, conflicts=None, allowed=None, time_limit_s=limit)
    )
    unspaced = free.solution
    better = unspaced.objective > spaced.objective + tol(spaced.objective)
    sel, value = (
        (unspaced.selected, unspaced.objective) if better else (spaced.selected, spaced.objective)
    )
    # coverage with the stations that stay after each answer's moves (all without moves)
    spaced_ctx = closing.staying(ctx, choice)
    free_ctx = closing.staying(ctx, free) if better else spaced_ctx
    allowed = ctx.allowed
    return SpacingCost(
        min_m=float(ctx.request.spacing_m),
        too_close=0 if allowed is None else int((~allowed).sum()),
        close_pairs=0 if ctx.conflicts is None else int(ctx.conflicts.nnz // 2),
        coverage_with=_shares(spaced_ctx, spaced.selected),
        coverage_without=_shares(free_ctx, np.asarray(sel)),
        objective_with=float(spaced.objective),
        objective_without=float(value),
        sites_without=tuple(int(j) for j in sel),
        proven_without=bool(unspaced.optimal),
    )
