"""Distance-decay coverage (DecayCoverage, Decay): the decay functions by hand, and every
method against brute force over every choice of sites."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from planner.core.errors import ConfigError
from planner.optimize import Decay, DecayCoverage, _kernels

STEPS = ((480.0, 1.0), (600.0, 0.7), (900.0, 0.4))


def _decay(kind: str) -> Decay:
    return Decay(kind, 900.0, half_life_s=300.0, steps=STEPS)


def test_the_decay_functions_by_hand():
    t = np.array([0.0, 300.0, 450.0, 480.0, 480.5, 600.0, 899.0, 900.0, 901.0, np.inf])
    lin = _decay("linear")(t)
    assert lin == pytest.approx([1, 2 / 3, 0.5, 1 - 480 / 900, 1 - 480.5 / 900, 1 / 3,
                                 1 / 900, 0, 0, 0])  # fmt: skip
    exp = _decay("exp")(t)
    assert exp[:3] == pytest.approx([1.0, 0.5, 0.5**1.5]) and exp[7] == pytest.approx(0.125)
    assert (exp[8:] == 0).all()  # nothing beyond the widest circle
    step = _decay("step")(t)
    assert step.tolist() == [1.0, 1.0, 1.0, 1.0, 0.7, 0.7, 0.4, 0.4, 0.0, 0.0]


@pytest.mark.parametrize(
    "kwargs, message",
    [({"kind": "cubic"}, "unknown kind"), ({"kind": "exp", "half_life_s": 0.0}, "half-life"),
     ({"kind": "step", "steps": ((600.0, 0.5), (480.0, 1.0))}, "increasing"),
     ({"kind": "step", "steps": ((480.0, 0.5), (600.0, 0.9))}, "not rising"),
     ({"kind": "step", "steps": ((1200.0, 0.5),)}, "within the widest")],
)  # fmt: skip
def test_bad_decays_are_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Decay(widest_s=900.0, **kwargs)


def _instance(seed: int):
    rng = np.random.default_rng(seed)
    n, m = int(rng.integers(2, 16)), int(rng.integers(1, 8))
    t = rng.uniform(0, 900, (n, m)).round(0)
    t[rng.random((n, m)) < 0.4] = np.inf
    t[0, 0] = 0.0  # a stored zero time is a real time
    r, c = np.nonzero(np.isfinite(t))
    times = sp.coo_matrix((t[r, c], (r, c)), shape=(n, m))
    w = rng.integers(0, 5, n).astype(float)
    base = np.where(rng.random(n) < 0.3, rng.uniform(0, 900, n), np.inf)
    allowed = rng.random(m) < 0.85
    p = int(rng.integers(0, allowed.sum() + 1))
    decay = _decay(("linear", "exp", "step")[seed % 3])
    problem = DecayCoverage.from_times(times, w, p, decay, base_seconds=base, allowed=allowed)
    return problem, t, w, base, allowed, p, decay


def _value(t, w, base, decay, chosen) -> float:
    """What ``chosen`` adds, straight from the dense times."""
    before = decay(base)
    after = np.maximum(before, decay(t[:, list(chosen)]).max(axis=1, initial=0.0))
    return float((w * (after - before)).sum())


@pytest.mark.parametrize("seed", range(45))
def test_every_method_against_brute_force(seed):
    problem, t, w, base, allowed, p, decay = _instance(seed)
    combos = list(itertools.combinations(np.flatnonzero(allowed), p))
    best = max(_value(t, w, base, decay, c) for c in combos)
    for method in ("greedy", "local", "exact"):
        sol = problem.solve(method)
        assert problem.feasible(sol.selected) and allowed[sol.selected].all()
        assert sol.objective == pytest.approx(_value(t, w, base, decay, sol.selected))
        assert sol.bound >= best - 1e-9 and sol.objective <= best + 1e-9  # a valid bound
        assert 0 <= sol.gap <= 1
        assert sol.gains.sum() == pytest.approx(sol.objective)
    exact = problem.solve("exact")
    assert exact.optimal and exact.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", range(20))
def test_the_bounds_hold_on_their_own(seed):
    """The greedy online bound, the Lagrangian bound and the LP bound each bound the
    optimum; the MILP's optimum is the optimum."""
    problem, t, w, base, allowed, p, decay = _instance(seed)
    if p == 0:
        return
    best = max(_value(t, w, base, decay, c)
               for c in itertools.combinations(np.flatnonzero(allowed), p))  # fmt: skip
    _, online = problem._greedy()
    assert online >= best - 1e-9
    assert problem._relaxed_bound(0.0) >= best - 1e-9
    model = problem._milp()
    lp = _kernels.solve_milp(*model, relax=True)
    assert -lp.objective >= best - 1e-7
    assert -_kernels.solve_milp(*model).objective == pytest.approx(best, abs=1e-7)


def test_a_hand_built_instance():
    """Two hotspots; the station reaches the first at 450 s (0.5 by linear decay). Site 0
    reaches both at 0 s, site 1 the second at 0 s: site 0 adds 0.5 * 2 + 1 * 1."""
    times = sp.coo_matrix(([0.0, 300.0, 0.0, 0.0], ([0, 0, 1, 1], [0, 1, 0, 1])), shape=(2, 2))
    problem = DecayCoverage.from_times(
        times, [2.0, 1.0], 1, _decay("linear"), base_seconds=np.array([450.0, np.inf])
    )
    sol = problem.solve("exact")
    assert sol.selected.tolist() == [0] and sol.objective == pytest.approx(2.0) and sol.optimal
    assert problem.objective([1]) == pytest.approx(1.0 + 2 * (2 / 3 - 0.5))


def test_no_site_and_bad_arguments():
    times = sp.coo_matrix(np.array([[10.0]]))
    sol = DecayCoverage.from_times(times, [1.0], 0, _decay("linear")).solve()
    assert len(sol.selected) == 0 and sol.objective == 0 and sol.optimal
    with pytest.raises(ConfigError, match="^p: asked for 2 new sites but there are only 1"):
        DecayCoverage.from_times(times, [1.0], 2, _decay("linear"))
    with pytest.raises(ConfigError, match="^value"):
        DecayCoverage(sp.coo_matrix(np.array([[-1.0]])), [1.0], 1)
