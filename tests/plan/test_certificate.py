"""The certificate describes the answer: proven optimal by local search on a small model,
and whether another set of sites reaches the same value (summary, console and report)."""

from __future__ import annotations

import json

from planner.outputs import console, report, summary
from planner.plan.run import plan
from tests.conftest import make_network

from .test_spacing import CANDIDATES, MINUTES, NODES, WAYS, _points


def _twins_plan(**options):
    """The river network with a twin of C4 (the same venue position, another id)."""
    net = make_network(NODES, WAYS)
    spots = {f"H{i}": (float(x), 140.0) for i, x in enumerate(range(-600, 601, 25))}
    hs = _points(spots, weight=[1.0] * len(spots))
    st = _points({"S1": (0.0, -5.0)})
    cand = _points({**CANDIDATES, "C5": CANDIDATES["C4"]})
    return plan(net, hs, st, cand, minutes=MINUTES, targets="0.5,0.5,0.5", add=2, **options)


def test_twin_candidates_are_named_as_another_set_of_the_same_value():
    p = _twins_plan()
    s = summary.build(p)
    chosen = set(p.recommended["id"])
    assert p.solution.optimal and "C4" in chosen  # the tie goes to the smaller id
    doc = json.loads(s.to_json())["optimizer"]
    assert doc["proven"] is True and doc["alternatives"] is True
    assert "C5" in doc["alternative_sites"] and "C4" not in doc["alternative_sites"]
    lines = console.console_lines(s, "out")
    assert any(
        line.strip().startswith("another set of sites reaches the same value: ") and "C5" in line
        for line in lines
    ), lines
    page = report.report_html(s, p.scores, recommended=p.recommended)
    assert "Another set of sites reaches the same value: " in page


def test_without_a_twin_the_answer_is_the_only_one_of_its_value():
    net = make_network(NODES, WAYS)
    spots = {f"H{i}": (float(x), 140.0) for i, x in enumerate(range(-600, 601, 25))}
    hs = _points(spots, weight=[1.0] * len(spots))
    p = plan(net, hs, _points({"S1": (0.0, -5.0)}), _points(CANDIDATES), minutes=MINUTES,
             targets="0.5,0.5,0.5", add=2)  # fmt: skip
    s = summary.build(p)
    assert s.optimizer is not None and s.optimizer.alternatives is False
    assert "no other set of as many sites reaches the same value" in "\n".join(
        console.console_lines(s, "out")
    )
