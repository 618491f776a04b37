"""The checks of the options of :func:`planner.inputs.pings.hotspots_from_points`, every
problem at once."""

from __future__ import annotations

import math

import numpy as np

from ..core.errors import InputError

WEIGHT_BY = ("count", "riders", "dwell")
METHODS = ("cluster", "hex")


def check_options(v: dict[str, object]) -> None:
    """Raise one :class:`InputError` naming every option of ``v`` (the arguments of
    :func:`hotspots_from_points`) out of its range; the first is the error's field."""
    res, bounds = v["hex_res"], v["bounds"]
    ok = {
        "weight_by": v["weight_by"] in WEIGHT_BY,
        "method": v["method"] in METHODS,
        **{k: _positive(v[k]) for k in ("max_diameter_m", "eps_m", "moving_kph", "stay_radius_m")},
        "hex_res": bool(isinstance(res, int | np.integer) and 0 <= res <= 15),
        "stay_min_s": v["stay_min_s"] == 0 or _positive(v["stay_min_s"]),
        "bounds": bounds is None or _bounds_ok(bounds),  # type: ignore[arg-type]
    }
    wrong = [name for name in _OPTION_TEXT if not ok[name]]
    if wrong:
        raise InputError.about(
            wrong[0], "; ".join(_OPTION_TEXT[n] for n in wrong),
            **{f"v_{k}": x for k, x in v.items()},
            methods=", ".join(METHODS), weights=", ".join(WEIGHT_BY),
        )  # fmt: skip


def _positive(value: object) -> bool:  # NaN fails the first test, inf the second
    return isinstance(value, int | float | np.number) and bool(value > 0 and math.isfinite(value))


_OPTION_TEXT = {
    "weight_by": "{weight_by}: use one of {weights}, not {v_weight_by!r}",
    "method": "{method}: use one of {methods}, not {v_method!r}",
    "max_diameter_m": "{max_diameter_m}: {v_max_diameter_m:g} must be a distance in metres "
    "above 0, such as 300",
    "eps_m": "{eps_m}: {v_eps_m:g} must be a radius in metres above 0, such as 150",
    "hex_res": "{hex_res}: {v_hex_res} must be an H3 resolution from 0 to 15, such as 9",
    "moving_kph": "{moving_kph}: {v_moving_kph:g} must be a speed in km/h above 0, such as 5",
    "stay_radius_m": "{stay_radius_m}: {v_stay_radius_m:g} must be a radius in metres above 0, "
    "such as 100",
    "stay_min_s": "{stay_min_s}: {v_stay_min_s:g} must be seconds, 0 or more, such as 60",
    "bounds": "{bounds}: {v_bounds} must be west,south,east,north in degrees, west < east and "
    "south < north",
}


def _bounds_ok(bounds: tuple[float, float, float, float]) -> bool:
    try:
        west, south, east, north = (float(b) for b in bounds)
    except (TypeError, ValueError):
        return False
    return -180 <= west < east <= 180 and -90 <= south < north <= 90
