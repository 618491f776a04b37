"""The frozen result of a plan: data only. Summaries, tables, maps and files are made from
it in :mod:`planner.outputs`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import pandas as pd

from ..analysis.travel import TravelTimes
from ..inputs.network import Network
from ..optimize import Solution
from .closing import Closing
from .fixing import Phase
from .others import Others
from .request import PlanRequest
from .spacing import SpacingCost


@dataclass(frozen=True)
class Plan:
    """Everything the planner found for one district and one request.

    Frames are in WGS-84 (EPSG:4326) unless said otherwise; times in seconds inside,
    minutes in the columns named ``*_minutes``.

    Attributes
    ----------
    network
        The road network of the travel mode.
    request
        The validated request (thresholds, goals, objective, method, limits, sources).
    hotspots
        The hotspots with their snap distance and status, nearest-station minutes and a
        ``covered_T`` / ``beyond_T`` flag per threshold ``T`` (minutes).
    stations, candidates
        The existing stations (with ``nearest_road``) and the candidates considered (those
        sharing an id with a station left out).
    station_times, candidate_times
        The one set of travel times: stations × hotspots and candidates × hotspots.
    scores
        Per station and threshold (see :func:`planner.analysis.coverage.station_scores`).
    district
        District figures (see :func:`planner.analysis.coverage.district_summary`).
    recommended
        The suggested sites in pick order, with what each adds per threshold.
    solution
        The optimiser's answer with its bound and gap.
    sites_asked
        How many new sites were asked for (or found, when the objective decides).
    isochrones, service_areas
        Polygons per station and threshold (kind ``existing`` / ``suggested``), and the
        dissolved area of the existing stations per threshold.
    snapping
        Every point's segment, road, snap distance and status.
    blind_spots
        Hotspots beyond the first threshold, heaviest first.
    areas_scored
        District figures per sub-area (with areas).
    coverage_curve
        Demand added and cumulative share for k = 0..K sites in greedy order.
    served_after
        With capacities: share of demand served within each threshold (label).
    served_split
        With capacities: the share of each hotspot's demand each suggested site serves in
        the best split (``hotspot_id``, ``site_id``, ``share``).
    others
        With other operators' stations: them, whether they count, and the district's
        figures with and without them (:class:`~planner.plan.others.Others`).
    area_goals
        With goals per area: one row per goal, its share today and with the suggested
        sites, and whether it is met (see :func:`planner.plan.area_goals.table`).
    spacing
        With a minimum spacing: what it costs (the answer against the same objective
        solved without it; see :class:`~planner.plan.spacing.SpacingCost`).
    grade_rule
        The rule that grades the stations, in words.
    timings
        Seconds per stage.
    coverage_by_hour
        When opening hours or demand by hour are known: per hour of a typical weekday (and
        weekend day where it differs), the share of that hour's demand within each
        threshold of a site open then (see :func:`planner.analysis.hourly.by_hour`).
    opening_hours
        With ``coverage_by_hour``: how many venues had opening hours and the assumption
        made for the others.
    parts
        The strongly connected parts of the network that hold demand, stations or
        candidates (see :func:`planner.analysis.parts.part_table`).
    """

    network: Network
    request: PlanRequest
    hotspots: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    station_times: TravelTimes
    candidate_times: TravelTimes
    scores: pd.DataFrame
    district: Mapping[str, Any]
    recommended: gpd.GeoDataFrame
    solution: Solution
    sites_asked: int
    isochrones: gpd.GeoDataFrame
    service_areas: gpd.GeoDataFrame
    snapping: pd.DataFrame
    blind_spots: gpd.GeoDataFrame
    grade_rule: str
    areas_scored: pd.DataFrame | None = None
    coverage_curve: pd.DataFrame | None = None
    served_after: Mapping[str, float] | None = None
    served_split: pd.DataFrame | None = None
    #: With capacitated stations (``station_capacity``): per station that stays
    #: (``station_id``), its ``capacity`` and the ``served_demand`` it serves in the best
    #: split with the suggested sites.
    station_service: pd.DataFrame | None = None
    #: With capacitated stations: the share of each hotspot's demand each station serves
    #: in that split (``hotspot_id``, ``station_id``, ``share``).
    station_split: pd.DataFrame | None = None
    timings: Mapping[str, float] = field(default_factory=dict)
    parts: pd.DataFrame | None = None
    spacing: SpacingCost | None = None
    others: Others | None = None
    area_goals: pd.DataFrame | None = None
    #: The stations closed (``close``) and what their closing loses.
    closed: Closing | None = None
    #: With ``relocate``: the stations the plan moves, and the coverage before and after.
    moved: Closing | None = None
    #: With ``relocate``: the value of the best answer found that moves no station.
    moved_from: float | None = None
    #: With phases: each phase's figures (:class:`~planner.plan.fixing.Phase`).
    phases: tuple[Phase, ...] = ()
    coverage_by_hour: tuple[Mapping[str, Any], ...] | None = None
    opening_hours: Mapping[str, Any] | None = None

    @property
    def minutes(self) -> tuple[float, ...]:
        """The service-circle thresholds (minutes)."""
        return self.request.minutes

    @property
    def targets(self) -> tuple[float, ...]:
        """The goal share of each threshold."""
        return self.request.goals
