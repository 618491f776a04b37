"""The region table (one row per district, by name) and the region's files:
``region_summary.csv`` here, and the workbook, map and report through
:func:`planner.outputs.region.write_region`.

Columns: ``district``, ``status`` (``done`` | ``failed`` | ``no hotspots``), ``error``,
``folder`` (``districts/<safe-name>``; empty without a set), ``hotspots``, ``demand``,
``stations`` and ``candidates`` (inside the district itself; its plan also uses those of
its halo), ``sites_suggested``, then per threshold ``m`` (``8``, ``10``, ``15``):
``today_<m>``, ``after_<m>`` (shares 0..1; empty without a plan), ``goal_<m>``,
``met_today_<m>``, ``met_after_<m>``.

With other operators' stations (``--others``): ``others`` (inside the district) and per
threshold ``today_own_<m>`` (the district's own stations alone) and
``today_with_others_<m>`` (with the other operators' stations of its halo); ``today_<m>``
is the one of the two that counts (``--others-count``). With goals per sub-area
(``--area-targets``): ``area_goals`` (the goals of the district's sub-areas),
``area_goals_met_today`` and ``area_goals_met_after`` (empty without a plan). The
region's workbook carries them too (Chinese headers with ``--lang zh``); its map and
report show the columns every region has.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from ..core.units import minutes_label, seconds
from ..outputs import files
from ..outputs.region import write_region
from ..plan.request import PlanRequest

BASE_COLUMNS = (
    "district", "status", "error", "folder", "hotspots", "demand", "stations", "candidates",
    "sites_suggested",
)  # fmt: skip
PER_THRESHOLD = ("today", "after", "goal", "met_today", "met_after")
SUMMARY_CSV = "region_summary.csv"


#: Columns of a region with other operators' stations, per threshold, and with goals per
#: sub-area.
OTHERS_PER_THRESHOLD = ("today_own", "today_with_others")
GOAL_COLUMNS = ("area_goals", "area_goals_met_today", "area_goals_met_after")


def columns(minutes: Sequence[float], *, others: bool = False, goals: bool = False) -> list[str]:
    """The table's columns in order: those of every region, then those of ``others`` and
    of ``goals`` (per sub-area) where the region has them."""
    labels = [minutes_label(seconds(m)) for m in minutes]
    cols = [*BASE_COLUMNS, *(f"{p}_{m}" for m in labels for p in PER_THRESHOLD)]
    if others:
        cols += ["others", *(f"{p}_{m}" for m in labels for p in OTHERS_PER_THRESHOLD)]
    return cols + list(GOAL_COLUMNS if goals else ())


def region_table(rows: Sequence[dict[str, Any]], request: PlanRequest) -> pd.DataFrame:
    """The rows as the region table, sorted by district name, columns in their order (the
    columns of other operators' stations and of goals per sub-area where the rows have
    them)."""
    cols = columns(
        request.validate().minutes,
        others=any("others" in r for r in rows),
        goals=any("area_goals" in r for r in rows),
    )
    frame = pd.DataFrame(list(rows), columns=cols)
    frame = frame.sort_values("district", kind="stable").reset_index(drop=True)
    for c in ("hotspots", "stations", "candidates", "sites_suggested", "others", "area_goals"):
        if c in frame.columns:
            frame[c] = frame[c].astype("int64")
    for c in GOAL_COLUMNS[1:]:  # empty without a plan
        if c in frame.columns:
            frame[c] = frame[c].astype("Int64")
    frame["demand"] = frame["demand"].astype(float)
    for c in cols:
        if c.startswith(("today_", "after_", "goal_")):
            frame[c] = frame[c].astype(float)
        elif c.startswith("met_"):
            frame[c] = frame[c].astype(bool)
    for c in ("district", "status", "error", "folder"):
        frame[c] = frame[c].fillna("").astype(str)
    return frame


def write(
    out: Path,
    table: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    *,
    minutes: tuple[float, ...],
    lang: str,
) -> list[Path]:
    """``region_summary.csv`` (text formula-safe), then the region writer's files."""
    written = [files.write_csv(table, out / SUMMARY_CSV)]
    frame = districts[["district", "geometry"]].copy()
    return written + list(write_region(out, table, frame, minutes=minutes, lang=lang))
