"""A dataset for another metropolitan area, written from scratch in the documented layout, loads and runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metrocircle.cli import app
from metrocircle.region import load_region

MANIFEST = """
schema_version = 1
name = "tinyville"
title_zh = "小城都市圈"
title_en = "Tinyville Metropolitan Area"
plan_title_zh = "小城都市圈发展规划"
plan_title_en = "Tinyville plan"
plan_ref = "test"
plan_year = 2023
plan_horizon = 2025
outlook_year = 2035
crs = "EPSG:4326"
metric_crs = "EPSG:32650"
population_reference = "a census"

[centre]
unit = "110101"
name_zh = "中心"
name_en = "Centre"
lon = 116.40
lat = 39.90
source = "test"

[files.units]
path = "units.csv"
format = "csv"
licence = "test"
source = "test"

[files.boundaries]
path = "boundaries.geojson"
format = "geojson"
crs = "EPSG:4326"
licence = "test"
source = "test"

[files.targets]
path = "targets.csv"
format = "csv"
licence = "test"
source = "test"

[files.projects]
path = "projects.csv"
format = "csv"
licence = "test"
source = "test"
"""

UNITS = """code,name_zh,name_en,parent,level,roles,population_2020,urban_population_2020,urbanisation_rate_2020_pct,seat_name_zh,seat_lon,seat_lat,area_km2_computed,notes
110101,甲区,A District,,district,core,1000,900,90.00,,116.40,39.90,100.0,
110102,乙县,B County,,county,satellite_town,500,200,40.00,,116.60,39.90,100.0,
"""

TARGETS = """id,indicator,name_zh,name_en,scope,unit,direction,baseline_value,baseline_year,target_value,target_year,chapter,source_quote,computed_by,notes
urban_2025,urbanisation_rate_pct,城镇化率,Urbanisation,region,pct,>=,70,2020,75,2025,2.3,,region.urbanisation_rate,
"""

PROJECTS = """id,name_zh,name_en,type,chapter,units,status,in_service_year,network_ref,source_quote,notes
rail_ab,甲乙铁路,A-B railway,suburban_railway,4.1,110101;110102,build,,,,
"""


def _square(x0: float, y0: float) -> dict[str, object]:
    ring = [[x0, y0], [x0 + 0.1, y0], [x0 + 0.1, y0 + 0.1], [x0, y0 + 0.1], [x0, y0]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def tinyville(tmp_path: Path) -> Path:
    d = tmp_path / "tinyville"
    d.mkdir()
    (d / "manifest.toml").write_text(MANIFEST, encoding="utf-8")
    (d / "units.csv").write_text(UNITS, encoding="utf-8")
    (d / "targets.csv").write_text(TARGETS, encoding="utf-8")
    (d / "projects.csv").write_text(PROJECTS, encoding="utf-8")
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "110101"},
                "geometry": _square(116.35, 39.85),
            },
            {
                "type": "Feature",
                "properties": {"code": "110102"},
                "geometry": _square(116.55, 39.85),
            },
        ],
    }
    (d / "boundaries.geojson").write_text(json.dumps(fc), encoding="utf-8")
    return d


def test_loads_and_lists(tinyville: Path) -> None:
    region = load_region(tinyville)
    assert region.name == "tinyville"
    assert region.county_codes == ("110101", "110102")
    res = CliRunner().invoke(app, ["districts", "--json", "--dataset", str(tinyville)])
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["code"] for r in rows] == ["110101", "110102"]


def test_evaluates_from_its_own_census(tinyville: Path) -> None:
    from metrocircle.indicators.service import evaluate_region

    region = load_region(tinyville)
    (ev,) = evaluate_region(region, as_of=2025)
    assert ev.id == "urban_2025"
    # (900 + 200) / 1500 = 73.33 % in 2020, computed from the units, not from Chongqing's data
    assert ev.latest_value == pytest.approx(1100 / 1500 * 100)
    assert ev.latest_year == 2020


def test_validate_reports_a_foreign_unit(tinyville: Path) -> None:
    (tinyville / "projects.csv").write_text(
        PROJECTS.replace("110101;110102", "110101;500103"), encoding="utf-8"
    )
    res = CliRunner().invoke(app, ["validate", str(tinyville), "--lang", "en"])
    assert res.exit_code == 2
    assert "projects.csv:2:units: unknown unit code 500103" in res.stderr
