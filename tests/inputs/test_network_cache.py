"""The network cache: a second load of the same file and mode reads the stored network, which
is the same network; any change of the key builds anew; a damaged entry is rebuilt."""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from pathlib import Path

import pandas.testing as pdt
import pytest

from planner.app import demo_source
from planner.core.modes import get_mode
from planner.inputs import network, network_cache


@pytest.fixture()
def cache(tmp_path, monkeypatch) -> Path:
    root = tmp_path / "cache"
    monkeypatch.setenv(network_cache.ENV_VAR, str(root))
    return root


@pytest.fixture(scope="module")
def helsinki() -> str:
    return demo_source()


def _entries(root: Path) -> list[Path]:
    return sorted((root / "networks").glob("*")) if (root / "networks").exists() else []


def _same(a: network.Network, b: network.Network) -> None:
    pdt.assert_frame_equal(a.nodes, b.nodes, check_exact=True)
    pdt.assert_frame_equal(a.segments, b.segments, check_exact=True)
    assert a.report == b.report and a.crs == b.crs and a.mode == b.mode
    assert a.source == b.source


def test_second_load_comes_from_the_cache(cache, helsinki, caplog):
    built = network.load(helsinki, mode="walk", cache=True)
    assert len(_entries(cache)) == 1
    with caplog.at_level(logging.INFO, logger="planner.inputs"):
        again = network.load(helsinki, mode="walk", cache=True)
    assert "network from the cache" in caplog.text
    _same(built, again)
    _same(built, network.load(helsinki, mode="walk"))
    assert again.cache_entry == built.cache_entry == _entries(cache)[0]
    assert network.load(helsinki, mode="walk").cache_entry is None


def test_without_cache_nothing_is_stored(cache, helsinki):
    network.load(helsinki, mode="walk", cache=False)
    assert _entries(cache) == []


def test_key_follows_file_mode_speeds_floor_and_layer(tmp_path, helsinki):
    walk = get_mode("walk")
    key = network_cache.Key.of(helsinki, walk, floor=(20, 0.5), road_layer={})
    faster = replace(walk, speed_kph={**walk.speed_kph, "footway": 6.0})
    other_file = tmp_path / "copy.osm.pbf"
    other_file.write_bytes(Path(helsinki).read_bytes() + b"\0")
    others = [
        network_cache.Key.of(helsinki, get_mode("ebike"), floor=(20, 0.5), road_layer={}),
        network_cache.Key.of(helsinki, faster, floor=(20, 0.5), road_layer={}),
        network_cache.Key.of(helsinki, walk, floor=(5, 0.5), road_layer={}),
        network_cache.Key.of(helsinki, walk, floor=(20, 1.0), road_layer={}),
        network_cache.Key.of(helsinki, walk, floor=(20, 0.5), road_layer={"snap_ends_m": 2}),
        network_cache.Key.of(other_file, walk, floor=(20, 0.5), road_layer={}),
    ]
    digests = {key.digest, *(k.digest for k in others)}
    assert len(digests) == 1 + len(others)
    same = network_cache.Key.of(helsinki, get_mode("walk"), floor=(20, 0.5), road_layer={})
    assert same.digest == key.digest


def test_a_speeds_override_is_not_served_the_preset(cache, helsinki):
    walk = get_mode("walk")
    network.load(helsinki, mode=walk, cache=True)
    slow = replace(walk, speed_kph={k: v / 2 for k, v in walk.speed_kph.items()})
    halved = network.load(helsinki, mode=slow, cache=True)
    assert len(_entries(cache)) == 2
    _same(halved, network.load(helsinki, mode=slow))


@pytest.mark.parametrize("damage", ["garbage-json", "truncated-parquet", "other-key"])
def test_a_damaged_entry_is_rebuilt_with_a_warning(cache, helsinki, caplog, damage):
    built = network.load(helsinki, mode="walk", cache=True)
    (entry,) = _entries(cache)
    if damage == "garbage-json":
        (entry / "entry.json").write_text("{not json", encoding="utf-8")
    elif damage == "truncated-parquet":
        data = (entry / "segments.parquet").read_bytes()
        (entry / "segments.parquet").write_bytes(data[: len(data) // 2])
    else:
        meta = json.loads((entry / "entry.json").read_text(encoding="utf-8"))
        meta["key"]["mode"]["oneway"] = "ignore-not"
        (entry / "entry.json").write_text(json.dumps(meta), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        again = network.load(helsinki, mode="walk", cache=True)
    assert "unreadable" in caplog.text and "rebuilding" in caplog.text
    _same(built, again)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        network.load(helsinki, mode="walk", cache=True)  # the rebuilt entry is whole again
    assert "network from the cache" in caplog.text and "unreadable" not in caplog.text


def test_an_unwritable_cache_warns_and_goes_on(tmp_path, monkeypatch, helsinki, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv(network_cache.ENV_VAR, str(blocker))
    with caplog.at_level(logging.WARNING):
        net = network.load(helsinki, mode="walk", cache=True)
    assert net.n_nodes > 0 and "cannot be written" in caplog.text


def test_cache_folder_precedence(tmp_path, monkeypatch):
    monkeypatch.setenv(network_cache.ENV_VAR, str(tmp_path / "own"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert network_cache.cache_dir() == tmp_path / "own"
    monkeypatch.delenv(network_cache.ENV_VAR)
    assert network_cache.cache_dir() == tmp_path / "xdg" / "planner"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert network_cache.cache_dir() == tmp_path / "home" / ".cache" / "planner"


def test_tests_never_use_the_home_cache():
    assert network_cache.cache_dir() != Path.home() / ".cache" / "planner"
