"""Small units: the size limits of ``[tool.planner.limits]`` in pyproject.toml hold for every
function and module of the package (ruff checks complexity, C901, with the same file)."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "planner"
LIMITS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["planner"]["limits"]


def _modules() -> list[Path]:
    return sorted(PKG.rglob("*.py"))


def test_no_function_is_longer_than_the_limit():
    """From ``def`` to the last line, docstring included."""
    long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > LIMITS["function_lines"]:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert not long, f"functions over {LIMITS['function_lines']} lines: {long}"


def test_no_module_is_longer_than_the_limit():
    long = {
        str(p.relative_to(ROOT)): n
        for p in _modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > LIMITS["module_lines"]
    }
    assert not long, f"modules over {LIMITS['module_lines']} lines: {long}"


def test_the_cli_stays_thin():
    """Each module of the command line (the ``cli`` package) holds options and formatting only."""
    sizes = {
        p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in (PKG / "cli").glob("*.py")
    }
    assert sizes and max(sizes.values()) <= LIMITS["cli_lines"], sizes


def test_the_limits_are_the_ones_agreed():
    assert LIMITS == {"function_lines": 60, "module_lines": 500, "cli_lines": 450}
    ruff = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ruff"]["lint"]
    assert "C901" in ruff["select"] and ruff["mccabe"]["max-complexity"] == 12
