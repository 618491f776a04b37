"""The districts on Dask: a ``dask.distributed`` cluster (a ``LocalCluster``, or one already
running at an address), tasks streamed back as they finish, each district's output set
published as soon as it arrives, failures retried then reported, and complete folders
skipped on the next run.

A worker returns a district's files as bytes (:class:`~planner.region.tasks.Outcome`) and
the client publishes them into ``OUT/districts/<safe-name>/`` as one atomic set (see
:mod:`planner.outputs.output_set`), with ``district.json`` holding the district's row of
the region table and the hash of its inputs. A later run skips a district whose folder's
manifest lists every file with its hash and whose inputs hash is the same.
"""

from __future__ import annotations

import collections
import hashlib
import json
import logging
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from ..core._progress import progress
from ..core.errors import FieldError, InputError, PlannerError
from ..outputs import files, output_set
from .tasks import Job, Outcome

log = logging.getLogger(__name__)

#: The file of a district's set holding its row and the hash of its inputs.
DISTRICT_FILE = "district.json"
#: Schemes of a scheduler address (``tcp://host:8786``).
SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")
#: Tasks in flight per worker: more keep workers busy, fewer keep the client's memory low.
IN_FLIGHT_PER_WORKER = 2


class Engine:
    """A Dask client started on first use and closed with :meth:`close`.

    ``scheduler``: ``"local"`` (a ``LocalCluster`` of ``workers`` single-threaded workers;
    ``processes=False`` keeps them in this process, for tests) or an address such as
    ``tcp://host:8786``. ``retries``: how many times a failed district is tried again
    (a task that raises, or whose worker is lost), before it is reported as failed.
    """

    def __init__(
        self,
        scheduler: str = "local",
        workers: int | None = None,
        *,
        processes: bool = True,
        retries: int = 1,
    ) -> None:
        if scheduler != "local" and not scheduler.startswith(SCHEMES):
            raise FieldError(
                "scheduler",
                "{scheduler}: use local or a scheduler address such as tcp://host:8786, "
                "got {got!r}",
                got=scheduler,
            )
        if workers is not None and workers < 1:
            raise FieldError("workers", "{workers}: must be 1 or more, got {got}", got=workers)
        self.scheduler, self.workers, self.processes = scheduler, workers, processes
        self.retries = max(int(retries), 0)
        self._stack = ExitStack()
        self._client: Any = None

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = self._start()
        return self._client

    def _start(self) -> Any:
        import dask
        from dask.distributed import Client, LocalCluster

        allowed = {"distributed.scheduler.allowed-failures": self.retries}
        self._stack.enter_context(dask.config.set(allowed))
        if self.scheduler == "local":
            cluster = self._stack.enter_context(
                LocalCluster(
                    n_workers=self.workers or 1,
                    threads_per_worker=1,
                    processes=self.processes,
                    dashboard_address=":0",
                    silence_logs=logging.WARNING,
                )
            )
            return self._stack.enter_context(Client(cluster))
        try:
            return self._stack.enter_context(Client(self.scheduler, timeout="30s"))
        except (OSError, TimeoutError) as exc:
            raise InputError(
                f"scheduler {self.scheduler!r} cannot be reached ({exc}); check the address "
                "and that the Dask scheduler is running"
            ) from None

    def n_workers(self) -> int:
        return max(len(self.client.scheduler_info().get("workers", {})), 1)

    def close(self) -> None:
        self._stack.close()
        self._client = None

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def stream(
        self,
        fn: Callable[..., Any],
        items: Sequence[tuple[Any, ...]],
        *,
        desc: str,
        prepare: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None,
    ) -> Iterator[tuple[int, Any, BaseException | None]]:
        """Run ``fn(*prepare(item))`` for each item on the cluster; yield ``(position,
        result, None)`` or ``(position, None, error)`` as each finishes, with a progress
        bar. At most :data:`IN_FLIGHT_PER_WORKER` tasks per worker are held at once, and
        ``prepare`` (such as clipping a district's network) runs as each is submitted, so
        that what it makes is held only while its task is in flight.

        A worker that dies takes the tasks it holds with it, and the scheduler counts the
        death against each of them: a district queued beside one that runs out of memory
        would be reported lost with it. So a task lost with its worker is a suspect, tried
        again at the end alone on the cluster, where only its own failures count."""
        from dask.distributed import as_completed

        if not items:
            return
        window = IN_FLIGHT_PER_WORKER * max(self.n_workers(), self.workers or 1)
        todo = collections.deque(range(len(items)))
        where: dict[str, int] = {}
        done = as_completed()

        def make(i: int) -> tuple[Any, ...]:
            return items[i] if prepare is None else prepare(items[i])

        def submit() -> None:
            i = todo.popleft()
            future = self._submit(fn, make(i))
            where[future.key] = i
            done.add(future)

        for _ in range(min(window, len(todo))):
            submit()
        suspects = []
        for future in progress(done, total=len(items), desc=desc):
            i = where.pop(future.key)
            result, error = _outcome(future)
            if todo:
                submit()
            if error is not None and type(error).__name__ == "KilledWorker":
                suspects.append(i)
                continue
            yield i, result, error
        for i in suspects:  # alone: a death now is the task's own
            yield (i, *_outcome(self._submit(fn, make(i))))

    def _submit(self, fn: Callable[..., Any], item: tuple[Any, ...]) -> Any:
        """``fn(*item)`` on the cluster, tried ``retries`` more times if it fails."""
        with warnings.catch_warnings():  # each task carries its district's data
            warnings.filterwarnings("ignore", message=".*Large object.*")
            warnings.filterwarnings("ignore", message="Sending large graph")
            return self.client.submit(fn, *item, pure=False, retries=self.retries)


def _outcome(future: Any) -> tuple[Any, BaseException | None]:
    """A finished future's ``(result, None)`` or ``(None, error)``, the future released."""
    try:
        result, error = future.result(), None
    except Exception as exc:  # a district's failure never loses the others
        result, error = None, exc
    future.release()
    return result, error


def failure_text(exc: BaseException, spell: dict[str, str] | None = None) -> str:
    """One line saying why a district failed."""
    if isinstance(exc, PlannerError):
        return " ".join(exc.render(spell or {}).split())
    name = type(exc).__name__
    if name == "KilledWorker":
        return "its worker was lost on every try (out of memory, or the worker was stopped)"
    return " ".join(f"{name}: {exc}".split())


# --------------------------------------------------------------------------- folders


def publish(out: Path, job: Job, outcome: Outcome) -> Path:
    """Put ``outcome``'s files into ``out/job.folder`` as one atomic set, with
    :data:`DISTRICT_FILE`."""
    folder = out / job.folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    record = {"district": job.name, "inputs_sha256": job.inputs_hash, "row": dict(outcome.row)}
    with output_set.atomic_dir(folder, about=outcome.about) as staging:
        for name, data in outcome.files.items():
            (staging / name).write_bytes(data)
        text = json.dumps(record, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        files.write_text(text, staging / DISTRICT_FILE)
    return folder


def finished_row(out: Path, job: Job) -> dict[str, Any] | None:
    """The stored row of ``job``'s district when its folder is complete (its manifest lists
    :data:`DISTRICT_FILE` and every listed file is there with its size and sha256) and was
    made from the same inputs; else None."""
    folder = out / job.folder
    try:
        manifest = json.loads((folder / output_set.MANIFEST).read_text(encoding="utf-8"))
        listed = {f["name"]: f for f in manifest["files"]}
        if DISTRICT_FILE not in listed or not all(_intact(folder, f) for f in listed.values()):
            return None
        record = json.loads((folder / DISTRICT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if record.get("inputs_sha256") != job.inputs_hash or record.get("district") != job.name:
        return None
    return dict(record["row"])


def _intact(folder: Path, listed: dict[str, Any]) -> bool:
    path = folder / listed["name"]
    if not path.is_file():
        return False
    if listed.get("sha256") is None:  # this run's timings: present is enough
        return True
    data = path.read_bytes()
    return len(data) == listed["bytes"] and hashlib.sha256(data).hexdigest() == listed["sha256"]
