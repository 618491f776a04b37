"""The proof step of local search: on models small enough to prove in about a second, the
exact step follows the local answer, warm-started from it, and the answer reads proven
optimal where the old local search left a gap; elsewhere the local bound stays."""

from __future__ import annotations

import numpy as np
import pytest

from planner.optimize import CapacitatedCoverage, MaximalCoverage, SetCover, _kernels
from planner.optimize import solution as sol_mod

from ..conftest import BENCH
from .conftest import need_bench, swain


def _random_mclp(seed: int) -> MaximalCoverage:
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 100, size=(60, 2)), rng.uniform(0, 100, size=(20, 2))
    dist = np.sqrt(((demand[:, None] - sites[None]) ** 2).sum(-1))
    return MaximalCoverage.from_cost_matrix(
        dist, rng.integers(1, 10, 60).astype(float), threshold=20.0, p=4
    )


@pytest.mark.parametrize("seed", [13, 34, 37])
def test_local_proves_a_small_model_the_swaps_leave_open(seed, monkeypatch):
    prob = _random_mclp(seed)
    exact = prob.solve("exact")
    local = prob.solve("local")
    assert local.method == "local"
    assert local.optimal and local.gap == 0.0 and local.objective == exact.objective
    # without the proof step the swaps stop short of a proof on these instances
    monkeypatch.setattr(sol_mod, "PROOF_MAX_PAIRS", 0)
    swaps = prob.solve("local")
    assert not swaps.optimal and swaps.gap > 0


def test_local_proves_swain_s10_p8_which_exact_proves_in_milliseconds():
    need_bench()
    cost, d = swain()
    prob = MaximalCoverage.from_cost_matrix(cost, d, threshold=10.0**2, p=8)
    local = prob.solve("local")
    assert local.objective == 638 and local.optimal and local.gap == 0.0


def test_local_set_cover_proves_the_fewest_on_sjc324_s150():
    need_bench()
    rows = (BENCH / "mclp" / "SJC324.txt").read_text().replace("\r", "").split("\n")[1:]
    xy = np.array([[float(v) for v in r.split()] for r in rows if r.strip()])
    demand = np.loadtxt(BENCH / "mclp" / "demand-SJC324.dat")
    cost = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)
    local = SetCover.from_cost_matrix(cost, demand, threshold=150.0**2).solve("local")
    assert local.objective == 75 and local.optimal and local.bound == 75


@pytest.mark.parametrize("seed", [2, 6])
def test_local_capacitated_proves_a_small_model(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    demand, sites = rng.uniform(0, 100, size=(40, 2)), rng.uniform(0, 100, size=(15, 2))
    dist = np.sqrt(((demand[:, None] - sites[None]) ** 2).sum(-1))
    w = rng.integers(1, 10, 40).astype(float)
    prob = CapacitatedCoverage.from_cost_matrix(
        dist, w, np.full(15, w.sum() / 5), threshold=25.0, p=4
    )
    exact = prob.solve("exact")
    local = prob.solve("local")
    assert local.optimal and local.objective == pytest.approx(exact.objective)
    monkeypatch.setattr(sol_mod, "PROOF_MAX_PAIRS", 0)
    assert not prob.solve("local").optimal


def test_the_proof_step_runs_for_local_on_small_models_only():
    small, large = sol_mod.PROOF_MAX_PAIRS, sol_mod.PROOF_MAX_PAIRS + 1
    # a work limit, never seconds: the same inputs give the same answer on any machine
    work = sol_mod.proof_work(small)
    assert work.nodes >= 2 and sol_mod.proof_work(10).nodes == sol_mod.PROOF_NODES
    assert sol_mod.exact_step("local", None, pairs=small) == (True, work)
    assert sol_mod.exact_step("local", 0.2, pairs=small) == (True, work)
    tiny = _kernels.Work(nodes=1, lp_iterations=1)
    assert sol_mod.exact_step("local", tiny, pairs=small) == (True, tiny)
    assert sol_mod.exact_step("local", None, pairs=large) == (False, None)
    assert sol_mod.exact_step("local", 30.0, pairs=large) == (True, 30.0)  # --time-limit
    assert sol_mod.exact_step("greedy", None, pairs=10) == (False, None)
    assert sol_mod.exact_step("exact", None, pairs=large) == (True, None)
    assert sol_mod.exact_step("exact", 5.0, pairs=large) == (True, 5.0)


def test_a_time_limit_stops_the_lp_search_at_its_first_lp(monkeypatch):
    prob = _random_mclp(13)
    model = prob._milp()
    rel = _kernels.Relaxation(model)
    res = rel.branch_and_bound(-1.0, time_limit_s=1e-9)
    assert res is not None and res.status == "time limit" and not res.optimal
    assert res.bound == -np.inf  # nothing proven: a bound of the caller's stays
    # the instance is reusable: without a limit it proves the optimum
    assert rel.branch_and_bound(-1.0).optimal


def test_a_work_limit_stops_the_search_the_same_way_every_time():
    prob = _random_mclp(13)
    runs = [
        _kernels.Relaxation(prob._milp()).branch_and_bound(
            -1.0, time_limit_s=_kernels.Work(nodes=1, lp_iterations=5)
        )
        for _ in range(2)
    ]
    assert all(r is not None and r.status == "work limit" and not r.optimal for r in runs)
    assert runs[0].x.tolist() == runs[1].x.tolist()


def test_the_proof_step_gives_the_same_certificate_on_every_run():
    sols = [_random_mclp(seed).solve("local") for seed in (13, 13, 34, 34)]
    assert [s.optimal for s in sols[:2]] == [s.optimal for s in sols[2:]] == [True, True]
    assert sols[0].selected.tolist() == sols[1].selected.tolist()
