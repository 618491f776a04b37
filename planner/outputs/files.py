"""Writing output files. Callers write into a staging folder (see :func:`atomic_dir`); each
writer here also writes through a temporary file and a rename, so no half file is left."""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..core._gc import collector_paused, frozen_heap
from ..core.crs import WGS84
from ..core.errors import ConfigError
from ..plan.result import Plan
from . import (
    display,
    geojson,
    geopackage,
    output_set,
    safe_text,
    sheets,
    static_map,
    tables,
    terms,
    workbook,
)
from . import map as map_page
from . import pdf as pdf_mod
from . import report as report_page
from . import summary as summary_mod
from .output_set import atomic_dir

log = logging.getLogger(__name__)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: Rows of a CSV file guarded and written at a time, so that a table of millions of rows
#: (the travel times of a million hotspots) is never held as text whole.
CSV_CHUNK_ROWS = 100_000


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """CSV in UTF-8 with a byte-order mark, so Excel opens Chinese text correctly.

    Text never becomes a formula: a text cell starting with ``=``, ``+``, ``-``, ``@``, tab
    or carriage return gets a leading apostrophe (:func:`.safe_text.csv_frame`; numbers stay
    numbers). Lines end in CRLF (RFC 4180), so a carriage return inside a name is quoted
    with it instead of starting a new row. The rows go through in chunks of
    :data:`CSV_CHUNK_ROWS`; the file is the same as one written whole.
    """
    p = Path(path)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as f:
            for start in range(0, max(len(frame), 1), CSV_CHUNK_ROWS):
                part = safe_text.csv_frame(frame.iloc[start : start + CSV_CHUNK_ROWS])
                part.to_csv(f, index=False, header=start == 0, lineterminator="\r\n")

    _atomic(p, write)
    return p


def write_geojson(frame: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """GeoJSON in WGS-84 (RFC 7946), the CRS stated in the file. The features go through
    in chunks of :data:`CSV_CHUNK_ROWS` (a million hotspots' worth of feature dicts is
    never held at once), each chunk's built column by column (:mod:`.geojson`); the file
    is the same as geopandas' ``to_json`` of the whole."""
    p = Path(path)
    out = frame.to_crs(WGS84) if frame.crs is not None else frame.set_crs(WGS84)

    def write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write('{"type": "FeatureCollection", "features": [')
            for start in range(0, len(out), CSV_CHUNK_ROWS):
                part = out.iloc[start : start + CSV_CHUNK_ROWS]
                with collector_paused():  # a chunk's lists and dicts hold no cycles,
                    features = geojson.features(part)  # so no check for them either
                    text = json.dumps(features, ensure_ascii=False, check_circular=False)[1:-1]
                f.write((", " if start else "") + text)
            f.write("]}")

    _atomic(p, write)
    return p


def write_text(text: str, path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    _atomic(p, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return p


def write_xlsx(
    sheets: Mapping[str, pd.DataFrame], path: str | os.PathLike[str], *, lang: str = "en"
) -> Path:
    """An Excel workbook with one sheet per frame (:func:`.workbook.xlsx_bytes`): text
    cells are strings, never formulas; shares in percent, widths fitted, header frozen;
    Chinese sheet names and headers with ``lang="zh"``; identical frames give identical
    bytes."""
    p = Path(path)
    data = workbook.xlsx_bytes(sheets, lang=lang)
    _atomic(p, lambda tmp: Path(tmp).write_bytes(data))
    return p


#: Formats of the travel-time table (``--travel-times``).
TRAVEL_TIMES_FORMATS = ("parquet", "csv")


def check_travel_times(fmt: str) -> str:
    """``fmt`` when it is one of :data:`TRAVEL_TIMES_FORMATS`; a ConfigError otherwise."""
    if fmt not in TRAVEL_TIMES_FORMATS:
        raise ConfigError.about(
            "travel_times",
            "{travel_times}: {got!r} is not a table format; use parquet (the default) or csv",
            got=fmt,
        )
    return fmt


def write_plan(
    plan: Plan,
    out_dir: str | os.PathLike[str],
    *,
    lang: str = "en",
    basemap: str = "osm",
    travel_times: str = "parquet",
    pdf: bool = True,
    provenance: output_set.Provenance | None = None,
    browser: pdf_mod.Browser | None = None,
) -> Path:
    """Write every output of ``plan`` into ``out_dir`` as one set, replacing whatever set
    was there whole (see :mod:`planner.outputs.output_set`); return the folder.

    ``lang``: ``"en"`` or ``"zh"``, the language of the map, the report, the workbooks and
    the CSV headers (GeoJSON, GeoPackage, Parquet and ``summary.json`` keep the English
    machine names).
    ``basemap``: ``"osm"``, ``"amap"`` (overlays shifted to GCJ-02) or ``"none"`` (a
    self-contained map for networks without internet: no tiles, no CDN, roads drawn).
    ``travel_times``: ``"parquet"`` (``travel_times.parquet``) or ``"csv"``.
    ``pdf``: print ``report.pdf`` with headless Chromium (left out, with a warning, where
    no Chromium is installed); ``browser``: a :class:`~planner.outputs.pdf.Browser`
    started ahead (see :func:`planner.outputs.pdf.started`) that prints it, sparing the
    wait for a browser to start.
    ``provenance``: the command line and the input files' hashes, for ``manifest.json``
    (which also states the planner version, the request and every file of the set).
    Raises :class:`~planner.outputs.output_set.OutputFolderError` for a dangerous target
    or while another run writes ``out_dir``.
    """
    check_travel_times(travel_times)
    with frozen_heap():  # the plan's own objects stay out of the collector's passes
        return _write_plan(
            plan, Path(out_dir), lang, basemap, travel_times, pdf, provenance, browser
        )


def _write_plan(
    plan: Plan,
    out: Path,
    lang: str,
    basemap: str,
    travel_times: str,
    pdf: bool,
    provenance: output_set.Provenance | None,
    browser: pdf_mod.Browser | None,
) -> Path:
    """:func:`write_plan` once its arguments are checked."""
    summary = summary_mod.build(plan)
    # the static map draws today's areas only: the report (and so the PDF) goes first
    today = display.today_of_plan(plan)
    report = report_page.report_html(
        summary, tables.stations_scored(plan), lang=lang, curve=plan.coverage_curve,
        recommended=plan.recommended, map_png=static_map.png_base64(plan, shapes=today),
    )  # fmt: skip
    with atomic_dir(out, about=_about(summary, provenance)) as tmp, ThreadPoolExecutor(2) as bg:
        write_text(report, tmp / "report.html")
        # Chromium prints report.pdf in its own process while the other files are written
        printing = bg.submit(_write_pdf, tmp, browser) if pdf else None
        # Arrow and GDAL write the travel times and the GeoPackage mostly outside the GIL,
        # beside the map and the JSON files (the Python side of the writing)
        binary = bg.submit(_write_binary, plan, tmp, lang, travel_times)
        shapes = display.of_plan(plan, today=today)  # while Chromium prints
        page = map_page.map_html(plan, lang=lang, basemap=basemap, summary=summary, shapes=shapes)
        _write_tables(plan, summary, tmp, lang=lang)
        write_xlsx(sheets.plan_sheets(plan, summary, lang), tmp / "plan.xlsx", lang=lang)
        for name in ("recommended_sites", "isochrones", "service_areas", "blind_spots"):
            frame = plan.recommended if name == "recommended_sites" else getattr(plan, name)
            write_geojson(frame, tmp / f"{name}.geojson")
        write_text(summary.to_json(), tmp / "summary.json")
        write_text(summary_mod.timings_json(summary), tmp / output_set.TIMINGS)
        write_text(page, tmp / "map.html")
        binary.result()
        if printing is not None:
            printing.result()
    log.info("wrote outputs to %s", out)
    return out


def _write_binary(plan: Plan, tmp: Path, lang: str, travel_times: str) -> None:
    """The travel times (Parquet with machine names, or CSV with headers in ``lang``) and
    ``plan.gpkg``."""
    if travel_times == "csv":
        write_csv(terms.localise(tables.travel_times(plan), lang), tmp / "travel_times.csv")
    else:
        write_parquet(tables.travel_times(plan), tmp / "travel_times.parquet")
    write_gpkg(tables.gpkg_layers(plan), tmp / "plan.gpkg")


def _write_tables(plan: Plan, summary: summary_mod.PlanSummary, tmp: Path, *, lang: str) -> None:
    """The CSV tables (headers in ``lang``) and the station list workbook."""

    def csv(frame: pd.DataFrame, name: str) -> None:
        write_csv(terms.localise(frame, lang), tmp / name)

    csv(tables.stations_scored(plan), "stations_scored.csv")
    csv(tables.recommended_table(plan), "recommended_sites.csv")
    write_xlsx(
        {
            "recommended_sites": tables.recommended_table(plan),
            "about": sheets.about_sheet(plan, summary, lang),
        },
        tmp / "recommended_sites.xlsx",
        lang=lang,
    )
    csv(plan.snapping, "snapping.csv")
    csv(pd.DataFrame(plan.blind_spots.drop(columns="geometry")), "blind_spots.csv")
    if plan.areas_scored is not None:
        csv(plan.areas_scored, "areas_scored.csv")
    if plan.coverage_curve is not None:
        csv(plan.coverage_curve, "coverage_curve.csv")


def _write_pdf(tmp: Path, browser: pdf_mod.Browser | None) -> None:
    """``report.pdf`` from the staged ``report.html`` (by ``browser`` when given, else, or
    where it fails, by a browser started for it), or a warning that it was skipped."""
    target = tmp / "report.pdf"
    if browser is not None:
        printed = browser.print(tmp / "report.html", target)
        browser.close()  # while the other files are written
        if printed:
            return
    if pdf_mod.print_pdf(tmp / "report.html", target):
        return
    target.unlink(missing_ok=True)
    log.warning(
        "report.pdf skipped: no headless Chromium could print the report (install the "
        "chromium package, or run make demo); report.html holds the same report"
    )


def _about(
    summary: summary_mod.PlanSummary, provenance: output_set.Provenance | None
) -> dict[str, object]:
    """What ``manifest.json`` says of the run: command line, request, input files."""
    prov = provenance or output_set.Provenance()
    return {
        "command": None if prov.argv is None else list(prov.argv),
        "request": summary.to_dict()["inputs"],
        "inputs": {role: dict(f) for role, f in prov.inputs.items()},
    }


def write_gpkg(layers: Mapping[str, gpd.GeoDataFrame], path: str | os.PathLike[str]) -> Path:
    """One GeoPackage holding ``layers`` (name → frame) in WGS-84; identical layers give
    identical bytes (see :mod:`planner.outputs.geopackage`)."""
    p = Path(path)

    def write(tmp: str) -> None:
        Path(tmp).unlink()  # GDAL creates the file itself
        geopackage.write(layers, tmp)

    _atomic(p, write)
    return p


def write_parquet(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """A Parquet table (pyarrow, zstd), without the pandas index; identical frames give
    identical bytes."""
    p = Path(path)
    _atomic(p, lambda tmp: frame.to_parquet(tmp, engine="pyarrow", index=False,
                                            compression="zstd"))  # fmt: skip
    return p
