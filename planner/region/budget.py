"""How many new sites each district gets: the same number, a number per district from a
column of the districts file, or a total for the region shared by marginal coverage.

The shared total (:func:`split_total`) gives each site, one at a time, to the district whose
coverage curve gains most from one more site (ties: the district first by name), after each
district's floor (``min_add``). For concave curves (each further site adds no more than the
one before, as greedy coverage curves do) this split maximises the region's total gain.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import pandas as pd

from ..core.errors import FieldError, InputError
from ..core.units import tol

#: The column of the districts file holding each district's floor under ``--add-total``.
MIN_ADD_COLUMN = "min_add"


def column_counts(districts: gpd.GeoDataFrame, column: str, *, source: str) -> list[int]:
    """Whole numbers >= 0 from ``column`` of the districts (in their order); an error names
    the column, the district and the value."""
    if column not in districts.columns:
        raise FieldError(
            "add_column",
            "{add_column}: the districts file {source} has no column {column!r} (columns: "
            "{columns})",
            source=source, column=column,
            columns=", ".join(c for c in districts.columns if c != "geometry"),
        )  # fmt: skip
    out = []
    for name, value in zip(districts["district"], districts[column], strict=True):
        number = pd.to_numeric(pd.Series([value]), errors="coerce").iat[0]
        if not (np.isfinite(number) and number >= 0 and number == int(number)):
            raise InputError(
                f"districts file {source}: district {name!r}: column {column!r} holds "
                f"{value!r}; give a whole number of new sites, 0 or more"
            )
        out.append(int(number))
    return out


def floors(districts: gpd.GeoDataFrame, *, source: str) -> list[int]:
    """Each district's ``min_add`` (0 where the column is absent or the cell empty)."""
    if MIN_ADD_COLUMN not in districts.columns:
        return [0] * len(districts)
    filled = districts.assign(**{MIN_ADD_COLUMN: districts[MIN_ADD_COLUMN].fillna(0)})
    return column_counts(filled, MIN_ADD_COLUMN, source=source)


def split_total(
    gains: Sequence[Sequence[float]],
    total: int,
    minimum: Sequence[int] | None = None,
    *,
    names: Sequence[str] | None = None,
) -> list[int]:
    """Share ``total`` new sites among districts by marginal gain.

    ``gains[d][k]`` is what the ``k+1``-th site adds in district ``d`` (its coverage curve's
    steps); a district gets at most ``len(gains[d])`` sites, at least ``minimum[d]``.
    Greedy on the marginal gains from the floors; ties go to the lower district position.
    Optimal when every district's gains are non-increasing. Raises
    :class:`~planner.core.errors.FieldError` when the floors exceed ``total`` or the
    districts cannot take ``total`` sites.
    """
    floor = list(minimum) if minimum is not None else [0] * len(gains)
    named = list(names) if names is not None else [str(d) for d in range(len(gains))]
    caps = [len(g) for g in gains]
    for d, (f, c) in enumerate(zip(floor, caps, strict=True)):
        if f > c:
            raise FieldError(
                "add_total",
                "{add_total}: district {d!r} asks for at least {f} sites ({column}) but has "
                "only {c} candidates",
                d=named[d], f=f, c=c, column=MIN_ADD_COLUMN,
            )  # fmt: skip
    if sum(floor) > total:
        raise FieldError(
            "add_total",
            "{add_total}: the floors ({column}) add up to {s}, more than {total}; raise "
            "{add_total} or lower the floors",
            s=sum(floor), total=total, column=MIN_ADD_COLUMN,
        )  # fmt: skip
    if sum(caps) < total:
        raise FieldError(
            "add_total",
            "{add_total}: asked for {total} new sites but the districts have only {c} "
            "candidates in all; ask for fewer or give more candidates",
            total=total, c=sum(caps),
        )  # fmt: skip
    out = list(floor)
    heap = [(-float(gains[d][out[d]]), d) for d in range(len(gains)) if out[d] < caps[d]]
    heapq.heapify(heap)
    for _ in range(total - sum(floor)):
        _, d = heapq.heappop(heap)
        out[d] += 1
        if out[d] < caps[d]:
            heapq.heappush(heap, (-float(gains[d][out[d]]), d))
    return out


def curve_gains(curve: pd.DataFrame | None, weights: Sequence[float] | None) -> list[float]:
    """The steps of a plan's coverage curve (``cumulative_<min>`` per threshold, row 0 the
    existing stations): what each further site adds, the thresholds weighted by
    ``weights`` (None: 1 each), rounded off below the package tolerance."""
    if curve is None or len(curve) < 2:
        return []
    cols = [c for c in curve.columns if c.startswith("cumulative_") and "share" not in c]
    w = np.ones(len(cols)) if weights is None else np.asarray(weights, dtype=float)
    value = curve[cols].to_numpy(dtype=float) @ w
    steps = np.diff(value)
    return [0.0 if abs(s) <= tol(v) else float(s) for s, v in zip(steps, value[1:], strict=True)]
