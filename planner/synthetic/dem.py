"""A seeded synthetic digital elevation model (a GeoTIFF of hills) over given WGS-84 bounds,
for trying ``--dem`` where no survey DEM or satellite tile is at hand. Same seed, same file.

The ground is a sum of ``hills`` Gaussian hills with random centres, peak heights up to
``relief_m`` and radii between ``radius_m`` and twice that, over a base height; the
steepest grade of one hill is ``e^-1/2 × height / radius``, about 0.61 × height / radius
(at most 0.32 at the defaults, before hills add up), so roads see grades from flat to
steep. The raster is in the UTM zone of the bounds' centre, ``res_m`` metres a cell,
float32 with a nodata value.
A real DEM (Copernicus GLO-30, SRTM, a city's survey) replaces it for planning::

    python -m planner.synthetic.dem --bounds 1.40,42.42,1.79,42.66 --out andorra_dem.tif
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pyproj
import rasterio
from rasterio.transform import from_origin

#: The value of cells without a height.
NODATA = -9999.0


def utm_of(lon: float, lat: float) -> pyproj.CRS:
    """The UTM zone (WGS-84) of a point."""
    zone = int((lon + 180.0) // 6.0) + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


def write_dem(
    bounds: tuple[float, float, float, float],
    out: str | Path,
    *,
    seed: int = 0,
    hills: int = 40,
    relief_m: float = 800.0,
    radius_m: float = 1500.0,
    base_m: float = 1000.0,
    res_m: float = 30.0,
) -> Path:
    """Write the hills over ``bounds`` (west, south, east, north in degrees, WGS-84) to the
    GeoTIFF ``out`` and return its path; see the module for the shape of the ground."""
    west, south, east, north = (float(v) for v in bounds)
    if not (-180 <= west < east <= 180 and -85 <= south < north <= 85):
        raise ValueError("expected degrees with west < east and south < north")
    if not (res_m > 0 and hills >= 0):
        raise ValueError(f"expected res_m above 0 and hills 0 or more, got {res_m}, {hills}")
    crs = utm_of((west + east) / 2, (south + north) / 2)
    to = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    xs, ys = to.transform([west, east, east, west], [south, south, north, north])
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    w, h = int(np.ceil((x1 - x0) / res_m)), int(np.ceil((y1 - y0) / res_m))
    cx = x0 + (np.arange(w) + 0.5) * res_m
    cy = y1 - (np.arange(h) + 0.5) * res_m
    rng = np.random.default_rng(seed)
    z = np.full((h, w), base_m, dtype="float64")
    for _ in range(hills):
        hx, hy = rng.uniform(x0, x1), rng.uniform(y0, y1)
        peak, r = rng.uniform(0.2, 1.0) * relief_m, rng.uniform(1.0, 2.0) * radius_m
        z += (
            peak
            * np.exp(-((cy[:, None] - hy) ** 2) / (2 * r * r))
            * np.exp(-((cx[None, :] - hx) ** 2) / (2 * r * r))
        )
    profile = {"driver": "GTiff", "width": w, "height": h, "count": 1, "dtype": "float32",
               "crs": crs, "transform": from_origin(x0, y1, res_m, res_m), "nodata": NODATA,
               "compress": "deflate"}  # fmt: skip
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z.astype("float32"), 1)
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--bounds", required=True, help="west,south,east,north in degrees")
    ap.add_argument("--out", required=True, help="the GeoTIFF to write")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--res-m", type=float, default=30.0)
    args = ap.parse_args(argv)
    try:
        west, south, east, north = (float(v) for v in args.bounds.split(","))
    except ValueError:
        ap.exit(2, f"error: --bounds {args.bounds!r}: give four numbers west,south,east,north "
                "in degrees, such as 1.40,42.42,1.79,42.66\n")  # fmt: skip
    try:
        path = write_dem((west, south, east, north), args.out, seed=args.seed, res_m=args.res_m)
    except ValueError as exc:
        ap.exit(2, f"error: --bounds {args.bounds!r} --res-m {args.res_m:g}: {exc}\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
