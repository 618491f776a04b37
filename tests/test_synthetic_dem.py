"""The seeded synthetic DEM: same seed same file, in the UTM zone of its bounds, covering
them, with grades a road can have; read by ``--dem`` as any DEM is."""

from __future__ import annotations

import numpy as np
import pyproj
import pytest
import rasterio

from planner.synthetic import dem

BOUNDS = (1.40, 42.42, 1.79, 42.66)  # Andorra


def test_same_seed_same_ground_in_the_utm_zone(tmp_path):
    a = dem.write_dem(BOUNDS, tmp_path / "a.tif", seed=3, res_m=60)
    b = dem.write_dem(BOUNDS, tmp_path / "b.tif", seed=3, res_m=60)
    c = dem.write_dem(BOUNDS, tmp_path / "c.tif", seed=4, res_m=60)
    with rasterio.open(a) as ra, rasterio.open(b) as rb, rasterio.open(c) as rc:
        za, zb, zc = ra.read(1), rb.read(1), rc.read(1)
        assert ra.crs.to_epsg() == 32631 and ra.res == (60.0, 60.0)
        assert ra.crs == dem.utm_of(1.6, 42.5)  # the zone of the centre
        left, bottom, right, top = ra.bounds
        # the raster covers the bounds: their corners fall inside it
        to = pyproj.Transformer.from_crs(4326, ra.crs, always_xy=True)
        for lon, lat in ((BOUNDS[0], BOUNDS[1]), (BOUNDS[2], BOUNDS[3])):
            x, y = to.transform(lon, lat)
            assert left <= x <= right and bottom <= y <= top
    assert np.array_equal(za, zb) and not np.array_equal(za, zc)
    assert za.min() >= 1000.0 and za.max() > 1300.0  # hills over the base


def test_grades_stay_within_what_roads_climb(tmp_path):
    path = dem.write_dem(BOUNDS, tmp_path / "g.tif", seed=0, res_m=30)
    with rasterio.open(path) as r:
        z = r.read(1).astype(float)
    gy, gx = np.gradient(z, 30.0)
    grade = np.hypot(gx, gy)
    assert float(np.median(grade)) > 0.05 and float(grade.max()) < 0.9


@pytest.mark.parametrize(
    "args, said",
    [(["--bounds", "1.79,42.42,1.40,42.66"], "west < east and south < north"),
     (["--bounds", "1.40,42.42,1.79,142.66"], "west < east and south < north"),
     (["--bounds", "1.40,42.42,1.79"], "give four numbers west,south,east,north"),
     (["--bounds", "a,b,c,d"], "give four numbers west,south,east,north"),
     (["--bounds", "1.40,42.42,1.79,42.66", "--res-m", "0"], "res_m above 0")],
)  # fmt: skip
def test_bad_arguments_are_one_error_line(tmp_path, capsys, args, said):
    with pytest.raises(SystemExit) as exit_:
        dem.main([*args, "--out", str(tmp_path / "x.tif")])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.startswith("error: --bounds ") and said in err
    assert err.count("\n") == 1 and not (tmp_path / "x.tif").exists()


def test_the_readme_terrain_example_runs_on_andorra(tmp_path, andorra_pbf):
    """The README's two lines: the synthetic DEM over Andorra, then ``planner plan --dem``;
    the summary states the DEM and its grades."""
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from planner.cli import main

    tif = tmp_path / "out" / "andorra_dem.tif"
    dem.main(["--bounds", ",".join(map(str, BOUNDS)), "--out", str(tif)])
    stations = Path(__file__).resolve().parents[1] / "data" / "andorra_stations.csv"
    out = tmp_path / "andorra-dem"
    res = CliRunner().invoke(main, [
        "plan", "--quiet", "--no-pdf", "--network", str(andorra_pbf), "--dem", str(tif),
        "--hotspots", "osm", "--stations", str(stations), "--candidates", "osm", "--add", "5",
        "--out", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    terrain = json.loads((out / "summary.json").read_text())["network"]["terrain"]
    assert terrain["dem"] == "andorra_dem.tif" and terrain["rule"] == "ebike"
    assert terrain["km_without_heights"] < 0.01 * terrain["km_sampled"]
    assert 0.02 < terrain["mean_abs_grade"] < 0.3
