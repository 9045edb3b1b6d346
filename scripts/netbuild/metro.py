"""Urban rail of the core: Chongqing rail transit (CRT) lines from the metro data folder.

The source (``metro/cq.js``, metromancn/MetroMapOpenMiniProgram, MIT, GCJ-02) lists the
lines and their stations in order; stations shared by lines carry one id there, so a
shared id is one station node here and lines change at it through their platforms (the
model's alight + wait + board). Coordinates are converted GCJ-02 → WGS84.

The file has no opening dates, headways or speeds. Opening dates per section come from
:data:`SECTIONS` (each with its publication); headways, boarding times and speeds are
named parameters (``rail.*.metro``, ``rail.headway_min.line.*``). The 江跳线 and 璧铜线
of the metro data replace the same lines of the national registry (lines.csv
``JIANGTIAO``, ``BITONG``); the registry keeps only their sections the metro data lacks
(the 江跳线 extension under construction).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np

from metrocircle.geo import gcj02_to_wgs84

from .common import Link, Node, haversine_km
from .rail import split_chain
from .sources import unit_of_point

__all__ = [
    "METRO_SRC",
    "SECTIONS",
    "MetroLine",
    "interchange_links",
    "load_metro",
    "metro_links",
    "metro_nodes",
    "replace_registry_lines",
]

METRO_SRC = (
    "Chongqing metro line data from metromancn/MetroMapOpenMiniProgram (MIT) @087310a, "
    "src/data/cq.js (data 2025-01-23), via metro/ of the shared data folder; GCJ-02 → WGS84"
)

# Line of the data → (ref, category, name_zh, design km/h or None, sourced length km or None).
LINES: dict[str, tuple[str, str, str, float | None, float | None]] = {
    "1号线": ("CRT1", "metro", "重庆轨道交通1号线", None, None),
    "2号线": ("CRT2", "metro", "重庆轨道交通2号线(单轨)", None, None),
    "3号线": ("CRT3", "metro", "重庆轨道交通3号线(单轨)", None, None),
    "4号线": ("CRT4", "metro", "重庆轨道交通4号线", 100.0, None),
    "5号线": ("CRT5", "metro", "重庆轨道交通5号线", None, None),
    "6号线": ("CRT6", "metro", "重庆轨道交通6号线", None, None),
    "9号线": ("CRT9", "metro", "重庆轨道交通9号线", 100.0, None),
    "10号线": ("CRT10", "metro", "重庆轨道交通10号线", None, None),
    "18号线": ("CRT18", "metro", "重庆轨道交通18号线", None, None),
    "空港线": ("CRT_KG", "metro", "重庆轨道交通空港线(单轨)", None, None),
    "国博线": ("CRT_GB", "metro", "重庆轨道交通国博线", None, None),
    "环线": ("CRT_LOOP", "metro", "重庆轨道交通环线", None, None),
    "江跳线": ("JIANGTIAO", "suburban", "市郊铁路江跳线 跳磴—圣泉寺(江津)", 120.0, 28.22),
    "璧铜线": ("BITONG", "suburban", "市郊铁路璧铜线 璧山—铜梁西", 140.0, 37.5),
    "重庆云巴": ("CRT_YB", "metro", "璧山云巴(胶轮)", None, 15.4),
}
"""Design speeds and lengths where a source states them (4号线, 9号线: 100 km/h, zh.wikipedia
infobox / 新华网 2022-01-11; 江跳线 120 km/h, 28.22 km: 新华网 2022-03-14; 璧铜线 140 km/h,
37.5 km: 新华网 2025-01-02; 云巴 15.4 km: 中国网 2020-05-29)."""

NOT_BUILT: dict[str, str] = {
    "4-环-5号线直达快车": (
        "an express through service over lines 4, 环线 and 5 (every station is served by "
        "those lines); no published frequency or start date found"
    ),
}
"""Services of the data left out, with the reason (reported in build_report.md)."""

_W = "https://zh.wikipedia.org/wiki/"
SECTIONS: dict[str, list[tuple[str, str, int, str]]] = {
    "1号线": [
        (
            "朝天门",
            "小什字",
            2020,
            "to open by end-2020 (重庆本地宝 via chongqing.xianjichina.com/news/details_318.html, 2020)",
        ),
        (
            "小什字",
            "璧山",
            2019,
            _W + "重庆轨道交通1号线 (尖顶坡—璧山 2019-12-30; the rest earlier)",
        ),
    ],
    "2号线": [("较场口", "鱼洞", 2014, _W + "重庆轨道交通2号线 (鱼洞 extension 2014)")],
    "3号线": [("鱼洞", "江北机场T2航站楼", 2016, _W + "重庆轨道交通3号线 (last extension 2016)")],
    "空港线": [("碧津", "举人坝", 2016, _W + "重庆轨道交通3号线 (北延伸段/空港线 2016-12)")],
    "4号线": [
        ("民安大道", "唐家沱", 2018, "zh.wikipedia 重庆轨道交通4号线: 一期 2018-12-28"),
        ("唐家沱", "黄岭", 2022, "zh.wikipedia 重庆轨道交通4号线: 二期 2022-06-18"),
    ],
    "5号线": [
        (
            "悦港北路",
            "园博中心",
            2023,
            "kampuspedia/zh.wikipedia 重庆轨道交通5号线: 北延伸段 2023-02-27",
        ),
        ("园博中心", "大龙山", 2017, "newton.com.tw 重庆轨道交通5号线: 2017-12-28"),
        ("大龙山", "大石坝", 2018, "newton.com.tw 重庆轨道交通5号线: 2018-12-24"),
        (
            "大石坝",
            "石桥铺",
            2023,
            "kampuspedia.com zh 重庆轨道交通5号线: 2023-11-30 (中新网 photo report 11-30)",
        ),
        ("石桥铺", "跳磴", 2021, "newton.com.tw 重庆轨道交通5号线: 2021-01-20"),
    ],
    "6号线": [
        (
            "茶园",
            "北碚",
            2014,
            "wikiwand zh 重庆轨道交通6号线 (一期 2012, 礼嘉—北碚 2013-12 per 新华社 2023-12-28, 茶园 段 2014)",
        ),
    ],
    "国博线": [
        (
            "礼嘉",
            "悦来",
            2013,
            "jsjiaoyi.com wiki 6号线支线一期 (礼嘉—悦来, opened with the 国博 exhibition centre)",
        ),
        (
            "悦来",
            "沙河坝",
            2020,
            "to open by end-2020: 6号线支线二期 (重庆本地宝 via chongqing.xianjichina.com/news/details_318.html, 2020)",
        ),
    ],
    "9号线": [
        (
            "高滩岩",
            "兴科大道",
            2022,
            "重庆日报 2022-01-25 (m.cobandermx.com mirror): 一期 opens 2022-01-25",
        ),
        ("兴科大道", "花石沟", 2023, "chinaiut.com/gdjt/65213.html: 二期 opened 1月18日 (2023)"),
    ],
    "10号线": [
        (
            "兰花路",
            "后堡",
            2023,
            "中新网 11-30 photo report (cppjump.com mirror): 后堡—兰花路 opened 11-30 (2023)",
        ),
        (
            "后堡",
            "鲤鱼池",
            2023,
            "chinaiut.com/gdjt/65213.html: 二期 鲤鱼池—后堡 opened 1月18日 (2023)",
        ),
        ("鲤鱼池", "王家庄", 2017, _W + "重庆轨道交通10号线 (一期 2017-12-28)"),
    ],
    "18号线": [
        ("富华路", "跳磴南", 2023, "新华社 2023-12-28 (ecostnews.com mirror): opened 2023-12-28")
    ],
    "环线": [
        ("重庆图书馆", "海峡路", 2018, "重庆市住建 lnrtzmd.com 2022-11-28: 东北半环 2018-12-28"),
        ("海峡路", "二郎", 2019, "重庆市住建 lnrtzmd.com 2022-11-28: 西南半环 2019-12-30"),
        (
            "二郎",
            "重庆图书馆",
            2021,
            "重庆市住建 lnrtzmd.com 2022-11-28: 二郎—重庆西站—重庆图书馆 2021-01-20",
        ),
    ],
    "江跳线": [("跳磴", "圣泉寺", 2022, "ditiee.com 2022-12-28 (江津区): 江跳线 通车 2022-08-06")],
    "璧铜线": [("铜梁西", "璧山", 2025, "新华网 cq.news.cn 2025-01-02: 正式开通初期运营")],
    "重庆云巴": [
        ("1号地铁站", "成渝高铁站", 2021, "zh.wikipedia 重庆云巴 (wiwiwiki mirror): 2021-04-16")
    ],
}
"""Opening year of each section (first, last station in the data's order) with its source."""


@dataclass(frozen=True)
class MetroLine:
    """One line of the data: its name and its station ids in order."""

    name: str
    station_ids: tuple[int, ...]


@dataclass(frozen=True)
class MetroData:
    """Stations (id → name, lon, lat WGS84) and lines of the metro data."""

    stations: dict[int, tuple[str, float, float]]
    lines: list[MetroLine]


_LINE_RE = re.compile(r"name:\s*'([^']+)',\s*color:\s*'[^']*',\s*stations:\s*\[([\d,\s]*)\]")
_STN_RE = re.compile(
    r"\{\s*id:\s*(\d+),\s*name:\s*'([^']+)',[^}]*?lat:\s*'?([\d.]+)'?,\s*lng:\s*'?([\d.]+)'?"
)


def load_metro(metro_dir: Path) -> MetroData:
    """Parse ``cq.js`` (lines, stations in order) and convert the stations to WGS84."""
    text = (metro_dir / "cq.js").read_text(encoding="utf-8")
    lines = [
        MetroLine(m.group(1), tuple(int(x) for x in m.group(2).replace(",", " ").split()))
        for m in _LINE_RE.finditer(text)
    ]
    raw = [(int(m[0]), m[1], float(m[2]), float(m[3])) for m in _STN_RE.findall(text)]
    if not lines or not raw:
        msg = f"{metro_dir / 'cq.js'}: no lines or stations found (format changed?)"
        raise ValueError(msg)
    lon, lat = gcj02_to_wgs84(np.array([r[3] for r in raw]), np.array([r[2] for r in raw]))
    stations = {r[0]: (r[1], float(x), float(y)) for r, x, y in zip(raw, lon, lat, strict=True)}
    for ln in lines:
        missing = [i for i in ln.station_ids if i not in stations]
        if missing:
            msg = f"{metro_dir / 'cq.js'}: line {ln.name} names unknown station ids {missing}"
            raise ValueError(msg)
    return MetroData(stations, lines)


def metro_nodes(
    data: MetroData, seats: dict[str, Node], twps: list[Node], snap_km: float
) -> dict[int, Node]:
    """One station node per station id of the built lines (``metro:<name>``)."""
    used = {i for ln in data.lines if ln.name in LINES for i in ln.station_ids}
    out: dict[int, Node] = {}
    for i in sorted(used):
        name, lon, lat = data.stations[i]
        out[i] = Node(
            f"metro:{name}",
            "station",
            name,
            lon,
            lat,
            unit_of_point(lon, lat, seats, twps, snap_km),
            False,
            "metro_data",
            METRO_SRC,
        )
    return out


def _section_years(line: MetroLine, data: MetroData) -> list[tuple[int, str]]:
    """Opening year and source of each link of a line (by the section holding both ends)."""
    names = [data.stations[i][0] for i in line.station_ids]
    out: list[tuple[int, str] | None] = [None] * (len(names) - 1)
    for first, last, year, src in SECTIONS[line.name]:
        a = names.index(first)
        b = len(names) - 1 - names[::-1].index(last) if last == names[-1] else names.index(last)
        if a > b:
            a, b = b, a
        for k in range(a, b):
            out[k] = (year, src)
    gaps = [f"{names[k]}—{names[k + 1]}" for k, v in enumerate(out) if v is None]
    if gaps:
        msg = f"metro line {line.name}: no opening year for {gaps}"
        raise ValueError(msg)
    return [v for v in out if v is not None]


def metro_links(data: MetroData, nodes: dict[int, Node], p: dict[str, float]) -> list[Link]:
    """One rail link per pair of consecutive stations of each built line.

    A section opened after the line's first one is its own link group ``REF@YEAR`` so
    scenarios add it in its year.
    """
    links: list[Link] = []
    for line in data.lines:
        if line.name not in LINES:
            continue
        ref, cat, name_zh, design, total = LINES[line.name]
        coords = [(nodes[i].lon, nodes[i].lat) for i in line.station_ids]
        lengths, kind = split_chain(coords, total, p["rail.circuity"], p["rail.length_ratio_max"])
        years = _section_years(line, data)
        first_year = min(y for y, _s in years)
        for k, (a, b) in enumerate(pairwise(line.station_ids)):
            year, src = years[k]
            links.append(
                Link(
                    f"metro:{ref}:{k + 1}",
                    nodes[a].node_id,
                    nodes[b].node_id,
                    "rail",
                    cat,
                    ref,
                    ref if year == first_year else f"{ref}@{year}",
                    name_zh,
                    lengths[k],
                    kind,
                    design,
                    None,
                    "modelled",
                    METRO_SRC + f"; opened: {src}",
                    "open",
                    year,
                    "metro.SECTIONS (scripts/netbuild/metro.py)",
                )
            )
    return links


def interchange_links(
    metro: dict[int, Node], national: dict[str, Node], p: dict[str, float]
) -> list[Link]:
    """Walking links between distinct stations within ``rail.interchange_max_km``.

    Metro ↔ national railway stations (重庆北站 squares ↔ 重庆北, 沙坪坝, 重庆西站 …) and
    metro ↔ metro stations of the same place under two ids (歇台子(1)/(5)). Minutes =
    straight line × ``rail.interchange_circuity`` / ``rail.interchange_walk_kmh``.
    """
    max_km = p["rail.interchange_max_km"]
    circ, kmh = p["rail.interchange_circuity"], p["rail.interchange_walk_kmh"]
    mlist = list(metro.values())
    seen_nat: dict[str, Node] = {n.node_id: n for n in national.values()}
    pairs: list[tuple[Node, Node, float]] = []
    for i, a in enumerate(mlist):
        for b in mlist[i + 1 :]:
            d = haversine_km(a.lon, a.lat, b.lon, b.lat)
            if d <= max_km:
                pairs.append((a, b, d))
        for b in seen_nat.values():
            if b.node_id == a.node_id:
                continue
            d = haversine_km(a.lon, a.lat, b.lon, b.lat)
            if d <= max_km:
                pairs.append((a, b, d))
    links: list[Link] = []
    for a, b, d in pairs:
        links.append(
            Link(
                f"transfer:{a.node_id}:{b.node_id}",
                a.node_id,
                b.node_id,
                "transfer",
                "interchange",
                "transfer",
                "transfer",
                "换乘步行(模型)",
                d * circ,
                "straight_line_x_circuity",
                None,
                d * circ / kmh * 60.0,
                "modelled",
                "modelled interchange walk between stations (parameters rail.interchange_*)",
                "open",
                None,
                "modelled as always present",
            )
        )
    return links


def replace_registry_lines(
    data: MetroData,
    nodes: dict[int, Node],
    registry_lines: dict[str, list[str]],
    stations: dict[str, Node],
) -> set[str]:
    """Let the metro data stand for the registry's 江跳线 and 璧铜线; return their line ids.

    A registry station of such a line that has a same-named station on the metro line and
    is on no other registry line becomes that metro node (so the registry's extension under
    construction starts at the metro station). The registry's open links of these lines
    are dropped by the caller (:func:`drop_replaced`).
    """
    replaced: set[str] = set()
    for line in data.lines:
        if line.name not in LINES:
            continue
        ref = LINES[line.name][0]
        if ref not in registry_lines:
            continue
        replaced.add(ref)
        by_name = {nodes[i].name_zh: nodes[i] for i in line.station_ids}
        for name in registry_lines[ref]:
            others = [k for k, v in registry_lines.items() if k != ref and name in v]
            if name in by_name and not others:
                stations[name] = by_name[name]
    return replaced


def drop_replaced(links: list[Link], replaced: set[str]) -> list[Link]:
    """Registry links of the replaced lines that are open (the metro data has them)."""
    return [
        lk
        for lk in links
        if not (lk.ref in replaced and lk.status == "open" and lk.link_id.startswith("rail:"))
    ]
