"""The options of the commands, grouped: what the plan asks for, the input files, the columns
of point files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..core import memory
from ..core.defaults import DEFAULT_MINUTES, SNAP_MAX_M, SNAP_WARN_M
from ..core.modes import MODES
from ..inputs.network import MIN_PART_KM, MIN_PART_NODES
from ..optimize import METHODS
from ..plan import objectives
from ._controls import control_options

_MINUTES = ",".join(f"{m:g}" for m in DEFAULT_MINUTES)


MEMORY_OPTION = click.option(
    "--memory-gib", default=None, metavar="GIB",
    help=f"Memory the run may use (GiB; default: {memory.ENV_VAR}, else "
         f"{memory.DEFAULT_GIB:g}): a run whose counts need more is refused at once.",
)  # fmt: skip


# --------------------------------------------------------------------------- network cache

CACHE_OPTION = click.option(
    "--no-cache", "no_cache", is_flag=True,
    help="Neither read nor store the built network in the network cache ($PLANNER_CACHE_DIR, "
         "else $XDG_CACHE_HOME/planner, else ~/.cache/planner; see README).",
)  # fmt: skip


#: A budget in money, and the optimiser's time limit (see README).
BUDGET_OPTIONS = [
    click.option("--cost", default=None, metavar="COLUMN",
                 help="Candidates column holding each site's opening cost, with "
                      "--budget (see README, A budget in money)."),
    click.option("--budget", default=None, metavar="AMOUNT",
                 help="The most the new sites may cost in all (the unit of --cost); "
                      "--add then caps the number of sites, else the budget decides."),
    click.option("--time-limit", "time_limit", default=None, metavar="S",
                 help="Seconds the optimiser may spend: exact stops with its best "
                      "answer and gap; local spends them on models too large for its "
                      "proof step (default: no limit, the same answer on any machine)."),
]  # fmt: skip
DECAY_OPTION = click.option(
    "--decay", default=None, metavar="linear|exp:MIN|step:MIN=V,...",
    help="With --objective decay: how demand counts by the minutes to its nearest station: "
         "linear (1 at 0, 0 at the widest circle; the default), exp:5 (halved every 5 min) "
         "or step:8=1,10=0.7,15=0.4 (0 beyond the last step).",
)  # fmt: skip


def plan_options(
    *, mode_default: str, out_default: str, with_add: bool = True
) -> list[Callable[..., Any]]:
    opts = [
        click.option("--mode", type=click.Choice(sorted(MODES)), default=mode_default,
                     show_default=True, help="Travel mode: speeds by road class (see README)."),
        click.option("--speeds", default=None, metavar="FILE.toml",
                     help="Override the mode's speeds and rules from a TOML file (see README)."),
        click.option("--minutes", default=_MINUTES, show_default=True,
                     help="Service-circle thresholds in minutes, increasing."),
        click.option("--targets", default=None,
                     help="Goal share of demand within each threshold, e.g. 0.8,0.9,1.0 "
                          "(the default for 8,10,15)."),
        click.option("--out", "out", default=out_default, show_default=True,
                     help="Output folder."),
        click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
                     help="Language of the map and report."),
        click.option("--basemap", type=click.Choice(["osm", "amap", "none"]), default="osm",
                     show_default=True,
                     help="Map background: OpenStreetMap tiles, Amap tiles (GCJ-02), or none: "
                          "a self-contained offline map with the roads drawn."),
        click.option("--snap-warn-m", type=str, default=f"{SNAP_WARN_M:g}", show_default=True,
                     metavar="M", help="Report points farther than this from a usable road (m)."),
        click.option("--snap-max-m", type=str, default=f"{SNAP_MAX_M:g}", show_default=True,
                     metavar="M",
                     help="Exclude (and list) points farther than this from every road (m)."),
        MEMORY_OPTION,
        CACHE_OPTION,
        click.option("--quiet", "-q", is_flag=True,
                     help="Only warnings and errors; no progress bars."),
        click.option("--verbose", "-v", is_flag=True, help="Debug logging."),
    ]  # fmt: skip
    if with_add:
        opts[4:4] = [
            click.option("--add", "add", type=str, default=None, metavar="N",
                         help="Number of new sites to suggest (default 3)."),
            click.option("--objective", type=str, metavar="|".join(objectives.BY_NAME),
                         default="coverage", show_default=True,
                         help="What the new sites should do best: " + "; ".join(
                             f"{name}: {cls.summary}" for name, cls in objectives.BY_NAME.items()
                         ) + "."),
            click.option("--reach", default=None, metavar="SHARE@MIN|areas",
                         help="Instead of --add: the fewest new sites that bring SHARE of "
                              "demand within MIN min (90%@10), or meet --area-targets (areas)."),
            click.option("--method", type=str, metavar="|".join(METHODS),
                         default="local", show_default=True,
                         help="Optimiser: greedy, greedy then swaps, or exact MILP (HiGHS)."),
            click.option("--min-spacing-m", type=str, default=None, metavar="M",
                         help="Minimum distance between any two stations, new or existing "
                              "(m; default 300 with the coverage objective, 0 turns it off)."),
            click.option("--capacity", default=None, metavar="DEMAND|COLUMN",
                         help="Demand each new site can serve (units of the hotspot weights), "
                              "or the candidates column holding each site's own; demand may "
                              "then be split between sites (default: no limit)."), *BUDGET_OPTIONS,
            click.option("--minute-weights", default=None, metavar="W,W,W",
                         help="Weight of each circle in the coverage objective, one per "
                              "--minutes, e.g. 3,2,1 to favour the 8-minute circle (default "
                              "1 each)."), *control_options(),
        ] + [DECAY_OPTION]  # fmt: skip
    return opts


def hours_options() -> list[Callable[..., Any]]:
    """The hours the new sites should cover (with venues' opening hours)."""
    return [
        click.option("--hours", default=None, metavar="H-H,H-H|all",
                     help="Cover the demand of these hours of the day (e.g. 11-14,17-21: "
                          "11:00-14:00 and 17:00-21:00; all: every hour, by hourly demand) "
                          "with sites open then (opening_hours); a closed venue adds nothing."),
    ]  # fmt: skip


def deliverable_options() -> list[Callable[..., Any]]:
    """How the output set is written: the travel-time table's format, the printed report."""
    return [
        click.option("--travel-times", "travel_times", type=click.Choice(["parquet", "csv"]),
                     default="parquet", show_default=True,
                     help="Format of the travel-time table: travel_times.parquet, or "
                          "travel_times.csv for spreadsheets."),
        click.option("--pdf/--no-pdf", "pdf", default=True, show_default=True,
                     help="Print report.pdf with headless Chromium (skipped, with a warning, "
                          "where Chromium is missing)."),
    ]  # fmt: skip


def deliverables_from(opts: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments of the output set that the options ask for."""
    return {"travel_times": opts["travel_times"], "pdf": opts["pdf"]}


def column_options(*, weight: bool = True) -> list[Callable[..., Any]]:
    """Flags naming the columns of point files, when automatic recognition is not enough."""
    fields = [("lon", "longitude"), ("lat", "latitude"), ("id", "id"), ("name", "name")]
    if weight:
        fields.append(("weight", "hotspot weight"))
    return [
        click.option(f"--{f}-column", default=None, help=f"Column holding the {what}.")
        for f, what in fields
    ]


def columns_from(opts: dict[str, Any], *, weight: bool) -> dict[str, str]:
    keys = ["lon", "lat", "id", "name"] + (["weight"] if weight else [])
    return {k: opts[f"{k}_column"] for k in keys if opts.get(f"{k}_column")}


def input_options(*, with_candidates: bool) -> list[Callable[..., Any]]:
    opts = [
        click.option("--network", "network", required=True,
                     help="Road network: .osm.pbf, .osm, .osm.bz2, .graphml, a .gpkg/.shp/"
                          ".geojson road line layer, or a place name (online)."),
        click.option("--dem", default=None, metavar="FILE.tif",
                     help="Digital elevation model (any raster with a CRS): e-bike and walking "
                          "speeds follow each road's grade (rules in README, Terrain)."),
        click.option("--hotspots", required=True,
                     help="Hotspots CSV/GeoJSON (lon, lat, weight), or 'osm' for the network "
                          "file's food and retail POIs."),
        click.option("--stations", required=True,
                     help="Existing stations CSV/GeoJSON (id, name, lon, lat), or 'none' for a "
                          "district without stations yet."),
        *crs_options(with_candidates=with_candidates),
        click.option("--areas", default=None,
                     help="Sub-district polygons (GeoJSON/GeoPackage) for figures per area."),
        click.option("--area-name-column", default=None,
                     help="Column of --areas holding the area name (default: name/名称)."),
        *others_options(),
        click.option("--poi-weights", default=None, metavar="FILE.toml",
                     help="Weights per POI category for --hotspots osm (see README)."),
        *column_options(),
        *road_layer_options(),
        *part_options(),
    ]  # fmt: skip
    if with_candidates:
        opts.insert(
            3,
            click.option(
                "--candidates",
                required=True,
                help="Candidate sites CSV/GeoJSON, or 'osm' for the network file's host venues.",
            ),
        )
    return opts


# --------------------------------------------------------------------------- GIS road layers

#: The options of :func:`road_layer_options`, as :func:`planner.inputs.network.load` names them.
ROAD_LAYER_KEYS = (
    "road_class_column", "speed_column", "oneway_column", "snap_ends_m", "network_crs",
)  # fmt: skip


def road_layer_options() -> list[Callable[..., Any]]:
    """Flags for a ``--network`` that is the district's own GIS line layer."""
    return [
        click.option("--road-class-column", default=None, metavar="COLUMN",
                     help="GIS --network: column of road classes (OSM highway values or "
                          "快速路/主干路/次干路/支路…; default: highway, else all 'road')."),
        click.option("--speed-column", default=None, metavar="COLUMN",
                     help="GIS --network: column of speeds in km/h replacing the class "
                          "speeds (capped by the mode's top speed)."),
        click.option("--oneway-column", default=None, metavar="COLUMN",
                     help="GIS --network: column of one-way rules: yes/1/true drawn "
                          "direction only, -1 against it, no/0/false both ways."),
        click.option("--snap-ends-m", default=None, metavar="M",
                     help="GIS --network: line ends closer than this join (m, default 1)."),
        click.option("--network-crs", default=None, metavar="EPSG:n",
                     help="GIS --network: CRS of a layer that states none (no .prj)."),
    ]  # fmt: skip


def road_layer_from(opts: dict[str, Any]) -> dict[str, Any]:
    """The road-layer options that were given, by the names ``app.Sources`` takes."""
    return {k: opts[k] for k in ROAD_LAYER_KEYS if opts.get(k) is not None}


def crs_options(*, with_candidates: bool) -> list[Callable[..., Any]]:
    """``--crs`` for every input file, and one flag per input that overrides it and what
    the file declares (see README, Coordinate systems)."""
    roles = ["hotspots", "stations", *(["candidates"] if with_candidates else []), "areas",
             "others"]  # fmt: skip
    return [
        click.option("--crs", "crs", default=None, metavar="wgs84|gcj02|bd09|EPSG:n",
                     help="Coordinate system of every input file that declares none "
                          "(default: WGS-84)."),
        *(click.option(f"--{role}-crs", f"{role}_crs", default=None,
                       metavar="wgs84|gcj02|bd09|EPSG:n",
                       help=f"Coordinate system of the {role} file; overrides --crs and what "
                            "the file declares.")
          for role in roles),
    ]  # fmt: skip


# --------------------------------------------------------------------------- network parts


def part_options() -> list[Callable[..., Any]]:
    """The size floor of the network's strongly connected parts: a part is kept when it has
    at least ``--min-part-nodes`` nodes or ``--min-part-km`` km of road (the largest
    always); smaller parts are dropped and counted in ``summary.json``."""
    return [
        click.option("--min-part-nodes", default=str(MIN_PART_NODES), show_default=True,
                     metavar="N",
                     help="Keep every strongly connected part of the network with at least N "
                          "nodes (or --min-part-km of road); smaller parts are dropped."),
        click.option("--min-part-km", default=f"{MIN_PART_KM:g}", show_default=True,
                     metavar="KM",
                     help="Keep every part with at least KM km of road (or --min-part-nodes "
                          "nodes)."),
    ]  # fmt: skip


# --------------------------------------------------------------------------- surroundings


def others_options() -> list[Callable[..., Any]]:
    """Other operators' stations and goals per area (see README, Other operators' stations
    and Goals per area)."""
    return [
        click.option("--others", default=None, metavar="FILE",
                     help="Other operators' stations (platforms, unions): CSV/GeoJSON like "
                          "--stations, an operator column optional."),
        click.option("--others-count", type=click.Choice(["yes", "no"]), default="yes",
                     show_default=True,
                     help="Whether other operators' stations count toward the district's "
                          "goals (yes: as existing coverage; no: the district's own only)."),
        click.option("--area-targets", default=None, metavar="FILE.csv",
                     help="Goals per area: CSV of area, minutes, share (one row per area "
                          "and threshold), with --areas; --reach areas then asks for the "
                          "fewest new sites meeting them all."),
    ]  # fmt: skip


def others_from(opts: dict[str, Any]) -> dict[str, Any]:
    """The ``app.Sources`` arguments of :func:`others_options`."""
    count: bool = opts.get("others_count") != "no"
    return {"others": opts.get("others"), "others_count": count,
            "area_targets": opts.get("area_targets")}  # fmt: skip
