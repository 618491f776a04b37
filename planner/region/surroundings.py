"""Other operators' stations and goals per sub-area in a region, split by district.

Other operators' stations follow the halo rule of the stations (see
:mod:`planner.region.halo`): a district gets those within ``sites_m`` of its polygon, so
one just across a border serves the district's hotspots as it does on one machine. Their
ids are checked against the stations' once for the whole region, and candidates that are
another operator's station are left out once, before any district is cut.

Sub-areas (街道) go to districts whole: each to the district holding the largest part of
it (on a tie, the district whose name sorts first). An area with more than
:data:`CROSSING_SHARE` of its surface outside that district is named in a warning: its
goals are judged in that district, on the hotspots inside the district (a hotspot belongs
to one district, by the rule of :mod:`planner.region.districts`), as a one-machine
``planner plan`` of that district would judge them. An area in no district is left out
with a warning, and so are its goals (an area is in no district when no district holds
:data:`CROSSING_SHARE` of it: slivers along drawn borders do not count). The goals
themselves are checked once against the areas file and the thresholds, before any work.
Asked to meet every area's goals (``--reach areas``), a district whose sub-areas have no
goal gets no new sites.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..plan import area_goals
from ..plan import others as others_mod
from ..plan.request import PlanRequest

log = logging.getLogger(__name__)

#: Share of a sub-area's surface outside its district above which a warning names it
#: (below it, the area and the districts merely disagree along a drawn border).
CROSSING_SHARE = 0.01


@dataclass(frozen=True)
class Surroundings:
    """What a region's plans may have beside hotspots, stations and candidates.

    ``others``: other operators' stations (WGS-84, ``id`` distinct from the stations');
    ``others_count``: whether their coverage counts toward each district's goals;
    ``areas``: sub-areas (WGS-84, ``area``); ``area_targets``: goals per sub-area
    (:func:`planner.inputs.area_targets.read_area_targets`), with ``areas``; ``sources``:
    how errors name the files (``others``, ``area_targets``)."""

    others: gpd.GeoDataFrame | None = None
    others_count: bool = True
    areas: gpd.GeoDataFrame | None = None
    area_targets: pd.DataFrame | None = None
    sources: tuple[tuple[str, str], ...] = ()

    def named(self, role: str) -> str:
        return dict(self.sources).get(role, f"{role.replace('_', ' ')} file")


def checked(
    s: Surroundings,
    stations: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame | None,
    request: PlanRequest,
) -> tuple[Surroundings, gpd.GeoDataFrame | None]:
    """The surroundings checked for the whole region, and the candidates without the other
    operators' stations: an others id that is a station's, a goal naming no area or
    minutes that are no threshold, or goals without areas, raise
    :class:`~planner.core.errors.InputError` naming the file and rows."""
    if s.others is not None:
        s = replace(s, others=others_mod.checked(s.others, stations, s.named("others")))
        candidates = others_mod.without_their_sites(candidates, s.others)
    if s.area_targets is not None:
        area_goals.check(s.area_targets, s.areas, request, s.named("area_targets"))
    return s, candidates


def area_owner(areas: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, *, crs: object) -> np.ndarray:
    """Per sub-area, the position of the district holding the largest part of it (-1: in
    none); a warning names each area crossing a border (see the module's rule)."""
    polys = districts.geometry.to_crs(crs).values
    shapes = areas.geometry.to_crs(crs).values
    ai, di = shapely.STRtree(polys).query(shapes, predicate="intersects")
    part = shapely.area(shapely.intersection(shapes[ai], polys[di]))
    owner = np.full(len(areas), -1, dtype=np.int64)
    best = np.zeros(len(areas))
    for a, d, m2 in sorted(zip(ai.tolist(), di.tolist(), part.tolist(), strict=True)):
        if m2 > best[a]:  # by district order: the first of equal parts wins
            owner[a], best[a] = d, m2
    whole = shapely.area(shapes)
    owner[best < CROSSING_SHARE * whole] = -1  # a sliver along a border is not a part
    names = areas["area"].astype(str).tolist()
    for a in np.flatnonzero(owner < 0):
        log.warning("sub-area %r lies in no district: left out, with its goals", names[a])
    for a in np.flatnonzero((owner >= 0) & (best < (1 - CROSSING_SHARE) * whole)):
        log.warning(
            "sub-area %r crosses district borders (%.0f%% outside %r): it goes to %r, whose "
            "hotspots in it its goals are judged on",
            names[a], 100 * (1 - best[a] / whole[a]), districts["district"].iat[owner[a]],
            districts["district"].iat[owner[a]],
        )  # fmt: skip
    return owner


def areas_of(
    s: Surroundings, owner: np.ndarray | None, d: int
) -> tuple[gpd.GeoDataFrame | None, pd.DataFrame | None]:
    """District ``d``'s sub-areas (in the file's order; ``owner``: :func:`area_owner`) and
    their goals (in theirs)."""
    if s.areas is None or owner is None:
        return None, None
    mine = s.areas.iloc[np.flatnonzero(owner == d)].reset_index(drop=True)
    if s.area_targets is None:
        return mine, None
    names = set(mine["area"].astype(str))
    rows = s.area_targets["area"].astype(str).isin(names).to_numpy()
    return mine, s.area_targets.loc[rows].reset_index(drop=True)
