"""A budget in money: the options ``cost`` (the candidates column holding each site's
opening cost) and ``budget`` (the most the new sites may cost in all), checked, and the
costs read from the candidates.

Costs and the budget are in one unit of money, whatever the file uses (yuan in the seed
documents); the planner only adds them up and compares. With a budget, ``add`` is the most
sites to open (the budget alone decides when ``add`` is not given).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import numpy as np

from ..core._validate import Problems, numeric_column, rows_text
from ..core.errors import FieldError, InputError


def parse_budget(value: object) -> float:
    """The budget: an amount of money above 0 (a number, or text such as ``"500000"``;
    thousands separators ``,`` and ``_`` and spaces are read)."""
    text = value if not isinstance(value, str) else value.replace(",", "").replace("_", "")
    try:
        number = float("nan") if isinstance(text, bool) else float(str(text).strip())
    except (TypeError, ValueError):
        number = float("nan")
    if not (np.isfinite(number) and number > 0):
        raise FieldError(
            "budget",
            "{budget}: expected an amount of money above 0 such as 500000 (the unit of the "
            "{cost} column), got {got!r}",
            got=value,
        )
    return number


def check(cost: Any, budget: Any) -> list[FieldError]:
    """Problems of the two options together: both given, the budget an amount, the cost a
    column name."""
    problems: list[FieldError] = []
    if budget is None:
        problems.append(
            FieldError(
                "budget",
                "{cost} {column!r} needs {budget}: the most the new sites may cost in all, "
                "such as {budget} 500000",
                column=str(cost),
            )
        )
    else:
        try:
            parse_budget(budget)
        except FieldError as exc:
            problems.append(exc)
    if cost is None or not str(cost).strip():
        problems.append(
            FieldError(
                "cost",
                "{budget} needs {cost}: the name of the candidates column holding each "
                "site's opening cost (in the unit of the budget), such as {cost} cost",
            )
        )
    return problems


def costs(candidates: gpd.GeoDataFrame, column: str, *, source: str) -> np.ndarray:
    """Each candidate's opening cost from the column ``column`` (numbers >= 0; every
    missing, non-numeric or negative value reported at once by row)."""
    if column not in candidates.columns:
        raise InputError.about(
            "cost",
            "{source}: no cost column {column!r}; columns are {columns}; add a column "
            "holding each site's opening cost, or give {cost} the name of one of these",
            source=source, column=column,
            columns=[c for c in candidates.columns if c != "geometry"],
        )  # fmt: skip
    problems = Problems(source)
    raw = candidates[column]
    if raw.dtype == object:  # "120,000" or "120 000" as a spreadsheet writes it
        raw = raw.map(lambda v: v.replace(",", "").replace(" ", "") if isinstance(v, str) else v)
    values = numeric_column(candidates.assign(**{column: raw}), column, problems, field="cost")
    bad = np.flatnonzero(np.isfinite(values) & (values < 0))
    if bad.size:
        problems.add(
            f"{rows_text(bad)}, column {column!r}: cost must be 0 or more, found "
            f"{values[bad[0]]:g}; give each site's opening cost, or delete the rows"
        )
    problems.raise_if_any()
    return values
