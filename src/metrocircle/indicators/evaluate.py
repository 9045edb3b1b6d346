"""Pure target evaluation: progress, observed pace, projection, year reached, status and plain-words warnings.

No I/O here: every function maps numbers (or a target and a series of observations) to
numbers or an :class:`~metrocircle.indicators.model.Evaluation`.

Method (also printed in the report's methodology section)
---------------------------------------------------------
* **Progress** runs from 0 at the baseline to exactly 1 at the target:
  ``(v - b) / (t - b)`` for "≥" and ``(b - v) / (b - t)`` for "≤" (above 1 when the target
  is passed, negative when moving away), ``1 - |v - t| / |b - t|`` for "=" (overshooting
  lowers it again). When the baseline already meets the target (a "hold" target such as
  "not below 89.4 %"), progress is 1 while the value meets it and 0 when it does not.
  Without a baseline, progress is 1 when the value meets the target and undefined
  (``None``) otherwise; the evaluation then measures from the earliest value instead and
  says so.
* **Observed pace** is the average change per year from the start of the series (the
  earliest value, or the plan's baseline when it is older) to the latest value. Values of
  the same year are not averaged: the last one given wins and a conflict is reported.
* **Projection** to the target year continues that pace from the latest value. Units
  listed in :attr:`Thresholds.compound_units` (people, money, tonnes, km, counts) are
  projected with the compound yearly growth rate, because they grow in proportion to
  their size; every other unit (shares in %, minutes, days, grades) is bounded or additive
  and is projected linearly. The *projection band* spans the linear and the compound
  projections, the spread between the two usual readings of the same pace.
* **Year reached** is the first whole year whose projected value meets the target.
* **Status**: achieved if the latest value meets the target; off track if a value at or
  after the target year misses it, or the pace moves away from the target; on track if
  the target is reached by the target year at the observed pace; at risk if not, but the
  projected progress at the target year is at least
  :attr:`Thresholds.at_risk_min_projected_progress`; off track otherwise; no data without
  a value, or with a single value that does not meet the target (no pace to judge).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from metrocircle.indicators.model import Evaluation, Message, Observation, Status, Thresholds
from metrocircle.indicators.pace import (
    expected_progress,
    growth_rate,
    meets,
    progress,
    project,
    projection_method_for,
    required_yearly_change,
    year_reached,
    yearly_change,
)
from metrocircle.schema import MEASURE_UNITS, Direction, TargetRow

__all__ = [
    "evaluate_target",
    "expected_progress",
    "growth_rate",
    "meets",
    "progress",
    "project",
    "projection_method_for",
    "required_yearly_change",
    "year_reached",
    "yearly_change",
]


# ---------------------------------------------------------------------------- formatting


def _num(x: float) -> str:
    if x == 0:
        return "0"
    ax = abs(x)
    digits = 2 if ax >= 1 else 3 if ax >= 0.1 else 4
    s = f"{x:,.{digits}f}".rstrip("0").rstrip(".")
    return s if s not in {"-0", ""} else "0"


def _signed(x: float) -> str:
    s = _num(x)
    return s if s.startswith("-") else f"+{s}"


def _unit_words(unit: str) -> tuple[str, str]:
    """(zh, en) words after a change in ``unit``: percentage points for shares."""
    if unit == "pct":
        return "个百分点", "points"
    zh, en, _lo, _hi = MEASURE_UNITS.get(unit, (unit, unit, None, None))
    return zh, en


def _value_words(x: float, unit: str) -> tuple[str, str]:
    if unit == "pct":
        return f"{_num(x)}%", f"{_num(x)} %"
    zh, en = _unit_words(unit)
    return f"{_num(x)}{zh}", f"{_num(x)} {en}"


# ---------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class _Point:
    year: int
    value: float


def _by_year(
    series: Iterable[Observation], *, as_of: int | None, tol: float
) -> tuple[dict[int, Observation], list[Message]]:
    chosen: dict[int, Observation] = {}
    all_by_year: dict[int, list[Observation]] = {}
    for o in series:
        if as_of is not None and o.period > as_of:
            continue
        if not math.isfinite(o.value):
            continue
        all_by_year.setdefault(o.period, []).append(o)
        chosen[o.period] = o  # the last one given wins
    warnings: list[Message] = []
    for year in sorted(all_by_year):
        obs = all_by_year[year]
        used = chosen[year]
        differing = [o for o in obs if not _close(o.value, used.value, tol)]
        if differing:
            others_zh = "；".join(f"{_num(o.value)}（{o.source}）" for o in differing)
            others_en = "; ".join(f"{_num(o.value)} ({o.source})" for o in differing)
            warnings.append(
                Message(
                    "conflicting_values",
                    f"{year} 年有不一致的数值：采用 {_num(used.value)}（{used.source}），另有 {others_zh}。",
                    f"{year} has conflicting values: {_num(used.value)} ({used.source}) is used; "
                    f"also given: {others_en}.",
                )
            )
    return dict(sorted(chosen.items())), warnings


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-12)


def _toward(pace: float, latest: float, target: float, d: Direction) -> bool:
    if d is Direction.GE:
        return pace > 0
    if d is Direction.LE:
        return pace < 0
    return pace != 0 and (target - latest) * pace > 0


def evaluate_target(
    target: TargetRow,
    series: Sequence[Observation],
    *,
    as_of: int,
    thresholds: Thresholds | None = None,
    needs: Message | None = None,
    notes: Sequence[Message] = (),
    provenance: dict[str, str] | None = None,
) -> Evaluation:
    """Evaluate one target against a series of values (pure).

    Parameters
    ----------
    target
        The target (baseline, target value and year, direction, unit).
    series
        Values in the target's unit, any order; values after ``as_of`` are ignored. For a
        year given more than once the last one in ``series`` is used.
    as_of
        Year of the evaluation (calendar year); decides whether the target year has passed.
    thresholds
        Status thresholds; :meth:`Thresholds.default` when omitted.
    needs
        What data the target needs, said when there is no value.
    notes
        Warnings gathered by the caller (proxy scopes, ignored units, failed computations).
    provenance
        Extra provenance of the evaluation (data version); method and thresholds are added.
    """
    th = thresholds or Thresholds.default()
    d = target.direction
    tol = th.equal_tolerance_rel if d is Direction.EQ else 0.0
    by_year, warnings = _by_year(series, as_of=as_of, tol=th.conflict_rel_tolerance)
    warnings = [*notes, *warnings]
    prov = {
        "method": "metrocircle.indicators.evaluate",
        "as_of": str(as_of),
        "at_risk_min_projected_progress": str(th.at_risk_min_projected_progress),
        **(provenance or {}),
    }

    def make(**kw: Any) -> Evaluation:
        return Evaluation(
            id=target.id,
            indicator=target.indicator,
            scope=target.scope,
            unit=target.unit,
            direction=str(d.value),
            target_value=target.target_value,
            target_year=target.target_year,
            provenance=prov,
            **kw,
        )

    if not by_year:
        reason = needs or Message(
            "no_data",
            f"暂无数据：需要 {target.name_zh} 的监测值（单位 {_unit_words(target.unit)[0]}）。",
            f"No data: needs values of {target.name_en} ({_unit_words(target.unit)[1]}).",
        )
        return make(
            status=Status.NO_DATA,
            reason=reason,
            baseline_value=target.baseline_value,
            baseline_year=target.baseline_year,
            baseline_origin="plan" if target.baseline_value is not None else None,
            warnings=tuple(warnings),
        )

    years = sorted(by_year)
    latest = by_year[years[-1]]
    first = by_year[years[0]]
    t = target.target_value
    tv_zh, tv_en = _value_words(t, target.unit)

    # --- baseline progress is measured from
    if target.baseline_value is not None and target.baseline_year is not None:
        base = _Point(target.baseline_year, target.baseline_value)
        origin = "plan"
        same = by_year.get(target.baseline_year)
        if same is not None and not _close(same.value, base.value, th.conflict_rel_tolerance):
            warnings.append(
                Message(
                    "baseline_differs",
                    f"规划基期值为 {_num(base.value)}（{base.year} 年），监测数据 {base.year} 年为 "
                    f"{_num(same.value)}（{same.source}）；进度按规划基期值计算。",
                    f"The plan's {base.year} baseline is {_num(base.value)}; the {base.year} value in the "
                    f"data is {_num(same.value)} ({same.source}); progress is measured from the plan's baseline.",
                )
            )
    elif len(years) > 1 or not meets(first.value, t, d, tolerance_rel=tol):
        base = _Point(first.period, first.value)
        origin = "first_value"
        if len(years) > 1:
            warnings.append(
                Message(
                    "no_plan_baseline",
                    f"规划未给出基期值：进度从首个监测值（{first.period} 年 {_num(first.value)}）起算。",
                    f"The plan gives no baseline: progress is measured from the first value "
                    f"({_num(first.value)} in {first.period}).",
                )
            )
    else:
        base = None
        origin = None

    base_for_progress = (
        base.value if base is not None and (origin == "plan" or len(years) > 1) else None
    )
    prog = progress(
        latest.value, baseline=base_for_progress, target=t, direction=d, tolerance_rel=tol
    )
    exp = expected_progress(
        latest.period, baseline_year=base.year if base else None, target_year=target.target_year
    )
    met = meets(latest.value, t, d, tolerance_rel=tol)

    # --- pace: from the earliest point (an observation in the baseline year beats the plan's figure)
    start: _Point | None = _Point(first.period, first.value)
    if base is not None and origin == "plan" and base.year < first.period:
        start = base
    if start is not None and start.year >= latest.period:
        start = None
    pace = rate = None
    if start is not None:
        pace = yearly_change((start.year, start.value), (latest.period, latest.value))
        rate = growth_rate((start.year, start.value), (latest.period, latest.value))
    method = projection_method_for(target.unit, th)
    if method == "compound" and rate is None:
        method = "linear"

    ty = target.target_year
    required = (
        None
        if met
        else required_yearly_change(latest.value, latest.period, target=t, target_year=ty)
    )
    projected = band = None
    reached = None
    if pace is not None:
        if ty is not None and ty > latest.period:
            projected = project(
                latest.value, latest.period, ty, method=method, pace=pace, rate=rate
            )
            lin = project(latest.value, latest.period, ty, method="linear", pace=pace)
            comp = (
                project(latest.value, latest.period, ty, method="compound", pace=pace, rate=rate)
                if rate is not None
                else lin
            )
            band = (min(lin, comp), max(lin, comp))
        reached = year_reached(
            latest.value,
            latest.period,
            target=t,
            direction=d,
            method=method,
            pace=pace,
            rate=rate,
            tolerance_rel=tol,
            max_years=th.max_years_ahead,
        )
    elif met:
        reached = latest.period

    lv_zh, lv_en = _value_words(latest.value, target.unit)
    uzh, uen = _unit_words(target.unit)
    if required is not None and pace is not None:
        span = f"{start.year}–{latest.period}" if start else ""
        warnings.append(
            Message(
                "pace",
                f"到 {ty} 年需每年 {_signed(required)} {uzh}；{span} 年实际年均 {_signed(pace)} {uzh}。",
                f"Needs {_signed(required)} {uen} a year to {ty}; the observed pace is {_signed(pace)} {uen} a year ({span}).",
            )
        )
    elif required is not None:
        warnings.append(
            Message(
                "required",
                f"到 {ty} 年需每年 {_signed(required)} {uzh}。",
                f"Needs {_signed(required)} {uen} a year to {ty}.",
            )
        )
    if ty is not None and as_of > ty and latest.period < ty and not met and pace is not None:
        warnings.append(
            Message(
                "target_year_passed",
                f"目标年 {ty} 年已过，但尚无 {ty} 年的数值；状态依据 {latest.period} 年数值推算。",
                f"The target year {ty} has passed but no value for {ty} is available yet; the status is "
                f"projected from the {latest.period} value.",
            )
        )
    if ty is None and not met:
        if reached is not None:
            warnings.append(
                Message(
                    "no_target_year",
                    f"规划未给出目标年；按实际速度约 {reached} 年达到目标。",
                    f"The plan sets no target year; at the observed pace the target is reached in {reached}.",
                )
            )
        else:
            warnings.append(
                Message(
                    "no_target_year",
                    "规划未给出目标年，无法按期限判断进度。",
                    "The plan sets no target year, so progress cannot be judged against a deadline.",
                )
            )

    # --- status
    if met:
        status = Status.ACHIEVED
        reason = Message(
            "met",
            f"最新值 {lv_zh}（{latest.period} 年）已达到目标 {d.value} {tv_zh}。",
            f"The latest value, {lv_en} ({latest.period}), meets the target {d.value} {tv_en}.",
        )
    elif ty is not None and latest.period >= ty:
        status = Status.OFF_TRACK
        reason = Message(
            "missed",
            f"{latest.period} 年数值 {lv_zh} 未达到 {ty} 年目标 {d.value} {tv_zh}。",
            f"The {latest.period} value, {lv_en}, misses the {ty} target {d.value} {tv_en}.",
        )
    elif pace is None:
        status = Status.NO_DATA
        if needs is not None:
            warnings.append(needs)
        reason = Message(
            "single_value",
            f"仅有 {latest.period} 年一个数值（{lv_zh}），尚未达到目标 {d.value} {tv_zh}；"
            f"需要 {latest.period} 年以后的数值才能判断进度。",
            f"Only one value ({lv_en} in {latest.period}), short of the target {d.value} {tv_en}; "
            f"needs a value for a year after {latest.period} to judge the pace.",
        )
    elif not _toward(pace, latest.value, t, d):
        status = Status.OFF_TRACK
        reason = Message(
            "moving_away",
            f"数值未向目标方向变化（年均 {_signed(pace)} {uzh}），最新值 {lv_zh}（{latest.period} 年），目标 {d.value} {tv_zh}。",
            f"The value is not moving towards the target ({_signed(pace)} {uen} a year); latest {lv_en} "
            f"({latest.period}), target {d.value} {tv_en}.",
        )
    elif ty is None:
        status = Status.ON_TRACK
        reason = Message(
            "moving_toward",
            f"数值正向目标变化（年均 {_signed(pace)} {uzh}），规划未设目标年。",
            f"The value is moving towards the target ({_signed(pace)} {uen} a year); the plan sets no target year.",
        )
    elif reached is not None and reached <= ty:
        status = Status.ON_TRACK
        reason = Message(
            "on_pace",
            f"按实际速度 {reached} 年可达到目标（目标年 {ty} 年）。",
            f"At the observed pace the target is reached in {reached} (target year {ty}).",
        )
    else:
        # here ty > latest.period and pace is set, so projected is a number
        proj = projected if projected is not None else latest.value
        p_proj = progress(
            proj, baseline=base_for_progress, target=t, direction=d, tolerance_rel=tol
        )
        pj_zh, pj_en = _value_words(proj, target.unit)
        when_zh = (
            f"约 {reached} 年才能达到"
            if reached is not None
            else f"{th.max_years_ahead} 年内无法达到"
        )
        when_en = (
            f"not before {reached}"
            if reached is not None
            else f"not within {th.max_years_ahead} years"
        )
        if p_proj is not None and p_proj >= th.at_risk_min_projected_progress:
            status = Status.AT_RISK
        else:
            status = Status.OFF_TRACK
        reason = Message(
            "behind_pace",
            f"按实际速度 {ty} 年预计为 {pj_zh}，未达到目标 {d.value} {tv_zh}（{when_zh}）。",
            f"At the observed pace the {ty} value is projected at {pj_en}, short of the target "
            f"{d.value} {tv_en} ({when_en}).",
        )

    return make(
        status=status,
        reason=reason,
        progress=prog,
        expected_progress=exp,
        latest_value=latest.value,
        latest_year=latest.period,
        latest_source=latest.source,
        latest=latest,
        baseline_value=base.value if base else None,
        baseline_year=base.year if base else None,
        baseline_origin=origin,
        required_yearly_change=required,
        observed_yearly_change=pace,
        observed_growth_rate=rate,
        projected_value=projected,
        projection_method=method if pace is not None else None,
        projection_band=band,
        year_reached=reached,
        warnings=tuple(warnings),
        series=tuple(by_year[y] for y in years),
    )
