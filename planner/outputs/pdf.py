"""``report.pdf``: the report printed by headless Chromium (``--print-to-pdf``), so the PDF
is the page planners see in a browser, with the page breaks of the report's ``@page`` and
``break-inside`` rules and the system's CJK fonts (``make test`` / ``make demo`` install
Debian's ``chromium`` and ``fonts-noto-cjk`` where they are missing).

Chromium runs with a fresh profile folder, no network (every host name resolves to
nothing), ``TZ=UTC``, and without its sandbox only when run as root (where it refuses to
start otherwise). Its PDF is the same bytes for the same page but for
the ``/CreationDate`` and ``/ModDate`` of the document information; both are set to
:data:`FIXED_DATE` afterwards, digit for digit, so no offset of the file moves.

Where no Chromium is installed, :func:`print_pdf` returns False and the caller leaves
the PDF out of the set (with a warning).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

#: Browsers tried, in order (the first one on ``PATH``).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: The date every report states (PDF date digits, UTC).
FIXED_DATE = b"20000101000000"
#: Longest wait for the browser (s).
TIMEOUT_S = 120

_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})")


def browser() -> str | None:
    """The path of the headless browser that prints, or None where there is none."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _command(exe: str, html: Path, pdf: Path, profile: str) -> list[str]:
    # Chromium refuses to run as root inside its sandbox (containers, CI).
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    return [
        exe, "--headless", *(["--no-sandbox"] if root else []), "--disable-gpu",
        "--disable-extensions",
        "--no-first-run", "--disable-dev-shm-usage", "--no-pdf-header-footer",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", html.resolve().as_uri(),
    ]  # fmt: skip


def fixed_dates(data: bytes) -> bytes:
    """``data`` (a PDF) with its creation and modification dates set to
    :data:`FIXED_DATE` (same length, so the cross-reference offsets hold)."""
    return _DATE.sub(lambda m: m.group(1) + FIXED_DATE, data)


def print_pdf(html: str | os.PathLike[str], pdf: str | os.PathLike[str]) -> bool:
    """Print the page ``html`` (a file) to ``pdf`` with headless Chromium; True when the PDF
    was written, False where no browser is installed or it failed (logged)."""
    exe = browser()
    if exe is None:
        return False
    out = Path(pdf)
    env = {**os.environ, "TZ": "UTC"}
    with tempfile.TemporaryDirectory(prefix="planner-chromium-") as profile:
        try:
            done = subprocess.run(
                _command(exe, Path(html), out, profile), env=env, capture_output=True,
                timeout=TIMEOUT_S, check=False,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("the browser could not print the report (%s)", exc)
            return False
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        log.warning("the browser could not print the report (exit status %s)", done.returncode)
        out.unlink(missing_ok=True)
        return False
    out.write_bytes(fixed_dates(out.read_bytes()))
    return True
