"""inputs.sites: capacities of candidate sites (a number, one per candidate, a column)."""

from __future__ import annotations

import geopandas as gpd
import pytest

from planner.core.errors import ConfigError, InputError
from planner.inputs import sites


def test_capacities_from_a_number_a_list_or_a_column():
    cand = gpd.GeoDataFrame(
        {"id": ["a", "b", "c"], "name": ["", "", ""], "容量": [10.0, 0.0, None]},
        geometry=gpd.points_from_xy([0, 1, 2], [0, 1, 2]), crs="EPSG:4326",
    )  # fmt: skip
    assert sites.capacities(cand, None) is None
    assert sites.capacities(cand, "40").tolist() == [40.0] * 3
    assert sites.capacities(cand, [5, 6, 7]).tolist() == [5.0, 6.0, 7.0]
    with pytest.raises(ConfigError, match=r"one demand above 0 per candidate \(3\), got 2"):
        sites.capacities(cand, [5, 6])
    with pytest.raises(ConfigError, match="must be a demand above 0"):
        sites.capacities(cand, 0)
    with pytest.raises(InputError, match="no capacity column 'seats'"):
        sites.capacities(cand, "seats", source="cand.csv")
    with pytest.raises(InputError) as err:
        sites.capacities(cand, "容量", source="cand.csv")
    assert "row 3, column '容量': capacity must be above 0" in str(err.value)
    assert "row 4, column '容量': capacity must be a number" in str(err.value)


def test_capacity_errors_name_the_argument():
    """A wrong capacity names the argument ``capacity:`` (the CLI spells it as its flag)."""
    from planner.core.errors import FieldError

    cand = gpd.GeoDataFrame({"id": ["a", "b"]}, geometry=gpd.points_from_xy([0, 1], [0, 1]))
    with pytest.raises(FieldError) as err:
        sites.capacities(cand, "-5")
    assert str(err.value).startswith("capacity: '-5' must be a demand above 0")
    assert err.value.render({"capacity": "--capacity"}).startswith("--capacity: '-5'")
    with pytest.raises(ConfigError, match=r"^capacity: expected one demand above 0 per candidate"):
        sites.capacities(cand, [1.0, 0.0])
    with pytest.raises(InputError, match="give capacity as a number or as the name of one of"):
        sites.capacities(cand, "seats", source="candidates file 'c.csv'")


def test_an_unnamed_venue_is_named_by_its_kind_and_street():
    import pandas as pd

    venues = pd.DataFrame(
        {"name": ["Nordea", "", None, "  "],
         "category": ["amenity=bank", "amenity=bank", "amenity=fuel", "amenity=community_centre"],
         "street": ["", "人民南路", None, "Main St"]}
    )  # fmt: skip
    assert sites.venue_names(venues).tolist() == [
        "Nordea", "bank, 人民南路", "fuel", "community centre, Main St"
    ]  # fmt: skip
