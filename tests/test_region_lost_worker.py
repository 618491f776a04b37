"""A lost worker, on a real process cluster: a task whose worker dies once is tried again
and succeeds; one that kills every worker it runs on is reported as failed after the
retries, with words a planner reads; the other tasks finish either way."""

from __future__ import annotations

import os
from pathlib import Path

from planner.region import engine


def _work(name: str, marks: str) -> str:
    """``once``: the first try kills its worker process; ``always``: every try does."""
    mark = Path(marks) / name
    if name.startswith("always") or (name.startswith("once") and not mark.exists()):
        mark.touch()
        os._exit(1)  # the worker process dies, as it does when out of memory
    return name.upper()


def test_a_lost_worker_is_retried_and_a_lost_cause_reported(tmp_path):
    items = [(n, str(tmp_path)) for n in ("a", "once", "b", "always", "c")]
    with engine.Engine("local", 1, processes=True, retries=1) as run:
        got = {i: (result, error) for i, result, error in run.stream(_work, items, desc="t")}
    assert [got[i][0] for i in (0, 1, 2, 4)] == ["A", "ONCE", "B", "C"]
    assert got[3][0] is None and type(got[3][1]).__name__ == "KilledWorker"
    assert "its worker was lost on every try" in engine.failure_text(got[3][1])
