"""Command line: ``planner demo`` and ``planner plan``. Each command is one library call
plus formatting; errors become one line on stderr and exit status 2."""

from __future__ import annotations

import difflib
import functools
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pandas as pd

from . import app
from .core import _progress, safe_log
from .core.defaults import DEFAULT_MINUTES, SNAP_MAX_M, SNAP_WARN_M
from .core.errors import ConfigError, PlannerError
from .core.modes import MODES
from .inputs import demand
from .inputs.settings_files import read_toml
from .optimize import METHODS
from .outputs import files
from .outputs.summary import PlanSummary, console_lines
from .plan import objectives
from .plan.request import OPTIONS, PlanRequest

log = logging.getLogger("planner")

_MINUTES = ",".join(f"{m:g}" for m in DEFAULT_MINUTES)


#: How the CLI spells the fields of a request and the other arguments errors name: each
#: option ``min_spacing_m`` is the flag ``--min-spacing-m``.
FLAGS = {
    name: f"--{name.replace('_', '-')}"
    for name in (
        *OPTIONS, "crs", "mode", "eps_m", "min_points", "weight_by",
        *(f"{c}_column" for c in ("lon", "lat", "id", "name", "weight")),
    )
}  # fmt: skip


def _handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PlannerError as exc:  # one line, controls escaped (names come from files)
            click.echo(f"error: {safe_log.escape_controls(exc.render(FLAGS))}", err=True)
            sys.exit(2)
        except OSError as exc:
            where = f": {exc.filename}" if exc.filename else ""
            message = safe_log.escape_controls(f"{exc.strerror or exc}{where}")
            click.echo(f"error: {message}", err=True)
            sys.exit(2)

    return wrapper


def _setup(quiet: bool, verbose: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)  # every record one line, controls escaped
    handler.setFormatter(safe_log.SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    logging.getLogger("pyrosm").setLevel(max(level, logging.WARNING))
    _progress.set_enabled(not quiet)


def _print(summary: PlanSummary, out: str) -> None:
    for line in console_lines(summary, out):  # site names come from files: escaped
        click.echo(safe_log.escape_controls(line))


def _request(opts: dict[str, Any]) -> PlanRequest:
    """The request the options ask for (validated once, by the request itself); the other
    options name sources and outputs."""
    return PlanRequest.from_options(**{k: opts[k] for k in OPTIONS if k in opts})


def _options(
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


def _with(options: list[Callable[..., Any]]) -> Callable[..., Any]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for opt in reversed(options):
            fn = opt(fn)
        return fn

    return deco


def _config_defaults(path: str | None) -> dict[str, dict[str, Any]]:
    """``planner.toml``: a ``[defaults]`` table for every command, and a table per command
    (``[plan]``, ``[score]``, ``[demo]``, ``[hotspots]``) whose keys are the long options
    (``min-spacing-m`` or ``min_spacing_m``). Flags on the command line win."""
    p = Path(path) if path else Path("planner.toml")
    if not path and not p.is_file():
        return {}
    data = read_toml(p, "--config")

    def norm(table: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in table.items():
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            out[key.replace("-", "_")] = value
        return out

    shared = norm(data.get("defaults", {}))
    commands = ("demo", "plan", "score", "hotspots")
    unknown = sorted(set(data) - {"defaults", *commands})
    if unknown:
        raise ConfigError(
            f"--config: {str(p)!r} has unknown tables {unknown}; use [defaults] "
            f"or one of {', '.join(f'[{c}]' for c in commands)}"
        )
    tables = {c: norm(data.get(c, {})) for c in commands}
    _check_keys(p, shared, tables)
    return {c: {**shared, **tables[c]} for c in commands}


def _check_keys(path: Path, shared: dict[str, Any], tables: dict[str, dict[str, Any]]) -> None:
    """Every key of a settings table names an option of its command (of some command, for
    ``[defaults]``); a wrong one is an error naming the nearest option."""
    known = {
        name: {p.name for p in main.commands[name].params if p.name} for name in tables
    }  # fmt: skip
    wrong = [("defaults", k, set().union(*known.values())) for k in shared
             if not any(k in names for names in known.values())]  # fmt: skip
    wrong += [(name, k, known[name]) for name, table in tables.items() for k in table
              if k not in known[name]]  # fmt: skip
    if wrong:
        table, key, names = wrong[0]
        near = difflib.get_close_matches(key, sorted(names), n=1)
        hint = f"did you mean {near[0].replace('_', '-')!r}?" if near else "see planner --help"
        raise ConfigError(
            f"--config: {str(path)!r} [{table}] has an unknown key {key.replace('_', '-')!r}; "
            f"{hint}"
        )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planner")
@click.option(
    "--config",
    "config",
    default=None,
    metavar="planner.toml",
    help="Settings file standing in for flags (default: ./planner.toml if present).",
)
@click.pass_context
def main(ctx: click.Context, config: str | None) -> None:
    """Service-circle planner: how well care stations for riders keep the 8/10/15-minute
    promise, and where to open the next ones.

    \b
    Example:
      planner demo
      planner plan --network district.osm.pbf --hotspots hotspots.csv \\
          --stations stations.csv --candidates osm --add 5 --out out/plan
      planner --config planner.toml plan       # the same, settings kept in a file
    """
    try:
        defaults = _config_defaults(config)
    except PlannerError as exc:
        click.echo(f"error: {safe_log.escape_controls(exc.render(FLAGS))}", err=True)
        sys.exit(2)
    ctx.default_map = {**(ctx.default_map or {}), **defaults}


@main.command()
@_with(_options(mode_default="walk", out_default="out/demo"))
@_handle_errors
def demo(**opts: Any) -> None:
    """Run the whole job offline on the embedded real OSM extract (central Helsinki).

    The extract is about 1.5 km across, so the demo walks (at e-bike speed every circle
    would cover everything).

    \b
    Example:
      planner demo --out out/demo
    """
    _setup(opts["quiet"], opts["verbose"])
    request = _request(opts)
    _, summary = app.run_demo(
        opts["out"], request, mode=app.travel_mode(opts["mode"], opts["speeds"]),
        lang=opts["lang"], basemap=opts["basemap"], argv=sys.argv,
    )  # fmt: skip
    _print(summary, opts["out"])


def _column_options(*, weight: bool = True) -> list[Callable[..., Any]]:
    """Flags naming the columns of point files, when automatic recognition is not enough."""
    fields = [("lon", "longitude"), ("lat", "latitude"), ("id", "id"), ("name", "name")]
    if weight:
        fields.append(("weight", "hotspot weight"))
    return [
        click.option(f"--{f}-column", default=None, help=f"Column holding the {what}.")
        for f, what in fields
    ]


def _columns(opts: dict[str, Any], *, weight: bool) -> dict[str, str]:
    keys = ["lon", "lat", "id", "name"] + (["weight"] if weight else [])
    return {k: opts[f"{k}_column"] for k in keys if opts.get(f"{k}_column")}


def _inputs_options(*, with_candidates: bool) -> list[Callable[..., Any]]:
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
        *_column_options(),
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


@main.command()
@_with(_inputs_options(with_candidates=True))
@_with(_options(mode_default="ebike", out_default="out/plan"))
@_handle_errors
def plan(**opts: Any) -> None:
    """Score existing stations and suggest new sites; write map, report, tables, summary.

    \b
    Example:
      planner plan --network andorra.osm.pbf --hotspots osm \\
          --stations stations.csv --candidates osm --add 5 --out out/andorra
    """
    _run(**opts)


@main.command()
@_with(_inputs_options(with_candidates=False))
@_with(_options(mode_default="ebike", out_default="out/score", with_add=False))
@_handle_errors
def score(**opts: Any) -> None:
    """Score the existing stations only: coverage per circle, unique and lost demand,
    catchments and grades, blind spots, goal attainment (per sub-area with --areas).

    \b
    Example:
      planner score --network district.osm.pbf --hotspots hotspots.csv \\
          --stations stations.csv --areas streets.geojson --lang zh --out out/score
    """
    _run(candidates=None, add=0, method="greedy", **opts)


def _run(**opts: Any) -> None:
    """Sources and request from the options; :func:`planner.app.plan_files`; the summary."""
    _setup(opts.pop("quiet"), opts.pop("verbose"))
    request = _request(opts)
    src = app.Sources(
        network=opts["network"], hotspots=opts["hotspots"], stations=opts["stations"],
        candidates=opts["candidates"], crs=opts["crs"], mode=opts["mode"],
        speeds=opts["speeds"], areas=opts["areas"], area_name_column=opts["area_name_column"],
        poi_weights=opts["poi_weights"], columns=_columns(opts, weight=True),
    )  # fmt: skip
    _, summary = app.plan_files(
        src, request, opts["out"], lang=opts["lang"], basemap=opts["basemap"], argv=sys.argv
    )
    _print(summary, opts["out"])


@main.command()
@click.option(
    "--points",
    required=True,
    help="Raw rider points: CSV/XLSX/GeoJSON with lon, lat and optionally rider id "
    "and time columns.",
)
@click.option(
    "--out",
    "out",
    default="out/hotspots.csv",
    show_default=True,
    help="Hotspots CSV to write (then use it as --hotspots).",
)
@click.option(
    "--eps-m",
    type=float,
    default=150.0,
    show_default=True,
    help="Points within this distance (m) chain into one hotspot.",
)
@click.option(
    "--min-points",
    type=int,
    default=5,
    show_default=True,
    help="Points needed around a core point of a hotspot.",
)
@click.option(
    "--weight-by",
    type=click.Choice(["count", "riders", "dwell"]),
    default="count",
    show_default=True,
    help="Hotspot weight: points, distinct riders, or dwell minutes.",
)
@click.option(
    "--crs",
    "crs",
    default="wgs84",
    show_default=True,
    help="Coordinate system of the points: wgs84, gcj02, bd09 or EPSG:n.",
)
@_with(_column_options(weight=False))
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
@_handle_errors
def hotspots(
    points: str,
    out: str,
    eps_m: float,
    min_points: int,
    weight_by: str,
    crs: str,
    quiet: bool,
    verbose: bool,
    **column_opts: Any,
) -> None:
    """Cluster raw rider points (GPS pings, order pick-ups) into weighted hotspots (DBSCAN).

    \b
    Example:
      planner hotspots --points pings.csv --weight-by riders --out hotspots.csv
      planner score --network district.osm.pbf --hotspots hotspots.csv --stations st.csv
    """
    _setup(quiet, verbose)
    found = demand.hotspots_from_points(
        points,
        eps_m=eps_m,
        min_points=min_points,
        weight_by=weight_by,
        crs=crs,
        columns=_columns(column_opts, weight=False),
    )
    files.write_csv(pd.DataFrame(found.drop(columns="geometry")), out)
    total = found["weight"].sum()
    line = f"{len(found)} hotspots (total weight {total:g}) written to {out}"
    click.echo(safe_log.escape_controls(line))


if __name__ == "__main__":  # pragma: no cover
    main()
