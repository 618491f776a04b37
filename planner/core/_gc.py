"""The cyclic garbage collector, kept off the objects a run already holds.

A plan holds hundreds of thousands of Python objects (frames' text columns, the network's
tables, the inputs). Writing its outputs creates millions of small lists, dicts and tuples
(GeoJSON coordinates, workbook cells, the map's data), and every third-generation pass
of the collector walks every object alive, old or new: on a country-scale plan that was
most of the time spent building the GeoJSON features. :func:`frozen_heap` moves the
objects alive on entry out of the collector's sight (:func:`gc.freeze`) and back on exit
(:func:`gc.unfreeze`); new objects are collected as usual, so garbage made while writing
does not pile up.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Within the block, the collector skips the objects alive when it started (a nested
    block adds the objects alive when it starts; all go back when the outermost ends)."""
    global _depth
    with _lock:
        _depth += 1
        gc.freeze()
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                gc.unfreeze()
