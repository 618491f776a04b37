"""Opening hours of the venues and rider demand by hour of day.

Venues (stations, candidates) may carry an ``opening_hours`` value in the OpenStreetMap
syntax (``Mo-Fr 09:00-17:30; Sa 10:00-14:00``, ``24/7``), read with the ``opening-hours-py``
parser. A venue is open in an hour when it is open for at least half of that hour on the
day, evaluated over one reference week (:data:`REFERENCE_MONDAY`, no public holidays):
rules by date, month or holiday are read as they apply to that week. A venue with no value
is always open. In a file the planner is given, a value the parser cannot read is an error
naming the file, row and value; in map data (OSM venues, which are often messy) it is a
warning and the venue counts as always open.

Hotspots may carry demand per hour of day: 24 columns (wide form: ``h0``…``h23``,
``h00``…``h23``, ``hour_0``…, or ``0``…``23``), or an ``hour`` column with one row per
hotspot and hour (long form: the rows of one hotspot share its id). Either way the hotspot
gets the columns :data:`DEMAND_COLUMNS` and a ``weight`` that is their sum (its demand over
a day).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ..core._validate import Problems, header_key, rows_text
from ..core.errors import InputError

log = logging.getLogger(__name__)

#: The column of a venue's opening hours (the OSM tag's name).
COLUMN = "opening_hours"
#: The Monday of the reference week the hours are evaluated over.
REFERENCE_MONDAY = dt.date(2025, 6, 9)
#: Days of the week in order (index 0: Monday).
DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
#: A venue counts as open in an hour when it is open at least this share of the hour.
OPEN_SHARE = 0.5
#: The columns of hourly demand a hotspot frame carries (demand in hour 0, 1, ... 23).
DEMAND_COLUMNS = tuple(f"demand_h{h:02d}" for h in range(24))

_WIDE = re.compile(r"(?:h|hour[ _]?)?0?(\d{1,2})(?:h)?")


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return str(value).strip()


@lru_cache(maxsize=4096)
def week(value: str) -> np.ndarray:
    """Which hours of the reference week ``value`` (OSM ``opening_hours`` syntax) is open:
    a ``7 × 24`` boolean array (Monday first). Empty text is always open. Raises
    :class:`ValueError` when the parser cannot read the value."""
    text = value.strip()
    if not text:
        return np.ones((7, 24), dtype=bool)
    import opening_hours

    try:
        oh = opening_hours.OpeningHours(text)
    except Exception as exc:  # the parser raises its own ParserError
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(first) from None
    start = dt.datetime.combine(REFERENCE_MONDAY, dt.time())
    open_s = np.zeros(7 * 24)
    for begin, end, state, _ in oh.intervals(start, start + dt.timedelta(days=7)):
        if str(state).rsplit(".", 1)[-1].upper() != "OPEN":
            continue
        _add_seconds(open_s, (begin - start).total_seconds(), (end - start).total_seconds())
    out = (open_s >= OPEN_SHARE * 3600.0).reshape(7, 24)
    out.setflags(write=False)
    return out


def _add_seconds(open_s: np.ndarray, a: float, b: float) -> None:
    """Add the open interval ``[a, b)`` (seconds from the week's start) to each hour."""
    a, b = max(a, 0.0), min(b, 7 * 86400.0)
    h = int(a // 3600)
    while a < b and h < len(open_s):
        end = min(b, (h + 1) * 3600.0)
        open_s[h] += end - a
        a, h = end, h + 1


@dataclass(frozen=True)
class OpenHours:
    """Which hours each venue of a table is open.

    ``open`` is ``venues × 7 × 24`` booleans (day of the reference week, Monday first;
    hour of day). ``assumed`` counts the venues with no value (always open), ``unreadable``
    those of map data whose value the parser could not read (also always open).
    """

    open: np.ndarray
    assumed: int = 0
    unreadable: int = 0
    given: bool = False

    @classmethod
    def always(cls, n: int) -> OpenHours:
        return cls(np.ones((n, 7, 24), dtype=bool), assumed=n)

    def subset(self, positions: np.ndarray) -> OpenHours:
        return OpenHours(self.open[positions], self.assumed, self.unreadable, self.given)


def of_sites(frame: pd.DataFrame, *, source: str, strict: bool = True) -> OpenHours:
    """The opening hours of the venues of ``frame`` from its ``opening_hours`` column.

    ``strict`` (a file the planner was given): every value the parser cannot read is
    reported at once, by row and value, as an :class:`InputError` naming ``source``. Not
    ``strict`` (venues from map data): such a venue counts as always open, with one warning.
    """
    n = len(frame)
    column = _column(frame)
    if column is None:
        return OpenHours.always(n)
    texts = [_text(v) for v in frame[column].tolist()]
    out = np.ones((n, 7, 24), dtype=bool)
    bad: list[tuple[int, str, str]] = []
    for i, text in enumerate(texts):
        try:
            out[i] = week(text)
        except ValueError as exc:
            bad.append((i, text, str(exc)))
    if bad and strict:
        problems = Problems(source)
        for i, text, why in bad[:5]:
            problems.add(
                f"{rows_text([i])}, column {column!r}: cannot read the opening hours "
                f"{text!r} ({why}); write them in the OSM syntax such as "
                "'Mo-Fr 09:00-17:30; Sa 10:00-14:00' or '24/7', or leave the cell empty "
                "(always open)"
            )
        if len(bad) > 5:
            problems.add(f"and {len(bad) - 5} more rows")
        problems.raise_if_any()
    if bad:
        log.warning(
            "%s: %d venue(s) have opening hours the parser cannot read (such as %r); they "
            "count as always open",
            source, len(bad), bad[0][1],
        )  # fmt: skip
    assumed = sum(1 for t in texts if not t)
    return OpenHours(out, assumed=assumed, unreadable=len(bad), given=True)


def _column(frame: pd.DataFrame) -> str | None:
    for c in frame.columns:
        if header_key(c).replace(" ", "_") in (COLUMN, "opening hours", "营业时间"):
            return str(c)
    return None


# --------------------------------------------------------------------------- demand


def wide_columns(columns: Sequence[object], *, source: str = "hotspots") -> list[str] | None:
    """The 24 columns of hourly demand (hour 0 first) among ``columns``, or None when there
    are none. Names of one kind (``h0``/``h00``, ``hour_0``, ``0``) count together; a kind
    that names 12 to 23 of the hours is an error (some hours are missing). A lone ``h3``
    (an H3 cell column) is no hour."""
    names = [str(c) for c in columns]
    if DEMAND_COLUMNS[0] in names:
        return list(DEMAND_COLUMNS)
    kinds: dict[str, dict[int, str]] = {}
    # two-digit names first: with both ``h3`` (an H3 cell) and ``h03``, hour 3 is ``h03``
    for c in sorted(names, key=lambda n: not re.search(r"\d\d", n)):
        m = _WIDE.fullmatch(header_key(c))
        if m and int(m.group(1)) < 24:
            kind = re.sub(r"[\d _]", "", header_key(c))
            kinds.setdefault(kind, {}).setdefault(int(m.group(1)), c)
    for by_hour in kinds.values():
        if len(by_hour) == 24:
            return [by_hour[h] for h in range(24)]
    for by_hour in kinds.values():
        if len(by_hour) >= 12:
            missing = sorted(set(range(24)) - set(by_hour))
            raise InputError(
                f"{source}: demand by hour in columns for hours {sorted(by_hour)} but none for "
                f"{missing}; "
                "give all 24 columns h0..h23 (0 where there is no demand)"
            )
    return None


def with_demand_by_hour(frame: pd.DataFrame, *, source: str) -> pd.DataFrame:
    """Hotspots with their demand by hour, when the file gives it (long or wide form):
    the columns :data:`DEMAND_COLUMNS` and ``weight`` their sum. Other files unchanged."""
    hour = next((c for c in frame.columns if header_key(c) == "hour"), None)
    if hour is not None:
        return _fold_long(frame, str(hour), source)
    cols = wide_columns(list(frame.columns), source=source)
    if cols is None:
        return frame
    problems = Problems(source)
    values = np.zeros((len(frame), 24))
    for h, c in enumerate(cols):
        v = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(v) | (v < 0))
        if bad.size:
            problems.add(
                f"{rows_text(bad)}, column {c!r}: demand at hour {h} must be a number >= 0, "
                f"found {frame[c].iloc[bad[0]]!r}"
            )
        values[:, h] = v
    problems.raise_if_any()
    out = frame.drop(columns=[c for c in cols if c in frame.columns])
    return _with_hours(out, values, source)


def _with_hours(frame: pd.DataFrame, values: np.ndarray, source: str) -> pd.DataFrame:
    if float(values.sum()) <= 0:
        raise InputError(f"{source}: every hourly demand is 0; give some demand")
    out = frame.copy()
    out["weight"] = values.sum(axis=1)
    hourly = pd.DataFrame(values, columns=list(DEMAND_COLUMNS), index=out.index)
    out = pd.concat([out, hourly], axis=1)
    out.attrs.update(frame.attrs)
    log.info("%s: demand by hour of day for %d hotspots", source, len(out))
    return out


def _fold_long(frame: pd.DataFrame, hour: str, source: str) -> pd.DataFrame:
    """One row per hotspot from one row per hotspot and hour: the rows of a hotspot share
    its id (and must share its position), or without ids its position."""
    problems = Problems(source)
    h = pd.to_numeric(frame[hour], errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(h) | (h != np.round(h)) | (h < 0) | (h > 23))
    if bad.size:
        problems.add(
            f"{rows_text(bad)}, column {hour!r}: hour must be a whole number 0 to 23, found "
            f"{frame[hour].iloc[bad[0]]!r}"
        )
    problems.raise_if_any()
    ids = frame["id"].astype(str)
    by_id = bool(ids.duplicated().any())
    key = (
        ids
        if by_id
        else frame["lon"].round(7).astype(str) + "," + frame["lat"].round(7).astype(str)
    )
    first = ~key.duplicated().to_numpy()
    codes, uniq = pd.factorize(key, sort=False)
    moved = _moved(frame, codes) if by_id else np.zeros(0, dtype=int)
    if moved.size:
        problems.add(
            f"{rows_text(moved)}: hotspot {ids.iloc[moved[0]]!r} has rows at different "
            "places; the rows of one hotspot (one id, one row per hour) must share lon/lat"
        )
    twice = np.flatnonzero(pd.Series(list(zip(codes, h, strict=True))).duplicated().to_numpy())
    if twice.size:
        problems.add(
            f"{rows_text(twice)}: hotspot {ids.iloc[twice[0]]!r} has two rows for hour "
            f"{int(h[twice[0]])}; give one row per hotspot and hour"
        )
    problems.raise_if_any()
    values = np.zeros((len(uniq), 24))
    np.add.at(values, (codes, h.astype(int)), frame["weight"].to_numpy(dtype=float))
    out = frame.loc[first].drop(columns=[hour, "weight"]).reset_index(drop=True)
    out.attrs.update(frame.attrs)
    return _with_hours(out, values, source)


def _moved(frame: pd.DataFrame, codes: np.ndarray) -> np.ndarray:
    """Rows whose lon/lat differ from the first row of their hotspot (by more than ~1 cm)."""
    xy = frame[["lon", "lat"]].to_numpy(dtype=float)
    first = np.zeros((codes.max() + 1 if len(codes) else 0, 2))
    first[codes[::-1]] = xy[::-1]
    return np.flatnonzero(np.abs(xy - first[codes]).max(axis=1) > 1e-7)


def demand_by_hour(frame: pd.DataFrame) -> np.ndarray | None:
    """The hotspots' demand per hour of day (``hotspots × 24``), or None when they carry
    none (their weight is then the same in every hour)."""
    if DEMAND_COLUMNS[0] not in frame.columns:
        return None
    return frame[list(DEMAND_COLUMNS)].to_numpy(dtype=float)


def parse_hours(text: object) -> tuple[int, ...]:
    """Hours of the day from text such as ``"11-14,17-21"``: ranges of clock hours,
    ``11-14`` from 11:00 to 14:00 (the hours 11, 12 and 13), ``22-2`` across midnight, a
    single ``9`` the hour from 9:00; ``all`` every hour. Raises :class:`ValueError`."""
    raw = str(text).strip().lower()
    if raw in ("all", "0-24", "24/7"):
        return tuple(range(24))
    hours: set[int] = set()
    for part in (p.strip() for p in raw.split(",")):
        m = re.fullmatch(r"(\d{1,2})(?::00)?(?:\s*-\s*(\d{1,2})(?::00)?)?", part)
        if not m:
            raise ValueError(f"{part!r} is not an hour (0-23) or a range such as 11-14")
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) is not None else (a + 1) % 24
        if a > 23 or b > 24 or (m.group(2) is not None and a == b % 24):
            raise ValueError(f"{part!r}: hours run 0-24 and a range must not be empty")
        hours.update(range(a, b) if a < b else [*range(a, 24), *range(0, b)])
    return tuple(sorted(hours))
