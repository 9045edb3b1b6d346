"""Rail: stations (OSM points, then placement rules, then interpolation by sequence) and line links."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise
from pathlib import Path

from .common import OSM_SRC, RAIL_SRC, Link, Node, first_number, first_year, haversine_km, read_csv
from .placement import Placer
from .sources import unit_of_point

__all__ = [
    "EXPECTED_YEAR_NOTES",
    "RailSources",
    "load_rail",
    "osm_stations",
    "place_stations",
    "rail_links",
    "split_chain",
]

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

STATUS_RANK = {"open": 0, "under_construction": 1, "planned": 2}


class RailSources:
    """The rail registry: OSM station points, lines and the ordered stations of each line."""

    def __init__(
        self,
        osm: dict[str, dict[str, str]],
        lines: dict[str, dict[str, str]],
        seq_by_line: dict[str, list[dict[str, str]]],
    ) -> None:
        self.osm = osm
        self.lines = lines
        self.seq_by_line = seq_by_line


def load_rail(rail_dir: Path) -> RailSources:
    """Read stations.csv, lines.csv and line_stations.csv (stations sorted by seq per line)."""
    osm = {r["station_name_zh"]: r for r in read_csv(rail_dir / "stations.csv")}
    lines = {r["line_id"]: r for r in read_csv(rail_dir / "lines.csv")}
    seq_by_line: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in read_csv(rail_dir / "line_stations.csv"):
        seq_by_line[r["line_id"]].append(r)
    for v in seq_by_line.values():
        v.sort(key=lambda r: int(r["seq"]))
    return RailSources(osm, lines, dict(seq_by_line))


def osm_stations(
    src: RailSources, seats: dict[str, Node], twps: list[Node], snap_km: float
) -> dict[str, Node]:
    """Stations with an OSM coordinate; the unit is the nearest township's within ``snap_km``."""
    stations: dict[str, Node] = {}
    for name, r in src.osm.items():
        lon, lat = float(r["lon"]), float(r["lat"])
        stations[name] = Node(
            f"stn:{name}",
            "station",
            name,
            lon,
            lat,
            unit_of_point(lon, lat, seats, twps, snap_km),
            False,
            f"osm:{r['osm_id']}",
            OSM_SRC,
        )
    return stations


def place_stations(
    src: RailSources,
    stations: dict[str, Node],
    placer: Placer,
    *,
    seats: dict[str, Node],
    twps: list[Node],
    p: dict[str, float],
) -> list[str]:
    """Place the stations without coordinates (in place); return the ones left out.

    Pass 1: the seat / township / same-city rules of :meth:`Placer.station`. Pass 2: a
    station between two placed stations of its line is put evenly by sequence between them;
    one without a placed neighbour on one side is dropped (returned as ``line:name``).
    """
    for line_id, rows in src.seq_by_line.items():
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
    for line_id, rows in src.seq_by_line.items():
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
    return dropped


def split_chain(
    coords: list[tuple[float, float]], total: float | None, circuity: float, ratio_max: float
) -> tuple[list[float], str]:
    """Per-segment lengths of a chain: a sourced total split by straight-line share, else circuity."""
    straight = [haversine_km(a[0], a[1], b[0], b[1]) for a, b in pairwise(coords)]
    s = sum(straight)
    if total is not None and s > 0 and 1.0 <= total / s <= ratio_max:
        return [x * total / s for x in straight], "sourced_total_split"
    return [x * circuity for x in straight], "straight_line_x_circuity"


def segment_status(line_status: str, a_status: str, b_status: str) -> str:
    """Status of a link between two stations: the least advanced of the line's and both stations'."""
    st = max(a_status, b_status, line_status, key=lambda s: STATUS_RANK.get(s, 2))
    if line_status != "open" and st == "open":
        st = line_status
    return st


def rail_links(src: RailSources, stations: dict[str, Node], p: dict[str, float]) -> list[Link]:
    """One link per pair of consecutive placed stations of each line."""
    links: list[Link] = []
    for line_id, rows in src.seq_by_line.items():
        line = src.lines[line_id]
        chain = [r for r in rows if r["station_name_zh"] in stations]
        coords = [
            (stations[r["station_name_zh"]].lon, stations[r["station_name_zh"]].lat) for r in chain
        ]
        total = first_number(line["length_km"])
        lengths, kind = split_chain(coords, total, p["rail.circuity"], p["rail.length_ratio_max"])
        design = first_number(line["design_speed_kmh"])
        for k, (ra, rb) in enumerate(pairwise(chain)):
            st = segment_status(line["status"], ra["status"], rb["status"])
            group = line_id if st == line["status"] else f"{line_id}@{st}"
            year: int | None
            basis: str
            if st == "open":
                year, basis = first_year(line["opened"]), "lines.csv opened"
            elif group in EXPECTED_YEAR_NOTES or line_id in EXPECTED_YEAR_NOTES:
                year, basis = EXPECTED_YEAR_NOTES[
                    group if group in EXPECTED_YEAR_NOTES else line_id
                ]
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
    return links
