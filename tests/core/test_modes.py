"""core.modes: the travel modes as data."""

from __future__ import annotations

import pytest

from planner.core.errors import ConfigError
from planner.core.modes import MODES, get_mode


def test_unknown_mode_is_a_clear_error():
    with pytest.raises(ConfigError, match="^mode: unknown travel mode .rocket."):
        get_mode("rocket")


def test_presets_and_their_rules():
    assert set(MODES) == {"ebike", "walk", "drive"}
    assert get_mode("EBIKE") is MODES["ebike"] and get_mode(MODES["walk"]) is MODES["walk"]
    assert MODES["ebike"].max_speed_kph == 25.0 and "motorway" not in MODES["ebike"].speed_kph
    assert MODES["walk"].oneway == "ignore" and MODES["drive"].use_maxspeed
    with pytest.raises(ConfigError, match="speeds must be in"):
        MODES["ebike"].__class__("bad", {"residential": 0.0})
