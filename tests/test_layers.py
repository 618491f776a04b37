"""The layer table of the design, checked on each module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "planner"

FOUNDATION = {"errors", "config", "crs", "_validate", "_progress", "_io", "_osm"}
INPUTS = {"network", "demand", "sites", "areas"}
ANALYSIS = {"travel", "coverage", "isochrones"}
DECISION = {"optimize", "_kernels"}
OUTPUT = {"render", "export"}
ORCHESTRATION = {"pipeline", "cli"}

ALLOWED = {
    **{m: FOUNDATION for m in FOUNDATION},
    # inputs: foundation only, not each other
    **{m: FOUNDATION for m in INPUTS},
    # analysis: travel works on the network it is given; coverage and isochrones read travel
    "travel": FOUNDATION | {"network"},
    "coverage": FOUNDATION | {"travel"},
    "isochrones": FOUNDATION | {"travel", "network"},
    "optimize": FOUNDATION | {"coverage", "_kernels"},
    "_kernels": set(),
    **{m: FOUNDATION for m in OUTPUT},
    "pipeline": FOUNDATION | INPUTS | ANALYSIS | DECISION | OUTPUT,
    "cli": FOUNDATION | INPUTS | ANALYSIS | DECISION | OUTPUT | {"pipeline"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                out.add(node.module.split(".")[0])
            else:
                out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("planner"):
            out.add((node.module or "").split(".")[1] if "." in (node.module or "") else "")
    return out - {""}


def test_every_module_is_in_a_layer():
    modules = {p.stem for p in PKG.glob("*.py")} - {"__init__"}
    assert modules <= set(ALLOWED), modules - set(ALLOWED)


def test_imports_follow_the_layer_table():
    bad = {}
    for path in PKG.glob("*.py"):
        if path.stem == "__init__":
            continue
        extra = _imports(path) - ALLOWED[path.stem]
        if extra:
            bad[path.stem] = sorted(extra)
    assert not bad, f"imports that break the layer table: {bad}"


def test_nothing_imports_cli():
    for path in PKG.glob("*.py"):
        assert "cli" not in _imports(path) or path.stem == "cli"
