"""Relocation against brute force on small random instances: the exact answer is the best
set that keeps all stations but at most ``moves``; heuristics stay within the limit."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp

from planner.optimize.relocation import Relocation

N_S, N_C, N_H = 3, 6, 14


def _instance(seed: int):
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, 1500, (N_H, N_S + N_C))
    w = rng.integers(1, 9, N_H).astype(float)
    cover = [sp.csc_matrix(t <= limit) for limit in (600, 900)]
    return [c[:, :N_S] for c in cover], [c[:, N_S:] for c in cover], w, t


def _covered(t, w, sites) -> float:
    sites = list(sites)
    if not sites:
        return 0.0
    near = t[:, sites].min(axis=1)
    return float(w[near <= 600].sum() + w[near <= 900].sum())


def _brute(t, w, p, moves, fixed=()):
    today = _covered(t, w, range(N_S))
    best = -np.inf
    for k in range(moves + 1):
        for closed in combinations(range(N_S), k):
            kept = [s for s in range(N_S) if s not in closed]
            for n in range(p + k + 1):
                for new in combinations(range(N_C), n):
                    if set(fixed) <= set(new):
                        best = max(best, _covered(t, w, [*kept, *(N_S + j for j in new)]))
    return best - today


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("moves", [1, 2])
def test_exact_relocation_is_the_best_within_the_moves(seed, moves):
    st, cand, w, t = _instance(seed)
    r = Relocation(st, cand, w, 1, moves).solve("exact")
    best = _brute(t, w, 1, moves)
    assert r.solution.optimal and r.solution.objective == pytest.approx(best)
    assert len(r.closed) <= moves and len(r.solution.selected) <= 1 + len(r.closed)
    kept = [s for s in range(N_S) if s not in r.closed]
    value = _covered(t, w, [*kept, *(N_S + j for j in r.solution.selected)])
    assert value - _covered(t, w, range(N_S)) == pytest.approx(r.solution.objective)


@pytest.mark.parametrize("method", ["greedy", "local"])
@pytest.mark.parametrize("seed", range(6))
def test_heuristic_relocation_keeps_the_limit_and_a_valid_bound(seed, method):
    st, cand, w, t = _instance(seed)
    r = Relocation(st, cand, w, 1, 1, fixed=[2]).solve(method)
    best = _brute(t, w, 1, 1, fixed=(2,))
    assert 2 in r.solution.selected and len(r.closed) <= 1
    assert len(r.solution.selected) <= 1 + len(r.closed)
    assert r.solution.objective <= best + 1e-9 <= r.solution.bound + 2e-9
    kept = [s for s in range(N_S) if s not in r.closed]
    value = _covered(t, w, [*kept, *(N_S + j for j in r.solution.selected)])
    assert value - _covered(t, w, range(N_S)) == pytest.approx(r.solution.objective)
    # the search starts from the answer that moves no station, and only improves on it
    assert r.solution.objective >= Relocation(st, cand, w, 1, 0, fixed=[2]).solve(
        "greedy").solution.objective - 1e-9  # fmt: skip


def test_zero_moves_is_plain_coverage():
    st, cand, w, t = _instance(0)
    r = Relocation(st, cand, w, 2, 0).solve("exact")
    assert len(r.closed) == 0 and r.solution.objective == pytest.approx(_brute(t, w, 2, 0))
