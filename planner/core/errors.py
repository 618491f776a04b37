"""Error family of the planner.

Every error subclasses both :class:`PlannerError` and the matching built-in, so callers can
catch either. Messages name the file or argument, the row or column, what was expected and
how to fix it; the CLI prints them as one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Self


class _Spelling(dict):  # type: ignore[type-arg]
    """Names in a message template that are not values are fields, spelled by ``spell``."""

    def __init__(self, values: dict[str, object], spell: Mapping[str, str]) -> None:
        super().__init__(values)
        self.spell = spell

    def __missing__(self, key: str) -> str:
        return self.spell.get(key, key)


class PlannerError(Exception):
    """Base class of every error the planner raises on purpose.

    An error made with :meth:`about` names an argument (a field): its message is a template
    whose ``{names}`` are either values (shown as given) or arguments. ``str(error)`` spells
    the arguments as the library names them (``eps_m: ...``); :meth:`render` spells them
    another way, such as the CLI's flags (``--eps-m: ...``).
    """

    field: str | None = None
    template: str | None = None
    values: dict[str, object] = {}  # never changed: each error sets its own

    @classmethod
    def about(cls, field: str, template: str, **values: object) -> Self:
        """An error about the argument ``field``, its message the ``template``."""
        err = cls(template.format_map(_Spelling(values, {})))
        err.field, err.template, err.values = field, template, values
        return err

    def render(self, spell: Mapping[str, str]) -> str:
        """The message with each argument spelled by ``spell`` (others as they are)."""
        if self.template is None:
            return str(self)
        return self.template.format_map(_Spelling(self.values, spell))


class InputError(PlannerError, ValueError):
    """An input file or argument is missing, unreadable or malformed."""


class InputFileNotFound(InputError, FileNotFoundError):
    """An input file does not exist."""


class NetworkError(PlannerError, ValueError):
    """The road network cannot be loaded or is unusable (empty, disconnected)."""


class ConfigError(PlannerError, ValueError):
    """A parameter (mode, thresholds, counts) is out of its allowed range."""


class FieldError(ConfigError):
    """One option of a request is wrong, or conflicts with another.

    The message is a template whose ``{names}`` are either ``values`` (shown as given) or
    fields of the request. ``str(error)`` spells the fields as the library's arguments
    (``minutes: ...``); :meth:`render` spells them another way, such as the CLI's flags
    (``--minutes: ...``).
    """

    def __init__(self, field: str, template: str, **values: object) -> None:
        super().__init__(template.format_map(_Spelling(values, {})))
        self.field, self.template, self.values = field, template, values


class RequestError(ConfigError):
    """Every problem found in a request at once (each a :class:`FieldError`)."""

    def __init__(self, problems: list[FieldError]) -> None:
        self.problems = list(problems)
        super().__init__(self.render({}))

    def render(self, spell: Mapping[str, str]) -> str:
        """All problems in one line, fields spelled by ``spell``."""
        texts = [p.render(spell) for p in self.problems]
        if len(texts) == 1:
            return texts[0]
        return f"{len(texts)} problems: " + "; ".join(texts)
