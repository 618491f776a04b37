"""Coverage of demand by stations, from one set of travel times.

A hotspot is covered within threshold T by a station when its travel time to the station
(access legs included) is at most T. Everything here reads the sparse
:class:`~planner.travel.TravelTimes`; nothing recomputes a route.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .config import minutes_label
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

    def levels(self, threshold_weights: Sequence[float] | None = None) -> sp.csc_matrix:
        """``hotspots × sites`` value of each pair: the sum of the weights of the thresholds
        the pair meets (default 1 each, so 3 = within 8, 10 and 15 minutes)."""
        w = (
            np.ones(len(self.thresholds_s))
            if threshold_weights is None
            else np.asarray(threshold_weights, dtype=float)
        )
        m = self.times.seconds.tocoo()
        value = np.zeros(m.nnz)
        for k, t in enumerate(self.thresholds_s):
            value += w[k] * (m.data <= t)
        keep = value > 0
        return sp.csc_matrix(
            (value[keep], (m.col[keep], m.row[keep])), shape=(m.shape[1], m.shape[0])
        )

    def nearest_seconds(self) -> np.ndarray:
        return self.times.nearest_seconds()


def station_scores(cov: Coverage) -> pd.DataFrame:
    """Per station and threshold: demand and hotspots covered, unique and redundant demand.

    Columns per threshold ``T`` (minutes): ``demand_T``, ``hotspots_T``, ``share_T`` (of all
    demand), ``unique_T`` (demand no other station covers within T), ``redundant_T``
    (covered here and by another station).
    """
    total = float(cov.weights.sum())
    out = pd.DataFrame({"station_id": cov.times.source_ids})
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
    return out


def district_summary(cov: Coverage) -> dict[str, object]:
    """District figures: demand covered per threshold and nearest-station travel times."""
    total = float(cov.weights.sum())
    nearest = cov.nearest_seconds()
    out: dict[str, object] = {"hotspots": int(len(cov.weights)), "total_demand": total}
    shares = {}
    for k, t in enumerate(cov.thresholds_s):
        covered = cov.counts(k) > 0
        d = float(cov.weights[covered].sum())
        shares[minutes_label(t)] = {
            "demand": d,
            "share": d / total if total > 0 else 0.0,
            "hotspots": int(covered.sum()),
        }
    out["covered"] = shares
    reach = np.isfinite(nearest)
    out["hotspots_beyond_limit"] = int((~reach).sum())
    if reach.any():
        w = cov.weights[reach]
        m = nearest[reach] / 60.0
        out["nearest_minutes_mean_reached"] = (
            float(np.average(m, weights=w)) if w.sum() else float(m.mean())
        )
        out["nearest_minutes_median_reached"] = float(np.median(m))
    return out
