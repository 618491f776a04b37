"""Units and labels: minutes as labels, optimality gaps as people read them, and the one
numerical tolerance every comparison of objective values uses."""

from __future__ import annotations


def minutes(seconds: float) -> float:
    """Seconds (the package's unit) as minutes (the user's)."""
    return float(seconds) / 60.0


def minutes_text(minutes: float) -> str:
    """``8.0`` → ``"8"``, ``7.5`` → ``"7.5"``: a threshold as labels, columns and layers
    name it."""
    return f"{float(minutes):g}"


def minutes_label(seconds: float) -> str:
    """The label of a threshold given in seconds: ``480.0`` → ``"8"``, ``450`` → ``"7.5"``."""
    return minutes_text(minutes(seconds))


#: An answer within this relative distance of its bound counts as proven optimal.
PROVEN_GAP = 1e-6


def gap_label(gap: float) -> str:
    """An optimality gap as people read it: ``0.0029`` → ``"0.29%"``; a gap too small to
    show but above :data:`PROVEN_GAP` is ``"< 0.01%"``, so it does not read as proven."""
    return "< 0.01%" if PROVEN_GAP < gap < 0.00005 else f"{gap:.2%}"


#: Relative tolerance of every comparison of objective values, shares, bounds and minutes.
REL_TOL = 1e-9


def tol(x: float, *, rel: float = REL_TOL) -> float:
    """Tolerance of a comparison with ``x``: ``rel`` (default :data:`REL_TOL`) relative to
    ``|x|``, and at least ``rel`` absolute (``a > b + tol(b)`` is "clearly above")."""
    ax = abs(float(x))
    return rel * (ax if ax > 1.0 else 1.0)


def seconds(minutes: float) -> float:
    """Minutes (the user's unit) as seconds (the package's unit)."""
    return float(minutes) * 60.0


def reaches(share: float, target: float) -> bool:
    """Whether a share of demand meets its goal (within :func:`tol` of it): the one rule for
    goals, stations' grades and the console alike."""
    return bool(share >= target - tol(target))
