"""``planner region``: every district of a city or province planned on Dask, with a halo so
that a station across a border counts; one folder per district and the region table."""

from __future__ import annotations

import logging
import sys
from dataclasses import replace
from typing import Any

import click

from .. import app
from ..core import safe_log
from ..core.errors import FieldError, RequestError
from ..outputs import output_set
from ..region import districts as districts_mod
from ..region import engine
from ..region import run as region_run
from ..region.surroundings import Surroundings
from ..region.tasks import Deliverables
from ._common import FLAGS, handle_errors, request_from, setup, with_options
from ._options import (
    columns_from,
    deliverable_options,
    deliverables_from,
    input_options,
    others_from,
    plan_options,
    road_layer_from,
)

#: The flags of this command that errors of the library name.
FLAGS.update(
    {name: f"--{name.replace('_', '-')}"
     for name in ("add_column", "add_total", "scheduler", "workers", "retries",
                  "districts_crs", "district_name_column")}
)  # fmt: skip

#: How many new sites: exactly one of these (none: ``--add`` 3).
_COUNTS = ("add", "add_column", "add_total", "reach")

_REGION_OPTIONS = [
    click.option("--districts", required=True, metavar="FILE",
                 help="District polygons (GeoJSON, GeoPackage or Shapefile), one per district."),
    click.option("--district-name-column", default=None, metavar="COLUMN",
                 help="Column of --districts naming each district (default: name/名称)."),
    click.option("--districts-crs", default=None, metavar="wgs84|gcj02|bd09|EPSG:n",
                 help="Coordinate system of the districts file; overrides --crs and what the "
                      "file declares."),
    click.option("--add-column", default=None, metavar="COLUMN",
                 help="Instead of --add: the number of new sites of each district, from this "
                      "column of --districts."),
    click.option("--add-total", default=None, metavar="K",
                 help="Instead of --add: K new sites for the whole region, shared by marginal "
                      "coverage (a min_add column of --districts sets floors)."),
    click.option("--scheduler", default="local", show_default=True, metavar="local|ADDRESS",
                 help="Dask scheduler: local starts a LocalCluster; or the address of a "
                      "running one, such as tcp://host:8786."),
    click.option("--workers", default=None, type=int, metavar="N",
                 help="Workers of the local cluster (default 1)."),
    click.option("--retries", default=1, type=int, show_default=True, metavar="N",
                 help="Tries again of a failed district (an error, or a lost worker) before "
                      "it is reported as failed."),
]  # fmt: skip


@click.command()
@with_options(input_options(with_candidates=True))
@with_options(_REGION_OPTIONS)
@with_options(plan_options(mode_default="ebike", out_default="out/region"))
@with_options(deliverable_options())
@handle_errors
def region(**opts: Any) -> None:
    """Plan every district of a region in parallel on Dask: one folder per district with the
    usual plan outputs, and region_summary.csv. Run it again to compute only what is
    missing. Other operators' stations (--others) are split by district with the halo of
    the stations; each sub-area of --areas (with its --area-targets goals) goes to the
    district holding most of it.

    \b
    Example:
      planner region --network andorra.osm.pbf --districts parishes.geojson \\
          --hotspots osm --stations stations.csv --candidates osm \\
          --add-total 14 --workers 2 --out out/andorra-region
    """
    verbose = opts.pop("verbose")
    setup(opts.pop("quiet"), verbose)
    if not verbose:  # the cluster's own news (workers starting, closing) only with -v
        _quiet_cluster()
    sites = _sites(opts)
    run = engine.Engine(opts["scheduler"], opts["workers"], retries=opts["retries"])
    request = request_from({**opts, "add": opts["add"] if sites.how == "add" else None,
                            "reach": opts["reach"]})  # fmt: skip
    src = _sources(opts)
    provenance = output_set.Provenance.of({**src.files(), "districts": opts["districts"]})
    districts = districts_mod.read_districts(
        opts["districts"], name_column=opts["district_name_column"],
        crs=opts["districts_crs"], default_crs=opts["crs"],
    )  # fmt: skip
    inputs = app.read_inputs(src, memory_gib=request.memory_gib)
    request = replace(request, sources={**src.stated(), **inputs.stated(), **request.sources})
    if sites.how == "add":
        sites = region_run.Sites("add", request.add)
    try:
        result = region_run.plan_region(
            inputs.network, districts, (inputs.hotspots, inputs.stations, inputs.candidates),
            request, opts["out"], sites=sites, run=run,
            deliverables=Deliverables(lang=opts["lang"], basemap=opts["basemap"],
                                      **deliverables_from(opts)),
            provenance=provenance, surroundings=_surroundings(inputs, src), spell=FLAGS,
            source=repr(str(opts["districts"])),
        )  # fmt: skip
    finally:
        run.close()
    _print(result, opts["out"])
    if (result.table["status"] == "failed").any():
        sys.exit(1)


def _quiet_cluster() -> None:
    """Dask's loggers at WARNING: ``distributed`` sets INFO on its own loggers (scheduler,
    nanny, ...) when it is imported, so the level of their parent alone does not hold."""
    import distributed  # noqa: F401  (its loggers exist once it is imported)

    for name in list(logging.root.manager.loggerDict):
        if name == "distributed" or name.startswith("distributed."):
            logging.getLogger(name).setLevel(logging.WARNING)


def _sites(opts: dict[str, Any]) -> region_run.Sites:
    given = [k for k in _COUNTS if opts.get(k) not in (None, "")]
    if len(given) > 1:
        flags = " and ".join(FLAGS[k] for k in given)
        raise RequestError([FieldError(given[1], f"{flags} all say how many sites; keep one")])
    how = given[0] if given else "add"
    if how == "add_total":
        try:
            total = int(str(opts["add_total"]))
        except ValueError:
            total = -1
        if total < 0:
            raise FieldError("add_total", "{add_total}: must be a whole number, 0 or more, "
                                          "got {got!r}", got=opts["add_total"])  # fmt: skip
        return region_run.Sites("total", total)
    if how == "add_column":
        return region_run.Sites("column", opts["add_column"])
    return region_run.Sites("reach" if how == "reach" else "add", opts.get("add"))


def _sources(opts: dict[str, Any]) -> app.Sources:
    crs: dict[str, Any] = {f"{r}_crs": opts.get(f"{r}_crs") for r in app.CRS_ROLES}
    return app.Sources(
        network=opts["network"], hotspots=opts["hotspots"], stations=opts["stations"],
        candidates=opts["candidates"], crs=opts["crs"], mode=opts["mode"], **crs,
        speeds=opts["speeds"], dem=opts.get("dem"), poi_weights=opts["poi_weights"],
        columns=columns_from(opts, weight=True), road_layer=road_layer_from(opts),
        min_part_nodes=opts["min_part_nodes"], min_part_km=opts["min_part_km"],
        cache=not opts["no_cache"], areas=opts["areas"],
        area_name_column=opts["area_name_column"], **others_from(opts),
    )  # fmt: skip


def _surroundings(inputs: app.Inputs, src: app.Sources) -> Surroundings:
    """Other operators' stations, sub-areas and goals as read, named as the files."""
    return Surroundings(
        others=inputs.others, others_count=src.others_count, areas=inputs.areas,
        area_targets=inputs.area_targets,
        sources=(("others", f"others file {src.others!r}"),
                 ("area_targets", f"area targets file {src.area_targets!r}")),
    )  # fmt: skip


def _print(result: region_run.Region, out: str) -> None:
    t = result.table
    counts = t["status"].value_counts()
    click.echo(
        f"{len(t)} districts: {int(counts.get('done', 0))} done "
        f"({result.computed} computed now), {int(counts.get('failed', 0))} failed, "
        f"{int(counts.get('no hotspots', 0))} without hotspots; halo "
        f"{result.halo.sites_m:.0f} m"
    )
    if result.outside:
        click.echo(f"{result.outside} hotspots lie in no district and were left out")
    for row in t.loc[t["status"] == "failed"].itertuples():
        click.echo(safe_log.escape_controls(f"failed: {row.district}: {row.error}"))
    click.echo(f"region table: {out}/region_summary.csv; districts in {out}/districts/")
