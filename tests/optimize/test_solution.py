"""What the problems share: the gap, the proof test, the iterated local search, the method
check and the :class:`Problem` protocol every problem class meets."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from planner.core.errors import ConfigError
from planner.core.units import PROVEN_GAP
from planner.optimize import (
    METHODS,
    CapacitatedCoverage,
    MaximalCoverage,
    PMedian,
    Problem,
    SetCover,
    Solution,
)
from planner.optimize import solution as sol_mod


def _problems() -> list[Problem]:
    rng = np.random.default_rng(11)
    reach = rng.random((20, 6)) < 0.35
    reach[:, 0] = True  # every row reachable: a full cover exists
    cover = sp.csc_matrix(reach.astype(float))
    w = rng.integers(1, 6, 20).astype(float)
    return [
        MaximalCoverage(cover, w, 2),
        CapacitatedCoverage(cover, w, np.full(6, 12.0), 2),
        SetCover(cover, w, target_share=0.9),
        PMedian(rng.uniform(0, 10, (20, 6)), w, 2),
    ]


@pytest.mark.parametrize("problem", _problems(), ids=lambda p: type(p).__name__)
def test_every_problem_meets_the_protocol_and_its_solutions_agree_with_it(problem):
    assert isinstance(problem, Problem)
    for method in METHODS:
        sol = problem.solve(method)
        assert isinstance(sol, Solution) and sol.method == method
        assert problem.feasible(sol.selected), method
        assert sol.objective == pytest.approx(problem.objective(sol.selected))
        assert sol.gap == pytest.approx(
            sol_mod.gap(sol.objective, sol.bound, maximise=problem.maximise)
        )
        better = sol.bound >= sol.objective if problem.maximise else sol.bound <= sol.objective
        assert better and sol.gap >= 0 and sol.seconds >= 0
        if sol.optimal:
            assert sol_mod.proven(sol.objective, sol.bound, maximise=problem.maximise)
    with pytest.raises(ConfigError, match=r"^method: unknown solver 'best'; use one of"):
        problem.solve("best")


def test_solutions_are_frozen():
    sol = Solution(np.zeros(0, np.int64), 0.0, 0.0, 0.0, "greedy")
    with pytest.raises(dataclasses.FrozenInstanceError):
        sol.objective = 1.0


def test_gap_and_proof_by_hand():
    assert sol_mod.gap(90.0, 100.0, maximise=True) == pytest.approx(0.1)
    assert sol_mod.gap(110.0, 100.0, maximise=False) == pytest.approx(10 / 110)
    assert sol_mod.gap(5.0, 0.0, maximise=True) == 0.0  # nothing to gain
    assert sol_mod.gap(0.0, 0.0, maximise=False) == 0.0
    assert sol_mod.gap(101.0, 100.0, maximise=True) == 0.0  # never below 0
    big = 1e6
    assert sol_mod.proven(big * (1 - PROVEN_GAP / 2), big, maximise=True)
    assert not sol_mod.proven(big * (1 - 2 * PROVEN_GAP), big, maximise=True)
    assert sol_mod.proven(big, big * (1 - PROVEN_GAP / 2), maximise=False)
    assert sol_mod.proven(0.0, PROVEN_GAP / 2, maximise=True)  # at least PROVEN_GAP absolute


def test_iterated_local_search_repeats_keeps_the_best_and_stops_at_the_bound():
    """Values: the sum of the chosen items; ``descend`` does nothing, so each kick is kept
    only when it is better. Seeded: two runs agree. Reaching the bound stops the search."""
    value = np.array([1.0, 5.0, 2.0, 8.0, 3.0])
    calls: list[int] = []

    def run(rounds, bound):
        calls.clear()

        def descend(trial):
            calls.append(1)
            return trial

        return sol_mod.iterated_local_search(
            np.array([0, 2]), 3.0, rounds=rounds, pool=np.arange(5), descend=descend,
            value_of=lambda s: float(value[s].sum()), maximise=True, bound=bound,
        )  # fmt: skip

    first = run(30, 100.0)
    assert run(30, 100.0).tolist() == first.tolist()
    assert sorted(first.tolist()) == [1, 3] and len(calls) == 30  # the best pair: 5 + 8
    run(30, 13.0)
    assert len(calls) < 30  # met the bound (13): stopped early
    assert run(0, 100.0).tolist() == [0, 2]


def test_weights_and_methods_are_checked():
    assert sol_mod.check_weights([1, 2], 2).dtype == float
    with pytest.raises(ConfigError, match=r"^weights: expected one per demand row \(3\)"):
        sol_mod.check_weights([1, 2], 3)
    with pytest.raises(ConfigError, match=r"^weights: every weight must be finite"):
        sol_mod.check_weights([1, np.nan], 2)
    sol_mod.check_method("exact")
    with pytest.raises(ConfigError, match="greedy, local, exact"):
        sol_mod.check_method("fast")
