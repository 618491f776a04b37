"""The region table (one row per district) as the region's outputs read it: its columns
checked once, each district's class of goal attainment, the words of the region pages in
English and Chinese, and ``region_summary.xlsx``.

The table (built by the region engine) has one row per district: ``district``, ``status``
(``"done"``, ``"failed"`` or ``"no hotspots"``), ``error``, ``folder`` (the district's output
folder, relative to the region's), ``hotspots``, ``demand``, ``stations``, ``candidates``,
``sites_suggested`` and, per threshold label ``m`` (:func:`planner.core.units.minutes_text`),
``today_<m>`` and ``after_<m>`` (shares of demand, 0..1), ``goal_<m>`` (the target share),
``met_today_<m>`` and ``met_after_<m>`` (booleans).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath

import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.xml.constants import ARC_CORE
from openpyxl.xml.functions import tostring

from ..core.errors import FieldError
from ..core.units import minutes_text
from . import safe_text, workbook

#: The columns every table has, before the per-threshold ones.
BASE_COLUMNS = (
    "district", "status", "error", "folder", "hotspots", "demand", "stations", "candidates",
    "sites_suggested",
)  # fmt: skip

#: The per-threshold columns (``<name>_<m>``), in order.
THRESHOLD_NAMES = ("today", "after", "goal", "met_today", "met_after")

#: The per-threshold columns holding shares (shown in percent).
SHARE_NAMES = ("today", "after", "goal")

#: Columns a region has with other operators' stations (per threshold: ``<name>_<m>``)
#: and with goals per sub-area; the table keeps those it has, after the others.
OTHERS_NAMES = ("today_own", "today_with_others")
GOAL_COLUMNS = ("area_goals", "area_goals_met_today", "area_goals_met_after")

#: The statuses a district can have.
STATUSES = ("done", "failed", "no hotspots")

#: Classes of goal attainment, in legend order, and their colours (Okabe–Ito: bluish green,
#: sky blue, vermillion; black-outlined grey for a failed district, light grey for none).
CLASSES = ("met", "met_after", "not_met", "no_hotspots", "failed")
CLASS_COLOURS: Mapping[str, str] = {
    "met": "#009E73", "met_after": "#56B4E9", "not_met": "#D55E00",
    "no_hotspots": "#dddddd", "failed": "#9e9e9e",
}  # fmt: skip

#: The words of the region pages and workbook.
LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "Region: service circles by district", "map_title": "Region map",
        "district": "district", "status": "status", "error": "error", "folder": "folder",
        "hotspots": "hotspots", "demand": "demand", "stations": "stations",
        "candidates": "candidates", "sites_suggested": "sites suggested",
        "today": "{m} min today", "after": "{m} min with suggested sites",
        "goal": "{m} min goal", "met_today": "{m} min goal met today",
        "met_after": "{m} min goal met with suggested sites",
        "done": "done", "failed": "failed", "no hotspots": "no hotspots",
        "cls_met": "every goal met today",
        "cls_met_after": "every goal met with the suggested sites",
        "cls_not_met": "a goal not met", "cls_no_hotspots": "no hotspots",
        "cls_failed": "failed",
        "yes": "yes", "no": "no", "open_map": "open the district's map",
        "districts": "Districts", "legend": "Goal attainment",
        "counts": "{n} districts: {done} done, {empty} without hotspots, {failed} failed.",
        "goal_line": "{m} min (goal {goal}): met in {today} of {n} districts today, "
        "{after} with the suggested sites.",
        "failed_title": "Failed districts", "needs": "New sites suggested in all: {k}.",
        "credit": "© OpenStreetMap contributors",
        "others": "other operators' stations", "today_own": "{m} min today, own stations",
        "today_with_others": "{m} min today, with other operators' stations",
        "area_goals": "area goals", "area_goals_met_today": "area goals met today",
        "area_goals_met_after": "area goals met with suggested sites",
    },
    "zh": {
        "title": "区域服务圈：分区县概况", "map_title": "区域地图",
        "district": "区县", "status": "状态", "error": "错误", "folder": "文件夹",
        "hotspots": "热点数", "demand": "需求", "stations": "现有驿站数",
        "candidates": "候选站址数", "sites_suggested": "建议新址数",
        "today": "现有驿站{m}分钟覆盖率", "after": "加上建议新址后{m}分钟覆盖率",
        "goal": "{m}分钟目标", "met_today": "现有驿站{m}分钟达标",
        "met_after": "加上建议新址后{m}分钟达标",
        "done": "已完成", "failed": "失败", "no hotspots": "无热点",
        "cls_met": "现有驿站全部达标", "cls_met_after": "加上建议新址后全部达标",
        "cls_not_met": "有目标未达标", "cls_no_hotspots": "无热点", "cls_failed": "失败",
        "yes": "是", "no": "否", "open_map": "打开该区县地图",
        "districts": "区县", "legend": "目标达成情况",
        "counts": "共{n}个区县：{done}个已完成，{empty}个无热点，{failed}个失败。",
        "goal_line": "{m}分钟（目标{goal}）：现有驿站{today}/{n}个区县达标，"
        "加上建议新址后{after}个。",
        "failed_title": "失败的区县", "needs": "共建议新址{k}处。",
        "credit": "© OpenStreetMap 贡献者",
        "others": "其他运营方驿站数", "today_own": "自有驿站{m}分钟覆盖率",
        "today_with_others": "含其他运营方驿站{m}分钟覆盖率",
        "area_goals": "分区目标数", "area_goals_met_today": "现有驿站达标的分区目标数",
        "area_goals_met_after": "加上建议新址后达标的分区目标数",
    },
}  # fmt: skip

#: Sheet name of the workbook per language.
SHEET = {"en": "districts", "zh": "区县概况"}


def labels(lang: str) -> Mapping[str, str]:
    """The words in ``lang`` (English for anything but ``"zh"``)."""
    return LABELS["zh" if lang == "zh" else "en"]


def threshold_labels(minutes: Sequence[float]) -> list[str]:
    """``(8.0, 10.0, 15.0)`` → ``["8", "10", "15"]``."""
    return [minutes_text(m) for m in minutes]


def columns(minutes: Sequence[float]) -> list[str]:
    """Every column of the table, in order."""
    return [*BASE_COLUMNS] + [
        f"{name}_{m}" for m in threshold_labels(minutes) for name in THRESHOLD_NAMES
    ]


def optional_columns(table: pd.DataFrame, minutes: Sequence[float]) -> list[str]:
    """The columns of other operators' stations and of goals per sub-area ``table`` has,
    in order."""
    keys = threshold_labels(minutes)
    wanted = ["others", *(f"{n}_{m}" for m in keys for n in OTHERS_NAMES), *GOAL_COLUMNS]
    return [c for c in wanted if c in table.columns]


def checked(table: pd.DataFrame, minutes: Sequence[float]) -> pd.DataFrame:
    """The table with its columns in order (those of every region, then those of
    :func:`optional_columns` it has) and its rows sorted by district name, after
    checking every column is there, names are unique, statuses known and folders relative
    paths inside the region's folder. Raises :class:`FieldError` naming what is wrong."""
    missing = [c for c in columns(minutes) if c not in table.columns]
    if missing:
        raise FieldError("table", "the region table lacks the columns {missing}", missing=missing)
    out = table[columns(minutes) + optional_columns(table, minutes)].copy()
    out["district"] = out["district"].astype(str)
    dup = out["district"][out["district"].duplicated()].tolist()
    if dup:
        raise FieldError("table", "district names repeat: {dup}; each must be unique", dup=dup)
    bad = sorted(set(out["status"]) - set(STATUSES))
    if bad:
        raise FieldError("table", "unknown statuses {bad}; expected one of {ok}",
                         bad=bad, ok=STATUSES)  # fmt: skip
    for name, folder in zip(out["district"], out["folder"], strict=True):
        if not _relative(folder):
            raise FieldError(
                "table", "district {name}: folder {folder!r} is not a relative path inside "
                "the region's folder", name=name, folder=folder,
            )  # fmt: skip
    out["error"] = out["error"].fillna("").astype(str)
    out["folder"] = out["folder"].fillna("").astype(str)
    return out.sort_values("district", kind="mergesort").reset_index(drop=True)


def _relative(folder: object) -> bool:
    if folder is None or (isinstance(folder, float) and math.isnan(folder)) or folder == "":
        return True
    if not isinstance(folder, str) or "\\" in folder or ":" in folder:
        return False
    path = PurePosixPath(folder)
    return not path.is_absolute() and ".." not in path.parts


def share(value: object) -> float | None:
    """A share as a float, or None when it is missing (NaN or None)."""
    if value is None or pd.isna(value):  # type: ignore[call-overload]
        return None
    return float(value)  # type: ignore[arg-type]


def attainment(row: Mapping[str, object], minutes: Sequence[float]) -> str:
    """The district's class (:data:`CLASSES`): failed, no hotspots, every goal met today,
    every goal met with the suggested sites, or a goal not met."""
    if row["status"] == "failed":
        return "failed"
    if row["status"] == "no hotspots":
        return "no_hotspots"
    keys = threshold_labels(minutes)
    if all(bool(row[f"met_today_{m}"]) for m in keys):
        return "met"
    if all(bool(row[f"met_after_{m}"]) for m in keys):
        return "met_after"
    return "not_met"


def sheet(table: pd.DataFrame, minutes: Sequence[float], lang: str) -> pd.DataFrame:
    """The table as the workbook shows it: statuses and yes/no in ``lang``; the headers
    Chinese with ``"zh"``, the machine names otherwise (as in ``plan.xlsx``)."""
    lab = labels(lang)
    out = table.copy()
    out["status"] = out["status"].map(lambda s: lab.get(s, s))
    heads = {c: lab[c] for c in BASE_COLUMNS}
    for m in threshold_labels(minutes):
        for name in ("met_today", "met_after"):
            out[f"{name}_{m}"] = out[f"{name}_{m}"].map(
                lambda v: None if v is None or pd.isna(v) else lab["yes" if v else "no"]
            )
        heads.update({f"{n}_{m}": lab[n].format(m=m) for n in (*THRESHOLD_NAMES, *OTHERS_NAMES)})
    heads.update({c: lab[c] for c in ("others", *GOAL_COLUMNS)})
    return out.rename(columns=heads) if lang == "zh" else out


def xlsx_bytes(table: pd.DataFrame, minutes: Sequence[float], lang: str) -> bytes:
    """``region_summary.xlsx``: one sheet of the (checked) table in ``lang``; text cells
    strings, never formulas; shares in percent; widths fitted; header row frozen; the
    same table gives the same bytes."""
    shown = safe_text.xlsx_frame(sheet(table, minutes, lang))
    shares = {i for i, c in enumerate(table.columns, 1) if str(c).split("_")[0] in SHARE_NAMES}
    buf = io.BytesIO()
    name = SHEET["zh" if lang == "zh" else "en"]
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        shown.to_excel(xl, sheet_name=name, index=False)
        ws = xl.book[name]
        ws.freeze_panes = "A2"
        for i in range(1, shown.shape[1] + 1):
            width = 0
            for (cell,) in ws.iter_rows(min_col=i, max_col=i):
                value = cell.value
                if i in shares and isinstance(value, float) and cell.row > 1:
                    cell.number_format = workbook.PERCENT
                    value = f"{value:.1%}"
                elif isinstance(value, float):
                    value = f"{value:.6g}"
                width = max(width, workbook._text_width(value))
            ws.column_dimensions[get_column_letter(i)].width = min(
                workbook.MAX_WIDTH, max(workbook.MIN_WIDTH, width + 2)
            )
        safe_text.text_cells(xl.book)
        props = xl.book.properties
    props.created = props.modified = workbook.FIXED_TIME
    return workbook._reproducible(buf.getvalue(), {ARC_CORE: tostring(props.to_tree())})
