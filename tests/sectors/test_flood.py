"""Flood warning: the shipped stations, national grades on hand-checked levels, propagation, bad input."""

from __future__ import annotations

import csv
import json
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook
from shapely.geometry import Point
from typer.testing import CliRunner

from metrocircle._errors import DataValidationError
from metrocircle.cli.flood import flood_app
from metrocircle.region import load_region, resolve_dataset
from metrocircle.sectors import flood

CST = timezone(timedelta(hours=8))
T0 = datetime(2020, 8, 19, 8, tzinfo=CST)
runner = CliRunner()


@pytest.fixture(scope="module")
def stations() -> dict[str, flood.FloodStation]:
    return {s.id: s for s in flood.dataset_stations()}


@pytest.fixture(scope="module")
def rules() -> flood.FloodRules:
    return flood.load_flood_rules()


def test_every_shipped_level_has_a_known_source_and_units_exist() -> None:
    region = load_region("chongqing")
    sources = flood.load_flood_sources()
    stations = flood.load_flood_stations(sources=sources, unit_codes=region.units.index)
    assert {"cuntan", "zhutuo", "beibei", "dongjintuo", "luduxi", "wucha", "wulong"} <= {
        s.id for s in stations
    }
    for s in stations:
        for level, src in (
            (s.warning_level_m, s.warning_source),
            (s.guarantee_level_m, s.guarantee_source),
            (s.highest_level_m, s.highest_source),
        ):
            if level is not None:
                assert src in sources, s.id
        if s.lon is not None:
            assert s.placed_by in {"published_coordinate", "township_point", "unit_seat"}


def test_placed_stations_lie_in_their_unit(stations: dict[str, flood.FloodStation]) -> None:
    region = load_region("chongqing")
    by_code = dict(zip(region.units.index, region.units.geometry, strict=True))
    for s in stations.values():
        if s.lon is None or s.unit is None:
            continue
        assert by_code[s.unit].contains(Point(s.lon, s.lat)), s.id


def test_half_a_metre_over_warning_warns_station_and_downstream(
    stations: dict[str, flood.FloodStation], rules: flood.FloodRules
) -> None:
    cuntan = stations["cuntan"]
    assert cuntan.warning_level_m == 180.5
    res = flood.flood_warnings([flood.LevelReading("cuntan", T0, 181.0)], stations.values(), rules)
    (w,) = res.warnings
    assert w.grade == "yellow"
    assert w.above_warning_m == pytest.approx(0.5)
    assert w.units == cuntan.reach_units
    assert "500115" in w.units  # 长寿 lies on the reach below 寸滩
    down = [a.station_id for a in w.downstream]
    assert down == ["changshou", "qingxichang"]
    assert w.downstream[-1].units == ("500102",)  # 涪陵 is notified
    assert all(a.travel_kind == "parameterised" for a in w.downstream)
    # travel times grow downstream and are straight-line km / the named speed
    assert 0 < w.downstream[0].travel_hours < w.downstream[1].travel_hours
    assert w.downstream[0].expected_time == T0 + timedelta(hours=w.downstream[0].travel_hours)


def test_two_metres_under_warns_nobody(
    stations: dict[str, flood.FloodStation], rules: flood.FloodRules
) -> None:
    res = flood.flood_warnings([flood.LevelReading("cuntan", T0, 178.5)], stations.values(), rules)
    assert res.warnings == ()
    assert res.stations_read == 1


@pytest.mark.parametrize(
    ("level", "grade"),
    [
        (179.49, None),  # more than blue_margin_m (1.0) below 180.50
        (179.5, "blue"),
        (180.5, "yellow"),
        (183.49, "yellow"),
        (183.5, "orange"),
        (191.61, "orange"),
        (191.62, "red"),  # the record of 2020-08-20
    ],
)
def test_grade_edges_at_cuntan(
    stations: dict[str, flood.FloodStation], rules: flood.FloodRules, level: float, grade: str
) -> None:
    assert flood.grade_level(stations["cuntan"], level, rules) == grade


def test_station_without_published_levels_never_warns(
    stations: dict[str, flood.FloodStation], rules: flood.FloodRules
) -> None:
    assert stations["qingxichang"].warning_level_m is None
    assert flood.grade_level(stations["qingxichang"], 500.0, rules) is None
    # 朱沱 publishes a guarantee level only: orange is reachable, yellow is not
    assert flood.grade_level(stations["zhutuo"], 212.0, rules) == "orange"
    assert flood.grade_level(stations["zhutuo"], 211.9, rules) is None


def test_latest_reading_counts_and_order_is_by_severity(
    stations: dict[str, flood.FloodStation], rules: flood.FloodRules
) -> None:
    readings = [
        flood.LevelReading("cuntan", T0, 185.0),
        flood.LevelReading("cuntan", T0 + timedelta(hours=3), 170.0),  # receded
        flood.LevelReading("beibei", T0, 194.6),
        flood.LevelReading("wucha", T0, 201.0),
    ]
    res = flood.flood_warnings(readings, stations.values(), rules)
    assert [(w.station_id, w.grade) for w in res.warnings] == [
        ("wucha", "orange"),
        ("beibei", "yellow"),
    ]


def test_wave_travel_follows_the_named_parameter(stations: dict[str, flood.FloodStation]) -> None:
    fast = flood.FloodRules(
        grades=flood.load_flood_rules().grades,
        blue_margin_m=1.0,
        wave_speed_straight_kmh=12.8,
        horizon_hours=72.0,
        publisher="",
        publication="",
    )
    slow = flood.load_flood_rules()
    r = [flood.LevelReading("cuntan", T0, 181.0)]
    a = flood.flood_warnings(r, stations.values(), fast).warnings[0].downstream[0]
    b = flood.flood_warnings(r, stations.values(), slow).warnings[0].downstream[0]
    assert a.travel_hours == pytest.approx(b.travel_hours / 2)


def _write(tmp: Path, rows: list[list[str]]) -> Path:
    p = tmp / "levels.csv"
    with p.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    return p


def test_read_levels_reports_every_bad_field_by_row(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        [
            ["station_id", "time", "level_m"],
            ["cuntan", "2020-08-19T08:00+08:00", "181.0"],
            ["nowhere", "2020-08-19T08:00+08:00", "181.0"],
            ["cuntan", "2020-08-19 08:00", "181.0"],
            ["cuntan", "2020-08-19T08:00+08:00", "high"],
        ],
    )
    with pytest.raises(DataValidationError) as err:
        flood.read_levels(p)
    got = {(q.row, q.field) for q in err.value.problems}
    assert got == {(3, "station_id"), (4, "time"), (5, "level_m")}


def test_read_levels_missing_column(tmp_path: Path) -> None:
    p = _write(tmp_path, [["station", "time", "level_m"], ["cuntan", "x", "1"]])
    with pytest.raises(DataValidationError) as err:
        flood.read_levels(p)
    assert [q.field for q in err.value.problems] == ["station_id"]


def test_read_levels_xlsx(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["station_id", "time", "level_m"])
    ws.append(["beibei", "2020-08-19T12:35+08:00", 200.23])
    p = tmp_path / "levels.xlsx"
    wb.save(p)
    (r,) = flood.read_levels(p)
    assert (r.station_id, r.level_m) == ("beibei", 200.23)
    assert r.time.utcoffset() == timedelta(hours=8)


def test_registry_errors_name_row_and_field(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    shutil.copytree(resolve_dataset("chongqing") / "sectors", root / "sectors")
    path = root / flood.STATIONS_FILE
    text = path.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = next(csv.reader([text[4]]))  # cuntan
    row[header.index("downstream")] = "nowhere"
    row[header.index("warning_source")] = ""
    text[4] = ",".join(f'"{v}"' if "," in v else v for v in row)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        flood.load_flood_stations(path)
    got = {(q.row, q.field) for q in err.value.problems}
    assert (5, "downstream") in got
    assert (5, "warning_source") in got


def test_cli_stations_and_warnings(tmp_path: Path) -> None:
    res = runner.invoke(flood_app, ["stations", "--json"])
    assert res.exit_code == 0, res.output
    items = json.loads(res.stdout)
    cuntan = next(i for i in items if i["id"] == "cuntan")
    assert cuntan["warning_level_m"] == 180.5
    assert cuntan["source"]["warning"]["publisher"].startswith("重庆市水文监测总站")
    for key in ("id", "name_zh", "name_en", "river", "lon", "lat", "unit", "datum", "source"):
        assert key in cuntan
    p = _write(
        tmp_path,
        [["station_id", "time", "level_m"], ["luduxi", "2021-09-06T08:00+08:00", "219.29"]],
    )
    res = runner.invoke(flood_app, ["warnings", str(p), "--json"])
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    (w,) = doc["warnings"]
    assert (w["station_id"], w["grade"], w["above_warning_m"]) == ("luduxi", "yellow", 0.29)
    assert [a["station_id"] for a in w["downstream"]][:2] == ["dongjintuo", "beibei"]
    res = runner.invoke(flood_app, ["warnings", str(p)])
    assert res.exit_code == 0
    assert "黄色" in res.stdout and "岳池县" in res.stdout and "合川区" in res.stdout


def test_cli_bad_file_exits_2_with_row_and_field(tmp_path: Path) -> None:
    p = _write(tmp_path, [["station_id", "time", "level_m"], ["cuntan", "yesterday", "1"]])
    res = runner.invoke(flood_app, ["warnings", str(p)])
    assert res.exit_code == 2
    assert "time" in res.stderr and "2" in res.stderr
    assert "Traceback" not in res.output


def test_exposure_lists_projects_of_notified_units_and_the_levee_target() -> None:
    region = load_region("chongqing")
    doc = flood.warnings_document(
        [flood.LevelReading("cuntan", T0, 181.0)], projects=region.projects
    )
    assert doc["related_targets"] == ["yangtze_levees_up_to_standard"]
    assert doc["related_targets"][0] in {t.id for t in region.targets}
    (w,) = doc["warnings"]
    notified = set(w["units"]).union(*(a["units"] for a in w["downstream"]))
    rules = flood.load_flood_rules()
    by_id = {p.id: p for p in region.projects}
    assert w["projects"], "寸滩's reach holds ports and hubs of the plan"
    for p in w["projects"]:
        row = by_id[p["id"]]
        assert row.type in rules.exposure_project_types
        assert notified.intersection(row.units)
    assert "port_guoyuan" in {p["id"] for p in w["projects"]} or any(
        "果园港" in p["name_zh"] for p in w["projects"]
    )
