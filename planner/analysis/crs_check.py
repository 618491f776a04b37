"""Points read in the wrong coordinate system: the classic mistake.

Station lists copied from Amap or Tencent are GCJ-02, from Baidu BD-09; read as WGS-84
they lie 300-700 m from where they are, and every score is wrong without any error. A shift
that large is many times the spacing of city streets, so points read in the wrong system
land anywhere between the roads, while points read in the right one sit on or beside them.
:func:`check` measures the median distance from a sample of the points to the nearest usable
road segment as read, and again with the same numbers read in each other system (GCJ-02,
BD-09, WGS-84). When another reading brings the points clearly closer to the roads, it
returns a :class:`Finding`.

"Clearly": the other reading's median is at most 1/2.5 (:data:`RATIO`) of the median as
read, and at least :data:`MIN_GAIN_M` (15 m) less. Measured on central Longgang (Shenzhen), a
dense network (``benchmarks/bench_crs_check.py``): places 5-60 m off the road lie a median of
3-17 m from it read right, and 43 m read with the GCJ-02 shift of about 590 m (76 m with
BD-09's). Over 400 random draws of 30 such places, the mistake is found in 99% of draws for
places 5 m off the road, 98% at 15 m, 88% at 30 m and half at 60 m (whose median of 17 m is too
close to 43 m to tell); right readings were never flagged. Of 5 places, right readings were
flagged in up to 2% of draws (places 60 m off), of 10 in 0.2%, so an error needs
:data:`MIN_POINTS` points; fewer give a warning. Points far from every road in any reading
(building centroids in a sparsely mapped district: about 40 m as read and 45 m shifted) give
a ratio near 1 and no finding, so the check stays silent where it cannot tell. Outside China
GCJ-02 and BD-09 do not apply (GCJ-02 equals WGS-84 there), so the check runs only on points
inside China.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely

from ..core import crs as crs_mod
from ..inputs.network import Network

#: Another reading is clearly better when the median as read is at least this many times
#: its median distance to the road ...
RATIO = 2.5
#: ... and at least this much larger (m).
MIN_GAIN_M = 15.0
#: The most points measured per input (evenly spread over the file's rows).
SAMPLE = 2000
#: Fewer points than this are too few to stop a run on; a finding is then a warning.
MIN_POINTS = 8

_LABELS = {"wgs84": "WGS-84", "gcj02": "GCJ-02 (Amap, Tencent)", "bd09": "BD-09 (Baidu)"}


@dataclass(frozen=True)
class Finding:
    """Points that lie clearly closer to the roads read in another coordinate system.

    Attributes
    ----------
    read_as, likely
        The system the points were read in, and the one that fits the roads better.
    median_m, likely_median_m
        Median distance (m) from the points to the nearest usable road, read each way.
    points
        How many points were measured.
    """

    read_as: str
    likely: str
    median_m: float
    likely_median_m: float
    points: int

    def figures(self) -> str:
        """The evidence in words."""
        return (
            f"read as {label(self.read_as)}, its {self.points} points lie a median "
            f"{self.median_m:.0f} m from the nearest road; read as {label(self.likely)}, "
            f"{self.likely_median_m:.0f} m"
        )


def label(system: str) -> str:
    """A system as planners know it: ``"GCJ-02 (Amap, Tencent)"``."""
    return _LABELS.get(system, system)


class Roads:
    """The usable segments of a network, indexed (on first use) for nearest-road distances."""

    def __init__(self, network: Network) -> None:
        self.network = network
        self._tree: shapely.STRtree | None = None

    def distance_m(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Distance (m) from each WGS-84 point to the nearest usable segment."""
        if self._tree is None:
            self._tree = shapely.STRtree(self.network.segments.geometry.values)
        to_net = pyproj.Transformer.from_crs(crs_mod.WGS84, self.network.crs, always_xy=True)
        x, y = to_net.transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        pts = shapely.points(np.asarray(x), np.asarray(y))
        _, dist = self._tree.query_nearest(pts, return_distance=True, all_matches=False)
        return np.asarray(dist, dtype=float)


def _as_read(lon: np.ndarray, lat: np.ndarray, system: str) -> tuple[np.ndarray, np.ndarray]:
    """The file's own numbers, back from WGS-84 points read in ``system``."""
    if system == "gcj02":
        return crs_mod.wgs84_to_gcj02(lon, lat)
    if system == "bd09":
        return crs_mod.gcj02_to_bd09(*crs_mod.wgs84_to_gcj02(lon, lat))
    return lon, lat


def _sample(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
    if len(ok) > SAMPLE:
        ok = ok[np.linspace(0, len(ok) - 1, SAMPLE).round().astype(int)]
    return lon[ok], lat[ok]


def check(roads: Roads | Network, lon: np.ndarray, lat: np.ndarray, read_as: str) -> Finding | None:
    """Whether WGS-84 points ``lon, lat``, read from a file in ``read_as``, lie clearly
    closer to the ``roads`` (a network, or its :class:`Roads` to index it once for several
    inputs) with the file's numbers read in another system.

    Only lon/lat systems are checked (``wgs84``, ``gcj02``, ``bd09`` or a geographic EPSG
    system such as CGCS2000, taken as WGS-84), and only points inside China.
    """
    system = read_as if read_as in crs_mod.OFFSET_SYSTEMS else "wgs84"
    if read_as not in crs_mod.OFFSET_SYSTEMS and not crs_mod.is_geographic(read_as):
        return None
    lon, lat = _sample(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    if not len(lon) or crs_mod.in_china(lon, lat).mean() <= 0.5:
        return None
    roads = roads if isinstance(roads, Roads) else Roads(roads)
    raw = _as_read(lon, lat, system)
    median = float(np.median(roads.distance_m(lon, lat)))
    others = {}
    for other in crs_mod.CRS_CHOICES:
        if other != system:
            olon, olat = crs_mod.to_wgs84(*raw, other)
            others[other] = float(np.median(roads.distance_m(olon, olat)))
    likely = min(others, key=lambda k: (others[k], k))
    best = others[likely]
    if best * RATIO <= median and median - best >= MIN_GAIN_M:
        return Finding(system, likely, median, best, len(lon))
    return None
