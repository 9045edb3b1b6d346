"""Properties and worked examples of the pure evaluation functions."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from metrocircle.indicators.evaluate import (
    evaluate_target,
    growth_rate,
    meets,
    progress,
    project,
    year_reached,
    yearly_change,
)
from metrocircle.indicators.model import Observation, Status, Thresholds
from metrocircle.schema import Direction, TargetRow

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False)


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
    }
    base.update(kw)
    return TargetRow.model_validate(base)


# ------------------------------------------------------------------ properties of progress


@given(b=finite, t=finite, d=st.sampled_from(list(Direction)))
def test_progress_is_exactly_one_at_target_and_zero_at_baseline(
    b: float, t: float, d: Direction
) -> None:
    assume(b != t)
    assume(not meets(b, t, d))  # a baseline that already meets the target is a "hold" target
    assert progress(t, baseline=b, target=t, direction=d) == 1.0
    assert progress(b, baseline=b, target=t, direction=d) == 0.0


@given(b=finite, t=finite, v1=finite, v2=finite)
def test_progress_is_monotone_and_respects_direction(
    b: float, t: float, v1: float, v2: float
) -> None:
    lo, hi = min(v1, v2), max(v1, v2)
    ge_lo = progress(lo, baseline=b, target=t, direction=">=")
    ge_hi = progress(hi, baseline=b, target=t, direction=">=")
    le_lo = progress(lo, baseline=b, target=t, direction="<=")
    le_hi = progress(hi, baseline=b, target=t, direction="<=")
    assert ge_lo is not None and ge_hi is not None and le_lo is not None and le_hi is not None
    assert ge_lo <= ge_hi  # a larger value never lowers progress towards a ">=" target
    assert le_lo >= le_hi  # a smaller value never lowers progress towards a "<=" target


@given(b=finite, t=finite, v=finite)
def test_equality_progress_peaks_at_the_target(b: float, t: float, v: float) -> None:
    assume(b != t)
    p = progress(v, baseline=b, target=t, direction="=")
    assert p is not None
    assert p <= 1.0
    if v == t:
        assert p == 1.0
    p_far = progress(t + 2 * (v - t), baseline=b, target=t, direction="=")
    assert p_far is not None and p_far <= p  # twice as far from the target never scores higher


def test_progress_without_baseline_is_one_when_met_else_undefined() -> None:
    assert progress(90.0, baseline=None, target=89.4, direction=">=") == 1.0
    assert progress(88.0, baseline=None, target=89.4, direction=">=") is None


def test_hold_target_progress() -> None:
    # baseline already meets "not below 89.4": 1 while it holds, 0 once it does not
    assert progress(90.0, baseline=91.0, target=89.4, direction=">=") == 1.0
    assert progress(89.0, baseline=91.0, target=89.4, direction=">=") == 0.0


# ------------------------------------------------------------------ projections


@given(
    v=positive,
    pace=st.floats(min_value=0.01, max_value=1e3),
    gap=st.floats(min_value=0.01, max_value=1e4),
    method=st.sampled_from(["linear", "compound"]),
)
def test_projection_reaches_the_target_in_the_computed_year(
    v: float, pace: float, gap: float, method: str
) -> None:
    t = v + gap
    rate = growth_rate((2020, v), (2021, v + pace))
    y = year_reached(
        v, 2020, target=t, direction=">=", method=method, pace=pace, rate=rate, max_years=10_000
    )
    assume(y is not None)
    assert y is not None
    assert project(v, 2020, y, method=method, pace=pace, rate=rate) >= t
    assert project(v, 2020, y - 1, method=method, pace=pace, rate=rate) < t


def test_linear_and_compound_worked_example() -> None:
    assert yearly_change((2020, 100.0), (2022, 121.0)) == pytest.approx(10.5)
    r = growth_rate((2020, 100.0), (2022, 121.0))
    assert r == pytest.approx(0.1)
    assert project(121.0, 2022, 2025, method="compound", pace=10.5, rate=r) == pytest.approx(
        161.051
    )
    assert project(121.0, 2022, 2025, method="linear", pace=10.5) == pytest.approx(152.5)
    assert (
        year_reached(
            121.0, 2022, target=150.0, direction=">=", method="compound", pace=10.5, rate=r
        )
        == 2025
    )
    assert (
        year_reached(121.0, 2022, target=150.0, direction=">=", method="linear", pace=10.5) == 2025
    )
    assert (
        year_reached(121.0, 2022, target=160.0, direction=">=", method="linear", pace=10.5) == 2026
    )


def test_equality_target_crossing_between_years_counts_as_reached() -> None:
    # from 10 towards 20 at +15 a year: 25 in the first year, past the "=20" band
    assert year_reached(10.0, 2020, target=20.0, direction="=", method="linear", pace=15.0) == 2021


def test_explosive_growth_does_not_overflow() -> None:
    r = growth_rate((2020, 0.001), (2021, 1000.0))
    assert project(1000.0, 2021, 2121, method="compound", pace=999.999, rate=r) == math.inf
    assert (
        year_reached(
            1000.0, 2021, target=1e300, direction=">=", method="compound", pace=1.0, rate=r
        )
        is not None
    )


def test_bad_method_and_same_year_pace_are_rejected() -> None:
    with pytest.raises(ValueError, match="method"):
        project(1.0, 2020, 2021, method="cubic", pace=1.0)
    with pytest.raises(ValueError, match="two different years"):
        yearly_change((2020, 1.0), (2020, 2.0))


# ------------------------------------------------------------------ worked evaluations


def test_on_track_worked_example() -> None:
    e = evaluate_target(
        _target(),
        [Observation(75.5, 2021, "A"), Observation(77.0, 2022, "B")],
        as_of=2023,
    )
    assert e.status is Status.ON_TRACK
    assert e.latest_value == 77.0 and e.latest_year == 2022 and e.latest_source == "B"
    assert e.progress == pytest.approx(0.5)
    assert e.expected_progress == pytest.approx(0.4)
    assert e.observed_yearly_change == pytest.approx(1.5)  # from the 2020 plan baseline
    assert e.required_yearly_change == pytest.approx(1.0)
    assert e.projected_value == pytest.approx(81.5)
    assert e.projection_method == "linear"
    assert e.year_reached == 2024
    assert any("+1 points a year to 2025" in w.en and "+1.5" in w.en for w in e.warnings)
    assert any("个百分点" in w.zh for w in e.warnings)


def test_at_risk_and_off_track_follow_the_threshold() -> None:
    series = [
        Observation(77.0, 2023, "A")
    ]  # 3 points in 3 years: 1/yr; 2025 -> 79 = 5/6 of the way
    e = evaluate_target(_target(), series, as_of=2024)
    assert e.projected_value == pytest.approx(79.0)
    assert e.status is Status.AT_RISK
    strict = Thresholds.default()
    from dataclasses import replace

    e2 = evaluate_target(
        _target(),
        series,
        as_of=2024,
        thresholds=replace(strict, at_risk_min_projected_progress=0.9),
    )
    assert e2.status is Status.OFF_TRACK
    assert "79 %" in e.reason.en and "79%" in e.reason.zh


def test_achieved_missed_away_and_no_data() -> None:
    assert (
        evaluate_target(_target(), [Observation(80.2, 2024, "A")], as_of=2024).status
        is Status.ACHIEVED
    )
    missed = evaluate_target(_target(), [Observation(78.0, 2025, "A")], as_of=2026)
    assert missed.status is Status.OFF_TRACK and missed.reason.code == "missed"
    away = evaluate_target(_target(), [Observation(73.0, 2022, "A")], as_of=2023)
    assert away.status is Status.OFF_TRACK and away.reason.code == "moving_away"
    assert away.progress is not None and away.progress < 0
    none = evaluate_target(_target(), [], as_of=2023)
    assert none.status is Status.NO_DATA and none.latest_value is None


def test_values_after_as_of_are_ignored() -> None:
    series = [Observation(75.0, 2021, "A"), Observation(81.0, 2024, "B")]
    assert evaluate_target(_target(), series, as_of=2023).latest_year == 2021
    assert evaluate_target(_target(), series, as_of=2024).status is Status.ACHIEVED


def test_no_baseline_uses_first_value_and_single_value_is_no_data() -> None:
    t = _target(
        baseline_value=None, baseline_year=None, indicator="good_air_days_pct", target_value=89.4
    )
    one = evaluate_target(t, [Observation(88.0, 2021, "A")], as_of=2022)
    assert one.status is Status.NO_DATA and one.reason.code == "single_value"
    assert one.progress is None
    two = evaluate_target(
        t, [Observation(87.0, 2021, "A"), Observation(88.0, 2022, "B")], as_of=2023
    )
    assert two.baseline_origin == "first_value" and two.baseline_year == 2021
    assert two.progress == pytest.approx(1.0 / 2.4)
    assert any(w.code == "no_plan_baseline" for w in two.warnings)
    met = evaluate_target(t, [Observation(90.0, 2022, "A")], as_of=2023)
    assert met.status is Status.ACHIEVED and met.progress == 1.0


def test_compound_projection_for_people() -> None:
    t = _target(
        indicator="resident_population",
        unit="10k_persons",
        baseline_value=2000.0,
        target_value=2300.0,
    )
    e = evaluate_target(t, [Observation(2100.0, 2022, "A")], as_of=2023)
    assert e.projection_method == "compound"
    r = (2100.0 / 2000.0) ** 0.5 - 1
    assert e.projected_value == pytest.approx(2100.0 * (1 + r) ** 3)
    assert e.projection_band is not None
    lo, hi = e.projection_band
    assert lo == pytest.approx(2250.0) and hi == pytest.approx(2100.0 * (1 + r) ** 3)


def test_conflicting_values_warn_and_last_wins() -> None:
    series = [Observation(25002.79, 2020, "prelim"), Observation(25041.43, 2020, "revised")]
    t = _target(
        indicator="gdp", unit="100m_yuan", baseline_value=None, baseline_year=None, target_value=1e5
    )
    e = evaluate_target(t, series, as_of=2021)
    # 0.15 % apart: within the default 0.5 % rounding tolerance, no warning
    assert not any(w.code == "conflicting_values" for w in e.warnings)
    assert e.latest_source == "revised"
    far = [Observation(100.0, 2020, "a"), Observation(110.0, 2020, "b")]
    e2 = evaluate_target(t, far, as_of=2021)
    assert [w.code for w in e2.warnings].count("conflicting_values") == 1


def test_no_target_year() -> None:
    t = _target(
        target_year=None, baseline_value=None, baseline_year=None, unit="km", target_value=109.0
    )
    e = evaluate_target(t, [Observation(50.0, 2021, "A"), Observation(60.0, 2023, "B")], as_of=2024)
    assert e.status is Status.ON_TRACK
    assert e.projected_value is None and e.year_reached is not None
    assert any(w.code == "no_target_year" and str(e.year_reached) in w.en for w in e.warnings)


def test_to_dict_is_json_ready() -> None:
    import json

    e = evaluate_target(_target(), [Observation(77.0, 2022, "B")], as_of=2023)
    d = e.to_dict()
    for key in (
        "id",
        "status",
        "progress",
        "latest_value",
        "latest_year",
        "projected_value",
        "warnings",
    ):
        assert key in d
    assert all(isinstance(w, str) for w in d["warnings"])
    json.dumps(d)
    assert not math.isnan(d["progress"])


def test_thresholds_override_and_validation(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from metrocircle._errors import DataValidationError

    p = tmp_path / "t.toml"
    p.write_text("at_risk_min_projected_progress = 0.5\n", encoding="utf-8")
    th = Thresholds.from_toml(p)
    assert th.at_risk_min_projected_progress == 0.5
    assert th.equal_tolerance_rel == Thresholds.default().equal_tolerance_rel
    p.write_text("at_risk_min_projected_progress = 2\nbogus = 1\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as exc:
        Thresholds.from_toml(p)
    fields = {pr.field for pr in exc.value.problems}
    assert fields == {"at_risk_min_projected_progress", "bogus"}
