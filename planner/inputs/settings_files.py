"""Settings files (TOML): speeds per mode and POI demand weights."""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError
from ..core.modes import Mode, get_mode


def read_toml(path: str | os.PathLike[str], flag: str) -> dict[str, Any]:
    """Read a TOML settings file; errors name the flag and the file."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{flag}: file {str(p)!r} does not exist; check the path")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{flag}: {str(p)!r} is not valid TOML ({exc})") from None


def mode_from_toml(path: str | os.PathLike[str], base: str | Mode = "ebike") -> Mode:
    """A mode whose speeds and rules are overridden by a TOML file.

    The file may hold ``mode = "walk"`` (the preset to start from, default ``base``), a
    ``[speeds_kph]`` table (``residential = 14``; a class set to 0 is no longer usable) and
    ``oneway`` (``"respect"`` or ``"ignore"``), ``max_speed_kph``, ``use_maxspeed``.
    """
    p = Path(path)
    data = read_toml(p, "--speeds")
    known = {
        "mode", "speeds_kph", "oneway", "max_speed_kph", "use_maxspeed", "description",
        "description_zh",
    }  # fmt: skip
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"--speeds: {str(p)!r} has unknown keys {unknown}; allowed are {sorted(known)}"
        )
    start = get_mode(data.get("mode", base))
    speeds = dict(start.speed_kph)
    table = data.get("speeds_kph", {})
    if not isinstance(table, dict):
        raise ConfigError(f"--speeds: {str(p)!r}: [speeds_kph] must be a table of numbers")
    for key, value in table.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise ConfigError(
                f"--speeds: {str(p)!r}: speeds_kph.{key} = {value!r}; give a speed in km/h >= 0"
            )
        if value == 0:
            speeds.pop(key, None)
        else:
            speeds[key] = float(value)
    oneway = data.get("oneway", start.oneway)
    if oneway not in ("respect", "ignore"):
        raise ConfigError(f"--speeds: {str(p)!r}: oneway = {oneway!r}; use respect or ignore")
    return replace(
        start,
        speed_kph=speeds,
        oneway=oneway,
        max_speed_kph=float(data.get("max_speed_kph", start.max_speed_kph)),
        use_maxspeed=bool(data.get("use_maxspeed", start.use_maxspeed)),
        description=str(data.get("description", f"{start.description}; speeds from {p.name}")),
        description_zh=str(
            data.get("description_zh", f"{start.description_zh}；速度取自 {p.name}")
        ),
    )


def poi_weights_from_toml(path: str | os.PathLike[str]) -> dict[str, float]:
    """Demand weights per POI category from a TOML file: a ``[weights]`` table such as
    ``"amenity=restaurant" = 2`` or ``"shop=*" = 0.5`` (these replace the defaults)."""
    p = Path(path)
    data = read_toml(p, "--poi-weights")
    table = data.get("weights")
    if not isinstance(table, dict) or not table:
        raise ConfigError(
            f'--poi-weights: {str(p)!r} needs a [weights] table of "key=value" = weight entries'
        )
    out = {}
    for cat, w in table.items():
        if "=" not in cat or not cat.split("=", 1)[0]:
            raise ConfigError(
                f"--poi-weights: {str(p)!r}: category {cat!r} must look like "
                '"amenity=restaurant" or "shop=*"'
            )
        if not isinstance(w, (int, float)) or isinstance(w, bool) or w < 0:
            raise ConfigError(f"--poi-weights: {str(p)!r}: weight of {cat!r} must be >= 0")
        out[cat] = float(w)
    return out
