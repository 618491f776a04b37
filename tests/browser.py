"""Headless Chromium for the browser tests: every host unresolvable, console messages on
stderr, and a probe that runs a script once the map page is ready and returns its JSON."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not installed (make test installs Debian's chromium)"
)


def chromium(page: Path, profile: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    """Chromium headless with every host unresolvable, so nothing can be fetched."""
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", "--host-resolver-rules=MAP * ~NOTFOUND",
           "--enable-logging=stderr", "--v=0", "--virtual-time-budget=8000",
           "--window-size=1200,900", *extra, page.as_uri()]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=180)


def console_errors(stderr: str) -> list[str]:
    """The page's console messages, apart from tiles that could not load (no network)."""
    return [
        line
        for line in stderr.splitlines()
        if "CONSOLE" in line and not re.search(r"tile\.openstreetmap|autonavi|ERR_NAME_NOT", line)
    ]


def probe(page: Path, profile: Path, script: str) -> tuple[object, subprocess.CompletedProcess]:
    """Run ``script`` (a function body that returns a JSON-able value) once
    ``window.planner.ready``; its value, and Chromium's run (DOM on stdout)."""
    runner = (
        "<script>(function wait() { if (!window.planner || !window.planner.ready) "
        "{ setTimeout(wait, 20); return; } var out = (function () {" + script + "})(); "
        "var pre = document.createElement('pre'); pre.id = 'planner-probe'; "
        "pre.textContent = JSON.stringify(out); document.body.appendChild(pre); })();</script>"
    )
    probed = page.with_name("probe-" + page.name)
    probed.write_text(page.read_text(encoding="utf-8").replace("</body>", runner + "</body>", 1))
    res = chromium(probed, profile, "--dump-dom")
    m = re.search(r'<pre id="planner-probe">(.*?)</pre>', res.stdout, re.S)
    assert m is not None, res.stderr[-2000:]
    import html

    return json.loads(html.unescape(m.group(1))), res
