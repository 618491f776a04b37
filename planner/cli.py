"""Command line: ``planner demo`` and ``planner plan``. Each command is one library call
plus formatting; errors become one line on stderr and exit status 2."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from . import _progress, demand, pipeline, sites
from . import network as network_mod
from .config import DEFAULT_MINUTES, MODES, validate_minutes
from .errors import PlannerError

log = logging.getLogger("planner")

_MINUTES = ",".join(f"{m:g}" for m in DEFAULT_MINUTES)


def _handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PlannerError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(2)
        except OSError as exc:
            click.echo(f"error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            sys.exit(2)

    return wrapper


def _setup(quiet: bool, verbose: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr, force=True
    )
    logging.getLogger("pyrosm").setLevel(max(level, logging.WARNING))
    _progress.set_enabled(not quiet)


def _print_summary(result: pipeline.Plan, out: str) -> None:
    s = result.summary()
    cov = s["coverage_existing"]["covered"]
    click.echo(
        f"hotspots: {s['counts']['hotspots']} (total demand "
        f"{s['coverage_existing']['total_demand']:g}); stations: {s['counts']['stations']}; "
        f"candidates: {s['counts']['candidates']}; mode: {s['parameters']['mode']}"
    )
    click.echo(
        "demand covered by existing stations: "
        + ", ".join(f"{k} min {v['share']:.1%}" for k, v in cov.items())
    )
    after = s["coverage_after_recommended"]
    if after:
        click.echo(
            f"with {len(result.recommended)} suggested sites: "
            + ", ".join(f"{k} min {v:.1%}" for k, v in after.items())
        )
        for row in result.recommended.itertuples():
            click.echo(f"  #{row.rank} {row.name or row.id} ({row.id})")
    click.echo(f"optimality gap at most {s['optimizer']['gap']:.2%}")
    click.echo(f"outputs written to {out}")


_common = [
    click.option(
        "--mode",
        type=click.Choice(sorted(MODES)),
        default="ebike",
        show_default=True,
        help="Travel mode: speeds by road class (see README).",
    ),
    click.option(
        "--minutes",
        default=_MINUTES,
        show_default=True,
        help="Service-circle thresholds in minutes, increasing.",
    ),
    click.option(
        "--add",
        "add",
        type=int,
        default=3,
        show_default=True,
        help="Number of new sites to suggest.",
    ),
    click.option("--out", "out", default="out", show_default=True, help="Output folder."),
    click.option(
        "--lang",
        type=click.Choice(["en", "zh"]),
        default="en",
        show_default=True,
        help="Language of the map labels.",
    ),
    click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors; no progress bars."),
    click.option("--verbose", "-v", is_flag=True, help="Debug logging."),
]


def _with_common(fn: Callable[..., Any]) -> Callable[..., Any]:
    for opt in reversed(_common):
        fn = opt(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="planner")
def main() -> None:
    """Service-circle planner: how well care stations for riders keep the 8/10/15-minute
    promise, and where to open the next ones."""


@main.command()
@click.option(
    "--mode",
    type=click.Choice(sorted(MODES)),
    default="walk",
    show_default=True,
    help="Travel mode (walk: the embedded extract is 1.3 km across).",
)
@click.option("--minutes", default=_MINUTES, show_default=True, help="Thresholds in minutes.")
@click.option("--add", "add", type=int, default=3, show_default=True, help="New sites to suggest.")
@click.option("--out", "out", default="out/demo", show_default=True, help="Output folder.")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@click.option("--quiet", "-q", is_flag=True)
@click.option("--verbose", "-v", is_flag=True)
@_handle_errors
def demo(
    mode: str, minutes: str, add: int, out: str, lang: str, quiet: bool, verbose: bool
) -> None:
    """Run the whole job offline on the embedded real OSM extract (central Helsinki).

    \b
    Example:
      planner demo --out out/demo
    """
    _setup(quiet, verbose)
    result = pipeline.run_demo(
        out, mode=mode, minutes=validate_minutes(minutes), add=add, lang=lang
    )
    _print_summary(result, out)


@main.command()
@click.option(
    "--network",
    "network",
    required=True,
    help="Road network: .osm.pbf, .osm, .osm.bz2, .graphml, or a place name (online).",
)
@click.option(
    "--hotspots",
    required=True,
    help="Hotspots CSV/GeoJSON (lon, lat, weight), or 'osm' for the network "
    "file's food and retail POIs.",
)
@click.option(
    "--stations", required=True, help="Existing stations CSV/GeoJSON (id, name, lon, lat)."
)
@click.option(
    "--candidates",
    required=True,
    help="Candidate sites CSV/GeoJSON, or 'osm' for the network file's host venues.",
)
@click.option(
    "--crs",
    "crs",
    default="wgs84",
    show_default=True,
    help="Coordinate system of the point files: wgs84, gcj02, bd09 or EPSG:n.",
)
@_with_common
@_handle_errors
def plan(
    network: str,
    hotspots: str,
    stations: str,
    candidates: str,
    crs: str,
    mode: str,
    minutes: str,
    add: int,
    out: str,
    lang: str,
    quiet: bool,
    verbose: bool,
) -> None:
    """Score existing stations and suggest new sites; write map, tables and summary.

    \b
    Example:
      planner plan --network andorra.osm.pbf --hotspots osm \\
          --stations stations.csv --candidates osm --add 5 --out out/andorra
    """
    _setup(quiet, verbose)
    mins = validate_minutes(minutes)
    hs = (
        demand.hotspots_from_osm(network)
        if hotspots == "osm"
        else demand.read_hotspots(hotspots, crs=crs)
    )
    st = sites.read_sites(stations, role="stations", crs=crs)
    cand = (
        sites.candidates_from_osm(network)
        if candidates == "osm"
        else sites.read_sites(candidates, role="candidates", crs=crs)
    )
    net = network_mod.load(network, mode=mode)
    result = pipeline.plan(
        net,
        hs,
        st,
        cand,
        minutes=mins,
        add=add,
        inputs={
            "network": network,
            "hotspots": hotspots,
            "stations": stations,
            "candidates": candidates,
            "crs": crs,
        },
    )
    result.write(out, lang=lang)
    _print_summary(result, out)


if __name__ == "__main__":  # pragma: no cover
    main()
