"""plan() with a budget in money: the budget and the count hold, a larger budget never
covers less, and the costs reach the suggested sites."""

from __future__ import annotations

import numpy as np
import pytest

from planner.app import demo_inputs
from planner.core.errors import InputError
from planner.plan.run import plan


@pytest.fixture(scope="module")
def demo(helsinki_pbf, helsinki_walk):
    _, hs, st, cand = demo_inputs(helsinki_pbf)
    cand = cand.head(25).reset_index(drop=True)
    cand["cost"] = [30_000.0 + 15_000.0 * (i % 7) for i in range(len(cand))]
    return helsinki_walk, hs, st, cand


def test_budget_and_count_hold_and_more_money_never_covers_less(demo):
    net, hs, st, cand = demo
    cost = dict(zip(cand["id"], cand["cost"], strict=True))
    values = []
    for budget in (60_000, 150_000, 400_000):
        p = plan(net, hs, st, cand, cost="cost", budget=budget, method="exact")
        spent = sum(cost[i] for i in p.recommended["id"])
        assert spent <= budget and p.solution.optimal
        assert p.recommended["cost"].tolist() == [cost[i] for i in p.recommended["id"]]
        assert p.sites_asked == len(p.recommended)
        values.append(p.solution.objective)
    assert values == sorted(values)
    capped = plan(net, hs, st, cand, cost="cost", budget=400_000, add=2)
    assert len(capped.recommended) <= 2
    assert capped.solution.objective <= values[-1] + 1e-9
    assert "at most 2 sites" in capped.request.objective.meaning(capped.request.minutes)


def test_unbound_costs_name_the_candidates(demo):
    net, hs, st, cand = demo
    bad = cand.assign(cost=np.where(np.arange(len(cand)) == 2, -1.0, cand["cost"]))
    with pytest.raises(InputError, match=r"row 4, column 'cost': cost must be 0 or more"):
        plan(net, hs, st, bad, cost="cost", budget=100_000)
