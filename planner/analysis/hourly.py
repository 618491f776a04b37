"""Coverage by hour of day: the demand of each hour within the circles of the stations open
then.

The hours are those of one reference week (7 days × 24 hours, Monday first): a station
counts in an hour when its venue is open then (see :mod:`planner.inputs.hours`). The demand
of an hour is the hotspots' demand in that hour of day, the same on every day of the week;
without demand by hour, every hour has the hotspot's weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from ..core.units import minutes_label
from .coverage import Coverage

#: The kinds of day the coverage is stated for, and their days (0: Monday).
DAY_KINDS: Mapping[str, tuple[int, ...]] = {"weekday": (0, 1, 2, 3, 4), "weekend": (5, 6)}


@dataclass(frozen=True)
class Hours:
    """When the sites are open and when the demand is.

    Attributes
    ----------
    stations, candidates
        ``sites × 7 × 24`` booleans: open on that day of the reference week (Monday first)
        in that hour.
    demand
        ``hotspots × 24``: demand in each hour of day; None when the hotspots carry none
        (every hour then has the hotspot's weight).
    notes
        How the hours were read, for the summary (venues assumed always open...).
    """

    stations: np.ndarray
    candidates: np.ndarray
    demand: np.ndarray | None = None
    notes: Mapping[str, Any] | None = None

    def demand_or_weight(self, weights: np.ndarray) -> np.ndarray:
        """``hotspots × 24`` hourly demand, or ``hotspots × 1``: the weights, the same in
        every hour (shares need no more)."""
        if self.demand is not None:
            return np.asarray(self.demand, dtype=float)
        return np.asarray(weights, dtype=float)[:, None]

    def demand_in(self, weights: np.ndarray) -> np.ndarray:
        """``hotspots × 24`` demand per hour: the hourly demand, else ``weights`` / 24 in
        every hour (so that a day's demand is the weight either way)."""
        if self.demand is not None:
            return np.asarray(self.demand, dtype=float)
        return np.repeat(np.asarray(weights, dtype=float)[:, None] / 24.0, 24, axis=1)


def _covered(open_sites: np.ndarray, cover: sp.csr_matrix) -> np.ndarray:
    """Hotspots within reach of at least one open site (``cover``: sites × hotspots)."""
    if not open_sites.any():
        return np.zeros(cover.shape[1], dtype=bool)
    return np.asarray(cover[np.flatnonzero(open_sites)].sum(axis=0)).ravel() > 0


def shares(covers: list[sp.csr_matrix], open_week: np.ndarray, demand: np.ndarray) -> np.ndarray:
    """Share of each hour's demand within reach of a site open then: ``thresholds × 7 ×
    24`` (NaN where an hour has no demand).

    ``covers``: per threshold, a boolean ``sites × hotspots`` matrix; ``open_week``: ``sites
    × 7 × 24`` booleans; ``demand``: ``hotspots × 24``, or ``hotspots × 1`` for the same
    demand in every hour. Hours whose open sites are the same share one sum.
    """
    n_sites = open_week.shape[0]
    flat = open_week.reshape(n_sites, 7 * 24)
    patterns, which = np.unique(flat.T, axis=0, return_inverse=True)
    which = np.asarray(which).ravel()
    demand = np.asarray(demand, dtype=float).reshape(len(demand), -1)
    total = demand.sum(axis=0)
    column = np.arange(7 * 24) % 24 if demand.shape[1] == 24 else np.zeros(7 * 24, dtype=int)
    out = np.full((len(covers), 7 * 24), np.nan)
    for k, cover in enumerate(covers):
        cover = sp.csr_matrix(cover, dtype=bool)
        # demand within reach per pattern of open sites and column of demand
        reached = np.stack([_covered(p, cover).astype(float) @ demand for p in patterns])
        got = reached[which, column]
        has = total[column] > 0
        out[k, has] = got[has] / total[column][has]
    return out.reshape(len(covers), 7, 24)


def by_hour(
    existing: Coverage,
    candidates: Coverage,
    picked: np.ndarray,
    hours: Hours,
) -> list[dict[str, Any]]:
    """Coverage for each hour of a typical weekday, and of a weekend day where it differs:
    ``{hour, day, share_within, share_within_existing}`` with shares by threshold label
    (minutes), with the suggested sites and with the existing stations alone. The share of
    a kind of day is that of the demand of all its days (``None``: no demand in that hour).
    """
    picked = np.asarray(picked, dtype=np.int64)
    demand = hours.demand_or_weight(existing.weights)
    k_all = range(len(existing.thresholds_s))
    labels = [minutes_label(t) for t in existing.thresholds_s]
    st = [existing.covered(k).tocsr() for k in k_all]
    both = [sp.vstack([st[k], candidates.covered(k).tocsr()[picked]]).tocsr() for k in k_all]
    open_both = np.concatenate([hours.stations, hours.candidates[picked]], axis=0)
    after = _by_kind(shares(both, open_both, demand))
    before = _by_kind(shares(st, hours.stations, demand))
    kinds = ["weekday"]
    if not _same(after["weekday"], after["weekend"]) or not _same(
        before["weekday"], before["weekend"]
    ):
        kinds.append("weekend")
    rows = []
    for day in kinds:
        for h in range(24):
            rows.append({
                "hour": h, "day": day,
                "share_within": _labelled(labels, after[day][:, h]),
                "share_within_existing": _labelled(labels, before[day][:, h]),
            })  # fmt: skip
    return rows


def _by_kind(per_day: np.ndarray) -> dict[str, np.ndarray]:
    """``thresholds × 24`` shares per kind of day: the mean over its days (each day has the
    same demand, so this is the share of the demand of all its days)."""
    return {kind: per_day[:, list(days), :].mean(axis=1) for kind, days in DAY_KINDS.items()}


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.allclose(a, b, rtol=0.0, atol=1e-12, equal_nan=True))


def _labelled(labels: list[str], values: np.ndarray) -> dict[str, float | None]:
    return {
        lab: (None if not np.isfinite(v) else round(float(v), 6))
        for lab, v in zip(labels, values, strict=True)
    }
