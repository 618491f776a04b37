"""Command line: ``planner demo``, ``plan``, ``score`` and ``hotspots``. Each command is one
library call plus formatting; errors become one line on stderr and exit status 2."""

from __future__ import annotations

import sys
from typing import Any

import click

from .. import app
from ..core import safe_log
from ..core.errors import PlannerError
from . import hotspots as _hotspots
from . import region as _region
from ._common import FLAGS, handle_errors, print_summary, request_from, setup, with_options
from ._config import config_defaults
from ._options import (
    columns_from,
    deliverable_options,
    deliverables_from,
    hours_options,
    input_options,
    others_from,
    plan_options,
    road_layer_from,
)

__all__ = ["FLAGS", "handle_errors", "main", "setup"]


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
        defaults = config_defaults(config, main)
    except PlannerError as exc:
        click.echo(f"error: {safe_log.escape_controls(exc.render(FLAGS))}", err=True)
        sys.exit(2)
    ctx.default_map = {**(ctx.default_map or {}), **defaults}


@main.command()
@with_options(plan_options(mode_default="walk", out_default="out/demo"))
@with_options(deliverable_options())
@handle_errors
def demo(**opts: Any) -> None:
    """Run the whole job offline on the embedded real OSM extract (central Helsinki).

    The extract is about 1.5 km across, so the demo walks (at e-bike speed every circle
    would cover everything).

    \b
    Example:
      planner demo --out out/demo
    """
    setup(opts["quiet"], opts["verbose"])
    request = request_from(opts)
    _, summary = app.run_demo(
        opts["out"], request, mode=app.travel_mode(opts["mode"], opts["speeds"]),
        lang=opts["lang"], basemap=opts["basemap"], argv=sys.argv, cache=not opts["no_cache"],
        **deliverables_from(opts),
    )  # fmt: skip
    print_summary(summary, opts["out"])


@main.command()
@with_options(input_options(with_candidates=True))
@with_options(plan_options(mode_default="ebike", out_default="out/plan"))
@with_options(hours_options())
@with_options(deliverable_options())
@handle_errors
def plan(**opts: Any) -> None:
    """Score existing stations and suggest new sites; write map, report, tables, summary.

    \b
    Example:
      planner plan --network andorra.osm.pbf --hotspots osm \\
          --stations stations.csv --candidates osm --add 5 --out out/andorra
    """
    _run(**opts)


@main.command()
@with_options(input_options(with_candidates=False))
@with_options(plan_options(mode_default="ebike", out_default="out/score", with_add=False))
@with_options(deliverable_options())
@handle_errors
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
    setup(opts.pop("quiet"), opts.pop("verbose"))
    request = request_from(opts)
    crs: dict[str, Any] = {f"{r}_crs": opts.get(f"{r}_crs") for r in app.CRS_ROLES}
    src = app.Sources(
        network=opts["network"], hotspots=opts["hotspots"], stations=opts["stations"],
        candidates=opts["candidates"], crs=opts["crs"], mode=opts["mode"],
        **crs, speeds=opts["speeds"], dem=opts["dem"], areas=opts["areas"],
        area_name_column=opts["area_name_column"],
        poi_weights=opts["poi_weights"], columns=columns_from(opts, weight=True),
        road_layer=road_layer_from(opts),
        min_part_nodes=opts["min_part_nodes"], min_part_km=opts["min_part_km"],
        cache=not opts["no_cache"], **others_from(opts),
    )  # fmt: skip
    _, summary = app.plan_files(
        src, request, opts["out"], lang=opts["lang"], basemap=opts["basemap"], argv=sys.argv,
        **deliverables_from(opts),
    )  # fmt: skip
    print_summary(summary, opts["out"])


main.add_command(_hotspots.hotspots)
main.add_command(_region.region)
