"""The offline map as a person sees it: headless Chromium with the network cut off."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from planner import pipeline
from planner.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "out" / "screenshots"
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (make test installs Debian's chromium)"
)

EVIL = "<img src=x onerror=alert(1)>"
TRICKY = "Bar `${alert(2)}` \\ end"


def _chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Chromium headless with every host unresolvable, so nothing can be fetched."""
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=4000",
           "--window-size=1200,900", *extra, page.as_uri()]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def offline_map(tmp_path_factory, helsinki_pbf):
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
        "--basemap", "none", "--out", str(out), "--quiet"], catch_exceptions=False)  # fmt: skip
    assert res.exit_code == 0, res.output
    return out, len(hs), len(st)


def test_offline_map_loads_without_network_or_errors(offline_map, tmp_path):
    out, n_hot, n_st = offline_map
    page = out / "map.html"
    html = page.read_text()
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?://", html)  # no CDN at all
    dom = _chromium(page, tmp_path / "p1", "--dump-dom")
    console = [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln]
    assert not console, console
    assert dom.stdout.count('class="planner-station"') == n_st  # rendered, not script text
    assert dom.stdout.count('class="planner-site"') == 3
    # hotspots are circle markers; the shown 8-minute layer adds polygons; roads one path more
    paths = len(re.findall(r"<path[^>]*leaflet-interactive", dom.stdout))
    assert paths >= n_hot + n_st
    assert "leaflet-control-layers" in dom.stdout and "planner-legend" in dom.stdout
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "map_offline.png"
    res = _chromium(page, tmp_path / "p2", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000, res.stderr[-500:]


def test_user_strings_render_as_text_and_run_nothing(offline_map, tmp_path):
    out, _, _ = offline_map
    page = out / "map.html"
    html = page.read_text()
    assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "${alert(2)}" not in html
    dom = _chromium(page, tmp_path / "p3", "--dump-dom")
    assert not [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln]
    # no image element was created from the name, so its onerror cannot run
    assert '<img src="x"' not in dom.stdout and "<img src=x" not in dom.stdout


def test_report_shows_the_sites_and_their_certificate_as_text(offline_map, tmp_path):
    out, _, n_st = offline_map
    page = out / "report.html"
    dom = _chromium(page, tmp_path / "p4", "--dump-dom")
    assert not [ln for ln in dom.stderr.splitlines() if "CONSOLE" in ln]
    assert "<h2>Suggested sites</h2>" in dom.stdout
    assert re.search(r"(Within (&lt; )?[\d.]+% of optimal|Proven optimal) \(local\)", dom.stdout)
    assert dom.stdout.count('class="grade"') == n_st  # one graded row per station
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom.stdout and '<img src="x"' not in dom.stdout
    shot = SCREENSHOTS / "report.png"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    res = _chromium(page, tmp_path / "p5", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000, res.stderr[-500:]
