"""Silent misreads of point tables become right readings or clear errors: text encodings,
headers alike but for case or spacing, columns the planner writes itself, weights that
overflow. Each also through ``planner plan`` on the Helsinki demo (one ``error:`` line, exit 2).
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from planner.cli import main
from planner.core import _encoding
from planner.core.errors import InputError
from planner.inputs import demand, sites

from .conftest import csv_file as _csv

HEAD = "id,name,lon,lat\n"


def _plan(files, network, out, **paths):
    """``planner plan`` walking on the Helsinki files; ``paths`` replace some of them."""
    args = {"network": network, "hotspots": files / "hotspots.csv",
            "stations": files / "stations.csv", "candidates": files / "candidates.csv",
            "mode": "walk", "minutes": "5,8", "targets": "0.5,1", "add": 1, "out": out,
            **paths}  # fmt: skip
    cli = ["plan", "--quiet", *[x for k, v in args.items() for x in (f"--{k}", str(v))]]
    return CliRunner().invoke(main, cli)


def _one_error_line(res) -> str:
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), res.output
    return lines[0]


def _stations_bytes(demo_files, name_rows: dict[int, bytes]) -> bytes:
    """The demo stations as UTF-8 CSV bytes with the names of some rows replaced by bytes."""
    st = pd.read_csv(demo_files / "stations.csv")
    lines = st.to_csv(index=False).encode().splitlines(keepends=True)
    name_at = list(st.columns).index("name")
    for row, name in name_rows.items():
        cells = lines[row + 1].split(b",")
        cells[name_at] = name
        lines[row + 1] = b",".join(cells)
    return b"".join(lines)


# --- 1. encodings -------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_and_cp1252_names_read_right(tmp_path, encoding):
    p = _csv(tmp_path, HEAD + "S1,Café Müller,24.94,60.17\nS2,Crêperie Søren,24.95,60.18\n"
             "S3,Zoë · Ñandú,24.96,60.19\n", encoding=encoding)  # fmt: skip
    names = sites.read_sites(p)["name"].tolist()
    assert names == ["Café Müller", "Crêperie Søren", "Zoë · Ñandú"]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_chinese_excel_files_keep_reading(tmp_path, encoding):
    p = _csv(tmp_path, "编号,名称,经度,纬度,订单量\nA1,徐家汇站（A座）,121.4365,31.1886,12\n"
             "A2,漕河泾站,121.3967,31.1701,7\n", encoding=encoding)  # fmt: skip
    hs = demand.read_hotspots(p)
    assert hs["name"].tolist() == ["徐家汇站（A座）", "漕河泾站"]
    assert hs["weight"].tolist() == [12.0, 7.0]


@pytest.mark.parametrize(
    "bad", ["漕河泾站".encode("gbk"), "Café".encode("latin-1")], ids=["gbk", "latin1"]
)
def test_a_file_mixing_encodings_names_its_first_bad_line(tmp_path, bad):
    p = tmp_path / "mixed.csv"
    p.write_bytes(
        (HEAD + "S1,站一 Müller,24.94,60.17\n").encode()
        + b"S2," + bad + b",24.95,60.18\n"
        + b"S3," + bad + b",24.96,60.19\n"
        + "S4,站四,24.97,60.20\n".encode()
    )  # fmt: skip
    with pytest.raises(InputError, match=r"mixed\.csv.*line 3 is not.*save the file as UTF-8"):
        sites.read_sites(p)


def test_mixed_encodings_through_the_cli(tmp_path, demo_files, helsinki_pbf):
    bad = tmp_path / "stations.csv"
    bad.write_bytes(_stations_bytes(demo_files, {0: "Kahvila Müller".encode(),
                                                 1: "漕河泾站".encode("gbk")}))  # fmt: skip
    line = _one_error_line(_plan(demo_files, helsinki_pbf, tmp_path / "out", stations=bad))
    assert "line 3 is not" in line and "save the file as UTF-8" in line


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
@pytest.mark.parametrize("name", ["Farmàcia", "Café Müller", "Café", "Crêperie Ñandú"])
def test_a_few_accented_names_with_opening_hours_read_as_western(tmp_path, encoding, name):
    # on such short files charset-normalizer finds Windows-1257 ("Farmącia") or CP775
    # ("Cafķ M³ller") a little more coherent: Windows-1252 is kept unless clearly worse
    text = (
        f"id,name,lon,lat,opening_hours\nS1,{name},1.52,42.50,Mo-Fr 09:00-17:30\nS2,Bar,1,2,24/7\n"
    )
    p = tmp_path / "stations.csv"
    p.write_bytes(text.encode(encoding))
    assert sites.read_sites(p)["name"].iloc[0] == name


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
@pytest.mark.parametrize(
    "rows",
    [["Café Àndorra", "Farmàcia Ñúñez"],  # CP775 read this "Cafķ └ndorra", least chaotic
     ["São João", "Niño"]],  # Big5 took "\xe3o" for one Han character
)  # fmt: skip
def test_latin_words_never_read_with_symbols_or_han_inside(tmp_path, encoding, rows):
    body = "".join(f"S{i},{name},1.5{i},42.5{i},Mo-Fr 09:00-17:30\n" for i, name in enumerate(rows))
    p = tmp_path / "stations.csv"
    p.write_bytes(f"id,name,lon,lat,opening_hours\n{body}".encode(encoding))
    assert sites.read_sites(p)["name"].tolist() == rows


@pytest.mark.parametrize(
    "text, latin",
    [("Café Àndorra", True), ("Col·legi L’Aldosa", True), ("Cafķ └ndorra", False),
     ("CafÈ ¿ndorra", False), ("S\u5c71o", False), ("Москва", True)],
)  # fmt: skip
def test_latin_words_tells_letters_from_symbols_inside_words(text, latin):
    assert _encoding.latin_words(text) is latin


def test_latin_script_is_short_accented_runs_in_ascii_words():
    assert _encoding.latin_script("Café Àndorra, Łódź".encode("cp1250", "replace"))
    assert not _encoding.latin_script("Москва Киевский вокзал".encode("cp1251"))


@pytest.mark.parametrize(
    "encoding, name",
    [("cp1250", "Łódź Śródmieście, Příliš žluťoučký kůň úpěl ďábelské ódy"),
     ("cp1251", "Москва Киевский вокзал, Аптека на углу улицы")],
)  # fmt: skip
def test_central_european_and_cyrillic_files_keep_their_code_page(tmp_path, encoding, name):
    p = tmp_path / "stations.csv"
    p.write_bytes(f'id,name,lon,lat\nS1,"{name}",19.45,51.76\n'.encode(encoding))
    assert sites.read_sites(p)["name"].iloc[0] == name


def test_latin1_names_through_the_cli(tmp_path, demo_files, helsinki_pbf):
    # with the venues' opening_hours, as planners' files have them
    st = pd.read_csv(demo_files / "stations.csv")
    st.loc[0, "name"] = "Café Müller"
    st.to_csv(tmp_path / "stations.csv", index=False, encoding="latin-1", errors="replace")
    res = _plan(demo_files, helsinki_pbf, tmp_path / "out", stations=tmp_path / "stations.csv")
    assert res.exit_code == 0, res.output
    scored = pd.read_csv(tmp_path / "out" / "stations_scored.csv", encoding="utf-8-sig")
    assert "Café Müller" in scored["name"].tolist()


# --- 2. headers alike but for case or spacing ---------------------------------------------


@pytest.mark.parametrize(
    "header, names",
    [
        ("id,lon,lat,weight,Weight", ["'weight'", "'Weight'"]),
        ("id,lon,LON,lat", ["'lon'", "'LON'"]),
        ("id,lon , lon,lat", ["'lon '", "'lon'"]),
        ("id,lon,lon,lat", ["'lon'", "'lon'"]),
        ("id,Name,lon,name ,lat", ["'Name'", "'name '"]),
    ],
)
def test_headers_alike_but_for_case_or_spacing_are_an_error(tmp_path, header, names):
    cells = ",".join(["H1", "24.94", "24.95", "60.17", "2"][: header.count(",") + 1])
    p = _csv(tmp_path, f"{header}\n{cells}\n", name="alike.csv")
    with pytest.raises(InputError, match=r"alike\.csv.*differ only by case or spacing") as exc:
        demand.read_hotspots(p)
    assert all(n in str(exc.value) for n in names), exc.value


def test_excel_headers_alike_are_an_error(tmp_path):
    x = tmp_path / "alike.xlsx"
    pd.DataFrame([["S1", 24.94, 60.17, 24.95]], columns=["id", "lon", "lat", "LON"]).to_excel(
        x, index=False
    )
    with pytest.raises(InputError, match=r"alike\.xlsx.*'lon' and 'LON' differ only by case"):
        sites.read_sites(x)


def test_headers_alike_through_the_cli(tmp_path, demo_files, helsinki_pbf):
    hs = pd.read_csv(demo_files / "hotspots.csv")
    hs["Weight"] = 1
    hs.to_csv(tmp_path / "hotspots.csv", index=False)
    line = _one_error_line(
        _plan(demo_files, helsinki_pbf, tmp_path / "out", hotspots=tmp_path / "hotspots.csv")
    )
    assert "hotspots.csv" in line and "'weight' and 'Weight' differ only by case" in line


# --- 3. columns the planner writes itself -------------------------------------------------


def test_columns_the_planner_writes_are_dropped_with_one_warning(tmp_path, caplog):
    p = _csv(tmp_path, "id,name,lon,lat,venue,grade,demand_8,share_10,unique_8,catchment_demand,"
             "snap_status,nearest_minutes,covered_8,beyond_8,demand_added_8,cumulative_share_7.5\n"
             "S1,a,24.94,60.17,bank,A,3,0.5,1,9,ok,2.5,True,False,4,0.9\n",
             name="stations_scored.csv")  # fmt: skip
    with caplog.at_level("WARNING", logger="planner.inputs.points"):
        st = sites.read_sites(p)
    assert st["venue"].tolist() == ["bank"]
    assert not {"grade", "demand_8", "share_10", "snap_status", "beyond_8"} & set(st.columns)
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1 and "stations_scored.csv" in warnings[0], warnings
    assert all(f"'{c}'" in warnings[0] for c in ("grade", "demand_8", "cumulative_share_7.5"))


def test_a_named_column_is_kept_even_when_the_planner_writes_one_so_named(tmp_path, caplog):
    p = _csv(tmp_path, "id,lon,lat,demand_8\nH1,24.94,60.17,3\n")
    hs = demand.read_hotspots(p, columns={"weight": "demand_8"})
    assert hs["weight"].tolist() == [3.0]


def test_reused_output_files_through_the_cli(tmp_path, demo_files, helsinki_pbf):
    first = tmp_path / "first"
    assert _plan(demo_files, helsinki_pbf, first).exit_code == 0
    stations = pd.read_csv(first / "stations_scored.csv", encoding="utf-8-sig")
    stations = stations.rename(columns={"station_id": "id"})
    stations["grade"], stations["unique_5"] = "STALE-GRADE", 987654321
    stations.to_csv(tmp_path / "stations.csv", index=False)
    res = _plan(demo_files, helsinki_pbf, tmp_path / "again", stations=tmp_path / "stations.csv",
                candidates=first / "recommended_sites.csv")  # fmt: skip
    assert res.exit_code == 0, res.output
    page = (tmp_path / "again" / "map.html").read_text(encoding="utf-8")
    assert "STALE-GRADE" not in page and "987654321" not in page
    scored = pd.read_csv(tmp_path / "again" / "stations_scored.csv", encoding="utf-8-sig")
    data = json.loads(page.split('id="planner-data">', 1)[1].split("</script>", 1)[0])
    marks = [m for m, k in zip(data["sites"]["mark"], data["sites"]["kind"], strict=True)
             if k == "e"]  # fmt: skip
    assert marks == scored["grade"].tolist()  # a stale grade column hid the computed one


# --- 4. weights that overflow -------------------------------------------------------------


@pytest.mark.parametrize(
    "weights, fragment",
    [
        (["1", "1e308", "1e308"], r"rows 3, 4, column 'weight': weights too large \(total "
                                  r"overflows to infinity"),
        (["1e308", "2", "3"], r"row 2, column 'weight': weights too large"),
        (["5e14", "5e14", "5e14"], r"rows 2, 3, 4, column 'weight': weights too large \(total "
                                   r"1\.5e\+15"),
        (["1", "inf", "2"], r"row 3, column 'weight': weight must be a number, found 'inf'"),
    ],
)  # fmt: skip
def test_weights_whose_total_overflows_are_refused(tmp_path, weights, fragment):
    rows = "".join(f"H{i},24.9{i},60.17,{w}\n" for i, w in enumerate(weights))
    p = _csv(tmp_path, "id,lon,lat,weight\n" + rows, name="huge.csv")
    with pytest.raises(InputError, match=r"huge\.csv.*" + fragment) as exc:
        demand.read_hotspots(p)
    assert "inf" in weights or "smaller unit" in str(exc.value)


def test_overflowing_weights_through_the_cli(tmp_path, demo_files, helsinki_pbf):
    hs = pd.read_csv(demo_files / "hotspots.csv")
    hs.loc[[0, 1], "weight"] = 1e308
    hs.to_csv(tmp_path / "hotspots.csv", index=False)
    out = tmp_path / "out"
    line = _one_error_line(_plan(demo_files, helsinki_pbf, out, hotspots=tmp_path / "hotspots.csv"))
    assert "hotspots.csv" in line and "rows 2, 3, column 'weight': weights too large" in line
    assert "smaller unit" in line and not (out / "summary.json").exists()
