"""The embedded dataset loads into a Region; a corrupted copy is rejected with every problem named."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from metrocircle._errors import DataValidationError, UnknownUnitError
from metrocircle.region import Region, load_region, validate_dataset

CORE = {"500103", "500104", "500105", "500106", "500107", "500108", "500109", "500112", "500113"}


def test_units(region: Region) -> None:
    assert len(region.county_codes) == 27
    assert "511600" in region.unit_codes
    assert region.units.crs.to_epsg() == 4326
    assert set(region.role_members("core")) == CORE
    assert set(region.role_members("integration_pioneer")) == {
        "500120",
        "500116",
        "500115",
        "500119",
    }
    assert set(region.role_members("strategic_pivot")) == {"500102", "500118", "500117", "500110"}
    assert set(region.role_members("bridgehead")) == {"500153", "500111", "500151", "500152"}
    assert set(region.role_members("satellite_town")) == {"511681", "511623", "511622", "511621"}
    # the whole of Guang'an is the northern sub-centre, through its parent
    assert set(region.role_members("northern_subcentre")) == set(region.children("511600"))
    assert "万盛" in (region.unit("500110").notes or "")


def test_census_figures_and_derived_rate(region: Region) -> None:
    yz = region.unit("500103")
    assert yz.population_2020 == 588717
    assert yz.urbanisation_rate_2020_pct == 100.0
    ga = region.unit("511600")
    kids = [region.unit(c) for c in region.children("511600")]
    assert ga.population_2020 == sum(k.population_2020 or 0 for k in kids)
    total = sum(region.unit(c).population_2020 or 0 for c in region.county_codes)
    assert 24_000_000 < total < 24_800_000  # the plan: 约2440万人


def test_seats_inside_their_own_polygon(region: Region) -> None:
    from shapely.geometry import Point

    for code in region.county_codes:
        u = region.unit(code)
        assert u.seat_lon is not None and u.seat_lat is not None
        assert region.units.geometry.loc[code].contains(Point(u.seat_lon, u.seat_lat)), code


def test_computed_area_near_plan_total(region: Region) -> None:
    area = region.units.loc[list(region.county_codes), "area_km2_computed"].sum()
    assert 33_000 < area < 37_000  # the plan: 3.5万平方公里


def test_unknown_unit(region: Region) -> None:
    with pytest.raises(UnknownUnitError, match="999999"):
        region.unit("999999")


def test_targets_and_projects_loaded(region: Region) -> None:
    assert len(region.targets) >= 10
    ids = {t.id for t in region.targets}
    assert len(ids) == len(region.targets)
    assert any(t.indicator == "urbanisation_rate_pct" for t in region.targets)
    assert len(region.projects) >= 20


def _rewrite(path: Path, fn: object) -> None:
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    header = list(rows[0])
    fn(rows)  # type: ignore[operator]
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)


def test_corrupted_copy_lists_every_problem(dataset_copy: Path) -> None:
    def break_units(rows: list[dict[str, str]]) -> None:
        rows[0]["population_2020"] = "-5"
        rows[1]["roles"] = "capital"
        rows[2]["code"] = rows[3]["code"]
        rows[4]["parent"] = "123456"

    def break_targets(rows: list[dict[str, str]]) -> None:
        rows[0]["unit"] = "furlongs"
        rows[1]["direction"] = "~"
        rows[2]["target_value"] = "lots"

    _rewrite(dataset_copy / "units.csv", break_units)
    _rewrite(dataset_copy / "targets.csv", break_targets)
    problems = validate_dataset(dataset_copy)
    text = "\n".join(map(str, problems))
    assert "units.csv:2:population_2020" in text
    assert "units.csv:3:roles" in text
    assert "units.csv:5:code: duplicate" in text
    assert "units.csv:6:parent" in text
    assert "targets.csv:2:unit" in text
    assert "targets.csv:3:direction" in text
    assert "targets.csv:4:target_value" in text
    with pytest.raises(DataValidationError) as err:
        load_region(dataset_copy)
    assert len(err.value.problems) == len(problems)


def test_missing_file_and_bad_manifest(dataset_copy: Path) -> None:
    (dataset_copy / "projects.csv").unlink()
    assert any("projects.csv does not exist" in str(p) for p in validate_dataset(dataset_copy))
    (dataset_copy / "manifest.toml").write_text("schema_version = [", encoding="utf-8")
    problems = validate_dataset(dataset_copy)
    assert problems and problems[0].file == "manifest.toml"


def test_boundaries_in_wrong_crs_rejected(dataset_copy: Path) -> None:
    import json

    p = dataset_copy / "boundaries.geojson"
    gj = json.loads(p.read_text(encoding="utf-8"))
    gj["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32648"}}
    gj["features"] = gj["features"][:-1]
    p.write_text(json.dumps(gj), encoding="utf-8")
    text = "\n".join(map(str, validate_dataset(dataset_copy)))
    assert "boundaries.geojson:0:crs" in text
    assert "no boundary for unit" in text


def test_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neither an embedded dataset"):
        load_region(tmp_path)
