"""Many hotspots on the map: above ``MAP_HOTSPOTS_MAX`` they are drawn as grid cells, one
dot per cell and status, so the page stays small; the demand of each status is kept."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest

from planner.outputs import hotspot_cells, i18n
from planner.outputs import map as map_page


def scattered(n: int, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` weighted hotspots over about 4 × 4 km of central Helsinki, a third covered."""
    rng = np.random.default_rng(seed)
    lon = 24.93 + rng.uniform(0, 0.07, n)
    lat = 60.15 + rng.uniform(0, 0.036, n)
    return gpd.GeoDataFrame(
        {
            "id": [f"H{i}" for i in range(n)],
            "name": "",
            "weight": rng.integers(0, 5, n).astype(float),
            "covered_8": rng.random(n) < 1 / 3,
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs="EPSG:4326",
    )


def test_cells_keep_the_demand_of_each_status_and_stay_under_the_limit():
    hs = scattered(30_000)
    cells = hotspot_cells.cells(hs, "covered_8", i18n.MAP_LABELS["en"]["cell"])
    assert 0 < len(cells) <= hotspot_cells.MAP_HOTSPOTS_MAX
    for status in (True, False):
        assert cells.loc[cells["covered_8"] == status, "weight"].sum() == pytest.approx(
            hs.loc[hs["covered_8"] == status, "weight"].sum()
        )
    counts = cells["name"].str.extract(r"^([\d,]+) hotspots in a (\d+) m cell$")
    assert counts.notna().all().all()  # every cell says how many hotspots it holds
    assert counts[0].str.replace(",", "").astype(int).sum() == len(hs)
    x0, y0, x1, y1 = hs.total_bounds
    assert cells.geometry.x.between(x0, x1).all() and cells.geometry.y.between(y0, y1).all()
    again = hotspot_cells.cells(hs, "covered_8", i18n.MAP_LABELS["en"]["cell"])
    assert again.equals(cells)  # the same hotspots give the same cells


def test_a_cell_of_weightless_hotspots_sits_at_their_centre():
    hs = scattered(200).assign(weight=0.0)
    cells = hotspot_cells.cells(hs, "covered_8", "{n} in {size}")
    assert np.isfinite(cells.geometry.x).all() and np.isfinite(cells.geometry.y).all()


def test_the_map_draws_cells_above_the_limit(plan_add2, summary_add2, monkeypatch):
    hotspots = len(plan_add2.hotspots)
    page = map_page.map_html(plan_add2, summary=summary_add2)
    assert page.count("L.circleMarker(") == hotspots  # below the limit: a dot per hotspot
    monkeypatch.setattr(hotspot_cells, "MAP_HOTSPOTS_MAX", 100)
    page = map_page.map_html(plan_add2, summary=summary_add2)
    assert 0 < page.count("L.circleMarker(") <= 100
    assert " hotspots in a " in page and "m cell" in page
    zh = map_page.map_html(plan_add2, summary=summary_add2, lang="zh")
    assert "网格内" in zh or "\\u7f51\\u683c\\u5185" in zh
