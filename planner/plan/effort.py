"""How much effort the optimiser may spend: ``time_limit`` (seconds), checked.

Without it, ``"exact"`` runs until its answer is proven optimal and ``"local"`` stops at a
fixed amount of work (the same answer on any machine). With it, ``"exact"`` stops after
that many seconds with its best answer, bound and gap, and ``"local"`` on models too large
for its proof step spends up to that many seconds trying to close the gap it leaves open:
the answer may then depend on the machine's speed.
"""

from __future__ import annotations

import numpy as np

from ..core.errors import FieldError


def parse_time_limit(value: object) -> float | None:
    """Seconds above 0 (a number or text such as ``"60"``), or None for no limit."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float("nan") if isinstance(value, bool) else float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not (np.isfinite(number) and number > 0):
        raise FieldError(
            "time_limit",
            "{time_limit}: expected seconds above 0 such as 60, got {got!r}",
            got=value,
        )
    return number
