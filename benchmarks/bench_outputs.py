"""The travel-time table as Parquet against CSV, measured in the same run on the same plan:
file size and write time (best of three), and what the other deliverables cost to write
(plan.gpkg, plan.xlsx, the static map, report.pdf).

    python benchmarks/bench_outputs.py [--andorra ../shared/data/andorra_2020-04.osm.pbf]

The embedded Helsinki demo (walking, 3 stations, 3 new sites); with ``--andorra``, that
extract too (e-bike, its four stations, five new sites).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from planner import app
from planner.inputs import network, sites
from planner.outputs import files, pdf, report, sheets, static_map, tables
from planner.outputs import summary as summary_mod
from planner.plan.request import PlanRequest
from planner.plan.run import plan


def _best(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _measure(name: str, result, folder: Path) -> None:  # type: ignore[no-untyped-def]
    tt = tables.travel_times(result)
    csv, parquet = folder / "travel_times.csv", folder / "travel_times.parquet"
    t_csv = _best(lambda: files.write_csv(tt, csv))
    t_pq = _best(lambda: files.write_parquet(tt, parquet))
    s_csv, s_pq = csv.stat().st_size, parquet.stat().st_size
    print(f"{name}: {len(tt):,} travel-time pairs")
    print(f"  CSV     {s_csv / 1e6:8.2f} MB  {t_csv * 1e3:8.1f} ms")
    print(f"  Parquet {s_pq / 1e6:8.2f} MB  {t_pq * 1e3:8.1f} ms")
    print(f"  Parquet / CSV: size {s_pq / s_csv:.3f}×, write time {t_pq / t_csv:.3f}×")
    summary = summary_mod.build(result)
    layers = tables.gpkg_layers(result)
    costs = {
        "plan.gpkg": _best(lambda: files.write_gpkg(layers, folder / "plan.gpkg")),
        "plan.xlsx": _best(
            lambda: files.write_xlsx(sheets.plan_sheets(result, summary), folder / "plan.xlsx")
        ),
        "static map": _best(lambda: static_map.png(result)),
    }
    page = report.report_html(
        summary, tables.stations_scored(result), recommended=result.recommended,
        map_png=static_map.png_base64(result),
    )  # fmt: skip
    (folder / "report.html").write_text(page, encoding="utf-8")
    if pdf.browser() is not None:
        costs["report.pdf"] = _best(
            lambda: pdf.print_pdf(folder / "report.html", folder / "report.pdf"), repeat=1
        )
    print("  " + ", ".join(f"{k} {v * 1e3:.0f} ms" for k, v in costs.items()))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--andorra", default=None, help="path of the Andorra .osm.pbf")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        source, hs, st, cand = app.demo_inputs()
        net = network.load(source, mode="walk")
        _measure("Helsinki (walk)", plan(net, hs, st, cand, PlanRequest(add=3)), Path(tmp))
        if args.andorra:
            stations = Path(__file__).resolve().parents[1] / "data" / "andorra_stations.csv"
            result = plan(
                network.load(args.andorra, mode="ebike"),
                app.demand.hotspots_from_osm(args.andorra),
                sites.read_sites(stations),
                sites.candidates_from_osm(args.andorra),
                PlanRequest(add=5),
            )
            _measure("Andorra (ebike)", result, Path(tmp))


if __name__ == "__main__":
    main()
