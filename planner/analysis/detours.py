"""Detour anomalies: hotspots close to a station in a straight line but far from it on the
network.

A network that lacks the ways riders use (pavements, non-motorised lanes, paths), one-way
carriageways or an interchange can turn a few hundred metres into a long ride. Each hotspot
is compared with its nearest station in a straight line: it is flagged when that station
lies within :data:`NEAR_M` but beyond the largest circle on the network, or when the ride
takes more than :data:`FACTOR` times the straight line at the mode's top speed (and at least
:data:`MIN_EXTRA_S` longer, so that a hotspot beside a station is not flagged for a few
seconds of access walk).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..core.modes import Mode
from ..core.units import minutes_label
from .travel import Snapped, TravelTimes

#: A station this close in a straight line (m) should be within the largest circle.
NEAR_M = 1000.0
#: A ride longer than this many times the straight-line time is a detour.
FACTOR = 4.0
#: ... and at least this much longer than the straight-line ride (s).
MIN_EXTRA_S = 120.0


def top_speed_kph(mode: Mode) -> float:
    """The fastest the mode rides: its speed table's fastest class, capped by its top
    speed (the top speed itself where tagged speed limits are taken)."""
    if mode.use_maxspeed or not mode.speed_kph:
        return float(mode.max_speed_kph)
    return float(min(mode.max_speed_kph, max(mode.speed_kph.values())))


@dataclass(frozen=True)
class Points:
    """Points with their original position (network CRS, m), snap and part."""

    xy: np.ndarray
    snapped: Snapped
    part: np.ndarray


def anomalies(
    hotspots: Points, stations: Points, times: TravelTimes, *, mode: Mode
) -> pd.DataFrame:
    """Per hotspot, in order: ``detour`` (a short reason; ``""`` when none) and
    ``detour_factor`` (ride time over straight-line time; NaN when none or beyond the
    largest circle) against its nearest station in a straight line.

    ``times`` are the stations × hotspots times (access legs included, within the largest
    circle ``times.limit_s``).
    """
    n = len(hotspots.xy)
    reason = np.full(n, "", dtype=object)
    factor = np.full(n, np.nan)
    usable = np.flatnonzero(~np.asarray(stations.snapped.excluded, dtype=bool))
    todo = np.flatnonzero(~np.asarray(hotspots.snapped.excluded, dtype=bool))
    if not len(usable) or not len(todo):
        return pd.DataFrame({"detour": reason, "detour_factor": factor})
    dist, k = cKDTree(stations.xy[usable]).query(hotspots.xy[todo])
    near = usable[k]
    straight_s = dist / (top_speed_kph(mode) / 3.6)
    net = _pair_seconds(times, near, todo)
    access = hotspots.snapped.access_s[todo] + stations.snapped.access_s[near]
    ride = net - access
    limit = float(times.limit_s)
    beyond = ~np.isfinite(net)
    floor = np.maximum(FACTOR * straight_s, straight_s + MIN_EXTRA_S)
    slow = ~beyond & (ride > floor)
    # beyond the circle, the ride is longer than what is left of it after the access legs
    slow_beyond = beyond & (limit - access > floor)
    close = beyond & (dist <= NEAR_M)
    ids = np.asarray(stations.snapped.ids)[near]
    other = hotspots.part[todo] != stations.part[near]
    label = minutes_label(limit)
    for pos in np.flatnonzero(close | slow | slow_beyond):
        j = todo[pos]
        ride_s = limit - access[pos] if beyond[pos] else ride[pos]
        ratio = ride_s / straight_s[pos] if straight_s[pos] > 0 else np.inf
        where = f"station {ids[pos]} ({dist[pos]:.0f} m away in a straight line)"
        if beyond[pos] and other[pos]:
            reason[j] = f"{where} is on another part of the network"
        elif beyond[pos]:
            over = f", over {ratio:.1f}× the straight line" if np.isfinite(ratio) else ""
            reason[j] = f"{where} is beyond {label} min on the network{over}"
        else:
            factor[j] = round(float(ratio), 2) if np.isfinite(ratio) else np.nan
            times_over = (
                f"{ratio:.1f}× the straight-line time"
                if np.isfinite(ratio)
                else (f"{ride_s / 60:.1f} min")
            )
            reason[j] = f"{times_over} to {where}"
    return pd.DataFrame({"detour": reason, "detour_factor": factor})


def _pair_seconds(times: TravelTimes, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``times.seconds[rows[i], cols[i]]`` for each ``i`` (``cols`` distinct); ``inf``
    where not stored (beyond the limit). A stored 0 stays 0. One pass over the pairs."""
    m = times.seconds.tocoo()
    want = np.full(m.shape[1], -1, dtype=np.int64)
    want[cols] = rows
    hit = want[m.col] == m.row
    found = np.full(m.shape[1], np.inf)
    found[m.col[hit]] = m.data[hit]
    return found[cols]
