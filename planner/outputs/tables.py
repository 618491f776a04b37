"""The tables of a plan as planners receive them: scored stations, travel times, the
station list's ``about`` sheet, and the roads for the offline map."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..core.crs import COORDINATES_NOTE, WGS84
from ..plan.result import Plan
from .summary import CREDITS


def stations_scored(plan: Plan) -> pd.DataFrame:
    """Each station's id, name and WGS-84 coordinates with its scores."""
    base = pd.DataFrame(plan.stations[["id", "name", "lon", "lat"]]).rename(
        columns={"id": "station_id"}
    )
    return base.merge(plan.scores, on="station_id", how="left")


def stations_with_scores(plan: Plan) -> gpd.GeoDataFrame:
    """The station points with their scores (for the map)."""
    return plan.stations.merge(plan.scores, left_on="id", right_on="station_id", how="left")


def recommended_table(plan: Plan) -> pd.DataFrame:
    """The station list without its geometry (CSV, XLSX)."""
    return pd.DataFrame(plan.recommended.drop(columns="geometry"))


def travel_times(plan: Plan) -> pd.DataFrame:
    """Every pair within the largest threshold: source kind and id, hotspot id, minutes."""
    parts = []
    for kind, tt in (("station", plan.station_times), ("candidate", plan.candidate_times)):
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


def about_sheet(plan: Plan) -> pd.DataFrame:
    """What the station list is: coordinate systems, mode, thresholds, what the sites were
    chosen for, credits."""
    mode = plan.network.mode
    return pd.DataFrame(
        {
            "item": ["coordinates", "mode", "minutes", "method", "objective", "credits"],
            "value": [
                COORDINATES_NOTE,
                f"{mode.name}: {mode.description}",
                ", ".join(f"{m:g}" for m in plan.minutes),
                plan.solution.method,
                plan.request.objective.meaning(plan.minutes),
                CREDITS,
            ],
        }
    )


def road_lines(plan: Plan, *, tolerance_m: float = 3.0) -> gpd.GeoDataFrame:
    """The network's roads as merged, lightly simplified WGS-84 lines (offline basemap)."""
    segments = plan.network.segments.geometry.values
    merged = shapely.line_merge(shapely.multilinestrings(segments))
    lines = shapely.simplify(shapely.get_parts(merged), tolerance_m)
    return gpd.GeoDataFrame(geometry=lines, crs=plan.network.crs).to_crs(WGS84)


# --------------------------------------------------------------------------- GeoPackage layers


def hotspots_layer(plan: Plan) -> gpd.GeoDataFrame:
    """The hotspots with their ``status``: ``covered`` within the first threshold of an
    existing station, ``blind`` beyond it (the map's blue and red), and the flags per
    threshold."""
    first = f"covered_{plan.minutes[0]:g}"
    out = plan.hotspots.copy()
    out.insert(out.columns.get_loc("weight") + 1, "status", "blind")
    out.loc[out[first].to_numpy(dtype=bool), "status"] = "covered"
    return out


def assignment(plan: Plan) -> gpd.GeoDataFrame:
    """Each hotspot joined to the site that serves it: the nearest active site (existing
    station or suggested site) within the largest threshold, a WGS-84 line from the hotspot
    to the site. A hotspot beyond the largest threshold of every site has no line. Ties go
    to the existing station first, then to the suggested site of the lower rank.

    Columns: ``hotspot_id``, ``weight``, ``site_id``, ``site_name``, ``site_kind``
    (``existing`` / ``suggested``), ``minutes``.
    """
    sites = pd.concat(
        [
            pd.DataFrame(plan.stations[["id", "name", "geometry"]]).assign(site_kind="existing"),
            pd.DataFrame(plan.recommended[["id", "name", "geometry"]]).assign(
                site_kind="suggested"
            ),
        ],
        ignore_index=True,
    )
    pairs = []
    for order, (tt, kind) in enumerate(
        ((plan.station_times, "existing"), (plan.candidate_times, "suggested"))
    ):
        p = tt.pairs()
        ids = sites.loc[sites["site_kind"] == kind, "id"]
        p = p.loc[p["source_id"].isin(ids)]
        rank = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
        pairs.append(p.assign(order=order, rank=rank.reindex(p["source_id"]).to_numpy()))
    best = (
        pd.concat(pairs, ignore_index=True)
        .sort_values(["target_id", "seconds", "order", "rank"], kind="stable")
        .drop_duplicates("target_id")
    )
    hs = plan.hotspots.set_index("id")
    best = best.loc[best["target_id"].isin(hs.index)]
    site = sites.set_index(["id", "site_kind"])
    kinds = np.where(best["order"].to_numpy() == 0, "existing", "suggested")
    keys = pd.MultiIndex.from_arrays([best["source_id"].to_numpy(), kinds])
    origin = shapely.get_coordinates(hs.loc[best["target_id"], "geometry"].to_numpy())
    target = shapely.get_coordinates(site.loc[keys, "geometry"].to_numpy())
    lines = shapely.linestrings(np.stack([origin, target], axis=1)) if len(best) else []
    out = pd.DataFrame(
        {
            "hotspot_id": best["target_id"].to_numpy(),
            "weight": hs.loc[best["target_id"], "weight"].to_numpy(dtype=float),
            "site_id": best["source_id"].to_numpy(),
            "site_name": site.loc[keys, "name"].to_numpy(),
            "site_kind": kinds,
            "minutes": np.round(best["seconds"].to_numpy() / 60.0, 3),
        }
    )
    order = pd.Index(plan.hotspots["id"]).get_indexer(out["hotspot_id"])
    frame = gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(lines, crs=WGS84), crs=WGS84)
    return frame.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def gpkg_layers(plan: Plan) -> dict[str, gpd.GeoDataFrame]:
    """The layers of ``plan.gpkg``, WGS-84, English machine names: hotspots with status,
    stations with scores, suggested sites, isochrones, service areas, blind spots and the
    assignment lines."""
    return {
        "hotspots": hotspots_layer(plan),
        "stations": stations_with_scores(plan).drop(columns="station_id"),
        "suggested_sites": plan.recommended,
        "isochrones": plan.isochrones,
        "service_areas": plan.service_areas,
        "blind_spots": plan.blind_spots,
        "assignments": assignment(plan),
    }
