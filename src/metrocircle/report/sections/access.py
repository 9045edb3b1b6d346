"""Report sections on the 1-hour commuting circle: times per unit and scenario, rail reach, project ranking."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from metrocircle.report.sections._html import p, table

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = ["render_sections"]

_T: dict[str, tuple[str, str]] = {
    "commute": ("1小时通勤圈", "The 1-hour commuting circle"),
    "rail": ("铁路通达", "Rail reach"),
    "ranking": ("重点项目对通勤指标的贡献", "What each project adds to the commute indicators"),
}


def _num(v: Any, digits: int = 0) -> str | None:
    if v is None:
        return None
    f = float(v)
    if not math.isfinite(f):
        return None
    return f"{f:,.{digits}f}"


def _commute(region: Region, scenarios: list[str], zh: bool) -> str:
    from metrocircle.access.commute import commute_table, population_share_within
    from metrocircle.network.scenarios import scenario_network

    centre = region.manifest.centre
    tables = {}
    shares = []
    for sid in scenarios:
        net = scenario_network(region, sid)
        tables[sid] = commute_table(region, net).table.set_index("code")
        share, within, total = population_share_within(region, net)
        shares.append([sid, _num(100 * share, 1), _num(within), _num(total)])
    first = tables[scenarios[0]]
    rows = []
    for code in first.index:
        u = region.unit(str(code))
        row: list[Any] = [code, u.name_zh if zh else u.name_en]
        for sid in scenarios:
            r = tables[sid].loc[code]
            mark = ("是" if zh else "yes") if bool(r["within_60"]) else ("否" if zh else "no")
            row.append(f"{_num(r['minutes_to_centre'])} ({mark})")
        row.append(_num(100 * float(first.loc[code, "modelled_share"])))
        rows.append(row)
    head = (
        ["代码", "区县", *[f"{s}（分钟，是否≤60）" for s in scenarios], "模型推算占比 %"]
        if zh
        else ["code", "unit", *[f"{s} (min, ≤60?)" for s in scenarios], "modelled share %"]
    )
    intro = (
        f"各区县政府驻地至{centre.name_zh}的最快通行时间（铁路或公路），按情景计算。"
        "时间由战略网络模型推算：有出处的线路长度与开通年份，加上 parameters.toml 中逐项说明理由的速度、"
        "绕行系数、候车与换乘参数；“模型推算占比”为行程中按模型参数推算的部分。"
        "公路时间对外围区县偏慢（校准结果见 network/build_report.md），解读时请留意。"
        if zh
        else f"Fastest time from each unit's seat to {centre.name_en} (rail or road), per scenario. "
        "Times come from the strategic network model: sourced line lengths and opening years, plus "
        "the speeds, circuity, waiting and transfer parameters justified one by one in "
        "parameters.toml; 'modelled share' is the part of the trip that rests on those "
        "parameters. Road times are on the slow side for outer units (calibration fit in "
        "network/build_report.md): read them with that in mind."
    )
    share_head = (
        ["情景", "60分钟内人口占比 %（估算）", "60分钟内人口（估算）", "总人口（2020普查）"]
        if zh
        else [
            "scenario",
            "population within 60 min, % (estimate)",
            "within 60 min (estimate)",
            "total (census 2020)",
        ]
    )
    note = (
        "乡镇人口为估算值：区县普查总数按城镇/乡村人口分摊到街道/乡镇（方法见 network/zones.csv）。"
        if zh
        else "Township populations are estimates: census totals of each unit split over its "
        "townships (urban over 街道, rural over 镇/乡; method in network/zones.csv)."
    )
    return p(intro) + table(head, rows) + table(share_head, shares) + p(note)


def _rail(region: Region, scenarios: list[str], zh: bool) -> str:
    from metrocircle.access.commute import rail_reach
    from metrocircle.network.scenarios import scenario_network

    rows = []
    for sid in scenarios:
        t = rail_reach(region, scenario_network(region, sid))
        for r in t.itertuples(index=False):
            rows.append(
                [
                    sid,
                    r.group_zh if zh else r.group,
                    r.member,
                    _num(r.threshold_min),
                    _num(r.minutes),
                    ("是" if zh else "yes") if bool(r.reached) else ("否" if zh else "no"),
                    r.basis,
                ]
            )
    head = (
        ["情景", "目标", "目的地", "目标（分钟）", "模型（分钟）", "达到", "依据"]
        if zh
        else [
            "scenario",
            "target",
            "destination",
            "target (min)",
            "model (min)",
            "reached",
            "basis",
        ]
    )
    intro = (
        "“1小时成渝双核直连、3小时毗邻省会互通、6小时北上广深通达”：自中心枢纽的铁路时间。"
        "区外目的地只有粗略的外部连线（采用公开报道的最快时间），没有出处的目的地显示为空，不作推测。"
        if zh
        else "The plan's 1-hour Chengdu, 3-hour neighbouring capitals and 6-hour "
        "Beijing/Shanghai/Guangzhou/Shenzhen rail goals, from the centre's hub. Destinations outside "
        "the area are reached by coarse external links carrying published fastest times; a "
        "destination without a published time stays empty rather than guessed."
    )
    return p(intro) + table(head, rows)


def _ranking(region: Region, scenario: str, zh: bool) -> str:
    from metrocircle.access.ranking import rank_projects

    t = rank_projects(region, scenario)
    names = {pr.id: (pr.name_zh if zh else pr.name_en) for pr in region.projects}
    rows = [
        [
            names.get(str(r.project), str(r.project)),
            r.in_service_year,
            r.units_within_60_remove_one,
            _num(r.mean_minutes_remove_one, 2),
            r.units_within_60_add_one,
            _num(r.mean_minutes_add_one, 2),
        ]
        for r in t.itertuples(index=False)
    ]
    head = (
        [
            "项目",
            "投用年",
            "移除后少进入60分钟圈的区县数",
            "移除后平均增加分钟",
            "单独加入后多进入的区县数",
            "单独加入后平均减少分钟",
        ]
        if zh
        else [
            "project",
            "in service",
            "units leaving the 60-min circle if removed",
            "mean minutes added if removed",
            "units joining if added alone",
            "mean minutes saved if added alone",
        ]
    )
    intro = (
        f"情景 {scenario} 中每个项目自身的作用：从该情景中移除（remove-one），或仅在 2020 年现状上加入（add-one）。"
        "以“ref:”开头的是未与规划重点项目对应的网络变化。"
        if zh
        else f"Each project's own effect in scenario {scenario}: removed from it (remove-one), or "
        "added alone to the 2020 baseline (add-one). Entries starting with 'ref:' are network "
        "changes not tied to a key project of the plan."
    )
    return p(intro) + table(head, rows)


def render_sections(region: Region, *, lang: str) -> list[tuple[str, str]]:
    """Commute-circle sections of the report as ``(title, HTML fragment)``; none without a network.

    Parameters
    ----------
    region
        The loaded Region.
    lang
        ``"zh"`` or ``"en"``.
    """
    if lang not in ("zh", "en"):
        msg = f"`lang` was {lang!r} but is expected to be 'zh' or 'en'"
        raise ValueError(msg)
    if not region.has_file("network_links"):
        return []
    from metrocircle.network.scenarios import load_region_scenarios

    zh = lang == "zh"
    scenarios = list(load_region_scenarios(region))
    plan = next((s for s in scenarios if s.startswith("plan")), scenarios[-1])
    i = 0 if zh else 1
    return [
        (_T["commute"][i], _commute(region, scenarios, zh)),
        (_T["rail"][i], _rail(region, scenarios, zh)),
        (_T["ranking"][i], _ranking(region, plan, zh)),
    ]
