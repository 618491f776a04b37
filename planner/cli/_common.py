"""What every command shares: the flags errors name, the one error handler, logging set-up,
the printed summary and the request built from the options."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from typing import Any

import click

from ..core import _progress, memory, safe_log
from ..core.errors import PlannerError
from ..outputs.console import console_lines
from ..outputs.summary import PlanSummary
from ..plan.request import OPTIONS, PlanRequest

log = logging.getLogger("planner")

FLAGS = {
    name: f"--{name.replace('_', '-')}"
    for name in (
        *OPTIONS, "crs", "mode", "eps_m", "weight_by", "min_part_nodes", "min_part_km",
        *(f"{r}_crs" for r in ("hotspots", "stations", "candidates", "areas", "others")),
        *(f"{c}_column" for c in ("lon", "lat", "id", "name", "weight")),
        "road_class_column", "speed_column", "oneway_column", "snap_ends_m", "network_crs",
    )
}  # fmt: skip


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
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
        except MemoryError as exc:  # beyond the estimate: the machine itself ran short
            click.echo(f"error: {out_of_memory(exc)}", err=True)
            sys.exit(2)

    return wrapper


def out_of_memory(exc: MemoryError) -> str:
    """The one line for a run the machine's memory could not hold (numpy's message, such
    as "Unable to allocate 4.00 GiB for an array...", kept), with the fixes."""
    what = safe_log.escape_controls(" ".join(str(exc).split())) or "an allocation failed"
    return (
        f"the machine ran out of memory ({what}); aggregate the points into fewer hotspots "
        "(planner hotspots), run the district in parts (one hotspots file per "
        "sub-district), or run on a machine with more memory; --memory-gib "
        f"(or {memory.ENV_VAR}) sets the memory a run may use, so that one too large for it "
        "is refused at once"
    )


def setup(quiet: bool, verbose: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)  # every record one line, controls escaped
    handler.setFormatter(safe_log.SafeFormatter("%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in ("pyrosm", "pyogrio"):  # one line per layer written is not news to a planner
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))
    _progress.set_enabled(not quiet)


def print_summary(summary: PlanSummary, out: str) -> None:
    for line in console_lines(summary, out):  # site names come from files: escaped
        click.echo(safe_log.escape_controls(line))


def request_from(opts: dict[str, Any]) -> PlanRequest:
    """The request the options ask for (validated once, by the request itself); the other
    options name sources and outputs."""
    return PlanRequest.from_options(**{k: opts[k] for k in OPTIONS if k in opts})


def with_options(options: list[Callable[..., Any]]) -> Callable[..., Any]:
    def deco(fn: Callable[..., Any]) -> Callable[..., Any]:
        for opt in reversed(options):
            fn = opt(fn)
        return fn

    return deco
