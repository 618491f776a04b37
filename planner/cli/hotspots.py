"""``planner hotspots``: raw rider points into weighted hotspots."""

from __future__ import annotations

from typing import Any

import click
import pandas as pd

from ..core import safe_log
from ..core.crs import declare_columns
from ..core.errors import InputError
from ..inputs import network, pings
from ..outputs import files
from ..synthetic import pings as synthetic_pings
from ._common import FLAGS, handle_errors, setup, with_options
from ._options import column_options, columns_from

#: The numeric flags: default, metavar and help (read as text and checked by :func:`_number`).
_NUMBERS: dict[str, tuple[float, str, str]] = {
    "max_diameter_m": (pings.MAX_DIAMETER_M, "M",
                       "Widest hotspot of the cluster method (m); wider groups are split."),
    "eps_m": (pings.EPS_M, "M",
              "Stays within this distance (m) link into one group (cluster method)."),
    "hex_res": (pings.HEX_RES, "N",
                "H3 resolution of the hex method, 0-15 (9: cells about 400 m across)."),
    "moving_kph": (pings.MOVING_KPH, "KPH",
                   "Pings faster than this from the rider's previous ping are moving (km/h)."),
    "stay_radius_m": (pings.STAY_RADIUS_M, "M",
                      "A stay keeps within this distance of where it began (m)."),
    "stay_min_s": (pings.STAY_MIN_S, "S",
                   "Shortest stay (s); shorter slow spells are brief halts."),
}  # fmt: skip

#: The flags of this command that errors of the library name.
FLAGS.update(
    {
        name: f"--{name.replace('_', '-')}"
        for name in (*_NUMBERS, "bounds", "sample", "points", "by_hour")
    }  # fmt: skip
)


@click.command()
@click.option(
    "--points",
    default=None,
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
    "--method",
    type=click.Choice(list(pings.METHODS)),
    default="cluster",
    show_default=True,
    help="Group stays by bounded clustering, or by H3 hexagon (see --hex-res).",
)
@with_options(
    [
        click.option(f"--{name.replace('_', '-')}", type=str, default=f"{default:g}",
                     metavar=metavar, show_default=True, help=text)
        for name, (default, metavar, text) in _NUMBERS.items()
    ]
)  # fmt: skip
@click.option(
    "--weight-by",
    type=click.Choice(list(pings.WEIGHT_BY)),
    default="count",
    show_default=True,
    help="Hotspot weight: stays (or stops), distinct riders, or dwell minutes.",
)
@click.option(
    "--bounds",
    default=None,
    metavar="W,S,E,N",
    help="Area of interest in WGS-84 degrees; points beyond are counted outside.",
)
@click.option(
    "--crs",
    "crs",
    default="wgs84",
    show_default=True,
    help="Coordinate system of the points: wgs84, gcj02, bd09 or EPSG:n.",
)
@click.option(
    "--sample",
    default=None,
    metavar="FILE.csv",
    help="Instead: write seeded sample pings (riders waiting at centres, riding between "
    "them, lone pick-ups) to FILE.csv and stop.",
)
@click.option(
    "--sample-network",
    default=None,
    metavar="FILE.osm.pbf",
    help="With --sample: ride along this network's roads (default: straight lines).",
)
@click.option(
    "--by-hour",
    is_flag=True,
    help="Also each hotspot's demand per hour of day (columns h00..h23, from the time of "
    "each stay or stop), which planner plan reads for coverage by hour and --hours.",
)
@with_options(column_options(weight=False))
@click.option("--quiet", "-q", is_flag=True, help="Only warnings and errors.")
@click.option("--verbose", "-v", is_flag=True, help="Debug logging.")
@handle_errors
def hotspots(
    points: str | None,
    out: str,
    weight_by: str,
    bounds: str | None,
    crs: str,
    sample: str | None,
    sample_network: str | None,
    quiet: bool,
    verbose: bool,
    **opts: Any,
) -> None:
    """Rider points (GPS pings, order pick-ups) into weighted hotspots, none dropped unsaid.

    Pings of each rider (rider id and time columns) are split into moving (ride-through)
    and stays; the stays are grouped into hotspots of bounded size. A file without rider or
    time column is a list of stops. Prints what became of every point.

    \b
    Example:
      planner hotspots --sample pings.csv        # seeded sample rider pings
      planner hotspots --points pings.csv --weight-by riders --out hotspots.csv
      planner hotspots --points pings.csv --method hex --hex-res 9
      planner hotspots --points pings.csv --by-hour --out hotspots_by_hour.csv
      planner score --network district.osm.pbf --hotspots hotspots.csv --stations st.csv
    """
    setup(quiet, verbose)
    if sample:
        net = network.load(sample_network, mode="ebike") if sample_network else None
        made = synthetic_pings.generate_pings(network=net).pings
        files.write_csv(made, sample)
        click.echo(safe_log.escape_controls(f"{len(made)} sample pings written to {sample}"))
        return
    if not points:
        raise InputError.about("points", "{points}: give the rider points file (or {sample})")
    columns = columns_from(opts, weight=False)
    numbers = {k: _number(k, opts[k], whole=k == "hex_res") for k in _NUMBERS}
    found = pings.hotspots_from_points(
        points, weight_by=weight_by, bounds=_bounds(bounds), crs=crs, columns=columns,
        method=opts["method"], by_hour=opts["by_hour"], **numbers,
    )  # fmt: skip
    files.write_csv(declare_columns(pd.DataFrame(found.drop(columns="geometry"))), out)
    counts = found.attrs["counts"]
    lines = counts.lines(moving_kph=numbers["moving_kph"], stay_radius_m=numbers["stay_radius_m"],
                         stay_min_s=numbers["stay_min_s"])  # fmt: skip
    total = found["weight"].sum()
    lines.append(f"{len(found)} hotspots (total weight {total:g}) written to {out}")
    for line in lines:
        click.echo(safe_log.escape_controls(line))


def _number(name: str, text: str, *, whole: bool) -> Any:
    """The number a flag gives (the library checks its range)."""
    try:
        return int(text) if whole else float(text)
    except ValueError:
        what = "a whole number" if whole else "a number"
        raise InputError.about(
            name, "{" + name + "}: {text!r} is not {what}", text=text, what=what
        ) from None


def _bounds(text: str | None) -> tuple[float, float, float, float] | None:
    """``W,S,E,N`` as four numbers (the library checks their order and range)."""
    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise InputError.about(
            "bounds", "{bounds}: {text!r} is not four numbers west,south,east,north, such as "
            "114.20,22.68,114.30,22.76", text=text,
        ) from None  # fmt: skip
    return west, south, east, north
