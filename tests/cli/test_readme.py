"""The README's library examples run as written: on the embedded Helsinki extract, with
three of its venues as the stations (the examples name Andorra's files)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _library_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## As a library", 1)[1].split("\n### ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_the_readme_has_both_library_examples():
    blocks = _library_examples()
    assert len(blocks) == 2
    assert "PlanRequest" in blocks[0] and "pipeline.plan(" in blocks[1]


@pytest.mark.parametrize("index", [0, 1])
def test_readme_library_example_runs(index, helsinki_pbf, tmp_path, capsys):
    from planner.app import demo_inputs

    stations = tmp_path / "stations.csv"
    demo_inputs(helsinki_pbf)[2][["id", "name", "lon", "lat"]].to_csv(stations, index=False)
    code = _library_examples()[index]
    assert '"andorra.osm.pbf"' in code and '"data/andorra_stations.csv"' in code
    code = code.replace('"andorra.osm.pbf"', repr(str(helsinki_pbf)))
    code = code.replace('"data/andorra_stations.csv"', repr(str(stations)))
    code = code.replace('"out/andorra"', repr(str(tmp_path / "andorra")))
    exec(compile(code, f"README library example {index + 1}", "exec"), {})
    assert (tmp_path / "andorra" / "summary.json").is_file()
    assert (tmp_path / "andorra" / "recommended_sites.csv").is_file()
