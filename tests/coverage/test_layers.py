"""The shipped facility layers (hospitals, emergency sites): placed inside their units, every
figure sourced, checked by the dataset validator, and used by default by the coverage commands."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
import typer
from shapely.geometry import Point
from typer.testing import CliRunner

from metrocircle._errors import DataValidationError, MetrocircleError
from metrocircle.cli.coverage import coverage_app
from metrocircle.coverage.layers import (
    EMERGENCY_KINDS,
    HOSPITAL_ROLES,
    layer_gap,
    load_emergency_sites,
    load_hospitals,
    shipped_facilities,
    validate_layer_files,
)
from metrocircle.indicators.registry import ComputeContext, compute
from metrocircle.region import Region, load_region
from metrocircle.schema import load_manifest

runner = CliRunner()
app = typer.Typer()
app.add_typer(coverage_app, name="coverage")
YEAR = re.compile(r"(19|20)\d\d")


def _rows(region: Region, key: str) -> list[dict[str, object]]:
    f = region.file(key)
    return (
        load_hospitals(f, region.path)
        if key == "hospitals"
        else load_emergency_sites(f, region.path)
    )


@pytest.mark.parametrize("key", ["hospitals", "emergency_sites"])
def test_every_shipped_facility_lies_inside_its_unit(region: Region, key: str) -> None:
    rows = _rows(region, key)
    assert rows, key
    for r in rows:
        code = str(r["unit_code"])
        assert region.unit(code).level != "prefecture"
        geom = region.units.geometry.loc[code]
        assert geom.contains(Point(float(r["lon"]), float(r["lat"]))), r["id"]  # type: ignore[arg-type]
        # no other unit claims the point either
        others = [c for c in region.county_codes if c != code]
        assert not any(
            region.units.geometry.loc[c].contains(Point(float(r["lon"]), float(r["lat"])))  # type: ignore[arg-type]
            for c in others
        ), r["id"]


def test_every_grade_role_and_bed_count_has_a_dated_source(region: Region) -> None:
    rows = _rows(region, "hospitals")
    n_beds = 0
    for r in rows:
        roles = r["roles"]
        assert isinstance(roles, tuple) and set(roles) <= set(HOSPITAL_ROLES)
        if r["grade"]:
            assert r["grade"] == "3A" and "tertiary_3a" in roles
            assert YEAR.search(str(r["grade_source"])), r["id"]
        if set(roles) - {"tertiary_3a"}:
            assert YEAR.search(str(r["role_source"])), r["id"]
        if r["beds"] is not None:
            n_beds += 1
            assert float(r["beds"]) > 0  # type: ignore[arg-type]
            assert r["beds_kind"] in ("编制", "设置", "开放", "实有")
            assert YEAR.search(str(r["beds_source"])), r["id"]
        else:
            assert not r["beds_source"] and not r["beds_kind"]
    assert n_beds >= 5  # 2SFCA has something to run on
    assert sum(1 for r in rows if r["grade"] == "3A") >= 10
    for e in _rows(region, "emergency_sites"):
        assert e["kind"] in EMERGENCY_KINDS and YEAR.search(str(e["source"])), e["id"]
        if e["capacity"] is not None:
            assert e["capacity_unit"] and YEAR.search(str(e["capacity_source"]))


def test_placed_points_equal_the_seat_or_township_they_claim(region: Region) -> None:
    zones = {}
    with region.file("network_zones").open(encoding="utf-8") as fh:
        for z in csv.DictReader(fh):
            zones[z["zone_id"]] = (float(z["lon"]), float(z["lat"]))
    for key in ("hospitals", "emergency_sites"):
        for r in _rows(region, key):
            u = region.unit(str(r["unit_code"]))
            if r["placed_by"] == "unit_seat":
                assert (r["lon"], r["lat"]) == pytest.approx((u.seat_lon, u.seat_lat)), r["id"]
            elif r["placed_by"] == "township_point":
                assert (r["lon"], r["lat"]) == pytest.approx(zones[str(r["township_code"])])


def _copy_with(dataset_copy: Path, key: str, edit: dict[str, str], row: int = 0) -> Path:
    """Rewrite one row of a shipped layer in a dataset copy; return the copy."""
    f = dataset_copy / "sectors" / f"{key}.csv"
    with f.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        cols = list(reader.fieldnames or [])
        rows = list(reader)
    rows[row].update(edit)
    with f.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return dataset_copy


@pytest.mark.parametrize(
    ("key", "edit", "field", "message"),
    [
        ("hospitals", {"unit_code": "500199"}, "unit_code", "unknown unit code"),
        ("hospitals", {"unit_code": "511600"}, "unit_code", "prefecture"),
        ("hospitals", {"grade_source": ""}, "grade_source", "a source is required"),
        ("hospitals", {"beds_source": "some page"}, "beds_source", "must name its year"),
        (
            "hospitals",
            {"lon": "104.0", "placed_by": "published_coordinate", "location_source": "x 2020"},
            "lon",
            "outside the boundary",
        ),
        ("hospitals", {"lon": "106.6"}, "lon", "differs from the seat"),
        ("hospitals", {"placed_by": "guessed"}, "placed_by", "is not one of"),
        ("hospitals", {"roles": "famous"}, "roles", "is not one of"),
        ("emergency_sites", {"source": ""}, "source", "a source is required"),
        ("emergency_sites", {"capacity": "10"}, "capacity_unit", "with its unit"),
    ],
)
def test_validator_names_file_row_and_field(
    dataset_copy: Path, key: str, edit: dict[str, str], field: str, message: str
) -> None:
    folder = _copy_with(dataset_copy, key, edit)
    manifest, _ = load_manifest(folder / "manifest.toml")
    problems = validate_layer_files(folder, manifest)
    hit = [p for p in problems if p.field == field and message in p.message]
    assert hit, [str(p) for p in problems]
    assert hit[0].file == f"{key}.csv" and hit[0].row == 2
    with pytest.raises(DataValidationError, match=f"{key}.csv:2:{field}"):
        load_region(folder)
    shutil.rmtree(folder)


def test_rescue_indicator_on_the_shipped_layer_is_no_data_with_the_missing_list(
    region: Region,
) -> None:
    gap = layer_gap(region, "emergency_sites")
    assert gap is not None and not gap.complete and len(gap.missing) >= 3
    for ind in ("coverage.rescue_circle_1h", "coverage.rescue_circle_1h_share"):
        with pytest.raises(MetrocircleError) as exc:
            compute(ind, ComputeContext(region))
        for item in gap.missing:
            assert item in str(exc.value)


def test_shipped_layer_keeps_only_facilities_in_service(region: Region) -> None:
    layer = shipped_facilities(region)
    assert layer is not None
    ids = set(layer.ids)
    for r in _rows(region, "hospitals"):
        assert (r["id"] in ids) == (r["status"] == "in_service")
    hospitals = layer.of_type("hospital")
    beds = hospitals.table.dropna(subset=["capacity"])
    assert (beds["capacity_unit"] == "beds").all()


@pytest.fixture(scope="module")
def nth_json() -> dict[str, object]:
    r = runner.invoke(app, ["coverage", "nth", "--n", "1", "--json"])
    assert r.exit_code == 0, r.output
    out: dict[str, object] = json.loads(r.stdout)
    return out


def test_nth_runs_on_the_shipped_hospitals_without_a_file(
    region: Region, nth_json: dict[str, object]
) -> None:
    assert nth_json["layer"] == "shipped" and "incomplete" in str(nth_json["layer_gap"])
    units = {u["code"]: u for u in nth_json["units"]}  # type: ignore[attr-defined]
    assert set(units) == set(region.county_codes)
    # a unit holding a shipped hospital in service is within 45 min of it on average (large
    # rural districts such as 涪陵 come close to 30 min to their seat); while 广安 holds none,
    # its districts are over an hour away from the nearest one (in 合川/大足/涪陵 or the core)
    held = {str(h["unit_code"]) for h in _rows(region, "hospitals") if h["status"] == "in_service"}
    assert len(held) >= 8
    for code in held:
        assert units[code]["mean_minutes"] < 45, units[code]
    guang_an = set(region.children("511600"))
    if not guang_an & held:
        for code in ("511602", "511623"):
            assert units[code]["mean_minutes"] > 60, units[code]
    assert all(u["unreached_zones"] == 0 for u in units.values())
    assert all(0 < u["max_minutes"] < 240 for u in units.values())


def test_tertiary_share_indicator_is_modelled_and_a_lower_bound(region: Region) -> None:
    vals = {
        v.scope: v for v in compute("coverage.tertiary_hospital_1h_share", ComputeContext(region))
    }
    area = vals["region"]
    assert area.value is not None and 40 < area.value < 100
    assert area.provenance["value_kind"] == "modelled"
    assert area.provenance["bound"].startswith("lower bound")
    assert vals["500103"].value == 100.0
    assert vals["511600"].value is not None and vals["511600"].value < area.value


def test_2sfca_runs_on_shipped_beds_per_10000_and_conserves_the_beds(region: Region) -> None:
    r = runner.invoke(app, ["coverage", "2sfca", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["layer"] == "shipped" and out["capacity_unit"] == ["beds"]
    assert out["per_people"] == 10000
    rows = [h for h in _rows(region, "hospitals") if h["status"] == "in_service"]
    with_beds = [h for h in rows if h["beds"] is not None]
    assert sorted(out["excluded_no_capacity"]) == sorted(
        str(h["id"]) for h in rows if h["beds"] is None
    )
    assert out["facilities"] == len(with_beds)
    assert out["bound"].startswith("lower bound")
    # binary 2SFCA hands every bed to the population of its catchment: the population-weighted
    # sum of accessibility returns the shipped bed total (every shipped hospital reaches people)
    served = sum(z["population"] * z["accessibility"] for z in out["zones"])
    assert served == pytest.approx(sum(float(h["beds"]) for h in with_beds), rel=1e-6)  # type: ignore[arg-type]
    units = {u["code"]: u for u in out["units"]}
    assert units["500103"]["accessibility_per"] == pytest.approx(
        units["500103"]["accessibility"] * 10000
    )
    assert 1 < units["500103"]["accessibility_per"] < 100  # beds per 10,000 in 3A hospitals
    assert units["511602"]["accessibility_per"] == 0  # no shipped hospital within 60 min


def test_rescue_runs_on_the_shipped_sites_and_says_the_layer_is_partial(region: Region) -> None:
    r = runner.invoke(app, ["coverage", "rescue", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    in_service = [e for e in _rows(region, "emergency_sites") if e["status"] == "in_service"]
    assert out["facilities"] == len(in_service) >= 1
    assert out["layer"] == "shipped" and "中央救灾物资重庆储备库" in out["layer_gap"]
    assert 0 < out["share"] < 1  # one site cannot cover the area within an hour


def test_evaluation_of_the_rescue_target_is_no_data_with_the_missing_list(region: Region) -> None:
    from metrocircle.indicators.model import Status
    from metrocircle.indicators.service import evaluate_region

    target = region.target("rescue_circle_1h")
    (ev,) = evaluate_region(region, as_of=2026, targets=[target])
    assert ev.status == Status.NO_DATA
    gap = layer_gap(region, "emergency_sites")
    assert gap is not None
    text = " ".join(w.en for w in ev.warnings)
    assert "incomplete" in text
    for item in gap.missing:
        assert item in text
