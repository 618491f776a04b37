"""A region planned district by district: the jobs cut from the network parsed once, the
number of new sites of each district, the districts run on Dask, and the region table.

Per district the result equals a one-machine :func:`planner.plan.run.plan` over the whole
network restricted to that district's hotspots (see :mod:`planner.region.halo`): the same
coverage per threshold for the existing stations and the same answer for the same number of
sites (where every site chosen adds coverage: sites that add nothing are tied, and the
halo holds fewer of them).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from ..core.errors import FieldError, PlannerError
from ..inputs.network import Network
from ..outputs import files, output_set
from ..plan.request import PlanRequest
from . import budget, engine
from . import districts as districts_mod
from . import surroundings as surroundings_mod
from . import table as table_mod
from .halo import Halo, clip_network, halo, point_tree, segment_tree, within
from .surroundings import Surroundings
from .tasks import Deliverables, Job, curve_district, empty_row, network_key, plan_district

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sites:
    """How many new sites each district gets: ``how`` is ``"add"`` (``value`` for every
    district), ``"column"`` (``value`` names a column of the districts file), ``"total"``
    (``value`` sites for the region, shared by marginal coverage, ``min_add`` floors) or
    ``"reach"`` (the request's goal decides, per district)."""

    how: str = "add"
    value: Any = None


@dataclass(frozen=True)
class Region:
    """A planned region: the table (one row per district, by name), the districts
    (WGS-84), the halo, the files written, and how many hotspots lay in no district."""

    table: Any
    districts: gpd.GeoDataFrame
    halo: Halo
    written: list[Path] = field(default_factory=list)
    outside: int = 0
    computed: int = 0


def make_jobs(
    network: Network,
    districts: gpd.GeoDataFrame,
    points: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame | None],
    request: PlanRequest,
    *,
    surroundings: Surroundings | None = None,
    deliverables: Deliverables | None = None,
    provenance: output_set.Provenance | None = None,
) -> tuple[list[Job], Halo, int]:
    """One job per district (in the districts' order): its hotspots (by the overlap rule of
    :mod:`planner.region.districts`), the stations, candidates and other operators'
    stations within its halo, its sub-areas and their goals (see
    :mod:`planner.region.surroundings`). Also the halo and how many hotspots lie in no
    district. No network is clipped here: a :class:`Clipper` clips each job's when it is
    submitted, and :attr:`Job.network_key` stands for it in the job's inputs hash."""
    hotspots, stations, candidates = points
    request = request.validate()
    s, candidates = surroundings_mod.checked(
        surroundings or Surroundings(), stations, candidates, request
    )
    h = halo(network, request)
    crs = network.crs
    districts_mod.warn_overlaps(districts, crs=crs)
    owner = districts_mod.assign(hotspots, districts, crs=crs)
    roles = {"st": stations, "cand": candidates, "oth": s.others}
    count = {role: _inside(frame, districts, crs) for role, frame in roles.items()}
    areas = (
        surroundings_mod.area_owner(s.areas, districts, crs=crs) if s.areas is not None else None
    )
    names = districts["district"].tolist()
    folder = districts_mod.folders(names)
    polys = districts.geometry.to_crs(crs).values
    near = {role: _Near(frame, crs, h.sites_m) for role, frame in roles.items()}
    key = network_key(network, h.network_m)
    jobs = []
    for i, name in enumerate(names):
        mine, targets = surroundings_mod.areas_of(s, areas, i)
        jobs.append(Job(
            name=name, folder=f"districts/{folder[name]}", polygon=polys[i],
            hotspots=hotspots.iloc[np.flatnonzero(owner == i)].reset_index(drop=True),
            stations=near["st"](polys[i]), candidates=near["cand"](polys[i]),
            request=replace(request, sources={**request.sources, "district": name}),
            deliverables=deliverables or Deliverables(),
            provenance=provenance or output_set.Provenance(),
            own_stations=int(count["st"][i]), own_candidates=int(count["cand"][i]),
            others=near["oth"](polys[i]), others_count=s.others_count,
            own_others=int(count["oth"][i]), areas=mine, area_targets=targets, network_key=key,
        ))  # fmt: skip
    outside = int((owner < 0).sum())
    if outside:
        log.warning("%d of %d hotspots lie in no district: left out", outside, len(hotspots))
    log.info(
        "%d districts, halo %.0f m for sites (%.0f m of network) at %g km/h",
        len(jobs), h.sites_m, h.network_m, h.speed_kph,
    )  # fmt: skip
    return jobs, h, outside


def _inside(
    points: gpd.GeoDataFrame | None, districts: gpd.GeoDataFrame, crs: object
) -> np.ndarray:
    """How many of ``points`` each district holds (by the overlap rule)."""
    if points is None:
        return np.zeros(len(districts), dtype=int)
    return np.bincount(districts_mod.assign(points, districts, crs=crs) + 1,
                       minlength=len(districts) + 1)[1:]  # fmt: skip


class _Near:
    """The rows of ``points`` (WGS-84; None: none given) within ``distance_m`` of a polygon
    (``crs``), by an index built once for every district."""

    def __init__(self, points: gpd.GeoDataFrame | None, crs: object, distance_m: float) -> None:
        self.points, self.crs, self.distance_m = points, crs, distance_m
        self.tree = point_tree(points, crs) if points is not None and len(points) else None

    def __call__(self, polygon: shapely.Geometry) -> gpd.GeoDataFrame | None:
        if self.points is None:
            return None
        return within(self.points, polygon, self.distance_m, crs=self.crs, tree=self.tree)


class Clipper:
    """Gives a job its clipped network (the segments within the halo's ``network_m`` of its
    polygon) when it is asked for, that is when the job is submitted: the client holds the
    clipped networks of the jobs in flight only (:data:`engine.IN_FLIGHT_PER_WORKER` per
    worker), however many districts the region has. The segments' index is built once."""

    def __init__(self, network: Network, distance_m: float) -> None:
        self.network, self.distance_m = network, float(distance_m)
        self._tree: shapely.STRtree | None = None

    def job(self, job: Job) -> Job:
        """``job`` with its clipped network."""
        if self._tree is None:
            self._tree = segment_tree(self.network)
        net = clip_network(self.network, job.polygon, self.distance_m, tree=self._tree)
        return job.with_network(net)

    def item(self, item: tuple[Any, ...]) -> tuple[Any, ...]:
        """A task's arguments, its job (the first) given its clipped network."""
        return (self.job(item[0]), *item[1:])


def site_counts(
    jobs: list[Job],
    districts: gpd.GeoDataFrame,
    sites: Sites,
    *,
    run: engine.Engine | None = None,
    out: Path | None = None,
    clip: Clipper | None = None,
    source: str = "",
) -> tuple[list[int], dict[int, str]]:
    """The number of new sites of each job, and the errors of districts whose coverage
    curve could not be computed (``--add-total``, on ``run`` with the networks ``clip``
    gives; those get none)."""
    if sites.how == "reach":
        return [0] * len(jobs), {}
    if sites.how == "add":
        return [int(sites.value)] * len(jobs), {}
    if sites.how == "column":
        return budget.column_counts(districts, str(sites.value), source=source), {}
    if sites.how != "total":
        raise FieldError("add", "{add}: unknown way of counting sites {got!r}", got=sites.how)
    if run is None or out is None or clip is None:
        raise TypeError("a shared total needs an engine, an output folder and a clipper")
    floor = budget.floors(districts, source=source)
    gains, failed = _curves(jobs, int(sites.value), run, out, clip)
    for d in failed:
        floor[d] = 0
    names = [j.name for j in jobs]
    return budget.split_total(gains, int(sites.value), floor, names=names), failed


def _curves(
    jobs: list[Job], total: int, run: engine.Engine, out: Path, clip: Clipper
) -> tuple[list[list[float]], dict[int, str]]:
    """Each district's curve steps (up to ``total`` sites), from ``out/curves/`` where a
    stored curve was made from the same inputs, else computed on the cluster and stored."""
    gains: list[list[float]] = [[] for _ in jobs]
    keys = [j.with_add(0).inputs_hash for j in jobs]
    caps = [min(total, j.new_candidates) if len(j.hotspots) else 0 for j in jobs]
    todo = []
    for d, job in enumerate(jobs):
        stored = _stored_curve(out, job, keys[d], caps[d])
        if stored is not None:
            gains[d] = stored
        elif caps[d] > 0:
            todo.append(d)
    failed: dict[int, str] = {}
    items = [(jobs[d], caps[d]) for d in todo]
    curves = run.stream(curve_district, items, desc="coverage curves", prepare=clip.item)
    for i, result, error in curves:
        d = todo[i]
        if error is not None:
            failed[d] = engine.failure_text(error)
            log.warning("district %r: coverage curve failed: %s", jobs[d].name, failed[d])
            continue
        gains[d] = list(result)
        record = {"inputs_sha256": keys[d], "cap": caps[d], "gains": gains[d]}
        path = out / "curves" / f"{Path(jobs[d].folder).name}.json"
        files.write_text(json.dumps(record, allow_nan=False) + "\n", path)
    return gains, failed


def _stored_curve(out: Path, job: Job, key: str, cap: int) -> list[float] | None:
    path = out / "curves" / f"{Path(job.folder).name}.json"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("inputs_sha256") != key or record.get("cap") != cap:
        return None
    return [float(g) for g in record["gains"]]


def plan_jobs(
    jobs: list[Job],
    out: Path,
    run: engine.Engine,
    *,
    clip: Clipper,
    spell: Mapping[str, str] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Every district's row: stored for a complete folder from the same inputs (known
    before any network is clipped), else planned on the cluster, each job given its
    clipped network by ``clip`` as it is submitted, and published as it finishes; a
    district without hotspots gets a row saying so, a failed one its error. Also how many
    districts were computed."""
    rows: list[dict[str, Any] | None] = [None] * len(jobs)
    todo = []
    for d, job in enumerate(jobs):
        if not len(job.hotspots):
            rows[d] = empty_row(job, "no hotspots")
        elif (stored := engine.finished_row(out, job)) is not None:
            rows[d] = stored
            log.info("district %r: complete from an earlier run, skipped", job.name)
        else:
            todo.append(d)
    for i, outcome, error in run.stream(
        plan_district, [(jobs[d],) for d in todo], desc="districts", prepare=clip.item
    ):
        job = jobs[todo[i]]
        if error is not None:
            text = engine.failure_text(error, dict(spell or {}))
            log.warning("district %r failed: %s", job.name, text)
            rows[todo[i]] = empty_row(job, "failed", text)
            continue
        try:
            engine.publish(out, job, outcome)
        except (PlannerError, OSError) as exc:  # such as another run writing the folder
            rows[todo[i]] = empty_row(job, "failed", engine.failure_text(exc, dict(spell or {})))
            log.warning("district %r: its folder could not be written: %s", job.name, exc)
            continue
        rows[todo[i]] = dict(outcome.row)
        log.info("district %r done: %s", job.name, job.folder)
    return [r for r in rows if r is not None], len(todo)


def plan_region(
    network: Network,
    districts: gpd.GeoDataFrame,
    points: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame | None],
    request: PlanRequest,
    out: str | Path,
    *,
    sites: Sites | None = None,
    run: engine.Engine | None = None,
    deliverables: Deliverables | None = None,
    provenance: output_set.Provenance | None = None,
    surroundings: Surroundings | None = None,
    spell: Mapping[str, str] | None = None,
    source: str = "",
) -> Region:
    """Plan every district of ``districts`` (WGS-84, ``district`` names, sorted) on
    ``network`` with the ``points`` (hotspots, stations, candidates; WGS-84), write each
    district's set into ``out/districts/<safe-name>/``, ``region_summary.csv`` and the
    region's workbook, map and report into ``out``; return the :class:`Region`.

    ``sites``: how many new sites each district gets (default: ``request.add`` each).
    ``run``: the Dask engine (default: a local cluster of one worker). ``surroundings``:
    other operators' stations, sub-areas and their goals (:mod:`.surroundings`).
    ``source``: how errors name the districts file.
    """
    sites = sites or Sites("add", request.add)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jobs, h, outside = make_jobs(
        network, districts, points, request, surroundings=surroundings,
        deliverables=deliverables, provenance=provenance,
    )  # fmt: skip
    clip = Clipper(network, h.network_m)
    own = run is None
    run = run or engine.Engine()
    try:
        counts, failed = site_counts(
            jobs, districts, sites, run=run, out=out, clip=clip, source=source
        )
        if sites.how != "reach":
            jobs = [j.with_add(n) for j, n in zip(jobs, counts, strict=True)]
        rows, computed = plan_jobs(
            [j for d, j in enumerate(jobs) if d not in failed], out, run, clip=clip, spell=spell
        )
    finally:
        if own:
            run.close()
    rows += [empty_row(jobs[d], "failed", text) for d, text in failed.items()]
    table = table_mod.region_table(rows, request)
    lang = (deliverables or Deliverables()).lang
    written = table_mod.write(out, table, districts, minutes=request.minutes, lang=lang)
    return Region(table, districts, h, written, outside, computed)
