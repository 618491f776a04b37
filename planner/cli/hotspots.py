"""``planner hotspots``: raw rider points into weighted hotspots."""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from ..core import safe_log
from ..core.crs import declare_columns
from ..inputs import demand
from ..outputs import files
from ._common import handle_errors, setup, with_options
from ._options import column_options, columns_from


@click.command()
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
@with_options(column_options(weight=False))
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
@handle_errors
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
    setup(quiet, verbose)
    found = demand.hotspots_from_points(
        points,
        eps_m=eps_m,
        min_points=min_points,
        weight_by=weight_by,
        crs=crs,
        columns=columns_from(column_opts, weight=False),
    )
    files.write_csv(declare_columns(pd.DataFrame(found.drop(columns="geometry"))), out)
    total = found["weight"].sum()
    line = f"{len(found)} hotspots (total weight {total:g}) written to {out}"
    click.echo(safe_log.escape_controls(line))
