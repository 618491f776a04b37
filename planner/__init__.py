"""Service-circle planner: network coverage of rider hotspots by care stations, station
scores against 8/10/15-minute goals, and suggestions for new sites."""

from __future__ import annotations

from .errors import ConfigError, InputError, NetworkError, PlannerError

__all__ = ["ConfigError", "InputError", "NetworkError", "PlannerError", "__version__"]
__version__ = "0.1.0"
