"""Relocation (``relocate``): up to N existing stations may close and be replaced by
candidate sites, on top of the ``add`` new ones (each station closed frees a place for one
more site), with every objective; with those that decide the number of sites (``reach``)
the moves are not new sites, and the answer is the fewest new sites that meet the goals.

The plain coverage objective solves its own relocation problem
(:class:`~planner.optimize.relocation.Relocation`). Every other objective builds its own
problem over the union of the stations and the usable candidates (:func:`union_context`,
``Objective.problem``): the stations are its first columns and it has no existing
stations (with capacities, a station keeps its own, or none); :class:`~planner.optimize.
moving.Moving` then searches it with the limit on moves, from every station and the
objective's own answer. An objective that decides the number of sites gives its goals over
the union instead (``Objective.cover_goals``), and :class:`~planner.optimize.moving_cover.
MovingCover` finds the fewest new sites that meet them, a closed station's place not
counted. Either way the value is comparable with the answer that moves none, which is
stated beside it (``unmoved``).

With phases the moves are decided with phase 1: its stations closed stay closed, and every
later phase keeps the sites of the phases before it and adds sites, with the stations that
stay (:func:`phased`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ..analysis import coverage
from ..analysis.travel import TravelTimes
from ..optimize import PCenter, Solution
from ..optimize import solution as sol_mod
from ..optimize.moving import Moving, Relocated
from ..optimize.moving_center import exact_step
from ..optimize.moving_cover import MovingCover
from ..optimize.relocation import Relocation
from . import fixing

if TYPE_CHECKING:  # pragma: no cover
    from .objectives import Choice, Context, Objective


def _stack(a: TravelTimes, b: TravelTimes) -> TravelTimes:
    return TravelTimes(
        sp.csr_matrix(sp.vstack([a.seconds, b.seconds], format="csr")),
        np.concatenate([a.source_ids, b.source_ids]), a.target_ids, a.limit_s,
    )  # fmt: skip


def _rows(times: TravelTimes, rows: np.ndarray) -> TravelTimes:
    return TravelTimes(
        sp.csr_matrix(times.seconds[rows]), times.source_ids[rows], times.target_ids,
        times.limit_s,
    )  # fmt: skip


def union_context(ctx: Context) -> tuple[Context, np.ndarray]:
    """``ctx`` as one problem over the stations and the usable candidates (see
    :func:`~planner.plan.fixing.usable`): no existing stations, the stations as its first
    candidates, ``add`` counting the stations too; and the positions in ``ctx`` of the
    candidates that follow the stations."""
    ok = fixing.usable(ctx)
    n_c = ctx.candidate_times.seconds.shape[0]
    free = np.arange(n_c) if ok is None else np.flatnonzero(ok)
    st = ctx.stations.times
    both = _stack(st, _rows(ctx.candidate_times, free))
    none = _rows(st, np.zeros(0, dtype=np.int64))
    n_s = st.seconds.shape[0]
    conflicts = None
    if ctx.conflicts is not None:
        inner = sp.csr_matrix(ctx.conflicts)[free][:, free]
        conflicts = sp.csr_matrix(sp.block_diag([sp.csr_matrix((n_s, n_s)), inner]))
    hours = ctx.hours
    if hours is not None:
        hours = replace(
            hours, stations=hours.stations[:0],
            candidates=np.concatenate([hours.stations, hours.candidates[free]], axis=0),
        )  # fmt: skip
    th = ctx.candidates.thresholds_s
    union = replace(
        ctx, stations=coverage.Coverage(none, ctx.weights, th),
        candidates=coverage.Coverage(both, ctx.weights, th), candidate_times=both,
        add=n_s + ctx.add, conflicts=conflicts, allowed=None,
        fixed=np.zeros(0, dtype=np.int64), excluded=None, hours=hours, station_capacity=None,
    )  # fmt: skip
    return union, free


def staying(ctx: Context, closed: np.ndarray) -> Context:
    """``ctx`` with the stations ``closed`` (positions) left out, their hours and
    capacities too."""
    if not len(closed):
        return ctx
    n_s = ctx.stations.times.seconds.shape[0]
    keep = np.setdiff1d(np.arange(n_s), closed)
    rows = _rows(ctx.stations.times, keep)
    hours = ctx.hours
    if hours is not None:
        hours = replace(hours, stations=hours.stations[keep])
    caps = None if ctx.station_capacity is None else ctx.station_capacity[keep]
    held = np.flatnonzero(np.isin(keep, ctx.held))
    st = coverage.Coverage(rows, ctx.weights, ctx.stations.thresholds_s)
    return replace(ctx, stations=st, hours=hours, station_capacity=caps, held=held)


def _moving(objective: Objective, ctx: Context) -> tuple[Moving, np.ndarray, np.ndarray]:
    """The relocation of ``objective`` over the union of ``ctx``, the positions of the
    union's candidate columns, and the union columns of the fixed sites."""
    union, free = union_context(ctx)
    n_s = ctx.stations.times.seconds.shape[0]
    caps = ctx.station_capacity
    problem = objective.over_union(n_s, free, station_capacity=caps).problem(union)
    where = np.full(ctx.candidate_times.seconds.shape[0], -1, dtype=np.int64)
    where[free] = n_s + np.arange(len(free))
    fixed = np.concatenate([where[ctx.fixed], ctx.held])  # held stations never move
    offset = 0.0 if objective.counts_stations(ctx) else problem.objective(np.arange(n_s))
    moves = ctx.request.controls.relocate
    return Moving(problem, n_s, moves, fixed=fixed, offset=offset), free, where


def _cover(objective: Objective, ctx: Context) -> tuple[Relocated, float]:
    """The relocation of an objective that decides the number of sites (the fewest that
    meet its goals, :class:`~planner.optimize.moving_cover.MovingCover`) and the number of
    new sites of its answer that moves none."""
    still = fixing.choose_one(objective, ctx, moving=False)
    union, free = union_context(ctx)
    n_s = ctx.stations.times.seconds.shape[0]
    covers, goals = objective.cover_goals(union)
    where = np.full(ctx.candidate_times.seconds.shape[0], -1, dtype=np.int64)
    where[free] = n_s + np.arange(len(free))
    fixed = np.concatenate([where[ctx.fixed], ctx.held])  # held stations never move
    problem = MovingCover(covers, ctx.weights, goals, n_s, ctx.request.controls.relocate,
                          fixed=fixed)  # fmt: skip
    start = np.concatenate([np.arange(n_s), where[still.solution.selected]])
    moved = problem.solve(start, ctx.request.method, time_limit_s=ctx.time_limit_s)
    solution = replace(moved.solution, selected=free[moved.solution.selected])
    return replace(moved, solution=solution), still.solution.objective


def _coverage(objective: Objective, ctx: Context) -> tuple[Relocated, float, float]:
    """The plain coverage objective's relocation, its answer that moves none, and the
    value of the stations alone (in the relocation's terms)."""
    k_all = range(len(ctx.request.thresholds_s))
    stations = [ctx.stations.covered(k).T.tocsc() for k in k_all]
    cover = [ctx.candidates.covered(k).T.tocsc() for k in k_all]

    def problem(most: int) -> Relocation:
        return Relocation(
            stations, cover, ctx.weights, ctx.add, most,
            threshold_weights=objective.curve_weights(ctx.request.minutes),
            conflicts=ctx.conflicts, allowed=fixing.usable(ctx), fixed=ctx.fixed, held=ctx.held,
        )  # fmt: skip

    moving = problem(ctx.request.controls.relocate)
    moved = moving.solve(ctx.request.method, time_limit_s=ctx.time_limit_s)
    still = problem(0).solve(ctx.request.method, time_limit_s=ctx.time_limit_s)
    kept = np.setdiff1d(np.arange(moving.n_s), moved.closed)
    return moved, still.solution.objective, moving.value(kept)


def relocate(objective: Objective, ctx: Context) -> tuple[Relocated, float, float, set[str]]:
    """The best sites to open and stations to close within ``relocate`` moves (honouring
    the agreed and excluded sites and the spacing rule), the value of the best answer found
    that moves none, the value of the stations that stay alone (0 where the value is
    absolute), and the per-site columns of the objective's own answer."""
    from .objectives import Coverage

    if type(objective) is Coverage:
        moved, unmoved, kept_value = _coverage(objective, ctx)
        return moved, unmoved, kept_value, set()
    if objective.meets_goals:
        moved, unmoved = _cover(objective, ctx)
        return moved, unmoved, 0.0, set()
    still = fixing.choose_one(objective, ctx, moving=False)
    moving, free, where = _moving(objective, ctx)
    n_s = moving.n_s
    start = np.concatenate([np.arange(n_s), where[still.solution.selected]])
    exact = None
    if isinstance(moving.problem, PCenter):
        exact = exact_step(moving.problem, n_s, moving.moves, moving.fixed)
    moved = moving.solve(start, ctx.request.method, time_limit_s=ctx.time_limit_s, exact=exact)
    moved = replace(moved, solution=replace(moved.solution, selected=free[moved.solution.selected]))
    kept = np.setdiff1d(np.arange(n_s), moved.closed)
    kept_value = 0.0 if objective.counts_stations(ctx) else moving.value(kept)
    return moved, moving.value(start), kept_value, set(still.site_columns)


def choose(objective: Objective, ctx: Context) -> Choice:
    """The objective's choice with moves (see :func:`relocate`): the new sites, the
    stations closed and the value of the answer that moves none; per-site columns where
    the objective gives them without choosing (a cost) and what each new site adds."""
    moved, unmoved, _, names = relocate(objective, ctx)
    own = objective.after_moves(ctx, moved.solution.selected, moved.closed)
    if own is not None:
        return replace(own, solution=moved.solution, closed=moved.closed, unmoved=unmoved)
    from .objectives import Choice

    columns = _columns(objective, ctx, moved, names)
    return Choice(moved.solution, site_columns=columns, closed=moved.closed, unmoved=unmoved)


def _columns(
    objective: Objective, ctx: Context, moved: Relocated, names: set[str]
) -> dict[str, np.ndarray]:
    """The per-site columns of a relocated answer: those the objective knows without
    choosing (a cost), and the ``*_added`` columns: what each new site adds on top of the
    stations that stay and the sites before it."""
    sel = moved.solution.selected
    out = {k: v for k, v in objective.fixed_columns(sel).items() if k in names}
    added = [k for k in names if k.endswith("_added")]
    if added and len(sel):
        after = staying(ctx, moved.closed)
        problem = objective.problem(replace(after, add=len(sel), allowed=None, conflicts=None))
        prefix = [problem.objective(sel[:r]) for r in range(len(sel) + 1)]
        out.update({k: np.round(np.diff(prefix), 6) for k in added})
    return out


def phased(objective: Objective, ctx: Context) -> Choice:
    """Phases with moves: the moves are decided with phase 1 (its closures stay closed);
    every later phase keeps every site before it and adds sites, with the stations that
    stay. Each station closed frees one more site in every phase, so a phase opens its
    count of sites plus the stations closed. Values are in the relocation's terms (against
    today's stations), so the last phase's is comparable with the same phases that move
    none (``unmoved``)."""
    phases = ctx.request.controls.phases
    moved, _, kept_value, _ = relocate(objective, replace(ctx, add=phases[0]))
    after, more = staying(ctx, moved.closed), len(moved.closed)  # each closed frees a site
    first = moved.solution
    figures = [fixing.Phase(1, phases[0] + more, first, fixing.shares(after, first.selected),
                            first, 0.0)]  # fmt: skip
    fixed, choice = first.selected, None
    for number, size in enumerate(phases[1:], start=2):
        inner = replace(after, add=size + more)
        choice = fixing.choose_one(objective, replace(inner, fixed=fixed), moving=False)
        s = _shifted(choice.solution, kept_value, objective.maximise)
        best = _shifted(fixing.choose_one(objective, inner, moving=False).solution, kept_value,
                        objective.maximise)  # fmt: skip
        gap = sol_mod.gap(s.objective, best.bound, maximise=objective.maximise)
        figures.append(
            fixing.Phase(number, size + more, s, fixing.shares(after, s.selected), best, gap)
        )
        fixed, choice = s.selected, replace(choice, solution=s)
    still = fixing.choose(objective, ctx, moving=False)
    from .objectives import Choice

    own = objective.after_moves(ctx, fixed, moved.closed)
    if own is not None:
        choice = replace(own, solution=first if choice is None else choice.solution)
    elif choice is None:
        choice = Choice(first, site_columns=_columns(objective, ctx, moved, set()))
    phase = fixing.phase_column(fixed, figures)
    return replace(
        choice, site_columns={**choice.site_columns, "phase": phase}, phases=tuple(figures),
        closed=moved.closed, unmoved=still.solution.objective,
    )  # fmt: skip


def _shifted(s: Solution, kept_value: float, maximise: bool) -> Solution:
    """An answer with the stations that stay, in the relocation's terms: its value and
    bound shifted by what the stations that stay score alone (``kept_value``)."""
    value, bound = s.objective + kept_value, s.bound + kept_value
    return replace(
        s, objective=value, bound=bound, gap=sol_mod.gap(value, bound, maximise=maximise)
    )
