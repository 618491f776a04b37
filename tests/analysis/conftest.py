"""Fixtures of the analysis tests: real OSM extracts loaded once for e-bikes."""

from __future__ import annotations

import numpy as np
import pytest

from planner.analysis import travel
from planner.inputs import network as network_mod

from ..conftest import SHARED

#: Real extracts in ../shared/data: a whole country (pyrosm) and a Chinese district (osmnx).
REAL_EXTRACTS = ("andorra_2020-04.osm.pbf", "shenzhen_longgang_2019.osm")


@pytest.fixture(scope="session", params=REAL_EXTRACTS)
def real_ebike(request) -> network_mod.Network:
    """A real extract's e-bike network; skipped where ../shared/data is absent."""
    path = SHARED / "data" / request.param
    if not path.exists():
        pytest.skip(f"real extract not found at {path} (needs ../shared/data)")
    return network_mod.load(path, mode="ebike")


def random_points(net: network_mod.Network, n: int, *, seed: int) -> np.ndarray:
    """``n`` points spread over the network's bounding box (network CRS), some far off-road."""
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = net.nodes.total_bounds
    return np.column_stack([rng.uniform(minx, maxx, n), rng.uniform(miny, maxy, n)])


def real_snaps(net: network_mod.Network) -> tuple[travel.Snapped, travel.Snapped]:
    """Twelve stations and 300 hotspots snapped onto a real network."""
    pts = random_points(net, 312, seed=5)
    stations = travel.snap(net, pts[:12], np.array([f"S{i}" for i in range(12)]))
    hotspots = travel.snap(net, pts[12:], np.array([f"H{i}" for i in range(300)]))
    return stations, hotspots
