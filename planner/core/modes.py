"""Travel modes as data.

A mode is a table: speed by OSM ``highway`` class, which classes are allowed at all, and how
one-way streets are treated. Speeds are in km/h at this edge and converted to m/s inside.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from .errors import ConfigError, FieldError
from .slope import SlopeRule, rule_for

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
    slope
        How speeds follow the grade when a DEM is given (:mod:`planner.core.slope`); None:
        the preset's rule (``tobler`` walking, ``ebike`` for e-bikes, ``none`` driving).
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
    slope: SlopeRule | None = None

    @property
    def slope_rule(self) -> SlopeRule:
        """The slope rule: :attr:`slope`, else the preset's (see :func:`rule_for`)."""
        return self.slope if self.slope is not None else rule_for(self.name)

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
        raise FieldError(
            "mode", "{mode}: unknown travel mode {got!r}; use one of {choices}",
            got=mode, choices=", ".join(MODES),
        ) from None  # fmt: skip
