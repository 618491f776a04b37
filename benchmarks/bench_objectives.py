"""The backup and decay objectives against the textbook models solved by HiGHS through PuLP
in the same run: the optimum must agree; the ratios are our exact time over the
reference's, and each heuristic's gap to the optimum.

    python benchmarks/bench_objectives.py            # SJC324 (../shared/bench) and a city
    python benchmarks/bench_objectives.py --quick    # a smaller city only

Travel times are straight-line distances at 15 km/h (the e-bike's urban speed; SJC324, a
2.7 km square, at a walking 4.5 km/h), kept within the widest circle (15 min) as the
planner keeps them; one existing station in SJC324, three in the city. The reference
models: backup coverage as Hogan and ReVelle's (``need * u_ik <= sum_j a_ijk x_j``), decay
as the assignment model (``z_ij <= x_j``, ``sum_j z_ij <= 1``).
"""

from __future__ import annotations

import argparse
import time

import instances as ins
import numpy as np
import pulp
import scipy.sparse as sp
from scipy.spatial import cKDTree

from planner.optimize import BackupCoverage, Decay, DecayCoverage

SPEED_MS = 15 / 3.6
MINUTES = (8.0, 10.0, 15.0)
DECAYS = {
    "linear": Decay("linear", 900.0),
    "exp:5": Decay("exp", 900.0, half_life_s=300.0),
    "step": Decay("step", 900.0, steps=((480.0, 1.0), (600.0, 0.7), (900.0, 0.4))),
}


def times(demand_xy: np.ndarray, sites_xy: np.ndarray, speed_ms: float) -> sp.coo_matrix:
    """Sparse ``demand × sites`` seconds within 15 minutes (stored zeros kept)."""
    tree = cKDTree(sites_xy)
    m = tree.sparse_distance_matrix(cKDTree(demand_xy), 900 * speed_ms, output_type="coo_matrix")
    near = cKDTree(demand_xy).query_ball_point(sites_xy, 1e-9)  # pairs at distance 0
    rows = [*m.col, *(i for j, hits in enumerate(near) for i in hits)]
    cols = [*m.row, *(j for j, hits in enumerate(near) for _ in hits)]
    secs = [*(m.data / speed_ms), *([0.0] * (len(rows) - m.nnz))]
    return sp.coo_matrix((secs, (rows, cols)), shape=(len(demand_xy), len(sites_xy)))


def _pulp_solve(model: pulp.LpProblem) -> tuple[float, float]:
    t = time.perf_counter()
    model.solve(pulp.HiGHS(msg=False))
    return float(pulp.value(model.objective)), time.perf_counter() - t


def reference_backup(problem: BackupCoverage) -> tuple[float, float]:
    """Hogan and ReVelle's backup model over the problem's cells, by PuLP and HiGHS."""
    mdl = pulp.LpProblem("backup", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(problem.n_sites)]
    u = [pulp.LpVariable(f"u{c}", cat="Binary") for c in range(len(problem.cell_w))]
    mdl += pulp.lpSum(float(w) * u[c] for c, w in enumerate(problem.cell_w))
    by_cell: dict[int, list[int]] = {}
    for j, c in zip(problem.cols, problem.cells, strict=True):
        by_cell.setdefault(int(c), []).append(int(j))
    for c, need in enumerate(problem.cell_need):
        mdl += int(need) * u[c] <= pulp.lpSum(x[j] for j in by_cell.get(c, []))
    mdl += pulp.lpSum(x) == problem.p
    return _pulp_solve(mdl)


def reference_decay(problem: DecayCoverage) -> tuple[float, float]:
    """The assignment model of maximal attendance, by PuLP and HiGHS."""
    mdl = pulp.LpProblem("decay", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{j}", cat="Binary") for j in range(problem.n_sites)]
    gain = problem.weights[problem.rows] * (problem.vals - problem.base[problem.rows])
    z = [pulp.LpVariable(f"z{e}", 0, 1) for e in range(len(gain))]
    mdl += pulp.lpSum(float(g) * z[e] for e, g in enumerate(gain))
    rows: dict[int, list[int]] = {}
    for e, (i, j) in enumerate(zip(problem.rows, problem.cols, strict=True)):
        mdl += z[e] <= x[int(j)]
        rows.setdefault(int(i), []).append(e)
    for entries in rows.values():
        mdl += pulp.lpSum(z[e] for e in entries) <= 1
    mdl += pulp.lpSum(x) == problem.p
    return _pulp_solve(mdl)


def row(name: str, problem, reference, ratios: list[float]) -> str:
    t = time.perf_counter()
    exact = problem.solve("exact")
    ours = time.perf_counter() - t
    ref_value, ref_s = reference(problem)
    assert abs(exact.objective - ref_value) <= 1e-6 * max(1.0, ref_value), (name, exact, ref_value)
    gaps = []
    for method in ("greedy", "local"):
        t = time.perf_counter()
        sol = problem.solve(method)
        gaps.append(f"{method} {(ref_value - sol.objective) / max(ref_value, 1e-12):.3%} "
                    f"({time.perf_counter() - t:.2f} s, bound gap {sol.gap:.2%})")  # fmt: skip
    ratios.append(ours / ref_s)
    return (f"{name:28s} optimum {exact.objective:12.4f}  exact {ours:6.2f} s / reference "
            f"{ref_s:6.2f} s = {ours / ref_s:5.2f}; " + "; ".join(gaps))  # fmt: skip


def instance_rows(name: str, demand_xy, demand, sites_xy, stations_xy, ratios, *,
                  speed_ms: float = SPEED_MS) -> list[str]:  # fmt: skip
    cand = times(demand_xy, sites_xy, speed_ms)
    st = times(demand_xy, stations_xy, speed_ms).tocsr()
    nearest = np.full(len(demand), np.inf)
    np.minimum.at(nearest, st.tocoo().row, st.tocoo().data)
    counts = np.stack([np.bincount(st.tocoo().row[st.tocoo().data <= 60 * m],
                                   minlength=len(demand)) for m in MINUTES])  # fmt: skip
    cover = [sp.csc_matrix((np.ones(int((cand.data <= 60 * m).sum())),
                            (cand.row[cand.data <= 60 * m], cand.col[cand.data <= 60 * m])),
                           shape=cand.shape) for m in MINUTES]  # fmt: skip
    out = []
    for p in (5, 10):
        backup = BackupCoverage(cover, demand, p, existing=counts)
        out.append(row(f"{name} backup p={p}", backup, reference_backup, ratios))
        for label, decay in DECAYS.items():
            problem = DecayCoverage.from_times(cand, demand, p, decay, base_seconds=nearest)
            out.append(row(f"{name} decay {label} p={p}", problem, reference_decay, ratios))
    return out


def city(n_hot: int, n_cand: int, seed: int = 0):
    """Demand in a few dense clusters over a 12 km square, candidates among them."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, 12_000, (6, 2))
    hot = centres[rng.integers(0, 6, n_hot)] + rng.normal(0, 1500, (n_hot, 2))
    cand = centres[rng.integers(0, 6, n_cand)] + rng.normal(0, 1500, (n_cand, 2))
    return hot, rng.integers(1, 20, n_hot).astype(float), cand, cand[:3] + 50.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    ratios: list[float] = []
    lines = []
    if not args.quick and ins.BENCH.exists():
        xy, demand = ins.sjc324()
        lines += instance_rows("SJC324", xy, demand, xy, xy[[0]], ratios, speed_ms=4.5 / 3.6)
    hot, w, cand, st = city(300 if args.quick else 1500, 60 if args.quick else 150)
    lines += instance_rows("city", hot, w, cand, st, ratios)
    print("\n".join(lines))
    print(f"exact time over the reference's: median {np.median(ratios):.2f}, "
          f"worst {max(ratios):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
