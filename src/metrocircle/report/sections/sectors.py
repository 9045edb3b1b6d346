"""Report sections for the sector analyses: air, joint air warnings, water, scenic crowds, revenue sharing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from metrocircle.report.sections._html import p as _p
from metrocircle.report.sections._html import table as _table

__all__ = ["render_sections"]

_T: dict[str, dict[str, str]] = {
    "air": {"zh": "空气质量（HJ 633 / HJ 663）", "en": "Air quality (HJ 633 / HJ 663)"},
    "warn": {"zh": "重污染天气联合预警", "en": "Joint heavy-pollution warnings"},
    "water": {
        "zh": "地表水断面水质（GB 3838-2002）",
        "en": "Surface-water sections (GB 3838-2002)",
    },
    "tour": {
        "zh": "景区大客流预警（LB/T 034-2014）",
        "en": "Scenic-area crowd warnings (LB/T 034-2014)",
    },
    "fiscal": {
        "zh": "跨区域收益分享与统计分算",
        "en": "Cross-border revenue sharing and statistical splitting",
    },
}


def _air(region: Any, zh: bool) -> str:
    from metrocircle.sectors._air_tables import IAQI_LEVELS, STANDARDS
    from metrocircle.sectors.air_eval import load_air_stations, load_hj663_rules

    rules = load_hj663_rules()
    parts = [
        _p(
            "规划目标：空气质量优良天数比率不低于89.4%（2025年，按HJ 633-2012计）。2026年3月1日起HJ 633-2026施行，"
            "PM2.5和PM10的IAQI=100分级限值收严（75→60、150→120 µg/m³），序列在该日断开，须分标准比较。"
            if zh
            else "Plan target: share of good-air days at least 89.4 % (2025, under HJ 633-2012). HJ 633-2026 applies from "
            "2026-03-01 and tightens the IAQI-100 breakpoints of PM2.5 and PM10 (75→60, 150→120 µg/m³): the series breaks "
            "on that date and values must be compared under one edition."
        )
    ]
    head = ["IAQI", *[str(i) for i in IAQI_LEVELS]]
    rows = []
    for std in ("HJ633-2012", "HJ633-2026"):
        for pol in ("PM2.5", "PM10"):
            bp = STANDARDS[std].tables[(pol, "24h")]
            rows.append([f"{pol} 24h ({std})", *bp])
    parts.append(_table(head, rows))
    path = Path(region.dataset_path) / "sectors" / "air_stations.csv"
    if path.is_file():
        st = load_air_stations(path)
        counts = st.groupby("unit_code").size().to_dict()
        names = {
            c: (region.unit(c).name_zh if zh else region.unit(c).name_en)
            for c in counts
            if c in region.unit_codes
        }
        parts.append(
            _p(
                f"国控监测站点 {len(st)} 个，覆盖 {len(counts)} 个区县（对照点不参与城市均值）。"
                if zh
                else f"{len(st)} national monitoring stations in {len(counts)} units (control points are left out of unit means)."
            )
        )
        parts.append(
            _table(
                ["区县" if zh else "Unit", "站点数" if zh else "Stations"],
                [[names.get(c, c), n] for c, n in sorted(counts.items())],
            )
        )
    from metrocircle.sectors.indicators import AIR_HOURLY_DIR

    if not (Path(region.dataset_path) / AIR_HOURLY_DIR).is_dir():
        parts.append(
            _p(
                "未提供逐时监测数据，优良天数比率暂不能由站点数据计算（导入CNEMC逐时文件后自动计算）。"
                if zh
                else "No hourly station data supplied: the good-day ratio cannot yet be computed from station data "
                "(import CNEMC hourly files)."
            )
        )
    parts.append(
        _p(
            f"有效日：24小时均值至少{rules.min_hours_24h_mean}个小时值；O3日最大8小时至少{rules.min_valid_8h_windows}个有效8小时值；"
            f"城市日值为各站点逐项算术平均后再计算AQI。"
            if zh
            else f"Valid day: 24-h means need at least {rules.min_hours_24h_mean} hourly values; the O3 daily maximum 8-h "
            f"needs {rules.min_valid_8h_windows} valid 8-h means; unit daily values are station means, item by item, before the AQI."
        )
    )
    return "".join(parts)


def _warn(zh: bool) -> str:
    from metrocircle.sectors.air_warning import load_warning_rules

    r = load_warning_rules()
    rows = [
        [
            t.name_zh if zh else t.name_en,
            t.min_run_days,
            t.min_severe_days,
            "是" if (t.or_extreme and zh) else ("yes" if t.or_extreme else "—"),
        ]
        for t in r.tiers
    ]
    head = (
        [
            "级别",
            f"AQI>{r.heavy_aqi_above}连续天数≥",
            f"AQI>{r.severe_aqi_above}天数≥",
            f"AQI≥{r.extreme_aqi_at_least}即达",
        ]
        if zh
        else [
            "Tier",
            f"days AQI>{r.heavy_aqi_above} in a row ≥",
            f"days AQI>{r.severe_aqi_above} ≥",
            f"or AQI≥{r.extreme_aqi_at_least}",
        ]
    )
    intro = (
        f"联合预警：同日至少{r.min_units}个相邻区县日AQI>{r.heavy_aqi_above}即为联合重污染日；相邻日共享区县的联合日合并为一次过程。"
        "分级依据环境保护部《重污染天气预警分级标准》（2017）。"
        if zh
        else f"A joint heavy-pollution day has at least {r.min_units} neighbouring units with daily AQI>{r.heavy_aqi_above}; "
        "joint days on consecutive dates sharing a unit form one episode. Tiers follow the MEE heavy-pollution warning grading (2017)."
    )
    return _p(intro) + _table(head, rows)


def _water(zh: bool) -> str:
    from metrocircle.sectors._water_tables import EVALUATED, PARAMETERS

    head = ["指标" if zh else "Parameter", "I", "II", "III", "IV", "V"]
    rows = []
    for k in ("do", "codmn", "cod", "bod5", "nh3_n", "tp"):
        p = PARAMETERS[k]
        name = p.name_zh if zh else p.name_en
        rows.append([f"{name} ({'≥' if p.kind == 'min' else '≤'} {p.unit})", *p.limits])
    tp = PARAMETERS["tp"]
    rows.append(
        [
            ("总磷（湖库）" if zh else "total phosphorus (lakes)") + " (≤ mg/L)",
            *(tp.lake_limits or ()),
        ]
    )
    intro = (
        f"单因子评价法：断面类别取{len(EVALUATED)}项参评指标中最差的类别，超过V类为劣V类；达到或优于III类为优良。"
        "跨界断面数据由用户提供，系统不内置未经来源的断面。"
        if zh
        else f"Single-factor method: a section takes the worst class over its {len(EVALUATED)} evaluated parameters; beyond "
        "class V it is 劣V (worse than V); class III or better counts as good. Cross-border section data are user-supplied; "
        "no unsourced section is shipped."
    )
    return _p(intro) + _table(head, rows)


def _tour(region: Any, zh: bool) -> str:
    from metrocircle.sectors.tourism import load_scenic_areas, load_tiers

    tiers = load_tiers()
    parts = [
        _p(
            "最大承载量（瞬时、日）由景区按LB/T 034-2014核定；内置名录只收有来源的公布值，其余由用户录入；预警阈值可配置。"
            "景区点位均为推定位置（所在乡镇点位或区县驻地），非公布坐标。"
            if zh
            else "Maximum capacities (instantaneous and daily) are approved by each scenic area under LB/T 034-2014; the "
            "built-in registry holds only published values with their source, the user enters the others; thresholds are "
            "configurable. Scenic-area points are placed (township point or unit seat), not published coordinates."
        ),
        _table(
            [
                "阈值" if zh else "Threshold",
                "级别" if zh else "Tier",
                "措施" if zh else "Actions",
                "依据" if zh else "Source",
            ],
            [
                [
                    f"{t.threshold:.0%}",
                    t.name_zh if zh else t.name_en,
                    t.actions_zh if zh else t.actions_en,
                    t.source,
                ]
                for t in tiers
            ],
        ),
    ]
    path = Path(region.dataset_path) / "sectors" / "scenic_areas.csv"
    if path.is_file():
        areas = load_scenic_areas(path)
        themes = {
            "red": ("红色游", "red heritage"),
            "urban": ("都市游", "urban"),
            "heritage": ("遗产游", "heritage"),
            "industrial": ("工业游", "industrial"),
            "eco": ("生态游", "ecological"),
        }
        placed = {
            "published_coordinate": ("公布坐标", "published coordinate"),
            "township_point": ("乡镇点位（推定）", "township point (placed)"),
            "unit_seat": ("区县驻地（推定）", "unit seat (placed)"),
        }
        rows = [
            [
                themes.get(a["theme"], (a["theme"], a["theme"]))[0 if zh else 1],
                a["name_zh"] if zh else a["name_en"],
                a["unit_code"] or None,
                placed[a["placed_by"]][0 if zh else 1] if a.get("placed_by") in placed else None,
                a.get("a_level") or None,
                a.get("capacity_daily"),
            ]
            for a in areas
        ]
        parts.append(
            _p(
                f"专栏5主题游精品景区 {len(areas)} 处。"
                if zh
                else f"{len(areas)} themed scenic areas of box 5 of the plan."
            )
        )
        parts.append(
            _table(
                [
                    "主题" if zh else "Theme",
                    "景区" if zh else "Scenic area",
                    "区县代码" if zh else "Unit code",
                    "位置" if zh else "Position",
                    "等级" if zh else "A-level",
                    "日最大承载量" if zh else "Daily capacity",
                ],
                rows,
            )
        )
    return "".join(parts)


def _fiscal(region: Any, zh: bool) -> str:
    from metrocircle.sectors.fiscal import load_shared_areas

    parts = [
        _p(
            "规则（专栏1）：存量收益由原行政辖区各自分享，增量收益五五分成；统计指标（GDP、投资）按同一规则分算。"
            "存量为基期年各辖区部分的数值（基期由用户指定），增量=当年合计−基期合计，按份额分配；增量为负、缺年份或未知辖区均报错。"
            if zh
            else "Rule (box 1): stock revenue stays with the original jurisdiction, the increment is split 50/50; statistics "
            "(GDP, investment) are split by the same rule. Stock = each part's base-year value (base year chosen by the user); "
            "increment = this year's total − base-year total, split by shares; negative increments, missing years or unknown "
            "jurisdictions are errors."
        )
    ]
    path = Path(region.dataset_path) / "sectors" / "shared_areas.toml"
    if path.is_file():
        for a in load_shared_areas(path).values():
            names = a.names_zh if zh else a.names_en
            rows = [[code, names.get(code, ""), f"{float(s):.0%}"] for code, s in a.shares.items()]
            parts.append(
                _p(
                    (a.name_zh if zh else a.name_en)
                    + (
                        f"（{a.note}）"
                        if zh and a.note
                        else f" ({a.note_en})"
                        if not zh and a.note_en
                        else ""
                    )
                )
            )
            parts.append(
                _table(
                    [
                        "代码" if zh else "Code",
                        "辖区" if zh else "Jurisdiction",
                        "增量份额" if zh else "Increment share",
                    ],
                    rows,
                )
            )
    return "".join(parts)


def render_sections(region: Any, *, lang: str) -> list[tuple[str, str]]:
    """Sector sections of the report as ``(title, HTML fragment)``; no external resources.

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
    zh = lang == "zh"
    body = {
        "air": _air(region, zh),
        "warn": _warn(zh),
        "water": _water(zh),
        "tour": _tour(region, zh),
        "fiscal": _fiscal(region, zh),
    }
    return [
        (_T[k][lang], f'<section class="mc-sector">{html}</section>') for k, html in body.items()
    ]
