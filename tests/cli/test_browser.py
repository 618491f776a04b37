"""The map and the report as a person sees them: headless Chromium with every host
unresolvable. The default page (OpenStreetMap tiles) still loads Leaflet, draws the roads
from the network when its tiles fail, and shows every hostile name as text."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from click.testing import CliRunner

from planner import pipeline
from planner.cli import main

from ..browser import SCREENSHOTS, chromium, console_errors, needs_chromium

pytestmark = needs_chromium

EVIL = "<img src=x onerror=alert(1)>"
TRICKY = "Bar `${alert(2)}` \\ end"


@pytest.fixture(scope="module")
def default_map(tmp_path_factory, helsinki_pbf):
    """A plan written by the CLI with the default basemap (OpenStreetMap tiles)."""
    d = tmp_path_factory.mktemp("browser")
    _, hs, st, cand = pipeline.demo_inputs(helsinki_pbf)
    st = st.copy()
    st.loc[0, "name"] = EVIL
    st.loc[1, "name"] = TRICKY
    pd.DataFrame(hs.drop(columns="geometry")).to_csv(d / "hs.csv", index=False)
    pd.DataFrame(st.drop(columns="geometry")).to_csv(d / "st.csv", index=False)
    pd.DataFrame(cand.drop(columns="geometry")).to_csv(d / "cand.csv", index=False)
    out = d / "out"
    res = CliRunner().invoke(main, [
        "plan", "--network", helsinki_pbf, "--hotspots", str(d / "hs.csv"), "--stations",
        str(d / "st.csv"), "--candidates", str(d / "cand.csv"), "--mode", "walk", "--add", "3",
        "--out", str(out), "--quiet"], catch_exceptions=False)  # fmt: skip
    assert res.exit_code == 0, res.output
    return out, len(hs), len(st)


def test_the_default_page_loads_offline_and_draws_the_roads(default_map, tmp_path):
    out, _, n_st = default_map
    page = out / "map.html"
    html = page.read_text()
    assert "tile.openstreetmap.org" in html  # tiles are the one thing it would fetch
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"?https?://", html)  # no CDN at all
    dom = chromium(page, tmp_path / "p1", "--dump-dom")
    assert not console_errors(dom.stderr), console_errors(dom.stderr)
    assert "leaflet-container" in dom.stdout  # Leaflet ran
    assert 'data-planner-ready="1"' in dom.stdout
    roads = re.search(r'data-planner-roads="(\d+)"', dom.stdout)
    assert roads is not None and int(roads.group(1)) > 10  # drawn once the tiles failed
    assert re.search(r"leaflet-pl-roads-pane[^>]*><canvas", dom.stdout)
    assert "Map tiles unavailable" in dom.stdout
    assert dom.stdout.count('class="planner-station') == n_st  # rendered, not script text
    assert dom.stdout.count('class="planner-site') == 3
    assert re.search(r'<canvas class="planner-dots', dom.stdout)  # the hotspots' one layer
    assert "leaflet-control-layers" in dom.stdout and "planner-panel" in dom.stdout
    assert 'value="today"' in dom.stdout and 'value="with"' in dom.stdout
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "map_offline.png"
    res = chromium(page, tmp_path / "p2", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000, res.stderr[-500:]


def test_user_strings_render_as_text_and_run_nothing(default_map, tmp_path):
    out, _, _ = default_map
    page = out / "map.html"
    html = page.read_text()
    assert EVIL not in html and "\\u003cimg src=x onerror=alert(1)\\u003e" in html
    assert "${alert(2)}" in html.split('id="planner-data"')[1]  # as JSON text, not a template
    dom = chromium(page, tmp_path / "p3", "--dump-dom")
    assert not console_errors(dom.stderr)
    # the names reach the page as text (the site list) and no image was made of them
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom.stdout
    assert '<img src="x"' not in dom.stdout and "<img src=x" not in dom.stdout


def test_report_shows_the_sites_and_their_certificate_as_text(default_map, tmp_path):
    out, _, n_st = default_map
    page = out / "report.html"
    dom = chromium(page, tmp_path / "p4", "--dump-dom")
    assert not console_errors(dom.stderr)
    assert "<h2>Suggested sites</h2>" in dom.stdout
    assert re.search(r"(Within (&lt; )?[\d.]+% of optimal|Proven optimal) \(local\)", dom.stdout)
    assert dom.stdout.count('class="grade"') == n_st  # one graded row per station
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom.stdout and '<img src="x"' not in dom.stdout
    shot = SCREENSHOTS / "report.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    res = chromium(page, tmp_path / "p5", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000, res.stderr[-500:]
