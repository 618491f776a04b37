"""Relocation (``relocate``): up to N existing stations may move to candidate sites, with
the coverage objective (:class:`~planner.optimize.relocation.Relocation`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..optimize.relocation import Relocated, Relocation
from . import fixing

if TYPE_CHECKING:  # pragma: no cover
    from .objectives import Choice, Context, Objective


def choose(objective: Objective, ctx: Context) -> Choice:
    """The best sites to open and stations to close within ``relocate`` moves, honouring
    the agreed and excluded sites and the spacing rule; with the value of the best answer
    found that moves none (the same search with no move), so the gain of moving is stated."""
    from .objectives import Choice

    k_all = range(len(ctx.request.thresholds_s))
    stations = [ctx.stations.covered(k).T.tocsc() for k in k_all]
    cover = [ctx.candidates.covered(k).T.tocsc() for k in k_all]

    def run(most: int) -> Relocated:
        problem = Relocation(
            stations, cover, ctx.weights, ctx.add, most,
            threshold_weights=objective.curve_weights(ctx.request.minutes),
            conflicts=ctx.conflicts, allowed=fixing.usable(ctx), fixed=ctx.fixed,
        )  # fmt: skip
        return problem.solve(ctx.request.method, time_limit_s=ctx.time_limit_s)

    moved, still = run(ctx.request.controls.relocate), run(0)
    return Choice(moved.solution, closed=moved.closed, unmoved=still.solution.objective)
