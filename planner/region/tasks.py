"""What a worker does for one district: plan it on its clipped network and render its
output set (returned as bytes, so workers need no file system shared with the client), or
compute its coverage curve for a shared total of new sites.

A :class:`Job` holds only the district's own data: its clipped network, its hotspots, and
the stations and candidates within its halo. Its :attr:`Job.inputs_hash` says what made a
district's folder, so a later run skips a district whose folder is complete and whose
inputs have not changed.
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
from ..plan import run
from ..plan.request import PlanRequest
from . import budget

#: The output writers set process-wide state for the time of a write (GDAL's
#: ``OGR_CURRENT_DATE`` for the GeoPackage, matplotlib's figures for the static map): two
#: districts rendered by two threads of one worker would mix it, so a worker renders one
#: district at a time (a worker of the local cluster has one thread; an in-process
#: cluster has several).
_RENDERING = threading.Lock()


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
    (network CRS), its clipped network, its hotspots (WGS-84), the stations and candidates
    of its halo, the request (with this district's number of sites), how to write, and how
    many stations and candidates lie inside the district itself."""

    name: str
    folder: str
    polygon: shapely.Geometry
    network: Network
    hotspots: gpd.GeoDataFrame
    stations: gpd.GeoDataFrame
    candidates: gpd.GeoDataFrame | None
    request: PlanRequest
    deliverables: Deliverables = field(default_factory=Deliverables)
    provenance: output_set.Provenance = field(default_factory=output_set.Provenance)
    own_stations: int = 0
    own_candidates: int = 0

    @property
    def new_candidates(self) -> int:
        """Candidates of the halo that are not stations (what a plan may choose from)."""
        if self.candidates is None:
            return 0
        return int((~self.candidates["id"].isin(set(self.stations["id"]))).sum())

    def with_add(self, add: int) -> Job:
        return replace(self, request=replace(self.request, add=int(add)))

    @cached_property
    def inputs_hash(self) -> str:
        """sha256 of everything that decides the district's folder (computed once per job:
        a job is immutable, and :meth:`with_add` makes a new one)."""
        h = hashlib.sha256()
        h.update(output_set.planner_version().encode())
        h.update(json.dumps([self.name, self.folder], ensure_ascii=False).encode())
        h.update(repr(replace(self.request, sources={})).encode())
        h.update(json.dumps(dict(self.request.sources), sort_keys=True, default=str).encode())
        h.update(repr(self.deliverables).encode())
        h.update(shapely.to_wkb(self.polygon))
        for frame in (self.hotspots, self.stations, self.candidates):
            _hash_frame(h, frame)
        net = self.network
        osmid = net.nodes["osmid"].to_numpy()
        seg = net.segments.assign(u=osmid[net.segments["u"].to_numpy()],
                                  v=osmid[net.segments["v"].to_numpy()])  # fmt: skip
        _hash_frame(h, seg)
        _hash_frame(h, net.nodes)
        h.update(f"{net.mode!r}{net.crs.to_wkt()}".encode())
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
    result = run.plan(job.network, job.hotspots, job.stations, job.candidates, job.request)
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
    return out


def curve_district(job: Job, cap: int) -> list[float]:
    """What each of up to ``cap`` further sites adds in ``job``'s district (greedy
    coverage, the request's circle weights): the steps of its coverage curve. Fewer steps
    where fewer candidates may be chosen (minimum spacing)."""
    if cap <= 0 or job.candidates is None or not len(job.hotspots):
        return []
    request = replace(job.request, add=cap, method="greedy")
    try:
        result = run.plan(job.network, job.hotspots, job.stations, job.candidates, request)
    except FieldError as exc:
        usable = (exc.values or {}).get("m")
        if exc.field != "add" or not isinstance(usable, int) or usable >= cap:
            raise
        return curve_district(job, usable)
    weights = request.objective.curve_weights(request.minutes)
    return budget.curve_gains(result.coverage_curve, weights)[:cap]
