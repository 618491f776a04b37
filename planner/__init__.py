"""Service-circle planner: network coverage of rider hotspots by care stations, station
scores against 8/10/15-minute goals, and suggestions for new sites.

The package is split by layer (see ``DESIGN.md``): ``core``, ``inputs``, ``analysis``,
``optimize``, ``plan``, ``outputs``, then ``app`` and ``cli``. The modules most used from
Python are also reachable by their short names (``from planner import network, pipeline``).
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .core.errors import ConfigError, InputError, NetworkError, PlannerError

__all__ = ["ConfigError", "InputError", "NetworkError", "PlannerError", "__version__"]

try:
    __version__ = version("planner")
except PackageNotFoundError:  # pragma: no cover - running from a source tree not installed
    __version__ = "0+unknown"

#: Short names of the modules a library user reaches for, and where they live.
_SHORT_NAMES = {
    "crs": "planner.core.crs",
    "errors": "planner.core.errors",
    "modes": "planner.core.modes",
    "network": "planner.inputs.network",
    "demand": "planner.inputs.demand",
    "sites": "planner.inputs.sites",
    "areas": "planner.inputs.areas",
    "travel": "planner.analysis.travel",
    "coverage": "planner.analysis.coverage",
    "isochrones": "planner.analysis.isochrones",
    "pipeline": "planner.pipeline",
}


def __getattr__(name: str) -> Any:
    if name in _SHORT_NAMES:
        return importlib.import_module(_SHORT_NAMES[name])
    raise AttributeError(f"module 'planner' has no attribute {name!r}")
