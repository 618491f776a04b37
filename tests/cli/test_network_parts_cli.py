"""``--min-part-nodes`` / ``--min-part-km`` end to end: an OSM file of two islands of
streets, stations on one only."""

from __future__ import annotations

import json

import pandas as pd
from click.testing import CliRunner

from planner.cli import main

LON0, LAT0 = 114.20, 22.60
#: About 200 m between streets at this latitude, and about 3 km between the islands.
STEP_LON, STEP_LAT, GAP_LON = 0.00195, 0.0018, 0.03


def _islands_osm(path):
    """Two 4 × 4 grids of residential streets, 3 km apart, as an OSM XML file."""
    nodes, ways = [], []
    for island in range(2):
        ids = {}
        for i in range(4):
            for j in range(4):
                nid = 1 + island * 100 + i * 4 + j
                ids[i, j] = nid
                lon, lat = LON0 + island * GAP_LON + i * STEP_LON, LAT0 + j * STEP_LAT
                nodes.append(f'<node id="{nid}" lat="{lat:.7f}" lon="{lon:.7f}" version="1"/>')
        for i in range(4):
            row = "".join(f'<nd ref="{ids[i, j]}"/>' for j in range(4))
            col = "".join(f'<nd ref="{ids[j, i]}"/>' for j in range(4))
            for k, refs in ((2 * i, row), (2 * i + 1, col)):
                wid = 1000 + island * 100 + k
                ways.append(
                    f'<way id="{wid}" version="1">{refs}<tag k="highway" v="residential"/></way>'
                )
    body = "\n".join(nodes + ways)
    head = '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6">'
    path.write_text(f"{head}\n{body}\n</osm>\n")
    return path


def _files(tmp_path):
    pd.DataFrame(
        {"id": ["HA", "HB"], "lon": [LON0 + 0.0005, LON0 + GAP_LON + 0.0005],
         "lat": [LAT0 + 0.00005, LAT0 + 0.00005], "weight": [3.0, 1.0]}
    ).to_csv(tmp_path / "hotspots.csv", index=False)  # fmt: skip
    pd.DataFrame(
        {"id": ["S1"], "name": ["station"], "lon": [LON0 + STEP_LON], "lat": [LAT0 + 0.00005]}
    ).to_csv(tmp_path / "stations.csv", index=False)
    pd.DataFrame(
        {"id": ["CA", "CB"], "name": ["a", "b"],
         "lon": [LON0 + 2 * STEP_LON, LON0 + GAP_LON + STEP_LON],
         "lat": [LAT0 + STEP_LAT, LAT0 + STEP_LAT]}
    ).to_csv(tmp_path / "candidates.csv", index=False)  # fmt: skip
    net = _islands_osm(tmp_path / "islands.osm")
    return [
        "plan", "--network", str(net), "--hotspots", str(tmp_path / "hotspots.csv"),
        "--stations", str(tmp_path / "stations.csv"),
        "--candidates", str(tmp_path / "candidates.csv"), "--add", "1", "-q",
    ]  # fmt: skip


def test_the_island_without_a_station_is_kept_and_a_blind_spot(tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, [*_files(tmp_path), "--out", str(out)])
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert doc["network"]["parts_kept"] == 2 and doc["counts"]["hotspots_excluded"] == 0
    assert [q["stations"] for q in doc["network"]["parts"]] == [1, 0]
    blind = pd.read_csv(out / "blind_spots.csv")
    assert list(blind["id"]) == ["HB"]
    assert list(blind["reason"]) == ["no station on its part of the network"]
    assert "part" in pd.read_csv(out / "snapping.csv").columns


def test_a_floor_above_the_islands_drops_the_second_one(tmp_path):
    out = tmp_path / "out"
    args = [*_files(tmp_path), "--out", str(out), "--min-part-nodes", "17", "--min-part-km", "5"]
    res = CliRunner().invoke(main, args)
    assert res.exit_code == 0, res.output
    doc = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert doc["network"]["parts_kept"] == 1 and doc["network"]["parts_dropped"] == 1
    assert doc["counts"]["hotspots_excluded"] == 1


def test_a_bad_floor_is_one_error_line(tmp_path):
    res = CliRunner().invoke(main, [*_files(tmp_path), "--out", str(tmp_path / "o"),
                                    "--min-part-km", "lots"])  # fmt: skip
    assert res.exit_code == 2
    lines = res.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --min-part-km: expected km")
