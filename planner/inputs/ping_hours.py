"""Hotspot demand by hour of day from the times of rider points (``planner hotspots
--by-hour``).

Each stay (or stop) counts in the hour of day of its first point, read as the clock of the
time as written (``2026-05-01 19:40``, ``2026-05-01T19:40:00+08:00``: hour 19, the local clock
of the ping, whatever its offset). A hotspot's demand in an hour is what its weight counts
(stays or stops, dwell minutes) of the stays that began then; weighted by riders, the day's
distinct riders are shared between the hours in proportion to the riders seen in each. The
columns ``h00``…``h23`` sum to the hotspot's weight, and :mod:`planner.inputs.hours` reads
them back as its demand by hour.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core._times import read_times
from ..core.errors import InputError

#: The columns of demand by hour that ``planner hotspots --by-hour`` writes.
COLUMNS = tuple(f"h{h:02d}" for h in range(24))

_CLOCK = r"(?:T|\s)(\d{1,2}):\d{2}"


def point_hours(times: pd.Series, *, source: str, column: str) -> np.ndarray:
    """The hour of day (0-23) of every point, as its time is written (-1: no readable time)."""
    text = times.astype("string").str.strip()
    written = pd.to_numeric(text.str.extract(_CLOCK, expand=False), errors="coerce")
    parsed = read_times(times, source=source, column=column)
    fallback = parsed.dt.hour.astype("float")
    hours = written.where(written.notna() & (written < 24), fallback).to_numpy(dtype=float)
    return np.where(np.isfinite(hours), hours, -1).astype(np.int64)


def stay_hours(stay_of: np.ndarray, hours: np.ndarray, order_s: np.ndarray) -> np.ndarray:
    """The hour of the first point of each stay (stays in the order of their ids, as the
    stay table holds them); ``order_s``: the points' seconds, to find the first."""
    keep = np.flatnonzero(stay_of >= 0)
    t = np.where(np.isfinite(order_s[keep]), order_s[keep], np.inf)
    by = keep[np.lexsort((t, stay_of[keep]))]
    _, first = np.unique(stay_of[by], return_index=True)
    return hours[by[first]]


def demand(
    stays: pd.DataFrame,
    labels: np.ndarray,
    hour_of_stay: np.ndarray,
    weight_by: str,
    *,
    source: str,
) -> pd.DataFrame:
    """Demand per hotspot (rows: the group labels, sorted) and hour (:data:`COLUMNS`), from
    the stays (``pings``, ``rider``, ``dwell_s``), their group labels and their hours."""
    bad = int((hour_of_stay < 0).sum())
    if bad:
        raise InputError(
            f"{source}: {bad} stay(s) or stop(s) have no readable time of day; --by-hour needs "
            "a time column (timestamp, 时间) with a clock time on every row"
        )
    frame = pd.DataFrame(
        {"group": labels, "hour": hour_of_stay, "rider": stays["rider"].to_numpy(),
         "dwell": stays["dwell_s"].fillna(0.0).to_numpy() / 60.0}
    )  # fmt: skip
    g = frame.groupby(["group", "hour"], sort=True)
    if weight_by == "dwell":
        per = g["dwell"].sum()
    elif weight_by == "riders":
        per = g["rider"].nunique()
    else:
        per = g.size()
    table = per.unstack("hour", fill_value=0).reindex(columns=range(24), fill_value=0)
    table = table.astype(float)
    if weight_by == "riders":
        day = frame.groupby("group", sort=True)["rider"].nunique().astype(float)
        seen = table.sum(axis=1)
        table = table.mul(np.where(seen > 0, day / seen.where(seen > 0, 1.0), 0.0), axis=0)
    table.columns = list(COLUMNS)
    return table


def require_times(time_col: str | None, source: str) -> None:
    """``--by-hour`` needs a time column."""
    if time_col is None:
        raise InputError.about(
            "by_hour",
            "{source}: {by_hour} needs a time column (timestamp, 时间) to tell the hour of each "
            "point; add one, or drop {by_hour}",
            source=source,
        )


def table(
    points: pd.DataFrame,
    time_col: str | None,
    stay_of: np.ndarray,
    secs: np.ndarray | None,
    stays: pd.DataFrame,
    labels: np.ndarray,
    weight_by: str,
    *,
    source: str,
) -> pd.DataFrame:
    """Demand per hotspot group and hour (see :func:`demand`) from the points (their time
    column ``time_col``), their stays ``stay_of`` and seconds ``secs``, the stay table and
    the stays' groups."""
    if time_col is None or secs is None:
        require_times(None, source)
        raise AssertionError  # pragma: no cover - require_times raised
    hours = point_hours(points[time_col], source=source, column=str(time_col))
    return demand(stays, labels, stay_hours(stay_of, hours, secs), weight_by, source=source)
