"""Other operators' stations (platform companies, unions): checked against the district's
own, merged with them when their coverage counts toward the district's goals, and figured
both ways (the district's own stations alone, and with the other operators' stations)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..analysis import coverage, travel
from ..core.errors import InputError
from ..core.units import minutes_label
from ..inputs.network import Network
from .request import PlanRequest

log = logging.getLogger(__name__)

#: Columns that may name a station's operator, first found wins.
OPERATOR_COLUMNS = ("operator", "运营方", "运营单位", "brand", "network")
#: How the outputs name the district's own stations in the ``operator`` column.
OWN = ""


@dataclass(frozen=True)
class Others:
    """Other operators' stations and what they change.

    Attributes
    ----------
    stations
        ``id, name, operator, lon, lat`` and per threshold the demand within it of each
        station (``demand_T``), WGS-84.
    count
        Whether their coverage counts toward the district's goals (then the optimiser
        treats them as existing coverage, and the district figures include them).
    share_own, share_with
        Per threshold (label), the share of demand the district's own stations reach, and
        the share they reach together with the other operators' stations.
    """

    stations: gpd.GeoDataFrame
    count: bool
    share_own: dict[str, float] = field(default_factory=dict)
    share_with: dict[str, float] = field(default_factory=dict)

    def assumption(self) -> str:
        """The assumption made, in one sentence."""
        if self.count:
            return (
                f"the {len(self.stations)} stations of other operators count toward the "
                "district's goals: the figures and the suggested sites include their coverage "
                "(--others-count no for the district's own stations only)"
            )
        return (
            f"the {len(self.stations)} stations of other operators do not count toward the "
            "district's goals: the figures are the district's own stations' (--others-count "
            "yes to count them)"
        )


def checked(others: gpd.GeoDataFrame, stations: gpd.GeoDataFrame, source: str) -> gpd.GeoDataFrame:
    """The other operators' stations with an ``operator`` column (from one of
    :data:`OPERATOR_COLUMNS`, else ``"other"``); an id shared with a station of the district
    is an error naming the file and the ids."""
    shared = sorted(set(others["id"].astype(str)) & set(stations["id"].astype(str)))
    if shared:
        raise InputError(
            f"{source}: ids {shared[:5]} are also ids of the district's stations; give other "
            "operators' stations ids of their own (or drop the rows that are the district's)"
        )
    col = next((c for c in OPERATOR_COLUMNS if c in others.columns), None)
    operator = (
        others[col].fillna("").astype(str).str.strip() if col else pd.Series("", index=others.index)
    )
    out = others.copy()
    out["operator"] = operator.where(operator != "", "other").to_numpy()
    return out


def merged(stations: gpd.GeoDataFrame, others: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The district's stations then the other operators', with ``operator`` (empty for the
    district's own) and every column of either (empty text where a file has none)."""
    own = stations.assign(operator=OWN)
    both = pd.concat([pd.DataFrame(own), pd.DataFrame(others)], ignore_index=True)
    text = [c for c in both.columns if c != "geometry" and both[c].dtype == object]
    both[text] = both[text].fillna("")
    return gpd.GeoDataFrame(both, geometry="geometry", crs=stations.crs or others.crs)


def without_their_sites(
    candidates: gpd.GeoDataFrame | None, others: gpd.GeoDataFrame
) -> gpd.GeoDataFrame | None:
    """The candidates that are not already another operator's station (by id)."""
    if candidates is None:
        return None
    taken = candidates["id"].astype(str).isin(set(others["id"].astype(str))).to_numpy()
    if taken.any():
        log.info("%d candidates are other operators' stations: left out", int(taken.sum()))
    return candidates.loc[~taken].reset_index(drop=True)


def figures(
    network: Network,
    hotspots: gpd.GeoDataFrame,
    others: gpd.GeoDataFrame,
    station_times: travel.TravelTimes,
    request: PlanRequest,
    *,
    count: bool,
) -> Others:
    """The other operators' stations with the demand each reaches, and the district's share
    within each threshold by its own stations and with theirs."""
    weights = hotspots["weight"].to_numpy(dtype=float)
    ids = station_times.source_ids.astype(str)
    theirs = np.isin(ids, others["id"].astype(str).to_numpy())
    own_t = _rows(station_times, ~theirs)
    their_t = _rows(station_times, theirs) if count else _times(network, hotspots, others, request)
    both = travel.TravelTimes(
        sp_vstack(own_t.seconds, their_t.seconds),
        np.concatenate([own_t.source_ids, their_t.source_ids]), own_t.target_ids, own_t.limit_s,
    )  # fmt: skip
    th = request.thresholds_s
    share = {}
    for name, t in (("own", own_t), ("with", both)):
        d = coverage.district_summary(coverage.Coverage(t, weights, th), request.goals)
        share[name] = {k: float(v["share"]) for k, v in d["covered"].items()}
    table = _station_table(others, their_t, weights, th)
    return Others(table, count, share["own"], share["with"])


def sp_vstack(a: Any, b: Any) -> Any:
    import scipy.sparse as sp

    return sp.vstack([a, b]).tocsr()


def _rows(t: travel.TravelTimes, rows: np.ndarray) -> travel.TravelTimes:
    idx = np.flatnonzero(rows)
    return travel.TravelTimes(t.seconds[idx], t.source_ids[idx], t.target_ids, t.limit_s)


def _times(
    network: Network, hotspots: gpd.GeoDataFrame, others: gpd.GeoDataFrame, request: PlanRequest
) -> travel.TravelTimes:
    """Travel times from the hotspots to the other operators' stations (not in the plan's
    own set when they do not count), snapped with the plan's limits."""
    limits = {"max_distance_m": request.snap_max_m, "warn_distance_m": request.snap_warn_m}
    snapped = [
        travel.snap(network, _xy(f, network), f["id"].to_numpy(), **limits)
        for f in (others, hotspots)
    ]
    return travel.compute(network, snapped[0], snapped[1], limit_s=request.thresholds_s[-1])


def _xy(frame: gpd.GeoDataFrame, network: Network) -> np.ndarray:
    g = frame.geometry.to_crs(network.crs)
    return np.column_stack([g.x.to_numpy(), g.y.to_numpy()])


def _station_table(
    others: gpd.GeoDataFrame, times: travel.TravelTimes, weights: np.ndarray, th: tuple[float, ...]
) -> gpd.GeoDataFrame:
    """One row per other operator's station, in the file's order, with ``demand_T``."""
    cols = [c for c in ("id", "name", "operator", "lon", "lat") if c in others.columns]
    out = others[cols].reset_index(drop=True).copy()
    row = pd.Index(times.source_ids.astype(str)).get_indexer(out["id"].astype(str))
    cov = coverage.Coverage(times, weights, th)
    for k, t in enumerate(th):
        within = np.asarray(cov.covered(k).astype(float) @ weights).ravel()
        out[f"demand_{minutes_label(t)}"] = np.where(row >= 0, within[np.maximum(row, 0)], 0.0)
    return gpd.GeoDataFrame(
        out, geometry=gpd.points_from_xy(out["lon"], out["lat"]), crs="EPSG:4326"
    )
