"""Input checks that gather every problem and report them at once."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .errors import InputError

#: Recognised column names (lower-case) for each field, in order of preference.
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "lon": ("lon", "lng", "longitude", "long", "x", "经度"),
    "lat": ("lat", "latitude", "y", "纬度"),
    "weight": ("weight", "demand", "count", "权重", "订单量", "骑手数"),
    "name": ("name", "名称", "站点名称"),
    "id": ("id", "编号", "站点编号"),
}

_MAX_LISTED = 5

#: Columns the planner writes itself (scores, coverage flags, suggested sites): in an input
#: (a reused ``stations_scored.csv``) they are stale and clash with what the run computes.
PLANNER_COLUMNS = frozenset(
    {"grade", "catchment_demand", "catchment_hotspots", "snap_status", "snap_distance_m",
     "nearest_minutes", "nearest_minutes_median", "nearest_minutes_p90", "served_demand",
     "lon_gcj02", "lat_gcj02"}
)  # fmt: skip
#: The same per threshold: ``demand_8``, ``share_7.5``, ``goal_10_attained``...
_PLANNER_PER_THRESHOLD = re.compile(
    r"(demand|hotspots|share|unique|redundant|lost_if_closed|catchment_within|covered|beyond"
    r"|demand_added|added|cumulative|cumulative_share)_\d+(\.\d+)?|goal_\d+(\.\d+)?_attained"
)


class Problems:
    """Collect problems about one input and raise them together as one :class:`InputError`."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def raise_if_any(self) -> None:
        if self.items:
            raise InputError(f"{self.source}: " + "; ".join(self.items))


def rows_text(positions: Iterable[int], *, header_rows: int = 1) -> str:
    """Human row numbers as a spreadsheet shows them (header is row 1), first few only."""
    rows = [int(p) + 1 + header_rows for p in positions]
    shown = ", ".join(str(r) for r in rows[:_MAX_LISTED])
    more = f" and {len(rows) - _MAX_LISTED} more" if len(rows) > _MAX_LISTED else ""
    return f"row{'s' if len(rows) > 1 else ''} {shown}{more}"


def find_column(
    frame: pd.DataFrame, field: str, *, override: str | None = None, source: str
) -> str | None:
    """Return the column of ``frame`` that holds ``field``, by override or by known aliases.

    Raises :class:`InputError` when the override is absent or when two aliases both match.
    """
    if override:
        if override not in frame.columns:
            raise InputError(
                f"{source}: column {override!r} given for {field} is not in the file; "
                f"columns are {list(frame.columns)}"
            )
        return override
    lower: dict[str, list[str]] = {}
    for c in frame.columns:
        lower.setdefault(header_key(c), []).append(c)
    aliases = COLUMN_ALIASES.get(field, (field,))
    alike = [lower[a] for a in aliases if len(lower.get(a, ())) > 1]
    if alike:
        raise InputError(f"{source}: {_alike_text(alike)}")
    hits = [lower[a][0] for a in aliases if a in lower]
    if len(hits) > 1 and field in ("lon", "lat", "weight"):
        raise InputError.about(
            f"{field}_column",
            "{source}: columns {hits} could all be the {what}; keep one or name it with "
            "{" + field + "_column}",
            source=source, hits=hits, what=field,
        )  # fmt: skip
    return hits[0] if hits else None


def planner_columns(columns: Iterable[object]) -> list[str]:
    """The columns among ``columns`` that the planner writes itself (case and spacing
    ignored), in their order."""
    out = []
    for c in columns:
        key = header_key(c)
        if key in PLANNER_COLUMNS or _PLANNER_PER_THRESHOLD.fullmatch(key):
            out.append(str(c))
    return out


def header_key(header: object) -> str:
    """A header as recognised: case and spacing ignored (``" Lon  "`` → ``"lon"``)."""
    if header is None or (isinstance(header, float) and np.isnan(header)):
        return ""
    return " ".join(str(header).split()).lower()


def check_distinct_headers(headers: Sequence[object], source: str) -> None:
    """Raise :class:`InputError` naming ``source`` and the columns when two headers differ
    only by case or spacing (or not at all): which one is meant would be a guess."""
    groups: dict[str, list[str]] = {}
    for h in headers:
        if key := header_key(h):
            groups.setdefault(key, []).append(str(h))
    alike = [names for names in groups.values() if len(names) > 1]
    if alike:
        raise InputError(f"{source}: {_alike_text(alike)}")


def _alike_text(alike: Sequence[Sequence[str]]) -> str:
    pairs = "; ".join(" and ".join(repr(n) for n in names) for names in alike)
    return (
        f"columns {pairs} differ only by case or spacing, so which one is meant would be a "
        "guess; rename or delete all but one of them"
    )


def numeric_column(
    frame: pd.DataFrame, column: str, problems: Problems, *, field: str
) -> np.ndarray:
    """Parse a column as floats; report non-numeric and missing cells by row."""
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        sample = raw.iloc[bad[0]]
        problems.add(
            f"{rows_text(bad)}, column {column!r}: {field} must be a number, "
            f"found {sample!r}; fill in or delete those rows"
        )
    return values


#: The largest total weight accepted: beyond it sums of whole counts lose precision and
#: products with seconds or metres head for infinity (1e308 would give NaN in summary.json).
MAX_TOTAL_WEIGHT = 1e15


def check_weight_total(weights: np.ndarray, problems: Problems, column: str) -> None:
    """Report weights whose total is not finite or exceeds :data:`MAX_TOTAL_WEIGHT`, naming
    the rows of the largest ones."""
    w = np.where(np.isfinite(weights) & (weights > 0), weights, 0.0)
    with np.errstate(over="ignore"):
        total = float(np.sum(w))
    if total <= MAX_TOTAL_WEIGHT:
        return
    big = np.flatnonzero(w > MAX_TOTAL_WEIGHT / max(len(w), 1))
    problems.add(
        f"{rows_text(big)}, column {column!r}: weights too large (total "
        f"{'overflows to infinity' if not np.isfinite(total) else f'{total:.3g}'}, more than "
        f"{MAX_TOTAL_WEIGHT:.0e}); give them in a smaller unit (orders or riders per day) or "
        "scale them down"
    )


def check_lonlat(lon: np.ndarray, lat: np.ndarray, problems: Problems, cols: Sequence[str]) -> None:
    """Report coordinates out of range and columns that look swapped."""
    ok = np.isfinite(lon) & np.isfinite(lat)
    bad = np.flatnonzero(ok & ((np.abs(lon) > 180) | (np.abs(lat) > 90)))
    if bad.size:
        fixable = (np.abs(lat[bad]) <= 180) & (np.abs(lon[bad]) <= 90)
        hint = (
            "latitude and longitude look swapped; exchange the two columns"
            if fixable.all()
            else "check that they are degrees, or give their coordinate system (crs) as EPSG:n"
        )
        problems.add(
            f"{rows_text(bad)}: coordinates out of range (lon must be within ±180, lat within "
            f"±90) in columns {list(cols)}; {hint}"
        )
    if ok.sum() >= 1 and not bad.size:
        # every point in the Arctic with a small longitude: swapped rather than Svalbard
        swapped = ok & (np.abs(lat) > 60) & (np.abs(lon) < 60)
        if swapped.sum() > 0.5 * ok.sum() and np.median(np.abs(lat)) > 66:
            problems.add(
                f"latitude and longitude look swapped (column {cols[1]!r} holds values like "
                f"{lat[ok][0]:.4f}); exchange the two columns"
            )


def check_unique_ids(ids: pd.Series, problems: Problems, column: str) -> None:
    dup = ids.duplicated(keep=False).to_numpy()
    if dup.any():
        pos = np.flatnonzero(dup)
        problems.add(
            f"{rows_text(pos)}, column {column!r}: duplicate id {ids.iloc[pos[0]]!r}; "
            "every id must be unique"
        )
