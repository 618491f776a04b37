"""Helpers of the inputs tests."""

from __future__ import annotations

from pathlib import Path


def csv_file(tmp_path: Path, text: str, name: str = "in.csv", encoding: str = "utf-8") -> Path:
    """``text`` written to ``tmp_path / name`` in ``encoding``."""
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p
