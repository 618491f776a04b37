"""The notebooks run from top to bottom, so they never rot; they are stored without outputs."""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_is_stored_clean(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    assert all(
        not c.get("outputs") and not c.get("execution_count")
        for c in nb.cells
        if c.cell_type == "code"
    ), "store notebooks without outputs"
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    kinds = {k for o in outputs for k in o.get("data", {})}
    assert "text/html" in kinds and "image/png" in kinds  # the map and a chart, inline


def test_there_is_a_notebook():
    assert NOTEBOOKS


#: The inputs the first code cell of a notebook names, so a planner runs it on their files.
INPUT_NAMES = {"NETWORK", "HOTSPOTS", "STATIONS", "CANDIDATES", "CRS", "MODE"}


def _code(path):
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_the_first_cell_names_the_inputs_and_defaults_to_the_demo(path):
    first = ast.parse(_code(path)[0])
    assigned = {t.id: node.value for node in first.body if isinstance(node, ast.Assign)
                for t in node.targets if isinstance(t, ast.Name)}  # fmt: skip
    assert set(assigned) >= INPUT_NAMES
    assert all(isinstance(v, ast.Constant) for v in assigned.values())  # plain paths and words
    assert [n for n in first.body if not isinstance(n, ast.Assign)] == []
    assert ast.literal_eval(assigned["NETWORK"]) is None  # the embedded demo


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebooks_use_only_the_public_api(path):
    private = []
    for source in _code(path):
        for node in ast.walk(ast.parse(source)):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("planner")
            ):
                private += [node.module] if "._" in node.module else []
                private += [a.name for a in node.names if a.name.startswith("_")]
            elif isinstance(node, ast.Import):
                private += [a.name for a in node.names if "._" in a.name]
            elif isinstance(node, ast.Attribute) and node.attr.startswith("_"):
                private.append(node.attr)
    assert private == []
