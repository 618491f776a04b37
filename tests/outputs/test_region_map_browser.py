"""``region_map.html`` in headless Chromium with every host unresolvable: it renders, each
district is drawn in its class's colour, the links to the districts' maps exist and lead to
the files, a hostile name stays text, and the console stays clean."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote

import pytest

from planner.outputs import region_table
from planner.outputs.region import write_region

from ..browser import chromium, console_errors, needs_chromium, probe
from . import _region_case as case
from ._region_case import FORMULA, MINUTES
from .conftest import EVIL

pytestmark = needs_chromium

PROBE = """
var p = window.planner;
return {districts: p.districts(), links: p.links(), popup: p.openPopup('Escaldes'),
        failed: p.openPopup('Ordino'), images: document.querySelectorAll('img[src=x]').length,
        panel: document.querySelector('.planner-panel').textContent};
"""


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    table = case.table()
    districts = case.districts(table)
    out = tmp_path_factory.mktemp("region_browser")
    paths = write_region(out, table, districts, minutes=MINUTES, lang="en")
    for folder in table["folder"]:
        if folder:
            (out / folder).mkdir(parents=True, exist_ok=True)
            (out / folder / "map.html").write_text("<!DOCTYPE html><title>d</title>")
    return paths[1]


def test_the_region_map_renders_with_its_links(page, tmp_path):
    got, res = probe(page, tmp_path / "p1", PROBE)
    assert not console_errors(res.stderr), console_errors(res.stderr)
    by = {d["name"]: d for d in got["districts"]}
    assert all(d["drawn"] for d in by.values())
    for d in by.values():
        assert d["fill"] == region_table.CLASS_COLOURS[d["cls"]]
    links = dict(got["links"])
    assert set(links) == {"Escaldes", EVIL, FORMULA}  # done districts only
    for href in links.values():
        assert (page.parent / unquote(href)).is_file(), href
    assert got["popup"]["href"] == "escaldes/map.html"
    assert "Escaldes" in got["popup"]["text"] and "90.0%" in got["popup"]["text"]
    assert got["failed"]["href"] is None and "invalid polygon <b>x</b>" in got["failed"]["text"]
    assert got["images"] == 0 and EVIL in got["panel"]  # the hostile name is text


def test_a_link_opens_the_districts_map(page, tmp_path):
    dom = chromium(page, tmp_path / "p2", "--dump-dom").stdout
    assert 'class="pl-district" href="escaldes/map.html"' in dom
    assert "leaflet-interactive" in dom  # the polygons are drawn
