"""Travel times kept as CSR rows batch by batch: the same pairs and seconds as a sort of
every pair with the quicker of duplicates kept, whatever the batches; and the memory budget
stops the computation as soon as the pairs pass what it leaves."""

from __future__ import annotations

import numpy as np
import pytest

from planner.analysis import travel
from planner.core import memory
from planner.inputs.network import csr_min

from .conftest import random_points


@pytest.fixture(scope="module")
def snaps(helsinki_walk):
    """40 sources and 3,000 hotspots, a fifth of them beside a source on its segment."""
    net = helsinki_walk
    pts = random_points(net, 2_440, seed=11)
    rng = np.random.default_rng(3)
    beside = pts[:40][rng.integers(0, 40, 600)] + rng.normal(0, 15, (600, 2))
    sources = travel.snap(net, pts[:40], np.array([f"S{i}" for i in range(40)]))
    hotspots = travel.snap(
        net, np.vstack([pts[40:], beside]), np.array([f"H{i}" for i in range(3_000)])
    )
    return sources, hotspots


def every_pair_sorted(net, sources, targets, limit_s):
    """The pairs as a sort of all of them: each source's Dijkstra block within the limit
    and the direct rides along one segment, the quicker of duplicates kept."""
    graph = travel._graph_with_sources(net, sources)
    legs = travel._target_legs(net, targets)
    rows, cols, vals = [], [], []
    for i in np.flatnonzero((sources.segment >= 0) & (sources.access_s <= limit_s)):
        _, tt = travel._batch_times(graph, np.array([i]), sources, targets, legs, limit_s=limit_s)
        _, c = np.nonzero(tt <= limit_s)
        rows.append(np.full(len(c), i))
        cols.append(c)
        vals.append(tt[0, c])
    i, j, d = travel._direct_rides(net, sources, targets, limit_s=limit_s)
    shape = (len(sources), len(targets))
    return csr_min(np.concatenate([*rows, i]), np.concatenate([*cols, j]),
                   np.concatenate([*vals, d]), shape)  # fmt: skip


def same(a, b) -> bool:
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


def test_rows_kept_per_batch_equal_the_sort_of_every_pair(helsinki_walk, snaps):
    sources, hotspots = snaps
    expected = every_pair_sorted(helsinki_walk, sources, hotspots, 600.0)
    direct = travel._direct_rides(helsinki_walk, sources, hotspots, limit_s=600.0)
    assert len(direct[0]) > 100  # the direct rides along one segment are exercised
    for size in (1, 7, 64):
        tt = travel.compute(helsinki_walk, sources, hotspots, limit_s=600.0, batch_size=size)
        assert same(tt.seconds, expected), size
        assert tt.seconds.has_canonical_format


def test_node_times_do_not_depend_on_the_batches(helsinki_walk, snaps):
    sources, hotspots = snaps
    one, many = (
        travel.compute(helsinki_walk, sources, hotspots, limit_s=600.0, batch_size=size,
                       keep_node_times=True).node_seconds
        for size in (1, 40)
    )  # fmt: skip
    assert same(one, many) and one.nnz > 0


def test_travel_times_stop_when_the_pairs_pass_the_budget(helsinki_walk, snaps):
    sources, hotspots = snaps
    full = travel.compute(helsinki_walk, sources, hotspots, limit_s=600.0)
    budget = memory.Budget(hotspots=len(hotspots), sites=len(sources), thresholds=3)
    room = budget.max_pairs()
    budget = memory.Budget(
        limit_gib=(budget.fixed_bytes() + budget.pair_bytes() * full.seconds.nnz // 2)
        / memory.GIB,
        hotspots=len(hotspots), sites=len(sources), thresholds=3, source="hotspots h.csv",
    )  # fmt: skip
    assert room > full.seconds.nnz > budget.max_pairs()
    with pytest.raises(memory.MemoryLimitError) as err:
        travel.compute(helsinki_walk, sources, hotspots, limit_s=600.0, batch_size=4,
                       budget=budget)  # fmt: skip
    text = err.value.render({"memory_gib": "--memory-gib"})
    assert text.startswith("hotspots h.csv: 3,000 hotspots have ")
    assert "pairs with a site within reach after" in text and "of 40 sites" in text
    assert "--memory-gib" in text and "planner hotspots" in text
    roomy = memory.Budget(hotspots=len(hotspots), sites=len(sources), thresholds=3)
    kept = travel.compute(helsinki_walk, sources, hotspots, limit_s=600.0, budget=roomy)
    assert same(kept.seconds, full.seconds)
