"""Many hotspots on the map: above :data:`MAP_HOTSPOTS_MAX` the map draws the cells of a
square grid instead of one dot per hotspot (a page of a million dots would not open); the
tables still list every hotspot."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

#: Above this many hotspots the map draws grid cells instead.
MAP_HOTSPOTS_MAX = 10_000
#: Sides of the grid cells tried, smallest first (m).
CELL_SIDES_M = (50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000)


def cells(hs: gpd.GeoDataFrame, covered: str, text: str) -> gpd.GeoDataFrame:
    """The WGS-84 hotspots ``hs`` gathered into the cells of a square grid: per cell, one
    point for its hotspots within the nearest threshold (column ``covered`` true) and one
    for those beyond, at their weighted centre, with their total ``weight`` and a
    ``name`` from ``text`` (``{n}`` hotspots, ``{size}`` of the cell). The side is the
    smallest of :data:`CELL_SIDES_M` that gives at most :data:`MAP_HOTSPOTS_MAX` points."""
    lon, lat = hs.geometry.x.to_numpy(), hs.geometry.y.to_numpy()
    m_per_deg = 111_320.0  # along a meridian; along a parallel times cos(latitude)
    scale_x = m_per_deg * np.cos(np.radians(float(np.mean(lat))))
    w = hs["weight"].to_numpy(dtype=float)
    base = pd.DataFrame({"covered": hs[covered].to_numpy(dtype=bool), "w": w, "n": 1,
                         "wx": w * lon, "wy": w * lat, "x": lon, "y": lat})  # fmt: skip
    for side in CELL_SIDES_M:
        base["cx"] = np.floor(lon * scale_x / side).astype(np.int64)
        base["cy"] = np.floor(lat * m_per_deg / side).astype(np.int64)
        grid = base.groupby(["cx", "cy", "covered"], sort=True).sum()
        if len(grid) <= MAP_HOTSPOTS_MAX:
            break
    total = grid["w"].to_numpy()
    n = grid["n"].to_numpy()
    size = f"{side:g} m" if side < 1000 else f"{side / 1000:g} km"
    # a weightless cell sits at the plain centre of its hotspots
    heavy = total > 0
    x = np.where(heavy, grid["wx"] / np.where(heavy, total, 1), grid["x"] / n)
    y = np.where(heavy, grid["wy"] / np.where(heavy, total, 1), grid["y"] / n)
    out = pd.DataFrame({
        "id": [f"cell {k + 1}" for k in range(len(grid))],
        "name": [text.format(n=f"{k:,}", size=size) for k in n],
        "weight": total,
        covered: grid.index.get_level_values("covered").to_numpy(),
    })  # fmt: skip
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(x, y), crs=hs.crs)
