"""``planner region`` with other operators' stations and goals per sub-area: each district's
plan equals a one-machine plan of its hotspots on the whole network with every other
operator's station; each sub-area and its goals go to the district holding most of it.

The offline instance is the embedded Helsinki extract (walking, short circles) cut into
three districts; the other operators' stations are some of the candidate venues."""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from planner.app import demo_inputs
from planner.core.errors import InputError
from planner.plan import levers
from planner.plan.request import PlanRequest
from planner.region import engine
from planner.region import run as region_run
from planner.region.surroundings import Surroundings

REQUEST = dict(minutes="1,2.5", targets="0.5,0.8", min_spacing_m=0, snap_max_m=100, snap_warn_m=80)


@pytest.fixture(scope="module")
def demo(helsinki_pbf, helsinki_walk):
    _, hs, st, cand = demo_inputs(helsinki_pbf)
    others = cand.iloc[::6].reset_index(drop=True).assign(operator="union")
    return helsinki_walk, hs, st, cand, others


@pytest.fixture(scope="module")
def layout(helsinki_walk):
    """Three districts west to east; each split north/south into two sub-areas, but the
    first district's southern area reaches a little into the second district."""
    x0, y0, x1, y1 = helsinki_walk.nodes.to_crs(4326).total_bounds
    xs = [x0 - 0.01, x0 + (x1 - x0) / 3, x0 + 2 * (x1 - x0) / 3, x1 + 0.01]
    lo, mid, hi = y0 - 0.01, (y0 + y1) / 2, y1 + 0.01
    names = ["A west", "B middle", "C east"]
    districts = gpd.GeoDataFrame(
        {"district": names},
        geometry=[shapely.box(xs[i], lo, xs[i + 1], hi) for i in range(3)], crs=4326,
    )  # fmt: skip
    reach = (xs[2] - xs[1]) * 0.2
    areas, area_names = [], []
    for i, n in enumerate(names):
        right = xs[i + 1] + (reach if i == 0 else 0)
        areas += [shapely.box(xs[i], lo, right, mid), shapely.box(xs[i], mid, xs[i + 1], hi)]
        area_names += [f"{n} south", f"{n} north"]
    areas[2] = shapely.box(xs[1] + reach, lo, xs[2], mid)  # B south: what A south leaves
    frame = gpd.GeoDataFrame({"area": area_names}, geometry=areas, crs=4326)
    targets = pd.DataFrame({
        "area": area_names + ["A west south"], "minutes": [2.5] * 6 + [1.0],
        "share": [0.9, 0.6, 0.5, 0.7, 0.8, 0.4, 0.3], "row": np.arange(7) + 2,
    })  # fmt: skip
    return districts, frame, targets


def _local(workers: int = 1) -> engine.Engine:
    return engine.Engine("local", workers, processes=False, retries=0)


@pytest.mark.parametrize("count", [True, False])
def test_each_district_equals_a_one_machine_plan_with_others(demo, layout, tmp_path, count):
    net, hs, st, cand, others = demo
    districts, areas, targets = layout
    request = PlanRequest.from_options(add=2, method="greedy", **REQUEST)
    s = Surroundings(others=others, others_count=count, areas=areas, area_targets=targets)
    with _local(2) as run:
        result = region_run.plan_region(
            net, districts, (hs, st, cand), request, tmp_path, run=run, surroundings=s
        )
    jobs, _, _ = region_run.make_jobs(net, districts, (hs, st, cand), request, surroundings=s)
    t = result.table.set_index("district")
    assert (t["status"] == "done").all()
    for job in jobs:
        whole = levers.plan(
            net, job.hotspots, st, cand, request, others=others, others_count=count,
            areas=job.areas, area_targets=job.area_targets,
        )  # fmt: skip
        row = t.loc[job.name]
        for m in ("1", "2.5"):
            assert row[f"today_{m}"] == whole.district["covered"][m]["share"]
            assert row[f"today_own_{m}"] == whole.others.share_own[m]
            assert row[f"today_with_others_{m}"] == whole.others.share_with[m]
        assert row[f"today_{m}"] == row[f"today_{'with_others' if count else 'own'}_{m}"]
        got = pd.read_csv(tmp_path / row["folder"] / "recommended_sites.csv", dtype={"id": str})
        assert got["id"].tolist() == whole.recommended["id"].astype(str).tolist()
        assert not set(got["id"]) & set(others["id"].astype(str))  # theirs are never new
        assert row["area_goals"] == len(whole.area_goals)
        assert row["area_goals_met_today"] == int(whole.area_goals["met_before"].sum())
        assert row["area_goals_met_after"] == int(whole.area_goals["met_after"].sum())
    assert (t["today_with_others_2.5"] > t["today_own_2.5"]).any()  # theirs do serve
    inside = region_run._inside(others, districts, net.crs)
    assert t["others"].tolist() == inside.tolist() and inside.sum() == len(others)


def test_sub_areas_go_to_the_district_holding_most_of_them(demo, layout, caplog):
    net, hs, st, cand, _ = demo
    districts, areas, targets = layout
    request = PlanRequest.from_options(add=1, **REQUEST)
    s = Surroundings(areas=areas, area_targets=targets)
    with caplog.at_level(logging.WARNING, logger="planner.region.surroundings"):
        jobs, _, _ = region_run.make_jobs(net, districts, (hs, st, cand), request, surroundings=s)
    got = {j.name: j.areas["area"].tolist() for j in jobs}
    assert got == {"A west": ["A west south", "A west north"],
                   "B middle": ["B middle south", "B middle north"],
                   "C east": ["C east south", "C east north"]}  # fmt: skip
    a = jobs[0].area_targets
    assert a["area"].tolist() == ["A west south", "A west north", "A west south"]
    assert a["row"].tolist() == [2, 3, 8]  # the file's rows, for its errors
    assert sum(len(j.area_targets) for j in jobs) == len(targets)
    assert "'A west south' crosses district borders" in caplog.text
    assert "B middle south" not in caplog.text


def test_goals_are_checked_once_for_the_region(demo, layout):
    net, hs, st, cand, others = demo
    districts, areas, targets = layout
    request = PlanRequest.from_options(add=1, **REQUEST)
    bad = targets.assign(area=targets["area"].replace("C east north", "Nowhere"))
    with pytest.raises(InputError, match="row 7.*'Nowhere' is not an area"):
        region_run.make_jobs(net, districts, (hs, st, cand), request,
                             surroundings=Surroundings(areas=areas, area_targets=bad))  # fmt: skip
    with pytest.raises(InputError, match="need the areas"):
        region_run.make_jobs(net, districts, (hs, st, cand), request,
                             surroundings=Surroundings(area_targets=targets))  # fmt: skip
    clash = others.assign(id=[str(st["id"].iloc[0]), *others["id"].iloc[1:]])
    with pytest.raises(InputError, match="also ids of the district's stations"):
        region_run.make_jobs(net, districts, (hs, st, cand), request,
                             surroundings=Surroundings(others=clash))  # fmt: skip


def test_reach_areas_meets_each_districts_goals(demo, layout, tmp_path):
    net, hs, st, cand, _ = demo
    districts, areas, targets = layout
    request = PlanRequest.from_options(reach="areas", method="greedy", **REQUEST)
    targets = targets.loc[~targets["area"].str.startswith("C east")]  # C east: no goals
    s = Surroundings(areas=areas, area_targets=targets)
    with _local(1) as run:
        result = region_run.plan_region(
            net, districts.iloc[[0, 2]], (hs, st, cand), request, tmp_path, run=run,
            sites=region_run.Sites("reach"), surroundings=s,
        )  # fmt: skip
    t = result.table
    assert (t["status"] == "done").all()
    assert (t["area_goals_met_after"] == t["area_goals"]).all()
    assert t["area_goals"].tolist() == [3, 0]
    assert t["sites_suggested"].tolist()[1] == 0 and t["sites_suggested"].tolist()[0] >= 1
