"""Where the time of ``planner region`` goes, phase by phase, on a synthetic province.

    python benchmarks/profile_region.py [--districts 25] [--workers 1] [--sample 5]
        [--nodes-per-district 100] [--block-m 300] [--minutes 3,4,5]

The steps of :func:`planner.region.run.plan_region` (``--add 2``) run one by one with a
timer each: reading the inputs; cutting the jobs (the stations and candidates of each
halo, the hash of the whole network); hashing each job's inputs (done to skip complete
folders and again to record them); starting the local cluster; planning on it (each
district's network clipped as it is submitted, the worker's plan and rendering, the
transfer, and the client's publishing of each set, sealed with its hashes and fsynced);
the region's table, workbook, map and report. Then, in this process
for ``--sample`` districts, the worker's share split into the plan itself and the
rendering of its output set, and the client's publishing alone.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from planner import app
from planner.outputs import files
from planner.plan.request import PlanRequest
from planner.plan.run import plan
from planner.region import districts as districts_mod
from planner.region import engine, tasks
from planner.region import run as region_run
from planner.region import table as table_mod
from planner.synthetic import province as pv


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--districts", type=int, default=25)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--sample", type=int, default=5)
    ap.add_argument("--nodes-per-district", type=int, default=100)
    ap.add_argument("--block-m", type=float, default=300.0)
    ap.add_argument("--minutes", default="3,4,5")
    args = ap.parse_args()
    minutes = tuple(float(v) for v in args.minutes.split(","))
    t: dict[str, float] = {}

    def lap(name: str, t0: float) -> float:
        now = time.perf_counter()
        t[name] = t.get(name, 0.0) + now - t0
        return now

    with tempfile.TemporaryDirectory(prefix="profile-region-") as tmp:
        plan_ = pv.ProvincePlan(districts=args.districts, block_m=args.block_m,
                                nodes_per_district=args.nodes_per_district,
                                hotspots_per_district=20, stations_per_district=1,
                                seed=7)  # fmt: skip
        paths = pv.write(pv.generate(plan_), Path(tmp) / "prov")
        out = Path(tmp) / "region"
        t0 = time.perf_counter()
        src = app.Sources(network=str(paths["network"]), hotspots=str(paths["hotspots"]),
                          stations=str(paths["stations"]), candidates=str(paths["candidates"]),
                          mode="ebike", cache=False)  # fmt: skip
        inputs = app.read_inputs(src)
        districts = districts_mod.read_districts(paths["districts"], name_column="district")
        request = PlanRequest(add=2, minutes=minutes, targets=(0.8, 0.9, 1.0)).validate()
        t0 = lap("read inputs and districts", t0)
        points = (inputs.hotspots, inputs.stations, inputs.candidates)
        jobs, halo, _ = region_run.make_jobs(inputs.network, districts, points, request)
        t0 = lap("cut the jobs (halo sites, the network's hash)", t0)
        clip = region_run.Clipper(inputs.network, halo.network_m)
        hashes = [j.inputs_hash for j in jobs]
        t0 = lap("hash each job's inputs, once", t0)
        run = engine.Engine("local", args.workers)
        try:
            run.n_workers()
            t0 = lap("start the local cluster", t0)
            rows, _ = region_run.plan_jobs(jobs, out, run, clip=clip)
            t0 = lap("plan on the cluster, publish each set", t0)
        finally:
            run.close()
        t0 = lap("close the cluster", t0)
        table = table_mod.region_table(rows, request)
        table_mod.write(out, table, districts, minutes=request.minutes, lang="en")
        t0 = lap("region table, workbook, map, report", t0)
        sample = [clip.job(j) for j in jobs[: args.sample]]
        for job in sample:
            t0 = time.perf_counter()
            result = plan(job.clipped(), job.hotspots, job.stations, job.candidates, job.request)
            t0 = lap("sample: the plan", t0)
            files.write_plan(result, Path(tmp) / "render" / job.name, pdf=False)
            t0 = lap("sample: rendering its output set", t0)
            outcome = tasks.plan_district(job)
            t0 = time.perf_counter()
            engine.publish(Path(tmp) / "again", job, outcome)
            t0 = lap("sample: publishing (seal, fsync, swap)", t0)
            engine.finished_row(Path(tmp) / "again", job)
            t0 = lap("sample: checking a complete folder", t0)
    n, k = len(jobs), min(args.sample, len(jobs))
    nodes = sum(len(j.clipped().nodes) for j in sample) / max(len(sample), 1)
    print(f"{n} districts, {len(inputs.network.nodes)} road nodes ({nodes:.0f} per clipped "
          f"district network), {args.workers} worker(s), {len(hashes)} hashes")  # fmt: skip
    for name, s in t.items():
        per = f"{s / k * 1e3:8.1f} ms per district" if name.startswith("sample") else ""
        print(f"  {name:45s} {s:8.2f} s {per}")


if __name__ == "__main__":
    main()
