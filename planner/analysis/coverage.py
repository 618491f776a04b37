"""Coverage of demand by stations, from one set of travel times.

A hotspot is covered within threshold T by a station when its travel time to the station
(access legs included) is at most T. Everything here reads the sparse
:class:`~planner.analysis.travel.TravelTimes`; nothing recomputes a route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..core.units import minutes as to_minutes
from ..core.units import minutes_label, reaches
from .travel import TravelTimes


@dataclass(frozen=True)
class Coverage:
    """Travel times from hotspots to a set of sites, with the demand and the thresholds.

    Attributes
    ----------
    times
        ``sites × hotspots`` travel times.
    weights
        Demand of each hotspot (same order as ``times.target_ids``).
    thresholds_s
        Increasing service-circle thresholds (s).
    """

    times: TravelTimes
    weights: np.ndarray
    thresholds_s: tuple[float, ...]

    def __post_init__(self) -> None:
        w = np.asarray(self.weights, dtype=float)
        if w.shape != (self.times.seconds.shape[1],):
            raise ValueError("weights must have one value per hotspot")
        object.__setattr__(self, "weights", w)

    def covered(self, k: int) -> sp.csr_matrix:
        """Boolean ``sites × hotspots`` matrix: covered within threshold number ``k``."""
        m = self.times.seconds.copy()
        m.data = m.data <= self.thresholds_s[k]
        m.eliminate_zeros()
        return m.astype(bool)

    def counts(self, k: int) -> np.ndarray:
        """Per hotspot, how many sites cover it within threshold ``k``."""
        return np.asarray(self.covered(k).sum(axis=0)).ravel()

    def nearest_seconds(self) -> np.ndarray:
        return self.times.nearest_seconds()


#: Two travel times closer than this (s) are a tie for "nearest station".
TIE_S = 1e-6


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The smallest value at which the cumulative weight reaches share ``q`` (inverse CDF).

    ``values`` may hold ``inf`` (beyond reach); the result is ``inf`` when the quantile falls
    there, and ``nan`` when there is no weight at all.
    """
    v = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    total = w.sum()
    if total <= 0:
        return float("nan")
    order = np.argsort(v, kind="stable")
    cum = np.cumsum(w[order]) / total
    k = int(np.searchsorted(cum, q - 1e-12, side="left"))
    return float(v[order][min(k, len(v) - 1)])


def catchments(cov: Coverage) -> tuple[sp.csr_matrix, np.ndarray]:
    """Nearest-station catchments by travel time.

    Returns
    -------
    share, nearest
        ``share``: sparse ``stations × hotspots`` matrix of the part of each hotspot that
        belongs to each station's catchment: 1 for its nearest station, ``1/k`` for each of
        ``k`` stations tied for nearest (within :data:`TIE_S`). ``nearest``: per hotspot, the
        time to its nearest station (``inf`` beyond the limit).
    """
    m = cov.times.seconds.tocoo()
    nearest = cov.nearest_seconds()
    is_near = m.data <= nearest[m.col] + TIE_S
    ties = np.bincount(m.col[is_near], minlength=m.shape[1]).astype(float)
    share = sp.csr_matrix(
        (1.0 / ties[m.col[is_near]], (m.row[is_near], m.col[is_near])), shape=m.shape
    )
    return share, nearest


def _goals_met(shares: Sequence[float], targets: Sequence[float]) -> list[bool]:
    return [reaches(s, t) for s, t in zip(shares, targets, strict=True)]


def grade(shares: Sequence[float], targets: Sequence[float]) -> str:
    """Grade of a catchment against the goals (one target share per threshold, in order).

    ``A``: every goal met; ``B``: every goal but the first (nearest) one; ``C``: every goal
    but the first two; and so on; the letter after the last means not even the widest goal
    is met. An empty catchment gets ``"-"``.
    """
    if any(np.isnan(s) for s in shares):
        return "-"
    met = _goals_met(shares, targets)
    first = len(met)
    for i in range(len(met) - 1, -1, -1):
        if not met[i]:
            break
        first = i
    return "ABCDEFG"[min(first, 6)]


GRADE_RULE = (
    "Each station is graded on its catchment (the demand for which it is the nearest station): "
    "A = every service-circle goal met, B = every goal but the nearest one, C = every goal but "
    "the two nearest, and so on; the next letter = not even the widest goal met; "
    "'-' = no demand is nearest to this station."
)


def station_scores(cov: Coverage, targets: Sequence[float] | None = None) -> pd.DataFrame:
    """Per station and threshold: demand covered, unique, redundant, lost if closed, and the
    station's catchment with its grade.

    Columns per threshold ``T`` (minutes): ``demand_T``, ``hotspots_T``, ``share_T`` (of all
    demand), ``unique_T`` (demand no other station covers within T), ``redundant_T``
    (covered here and by another station), ``lost_if_closed_T`` (demand that would no longer
    be within T of any station: the unique demand), ``catchment_within_T`` (share of the
    catchment demand within T). Then ``catchment_demand``, ``catchment_hotspots`` (hotspots
    with any part in the catchment) and ``grade`` against ``targets`` (one share per threshold;
    see :data:`GRADE_RULE`).
    """
    total = float(cov.weights.sum())
    out = pd.DataFrame({"station_id": cov.times.source_ids})
    share, nearest = catchments(cov)
    catch = share @ cov.weights
    out["catchment_demand"] = catch
    out["catchment_hotspots"] = np.diff(share.tocsr().indptr)
    within_cols = []
    for k, t in enumerate(cov.thresholds_s):
        lab = minutes_label(t)
        c = cov.covered(k)
        counts = np.asarray(c.sum(axis=0)).ravel()
        demand = c @ cov.weights
        unique = c @ (cov.weights * (counts == 1))
        out[f"demand_{lab}"] = demand
        out[f"hotspots_{lab}"] = np.asarray(c.sum(axis=1)).ravel()
        out[f"share_{lab}"] = demand / total if total > 0 else 0.0
        out[f"unique_{lab}"] = unique
        out[f"redundant_{lab}"] = demand - unique
        out[f"lost_if_closed_{lab}"] = unique
        inside = share @ (cov.weights * (nearest <= t))
        # an empty catchment has no share: NaN, without dividing 0 by 0
        out[f"catchment_within_{lab}"] = np.divide(
            inside, catch, out=np.full(len(catch), np.nan), where=catch > 0
        )
        within_cols.append(f"catchment_within_{lab}")
    if targets is not None:
        out["grade"] = [grade(list(r), list(targets)) for r in out[within_cols].to_numpy()]
    return out


def district_summary(
    cov: Coverage, targets: Sequence[float] | None = None, *, subset: np.ndarray | None = None
) -> dict[str, Any]:
    """District figures: demand covered per threshold, goal attainment and nearest-station
    travel times (demand-weighted mean of the reached, median and 90th percentile).

    ``subset`` (boolean per hotspot) restricts the figures to part of the district.
    """
    w = cov.weights if subset is None else np.where(subset, cov.weights, 0.0)
    total = float(w.sum())
    nearest = cov.nearest_seconds()
    out: dict[str, Any] = {"hotspots": 0, "total_demand": total}
    mask = np.ones(len(w), dtype=bool) if subset is None else np.asarray(subset, dtype=bool)
    out["hotspots"] = int(mask.sum())
    shares = {}
    for t in cov.thresholds_s:
        covered = nearest <= t
        d = float(w[covered].sum())
        shares[minutes_label(t)] = {
            "demand": d,
            "share": d / total if total > 0 else 0.0,
            "hotspots": int((covered & mask).sum()),
            "beyond_demand": total - d,
        }
    out["covered"] = shares
    if targets is not None:
        out["goals"] = [
            {"minutes": to_minutes(t), "target": float(g),
             "share": shares[minutes_label(t)]["share"],
             "attained": reaches(shares[minutes_label(t)]["share"], g)}
            for t, g in zip(cov.thresholds_s, targets, strict=True)
        ]  # fmt: skip
        out["all_goals_attained"] = all(g["attained"] for g in out["goals"])
    reach = np.isfinite(nearest) & (w > 0)
    out["demand_beyond_limit"] = float(w[~np.isfinite(nearest)].sum())
    minutes = nearest / 60.0

    def q(x: float) -> float | None:
        v = weighted_quantile(minutes, w, x)
        return None if not np.isfinite(v) else round(v, 3)

    out["nearest_minutes"] = {
        "mean_of_reached": round(float(np.average(minutes[reach], weights=w[reach])), 3)
        if reach.any() else None,
        "median": q(0.5),
        "p90": q(0.9),
        "note": "null = beyond the largest threshold",
    }  # fmt: skip
    return out


def hotspot_status(cov: Coverage, reasons: np.ndarray | None = None) -> pd.DataFrame:
    """Per hotspot, in order: minutes to the nearest station (``nearest_minutes``, two
    decimals, NaN beyond the largest threshold), then ``covered_T`` and ``beyond_T`` per
    threshold ``T`` (minutes), then with ``reasons`` (one text per hotspot, see
    :func:`planner.analysis.parts.blind_reasons`) ``blind_reason``: why it is beyond the first
    threshold (``""`` within it)."""
    nearest = cov.nearest_seconds()
    reached = np.isfinite(nearest)
    minutes = np.full(len(nearest), np.nan)
    minutes[reached] = np.round(nearest[reached] / 60.0, 2)
    out = pd.DataFrame({"nearest_minutes": minutes})
    for t in cov.thresholds_s:
        out[f"covered_{minutes_label(t)}"] = nearest <= t
    for t in cov.thresholds_s:
        out[f"beyond_{minutes_label(t)}"] = ~(nearest <= t)
    if reasons is not None:
        first = nearest <= cov.thresholds_s[0]
        out["blind_reason"] = np.where(first, "", np.asarray(reasons, dtype=object))
    return out


def blind_spots(cov: Coverage, reasons: np.ndarray | None = None) -> pd.DataFrame:
    """The blind spots (盲区): hotspots beyond the first threshold of every station,
    heaviest first (ties by id).

    Columns: ``position`` (of the hotspot), ``hotspot_id``, ``weight``, ``nearest_minutes``
    (NaN beyond reach) and ``beyond_T`` per threshold; with ``reasons`` (one per hotspot)
    also ``reason``: why it is a blind spot.
    """
    status = hotspot_status(cov, reasons)
    beyond = [c for c in status.columns if c.startswith("beyond_")]
    out = pd.DataFrame(
        {"position": np.arange(len(cov.weights)), "hotspot_id": cov.times.target_ids,
         "weight": cov.weights, "nearest_minutes": status["nearest_minutes"]}
    )  # fmt: skip
    out[beyond] = status[beyond]
    if reasons is not None:
        out["reason"] = status["blind_reason"]
    out = out.loc[out[beyond[0]]]
    out = out.sort_values(["weight", "hotspot_id"], ascending=[False, True], kind="stable")
    return out.reset_index(drop=True)
