"""What a worker does for one district: plan it on its clipped network and render its
output set (returned as bytes, so workers need no file system shared with the client), or
compute its coverage curve for a shared total of new sites.

A :class:`Job` holds only the district's own data: its hotspots, the stations, candidates
and other operators' stations within its halo, its sub-areas and their goals, and (once it
is submitted, see :class:`planner.region.run.Clipper`) its clipped network. Its
:attr:`Job.inputs_hash` says what made a district's folder, without the clipped network
(the hash of the whole network and the clip distance stand for it), so a later run skips
a district whose folder is complete and whose inputs have not changed before clipping
anything.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..core.errors import FieldError
from ..core.units import minutes_label, reaches
from ..inputs.network import Network
from ..outputs import files, output_set
from ..plan import levers
from ..plan.objectives import AreaReach, Coverage
from ..plan.request import PlanRequest
from . import budget

#: The output writers set process-wide state for the time of a write (GDAL's
#: ``OGR_CURRENT_DATE`` for the GeoPackage, matplotlib's figures for the static map): two
#: districts rendered by two threads of one worker would mix it, so a worker renders one
#: district at a time (a worker of the local cluster has one thread; an in-process
#: cluster has several).
_RENDERING = threading.Lock()
#: Rows of the network hashed at a time (their text and geometries copied once each).
HASH_ROWS = 50_000


@dataclass(frozen=True)
class Deliverables:
    """How each district's output set is written (see
    :func:`planner.outputs.files.write_plan`)."""

    lang: str = "en"
    basemap: str = "osm"
    travel_times: str = "parquet"
    pdf: bool = False


@dataclass(frozen=True)
class Job:
    """One district's work: its name and folder (``districts/<safe-name>``), its polygon
    (network CRS), its hotspots (WGS-84), the stations and candidates of its halo, the
    request (with this district's number of sites), how to write, and how many stations
    and candidates lie inside the district itself.

    ``others``: other operators' stations of its halo (``others_count``: whether they count
    toward the goals); ``areas`` and ``area_targets``: its sub-areas and their goals;
    ``own_others``: how many other operators' stations lie inside the district.
    ``network_key``: the hash of the whole network and of the clip distance; ``network``:
    the clipped network, None until the job is submitted (:meth:`with_network`)."""

    name: str
    folder: str
    polygon: shapely.Geometry
    hotspots: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame | None
    request: PlanRequest
    deliverables: Deliverables = field(default_factory=Deliverables)
    provenance: output_set.Provenance = field(default_factory=output_set.Provenance)
    own_stations: int = 0
    own_candidates: int = 0
    others: gpd.GeoDataFrame | None = None
    others_count: bool = True
    own_others: int = 0
    areas: gpd.GeoDataFrame | None = None
    area_targets: pd.DataFrame | None = None
    network_key: str = ""
    network: Network | None = None

    @property
    def new_candidates(self) -> int:
        """Candidates of the halo that are not stations (what a plan may choose from)."""
        if self.candidates is None:
            return 0
        return int((~self.candidates["id"].isin(set(self.stations["id"]))).sum())

    def with_add(self, add: int) -> Job:
        return replace(self, request=replace(self.request, add=int(add)))

    def with_network(self, network: Network) -> Job:
        """The job with its clipped network (its inputs hash is the same)."""
        job = replace(self, network=network)
        if "inputs_hash" in self.__dict__:  # no need to hash the points again
            job.__dict__["inputs_hash"] = self.__dict__["inputs_hash"]
        return job

    def clipped(self) -> Network:
        """The clipped network; a job not yet given one is a programming error."""
        if self.network is None:
            raise TypeError(f"district {self.name!r}: the job has no network yet")
        return self.network

    @cached_property
    def inputs_hash(self) -> str:
        """sha256 of everything that decides the district's folder, the clipped network
        standing as :attr:`network_key` (computed once per job: a job is immutable, and
        :meth:`with_add` makes a new one)."""
        h = hashlib.sha256()
        h.update(output_set.planner_version().encode())
        h.update(json.dumps([self.name, self.folder], ensure_ascii=False).encode())
        h.update(repr(replace(self.request, sources={})).encode())
        h.update(json.dumps(dict(self.request.sources), sort_keys=True, default=str).encode())
        h.update(repr(self.deliverables).encode())
        h.update(shapely.to_wkb(self.polygon))
        frames = (self.hotspots, self.stations, self.candidates, self.others, self.areas,
                  self.area_targets)  # fmt: skip
        for frame in frames:
            _hash_frame(h, frame)
        h.update(json.dumps([self.others_count, self.network_key]).encode())
        return h.hexdigest()


def network_key(network: Network, distance_m: float) -> str:
    """sha256 of the whole ``network`` (its nodes, segments, mode and CRS) and of the
    distance each district's network is clipped to: it decides every clipped network."""
    h = hashlib.sha256()
    h.update(f"{float(distance_m)!r}{network.mode!r}{network.crs.to_wkt()}".encode())
    for frame in (network.nodes, network.segments):
        for start in range(0, max(len(frame), 1), HASH_ROWS):  # a bounded copy at a time
            _hash_frame(h, frame.iloc[start : start + HASH_ROWS])
    return h.hexdigest()


def _hash_frame(h: Any, frame: pd.DataFrame | None) -> None:
    if frame is None:
        h.update(b"none")
        return
    h.update(json.dumps([str(c) for c in frame.columns], ensure_ascii=False).encode())
    plain = pd.DataFrame(frame.drop(columns="geometry", errors="ignore"))
    try:
        hashed = pd.util.hash_pandas_object(plain, index=False)
    except TypeError:  # cells such as lists: hashed as their text
        hashed = pd.util.hash_pandas_object(plain.astype(str), index=False)
    h.update(hashed.to_numpy().tobytes())
    if "geometry" in frame.columns:
        h.update(b"".join(shapely.to_wkb(frame.geometry.values)))


@dataclass(frozen=True)
class Outcome:
    """A planned district: its row of the region table, the files of its output set (by
    name, without ``manifest.json``) and what its manifest states besides them."""

    name: str
    row: Mapping[str, Any]
    files: Mapping[str, bytes]
    about: Mapping[str, Any]


def plan_district(job: Job) -> Outcome:
    """Plan ``job``'s district and render its output set (on the worker)."""
    result = _plan(job, job.request)
    with _RENDERING, tempfile.TemporaryDirectory(prefix="planner-district-") as tmp:
        folder = Path(tmp) / "set"
        d = job.deliverables
        files.write_plan(
            result, folder, lang=d.lang, basemap=d.basemap, travel_times=d.travel_times,
            pdf=d.pdf, provenance=job.provenance,
        )  # fmt: skip
        manifest = json.loads((folder / output_set.MANIFEST).read_text(encoding="utf-8"))
        written = {
            p.name: p.read_bytes()
            for p in sorted(folder.iterdir())
            if p.name != output_set.MANIFEST
        }
    about = {
        k: v
        for k, v in manifest.items()
        if k not in ("manifest_version", "planner_version", "files")
    }
    return Outcome(job.name, row(job, result), written, about)


def row(job: Job, result: Any) -> dict[str, Any]:
    """The district's row of the region table from its plan."""
    req = result.request
    covered = result.district["covered"]
    after = _after(result)
    out: dict[str, Any] = {
        "district": job.name, "status": "done", "error": "", "folder": job.folder,
        "hotspots": len(job.hotspots), "demand": float(result.district["total_demand"]),
        "stations": job.own_stations, "candidates": job.own_candidates,
        "sites_suggested": len(result.recommended),
    }  # fmt: skip
    for t, goal in zip(req.thresholds_s, req.goals, strict=True):
        m = minutes_label(t)
        today = float(covered[m]["share"])
        later = after.get(m, today)
        out |= {
            f"today_{m}": today, f"after_{m}": later, f"goal_{m}": float(goal),
            f"met_today_{m}": reaches(today, goal), f"met_after_{m}": reaches(later, goal),
        }  # fmt: skip
    return out | _surroundings(job, result)


def _surroundings(job: Job, result: Any) -> dict[str, Any]:
    """The row's columns for the other operators' stations and the goals per sub-area
    (none without them): ``others`` (inside the district), per threshold ``today_own_<m>``
    (the district's own stations) and ``today_with_others_<m>``; ``area_goals``, and how
    many are met today and with the suggested sites."""
    out: dict[str, Any] = {}
    if job.others is not None:
        out["others"] = job.own_others
        for t in result.request.thresholds_s:
            m = minutes_label(t)
            out[f"today_own_{m}"] = float(result.others.share_own[m])
            out[f"today_with_others_{m}"] = float(result.others.share_with[m])
    if job.area_targets is not None:
        goals = result.area_goals if result.area_goals is not None else pd.DataFrame()
        out["area_goals"] = len(job.area_targets)
        for col, key in (
            ("met_before", "area_goals_met_today"),
            ("met_after", "area_goals_met_after"),
        ):
            out[key] = int(goals[col].sum()) if len(goals) else 0
    return out


def _after(result: Any) -> dict[str, float]:
    if not len(result.recommended):
        return {}
    last = result.recommended.iloc[-1]
    return {
        minutes_label(t): float(last[f"cumulative_share_{minutes_label(t)}"])
        for t in result.request.thresholds_s
    }


def empty_row(job: Job, status: str, error: str = "") -> dict[str, Any]:
    """The row of a district without a plan: no hotspots, or failed (``error`` saying why)."""
    req = job.request
    out: dict[str, Any] = {
        "district": job.name, "status": status, "error": error, "folder": "",
        "hotspots": len(job.hotspots),
        "demand": float(job.hotspots["weight"].sum()) if len(job.hotspots) else 0.0,
        "stations": job.own_stations, "candidates": job.own_candidates, "sites_suggested": 0,
    }  # fmt: skip
    for t, goal in zip(req.thresholds_s, req.goals, strict=True):
        m = minutes_label(t)
        out |= {f"today_{m}": np.nan, f"after_{m}": np.nan, f"goal_{m}": float(goal),
                f"met_today_{m}": False, f"met_after_{m}": False}  # fmt: skip
        if job.others is not None:
            out |= {f"today_own_{m}": np.nan, f"today_with_others_{m}": np.nan}
    if job.others is not None:
        out["others"] = job.own_others
    if job.area_targets is not None:
        out |= {"area_goals": len(job.area_targets), "area_goals_met_today": None,
                "area_goals_met_after": None}  # fmt: skip
    return out


def curve_district(job: Job, cap: int) -> list[float]:
    """What each of up to ``cap`` further sites adds in ``job``'s district (greedy
    coverage, the request's circle weights): the steps of its coverage curve. Fewer steps
    where fewer candidates may be chosen (minimum spacing)."""
    if cap <= 0 or job.candidates is None or not len(job.hotspots):
        return []
    request = replace(job.request, add=cap, method="greedy")
    try:
        result = _plan(job, request, goals=False)
    except FieldError as exc:
        usable = (exc.values or {}).get("m")
        if exc.field != "add" or not isinstance(usable, int) or usable >= cap:
            raise
        return curve_district(job, usable)
    weights = request.objective.curve_weights(request.minutes)
    return budget.curve_gains(result.coverage_curve, weights)[:cap]


def _plan(job: Job, request: PlanRequest, *, goals: bool = True) -> Any:
    """The district's plan as :func:`planner.plan.levers.plan` makes it on one machine:
    with the other operators' stations of its halo, and (``goals``) its sub-areas and
    their goals. Asked to meet every area's goals (``--reach areas``), a district whose
    sub-areas have none gets no new sites: its stations are scored."""
    areas = {"areas": job.areas, "area_targets": job.area_targets} if goals else {}
    targets = job.area_targets
    if isinstance(request.objective, AreaReach) and (targets is None or not len(targets)):
        request = replace(request, objective=Coverage(), add=0)  # no goal: nothing to meet
    return levers.plan(
        job.clipped(), job.hotspots, job.stations, job.candidates, request,
        others=job.others, others_count=job.others_count, **areas,
        sources={"others": "others file", "area_targets": "area targets file"},
    )  # fmt: skip
