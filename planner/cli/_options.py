"""The options of the commands, grouped: what the plan asks for, the input files, the columns
of point files."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from ..core import memory
from ..core.defaults import DEFAULT_MINUTES, SNAP_MAX_M, SNAP_WARN_M
from ..core.modes import MODES
from ..optimize import METHODS
from ..plan import objectives

_MINUTES = ",".join(f"{m:g}" for m in DEFAULT_MINUTES)


MEMORY_OPTION = click.option(
    "--memory-gib", default=None, metavar="GIB",
    help=f"Memory the run may use (GiB; default: {memory.ENV_VAR}, else "
         f"{memory.DEFAULT_GIB:g}): a run whose counts need more is refused at once.",
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
            click.option("--reach", default=None, metavar="SHARE@MIN",
                         help="Instead of --add: the fewest new sites that bring SHARE of "
                              "demand within MIN minutes, e.g. 90%@10 (MIN one of --minutes)."),
            click.option("--method", type=str, metavar="|".join(METHODS),
                         default="local", show_default=True,
                         help="Optimiser: greedy, greedy then swaps, or exact MILP (HiGHS)."),
            click.option("--min-spacing-m", type=str, default="0", show_default=True,
                         metavar="M",
                         help="Minimum distance between any two stations, new or existing (m)."),
            click.option("--capacity", default=None, metavar="DEMAND|COLUMN",
                         help="Demand each new site can serve (units of the hotspot weights), "
                              "or the candidates column holding each site's own; demand may "
                              "then be split between sites (default: no limit)."),
            click.option("--minute-weights", default=None, metavar="W,W,W",
                         help="Weight of each circle in the coverage objective, one per "
                              "--minutes, e.g. 3,2,1 to favour the 8-minute circle (default "
                              "1 each)."),
        ]  # fmt: skip
    return opts


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
                     help="Road network: .osm.pbf, .osm, .osm.bz2, .graphml, or a place name "
                          "(online)."),
        click.option("--hotspots", required=True,
                     help="Hotspots CSV/GeoJSON (lon, lat, weight), or 'osm' for the network "
                          "file's food and retail POIs."),
        click.option("--stations", required=True,
                     help="Existing stations CSV/GeoJSON (id, name, lon, lat), or 'none' for a "
                          "district without stations yet."),
        click.option("--crs", "crs", default="wgs84", show_default=True,
                     help="Coordinate system of the point files: wgs84, gcj02, bd09 or EPSG:n."),
        click.option("--areas", default=None,
                     help="Sub-district polygons (GeoJSON/GeoPackage) for figures per area."),
        click.option("--area-name-column", default=None,
                     help="Column of --areas holding the area name (default: name/名称)."),
        click.option("--poi-weights", default=None, metavar="FILE.toml",
                     help="Weights per POI category for --hotspots osm (see README)."),
        *column_options(),
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
