"""The region's workbook, map and report from a hand-built table of five districts (one of
each class of goal attainment, hostile names and errors): their cells, words and links,
text that stays text, and the same bytes for the same inputs."""

from __future__ import annotations

import io
import json
import re

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pytest
import shapely

from planner.core.errors import FieldError
from planner.outputs import region_map, region_table
from planner.outputs.region import FILES, write_region

from . import _region_case as case
from ._region_case import FORMULA, MINUTES, row
from .conftest import EVIL


@pytest.fixture(scope="module")
def table():
    return case.table()


@pytest.fixture(scope="module")
def districts(table):
    return case.districts(table)


@pytest.fixture(scope="module")
def written(table, districts, tmp_path_factory):
    out = {}
    for lang in ("en", "zh"):
        d = tmp_path_factory.mktemp(f"region_{lang}")
        out[lang] = write_region(d, table, districts, minutes=MINUTES, lang=lang)
    return out


def test_three_files_in_order_and_same_inputs_same_bytes(table, districts, written, tmp_path):
    assert [p.name for p in written["en"]] == list(FILES)
    again = write_region(tmp_path, table.iloc[::-1], districts, minutes=MINUTES, lang="en")
    for a, b in zip(written["en"], again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_workbook_cells_formats_and_order(written):
    wb = openpyxl.load_workbook(written["en"][0])
    assert wb.sheetnames == ["districts"]
    ws = wb["districts"]
    assert ws.freeze_panes == "A2"
    head = [c.value for c in ws[1]]
    assert head == region_table.columns(MINUTES)
    names = [ws.cell(r, 1).value for r in range(2, ws.max_row + 1)]
    assert names == sorted(names) and len(names) == 5
    at = {n: r for r, n in enumerate(names, start=2)}
    today = head.index("today_8") + 1
    cell = ws.cell(at["Escaldes"], today)
    assert cell.value == pytest.approx(0.9) and cell.number_format == "0.0%"
    goal = ws.cell(at["Escaldes"], head.index("goal_15") + 1)
    assert goal.number_format == "0.0%"
    assert ws.cell(at["Escaldes"], head.index("hotspots") + 1).number_format != "0.0%"
    formula = ws.cell(at[FORMULA], 1)
    assert formula.value == FORMULA and formula.data_type == "s"  # text, never a formula
    assert ws.cell(at["Ordino"], head.index("status") + 1).value == "failed"
    assert ws.cell(at["Escaldes"], head.index("met_today_8") + 1).value == "yes"
    assert ws.column_dimensions["A"].width >= len(FORMULA) // 2


def test_workbook_in_chinese(written):
    wb = openpyxl.load_workbook(written["zh"][0])
    ws = wb[region_table.SHEET["zh"]]
    head = [c.value for c in ws[1]]
    assert head[:3] == ["区县", "状态", "错误"]
    assert "现有驿站8分钟覆盖率" in head and "加上建议新址后15分钟达标" in head
    words = {ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}
    assert words == {"已完成", "无热点", "失败"}
    assert ws.cell(2, head.index("现有驿站8分钟覆盖率") + 1).number_format == "0.0%"


def data_of(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="planner-data">(.*?)</script>', page)
    assert m is not None
    return json.loads(m.group(1))


def test_map_page_self_contained_escaped_and_linked(written):
    page = written["en"][1].read_text(encoding="utf-8")
    assert EVIL not in page and "<img" not in page  # only as \u003c escapes in the JSON
    assert "<script src" not in page and "<link" not in page  # no CDN: all inlined
    assert "L.map(" in page and "Leaflet" in page
    data = data_of(page)
    by = {d["name"]: d for d in data["districts"]}
    assert {n: d["cls"] for n, d in by.items()} == {
        "Escaldes": "met", EVIL: "met_after", FORMULA: "not_met",
        "Canillo": "no_hotspots", "Ordino": "failed",
    }  # fmt: skip
    assert by["Escaldes"]["href"] == "escaldes/map.html"
    assert by[FORMULA]["href"] == "d%20formula/map.html"
    assert by["Canillo"]["href"] is None and by["Ordino"]["href"] is None
    assert by["Ordino"]["error"] == "invalid polygon <b>x</b>"  # shown as text by the page
    assert all(d["rings"] for d in data["districts"])


def test_map_polygons_are_simplified_within_the_tolerance(districts):
    simple = region_map.simplified(districts)
    before = shapely.get_num_coordinates(districts.geometry.to_numpy())
    after = shapely.get_num_coordinates(np.array(simple, dtype=object))
    assert before[0] > 4000 and after[0] < before[0] / 10
    assert all(shapely.is_valid(g) for g in simple)
    # the region is 10 km across: a tolerance of 3.4 m; the wiggle (40 m) stays drawn
    left, right = simple[0], simple[1]
    original = districts.geometry.to_numpy()
    assert shapely.hausdorff_distance(left, original[0]) < 1e-4  # degrees, about 8 m
    assert after[0] > 100  # the wiggle is kept, not cut straight
    # the shared border parts by a hairline at most
    assert shapely.intersection(left, right).area < 0.01 * left.area
    assert shapely.union_all([left, right]).area == pytest.approx(
        shapely.union_all(original[:2]).area, rel=0.01
    )


def test_a_province_of_120_detailed_districts_stays_small(tmp_path):
    n, side = 120, 0.05
    geoms, names = [], []
    t = np.linspace(0, 2 * np.pi, 5000, endpoint=False)
    for k in range(n):
        cx, cy = 110 + (k % 12) * side, 22 + (k // 12) * side
        r = side * (0.45 + 0.03 * np.sin(40 * t))
        geoms.append(shapely.Polygon(np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t)])))
        names.append(f"区{k:03d}")
    gdf = gpd.GeoDataFrame({"district": names}, geometry=geoms, crs=4326)
    rows = [row(nm, "done", f"d{k:03d}", today=0.7, after=0.9) for k, nm in enumerate(names)]
    paths = write_region(tmp_path, pd.DataFrame(rows), gdf, minutes=MINUTES, lang="zh")
    size = paths[1].stat().st_size
    assert size < 3_000_000, size  # 600,000 input vertices
    assert len(data_of(paths[1].read_text(encoding="utf-8"))["districts"]) == n


def test_report_lists_every_district_and_the_failed_ones(written):
    page = written["en"][2].read_text(encoding="utf-8")
    assert EVIL not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "<b>x</b>" not in page and "invalid polygon &lt;b&gt;x&lt;/b&gt;" in page
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 5
    assert '<a href="escaldes/map.html">Escaldes</a>' in body
    assert "5 districts: 3 done, 1 without hotspots, 1 failed." in page
    assert "met in 1 of 3 districts today, 2 with the suggested sites" in page
    assert "Failed districts" in page and "New sites suggested in all: 6." in page
    zh = written["zh"][2].read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in zh and "失败的区县" in zh and "共5个区县" in zh


def test_bad_tables_are_refused_with_the_fix(table, districts, tmp_path):
    with pytest.raises(FieldError, match="after_10"):
        write_region(tmp_path, table.drop(columns="after_10"), districts, minutes=MINUTES,
                     lang="en")  # fmt: skip
    bad = table.assign(folder=["../up", "a", "b", "c", ""])
    with pytest.raises(FieldError, match="not a relative path"):
        write_region(tmp_path, bad, districts, minutes=MINUTES, lang="en")
    with pytest.raises(FieldError, match="unknown statuses"):
        write_region(tmp_path, table.assign(status="ok"), districts, minutes=MINUTES, lang="en")
    with pytest.raises(FieldError, match="no polygon for the districts"):
        write_region(tmp_path, table, districts.iloc[1:], minutes=MINUTES, lang="en")
    assert not list(tmp_path.iterdir())  # nothing written


def test_workbook_bytes_hold_no_formula(written):
    wb = openpyxl.load_workbook(io.BytesIO(written["en"][0].read_bytes()))
    cells = [c for r in wb.active.iter_rows() for c in r]
    assert not [c for c in cells if c.data_type == "f"]


def test_the_workbook_carries_other_operators_and_area_goal_columns(table, districts, tmp_path):
    more = table.copy()
    more["others"] = range(len(more))
    for m in ("8", "10", "15"):
        more[f"today_own_{m}"] = 0.25
        more[f"today_with_others_{m}"] = 0.5
    more["area_goals"] = 3
    more["area_goals_met_today"] = 1
    more["area_goals_met_after"] = 2
    heads = {}
    for lang in ("en", "zh"):
        book = write_region(tmp_path / lang, more, districts, minutes=MINUTES, lang=lang)[0]
        ws = openpyxl.load_workbook(book).worksheets[0]
        heads[lang] = head = [c.value for c in ws[1]]
        own = head.index("today_own_8" if lang == "en" else "自有驿站8分钟覆盖率") + 1
        assert ws.cell(2, own).value == pytest.approx(0.25)
        assert ws.cell(2, own).number_format == "0.0%"
        met = head.index(
            "area_goals_met_after" if lang == "en" else "加上建议新址后达标的分区目标数"
        )
        assert ws.cell(2, met + 1).value == 2 and ws.cell(2, met + 1).number_format != "0.0%"
    assert heads["en"][: len(region_table.columns(MINUTES))] == region_table.columns(MINUTES)
    assert heads["en"][-4:] == ["today_with_others_15", *region_table.GOAL_COLUMNS]
    assert "others" in heads["en"] and "其他运营方驿站数" in heads["zh"]
    assert len(heads["en"]) == len(region_table.columns(MINUTES)) + 10
