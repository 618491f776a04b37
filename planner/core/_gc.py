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


_paused = 0
_was_enabled = False


@contextmanager
def collector_paused(*, lasting: bool = False) -> Iterator[None]:
    """Within the block no automatic collection runs at all (:func:`gc.disable`); leaving
    the outermost block turns the collector back on if it was on. ``lasting``: what the
    block makes lives on (a run's inputs), so within a :func:`frozen_heap` block the
    objects alive as it ends join the frozen ones (they would otherwise all be walked by
    the next collection, and the one after).

    For blocks that build many objects and next to no cyclic garbage, such as reading
    files into frames and geometries: a run's network alone is some 200,000 geometries,
    and building them set off full passes of the collector over every object alive (a
    quarter of a second on a country-scale network). Garbage without cycles is freed as
    usual, by reference counting."""
    global _paused, _was_enabled
    with _lock:
        if _paused == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _paused += 1
    try:
        yield
    finally:
        with _lock:
            if lasting and _depth > 0:
                gc.freeze()  # undone with the rest as the frozen_heap block ends
            _paused -= 1
            if _paused == 0 and _was_enabled:
                gc.enable()
