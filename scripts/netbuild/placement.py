"""Place names to nodes: expressway control points and stations without coordinates.

Every rule is documented on the method that applies it; the build report lists, per
control point, the rule that placed it.
"""

from __future__ import annotations

import re
from collections import defaultdict

import numpy as np

from .common import Node, haversine_km

__all__ = [
    "BORDER_RE",
    "DIRECTIONS",
    "LANDMARK_CHARS",
    "Placer",
    "clean_point",
    "county_stem",
    "township_stem",
]

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
