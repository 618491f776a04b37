"""Shared pieces of the optimiser tests: random instances, brute force, the LP oracle of the
capacitated problem and the benchmark instances of ../shared/bench."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import strategies as st

from ..conftest import BENCH


def need_bench() -> None:
    """Skip the calling test with a clear reason when ../shared/bench is absent."""
    if not BENCH.exists():
        pytest.skip(f"benchmark instances not found at {BENCH} (needs ../shared/bench)")


@st.composite
def coverage_instances(draw):
    """Maximal coverage: 1-2 boolean cover matrices (up to 10 demand rows × 7 candidates),
    whole weights (some 0), demand already covered, threshold weights and ``p``."""
    n_h = draw(st.integers(1, 10))
    n_c = draw(st.integers(1, 7))
    k = draw(st.integers(1, 2))
    mats = [
        np.array(draw(st.lists(st.lists(st.booleans(), min_size=n_c, max_size=n_c),
                               min_size=n_h, max_size=n_h)))
        for _ in range(k)
    ]  # fmt: skip
    w = np.array(draw(st.lists(st.integers(0, 9), min_size=n_h, max_size=n_h)), dtype=float)
    covered = np.array(draw(st.lists(st.lists(st.booleans(), min_size=n_h, max_size=n_h),
                                     min_size=k, max_size=k)))  # fmt: skip
    tw = np.array(draw(st.lists(st.sampled_from([1.0, 2.0, 0.5]), min_size=k, max_size=k)))
    p = draw(st.integers(0, n_c))
    return mats, w, covered, tw, p


@st.composite
def cost_instances(draw):
    """A whole-number cost matrix (2-8 demand rows × 1-6 candidates), whole weights and
    ``p`` >= 1."""
    n = draw(st.integers(2, 8))
    m = draw(st.integers(1, 6))
    cost = np.array(draw(st.lists(st.lists(st.integers(0, 20), min_size=m, max_size=m),
                                  min_size=n, max_size=n)), dtype=float)  # fmt: skip
    w = np.array(draw(st.lists(st.integers(0, 5), min_size=n, max_size=n)), dtype=float)
    p = draw(st.integers(1, m))
    return cost, w, p


def brute_force(prob, p: int, n_c: int) -> tuple[float, tuple[int, ...]]:
    """The best feasible set of at most ``p`` of ``n_c`` candidates of a maximisation
    problem (with spacing, ``p`` may not all fit), and its value."""
    best, arg = -1.0, ()
    combos = (c for k in range(p + 1) for c in itertools.combinations(range(n_c), k))
    for combo in combos:
        if prob.feasible(combo):
            v = prob.objective(combo)
            if v > best + 1e-9:
                best, arg = v, combo
    return best, arg


def swain() -> tuple[np.ndarray, np.ndarray]:
    """Swain's 55 points: squared distances (ties at exactly S count as covered) and demand."""
    rows = (BENCH / "mclp" / "swain.txt").read_text().split("\n")[1:]
    data = np.array([[float(v) for v in r.split()] for r in rows if r.strip()])
    xy, d = data[:, 1:3], data[:, 3]
    return ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1), d


def served_linprog(value, w, cap, sel) -> float:
    """The best split of demand between the sites ``sel`` within their capacities, by
    scipy's LP solver: the oracle for the capacitated problem."""
    from scipy.optimize import linprog

    pairs = [(i, j) for j in sel for i in range(len(w)) if value[i, j] > 0 and w[i] > 0]
    if not pairs:
        return 0.0
    c = [-w[i] * value[i, j] for i, j in pairs]
    a, b = [], []
    for i in {i for i, _ in pairs}:
        a.append([1.0 if pi == i else 0.0 for pi, _ in pairs])
        b.append(1.0)
    for j in sel:
        a.append([w[pi] if pj == j else 0.0 for pi, pj in pairs])
        b.append(cap[j])
    res = linprog(c, A_ub=a, b_ub=b, bounds=(0, 1), method="highs")
    return -res.fun
