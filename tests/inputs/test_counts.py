"""Rows of a points file counted before it is read: CSV lines after the header, vector
features, sheet rows; None where the file cannot tell (its reader then says why)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from planner.inputs import counts


def test_csv_rows_are_its_lines_after_the_header(tmp_path, monkeypatch):
    p = tmp_path / "hs.csv"
    p.write_bytes(b"lon,lat,weight\r\n1,2,3\r\n4,5,6\r\n")
    assert counts.rows_in(p) == 2
    p.write_bytes(b"lon,lat,weight\n1,2,3\n4,5,6")  # no line break after the last row
    assert counts.rows_in(p) == 2
    monkeypatch.setattr(counts, "CHUNK_BYTES", 4)  # counted across chunks
    p.write_bytes(b"lon,lat\n" + b"1.5,2.5\n" * 1001)
    assert counts.rows_in(p) == 1001
    p.write_bytes(b"lon,lat\n")
    assert counts.rows_in(p) == 0


def test_vector_features_and_sheet_rows(tmp_path):
    frame = pd.DataFrame({"lon": [24.9, 24.95, 25.0], "lat": 60.17, "weight": [1, 2, 3]})
    points = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame.lon, frame.lat), crs=4326)
    points.to_file(tmp_path / "hs.geojson", driver="GeoJSON")
    points.to_file(tmp_path / "hs.gpkg", driver="GPKG")
    frame.to_excel(tmp_path / "hs.xlsx", index=False)
    assert counts.rows_in(tmp_path / "hs.geojson") == 3
    assert counts.rows_in(tmp_path / "hs.gpkg") == 3
    assert counts.rows_in(tmp_path / "hs.xlsx") == 3


def test_a_file_that_cannot_tell_is_none(tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "broken.geojson").write_text("{not json")
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    for name in ("missing.csv", "empty.csv", "broken.geojson", "broken.xlsx"):
        assert counts.rows_in(tmp_path / name) is None, name
    assert counts.rows_in(tmp_path) is None  # a folder
