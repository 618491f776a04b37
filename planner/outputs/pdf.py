"""``report.pdf``: the report printed by headless Chromium (``--print-to-pdf``), so the PDF
is the page planners see in a browser, with the page breaks of the report's ``@page`` and
``break-inside`` rules and the system's CJK fonts (``make test`` / ``make demo`` install
Debian's ``chromium`` and ``fonts-noto-cjk`` where they are missing).

Chromium runs with a fresh profile folder, no network (every host name resolves to
nothing), ``TZ=UTC``, and without its sandbox only when run as root (where it refuses to
start otherwise). Its PDF is the same bytes for the same page but for
the ``/CreationDate`` and ``/ModDate`` of the document information, and the ``/ID`` of the
tagged structure's elements (``node00000013``: the page's DOM node ids, which depend on
when the browser made each node, so a busy machine shifts them): the dates are set to
:data:`FIXED_DATE` and the ids numbered 1, 2, ... in their order, digit for digit, so no
offset of the file moves (:func:`reproducible`).

Where no Chromium is installed, :func:`print_pdf` returns False and the caller leaves
the PDF out of the set (with a warning).

Starting Chromium takes most of the time of a print (about 0.7 s and a core's worth of
work before it loads a page). :class:`Browser` starts it ahead, while the plan is still
being computed (on another core), and prints the report through the DevTools protocol
over a pipe (``--remote-debugging-pipe``: no port is opened) with the same settings as
``--print-to-pdf``, so the PDF is the same bytes; where that fails the report is printed
by a browser started for it (:func:`print_pdf`).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any

log = logging.getLogger(__name__)

#: Browsers tried, in order (the first one on ``PATH``).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: The date every report states (PDF date digits, UTC).
FIXED_DATE = b"20000101000000"
#: Longest wait for the browser (s).
TIMEOUT_S = 120

_DATE = re.compile(rb"(/(?:CreationDate|ModDate)\s*\(D:)(\d{14})")
_NODE_ID = re.compile(rb"\(node(\d{8})\)")


def browser() -> str | None:
    """The path of the headless browser that prints, or None where there is none."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def _flags(profile: str) -> list[str]:
    # Chromium refuses to run as root inside its sandbox (containers, CI).
    root = hasattr(os, "geteuid") and os.geteuid() == 0
    return [
        "--headless", *(["--no-sandbox"] if root else []), "--disable-gpu",
        "--disable-extensions", "--no-first-run", "--disable-dev-shm-usage",
        "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
    ]  # fmt: skip


def _command(exe: str, html: Path, pdf: Path, profile: str) -> list[str]:
    return [exe, *_flags(profile), "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
            html.resolve().as_uri()]  # fmt: skip


def fixed_dates(data: bytes) -> bytes:
    """``data`` (a PDF) with its creation and modification dates set to
    :data:`FIXED_DATE` (same length, so the cross-reference offsets hold)."""
    return _DATE.sub(lambda m: m.group(1) + FIXED_DATE, data)


def fixed_ids(data: bytes) -> bytes:
    """``data`` (a PDF) with the ids of its structure elements numbered 1, 2, ... in the
    order of the browser's own (same width: no offset moves, the order kept)."""
    found = sorted({int(n) for n in _NODE_ID.findall(data)})
    rank = {n: i for i, n in enumerate(found, start=1)}
    return _NODE_ID.sub(lambda m: b"(node%08d)" % rank[int(m.group(1))], data)


def reproducible(data: bytes) -> bytes:
    """``data`` (a PDF) with what varies from print to print fixed (dates, element ids)."""
    return fixed_ids(fixed_dates(data))


def print_pdf(html: str | os.PathLike[str], pdf: str | os.PathLike[str]) -> bool:
    """Print the page ``html`` (a file) to ``pdf`` with headless Chromium; True when the PDF
    was written, False where no browser is installed or it failed (logged)."""
    exe = browser()
    if exe is None:
        return False
    out = Path(pdf)
    env = {**os.environ, "TZ": "UTC"}
    # Chromium's helper processes may still write into the profile as it ends: removing
    # the folder then must never fail the run
    with tempfile.TemporaryDirectory(
        prefix="planner-chromium-", ignore_cleanup_errors=True
    ) as profile:
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
    out.write_bytes(reproducible(out.read_bytes()))
    return True


#: What ``--print-to-pdf --no-pdf-header-footer`` asks of ``Page.printToPDF``.
PRINT_PARAMS = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False}
#: Puts the two pipe ends given as arguments on descriptors 3 and 4 (where Chromium's
#: ``--remote-debugging-pipe`` reads and writes) and runs the browser at a lower priority
#: (``nice 10``: it prints while the planner writes the other files, and yields the cores).
_ON_FDS_3_4 = (
    "import fcntl,os,sys;e=[int(a) for a in sys.argv[1:3]];"
    "h=[fcntl.fcntl(f,fcntl.F_DUPFD,10) for f in e];os.dup2(h[0],3);os.dup2(h[1],4);"
    "[os.close(f) for f in h+[f for f in e if f not in (3,4)]];os.nice(10);"
    "os.execv(sys.argv[3],sys.argv[3:])"
)


class BrowserError(RuntimeError):
    """The browser left the protocol: it exited, answered with an error or too late."""


class Browser:
    """A headless Chromium started ahead of printing, driven over a pipe.

    ``with Browser.start() as browser:`` (None where no browser is installed, or it does
    not start); :meth:`print` prints one page; leaving the block ends the browser and
    removes its profile folder.
    """

    def __init__(self, process: subprocess.Popen[bytes], send: int, receive: int,
                 profile: tempfile.TemporaryDirectory[str]) -> None:  # fmt: skip
        self._process, self._send, self._receive, self._profile = process, send, receive, profile
        self._chunks: list[bytes] = []
        self._id, self._closed = 0, False
        self._deadline = time.monotonic() + TIMEOUT_S

    @classmethod
    def start(cls) -> Browser | None:
        """Launch the browser (it starts in the background); None where there is none."""
        exe = browser()
        if exe is None:
            return None
        profile = tempfile.TemporaryDirectory(
            prefix="planner-chromium-", ignore_cleanup_errors=True
        )
        to_browser, from_browser = os.pipe(), os.pipe()
        pipe_ends = (to_browser[0], from_browser[1])
        command = [sys.executable, "-c", _ON_FDS_3_4, *map(str, pipe_ends), exe,
                   *_flags(profile.name), "--remote-debugging-pipe", "about:blank"]  # fmt: skip
        try:
            process = subprocess.Popen(
                command, pass_fds=pipe_ends, stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                env={**os.environ, "TZ": "UTC"},
                start_new_session=True,  # its helpers in its own group, ended together
            )  # fmt: skip
        except (OSError, ValueError) as exc:  # ValueError: no descriptors to pass (Windows)
            log.warning("the browser could not start (%s)", exc)
            for fd in (*to_browser, *from_browser):
                os.close(fd)
            profile.cleanup()
            return None
        os.close(to_browser[0])
        os.close(from_browser[1])
        return cls(process, to_browser[1], from_browser[0], profile)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:  # fmt: skip
        self.close()

    def print(self, html: str | os.PathLike[str], pdf: str | os.PathLike[str]) -> bool:
        """Print the page ``html`` (a file) to ``pdf``, as :func:`print_pdf` does; True when
        the PDF was written, False when the browser failed (logged)."""
        self._deadline = time.monotonic() + TIMEOUT_S
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})
            sid = session["sessionId"]
            self._call("Page.enable", session=sid)
            self._call("Page.navigate", {"url": Path(html).resolve().as_uri()}, session=sid)
            self._event("Page.loadEventFired", sid)
            printed = self._call("Page.printToPDF", PRINT_PARAMS, session=sid)
            data = base64.b64decode(printed["data"])
            self._call("Target.closeTarget", {"targetId": target})
        except (OSError, ValueError, KeyError, BrowserError) as exc:
            log.warning("the browser could not print the report (%s)", exc)
            return False
        if not data:
            log.warning("the browser could not print the report (an empty PDF)")
            return False
        Path(pdf).write_bytes(reproducible(data))
        return True

    def close(self) -> None:
        """End the browser and its helper processes at once (SIGKILL to its process group)
        and remove its profile; again: no-op. Its profile is a fresh folder thrown away, so
        there is nothing for it to save, and a browser shutting down on a busy machine
        took up to a third of a second, its helpers writing into the profile meanwhile."""
        if self._closed:
            return
        self._closed = True
        if self._process.poll() is None:
            try:
                os.killpg(self._process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self._process.kill()
            self._process.wait()
        for fd in (self._send, self._receive):
            with suppress(OSError):
                os.close(fd)
        _remove(self._profile)

    def _call(self, method: str, params: dict[str, Any] | None = None,
              session: str | None = None) -> dict[str, Any]:  # fmt: skip
        """Send one command and wait for its answer (events before it are dropped)."""
        self._id += 1
        message: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        self._send_message(message)
        while True:
            answer = self._message()
            if answer.get("id") == self._id:
                if "error" in answer:
                    raise BrowserError(f"{method}: {answer['error'].get('message')}")
                return dict(answer.get("result", {}))

    def _send_message(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._send, data) :]

    def _event(self, method: str, session: str) -> None:
        while True:
            found = self._message()
            if found.get("method") == method and found.get("sessionId") == session:
                return

    def _message(self) -> dict[str, Any]:
        """The next message from the browser (NUL-terminated JSON)."""
        while not self._chunks or b"\0" not in self._chunks[-1]:
            left = self._deadline - time.monotonic()
            if left <= 0 or not select.select([self._receive], [], [], left)[0]:
                raise BrowserError(f"no answer within {TIMEOUT_S} s")
            chunk = os.read(self._receive, 1 << 20)
            if not chunk:
                raise BrowserError(f"the browser exited (status {self._process.poll()})")
            self._chunks.append(chunk)
        text, rest = b"".join(self._chunks).split(b"\0", 1)
        self._chunks = [rest] if rest else []
        return dict(json.loads(text))


@contextmanager
def started(enabled: bool = True) -> Iterator[Browser | None]:
    """A :class:`Browser` started now for a report printed later (None where ``enabled`` is
    False or no browser starts), ended on leaving the block."""
    ahead = Browser.start() if enabled else None
    try:
        yield ahead
    finally:
        if ahead is not None:
            ahead.close()


def _remove(profile: tempfile.TemporaryDirectory[str]) -> None:
    """Remove a browser's profile folder: Chromium's helper processes can still be writing
    into it just after the browser ends ("Directory not empty"), so it is tried again for
    up to a second, and a folder that will not go is left to the system's temporary files
    (logged), never an error of the run."""
    folder = Path(profile.name)
    for _ in range(100):  # polled often: on a busy machine the helpers end tens of ms late
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            break
        time.sleep(0.01)
    else:
        log.debug("the browser's profile %s could not be removed", folder)
    profile.cleanup()  # ignores what is left (ignore_cleanup_errors)
