"""The fares command (keys ``fares.*``)."""

from __future__ import annotations

FARES: dict[str, tuple[str, str]] = {
    "no_data": ("暂无数据", "no data"),
    "yuan": ("{v} 元", "¥{v}"),
    "od_head": (
        "{a} → {b}（情景 {scenario}，模型值）",
        "{a} → {b} (scenario {scenario}, modelled)",
    ),
    "od_no_rail": (
        "该情景下两地驻地之间没有需计费的轨道公共交通出行（无轨道线路或仅为步行、公交接驳）。",
        "In this scenario no priced rail trip joins the two seats (no rail line, or only walking and bus feeders).",
    ),
    "od_minutes": ("公共交通出行时间：{m} 分钟", "Public-transport time: {m} min"),
    "od_separate": ("分段计费（现行票价）：{v}", "Separate fares (today's, by operator): {v}"),
    "od_integrated": ("{scheme}：{v}", "{scheme}: {v}"),
    "od_monthly": (
        "每月通勤（22 个工作日往返）：分段 {sep}，一票式 {integ}",
        "Monthly commute (22 working days, return): separate {sep}, integrated {integ}",
    ),
    "od_unpriced": (
        "无公开票价的线路（国铁等）：{items}",
        "Lines without a published fare (national railway etc.): {items}",
    ),
    "commute_unit": ("区县", "Unit"),
    "commute_minutes": ("轨道出行(分钟)", "Rail trip (min)"),
    "commute_monthly": ("每月·{scheme}", "Monthly, {scheme}"),
    "separate": ("分段计费", "separate fares"),
}
