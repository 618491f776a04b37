"""Seeded rider pings: GPS tracks of delivery riders, for tests, benchmarks and samples.

Each rider works a shift. It waits at a pick-up centre (a restaurant, a mall) for a few
minutes, its GPS fixes scattered around the spot (``jitter_m``), then rides to another centre
at e-bike speed, pinging every ``ping_s`` seconds on the way. Now and then a ride ends at a
background pick-up instead (a lone shop anywhere in the area), where the rider stops for a
minute or few: the sparse demand where blind spots hide.

With a road network (:class:`planner.inputs.network.Network`, e.g. the embedded Helsinki
extract) the centres and pick-ups are road nodes and the rides follow the fastest path of the
network's mode, so the pings lie along streets. Without one the area is a square of
``extent_m`` around ``centre_lonlat`` and the rides are straight lines.

Every ping carries the truth: ``activity`` (``stay`` at a centre, ``pickup`` at a background
stop, ``ride`` between) and ``place`` (``C1``... a centre, ``B1``... a background stop, empty
while riding).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyproj
import shapely
from scipy.sparse.csgraph import dijkstra

from ..core.crs import WGS84
from ..core.errors import InputError
from ..inputs.network import Network


@dataclass(frozen=True)
class PingPlan:
    """What to generate. Times in minutes or seconds as named, distances in metres.

    Attributes
    ----------
    riders
        Number of riders (``R1``, ``R2``...).
    shift_min
        Length of each rider's shift; shifts start within the first half hour of ``start``.
    ping_s
        Seconds between two pings of a rider.
    centres
        Number of pick-up centres where riders wait.
    stay_min
        Range (low, high) of a wait at a centre, minutes.
    pickup_min
        Range of a stop at a background pick-up, minutes.
    background
        Share of rides that end at a background pick-up rather than a centre (0..1).
    speed_kph
        Range of riding speeds (e-bikes: 15-20 km/h in town).
    jitter_m
        Standard deviation of the GPS error of each ping, per axis.
    extent_m
        Side of the square area, without a network.
    centre_lonlat
        Centre of the square area (WGS-84), without a network.
    start
        Local date and time the shifts start from.
    seed
        Seed of every random choice.
    """

    riders: int = 40
    shift_min: float = 120.0
    ping_s: float = 15.0
    centres: int = 8
    stay_min: tuple[float, float] = (3.0, 12.0)
    pickup_min: tuple[float, float] = (1.5, 4.0)
    background: float = 0.15
    speed_kph: tuple[float, float] = (14.0, 20.0)
    jitter_m: float = 5.0
    extent_m: float = 4000.0
    centre_lonlat: tuple[float, float] = (114.247, 22.72)
    start: str = "2026-05-01 11:00:00"
    seed: int = 0


@dataclass(frozen=True)
class SyntheticPings:
    """Generated pings and the places they were generated from.

    ``pings``: ``rider_id, timestamp, lon, lat, activity, place`` (WGS-84, time order per
    rider). ``places``: ``place, kind (centre|pickup), lon, lat``.
    """

    pings: pd.DataFrame
    places: pd.DataFrame


class _Area:
    """Where riders go: place coordinates (metres) and the path between two places."""

    def __init__(self, plan: PingPlan, network: Network | None, rng: np.random.Generator):
        self.network = network
        if network is None:
            lon0, lat0 = plan.centre_lonlat
            self.crs = pyproj.CRS.from_proj4(f"+proj=aeqd +lat_0={lat0} +lon_0={lon0} +units=m")
            self.xy = None
        else:
            self.crs = network.crs
            self.xy = shapely.get_coordinates(network.nodes.geometry.values)
        self.rng = rng
        self.half = plan.extent_m / 2
        self.paths: dict[tuple[int, int], np.ndarray] = {}
        self.nodes: list[int] = []  # the node of each place (network only)
        self.points: list[np.ndarray] = []

    def add_place(self) -> int:
        """A new place (a random road node, or a random point of the square); its number."""
        if self.xy is None:
            self.points.append(self.rng.uniform(-self.half, self.half, 2))
        else:
            node = int(self.rng.integers(len(self.xy)))
            self.nodes.append(node)
            self.points.append(self.xy[node])
        return len(self.points) - 1

    def route(self, a: int, b: int, centres: int) -> np.ndarray:
        """The polyline (k × 2 metres) from place ``a`` to place ``b``; one of them is a
        centre (numbered below ``centres``): the trees of the fastest paths grow from them."""
        key = (a, b)
        if key not in self.paths:
            self.paths[key] = self._route(a, b, centres)
        return self.paths[key]

    def _route(self, a: int, b: int, centres: int) -> np.ndarray:
        straight = np.vstack([self.points[a], self.points[b]])
        if self.xy is None or self.network is None:
            return straight
        if not hasattr(self, "_fwd"):
            adj = self.network.adjacency()
            roots = self.nodes[:centres]
            self._fwd = dijkstra(adj, indices=roots, return_predecessors=True)[1]
            self._bwd = dijkstra(adj.T.tocsr(), indices=roots, return_predecessors=True)[1]
        na, nb = self.nodes[a], self.nodes[b]
        if a < centres:  # walk the tree grown from a back from b, then reverse
            seq, pred, start, stop = [nb], self._fwd[a], nb, na
        else:  # b is a centre: the reversed tree leads from a forwards to b
            seq, pred, start, stop = [na], self._bwd[b], na, nb
        node = start
        while node != stop:
            node = int(pred[node])
            if node < 0:
                return straight
            seq.append(node)
        nodes = seq[::-1] if a < centres else seq
        return self.xy[nodes]


def generate_pings(
    plan: PingPlan | None = None, *, network: Network | None = None
) -> SyntheticPings:
    """Rider pings drawn from ``plan`` (seeded), along the roads of ``network`` when given.

    Returns a :class:`SyntheticPings`: the pings (``rider_id, timestamp, lon, lat, activity,
    place``; WGS-84; local times without offset, to whole seconds) and the places.
    """
    plan = plan or PingPlan()
    _check(plan)
    rng = np.random.default_rng(plan.seed)
    area = _Area(plan, network, rng)
    for _ in range(plan.centres):
        area.add_place()
    tracks = [_rider(plan, area, rng) for _ in range(plan.riders)]
    parts: dict[str, Any] = {
        k: np.concatenate([t[k] for t in tracks]) for k in ("t", "x", "y", "activity", "place")
    }
    rider = np.concatenate([np.full(len(t["t"]), f"R{i + 1}") for i, t in enumerate(tracks)])
    to_wgs = pyproj.Transformer.from_crs(area.crs, WGS84, always_xy=True)
    lon, lat = to_wgs.transform(parts["x"], parts["y"])
    start = pd.Timestamp(plan.start)
    names = np.array([_place_name(i, plan.centres) for i in range(len(area.points))] + [""])
    pings = pd.DataFrame(
        {
            "rider_id": rider,
            "timestamp": start + pd.to_timedelta(np.round(parts["t"]), unit="s"),
            "lon": np.round(lon, 7),
            "lat": np.round(lat, 7),
            "activity": parts["activity"],
            "place": names[parts["place"]],
        }
    )
    pxy = np.array(area.points)
    plon, plat = to_wgs.transform(pxy[:, 0], pxy[:, 1])
    places = pd.DataFrame(
        {
            "place": names[:-1],
            "kind": ["centre" if i < plan.centres else "pickup" for i in range(len(pxy))],
            "lon": plon,
            "lat": plat,
        }
    )
    return SyntheticPings(pings, places)


def _place_name(i: int, centres: int) -> str:
    return f"C{i + 1}" if i < centres else f"B{i - centres + 1}"


def _check(plan: PingPlan) -> None:
    """Refuse a plan that cannot make pings, naming the attribute."""
    checks = {
        "riders": plan.riders >= 1,
        "centres": plan.centres >= 2,
        "ping_s": plan.ping_s > 0,
        "shift_min": plan.shift_min > 0,
        "background": 0 <= plan.background <= 1,
        "speed_kph": min(plan.speed_kph) > 0,
        "stay_min": min(plan.stay_min) > 0,
        "pickup_min": min(plan.pickup_min) > 0,
        "jitter_m": plan.jitter_m >= 0,
        "extent_m": plan.extent_m > 0,
    }
    wrong = [name for name, ok in checks.items() if not ok]
    if wrong:
        raise InputError.about(
            wrong[0], "ping plan: {names} out of range; see PingPlan", names=", ".join(wrong)
        )


def _rider(plan: PingPlan, area: _Area, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """One rider's shift: stays at centres, rides between them, background pick-ups."""
    t = float(rng.uniform(0, 1800))
    end = t + plan.shift_min * 60
    here = int(rng.integers(plan.centres))
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("t", "x", "y", "activity", "place")}
    while t < end:
        low, high = plan.stay_min if here < plan.centres else plan.pickup_min
        n = max(1, int(rng.uniform(low, high) * 60 / plan.ping_s))
        kind = "stay" if here < plan.centres else "pickup"
        pos = np.broadcast_to(area.points[here], (n, 2))
        _add(out, t + plan.ping_s * np.arange(n), pos, kind, here, plan, rng)
        t += plan.ping_s * n
        there = _next_place(plan, area, rng, here)
        line = area.route(here, there, plan.centres)
        seg = np.hypot(*np.diff(line, axis=0).T)
        dist = np.concatenate([[0.0], np.cumsum(seg)])
        speed = rng.uniform(*plan.speed_kph) / 3.6
        steps = np.arange(plan.ping_s, dist[-1] / speed, plan.ping_s)
        along = steps * speed
        pos = np.column_stack(
            [np.interp(along, dist, line[:, 0]), np.interp(along, dist, line[:, 1])]
        )
        _add(out, t + steps, pos, "ride", -1, plan, rng)
        t += dist[-1] / speed
        here = there
    within = np.concatenate(out["t"]) < end  # the shift ends, mid-ride or not
    return {k: np.concatenate(v)[within] for k, v in out.items()}


def _next_place(plan: PingPlan, area: _Area, rng: np.random.Generator, here: int) -> int:
    """A background pick-up (a new place) with chance ``background`` after a centre, else
    another centre."""
    if here >= plan.centres:
        return int(rng.integers(plan.centres))
    if rng.random() < plan.background:
        return area.add_place()
    there = int(rng.integers(plan.centres - 1))
    return there + 1 if there >= here else there


def _add(
    out: dict[str, list[np.ndarray]],
    t: np.ndarray,
    pos: np.ndarray,
    kind: str,
    place: int,
    plan: PingPlan,
    rng: np.random.Generator,
) -> None:
    noise = rng.normal(0.0, plan.jitter_m, (len(t), 2))
    out["t"].append(np.asarray(t, dtype=float))
    out["x"].append(pos[:, 0] + noise[:, 0])
    out["y"].append(pos[:, 1] + noise[:, 1])
    out["activity"].append(np.full(len(t), kind))
    out["place"].append(np.full(len(t), place))
