"""The strongly connected parts of a directed road graph, and which are kept.

Real networks come in parts: islands, river banks, gated compounds, roads cut apart by
expressways. Every part above a size floor counts; smaller ones are slivers. Arrays only:
the network module turns OSM ways into them.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .errors import FieldError
from .modes import MODES, Mode

log = logging.getLogger(__name__)

#: Parts of the network kept besides the largest: those with at least this many nodes...
MIN_PART_NODES: int = 20
#: ... or at least this much road (km). Smaller parts are slivers (a car park aisle, a
#: mapped driveway, a one-way stub) and are dropped and counted.
MIN_PART_KM: float = 0.5

#: ``highway`` classes only riders and walkers use (in the walking table, not in the
#: driving one): footways, cycleways, paths, pedestrian streets, steps, tracks...
RIDER_ONLY_HIGHWAYS: frozenset[str] = frozenset(MODES["walk"].speed_kph) - frozenset(
    MODES["drive"].speed_kph
)


def part_floor(min_part_nodes: object, min_part_km: object) -> tuple[int, float]:
    """The size floor of a kept part as numbers: a whole number of nodes >= 0 and km >= 0;
    raises :class:`FieldError` naming the option otherwise."""
    try:
        nodes = float(str(min_part_nodes).strip())
    except ValueError:
        nodes = -1.0
    if not (math.isfinite(nodes) and nodes >= 0 and nodes == int(nodes)):
        raise FieldError(
            "min_part_nodes", "{min_part_nodes}: expected a whole number of nodes >= 0, got "
            "{got!r}; e.g. 20 (0 keeps every part)", got=min_part_nodes,
        )  # fmt: skip
    try:
        km = float(str(min_part_km).strip())
    except ValueError:
        km = -1.0
    if not (math.isfinite(km) and km >= 0):
        raise FieldError(
            "min_part_km", "{min_part_km}: expected km of road >= 0, got {got!r}; e.g. 0.5",
            got=min_part_km,
        )  # fmt: skip
    return int(nodes), km


def strong_parts(
    u: np.ndarray, v: np.ndarray, seconds: np.ndarray, *, n_nodes: int
) -> tuple[np.ndarray, int]:
    """The strongly connected part of each of the ``n_nodes`` nodes as labels, and how many
    parts there are. Piece ``i`` joins node ``u[i]`` to ``v[i]``; ``seconds[i]`` holds its
    travel time forward and backward (``inf`` = not allowed)."""
    fin_f, fin_b = np.isfinite(seconds[:, 0]), np.isfinite(seconds[:, 1])
    rows = np.concatenate([u[fin_f], v[fin_b]])
    cols = np.concatenate([v[fin_f], u[fin_b]])
    adj = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_nodes, n_nodes))
    n_comp, labels = connected_components(adj, directed=True, connection="strong")
    return labels, int(n_comp)


def kept_parts(
    u: np.ndarray,
    v: np.ndarray,
    seconds: np.ndarray,
    length_m: np.ndarray,
    *,
    n_nodes: int,
    floor: tuple[int, float],
) -> tuple[np.ndarray, int]:
    """Per node, the id of its kept part (0 = the largest, then by size; -1 if dropped),
    and how many strongly connected parts there are (see :func:`strong_parts`).

    A part is kept when it has at least ``floor[0]`` nodes or ``floor[1]`` km of road (the
    pieces with both ends in it); the largest part always. Parts are numbered by nodes,
    then road length, then their first node, so the ids do not depend on the labelling.
    """
    labels, n_comp = strong_parts(u, v, seconds, n_nodes=n_nodes)
    nodes = np.bincount(labels, minlength=n_comp)
    lu = labels[u]
    inside = lu == labels[v]
    km = np.bincount(lu[inside], np.asarray(length_m)[inside], minlength=n_comp) / 1000
    first = np.full(n_comp, len(labels))
    np.minimum.at(first, labels, np.arange(len(labels)))
    order = np.lexsort((first, -np.round(km, 6), -nodes))
    keep = (nodes[order] >= floor[0]) | (km[order] >= floor[1] - 1e-9)
    if len(keep):
        keep[0] = True
    new_id = np.full(n_comp, -1)
    new_id[order[keep]] = np.arange(int(keep.sum()))
    return new_id[labels], n_comp


#: How the warning about a network without the ways riders use begins.
NO_RIDER_WAYS = "the network has no footways, cycleways, paths, pedestrian streets or steps"


def rider_way_warnings(highway: np.ndarray, mode: Mode) -> list[str]:
    """Sentences warning that the network lacks the ways riders and walkers use (none of
    :data:`RIDER_ONLY_HIGHWAYS` among ``highway``) when ``mode`` rides or walks; empty
    otherwise. Logged as warnings too."""
    if mode.name not in ("ebike", "walk") or np.isin(highway, list(RIDER_ONLY_HIGHWAYS)).any():
        return []
    fix = (
        'set oneway = "ignore" in --speeds, or load a full network (an .osm.pbf or .osm '
        "export, or an osmnx graph of network_type 'all')"
        if mode.oneway == "respect"
        else "load a full network (an .osm.pbf or .osm export, or an osmnx graph of "
        "network_type 'all')"
    )
    barriers = (
        "one-way carriageways and interchanges" if mode.oneway == "respect" else "interchanges"
    )
    text = (
        f"{NO_RIDER_WAYS}, as a network made for cars (such as an osmnx 'drive' graph) has "
        f"none: the pavements and non-motorised lanes riders and walkers use are not mapped, "
        f"so {barriers} can turn a few hundred metres into a long detour and the {mode.name} "
        f"times are too long; {fix}"
    )
    log.warning("%s", text)
    return [text]
