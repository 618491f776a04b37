"""Writing output files. Callers write into a staging folder (see :func:`atomic_dir`); each
writer here also writes through a temporary file and a rename, so no half file is left."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import geopandas as gpd
import pandas as pd

from ..core.crs import WGS84


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic(path: Path, write) -> None:  # type: ignore[no-untyped-def]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; outputs are for sharing
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """CSV in UTF-8 with a byte-order mark, so Excel opens Chinese text correctly."""
    p = Path(path)
    _atomic(p, lambda tmp: frame.to_csv(tmp, index=False, encoding="utf-8-sig"))
    return p


def write_geojson(frame: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """GeoJSON in WGS-84 (RFC 7946), the CRS stated in the file."""
    p = Path(path)
    out = frame.to_crs(WGS84) if frame.crs is not None else frame.set_crs(WGS84)
    _atomic(
        p,
        lambda tmp: Path(tmp).write_text(
            out.to_json(drop_id=True, ensure_ascii=False), encoding="utf-8"
        ),
    )
    return p


def write_text(text: str, path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    _atomic(p, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
    return p


def write_xlsx(sheets: dict[str, pd.DataFrame], path: str | os.PathLike[str]) -> Path:
    """An Excel workbook with one sheet per frame (openpyxl)."""
    p = Path(path)

    def write(tmp: str) -> None:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xl:
            for name, frame in sheets.items():
                frame.to_excel(xl, sheet_name=name[:31], index=False)

    _atomic(p, write)
    return p


@contextmanager
def atomic_dir(out_dir: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a staging folder; on success move every file in it into ``out_dir``.

    Each file replaces its old version with one ``os.replace`` (atomic on one file system),
    so a run that fails before the end leaves the previous run's outputs untouched.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".planner-staging-", dir=out))
    try:
        yield staging
        for f in sorted(staging.iterdir()):
            os.replace(f, out / f.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
