"""Every fixed text of the evaluation report, in Chinese and English (the same keys in both)."""

from __future__ import annotations

__all__ = ["LANGS", "METHOD_PARAGRAPHS", "STRINGS", "text"]

LANGS: tuple[str, ...] = ("zh", "en")

STRINGS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "{plan}实施评估报告",
        "subtitle": "规划目标监测与实施评估（第三方评估用）",
        "as_of": "评估年份",
        "generated": "生成日期",
        "data_version": "数据版本",
        "audit_head": "审计日志链头（留痕校验用）",
        "plan_ref": "规划文号",
        "contents": "目录",
        "summary": "一、目标总览",
        "summary_intro": "本报告逐项评估规划的 {n} 个量化目标：{counts}。状态判定规则见“方法说明”。",
        "col_target": "目标",
        "col_chapter": "章节",
        "col_scope": "范围",
        "col_goal": "目标值",
        "col_latest": "最新值",
        "col_progress": "进度",
        "col_status": "状态",
        "col_reason": "判定理由",
        "targets": "二、分项评估",
        "baseline": "基期",
        "latest": "最新值",
        "goal": "目标",
        "required_pace": "所需年均变化",
        "observed_pace": "实际年均变化",
        "projection": "目标年预测值",
        "year_reached": "按实际速度达标年份",
        "not_reached": "不可达",
        "none": "—",
        "notes": "提示",
        "source_of_latest": "最新值来源",
        "kind_observation": "监测数据",
        "kind_computation": "模型计算",
        "submitted_by": "提交者",
        "plan_quote": "规划原文",
        "method_linear": "线性外推",
        "method_compound": "复合增长率外推",
        "baseline_plan": "规划基期",
        "baseline_first": "首个监测值",
        "no_target_year": "未定",
        "maps": "三、空间分布",
        "maps_intro": "下列分区图按区县展示可获得的分区县指标；每个指标取覆盖区县最多的年份，灰色表示该年无数据。",
        "map_no_data": "无数据",
        "extra": "四、专题分析",
        "methodology": "五、方法说明",
        "sources": "六、数据来源",
        "sources_intro": "报告所用每个数值的来源如下（网址仅作文字列出，报告不加载任何外部资源）。",
        "col_source": "来源",
        "col_url": "网址",
        "col_values": "所用数值",
        "chart_observed": "监测值",
        "chart_computed": "模型计算值",
        "chart_baseline": "基期值",
        "chart_target": "目标值",
        "chart_projection": "按实际速度预测",
        "chart_band": "线性/复合增长预测区间",
        "chart_target_year": "目标年",
        "chart_no_data": "暂无数据",
        "year": "年份",
        "map_title": "{name}（{year} 年，{unit}）",
        "unit_pct": "%",
        "footer": "本报告由 metrocircle 生成，可离线打开；所有数值均附来源。",
    },
    "en": {
        "title": "Implementation evaluation of the {plan}",
        "subtitle": "Target monitoring and implementation evaluation (for third-party evaluation)",
        "as_of": "Evaluated as of",
        "generated": "Generated on",
        "data_version": "Data version",
        "audit_head": "Audit log head (to verify the trail)",
        "plan_ref": "Plan reference",
        "contents": "Contents",
        "summary": "1. Overview of the targets",
        "summary_intro": "This report evaluates each of the plan's {n} quantified targets: {counts}. The status rules are in the Methodology section.",
        "col_target": "Target",
        "col_chapter": "Ch.",
        "col_scope": "Scope",
        "col_goal": "Target value",
        "col_latest": "Latest value",
        "col_progress": "Progress",
        "col_status": "Status",
        "col_reason": "Reason",
        "targets": "2. Target by target",
        "baseline": "Baseline",
        "latest": "Latest value",
        "goal": "Target",
        "required_pace": "Yearly change required",
        "observed_pace": "Yearly change observed",
        "projection": "Projected at the target year",
        "year_reached": "Year reached at the observed pace",
        "not_reached": "not reached",
        "none": "—",
        "notes": "Notes",
        "source_of_latest": "Source of the latest value",
        "kind_observation": "observation",
        "kind_computation": "computation",
        "submitted_by": "submitted by",
        "plan_quote": "Plan text",
        "method_linear": "linear",
        "method_compound": "compound growth",
        "baseline_plan": "plan baseline",
        "baseline_first": "first value",
        "no_target_year": "none set",
        "maps": "3. Maps of the area",
        "maps_intro": "The maps show every indicator available per district or county; each uses the year with the most units covered; grey means no value for that year.",
        "map_no_data": "no data",
        "extra": "4. Thematic analyses",
        "methodology": "5. Methodology",
        "sources": "6. Sources",
        "sources_intro": "The source of every value used in this report (addresses are listed as text; the report loads no external resource).",
        "col_source": "Source",
        "col_url": "Address",
        "col_values": "Values used",
        "chart_observed": "observed",
        "chart_computed": "computed",
        "chart_baseline": "baseline",
        "chart_target": "target",
        "chart_projection": "projection at the observed pace",
        "chart_band": "linear–compound projection band",
        "chart_target_year": "target year",
        "chart_no_data": "no data",
        "year": "year",
        "map_title": "{name} ({year}, {unit})",
        "unit_pct": "%",
        "footer": "Generated by metrocircle; opens offline; every value carries its source.",
    },
}
"""Fixed texts: language → key → text (``str.format`` placeholders in braces)."""

METHOD_PARAGRAPHS: dict[str, tuple[str, ...]] = {
    "zh": (
        "数据来源分三层：数据集随附的已发布监测值（observations.csv，逐行注明出处）、数据库中导入或报送的监测值，"
        "以及目标“computed_by”所指定的计算模型（如由第七次人口普查区县数据汇总的都市圈城镇化率）。同一年份有多个数值时采用后一层的数值，"
        "相差超过 {conflict:.1%} 时在提示中列出。目标本范围无数据时，可采用 stand_ins.csv 声明的代用范围数据，并在提示中说明其局限。",
        "进度：基期为 0，目标为 1。“≥”目标为 (当前值 − 基期值)/(目标值 − 基期值)；“≤”目标为 (基期值 − 当前值)/(基期值 − 目标值)；"
        "“=”目标为 1 − |当前值 − 目标值|/|基期值 − 目标值|（“=”目标在目标值 ±{eq:.0%} 以内视为达到）。基期已满足目标（如“不低于”类目标）时，"
        "满足为 1，不满足为 0。规划未给出基期时，以首个监测值为基期并加以说明；只有一个数值时无法计算进度。",
        "实际年均变化：从序列起点（首个监测值；规划基期更早时取规划基期）到最新值的年均变化。所需年均变化：从最新值到目标年达到目标值每年平均所需的变化。",
        "预测：人口、经济总量、长度、数量、容量等随规模增长的量（单位 {compound}）按复合增长率外推；比率、时间、天数、等级等有界或可加的量按线性外推。"
        "预测区间为同一实际速度下线性与复合外推的差异。按实际速度达标年份为预测值首次达到目标的整年。",
        "状态：最新值已满足目标为“已实现”；目标年及以后的数值未达标，或数值背离目标方向为“进度滞后”；按实际速度在目标年前达标为“进度正常”；"
        "否则目标年预测进度不低于 {risk:.0%} 为“存在风险”，低于则为“进度滞后”；无数值，或仅有一个未达标的数值，为“暂无数据”，并说明所需数据。"
        "规划未设目标年的目标，只要数值朝目标方向变化即为“进度正常”。阈值集中在 indicators/data/thresholds.toml，可用 --thresholds 覆盖。",
    ),
    "en": (
        "Values come in three layers: the published values shipped with the dataset (observations.csv, each row with its source), "
        "values imported or submitted to the store, and the computation a target names in computed_by (for example the metro-area "
        "urbanisation rate summed from the 2020 census county tables). For a year given more than once the later layer wins; values "
        "that differ by more than {conflict:.1%} are listed in the notes. When a target's own scope has no value, a stand-in scope "
        "declared in stand_ins.csv may be used, and the notes say what that stand-in does not cover.",
        "Progress runs from 0 at the baseline to 1 at the target: (value − baseline)/(target − baseline) for '≥' targets, "
        "(baseline − value)/(baseline − target) for '≤' targets and 1 − |value − target|/|baseline − target| for '=' targets "
        "(an '=' target counts as met within ±{eq:.0%} of its value). When the baseline already meets the target (an 'at least' "
        "target to hold), progress is 1 while it holds and 0 when it does not. When the plan gives no baseline the first value "
        "serves as one, and the notes say so; a single value gives no progress.",
        "Observed yearly change: the average change per year from the start of the series (the first value, or the plan's baseline "
        "when it is older) to the latest value. Required yearly change: the average change per year still needed from the latest "
        "value to reach the target in the target year.",
        "Projection: quantities that grow in proportion to their size — people, money, lengths, counts, capacities (units {compound}) — "
        "are projected with the compound yearly growth rate; shares, times, days and grades are bounded or additive and are "
        "projected linearly. The band spans the linear and the compound reading of the same observed pace. The year reached is the "
        "first whole year whose projected value meets the target.",
        "Status: 'achieved' when the latest value meets the target; 'off track' when a value at or after the target year misses it "
        "or the value moves away from the target; 'on track' when the target is reached by the target year at the observed pace; "
        "otherwise 'at risk' when the projected progress at the target year is at least {risk:.0%}, and 'off track' below that; "
        "'no data' without a value, or with a single value that misses the target, and the reason says which data are needed. "
        "A target without a target year is 'on track' while the value moves towards it. The thresholds live in one file, "
        "indicators/data/thresholds.toml, and --thresholds overrides them.",
    ),
}
"""Methodology paragraphs; placeholders: conflict, eq, risk (fractions), compound (unit ids)."""


def text(lang: str, key: str, **kw: object) -> str:
    """The text ``key`` in ``lang``, formatted with ``kw``."""
    s = STRINGS[lang][key]
    return s.format(**kw) if kw else s
