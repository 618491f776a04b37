"""inputs.settings_files: speeds files and POI weight files, and errors that name the file
and the key inside it."""

from __future__ import annotations

import pandas as pd
import pytest

from planner.core.errors import ConfigError
from planner.inputs import network as network_mod
from planner.inputs.settings_files import poi_weights_from_toml

from ..conftest import make_network


def test_poi_weights_file(tmp_path):
    f = tmp_path / "w.toml"
    f.write_text('[weights]\n"amenity=restaurant" = 4\n"shop=*" = 1\n')
    assert poi_weights_from_toml(f) == {"amenity=restaurant": 4.0, "shop=*": 1.0}
    f.write_text("[weights]\nrestaurant = 4\n")
    with pytest.raises(ConfigError, match="amenity=restaurant"):
        poi_weights_from_toml(f)


@pytest.mark.parametrize(
    "text, message",
    [
        ("[weights]\nrestaurant = 4\n",
         'weights."restaurant": a category must look like "amenity=restaurant"'),
        ("[weights]\n'amenity=bar' = -1\n", 'weights."amenity=bar" = -1; give a weight >= 0'),
        ("[weights]\n'amenity=bar' = nan\n", 'weights."amenity=bar" = nan; give a weight >= 0'),
        ("colour = 1\n", 'needs a [weights] table of "key=value" = weight entries'),
        ("[weights\n", "is not valid TOML"),
    ],
)  # fmt: skip
def test_bad_poi_weight_files_name_the_file_and_the_key(tmp_path, text, message):
    f = tmp_path / "w.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        poi_weights_from_toml(f)
    assert str(err.value).startswith(f"POI weights file {str(f)!r}") and message in str(err.value)
    with pytest.raises(ConfigError, match=r"^POI weights file '.*nope.toml' does not exist"):
        poi_weights_from_toml(tmp_path / "nope.toml")


def test_speeds_from_toml_override_the_preset(tmp_path):
    from planner.inputs.settings_files import mode_from_toml

    f = tmp_path / "speeds.toml"
    f.write_text('mode = "ebike"\n[speeds_kph]\nresidential = 12\nsteps = 0\n')
    mode = mode_from_toml(f)
    assert mode.speed_kph["residential"] == 12.0 and "steps" not in mode.speed_kph
    assert mode.speed_kph["primary"] == 20.0  # untouched classes keep the preset
    nodes = {1: (0, 0), 2: (1200, 0)}
    net = make_network(nodes, [{"u": 1, "v": 2}], mode="walk")
    assert net.segments["fwd_s"].iloc[0] == pytest.approx(1200 / (4.8 / 3.6))
    ways = pd.DataFrame({"highway": ["residential"]})
    fwd, _ = network_mod.speeds_kph(ways, mode)
    assert fwd[0] == 12.0


@pytest.mark.parametrize(
    "text, fragment",
    [("[speeds_kph]\nresidential = -3\n", "speeds_kph.residential"),
     ("oneway = 'sometimes'\n", "oneway"),
     ("colour = 'red'\n", "unknown keys"),
     ("[speeds_kph\n", "not valid TOML")],
)  # fmt: skip
def test_bad_speed_files_name_the_problem(tmp_path, text, fragment):
    from planner.inputs.settings_files import mode_from_toml

    f = tmp_path / "speeds.toml"
    f.write_text(text)
    with pytest.raises(ConfigError, match=fragment):
        mode_from_toml(f)


@pytest.mark.parametrize(
    "text, message",
    [("[speeds_kph]\nresidential = -3\n", ": speeds_kph.residential = -3; give a speed in km/h"),
     ("[speeds_kph]\nresidential = nan\n", ": speeds_kph.residential = nan; give a speed"),
     ("speeds_kph = 3\n", ": [speeds_kph] must be a table of numbers"),
     ("oneway = 'sometimes'\n", ": oneway = 'sometimes'; use respect or ignore"),
     ("mode = 'rocket'\n", ": mode = 'rocket'; use one of ebike, walk, drive"),
     ("max_speed_kph = 0\n", ": max_speed_kph = 0; give a speed in km/h above 0"),
     ("max_speed_kph = 'fast'\n", ": max_speed_kph = 'fast'; give a speed in km/h above 0"),
     ("use_maxspeed = 'no'\n", ": use_maxspeed = 'no'; use true or false"),
     ("colour = 'red'\n", " has unknown keys ['colour']; allowed are ['description', "),
     ("[speeds_kph\n", " is not valid TOML (")],
)  # fmt: skip
def test_bad_speed_files_name_the_file_and_the_key(tmp_path, text, message):
    """Messages begin with the file, then the key inside it; no CLI flag."""
    from planner.inputs.settings_files import mode_from_toml

    f = tmp_path / "speeds.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        mode_from_toml(f)
    assert str(err.value).startswith(f"speeds file {str(f)!r}{message}")
    with pytest.raises(ConfigError, match=r"^speeds file '.*nope.toml' does not exist; check"):
        mode_from_toml(tmp_path / "nope.toml")
