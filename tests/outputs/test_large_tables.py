"""Large tables written in parts: a CSV written chunk by chunk has the bytes of one written
whole (byte-order mark once, formula guard on every chunk, CRLF), and the travel-time table
built from the sparse arrays equals the concatenation of each kind's pairs."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from planner.outputs import files, safe_text, tables


def tricky_frame(n: int = 23) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    names = np.array(["=1+1", "普通", "-x", "a\rb", "", "@sum", "3.5", "-2", "\tq"], dtype=object)
    return pd.DataFrame(
        {
            "id": [f"H{i}" for i in range(n)],
            "name": names[rng.integers(0, len(names), n)],
            "weight": rng.uniform(0, 1e6, n),
            "flag": rng.random(n) < 0.5,
            "gap": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n)),
            "=col": rng.integers(-5, 5, n),
        }
    )


def test_a_csv_written_in_chunks_is_the_csv_written_whole(tmp_path, monkeypatch):
    frame = tricky_frame()
    whole = tmp_path / "whole.csv"
    safe_text.csv_frame(frame).to_csv(
        whole, index=False, encoding="utf-8-sig", lineterminator="\r\n"
    )
    for rows in (1, 4, 23, 1000):
        monkeypatch.setattr(files, "CSV_CHUNK_ROWS", rows)
        part = files.write_csv(frame, tmp_path / f"parts_{rows}.csv")
        assert part.read_bytes() == whole.read_bytes(), rows
    data = whole.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    assert b"'=1+1" in data and b"'@sum" in data and b"'=col" in data


def test_an_empty_table_is_its_header(tmp_path):
    out = files.write_csv(tricky_frame().iloc[:0], tmp_path / "empty.csv")
    assert out.read_bytes() == b"\xef\xbb\xbfid,name,weight,flag,gap,'=col\r\n"


def test_travel_time_table_equals_the_pairs_of_each_kind(plan_add2, tmp_path, monkeypatch):
    expected = []
    for kind, tt in (
        ("station", plan_add2.station_times),
        ("candidate", plan_add2.candidate_times),
    ):
        p = tt.pairs()
        expected.append(
            pd.DataFrame(
                {
                    "source_kind": kind,
                    "source_id": p["source_id"],
                    "hotspot_id": p["target_id"],
                    "minutes": np.round(p["seconds"] / 60.0, 3),
                }
            )
        )
    got = tables.travel_times(plan_add2)
    old = pd.concat(expected, ignore_index=True)
    text = {"source_kind": object, "source_id": object, "hotspot_id": object}
    pd.testing.assert_frame_equal(got.astype(text), old.astype(text))
    assert (got["source_kind"] == "station").sum() == plan_add2.station_times.seconds.nnz
    assert got.memory_usage(deep=False)[["source_kind", "source_id"]].sum() < 4 * len(got) + 4096
    whole = tmp_path / "old.csv"
    safe_text.csv_frame(old).to_csv(whole, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    monkeypatch.setattr(files, "CSV_CHUNK_ROWS", 500)
    assert files.write_csv(got, tmp_path / "new.csv").read_bytes() == whole.read_bytes()


def test_geojson_written_in_chunks_is_geopandas_json_of_the_whole(tmp_path, monkeypatch):
    frame = tricky_frame(23)
    points = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(24.9 + frame.index * 1e-3, 60.1), crs="EPSG:4326"
    )
    points.loc[3, "geometry"] = None
    whole = points.to_json(drop_id=True, ensure_ascii=False)
    for rows in (1, 5, 23, 100):
        monkeypatch.setattr(files, "CSV_CHUNK_ROWS", rows)
        got = files.write_geojson(points, tmp_path / f"p{rows}.geojson").read_text("utf-8")
        assert got == whole, rows
    empty = files.write_geojson(points.iloc[:0], tmp_path / "empty.geojson").read_text("utf-8")
    assert empty == points.iloc[:0].to_json(drop_id=True, ensure_ascii=False)
    projected = files.write_geojson(points.to_crs(3857), tmp_path / "m.geojson")
    first = json.loads(projected.read_text("utf-8"))["features"][0]["geometry"]["coordinates"]
    assert first == pytest.approx([24.9, 60.1])  # back in WGS-84
