"""The network cache through the CLI: ``--no-cache`` neither reads nor stores it, and a run
from the cache (the roads the map and the report draw read from it too) writes the same
files as a run without it (apart from this run's timings and the command line in
``manifest.json``)."""

from __future__ import annotations

import hashlib
import json

from click.testing import CliRunner

from planner.cli import main
from planner.inputs import network_cache


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _manifest(folder):
    data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    data.pop("command", None)
    return data


def _demo(out, *extra):
    args = ["demo", "--out", str(out), "--quiet", "--no-pdf", "--lang", "zh", *extra]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_cached_and_uncached_runs_write_the_same_files(tmp_path, monkeypatch):
    root = tmp_path / "cache"
    monkeypatch.setenv(network_cache.ENV_VAR, str(root))
    plain = _demo(tmp_path / "plain", "--no-cache")
    assert not root.exists() or not any(root.rglob("*.parquet"))
    _demo(tmp_path / "stores")
    assert len(list((root / "networks").iterdir())) == 1
    assert len(list(root.glob("networks/*/derived/display-roads-*.parquet"))) == 1
    cached = _demo(tmp_path / "cached")
    assert cached.replace(str(tmp_path / "cached"), "OUT") == plain.replace(
        str(tmp_path / "plain"), "OUT"
    )
    a, c = _digests(tmp_path / "plain"), _digests(tmp_path / "cached")
    assert set(a) == set(c)
    differ = sorted(n for n in a if a[n] != c[n])
    assert set(differ) <= {"timings.json", "manifest.json"}
    assert _manifest(tmp_path / "plain") == _manifest(tmp_path / "cached")
