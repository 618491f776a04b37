"""How every objective honours the site controls and the phases.

Sites already agreed (``Context.fixed``) and venues never chosen (``Context.excluded``)
reduce the problem before the objective builds it: the fixed sites join the existing
stations (their coverage, their travel times), the excluded ones and the fixed ones leave
the candidates, and ``add`` counts the fixed sites among the new ones. Every objective and
every method then solves the reduced problem as it is, and the answer is lifted back: the
fixed sites first, the value and the bound shifted by what the fixed sites alone add
(:meth:`~planner.plan.objectives.Objective.fixed_value`). The reduction is exact: the best
answer holding the fixed sites is the fixed sites plus the best answer of the reduced
problem, so a proof or a bound of one is a proof or a bound of the other. An objective
whose sites do not simply add coverage (capacities are shared) honours the fixed sites in
its own problem (:attr:`~planner.plan.objectives.Objective.fixes_sites`).

Phases (``--phases 5,10``) solve one problem per phase, each with every site of the phase
before fixed, and the same size without that rule (the best unconstrained plan), so each
phase states how much the nesting costs. With ``relocate`` the moves are decided with
phase 1 and later phases add sites with the stations that stay (:mod:`planner.plan.moves`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.sparse as sp

from ..analysis import coverage
from ..analysis.travel import TravelTimes
from ..core.errors import FieldError
from ..core.units import minutes_label
from ..optimize import Solution, pick_table
from ..optimize import solution as sol_mod

if TYPE_CHECKING:  # pragma: no cover
    from .controls import Bound
    from .objectives import Choice, Context, Objective


@dataclass(frozen=True)
class Phase:
    """One phase: its number, the sites open after it, its answer, the share of demand
    within each threshold (label) with them, and the best plan of as many sites without
    keeping the earlier phases (``unconstrained``) with the gap between the two
    (relative, to the best bound of the unconstrained plan; 0 for phase 1)."""

    number: int
    sites: int
    solution: Solution
    shares: dict[str, float]
    unconstrained: Solution
    gap_to_unconstrained: float


def usable(ctx: Context) -> np.ndarray | None:
    """The candidates an answer may hold: allowed by the spacing rule, not excluded, not
    closer than the spacing to a fixed site; the fixed ones always. None: every one."""
    if ctx.allowed is None and ctx.excluded is None and not len(ctx.fixed):
        return None
    n = ctx.candidates.times.seconds.shape[0]
    ok = np.ones(n, dtype=bool) if ctx.allowed is None else np.asarray(ctx.allowed).copy()
    if ctx.excluded is not None:
        ok &= ~ctx.excluded
    if ctx.conflicts is not None and len(ctx.fixed):
        ok[sp.csr_matrix(ctx.conflicts)[ctx.fixed].indices] = False
    ok[ctx.fixed] = True
    return ok


def constrain(ctx: Context, bound: Bound) -> Context:
    """``ctx`` with the run's fixed and excluded candidates; two fixed sites closer than
    the spacing are both kept (agreed sites are not spaced against each other)."""
    fixed = np.asarray(bound.fixed, dtype=np.int64)
    conflicts = ctx.conflicts
    if conflicts is not None and len(fixed):
        m = sp.coo_matrix(conflicts)
        is_fixed = np.zeros(m.shape[0], dtype=bool)
        is_fixed[fixed] = True
        keep = ~(is_fixed[m.row] & is_fixed[m.col])
        conflicts = sp.csr_matrix((m.data[keep], (m.row[keep], m.col[keep])), shape=m.shape)
    excluded = bound.excluded if bound.excluded is not None and bound.excluded.any() else None
    caps, held = bound.station_capacity, bound.held
    if bound.closed is not None:  # the stations that stay, in their order
        caps = None if caps is None else caps[~bound.closed]
        held = None if held is None else held[~bound.closed]
    ctx = replace(
        ctx, fixed=fixed, excluded=excluded, conflicts=conflicts, station_capacity=caps,
        held=np.zeros(0, np.int64) if held is None else np.flatnonzero(held),
    )  # fmt: skip
    ok = usable(ctx)
    if ok is not None and int(ok.sum()) < ctx.add:
        raise FieldError(
            "add", "{add}: asked for {n} new sites but only {m} candidates may be chosen "
            "(after {exclude} and the spacing rule); ask for fewer or exclude fewer",
            n=ctx.add, m=int(ok.sum()),
        )  # fmt: skip
    return ctx


def _rows(times: TravelTimes, rows: np.ndarray) -> TravelTimes:
    return TravelTimes(
        sp.csr_matrix(times.seconds[rows]), times.source_ids[rows], times.target_ids,
        times.limit_s,
    )  # fmt: skip


def _with_rows(cov: coverage.Coverage, more: TravelTimes) -> coverage.Coverage:
    """The coverage of ``cov``'s sites and of ``more``'s (the same targets)."""
    t = cov.times
    both = TravelTimes(
        sp.csr_matrix(sp.vstack([t.seconds, more.seconds], format="csr")),
        np.concatenate([t.source_ids, more.source_ids]), t.target_ids, t.limit_s,
    )  # fmt: skip
    return coverage.Coverage(both, cov.weights, cov.thresholds_s)


def reduced(ctx: Context) -> tuple[Context, np.ndarray]:
    """The problem of ``ctx`` without its controls, and the positions in ``ctx`` of the
    candidates it chooses from: the fixed sites join the existing stations."""
    ok = usable(ctx)
    free_mask = np.ones(ctx.candidates.times.seconds.shape[0], dtype=bool) if ok is None else ok
    free_mask[ctx.fixed] = False
    free = np.flatnonzero(free_mask)
    cand = _rows(ctx.candidate_times, free)
    c = ctx.candidates
    inner = replace(
        ctx,
        stations=_with_rows(ctx.stations, _rows(ctx.candidate_times, ctx.fixed)),
        candidates=coverage.Coverage(cand, c.weights, c.thresholds_s),
        candidate_times=cand,
        add=max(0, ctx.add - len(ctx.fixed)),
        conflicts=None if ctx.conflicts is None else sp.csr_matrix(ctx.conflicts)[free][:, free],
        allowed=None,
        fixed=np.zeros(0, dtype=np.int64),
        excluded=None,
        hours=_hours_of(ctx, free),
    )
    return inner, free


def _hours_of(ctx: Context, free: np.ndarray) -> Any:
    """The opening hours of the reduced problem: the fixed sites' hours join the
    stations', the free candidates keep theirs (None without hours)."""
    h = ctx.hours
    if h is None:
        return None
    stations = np.concatenate([h.stations, h.candidates[ctx.fixed]], axis=0)
    return replace(h, stations=stations, candidates=h.candidates[free])


def choose_one(objective: Objective, ctx: Context, *, moving: bool = True) -> Choice:
    """The objective's choice honouring the fixed and excluded candidates of ``ctx``; with
    ``relocate`` (and ``moving``) the stations may move (:mod:`planner.plan.moves`)."""
    if moving and ctx.request.controls.relocate > 0:
        from . import moves

        return moves.choose(objective, ctx)
    if objective.fixes_sites or (not len(ctx.fixed) and ctx.excluded is None):
        return objective.choose(ctx)
    inner_ctx, free = reduced(ctx)
    inner = objective.without(ctx.fixed, free).choose(inner_ctx)
    s = inner.solution
    shift = objective.fixed_value(ctx, ctx.fixed) if len(ctx.fixed) else 0.0
    value, bound = s.objective + shift, s.bound + shift
    alternative = (
        np.concatenate([ctx.fixed, free[s.alternative]]) if s.alternatives else s.alternative
    )
    lifted = replace(
        s, selected=np.concatenate([ctx.fixed, free[s.selected]]).astype(np.int64),
        objective=value, bound=bound, gap=sol_mod.gap(value, bound, maximise=objective.maximise),
        gains=np.zeros(0), alternative=np.asarray(alternative, dtype=np.int64),
    )  # fmt: skip
    # per-site columns of the smaller problem: the agreed sites come first, with no value
    # of their own (what an agreed site adds is not a choice of the optimiser)
    known = objective.fixed_columns(ctx.fixed)
    pad = np.full(len(ctx.fixed), np.nan)
    columns = {
        k: np.concatenate([known.get(k, pad), np.asarray(v, dtype=float)])
        if len(v) == len(s.selected) else v
        for k, v in inner.site_columns.items()
    }  # fmt: skip
    return replace(inner, solution=lifted, site_columns=columns)


def choose(objective: Objective, ctx: Context, *, moving: bool = True) -> Choice:
    """The objective's choice with the controls, phase by phase when the request has
    phases (the sites then carry a ``phase`` column and the choice each phase's
    figures); with ``relocate`` (and ``moving``) the moves are decided with phase 1
    (:func:`planner.plan.moves.phased`)."""
    phases = ctx.request.controls.phases
    if not phases:
        return choose_one(objective, ctx, moving=moving)
    if moving and ctx.request.controls.relocate > 0:
        from . import moves

        return moves.phased(objective, ctx)
    fixed, figures = ctx.fixed, []
    choice = choose_one(objective, replace(ctx, add=phases[0]), moving=False)
    for number, size in enumerate(phases, start=1):
        if number > 1:  # the nested plan, and the best plan of its size (not nested)
            choice = choose_one(objective, replace(ctx, add=size, fixed=fixed), moving=False)
        s = choice.solution
        best = (
            s if number == 1
            else choose_one(objective, replace(ctx, add=size), moving=False).solution
        )  # fmt: skip
        figures.append(
            Phase(
                number,
                size,
                s,
                shares(ctx, s.selected),
                best,
                sol_mod.gap(s.objective, best.bound, maximise=objective.maximise),
            )  # fmt: skip
        )
        fixed = s.selected
    columns = {**choice.site_columns, "phase": phase_column(fixed, figures)}
    return replace(choice, site_columns=columns, phases=tuple(figures))


def phase_column(sites: np.ndarray, figures: list[Phase]) -> np.ndarray:
    """The phase each of ``sites`` opens in (the first phase whose answer holds it)."""
    phase = np.zeros(len(sites), dtype=np.int64)
    for f in reversed(figures):
        phase[np.isin(sites, f.solution.selected)] = f.number
    return phase


def shares(ctx: Context, selected: np.ndarray) -> dict[str, float]:
    """The share of demand within each threshold (label) with the stations of ``ctx`` and
    the candidates ``selected``."""
    last = pick_table(ctx.stations, ctx.candidates, selected).iloc[-1]
    return {
        minutes_label(t): float(last[f"cumulative_share_{minutes_label(t)}"])
        for t in ctx.request.thresholds_s
    }
