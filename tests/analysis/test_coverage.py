"""analysis.coverage: station scores, catchments and grades, district figures, blind spots;
by hand and on real extracts."""

from __future__ import annotations

import numpy as np
import pytest

from planner.analysis import coverage, travel

from ..conftest import times_from_dense as _times
from .conftest import real_snaps

#: numpy's "invalid value" and "divide by zero" warnings mean a 0 × inf or 0 / 0 somewhere.
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")


INF = np.inf


def test_station_scores_by_hand():
    # 3 stations × 4 hotspots, seconds; thresholds 8 and 10 minutes
    t = [[0, 500, INF, INF], [470, 590, INF, INF], [INF, INF, 610, INF]]
    w = np.array([1.0, 2.0, 4.0, 8.0])
    cov = coverage.Coverage(_times(t), w, (480.0, 600.0))
    s = coverage.station_scores(cov).set_index("station_id")
    assert s.loc["S0", "demand_8"] == 1.0 and s.loc["S0", "demand_10"] == 3.0
    assert s.loc["S1", "demand_8"] == 1.0 and s.loc["S1", "demand_10"] == 3.0
    assert s.loc["S0", "unique_8"] == 0.0 and s.loc["S0", "redundant_8"] == 1.0
    assert s.loc["S2", "demand_10"] == 0.0  # 610 s is beyond 10 minutes
    d = coverage.district_summary(cov)
    assert d["covered"]["8"]["share"] == pytest.approx(1 / 15)
    assert d["covered"]["10"]["share"] == pytest.approx(3 / 15)
    assert d["demand_beyond_limit"] == 8.0  # H3 reaches no station
    assert s.loc["S0", "lost_if_closed_10"] == 0.0 and s.loc["S2", "lost_if_closed_10"] == 0.0


def test_catchments_split_ties_and_grades_by_hand():
    # hotspot weights 1, 2, 4, 8, 16; S0 and S1 tie for H1 at 300 s
    t = [[100, 300, 700, INF, INF], [INF, 300, 400, 500, INF], [INF, INF, INF, 890, INF]]
    w = np.array([1.0, 2.0, 4.0, 8.0, 16.0])
    cov = coverage.Coverage(_times(t), w, (480.0, 600.0, 900.0))
    s = coverage.station_scores(cov, (0.8, 0.9, 1.0)).set_index("station_id")
    # S0: H0 (1) + half of H1 (1); S1: half of H1 (1) + H2 (4) + H3 (8); S2: nothing nearest
    assert s["catchment_demand"].tolist() == [2.0, 13.0, 0.0]
    assert s["catchment_hotspots"].tolist() == [2, 3, 0]
    # S1's catchment: 5 of 13 within 8 min (H1 half, H2), all 13 within 10 min
    assert s.loc["S1", "catchment_within_8"] == pytest.approx(5 / 13)
    assert s.loc["S1", "catchment_within_10"] == 1.0
    assert s["grade"].tolist() == ["A", "B", "-"]
    assert s.loc["S2", "lost_if_closed_15"] == 0.0  # H3 is also within 15 min of S1
    assert s.loc["S1", "lost_if_closed_10"] == 12.0  # H2 and H3: only S1 within 10 min
    assert s.loc["S1", "lost_if_closed_15"] == 0.0  # within 15 min, S0 and S2 take over
    assert s.loc["S1", "lost_if_closed_8"] == 4.0  # H2


def test_coverage_figures_on_a_real_extract(real_ebike):
    """Scores, district figures and blind spots from real travel times: stations with an
    empty catchment get NaN shares and grade "-" (no 0 / 0 warning, module mark)."""
    net = real_ebike
    s, h = real_snaps(net)
    tt = travel.compute(net, s, h, limit_s=900.0)
    w = np.random.default_rng(2).integers(0, 5, len(h)).astype(float)
    cov = coverage.Coverage(tt, w, (480.0, 600.0, 900.0))
    scores = coverage.station_scores(cov, (0.8, 0.9, 1.0))
    empty = scores["catchment_demand"] == 0
    assert empty.any() and scores.loc[empty, "catchment_within_8"].isna().all()
    assert (scores.loc[empty, "grade"] == "-").all()
    assert scores.loc[~empty, "catchment_within_15"].between(0, 1).all()
    d = coverage.district_summary(cov, (0.8, 0.9, 1.0))
    assert 0 <= d["covered"]["8"]["share"] <= d["covered"]["15"]["share"] <= 1
    beyond = coverage.blind_spots(cov)
    assert beyond["beyond_8"].all() and len(beyond) <= len(h)


def test_grade_rule():
    assert coverage.grade([0.85, 0.95, 1.0], [0.8, 0.9, 1.0]) == "A"
    assert coverage.grade([0.5, 0.95, 1.0], [0.8, 0.9, 1.0]) == "B"
    assert coverage.grade([0.9, 0.5, 1.0], [0.8, 0.9, 1.0]) == "C"  # 8-min met alone: not B
    assert coverage.grade([0.9, 0.95, 0.99], [0.8, 0.9, 1.0]) == "D"
    assert coverage.grade([np.nan, np.nan, np.nan], [0.8, 0.9, 1.0]) == "-"


def test_weighted_percentiles_by_hand():
    minutes = np.array([2.0, 5.0, 9.0, np.inf])
    w = np.array([1.0, 1.0, 1.0, 1.0])
    assert coverage.weighted_quantile(minutes, w, 0.5) == 5.0  # 2 of 4 reach 5 min
    assert coverage.weighted_quantile(minutes, w, 0.75) == 9.0
    assert coverage.weighted_quantile(minutes, w, 0.9) == np.inf
    assert coverage.weighted_quantile(minutes, np.array([0, 0, 3.0, 1]), 0.5) == 9.0
    assert np.isnan(coverage.weighted_quantile(minutes, np.zeros(4), 0.5))


def test_district_goals_percentiles_and_blind_spots_by_hand():
    t = [[60, 360, 540, 840, INF]]
    w = np.array([4.0, 3.0, 1.0, 1.0, 1.0])
    cov = coverage.Coverage(_times(t), w, (480.0, 600.0, 900.0))
    d = coverage.district_summary(cov, (0.7, 0.8, 1.0))
    assert [g["share"] for g in d["goals"]] == pytest.approx([0.7, 0.8, 0.9])
    assert [g["attained"] for g in d["goals"]] == [True, True, False]
    assert d["all_goals_attained"] is False
    nm = d["nearest_minutes"]
    assert nm["median"] == 6.0  # 4 + 3 of 10 reach 6 min
    assert nm["p90"] == 14.0
    assert nm["mean_of_reached"] == pytest.approx((4 * 1 + 3 * 6 + 9 + 14) / 9)
    b = coverage.blind_spots(cov)
    assert b["hotspot_id"].tolist() == ["H2", "H3", "H4"]
    assert b["beyond_10"].tolist() == [False, True, True]
    assert b["beyond_15"].tolist() == [False, False, True]
    sub = coverage.district_summary(cov, (0.7, 0.8, 1.0), subset=np.array([0, 0, 1, 1, 0], bool))
    assert sub["total_demand"] == 2.0 and sub["covered"]["10"]["share"] == 0.5


def test_zero_second_pairs_count_as_covered():
    cov = coverage.Coverage(_times([[0.0, INF]]), np.array([5.0, 1.0]), (480.0,))
    assert cov.counts(0).tolist() == [1, 0]


def test_blind_reasons_tell_off_the_network_no_station_on_the_part_and_beyond():
    from planner.analysis import parts

    nearest = np.array([60.0, np.inf, np.inf, np.inf, 700.0])
    hotspot_part = np.array([0, 0, 1, -1, 2])  # part 2 reaches part 0 by a one-way link
    reasons = parts.blind_reasons(nearest, hotspot_part, np.array([0, -1]), 480.0)
    assert list(reasons) == [
        "",
        "beyond 8 min of every station",
        "no station on its part of the network",
        "excluded: far from every usable road",
        "beyond 8 min of every station",
    ]
