"""The memory a run needs, told from its counts before the work, and the limit above which
it refuses at once with one clear error instead of failing with an allocation error
minutes later.

A run holds, besides a fixed base (Python, the libraries, the road network), a few hundred
bytes per hotspot (its row, its snap, its status and the tables written from them) and a few
dozen bytes per pair of a hotspot and a site within the largest threshold (the sparse travel
times, the coverage of each threshold and the optimiser's copies). The counts of hotspots,
sites, road nodes and thresholds are known before any work; the pairs only as the travel
times are computed, which stops as soon as they pass what the limit leaves for them.

The limit is ``memory_gib`` where a caller gives one (the CLI's ``--memory-gib``), else
the environment variable :data:`ENV_VAR`, else :data:`DEFAULT_GIB`.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, replace

from .errors import FieldError, PlannerError

#: Environment variable holding the memory limit of a run (GiB).
ENV_VAR = "PLANNER_MEMORY_GIB"
#: The memory limit of a run when neither the caller nor the environment sets one (GiB).
DEFAULT_GIB = 4.0

GIB = 2**30
#: What every run holds: the interpreter, the libraries and the work of a small run (bytes).
BASE_BYTES = 400 * 2**20
#: Bytes per hotspot: the points read, their snaps, status columns, map and tables (the map's
#: packed data, the GeoPackage's layers and the assignment lines included).
HOTSPOT_BYTES = 2_000
#: Bytes per road node: the network's frames, graph and segments.
NODE_BYTES = 2_400
#: Bytes per site (station or candidate), beyond its pairs.
SITE_BYTES = 20_000
#: Bytes per pair of a hotspot and a site within the largest threshold (its seconds kept
#: and written out), and for each threshold (its coverage and the optimiser's view of it).
#: Measured on Andorra (e-bike, 299 sites, three thresholds, every output): a plan of 100,000
#: hotspots (1.6 million pairs) peaks at 0.86 GiB, one of 1,000,000 (16 million pairs) at
#: 3.31 GiB; these constants estimate 0.91 and 3.55 GiB.
PAIR_BYTES = 36
PAIR_BYTES_PER_THRESHOLD = 12

FIXES = (
    "aggregate the points into fewer hotspots (planner hotspots), run the district in "
    "parts (one hotspots file per sub-district), or raise the limit with {memory_gib} "
    f"(or the environment variable {ENV_VAR}) on a machine that has the memory"
)


class MemoryLimitError(PlannerError, MemoryError):
    """A run would need more memory than its limit allows."""


def limit_gib(value: object = None) -> float:
    """The memory limit (GiB): ``value`` when given (a number, or text such as ``"8"``),
    else :data:`ENV_VAR` when set, else :data:`DEFAULT_GIB`. A limit that is not a
    positive number is a :class:`~planner.core.errors.FieldError` naming where it came
    from."""
    where = "{memory_gib}"
    if value is None or value == "":
        value = os.environ.get(ENV_VAR) or None
        where = ENV_VAR
    if value is None:
        return DEFAULT_GIB
    try:
        gib = float(str(value).strip())
    except ValueError:
        gib = math.nan
    if not (math.isfinite(gib) and gib > 0):
        raise FieldError(
            "memory_gib",
            where + ": {got!r} is not a positive number of GiB; give the memory the run may "
            "use, such as 8",
            got=value,
        )
    return gib


@dataclass(frozen=True)
class Budget:
    """The counts of a run against its memory limit.

    Attributes
    ----------
    limit_gib
        The limit (GiB); see :func:`limit_gib`.
    hotspots, sites, nodes, thresholds
        Counts of the run (0 where not known yet).
    pairs
        Pairs of hotspots and sites within the largest threshold held already.
    source
        How errors name the hotspots (``hotspots file 'x.csv'``).
    """

    limit_gib: float = DEFAULT_GIB
    hotspots: int = 0
    sites: int = 0
    nodes: int = 0
    thresholds: int = 1
    pairs: int = 0
    source: str = "hotspots"

    @classmethod
    def of(cls, memory_gib: object = None, **counts: object) -> Budget:
        """The budget of a run with the limit of :func:`limit_gib` and these counts."""
        return cls(limit_gib(memory_gib), **counts)  # type: ignore[arg-type]

    @property
    def limit_bytes(self) -> int:
        return int(self.limit_gib * GIB)

    def pair_bytes(self) -> int:
        return PAIR_BYTES + PAIR_BYTES_PER_THRESHOLD * max(self.thresholds, 1)

    def fixed_bytes(self) -> int:
        """What the run needs before any pair (bytes)."""
        return (
            BASE_BYTES
            + HOTSPOT_BYTES * self.hotspots
            + NODE_BYTES * self.nodes
            + SITE_BYTES * self.sites
        )

    def estimate_bytes(self, pairs: int | None = None) -> int:
        """The memory the run needs with ``pairs`` pairs (default: those held)."""
        held = self.pairs if pairs is None else pairs
        return self.fixed_bytes() + self.pair_bytes() * held

    def max_hotspots(self) -> int:
        """The most hotspots that fit the limit with these sites and nodes (no pairs)."""
        room = self.limit_bytes - BASE_BYTES - NODE_BYTES * self.nodes - SITE_BYTES * self.sites
        return max(room // HOTSPOT_BYTES, 0)

    def max_pairs(self) -> int:
        """The most pairs that fit the limit besides what the counts need."""
        return max((self.limit_bytes - self.fixed_bytes()) // self.pair_bytes(), 0)

    def with_pairs(self, pairs: int) -> Budget:
        """The budget with ``pairs`` more pairs held."""
        return replace(self, pairs=self.pairs + int(pairs))

    def check(self) -> Budget:
        """This budget when the counts fit the limit; a :class:`MemoryLimitError` saying
        how many hotspots there are, what they need, the limit and the fixes otherwise."""
        need = self.estimate_bytes()
        if need <= self.limit_bytes:
            return self
        held = f" and {self.pairs:,} pairs within reach" if self.pairs else ""
        raise MemoryLimitError.about(
            "memory_gib",
            "{source}: {hotspots} hotspots{held} need about {need} GiB of memory, above the "
            "limit of {limit} GiB (at most about {most} hotspots fit); " + FIXES,
            source=self.source, hotspots=f"{self.hotspots:,}", held=held,
            need=f"{need / GIB:.1f}", limit=f"{self.limit_gib:g}",
            most=f"{self.max_hotspots():,}",
        )  # fmt: skip

    def refuse_pairs(self, pairs: int, sites_done: int, sites: int) -> MemoryLimitError:
        """The error for a run whose travel times pass the pairs the limit leaves: ``pairs``
        found from the first ``sites_done`` of ``sites`` sites."""
        total = self.pairs + pairs
        return MemoryLimitError.about(
            "memory_gib",
            "{source}: {hotspots} hotspots have {pairs} pairs with a site within reach after "
            "{done} of {sites} sites, more than the {most} the memory limit of {limit} GiB "
            "leaves room for; " + FIXES + ", or give fewer candidate sites",
            source=self.source, hotspots=f"{self.hotspots:,}", pairs=f"{total:,}",
            done=f"{sites_done:,}", sites=f"{sites:,}", most=f"{self.max_pairs():,}",
            limit=f"{self.limit_gib:g}",
        )  # fmt: skip
