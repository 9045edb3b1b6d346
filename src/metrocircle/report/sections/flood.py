"""Report sections for river-basin flood warning (gauge stations) and public-transport fares."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metrocircle.report.gloss import cite
from metrocircle.report.sections._html import p as _p
from metrocircle.report.sections._html import table as _table
from metrocircle.sectors import fares, flood

__all__ = ["render_sections"]

_T: dict[str, dict[str, str]] = {
    "flood": {"zh": "流域防洪监测预警", "en": "River-basin flood monitoring and warning"},
    "fares": {
        "zh": "公共交通票价与通勤成本",
        "en": "Public-transport fares and the cost of commuting",
    },
}


def _m(v: float | None) -> str | None:
    return None if v is None else f"{v:.2f}"


def _yuan(v: float | None) -> str | None:
    return None if v is None else f"{v:.2f}"


def _datum(datum: str | None, zh: bool) -> str | None:
    """``吴淞 (Wusong)`` → ``吴淞高程`` or ``Wusong``."""
    if not datum:
        return None
    name_zh, _, rest = datum.partition(" (")
    return f"{name_zh}高程" if zh else (rest.rstrip(")") or name_zh)


def _flood(region: Any, zh: bool) -> str:
    root = Path(region.dataset_path)
    sources = flood.load_flood_sources(root / flood.SOURCES_FILE)
    stations = flood.load_flood_stations(root / flood.STATIONS_FILE, sources=sources)
    rules = flood.load_flood_rules(root / flood.RULES_FILE)
    km = f"{rules.township_distance_km:g}"
    with_warning = sum(1 for s in stations if s.warning_level_m is not None)
    with_guarantee = sum(1 for s in stations if s.guarantee_level_m is not None)
    parts = [
        _p(
            f"规划第四章第三节要求建设数字孪生流域，强化长江干流及嘉陵江、渠江、涪江、綦江、乌江防洪。"
            f"本系统收录主要水文站 {len(stations)} 个，其中 {with_warning} 个有公开的警戒水位、"
            f"{with_guarantee} 个有公开的保证水位，逐项注明出处；未公开的水位留空，相应等级不作判定。"
            f"预警等级按水利部《水情预警发布管理办法（试行）》的水位条件划分（蓝、黄、橙、红），"
            f"并按参数化的洪水传播时间通知下游区县；每条预警列出河段所涉区县内距示意河段（站点间连线，"
            f"未取得公开的河道空间数据）{km} 公里以内的乡镇和沿江重点项目。"
            f"预警随实时水位变化，本报告不列当前预警：水位导入系统后，当前预警见系统的洪水预警查询"
            f"和“一张图”的水文站图层。"
            if zh
            else f"Chapter 4 §3 of the plan asks for a digital-twin river basin and flood control on the "
            f"Yangtze, Jialing, Qu, Fu, Qi and Wu rivers. The system holds {len(stations)} main gauge "
            f"stations: {with_warning} with a published warning level and {with_guarantee} with a "
            f"published guarantee level, each cited; unpublished levels stay empty and their grades "
            f"are not judged. Grades follow the level criteria of the Ministry of Water Resources' "
            f"flood-warning rules (blue, yellow, orange, red); downstream units are notified after a "
            f"parameterised wave travel time. Each warning lists the townships of the reach's units "
            f"within {km} km of the schematic reach (the straight line between stations: no open "
            f"river geometry was available) and the riverside key projects. "
            f"Warnings change with the live levels, so this report lists none: once levels are "
            f"imported into the system, the current warnings are in its flood-warning query and "
            f"on the dashboard's gauge-station layer."
        )
    ]
    names = {c: region.unit(c) for c in region.unit_codes}
    rows = []
    for s in stations:
        u = names.get(s.unit) if s.unit else None
        unit = (u.name_zh if zh else u.name_en) if u is not None else None
        src = sources.get(s.warning_source or s.guarantee_source or "")
        rows.append(
            [
                s.name_zh if zh else _station_en(s.name_en, s.name_zh),
                s.river_zh if zh else s.river_en,
                unit,
                _m(s.warning_level_m),
                _m(s.guarantee_level_m),
                _datum(s.datum, zh),
                None if src is None else cite(src.publisher, "zh" if zh else "en", publisher=True),
            ]
        )
    head = (
        ["站点", "河流", "所在区县", "警戒水位（米）", "保证水位（米）", "高程基面", "发布机构"]
        if zh
        else [
            "Station",
            "River",
            "Unit",
            "Warning level (m)",
            "Guarantee level (m)",
            "Datum",
            "Publisher",
        ]
    )
    parts.append(_table(head, rows))
    return "".join(parts)


def _fares(region: Any, zh: bool) -> str:
    rows = fares.commute_costs(region)
    priced = [r for r in rows if r["fare_yuan"]["integrated"] is not None]
    both = [r for r in priced if r["fare_yuan"]["separate"] is not None]
    parts = [
        _p(
            f"规划第四章第一节要求推行公共交通“一卡通”“一票式”“一码畅行”。下表为各区县驻地经轨道至中心城区的"
            f"公共交通出行（模型值）按现行票价分段计费与按“一票式”方案计费的每月通勤成本（22个工作日往返）。"
            f"{len(priced)} 个区县可按一票式计费；其中 {len(both)} 个全程为已公布票价的线路。国家铁路线路未收录票价，"
            f"分段计费显示为暂无数据。"
            if zh
            else f"Chapter 4 §1 of the plan asks for integrated public-transport cards and tickets. The "
            f"table gives, per unit, the monthly cost (22 working days, both ways) of the modelled rail "
            f"trip from its seat to the central urban area, at today's fares by operator and under the "
            f"integrated one-ticket scheme. {len(priced)} units can be priced under the scheme; "
            f"{len(both)} of them use only lines with a published fare. National railway fares are not "
            f"in the dataset, so the separate fare shows no data there."
        )
    ]
    no = "暂无数据" if zh else "no data"
    schemes = fares.load_fare_rules(Path(region.dataset_path) / fares.FARES_FILE).schemes
    table_rows = []
    for r in rows:
        u = region.unit(r["unit"])
        f, m = r["fare_yuan_by_scheme"], r["monthly_yuan_by_scheme"]
        keys = ["separate", *(sc.id for sc in schemes)]
        table_rows.append(
            [
                u.name_zh if zh else u.name_en,
                no if r["minutes_rail"] is None else f"{r['minutes_rail']:.0f}",
                *(_yuan(f[k]) or no for k in keys),
                *(_yuan(m[k]) or no for k in keys),
            ]
        )
    labels = [("分段" if zh else "separate")] + [
        (sc.name_zh if zh else (sc.name_en or sc.id)) for sc in schemes
    ]
    head = [
        "区县" if zh else "Unit",
        "轨道出行（分钟）" if zh else "Rail trip (min)",
        *((f"单程·{x}（元）" if zh else f"One way, {x} (yuan)") for x in labels),
        *((f"每月·{x}（元）" if zh else f"Monthly, {x} (yuan)") for x in labels),
    ]
    parts.append(_table(head, table_rows))
    return "".join(parts)


def render_sections(region: Any, *, lang: str = "zh") -> list[tuple[str, str]]:
    """The flood and fares sections, when the dataset has their files."""
    zh = lang == "zh"
    root = Path(region.dataset_path)
    out: list[tuple[str, str]] = []
    if (root / flood.STATIONS_FILE).is_file():
        out.append((_T["flood"][lang], _flood(region, zh)))
    if (root / fares.FARES_FILE).is_file():
        out.append((_T["fares"][lang], _fares(region, zh)))
    return out


def _station_en(name_en: str, name_zh: str) -> str:
    """``Cuntan (寸滩)``; a numbered station keeps one level of brackets: ``Zhutuo (III), 朱沱(三)``."""
    if "(" in name_zh or "（" in name_zh:
        return f"{name_en}, {name_zh}"
    return f"{name_en} ({name_zh})"
