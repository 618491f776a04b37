"""The parts of the network: which strongly connected part each point lies on, and the
figures of every part that holds demand, stations or candidates.

Travel between two parts is impossible (no road joins them both ways), so coverage is
counted within a part: a hotspot on a part without a station is a blind spot for that
reason, not for being far from the roads.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..core.units import minutes_label
from ..inputs.network import Network
from .travel import Snapped

#: Why a hotspot is a blind spot, in the order they are checked.
REASON_OFF_NETWORK = "excluded: far from every usable road"
REASON_NO_STATION = "no station on its part of the network"
REASON_BEYOND = "beyond {minutes} min of every station"


def segment_parts(network: Network) -> np.ndarray:
    """The part of each segment (0 = the largest; all 0 on a network without parts)."""
    if "part" in network.segments.columns:
        return network.segments["part"].to_numpy(dtype=np.int64)
    return np.zeros(len(network.segments), dtype=np.int64)


def point_parts(network: Network, snapped: Snapped) -> np.ndarray:
    """The part of the segment each point is snapped to; -1 for excluded points."""
    parts = segment_parts(network)
    seg = np.asarray(snapped.segment)
    return np.where(seg >= 0, parts[np.maximum(seg, 0)], -1)


def blind_reasons(
    nearest_s: np.ndarray,
    hotspot_part: np.ndarray,
    station_part: np.ndarray,
    first_s: float,
) -> np.ndarray:
    """Per hotspot, why it is beyond the first circle (``first_s`` seconds) of every
    station: off the network, no station on its part (and none reached by a one-way link
    to another part), or simply beyond; ``""`` when it is within the circle."""
    nearest_s = np.asarray(nearest_s, dtype=float)
    part = np.asarray(hotspot_part)
    with_station = np.isin(part, np.asarray(station_part)[np.asarray(station_part) >= 0])
    with_station |= np.isfinite(nearest_s)
    beyond = REASON_BEYOND.format(minutes=minutes_label(first_s))
    out = np.where(part < 0, REASON_OFF_NETWORK, np.where(with_station, beyond, REASON_NO_STATION))
    return np.where(nearest_s <= first_s, "", out).astype(object)


def part_table(
    network: Network,
    parts: tuple[np.ndarray, np.ndarray, np.ndarray],
    weights: np.ndarray,
    nearest_s: np.ndarray,
    thresholds_s: Sequence[float],
) -> pd.DataFrame:
    """One row per part that holds demand, stations or candidates, largest first.

    ``parts`` gives the part of each hotspot, station and candidate (-1: off the network).
    Columns: ``part``, ``nodes``, ``road_km``, ``hotspots``, ``demand``, ``demand_share``
    (of all demand), ``stations``, ``candidates`` and ``covered_T`` per threshold ``T``
    (minutes): the share of the part's own demand within T of an existing station (None
    for a part without demand).
    """
    hs, st, cand = (np.asarray(p, dtype=np.int64) for p in parts)
    w = np.asarray(weights, dtype=float)
    n_parts = int(network.report.get("parts_kept", 0)) or 1
    n_parts = max(n_parts, 1 + max((int(p.max()) for p in (hs, st, cand) if len(p)), default=0))
    seg_part = segment_parts(network)
    node_part = (
        network.nodes["part"].to_numpy(dtype=np.int64)
        if "part" in network.nodes.columns
        else np.zeros(network.n_nodes, dtype=np.int64)
    )
    on = hs >= 0
    demand = np.bincount(hs[on], w[on], minlength=n_parts)
    frame = pd.DataFrame(
        {
            "part": np.arange(n_parts),
            "nodes": np.bincount(node_part, minlength=n_parts),
            "road_km": np.round(
                np.bincount(seg_part, network.segments["length_m"].to_numpy(), n_parts) / 1000, 3
            ),
            "hotspots": np.bincount(hs[on], minlength=n_parts),
            "demand": demand,
            "demand_share": demand / w.sum() if w.sum() > 0 else np.zeros(n_parts),
            "stations": np.bincount(st[st >= 0], minlength=n_parts),
            "candidates": np.bincount(cand[cand >= 0], minlength=n_parts),
        }
    )
    nearest_s = np.asarray(nearest_s, dtype=float)
    for t in thresholds_s:
        inside = np.bincount(hs[on], w[on] * (nearest_s[on] <= t), minlength=n_parts)
        frame[f"covered_{minutes_label(t)}"] = [
            float(i / d) if d > 0 else None for i, d in zip(inside, demand, strict=True)
        ]
    held = (frame["hotspots"] > 0) | (frame["stations"] > 0) | (frame["candidates"] > 0)
    return frame.loc[held].reset_index(drop=True)
