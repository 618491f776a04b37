"""analysis.detours: hotspots close to a station in a straight line but far on the network,
on hand-made times with answers known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from planner.analysis import detours, travel
from planner.core.modes import get_mode

from ..conftest import times_from_dense


def _snapped(ids, *, excluded=None, access_s=0.0):
    n = len(ids)
    excluded = np.zeros(n, bool) if excluded is None else np.asarray(excluded)
    return travel.Snapped(
        np.asarray(ids), np.where(excluded, -1, 0), np.zeros(n), np.zeros(n),
        np.full(n, access_s), np.zeros((n, 2)), excluded,
    )  # fmt: skip


def test_top_speed_is_the_fastest_class_capped_by_the_mode():
    assert detours.top_speed_kph(get_mode("ebike")) == 20.0
    assert detours.top_speed_kph(get_mode("walk")) == 4.8
    assert detours.top_speed_kph(get_mode("drive")) == 120.0  # tagged limits are taken


def test_each_rule_flags_its_hotspot_and_no_other():
    # S0 at the origin; hotspots 100 m, 100 m, 500 m, 3 km and 100 m (excluded) east.
    # At 20 km/h: 100 m = 18 s, 500 m = 90 s, 3 km = 540 s straight.
    xs = [100.0, 100.0, 500.0, 3000.0, 100.0]
    hs = detours.Points(
        np.array([[x, 0.0] for x in xs]),
        _snapped(["H0", "H1", "H2", "H3", "H4"], excluded=[0, 0, 0, 0, 1]),
        np.array([0, 0, 1, 0, -1]),
    )
    st = detours.Points(np.zeros((1, 2)), _snapped(["S0"]), np.array([0]))
    # H0 30 s: fine; H1 200 s: 11× and 182 s more; H2 beyond, other part; H3 beyond but
    # 3 km away and 900 s < 4 × 540 s: not known to be a detour
    times = times_from_dense([[30.0, 200.0, np.inf, np.inf, np.inf]])
    out = detours.anomalies(hs, st, times, mode=get_mode("ebike"))
    assert out["detour"][0] == "" and out["detour"][3] == "" and out["detour"][4] == ""
    assert out["detour_factor"][1] == pytest.approx(200 / 18, abs=0.01)
    assert (
        out["detour"][1]
        == "11.1× the straight-line time to station S0 (100 m away in a straight line)"
    )
    assert out["detour"][2] == (
        "station S0 (500 m away in a straight line) is on another part of the network"
    )
    assert np.isnan(out["detour_factor"][2])


def test_a_short_ride_is_not_a_detour_for_its_access_walk():
    # 10 m straight (1.8 s) but 100 s with the walks to and from the kerb: 20 s of riding
    hs = detours.Points(np.array([[10.0, 0.0]]), _snapped(["H0"], access_s=40.0), np.array([0]))
    st = detours.Points(np.zeros((1, 2)), _snapped(["S0"], access_s=40.0), np.array([0]))
    out = detours.anomalies(hs, st, times_from_dense([[100.0]]), mode=get_mode("ebike"))
    assert out["detour"].tolist() == [""]


def test_a_stored_zero_is_a_time_not_a_missing_pair():
    times = times_from_dense([[0.0, np.inf], [5.0, 7.0]])
    got = detours._pair_seconds(times, np.array([0, 0]), np.array([0, 1]))
    assert got[0] == 0.0 and np.isinf(got[1])
