"""The report's fixed texts: the ``report.`` part of :mod:`metrocircle.messages` and the method paragraphs."""

from __future__ import annotations

from metrocircle.messages import CATALOGUE, LANGS

__all__ = ["LANGS", "METHOD_PARAGRAPHS", "STRINGS", "text"]

STRINGS: dict[str, dict[str, str]] = {
    lang: {k[len("report.") :]: pair[i] for k, pair in CATALOGUE.items() if k.startswith("report.")}
    for i, lang in enumerate(LANGS)
}
"""Fixed texts: language → key → text (``str.format`` placeholders in braces)."""

METHOD_PARAGRAPHS: dict[str, tuple[str, ...]] = {
    "zh": (
        "数据来源分三层：数据集随附的已发布统计和监测数值（逐项注明出处）、各部门通过系统报送或导入的数值，"
        "以及由基础数据推算的模型值（如由第七次全国人口普查区县数据汇总的都市圈城镇化率、由交通网络模型推算的通行时间）。"
        "同一年份有多个数值时采用较新报送的数值，相差超过 {conflict} 时在说明中列出。目标范围本身无数据时，"
        "可采用事先声明的代用范围数据（如以重庆市全市数据代替都市圈），并在说明中写明其局限。模型推算值在报告中单独标明，不作为统计数据使用。",
        "进度：基期为 0，目标为 1。“不低于”类目标为（当前值 − 基期值）÷（目标值 − 基期值）；“不高于”类目标为（基期值 − 当前值）÷（基期值 − 目标值）；"
        "“达到”类目标为 1 − |当前值 − 目标值| ÷ |基期值 − 目标值|，在目标值 ±{eq} 以内视为达到。基期已满足目标时，满足为 100%，不满足为 0。"
        "规划未给出基期时，以首个监测值为基期并加以说明；只有一个数值时不计算进度，显示为“暂无数据”。",
        "实际年均变化：从序列起点（首个监测值；规划基期更早时取规划基期）到最新值的年均变化。所需年均变化：从最新值到目标年达到目标值每年平均所需的变化。",
        "预测：人口、经济总量、长度、数量、容量等随规模增长的量按复合增长率外推；比率、时间、天数、等级等有界或可加的量按线性外推。"
        "预测区间为同一实际速度下线性与复合外推的差异。按实际速度达标年份为预测值首次达到目标的整年。",
        "状态：最新值已满足目标为“已实现”；目标年及以后的数值未达标，或数值背离目标方向为“进度滞后”；按实际速度在目标年前达标为“进度正常”；"
        "否则目标年预测进度不低于 {risk} 为“存在风险”，低于则为“进度滞后”；无数值，或仅有一个未达标的数值，为“暂无数据”，并说明所需数据。"
        "规划未设目标年的目标，只要数值朝目标方向变化即为“进度正常”。判定阈值统一设定，可由评估单位调整并在报告中注明。",
    ),
    "en": (
        "Values come in three layers: the published statistics and measurements shipped with the dataset (each with its source), "
        "values that departments submit or import through the system, and values modelled from basic data (for example the "
        "metropolitan urbanisation rate summed from the 2020 census county tables, or travel times from the transport network "
        "model). For a year given more than once the most recently reported value is used; values that differ by more than "
        "{conflict} are listed in the notes. When a target's own scope has no value, a stand-in scope declared beforehand may be "
        "used (for example Chongqing Municipality as a whole for the metropolitan area), and the notes say what it does not cover. "
        "Modelled values are marked as such and never presented as statistics.",
        "Progress runs from 0 at the baseline to 1 at the target: (value − baseline) ÷ (target − baseline) for 'at least' "
        "targets, (baseline − value) ÷ (baseline − target) for 'at most' targets and 1 − |value − target| ÷ |baseline − target| "
        "for 'equal to' targets, which count as met within ±{eq} of the target. When the baseline already meets the target, "
        "progress is 100% while it holds and 0 when it does not. When the plan gives no baseline the first value serves as one, "
        "and the notes say so; a single value gives no progress and shows as 'no data'.",
        "Observed yearly change: the average change per year from the start of the series (the first value, or the plan's baseline "
        "when it is older) to the latest value. Required yearly change: the average change per year still needed from the latest "
        "value to reach the target in the target year.",
        "Projection: quantities that grow in proportion to their size — people, money, lengths, counts, capacities — are projected "
        "with the compound yearly growth rate; shares, times, days and grades are bounded or additive and are projected linearly. "
        "The band spans the linear and the compound reading of the same observed pace. The year reached is the first whole year "
        "whose projected value meets the target.",
        "Status: 'achieved' when the latest value meets the target; 'off track' when a value at or after the target year misses it "
        "or the value moves away from the target; 'on track' when the target is reached by the target year at the observed pace; "
        "otherwise 'at risk' when the projected progress at the target year is at least {risk}, and 'off track' below that; "
        "'no data' without a value, or with a single value that misses the target, and the reason says which data are needed. "
        "A target without a target year is 'on track' while the value moves towards it. The thresholds are set in one place; "
        "the evaluation team may change them and the report then says so.",
    ),
}
"""Methodology paragraphs; placeholders: conflict, eq, risk (already formatted percentages)."""


def text(lang: str, key: str, **kw: object) -> str:
    """The report text ``key`` in ``lang``, formatted with ``kw``."""
    s = STRINGS[lang][key]
    return s.format(**kw) if kw else s
