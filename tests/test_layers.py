"""The layer table of DESIGN.md, checked on every import of every module of the package.

Each import (``from . import x``, ``from ..core import x``, ``from planner.x import y``,
``import planner.x``, also inside functions) is resolved to the module it names; the layer is
the folder under ``planner/``. A layer may import only the layers the table allows.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "planner"

LAYERS = ("core", "inputs", "synthetic", "analysis", "optimize", "plan", "outputs", "region")
TOP = ("app", "cli", "pipeline")

#: Which layers each layer may import (its own folder always).
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "inputs": {"core"},
    "synthetic": {"core", "inputs"},
    "analysis": {"core", "inputs.network", "inputs.points"},
    "optimize": {"core", "analysis.coverage"},
    "plan": {"core", "inputs", "analysis", "optimize"},
    "outputs": {"core", "plan"},
    # region reads the districts file and clips the network (inputs' readers and Network)
    "region": {"core", "inputs", "plan", "outputs"},
    "app": {"core", "inputs", "synthetic", "analysis", "optimize", "plan", "outputs", "region"},
    "pipeline": {"core", "inputs", "analysis", "optimize", "plan", "outputs", "app"},
    "cli": {*LAYERS, "app"},
}

#: Inside ``inputs`` the readers are independent of one another; they share only these.
#: ``_osm_xml`` is the OSM XML road reader behind ``_osm``; ``roads_gis`` (with its
#: ``_noding``) reads a GIS line layer into the way and node frames the network builds from,
#: as ``_osm`` does for OSM sources. ``hours`` reads opening hours and demand by hour for
#: the site and hotspot readers; ``ping_hours`` and ``_ping_checks`` serve ``pings``.
INPUTS_SHARED = {
    "inputs.points", "inputs._osm", "inputs._osm_xml", "inputs.roads_gis", "inputs._noding",
    "inputs.network_cache", "inputs.terrain", "inputs.hours", "inputs.ping_hours",
    "inputs._ping_checks",
}  # fmt: skip


def _module_name(path: Path) -> str:
    rel = path.relative_to(PKG).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _package_of(path: Path) -> list[str]:
    parts = list(path.relative_to(PKG).with_suffix("").parts)
    return parts[:-1]


def _targets(path: Path, text: str | None = None) -> set[str]:
    """Dotted names (below ``planner``) of every module ``path`` imports from the package
    (``text``: the source, when it is not read from ``path``)."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text() if text is None else text)):
        if isinstance(node, ast.Import):
            out |= {a.name[len("planner.") :] for a in node.names if a.name.startswith("planner.")}
            if any(a.name == "planner" for a in node.names):
                out.add("")
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _package_of(path)[: len(_package_of(path)) - (node.level - 1)]
                mod = ".".join([*base, *([node.module] if node.module else [])])
            elif (node.module or "") == "planner" or (node.module or "").startswith("planner."):
                mod = (node.module or "")[len("planner.") :]
            else:
                continue
            for a in node.names:
                out.add(_defined_in(mod, a.name))
        elif isinstance(node, ast.Call) and _names_import_module(node):
            out.add(node.args[0].value[len("planner.") :])  # type: ignore[attr-defined]
    return out


def _is_module(name: str) -> bool:
    base = PKG / name.replace(".", "/")
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def _defined_in(mod: str, name: str) -> str:
    """The module a ``from mod import name`` really reaches: ``mod.name`` when that is a
    module; else the module that defines ``name`` when ``mod`` only re-exports it (a class
    or function imported there from elsewhere); else ``mod``."""
    sub = f"{mod}.{name}" if mod else name
    if _is_module(sub):
        return sub
    if not _is_module(mod):
        return mod
    obj = getattr(importlib.import_module(f"planner.{mod}" if mod else "planner"), name, None)
    if inspect.ismodule(obj) and obj.__name__.startswith("planner."):
        return obj.__name__[len("planner.") :]
    owner = getattr(obj, "__module__", None) if callable(obj) else None
    if isinstance(owner, str) and owner.startswith("planner.") and owner != f"planner.{mod}":
        return owner[len("planner.") :]
    return mod


def _names_import_module(node: ast.Call) -> bool:
    """``importlib.import_module("planner.x")`` or ``import_module("planner.x")``."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    first = node.args[0] if node.args else None
    return (
        name in ("import_module", "__import__")
        and isinstance(first, ast.Constant)
        and isinstance(first.value, str)
        and first.value.startswith("planner.")
    )


def _layer(name: str) -> str:
    return name.split(".")[0]


def _allowed(source: str, target: str) -> bool:
    src, tgt = _layer(source), _layer(target)
    if src == "inputs" and tgt == "inputs":
        return target in INPUTS_SHARED or source in INPUTS_SHARED and target in INPUTS_SHARED
    if src == tgt and src in (*LAYERS, *TOP):
        return True
    rules = ALLOWED[src]
    return tgt in rules or any(target == r or target.startswith(r + ".") for r in rules)


def _modules() -> list[Path]:
    return sorted(p for p in PKG.rglob("*.py"))


def test_every_module_is_in_a_layer():
    stray = [
        _module_name(p)
        for p in _modules()
        if p.parent == PKG
        and p.stem not in (*TOP, "__init__")
        or p.parent != PKG
        and p.relative_to(PKG).parts[0] not in (*LAYERS, *TOP)
    ]
    assert not stray, f"modules outside every layer folder: {stray}"


def test_imports_name_real_modules():
    """No import goes through the package's short names (``from planner import network``):
    inside the package every import names the module where the code lives."""
    bad = {}
    for path in _modules():
        missing = [
            t
            for t in _targets(path)
            if t
            and not (PKG / t.replace(".", "/")).with_suffix(".py").exists()
            and not (PKG / t.replace(".", "/") / "__init__.py").exists()
        ]
        if missing:
            bad[_module_name(path)] = missing
    assert not bad, bad


def test_imports_follow_the_layer_table():
    bad = {}
    for path in _modules():
        source = _module_name(path)
        if source == "":
            continue  # the package's own __init__: version and short names only
        extra = sorted(t for t in _targets(path) if t == "" or not _allowed(source, t))
        if extra:
            bad[source] = extra
    assert not bad, f"imports that break the layer table: {bad}"


def test_nothing_imports_cli():
    users = [
        _module_name(p)
        for p in _modules()
        if p.relative_to(PKG).parts[0] != "cli"
        and any(t == "cli" or t.startswith("cli.") for t in _targets(p))
    ]
    assert not users, users


def test_the_checker_catches_every_import_form():
    """The checker itself: each import form that reaches a higher layer is caught."""
    forms = [
        "from ..plan import run\n",
        "from planner.plan import run\n",
        "import planner.plan.run\n",
        "from planner import pipeline\n",
        "def f():\n    from ..outputs.files import write_csv\n",
        "import importlib\nimportlib.import_module('planner.plan.run')\n",
    ]
    probe = PKG / "analysis" / "_layer_probe.py"  # never written: the source is given
    for text in forms:
        targets = _targets(probe, text)
        assert any(not _allowed("analysis._layer_probe", t) for t in targets), text
    fine = _targets(probe, "from ..core import crs\n")
    assert fine and all(_allowed("analysis._layer_probe", t) for t in fine)


def test_the_checker_follows_names_a_module_only_passes_on():
    """``from ..plan.run import coverage`` in outputs reaches analysis through plan: caught.
    A class defined where it is imported from is not a detour."""
    outputs = PKG / "outputs" / "_layer_probe.py"  # never written
    sneaky = _targets(outputs, "from ..plan.run import coverage\n")
    assert sneaky == {"analysis.coverage"}
    assert not _allowed("outputs._layer_probe", "analysis.coverage")
    optimize = PKG / "optimize" / "_layer_probe.py"
    assert _targets(optimize, "from ..analysis.coverage import TravelTimes\n") == {
        "analysis.travel"
    }
    assert _targets(outputs, "from ..plan.result import Plan\n") == {"plan.result"}
