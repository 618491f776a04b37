"""Settings files (TOML): speeds per mode and POI demand weights.

Errors begin with the file (``speeds file 'x.toml': ...``) and name the key inside it.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..core.errors import ConfigError
from ..core.modes import MODES, Mode, get_mode
from ..core.slope import RULES, SlopeRule

#: Keys a speeds file may hold.
SPEED_KEYS = (
    "mode", "speeds_kph", "oneway", "max_speed_kph", "use_maxspeed", "description",
    "description_zh", "slope",
)  # fmt: skip


def read_toml(path: str | os.PathLike[str], flag: str) -> dict[str, Any]:
    """Read a TOML settings file; errors name ``flag`` (how the caller calls the file, such
    as the CLI's ``--config``) and the file."""
    p = Path(path)
    return _load(p, missing=f"{flag}: file {str(p)!r}", invalid=f"{flag}: {str(p)!r}")


def _load(p: Path, *, missing: str, invalid: str) -> dict[str, Any]:
    """The TOML table of ``p``; errors begin with ``missing`` (no such file) or ``invalid``."""
    if not p.is_file():
        raise ConfigError(f"{missing} does not exist; check the path")
    try:
        return tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{invalid} is not valid TOML ({exc})") from None


def _read_settings(p: Path, what: str) -> tuple[dict[str, Any], str]:
    """The TOML table of the ``what`` file ``p`` and how errors name it."""
    source = f"{what} file {str(p)!r}"
    return _load(p, missing=source, invalid=source), source


def _is_number(value: Any) -> bool:
    """A finite int or float (not a bool, not NaN or infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def mode_from_toml(path: str | os.PathLike[str], *, base: str | Mode = "ebike") -> Mode:
    """A mode whose speeds and rules are overridden by a TOML file.

    The file may hold ``mode = "walk"`` (the preset to start from, default ``base``), a
    ``[speeds_kph]`` table (``residential = 14``; a class set to 0 is no longer usable) and
    ``oneway`` (``"respect"`` or ``"ignore"``), ``max_speed_kph`` (above 0), ``use_maxspeed``
    (true or false), and a ``[slope]`` table: how speeds follow the grade with ``--dem``
    (``rule = "ebike"|"tobler"|"none"`` and the rule's parameters, see
    :mod:`planner.core.slope`).
    """
    p = Path(path)
    data, source = _read_settings(p, "speeds")
    unknown = sorted(set(data) - set(SPEED_KEYS))
    if unknown:
        raise ConfigError(f"{source} has unknown keys {unknown}; allowed are {sorted(SPEED_KEYS)}")
    start = _start_mode(data, base, source)
    speeds = _speed_table(data.get("speeds_kph", {}), dict(start.speed_kph), source)
    oneway = data.get("oneway", start.oneway)
    if oneway not in ("respect", "ignore"):
        raise ConfigError(f"{source}: oneway = {oneway!r}; use respect or ignore")
    max_speed = data.get("max_speed_kph", start.max_speed_kph)
    if not _is_number(max_speed) or max_speed <= 0:
        raise ConfigError(f"{source}: max_speed_kph = {max_speed!r}; give a speed in km/h above 0")
    use_maxspeed = data.get("use_maxspeed", start.use_maxspeed)
    if not isinstance(use_maxspeed, bool):
        raise ConfigError(f"{source}: use_maxspeed = {use_maxspeed!r}; use true or false")
    return replace(
        start,
        slope=_slope(data.get("slope"), start, source),
        speed_kph=speeds,
        oneway=oneway,
        max_speed_kph=float(max_speed),
        use_maxspeed=use_maxspeed,
        description=str(data.get("description", f"{start.description}; speeds from {p.name}")),
        description_zh=str(
            data.get("description_zh", f"{start.description_zh}；速度取自 {p.name}")
        ),
    )


def _start_mode(data: dict[str, Any], base: str | Mode, source: str) -> Mode:
    """The preset the file starts from: its ``mode`` key, else ``base``."""
    if "mode" not in data:
        return get_mode(base)
    try:
        return get_mode(data["mode"])
    except ConfigError:
        raise ConfigError(
            f"{source}: mode = {data['mode']!r}; use one of {', '.join(MODES)}"
        ) from None


def _slope(table: Any, start: Mode, source: str) -> SlopeRule | None:
    """The ``[slope]`` table as a rule: ``rule`` (default the mode's) and its parameters."""
    if table is None:
        return start.slope
    if not isinstance(table, dict):
        raise ConfigError(f'{source}: [slope] must be a table such as rule = "ebike"')
    params = {k: v for k, v in table.items() if k != "rule"}
    name = table.get("rule", start.slope_rule.name)
    if name not in RULES:
        raise ConfigError(f"{source}: slope.rule = {name!r}; use one of {', '.join(RULES)}")
    for key, value in params.items():
        if not _is_number(value):
            raise ConfigError(f"{source}: slope.{key} = {value!r}; give a number")
    try:
        return SlopeRule(name, params)
    except ConfigError as exc:
        raise ConfigError(f"{source}: [slope]: {exc}") from None


def _speed_table(table: Any, speeds: dict[str, float], source: str) -> dict[str, float]:
    """``speeds`` (km/h per highway class) with the file's ``[speeds_kph]`` applied: a
    class set to 0 is removed (no longer usable)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [speeds_kph] must be a table of numbers")
    for key, value in table.items():
        if not _is_number(value) or value < 0:
            raise ConfigError(f"{source}: speeds_kph.{key} = {value!r}; give a speed in km/h >= 0")
        if value == 0:
            speeds.pop(key, None)
        else:
            speeds[key] = float(value)
    return speeds


def poi_weights_from_toml(path: str | os.PathLike[str]) -> dict[str, float]:
    """Demand weights per POI category from a TOML file: a ``[weights]`` table such as
    ``"amenity=restaurant" = 2`` or ``"shop=*" = 0.5`` (these replace the defaults)."""
    data, source = _read_settings(Path(path), "POI weights")
    table = data.get("weights")
    if not isinstance(table, dict) or not table:
        raise ConfigError(f'{source} needs a [weights] table of "key=value" = weight entries')
    out = {}
    for cat, w in table.items():
        if "=" not in cat or not cat.split("=", 1)[0]:
            raise ConfigError(
                f'{source}: weights."{cat}": a category must look like '
                '"amenity=restaurant" or "shop=*"'
            )
        if not _is_number(w) or w < 0:
            raise ConfigError(f'{source}: weights."{cat}" = {w!r}; give a weight >= 0')
        out[cat] = float(w)
    return out
