"""The map page from a plan built in memory: its data block (sites, hotspots, the packed
coverage, circles and areas), escaping of user strings, Chinese labels, the legend read
from the typed summary, the basemaps and byte-identical pages."""

from __future__ import annotations

import base64
import json
import re
import zlib
from dataclasses import replace

import numpy as np
import pytest

from planner.outputs import i18n, map_data, terms
from planner.outputs import map as map_page
from planner.outputs.map import MapFrames

from .conftest import EVIL, TRICKY


def data_of(page: str) -> dict:
    """The page's JSON data block."""
    m = re.search(r'<script type="application/json" id="planner-data">(.*?)</script>', page, re.S)
    assert m is not None
    return json.loads(m.group(1))


def unvarint(buf: bytes) -> list[int]:
    out, value, shift = [], 0, 0
    for b in buf:
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            out.append(value)
            value, shift = 0, 0
    return out


def streams(data: dict) -> dict[str, bytes]:
    raw = zlib.decompress(base64.b64decode(data["blob"]))
    return {k: raw[o : o + n] for k, (o, n) in data["parts"].items()}


def coverage_lists(data: dict) -> list[list[tuple[int, int]]]:
    """Per site: (page position of the hotspot, nearest threshold) pairs, decoded."""
    s, k_n = streams(data), len(data["labels"])
    counts, codes = unvarint(s["covn"]), iter(unvarint(s["cov"]))
    sizes = unvarint(s["covb"])
    assert sum(sizes) == len(s["cov"]) and len(sizes) == len(counts)
    out = []
    for n in counts:
        prev, pairs = -1, []
        for _ in range(n):
            c = next(codes)
            prev += c // k_n + 1
            pairs.append((prev, c % k_n))
        out.append(pairs)
    return out


@pytest.fixture(scope="module")
def full_map(plan_add2, summary_add2) -> str:
    """The map page of the whole plan, as ``write_plan`` makes it."""
    return map_page.map_html(plan_add2, summary=summary_add2)


@pytest.fixture(scope="module")
def small(plan_add2) -> MapFrames:
    """The plan's frames with 40 hotspots: every layer, drawn fast."""
    frames = MapFrames.of(plan_add2, roads=True)
    return replace(frames, hotspots=frames.hotspots.head(40))


def test_every_site_and_hotspot_is_in_the_data_and_no_element_per_hotspot(full_map, plan_add2):
    data = data_of(full_map)
    sites = data["sites"]
    assert sites["kind"].count("e") == len(plan_add2.stations)
    assert sites["kind"].count("s") == len(plan_add2.recommended)
    assert len(sites["id"]) == len(plan_add2.stations) + len(plan_add2.candidates)
    assert set(plan_add2.recommended["id"]) == {
        i for i, k in zip(sites["id"], sites["kind"], strict=True) if k == "s"
    }
    assert data["hotspots"]["n"] == len(plan_add2.hotspots)
    assert data["labels"] == ["8", "10", "15"]
    assert "L.circleMarker(" not in full_map.split('id="planner-data"')[0]  # no marker each
    assert data["tiles"] == map_page.OSM_TILES
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"?https?://", full_map)  # no CDN
    assert "id='planner-legend'" in full_map


def test_the_packed_coverage_is_the_plans_travel_times(full_map, plan_add2):
    """Decoded, the page's coverage lists are exactly the pairs within each threshold."""
    data = data_of(full_map)
    hs = plan_add2.hotspots
    order = map_data.spatial_order(np.column_stack([hs.geometry.x, hs.geometry.y]))
    page_of = np.empty(len(order), dtype=int)
    page_of[order] = np.arange(len(order))
    lists = coverage_lists(data)
    thresholds = plan_add2.request.thresholds_s
    n_st = len(plan_add2.stations)
    for s, times in ((0, plan_add2.station_times), (n_st, plan_add2.candidate_times)):
        m = times.seconds.tocsr()
        for row in range(m.shape[0]):
            cols = m.indices[m.indptr[row] : m.indptr[row + 1]]
            secs = m.data[m.indptr[row] : m.indptr[row + 1]]
            want = sorted(
                (int(page_of[c]), int(np.searchsorted(thresholds, t)))
                for c, t in zip(cols, secs, strict=True)
                if t <= thresholds[-1]
            )
            assert lists[s + row] == want
    # the weights travel exactly
    w = unvarint(streams(data)["hw"]) if data["hotspots"]["weights"] == "int" else None
    if w is not None:
        assert w == [int(x) for x in hs["weight"].to_numpy()[order]]


def test_circles_and_areas_of_both_states_are_packed(full_map, plan_add2):
    data = data_of(full_map)
    iso = plan_add2.isochrones
    assert len(data["circles"]) == iso.groupby(["station_id", "kind"]).ngroups
    kinds = [data["sites"]["kind"][s] for s in data["circles"]]
    assert kinds.count("s") == len(plan_add2.recommended)
    assert data["areas"] == {"today": 3, "with": 3}


def test_hostile_names_stay_inside_the_data_block(plan_add2, summary_add2):
    breaker = "x</script><script>alert(3)</script><!-- \u2028\u2029 & end"
    stations = plan_add2.stations.copy()
    stations.loc[2, "name"] = breaker
    page = map_page.map_html(replace(plan_add2, stations=stations), summary=summary_add2)
    block = page.split('id="planner-data">', 1)[1].split("</script>", 1)[0]
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in block
    assert page.count("</script>") == 3  # data, Leaflet, the page's script: nothing else
    names = data_of(page)["sites"]["name"]
    assert EVIL in names and TRICKY in names and breaker in names  # round trip, as text
    assert EVIL not in page and "alert(3)</script>" not in page


def test_legend_reads_the_typed_summary(small, summary_add2):
    params = replace(
        summary_add2.parameters,
        mode="walk",
        mode_description="walking <fast>",
        speeds_kph={"primary": 4.0, "footway": 5.0},
        oneway="ignore",
    )
    html = map_page.plan_map(small, replace(summary_add2, parameters=params))
    legend = re.search(r"<div id='planner-legend'>.*?</template>", html, re.S)
    assert legend is not None
    assert "walk — walking &lt;fast&gt;" in legend.group(0)
    assert "footway 5, primary 4; one-way streets: ignore" in legend.group(0)  # fastest first
    for colour in i18n.THRESHOLD_COLOURS[:3] + (i18n.BLIND_COLOUR, i18n.SUGGESTED_COLOUR):
        assert colour in legend.group(0)


def test_chinese_offline_map(small, summary_add2):
    html = map_page.plan_map(small, summary_add2, lang="zh", basemap="none")
    lab = i18n.map_page_labels("zh")
    data = data_of(html)
    assert data["lab"]["stations"] == lab["stations"] and data["lab"]["with"] == "加上建议新址"
    assert data["tiles"] is None and data["basemap"] == "none"
    assert "步行 4.8 公里/小时" in html and '<html lang="zh-CN">' in html
    assert "Existing stations" not in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"?https?://", html)  # no CDN
    assert "tile.openstreetmap.org" not in html
    assert streams(data)["roads.xy"]  # the roads, drawn instead of tiles


def test_amap_tiles_and_a_wrong_basemap(small, summary_add2):
    data = data_of(map_page.plan_map(small, summary_add2, basemap="amap"))
    assert "webrd0{s}.is.autonavi.com" in data["tiles"] and "高德地图" in data["credit"]
    with pytest.raises(ValueError, match="basemap must be one of"):
        map_page.plan_map(small, summary_add2, basemap="google")


def test_amap_shifts_every_overlay_to_gcj02(small, summary_add2):
    """Inside China GCJ-02 differs from WGS-84 by hundreds of metres: the sites move."""
    from planner.core.crs import wgs84_to_gcj02

    moved = small.stations.copy()
    moved["geometry"] = moved.geometry.translate(114.25 - 24.94, 22.72 - 60.17)  # Longgang
    frames = replace(small, stations=moved)
    data = data_of(map_page.plan_map(frames, summary_add2, basemap="amap"))
    lon, lat = wgs84_to_gcj02(moved.geometry.x.to_numpy(), moved.geometry.y.to_numpy())
    n = len(moved)
    assert np.allclose(data["sites"]["lon"][:n], lon, atol=1e-6)
    assert np.allclose(data["sites"]["lat"][:n], lat, atol=1e-6)
    assert not np.allclose(data["sites"]["lon"][:n], moved.geometry.x, atol=1e-4)


def test_the_page_labels_say_the_same_in_both_languages():
    en, zh = i18n.MAP_PAGE_LABELS["en"], i18n.MAP_PAGE_LABELS["zh"]
    assert set(en) == set(zh) and not set(en) & set(i18n.MAP_LABELS["en"])
    for key, text in en.items():
        assert ("{m}" in text) == ("{m}" in zh[key]) and text and zh[key], key
    assert i18n.map_page_labels("fr")["today"] == "Today"


@pytest.mark.filterwarnings("ignore:Consider using IPython.display.IFrame")
def test_notebook_view_holds_the_page_escaped():
    view = map_page.notebook_view(f"<p>{EVIL}</p>", height=300)
    assert 'srcdoc="&lt;p&gt;&lt;img src=x onerror=alert(1)&gt;&lt;/p&gt;"' in view.data
    assert 'height="300"' in view.data


def test_the_same_plan_gives_the_same_page_byte_for_byte(plan_add2, summary_add2, full_map):
    again = map_page.map_html(plan_add2, summary=summary_add2)
    assert again == full_map


def test_fractional_minutes_reach_every_popup(helsinki_walk, demo_points):
    """A threshold of 7.5 minutes names columns such as demand_added_7.5."""
    from planner.plan.request import PlanRequest
    from planner.plan.run import plan

    request = PlanRequest(minutes=(7.5, 10.0, 15.0), targets=(0.8, 0.9, 1.0), add=1)
    data = data_of(map_page.map_html(plan(helsinki_walk, *demo_points, request)))
    assert data["labels"] == ["7.5", "10", "15"]
    rows = [r[0] for info in data["sites"]["info"].values() for r in info]
    assert "added:7.5" in rows and "share:7.5" in rows and "demand:7.5" in rows


def test_chinese_legend_and_popups_have_no_english_words(small, summary_add2):
    params = replace(
        summary_add2.parameters,
        mode="ebike",
        mode_description_zh="电动自行车",
        speeds_kph={"primary": 20.0, "footway": 5.0, "living_street": 10.0},
        oneway="respect",
    )
    summary = replace(summary_add2, parameters=params)
    html = map_page.plan_map(small, summary, lang="zh")
    legend = re.search(r"<div id='planner-legend'>.*?</template>", html, re.S)
    assert legend is not None
    text = legend.group(0)
    for word in ("ebike", "respect", "primary", "footway", "living_street", "local", "greedy"):
        assert word not in text, word
    assert "出行方式: 电动自行车" in text
    assert "主干路 20, 生活街道 10, 人行道 5" in text  # fastest first, in Chinese
    assert "单行道只按规定方向通行" in text
    assert f"选址方法: {terms.METHOD_ZH[summary.optimizer.method]}" in text
    sites = data_of(html)["sites"]
    shown = [c for c in sites["category"] if c]
    assert shown and not [c for c in shown if "=" in c]  # amenity=bank → 银行网点
    rows = [v for info in sites["info"].values() for k, v in info if k == "category" and v]
    assert rows and not [v for v in rows if "=" in v]
    en = map_page.plan_map(small, summary, lang="en")
    assert "ebike" in en and "respect" in en and "sites chosen by: " in en
