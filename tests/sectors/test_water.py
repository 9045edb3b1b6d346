"""GB 3838-2002 single-factor class: every limit edge, DO, pH, lake TP, worst-parameter property."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrocircle._errors import DataValidationError
from metrocircle.sectors._water_tables import EVALUATED, PARAMETERS
from metrocircle.sectors.water import (
    classify_file,
    parameter_class,
    section_class,
    share_class_iii_or_better,
)

MAX_CASES = [
    (k, i, lim)
    for k, p in PARAMETERS.items()
    if p.kind == "max"
    for i, lim in enumerate(p.limits, start=1)
]


def test_table_has_21_evaluated_items() -> None:
    assert len(EVALUATED) == 21
    assert "tn" not in EVALUATED and "faecal_coliform" not in EVALUATED


@pytest.mark.parametrize(("key", "klass", "limit"), MAX_CASES)
def test_max_limit_edges(key: str, klass: int, limit: float) -> None:
    limits = PARAMETERS[key].limits
    best = limits.index(limit) + 1  # identical limits: the best class that has it
    assert parameter_class(key, limit) == best
    # just above the limit: the first class after every class that shares this limit (V -> 劣V = 6)
    assert parameter_class(key, limit * 1.0001) == limits.index(limit) + limits.count(limit) + 1
    assert klass >= best


def test_identical_limits_give_the_best_class() -> None:
    assert parameter_class("cod", 15) == 1  # I and II share 15
    assert parameter_class("cod", 15.01) == 3
    assert parameter_class("bod5", 3) == 1
    assert parameter_class("cu", 0.5) == 2


@pytest.mark.parametrize(
    ("value", "klass"),
    [
        (7.5, 1),
        (7.49, 2),
        (6, 2),
        (5.99, 3),
        (5, 3),
        (4.99, 4),
        (3, 4),
        (2.99, 5),
        (2, 5),
        (1.99, 6),
        (0, 6),
    ],
)
def test_dissolved_oxygen_is_not_less_than(value: float, klass: int) -> None:
    assert parameter_class("do", value) == klass


@pytest.mark.parametrize(("value", "klass"), [(6, 1), (9, 1), (7.2, 1), (5.99, 6), (9.01, 6)])
def test_ph_range(value: float, klass: int) -> None:
    assert parameter_class("ph", value) == klass


def test_lake_total_phosphorus() -> None:
    assert parameter_class("tp", 0.05) == 2  # river: II (<= 0.1)
    assert parameter_class("tp", 0.05, water_body="lake") == 3  # lake: III (<= 0.05)
    assert parameter_class("tp", 0.21, water_body="reservoir") == 6
    assert parameter_class("nh3_n", 0.5, water_body="lake") == 2  # other items unchanged


def test_section_class_worst_parameter_and_not_evaluated() -> None:
    r = section_class(
        {"do": 6.2, "codmn": 3.1, "nh3_n": 0.6, "tp": 0.12, "tn": 5.0, "faecal_coliform": 100}
    )
    assert (r.klass, r.label, r.deciding) == (3, "III", ("nh3_n", "tp"))
    assert r.good and r.quality_zh == "良好"
    assert r.not_evaluated == {
        "tn": 6,
        "faecal_coliform": 1,
    }  # TN worse than V does not set the class
    bad = section_class({"do": 1.0, "cod": 12})
    assert bad.label == "劣V" and bad.quality_en == "heavily polluted" and not bad.good


def test_section_errors() -> None:
    with pytest.raises(DataValidationError, match="no evaluated"):
        section_class({"tn": 1.0})
    with pytest.raises(DataValidationError, match="unknown parameter"):
        section_class({"bogus": 1.0})
    with pytest.raises(DataValidationError, match="physical"):
        section_class({"cod": -1})
    with pytest.raises(ValueError, match="water_body"):
        section_class({"cod": 1}, water_body="sea")


def test_share_class_iii_or_better() -> None:
    assert share_class_iii_or_better([1, 2, 3, 4]) == 75.0
    assert share_class_iii_or_better([section_class({"do": 1})]) == 0.0
    with pytest.raises(ValueError, match="undefined"):
        share_class_iii_or_better([])


def test_classify_file(tmp_path: Path) -> None:
    p = tmp_path / "s.csv"
    p.write_text(
        "section_id,water_body,do,tp,nh3_n\nA,river,7.6,0.05,0.1\nB,lake,5.5,0.05,\n",
        encoding="utf-8",
    )
    out = classify_file(p)
    assert [(r["section_id"], r["label"]) for r in out] == [("A", "II"), ("B", "III")]
    p.write_text("section_id,do,tp,xx\nA,abc,0.1,1\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=":1:xx"):
        classify_file(p)
    p.write_text("section_id,do,tp\nA,abc,0.1\nA,5,0.1\n,5,1\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        classify_file(p)
    assert (
        ":2:do" in str(err.value)
        and ":3:section_id" in str(err.value)
        and ":4:section_id" in str(err.value)
    )


@settings(deadline=None)
@given(
    st.dictionaries(st.sampled_from(EVALUATED), st.floats(0, 14, allow_nan=False), min_size=1),
    st.sampled_from(["river", "lake"]),
)
def test_section_class_is_worst_parameter_class(meas: dict[str, float], body: str) -> None:
    r = section_class(meas, water_body=body)
    assert r.klass == max(parameter_class(k, v, water_body=body) for k, v in meas.items())
    assert set(r.deciding) == {
        k for k in meas if parameter_class(k, meas[k], water_body=body) == r.klass
    }


@settings(deadline=None)
@given(
    st.sampled_from([k for k in EVALUATED if PARAMETERS[k].kind == "max"]),
    st.floats(0, 100),
    st.floats(0, 100),
)
def test_class_monotone_in_concentration(key: str, a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    assert parameter_class(key, lo) <= parameter_class(key, hi)


def test_section_registry(tmp_path: Path) -> None:
    from metrocircle.sectors.water import load_section_registry

    p = tmp_path / "r.csv"
    head = "section_id,name_zh,river_zh,water_body,jurisdictions,lon,lat,source\n"
    p.write_text(head + "S1,甲,琼江,river,500152;510900,,,a bulletin\n", encoding="utf-8")
    assert load_section_registry(p)[0]["jurisdictions"] == ["500152", "510900"]
    p.write_text(head + "S1,甲,琼江,sea,500152,200,,\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        load_section_registry(p, unit_codes={"500152"})
    text = str(err.value)
    assert all(f":2:{c}" in text for c in ("jurisdictions", "water_body", "lon", "source"))


def test_dataset_sector_files_validate(tmp_path: Path) -> None:
    import shutil

    from metrocircle.data import get_path
    from metrocircle.sectors.dataset import validate_sector_files

    src = get_path("chongqing")
    assert validate_sector_files(src) == []
    shutil.copytree(src / "sectors", tmp_path / "sectors")
    (tmp_path / "sectors" / "scenic_capacities.csv").write_text(
        "scenic_id,capacity_instantaneous,capacity_daily,method,source\nx,-1,,m,\n",
        encoding="utf-8",
    )
    problems = validate_sector_files(tmp_path)
    assert {p.field for p in problems} == {"capacity_instantaneous", "source"}
