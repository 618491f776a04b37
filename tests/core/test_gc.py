"""The collector's pauses: off within, back as it was after, nested and together with
frozen heaps."""

from __future__ import annotations

import gc

import pytest

from planner.core._gc import collector_paused, frozen_heap


@pytest.fixture(autouse=True)
def _collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    gc.enable() if was else gc.disable()


def test_paused_within_and_back_on_after_even_on_error():
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer block still holds it
        raise RuntimeError
    assert gc.isenabled()


def test_a_collector_turned_off_before_stays_off():
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled()


def test_lasting_objects_made_in_a_pause_within_a_frozen_heap_are_frozen_then_released():
    before = gc.get_freeze_count()
    with frozen_heap():
        with collector_paused(lasting=True):
            made = [[i] for i in range(10_000)]
        assert gc.is_tracked(made[0])
        assert gc.get_freeze_count() >= before + len(made)
        assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    del made


def test_a_pause_outside_a_frozen_heap_or_not_lasting_freezes_nothing():
    with collector_paused(lasting=True):
        made = [[i] for i in range(1_000)]
    assert gc.get_freeze_count() == 0
    with frozen_heap():
        frozen = gc.get_freeze_count()
        with collector_paused():
            more = [[i] for i in range(1_000)]
        assert gc.get_freeze_count() == frozen
    del made, more
