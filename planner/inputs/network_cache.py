"""A cache of built road networks, so a second run on the same file skips reading it.

An entry is a folder holding ``nodes.parquet`` and ``segments.parquet`` (GeoParquet, written
and read with geopandas/pyarrow) and ``entry.json`` (the key's parts, the projected CRS and
the network's report), and under ``derived/`` the frames computed from the network alone
that outputs draw (:meth:`.network.Network.derived`, GeoParquet too, written each through
a temporary file and a rename). Nothing is ever unpickled. The folder is
``$PLANNER_CACHE_DIR``, else ``$XDG_CACHE_HOME/planner``, else ``~/.cache/planner``, with
one sub-folder per entry under ``networks/``.

The key is the sha256 of the network file (read in blocks), the mode as it affects the build
(speeds, one-way rule, access tag, top speed, contraflow tags), the size floor of the kept
parts, the GIS road-layer options and the planner version. An entry is written to a
temporary folder and renamed into place, so a reader sees a whole entry or none; an entry
that cannot be read or whose key does not match is ignored with a warning and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyproj

from ..core.modes import Mode

log = logging.getLogger(__name__)

#: The environment variable naming the cache folder.
ENV_VAR = "PLANNER_CACHE_DIR"
#: Bumped when the layout of an entry changes.
LAYOUT = 1
_BLOCK = 1 << 20


def cache_dir() -> Path:
    """``$PLANNER_CACHE_DIR``, else ``$XDG_CACHE_HOME/planner``, else ``~/.cache/planner``."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    if os.environ.get("XDG_CACHE_HOME"):
        return Path(os.environ["XDG_CACHE_HOME"]).expanduser() / "planner"
    return Path.home() / ".cache" / "planner"


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file, read in blocks of 1 MiB."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def mode_key(mode: Mode) -> dict[str, Any]:
    """Every field of ``mode`` that changes a built network, as plain JSON values."""
    return {
        "name": mode.name,
        "speed_kph": {k: float(v) for k, v in sorted(mode.speed_kph.items())},
        "oneway": mode.oneway,
        "use_maxspeed": bool(mode.use_maxspeed),
        "max_speed_kph": float(mode.max_speed_kph),
        "access_tag": mode.access_tag,
        "contraflow_tags": [[k, list(v)] for k, v in mode.contraflow_tags],
    }


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("planner")
    except PackageNotFoundError:
        return "0+unknown"


@dataclass(frozen=True)
class Entry:
    """A built network as the cache holds it: frames, CRS, report and the ``use_maxspeed``
    the build ended with (a GIS layer's speed column turns it on)."""

    nodes: gpd.GeoDataFrame
    segments: gpd.GeoDataFrame
    crs: pyproj.CRS
    report: dict[str, Any]
    use_maxspeed: bool
    #: The entry's folder, when read from the cache.
    path: Path | None = None


@dataclass(frozen=True)
class Key:
    """What identifies a cache entry; :attr:`digest` names its folder."""

    parts: Mapping[str, Any]

    @classmethod
    def of(
        cls,
        source: str | os.PathLike[str],
        mode: Mode,
        *,
        floor: tuple[int, float],
        road_layer: Mapping[str, Any],
    ) -> Key:
        """The key of ``source`` built in ``mode`` with this part floor and road-layer
        options (the file is hashed here)."""
        parts = {
            "layout": LAYOUT,
            "planner": _version(),
            "file_sha256": file_sha256(source),
            "mode": mode_key(mode),
            "min_part_nodes": int(floor[0]),
            "min_part_km": float(floor[1]),
            "road_layer": {k: (None if v is None else str(v)) for k, v in road_layer.items()},
        }
        return cls(parts)

    @property
    def digest(self) -> str:
        text = json.dumps(self.parts, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def entry_path(key: Key, root: Path | None = None) -> Path:
    """The folder of ``key``'s entry."""
    return (root or cache_dir()) / "networks" / key.digest


def read(key: Key, *, root: Path | None = None) -> Entry | None:
    """The entry of ``key``, or None when there is none; an unreadable or mismatching entry
    is logged as a warning and None is returned (the caller rebuilds it)."""
    path = entry_path(key, root)
    if not path.is_dir():
        return None
    try:
        meta = json.loads((path / "entry.json").read_text(encoding="utf-8"))
        if meta.get("key") != json.loads(json.dumps(dict(key.parts))):
            raise ValueError("its key does not match")
        nodes = gpd.read_parquet(path / "nodes.parquet")
        segments = gpd.read_parquet(path / "segments.parquet")
        crs = pyproj.CRS.from_wkt(meta["crs_wkt"])
        if len(nodes) != meta["n_nodes"] or len(segments) != meta["n_segments"]:
            raise ValueError("its row counts do not match")
        log.info("network from the cache %s", path)
        return Entry(nodes, segments, crs, meta["report"], bool(meta["use_maxspeed"]), path)
    except Exception as exc:  # noqa: BLE001 - any damage means: rebuild
        log.warning("network cache entry %s is unreadable (%s); rebuilding it", path, exc)
        return None


def write(key: Key, entry: Entry, *, root: Path | None = None) -> Path | None:
    """Store ``entry`` under ``key`` (a temporary folder renamed into place); the folder,
    or None when the cache cannot be written (a warning: the run goes on)."""
    path = entry_path(key, root)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key.digest[:16]}-", dir=path.parent))
    except OSError as exc:
        log.warning("network cache %s cannot be written (%s); going on without it", path, exc)
        return None
    try:
        entry.nodes.to_parquet(tmp / "nodes.parquet")
        entry.segments.to_parquet(tmp / "segments.parquet")
        meta = {
            "key": dict(key.parts), "crs_wkt": entry.crs.to_wkt(), "report": entry.report,
            "use_maxspeed": entry.use_maxspeed,
            "n_nodes": len(entry.nodes), "n_segments": len(entry.segments),
        }  # fmt: skip
        (tmp / "entry.json").write_text(json.dumps(meta, allow_nan=False), encoding="utf-8")
        if path.exists():  # a damaged entry being replaced, or another run's
            shutil.rmtree(path, ignore_errors=True)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("network cache %s cannot be written (%s); going on without it", path, exc)
        return None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


_DERIVED_NAME = re.compile(r"[A-Za-z0-9._-]{1,120}")


def _derived_path(entry: Path, name: str) -> Path:
    if not _DERIVED_NAME.fullmatch(name) or name.startswith("."):
        raise ValueError(f"derived frame name {name!r}: use letters, digits, '.', '_', '-'")
    return entry / "derived" / f"{name}.parquet"


def derived(
    entry: Path | None, name: str, build: Callable[[], gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """A frame computed from a network alone (the roads an output draws, say): read from
    the network's cache folder ``entry`` when it is stored there, else ``build()`` and
    stored there; without an entry (a network not cached), just ``build()``. ``name``
    names the frame and every parameter of ``build`` (letters, digits, ``.``, ``_``,
    ``-``). A GeoParquet round trip keeps every coordinate, so an output drawn from the
    stored frame is the same, byte for byte, as one drawn from the built one."""
    if entry is None:
        return build()
    frame = read_derived(entry, name)
    if frame is None:
        frame = build()
        write_derived(entry, name, frame)
    return frame


def read_derived(entry: Path, name: str) -> gpd.GeoDataFrame | None:
    """The frame ``name`` stored with the network entry ``entry``, or None when there is
    none or it cannot be read (logged; the caller builds it again)."""
    path = _derived_path(entry, name)
    if not path.is_file():
        return None
    try:
        return gpd.read_parquet(path)
    except Exception as exc:  # noqa: BLE001 - any damage means: rebuild
        log.warning("network cache file %s is unreadable (%s); rebuilding it", path, exc)
        return None


def write_derived(entry: Path, name: str, frame: gpd.GeoDataFrame) -> Path | None:
    """Store ``frame`` as ``name`` with the network entry ``entry`` (a temporary file
    renamed into place); the file, or None when it cannot be written (a warning)."""
    path = _derived_path(entry, name)
    tmp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, raw = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet", dir=path.parent)
        os.close(fd)
        tmp = Path(raw)
        frame.to_parquet(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        log.warning("network cache %s cannot be written (%s); going on without it", path, exc)
        return None
    finally:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
    return path
