"""The library's first entry point, kept for the code written against it:
``pipeline.plan(net, hotspots, stations, candidates, add=5)`` takes the options by name and
returns a :class:`Plan` that also writes its deliverables (``summary()``, ``write()``,
``map_html()``). New code can call :func:`planner.plan.run.plan` with a
:class:`~planner.plan.request.PlanRequest` and :mod:`planner.outputs` directly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import app
from .app import demo_inputs, demo_source
from .core.modes import Mode
from .inputs.network import Network
from .outputs import files, tables
from .outputs import map as map_page
from .outputs import summary as summary_mod
from .plan import result, run
from .plan.request import PlanRequest

__all__ = ["Plan", "demo_inputs", "demo_source", "plan", "run_demo"]


@dataclass(frozen=True)
class Plan(result.Plan):
    """A :class:`planner.plan.result.Plan` with its deliverables at hand."""

    @classmethod
    def of(cls, plan: result.Plan) -> Plan:
        return cls(**{f.name: getattr(plan, f.name) for f in fields(result.Plan)})

    @property
    def inputs(self) -> dict[str, Any]:
        """The sources and options of the plan, as ``summary.json`` states them."""
        return {**self.request.echo(), "add": int(self.sites_asked)}

    def summary(self) -> dict[str, Any]:
        """The JSON document of ``summary.json`` (see :mod:`planner.outputs.summary`)."""
        return summary_mod.build(self).to_dict()

    def write(
        self,
        out_dir: str | os.PathLike[str],
        *,
        lang: str = "en",
        basemap: str = "osm",
        travel_times: str = "parquet",
        pdf: bool = True,
    ) -> Path:
        """Write every output into ``out_dir`` as one set (see
        :func:`planner.outputs.files.write_plan`)."""
        return files.write_plan(
            self, out_dir, lang=lang, basemap=basemap, travel_times=travel_times, pdf=pdf
        )

    def map_html(self, *, lang: str = "en", basemap: str = "osm") -> str:
        """The map page (see :func:`planner.outputs.map.plan_map`)."""
        return map_page.map_html(self, lang=lang, basemap=basemap)

    def stations_scored(self) -> pd.DataFrame:
        return tables.stations_scored(self)

    def travel_times_table(self) -> pd.DataFrame:
        return tables.travel_times(self)

    def about_sheet(self) -> pd.DataFrame:
        return tables.about_sheet(self)

    def road_lines(self, *, tolerance_m: float = 3.0) -> gpd.GeoDataFrame:
        return tables.road_lines(self, tolerance_m=tolerance_m)


def plan(
    net: Network,
    hotspots: gpd.GeoDataFrame,
    stations: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame | None = None,
    *,
    areas: gpd.GeoDataFrame | None = None,
    inputs: dict[str, Any] | None = None,
    **options: Any,
) -> Plan:
    """Score the existing stations and suggest new sites, the options given by name (see
    :meth:`planner.plan.request.PlanRequest.from_options`: ``minutes``, ``add``,
    ``targets``, ``objective``, ``reach``, ``minute_weights`` (or ``threshold_weights``),
    ``capacity``, ``method``, ``min_spacing_m``, ``snap_warn_m``, ``snap_max_m``);
    ``inputs`` states the sources in the summary."""
    request = PlanRequest.from_options(sources=inputs or {}, **options)
    return Plan.of(run.plan(net, hotspots, stations, candidates, request, areas=areas))


def run_demo(
    out_dir: str | os.PathLike[str],
    *,
    mode: str | Mode = "walk",
    lang: str = "en",
    basemap: str = "osm",
    **options: Any,
) -> Plan:
    """Run the planner offline on the embedded Helsinki extract and write the outputs."""
    request = PlanRequest.from_options(**options)
    result_, _ = app.run_demo(out_dir, request, mode=mode, lang=lang, basemap=basemap)
    return Plan.of(result_)
