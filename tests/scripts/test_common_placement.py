"""Parsers and placement rules of the network build (scripts/netbuild)."""

from __future__ import annotations

import math

import pytest
from netbuild.common import first_number, first_year, fmt, haversine_km, min_number
from netbuild.placement import BORDER_RE, clean_point, county_stem, township_stem
from tests.scripts.toy import SEAT_A, SEAT_B, STATION, placer


def test_number_parsers_read_the_registry_cells() -> None:
    assert first_number("251 (CQ 78)") == 251.0
    assert first_number("100/80") == 100.0
    assert first_number("") is None
    # speeds below 40 km/h in a cell are lane counts or notes, not design speeds
    assert min_number("100/80") == 80.0
    assert min_number("6 lanes, 100-120") == 100.0
    assert min_number("") is None
    assert first_year("started 2024-08-21") == 2024
    assert first_year("planned") is None


def test_fmt_trims_zeros_and_keeps_empty() -> None:
    assert fmt(1.5) == "1.5"
    assert fmt(2.0) == "2"
    assert fmt(0.12345) == "0.123"
    assert fmt(None) == ""


def test_haversine_one_degree_of_latitude() -> None:
    # 1° of latitude on a sphere of radius 6371.0088 km
    assert haversine_km(106.0, 29.0, 106.0, 30.0) == pytest.approx(6371.0088 * math.pi / 180)
    assert haversine_km(106.0, 29.5, 106.0, 29.5) == 0.0


def test_name_stems() -> None:
    assert township_stem("青杠街道") == "青杠"
    assert township_stem("双石镇") == "双石"
    assert township_stem("镇") == "镇"  # a bare suffix is not stripped to nothing
    assert county_stem("合川区") == "合川"
    assert clean_point("绕城高速渝广互通") == "绕城高速渝广"
    assert clean_point("北碚(绕城北碚南互通)") == "北碚"
    assert clean_point("江津双福/三界") == "江津双福"


def test_border_words() -> None:
    assert BORDER_RE.search("川渝界桑家坡")
    assert BORDER_RE.search("前锋区广兴镇(达州界)")
    assert not BORDER_RE.search("巴南界石")
    assert not BORDER_RE.search("上桥(上界段)")


def test_road_point_rules() -> None:
    pl = placer()
    assert pl.road_point("川渝界", None) == (None, "border")
    assert pl.road_point("甲区", None) == (SEAT_A, "seat")
    assert pl.road_point("乙县", None) == (SEAT_B, "seat")
    node, rule = pl.road_point("青杠立交", None)
    assert (node.node_id if node else None, rule) == ("twp:500001101", "township")
    # a label that names its unit is searched in that unit only
    node, rule = pl.road_point("乙双石", None)
    assert (node.node_id if node else None, rule) == ("twp:500002101", "township")
    # an ambiguous stem goes to the township nearest the previous placed point
    node, rule = pl.road_point("双石", (106.13, 29.52))
    assert node is not None and node.code == "500002"
    node, rule = pl.road_point("双石", (106.03, 29.51))
    assert node is not None and node.code == "500001"
    assert pl.road_point("丙站", None) == (STATION, "station")
    assert pl.road_point("无名枢纽", None) == (None, "unmatched")


def test_road_point_second_pass_rules() -> None:
    pl = placer()
    assert pl.road_point_by_stem("甲东互通", set()) == (SEAT_A, "seat_direction")
    node, rule = pl.road_point_by_stem("卫星湖小竹溪", {"500002"})
    assert (node.node_id if node else None, rule) == (
        "twp:500002103",
        "township_stem_in_road_units",
    )
    # the township must lie in a unit the road passes through
    assert pl.road_point_by_stem("卫星湖小竹溪", {"500001"}) == (None, "unmatched")
    # a stem continued by a landmark character names a temple, not the township
    assert pl.road_point_by_stem("朝阳寺", {"500002"}) == (None, "unmatched")
    # tunnels and bridges are never matched
    assert pl.road_point_by_stem("青杠隧道", {"500001"}) == (None, "unmatched")


def test_station_placement_rules() -> None:
    pl = placer()
    res, rule = pl.station("甲", [(106.0, 29.49)], 60.0)
    assert rule == "seat_of_named_unit" and res == (106.0, 29.5, "500001")
    res, rule = pl.station("青杠站", [(106.0, 29.49)], 60.0)
    assert rule == "township_of_same_name" and res == (106.02, 29.5, "500001")
    # too far from every located station of the line: a homonym elsewhere is rejected
    assert pl.station("青杠", [(110.0, 35.0)], 60.0) == (None, "")
