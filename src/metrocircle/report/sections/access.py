"""Report sections on the 1-hour commuting circle: times per unit and scenario, rail reach, project ranking."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from metrocircle.report.annexes import place_names
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


def _scenario_names(region: Region, zh: bool) -> dict[str, str]:
    from metrocircle.network.scenarios import load_region_scenarios

    return {
        sid: (sc.name_zh if zh else sc.name_en) for sid, sc in load_region_scenarios(region).items()
    }


_BASIS: dict[str, tuple[str, str]] = {
    "modelled": ("模型推算", "modelled"),
    "no rail link in the network": ("网络中无铁路连接", "no rail link in the network"),
    "published time (coarse external link)": (
        "公开报道的最快时间（区外粗略连线）",
        "published fastest time (coarse external link)",
    ),
}


def _commute(region: Region, scenarios: list[str], zh: bool) -> str:
    from metrocircle.access.commute import commute_table, population_share_within
    from metrocircle.access.published import published_to_centre
    from metrocircle.network.scenarios import scenario_network

    centre = region.manifest.centre
    names = _scenario_names(region, zh)
    tables = {}
    shares = []
    for sid in scenarios:
        net = scenario_network(region, sid)
        tables[sid] = commute_table(region, net).table.set_index("code")
        share, within, total = population_share_within(region, net)
        shares.append([names.get(sid, sid), _num(100 * share, 1), _num(within), _num(total)])
    first = tables[scenarios[0]]
    rows = []
    notes: list[str] = []
    places = place_names(region)
    for code in first.index:
        u = region.unit(str(code))
        row: list[Any] = [u.name_zh if zh else u.name_en]
        for sid in scenarios:
            r = tables[sid].loc[code]
            mark = ("是" if zh else "yes") if bool(r["within_60"]) else ("否" if zh else "no")
            row.append(
                f"{_num(r['minutes_to_centre'])}（{mark}）"
                if zh
                else f"{_num(r['minutes_to_centre'])} ({mark})"
            )
        row.append(_num(100 * float(first.loc[code, "modelled_share"]), 1))
        pub = published_to_centre(region, str(code))
        if pub:
            notes.append(_published_note(len(notes) + 1, pub[0], zh, places))
            row.append(f"{_num(pub[0].minutes)} [{len(notes)}]")
        else:
            row.append(None)
        rows.append(row)
    head = (
        [
            "区县",
            *[f"{names.get(s, s)}（分钟，是否1小时内）" for s in scenarios],
            "模型推算占比（%）",
            "公开报道的通行时间（分钟，见注；非模型结果）",
        ]
        if zh
        else [
            "unit",
            *[f"{names.get(s, s)} (minutes, within the hour?)" for s in scenarios],
            "modelled share (%)",
            "published time (minutes, see notes; not a model result)",
        ]
    )
    intro = (
        f"各区县政府驻地至{centre.name_zh}的最快通行时间（铁路或公路），按情景计算。"
        "时间由战略网络模型推算：有出处的线路长度与开通年份，加上逐项说明理由的速度、"
        "绕行系数、候车与换乘参数；“模型推算占比”为行程中按模型参数推算的部分。"
        "与公开的实际通行时间对比，公路时间对外围区县偏慢，解读时请留意。"
        if zh
        else f"Fastest time from each unit's seat to {centre.name_en} (rail or road), per scenario. "
        "Times come from the strategic network model: sourced line lengths and opening years, plus "
        "the speeds, circuity, waiting and transfer parameters, each with its justification; "
        "'modelled share' is the part of the trip that rests on those parameters. Compared "
        "with published travel times, road times are on the slow side for outer units: read "
        "them with that in mind."
    )
    share_head = (
        [
            "情景",
            "1小时内人口占比（%，估算）",
            "1小时内人口（人，估算）",
            "总人口（2020年普查，人）",
        ]
        if zh
        else [
            "scenario",
            "population within the hour (%, estimate)",
            "people within the hour (estimate)",
            "total population (2020 census)",
        ]
    )
    note = (
        "乡镇人口为估算值：区县普查总数按城镇/乡村人口分摊到街道、乡镇。"
        if zh
        else "Township populations are estimates: census totals of each unit split over its "
        "townships (urban population over sub-districts, rural over towns)."
    )
    pub_intro = (
        "公开报道的通行时间是媒体或政府网页所述的驻地至中心城区（主城）的时间，未说明起讫点，"
        "多为约数，部分为开通前的预测；仅与模型并列，不参与模型计算。"
        if zh
        else "Published times are what a news or government page states for the trip between "
        "the unit and the central urban area (主城), without a stated point, mostly approximate "
        "and some forecasts before an opening; shown beside the model, never used in it."
    )
    return (
        p(intro)
        + table(head, rows)
        + p(pub_intro)
        + "".join(p(x) for x in notes)
        + table(share_head, shares)
        + p(note)
    )


_KINDS: tuple[tuple[str, str, str], ...] = (
    # (keyword in the dataset's free-text statement_kind, Chinese, English), first match wins
    ("forecast", "开通前预测", "forecast"),
    ("upper_bound", "上限", "upper bound"),
    ("first train", "首班实际", "first train"),
    ("fastest", "最快", "fastest"),
    ("approx", "约数", "approximate"),
    ("scheduled", "时刻表", "scheduled"),
    ("exact", "报道所述", "as stated"),
    ("stated", "报道所述", "as stated"),
)


def _kind_words(kind: str, zh: bool) -> str:
    """The kind of a published statement in the edition's language (the data's label is English)."""
    low = kind.lower()
    for key, k_zh, k_en in _KINDS:
        if key in low:
            return k_zh if zh else k_en
    return "报道所述" if zh else "as stated"


def _published_note(n: int, pt: Any, zh: bool, places: dict[str, str] | None = None) -> str:
    from urllib.parse import urlsplit

    from metrocircle.report.gloss import place_en

    where = urlsplit(pt.source_url).netloc if pt.source_url else pt.source_note
    date = pt.statement_date or ("日期不详" if zh else "undated")
    mode = {"road": ("公路", "road"), "rail": ("铁路", "rail")}[pt.mode][0 if zh else 1]
    kind = _kind_words(str(pt.statement_kind or ""), zh)
    # the Chinese statement is quoted in the Chinese edition; the English one names the page
    return (
        f"[{n}] {pt.from_zh}—{pt.to_zh}：{pt.minutes:.0f} 分钟（{mode}，{date}，"
        f"{kind}）“{pt.statement_zh}” — {where}"
        if zh
        else f"[{n}] {place_en(pt.from_zh, places)}–{place_en(pt.to_zh, places)}: "
        f"{pt.minutes:.0f} min ({mode}, {date}, {kind}) — {where}"
    )


def _rail(region: Region, scenarios: list[str], zh: bool) -> str:
    from metrocircle.access.commute import rail_reach
    from metrocircle.network.scenarios import scenario_network

    names = _scenario_names(region, zh)
    groups_en = _group_names_en(region)
    rows = []
    for sid in scenarios:
        t = rail_reach(region, scenario_network(region, sid))
        for r in t.itertuples(index=False):
            rows.append(
                [
                    names.get(sid, sid),
                    r.group_zh if zh else groups_en.get(str(r.group), str(r.group_zh)),
                    r.member if zh else _member_en(str(r.member)),
                    _num(r.threshold_min),
                    _num(r.minutes),
                    ("是" if zh else "yes") if bool(r.reached) else ("否" if zh else "no"),
                    _BASIS.get(str(r.basis), (str(r.basis), str(r.basis)))[0 if zh else 1],
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


_CITY_EN = {
    "成都": "Chengdu",
    "贵阳": "Guiyang",
    "长沙": "Changsha",
    "武汉": "Wuhan",
    "西安": "Xi'an",
    "北京": "Beijing",
    "上海": "Shanghai",
    "广州": "Guangzhou",
    "深圳": "Shenzhen",
    "郑州": "Zhengzhou",
    "昆明": "Kunming",
}
"""English names of the destination cities the plan names (chapter 4 §2)."""


def _group_names_en(region: Region) -> dict[str, str]:
    """English names of the rail destination groups, from the network parameters."""
    import tomllib

    path = region.dataset_path / "network" / "parameters.toml"
    if not path.is_file():
        return {}
    raw = tomllib.loads(path.read_text(encoding="utf-8")).get("destination_groups", {})
    return {k: str(v.get("name_en", "")) for k, v in raw.items() if v.get("name_en")}


def _member_en(name: str) -> str:
    return f"{_CITY_EN[name]} ({name})" if name in _CITY_EN else name


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
    del plan  # the project ranking is in the report's chapter on key projects
    return [
        (_T["commute"][i], _commute(region, scenarios, zh)),
        (_T["rail"][i], _rail(region, scenarios, zh)),
    ]
