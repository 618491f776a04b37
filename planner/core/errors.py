"""Error family of the planner.

Every error subclasses both :class:`PlannerError` and the matching built-in, so callers can
catch either. Messages name the file or argument, the row or column, what was expected and
how to fix it; the CLI prints them as one line.
"""

from __future__ import annotations


class PlannerError(Exception):
    """Base class of every error the planner raises on purpose."""


class InputError(PlannerError, ValueError):
    """An input file or argument is missing, unreadable or malformed."""


class InputFileNotFound(InputError, FileNotFoundError):
    """An input file does not exist."""


class NetworkError(PlannerError, ValueError):
    """The road network cannot be loaded or is unusable (empty, disconnected)."""


class ConfigError(PlannerError, ValueError):
    """A parameter (mode, thresholds, counts) is out of its allowed range."""
