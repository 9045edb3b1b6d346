"""The metro step: cq.js parsing, GCJ-02 → WGS84, section years, interchange walks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from netbuild import metro
from netbuild.common import Node

from metrocircle.geo import gcj02_to_wgs84

CQ_JS = """export default {
  lineList: [
    { name: '9号线', color: '#A34040', stations: [ 0, 1, 2, 3 ] },
    { name: '18号线', color: '#29D2C9', stations: [ 2, 4 ] },
    { name: '4-环-5号线直达快车', color: '#ED6700', stations: [ 0, 3 ] },
  ],
  stationList: [
    { id: 0, name: '高滩岩', pinyin: 'a', py: 'a', lat: '29.550000', lng: '106.400000' },
    { id: 1, name: '兴科大道', pinyin: 'b', py: 'b', lat: '29.560000', lng: '106.420000' },
    { id: 2, name: '富华路', pinyin: 'c', py: 'c', lat: '29.570000', lng: '106.440000' },
    { id: 3, name: '花石沟', pinyin: 'd', py: 'd', lat: '29.580000', lng: '106.460000' },
    { id: 4, name: '跳磴南', pinyin: 'e', py: 'e', lat: '29.570500', lng: '106.441000' },
  ],
}
"""

P = {
    "rail.circuity": 1.2,
    "rail.length_ratio_max": 1.6,
    "rail.interchange_max_km": 0.6,
    "rail.interchange_circuity": 1.5,
    "rail.interchange_walk_kmh": 4.5,
}


@pytest.fixture
def data(tmp_path: Path) -> metro.MetroData:
    (tmp_path / "cq.js").write_text(CQ_JS, encoding="utf-8")
    return metro.load_metro(tmp_path)


def test_stations_are_parsed_in_order_and_converted(data: metro.MetroData) -> None:
    assert [ln.name for ln in data.lines] == ["9号线", "18号线", "4-环-5号线直达快车"]
    assert data.lines[0].station_ids == (0, 1, 2, 3)
    lon, lat = gcj02_to_wgs84(np.array([106.4]), np.array([29.55]))
    name, x, y = data.stations[0]
    assert name == "高滩岩"
    assert (x, y) == pytest.approx((float(lon[0]), float(lat[0])))


def test_a_later_section_is_its_own_group_with_its_year(data: metro.MetroData) -> None:
    nodes = metro.metro_nodes(data, {}, [], 8.0)
    assert set(nodes) == {0, 1, 2, 3, 4}  # the through service adds no station of its own
    links = metro.metro_links(data, nodes, P)
    l9 = [lk for lk in links if lk.ref == "CRT9"]
    # 高滩岩—兴科大道 2022 (first section), 兴科大道—花石沟 2023
    assert [(lk.group, lk.in_service_year) for lk in l9] == [
        ("CRT9", 2022),
        ("CRT9@2023", 2023),
        ("CRT9@2023", 2023),
    ]
    assert not any(lk.ref.startswith("4-") for lk in links)
    assert all(lk.length_kind == "straight_line_x_circuity" for lk in l9)


def test_unknown_section_is_an_error(
    data: metro.MetroData, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(metro.SECTIONS, "9号线", [("高滩岩", "兴科大道", 2022, "x")])
    nodes = metro.metro_nodes(data, {}, [], 8.0)
    with pytest.raises(ValueError, match="no opening year"):
        metro.metro_links(data, nodes, P)


def test_interchange_walks_join_close_distinct_stations(data: metro.MetroData) -> None:
    nodes = metro.metro_nodes(data, {}, [], 8.0)
    national = {
        "富华路": Node("stn:富华路", "station", "富华路", nodes[2].lon + 0.003, nodes[2].lat)
    }
    links = metro.interchange_links(nodes, national, P)
    pairs = {(lk.from_node, lk.to_node) for lk in links}
    assert ("metro:富华路", "metro:跳磴南") in pairs  # ~110 m apart
    assert ("metro:富华路", "stn:富华路") in pairs  # ~300 m
    assert not any("高滩岩" in a or "高滩岩" in b for a, b in pairs)  # > 2 km from all
    walk = next(lk for lk in links if lk.to_node == "stn:富华路")
    assert walk.minutes == pytest.approx(walk.length_km / 4.5 * 60.0)
    assert walk.mode == "transfer"
