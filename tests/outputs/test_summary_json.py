"""The summary as ``summary.json`` writes it: strict JSON, undefined numbers as ``null``,
fields left out when they do not apply."""

from __future__ import annotations

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from planner.outputs import summary
from planner.outputs.summary import NearestMinutes


def strict(text: str):
    """Parse JSON, refusing ``NaN``, ``Infinity`` and ``-Infinity``."""

    def refuse(name: str):
        raise ValueError(f"not strict JSON: {name}")

    return json.loads(text, parse_constant=refuse)


def test_to_json_is_strict_and_matches_to_dict(summary_add2):
    doc = strict(summary_add2.to_json())
    assert doc == summary_add2.to_dict()
    assert doc["counts"]["stations"] == summary_add2.counts.stations
    assert doc["coverage_existing"]["covered"]["8"]["share"] == pytest.approx(
        summary_add2.coverage_existing.covered["8"].share
    )
    assert doc["optimizer"]["proven"] is summary_add2.optimizer.proven
    assert [site["id"] for site in doc["sites"]] == [site.id for site in summary_add2.sites]
    assert doc["closed"] == [] and "phases" not in doc
    for page_only in ("reach", "objective"):
        assert page_only not in doc


def test_strict_parser_refuses_nan():
    with pytest.raises(ValueError, match="not strict JSON: NaN"):
        strict('{"x": NaN}')


def test_undefined_numbers_are_null(summary_add2):
    cov = summary_add2.coverage_existing
    covered = dict(cov.covered)
    covered["8"] = replace(covered["8"], share=np.float64("nan"), beyond_demand=math.inf)
    s = replace(
        summary_add2,
        coverage_existing=replace(
            cov,
            covered=covered,
            nearest_minutes=NearestMinutes(mean_of_reached=math.nan, median=2.5, p90=-math.inf),
        ),
    )
    doc = strict(s.to_json())
    assert doc["coverage_existing"]["nearest_minutes"] == {
        "mean_of_reached": None,
        "median": 2.5,
        "p90": None,
        "note": "null = beyond the largest threshold",
    }
    assert doc["coverage_existing"]["covered"]["8"]["share"] is None
    assert doc["coverage_existing"]["covered"]["8"]["beyond_demand"] is None
    assert '"mean_of_reached": null' in s.to_json()


def test_served_after_recommended_only_with_capacities(summary_add2):
    assert summary_add2.served_after_recommended is None
    assert "served_after_recommended" not in summary_add2.to_dict()
    served = replace(summary_add2, served_after_recommended={"8": 0.5, "10": np.float64(0.75)})
    assert strict(served.to_json())["served_after_recommended"] == {"8": 0.5, "10": 0.75}
    opt = summary_add2.optimizer
    assert "demand_served_by_new_sites" not in summary_add2.to_dict()["optimizer"]
    with_served = replace(summary_add2, optimizer=replace(opt, demand_served_by_new_sites=40.0))
    assert with_served.to_dict()["optimizer"]["demand_served_by_new_sites"] == 40.0


def test_reach_summary_is_typed(plan_reach):
    s = summary.build(plan_reach)
    assert s.reach == summary.Reach(minutes=10, share=0.9)
    assert strict(s.to_json())["inputs"]["reach"] == {"minutes": 10, "share": 0.9}
