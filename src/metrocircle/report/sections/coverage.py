"""Report sections on public-service coverage: the 1-hour rescue circle and a siting illustration."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from metrocircle._errors import MetrocircleError
from metrocircle.report.sections._html import p as _p
from metrocircle.report.sections._html import table as _table

if TYPE_CHECKING:
    from metrocircle.coverage.facilities import FacilityLayer
    from metrocircle.region import Region

__all__ = ["render_sections"]

_T: dict[str, dict[str, str]] = {
    "rescue": {"zh": "1小时应急救援圈", "en": "The 1-hour emergency rescue circle"},
    "siting": {
        "zh": "储备中心选址（方法示例）",
        "en": "Siting reserve centres (method illustration)",
    },
    "fitness": {"zh": "15分钟健身圈", "en": "The 15-minute fitness circle"},
}


def _unit_name(region: Region, code: str, zh: bool) -> str:
    u = region.unit(code)
    return u.name_zh if zh else u.name_en


def _scenarios_to_run(region: Region) -> list[str | None]:
    """Baseline and plan scenarios where the network offers them, else the base network."""
    from metrocircle.coverage.service import scenario_ids

    ids = scenario_ids(region)
    picked = [s for s in ids if s.startswith(("baseline", "plan"))]
    return list(picked) or [None]


def _rescue(region: Region, layer: FacilityLayer | None, zh: bool) -> str:
    from metrocircle.coverage.measures import load_parameters

    minutes = float(load_parameters()["rescue_circle"]["minutes"])
    parts = [
        _p(
            f"规划第十一章第四节提出“加快建设物资储备中心，打造 1 小时应急救援圈”。本节按路网时间计算各乡镇（街道）到最近应急物资储备中心的时间，"
            f"以{minutes:g}分钟为圈层界限；乡镇人口由各区县2020年人口普查总数按城镇/乡村人口分摊估算（非普查数据）。"
            if zh
            else "Chapter 11 §4 of the plan calls for reserve centres and a 1-hour emergency rescue circle. This section "
            f"measures the network time from each township to its nearest emergency reserve centre, with the circle at "
            f"{minutes:g} min; township population is an estimate split from each unit's 2020 census totals (not census data)."
        )
    ]
    if layer is None or len(layer) == 0:
        parts.append(
            _p(
                "数据缺失：本数据集未附带应急物资储备中心图层（没有可核实来源的公开名录），因此覆盖率无法计算。"
                "所需数据：每个储备中心的编号、名称、类型（应急物资储备中心）、经纬度（WGS84 坐标）及来源，"
                "以 CSV 或 GeoJSON 文件提供；提供后本节自动计算。"
                if zh
                else "No data: the dataset ships no layer of emergency reserve centres (no open list with a "
                "verifiable source exists), so the coverage cannot be computed. Needed: each centre's "
                "id, name, type (emergency reserve centre), longitude and latitude (WGS84) and source, "
                "as a CSV or GeoJSON file; this section is computed once it is provided."
            )
        )
        return "".join(parts)
    from metrocircle.coverage.service import coverage_from_region

    head = (
        ["情景", "区县", "人口（估算）", "圈内人口", "覆盖率 %"]
        if zh
        else ["Scenario", "Unit", "Population (est.)", "Inside the circle", "Share %"]
    )
    rows: list[list[Any]] = []
    for sc in _scenarios_to_run(region):
        try:
            cov, _ = coverage_from_region(region, layer, minutes=minutes, scenario=sc)
        except MetrocircleError as exc:
            parts.append(_p(("无法计算：" if zh else "Could not compute: ") + str(exc)))
            continue
        for code, r in cov.by_unit.iterrows():
            share = r["share"]
            rows.append(
                [
                    _scenario_name(region, sc, zh),
                    _unit_name(region, str(code), zh),
                    f"{r['population']:.0f}",
                    f"{r['covered_population']:.0f}",
                    None if math.isnan(share) else f"{100 * share:.1f}",
                ]
            )
        total = None if cov.share is None else f"{100 * cov.share:.1f}"
        rows.append(
            [
                _scenario_name(region, sc, zh),
                "全域" if zh else "Whole area",
                f"{cov.population:.0f}",
                f"{cov.covered_population:.0f}",
                total,
            ]
        )
    parts.append(
        _p(
            f"设施图层：{layer.origin}，{len(layer)} 处。"
            if zh
            else f"Facility layer: {layer.origin}, {len(layer)} sites."
        )
    )
    parts.append(_table(head, rows))
    return "".join(parts)


def _siting(region: Region, zh: bool) -> str:
    from metrocircle.coverage.measures import load_parameters
    from metrocircle.coverage.service import builtin_candidates, siting_from_region

    minutes = float(load_parameters()["rescue_circle"]["minutes"])
    parts = [
        _p(
            f"为说明选址方法，以各区县政府驻地为候选点，求使所有可达乡镇均在{minutes:g}分钟内的最少中心数（集合覆盖模型，HiGHS 精确求解）。"
            "这只是方法示例，不是选址建议：真实的候选点和已有中心应由用户提供。"
            if zh
            else f"To show the method, the county seats serve as candidate sites and the set-covering model (solved exactly "
            f"with HiGHS) finds the fewest centres that put every reachable township within {minutes:g} min. This illustrates "
            "the method; it is not a siting proposal: real candidate sites and existing centres are for the user to supply."
        )
    ]
    try:
        cands = builtin_candidates(region, "seats")
    except MetrocircleError as exc:
        parts.append(_p(str(exc)))
        return "".join(parts)
    head = (
        ["情景", "最少中心数", "入选驻地", f"任一驻地{minutes:g}分钟内均不可达的乡镇数"]
        if zh
        else [
            "Scenario",
            "Fewest centres",
            "Seats chosen",
            f"Townships beyond {minutes:g} min of every seat",
        ]
    )
    rows: list[list[Any]] = []
    for sc in _scenarios_to_run(region):
        try:
            run = siting_from_region(region, cands, model="lscp", scenario=sc, service_min=minutes)
        except MetrocircleError as exc:
            parts.append(_p(("无法计算：" if zh else "Could not compute: ") + str(exc)))
            continue
        chosen = run.sites[run.sites["selected"]]
        names = (
            "、".join(chosen["name_zh"])
            if zh
            else ", ".join(str(v) for v in chosen["name_en"].fillna(chosen["name_zh"]))
        )
        rows.append(
            [
                _scenario_name(region, sc, zh),
                f"{run.result.objective:.0f}",
                names,
                sum(not c for c in run.result.covered),
            ]
        )
    parts.append(_table(head, rows))
    return "".join(parts)


def _scenario_name(region: Region, sid: str | None, zh: bool) -> str:
    if sid is None:
        return "现状网络" if zh else "base network"
    from metrocircle.network.scenarios import load_region_scenarios

    sc = load_region_scenarios(region).get(sid)
    if sc is None:
        return sid
    return sc.name_zh if zh else sc.name_en


def _fitness(zh: bool) -> str:
    return _p(
        "规划第十一章第一节提出打造“15 分钟健身圈”。15分钟出行需要步行级的精细路网和公共体育场馆图层，本数据集只有城际战略路网，"
        "也没有体育场馆图层，因此不计算。所需数据：公共体育场馆图层和含步行道路的精细路网。"
        if zh
        else "Chapter 11 §1 of the plan calls for a 15-minute fitness circle. 15-minute trips need a fine, walking-level network "
        "and a layer of public sports venues; the dataset has only the strategic network and no venue layer, so the circle is "
        "not computed. Needed: a layer of public sports venues and a fine network with walking links."
    )


def render_sections(region: Region, *, lang: str) -> list[tuple[str, str]]:
    """The coverage sections of the report as (title, self-contained HTML fragment) pairs.

    Parameters
    ----------
    region
        The loaded region.
    lang
        ``"zh"`` or ``"en"``.
    """
    if lang not in ("zh", "en"):
        msg = f"`lang` was {lang!r} but is expected to be 'zh' or 'en'"
        raise ValueError(msg)
    from metrocircle.coverage.facilities import region_facilities

    zh = lang == "zh"
    layer = region_facilities(region)
    reserve = layer.of_type("emergency_reserve") if layer is not None else None
    return [
        (_T["rescue"][lang], _rescue(region, reserve, zh)),
        (_T["siting"][lang], _siting(region, zh)),
        (_T["fitness"][lang], _fitness(zh)),
    ]
