"""``planner.toml``: settings standing in for flags."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import click

from ..core.errors import ConfigError
from ..inputs.settings_files import read_toml


def config_defaults(path: str | None, main: click.Group) -> dict[str, dict[str, Any]]:
    """``planner.toml``: a ``[defaults]`` table for every command, and a table per command
    (``[plan]``, ``[score]``, ``[demo]``, ``[hotspots]``) whose keys are the long options
    (``min-spacing-m`` or ``min_spacing_m``). Flags on the command line win."""
    p = Path(path) if path else Path("planner.toml")
    if not path and not p.is_file():
        return {}
    data = read_toml(p, "--config")

    def norm(table: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for key, value in table.items():
            if isinstance(value, list):
                value = ",".join(str(v) for v in value)
            out[key.replace("-", "_")] = value
        return out

    shared = norm(data.get("defaults", {}))
    commands = ("demo", "plan", "score", "hotspots")
    unknown = sorted(set(data) - {"defaults", *commands})
    if unknown:
        raise ConfigError(
            f"--config: {str(p)!r} has unknown tables {unknown}; use [defaults] "
            f"or one of {', '.join(f'[{c}]' for c in commands)}"
        )
    tables = {c: norm(data.get(c, {})) for c in commands}
    _check_keys(p, shared, tables, main)
    return {c: {**shared, **tables[c]} for c in commands}


def _check_keys(
    path: Path, shared: dict[str, Any], tables: dict[str, dict[str, Any]], main: click.Group
) -> None:
    """Every key of a settings table names an option of its command (of some command, for
    ``[defaults]``); a wrong one is an error naming the nearest option."""
    known = {
        name: {p.name for p in main.commands[name].params if p.name} for name in tables
    }  # fmt: skip
    wrong = [("defaults", k, set().union(*known.values())) for k in shared
             if not any(k in names for names in known.values())]  # fmt: skip
    wrong += [(name, k, known[name]) for name, table in tables.items() for k in table
              if k not in known[name]]  # fmt: skip
    if wrong:
        table, key, names = wrong[0]
        near = difflib.get_close_matches(key, sorted(names), n=1)
        hint = f"did you mean {near[0].replace('_', '-')!r}?" if near else "see planner --help"
        raise ConfigError(
            f"--config: {str(path)!r} [{table}] has an unknown key {key.replace('_', '-')!r}; "
            f"{hint}"
        )
