"""Plan projects with no line in the registries: links placed by documented rules.

The plan's 专栏2 names urban connectors, tunnels and suburban railways that the rail and
road registries do not carry. Each gets links here (group = the project's
``network_ref``), from the publication that describes it where one was found:

- endpoints are township points (or unit seats) of the places the publication names —
  rule ``township_of_named_place`` — or, for a corridor from the 中心城区 with no
  published alignment, the station / township point of a core unit nearest the far end —
  rule ``nearest_core_point``;
- length is the published length when one is stated and not shorter than the straight
  line between the two points; else straight line × ``road.local_circuity`` (roads) or
  ``rail.circuity`` (rail);
- speed: the published design speed, else the named default of the category;
- year: the published opening or expected year, else none (the scenarios then add it by
  the outlook year 2035, saying so).

Stations of planned suburban lines whose station lists are not published are only the
two ends, marked ``placed`` with their rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from .common import Link, Node, haversine_km

__all__ = ["PROJECT_LINES", "ProjectLine", "project_links"]


@dataclass(frozen=True)
class ProjectLine:
    """One modelled project link: ends, category, published figures and their source."""

    ref: str
    name_zh: str
    mode: str  # road | rail
    category: str  # urban_trunk | suburban
    a: str  # "twp:<name>@<county>" | "seat:<code>" | "core_nearest"
    b: str
    length_km: float | None
    design_kmh: float | None
    status: str
    year: int | None
    year_basis: str
    source: str


PROJECT_LINES: list[ProjectLine] = [
    ProjectLine(
        "jinfeng_tunnel",
        "金凤隧道(璧山黛山大道—高新区高新大道)",
        "road",
        "urban_trunk",
        "seat:500120",
        "twp:金凤镇@500107",
        9.2,
        60.0,
        "open",
        2024,
        "main line of the 中心城区段 opened 04-28 (2024: works 2021-03 + 42 months)",
        "cq.ifeng.com/c/8Z98xGpg20y (重庆住建委: 科学城金凤片区—璧山城区); 9.2 km, 60 km/h: gxwjnk.com 2021-04 (璧山区住房城乡建委)",
    ),
    ProjectLine(
        "new_yanweishan_tunnel",
        "新燕尾山隧道(太阳岗立交—南泉立交)",
        "road",
        "urban_trunk",
        "twp:花溪街道@500113",
        "twp:南泉街道@500113",
        6.8,
        60.0,
        "under_construction",
        2024,
        "expected: 力争2024年上半年全面完成 (zfcxjw.cq.gov.cn 2022-04-01)",
        "zfcxjw.cq.gov.cn/zwxx_166/zwyw/202204/t20220401_10582246.html (重庆市住建委): 6.8 km, 60 km/h; ends: 太阳岗 read as 花溪街道 (ASSUMED township of the interchange)",
    ),
    ProjectLine(
        "lujiao_tunnel",
        "鹿角隧道(学府立交—鹿角立交)",
        "road",
        "urban_trunk",
        "twp:南坪镇@500108",
        "twp:南泉街道@500113",
        5.4,
        None,
        "under_construction",
        None,
        "no opening date published",
        "cqbn.gov.cn 2025-09-04 (巴南区): 八横线, 学府立交—鹿角立交, 5.4 km, 串联二塘片区与鹿角、界石片区; 重庆日报 2022-07-28 (可研批复); ends read as 南坪镇 (学府立交) and 南泉街道 (鹿角) (ASSUMED townships of the two ends)",
    ),
    ProjectLine(
        "taojia_tunnel",
        "陶家隧道(渝泸北线高速—快速路二纵线)",
        "road",
        "urban_trunk",
        "twp:陶家镇@500107",
        "twp:华岩镇@500107",
        None,
        None,
        "under_construction",
        2025,
        "expected: 中心城区7条隧道 有望在'十四五'时期完工 (zfcxjw.cq.gov.cn 2022-04-01)",
        "heatherkohler.com 2020-04-08 (重庆市政府网): 西起渝泸北线高速, 穿越中梁山后东接快速路二纵线; ends read as 陶家镇 and 华岩镇 (ASSUMED townships of the two ends)",
    ),
    ProjectLine(
        "yunan_dadao_d_south",
        "渝南大道D段南段(快速路五纵线南段)",
        "road",
        "urban_trunk",
        "twp:龙洲湾街道@500113",
        "twp:南彭街道@500113",
        7.59,
        60.0,
        "under_construction",
        2023,
        "expected: 二期 计划2023年9月建成通车 (国际在线 cq.cri.cn 2020-08-31)",
        "cq.cri.cn/n/20200831/9dd0d94e-b24d-b1c6-fc33-53aacbf3b3c1.html: 7590 m, 60 km/h, 渝南大道D段末端—绕城高速百节立交; ends read as 龙洲湾街道 and 南彭街道 for 百节立交 (ASSUMED)",
    ),
    ProjectLine(
        "yuchang_fuxian_link",
        "渝长高速复线连接道(大佛寺大桥南桥头—渝长复线)",
        "road",
        "urban_trunk",
        "twp:弹子石街道@500108",
        "twp:鱼嘴镇@500105",
        21.86,
        None,
        "under_construction",
        2026,
        "expected: 石龙立交至海腾立交段 预计2026年10月完工 (重庆日报 2026-01-27)",
        "env.022net.com 2022-09-04 (上游新闻): 起于渝长复线高速收费站, 止于内环大佛寺大桥南桥头立交, 21.86 km, 城市快速路; ends read as 弹子石街道 (南岸, 大佛寺) and 鱼嘴镇 (果园港, ASSUMED)",
    ),
    ProjectLine(
        "liangjiang_changshou_express",
        "两江新区—长寿快速通道",
        "road",
        "urban_trunk",
        "twp:龙兴镇@500112",
        "seat:500115",
        23.6,
        80.0,
        "under_construction",
        None,
        "road registry expressways.csv: started 2020-12, no opening date",
        "network/road expressways.csv row liangjiang_changshou_express (两江新区(三环高速)—长寿, 23.6 km, 80 km/h; https://m.163.com/dy/article/IP1FNJ0I0553RLYU.html), not placed by the expressway step; ends read as 龙兴镇 (三环高速 in 两江新区) and the 长寿 seat (ASSUMED)",
    ),
    ProjectLine(
        "zhiping_yangtze_bridge",
        "支坪长江大桥(江津支坪—九龙坡, 方案研究)",
        "road",
        "urban_trunk",
        "twp:支坪镇@500116",
        "nearest:500107",
        None,
        None,
        "planned",
        None,
        "方案研究 (e47e47.com forum copy of the 九龙坡区交通局 text), no date",
        "plan 专栏2 §4; a 九龙坡—江津 Yangtze crossing at 支坪 under 方案研究 (九龙坡区交通局 text via e47e47.com); ends: 支坪镇 and the nearest 九龙坡 township point across the river (rule nearest_township_of_unit)",
    ),
    ProjectLine(
        "centre_yongchuan_rongchang_express",
        "中心城区至永川—荣昌快速通道(规划)",
        "road",
        "urban_trunk",
        "core_nearest",
        "seat:500118",
        None,
        None,
        "planned",
        None,
        "plan 专栏2: 前期工作, no date",
        "plan text 专栏2 §4 (no alignment published): corridor placed by rule nearest_core_point → 永川 seat",
    ),
    ProjectLine(
        "centre_hechuan_express",
        "中心城区至合川快速通道(规划)",
        "road",
        "urban_trunk",
        "core_nearest",
        "seat:500117",
        None,
        None,
        "planned",
        None,
        "plan 专栏2: 前期工作, no date",
        "plan text 专栏2 §4 (no alignment published): corridor placed by rule nearest_core_point → 合川 seat",
    ),
    ProjectLine(
        "centre_qijiang_wansheng_express",
        "中心城区至綦江—万盛快速通道(规划)",
        "road",
        "urban_trunk",
        "core_nearest",
        "seat:500110",
        None,
        None,
        "planned",
        None,
        "plan 专栏2: 前期工作, no date",
        "plan text 专栏2 §4 (no alignment published): corridor placed by rule nearest_core_point → 綦江 seat",
    ),
    ProjectLine(
        "nanbei_dadao_north_ext",
        "重庆南北大道北延段(渝北—川渝高竹新区)",
        "road",
        "urban_trunk",
        "twp:茨竹镇@500112",
        "twp:高滩镇@511623",
        None,
        None,
        "under_construction",
        None,
        "plan 专栏1: 推动 (build), no date",
        "plan text 3.2/专栏1 (高竹新区 roads): ends read as 茨竹镇 (渝北) and 高滩镇 (邻水), the new area's two sides (ASSUMED)",
    ),
    ProjectLine(
        "chuanyu_dadao",
        "川渝大道(川渝高竹新区)",
        "road",
        "urban_trunk",
        "twp:大湾镇@500112",
        "twp:高滩镇@511623",
        None,
        None,
        "under_construction",
        None,
        "plan 专栏1: 推动 (build), no date",
        "plan text 3.2/专栏1 (高竹新区 roads): ends read as 大湾镇 (渝北) and 高滩镇 (邻水) (ASSUMED)",
    ),
    ProjectLine(
        "SUB_YONGCHUAN",
        "中心城区至永川区市域(郊)铁路(规划)",
        "rail",
        "suburban",
        "core_nearest",
        "seat:500118",
        None,
        None,
        "planned",
        None,
        "plan 4.1: 规划建设, no date",
        "plan text 4.1 (no station list published): ends only, placed by rule nearest_core_point → 永川 seat",
    ),
    ProjectLine(
        "SUB_NANCHUAN",
        "中心城区至南川区市域(郊)铁路(规划)",
        "rail",
        "suburban",
        "core_nearest",
        "seat:500119",
        None,
        None,
        "planned",
        None,
        "plan 4.1: 规划建设, no date",
        "plan text 4.1 (no station list published): ends only, placed by rule nearest_core_point → 南川 seat",
    ),
    ProjectLine(
        "SUB_DAZU",
        "中心城区至大足区市域(郊)铁路(规划)",
        "rail",
        "suburban",
        "core_nearest",
        "seat:500111",
        57.2,
        160.0,
        "planned",
        None,
        "plan 4.1: 规划建设, no date",
        "plan text 4.1; 57.2 km, 160 km/h: 市域铁路大足线 (an un-attributed excerpt noted in network/rail/PROVENANCE.txt, low confidence); ends placed by rule nearest_core_point → 大足 seat",
    ),
    ProjectLine(
        "SUB_QIJIANG_WANSHENG",
        "中心城区至綦江区—万盛经开区市域(郊)铁路(规划)",
        "rail",
        "suburban",
        "core_nearest",
        "seat:500110",
        None,
        None,
        "planned",
        None,
        "plan 4.1: 规划建设, no date",
        "plan text 4.1 (no station list published): ends only, placed by rule nearest_core_point → 綦江 seat",
    ),
]
"""The projects modelled here (projects.csv network_ref = ref)."""


def _point(
    spec: str,
    seats: dict[str, Node],
    twps: list[Node],
) -> Node:
    if spec.startswith("seat:"):
        return seats[spec.removeprefix("seat:")]
    name, county = spec.removeprefix("twp:").split("@")
    hits = [t for t in twps if t.name_zh == name and t.code == county]
    if not hits:
        msg = f"project endpoint {spec!r}: no township point of that name in unit {county}"
        raise ValueError(msg)
    return hits[0]


def _nearest_core(far: Node, candidates: list[Node], core: set[str]) -> Node:
    pool = [n for n in candidates if n.code in core]
    return min(pool, key=lambda n: haversine_km(n.lon, n.lat, far.lon, far.lat))


def project_links(  # noqa: PLR0917 - the build's inputs, one each
    seats: dict[str, Node],
    twps: list[Node],
    stations: list[Node],
    core: set[str],
    existing_groups: set[str],
    p: dict[str, float],
) -> tuple[list[Link], list[Node]]:
    """Links (and new end stations) of :data:`PROJECT_LINES` not already built elsewhere."""
    links: list[Link] = []
    new_nodes: list[Node] = []
    for pl in PROJECT_LINES:
        if pl.ref in existing_groups:
            continue
        if pl.b.startswith("nearest:"):
            # the township point of the named unit nearest to the other end
            b = _nearest_core(_point(pl.a, seats, twps), twps, {pl.b.removeprefix("nearest:")})
        else:
            b = _point(pl.b, seats, twps)
        if pl.a == "core_nearest":
            pool = stations if pl.mode == "rail" else [*seats.values(), *twps]
            a = _nearest_core(b, pool, core)
            rule_a = f"nearest_core_point ({a.name_zh})"
        else:
            a = _point(pl.a, seats, twps)
            rule_a = "township_of_named_place"
        if pl.mode == "rail":
            # the far end is a new station at the seat point, marked placed
            b = Node(
                f"stn:{pl.ref}:{b.code}",
                "station",
                f"{pl.name_zh.split('(')[0]}·{b.name_zh.split('驻地')[0]}端",
                b.lon,
                b.lat,
                b.code,
                True,
                "seat_of_unit",
                f"end station of a line without a published station list, placed at the unit seat ({pl.ref})",
            )
            new_nodes.append(b)
        straight = haversine_km(a.lon, a.lat, b.lon, b.lat)
        circ = p["rail.circuity"] if pl.mode == "rail" else p["road.local_circuity"]
        if pl.length_km is not None and pl.length_km >= straight:
            length, kind = pl.length_km, "sourced_total"
        else:
            length, kind = straight * circ, "straight_line_x_circuity"
        links.append(
            Link(
                f"{pl.mode}:{pl.ref}:1",
                a.node_id,
                b.node_id,
                pl.mode,
                pl.category,
                pl.ref,
                pl.ref,
                pl.name_zh,
                length,
                kind,
                pl.design_kmh,
                None,
                "modelled",
                f"{pl.source}; ends: {rule_a} / {pl.b}",
                pl.status,
                pl.year,
                pl.year_basis,
            )
        )
    return links, new_nodes
