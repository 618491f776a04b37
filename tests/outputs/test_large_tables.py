"""Large tables written in parts: a CSV written chunk by chunk has the bytes of one written
whole (byte-order mark once, formula guard on every chunk, CRLF), and the travel-time table
built from the sparse arrays equals the concatenation of each kind's pairs."""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def test_travel_time_table_equals_the_pairs_of_each_kind(plan_add2):
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
    pd.testing.assert_frame_equal(got, pd.concat(expected, ignore_index=True))
    assert (got["source_kind"] == "station").sum() == plan_add2.station_times.seconds.nnz
