"""The what-if map in headless Chromium: the page's figures against ``summary.json``'s, one
toggle against the coverage computed here from the plan's travel times, and the two states
("today", "with the suggested sites") with their own service areas and hotspot colours."""

from __future__ import annotations

import numpy as np
import pytest

from planner.outputs import map as map_page
from planner.outputs import map_data

from ..browser import SCREENSHOTS, chromium, console_errors, needs_chromium, probe

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def page(plan_add2, summary_add2, tmp_path_factory):
    path = tmp_path_factory.mktemp("whatif") / "map.html"
    path.write_text(map_page.map_html(plan_add2, summary=summary_add2), encoding="utf-8")
    return path


def python_levels(plan, active_stations, active_candidates) -> tuple[dict, np.ndarray]:
    """Shares per threshold and each hotspot's nearest threshold (K beyond) for a set of
    stations and candidates (row positions), from the plan's travel times."""
    thresholds = plan.request.thresholds_s
    n = len(plan.hotspots)
    best = np.full(n, np.inf)
    for times, rows in ((plan.station_times, active_stations),
                        (plan.candidate_times, active_candidates)):  # fmt: skip
        m = times.seconds.tocsr()[list(rows)].tocoo()
        np.minimum.at(best, m.col, m.data)
    w = plan.hotspots["weight"].to_numpy(dtype=float)
    shares = {f"{t / 60:g}": float(w[best <= t].sum() / w.sum()) for t in thresholds}
    levels = np.searchsorted(np.asarray(thresholds), best, side="left")
    return shares, np.minimum(levels, len(thresholds))


def page_order(plan) -> np.ndarray:
    hs = plan.hotspots
    return map_data.spatial_order(np.column_stack([hs.geometry.x, hs.geometry.y]))


WHAT_IF = """
var p = window.planner, out = {};
out.start = {state: p.state(), shares: p.coverage(), active: p.activeSites(),
             levels: p.hotspotLevels(), areas: p.areaShapes(), figures: p.figures()};
p.setState('today');
out.today = {state: p.state(), shares: p.coverage(), levels: p.hotspotLevels(),
             areas: p.areaShapes()};
p.setState('with');
var first = p.sites()[0], extra = %s;
out.off = p.toggleSite(first);
out.on = p.toggleSite(extra);
out.toggled = {state: p.state(), shares: p.coverage(), active: p.activeSites(),
               areas: p.areaShapes()};
try { p.toggleSite('no such site'); out.unknown = 'accepted'; }
catch (e) { out.unknown = String(e.message); }
return out;
"""


def test_the_pages_figures_are_the_summarys_and_a_toggle_is_the_coverage(
    page, plan_add2, summary_add2, tmp_path
):
    suggested = set(plan_add2.recommended["id"])
    cand_ids = [str(i) for i in plan_add2.candidates["id"]]
    extra_row = next(j for j, c in enumerate(cand_ids) if c not in suggested)
    got, res = probe(page, tmp_path / "p1", WHAT_IF % repr(cand_ids[extra_row]))
    assert not console_errors(res.stderr), console_errors(res.stderr)
    # with the suggested sites on (the page opens so): summary.json's figures
    assert got["start"]["state"] == "with"
    assert got["start"]["shares"] == pytest.approx(
        dict(summary_add2.coverage_after_recommended), abs=1e-12
    )
    assert set(got["start"]["active"]) == set(plan_add2.stations["id"]) | suggested
    goals = got["start"]["figures"]["goals"]
    assert [g["target"] for g in goals] == list(plan_add2.targets)
    # today: the existing stations' figures
    today = {k: c.share for k, c in summary_add2.coverage_existing.covered.items()}
    assert got["today"]["state"] == "today"
    assert got["today"]["shares"] == pytest.approx(today, abs=1e-12)
    # one station off and one candidate on: the coverage computed here
    assert got["off"] is False and got["on"] is True and got["toggled"]["state"] == "custom"
    chosen = [cand_ids.index(i) for i in suggested] + [extra_row]
    shares, _ = python_levels(plan_add2, range(1, len(plan_add2.stations)), chosen)
    assert got["toggled"]["shares"] == pytest.approx(shares, abs=1e-12)
    assert str(plan_add2.stations["id"].iloc[0]) not in got["toggled"]["active"]
    assert got["unknown"].startswith("no site with id")


def test_each_state_has_its_own_areas_and_hotspot_colours(page, plan_add2, tmp_path):
    got, _ = probe(page, tmp_path / "p2", WHAT_IF % repr(str(plan_add2.candidates["id"][0])))
    n_st = len(plan_add2.stations)
    rows = [list(plan_add2.candidates["id"]).index(i) for i in plan_add2.recommended["id"]]
    order = page_order(plan_add2)
    _, with_levels = python_levels(plan_add2, range(n_st), rows)
    _, today_levels = python_levels(plan_add2, range(n_st), [])
    assert got["start"]["levels"] == with_levels[order].tolist()
    assert got["today"]["levels"] == today_levels[order].tolist()
    assert got["start"]["levels"] != got["today"]["levels"]  # the new sites recolour dots
    assert got["start"]["areas"] == [1, 1, 1] and got["today"]["areas"] == [1, 1, 1]
    assert got["toggled"]["areas"] == [0, 0, 0]  # a choice of one's own has no drawn area


def test_a_screenshot_shows_the_panel_clear_of_the_controls(page, tmp_path):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "map_whatif.png"
    res = chromium(page, tmp_path / "p3", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000, res.stderr[-500:]
    dom = chromium(page, tmp_path / "p4", "--dump-dom").stdout
    # zoom top-left, scale bottom-left, credit bottom-right; the panel on the right, below
    # the layer control, with a height that stops short of the credit
    assert "leaflet-top leaflet-left" in dom and "leaflet-control-scale" in dom
    panel = dom.split('class="planner-panel', 1)[1][:400]
    assert "max-height" in panel
