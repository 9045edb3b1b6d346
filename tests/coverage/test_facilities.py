"""Facility layer import: valid files, every problem named file:row:field, all-or-nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from metrocircle._errors import DataValidationError
from metrocircle.coverage.facilities import (
    COLUMNS,
    FacilityType,
    HospitalGrade,
    facilities_from_records,
    load_facilities,
)
from metrocircle.geo import wgs84_to_gcj02

HEADER = ",".join(COLUMNS)


def _csv(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "f.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return p


ROW_A = "a1,甲中心,,emergency_reserve,,1000,tonnes,106.5,29.5,test row"
ROW_H = "h1,某医院,Some Hospital,hospital,三级甲等,1200,beds,106.6,29.6,test row"


def test_csv_round_trip(tmp_path: Path) -> None:
    layer = load_facilities(_csv(tmp_path, ROW_A, ROW_H))
    assert layer.ids == ["a1", "h1"]
    assert layer.table.loc[1, "grade"] == "3A"
    assert layer.capacities() == [1000.0, 1200.0]
    assert len(layer.of_type("emergency_reserve")) == 1
    assert len(layer.of_type(FacilityType.HOSPITAL, min_grade="3B")) == 1
    assert len(layer.of_type(FacilityType.HOSPITAL, min_grade=HospitalGrade.G3A)) == 1
    gj = layer.to_geojson()
    assert gj["features"][0]["geometry"]["coordinates"] == [106.5, 29.5]
    assert gj["features"][0]["properties"]["name_en"] is None


def test_grade_ordering() -> None:
    assert HospitalGrade("3A").rank > HospitalGrade("3B").rank > HospitalGrade("2A").rank
    assert HospitalGrade("二级乙等") is HospitalGrade.G2B
    assert FacilityType("Fire-Station") is FacilityType.FIRE_STATION


def test_every_problem_is_named_and_nothing_is_imported(tmp_path: Path) -> None:
    p = _csv(
        tmp_path,
        ROW_A,
        "b1,乙,,warehouse,,,,106.5,29.5,src",  # unknown type
        "c1,丙,,fire_station,3A,,,106.5,29.5,src",  # grade on a non-hospital
        "d1,丁,,sports_venue,,,,200,29.5,src",  # lon out of range
        "a1,戊,,school,,,,106.5,29.5,src",  # duplicate id (reported once rows validate)
        "e1,己,,school,,,,106.5,29.5,",  # no source
        "f1,庚,,school,,-5,beds,106.5,29.5,src",  # negative capacity
    )
    with pytest.raises(DataValidationError) as ei:
        load_facilities(p)
    text = str(ei.value)
    assert "f.csv:3:type:" in text
    assert "f.csv:4:" in text and "grade" in text
    assert "f.csv:5:lon:" in text
    assert "f.csv:7:source:" in text
    assert "f.csv:8:capacity:" in text
    assert len(ei.value.problems) == 5


def test_duplicate_id(tmp_path: Path) -> None:
    with pytest.raises(
        DataValidationError, match=r"f.csv:3:id: duplicate id 'a1' \(first on row 2\)"
    ):
        load_facilities(_csv(tmp_path, ROW_A, ROW_A))


@pytest.mark.parametrize(
    ("header", "problem"),
    [
        (HEADER.replace(",source", ""), "f.csv:1:source: required column is missing"),
        (HEADER + ",colour", "f.csv:1:colour: unknown column"),
    ],
)
def test_bad_header(tmp_path: Path, header: str, problem: str) -> None:
    row = ROW_A if "colour" not in header else ROW_A + ",red"
    if "source" not in header:
        row = ROW_A.rsplit(",", 1)[0]
    with pytest.raises(DataValidationError, match=problem):
        load_facilities(_csv(tmp_path, row, header=header))


def test_capacity_needs_unit() -> None:
    with pytest.raises(DataValidationError, match="capacity_unit"):
        facilities_from_records(
            [
                {
                    "id": "x",
                    "name_zh": "x",
                    "type": "hospital",
                    "capacity": 10,
                    "lon": 106,
                    "lat": 29,
                    "source": "s",
                }
            ]
        )


def test_extra_field_in_records() -> None:
    with pytest.raises(DataValidationError, match=r"<request>:1:colour:"):
        facilities_from_records(
            [
                {
                    "id": "x",
                    "name_zh": "x",
                    "type": "school",
                    "lon": 106,
                    "lat": 29,
                    "source": "s",
                    "colour": 1,
                }
            ]
        )


def test_geojson_and_gcj02(tmp_path: Path) -> None:
    glon, glat = wgs84_to_gcj02(106.55, 29.56)
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(glon), float(glat)]},
                "properties": {"id": "g1", "name_zh": "甲", "type": "fire_station", "source": "s"},
            }
        ],
    }
    p = tmp_path / "f.geojson"
    p.write_text(json.dumps(gj), encoding="utf-8")
    layer = load_facilities(p, datum="gcj02")
    assert layer.table.loc[0, "lon"] == pytest.approx(106.55, abs=1e-6)
    assert layer.table.loc[0, "lat"] == pytest.approx(29.56, abs=1e-6)
    assert layer.datum == "gcj02"
    # read as WGS84 the same file is ~hundreds of metres off
    assert abs(load_facilities(p).table.loc[0, "lon"] - 106.55) > 1e-3


def test_geojson_problems(tmp_path: Path) -> None:
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
                "properties": {"id": "g1", "name_zh": "甲", "type": "school", "source": "s"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [106, 29]},
                "properties": None,
            },
        ],
    }
    p = tmp_path / "f.geojson"
    p.write_text(json.dumps(gj), encoding="utf-8")
    with pytest.raises(DataValidationError) as ei:
        load_facilities(p)
    assert {(q.row, q.field) for q in ei.value.problems} == {(1, "geometry"), (2, "properties")}


@pytest.mark.parametrize(
    ("name", "content", "match"),
    [
        ("f.txt", "x", "unsupported file type"),
        ("f.geojson", "{not json", "invalid JSON"),
        ("f.geojson", '{"type": "Feature"}', "not a GeoJSON FeatureCollection"),
        ("f.csv", HEADER, "no facility rows"),
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: str, match: str) -> None:
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    with pytest.raises(DataValidationError, match=match):
        load_facilities(p)


def test_missing_file_and_bad_datum(tmp_path: Path) -> None:
    with pytest.raises(DataValidationError, match="file not found"):
        load_facilities(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match="`datum`"):
        load_facilities(tmp_path / "nope.csv", datum="bd09")  # type: ignore[arg-type]


def test_dataset_validator(tmp_path: Path) -> None:
    from types import SimpleNamespace

    from metrocircle.coverage.facilities import validate_facility_files

    assert validate_facility_files(tmp_path, SimpleNamespace(files={})) == []
    _csv(tmp_path, ROW_A, ROW_A)
    manifest = SimpleNamespace(files={"facilities": SimpleNamespace(path="f.csv")})
    problems = validate_facility_files(tmp_path, manifest)
    assert [(p.row, p.field) for p in problems] == [(3, "id")]
