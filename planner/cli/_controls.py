"""The site-control and phase options of ``planner plan`` (see
:mod:`planner.plan.controls`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click


def control_options() -> list[Callable[..., Any]]:
    """``--include``, ``--exclude``, ``--close``, ``--relocate``, ``--phases`` and
    ``--station-capacity``."""
    return [
        click.option("--include", default=None, metavar="ID,ID",
                     help="Candidate sites already agreed: kept in every answer (and phase) "
                          "and counted among the new sites."),
        click.option("--exclude", default=None, metavar="ID,ID",
                     help="Candidate venues never to choose (also: an exclude column of the "
                          "candidates file, 1/yes to exclude)."),
        click.option("--close", default=None, metavar="ID,ID",
                     help="Existing stations that close: the summary states what is lost, "
                          "and the new sites fill the gap."),
        click.option("--relocate", default=None, metavar="N",
                     help="Up to N existing stations may move to better candidate sites "
                          "(every objective, --capacity too; with --reach a move is not a new "
                          "site: the fewest new sites once up to N stations move; with "
                          "--phases in phase 1): the answer lists the stations to close, the "
                          "sites in their place, the new sites and the coverage gained."),
        click.option("--phases", default=None, metavar="N,N",
                     help="Sites open after each phase, e.g. 5,10: phase 2 keeps every "
                          "phase-1 site; each phase states its gap to the best plan of its "
                          "size."),
        click.option("--station-capacity", default=None, metavar="DEMAND|COLUMN",
                     help="With --capacity: demand each existing station can serve, or the "
                          "stations column holding each station's own; the stations then "
                          "share the demand with the new sites, and every share counts "
                          "demand served, not reachable."),
    ]  # fmt: skip
