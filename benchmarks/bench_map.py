"""The map at three sizes: page size against the targets, first render in headless Chromium
against an empty Leaflet page loaded in the same run, and the what-if toggle time.

The three cases are built synthetically (seeded) around a real small plan (central
Helsinki, walking), whose frames are swapped for large ones: a country-scale network with
1,102 hotspots; 20,000 hotspots with 3,000 candidates; 200,000 hotspots. The pages come out
of the real ``map_html`` path.

    python benchmarks/bench_map.py [--cases country,20k,200k] [--no-browser] [--basemap none]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
import shapely
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.analysis.travel import TravelTimes  # noqa: E402
from planner.outputs import map as map_page  # noqa: E402
from planner.outputs import summary as summary_mod  # noqa: E402

UTM = "EPSG:32635"
ORIGIN = (385_000.0, 6_671_000.0)  # metres, around Helsinki
SPEED_MS = 15 / 3.6 / 1.3  # riding speed with a detour factor of 1.3
MB = 2**20
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@dataclass(frozen=True)
class Case:
    name: str
    hotspots: int
    stations: int
    candidates: int
    grid: int  # road nodes per side
    spacing_m: float
    target_mb: float
    render_target_s: float | None = None


CASES = {
    "country": Case("country", 1_102, 12, 400, 330, 120.0, 3.0),
    "20k": Case("20k", 20_000, 120, 3_000, 180, 110.0, 10.0, 3.0),
    "200k": Case("200k", 200_000, 300, 1_500, 260, 120.0, 15.0),
}


def grid_network(base, case: Case):
    """A grid of roads, every tenth line primary, every third secondary."""
    n, s = case.grid, case.spacing_m
    ox, oy = ORIGIN
    rows = []
    for i in range(n):
        cls = "primary" if i % 10 == 0 else "secondary" if i % 3 == 0 else "residential"
        for j in range(n - 1):
            rows.append((ox + j * s, oy + i * s, ox + (j + 1) * s, oy + i * s, cls))
            rows.append((ox + i * s, oy + j * s, ox + i * s, oy + (j + 1) * s, cls))
    a = np.array([r[:4] for r in rows], dtype=float)
    lines = shapely.linestrings(np.stack([a[:, :2], a[:, 2:]], axis=1))
    seg = gpd.GeoDataFrame(
        {
            "u": np.arange(len(a)),
            "v": np.arange(len(a)) + 1,
            "length_m": s,
            "fwd_s": s / 4,
            "bwd_s": s / 4,
            "highway": [r[4] for r in rows],
            "name": "",
        },
        geometry=lines,
        crs=UTM,
    )
    return replace(base.network, segments=seg, crs=seg.crs)


def clustered_points(rng: np.random.Generator, n: int, extent: float) -> np.ndarray:
    """Points in Gaussian clusters over the extent (demand gathers in centres)."""
    centres = rng.uniform(0.1, 0.9, size=(max(n // 400, 8), 2)) * extent
    which = rng.integers(0, len(centres), n)
    xy = centres[which] + rng.normal(0, extent / 25, size=(n, 2))
    return np.clip(xy, 0, extent) + np.array(ORIGIN)


def times(src: np.ndarray, dst: np.ndarray, src_ids, dst_ids, limit_s: float) -> TravelTimes:
    """Straight-line riding times within ``limit_s`` (sparse, as the planner keeps them)."""
    pairs = cKDTree(src).sparse_distance_matrix(
        cKDTree(dst), limit_s * SPEED_MS, output_type="coo_matrix"
    )
    m = sp.csr_matrix(
        (pairs.data / SPEED_MS + 30.0, (pairs.row, pairs.col)), shape=(len(src), len(dst))
    )
    m.data = np.minimum(m.data, limit_s)
    return TravelTimes(m, np.asarray(src_ids), np.asarray(dst_ids), limit_s)


def wobbly_circle(x: float, y: float, r: float, rng: np.random.Generator) -> shapely.Polygon:
    """An isochrone-like polygon: a circle with a ragged edge of 720 vertices."""
    a = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    rr = r * (1 + 0.08 * np.sin(7 * a) + 0.03 * rng.standard_normal(len(a)))
    return shapely.Polygon(np.column_stack([x + rr * np.cos(a), y + rr * np.sin(a)]))


def synthetic_plan(base, case: Case, seed: int = 7):
    """The plan ``base`` with its frames swapped for the case's synthetic ones."""
    rng = np.random.default_rng(seed)
    extent = case.grid * case.spacing_m
    thresholds = base.request.thresholds_s
    labels = [f"{t / 60:g}" for t in thresholds]
    hxy = clustered_points(rng, case.hotspots, extent)
    sxy = rng.uniform(0, extent, size=(case.stations, 2)) + np.array(ORIGIN)
    cxy = clustered_points(rng, case.candidates, extent)

    def points(xy, prefix, **cols):
        ids = [f"{prefix}{i}" for i in range(len(xy))]
        frame = gpd.GeoDataFrame(
            {"id": ids, "name": [f"{prefix} {i}" for i in range(len(xy))], **cols},
            geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]),
            crs=UTM,
        ).to_crs("EPSG:4326")
        frame["lon"], frame["lat"] = frame.geometry.x, frame.geometry.y
        return frame

    weights = rng.integers(1, 40, case.hotspots).astype(float)
    hs = points(hxy, "h", weight=weights)
    st = points(sxy, "s", nearest_road="Main road")
    cand = points(cxy, "c", category="bank")
    st_t = times(sxy, hxy, st["id"], hs["id"], thresholds[-1])
    cand_t = times(cxy, hxy, cand["id"], hs["id"], thresholds[-1])
    nearest = st_t.nearest_seconds()
    for t, lb in zip(thresholds, labels, strict=True):
        hs[f"covered_{lb}"] = nearest <= t
        hs[f"beyond_{lb}"] = nearest > t
    picks = rng.choice(case.candidates, size=min(10, case.candidates), replace=False)
    rec = cand.iloc[picks].reset_index(drop=True)
    rec.insert(0, "rank", np.arange(1, len(rec) + 1))
    for lb in labels:
        rec[f"demand_added_{lb}"] = 10.0
        rec[f"cumulative_share_{lb}"] = 0.5
    scores = pd.DataFrame({"station_id": st["id"], "grade": rng.choice(list("ABCD"), len(st))})
    for lb in labels:
        scores[f"demand_{lb}"] = 1.0
    iso_rows = []
    for kind, xy, ids in (("existing", sxy, st["id"]), ("suggested", cxy[picks], rec["id"])):
        for (x, y), sid in zip(xy, ids, strict=True):
            for t in thresholds:
                iso_rows.append((sid, kind, t / 60, wobbly_circle(x, y, t * SPEED_MS, rng)))
    iso = gpd.GeoDataFrame(
        pd.DataFrame(iso_rows, columns=["station_id", "kind", "minutes", "geometry"]), crs=UTM
    )
    existing = iso.loc[iso["kind"] == "existing"]
    service = gpd.GeoDataFrame(
        {"minutes": [t / 60 for t in thresholds]},
        geometry=[
            shapely.union_all(existing.loc[existing["minutes"] == t / 60].geometry.values)
            for t in thresholds
        ],
        crs=UTM,
    )
    return replace(
        base, network=grid_network(base, case), hotspots=hs, stations=st, candidates=cand,
        station_times=st_t, candidate_times=cand_t, scores=scores, recommended=rec,
        isochrones=iso.to_crs("EPSG:4326"), service_areas=service.to_crs("EPSG:4326"),
        blind_spots=hs.loc[hs[f"beyond_{labels[0]}"]],
    )  # fmt: skip


def base_plan():
    """The real small plan whose frames the cases replace."""
    import pyrosm

    from planner.app import demo_inputs
    from planner.inputs import network as network_mod
    from planner.plan.request import PlanRequest
    from planner.plan.run import plan

    pbf = pyrosm.get_data("helsinki_pbf")
    _, hs, st, cand = demo_inputs(pbf)
    return plan(network_mod.load(pbf, mode="walk"), hs, st, cand, PlanRequest(add=2))


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4), every
    host unresolvable: open a page, evaluate expressions."""

    def __init__(self, profile: Path) -> None:
        r1, w1 = os.pipe()
        r2, w2 = os.pipe()

        def child() -> None:  # the pipe's ends as fds 3 (commands) and 4 (replies)
            a, b = os.dup(r1), os.dup(w2)
            os.dup2(a, 3)
            os.dup2(b, 4)

        cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
               "--window-size=1200,900", "--remote-debugging-pipe", "about:blank"]  # fmt: skip
        self.proc = subprocess.Popen(
            cmd, preexec_fn=child, close_fds=False,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        os.close(r1)
        os.close(w2)
        self.w, self.r = os.fdopen(w1, "wb", buffering=0), os.fdopen(r2, "rb", buffering=0)
        self.buf, self.n, self.session = b"", 0, None

    def send(self, method: str, **params: object) -> dict:
        self.n += 1
        msg: dict[str, object] = {"id": self.n, "method": method, "params": params}
        if self.session:
            msg["sessionId"] = self.session
        self.w.write(json.dumps(msg).encode() + b"\0")
        while True:
            while b"\0" not in self.buf:
                self.buf += self.r.read(1 << 16)
            raw, self.buf = self.buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.n:
                if "error" in reply:
                    raise RuntimeError(reply["error"])
                return reply["result"]

    def open(self, url: str) -> None:
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        self.send("Page.navigate", url=url)

    def eval(self, expression: str) -> object:
        res = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return res["result"].get("value")

    def wait(self, expression: str, timeout_s: float = 600.0) -> object:
        end = time.perf_counter() + timeout_s
        while time.perf_counter() < end:
            value = self.eval(expression)
            if value is not None:
                return value
            time.sleep(0.05)
        raise TimeoutError(expression)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()


#: Milliseconds from navigation start to the first frame painted after the page is ready
#: (the planner's page: ``window.planner.ready``; any other page: its load event).
RENDERED = """(function () {
  if (window.__rendered !== undefined) return window.__rendered;
  var ready = window.planner ? window.planner.ready : document.readyState === 'complete';
  if (ready && !window.__waiting) {
    window.__waiting = true;
    requestAnimationFrame(function () { window.__rendered = performance.now(); });
  }
  return null;
})()"""

TOGGLE = """(function () {
  var ids = window.planner.sites().slice(0, 200), t0 = performance.now();
  ids.forEach(function (id) {
    window.planner.toggleSite(id); window.planner.coverage(); window.planner.redraw();
  });
  return (performance.now() - t0) / ids.length;
})()"""


def first_render_ms(page: Path, work: Path, runs: int = 2) -> tuple[float, float | None]:
    """The best first-render time of ``page`` over ``runs`` fresh browsers (ms), and for the
    planner's page the mean time of one what-if toggle with its figures (ms)."""
    best, toggle = float("inf"), None
    for r in range(runs):
        b = Browser(work / f"profile-{page.stem}-{r}")
        try:
            b.open(page.as_uri())
            best = min(best, float(b.wait(RENDERED)))  # type: ignore[arg-type]
            if b.eval("!!window.planner") and r == 0:
                toggle = float(b.eval(TOGGLE))  # type: ignore[arg-type]
        finally:
            b.close()
    return best, toggle


def empty_leaflet_page() -> str:
    """The reference: Leaflet inlined and one empty map, no data."""
    import xstatic.pkg.leaflet as xleaflet

    base = Path(xleaflet.BASE_DIR)
    css = (base / "leaflet.css").read_text(encoding="utf-8")
    js = (base / "leaflet.js").read_text(encoding="utf-8")
    return (
        f"<!DOCTYPE html><html><head><style>{css}</style><script>{js}</script></head><body>"
        "<div id='m' style='height:100vh'></div><script>L.map('m').setView([60.17, 24.94], 13)"
        "</script></body></html>"
    )


def run_case(base, summary, case: Case, work: Path, browser: bool, basemap: str) -> None:
    plan = synthetic_plan(base, case)
    start = time.perf_counter()
    page = map_page.map_html(plan, summary=summary, basemap=basemap)
    build_s = time.perf_counter() - start
    size = len(page.encode("utf-8")) / MB
    verdict = "ok" if size <= case.target_mb else "OVER"
    n_seg = plan.network.segments.shape[0]
    print(f"[{case.name}] {case.hotspots:,} hotspots, {case.stations} stations, "
          f"{case.candidates:,} candidates, {n_seg:,} road segments")  # fmt: skip
    print(f"  map.html {size:.2f} MB (target <= {case.target_mb:g} MB: {verdict}); "
          f"built in {build_s:.1f} s")  # fmt: skip
    if not browser or CHROMIUM is None:
        return
    (work / "reference.html").write_text(empty_leaflet_page(), encoding="utf-8")
    (work / f"{case.name}.html").write_text(page, encoding="utf-8")
    ref_ms, _ = first_render_ms(work / "reference.html", work)
    page_ms, toggle = first_render_ms(work / f"{case.name}.html", work)
    target = f" (target <= {case.render_target_s:g} s)" if case.render_target_s else ""
    print(f"  first render {page_ms / 1000:.2f} s; empty Leaflet page {ref_ms / 1000:.2f} s; "
          f"ratio {page_ms / ref_ms:.1f}{target}")  # fmt: skip
    if toggle is not None:
        print(f"  toggle one site, its figures, the hotspots redrawn: {toggle:.2f} ms (< 100 ms)")
    elif case.name == "20k":
        print("  toggle: no what-if API on the page")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--basemap", default="osm", choices=map_page.BASEMAPS)
    args = parser.parse_args()
    base = base_plan()
    summary = summary_mod.build(base)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.cases.split(","):
            run_case(base, summary, CASES[name], Path(tmp), not args.no_browser, args.basemap)


if __name__ == "__main__":
    main()
