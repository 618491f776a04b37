"""Work spread over the machine's cores in threads, for kernels that leave the GIL.

GEOS (shapely's vectorised functions), numpy's larger operations and Arrow run outside the
interpreter lock, so a second thread doing such work runs beside the first; Python-level
work does not. :func:`ordered_map` runs a function over items in a few threads and gives the
results back in the items' order, with only a bounded number computed ahead, so the caller
consumes them as if the loop were plain; :func:`balanced` cuts an array of geometries into
runs of about equal work for it.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

import numpy as np

T = TypeVar("T")
R = TypeVar("R")

#: Threads at most, whatever the machine has: the kernels this serves gain little beyond.
MAX_THREADS = 4


def threads(limit: int = MAX_THREADS) -> int:
    """Worker threads for :func:`ordered_map`: the cores this process may run on, at most
    ``limit``, at least 1."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(limit, cores))


def ordered_map(
    fn: Callable[[T], R], items: Iterable[T], *, workers: int | None = None, ahead: int = 2
) -> Iterator[R]:
    """``fn(item)`` for each item, in order, computed in ``workers`` threads (by default
    :func:`threads`), at most ``ahead`` results per worker done or in progress beyond the
    one being consumed. With one worker it is a plain loop in the calling thread.

    An exception raised by ``fn`` is raised when its result is reached; the items started
    after it are waited for and their results dropped, the rest never start."""
    n = threads() if workers is None else max(1, int(workers))
    if n == 1:
        yield from map(fn, items)
        return
    pending: deque[Future[R]] = deque()
    with ThreadPoolExecutor(n, thread_name_prefix="planner") as pool:
        try:
            for item in items:
                pending.append(pool.submit(fn, item))
                if len(pending) >= n * ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for f in pending:
                f.cancel()


def balanced(work: np.ndarray, parts: int) -> list[slice]:
    """At most ``parts`` consecutive runs of the items whose costs are ``work``, each with
    about an equal share of the total (none empty)."""
    total = np.cumsum(np.asarray(work, dtype=float))
    if len(total) == 0:
        return []
    cuts = np.searchsorted(total, total[-1] * np.arange(1, parts) / parts, side="right")
    edges = np.unique(np.concatenate([[0], cuts, [len(total)]]))
    return [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:], strict=True) if b > a]
