"""Defaults every stage shares (minutes, goals, snapping limits, access speed)."""

from __future__ import annotations

#: Service-circle thresholds of the seed documents, in minutes.
DEFAULT_MINUTES: tuple[float, ...] = (8.0, 10.0, 15.0)

#: Goal shares of demand within each default threshold: 80% within 8, 90% within 10 and
#: 100% within 15 minutes.
DEFAULT_TARGETS: tuple[float, ...] = (0.8, 0.9, 1.0)

#: Speed of the access leg between a point and the road it is snapped to (km/h).
ACCESS_WALK_SPEED_KPH: float = 4.8

#: A snap farther than this is reported as a warning (m).
SNAP_WARN_M: float = 300.0
#: A point farther than this from every usable road is excluded and listed (m).
SNAP_MAX_M: float = 1000.0
