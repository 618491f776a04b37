"""Times of a column of an input table: read as naive datetimes, offsets honoured, unreadable
cells named by row."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from ._validate import rows_text
from .errors import InputError

log = logging.getLogger(__name__)

#: A time of day followed by a UTC offset: ``Z``, ``UTC``, ``+08:00``, ``-0500``, ``+08``.
_OFFSET = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:[zZ]|UTC|GMT|[+-]\d{2}(?::?\d{2})?)$"


def read_times(values: pd.Series, *, source: str, column: str) -> pd.Series:
    """Times of a column as naive datetimes (NaT where empty or unreadable), in UTC when the
    times carry offsets.

    Times that all carry a UTC offset (``2026-05-01T12:00:00+08:00``, ``...04:10:00Z``) are
    converted to UTC, so mixed offsets compare correctly; times without offsets are kept as
    they are (local time). A column mixing both is refused, naming the rows of each kind,
    since a time without an offset has no place on the UTC line. Unreadable times are
    logged, naming their rows.
    """
    text = values.astype("string").str.strip()
    given = (text.notna() & (text != "")).to_numpy(dtype=bool)
    aware = text.str.contains(_OFFSET, regex=True, na=False).to_numpy(dtype=bool)
    naive = given & ~aware
    if aware.any() and naive.any():
        raise InputError(
            f"{source}, column {column!r}: mixes times with a UTC offset "
            f"({rows_text(np.flatnonzero(aware))}) and without "
            f"({rows_text(np.flatnonzero(naive))}); give every time an offset (such as +08:00 "
            "or Z) or none"
        )
    if aware.any():
        times = pd.to_datetime(text, errors="coerce", utc=True, format="ISO8601")
        times = times.dt.tz_localize(None)
    else:
        times = pd.to_datetime(text, errors="coerce")
    bad = np.flatnonzero(times.isna().to_numpy() & given)
    if bad.size:
        log.warning(
            "%s: %s, column %r: not a date and time, taken as none; use "
            "ISO form such as 2026-05-01 12:30:00", source, rows_text(bad), column,
        )  # fmt: skip
    return pd.Series(times.to_numpy(), index=values.index)
