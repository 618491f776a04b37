"""Output sets: a folder that always holds exactly one run's complete set of files, replaced
whole or not at all, with a ``manifest.json`` saying what made it.

How a set is published into ``out`` (``<parent>/<name>``):

1. **Claim** (:func:`claim`). The target is checked (never ``''``, a file-system root, the
   home folder, the current folder or a folder holding either of them, a mount point, a
   file, or a folder holding files the planner did not write: see :func:`foreign`). An
   exclusive ``flock`` is taken on ``<parent>/.<name>.lock`` without waiting: a second run
   into the same folder fails at once with :class:`OutputFolderError`. The kernel drops the
   lock when the process ends, however it ends, so a killed run never blocks the next. The
   lock file stays (removing it would let two runs lock two different files).
2. **Clean up** what killed runs left: sibling folders ``<parent>/.<name>.staging-*`` and
   ``.<name>.old-*`` are removed (only the lock holder may touch them); if ``out`` is missing
   while an ``.old-*`` set exists (a kill inside the fallback swap, step 5), that previous
   set is put back first.
3. **Stage**: the new set is written into a fresh sibling ``<parent>/.<name>.staging-XXXX``
   on the same file system. ``out`` is untouched; a kill leaves a staging folder that step 2
   of the next run removes.
4. **Seal**: ``manifest.json`` is written last, listing every file with its size and
   sha256; each file, the manifest and the staging folder are fsynced.
5. **Swap**, one atomic step. If ``out`` does not exist: ``rename(staging, out)``. If it
   does: ``renameat2(staging, out, RENAME_EXCHANGE)`` on Linux (``renamex_np(RENAME_SWAP)``
   on macOS) swaps the two names at once: at every instant ``out`` names either the whole
   previous set or the whole new one, and any reader holding an old file keeps reading it.
   Where the system cannot exchange (another OS, a file system without the operation) the
   fallback is two renames, ``out -> .<name>.old-*`` then ``staging -> out``; between them,
   for microseconds, ``out`` is missing (never a mix), and a kill there is repaired by
   step 2 of the next run, which renames the previous set back. The parent is fsynced.
6. **Discard** the previous set, now at the staging name (or ``.old-*``): removed with the
   folder; a kill during the removal leaves a sibling leftover for step 2 of the next run,
   while ``out`` already holds the new set. Then the lock is released.

So the folder holds one run's files, every one listed in its manifest, and no file of an
older run survives beside a newer set. ``out`` stays a plain folder (``out/map.html`` opens in
a browser); if ``out`` is a symbolic link, the folder it points to is the one replaced.

The rule for replacing an existing folder (:func:`foreign`): it must be empty, or hold only
``manifest.json`` and the files it lists, or (a set written before manifests existed) hold
``summary.json`` and only the names the planner wrote then. Anything else is refused, so the
planner never deletes a file it did not write.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import hashlib
import json
import logging
import os
import shutil
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..core.errors import InputError

log = logging.getLogger(__name__)

#: The file in every set that lists the others.
MANIFEST = "manifest.json"
#: The one file of a set that may differ between runs of the same inputs (stage timings): the
#: manifest lists it without size or hash, so identical runs give identical manifests.
TIMINGS = "timings.json"
MANIFEST_VERSION = 1

#: What a set held before manifests existed; such a folder (with ``summary.json``) may be
#: replaced, as may the staging folders those versions left inside it when killed.
LEGACY_FILES = frozenset(
    {
        "map.html", "stations_scored.csv", "blind_spots.csv", "blind_spots.geojson",
        "report.html", "areas_scored.csv", "service_areas.geojson", "recommended_sites.csv",
        "recommended_sites.xlsx", "recommended_sites.geojson", "coverage_curve.csv",
        "isochrones.geojson", "travel_times.csv", "snapping.csv", "summary.json",
    }
)  # fmt: skip
LEGACY_STAGING = ".planner-staging-"

_CHUNK = 1 << 20


class OutputFolderError(InputError):
    """The output folder cannot be used: a dangerous target, files the planner did not
    write, or another run writing it."""


def planner_version() -> str:
    try:
        return version("planner")
    except PackageNotFoundError:  # pragma: no cover - a source tree not installed
        return "0+unknown"


# --------------------------------------------------------------------------- provenance


def _file_digest(path: Path, *, sync: bool = False) -> dict[str, Any]:
    """Size (bytes) and sha256 of a file; ``sync``: also fsync it."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
        if sync:
            os.fsync(f.fileno())
        size = f.tell()
    return {"bytes": size, "sha256": digest.hexdigest()}


@dataclass(frozen=True)
class Provenance:
    """What made a set, for its manifest: the command line (when run from the CLI) and the
    input files by role (``network``, ``hotspots`` ...), each with its path, size and
    sha256."""

    argv: tuple[str, ...] | None = None
    inputs: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        sources: Mapping[str, str | os.PathLike[str] | None],
        *,
        argv: Sequence[str] | None = None,
    ) -> Provenance:
        """Hash now each source that is a file (others, such as place names, are left to
        the request's echo); ``sources`` maps a role to a path."""
        inputs = {}
        for role, source in sources.items():
            if source is not None and os.path.isfile(source):
                inputs[role] = {"path": os.fspath(source), **_file_digest(Path(source))}
        return cls(None if argv is None else tuple(argv), inputs)


# --------------------------------------------------------------------------- the target


@dataclass(frozen=True)
class Claim:
    """An output folder this thread holds the lock of: ``folder`` (the real path) and how
    the caller named it (``shown``)."""

    folder: Path
    shown: str


def _refuse(shown: str, why: str, fix: str) -> OutputFolderError:
    return OutputFolderError(f"output folder {shown!r} {why}; {fix}")


def _home() -> Path | None:
    try:
        return Path.home().resolve()
    except (RuntimeError, KeyError, OSError):  # no HOME and no password entry
        return None


def target(out: str | os.PathLike[str]) -> tuple[Path, str]:
    """The real folder ``out`` names, and ``out`` as given; dangerous targets refused."""
    shown = os.fspath(out)
    if isinstance(shown, bytes):
        shown = os.fsdecode(shown)
    fix = "name a folder of its own for the outputs, such as out/plan"
    if not shown.strip():
        raise _refuse(shown, "is empty (it would mean the current folder)", fix)
    real = Path(os.path.realpath(shown))
    if real == Path(real.anchor):
        raise _refuse(shown, "is the root of a file system", fix)
    for name, place in (("home", _home()), ("current", Path.cwd().resolve())):
        if place is not None and (real == place or real in place.parents):
            raise _refuse(shown, f"is the {name} folder or holds it", fix)
    if os.path.lexists(real) and not real.is_dir():
        raise _refuse(shown, "is a file, not a folder", fix)
    if real.is_dir() and os.path.ismount(real):
        raise _refuse(shown, "is a mount point, which cannot be swapped", fix)
    return real, shown


def _listed(manifest: Path) -> set[str] | None:
    """The names a manifest lists, or None where it is unreadable."""
    try:
        doc = json.loads(manifest.read_text(encoding="utf-8"))
        return {str(f["name"]) for f in doc["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def foreign(folder: Path) -> list[str]:
    """Entries of an existing folder the planner did not write there (empty: the folder may
    be replaced whole). A folder may be replaced when it is empty, holds ``manifest.json``
    and only the files it lists, or holds ``summary.json`` and only the names of a set
    written before manifests existed."""
    names = sorted(os.listdir(folder))
    if MANIFEST in names:
        listed = _listed(folder / MANIFEST)
        if listed is None:
            return [f"{MANIFEST} (unreadable)"]
        return [n for n in names if n != MANIFEST and n not in listed]
    if names and "summary.json" not in names:
        return names
    return [n for n in names if n not in LEGACY_FILES and not n.startswith(LEGACY_STAGING)]


def _check_replaceable(folder: Path, shown: str) -> None:
    if not folder.is_dir():
        return
    others = foreign(folder)
    if others:
        more = f" and {len(others) - 5} more" if len(others) > 5 else ""
        raise _refuse(
            shown,
            f"holds files the planner did not write ({', '.join(others[:5])}{more})",
            "the folder is replaced whole, so it must be new, empty or a planner output set "
            "(only manifest.json and the files it lists); choose another folder, or move "
            "those files away",
        )


# --------------------------------------------------------------------------- lock, leftovers

_held = threading.local()


def _claims() -> dict[Path, Claim]:
    if not hasattr(_held, "claims"):
        _held.claims = {}
    return _held.claims  # type: ignore[no-any-return]


def _lock(folder: Path, shown: str) -> int:
    """An open descriptor of ``<parent>/.<name>.lock`` holding its exclusive lock."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    path = folder.parent / f".{folder.name}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        _try_lock(fd)
    except BlockingIOError:
        os.close(fd)
        raise _refuse(
            shown,
            f"is being written by another run (it holds {str(path)!r})",
            "wait for that run to finish, or choose another output folder",
        ) from None
    except BaseException:
        os.close(fd)
        raise
    return fd


def _try_lock(fd: int) -> None:
    """Take the lock without waiting (BlockingIOError: another process holds it)."""
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as exc:
            raise BlockingIOError(*exc.args) from None
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def _siblings(folder: Path, kind: str) -> list[Path]:
    """Leftover sibling folders ``.<name>.<kind>-*`` (directories only, never links)."""
    prefix = f".{folder.name}.{kind}-"
    with os.scandir(folder.parent) as entries:
        found = [
            Path(e.path)
            for e in entries
            if e.name.startswith(prefix) and e.is_dir(follow_symlinks=False)
        ]
    return sorted(found, key=lambda p: p.stat().st_mtime)


def _clean(folder: Path) -> None:
    """Put back a previous set a killed fallback swap left aside; remove staging folders
    and older sets killed runs left (the caller holds the lock)."""
    old = _siblings(folder, "old")
    if old and not os.path.lexists(folder):
        os.rename(old.pop(), folder)
        log.warning("put back the previous output set in %s (a run was killed)", folder)
    for leftover in [*old, *_siblings(folder, "staging")]:
        shutil.rmtree(leftover, ignore_errors=True)
        log.info("removed %s, left by a run that was killed", leftover)


@contextmanager
def claim(out: str | os.PathLike[str]) -> Iterator[Claim]:
    """Hold the output folder ``out`` for this run: the target checked, locked, leftovers of
    killed runs cleaned up. A thread holding the claim may claim it again (a no-op), so an
    application can claim before its long work and write the set later.

    Raises :class:`OutputFolderError` for a dangerous target or while another run holds it.
    """
    folder, shown = target(out)
    held = _claims()
    if folder in held:
        yield held[folder]
        return
    _check_replaceable(folder, shown)  # also before the lock: no lock file for a refusal
    fd = _lock(folder, shown)
    try:
        _clean(folder)
        _check_replaceable(folder, shown)
        held[folder] = Claim(folder, shown)
        try:
            yield held[folder]
        finally:
            del held[folder]
    finally:
        os.close(fd)


# --------------------------------------------------------------------------- the swap


@cache
def _exchanger() -> Any:
    """A function ``(a: bytes, b: bytes) -> int`` swapping two paths in one step, or None."""
    if not (sys.platform.startswith("linux") or sys.platform == "darwin"):  # pragma: no cover
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    except OSError:  # pragma: no cover
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        fn = libc.renameat2
        fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
        at_fdcwd, rename_exchange = -100, 2
        return lambda a, b: fn(at_fdcwd, a, at_fdcwd, b, rename_exchange)
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):  # pragma: no cover
        fn = libc.renamex_np
        fn.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        rename_swap = 2
        return lambda a, b: fn(a, b, rename_swap)
    return None  # pragma: no cover


def exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` in one atomic step; False where the system cannot."""
    fn = _exchanger()
    if fn is None:
        return False
    if fn(os.fsencode(a), os.fsencode(b)) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # a kernel or file system without the operation
    raise OSError(err, os.strerror(err), os.fspath(b))


def _swap_by_renames(staging: Path, folder: Path) -> Path:
    """The fallback swap: two renames, ``folder`` missing between them (see step 5)."""
    aside = folder.parent / f".{folder.name}.old-{os.getpid()}-{time.monotonic_ns()}"
    os.rename(folder, aside)
    try:
        os.rename(staging, folder)
    except BaseException:
        os.rename(aside, folder)
        raise
    return aside


def _publish(staging: Path, folder: Path) -> Path | None:
    """Put the staged set at ``folder`` in one step; where the previous set now is."""
    if not os.path.lexists(folder):
        os.rename(staging, folder)
        return None
    if exchange(staging, folder):
        return staging
    return _swap_by_renames(staging, folder)


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":  # pragma: no cover - folders cannot be opened elsewhere
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _seal(staging: Path, about: Mapping[str, Any]) -> None:
    """Write the manifest of the staged files (each fsynced), then fsync the folder."""
    listed = []
    for entry in sorted(staging.iterdir()):
        if not entry.is_file() or entry.is_symlink() or entry.name == MANIFEST:
            raise ValueError(f"an output set holds plain files only, not {entry.name!r}")
        digest = _file_digest(entry, sync=True)
        if entry.name == TIMINGS:
            digest = {"bytes": None, "sha256": None, "note": "this run's timings: not hashed"}
        listed.append({"name": entry.name, **digest})
    doc = {
        "manifest_version": MANIFEST_VERSION,
        "planner_version": planner_version(),
        **about,
        "files": listed,
    }
    text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    with (staging / MANIFEST).open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    _fsync_dir(staging)


def _staging_folder(folder: Path) -> Path:
    """A fresh sibling staging folder, with the mode the published folder should have."""
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.staging-", dir=folder.parent))
    try:
        mode = stat.S_IMODE(folder.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        mode = 0o777 & ~mask
    os.chmod(staging, mode)
    return staging


@contextmanager
def atomic_dir(
    out: str | os.PathLike[str], *, about: Mapping[str, Any] | None = None
) -> Iterator[Path]:
    """Yield an empty staging folder; when the block ends without error, seal what was
    written there with ``manifest.json`` and swap it in as the whole content of ``out``.

    ``about``: what the manifest states besides the planner version and the files (such as
    ``command``, ``request``, ``inputs``), JSON-ready. An error in the block, or a kill at
    any instant, leaves ``out`` holding the previous set (see the module's steps).
    Raises :class:`OutputFolderError` for a dangerous target or while another run writes it.
    """
    with claim(out) as held:
        folder = held.folder
        staging = _staging_folder(folder)
        try:
            t0 = time.perf_counter()
            yield staging
            t1 = time.perf_counter()
            _seal(staging, dict(about or {}))
            _check_replaceable(folder, held.shown)
            previous = _publish(staging, folder)
            _fsync_dir(folder.parent)
            log.debug(
                "published %s: sealed and swapped in %.1f ms",
                folder, 1e3 * (time.perf_counter() - t1),
            )  # fmt: skip
            if previous is not None:
                shutil.rmtree(previous, ignore_errors=True)
            log.debug("output set written in %.2f s", time.perf_counter() - t0)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
