"""Shared fixtures: hand-built networks with answers known by hand, and real OSM extracts."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import shapely

from planner.analysis import travel
from planner.core.modes import get_mode
from planner.inputs import network as network_mod
from planner.inputs.network import csr_min

#: A projected CRS (UTM 31N) so hand-built coordinates are metres.
UTM = "EPSG:32631"
X0, Y0 = 500_000.0, 4_700_000.0

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
ANDORRA = SHARED / "data" / "andorra_2020-04.osm.pbf"
LONGGANG = SHARED / "data" / "shenzhen_longgang_2019.osm"
BENCH = SHARED / "bench"


def make_network(
    nodes: dict[int, tuple[float, float]], ways: list[dict], mode: str = "walk", **options
):
    """Network from nodes ``{id: (x, y)}`` (metres from an origin) and ways
    ``[{"u": 1, "v": 2, "highway": "residential", "oneway": "yes"}, ...]``; ``options`` go
    to :func:`planner.inputs.network.build` (``min_part_nodes``, ``min_part_km``)."""
    rows = []
    for w in ways:
        (x1, y1), (x2, y2) = nodes[w["u"]], nodes[w["v"]]
        rows.append({**w, "geometry": shapely.LineString([(X0 + x1, Y0 + y1), (X0 + x2, Y0 + y2)])})
    ways_df = pd.DataFrame(rows)
    if "highway" not in ways_df:
        ways_df["highway"] = "residential"
    ways_df["highway"] = ways_df["highway"].fillna("residential")
    nodes_df = pd.DataFrame(
        {
            "osmid": list(nodes),
            "x": [X0 + p[0] for p in nodes.values()],
            "y": [Y0 + p[1] for p in nodes.values()],
        }
    )
    return network_mod.build(
        ways_df, nodes_df, mode=get_mode(mode), source="hand-built", crs=UTM, **options
    )


def xy(*points: tuple[float, float]) -> np.ndarray:
    return np.array([(X0 + x, Y0 + y) for x, y in points], dtype=float)


def times_from_dense(matrix: object) -> travel.TravelTimes:
    """TravelTimes from a dense sources × targets matrix (inf = beyond the limit), sources
    ``S0, S1...``, targets ``H0, H1...``, limit 900 s."""
    m = np.asarray(matrix, dtype=float)
    r, c = np.nonzero(np.isfinite(m))
    sec = csr_min(r, c, m[r, c], m.shape)
    return travel.TravelTimes(
        sec,
        np.array([f"S{i}" for i in range(m.shape[0])]),
        np.array([f"H{j}" for j in range(m.shape[1])]),
        900.0,
    )


@pytest.fixture(scope="session")
def helsinki_pbf() -> str:
    from planner.pipeline import demo_source

    return demo_source()


@pytest.fixture(scope="session")
def helsinki_walk(helsinki_pbf):
    return network_mod.load(helsinki_pbf, mode="walk")


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory, helsinki_pbf):
    """Hotspot, station and candidate CSVs written from the Helsinki extract's own POIs."""
    d = tmp_path_factory.mktemp("inputs")
    from planner.app import demo_inputs

    _, hs, st, cand = demo_inputs(helsinki_pbf)
    pd.DataFrame(hs.drop(columns="geometry")).to_csv(d / "hotspots.csv", index=False)
    pd.DataFrame(st.drop(columns="geometry")).to_csv(d / "stations.csv", index=False)
    pd.DataFrame(cand.drop(columns="geometry")).head(30).to_csv(d / "candidates.csv", index=False)
    return d


@pytest.fixture(scope="session")
def andorra_pbf() -> Path:
    if not ANDORRA.exists():
        pytest.skip(f"real Andorra extract not found at {ANDORRA} (needs ../shared/data)")
    return ANDORRA


@pytest.fixture(scope="session")
def longgang_osm() -> Path:
    if not LONGGANG.exists():
        pytest.skip(f"real Longgang extract not found at {LONGGANG} (needs ../shared/data)")
    return LONGGANG


@pytest.fixture(scope="session")
def longgang_ebike(longgang_osm):
    """Central Longgang's e-bike network, loaded once (about 15 s from the XML export)."""
    return network_mod.load(longgang_osm, mode="ebike")


def roadside_points(net, n: int, *, offset_m: float = 6.0, seed: int = 0) -> pd.DataFrame:
    """``n`` real places beside the roads of ``net``: points on its segments (at random
    positions along them), moved ``offset_m`` off the road; ``id, name, lon, lat`` (WGS-84)."""
    rng = np.random.default_rng(seed)
    seg = net.segments.geometry.values[rng.choice(len(net.segments), n, replace=False)]
    on = shapely.line_interpolate_point(seg, rng.uniform(0.1, 0.9, n), normalized=True)
    xy = shapely.get_coordinates(on) + offset_m * np.column_stack(
        [np.cos(a := rng.uniform(0, 2 * np.pi, n)), np.sin(a)]
    )
    import geopandas as gpd

    pts = gpd.GeoSeries(shapely.points(xy), crs=net.crs).to_crs(4326)
    return pd.DataFrame(
        {"id": [f"P{i}" for i in range(n)], "name": [f"place {i}" for i in range(n)],
         "lon": pts.x.round(7), "lat": pts.y.round(7)}
    )  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def _network_cache_dir(tmp_path_factory):
    """Every test (and every subprocess it starts, which inherits the environment) keeps
    the network cache in a temporary folder, never in the user's home."""
    from planner.inputs.network_cache import ENV_VAR

    before = os.environ.get(ENV_VAR)
    os.environ[ENV_VAR] = str(tmp_path_factory.mktemp("network-cache"))
    yield Path(os.environ[ENV_VAR])
    if before is None:
        os.environ.pop(ENV_VAR, None)
    else:
        os.environ[ENV_VAR] = before


@pytest.fixture(autouse=True)
def _quiet_logs(caplog):
    caplog.set_level(logging.WARNING, logger="pyrosm")
