"""One small real plan (central Helsinki, walking), built once for every test of the
outputs, with hostile station names: the map and the report must show them as text."""

from __future__ import annotations

import pytest

from planner.app import demo_inputs
from planner.outputs import summary
from planner.plan import objectives
from planner.plan.request import PlanRequest
from planner.plan.result import Plan
from planner.plan.run import plan

#: Markup that runs script if a page lets it through unescaped.
EVIL = "<img src=x onerror=alert(1)>"
#: Ends a JavaScript template literal or opens a ``${...}`` expression if left as is.
TRICKY = "Bar `${alert(2)}` \\ end"


@pytest.fixture(scope="package")
def demo_points(helsinki_pbf):
    """Hotspots, stations (the first two with hostile names) and candidates."""
    _, hotspots, stations, candidates = demo_inputs(helsinki_pbf)
    stations = stations.copy()
    stations.loc[0, "name"] = EVIL
    stations.loc[1, "name"] = TRICKY
    return hotspots, stations, candidates


@pytest.fixture(scope="package")
def plan_add2(helsinki_walk, demo_points) -> Plan:
    """Two new sites for the most demand within the circles."""
    return plan(helsinki_walk, *demo_points, PlanRequest(add=2))


@pytest.fixture(scope="package")
def plan_reach(helsinki_walk, demo_points) -> Plan:
    """The fewest new sites bringing 90% of demand within 10 minutes."""
    request = PlanRequest(objective=objectives.Reach(minutes=10, share=0.9))
    return plan(helsinki_walk, *demo_points, request)


@pytest.fixture(scope="package")
def summary_add2(plan_add2) -> summary.PlanSummary:
    return summary.build(plan_add2)
