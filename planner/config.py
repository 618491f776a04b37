"""Travel modes as data, and the defaults every stage shares.

A mode is a table: speed by OSM ``highway`` class, which classes are allowed at all, and how
one-way streets are treated. Speeds are in km/h at this edge and converted to m/s inside.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

import numpy as np

from .errors import ConfigError

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

OnewayPolicy = Literal["respect", "ignore"]


@dataclass(frozen=True)
class Mode:
    """A travel mode.

    Parameters
    ----------
    name
        ``"ebike"``, ``"walk"`` or ``"drive"`` (or a custom name).
    speed_kph
        Speed by OSM ``highway`` value, km/h. A class not in the table is not usable.
    oneway
        ``"respect"``: one-way streets are ridden one way only (``oneway=yes|1|true|-1``,
        roundabouts). ``"ignore"``: every way is usable both ways (walking).
    use_maxspeed
        Take a tagged ``maxspeed`` (capped by ``max_speed_kph``) instead of the class default.
    max_speed_kph
        Upper bound on any speed, km/h.
    access_tag
        The OSM tag that grants or denies this mode access (``bicycle``, ``foot``,
        ``motor_vehicle``).
    contraflow_tags
        ``(key, values)`` pairs that allow riding against a one-way street
        (``oneway:bicycle=no``, ``cycleway=opposite``).
    """

    name: str
    speed_kph: Mapping[str, float]
    oneway: OnewayPolicy = "respect"
    use_maxspeed: bool = False
    max_speed_kph: float = 25.0
    access_tag: str = "bicycle"
    contraflow_tags: tuple[tuple[str, tuple[str, ...]], ...] = ()
    description: str = field(default="", compare=False)
    description_zh: str = field(default="", compare=False)

    def describe(self, lang: str = "en") -> str:
        """The mode in words, in Chinese (``"zh"``) where a Chinese text is given."""
        return self.description_zh if lang == "zh" and self.description_zh else self.description

    def __post_init__(self) -> None:
        bad = {k: v for k, v in self.speed_kph.items() if not (0 < float(v) <= 200)}
        if bad:
            raise ConfigError(
                f"mode {self.name!r}: speeds must be in (0, 200] km/h, got {bad}; "
                "fix the speed table"
            )
        object.__setattr__(self, "speed_kph", MappingProxyType(dict(self.speed_kph)))

    def speed_table(self) -> dict[str, float]:
        """The speed table as a plain ``{highway: km/h}`` dict (for reports)."""
        return dict(self.speed_kph)


# E-bike: GB 17761-2018 caps design speed at 25 km/h; urban riding is 15-20 km/h. Footways,
# pedestrian streets and steps are taken at pushing speed; motorways are not usable.
_EBIKE = {
    "trunk": 20.0, "trunk_link": 18.0,
    "primary": 20.0, "primary_link": 18.0,
    "secondary": 20.0, "secondary_link": 18.0,
    "tertiary": 18.0, "tertiary_link": 16.0,
    "unclassified": 16.0, "residential": 16.0, "road": 15.0,
    "living_street": 10.0, "service": 12.0,
    "cycleway": 18.0, "track": 10.0, "path": 8.0, "bridleway": 6.0,
    "footway": 5.0, "pedestrian": 5.0, "corridor": 4.0, "steps": 2.0,
}  # fmt: skip

_WALK_KPH = 4.8
_WALK = {
    k: _WALK_KPH
    for k in (
        "trunk", "trunk_link", "primary", "primary_link", "secondary", "secondary_link",
        "tertiary", "tertiary_link", "unclassified", "residential", "road", "living_street",
        "service", "cycleway", "track", "path", "bridleway", "footway", "pedestrian",
        "corridor",
    )
}  # fmt: skip
_WALK["steps"] = 2.5

_DRIVE = {
    "motorway": 100.0, "motorway_link": 60.0, "trunk": 80.0, "trunk_link": 50.0,
    "primary": 60.0, "primary_link": 40.0, "secondary": 50.0, "secondary_link": 35.0,
    "tertiary": 40.0, "tertiary_link": 30.0, "unclassified": 30.0, "residential": 30.0,
    "road": 30.0, "living_street": 10.0, "service": 15.0,
}  # fmt: skip

MODES: Mapping[str, Mode] = MappingProxyType(
    {
        "ebike": Mode(
            "ebike",
            _EBIKE,
            oneway="respect",
            max_speed_kph=25.0,
            access_tag="bicycle",
            contraflow_tags=(
                ("oneway:bicycle", ("no",)),
                ("cycleway", ("opposite", "opposite_lane", "opposite_track")),
            ),
            description="e-bike rider (GB 17761-2018: at most 25 km/h), pushing on footways",
            description_zh="电动自行车骑行（GB 17761-2018：最高 25 公里/小时），人行道上推行",
        ),
        "walk": Mode(
            "walk",
            _WALK,
            oneway="ignore",
            max_speed_kph=_WALK_KPH,
            access_tag="foot",
            description="walking at 4.8 km/h, both ways on every street",
            description_zh="步行 4.8 公里/小时，所有道路均可双向通行",
        ),
        "drive": Mode(
            "drive",
            _DRIVE,
            oneway="respect",
            use_maxspeed=True,
            max_speed_kph=120.0,
            access_tag="motor_vehicle",
            description="car, tagged maxspeed where present, class defaults otherwise",
            description_zh="小汽车：有限速标注按标注，否则按道路等级默认速度",
        ),
    }
)


def get_mode(mode: str | Mode) -> Mode:
    """Return the :class:`Mode` for a preset name (``ebike``, ``walk``, ``drive``) or a Mode."""
    if isinstance(mode, Mode):
        return mode
    try:
        return MODES[str(mode).lower()]
    except KeyError:
        raise ConfigError(
            f"--mode: unknown travel mode {mode!r}; use one of {', '.join(MODES)}"
        ) from None


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


#: Host venues that can take a care station: ``{osm_key: (values...)}``.
HOST_VENUE_TAGS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "amenity": (
            "community_centre", "social_facility", "townhall", "bank", "pharmacy",
            "post_office", "fuel", "library",
        ),
        "shop": ("mall", "supermarket", "department_store"),
        "tourism": ("hotel",),
    }
)  # fmt: skip

#: Rider pick-up proxies when no rider data exist: weight per ``key=value`` POI category.
#: ``"shop=*"`` is the weight of any other shop. Food delivery dominates rider trips, so
#: restaurants and fast food weigh more than retail.
DEMAND_POI_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "amenity=fast_food": 3.0, "amenity=food_court": 3.0, "amenity=restaurant": 2.0,
        "amenity=cafe": 1.0, "amenity=bar": 0.5, "amenity=pub": 0.5,
        "shop=supermarket": 2.0, "shop=convenience": 2.0, "shop=mall": 3.0,
        "shop=department_store": 2.0, "shop=bakery": 1.0, "shop=*": 0.5,
    }
)  # fmt: skip


def minutes_label(seconds: float) -> str:
    """``480.0`` → ``"8"``, ``450`` → ``"7.5"``: labels for columns, layers and files."""
    return f"{seconds / 60.0:g}"


#: An answer within this relative distance of its bound counts as proven optimal.
PROVEN_GAP = 1e-6


def gap_label(gap: float) -> str:
    """An optimality gap as people read it: ``0.0029`` → ``"0.29%"``; a gap too small to
    show but above :data:`PROVEN_GAP` is ``"< 0.01%"``, so it does not read as proven."""
    return "< 0.01%" if PROVEN_GAP < gap < 0.00005 else f"{gap:.2%}"


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
