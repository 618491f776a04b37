"""Excel workbooks of frames, safe and reproducible: text stays text (see
:mod:`planner.outputs.safe_text`) and the same frames give the same bytes.

openpyxl stamps the time of saving twice: in the document properties
(``docProps/core.xml``, created and modified) and on every entry of the zip archive. Both
are set to :data:`FIXED_TIME` here.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import datetime

import pandas as pd
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from . import safe_text

#: The creation and modification time every workbook states (naive, read as UTC).
FIXED_TIME = datetime(2000, 1, 1)

#: The system a zip entry says it was made on: Unix (3) on every platform.
_UNIX = 3


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    """An XLSX workbook with one sheet per frame (names cut to Excel's 31 characters).

    Text cells are string cells, never formulas; characters XLSX cannot hold are replaced.
    Identical frames give identical bytes.
    """
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        for name, frame in sheets.items():
            safe_text.xlsx_frame(frame).to_excel(xl, sheet_name=name[:31], index=False)
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
