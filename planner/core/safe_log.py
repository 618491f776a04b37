"""Text that reaches a terminal: ids and names from input files are shown with their control
characters escaped, so a name cannot move the cursor, recolour or retitle the terminal, hide
text or split one log line or error into several."""

from __future__ import annotations

import logging
import re
from typing import Any

#: C0 controls (tab, newline and carriage return included), DEL, C1 controls (``\x9b`` is a
#: one-byte CSI), the line and paragraph separators, and the bidirectional embeddings,
#: overrides and isolates that reorder what a terminal shows.
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _escaped(match: re.Match[str]) -> str:
    ch = match.group()
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_controls(text: object) -> str:
    """``text`` as one printable line: each control character written as Python writes it
    (``"\\x1b[31m"`` → ``"\\\\x1b[31m"``, a newline → ``"\\\\n"``, U+202E → ``"\\\\u202e"``).

    Every other character is kept, Chinese text and backslashes included (a Windows path
    reads as it is).
    """
    return CONTROLS.sub(_escaped, str(text))


class SafeFormatter(logging.Formatter):
    """A :class:`logging.Formatter` whose records are one line each, controls escaped.

    The message (after ``%`` formatting) is escaped whole; a traceback keeps its lines but
    each is escaped, so an exception's message cannot reach the terminal raw either.
    """

    def formatMessage(self, record: logging.LogRecord) -> str:
        return escape_controls(super().formatMessage(record))

    def formatException(self, ei: Any) -> str:
        return _escape_lines(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return _escape_lines(super().formatStack(stack_info))


def _escape_lines(text: str) -> str:
    return "\n".join(escape_controls(line) for line in text.split("\n"))
