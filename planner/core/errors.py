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


class _Spelling(dict):  # type: ignore[type-arg]
    """Names in a message template that are not values are fields, spelled by ``spell``."""

    def __init__(self, values: dict[str, object], spell: dict[str, str]) -> None:
        super().__init__(values)
        self.spell = spell

    def __missing__(self, key: str) -> str:
        return self.spell.get(key, key)


class FieldError(ConfigError):
    """One option of a request is wrong, or conflicts with another.

    The message is a template whose ``{names}`` are either ``values`` (shown as given) or
    fields of the request. ``str(error)`` spells the fields as the library's arguments
    (``minutes: ...``); :meth:`render` spells them another way, such as the CLI's flags
    (``--minutes: ...``).
    """

    def __init__(self, field: str, template: str, **values: object) -> None:
        self.field = field
        self.template = template
        self.values = values
        super().__init__(self.render({}))

    def render(self, spell: dict[str, str]) -> str:
        """The message with each field spelled by ``spell`` (fields missing from it as is)."""
        return self.template.format_map(_Spelling(self.values, spell))


class RequestError(ConfigError):
    """Every problem found in a request at once (each a :class:`FieldError`)."""

    def __init__(self, problems: list[FieldError]) -> None:
        self.problems = list(problems)
        super().__init__(self.render({}))

    def render(self, spell: dict[str, str]) -> str:
        """All problems in one line, fields spelled by ``spell``."""
        texts = [p.render(spell) for p in self.problems]
        if len(texts) == 1:
            return texts[0]
        return f"{len(texts)} problems: " + "; ".join(texts)
