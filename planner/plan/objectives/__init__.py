"""What the new sites should do best: one class per objective.

An objective checks the options it takes (:meth:`Objective.check`), builds its problem of
:mod:`planner.optimize` from the one set of travel times and solves it
(:meth:`Objective.choose`), and says in words what its number means
(:meth:`Objective.meaning`). :func:`planner.plan.run.plan` calls these and nothing else, so a
new objective is one class here, registered in :data:`BY_NAME`, plus its problem in
``optimize/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...core.errors import FieldError
from .area_reach import AREAS, AreaReach
from .backup import Backup
from .base import NOT_WITH, SPACING_M, Choice, Context, Objective
from .budget import BudgetCoverage
from .coverage import CapacitatedCoverage, Coverage
from .decay import DecayObjective
from .hours import HoursCoverage
from .reach import Reach
from .times import MEDIAN_MAX_CELLS, LongestTime, TravelTime

__all__ = [
    "AREAS",
    "BY_NAME",
    "Backup",
    "BudgetCoverage",
    "AreaReach",
    "MEDIAN_MAX_CELLS",
    "SPACING_M",
    "CapacitatedCoverage",
    "Choice",
    "Context",
    "Coverage",
    "DecayObjective",
    "HoursCoverage",
    "LongestTime",
    "Objective",
    "Reach",
    "TravelTime",
    "from_options",
]

#: Objectives by the name ``objective=`` takes; ``reach`` picks :class:`Reach`.
BY_NAME: Mapping[str, type[Objective]] = {
    "coverage": Coverage,
    "time": TravelTime,
    "worst": LongestTime,
    "backup": Backup,
    "decay": DecayObjective,
}


def from_options(opts: Mapping[str, Any]) -> Objective:
    """The objective the options ask for: ``objective`` by name (:data:`BY_NAME`), or
    :class:`Reach` when ``reach`` is given with the coverage objective
    (:class:`AreaReach` when it is ``"areas"``), :class:`BudgetCoverage` when ``budget``
    or ``cost`` is, :class:`HoursCoverage` when ``hours`` is. Options the
    objective does not take are an error."""
    name = opts.get("objective") or "coverage"
    if name not in BY_NAME:
        raise FieldError(
            "objective", "{objective}: use one of {choices}, got {got!r}",
            choices=", ".join(BY_NAME), got=name,
        )  # fmt: skip
    cls: type[Objective] = BY_NAME[name]
    if opts.get("reach") is not None and name == "coverage":
        cls = AreaReach if opts["reach"] == AREAS else Reach
    elif name == "coverage" and (opts.get("budget") is not None or opts.get("cost") is not None):
        cls = BudgetCoverage
    elif opts.get("hours") is not None and name == "coverage":
        cls = HoursCoverage
    classes: tuple[type[Objective], ...] = (
        *BY_NAME.values(), Reach, AreaReach, BudgetCoverage, HoursCoverage,
    )  # fmt: skip
    for option in sorted({o for c in classes for o in c.takes}):
        if opts.get(option) is not None and option not in cls.takes:
            raise FieldError(option if option != "reach" else "objective", NOT_WITH[option],
                             name=name)  # fmt: skip
    return cls.from_options(opts)
