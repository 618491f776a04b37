"""Site optimiser benchmark on instances with known optima (../shared/bench), with PySAL
spopt's exact solve timed in the same run, and a synthetic large instance.

    python benchmarks/bench_optimize.py            # everything
    python benchmarks/bench_optimize.py --quick    # a few instances, smaller synthetic run

spopt builds its model through PuLP and is given the same solver (HiGHS). Runs under a second
are repeated three times on both sides and the fastest kept.
"""

from __future__ import annotations

import argparse
import resource
import time
import warnings

import instances as ins
import numpy as np
import pulp
import scipy.sparse as sp
from scipy.spatial import cKDTree

from planner.optimize import (
    BudgetedCoverage,
    CapacitatedCoverage,
    MaximalCoverage,
    PMedian,
    SetCover,
)
from planner.optimize.solution import cover_from_cost

#: Runs shorter than this are repeated (both sides alike) and the fastest run is kept:
#: on a shared machine the minimum is the least noisy estimate of a short run.
REPEAT_BELOW_S = 1.0
REPEATS = 3


def timed(fn):
    """Result of ``fn`` and its time: the fastest of a few runs when a run is short."""
    t = time.perf_counter()
    out = fn()
    best = time.perf_counter() - t
    if best < REPEAT_BELOW_S:
        for _ in range(REPEATS - 1):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
    return out, best


def spopt_total(build) -> float:
    """Model building plus solving, as a user of spopt pays it."""

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            build().solve(pulp.HiGHS(msg=False))

    return timed(run)[1]


#: The gap of ``local`` to the known optimum of every instance run (relative; for the
#: capacitated instances, to the exact solve's proven value).
LOCAL_GAPS: dict[str, float] = {}


def mclp_rows(quick: bool, ratios: list[float]) -> list[str]:
    from spopt.locate import MCLP

    data = {"swain55": ins.swain(), "SJC324": ins.sjc324()}
    cost2 = {k: ins.squared_distances(v[0]) for k, v in data.items()}
    rows = []
    table = ins.mclp_optima()
    if quick:
        table = table.iloc[[4, 14, 17, 26, 31]]
    for r in table.itertuples():
        d = data[r.instance][1]
        c2 = cost2[r.instance]
        prob = MaximalCoverage.from_cost_matrix(c2, d, threshold=r.S**2, p=r.p)
        g = prob.solve("greedy")
        loc = prob.solve("local")
        ex, t_ex = timed(lambda prob=prob: prob.solve("exact"))
        t_sp = spopt_total(
            lambda c2=c2, d=d, r=r: MCLP.from_cost_matrix(
                c2, d, service_radius=r.S**2, p_facilities=int(r.p)
            )
        )
        opt = r.optimal_covered_demand
        LOCAL_GAPS[f"MCLP {r.instance} S={r.S} p={r.p}"] = (opt - loc.objective) / opt
        ratios.append(t_sp / t_ex)
        rows.append(
            f"| MCLP {r.instance} S={r.S} p={r.p} | {opt:g} | {g.objective:g} "
            f"({(opt - g.objective) / opt:.2%}) | {loc.objective:g} "
            f"({(opt - loc.objective) / opt:.2%}, gap≤{loc.gap:.2%}) | {ex.objective:g} "
            f"{'✓' if ex.objective == opt and ex.optimal else '✗'} | {t_ex * 1e3:.0f} | "
            f"{t_sp * 1e3:.0f} | {t_sp / t_ex:.1f}× |"
        )
    return rows


def lscp_rows(quick: bool, ratios: list[float]) -> list[str]:
    from spopt.locate import LSCP

    data = {"swain55": ins.swain(), "SJC324": ins.sjc324()}
    rows = []
    table = ins.lscp_optima()
    if quick:
        table = table.iloc[[1, 4]]
    for r in table.itertuples():
        xy, d = data[r.instance]
        c2 = ins.squared_distances(xy)
        prob = SetCover.from_cost_matrix(c2, d, threshold=r.S**2)
        loc = prob.solve("local")
        ex, t_ex = timed(lambda prob=prob: prob.solve("exact"))
        t_sp = spopt_total(lambda c2=c2, r=r: LSCP.from_cost_matrix(c2, service_radius=r.S**2))
        opt = r.min_facilities
        LOCAL_GAPS[f"LSCP {r.instance} S={r.S}"] = (loc.objective - opt) / opt
        ratios.append(t_sp / t_ex)
        rows.append(
            f"| LSCP {r.instance} S={r.S} | {opt} | – | {loc.objective:g} | {ex.objective:g} "
            f"{'✓' if ex.objective == opt and ex.optimal else '✗'} | {t_ex * 1e3:.0f} | "
            f"{t_sp * 1e3:.0f} | {t_sp / t_ex:.1f}× |"
        )
    return rows


def pmed_rows(quick: bool, ratios: list[float]) -> list[str]:
    from spopt.locate import PMedian as SpoptPMedian

    rows = []
    table = ins.pmed_optima()
    if quick:
        table = table.iloc[[0, 5]]
    for r in table.itertuples():
        cost, p = ins.pmed(r.instance)
        w = np.ones(len(cost))
        prob = PMedian(cost, w, p)
        g = prob.solve("greedy")
        loc = prob.solve("local")
        ex, t_ex = timed(lambda prob=prob: prob.solve("exact"))
        t_sp = spopt_total(
            lambda cost=cost, w=w, p=p: SpoptPMedian.from_cost_matrix(cost, w, p_facilities=p)
        )
        opt = r.optimal_cost
        LOCAL_GAPS[f"p-median {r.instance}"] = (loc.objective - opt) / opt
        ratios.append(t_sp / t_ex)
        rows.append(
            f"| p-median {r.instance} p={p} | {opt:g} | {g.objective:g} "
            f"({(g.objective - opt) / opt:.2%}) | {loc.objective:g} "
            f"({(loc.objective - opt) / opt:.2%}, gap≤{loc.gap:.2%}) | {ex.objective:g} "
            f"{'✓' if abs(ex.objective - opt) < 0.5 and ex.optimal else '✗'} | "
            f"{t_ex * 1e3:.0f} | {t_sp * 1e3:.0f} | {t_sp / t_ex:.1f}× |"
        )
    return rows


#: Capacitated coverage: (instance, S, p). Every site can serve 1.2 × (total demand / p),
#: so capacities bind. There are no published optima: the exact solve is the reference.
CAPACITATED = [("swain55", 10, 5), ("swain55", 5, 8), ("SJC324", 800, 4), ("SJC324", 200, 20),
               ("SJC324", 150, 40)]  # fmt: skip


def capacitated_rows(quick: bool) -> list[str]:
    data = {"swain55": ins.swain(), "SJC324": ins.sjc324()}
    rows = []
    for name, s, p in CAPACITATED[:2] if quick else CAPACITATED:
        xy, d = data[name]
        cap = np.full(len(d), 1.2 * d.sum() / p)
        prob = CapacitatedCoverage.from_cost_matrix(
            ins.squared_distances(xy), d, cap, threshold=s**2, p=p
        )
        g = prob.solve("greedy")
        loc, t_loc = timed(lambda prob=prob: prob.solve("local"))
        ex, t_ex = timed(lambda prob=prob: prob.solve("exact", time_limit_s=600))
        ref = ex.objective
        if ex.optimal:
            LOCAL_GAPS[f"capacitated {name} S={s} p={p}"] = (ref - loc.objective) / ref
        rows.append(
            f"| capacitated {name} S={s} p={p} | {ref:.1f} {'✓' if ex.optimal else '(limit)'} | "
            f"{g.objective:.1f} ({(ref - g.objective) / ref:.2%}) | {loc.objective:.1f} "
            f"({(ref - loc.objective) / ref:.2%}, gap≤{loc.gap:.2%}) | {t_loc:.2f} | "
            f"{t_ex:.1f} |"
        )
    return rows


#: Coverage within a budget: (instance, S, budget). Site j costs 10 + (37 j mod 21), so
#: costs run from 10 to 30 with no pattern in space; the exact solve is the reference.
BUDGETED = [("swain55", 10, 60), ("swain55", 5, 120), ("SJC324", 800, 45), ("SJC324", 200, 300),
            ("SJC324", 150, 600)]  # fmt: skip


def budgeted_rows(quick: bool) -> list[str]:
    data = {"swain55": ins.swain(), "SJC324": ins.sjc324()}
    rows = []
    for name, s, budget in BUDGETED[:2] if quick else BUDGETED:
        xy, d = data[name]
        costs = 10.0 + (37 * np.arange(len(d))) % 21
        prob = BudgetedCoverage(
            cover_from_cost(ins.squared_distances(xy), float(s) ** 2), d, costs, budget
        )
        g = prob.solve("greedy")
        loc, t_loc = timed(lambda prob=prob: prob.solve("local"))
        ex, t_ex = timed(lambda prob=prob: prob.solve("exact", time_limit_s=600))
        ref = ex.objective
        if ex.optimal:
            LOCAL_GAPS[f"budget {name} S={s} B={budget}"] = (ref - loc.objective) / ref
        rows.append(
            f"| budget {name} S={s} B={budget} | {ref:g} {'✓' if ex.optimal else '(limit)'} | "
            f"{g.objective:g} ({(ref - g.objective) / ref:.2%}) | {loc.objective:g} "
            f"({(ref - loc.objective) / ref:.2%}, gap≤{loc.gap:.2%}) | "
            f"{prob.spent(loc.selected):g} | {t_loc:.2f} | {t_ex:.2f} |"
        )
    return rows


def gap_lines() -> list[str]:
    """The worst and the mean gap of ``local`` to the optimum over every instance run."""
    if not LOCAL_GAPS:
        return []
    gaps = np.asarray(list(LOCAL_GAPS.values()))
    worst = max(LOCAL_GAPS, key=lambda k: LOCAL_GAPS[k])
    return [
        f"local against the optimum on {len(gaps)} instances: worst {gaps.max():.3%} "
        f"({worst}), mean {gaps.mean():.4%} (targets: worst ≤ 0.5%, mean ≤ 0.05%)"
    ]


def city(
    n_cand: int, n_hot: int, radii: tuple[float, ...], *, side: float = 60_000.0, seed: int = 0
) -> tuple[list[sp.csc_matrix], np.ndarray]:
    """A synthetic city: hotspots clustered around 200 centres on a ``side`` m square,
    candidates spread uniformly; one coverage matrix per radius (m) and the demand."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(0, side, size=(200, 2))
    hot = centres[rng.integers(0, 200, n_hot)] + rng.normal(0, 1500, size=(n_hot, 2))
    w = rng.gamma(2.0, 2.0, n_hot)
    cand = rng.uniform(0, side, size=(n_cand, 2))
    covers = []
    for radius in radii:
        pairs = cKDTree(cand).query_ball_point(hot, r=radius)
        rows = np.repeat(np.arange(n_hot), [len(x) for x in pairs])
        cols = np.concatenate([np.asarray(x, dtype=np.int64) for x in pairs])
        covers.append(sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_hot, n_cand)))
    return covers, w


def synthetic_capacitated(n_cand: int, n_hot: int, p: int) -> None:
    """Capacitated coverage at city scale: three circles (1.5, 2 and 2.5 km), each site able
    to serve half of the average demand per site."""
    covers, w = city(n_cand, n_hot, (1500.0, 2000.0, 2500.0), side=60_000.0 * (n_hot / 1e5) ** 0.5)
    prob = CapacitatedCoverage(covers, w, np.full(n_cand, 0.5 * w.sum() / p), p)
    for method in ("greedy", "local"):
        sol, t = timed(lambda method=method: prob.solve(method))
        print(
            f"capacitated {method}: {n_cand:,} candidates × {n_hot:,} hotspots, p = {p}, "
            f"{len(prob._pj):,} pairs: {t:.1f} s, within {sol.gap:.2%} of the bound"
        )


def synthetic(n_cand: int, n_hot: int, p: int, seed: int = 0) -> None:
    t0 = time.perf_counter()
    (cover,), w = city(n_cand, n_hot, (2500.0,), seed=seed)
    t_build = time.perf_counter() - t0
    prob = MaximalCoverage(cover, w, p)
    sol, t = timed(lambda: prob.solve("local"))
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(
        f"\nSynthetic: {n_cand:,} candidates × {n_hot:,} hotspots, p = {p}, "
        f"{cover.nnz:,} covering pairs (built in {t_build:.1f} s)"
    )
    print(
        f"local search: {t:.1f} s (target < 60 s), covered {sol.objective / w.sum():.1%} of "
        f"demand, within {sol.gap:.2%} of the bound; peak RSS of the process "
        f"{peak_gib:.2f} GiB (target < 4 GiB)"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    if not ins.BENCH.exists():
        print(f"benchmark instances not found at {ins.BENCH}; only the synthetic run")
    else:
        print(
            "| instance | optimum | greedy | local (greedy + swaps) | exact | exact ms | "
            "spopt ms | spopt / exact |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        ratios: list[float] = []
        for rows in (mclp_rows, lscp_rows, pmed_rows):
            for row in rows(args.quick, ratios):
                print(row, flush=True)
        r = np.asarray(ratios)
        print(
            f"exact ≥ 5× faster than spopt on {(r >= 5).sum()} of {len(r)} instances "
            f"(slowest {r.min():.1f}×, median {np.median(r):.1f}×)"
        )
        print("targets: local within 0.5% of the optimum; exact proves it ≥ 5× faster than spopt")
        print(
            "\n| capacitated instance (capacity 1.2 × demand / p) | exact | greedy | local | "
            "local s | exact s |"
        )
        print("| --- | --- | --- | --- | --- | --- |")
        for row in capacitated_rows(args.quick):
            print(row, flush=True)
        print(
            "\n| budgeted instance (cost 10 + 37j mod 21) | exact | greedy | local | "
            "local spent | local s | exact s |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for row in budgeted_rows(args.quick):
            print(row, flush=True)
        for line in gap_lines():
            print("\n" + line)
    if args.quick:
        synthetic(2_000, 20_000, 20)
        synthetic_capacitated(300, 3_000, 10)
    else:
        synthetic(10_000, 100_000, 50)
        synthetic_capacitated(1_000, 10_000, 10)


if __name__ == "__main__":
    main()
