"""The plan's view of the network: the part of every point, why each blind spot is one,
the figures per part, and the detour anomalies (see :mod:`planner.analysis.parts` and
:mod:`planner.analysis.detours`)."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from ..analysis import detours, parts, travel
from ..core.errors import FieldError
from ..inputs.network import Network


@dataclass(frozen=True)
class NetworkFigures:
    """Per hotspot, station and candidate its part (-1: off the network); per hotspot why it
    is a blind spot (``""`` within the first circle) and its detour; the parts table."""

    hotspot_part: np.ndarray
    station_part: np.ndarray
    candidate_part: np.ndarray
    reasons: np.ndarray
    detours: pd.DataFrame
    parts: pd.DataFrame


def figures(
    net: Network,
    snapped: tuple[travel.Snapped, travel.Snapped, travel.Snapped],
    frames: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
    st_times: travel.TravelTimes,
    thresholds_s: tuple[float, ...],
) -> NetworkFigures:
    """The network figures of a plan: ``snapped`` hotspots, stations and candidates,
    ``frames`` the hotspots and stations as given (WGS-84, their straight-line positions),
    ``st_times`` the stations × hotspots times."""
    hs, st, cand = snapped
    hp, sp_, cp = (parts.point_parts(net, s) for s in snapped)
    nearest = st_times.nearest_seconds()
    reasons = parts.blind_reasons(nearest, hp, sp_, thresholds_s[0])
    weights = frames[0]["weight"].to_numpy(dtype=float)
    table = parts.part_table(net, (hp, sp_, cp), weights, nearest, thresholds_s)
    det = detours.anomalies(
        detours.Points(_xy(frames[0], net), hs, hp),
        detours.Points(_xy(frames[1], net), st, sp_),
        st_times,
        mode=net.mode,
    )
    return NetworkFigures(hp, sp_, cp, reasons, det, table)


def snapping_table(table: pd.DataFrame, fig: NetworkFigures) -> pd.DataFrame:
    """The snapping table (hotspots, stations, candidates in that order) with each point's
    ``part`` and, for hotspots, ``detour`` and ``detour_factor``."""
    out = table.copy()
    out["part"] = np.concatenate([fig.hotspot_part, fig.station_part, fig.candidate_part])
    rest = len(table) - len(fig.hotspot_part)
    out["detour"] = np.concatenate([fig.detours["detour"].to_numpy(), np.full(rest, "")])
    out["detour_factor"] = np.concatenate(
        [fig.detours["detour_factor"].to_numpy(), np.full(rest, np.nan)]
    )
    return out


def unreachable_parts(exc: FieldError, parts: pd.DataFrame) -> FieldError:
    """``exc`` with the parts of the network that hold demand but neither a station nor a
    candidate named (no site can ever reach their demand); ``exc`` itself when there are
    none."""
    lost = parts.loc[(parts["demand"] > 0) & (parts["stations"] == 0) & (parts["candidates"] == 0)]
    if not len(lost):
        return exc
    named = ", ".join(
        f"part {int(r.part)} ({r.demand_share:.1%} of demand)" for r in lost.itertuples()
    )
    share = float(lost["demand_share"].sum())
    text = (
        f"; no station or candidate lies on {named} of the network, so at most "
        f"{1 - share:.1%} of demand can ever be reached: add candidates there"
    )
    template = exc.template or str(exc).replace("{", "{{").replace("}", "}}")
    return FieldError(exc.field or "", template + text, **(exc.values or {}))


def _xy(frame: gpd.GeoDataFrame, net: Network) -> np.ndarray:
    if len(frame) == 0:
        return np.zeros((0, 2))
    g = frame.geometry.to_crs(net.crs)
    return np.column_stack([g.x.to_numpy(), g.y.to_numpy()])
