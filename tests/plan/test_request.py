"""PlanRequest: every option validated once, every problem reported at once, messages that
name the request's fields (the CLI spells them as flags)."""

from __future__ import annotations

import pytest

from planner.core.errors import ConfigError, FieldError, RequestError
from planner.plan import objectives
from planner.plan.request import PlanRequest, parse_reach


def test_defaults_are_the_seed_documents_goals():
    r = PlanRequest().validate()
    assert r.minutes == (8.0, 10.0, 15.0) and r.targets == (0.8, 0.9, 1.0)
    assert r.thresholds_s == (480.0, 600.0, 900.0)
    assert isinstance(r.objective, objectives.Coverage) and r.add == 3


@pytest.mark.parametrize(
    "options, kind, field, text",
    [
        ({}, objectives.Coverage, None, None),
        ({"objective": "time"}, objectives.TravelTime, None, None),
        ({"reach": "90%@10"}, objectives.Reach, None, None),
        ({"reach": (10, 0.9)}, objectives.Reach, None, None),
        ({"capacity": 40}, objectives.CapacitatedCoverage, None, None),
        ({"capacity": "容量", "minute_weights": "3,2,1"}, objectives.CapacitatedCoverage, None, ""),
        ({"minute_weights": [3, 2, 1]}, objectives.Coverage, None, None),
        ({"minutes": "10,8"}, None, "minutes", "minutes: thresholds must be strictly increasing"),
        ({"minutes": "8,x"}, None, "minutes", "minutes: expected numbers such as 8,10,15"),
        ({"minutes": "0,10"}, None, "minutes", "between 0 and 1440"),
        ({"targets": "0.8,0.9"}, None, "targets", "targets: give one share per threshold"),
        ({"targets": "80,190,100"}, None, "targets", "between 0 and 1"),
        ({"targets": "0.8,0.9,1.5"}, None, "targets", "mixes fractions (at most 1) and percent"),
        ({"minutes": "5,8,12,15"}, None, "targets", "give one goal share per threshold for"),
        ({"minutes": "5,8,12,15", "targets": "0.5,0.8,0.9,1"}, objectives.Coverage, None, ""),
        ({"add": -1}, None, "add", "add: must be 0 or more"),
        ({"add": 2.5}, None, "add", "add: must be a whole number"),
        ({"method": "magic"}, None, "method", "method: use one of greedy, local, exact"),
        ({"min_spacing_m": -5}, None, "min_spacing_m", "min_spacing_m: must be 0"),
        ({"snap_warn_m": 2000}, None, "snap_warn_m", "lower snap_warn_m or raise snap_max_m"),
        ({"snap_warn_m": 0}, None, "snap_warn_m", "snap_warn_m: must be above 0 m"),
        ({"snap_max_m": "far"}, None, "snap_max_m", "expected a distance in metres"),
        ({"min_spacing_m": "wide"}, None, "min_spacing_m", "expected a distance in metres"),
        ({"add": "x"}, None, "add", "add: must be a whole number, got 'x'"),
        ({"add": True}, None, "add", "add: must be a whole number"),
        ({"capacity": -5}, None, "capacity", "capacity: -5 must be a demand above 0"),
        ({"capacity": "nan"}, None, "capacity", "must be a demand above 0"),
        ({"reach": ("a", 0.9)}, None, "reach", "expected (minutes, share) numbers"),
        ({"objective": "fastest"}, None, "objective", "objective: use one of coverage, time"),
        ({"reach": "95%@9"}, None, "reach", "9 min is not one of the thresholds (8, 10, 15)"),
        ({"reach": "lots@10"}, None, "reach", "expected SHARE@MINUTES"),
        ({"reach": "0@10"}, None, "reach", "the share must be above 0"),
        ({"reach": "1.5@10"}, None, "reach", "a share above 1 without % is ambiguous"),
        ({"reach": "150%@10"}, None, "reach", "at most 100%"),
        ({"reach": "90@10"}, objectives.Reach, None, ""),
        ({"reach": "90%@10", "min_spacing_m": 100}, None, "reach", "drop min_spacing_m"),
        ({"reach": "90%@10", "objective": "time"}, None, "objective", "works with add only"),
        ({"reach": "90%@10", "add": 2}, None, "add", "add and reach both say how many sites"),
        ({"objective": "time", "min_spacing_m": 50}, None, "objective", "works with add only"),
        ({"objective": "time", "capacity": 40}, None, "capacity", "works with add and the cov"),
        ({"reach": "90%@10", "capacity": 40}, None, "capacity", "drop it with objective time"),
        ({"objective": "time", "minute_weights": "3,2,1"}, None, "minute_weights", "only"),
        ({"minute_weights": "3,2"}, None, "minute_weights", "one weight per threshold (3 for"),
        ({"minute_weights": "0,0,0"}, None, "minute_weights", "at least one above 0"),
    ],
)
def test_options_matrix(options, kind, field, text):
    if kind is not None:
        r = PlanRequest.from_options(**options)
        assert type(r.objective) is kind
        return
    with pytest.raises(RequestError) as info:
        PlanRequest.from_options(**options)
    assert [p.field for p in info.value.problems] == [field]
    assert text in str(info.value)
    assert isinstance(info.value, ConfigError) and isinstance(info.value, ValueError)


def test_validate_returns_every_value_in_its_type():
    r = PlanRequest.from_options(
        minutes="8, 10, 15", targets="80%,90%,100%", add="4", min_spacing_m="250",
        snap_warn_m="200", minute_weights="3,2,1",
    )  # fmt: skip
    assert r.minutes == (8.0, 10.0, 15.0) and r.targets == (0.8, 0.9, 1.0) and r.add == 4
    assert (r.min_spacing_m, r.snap_warn_m) == (250.0, 200.0)
    assert r.objective.minute_weights == (3.0, 2.0, 1.0)
    direct = PlanRequest(minutes="8,10,15", targets=(80, 90, 100)).validate()
    assert direct.minutes == (8.0, 10.0, 15.0) and direct.targets == (0.8, 0.9, 1.0)
    reach = PlanRequest(objective=objectives.Reach(minutes="10", share="0.9")).validate()
    assert (reach.objective.minutes, reach.objective.share) == (10.0, 0.9)
    weights = PlanRequest(objective=objectives.Coverage(minute_weights="1,0,0")).validate()
    assert weights.objective.curve_weights(weights.minutes) == (1.0, 0.0, 0.0)


def test_checks_that_depend_on_the_thresholds_wait_for_them():
    """A wrong --minutes is the one problem reported about the thresholds: the goals are
    not checked against thresholds the user never gave."""
    with pytest.raises(RequestError) as info:
        PlanRequest.from_options(minutes="10,8", targets="0.8,0.9", add=-1)
    assert sorted(p.field for p in info.value.problems) == ["add", "minutes"]


def test_every_problem_is_reported_at_once():
    with pytest.raises(RequestError) as info:
        PlanRequest.from_options(minutes="8,10,15", targets="1,2", add=-2, method="x")
    assert sorted(p.field for p in info.value.problems) == ["add", "method", "targets"]
    with pytest.raises(RequestError) as info:
        PlanRequest.from_options(add=-2, method="x", min_spacing_m=-1)
    assert sorted(p.field for p in info.value.problems) == ["add", "method", "min_spacing_m"]
    assert str(info.value).startswith("3 problems: add: must be 0 or more")


def test_messages_name_fields_and_render_as_flags():
    with pytest.raises(RequestError) as info:
        PlanRequest.from_options(objective="time", minute_weights="3,2,1")
    err = info.value
    assert str(err) == (
        "minute_weights: weigh the circles of the coverage objective only; drop it with "
        "objective time or reach"
    )
    flags = {"minute_weights": "--minute-weights", "objective": "--objective", "reach": "--reach"}
    assert err.render(flags) == (
        "--minute-weights: weigh the circles of the coverage objective only; drop it with "
        "--objective time or --reach"
    )


def test_values_in_messages_are_shown_as_given():
    """A value that looks like a field name or holds braces is never re-formatted."""
    with pytest.raises(RequestError) as info:
        PlanRequest.from_options(minutes="{add},{reach}")
    assert "'{add},{reach}'" in info.value.render({"add": "--add", "minutes": "--minutes"})


def test_a_request_built_directly_is_validated_the_same_way():
    bad = PlanRequest(minutes=(10.0, 8.0), objective=objectives.Reach(minutes=9, share=0.5))
    with pytest.raises(RequestError) as info:
        bad.validate()
    assert [p.field for p in info.value.problems] == ["minutes"]
    with pytest.raises(RequestError, match="9 min is not one of the thresholds"):
        PlanRequest(objective=objectives.Reach(minutes=9, share=0.5)).validate()
    with pytest.raises(RequestError, match="one weight per threshold"):
        PlanRequest(objective=objectives.Coverage(minute_weights=(1.0, 2.0))).validate()


def test_unknown_options_are_a_type_error():
    with pytest.raises(TypeError, match="unknown plan options"):
        PlanRequest.from_options(add=3, colour=5)


def test_threshold_weights_is_another_name_of_minute_weights():
    r = PlanRequest.from_options(threshold_weights=(3, 2, 1))
    assert r.objective.curve_weights(r.minutes) == (3.0, 2.0, 1.0)


def test_echo_states_the_objective_as_the_summary_does():
    r = PlanRequest.from_options(reach="90%@10", sources={"network": "x.pbf"})
    assert r.echo() == {
        "network": "x.pbf", "add": 3, "method": "local", "min_spacing_m": 0.0,
        "reach": {"minutes": 10.0, "share": 0.9}, "objective": "coverage",
        "minute_weights": [1.0, 1.0, 1.0], "capacity": None,
    }  # fmt: skip
    assert PlanRequest.from_options(capacity="40").echo()["capacity"] == 40.0
    assert PlanRequest.from_options(capacity="seats").echo()["capacity"] == "seats"


def test_parse_reach_percent_and_fraction():
    assert parse_reach("90%@10", (8, 10, 15)) == (10.0, 0.9)
    assert parse_reach("0.9@10", (8, 10, 15)) == (10.0, 0.9)
    assert parse_reach("", (8, 10, 15)) is None
    with pytest.raises(FieldError):
        parse_reach("90", (8, 10, 15))
