"""``planner region`` on Dask against one-machine plans measured in the same run.

    python benchmarks/bench_region.py [--andorra ../shared/data/andorra_2020-04.osm.pbf]
        [--sizes 30,60,120] [--workers 1,2] [--sample 6] [--nodes-per-district 100]
        [--hotspots-per-district 20] [--block-m 300] [--stations-per-district 1]
        [--memory-districts 120] [--memory-workers 2] [--skip-memory]
        [--minutes 3,4,5] [--project 120]
        [--skip-andorra] [--skip-synthetic]

(a) Andorra's 7 parishes (the ``admin_level=7`` boundaries of the extract, read with pyrosm),
    hotspots and candidates from the extract's POIs, the stations of
    ``data/andorra_stations.csv``, 2 new sites per parish, e-bike. The region is planned
    with 1 and 2 workers (each into an empty folder); each parish's row is checked against a
    one-machine :func:`planner.plan.run.plan` over the whole network restricted to that
    parish's hotspots (coverage per threshold today and with the suggested sites, and the
    suggested sites themselves). The reference time is the sum of those one-machine runs,
    each with the same output set written (the network parsed once, not counted).

(b) A synthetic province (:mod:`planner.synthetic.province`) of each of ``--sizes``
    districts, planned with each of ``--workers`` (short circles by default, so that the
    halo and the service-area polygons of each district stay small and the run takes
    minutes, not hours, on a small machine): wall time, the peak memory of the
    largest worker process and of the client. The reference is the sum of one-machine
    per-district runs, estimated from a seeded sample of ``--sample`` districts
    (sample mean × districts). The cost of a district is the largest province's
    worker-seconds per district (its fixed costs included), the parallel
    efficiency its speed-up from the fewest to the most workers; with them it prints a
    projection for ``--project`` districts on 1 to 64 workers (memory: workers × the
    largest worker's peak, plus the client).

(c) The client's memory (``--memory-districts``, 120 by default, on 2 workers): the same
    synthetic province planned twice, each run in a fresh process, once with every
    district's network clipped before the first is submitted and held until the end (how
    ``planner region`` worked before) and once with each clipped as its task is submitted
    (how it works now). Printed: the client process's peak resident memory
    (``ru_maxrss``; the local cluster's scheduler runs in it, its workers do not) over what
    the inputs alone took, lazy against eager, and against the largest district's clipped
    network (its size as sent to a worker) and all of them together; and whether the two
    region tables are equal.

The machine is shared: times vary between runs; the ratios are measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psutil

from planner import app
from planner.core.crs import WGS84
from planner.outputs import files
from planner.plan.request import PlanRequest
from planner.plan.run import plan
from planner.region import districts as districts_mod
from planner.region import engine
from planner.region import run as region_run
from planner.region import table as table_mod
from planner.region.tasks import Deliverables
from planner.synthetic import province as pv

ROOT = Path(__file__).resolve().parents[1]
ANDORRA = ROOT.parent / "shared" / "data" / "andorra_2020-04.osm.pbf"
STATIONS = ROOT / "data" / "andorra_stations.csv"
MINUTES = (8.0, 10.0, 15.0)
GIB = 1024.0**3


# ------------------------------------------------------------------------- measuring


class PeakMemory:
    """Peak resident memory of this process and of its largest descendant (a Dask worker),
    sampled every ``every_s`` seconds while in use. ``start``: this process's resident memory
    on entry (what earlier runs of the same process left), so that ``client - start`` is what
    this run added."""

    def __init__(self, every_s: float = 0.1) -> None:
        self.every_s, self.client, self.worker = every_s, 0, 0
        self.start = psutil.Process().memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                self.client = max(self.client, me.memory_info().rss)
                for child in me.children(recursive=True):
                    self.worker = max(self.worker, child.memory_info().rss)
            except psutil.Error:  # a worker ended between listing and reading
                pass
            self._stop.wait(self.every_s)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    t0 = time.perf_counter()
    box: dict[str, float] = {}
    yield lambda: box["s"]
    box["s"] = time.perf_counter() - t0


def region(
    inputs: app.Inputs, districts: gpd.GeoDataFrame, request: PlanRequest, out: Path, workers: int
) -> dict[str, Any]:
    """One ``planner region`` run into the empty folder ``out``: seconds, peaks, table."""
    run = engine.Engine("local", workers)
    points = (inputs.hotspots, inputs.stations, inputs.candidates)
    with PeakMemory() as mem, timed() as seconds:
        try:
            result = region_run.plan_region(
                inputs.network, districts, points, request, out, run=run
            )
        finally:
            run.close()
    return {"s": seconds(), "worker_gib": mem.worker / GIB, "client_gib": mem.client / GIB,
            "client_rise_gib": (mem.client - mem.start) / GIB, "table": result.table}  # fmt: skip


def one_machine(
    inputs: app.Inputs, hotspots: gpd.GeoDataFrame, request: PlanRequest, out: Path
) -> tuple[Any, float]:
    """A one-machine plan of the whole network restricted to ``hotspots``, its output set
    written as a district's is (no PDF): the plan and its seconds."""
    with timed() as seconds:
        result = plan(inputs.network, hotspots, inputs.stations, inputs.candidates, request)
        files.write_plan(result, out, pdf=False)
    return result, seconds()


def district_hotspots(
    inputs: app.Inputs, districts: gpd.GeoDataFrame, request: PlanRequest
) -> dict[str, gpd.GeoDataFrame]:
    """Each district's hotspots, as the region engine partitions them."""
    owner = districts_mod.assign(inputs.hotspots, districts, crs=inputs.network.crs)
    names = districts["district"].tolist()
    return {
        name: inputs.hotspots.iloc[np.flatnonzero(owner == i)].reset_index(drop=True)
        for i, name in enumerate(names)
    }


def shares_of(result: Any) -> tuple[dict[str, float], dict[str, float], list[str]]:
    """Coverage today and with the suggested sites per threshold label, and the sites."""
    today = {m: float(c["share"]) for m, c in result.district["covered"].items()}
    after = dict(today)
    if len(result.recommended):
        last = result.recommended.iloc[-1]
        after = {m: float(last[f"cumulative_share_{m}"]) for m in today}
    return today, after, [str(i) for i in result.recommended["id"]]


def check_equal(row: pd.Series, result: Any, out: Path) -> list[str]:
    """What differs between a district's row (and folder) and its one-machine plan."""
    today, after, sites = shares_of(result)
    bad = [f"today_{m}" for m in today if abs(row[f"today_{m}"] - today[m]) > 1e-9]
    bad += [f"after_{m}" for m in after if abs(row[f"after_{m}"] - after[m]) > 1e-9]
    got = pd.read_csv(out / row["folder"] / "recommended_sites.csv", dtype={"id": str})
    if list(got["id"]) != sites:
        bad.append(f"sites {list(got['id'])} != {sites}")
    return bad


# ------------------------------------------------------------------------- (a) Andorra


def parishes(pbf: str, tmp: Path) -> gpd.GeoDataFrame:
    """The ``admin_level=7`` boundaries of the extract (pyrosm), read back as the CLI reads
    ``--districts`` (:func:`planner.region.districts.read_districts`)."""
    import pyrosm

    b = pyrosm.OSM(pbf).get_boundaries(boundary_type="administrative")
    b = b[b["admin_level"].astype(str) == "7"]
    frame = gpd.GeoDataFrame(
        {"name": b["name"].to_numpy()}, geometry=b.geometry.make_valid().values, crs=WGS84
    )
    path = tmp / "parishes.geojson"
    frame.to_file(path, driver="GeoJSON")
    return districts_mod.read_districts(path)


def andorra(pbf: str, tmp: Path, worker_counts: list[int]) -> None:
    src = app.Sources(network=pbf, hotspots="osm", stations=str(STATIONS), candidates="osm",
                      mode="ebike")  # fmt: skip
    with timed() as parse:
        inputs = app.read_inputs(src)
    districts = parishes(pbf, tmp)
    request = PlanRequest(add=2, minutes=MINUTES).validate()
    print(f"Andorra: {len(districts)} parishes {sorted(districts['district'])}; "
          f"{len(inputs.hotspots)} hotspots, {len(inputs.stations)} stations, "
          f"{len(inputs.candidates)} candidates; inputs read in {parse():.1f} s")  # fmt: skip
    own = district_hotspots(inputs, districts, request)
    refs, ref_s = {}, 0.0
    for name, hs in own.items():
        if len(hs):
            refs[name], s = one_machine(inputs, hs, request, tmp / "one" / name)
            ref_s += s
    print(f"  reference: {len(refs)} one-machine plans (whole network, each parish's hotspots,"
          f" outputs written): {ref_s:.1f} s in all")  # fmt: skip
    for w in worker_counts:
        out = tmp / f"andorra-w{w}"
        got = region(inputs, districts, request, out, w)
        table = got["table"].set_index("district")
        bad = {n: check_equal(table.loc[n], refs[n], out) for n in refs}
        bad = {n: b for n, b in bad.items() if b}
        print(f"  {w} worker(s): {got['s']:.1f} s, ratio to the reference "
              f"{got['s'] / ref_s:.2f}; peak worker {got['worker_gib']:.2f} GiB, client "
              f"{got['client_gib']:.2f} GiB (+{got['client_rise_gib']:.2f} in the run); "
              "equal to the one-machine plans: "
              f"{bad if bad else 'all ' + str(len(refs))}")  # fmt: skip


# ------------------------------------------------------------------------- (b) synthetic


def synthetic_case(n: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """One province of ``n`` districts: its region runs per worker count and the sampled
    one-machine reference."""
    plan_ = pv.ProvincePlan(districts=n, nodes_per_district=args.nodes_per_district,
                            hotspots_per_district=args.hotspots_per_district,
                            block_m=args.block_m,
                            stations_per_district=args.stations_per_district, seed=7)  # fmt: skip
    paths = pv.write(pv.generate(plan_), tmp / f"prov{n}")
    src = app.Sources(network=str(paths["network"]), hotspots=str(paths["hotspots"]),
                      stations=str(paths["stations"]), candidates=str(paths["candidates"]),
                      mode="ebike", cache=False)  # fmt: skip
    with timed() as parse:
        inputs = app.read_inputs(src)
    districts = districts_mod.read_districts(paths["districts"], name_column="district")
    request = PlanRequest(add=2, minutes=args.minutes, targets=(0.8, 0.9, 1.0)).validate()
    own = district_hotspots(inputs, districts, request)
    rng = np.random.default_rng(n)
    sample = sorted(rng.choice(sorted(own), size=min(args.sample, n), replace=False))
    one = [one_machine(inputs, own[d], request, tmp / f"one{n}" / d)[1] for d in sample]
    case = {"n": n, "nodes": len(inputs.network.nodes), "parse_s": parse(),
            "reference_s": float(np.mean(one)) * n, "runs": {}}  # fmt: skip
    for w in args.workers:
        case["runs"][w] = region(inputs, districts, request, tmp / f"region{n}-w{w}", w)
        done = int((case["runs"][w]["table"]["status"] == "done").sum())
        r = case["runs"][w]
        print(f"  {n:4d} districts ({case['nodes']} road nodes), {w} worker(s): {r['s']:7.1f} s"
              f" ({done} done); reference {case['reference_s']:7.1f} s, ratio "
              f"{r['s'] / case['reference_s']:.2f}; peak worker {r['worker_gib']:.2f} GiB, "
              f"client {r['client_gib']:.2f} GiB (+{r['client_rise_gib']:.2f} in the run)",
              flush=True)  # fmt: skip
    return case


def projection(cases: list[dict[str, Any]], workers: list[int], target: int) -> None:
    """The projected time and memory of ``target`` districts on 1 to 64 workers: the
    worker-seconds per district of the largest province (its fixed costs spread over its
    districts, so the figure errs on the slow side), the parallel efficiency of the most
    workers against the fewest on it (1 with one worker count), the largest worker's
    peak memory per worker plus the client's."""
    big = max(cases, key=lambda c: c["n"])
    lo, hi = min(workers), max(workers)
    per = big["runs"][lo]["s"] * lo / big["n"]
    eff = min(1.0, big["runs"][lo]["s"] * lo / (big["runs"][hi]["s"] * hi)) if hi > lo else 1.0
    worker_gib = max(c["runs"][w]["worker_gib"] for c in cases for w in workers)
    client_gib = max(c["runs"][w]["client_gib"] for c in cases for w in workers)
    for c in cases:
        line = ", ".join(f"{w} worker(s) {c['runs'][w]['s'] * w / c['n']:.2f}" for w in workers)
        print(f"  worker-seconds per district, {c['n']} districts: {line}")
    print(f"  largest province ({big['n']} districts): {per:.2f} worker-s per district on {lo} "
          f"worker(s); efficiency with {hi}: {eff:.0%}; largest worker {worker_gib:.2f} GiB, "
          f"client {client_gib:.2f} GiB")  # fmt: skip
    print(f"  projection for {target} districts (this machine, the efficiency above held):")
    for w in (1, 2, 4, 8, 16, 32, 64):
        t = per * target / (w * (1.0 if w <= lo else eff))
        print(f"    {w:3d} workers: {t / 60:7.1f} min, memory {w * worker_gib + client_gib:6.1f}"
              " GiB")  # fmt: skip


def synthetic(args: argparse.Namespace, tmp: Path) -> None:
    print(f"Synthetic province: {args.nodes_per_district} road nodes ({args.block_m:g} m "
          f"blocks), {args.stations_per_district} station(s) and "
          f"{args.hotspots_per_district} hotspots per district, 15 candidates, 2 new sites "
          f"each, circles of {args.minutes} min")  # fmt: skip
    cases = [synthetic_case(n, args, tmp) for n in args.sizes]
    projection(cases, args.workers, args.project)


# ------------------------------------------------------------------------- (c) memory


class EagerClipper(region_run.Clipper):
    """Every job's network clipped up front and held until the run ends, as ``make_jobs``
    did before networks were clipped on submission."""

    def __init__(self, network: Any, distance_m: float, jobs: list[Any]) -> None:
        super().__init__(network, distance_m)
        lazy = region_run.Clipper(network, distance_m)
        self.held = {j.name: lazy.job(j).clipped() for j in jobs}

    def job(self, job: Any) -> Any:
        return job.with_network(self.held[job.name])


def _province_inputs(paths: dict[str, Path]) -> tuple[app.Inputs, gpd.GeoDataFrame]:
    src = app.Sources(network=str(paths["network"]), hotspots=str(paths["hotspots"]),
                      stations=str(paths["stations"]), candidates=str(paths["candidates"]),
                      mode="ebike", cache=False)  # fmt: skip
    districts = districts_mod.read_districts(paths["districts"], name_column="district")
    return app.read_inputs(src), districts


def _maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def memory_child(how: str, folder: Path, minutes: tuple[float, ...], workers: int) -> None:
    """One region run in this fresh process (``how``: ``eager`` or ``lazy``) on the
    province written in ``folder``; prints its client peaks as JSON."""
    paths = {r: folder / f"{r}.csv" for r in ("hotspots", "stations", "candidates")}
    paths |= {"network": folder / "network.osm", "districts": folder / "districts.geojson"}
    inputs, districts = _province_inputs(paths)
    request = PlanRequest(add=2, minutes=minutes, targets=(0.8, 0.9, 1.0)).validate()
    before = _maxrss_bytes()
    points = (inputs.hotspots, inputs.stations, inputs.candidates)
    look = Deliverables(basemap="none", pdf=False)
    jobs, halo, _ = region_run.make_jobs(inputs.network, districts, points, request,
                                         deliverables=look)  # fmt: skip
    if how == "eager":
        clip: region_run.Clipper = EagerClipper(inputs.network, halo.network_m, jobs)
    else:
        clip = region_run.Clipper(inputs.network, halo.network_m)
    out = folder.parent / f"region-{how}"
    with engine.Engine("local", workers) as run, timed() as seconds:
        rows, _ = region_run.plan_jobs(jobs, out, run, clip=clip)
    table = table_mod.region_table(rows, request)
    print(json.dumps({"before": before, "peak": _maxrss_bytes(), "s": seconds(),
                      "table": table.to_csv(index=False)}))  # fmt: skip


def client_memory(args: argparse.Namespace, tmp: Path) -> None:
    import cloudpickle

    n = args.memory_districts
    plan_ = pv.ProvincePlan(districts=n, hotspots_per_district=10, stations_per_district=1,
                            seed=7)  # fmt: skip
    folder = tmp / f"memory{n}" / "province"
    paths = pv.write(pv.generate(plan_), folder)
    inputs, districts = _province_inputs(paths)
    request = PlanRequest(add=2, minutes=args.minutes, targets=(0.8, 0.9, 1.0)).validate()
    jobs, halo, _ = region_run.make_jobs(
        inputs.network, districts, (inputs.hotspots, inputs.stations, inputs.candidates), request
    )
    clip = region_run.Clipper(inputs.network, halo.network_m)
    sizes = [len(cloudpickle.dumps(clip.job(j).clipped())) for j in jobs]
    whole = len(cloudpickle.dumps(inputs.network))
    mins = ",".join(f"{m:g}" for m in args.minutes)
    print(f"Client memory: {n} districts ({len(inputs.network.nodes)} road nodes, the network "
          f"{whole / 2**20:.1f} MiB as sent); clipped networks: largest {max(sizes) / 2**20:.2f}"
          f" MiB, all together {sum(sizes) / 2**20:.1f} MiB; {args.memory_workers} workers, "
          f"circles of {mins} min, no basemap", flush=True)  # fmt: skip
    got = {}
    for how in ("eager", "lazy"):
        cmd = [sys.executable, __file__, "--memory-child", how, str(folder),
               "--minutes", ",".join(f"{m:g}" for m in args.minutes),
               "--memory-workers", str(args.memory_workers)]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        got[how] = json.loads(done.stdout.strip().splitlines()[-1])
        g = got[how]
        print(f"  {how:5s}: client peak {g['peak'] / 2**20:7.1f} MiB, of which the run "
              f"{(g['peak'] - g['before']) / 2**20:7.1f} MiB over the inputs read; "
              f"{g['s']:.0f} s", flush=True)  # fmt: skip
    rise = {k: max(g["peak"] - g["before"], 1) for k, g in got.items()}
    print(f"  ratio lazy / eager: client peak {got['lazy']['peak'] / got['eager']['peak']:.2f}, "
          f"its rise over the inputs {rise['lazy'] / rise['eager']:.2f}; lazy rise / largest "
          f"clipped network {rise['lazy'] / max(sizes):.1f}, eager rise / all clipped networks "
          f"{rise['eager'] / sum(sizes):.1f}; tables equal: "
          f"{got['lazy']['table'] == got['eager']['table']}")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--andorra", default=str(ANDORRA), help="path of the Andorra .osm.pbf")
    ap.add_argument("--sizes", default="30,60,120", help="districts of each province")
    ap.add_argument("--workers", default="1,2", help="worker counts of each region run")
    ap.add_argument("--sample", type=int, default=6, help="districts in the reference sample")
    ap.add_argument("--nodes-per-district", type=int, default=100)
    ap.add_argument("--hotspots-per-district", type=int, default=20)
    ap.add_argument("--block-m", type=float, default=300.0, help="street grid spacing (m)")
    ap.add_argument("--stations-per-district", type=int, default=1)
    ap.add_argument(
        "--minutes",
        default="3,4,5",
        help="thresholds of the synthetic runs (minutes; they set the halo)",
    )
    ap.add_argument("--project", type=int, default=120, help="districts of the projection")
    ap.add_argument("--skip-andorra", action="store_true")
    ap.add_argument("--skip-synthetic", action="store_true")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--memory-districts", type=int, default=120,
                    help="districts of the client-memory province (c)")  # fmt: skip
    ap.add_argument("--memory-workers", type=int, default=2)
    ap.add_argument("--memory-child", nargs=2, metavar=("HOW", "FOLDER"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.sizes = [int(v) for v in args.sizes.split(",")]
    args.workers = [int(v) for v in args.workers.split(",")]
    args.minutes = tuple(float(v) for v in args.minutes.split(","))
    if args.memory_child:
        how, folder = args.memory_child
        memory_child(how, Path(folder), args.minutes, args.memory_workers)
        return
    with tempfile.TemporaryDirectory(prefix="bench-region-") as tmp:
        if args.skip_andorra:
            pass
        elif Path(args.andorra).is_file():
            andorra(args.andorra, Path(tmp), args.workers)
        else:
            print(f"Andorra skipped: {args.andorra} not found")
        if not args.skip_synthetic:
            synthetic(args, Path(tmp))
        if not args.skip_memory:
            client_memory(args, Path(tmp))


if __name__ == "__main__":
    main()
