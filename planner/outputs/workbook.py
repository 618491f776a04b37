"""Excel workbooks of frames, safe, readable and reproducible: text stays text (see
:mod:`planner.outputs.safe_text`), shares carry a percent format, columns are as wide as
their text, the header row is frozen, and the same frames give the same bytes. With
``lang="zh"`` the sheet names, headers and the product's words are Chinese
(:mod:`planner.outputs.terms`); the frames keep their English machine names.

openpyxl stamps the time of saving twice: in the document properties
(``docProps/core.xml``, created and modified) and on every entry of the zip archive. Both
are set to :data:`FIXED_TIME` here.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from datetime import datetime

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from . import safe_text, terms

#: The creation and modification time every workbook states (naive, read as UTC).
FIXED_TIME = datetime(2000, 1, 1)

#: The system a zip entry says it was made on: Unix (3) on every platform.
_UNIX = 3

#: The number format of shares (0.433 shows as 43.3%).
PERCENT = "0.0%"

#: Columns holding shares (machine names): shown with :data:`PERCENT`.
SHARE_COLUMN = re.compile(
    r"(share|cumulative_share|catchment_within|share_before|share_after)_\d+(\.\d+)?"
    r"|share|goal|before|after"
)

#: Sheet names in Chinese (Excel allows 31 characters).
SHEET_ZH: Mapping[str, str] = {
    "summary": "概况", "stations": "现有驿站", "recommended_sites": "建议新址",
    "areas": "分街道", "coverage_curve": "覆盖率曲线", "speeds": "速度表", "about": "说明",
    "area_goals": "各街道目标", "other_operators": "其他运营方驿站",
}  # fmt: skip

#: Narrowest and widest column (characters; a Chinese character counts two).
MIN_WIDTH, MAX_WIDTH = 8, 60


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame], *, lang: str = "en") -> bytes:
    """An XLSX workbook with one sheet per frame (names cut to Excel's 31 characters).

    Text cells are string cells, never formulas; characters XLSX cannot hold are replaced.
    Share columns (see :data:`SHARE_COLUMN`) have the format ``0.0%``, every column the
    width of its longest text, and the header row stays in view (frozen). ``lang="zh"``:
    Chinese sheet names, headers and words (:func:`planner.outputs.terms.localise`).
    Identical frames give identical bytes.
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            sheet = (SHEET_ZH.get(name, name) if lang == "zh" else name)[:31]
            shown = terms.localise(frame, lang)
            safe_text.xlsx_frame(shown).to_excel(xl, sheet_name=sheet, index=False)
            _layout(xl.book[sheet], frame)
        safe_text.text_cells(xl.book)
        props = xl.book.properties
    props.created = props.modified = FIXED_TIME  # saving set modified to now
    return _reproducible(buf.getvalue(), {ARC_CORE: tostring(props.to_tree())})


def _reproducible(archive: bytes, replace: Mapping[str, bytes]) -> bytes:
    """The zip ``archive`` again, its entries in the same order with the same contents
    (those named in ``replace`` replaced), each dated :data:`FIXED_TIME`."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            fixed.create_system = _UNIX
            dst.writestr(fixed, replace.get(info.filename, src.read(info)))
    return out.getvalue()


def _text_width(value: object) -> int:
    """How many narrow characters ``value`` takes on screen (East Asian wide ones two)."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _layout(ws: Worksheet, frame: pd.DataFrame) -> None:
    """Freeze the header row; percent format on the share columns of ``frame`` (machine
    names, in the order of the sheet's columns); each column as wide as its text."""
    ws.freeze_panes = "A2"
    for i, column in enumerate(frame.columns, start=1):
        letter = get_column_letter(i)
        share = SHARE_COLUMN.fullmatch(str(column)) is not None
        width = 0
        for (cell,) in ws.iter_rows(min_col=i, max_col=i):
            if share and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                cell.number_format = PERCENT
            shown = f"{cell.value:.1%}" if cell.number_format == PERCENT else cell.value
            if isinstance(shown, float):
                shown = f"{shown:.6g}"
            width = max(width, _text_width(shown))
        ws.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, width + 2))
