"""Progress bars on stderr, shown only on a terminal, and per-stage timing logs."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_ENABLED = {"on": True}


def set_enabled(enabled: bool) -> None:
    """Turn progress bars on or off for this process (``--quiet`` turns them off)."""
    _ENABLED["on"] = bool(enabled)


def progress(items: Iterable[T], *, total: int | None = None, desc: str = "") -> Iterable[T]:
    """Wrap ``items`` in a tqdm bar on stderr when stderr is a terminal; else return as is."""
    if not (_ENABLED["on"] and sys.stderr.isatty()):
        return items
    from tqdm import tqdm

    return tqdm(items, total=total, desc=desc, file=sys.stderr, leave=False)


@contextmanager
def stage(
    logger: logging.Logger, name: str, timings: dict[str, float] | None = None
) -> Iterator[None]:
    """Time a stage; log one INFO line and record the seconds in ``timings[name]``."""
    start = time.perf_counter()
    yield
    seconds = time.perf_counter() - start
    if timings is not None:
        timings[name] = round(seconds, 3)
    logger.info("%s done in %.2f s", name, seconds)
