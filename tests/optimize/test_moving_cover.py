"""The fewest new sites that meet the goals when up to ``moves`` stations may move
(:class:`~planner.optimize.moving_cover.MovingCover`), against brute force over every set of
columns on small random instances."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
import scipy.sparse as sp

from planner.core.errors import ConfigError
from planner.optimize.area_cover import Goal
from planner.optimize.moving_cover import MovingCover

N_S, N_C, N = 3, 8, 16


def _instance(seed: int):
    rng = np.random.default_rng(seed)
    covers = [sp.csc_matrix(rng.random((N, N_S + N_C)) < p) for p in (0.15, 0.3)]
    covers[1] = sp.csc_matrix(covers[0].toarray() | covers[1].toarray())  # nested thresholds
    weights = rng.integers(1, 6, N).astype(float)
    goals = (
        Goal(np.arange(8), 0, 0.6, "a"),
        Goal(np.arange(8, N), 1, 0.8, "b"),
        Goal(np.arange(N), 1, 0.7, "all"),
    )
    return covers, weights, goals


def _meets(covers, weights, goals, cols) -> bool:
    cols = list(cols)
    for g in goals:
        hit = covers[g.threshold][:, cols].toarray().any(axis=1) if cols else np.zeros(N, bool)
        if weights[g.rows][hit[g.rows]].sum() < g.share * weights[g.rows].sum() - 1e-9:
            return False
    return True


def _brute(covers, weights, goals, moves: int, fixed) -> float | None:
    best = None
    for k in range(moves + 1):
        for out in combinations(range(N_S), k):
            kept = [s for s in range(N_S) if s not in out]
            free = [j for j in range(N_S, N_S + N_C) if j not in fixed]
            for size in range(max(0, k - len(fixed)), len(free) + 1):
                if best is not None and len(fixed) + size - k >= best:
                    break
                for rest in combinations(free, size):
                    if _meets(covers, weights, goals, [*kept, *fixed, *rest]):
                        best = len(fixed) + size - k
                        break
    return best


def _start(problem: MovingCover, covers, weights, goals, fixed) -> np.ndarray:
    """Every station, the fixed columns, then candidates in order until the goals are met."""
    sel = [*range(N_S), *fixed]
    for j in range(N_S, N_S + N_C):
        if _meets(covers, weights, goals, sel):
            break
        if j not in sel:
            sel.append(j)
    return np.asarray(sel, dtype=np.int64)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("moves", [1, 2])
def test_every_method_against_brute_force(seed, moves):
    covers, weights, goals = _instance(seed)
    fixed = (N_S + N_C - 1,) if seed % 2 else ()
    if not _meets(covers, weights, goals, range(N_S + N_C)):
        pytest.skip("the goals are out of reach on this draw")
    best = _brute(covers, weights, goals, moves, fixed)
    problem = MovingCover(covers, weights, goals, N_S, moves, fixed=np.asarray(fixed, int))
    start = _start(problem, covers, weights, goals, fixed)
    for method in ("greedy", "local", "exact"):
        moved = problem.solve(start, method)
        s, closed = moved.solution, [int(c) for c in moved.closed]
        opened = [int(j) for j in s.selected]
        kept = [i for i in range(N_S) if i not in closed]
        assert len(closed) <= moves and len(closed) <= len(opened)
        assert opened[: len(fixed)] == [f - N_S for f in fixed]
        assert _meets(covers, weights, goals, [*kept, *(N_S + j for j in opened)])
        assert s.objective == len(opened) - len(closed) >= best
        assert s.bound <= best + 1e-9 and s.objective <= len(start) - N_S
        if method == "exact":
            assert s.objective == best and s.optimal


def test_a_start_that_moves_or_misses_a_goal_is_refused():
    covers, weights, goals = _instance(0)
    problem = MovingCover(covers, weights, goals, N_S, 1)
    with pytest.raises(ConfigError, match="start"):
        problem.solve(np.arange(1, N_S + N_C))  # a station left out
    with pytest.raises(ConfigError, match="moves"):
        MovingCover(covers, weights, goals, N_S, -1)
