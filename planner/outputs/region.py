"""The region's own outputs, next to the district folders: ``region_summary.xlsx`` (one
row per district), ``region_map.html`` (districts coloured by goal attainment, each a click
away from its own map) and ``region_report.html`` (every district's figures and needs, the
failed ones with their error). The table's columns are those of
:mod:`planner.outputs.region_table`; same inputs give byte-identical files."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import files, region_map, region_report, region_table

#: The files :func:`write_region` writes, in order.
FILES = ("region_summary.xlsx", "region_map.html", "region_report.html")


def write_region(
    out_dir: Path,
    table: pd.DataFrame,
    districts: gpd.GeoDataFrame,
    *,
    minutes: tuple[float, ...],
    lang: str,
) -> list[Path]:
    """Write the region's workbook, map and report into ``out_dir``, each atomically.

    Parameters
    ----------
    out_dir
        The region's output folder (the districts' folders are relative to it).
    table
        One row per district (columns: :func:`.region_table.columns`); sorted by name here.
    districts
        The district polygons (column ``district``; WGS-84, or any CRS it states).
    minutes
        The thresholds (minutes), as the per-threshold columns name them.
    lang
        ``"en"`` or ``"zh"``: the language of sheet, headers and pages.

    Returns
    -------
    The paths written, in the order of :data:`FILES`.
    """
    checked = region_table.checked(table, minutes)
    out = Path(out_dir)
    xlsx = region_table.xlsx_bytes(checked, minutes, lang)
    page = region_map.map_html(checked, districts, minutes=minutes, lang=lang)
    report = region_report.report_html(checked, minutes=minutes, lang=lang)
    paths = [out / name for name in FILES]
    files._atomic(paths[0], lambda tmp: Path(tmp).write_bytes(xlsx))
    files.write_text(page, paths[1])
    files.write_text(report, paths[2])
    return paths
