"""Site controls and phases of a request: the sites already agreed (``include``), the venues
that must never be chosen (``exclude``, or an ``exclude`` column of the candidates), the
stations that close (``close``), the phases the new sites open in (``phases``) and the
capacities of the existing stations (``station_capacity``, with ``capacity``).

:class:`Controls` holds them as the user gives them (ids, counts), checked on their own and
against the rest of the request; :meth:`Controls.bind` resolves the ids against the data of
a run (:class:`Bound`: positions of the candidates and stations). How the objectives honour
them is :mod:`planner.plan.fixing`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from ..core.errors import FieldError, InputError
from ..inputs import sites

if TYPE_CHECKING:  # pragma: no cover
    from .request import PlanRequest

#: The options of :meth:`PlanRequest.from_options` this module reads.
NAMES = ("include", "exclude", "close", "relocate", "phases", "station_capacity")
#: Values of an ``exclude`` column that exclude the venue (any case); empty keeps it.
EXCLUDE_YES = frozenset({"1", "yes", "y", "true", "x", "exclude", "是"})
EXCLUDE_NO = frozenset({"", "0", "no", "n", "false", "nan", "none", "否"})


def _ids(value: object, name: str) -> tuple[str, ...]:
    """Site ids given as ``"a,b"`` or a sequence, in order, each once."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts = [p.strip() for p in value.split(",")]
    elif isinstance(value, Sequence | set | frozenset | np.ndarray | pd.Index):
        parts = [str(p).strip() for p in value]
    else:
        raise FieldError(
            name, "{" + name + "}: expected site ids such as a,b, got {got!r}", got=value
        )
    if any(not p for p in parts):
        raise FieldError(
            name, "{" + name + "}: {got!r} has an empty id; give ids separated by commas",
            got=value,
        )  # fmt: skip
    return tuple(dict.fromkeys(parts))


def _moves(value: object) -> int:
    """How many stations may move: a whole number, 0 or more."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return 0
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = float("nan")
    if not (np.isfinite(number) and number == int(number) and number >= 0):
        raise FieldError(
            "relocate", "{relocate}: expected how many stations may move (a whole number, 0 "
            "or more), got {got!r}",
            got=value,
        )  # fmt: skip
    return int(number)


def _phases(value: object) -> tuple[int, ...]:
    """Cumulative site counts of the phases (``"5,10"``): whole, above 0, increasing."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    parts = value.split(",") if isinstance(value, str) else value
    try:
        numbers = [float(p) for p in parts]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        numbers = [float("nan")]
    if not numbers or not all(np.isfinite(n) and n == int(n) and n > 0 for n in numbers):
        raise FieldError(
            "phases",
            "{phases}: expected whole site counts above 0 such as 5,10 (5 sites in phase 1, "
            "10 in all after phase 2), got {got!r}",
            got=value,
        )  # fmt: skip
    counts = tuple(int(n) for n in numbers)
    if any(b <= a for a, b in zip(counts, counts[1:], strict=False)):
        raise FieldError(
            "phases",
            "{phases}: the counts are the sites open after each phase and must increase, "
            "got {got!r}; write them such as 5,10",
            got=value,
        )  # fmt: skip
    return counts


@dataclass(frozen=True)
class Controls:
    """What the planner fixes before optimising.

    Attributes
    ----------
    include
        Candidate ids already agreed: in every answer (and every phase), counted among the
        new sites.
    exclude
        Candidate ids that are never chosen (with the candidates' ``exclude`` column).
    close
        Station ids that close: they are left out of the existing stations and the plan
        fills the gap; the summary states what their closing loses.
    relocate
        Most existing stations that may move to candidate sites, with every objective
        (with ``reach`` a move is not a new site: the fewest new sites that meet the goals
        when up to this many stations may move); with phases the moves are decided with
        phase 1 (:mod:`planner.plan.moves`).
    phases
        Sites open after each phase (cumulative counts, the last one ``add``); each phase
        keeps every site of the phases before it.
    held
        Station ids that never move with ``relocate`` (other operators' stations, which
        count toward the goals but are not the district's to move).
    station_capacity
        Demand each existing station can serve (one number, or a stations column), with
        ``capacity``: the stations then share the demand with the new sites
        (:mod:`planner.plan.objectives.station_capacity`).
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    close: tuple[str, ...] = ()
    relocate: int = 0
    phases: tuple[int, ...] = ()
    station_capacity: float | str | None = None
    held: tuple[str, ...] = ()

    @classmethod
    def from_options(cls, opts: Mapping[str, Any]) -> tuple[Controls, list[FieldError]]:
        """The controls of the options, with every problem of their values."""
        problems: list[FieldError] = []
        values: dict[str, Any] = {}
        for name, parse in (("include", _ids), ("exclude", _ids), ("close", _ids)):
            try:
                values[name] = parse(opts.get(name), name)
            except FieldError as exc:
                problems.append(exc)
        for name, read in (("phases", _phases), ("relocate", _moves)):
            try:
                values[name] = read(opts.get(name))
            except FieldError as exc:
                problems.append(exc)
        try:
            values["station_capacity"] = _station_capacity(opts.get("station_capacity"))
        except FieldError as exc:
            problems.append(exc)
        return cls(**values), problems

    def check(self, request: PlanRequest) -> list[FieldError]:
        """Problems of the controls with the rest of the request (the ids themselves are
        checked against the data, in :meth:`bind`)."""
        problems = []
        both = sorted(set(self.include) & set(self.exclude))
        if both:
            problems.append(
                FieldError(
                    "include",
                    "{include} and {exclude} both name {ids}; keep each id in one",
                    ids=", ".join(both),
                )  # fmt: skip
            )
        counts = request.objective.decides_count()
        if self.phases and counts:
            problems.append(
                FieldError(
                    "phases",
                    "{phases}: works with {add}, not with {reach} or {budget} (they decide "
                    "the number of sites themselves)",
                )  # fmt: skip
            )
        elif self.phases and self.phases[-1] != request.add:
            problems.append(
                FieldError(
                    "phases",
                    "{phases}: the last phase ({last}) is the number of new sites; "
                    "it differs from {add} ({add_n}): drop {add} or make them equal",
                    last=self.phases[-1],
                    add_n=request.add,
                )  # fmt: skip
            )
        problems += self._check_relocate(request) + self._check_station_capacity(request)
        first = self.phases[0] if self.phases else request.add
        if not counts and len(self.include) > first:
            problems.append(
                FieldError(
                    "include",
                    "{include}: {n} agreed sites do not fit in {what} ({first} "
                    "sites); ask for more sites or agree fewer",
                    n=len(self.include),
                    first=first,
                    what="the first phase" if self.phases else "the new sites",
                )  # fmt: skip
            )
        return problems

    def _check_relocate(self, request: PlanRequest) -> list[FieldError]:
        if not self.relocate or request.objective.relocates:
            return []
        return [
            FieldError(
                "relocate",
                "{relocate}: does not work with {objective} {name}; drop "
                "{relocate} or choose another {objective}",
                name=request.objective.name,
            )  # fmt: skip
        ]

    def _check_station_capacity(self, request: PlanRequest) -> list[FieldError]:
        from .objectives import CapacitatedCoverage

        if self.station_capacity is None or isinstance(request.objective, CapacitatedCoverage):
            return []
        return [
            FieldError(
                "station_capacity",
                "{station_capacity}: works with {capacity} (the new sites' capacities) and "
                "the coverage objective; add {capacity} or drop {station_capacity}",
            )  # fmt: skip
        ]

    def echo(self) -> dict[str, Any]:
        """How the summary states the controls given (``inputs``; none when none are)."""
        given = {"include": self.include, "exclude": self.exclude, "close": self.close,
                 "phases": self.phases}  # fmt: skip
        out: dict[str, Any] = {k: list(v) for k, v in given.items() if v}
        if self.station_capacity is not None:
            out["station_capacity"] = self.station_capacity
        return {**out, "relocate": self.relocate} if self.relocate else out

    def bind(
        self,
        candidates: gpd.GeoDataFrame,
        stations: gpd.GeoDataFrame,
        *,
        source: str,
        stations_source: str = "stations",
    ) -> Bound:
        """The controls resolved against the run's data: ``candidates`` are those the plan
        chooses from (stations left out), ``stations`` every existing station; ``source``
        and ``stations_source`` name them in errors. An id that is not there is an error."""
        ids = candidates["id"].astype(str).to_numpy()
        station_ids = stations["id"].astype(str).to_numpy()
        where = {i: k for k, i in enumerate(ids)}
        for name in ("include", "exclude"):
            for i in getattr(self, name):
                if i not in where:
                    raise _unknown(name, i, source, i in set(station_ids))
        closing = set(self.close)
        missing = [i for i in self.close if i not in set(station_ids)]
        if missing:
            raise FieldError(
                "close", "{close}: {got!r} is not an existing station (the ids of the "
                "stations file); check the id",
                got=missing[0],
            )  # fmt: skip
        movable = int(np.sum(~np.isin(station_ids, list(closing | set(self.held)))))
        if self.relocate > movable:
            raise FieldError(
                "relocate", "{relocate}: {got} stations may move, but {stations_source} "
                "holds {n} that can (the district's own stations that are not closed); "
                "give {relocate} {n} or fewer",
                got=self.relocate, n=movable, stations_source=stations_source,
            )  # fmt: skip
        excluded = np.isin(ids, list(self.exclude)) | _exclude_column(candidates, source)
        forced = [i for i in self.include if excluded[where[i]]]
        if forced:
            raise FieldError(
                "include", "{include}: {got!r} is excluded by the {source} exclude column; "
                "agree it or exclude it, not both",
                got=forced[0], source=source,
            )  # fmt: skip
        return Bound(
            fixed=np.array([where[i] for i in self.include], dtype=np.int64),
            excluded=excluded,
            closed=np.isin(station_ids, list(closing)),
            held=np.isin(station_ids, list(self.held)),
            phases=self.phases,
            station_capacity=sites.capacities(
                stations, self.station_capacity, source=stations_source,
                option="station_capacity",
            ),
        )  # fmt: skip


def _station_capacity(value: object) -> float | str | None:
    """A demand above 0 for every station, or the name of a stations column."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        if isinstance(value, str):
            return value.strip()
        number = float("nan")
    if not (np.isfinite(number) and number > 0):
        raise FieldError(
            "station_capacity",
            "{station_capacity}: {got!r} must be a demand above 0 (the units of the hotspot "
            "weights), or the name of a stations column holding each station's capacity",
            got=value,
        )  # fmt: skip
    return number


def _unknown(name: str, got: str, source: str, is_station: bool) -> FieldError:
    why = " but an existing station" if is_station else ""
    return FieldError(
        name, "{" + name + "}: {got!r} is not a candidate{why} (the ids of the {source}); "
        "check the id",
        got=got, why=why, source=source,
    )  # fmt: skip


def _exclude_column(candidates: gpd.GeoDataFrame, source: str) -> np.ndarray:
    """The candidates' ``exclude`` column as booleans (all False without one); a value that
    is neither yes nor no is an error naming its row."""
    if "exclude" not in candidates.columns:
        return np.zeros(len(candidates), dtype=bool)
    raw = candidates["exclude"]
    text = raw.astype(str).str.strip().str.lower().to_numpy()
    number = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float)  # 1, 1.0, 0
    yes = np.isin(text, list(EXCLUDE_YES)) | (np.isfinite(number) & (number != 0))
    no = np.isin(text, list(EXCLUDE_NO)) | (number == 0) | raw.isna().to_numpy()
    bad = ~yes & ~no
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"{source}: column exclude, site {candidates['id'].iloc[k]!r}: "
            f"{candidates['exclude'].iloc[k]!r} is not yes/no; write 1 or yes to exclude the "
            "venue, leave it empty (or 0) to keep it"
        )
    return yes


@dataclass(frozen=True)
class Bound:
    """The controls of a run as positions: ``fixed`` candidates (in the order given),
    ``excluded`` candidates, ``closed`` and ``held`` stations (booleans), the ``phases``,
    and the capacity of every station (None: the stations are not capacitated)."""

    fixed: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    excluded: np.ndarray | None = None
    closed: np.ndarray | None = None
    phases: tuple[int, ...] = ()
    station_capacity: np.ndarray | None = None
    held: np.ndarray | None = None
