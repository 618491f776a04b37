"""The service areas traced once from the cells any station reaches are the union of the
stations' polygons, and fall back to that union when the raster would be too large."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from planner.analysis import isochrones, travel


def _stations(net, n: int, seed: int):
    nodes = np.random.default_rng(seed).choice(net.n_nodes, size=n, replace=False)
    at_nodes = shapely.get_coordinates(net.nodes.geometry.values[nodes])
    s = travel.snap(net, at_nodes, np.array([f"S{i}" for i in range(n)]))
    h = travel.snap(net, at_nodes[:1], np.array(["H0"]))
    return s, travel.compute(net, s, h, limit_s=480.0, keep_node_times=True)


@pytest.mark.parametrize("max_cells", [isochrones.MAX_UNION_CELLS, 10])
def test_traced_areas_are_the_union_of_the_station_polygons(helsinki_walk, monkeypatch,
                                                            max_cells):  # fmt: skip
    monkeypatch.setattr(isochrones, "MAX_UNION_CELLS", max_cells)
    s, tt = _stations(helsinki_walk, 5, seed=4)
    thresholds = [240.0, 360.0, 480.0]
    polys, areas = isochrones.station_polygons_and_areas(helsinki_walk, tt, s, thresholds)
    alone = isochrones.station_polygons(helsinki_walk, tt, s, thresholds)
    assert shapely.equals_exact(polys.geometry.values, alone.geometry.values, 0).all()
    union = isochrones.service_areas(polys)
    assert areas["minutes"].tolist() == union["minutes"].tolist() == [4.0, 6.0, 8.0]
    assert areas.crs == polys.crs
    for got, want in zip(areas.geometry, union.geometry, strict=True):
        assert got.is_valid and not got.is_empty
        assert shapely.symmetric_difference(got, want).area < 1e-6 * want.area
    for small, large in zip(areas.geometry[:-1], areas.geometry[1:], strict=True):
        assert large.covers(small)
