"""The map, layer by layer, from a plan built in memory: layers and markers, escaping of
user strings, Chinese labels, the legend read from the typed summary, and the basemaps."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest

from planner.outputs import i18n
from planner.outputs import map as map_page
from planner.outputs.map import MapFrames

from .conftest import EVIL, TRICKY


def js(text: str) -> str:
    """``text`` as folium writes it into the page's script (JSON, HTML-safe: ``<``, ``>``,
    ``&`` and ``'`` as ``\\u`` escapes, non-ASCII too)."""
    out = json.dumps(text)[1:-1]
    for ch in "<>&'":
        out = out.replace(ch, f"\\u{ord(ch):04x}")
    return out


def shown(text: str, page: str) -> bool:
    """Whether ``text`` is on the page, as HTML (legend, popups) or in the script."""
    return text in page or js(text) in page


@pytest.fixture(scope="module")
def full_map(plan_add2, summary_add2) -> str:
    """The map page of the whole plan, as ``write_plan`` makes it."""
    return map_page.map_html(plan_add2, summary=summary_add2)


@pytest.fixture(scope="module")
def small(plan_add2) -> MapFrames:
    """The plan's frames with 40 hotspots: every layer, drawn fast."""
    frames = MapFrames.of(plan_add2, roads=True)
    return replace(frames, hotspots=frames.hotspots.head(40))


def test_every_layer_of_the_plan_is_on_the_map(full_map, plan_add2, summary_add2):
    lab = i18n.MAP_LABELS["en"]
    for m in ("8", "10", "15"):
        assert f'"{lab["circle"].format(m=m)}"' in full_map  # a layer per circle
        assert f'"{lab["area"].format(m=m)}"' in full_map  # and per service area
    for name in ("hotspots", "stations", "suggested"):
        assert f'"{lab[name]}"' in full_map
    assert full_map.count(js("<div class='planner-station'")) == len(plan_add2.stations)
    assert full_map.count(js("<div class='planner-site'")) == len(plan_add2.recommended)
    assert full_map.count("L.circleMarker(") == len(plan_add2.hotspots)
    assert "tile.openstreetmap.org" in full_map
    assert "id='planner-legend'" in full_map
    assert f"{summary_add2.parameters.mode} — {summary_add2.parameters.mode_description}" in (
        full_map
    )


def test_hostile_names_are_escaped_in_popups_and_tooltips(full_map):
    assert EVIL not in full_map and "onerror=alert(1)>" not in full_map
    assert i18n.escape(EVIL) in full_map
    assert "${alert(2)}" not in full_map and "`${" not in full_map
    assert i18n.escape(TRICKY) in full_map  # backticks, $ and \ as entities


def test_legend_reads_the_typed_summary(small, summary_add2):
    params = replace(
        summary_add2.parameters,
        mode="walk",
        mode_description="walking <fast>",
        speeds_kph={"primary": 4.0, "footway": 5.0},
        oneway="ignore",
    )
    html = map_page.plan_map(small, replace(summary_add2, parameters=params))
    legend = re.search(r"<div id='planner-legend'.*?</div></div>", html, re.S)
    assert legend is not None
    assert "walk — walking &lt;fast&gt;" in legend.group(0)
    assert "footway 5, primary 4; one-way streets: ignore" in legend.group(0)  # fastest first


def test_chinese_offline_map(small, summary_add2):
    html = map_page.plan_map(small, summary_add2, lang="zh", basemap="none")
    lab = i18n.MAP_LABELS["zh"]
    for text in (lab["stations"], lab["suggested"], lab["hotspots"], lab["roads"],
                 lab["circle"].format(m="8"), lab["speeds"], "步行 4.8 公里/小时"):  # fmt: skip
        assert shown(text, html), text
    assert not shown("Existing stations", html)
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)  # no CDN
    assert "tile.openstreetmap.org" not in html and "L.tileLayer(" not in html


def test_amap_tiles_and_a_wrong_basemap(small, summary_add2):
    html = map_page.plan_map(small, summary_add2, basemap="amap")
    assert "webrd0{s}.is.autonavi.com" in html and shown("© 高德地图 AutoNavi", html)
    with pytest.raises(ValueError, match="basemap must be one of"):
        map_page.plan_map(small, summary_add2, basemap="google")


@pytest.mark.filterwarnings("ignore:Consider using IPython.display.IFrame")
def test_notebook_view_holds_the_page_escaped():
    view = map_page.notebook_view(f"<p>{EVIL}</p>", height=300)
    assert 'srcdoc="&lt;p&gt;&lt;img src=x onerror=alert(1)&gt;&lt;/p&gt;"' in view.data
    assert 'height="300"' in view.data


def test_the_same_plan_gives_the_same_page_byte_for_byte(plan_add2, summary_add2, full_map):
    """folium's element ids are random; the page numbers them in order of appearance."""
    again = map_page.map_html(plan_add2, summary=summary_add2)
    assert again == full_map
    ids = set(re.findall(r"popup_([0-9a-f]{32})", full_map))
    assert len(ids) == 5  # every popup (3 stations, 2 sites) keeps an id of its own


def test_fractional_minutes_reach_every_popup(helsinki_walk, demo_points):
    """A threshold of 7.5 minutes names columns such as demand_added_7.5, which itertuples
    cannot give as attributes: the popups crashed."""
    from planner.plan.request import PlanRequest
    from planner.plan.run import plan

    request = PlanRequest(minutes=(7.5, 10.0, 15.0), targets=(0.8, 0.9, 1.0), add=1)
    page = map_page.map_html(plan(helsinki_walk, *demo_points, request))
    assert "7.5" in page and page.count("popup_") >= 4
