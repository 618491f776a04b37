"""A plan with the district's surroundings: other operators' stations and goals per
sub-area, around :func:`planner.plan.run.plan`.

Other operators' stations (``others``) either count toward the district's goals
(``others_count=True``, the default: a rider is served by any care station, and a new
station next to a union's adds little), in which case the plan treats them as existing
coverage; or they do not, and every figure is the district's own. Either way the result
states both figures and the assumption (:class:`~planner.plan.others.Others`).

Goals per area (``area_targets``, see :mod:`planner.inputs.area_targets`) are checked
against the areas and the thresholds, drive ``reach="areas"`` (the fewest new sites that
meet every area's goals at once), and are scored before and after the suggested sites.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import geopandas as gpd
import pandas as pd

from ..inputs.network import Network
from . import area_goals, run
from . import others as others_mod
from .request import PlanRequest
from .result import Plan


def plan(
    network: Network,
    hotspots: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame | None = None,
    request: PlanRequest | None = None,
    *,
    areas: gpd.GeoDataFrame | None = None,
    others: gpd.GeoDataFrame | None = None,
    others_count: bool = True,
    area_targets: pd.DataFrame | None = None,
    sources: dict[str, str] | None = None,
    **options: Any,
) -> Plan:
    """:func:`planner.plan.run.plan` with other operators' stations and goals per area.

    Parameters
    ----------
    others
        Other operators' stations (WGS-84, unique ``id`` distinct from the stations', an
        ``operator`` column optional).
    others_count
        Whether their coverage counts toward the district's goals.
    area_targets
        Goals per area (``area, minutes, share, row``), with ``areas``.
    sources
        How errors name the files (``others``, ``area_targets``).
    """
    names = {"others": "others file", "area_targets": "area targets file", **(sources or {})}
    request = request.validate() if request is not None else PlanRequest.from_options(**options)
    targets = None
    if area_targets is not None:
        targets = area_goals.check(area_targets, areas, request, names["area_targets"])
    request = area_goals.bind(request, targets, hotspots, areas)
    planned_stations = stations
    if others is not None:
        others = others_mod.checked(others, stations, names["others"])
        candidates = others_mod.without_their_sites(candidates, others)
        if others_count:  # theirs count, but never move
            planned_stations = others_mod.merged(stations, others)
            held = tuple(others["id"].astype(str))
            request = replace(request, controls=replace(request.controls, held=held))
    result = run.plan(network, hotspots, planned_stations, candidates, request, areas=areas)
    extra: dict[str, Any] = {}
    if others is not None:
        extra["others"] = others_mod.figures(
            network, hotspots, others, result.station_times, request, count=others_count
        )
    if targets is not None and result.areas_scored is not None:
        extra["areas_scored"] = area_goals.scored(result.areas_scored, targets, request)
        extra["area_goals"] = area_goals.table(result.areas_scored, targets, request)
    return replace(result, **extra) if extra else result
