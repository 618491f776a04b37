"""``--add-total``: the greedy split on marginal gains against brute force on small curves,
and the counts read from the districts file."""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.core.errors import FieldError, InputError
from planner.region import budget


def _best(gains: list[list[float]], total: int, floor: list[int]) -> float:
    """The largest total gain of any split of ``total`` sites (brute force)."""
    ranges = [range(f, len(g) + 1) for f, g in zip(floor, gains, strict=True)]
    return max(
        sum(sum(g[:n]) for g, n in zip(gains, split, strict=True))
        for split in itertools.product(*ranges)
        if sum(split) == total
    )


@pytest.mark.parametrize("seed", range(40))
def test_split_is_optimal_for_concave_curves(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 5))
    gains = [sorted(rng.integers(0, 20, int(rng.integers(0, 5))).astype(float), reverse=True)
             for _ in range(n)]  # fmt: skip
    caps = sum(len(g) for g in gains)
    floor = [int(rng.integers(0, len(g) + 1)) if rng.random() < 0.3 else 0 for g in gains]
    if sum(floor) > caps:
        floor = [0] * n
    total = int(rng.integers(sum(floor), caps + 1))
    split = budget.split_total(gains, total, floor)
    assert sum(split) == total
    assert all(f <= s <= len(g) for f, s, g in zip(floor, split, gains, strict=True))
    got = sum(sum(g[:s]) for g, s in zip(gains, split, strict=True))
    assert got == pytest.approx(_best(gains, total, floor))


def test_split_by_hand_and_ties():
    # A: 10, 4; B: 6, 5, 1 -> 3 sites: A1 (10), B1 (6), B2 (5)
    assert budget.split_total([[10, 4], [6, 5, 1]], 3) == [1, 2]
    # a tie goes to the district first by position (name order)
    assert budget.split_total([[5], [5]], 1) == [1, 0]
    # the floor first, then the gains
    assert budget.split_total([[10, 4], [6, 5, 1]], 3, [0, 3]) == [0, 3]


def test_split_refuses_what_cannot_be():
    with pytest.raises(FieldError, match="floors .* add up to 3, more than 2"):
        budget.split_total([[1, 1], [1, 1]], 2, [1, 2])
    with pytest.raises(FieldError, match="only 3 candidates in all"):
        budget.split_total([[1, 1], [1]], 4)
    with pytest.raises(FieldError, match="'B' asks for at least 2"):
        budget.split_total([[1, 1], [1]], 3, [0, 2], names=["A", "B"])


def test_curve_gains_weigh_the_thresholds():
    curve = pd.DataFrame(
        {"rank": [0, 1, 2], "cumulative_8": [1.0, 4.0, 5.0], "cumulative_share_8": [0, 0, 0],
         "cumulative_15": [2.0, 6.0, 6.0]}
    )  # fmt: skip
    assert budget.curve_gains(curve, None) == [7.0, 1.0]
    assert budget.curve_gains(curve, (2, 1)) == [10.0, 2.0]
    assert budget.curve_gains(None, None) == []


def test_counts_from_a_column_name_the_district():
    d = gpd.GeoDataFrame(
        {"district": ["a", "b"], "n": [2, "x"], "min_add": [1, None]},
        geometry=[shapely.Point(0, 0)] * 2,
    )
    assert budget.column_counts(d.iloc[:1], "n", source="d.geojson") == [2]
    with pytest.raises(InputError, match="district 'b': column 'n' holds 'x'"):
        budget.column_counts(d, "n", source="d.geojson")
    with pytest.raises(FieldError, match="no column 'm'"):
        budget.column_counts(d, "m", source="d.geojson")
    assert budget.floors(d, source="d.geojson") == [1, 0]
