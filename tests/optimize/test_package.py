"""The shape of the optimize layer: small modules and functions, a package ``__init__``
that only re-exports, kernels that see only arrays, and library errors that name
arguments, not CLI flags."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import planner.optimize as optimize

OPTIMIZE = Path(optimize.__file__).resolve().parent
MODULES = sorted(OPTIMIZE.rglob("*.py"))
#: What an array-only kernel may import: the standard library, numpy, scipy, HiGHS, core.
KERNEL_IMPORTS = {"numpy", "scipy", "highspy", "functools", "time", "dataclasses", "typing",
                  "collections", "__future__"}  # fmt: skip
#: A CLI flag in a text (``--add``, ``--min-spacing-m``), not a numpydoc underline.
FLAG = re.compile(r"(?<![\w-])--[a-z]")


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text())


def test_public_names_import_from_the_package():
    for name in ["MaximalCoverage", "CapacitatedCoverage", "SetCover", "PMedian", "Solution",
                 "Problem", "spacing_conflicts", "pick_table", "METHODS"]:  # fmt: skip
        assert name in optimize.__all__ and hasattr(optimize, name), name
    assert optimize.METHODS == ("greedy", "local", "exact")


def test_the_package_init_only_re_exports():
    for node in _tree(OPTIMIZE / "__init__.py").body:
        docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        all_list = isinstance(node, ast.Assign) and [
            t.id for t in node.targets if isinstance(t, ast.Name)
        ] == ["__all__"]
        assert docstring or all_list or isinstance(node, ast.ImportFrom), ast.dump(node)[:80]


def test_modules_and_functions_are_small():
    for path in MODULES:
        lines = path.read_text().count("\n")
        assert lines <= 500, f"{path.name}: {lines} lines"
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                assert length <= 60, f"{path.name}:{node.lineno} {node.name}: {length} lines"


def test_kernels_see_only_arrays():
    for path in sorted((OPTIMIZE / "_kernels").glob("*.py")):
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Import):
                names = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: its own package, or core
                    target = "." * node.level + (node.module or "")
                    assert node.level == 1 or target == "...core.units", (path.name, target)
                    continue
                names = [(node.module or "").split(".")[0]]
            else:
                continue
            assert set(names) <= KERNEL_IMPORTS, (path.name, names)


def test_messages_name_arguments_not_flags():
    """No string of the layer spells a CLI flag (``--add``): errors name the argument."""
    for path in MODULES:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                flag = FLAG.search(node.value)
                assert flag is None, (path.name, node.value[:60])
