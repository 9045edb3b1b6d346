"""evaluate_region: shipped, stored and computed values layered and evaluated for every target."""

from __future__ import annotations

import csv
import dataclasses
import shutil
from pathlib import Path

import pytest

from metrocircle._errors import DataValidationError, MetrocircleError
from metrocircle.indicators import registry
from metrocircle.indicators.model import ObservationKind, Status
from metrocircle.indicators.service import (
    evaluate_region,
    indicator_names,
    load_shipped_observations,
    observations_path,
    values_by_unit,
)
from metrocircle.region import Region, load_region
from metrocircle.schema import MEASURE_UNITS, TargetRow
from metrocircle.store import ObservationIn, Store


@pytest.fixture(scope="module")
def region() -> Region:
    return load_region("chongqing")


def _target(**kw: object) -> TargetRow:
    base: dict[str, object] = {
        "id": "t",
        "indicator": "urbanisation_rate_pct",
        "name_zh": "城镇化率",
        "name_en": "Urbanisation rate",
        "scope": "region",
        "unit": "pct",
        "direction": ">=",
        "baseline_value": 74.0,
        "baseline_year": 2020,
        "target_value": 80.0,
        "target_year": 2025,
        "chapter": "2.3",
        "computed_by": "region.urbanisation_rate",
    }
    base.update(kw)
    return TargetRow.model_validate(base)


def test_every_target_gets_a_status_and_a_reason(region: Region) -> None:
    evs = evaluate_region(region, as_of=2026)
    assert [e.id for e in evs] == [t.id for t in region.targets]
    for e in evs:
        assert isinstance(e.status, Status)
        assert e.reason.zh and e.reason.en
        assert e.provenance["data_version"] == region.data_version
        if e.status is Status.NO_DATA and e.latest_value is None:
            assert e.reason.code == "no_data"
            assert "needs" in e.reason.en and "需要" in e.reason.zh


def test_good_air_days_stand_in_is_flagged(region: Region) -> None:
    (e,) = [e for e in evaluate_region(region, as_of=2026) if e.indicator == "good_air_days_pct"]
    assert e.latest_year == 2024 and e.latest_value == pytest.approx(329 / 366 * 100, abs=0.005)
    codes = [w.code for w in e.warnings]
    assert "stand_in" in codes and "derived_value" in codes
    stand_in = next(w for w in e.warnings if w.code == "stand_in")
    assert "not for the metropolitan area" in stand_in.en and "不是重庆都市圈" in stand_in.zh
    assert "Chongqing Municipality (whole) (500000)" in stand_in.en


def test_urbanisation_from_census_alone_cannot_be_judged(region: Region) -> None:
    # as of 2021 only the census (2020) computation exists: one value, no pace
    (e,) = evaluate_region(region, as_of=2021, targets=[_target()])
    assert e.latest_year == 2020 and e.latest is not None
    assert e.latest.kind is ObservationKind.COMPUTATION
    assert e.latest.provenance["data_version"] == region.data_version
    assert e.status is Status.NO_DATA and e.reason.code == "single_value"


def test_urbanisation_gets_a_pace_from_the_derived_2022_value(region: Region) -> None:
    (e,) = evaluate_region(region, as_of=2026, targets=[_target()])
    assert e.latest_year == 2022 and e.latest is not None
    # 主城都市区 79.8 % of 2122.72 万 and 广安市 45.32 % of 323.8 万 (hand-checked)
    assert e.latest.value == pytest.approx((79.8 * 2122.72 + 45.32 * 323.8) / 2446.52)
    assert e.latest.provenance["derived"] == "weighted_mean"
    assert e.latest.submitted_by == "dataset (derived)" and "派生" in e.latest.note
    assert [o.period for o in e.series] == [2020, 2022]
    assert e.series[0].kind is ObservationKind.COMPUTATION
    assert e.observed_yearly_change == pytest.approx((e.latest.value - 73.9213232926614) / 2)
    codes = [w.code for w in e.warnings]
    assert "derived_from_parts" in codes and "pace" in codes
    assert e.status is Status.OFF_TRACK  # (75.24 + 3 x 0.66 - 74) / 6 = 0.54 < 0.75


def test_store_observations_join_the_series(region: Region, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'obs.db'}")
    try:
        store.import_observations(
            [
                ObservationIn(
                    "urbanisation_rate_pct",
                    "region",
                    2023,
                    77.0,
                    "pct",
                    "survey 2023",
                    line=2,
                    source_kind="official_statistics",
                    publisher="重庆市统计局",
                    publication="《2023年重庆市国民经济和社会发展统计公报》",
                )
            ],
            submitted_by="analyst",
        )
        (e,) = evaluate_region(region, store=store, as_of=2026, targets=[_target()])
    finally:
        store.close()
    # the store's record of its kind and publisher reaches the evaluation
    assert e.latest is not None and e.latest.provenance["source_kind"] == "official_statistics"
    assert e.latest.provenance["publisher"] == "重庆市统计局"
    assert e.latest_value == 77.0 and e.latest_year == 2023 and e.latest is not None
    assert e.latest.submitted_by == "analyst"
    # pace from the census 2020 value (73.92) to 77.0 in 2023, projected to 2025 (the 2022
    # value derived from official parts is kept in the series but does not change the pace)
    pace = (77.0 - 73.9213232926614) / 3
    assert e.observed_yearly_change == pytest.approx(pace)
    assert e.projected_value == pytest.approx(77.0 + 2 * pace)
    assert e.status is Status.AT_RISK  # (79.05 - 74) / 6 = 0.84 >= 0.75
    assert any(w.code == "pace" for w in e.warnings)


def test_failing_and_missing_computations_say_what_they_need(region: Region) -> None:
    @registry.register_indicator(
        "test.failing", name_zh="失败", name_en="failing", unit="pct", needs="a station file"
    )
    def _fail(ctx: registry.ComputeContext) -> list[registry.ComputedValue]:
        msg = "no station file"
        raise MetrocircleError(msg)

    try:
        t1 = _target(
            id="a",
            indicator="x_pct",
            computed_by="test.failing",
            baseline_value=None,
            baseline_year=None,
        )
        t2 = _target(
            id="b",
            indicator="y_pct",
            computed_by="test.not_registered",
            baseline_value=None,
            baseline_year=None,
        )
        e1, e2 = evaluate_region(region, as_of=2026, targets=[t1, t2])
    finally:
        registry._REGISTRY.pop("test.failing", None)
    assert e1.status is Status.NO_DATA and e2.status is Status.NO_DATA
    assert any(w.code == "computation_failed" and "a station file" in w.en for w in e1.warnings)
    # the reason says in words that the model's inputs would do; the warning keeps the detail
    assert "inputs the model needs" in e1.reason.en and "模型推算所需的基础数据" in e1.reason.zh
    assert "test.failing" not in e1.reason.en + e1.reason.zh
    assert "model" not in e2.reason.en  # no computation registered: only the value itself
    assert any(w.code == "computation_missing" for w in e2.warnings)


def test_as_of_hides_later_values(region: Region) -> None:
    t = _target(
        id="c",
        indicator="good_air_days_pct",
        computed_by=None,
        baseline_value=None,
        baseline_year=None,
        target_value=89.4,
    )
    (e,) = evaluate_region(region, as_of=2021, targets=[t])
    assert e.latest_year == 2021


def test_shipped_file_is_valid_and_sourced(region: Region) -> None:
    obs = load_shipped_observations(region)
    assert len(obs) > 180
    assert all(o.source and o.unit in MEASURE_UNITS for o in obs)
    census = {
        o.scope: o.value
        for o in obs
        if o.indicator == "resident_population"
        and o.period == 2020
        and o.submitted_by == "dataset (census)"
    }
    for code in region.county_codes:
        assert census[code] == pytest.approx((region.unit(code).population_2020 or 0) / 10_000)


def test_every_shipped_indicator_is_named_with_its_unit(region: Region) -> None:
    names = indicator_names(region)
    for o in load_shipped_observations(region):
        assert o.indicator in names, o.indicator
        assert names[o.indicator][2] == o.unit, o.indicator


def test_values_by_unit_for_maps(region: Region) -> None:
    table = values_by_unit(region, as_of=2026)
    assert set(table["resident_population"][2020]) == set(region.county_codes)
    assert "500107" in table["urbanisation_rate_pct"][2024]  # 九龙坡 2024 (归属推定)
    assert 2024 not in values_by_unit(region, as_of=2023)["urbanisation_rate_pct"]


def test_bad_shipped_rows_are_named(region: Region, tmp_path: Path) -> None:
    src = observations_path(region)
    assert src is not None
    copy = tmp_path / "ds"
    shutil.copytree(region.path, copy)
    path = copy / "observations" / "observations.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["value"] = "lots"
    rows[3]["unit"] = "furlongs"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    broken = dataclasses.replace(region, path=copy)
    with pytest.raises(DataValidationError) as exc:
        load_shipped_observations(broken)
    got = {(p.row, p.field) for p in exc.value.problems}
    assert got == {(2, "value"), (5, "unit")}
