"""External destinations the plan names and the coarse sourced rail links that reach them."""

from __future__ import annotations

from .common import GEONAMES_SRC, Link, Node, first_year

__all__ = [
    "EXTERNAL_CITIES",
    "EXTERNAL_FROM_STATEMENT",
    "EXTERNAL_LINKS",
    "external_links",
    "external_nodes",
]

# External destinations the plan names (ch.4 §2: 1 h 成渝, 3 h neighbouring provincial
# capitals, 6 h 北上广深). Coordinates are GeoNames city points (coarse; display only).
EXTERNAL_CITIES: dict[str, tuple[float, float, str]] = {
    # name_zh: (lon, lat, GeoNames name)
    "北京": (116.39723, 39.9075, "Beijing"),
    "上海": (121.45806, 31.22222, "Shanghai"),
    "广州": (113.25, 23.11667, "Guangzhou"),
    "深圳": (114.0683, 22.54554, "Shenzhen"),
    "武汉": (114.26667, 30.58333, "Wuhan"),
    "长沙": (112.97087, 28.19874, "Changsha (Hunan)"),
    "西安": (108.92861, 34.25833, "Xi'an (Shaanxi)"),
    "郑州": (113.64861, 34.75778, "Zhengzhou"),
    "昆明": (102.71833, 25.03889, "Kunming"),
}

# Published times used as coarse external rail links (rows of calibration_times.csv,
# matched by mode/from/to; they are then excluded from the calibration to avoid a
# circular fit). (from_station_node_name, calib_from, calib_to, external_city, note)
EXTERNAL_LINKS: list[tuple[str, str, str, str, str]] = [
    (
        "重庆北",
        "重庆",
        "北京",
        "北京",
        "attached at 重庆北, where 郑渝高铁 trains start (2022 announcement)",
    ),
    (
        "重庆北",
        "重庆",
        "郑州",
        "郑州",
        "attached at 重庆北, where 郑渝高铁 trains start (2022 announcement)",
    ),
    ("重庆北", "重庆", "武汉", "武汉", "attached at 重庆北 (2022 announcement)"),
    ("重庆西", "重庆", "广州", "广州", "attached at 重庆西, the 渝贵 terminus (2018 announcement)"),
    (
        "重庆西",
        "重庆",
        "昆明",
        "昆明",
        "attached at 重庆西; 2018 forecast ('将缩短至'), not a timetable",
    ),
]
# One more external time is stated inside the text of a calibration row (重庆东→长沙 3 h 53 min).
EXTERNAL_FROM_STATEMENT = (
    "重庆东",
    "重庆东",
    "黔江",
    "长沙",
    233.0,
    "3小时53分 in the statement of the 重庆东→黔江 row (2025-06-25)",
)


def external_nodes() -> dict[str, Node]:
    """One node per external city (GeoNames point; coarse, for display)."""
    ext_nodes: dict[str, Node] = {}
    for name, (lon, lat, gname) in EXTERNAL_CITIES.items():
        ext_nodes[name] = Node(
            f"ext:{name}",
            "external",
            name,
            lon,
            lat,
            "",
            False,
            "external_city_point",
            f"{GEONAMES_SRC} ({gname})",
        )
    return ext_nodes


def external_links(
    calib: list[dict[str, str]], stations: dict[str, Node], ext_nodes: dict[str, Node]
) -> list[Link]:
    """Sourced links station → external city carrying a published time of calibration_times.csv."""
    links: list[Link] = []
    for stn, cf, ct, city, note in EXTERNAL_LINKS:
        row = next(
            r for r in calib if r["mode"] == "rail" and r["from_zh"] == cf and r["to_zh"] == ct
        )
        links.append(
            Link(
                f"ext:{stn}:{city}",
                stations[stn].node_id,
                ext_nodes[city].node_id,
                "rail",
                "external",
                f"EXT_{city}",
                f"EXT_{city}",
                f"{stn}—{city} (coarse external link)",
                0.0,
                "not_modelled",
                None,
                float(row["minutes"]),
                "sourced",
                f"calibration_times.csv: {row['statement_or_route']} — {row['source_url']} ({row['statement_date']}); {note}",
                "open",
                first_year(row["statement_date"]),
                "statement date",
                extra={"points": f"calibration_row=rail|{cf}|{ct}"},
            )
        )
    stn, cf, ct, city, minutes, note = EXTERNAL_FROM_STATEMENT
    row = next(r for r in calib if r["mode"] == "rail" and r["from_zh"] == cf and r["to_zh"] == ct)
    links.append(
        Link(
            f"ext:{stn}:{city}",
            stations[stn].node_id,
            ext_nodes[city].node_id,
            "rail",
            "external",
            f"EXT_{city}",
            f"EXT_{city}",
            f"{stn}—{city} (coarse external link)",
            0.0,
            "not_modelled",
            None,
            float(minutes),
            "sourced",
            f"{note}: {row['source_url']}",
            "open",
            first_year(row["statement_date"]),
            "statement date",
        )
    )
    return links
