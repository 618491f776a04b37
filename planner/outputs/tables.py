"""The tables of a plan as planners receive them: scored stations, travel times, the
station list's ``about`` sheet, and the roads for the offline map."""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..core.crs import COORDINATES_NOTE, WGS84
from ..plan.result import Plan
from .summary import CREDITS


def stations_scored(plan: Plan) -> pd.DataFrame:
    """Each station's id, name and WGS-84 coordinates with its scores; with capacitated
    stations, its ``capacity`` and the ``served_demand`` it serves in the plan's split."""
    base = pd.DataFrame(plan.stations[["id", "name", "lon", "lat"]]).rename(
        columns={"id": "station_id"}
    )
    out = base.merge(plan.scores, on="station_id", how="left")
    if plan.station_service is not None:
        out = out.merge(plan.station_service, on="station_id", how="left")
    return out


def stations_with_scores(plan: Plan) -> gpd.GeoDataFrame:
    """The station points with their scores (for the map)."""
    return plan.stations.merge(plan.scores, left_on="id", right_on="station_id", how="left")


def recommended_table(plan: Plan) -> pd.DataFrame:
    """The station list without its geometry (CSV, XLSX)."""
    return pd.DataFrame(plan.recommended.drop(columns="geometry"))


def travel_times(plan: Plan) -> pd.DataFrame:
    """Every pair within the largest threshold: source kind and id, hotspot id, minutes.

    Built from the sparse times' arrays in one step (no frame per kind, no concatenation
    of frames), the source kind, source id and hotspot id as categories (a few bytes a
    pair, no text object per pair), so a plan of a million hotspots holds one lean copy of
    its pairs here."""
    parts = [(kind, tt, tt.seconds.tocoo()) for kind, tt in
             (("station", plan.station_times), ("candidate", plan.candidate_times))]  # fmt: skip
    ids = [np.asarray(tt.source_ids, dtype=object) for _, tt, _ in parts]
    names = pd.Index(pd.unique(np.concatenate(ids)))
    hot = [np.asarray(tt.target_ids, dtype=object) for _, tt, _ in parts]
    hot_names = pd.Index(pd.unique(np.concatenate(hot)))
    kind = np.concatenate([np.full(m.nnz, k, dtype=np.int8) for k, (_, _, m) in enumerate(parts)])
    source = np.concatenate(
        [names.get_indexer(i)[m.row] for i, (_, _, m) in zip(ids, parts, strict=True)]
    )
    return pd.DataFrame(
        {
            "source_kind": pd.Categorical.from_codes(kind, categories=[k for k, _, _ in parts]),
            "source_id": pd.Categorical.from_codes(source, categories=names),
            "hotspot_id": pd.Categorical.from_codes(
                np.concatenate(
                    [
                        hot_names.get_indexer(h)[m.col]
                        for h, (_, _, m) in zip(hot, parts, strict=True)
                    ]
                ),
                categories=hot_names,
            ),
            "minutes": np.concatenate([np.round(m.data / 60.0, 3) for _, _, m in parts]),
        }
    )


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


def _site_pairs(plan: Plan) -> pd.DataFrame:
    """Every pair of an active site (existing station, then suggested site by rank) and a
    hotspot within the largest threshold: ``target_id``, ``source_id``, ``seconds``,
    ``site_kind``, ``order`` (0 existing, 1 suggested) and ``rank`` (position in its kind)."""
    parts = []
    for order, (tt, ids, kind) in enumerate(
        (
            (plan.station_times, plan.stations["id"], "existing"),
            (plan.candidate_times, plan.recommended["id"], "suggested"),
        )
    ):
        p = _pairs_of(tt, ids)
        rank = pd.Series(np.arange(len(ids)), index=ids.to_numpy())
        parts.append(
            p.assign(site_kind=kind, order=order, rank=rank.reindex(p["source_id"]).to_numpy())
        )
    return pd.concat(parts, ignore_index=True)


def _pairs_of(tt: Any, ids: pd.Series) -> pd.DataFrame:
    """``tt.pairs()`` of the sources ``ids`` only (the same rows in the same order), read
    from their rows of the sparse times instead of a table of every pair."""
    rows = np.flatnonzero(pd.Index(tt.source_ids).isin(ids))
    m = tt.seconds.tocsr()[rows].tocoo()
    return pd.DataFrame(
        {"source_id": tt.source_ids[rows][m.row], "target_id": tt.target_ids[m.col],
         "seconds": m.data}
    )  # fmt: skip


def _nearest(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per hotspot, its nearest pair (ties: existing first, then the lower rank)."""
    return pairs.sort_values(
        ["target_id", "seconds", "order", "rank"], kind="stable"
    ).drop_duplicates("target_id")


def _capacitated(
    pairs: pd.DataFrame, split: pd.DataFrame, stations: pd.DataFrame | None
) -> pd.DataFrame:
    """The split with capacities: each suggested site's share of a hotspot as the best
    split has it. With capacitated stations (``stations``: their split), each station's
    share as that split has it too, and demand no site has room for has no line; without,
    the rest of the hotspot's demand to its nearest existing station within the largest
    threshold."""
    new = _shares(pairs.loc[pairs["order"] == 1], split.rename(columns={"site_id": "source_id"}))
    if stations is not None:
        kept = _shares(
            pairs.loc[pairs["order"] == 0], stations.rename(columns={"station_id": "source_id"})
        )
        return pd.concat([kept, new], ignore_index=True)
    taken = new.groupby("target_id")["share"].sum()
    kept = _nearest(pairs.loc[pairs["order"] == 0])
    kept = kept.assign(share=1.0 - taken.reindex(kept["target_id"]).fillna(0.0).to_numpy())
    kept = kept.loc[kept["share"] > 1e-9]
    return pd.concat([kept, new], ignore_index=True)


def _shares(pairs: pd.DataFrame, split: pd.DataFrame) -> pd.DataFrame:
    """The pairs that hold a share of the split (``hotspot_id``, ``source_id``, ``share``)."""
    return pairs.merge(
        split.rename(columns={"hotspot_id": "target_id"}), on=["target_id", "source_id"]
    )


def assignment(plan: Plan) -> gpd.GeoDataFrame:
    """Each hotspot joined to the site that serves it, a WGS-84 line from the hotspot to
    the site: the nearest active site (existing station or suggested site) within the
    largest threshold, ties to the existing station first, then to the suggested site of
    the lower rank. With capacities (``plan.served_split``), the best split instead: a line
    per suggested site serving part of the hotspot, and one to the nearest existing station
    for the rest; with capacitated stations too (``plan.station_split``), a line per
    station serving part of it, as the split has it, so that no station serves more than
    its capacity. A hotspot beyond the largest threshold of every site, or left unserved by
    full sites, has no line (or none for the part left unserved).

    Columns: ``hotspot_id``, ``weight``, ``site_id``, ``site_name``, ``site_kind``
    (``existing`` / ``suggested``), ``minutes``, ``share`` (of the hotspot's demand) and
    ``served_demand`` (weight × share).
    """
    pairs = _site_pairs(plan)
    if plan.served_split is None:
        best = _nearest(pairs).assign(share=1.0)
    else:
        best = _capacitated(pairs, plan.served_split, plan.station_split)
    hs = plan.hotspots.set_index("id")
    best = best.loc[best["target_id"].isin(hs.index)]
    position = pd.Index(plan.hotspots["id"]).get_indexer(best["target_id"])
    best = best.iloc[np.lexsort((best["rank"], best["order"], position))]
    return _lines(plan, best, hs)


def _lines(plan: Plan, best: pd.DataFrame, hs: pd.DataFrame) -> gpd.GeoDataFrame:
    """The assignment lines of the pairs ``best`` (see :func:`assignment`)."""
    sites = pd.concat(
        [
            pd.DataFrame(plan.stations[["id", "name", "geometry"]]).assign(site_kind="existing"),
            pd.DataFrame(plan.recommended[["id", "name", "geometry"]]).assign(
                site_kind="suggested"
            ),
        ],
        ignore_index=True,
    ).set_index(["id", "site_kind"])
    keys = pd.MultiIndex.from_arrays([best["source_id"].to_numpy(), best["site_kind"].to_numpy()])
    origin = shapely.get_coordinates(hs.loc[best["target_id"], "geometry"].to_numpy())
    target = shapely.get_coordinates(sites.loc[keys, "geometry"].to_numpy())
    lines = shapely.linestrings(np.stack([origin, target], axis=1)) if len(best) else []
    weight = hs.loc[best["target_id"], "weight"].to_numpy(dtype=float)
    share = best["share"].to_numpy(dtype=float)
    out = pd.DataFrame(
        {
            "hotspot_id": best["target_id"].to_numpy(),
            "weight": weight,
            "site_id": best["source_id"].to_numpy(),
            "site_name": sites.loc[keys, "name"].to_numpy(),
            "site_kind": best["site_kind"].to_numpy(),
            "minutes": np.round(best["seconds"].to_numpy() / 60.0, 3),
            "share": np.round(share, 6),
            "served_demand": np.round(weight * share, 6),
        }
    )
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(lines, crs=WGS84), crs=WGS84)


def gpkg_layers(plan: Plan) -> dict[str, gpd.GeoDataFrame]:
    """The layers of ``plan.gpkg``, WGS-84, English machine names: hotspots with status,
    stations with scores, suggested sites, isochrones, service areas, blind spots, the
    assignment lines and, when given, other operators' stations."""
    return {
        "hotspots": hotspots_layer(plan),
        "stations": stations_with_scores(plan).drop(columns="station_id"),
        "suggested_sites": plan.recommended,
        "isochrones": plan.isochrones,
        "service_areas": plan.service_areas,
        "blind_spots": plan.blind_spots,
        "assignments": assignment(plan),
        **({"other_operators": plan.others.stations} if plan.others is not None else {}),
    }
