"""Rail, road, access, scenario and writer steps of the network build on small hand-made inputs."""

from __future__ import annotations

import csv
import itertools
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from netbuild.access import station_access_links
from netbuild.common import Link, Node, haversine_km
from netbuild.rail import RailSources, place_stations, rail_links, segment_status, split_chain
from netbuild.road import (
    BorderPlacer,
    Span,
    expressway_links,
    load_point_rules,
    load_spans,
    local_mesh,
)
from netbuild.scenarios import write_scenarios
from netbuild.writers import write_links, write_nodes
from tests.scripts.toy import SEATS, TWPS, placer

from metrocircle.network.model import LINK_COLUMNS, NODE_COLUMNS

P = {
    "rail.circuity": 1.2,
    "rail.length_ratio_max": 1.6,
    "placement.max_match_km": 60.0,
    "placement.unit_snap_max_km": 8.0,
    "road.expressway_circuity": 1.25,
    "road.local_circuity": 1.35,
    "road.mesh_max_km": 15.0,
    "road.seat_interchange_km": 3.0,
    "road.border_snap_max_km": 15.0,
    "access.station_k": 2.0,
    "access.station_max_km": 12.0,
    "access.circuity": 1.3,
}


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def test_split_chain_spreads_a_sourced_total_by_straight_share() -> None:
    coords = [(106.0, 29.5), (106.1, 29.5), (106.3, 29.5)]
    d1 = haversine_km(106.0, 29.5, 106.1, 29.5)
    d2 = haversine_km(106.1, 29.5, 106.3, 29.5)
    lengths, kind = split_chain(coords, (d1 + d2) * 1.5, 1.2, 1.6)
    assert kind == "sourced_total_split"
    assert lengths == pytest.approx([d1 * 1.5, d2 * 1.5])
    # a total shorter than the straight line (partial station list) falls back to circuity
    lengths, kind = split_chain(coords, d1, 1.2, 1.6)
    assert kind == "straight_line_x_circuity"
    assert lengths == pytest.approx([d1 * 1.2, d2 * 1.2])


def test_segment_status_is_the_least_advanced() -> None:
    assert segment_status("open", "open", "open") == "open"
    assert segment_status("open", "open", "under_construction") == "under_construction"
    assert segment_status("planned", "open", "open") == "planned"


def _toy_line() -> RailSources:
    rows = [
        {"line_id": "L1", "seq": str(i + 1), "station_name_zh": n, "status": "open"}
        for i, n in enumerate(["甲", "中间", "乙"])
    ]
    line = {
        "line_id": "L1",
        "name_zh": "甲乙线",
        "category": "high_speed",
        "status": "open",
        "opened": "2015-12-26",
        "length_km": "",
        "design_speed_kmh": "250",
        "source_url": "https://example.org/a ; https://example.org/b",
    }
    return RailSources({}, {"L1": line}, {"L1": rows})


def test_stations_placed_at_seats_then_interpolated_and_linked() -> None:
    src = _toy_line()
    stations: dict[str, Node] = {}
    pl = placer()
    pl.stations = stations
    dropped = place_stations(src, stations, pl, seats=SEATS, twps=TWPS, p=P)
    assert dropped == []
    assert stations["甲"].placement == "seat_of_named_unit"
    assert stations["乙"].placement == "seat_of_named_unit"
    mid = stations["中间"]
    assert mid.placement == "interpolated_by_sequence"
    assert (mid.lon, mid.lat) == pytest.approx((106.05, 29.5))
    links = rail_links(src, stations, P)
    assert [lk.link_id for lk in links] == ["rail:L1:1", "rail:L1:2"]
    assert links[0].length_km == pytest.approx(haversine_km(106.0, 29.5, 106.05, 29.5) * 1.2)
    assert links[0].in_service_year == 2015
    assert links[0].design_speed_kmh == 250.0
    assert links[0].source.endswith("https://example.org/a")


def test_station_without_placed_neighbour_is_dropped() -> None:
    src = _toy_line()
    src.seq_by_line["L1"].append({"line_id": "L1", "seq": "4", "station_name_zh": "远方"})
    stations: dict[str, Node] = {}
    pl = placer()
    pl.stations = stations
    assert place_stations(src, stations, pl, seats=SEATS, twps=TWPS, p=P) == ["L1:远方"]


def _road_dir(tmp_path: Path, lengths: list[str]) -> Path:
    _write(
        tmp_path / "expressways.csv",
        [
            {
                "road_id": "R1",
                "code": "G1",
                "name_zh": "甲乙高速",
                "status": "open",
                "opened": "2010-01-01",
                "design_speed_kmh": "100/80",
                "lanes": "4",
                "length_km": "",
                "source_url": "https://example.org/r",
            }
        ],
    )
    pts = ["甲区", "青杠", "川渝界", "乙县"]
    _write(
        tmp_path / "expressway_sections.csv",
        [
            {
                "road_id": "R1",
                "seq": str(i + 1),
                "from_point_zh": a,
                "to_point_zh": b,
                "length_km": lengths[i],
                "source_url": "",
            }
            for i, (a, b) in enumerate(itertools.pairwise(pts))
        ],
    )
    return tmp_path


def _expressways(res):  # type: ignore[no-untyped-def]
    return [lk for lk in res.links if lk.category == "expressway"]


def test_expressway_sections_sum_over_an_unplaced_point(tmp_path: Path) -> None:
    res = expressway_links(_road_dir(tmp_path, ["3", "4", "5"]), placer(), P)
    ex = _expressways(res)
    # expressways run between interchange nodes of their placed points
    assert [(lk.from_node, lk.to_node) for lk in ex] == [
        ("ic:seat:500001", "ic:twp:500001101"),
        ("ic:twp:500001101", "ic:seat:500002"),
    ]
    # 青杠 → 乙县 runs over the border point: the two published sections add up
    assert [lk.length_km for lk in ex] == [3.0, 9.0]
    assert {lk.length_kind for lk in ex} == {"sourced_sections"}
    assert ex[0].design_speed_kmh == 80.0
    assert ex[0].in_service_year == 2010
    assert dict(res.placement_log) == {"seat": 2, "township": 1, "border": 1}


def test_each_interchange_has_one_ramp_and_a_seat_ramp_has_town_streets(tmp_path: Path) -> None:
    res = expressway_links(_road_dir(tmp_path, ["3", "4", "5"]), placer(), P)
    ramps = {lk.from_node: lk for lk in res.links if lk.category == "ramp"}
    assert set(ramps) == {"ic:seat:500001", "ic:twp:500001101", "ic:seat:500002"}
    assert ramps["ic:seat:500001"].to_node == "seat:500001"
    assert ramps["ic:seat:500001"].length_km == 3.0  # road.seat_interchange_km
    assert ramps["ic:twp:500001101"].length_km == 0.0
    assert {n.kind for n in res.nodes} == {"interchange"}


def test_expressway_without_a_section_length_uses_circuity(tmp_path: Path) -> None:
    res = expressway_links(_road_dir(tmp_path, ["3", "", "5"]), placer(), P)
    lk = _expressways(res)[1]
    assert lk.length_kind == "straight_line_x_circuity"
    assert lk.length_km == pytest.approx(haversine_km(106.02, 29.5, 106.1, 29.5) * 1.25)


def test_a_published_span_is_split_by_straight_share_around_known_sections(
    tmp_path: Path,
) -> None:
    # 甲区 → 青杠 has its section (3 km); the span 1 → 4 (甲区 → 乙县) is 20 km: the
    # unknown link 青杠 → 乙县 gets the remaining 17 km, whatever lies between
    res = expressway_links(
        _road_dir(tmp_path, ["3", "", ""]),
        placer(),
        P,
        spans={"R1": [Span(1, 4, 20.0, "test total", "https://example.org/len")]},
    )
    ex = _expressways(res)
    assert [lk.length_km for lk in ex] == pytest.approx([3.0, 17.0])
    assert ex[1].length_kind == "sourced_span_split"
    assert "https://example.org/len" in ex[1].source


def test_listed_points_override_name_rules_and_insert_junctions(tmp_path: Path) -> None:
    _write(
        tmp_path / "points.csv",
        [
            {
                "road_id": "R1",
                "seq": "2",
                "label": "青杠",
                "rule": "township",
                "unit_code": "500002",
                "township": "朝阳街道",
                "basis": "test: the interchange is in 朝阳",
            },
            {
                "road_id": "R1",
                "seq": "0.5",
                "label": "城区起点",
                "rule": "township",
                "unit_code": "500001",
                "township": "双石镇",
                "basis": "test: named junction of another road",
            },
            {
                "road_id": "R9",
                "seq": "*",
                "label": "",
                "rule": "overview_not_linked",
                "unit_code": "",
                "township": "",
                "basis": "test: summary row",
            },
        ],
    )
    rules, overview = load_point_rules(tmp_path / "points.csv", SEATS, TWPS)
    assert overview == {"R9"}
    road = tmp_path / "road"
    road.mkdir()
    res = expressway_links(
        _road_dir(road, ["3", "4", "5"]), placer(), P, point_rules=rules, overview=overview
    )
    ex = _expressways(res)
    assert [lk.from_node for lk in ex] == ["ic:twp:500001102", "ic:seat:500001", "ic:twp:500002102"]
    assert ("R1", "2", "青杠", "listed_township", "twp:500002102 朝阳街道") in res.point_log


def test_a_bad_point_row_names_file_row_and_field(tmp_path: Path) -> None:
    row = {
        "road_id": "R1",
        "seq": "2",
        "label": "青杠",
        "rule": "township",
        "unit_code": "500002",
        "township": "不存在镇",
        "basis": "x",
    }
    _write(tmp_path / "points.csv", [row])
    with pytest.raises(ValueError, match=r"points\.csv:2:township"):
        load_point_rules(tmp_path / "points.csv", SEATS, TWPS)
    _write(
        tmp_path / "lengths.csv",
        [
            {
                "road_id": "R1",
                "from_seq": "3",
                "to_seq": "1",
                "length_km": "5",
                "basis": "x",
                "source_url": "u",
            }
        ],
    )
    with pytest.raises(ValueError, match=r"lengths\.csv:2:to_seq"):
        load_spans(tmp_path / "lengths.csv")


def test_border_point_sits_where_the_road_crosses_the_boundary() -> None:
    from shapely.geometry import box

    home = box(105.9, 29.4, 106.05, 29.6)  # the province ends at lon 106.05
    bp = BorderPlacer(home, 15.0)
    ll, rule = bp.place("川渝界", SEATS["500001"], SEATS["500002"])
    assert rule == "border_crossing"
    assert ll == pytest.approx((106.05, 29.5))
    # no placed point beyond the border: the nearest boundary point, if close enough
    ll, rule = bp.place("川渝界", SEATS["500001"], None)
    assert rule == "border_nearest" and ll == pytest.approx((106.05, 29.5))
    assert BorderPlacer(home, 1.0).place("川渝界", SEATS["500001"], None) == (None, "border")


def test_local_mesh_tells_town_streets_core_streets_and_local_roads() -> None:
    mesh = local_mesh(SEATS, TWPS, P, frozenset({"500001"}))
    cat = {(lk.from_node, lk.to_node): lk.category for lk in mesh.links}
    # seat and 街道 of a core unit: core street; a 镇 end: local road
    assert cat[("seat:500001", "twp:500001101")] == "core"
    assert all(c == "local" for (a, b), c in cat.items() if "twp:500001102" in (a, b))
    # two 街道 of a unit outside the core: town street
    assert cat[("twp:500002102", "twp:500002103")] == "urban"


def test_local_mesh_connects_every_point() -> None:
    mesh = local_mesh(SEATS, TWPS, P)
    assert len(mesh.nodes) == 7
    ends = {lk.from_node for lk in mesh.links} | {lk.to_node for lk in mesh.links}
    assert ends == {n.node_id for n in mesh.nodes}
    for lk in mesh.links:
        a = next(n for n in mesh.nodes if n.node_id == lk.from_node)
        b = next(n for n in mesh.nodes if n.node_id == lk.to_node)
        assert lk.length_km == pytest.approx(haversine_km(a.lon, a.lat, b.lon, b.lat) * 1.35, 0.01)


def test_station_access_joins_the_k_nearest_within_reach() -> None:
    mesh = local_mesh(SEATS, TWPS, P)
    near = Node("stn:近", "station", "近", 106.0, 29.49)
    far = Node("stn:远", "station", "远", 107.0, 29.5)
    links = station_access_links({"近": near, "远": far}, mesh, P)
    assert {lk.to_node for lk in links} == {"seat:500001", "twp:500001101"}
    assert all(lk.from_node == "stn:近" for lk in links)


def _link(group: str, status: str, year: int | None) -> Link:
    return Link(
        f"x:{group}",
        "a",
        "b",
        "road",
        "expressway",
        group,
        group,
        group,
        1.0,
        "sourced_sections",
        None,
        None,
        "modelled",
        "",
        status,
        year,
        "test",
    )


def test_scenarios_put_each_group_in_its_year(tmp_path: Path) -> None:
    links = [
        _link("OLD", "open", 2010),
        _link("NEW", "open", 2023),
        _link("LATE", "open", 2027),
        _link("BUILD", "under_construction", None),
        _link("local_mesh", "open", None),
    ]
    write_scenarios(links, tmp_path / "s.toml")
    sc = {s["id"]: s for s in tomllib.loads((tmp_path / "s.toml").read_text())["scenarios"]}
    assert [m["ref"] for m in sc["plan-2025"]["modifications"]] == ["NEW"]
    mods35 = {m["ref"]: m["in_service_year"] for m in sc["plan-2035"]["modifications"]}
    assert mods35 == {"LATE": 2027, "BUILD": 2035}
    assert "modifications" not in sc["baseline-2020"]


def test_writers_emit_the_model_columns(tmp_path: Path) -> None:
    write_nodes([SEATS["500001"]], tmp_path / "n.csv")
    write_links([_link("R", "open", 2010)], tmp_path / "l.csv")
    n = pd.read_csv(tmp_path / "n.csv", dtype=str)
    lk = pd.read_csv(tmp_path / "l.csv", dtype=str, keep_default_na=False)
    assert list(n.columns) == list(NODE_COLUMNS)
    assert list(lk.columns) == list(LINK_COLUMNS)
    assert n.loc[0, "lon"] == "106.000000"
    assert lk.loc[0, "length_km"] == "1"
    assert lk.loc[0, "in_service_year"] == "2010"
    assert lk.loc[0, "minutes"] == ""


def test_zones_split_urban_over_streets_and_rural_over_towns(tmp_path: Path) -> None:
    from netbuild.zones import write_zones

    (tmp_path / "census2020").mkdir()
    _write(
        tmp_path / "census2020" / "census2020_cq_metro_27units.csv",
        [
            {"区划代码": "500001", "城镇人口": "1000", "乡村人口": "300"},
            {"区划代码": "500002", "城镇人口": "900", "乡村人口": "100"},
        ],
    )
    write_zones(tmp_path, TWPS, tmp_path / "zones.csv")
    z = pd.read_csv(tmp_path / "zones.csv", dtype={"code": str}).set_index("name_zh")
    # 500001: one 街道 takes the 1000 urban, one 镇 the 300 rural
    a = z[z["code"] == "500001"]["population_est"].to_dict()
    assert a == {"青杠街道": 1000, "双石镇": 300}
    # 500002: two 街道 share 900, one 镇 takes 100
    b = z[z["code"] == "500002"]["population_est"].to_dict()
    assert b == {"双石镇": 100, "朝阳街道": 450, "卫星湖街道": 450}
    assert z["population_est"].sum() == 2300


def test_a_railway_station_without_an_interchange_rides_to_its_nearest_metro_station() -> None:
    from netbuild.access import station_feeder_links

    p = {"rail.feeder_max_km": 3.0, "access.circuity": 1.3}
    rail_stn = Node("stn:东站", "station", "东站", 106.0, 29.5, "500001")
    walked = Node("stn:北站", "station", "北站", 106.2, 29.5, "500001")
    lone = Node("stn:远站", "station", "远站", 106.5, 29.5, "500002")
    near = Node("metro:近", "station", "近", 106.02, 29.5, "500001")  # ~1.9 km east
    nearer_walk = Node("metro:北站", "station", "北站", 106.2005, 29.5, "500001")
    farther = Node("metro:次", "station", "次", 106.025, 29.5, "500001")
    metro = {1: near, 2: nearer_walk, 3: farther}
    # a replaced registry line's station is a metro node under the same id: no self link
    national = {"东站": rail_stn, "北站": walked, "远站": lone, "近": near}
    opened = {"metro:近": 2014, "metro:北站": 2014, "metro:次": 2014}
    links = station_feeder_links(national, metro, {"stn:北站": {"metro:北站"}}, opened, p)
    assert [(lk.from_node, lk.to_node) for lk in links] == [("stn:东站", "metro:近")]
    (lk,) = links
    assert lk.mode == "access" and lk.category == "station_feeder"
    assert lk.length_km == pytest.approx(haversine_km(106.0, 29.5, 106.02, 29.5) * 1.3)


def test_a_railway_station_whose_metro_opens_later_rides_to_an_earlier_line() -> None:
    """重庆西: the walk leads to 重庆西站 (lines of 2021); before that, a ride to 二郎 (2019)."""
    from netbuild.access import metro_open_years, station_feeder_links

    p = {"rail.feeder_max_km": 3.0, "access.circuity": 1.3}
    west = Node("stn:西站", "station", "西站", 106.0, 29.5, "500001")
    own = Node("metro:西站", "station", "西站", 106.003, 29.5, "500001")  # ~0.3 km, opens 2021
    early = Node("metro:二郎", "station", "二郎", 106.026, 29.5, "500001")  # ~2.5 km, 2019
    later_far = Node("metro:三郎", "station", "三郎", 106.028, 29.5, "500001")  # 2.7 km, 2023
    too_far = Node("metro:远", "station", "远", 106.05, 29.5, "500001")  # ~4.8 km, 2010
    unbuilt = Node("metro:未建", "station", "未建", 106.01, 29.5, "500001")  # no built line
    metro = {1: own, 2: early, 3: later_far, 4: too_far, 5: unbuilt}

    def ride(a: str, b: str, year: int) -> Link:
        return Link(
            f"metro:L:{a}",
            a,
            b,
            "rail",
            "metro",
            "L",
            "L",
            "线",
            1.0,
            "",
            None,
            None,
            "modelled",
            "",
            "open",
            year,
            "",
        )

    opened = metro_open_years(
        [
            ride("metro:西站", "metro:X", 2021),
            ride("metro:二郎", "metro:Y", 2019),
            ride("metro:三郎", "metro:Z", 2023),
            ride("metro:远", "metro:W", 2010),
        ]
    )
    assert opened["metro:二郎"] == 2019 and "metro:未建" not in opened
    links = station_feeder_links({"西站": west}, metro, {"stn:西站": {"metro:西站"}}, opened, p)
    # the walk covers 2021 on; 二郎 is the nearest earlier station; 三郎 opens later than
    # the walk's station, 远 is beyond the limit, 未建 is on no built line
    assert [(lk.from_node, lk.to_node) for lk in links] == [("stn:西站", "metro:二郎")]
