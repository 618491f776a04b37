"""How the slope of a road changes a mode's speed: one documented rule per mode.

A grade is rise over run (``0.05`` = 5% uphill in the direction of travel, negative downhill).
Each rule turns the speed a road class gives on the flat (km/h, from the mode's table) into
the speed on a grade:

- ``tobler`` (walking): Tobler's hiking function, W. Tobler (1993), *Three presentations on
  geographical analysis and modeling*, NCGIA TR 93-1: ``6 · exp(-3.5 · |g + 0.05|)`` km/h,
  scaled so that the flat speed is the class speed. Walking is fastest on a gentle descent
  (``-5%``, about 1.19 × the flat speed) and slows on both steep climbs and steep descents.
- ``ebike`` (e-bike riders): on a climb the rider and the motor together deliver at most
  ``power_w`` watts, so the speed is capped by the cycling power equation
  ``P = v · m · g0 · (crr + g) + ½ · rho · cda · v³`` (rolling resistance and climbing
  plus air drag; Wilson, *Bicycling Science*, 3rd ed., 2004, ch. 4). On the flat that
  speed is above every class speed, so flat roads keep their class speed; on a 8% climb a
  100 kg rider and bike with 350 W reach about 13.7 km/h. On a descent riders gain
  ``descent_gain`` of their speed per unit of grade (``1.5``: 10% down is 15% faster),
  capped at ``descent_max_kph`` (default 25 km/h, the GB 17761-2018 design limit).
- ``none``: speeds do not follow the slope (the driving mode).

The parameters of a rule are the keys of a speeds file's ``[slope]`` table
(:mod:`planner.inputs.settings_files`), such as ``power_w = 300``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from .errors import ConfigError

#: Standard gravity (m/s²) and air density at 20 °C near sea level (kg/m³).
G0 = 9.80665
RHO = 1.204

#: The rules, each with its parameters and their defaults.
RULES: Mapping[str, Mapping[str, float]] = MappingProxyType(
    {
        "tobler": MappingProxyType({"a": 3.5, "b": 0.05}),
        "ebike": MappingProxyType(
            {
                "power_w": 350.0,
                "mass_kg": 100.0,
                "crr": 0.008,
                "cda_m2": 0.6,
                "descent_gain": 1.5,
                "descent_max_kph": 25.0,
            }
        ),
        "none": MappingProxyType({}),
    }
)

#: Steepest grade a road is taken at (rise over run): steeper samples of a DEM are noise at
#: bridges, cuttings and tunnels, where the road does not follow the ground.
MAX_GRADE = 0.35


@dataclass(frozen=True)
class SlopeRule:
    """A rule (:data:`RULES`) with its parameters.

    Parameters
    ----------
    name
        ``"tobler"``, ``"ebike"`` or ``"none"``.
    params
        Parameters overriding the rule's defaults (see :data:`RULES`).
    """

    name: str = "none"
    params: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.name not in RULES:
            raise ConfigError(
                f"slope rule {self.name!r}: use one of {', '.join(RULES)}; fix the speeds file"
            )
        unknown = sorted(set(self.params) - set(RULES[self.name]))
        if unknown:
            raise ConfigError(
                f"slope rule {self.name!r} has no parameters {unknown}; "
                f"it takes {sorted(RULES[self.name]) or 'none'}"
            )
        values = {**RULES[self.name], **{k: float(v) for k, v in self.params.items()}}
        bad = {k: v for k, v in values.items() if not (math.isfinite(v) and v >= 0)}
        if bad or any(values.get(k, 1.0) <= 0 for k in ("power_w", "mass_kg", "descent_max_kph")):
            raise ConfigError(
                f"slope rule {self.name!r}: parameters must be finite and above 0, got "
                f"{bad or values}"
            )
        object.__setattr__(self, "params", MappingProxyType(values))

    @property
    def applies(self) -> bool:
        """False for the rule ``none``: speeds do not follow the slope."""
        return self.name != "none"

    def describe(self) -> dict[str, Any]:
        """The rule as the summary states it."""
        return {"rule": self.name, **dict(self.params)}

    def speed_kph(self, flat_kph: np.ndarray, grade: np.ndarray) -> np.ndarray:
        """Speed (km/h) on ``grade`` (rise over run in the direction of travel, clipped to
        ±:data:`MAX_GRADE`) of a road whose flat speed is ``flat_kph``; 0 stays 0."""
        flat = np.asarray(flat_kph, dtype=float)
        g = np.clip(np.asarray(grade, dtype=float), -MAX_GRADE, MAX_GRADE)
        if self.name == "tobler":
            a, b = self.params["a"], self.params["b"]
            return flat * np.exp(-a * np.abs(g + b)) / math.exp(-a * b)
        if self.name == "ebike":
            return self._ebike(flat, g)
        return np.broadcast_to(flat, np.broadcast(flat, g).shape).astype(float)

    def _ebike(self, flat: np.ndarray, g: np.ndarray) -> np.ndarray:
        p = self.params
        climb = np.minimum(flat, power_limited_kph(g, p))
        down = np.minimum(flat * (1.0 - p["descent_gain"] * g), p["descent_max_kph"])
        down = np.maximum(down, flat)  # a descent is never slower than the flat
        return np.where(g >= 0, climb, np.where(flat > 0, down, 0.0))


def power_limited_kph(grade: np.ndarray, params: Mapping[str, float]) -> np.ndarray:
    """The speed (km/h) at which ``power_w`` balances rolling resistance, climbing and air
    drag on ``grade`` (>= 0): the positive root of
    ``½·rho·cda·v³ + m·g0·(crr + grade)·v − P = 0``, by Cardano's formula (one real root,
    since the cubic's linear coefficient is positive)."""
    a = 0.5 * RHO * params["cda_m2"]
    c = params["mass_kg"] * G0 * (params["crr"] + np.maximum(np.asarray(grade, float), 0.0))
    d = -params["power_w"]
    # depressed cubic v³ + p·v + q = 0 with p = c/a, q = d/a
    pp, q = c / a, d / a
    disc = np.sqrt(q * q / 4.0 + pp**3 / 27.0)
    v = np.cbrt(-q / 2.0 + disc) + np.cbrt(-q / 2.0 - disc)
    return v * 3.6


def rule_for(mode_name: str) -> SlopeRule:
    """The default rule of a preset mode: ``tobler`` for walking, ``ebike`` for e-bikes,
    ``none`` otherwise."""
    return SlopeRule({"walk": "tobler", "ebike": "ebike"}.get(mode_name, "none"))
