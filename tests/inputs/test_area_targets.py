"""Goals per area: one row per area and threshold, every bad row named by file, row and
column."""

from __future__ import annotations

import pytest

from planner.core.errors import InputError
from planner.inputs.area_targets import read_area_targets


def _write(tmp_path, text: str, name: str = "targets.csv"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_fractions_percentages_and_chinese_headers(tmp_path):
    p = _write(tmp_path, "街道,分钟,目标\n南湾街道,10,90%\n南湾街道,15,1\n布吉街道,8,80\n")
    t = read_area_targets(p)
    assert t["area"].tolist() == ["南湾街道", "南湾街道", "布吉街道"]
    assert t["minutes"].tolist() == [10.0, 15.0, 8.0]
    assert t["share"].tolist() == pytest.approx([0.9, 1.0, 0.8])
    assert t["row"].tolist() == [2, 3, 4]


def test_every_bad_row_is_named_at_once(tmp_path):
    p = _write(tmp_path, "area,minutes,share\n,10,0.9\nB,ten,0.9\nC,10,150%\nD,-5,0.5\n")
    with pytest.raises(InputError) as info:
        read_area_targets(p)
    text = str(info.value)
    assert "targets.csv" in text
    for part in ("row 2, column 'area'", "row 3, column 'minutes'", "row 4, column 'share'",
                 "row 5, column 'minutes'"):  # fmt: skip
        assert part in text


def test_two_goals_for_one_area_and_threshold_is_an_error(tmp_path):
    p = _write(tmp_path, "area,minutes,share\nA,10,0.9\nA,10,0.8\n")
    with pytest.raises(InputError, match="row 3: a second goal for 'A' within 10 min"):
        read_area_targets(p)


def test_a_missing_column_names_what_is_needed(tmp_path):
    p = _write(tmp_path, "area,share\nA,0.9\n")
    with pytest.raises(InputError, match="no minutes column.*area, minutes, share"):
        read_area_targets(p)
