"""report.pdf printed by a browser started ahead (over the DevTools pipe): the same bytes as
a browser started for the print; a browser that exits, hangs or fails leaves a warning and
the print to a browser started for it; the browser always ends with its block."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from planner.outputs import files, pdf

needs_browser = pytest.mark.skipif(pdf.browser() is None, reason="no headless Chromium")

PAGE = """<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><style>
@page{size:A4;margin:14mm 12mm} body{font:14px "Noto Sans CJK SC",sans-serif}
.box{background:#fff6ec;border-left:4px solid #c60}</style></head>
<body><h1>服务圈报告 report</h1><p class="box">8 分钟 · 10 分钟 · 15 分钟</p>
<table><tr><th>site</th><th>≤15 min</th></tr><tr><td>S1</td><td>42.0%</td></tr></table>
</body></html>"""


@pytest.fixture
def page(tmp_path) -> Path:
    path = tmp_path / "report.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def _fake_browser(tmp_path: Path, body: str) -> str:
    """An executable standing in for Chromium (it ignores its arguments)."""
    exe = tmp_path / "fake-chromium"
    exe.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


@needs_browser
def test_a_browser_started_ahead_prints_the_bytes_of_a_browser_started_for_it(page, tmp_path):
    assert pdf.print_pdf(page, tmp_path / "once.pdf")
    with pdf.started() as browser:
        assert browser is not None
        assert browser.print(page, tmp_path / "ahead.pdf")
        assert browser.print(page, tmp_path / "again.pdf")  # one browser, several prints
    once = (tmp_path / "once.pdf").read_bytes()
    assert once.startswith(b"%PDF") and b"D:" + pdf.FIXED_DATE in once
    assert (tmp_path / "ahead.pdf").read_bytes() == once
    assert (tmp_path / "again.pdf").read_bytes() == once


@needs_browser
def test_the_browser_and_its_profile_end_with_the_block(page, tmp_path):
    with pdf.started() as browser:
        assert browser is not None
        process, profile = browser._process, Path(browser._profile.name)
        assert profile.is_dir() and process.poll() is None
    assert process.poll() is not None and not profile.exists()
    browser.close()  # a second close does nothing


def test_no_browser_is_started_where_none_is_installed_or_asked(monkeypatch):
    with pdf.started(False) as browser:
        assert browser is None
    monkeypatch.setattr(pdf, "browser", lambda: None)
    with pdf.started() as browser:
        assert browser is None


def test_a_browser_that_exits_is_a_warning_not_a_hang(page, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(pdf, "browser", lambda: _fake_browser(tmp_path, "exit 3"))
    with caplog.at_level(logging.WARNING), pdf.started() as browser:
        assert browser is not None
        assert not browser.print(page, tmp_path / "r.pdf")
    assert "the browser exited" in caplog.text and not (tmp_path / "r.pdf").exists()


def test_a_browser_that_never_answers_is_given_up_and_ended(page, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(pdf, "browser", lambda: _fake_browser(tmp_path, "exec sleep 60"))
    monkeypatch.setattr(pdf, "TIMEOUT_S", 0.5)
    with caplog.at_level(logging.WARNING), pdf.started() as browser:
        assert browser is not None
        assert not browser.print(page, tmp_path / "r.pdf")
        process = browser._process
    assert "no answer within 0.5 s" in caplog.text
    assert process.poll() is not None  # ended with the block, not left sleeping


class _Failing:
    """A browser whose print fails."""

    closed = False

    def print(self, html: os.PathLike[str], target: os.PathLike[str]) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


def test_where_the_browser_started_ahead_fails_a_browser_is_started_for_the_print(
    tmp_path, monkeypatch
):
    (tmp_path / "report.html").write_text(PAGE, encoding="utf-8")
    printed = []

    def one_shot(html: os.PathLike[str], target: os.PathLike[str]) -> bool:
        printed.append(Path(html).name)
        Path(target).write_bytes(b"%PDF-1.4 printed once")
        return True

    monkeypatch.setattr(pdf, "print_pdf", one_shot)
    failing = _Failing()
    files._write_pdf(tmp_path, failing)  # type: ignore[arg-type]
    assert failing.closed and printed == ["report.html"]
    assert (tmp_path / "report.pdf").read_bytes() == b"%PDF-1.4 printed once"


def test_the_structure_ids_of_two_prints_are_numbered_alike():
    """Chromium names each tagged element by its DOM node id, which shifts when the machine
    is busy (node00000012 in one print, node00000013 in the next): the ids are numbered in
    their order, the same width, so the prints are the same bytes and no offset moves."""
    one = b"/ID (node00000012)>>\n/ID (node00000019)>> (node00000012)"
    two = b"/ID (node00000013)>>\n/ID (node00000020)>> (node00000013)"
    assert pdf.fixed_ids(one) == pdf.fixed_ids(two)
    assert pdf.fixed_ids(one) == b"/ID (node00000001)>>\n/ID (node00000002)>> (node00000001)"
    stamped = b"/CreationDate (D:20261202151500+00'00') /ID (node00000031)"
    assert pdf.reproducible(stamped) == (
        b"/CreationDate (D:" + pdf.FIXED_DATE + b"+00'00') /ID (node00000001)"
    )


def test_a_profile_still_written_to_never_fails_the_run(monkeypatch):
    """Chromium's helpers can still write into the profile as the browser ends ("Directory
    not empty"): removing it is tried again, and a folder that stays is no error."""
    import shutil
    import tempfile

    real = shutil.rmtree
    for failures, gone in ((2, True), (1000, False)):
        profile = tempfile.TemporaryDirectory(prefix="planner-test-", ignore_cleanup_errors=True)
        folder = Path(profile.name)
        (folder / "Default").mkdir()
        calls = []

        def busy(path, *args, calls=calls, failures=failures, **kwargs):
            calls.append(path)
            if len(calls) <= failures:  # a helper process writes a file meanwhile
                return None
            return real(path, *args, **kwargs)

        monkeypatch.setattr(pdf.shutil, "rmtree", busy)
        monkeypatch.setattr(pdf.time, "sleep", lambda s: None)
        pdf._remove(profile)  # never raises
        monkeypatch.setattr(pdf.shutil, "rmtree", real)
        assert folder.exists() is not gone
        real(folder, ignore_errors=True)
