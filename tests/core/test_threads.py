"""Threads for kernels that leave the GIL: results in order, errors raised where reached."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from planner.core import _threads


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_results_come_in_the_items_order(workers):
    def slow_first(i: int) -> int:
        time.sleep(0.02 if i % 3 == 0 else 0.0)
        return i * i

    got = list(_threads.ordered_map(slow_first, range(20), workers=workers))
    assert got == [i * i for i in range(20)]


def test_more_than_one_worker_runs_beside_the_caller():
    seen = set()

    def where(i: int) -> int:
        seen.add(threading.current_thread().name)
        return i

    assert list(_threads.ordered_map(where, range(8), workers=2)) == list(range(8))
    assert threading.current_thread().name not in seen


def test_an_error_is_raised_when_its_result_is_reached_and_later_items_never_start():
    started = []

    def fail_at_3(i: int) -> int:
        started.append(i)
        if i == 3:
            raise ValueError("three")
        return i

    got = []
    with pytest.raises(ValueError, match="three"):
        for r in _threads.ordered_map(fail_at_3, range(100), workers=2, ahead=1):
            got.append(r)
    assert got == [0, 1, 2]
    assert max(started) < 10  # only a bounded number computed ahead


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
def test_balanced_runs_cover_every_item_once_with_about_equal_work(parts):
    work = np.random.default_rng(3).integers(1, 100, 50)
    runs = _threads.balanced(work, parts)
    assert 1 <= len(runs) <= parts
    assert np.concatenate([np.arange(50)[r] for r in runs]).tolist() == list(range(50))
    shares = [work[r].sum() for r in runs]
    assert max(shares) <= work.sum() / parts + work.max()


def test_balanced_of_nothing_is_no_run():
    assert _threads.balanced(np.array([]), 2) == []
