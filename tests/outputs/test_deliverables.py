"""The deliverables a planner hands over: plan.gpkg (every layer, read back with pyogrio),
travel_times.parquet (the same figures as the CSV), plan.xlsx (sheets, percent formats,
frozen header, Chinese headers, no formula), report.pdf (its first page rendered and read),
and no English word of the product in a Chinese set."""

from __future__ import annotations

import html as html_mod
import json
import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely

from planner.outputs import files, pdf, tables, terms
from planner.outputs import summary as summary_mod
from planner.plan.request import PlanRequest
from planner.plan.run import plan as run_plan

LAYERS = [
    "hotspots", "stations", "suggested_sites", "isochrones", "service_areas", "blind_spots",
    "assignments",
]  # fmt: skip

#: English words of the product that must not reach a Chinese set.
ENGLISH = [
    "local", "greedy", "exact", "ebike", "walk", "drive", "respect", "ignore",
    "outside every area", "(existing)", "amenity=", "tourism=", "shop=", *terms.HIGHWAY_ZH,
]  # fmt: skip


@pytest.fixture(scope="module")
def plan_areas(helsinki_walk, demo_points):
    """Two suggested sites, and one sub-area holding only part of the hotspots (the others
    are outside every area)."""
    hotspots = demo_points[0]
    box = shapely.box(
        hotspots["lon"].min() - 0.01, hotspots["lat"].min() - 0.01,
        float(hotspots["lon"].median()), hotspots["lat"].max() + 0.01,
    )  # fmt: skip
    areas = gpd.GeoDataFrame({"area": ["西街道"]}, geometry=[box], crs="EPSG:4326")
    return run_plan(helsinki_walk, *demo_points, PlanRequest(add=2), areas=areas)


@pytest.fixture(scope="module")
def zh_set(plan_areas, tmp_path_factory):
    out = tmp_path_factory.mktemp("zh") / "set"
    files.write_plan(plan_areas, out, lang="zh", travel_times="csv")
    return out


@pytest.fixture(scope="module")
def en_set(plan_areas, tmp_path_factory):
    out = tmp_path_factory.mktemp("en") / "set"
    files.write_plan(plan_areas, out, pdf=False)
    return out


# --------------------------------------------------------------------------- GeoPackage


def test_geopackage_holds_every_layer_in_wgs84(en_set, plan_areas):
    path = en_set / "plan.gpkg"
    listed = pyogrio.list_layers(path)
    assert listed[:, 0].tolist() == LAYERS
    kinds = dict(zip(listed[:, 0], listed[:, 1], strict=True))
    assert kinds["assignments"] == "LineString" and kinds["hotspots"] == "Point"
    assert kinds["isochrones"] in ("Polygon", "MultiPolygon")
    layers = {name: pyogrio.read_dataframe(path, layer=name) for name in LAYERS}
    for name, frame in layers.items():
        assert frame.crs.to_epsg() == 4326, name
    assert len(layers["hotspots"]) == len(plan_areas.hotspots)
    assert set(layers["hotspots"]["status"]) <= {"covered", "blind"}
    covered = plan_areas.hotspots["covered_8"].to_numpy(dtype=bool)
    assert (layers["hotspots"]["status"].to_numpy() == "covered").tolist() == covered.tolist()
    assert {"grade", "demand_8", "lost_if_closed_15"} <= set(layers["stations"].columns)
    assert layers["suggested_sites"]["id"].tolist() == plan_areas.recommended["id"].tolist()
    assert {"station_id", "kind", "minutes"} <= set(layers["isochrones"].columns)
    assert len(layers["service_areas"]) == 3
    assert len(layers["blind_spots"]) == len(plan_areas.blind_spots)


def test_geopackage_written_without_sqlite_syncs_is_whole_and_the_settings_are_put_back(
    en_set, plan_areas, tmp_path
):
    from planner.outputs import geopackage

    pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": "NORMAL"})
    try:
        files.write_gpkg(tables.gpkg_layers(plan_areas), tmp_path / "again.gpkg")
        after = {k: pyogrio.get_gdal_config_option(k) for k in geopackage.WRITE_OPTIONS}
    finally:
        pyogrio.set_gdal_config_options({"OGR_SQLITE_SYNCHRONOUS": None})
    assert after == {"OGR_CURRENT_DATE": None, "OGR_SQLITE_JOURNAL": None,
                     "OGR_SQLITE_SYNCHRONOUS": "NORMAL"}  # fmt: skip
    # the same bytes as the set's file, and SQLite finds it whole (no journal left beside it)
    assert (tmp_path / "again.gpkg").read_bytes() == (en_set / "plan.gpkg").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.gpkg"]
    import sqlite3

    with sqlite3.connect(tmp_path / "again.gpkg") as db:
        assert db.execute("pragma integrity_check").fetchone() == ("ok",)


def test_assignment_joins_each_reached_hotspot_to_its_nearest_active_site(plan_areas):
    lines = tables.assignment(plan_areas)
    sites = set(plan_areas.stations["id"]) | set(plan_areas.recommended["id"])
    assert set(lines["site_id"]) <= sites
    assert set(lines["site_kind"]) == {"existing", "suggested"}
    # independently: every pair of an active site, the shortest per hotspot
    pairs = pd.concat([plan_areas.station_times.pairs(), plan_areas.candidate_times.pairs()])
    pairs = pairs.loc[pairs["source_id"].isin(sites)]
    best = pairs.groupby("target_id")["seconds"].min() / 60.0
    assert lines["hotspot_id"].is_unique
    assert set(lines["hotspot_id"]) == set(best.index)  # blind hotspots have no line
    got = lines.set_index("hotspot_id")["minutes"]
    assert np.allclose(got.loc[best.index], best.round(3), atol=1e-3)
    assert (lines["minutes"] <= max(plan_areas.minutes) + 1e-9).all()
    # each line runs from its hotspot to its site
    hs = plan_areas.hotspots.set_index("id")
    first = shapely.get_coordinates(lines.geometry.values)[::2]
    assert np.allclose(first[:, 0], hs.loc[lines["hotspot_id"], "lon"])
    assert np.allclose(first[:, 1], hs.loc[lines["hotspot_id"], "lat"])


def test_a_hotspot_beyond_every_site_has_no_line(plan_areas):
    beyond = plan_areas.hotspots.loc[plan_areas.hotspots["snap_status"] == "excluded", "id"]
    lines = tables.assignment(plan_areas)
    assert not set(beyond) & set(lines["hotspot_id"])
    no_station = plan_areas.hotspots["nearest_minutes"].isna()
    assert len(lines) >= int((~no_station).sum())  # a suggested site only adds lines


# --------------------------------------------------------------------------- Parquet


def test_travel_times_parquet_by_default_and_csv_on_request(en_set, zh_set, plan_areas):
    assert (en_set / "travel_times.parquet").is_file()
    assert not (en_set / "travel_times.csv").exists()
    assert not (zh_set / "travel_times.parquet").exists()
    parquet = pd.read_parquet(en_set / "travel_times.parquet")  # ids as dictionary columns
    parquet = parquet.astype({c: str for c in parquet.select_dtypes("category").columns})
    assert list(parquet.columns) == ["source_kind", "source_id", "hotspot_id", "minutes"]
    back = pd.read_csv(zh_set / "travel_times.csv", encoding="utf-8-sig")
    assert list(back.columns) == [terms.header(c, "zh") for c in parquet.columns]
    back.columns = parquet.columns
    back["source_kind"] = back["source_kind"].map({"现有驿站": "station", "候选站址": "candidate"})
    pd.testing.assert_frame_equal(
        parquet.reset_index(drop=True), back.reset_index(drop=True), check_dtype=False
    )
    listed = {f["name"] for f in json.loads((en_set / "manifest.json").read_text())["files"]}
    assert {"travel_times.parquet", "plan.gpkg", "plan.xlsx"} <= listed


def test_an_unknown_travel_times_format_is_named():
    with pytest.raises(files.ConfigError, match="travel_times: 'xls' is not a table format"):
        files.check_travel_times("xls")


# --------------------------------------------------------------------------- XLSX


def _cells(book):
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row]


def test_workbook_sheets_formats_and_frozen_header(en_set):
    book = openpyxl.load_workbook(en_set / "plan.xlsx")
    assert book.sheetnames == [
        "summary", "stations", "recommended_sites", "areas", "coverage_curve", "speeds", "about",
    ]  # fmt: skip
    assert all(ws.freeze_panes == "A2" for ws in book.worksheets)
    summary = book["summary"]
    head = [c.value for c in summary[1]]
    assert head == ["within", "goal", "before", "goal_met_before", "after", "goal_met_after"]
    assert [c.number_format for c in summary[2]][1:5] == ["0.0%", "0.0%", "General", "0.0%"]
    assert summary["C2"].value == pytest.approx(0.4330, abs=0.2)  # a share, not a percentage
    stations = book["stations"]
    share = [c.value for c in stations[1]].index("share_8") + 1
    assert stations.cell(2, share).number_format == "0.0%"
    grade = [c.value for c in stations[1]].index("grade") + 1
    assert stations.cell(2, grade).value in set("ABCD-")
    sites = [c.value for c in book["recommended_sites"][1]]
    assert "coordinates" not in sites and {"lon_gcj02", "lat_gcj02"} <= set(sites)
    about = [r for r in book["about"].iter_rows(values_only=True)]
    assert sum("WGS-84" in str(v) for r in about for v in r) == 1  # the note, once
    assert all(ws.column_dimensions["B"].width >= 8 for ws in book.worksheets)
    assert not [c.coordinate for c in _cells(book) if c.data_type in ("f", "e")]


def test_workbook_in_chinese(zh_set):
    book = openpyxl.load_workbook(zh_set / "plan.xlsx")
    assert book.sheetnames == [
        "概况", "现有驿站", "建议新址", "分街道", "覆盖率曲线", "速度表", "说明",
    ]  # fmt: skip
    assert [c.value for c in book["概况"][1]][:3] == ["服务圈", "目标", "现有驿站"]
    assert book["概况"]["A2"].value == "8分钟"
    head = [c.value for c in book["现有驿站"][1]]
    assert {"驿站编号", "名称", "8分钟内需求", "8分钟覆盖率", "评级"} <= set(head)
    assert book["现有驿站"].cell(2, head.index("8分钟覆盖率") + 1).number_format == "0.0%"
    areas = [r[0] for r in book["分街道"].iter_rows(min_row=2, values_only=True)]
    assert areas == ["西街道", "（不在任何街道内）"]
    assert not [c.coordinate for c in _cells(book) if c.data_type in ("f", "e")]


def test_csv_headers_in_chinese_and_english(zh_set, en_set):
    zh = pd.read_csv(zh_set / "stations_scored.csv", encoding="utf-8-sig")
    en = pd.read_csv(en_set / "stations_scored.csv", encoding="utf-8-sig")
    assert list(zh.columns) == [terms.header(c, "zh") for c in en.columns]
    assert "8分钟内需求" in zh.columns and "demand_8" in en.columns
    rec = pd.read_csv(zh_set / "recommended_sites.csv", encoding="utf-8-sig")
    assert "场所类型" in rec.columns
    assert not rec["场所类型"].astype(str).str.contains("=").any()  # venue types in Chinese
    gj = json.loads((zh_set / "recommended_sites.geojson").read_text(encoding="utf-8"))
    assert "category" in gj["features"][0]["properties"]  # machine names stay in GeoJSON
    assert "status" in pyogrio.read_dataframe(zh_set / "plan.gpkg", layer="hotspots").columns


def test_the_header_table_covers_every_column_written(en_set):
    mapped = set(terms.header_table()["column"])
    for path in en_set.glob("*.csv"):
        for column in pd.read_csv(path, encoding="utf-8-sig", nrows=0).columns:
            generic = re.sub(r"_\d+(\.\d+)?(?=$|_attained)", "_<T>", column)
            assert column in mapped or generic in mapped, (path.name, column)


# --------------------------------------------------------------------------- no English in zh


def _report_text(path):
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"<style>.*?</style>", "", text, flags=re.S)
    text = re.sub(r"src='data:[^']*'", "", text)
    return html_mod.unescape(re.sub(r"<[^>]+>", " ", text))


def _book_text(path):
    book = openpyxl.load_workbook(path)
    cells = [str(v) for ws in book.worksheets for r in ws.iter_rows(values_only=True) for v in r]
    return " | ".join([*book.sheetnames, *cells])


def _english(text):
    return sorted(
        w for w in ENGLISH if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text)
    )


def test_a_chinese_set_holds_no_english_word_of_the_product(zh_set):
    assert _english(_report_text(zh_set / "report.html")) == []
    assert _english(_book_text(zh_set / "plan.xlsx")) == []
    assert _english(_book_text(zh_set / "recommended_sites.xlsx")) == []
    for path in zh_set.glob("*.csv"):
        head = path.read_text(encoding="utf-8-sig").splitlines()[0]
        assert _english(head) == [], path.name
    for name in ("recommended_sites.csv", "areas_scored.csv", "coverage_curve.csv"):
        assert _english((zh_set / name).read_text(encoding="utf-8-sig")) == [], name


# --------------------------------------------------------------------------- report and PDF


def test_report_lists_where_each_site_is_and_shows_a_map(en_set, plan_areas):
    text = (en_set / "report.html").read_text(encoding="utf-8")
    section = text[text.index("Where the suggested sites are") :]
    for r in plan_areas.recommended.to_dict(orient="records"):
        assert f"<td class='t site-id'>{html_mod.escape(r['id'])}</td>" in section
        assert f"{r['lon']:.6f}" in section and f"{r['lat_gcj02']:.6f}" in section
    assert "<img src='data:image/png;base64," in text
    assert "@page{size:A4" in text and "break-inside:avoid" in text


needs_browser = pytest.mark.skipif(pdf.browser() is None, reason="no headless Chromium")


@needs_browser
def test_report_pdf_first_page_shows_the_site_table(zh_set, plan_areas, tmp_path):
    pymupdf = pytest.importorskip("pymupdf")
    doc = pymupdf.open(zh_set / "report.pdf")
    assert doc.metadata["creationDate"].startswith("D:20000101000000")
    page = doc[0]
    page.get_pixmap(dpi=80).save(tmp_path / "report_page1.png")
    assert (tmp_path / "report_page1.png").stat().st_size > 10_000
    words = page.get_text()
    assert "建议新址位置" in words  # the site table, in Chinese fonts
    for site in plan_areas.recommended["id"]:
        assert site in words


def test_without_a_browser_the_set_is_written_without_pdf(plan_add2, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(pdf, "browser", lambda: None)
    with caplog.at_level(logging.WARNING):
        out = files.write_plan(plan_add2, tmp_path / "set")
    assert not (out / "report.pdf").exists() and (out / "report.html").is_file()
    assert "report.pdf skipped" in caplog.text
    listed = {f["name"] for f in json.loads((out / "manifest.json").read_text())["files"]}
    assert "report.pdf" not in listed and "report.html" in listed


def test_readme_documents_every_chinese_header():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Column names in Chinese", 1)[1].split("\n### ", 1)[0]
    for column, zh in terms.header_table().itertuples(index=False):
        assert f"`{column}`" in section and zh in section, column


def test_area_figures_before_and_after_the_suggested_sites(plan_areas, zh_set):
    areas = plan_areas.areas_scored
    after = summary_mod.build(plan_areas).coverage_after_recommended
    for m in ("8", "10", "15"):
        assert (areas[f"share_after_{m}"] >= areas[f"share_{m}"] - 1e-12).all()
        weighted = (areas[f"share_after_{m}"] * areas["demand"]).sum() / areas["demand"].sum()
        assert weighted == pytest.approx(after[m])  # the areas add up to the district
    assert (areas["share_after_8"] > areas["share_8"]).any()
    text = _report_text(zh_set / "report.html")
    section = text[text.index("各街道增设建议新址前后") :]
    assert "西街道" in section and "（不在任何街道内）" in section
    first = areas.iloc[0]
    assert f"{first['share_8']:.1%}" in section and f"{first['share_after_8']:.1%}" in section


def test_with_capacities_the_assignment_is_the_best_split(helsinki_walk, demo_points):
    capped = run_plan(helsinki_walk, *demo_points, PlanRequest.from_options(add=2, capacity=40))
    lines = tables.assignment(capped)
    new = lines.loc[lines["site_kind"] == "suggested"]
    served = new.groupby("site_id")["served_demand"].sum()
    rec = capped.recommended.set_index("id")
    assert np.allclose(served.reindex(rec.index).fillna(0.0), rec["served_demand"], atol=1e-4)
    assert (served <= rec["capacity"].reindex(served.index) + 1e-6).all()
    assert (lines.groupby("hotspot_id")["share"].sum() <= 1 + 1e-6).all()
    assert (lines["share"] > 0).all()
    split = capped.served_split.set_index(["hotspot_id", "site_id"])["share"]
    got = new.set_index(["hotspot_id", "site_id"])["share"]
    assert np.allclose(got, split.reindex(got.index), atol=1e-6)
    assert len(got) == len(split)


def test_only_the_planner_s_own_words_are_translated():
    frame = pd.DataFrame(
        {"area": ["ok", terms.OUTSIDE_AREAS], "category": ["amenity=bank", "bank"], "n": [1, 2]}
    )
    zh = terms.localise(frame, "zh")
    assert zh["街道"].tolist() == ["ok", "（不在任何街道内）"]  # an area named "ok" stays
    assert zh["场所类型"].tolist() == ["银行网点", "bank"]  # a venue type of a file stays
    assert terms.localise(frame, "en") is frame


def test_venue_types_read_as_words_in_the_english_report(en_set, plan_areas):
    section = _report_text(en_set / "report.html").split("Where the suggested sites are", 1)[1]
    for category in plan_areas.recommended["category"]:
        assert "=" in category and terms.venue_type(category) in section
    assert "amenity=" not in section and "tourism=" not in section


@pytest.mark.parametrize(
    "column, zh",
    [("area_goal_8", "街道8分钟目标"), ("area_goal_10_met", "现有驿站达到街道10分钟目标"),
     ("area_goal_15_met_after", "加上建议新址后达到街道15分钟目标"),
     ("area_goal_7.5", "街道7.5分钟目标")],
)  # fmt: skip
def test_area_goal_columns_have_chinese_headers(column, zh):
    assert terms.header(column, "zh") == zh and terms.header(column, "en") == column


def test_the_areas_with_the_suggested_moves_leave_the_moved_stations_out():
    """Stations the moves close are no part of the areas "with the suggested sites": those
    are the circles of the stations that stay and of the suggested sites."""
    import geopandas as gpd
    import shapely

    from planner.outputs import display

    def disk(x, r):
        return shapely.Point(x, 0).buffer(r)

    rows = [("A", "existing", disk(0, 100)), ("B", "existing", disk(1000, 100)),
            ("S", "suggested", disk(2000, 100))]  # fmt: skip
    iso = gpd.GeoDataFrame(
        {"station_id": [r[0] for r in rows], "kind": [r[1] for r in rows], "minutes": 8.0},
        geometry=[r[2] for r in rows], crs=32631,
    )  # fmt: skip
    areas = gpd.GeoDataFrame({"minutes": [8.0]}, geometry=[disk(0, 100).union(disk(1000, 100))],
                             crs=32631)  # fmt: skip
    kept = display.simplified(iso, areas, (8.0,), metric=32631, tolerance_m=1.0)
    moved = display.simplified(iso, areas, (8.0,), metric=32631, tolerance_m=1.0,
                               moved=frozenset({"A"}))  # fmt: skip
    a = gpd.GeoSeries([disk(0, 50)], crs=32631).to_crs(4326).iloc[0]
    assert kept.with_new[0].contains(a) and not moved.with_new[0].intersects(a)
    s = gpd.GeoSeries([disk(2000, 50)], crs=32631).to_crs(4326).iloc[0]
    assert moved.with_new[0].contains(s) and moved.today[0].contains(a)  # today: all open


def test_unnamed_venues_are_named_in_chinese_in_every_table(plan_areas, tmp_path):
    """Sites the map leaves unnamed are named by their kind ("hotel"); a Chinese set names
    them by the Chinese kind in the tables, the workbook, the report and the map."""
    from dataclasses import replace

    rec = plan_areas.recommended.copy()
    rec["category"] = ["tourism=hotel", "amenity=bank"][: len(rec)]
    rec["name"] = ["hotel", "bank, Mannerheimintie"][: len(rec)]
    cand = plan_areas.candidates.copy()
    at = cand["id"].isin(rec["id"])
    cand.loc[at, "name"] = cand.loc[at, "id"].map(dict(zip(rec["id"], rec["name"], strict=True)))
    cand.loc[at, "category"] = cand.loc[at, "id"].map(
        dict(zip(rec["id"], rec["category"], strict=True))
    )
    out = tmp_path / "zh"
    files.write_plan(replace(plan_areas, recommended=rec, candidates=cand), out, lang="zh",
                     pdf=False)  # fmt: skip
    for text in (
        (out / "recommended_sites.csv").read_text(encoding="utf-8-sig"),
        _book_text(out / "recommended_sites.xlsx"),
        _report_text(out / "report.html"),
    ):
        assert "酒店" in text and "银行网点，Mannerheimintie" in text
        assert not re.search(r"(?<![A-Za-z])(hotel|bank)(?![A-Za-z])", text)
    from planner.outputs import map as map_page

    sites = {"name": ["S1", "hotel", "Hotel Roc"], "category": ["tourism=hotel"] * 2,
             "info": {}}  # fmt: skip
    assert map_page._venues_in(sites, "zh")["name"] == ["S1", "酒店", "Hotel Roc"]
