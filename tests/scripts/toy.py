"""Small hand-checkable inputs for the build-step tests: two seats, a few townships, a station."""

from __future__ import annotations

from netbuild.common import Node
from netbuild.placement import Placer

# Two units 0.1° of longitude apart on the equator-ish latitude of Chongqing.
SEAT_A = Node("seat:500001", "seat", "甲区驻地", 106.0, 29.5, "500001")
SEAT_B = Node("seat:500002", "seat", "乙县驻地", 106.1, 29.5, "500002")
SEATS = {"500001": SEAT_A, "500002": SEAT_B}
UNIT_NAMES = {"500001": "甲区", "500002": "乙县"}
TWPS = [
    Node("twp:500001101", "township", "青杠街道", 106.02, 29.5, "500001"),
    Node("twp:500001102", "township", "双石镇", 106.04, 29.51, "500001"),
    Node("twp:500002101", "township", "双石镇", 106.12, 29.52, "500002"),
    Node("twp:500002102", "township", "朝阳街道", 106.14, 29.5, "500002"),
    Node("twp:500002103", "township", "卫星湖街道", 106.16, 29.49, "500002"),
]
STATION = Node("stn:丙站", "station", "丙站", 106.05, 29.45, "500001")


def placer() -> Placer:
    """A placer over the toy seats, townships and one station."""
    return Placer(SEATS, UNIT_NAMES, TWPS, {"丙站": STATION})
