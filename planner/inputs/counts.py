"""How many rows a points file holds, told before it is read: so that a file too large for
the memory of the run is refused at once, not after minutes of parsing."""

from __future__ import annotations

import os
from pathlib import Path

from .points import EXCEL_SUFFIXES, VECTOR_SUFFIXES

#: Bytes read at a time while counting the lines of a text file.
CHUNK_BYTES = 16 * 2**20


def rows_in(path: str | os.PathLike[str]) -> int | None:
    """The number of data rows of a points file, without parsing it: the lines of a CSV
    after its header (a closing blank line not counted), the features a vector file
    reports (GDAL, through pyogrio) or the rows of a workbook's first sheet after its
    header (as the sheet states them). ``None`` when the file cannot tell (it is missing,
    empty, of an unknown type or unreadable): its reader then says what is wrong.

    A line break inside a quoted CSV cell counts as a row, so the count is an upper bound.
    """
    p = Path(path)
    try:
        if not p.is_file() or p.stat().st_size == 0:
            return None
        suffix = p.suffix.lower()
        if suffix in VECTOR_SUFFIXES:
            return _features(p)
        if suffix in EXCEL_SUFFIXES:
            return _sheet_rows(p)
        return _text_rows(p)
    except OSError:
        return None


def _text_rows(p: Path) -> int:
    lines, last = 0, b"\n"
    with p.open("rb") as f:
        while chunk := f.read(CHUNK_BYTES):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last not in (b"\n", b"\r"):
        lines += 1  # the last line has no line break
    return max(lines - 1, 0)


def _features(p: Path) -> int | None:
    import pyogrio

    try:
        n = int(pyogrio.read_info(p, force_feature_count=True)["features"])
    except Exception:  # pyogrio raises several types for unreadable files
        return None
    return n if n >= 0 else None


def _sheet_rows(p: Path) -> int | None:
    from openpyxl import load_workbook

    try:
        book = load_workbook(p, read_only=True)
    except Exception:  # openpyxl raises several types for broken workbooks
        return None
    try:
        rows = book.worksheets[0].max_row if book.worksheets else None
    finally:
        book.close()
    return None if rows is None else max(int(rows) - 1, 0)
