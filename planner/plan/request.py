"""What a plan is asked to do: thresholds, goals, objective, method and limits."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..core.defaults import DEFAULT_TARGETS
from ..core.errors import ConfigError


def _numbers(text: object, flag: str, example: str, *, percent: bool = False) -> list[float]:
    """A comma-separated string such as ``"8,10,15"`` (with ``percent``, ``"80%,90%"`` too:
    the caller scales) or a sequence of numbers, as floats; a clear error naming ``flag``
    otherwise."""
    if isinstance(text, str):
        parts: list[Any] = [p.strip() for p in text.split(",") if p.strip()]
        if percent:
            parts = [p.rstrip("%") for p in parts]
    else:
        try:
            parts = list(text)  # type: ignore[call-overload]
        except TypeError:
            parts = [text]
    try:
        values = [float(p) for p in parts]
    except (TypeError, ValueError):
        raise ConfigError(f"{flag}: expected numbers such as {example}, got {text!r}") from None
    if not all(np.isfinite(values)):
        raise ConfigError(f"{flag}: expected finite numbers such as {example}, got {text!r}")
    return values


def validate_minutes(minutes: object) -> tuple[float, ...]:
    """Check service-circle thresholds (minutes): positive, finite, strictly increasing.

    Accepts a sequence of numbers or a comma-separated string such as ``"8,10,15"``.
    """
    values = tuple(_numbers(minutes, "--minutes", "8,10,15"))
    if not values:
        raise ConfigError("--minutes: give at least one threshold, such as 8,10,15")
    if any(not (0 < v < 24 * 60) for v in values):
        raise ConfigError(f"--minutes: thresholds must be between 0 and 1440, got {values}")
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise ConfigError(
            f"--minutes: thresholds must be strictly increasing, got {values}; "
            "write them in order, such as 8,10,15"
        )
    return values


def validate_minute_weights(weights: object, minutes: tuple[float, ...]) -> tuple[float, ...]:
    """Weight of each service circle in the coverage objective, one per threshold, such as
    ``"3,2,1"``: demand within 8 minutes then counts 3 + 2 + 1 = 6 times, within 15 minutes
    only once. ``None`` gives 1 each."""
    if weights is None or (isinstance(weights, str) and not weights.strip()):
        return tuple([1.0] * len(minutes))
    values = _numbers(weights, "--minute-weights", "3,2,1")
    if len(values) != len(minutes):
        raise ConfigError(
            f"--minute-weights: give one weight per threshold ({len(minutes)} for --minutes "
            f"{','.join(f'{m:g}' for m in minutes)}), got {len(values)}"
        )
    if any(v < 0 for v in values) or not any(v > 0 for v in values):
        raise ConfigError(
            f"--minute-weights: weights must be >= 0 and at least one above 0, got {values}"
        )
    return tuple(values)


def validate_targets(targets: object, minutes: tuple[float, ...]) -> tuple[float, ...]:
    """Goal shares (0-1, or percentages 0-100), one per threshold, such as ``"0.8,0.9,1"``.

    ``None`` gives the defaults (80/90/100%) for three thresholds; for another number of
    thresholds, 100% within the widest and no goal for the others.
    """
    if targets is None:
        if len(minutes) == len(DEFAULT_TARGETS):
            return DEFAULT_TARGETS
        return tuple([0.0] * (len(minutes) - 1) + [1.0])
    values = _numbers(targets, "--targets", "0.8,0.9,1.0", percent=True)
    if any(v > 1.0 for v in values):
        values = [v / 100.0 for v in values]
    if len(values) != len(minutes):
        raise ConfigError(
            f"--targets: give one share per threshold ({len(minutes)} for --minutes "
            f"{','.join(f'{m:g}' for m in minutes)}), got {len(values)}"
        )
    if any(not (0.0 <= v <= 1.0) for v in values):
        raise ConfigError(f"--targets: shares must be between 0 and 1 (or 0-100%), got {values}")
    return tuple(values)


def parse_reach(text: object, minutes: tuple[float, ...]) -> tuple[float, float] | None:
    """``--reach``: a goal such as ``"90%@10"`` (or ``"0.9@10"``): the share of demand to
    bring within one of the thresholds. Returns ``(minutes, share)``, or None for no goal."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    share_s, sep, mins_s = str(text).partition("@")
    try:
        share = float(share_s.strip().rstrip("%"))
        mins = float(mins_s)
    except ValueError:
        raise ConfigError(
            f"--reach: expected SHARE@MINUTES such as 90%@10 or 0.9@10, got {text!r}"
        ) from None
    if not sep:
        raise ConfigError(f"--reach: expected SHARE@MINUTES such as 90%@10, got {text!r}")
    if share > 1.0 or share_s.strip().endswith("%"):
        share /= 100.0
    if not (0.0 < share <= 1.0):
        raise ConfigError(f"--reach: the share must be above 0 and at most 100%, got {text!r}")
    if not any(abs(mins - m) < 1e-9 for m in minutes):
        raise ConfigError(
            f"--reach: {mins:g} min is not one of the thresholds "
            f"({', '.join(f'{m:g}' for m in minutes)}); use one of them or add it to --minutes"
        )
    return mins, share

