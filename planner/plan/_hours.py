"""The hours of a plan: when the stations and candidates are open and when the demand is
(read once, for the objective and for the coverage by hour), and the coverage by hour."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from ..analysis import hourly
from ..inputs import hours as hours_in
from .objectives import Context, HoursCoverage
from .request import PlanRequest

#: What the summary says of venues without opening hours.
ASSUMPTION = (
    "a station or candidate with no opening_hours is assumed open around the clock; a venue "
    "counts as open in an hour when it is open for at least half of it, on the reference week "
    "starting {monday} (no public holidays)"
)


def read(
    request: PlanRequest,
    hotspots: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
) -> hourly.Hours:
    """When each station and candidate is open (their ``opening_hours``; an unreadable value
    is an error naming the source, row and value) and the hotspots' demand by hour."""
    read_st = hours_in.of_sites(stations, source=_source(request, "stations"))
    read_cand = hours_in.of_sites(candidates, source=_source(request, "candidates"))
    demand = hours_in.demand_by_hour(hotspots)
    notes: dict[str, Any] = {
        "stations_with_hours": len(stations) - read_st.assumed,
        "stations_assumed_always_open": read_st.assumed,
        "candidates_with_hours": len(candidates) - read_cand.assumed,
        "candidates_assumed_always_open": read_cand.assumed,
        "demand_by_hour": demand is not None,
        "assumption": ASSUMPTION.format(monday=hours_in.REFERENCE_MONDAY.isoformat()),
    }
    return hourly.Hours(read_st.open, read_cand.open, demand, notes)


def _source(request: PlanRequest, role: str) -> str:
    given = request.sources.get(role)
    return f"{role} {given}" if given else role


def fields(ctx: Context, picked: np.ndarray) -> dict[str, Any]:
    """The plan's ``coverage_by_hour`` (see :func:`planner.analysis.hourly.by_hour`) and
    ``opening_hours`` (how the hours were read) when the hours matter: some venue has
    opening hours, the hotspots have demand by hour, or the objective covers given hours.
    Both None otherwise."""
    hours = ctx.hours
    if hours is None:
        return {"coverage_by_hour": None, "opening_hours": None}
    notes = hours.notes or {}
    given = notes.get("stations_with_hours", 0) or notes.get("candidates_with_hours", 0)
    if not (given or hours.demand is not None or isinstance(ctx.request.objective, HoursCoverage)):
        return {"coverage_by_hour": None, "opening_hours": None}
    rows = hourly.by_hour(ctx.stations, ctx.candidates, picked, hours)
    return {"coverage_by_hour": tuple(rows), "opening_hours": dict(notes)}
