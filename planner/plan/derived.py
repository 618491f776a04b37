"""Frames computed from a plan's road network alone (the roads its outputs draw, say),
stored with the network in the network cache when it came from there, so the next run on
the same file reads them instead of computing them again (see
:func:`planner.inputs.network_cache.derived`)."""

from __future__ import annotations

from collections.abc import Callable

import geopandas as gpd

from ..inputs import network_cache
from ..inputs.network import Network


def network_frame(
    network: Network, name: str, build: Callable[[], gpd.GeoDataFrame]
) -> gpd.GeoDataFrame:
    """``build()``, a frame of ``network`` alone, read from or stored with its cache entry
    (none: just built). ``name`` names the frame and every parameter of ``build``
    (letters, digits, ``.``, ``_``, ``-``)."""
    return network_cache.derived(network.cache_entry, name, build)
