"""Goals per sub-area (街道): a CSV with one row per area and threshold.

``area, minutes, share``: the share of the area's demand to bring within that many minutes,
such as ``南湾街道, 10, 90%`` (or ``0.9``). Headers may also be ``街道``/``区域``/``name``,
``分钟``/``threshold`` and ``目标``/``goal``/``target``. Whether the names are those of the
areas file and the minutes those of the thresholds is checked with the plan
(:mod:`planner.plan.area_goals`), which knows both.
"""

from __future__ import annotations

import logging
import os

import numpy as np
import pandas as pd

from ..core._validate import Problems, header_key
from ..core.errors import InputError
from .points import _read_csv, check_file

log = logging.getLogger(__name__)

#: The headers each column may have (compared lower-case, spaces trimmed).
HEADERS = {
    "area": ("area", "name", "街道", "区域", "名称", "area_name"),
    "minutes": ("minutes", "minute", "threshold", "分钟", "min"),
    "share": ("share", "goal", "target", "目标", "比例"),
}


def read_area_targets(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read goals per area: columns ``area`` (text), ``minutes`` (> 0), ``share`` (a fraction
    in (0, 1], written as ``0.9``, ``90`` or ``90%``) and ``row`` (the row of the file, the
    header being row 1). Every bad row is reported at once, by file, row and column; an area
    with two goals for the same minutes is an error."""
    p = check_file(path, "area targets")
    source = f"area targets file {str(p)!r}"
    raw = _read_csv(p, "area targets")
    cols = _columns(raw, source)
    problems = Problems(source)
    area = raw[cols["area"]].fillna("").astype(str).str.strip()
    for i in np.flatnonzero((area == "").to_numpy()):
        problems.add(
            f"row {i + 2}, column {cols['area']!r}: no area name; give the name as in the "
            "areas file"
        )
    minutes = _numbers(raw[cols["minutes"]], cols["minutes"], problems, "minutes such as 10")
    share = _shares(raw[cols["share"]], cols["share"], problems)
    for i in np.flatnonzero(np.isfinite(minutes) & ~((minutes > 0) & (minutes < 1440))):
        problems.add(
            f"row {i + 2}, column {cols['minutes']!r}: minutes must be between 0 and 1440, "
            f"got {minutes[i]:g}"
        )
    out = pd.DataFrame({"area": area, "minutes": minutes, "share": share,
                        "row": np.arange(len(raw)) + 2})  # fmt: skip
    dup = out.duplicated(["area", "minutes"], keep="first") & (area != "")
    for i in np.flatnonzero(dup.to_numpy()):
        problems.add(
            f"row {i + 2}: a second goal for {area.iloc[i]!r} within {minutes[i]:g} min; keep one"
        )
    if not len(out):
        problems.add("no rows; give one row per area and threshold (area, minutes, share)")
    problems.raise_if_any()
    log.info("read %d goals for %d areas", len(out), out["area"].nunique())
    return out


def _columns(raw: pd.DataFrame, source: str) -> dict[str, str]:
    """The file's column for each of area, minutes, share."""
    by_key = {header_key(c): c for c in raw.columns}
    found: dict[str, str] = {}
    for field, names in HEADERS.items():
        hit = next((by_key[n] for n in names if n in by_key), None)
        if hit is None:
            raise InputError(
                f"{source}: no {field} column (one of {', '.join(names)}); columns are "
                f"{list(raw.columns)}; the file needs area, minutes, share"
            )
        found[field] = hit
    return found


def _numbers(cells: pd.Series, column: str, problems: Problems, what: str) -> np.ndarray:
    values = pd.to_numeric(cells.fillna("").astype(str).str.strip(), errors="coerce").to_numpy(
        float
    )
    for i in np.flatnonzero(~np.isfinite(values)):
        problems.add(f"row {i + 2}, column {column!r}: expected {what}, got {cells.iloc[i]!r}")
    return values


def _shares(cells: pd.Series, column: str, problems: Problems) -> np.ndarray:
    """Shares as fractions: ``90%`` and numbers above 1 are percentages."""
    text = cells.fillna("").astype(str).str.strip()
    marked = text.str.endswith("%").to_numpy()
    values = _numbers(text.str.rstrip("%"), column, problems, "a share such as 0.9 or 90%")
    values = np.where(marked | (values > 1), values / 100.0, values)
    for i in np.flatnonzero(np.isfinite(values) & ~((values > 0) & (values <= 1))):
        problems.add(
            f"row {i + 2}, column {column!r}: the share must be above 0 and at most 100%, "
            f"got {cells.iloc[i]!r}"
        )
    return values
