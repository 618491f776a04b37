"""The site controls and phases of a plan as the summary states them: the stations closed
and what their closing loses, and each phase's figures (see :mod:`planner.plan.controls`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..plan.result import Plan


@dataclass(frozen=True)
class ClosedStation:
    """A station that closes, and why (``close``: asked to)."""

    id: str
    name: str
    by: str = "close"


@dataclass(frozen=True)
class ClosingLoss:
    """Share of demand within each threshold (label) of a station with the closed
    stations and without them, and the share lost."""

    share_with: Mapping[str, float]
    share_without: Mapping[str, float]
    lost: Mapping[str, float]


@dataclass(frozen=True)
class PhaseFigures:
    """One phase: the sites open after it (``sites``, ids in ``site_ids``), its answer
    (``value``, ``bound``, ``gap``, ``proven``, as the optimizer's), the share of demand
    within each threshold with them, and the best plan of as many sites that need not
    keep the earlier phases (``unconstrained_value``, ``unconstrained_bound``) with the
    relative gap to that plan's bound (``gap_to_unconstrained``)."""

    phase: int
    sites: int
    site_ids: tuple[str, ...]
    value: float
    bound: float
    gap: float
    proven: bool
    coverage: Mapping[str, float]
    unconstrained_value: float
    unconstrained_bound: float
    gap_to_unconstrained: float


@dataclass(frozen=True)
class Moves:
    """With ``relocate``: the most stations that may move, those closed and the sites
    opened (ids; of them, ``moved_to`` the site in each closed station's place, in their
    order, and ``new_sites`` the others), the share of demand within each threshold with
    today's stations and with the answer, the value of the best answer found that moves
    no station, and how much moving improves on it (above 0: better, whichever way the
    objective goes); with ``reach``, where the value is the number of new sites (a move is
    not one), ``sites_saved``: how many fewer new sites meet the goal."""

    most: int
    closed: tuple[str, ...]
    opened: tuple[str, ...]
    coverage_today: Mapping[str, float]
    coverage_after: Mapping[str, float]
    coverage_gained: Mapping[str, float]
    value_without_moves: float
    value_gained_by_moving: float
    moved_to: tuple[str, ...] = ()
    new_sites: tuple[str, ...] = ()
    sites_saved: float | None = field(default=None, metadata={"omit_none": True})

    def sentence(self) -> str:
        """What moving gains, in words (English)."""
        if self.sites_saved is None:
            return (
                f"the objective improves by {self.value_gained_by_moving:+g} against moving no "
                "station"
            )
        n = len(self.closed)
        without = self.value_without_moves
        if n == 0 or self.sites_saved <= 0:
            return f"moving no station saves a site ({without:g} new sites either way)"
        return (
            f"moving {n} station{'s' * (n != 1)} meets the goal with "
            f"{without - self.sites_saved:g} new site{'s' * (without - self.sites_saved != 1)} "
            f"instead of {without:g}"
        )


@dataclass(frozen=True)
class StationService:
    """With capacitated stations: a station's capacity and the demand it serves in the
    plan's split with the suggested sites (units of the hotspot weights)."""

    id: str
    name: str
    capacity: float
    served_demand: float


def station_service(plan: Plan) -> tuple[StationService, ...] | None:
    """Each station's capacity and served demand (None without capacitated stations)."""
    if plan.station_service is None:
        return None
    names = dict(zip(plan.stations["id"].astype(str), plan.stations["name"], strict=True))
    return tuple(
        StationService(str(r["station_id"]), str(names.get(str(r["station_id"])) or ""),
                       float(r["capacity"]), float(r["served_demand"]))
        for r in plan.station_service.to_dict(orient="records")
    )  # fmt: skip


def closed(plan: Plan) -> tuple[ClosedStation, ...]:
    """The stations closed by the request (``close``) and by the moves (``relocate``)."""
    out = []
    for c in (plan.closed, plan.moved):
        if c is not None:
            out += [ClosedStation(i, n, c.by) for i, n in zip(c.ids, c.names, strict=True)]
    return tuple(out)


def moves(plan: Plan, after: Mapping[str, float]) -> Moves | None:
    """The moves of a plan with ``relocate`` (None without); ``after``: the share of demand
    within each threshold with the answer."""
    most = plan.request.controls.relocate
    if not most:
        return None
    today = {k: c["share"] for k, c in plan.district["covered"].items()}
    after = dict(after) or today
    unmoved = plan.moved_from if plan.moved_from is not None else float("nan")
    value = plan.solution.objective
    gained = value - unmoved if plan.request.objective.maximise else unmoved - value
    opened = tuple(plan.recommended["id"].astype(str))
    moved_to = () if plan.moved is None else plan.moved.to
    return Moves(
        most=most, closed=() if plan.moved is None else plan.moved.ids, opened=opened,
        coverage_today=today, coverage_after=after,
        coverage_gained={k: after[k] - v for k, v in today.items()},
        value_without_moves=unmoved, value_gained_by_moving=gained, moved_to=moved_to,
        new_sites=tuple(i for i in opened if i not in set(moved_to)),
        sites_saved=gained if plan.request.objective.meets_goals else None,
    )  # fmt: skip


def closing_loss(plan: Plan) -> ClosingLoss | None:
    c = plan.closed
    if c is None:
        return None
    return ClosingLoss(dict(c.share_with), dict(c.share_without), c.lost)


def phases(plan: Plan) -> tuple[PhaseFigures, ...] | None:
    """Each phase's figures (None without phases)."""
    if not plan.phases:
        return None
    ids = plan.candidates["id"].astype(str).to_numpy()
    return tuple(
        PhaseFigures(
            phase=p.number,
            sites=p.sites,
            site_ids=tuple(ids[p.solution.selected]),
            value=float(p.solution.objective),
            bound=float(p.solution.bound),
            gap=float(p.solution.gap),
            proven=bool(p.solution.optimal),
            coverage=p.shares,
            unconstrained_value=float(p.unconstrained.objective),
            unconstrained_bound=float(p.unconstrained.bound),
            gap_to_unconstrained=float(p.gap_to_unconstrained),
        )  # fmt: skip
        for p in plan.phases
    )


def fields(plan: Plan, after: Mapping[str, float]) -> dict[str, Any]:
    """The summary's ``closed``, ``closing``, ``phases``, ``relocation`` and
    ``station_service`` of ``plan`` (``after``: the share of demand within each threshold
    with the answer)."""
    return {
        "closed": closed(plan), "closing": closing_loss(plan), "phases": phases(plan),
        "relocation": moves(plan, after), "station_service": station_service(plan),
    }  # fmt: skip


def console_lines(
    closed_stations: tuple[ClosedStation, ...],
    loss: ClosingLoss | None,
    figures: tuple[PhaseFigures, ...] | None,
    relocation: Moves | None = None,
) -> list[str]:
    """The closed stations with what is lost, one line per phase, and the moves."""
    lines = []
    if relocation is not None:
        r = relocation
        gained = ", ".join(f"{k} min {v:+.1%}" for k, v in r.coverage_gained.items())
        moved = ", ".join(f"{a} to {b}" for a, b in zip(r.closed, r.moved_to, strict=False))
        lines.append(
            f"relocation (at most {r.most}): move {moved or 'no station'}; new sites "
            f"{', '.join(r.new_sites) or 'none'}; {r.sentence()}; coverage {gained} against "
            "today"
        )
    if closed_stations and loss is not None:
        lost = ", ".join(f"{k} min {v:.1%}" for k, v in loss.lost.items())
        names = ", ".join(f"{c.name or c.id} ({c.id})" for c in closed_stations if c.by == "close")
        lines.append(f"closing {names} loses {lost} of demand; the new sites fill the gap")
    for f in figures or ():
        cov = ", ".join(f"{k} min {v:.1%}" for k, v in f.coverage.items())
        lines.append(
            f"phase {f.phase}: {f.sites} sites, {cov}; within "
            f"{f.gap_to_unconstrained:.2%} of the best plan of {f.sites} sites"
        )
    return lines
