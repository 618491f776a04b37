"""From inputs and a request to a :class:`~planner.plan.result.Plan`, as short stages.

``plan()`` snaps every point once, computes one set of travel times (stations × hotspots and
candidates × hotspots, within the largest threshold) and derives from it the station scores,
the suggested sites and the isochrone polygons, so a circle never disagrees with a score.
The objective of the request builds its own problem and solves it; ``plan()`` has no branch
per objective.
"""

from __future__ import annotations

import logging
from collections.abc import Sized
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..analysis import coverage, hourly, isochrones, travel
from ..core import crs as crs_mod
from ..core import memory
from ..core._progress import stage
from ..core.crs import COORDINATES_NOTE, WGS84
from ..core.errors import FieldError, InputError
from ..inputs import sites
from ..inputs.network import Network
from ..optimize import MaximalCoverage, pick_table, spacing_conflicts
from . import _areas, _frames, _hours, _network, closing, fixing
from .controls import Bound
from .objectives import Choice, Context, Objective
from .request import PlanRequest
from .result import Plan
from .spacing import SpacingCost, spacing_cost

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Snaps:
    hotspots: travel.Snapped
    stations: travel.Snapped
    candidates: travel.Snapped
    table: pd.DataFrame
    #: The venues' own positions (network CRS, m) of the stations and of the candidates.
    sites_xy: tuple[np.ndarray, np.ndarray]


def plan(
    network: Network,
    hotspots: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame | None = None,
    request: PlanRequest | None = None,
    *,
    areas: gpd.GeoDataFrame | None = None,
    **options: Any,
) -> Plan:
    """Score the existing stations and suggest new sites, from one set of travel times.

    Parameters
    ----------
    network, hotspots, stations, candidates
        Road network for the travel mode; WGS-84 points with unique ``id`` (hotspots with
        ``weight`` >= 0, sites with ``name``). Candidates sharing an id with a station are
        left out; without candidates the stations are only scored.
    request
        What to plan (:class:`~planner.plan.request.PlanRequest`), or instead its options
        by name (see :meth:`PlanRequest.from_options`: ``add=5``, ``reach="90%@10"``...).
    areas
        Sub-district polygons (WGS-84, column ``area``): district figures per sub-area.
    """
    timings: dict[str, float] = {}
    request, candidates, objective, (add, bound), (stations, closed), hours = _prepare(
        _resolve(request, options), hotspots, stations, candidates
    )
    with stage(log, "snap", timings):
        snaps = _snap(network, request, hotspots, stations, candidates)
    with stage(log, "travel_times", timings):
        st_times, cand_times = _times(network, request, snaps)
    weights, cov_st, cov_cand = _coverages(hotspots, (st_times, cand_times), request)
    with stage(log, "scoring", timings):
        scores, district = _score(cov_st, request)
        net_fig = _figures(network, snaps, (hotspots, stations), st_times, request)
    with stage(log, "optimize", timings):
        ctx = _context(request, cov_st, cov_cand, cand_times, weights, (add, bound), snaps)
        ctx = replace(ctx, hours=hours)
        choice, (ctx, after), spacing, picks = _choose(objective, ctx, net_fig.parts)
        picked = choice.solution.selected
        curve = _curve(after, objective, candidates, picked)
    recommended = _recommended(candidates, picks, snaps.candidates, network, choice)
    areas_scored = _areas.figures(cov_st, cov_cand, picked, hotspots, areas, request)
    with stage(log, "isochrones", timings):
        iso, service = _circles(network, request, snaps, st_times, choice, len(stations))
    hs = _hotspot_status(hotspots, snaps, cov_st, net_fig)
    return Plan(  # every frame in WGS-84
        network=network, request=request, hotspots=hs,
        stations=stations.reset_index(drop=True).assign(nearest_road=_roads(snaps, "station")),
        candidates=candidates, station_times=st_times, candidate_times=cand_times,
        scores=scores, district=district, recommended=recommended, solution=choice.solution,
        sites_asked=ctx.add, isochrones=_frames.wgs84(iso), service_areas=_frames.wgs84(service),
        snapping=_network.snapping_table(snaps.table, net_fig), timings=timings,
        blind_spots=_frames.blind_spots(hs, cov_st, net_fig), parts=net_fig.parts, spacing=spacing,
        **_hours.fields(ctx, choice.solution.selected),
        grade_rule=coverage.GRADE_RULE, areas_scored=areas_scored, coverage_curve=curve,
        served_after=choice.served_after, **_frames.splits(choice, cand_times, st_times),
        **_controlled(network, snaps.hotspots, (stations, closed), (ctx, after), choice),
    )  # fmt: skip


def _resolve(request: PlanRequest | None, options: dict[str, Any]) -> PlanRequest:
    if request is None:
        return PlanRequest.from_options(**options)
    if options:
        raise TypeError("give either a request or options by name, not both")
    return request.validate()


def _prepare(
    request: PlanRequest,
    hotspots: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame | None,
) -> tuple[
    PlanRequest,
    gpd.GeoDataFrame,
    Objective,
    tuple[int, Bound],
    tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    hourly.Hours,
]:
    """Check the data against the request: the candidates that are not stations (without
    candidates, the stations are only scored), the objective bound to them, how many
    sites to add and the site controls resolved against them, the stations that stay
    and those that close, and when the sites are open and the demand is."""
    if candidates is None:
        candidates, request = sites.empty_sites(), replace(request, add=0)
    if len(hotspots) == 0:
        raise InputError("hotspots: no points; give at least one hotspot")
    source = _candidates_source(request.sources.get("candidates"))
    keep = _new_sites_by_id(candidates, stations)
    objective = request.objective.bind(candidates, keep=keep, source=source)
    kept = candidates.iloc[keep].reset_index(drop=True)
    add = 0 if objective.decides_count() else request.add
    if add > len(kept):
        raise FieldError(
            "add",
            "{add}: asked for {n} new stations but there are only {m} candidate sites; "
            "ask for fewer or give more candidates",
            n=add, m=len(kept),
        )  # fmt: skip
    given = request.sources.get("stations")
    bound = request.controls.bind(
        kept, stations, source=source, stations_source=f"stations {given}" if given else "stations"
    )
    staying, closed = closing.split(stations, bound)
    hours = _hours.read(request, hotspots, staying, kept)
    return request, kept, objective, (add, bound), (staying, closed), hours


def _candidates_source(given: object) -> str:
    """How errors name the candidates: their file (``candidates x.csv``), or what they are
    (``candidates (host venues of the extract)``)."""
    if not given:
        return "candidates"
    return f"candidates {given}" if Path(str(given)).suffix else f"candidates ({given})"


def _new_sites_by_id(candidates: gpd.GeoDataFrame, stations: gpd.GeoDataFrame) -> np.ndarray:
    """Positions of the candidates that are not stations, in the order of their ids: so the
    order of the rows of a file never decides between tied venues."""
    new = np.flatnonzero(~candidates["id"].isin(set(stations["id"])).to_numpy())
    ids = candidates["id"].astype(str).to_numpy()[new]
    return new[np.argsort(ids, kind="stable")]


def _project_xy(frame: gpd.GeoDataFrame, net: Network) -> np.ndarray:
    if len(frame) == 0:
        return np.zeros((0, 2))
    g = frame.geometry.to_crs(net.crs)
    return np.column_stack([g.x.to_numpy(), g.y.to_numpy()])


def _snap(
    net: Network,
    request: PlanRequest,
    hotspots: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
) -> _Snaps:
    """Every point onto its nearest usable road; a role whose points are all far from the
    network is an error (the wrong coordinate system, swapped columns, another city). A
    run too large for its memory limit is refused first."""
    _budget(request, net, hotspots, stations, candidates)
    limits = {"max_distance_m": request.snap_max_m, "warn_distance_m": request.snap_warn_m}
    snapped = {
        role: travel.snap(net, _project_xy(frame, net), frame["id"].to_numpy(), **limits)
        for role, frame in (("hotspots", hotspots), ("stations", stations),
                            ("candidates", candidates))
    }  # fmt: skip
    for role, s in snapped.items():
        if len(s) and s.excluded.all():
            lon0, lat0, lon1, lat1 = net.nodes.to_crs(WGS84).total_bounds
            raise InputError(
                f"{role}: all {len(s)} points lie more than {request.snap_max_m:g} m from the "
                f"road network (which spans lon {lon0:.4f}..{lon1:.4f}, lat "
                f"{lat0:.4f}..{lat1:.4f}); check the points' coordinate system (crs), "
                "swapped lon/lat columns, or the network file"
            )
    table = pd.concat(
        [s.report(net, role=role[:-1]) for role, s in snapped.items()], ignore_index=True
    )
    return _Snaps(
        snapped["hotspots"], snapped["stations"], snapped["candidates"], table,
        (_project_xy(stations, net), _project_xy(candidates, net)),
    )  # fmt: skip


def _times(
    net: Network, request: PlanRequest, snaps: _Snaps
) -> tuple[travel.TravelTimes, travel.TravelTimes]:
    """The one set of travel times: stations × hotspots (node times kept for the circles)
    and candidates × hotspots, within the largest threshold, within the memory limit."""
    limit = request.thresholds_s[-1]
    budget = _budget(request, net, snaps.hotspots, snaps.stations, snaps.candidates)
    st_times = travel.compute(
        net, snaps.stations, snaps.hotspots, limit_s=limit, keep_node_times=True, budget=budget
    )
    budget = budget.with_pairs(st_times.seconds.nnz)
    return st_times, travel.compute(
        net, snaps.candidates, snaps.hotspots, limit_s=limit, budget=budget
    )


def _budget(request: PlanRequest, net: Network, *points: Sized) -> memory.Budget:
    """The memory budget of a run from its counts (hotspots, stations, candidates),
    checked: a :class:`~planner.core.memory.MemoryLimitError` when they do not fit."""
    hotspots, stations, candidates = points
    given = request.sources.get("hotspots")
    return memory.Budget.of(
        request.memory_gib, hotspots=len(hotspots), sites=len(stations) + len(candidates),
        nodes=net.n_nodes, thresholds=len(request.thresholds_s),
        source=f"hotspots {given}" if given else "hotspots",
    ).check()  # fmt: skip


def _coverages(
    hotspots: gpd.GeoDataFrame,
    times: tuple[travel.TravelTimes, travel.TravelTimes],
    request: PlanRequest,
) -> tuple[np.ndarray, coverage.Coverage, coverage.Coverage]:
    """The hotspots' weights, and the coverage of the stations and of the candidates from
    their travel times."""
    weights = hotspots["weight"].to_numpy(dtype=float)
    st, cand = (coverage.Coverage(t, weights, request.thresholds_s) for t in times)
    return weights, st, cand


def _figures(
    net: Network,
    snaps: _Snaps,
    frames: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    st_times: travel.TravelTimes,
    request: PlanRequest,
) -> _network.NetworkFigures:
    """The parts of the network, the blind-spot reasons and the detour anomalies."""
    snapped = (snaps.hotspots, snaps.stations, snaps.candidates)
    return _network.figures(net, snapped, frames, st_times, request.thresholds_s)


def _score(cov: coverage.Coverage, request: PlanRequest) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Each station's scores and grade, and the district figures, against the goals."""
    return coverage.station_scores(cov, request.goals), coverage.district_summary(
        cov, request.goals
    )


def _choose(
    objective: Objective, ctx: Context, parts: pd.DataFrame
) -> tuple[Choice, tuple[Context, Context], SpacingCost | None, pd.DataFrame]:
    """The objective's choice; the context with the number of sites it settled on, and
    the same with only the stations that stay (after any moves); with a minimum spacing
    what it costs; and the pick table of the choice. A goal out of reach names the parts
    of the network whose demand no site can reach."""
    try:
        choice = fixing.choose(objective, ctx)
    except FieldError as exc:
        raise _network.unreachable_parts(exc, parts) from None
    if objective.decides_count():
        ctx = replace(ctx, add=len(choice.solution.selected))
    after = closing.staying(ctx, choice)
    picks = pick_table(after.stations, ctx.candidates, choice.solution.selected)
    return choice, (ctx, after), spacing_cost(objective, ctx, choice), picks


def _controlled(
    net: Network,
    hotspots: travel.Snapped,
    stations: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    contexts: tuple[Context, Context],
    choice: Choice,
) -> dict[str, Any]:
    """The plan's stations closed (``stations``: those that stay and those that close)
    with what their closing loses, the moves with the coverage before and after
    (``contexts``: before and after the moves) and the phases."""
    (staying, closed), (ctx, after) = stations, contexts
    return {
        "closed": closing.loss(net, ctx.request, closed, hotspots, ctx.stations),
        "moved": closing.moved(staying, ctx, after, choice),
        "moved_from": choice.unmoved,
        "phases": choice.phases,
    }


def _roads(snaps: _Snaps, role: str) -> np.ndarray:
    return snaps.table.loc[snaps.table["role"] == role, "road_name"].to_numpy()


def _context(
    request: PlanRequest,
    cov_st: coverage.Coverage,
    cov_cand: coverage.Coverage,
    cand_times: travel.TravelTimes,
    weights: np.ndarray,
    counts: tuple[int, Bound],
    snaps: _Snaps,
) -> Context:
    """What the objective chooses from; with a minimum spacing, the candidates too close to
    a station and the pairs too close to each other (straight line between the venues, in
    the network's projected CRS); the site controls (``counts``: the sites to add, the
    controls)."""
    (add, bound), conflicts, allowed = counts, None, None
    stations_xy, candidates_xy = snaps.sites_xy
    if request.spacing_m > 0 and len(candidates_xy):
        conflicts, allowed = spacing_conflicts(
            candidates_xy, request.spacing_m, existing_xy=stations_xy
        )
        if allowed is not None and int(allowed.sum()) < add:
            raise FieldError(
                "add",
                "{add}: asked for {n} new sites but only {m} candidates lie at least "
                "{spacing:g} m ({min_spacing_m}) from every station; ask for fewer, lower "
                "{min_spacing_m}, or give more candidates",
                n=add, m=int(allowed.sum()), spacing=request.spacing_m,
            )  # fmt: skip
    ctx = Context(
        request, cov_st, cov_cand, cand_times, weights, add, conflicts, allowed,
        time_limit_s=request.time_limit,
    )  # fmt: skip
    return fixing.constrain(ctx, bound)


def _curve(
    ctx: Context, objective: Objective, candidates: gpd.GeoDataFrame, chosen: np.ndarray
) -> pd.DataFrame | None:
    """Demand added and cumulative share for k = 0..K sites: the suggested sites first, in
    their order (so the curve passes exactly through the suggested coverage, whatever the
    objective and method), then the sites greedy coverage would add next (``suggested``
    False), up to max(2 × add, 10) sites."""
    if not len(candidates) or ctx.add <= 0:
        return None
    allowed = fixing.usable(ctx)
    usable = len(candidates) if allowed is None else int(allowed.sum())
    k_max = min(max(2 * ctx.add, 10, len(chosen)), usable)
    problem = MaximalCoverage.from_coverage(
        ctx.candidates, k_max, existing=ctx.stations,
        threshold_weights=objective.curve_weights(ctx.request.minutes),
        conflicts=ctx.conflicts, allowed=allowed,
    )  # fmt: skip
    order = problem.fill(chosen)
    curve = pick_table(ctx.stations, ctx.candidates, order)
    curve.insert(2, "id", ["(existing)", *candidates["id"].iloc[order].tolist()])
    curve.insert(3, "suggested", [False, *[k < len(chosen) for k in range(len(order))]])
    return curve


def _recommended(
    candidates: gpd.GeoDataFrame,
    picks: pd.DataFrame,
    snapped: travel.Snapped,
    net: Network,
    choice: Choice,
) -> gpd.GeoDataFrame:
    """The station list: rank, venue, nearest road or address, WGS-84 and GCJ-02
    coordinates, what the objective adds per site, and demand added per threshold."""
    rows = picks.loc[picks["rank"] > 0].reset_index(drop=True)
    idx = rows["candidate"].to_numpy(dtype=int)
    c = candidates.iloc[idx].reset_index(drop=True)
    seg = snapped.segment[idx]
    road = np.where(seg >= 0, net.segments["name"].to_numpy()[np.maximum(seg, 0)], "")
    if "street" in c.columns:  # the venue's own address where the map has one
        street = c["street"].fillna("").astype(str).to_numpy()
        road = np.where(street != "", street, road)
    out = pd.DataFrame(
        {
            "rank": rows["rank"].to_numpy(),
            "id": c["id"].to_numpy(),
            "name": c["name"].to_numpy(),
            "category": c["category"].to_numpy() if "category" in c else "",
            "nearest_road": road,
            "lon": c["lon"].to_numpy(),
            "lat": c["lat"].to_numpy(),
        }
    )
    # Amap / Tencent users paste GCJ-02 coordinates; outside China they equal WGS-84
    glon, glat = crs_mod.wgs84_to_gcj02(out["lon"].to_numpy(), out["lat"].to_numpy())
    out["lon_gcj02"], out["lat_gcj02"] = np.round(glon, 7), np.round(glat, 7)
    out["coordinates"] = COORDINATES_NOTE
    for name, values in choice.site_columns.items():
        out[name] = values
    for col in rows.columns:  # per threshold, in order: demand added, cumulative share
        if col.startswith("added_"):
            out[f"demand_{col}"] = rows[col].to_numpy()
        elif col.startswith("cumulative_share_"):
            out[col] = rows[col].to_numpy()
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=WGS84)


def _circles(
    net: Network,
    request: PlanRequest,
    snaps: _Snaps,
    st_times: travel.TravelTimes,
    choice: Choice,
    n_stations: int,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Isochrones of the existing stations and of the suggested sites (drawn from the same
    times), and the dissolved service area of the existing stations."""
    thresholds = request.thresholds_s
    iso, service = isochrones.station_polygons_and_areas(net, st_times, snaps.stations, thresholds)
    iso.insert(1, "kind", "existing")
    selected = choice.solution.selected
    if len(selected):
        sub = snaps.candidates.subset(selected)
        new_times = travel.compute(
            net, sub, snaps.hotspots, limit_s=thresholds[-1], keep_node_times=True
        )
        iso_new = isochrones.station_polygons(net, new_times, sub, thresholds)
        iso_new.insert(1, "kind", "suggested")
        iso = pd.concat([iso, iso_new], ignore_index=True)
    if not n_stations:
        service = gpd.GeoDataFrame({"minutes": []}, geometry=[], crs=net.crs)
    return iso, service


def _hotspot_status(
    hotspots: gpd.GeoDataFrame,
    snaps: _Snaps,
    cov: coverage.Coverage,
    fig: _network.NetworkFigures,
) -> gpd.GeoDataFrame:
    """The hotspots with their snap distance and status, part of the network,
    nearest-station minutes, a ``covered_T`` and ``beyond_T`` flag per threshold, why a
    blind spot is one and the detour anomaly (``detour``, ``detour_factor``)."""
    hs = hotspots.copy()
    hs["snap_distance_m"] = np.round(snaps.hotspots.distance_m, 1)
    hs["snap_status"] = snaps.table.loc[snaps.table["role"] == "hotspot", "status"].to_numpy()
    hs["part"] = fig.hotspot_part
    status = coverage.hotspot_status(cov, fig.reasons)
    for col in status.columns:
        hs[col] = status[col].to_numpy()
    for col in ("detour", "detour_factor"):
        hs[col] = fig.detours[col].to_numpy()
    return hs
