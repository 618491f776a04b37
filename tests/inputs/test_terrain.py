"""Terrain: speeds follow the grade of a DEM, on synthetic DEMs whose grades are known."""

from __future__ import annotations

import json
import math

import numpy as np
import pyproj
import pytest
import rasterio
from click.testing import CliRunner
from rasterio.transform import from_origin

from planner.cli import main
from planner.core.errors import ConfigError, InputError
from planner.core.slope import SlopeRule, power_limited_kph
from planner.inputs import settings_files, terrain
from tests.conftest import UTM, X0, Y0, make_network


def _write_dem(
    path, height, *, crs=UTM, bounds=(X0 - 500, Y0 - 500, X0 + 2500, Y0 + 500), res=10.0
):
    """A GeoTIFF of ``height(x, y)`` (x, y in ``crs``) sampled at cell centres."""
    west, south, east, north = bounds
    w, h = int(round((east - west) / res)), int(round((north - south) / res))
    cx = west + (np.arange(w) + 0.5) * res
    cy = north - (np.arange(h) + 0.5) * res
    gx, gy = np.meshgrid(cx, cy)
    z = height(gx, gy).astype("float32")
    profile = {"driver": "GTiff", "width": w, "height": h, "count": 1, "dtype": "float32",
               "transform": from_origin(west, north, res, res), "nodata": -9999.0}  # fmt: skip
    if crs is not None:
        profile["crs"] = crs
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(z, 1)
    return path


def _road(mode="ebike", highway="residential"):
    """A straight 1 km road from (0, 0) east to (1000, 0), both ways."""
    return make_network(
        {1: (0, 0), 2: (500, 0), 3: (1000, 0)},
        [{"u": 1, "v": 2, "highway": highway}, {"u": 2, "v": 3, "highway": highway}],
        mode=mode,
    )


def _times(net):
    seg = net.segments
    return float(seg["fwd_s"].sum()), float(seg["bwd_s"].sum())


def test_a_ten_percent_climb_by_e_bike_follows_the_power_equation(tmp_path):
    dem = _write_dem(tmp_path / "plane.tif", lambda x, y: 0.10 * (x - X0))
    flat = _road()
    up, down = _times(terrain.on_terrain(flat, dem))
    # climbing 10%: 350 W for 100 kg: 0.5·1.204·0.6·v³ + 100·9.80665·0.108·v = 350
    v = 3.0
    for _ in range(60):  # Newton's method, independent of the module's closed form
        f = 0.5 * 1.204 * 0.6 * v**3 + 100 * 9.80665 * 0.108 * v - 350
        v -= f / (3 * 0.5 * 1.204 * 0.6 * v**2 + 100 * 9.80665 * 0.108)
    assert v * 3.6 < 16.0  # slower than the flat residential speed
    assert up == pytest.approx(1000 / v, rel=1e-3)
    # descending 10%: 16 km/h × (1 + 1.5 × 0.10) = 18.4 km/h, under the 25 km/h cap
    assert down == pytest.approx(1000 / (18.4 / 3.6), rel=1e-3)
    assert _times(flat) == pytest.approx((1000 / (16 / 3.6),) * 2, rel=1e-9)


def test_walking_follows_toblers_function(tmp_path):
    dem = _write_dem(tmp_path / "plane.tif", lambda x, y: 0.10 * (x - X0))
    up, down = _times(terrain.on_terrain(_road("walk"), dem))
    # Tobler: 6·exp(-3.5·|g + 0.05|), scaled to 4.8 km/h on the flat
    tobler = lambda g: 4.8 * math.exp(-3.5 * abs(g + 0.05)) / math.exp(-3.5 * 0.05)  # noqa: E731
    assert up == pytest.approx(1000 / (tobler(0.10) / 3.6), rel=1e-3)
    # a 10% descent is exactly as fast as the flat (|-0.10 + 0.05| = 0.05)
    assert down == pytest.approx(1000 / (4.8 / 3.6), rel=1e-3)


def test_a_ridge_slows_both_ways_though_the_ends_are_level(tmp_path):
    ridge = lambda x, y: 80.0 - 0.16 * np.abs(x - X0 - 500)  # noqa: E731  16% up, then down
    dem = _write_dem(tmp_path / "ridge.tif", ridge)
    net = terrain.on_terrain(_road("walk"), dem)
    up, down = _times(net)
    flat_s = 1000 / (4.8 / 3.6)
    assert up > flat_s and down > flat_s
    assert up == pytest.approx(down, rel=1e-3)  # symmetric ridge
    rep = net.report["terrain"]
    assert rep["steepest_grade"] == pytest.approx(0.16, abs=0.01)
    assert rep["climb_m"] == pytest.approx(80.0, rel=0.05)
    assert rep["km_without_heights"] == 0


def test_a_dem_in_another_crs_gives_the_same_grades(tmp_path):
    to_utm = pyproj.Transformer.from_crs("EPSG:4326", UTM, always_xy=True)
    to_ll = pyproj.Transformer.from_crs(UTM, "EPSG:4326", always_xy=True)
    (w, e), (s, n) = zip(
        *[to_ll.transform(X0 + dx, Y0 + dy) for dx, dy in ((-500, -500), (2500, 500))],
        strict=True,
    )

    def height(lon, lat):
        x, _ = to_utm.transform(lon, lat)
        return 0.10 * (np.asarray(x) - X0)

    dem = _write_dem(tmp_path / "ll.tif", height, crs="EPSG:4326", bounds=(w, s, e, n), res=0.0001)
    a = _times(terrain.on_terrain(_road(), dem))
    b = _times(
        terrain.on_terrain(_road(), _write_dem(tmp_path / "utm.tif", lambda x, y: 0.1 * (x - X0)))
    )
    assert a == pytest.approx(b, rel=5e-3)


def test_road_beyond_the_dem_is_flat_and_said(tmp_path):
    dem = _write_dem(
        tmp_path / "half.tif",
        lambda x, y: 0.10 * (x - X0),
        bounds=(X0 - 500, Y0 - 500, X0 + 400, Y0 + 500),
    )
    net = terrain.on_terrain(_road(), dem)
    assert net.report["terrain"]["km_without_heights"] == pytest.approx(0.6, abs=0.05)
    assert any("taken as flat" in w for w in net.report["warnings"])
    assert "slope" in net.mode.description


def test_driving_does_not_follow_the_slope(tmp_path):
    dem = _write_dem(tmp_path / "plane.tif", lambda x, y: 0.10 * (x - X0))
    flat = _road("drive")
    net = terrain.on_terrain(flat, dem)
    assert _times(net) == _times(flat)
    assert any("does not follow the slope" in w for w in net.report["warnings"])


def test_bad_dems_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        terrain.on_terrain(_road(), tmp_path / "missing.tif")
    (tmp_path / "text.tif").write_text("not a raster")
    with pytest.raises(InputError, match="not a raster"):
        terrain.on_terrain(_road(), tmp_path / "text.tif")
    dem = _write_dem(tmp_path / "nocrs.tif", lambda x, y: x * 0, crs=None)
    with pytest.raises(InputError, match="states no coordinate system"):
        terrain.on_terrain(_road(), dem)


def test_slope_parameters_come_from_the_speeds_file(tmp_path):
    f = tmp_path / "speeds.toml"
    f.write_text('mode = "ebike"\n[slope]\npower_w = 250\nmass_kg = 120\n')
    mode = settings_files.mode_from_toml(f)
    assert mode.slope_rule.params["power_w"] == 250 and mode.slope_rule.params["crr"] == 0.008
    assert (
        power_limited_kph(np.array([0.1]), mode.slope_rule.params)[0]
        < power_limited_kph(np.array([0.1]), SlopeRule("ebike").params)[0]
    )
    f.write_text('[slope]\nrule = "tobler"\npower_w = 250\n')
    with pytest.raises(ConfigError, match="no parameters"):
        settings_files.mode_from_toml(f)
    f.write_text('[slope]\nrule = "uphill"\n')
    with pytest.raises(ConfigError, match="slope.rule"):
        settings_files.mode_from_toml(f)
    f.write_text('[slope]\npower_w = "lots"\n')
    with pytest.raises(ConfigError, match="slope.power_w"):
        settings_files.mode_from_toml(f)


def test_the_summary_states_that_slope_was_used(tmp_path, demo_files, helsinki_pbf):
    to_ll = pyproj.Transformer.from_crs("EPSG:4326", "EPSG:3067", always_xy=True)
    x0, _ = to_ll.transform(24.94, 60.17)
    dem = _write_dem(
        tmp_path / "hel.tif", lambda x, y: 0.04 * (x - x0), crs="EPSG:3067",
        bounds=(x0 - 8000, 6_660_000, x0 + 8000, 6_690_000), res=50.0,
    )  # fmt: skip
    out = tmp_path / "out"
    args = ["plan", "--quiet", "--network", str(helsinki_pbf), "--hotspots",
            str(demo_files / "hotspots.csv"), "--stations", str(demo_files / "stations.csv"),
            "--candidates", str(demo_files / "candidates.csv"), "--add", "1",
            "--mode", "walk", "--dem", str(dem), "--no-pdf", "--out", str(out)]  # fmt: skip
    res = CliRunner().invoke(main, args, catch_exceptions=False)
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["network"]["terrain"]["rule"] == "tobler"
    assert summary["network"]["terrain"]["km_sampled"] > 0
    assert "slope" in summary["parameters"]["mode_description"]
    bad = CliRunner().invoke(
        main, [*args[:-2], "--dem", str(tmp_path / "none.tif"), "--out", str(out)]
    )
    assert bad.exit_code == 2 and bad.output.count("error:") == 1 and "--dem" in bad.output
