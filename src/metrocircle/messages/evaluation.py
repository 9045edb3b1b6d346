"""Why a target has its status: reasons and notes (keys ``reason.*`` and ``note.*``)."""

from __future__ import annotations

REASON: dict[str, tuple[str, str]] = {
    "met": (
        "最新值 {latest}（{year} 年）已达到目标（{goal}）。",
        "The latest value, {latest} ({year}), meets the target ({goal}).",
    ),
    "missed": (
        "{year} 年数值 {latest} 未达到目标（{goal}）。",
        "The {year} value, {latest}, misses the target ({goal}).",
    ),
    "single_value": (
        "仅有 {year} 年一个数值（{latest}），尚未达到目标（{goal}）；需要 {year} 年以后的数值才能判断进度。",
        "Only one value ({latest} in {year}), short of the target ({goal}); values after {year} are needed to judge progress.",
    ),
    "moving_away": (
        "数值未向目标方向变化（变化 {pace}）；最新值 {latest}（{year} 年），目标{goal}。",
        "The value is not moving towards the target ({pace}); latest {latest} ({year}), target {goal}.",
    ),
    "moving_toward": (
        "数值正向目标变化（变化 {pace}），规划未设目标年。",
        "The value is moving towards the target ({pace}); the plan sets no target year.",
    ),
    "on_pace": (
        "按现有变化速度，{reached} 年可达到目标（{goal}）。",
        "At the present pace the target ({goal}) is reached in {reached}.",
    ),
    "behind_pace": (
        "按现有变化速度，{target_year} 年预计为 {projected}，未达到目标（{goal}）。",
        "At the present pace the {target_year} value is projected at {projected}, short of the target ({goal}).",
    ),
    "no_data": (
        "暂无数据：需要{scope}{name}的{years}（{unit}）。",
        "No data: needs {name} for {scope}: {years} ({unit}).",
    ),
    "no_data_computed": (
        "暂无数据：需要{scope}{name}的{years}（{unit}），或补齐模型推算所需的基础数据。",
        "No data: needs {name} for {scope}: {years} ({unit}), or the inputs the model needs to compute it.",
    ),
}

NOTE: dict[str, tuple[str, str]] = {
    "computation_needs_data": (
        "计算模型“{name}”无法得出 {year} 年数值：所需的输入数据尚不完整。",
        "The computation “{name}” gives no {year} value: its input data are not complete.",
    ),
    "computation_needs_data_detail": (
        "计算模型“{name}”无法得出 {year} 年数值：需要 {needs}。",
        "The computation “{name}” gives no {year} value: it needs {needs}.",
    ),
    "computation_unit_mismatch": (
        "计算模型“{name}”的计量单位为{unit}，与目标的计量单位{target_unit}不符，未采用。",
        "The computation “{name}” is in {unit}, not the target's {target_unit}; not used.",
    ),
    "computation_failed": (
        "计算模型“{name}”暂时无法运行：所需的输入数据尚不完整，待有关部门补齐后方可计算。",
        "The computation “{name}” could not run: its input data are not complete yet.",
    ),
    "computation_failed_detail": (
        "计算模型“{name}”暂时无法运行：所需的输入数据尚不完整（{detail}；需要：{needs}）。",
        "The computation “{name}” could not run: {detail}; it needs {needs}.",
    ),
    "pace": (
        "到 {target_year} 年所需年均变化 {required}，近期年均变化 {observed}。",
        "Needs {required} to {target_year}; recent change {observed}.",
    ),
    "required": (
        "到 {target_year} 年所需年均变化 {required}。",
        "Needs {required} to {target_year}.",
    ),
    "no_plan_baseline": (
        "规划未给出基期值，进度从首个数值（{year} 年 {value}）起算。",
        "The plan gives no baseline: progress is measured from the first value ({value} in {year}).",
    ),
    "baseline_differs": (
        "规划基期值与同年监测值不一致，进度按规划基期值计算。",
        "The plan's baseline differs from the value reported for the same year; progress is measured from the plan's.",
    ),
    "no_target_year": (
        "规划未给出目标年，无法按期限判断进度。",
        "The plan sets no target year, so progress cannot be judged against a deadline.",
    ),
    "target_year_passed": (
        "目标年已过，但尚无目标年的数值，状态依据此前的数值推算。",
        "The target year has passed but there is no value for it yet; the status is projected from earlier values.",
    ),
    "conflicting_values": (
        "同一年份有来源不同且不一致的数值，报告采用较新报送的数值。",
        "Sources disagree on a year's value; the report uses the most recently reported one.",
    ),
    "stand_in": (
        "本范围暂无数据，以{scope}的数据代替，仅供参考。",
        "No values for this scope: figures for {scope} stand in and are indicative only.",
    ),
    "derived_value": (
        "{year} 年数值由公开数据推算（非直接发布）：{note}",
        "The {year} value is derived from published figures, not published as such.",
    ),
    "inferred_attribution": (
        "{year} 年数值归属本范围系推定，来源未明确说明。",
        "The {year} value's attribution to this scope is inferred, not stated by the source.",
    ),
    "unit_mismatch": (
        "部分数值计量单位与目标不一致，未采用。",
        "Some values are in another unit of measure than the target and were not used.",
    ),
    "computation": (
        "模型推算所需的基础数据不全，部分年份无法推算。",
        "The model lacks some of the data it needs, so some years have no modelled value.",
    ),
    "modelled": (
        "数值为模型推算值，不是统计或监测数据。",
        "The value is modelled, not a published statistic or measurement.",
    ),
}
