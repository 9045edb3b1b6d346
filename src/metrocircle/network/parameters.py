"""The named modelling assumptions of the strategic network (parameters.toml) and their defaults."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError, Problem

__all__ = [
    "DEFAULT_DESTINATION_GROUPS",
    "DEFAULT_PARAMETERS",
    "DestinationGroup",
    "Parameter",
    "Parameters",
    "load_parameters",
    "read_parameters",
    "replace_values",
    "write_parameters",
]


@dataclass(frozen=True)
class Parameter:
    """One modelling assumption: a value, its unit and why it has that value."""

    name: str
    value: float
    unit: str
    justification: str
    calibrated: bool = False
    prior: float | None = None


@dataclass(frozen=True)
class DestinationGroup:
    """A group of destinations of the plan's rail-reach goals with its time threshold."""

    id: str
    name_zh: str
    name_en: str
    members: tuple[str, ...]
    threshold_min: float
    justification: str


def _p(name: str, value: float, unit: str, why: str, *, calibrated: bool = False) -> Parameter:
    return Parameter(name, value, unit, why, calibrated, value if calibrated else None)


_DEFAULTS: list[Parameter] = [
    _p(
        "network.base_year",
        2020,
        "year",
        "Year of the baseline scenario: the census year the plan's baseline figures use.",
    ),
    _p(
        "placement.unit_snap_max_km",
        8.0,
        "km",
        "A station takes the unit code of the nearest township point within this distance (stations outside the area get none).",
    ),
    _p(
        "placement.max_match_km",
        60.0,
        "km",
        "A station without coordinates is placed at a seat/township of the same name only if that point is this close to a located station of the same line (rejects homonyms elsewhere).",
    ),
    _p(
        "rail.circuity",
        1.2,
        "ratio",
        "Track length / straight-line distance between stations where no line length applies; typical of hilly-terrain railways (tunnels keep it low).",
    ),
    _p(
        "rail.length_ratio_max",
        1.6,
        "ratio",
        "A line's sourced length is split over its listed stations only when length / straight-line sum lies in [1, this]; otherwise the station list is partial.",
    ),
    _p(
        "rail.running_share.high_speed",
        0.7,
        "ratio",
        "Mean running speed between stops / design speed for 250–350 km/h lines (acceleration, braking, lower operating speed).",
        calibrated=True,
    ),
    _p(
        "rail.running_share.conventional",
        0.6,
        "ratio",
        "Mean running speed / design speed for 120–200 km/h mixed passenger-freight lines.",
        calibrated=True,
    ),
    _p(
        "rail.running_share.suburban",
        0.55,
        "ratio",
        "Mean running speed / design speed for suburban lines with short stop spacing (江跳, 璧铜, 渝合).",
        calibrated=True,
    ),
    _p(
        "rail.running_share.planned",
        0.6,
        "ratio",
        "Planned lines of category 'planned' (160 km/h mixed lines): same as conventional.",
        calibrated=True,
    ),
    _p(
        "rail.running_share.external",
        1.0,
        "ratio",
        "External links carry a published time; the share is not used for them (kept for completeness).",
    ),
    _p(
        "rail.default_design_kmh",
        120.0,
        "km/h",
        "Design speed for conventional lines without one in the registry (襄渝, 川黔, 老成渝): the 渝怀 一线 figure (120 km/h, sourced) of the same era.",
    ),
    _p(
        "rail.dwell_min",
        2.0,
        "min",
        "Dwell charged at each arrival stop (typical 2-minute stops of CRH services).",
        calibrated=True,
    ),
    _p(
        "rail.headway_min.high_speed",
        30.0,
        "min",
        "ASSUMED mean daytime headway on high-speed lines: no timetables in the dataset; 成渝 is described as 公交化 (frequent), other lines less so.",
    ),
    _p(
        "rail.headway_min.conventional",
        120.0,
        "min",
        "ASSUMED mean daytime headway of passenger trains on conventional lines (few passenger services); no timetables in the dataset.",
    ),
    _p(
        "rail.headway_min.suburban",
        15.0,
        "min",
        "ASSUMED headway of suburban lines run like metro lines (江跳线 through-runs with Line 5); no timetables in the dataset.",
    ),
    _p(
        "rail.headway_min.planned",
        60.0,
        "min",
        "ASSUMED headway of planned regional lines (C8, 广忠黔, 南广); no timetables exist.",
    ),
    _p(
        "rail.headway_min.external",
        60.0,
        "min",
        "ASSUMED headway of long-distance services on the coarse external links.",
    ),
    _p(
        "rail.through_min",
        5.0,
        "min",
        "Cost of staying on a train that runs from one line onto another at a shared station (Chinese services run across line sections, e.g. 成都东—遂宁—重庆北—万州北); no timetable says which pairs have through trains.",
    ),
    _p(
        "rail.wait_share",
        0.5,
        "ratio",
        "Expected wait = this share of the headway (random arrival at the station).",
    ),
    _p(
        "rail.boarding_min.national",
        15.0,
        "min",
        "Time from the station entrance to the train on national railways: security check and ticket gates that close before departure.",
        calibrated=True,
    ),
    _p(
        "rail.boarding_min.suburban",
        3.0,
        "min",
        "Entrance-to-platform time on suburban lines run like metro lines.",
    ),
    _p("rail.alighting_min", 5.0, "min", "Time from the train to the station exit."),
    _p(
        "rail.wait_max_min",
        10.0,
        "min",
        "Cap on the expected wait: on lines with long headways passengers time their arrival to the published timetable instead of arriving at random, so half the headway (60 min on a 2-hourly line) overstates the wait; 10 min = the margin before a departure a timetable user keeps.",
    ),
    _p(
        "rail.default_design_kmh.metro",
        80.0,
        "km/h",
        "Design maximum of CRT lines without a sourced one: 80 km/h is the common maximum of Chinese metro and monorail stock (Lines 1-3); lines with a higher sourced speed (4, 9: 100 km/h) carry their own.",
    ),
    _p(
        "rail.running_share.metro",
        0.85,
        "ratio",
        "ASSUMED cruising speed between stops / design speed on CRT lines (speed limits on curves and grades); the time lost braking and accelerating at each stop is in rail.dwell_min.metro",
    ),
    _p(
        "rail.headway_min.metro",
        6.0,
        "min",
        "ASSUMED mean daytime headway of CRT metro lines: peak minima 2.5-3.5 min, off-peak 8-10 min (3号线 7/8/10 min peak/off-peak/low, rail-transit.com 2011); no timetables in the dataset.",
    ),
    _p(
        "rail.headway_min.line.BITONG",
        18.0,
        "min",
        "Published: 璧铜线 行车间隔约18分钟 at opening (新华网 cq.news.cn 2025-01-02).",
    ),
    _p(
        "rail.boarding_min.metro",
        3.0,
        "min",
        "Entrance-to-platform time in a CRT station: security check, gates and the (often deep) escalators.",
    ),
    _p(
        "rail.alighting_min.metro",
        2.0,
        "min",
        "Platform-to-exit time in a CRT station (no ticket check on leaving beyond the gate).",
    ),
    _p(
        "rail.alighting_min.suburban",
        2.0,
        "min",
        "Platform-to-exit time on suburban lines run like metro lines (江跳线, 璧铜线).",
    ),
    _p(
        "rail.default_design_kmh.suburban",
        140.0,
        "km/h",
        "Design speed of a planned 市域(郊) railway without a published one: the middle of the registry's suburban lines (江跳 120, 璧铜 140, 渝合 160 km/h).",
    ),
    _p(
        "road.urban_trunk_default_design_kmh",
        60.0,
        "km/h",
        "Design speed of a planned urban trunk road / 快速通道 without a published one: 60 km/h, the design speed published for 金凤隧道 and 新燕尾山隧道 (城市主干路, CJJ 37 class I: 50-60 km/h).",
    ),
    _p(
        "road.urban_trunk_share",
        0.8,
        "ratio",
        "ASSUMED mean car speed / design speed on urban trunk roads and 快速通道 (interchanges and junctions at their ends).",
    ),
    _p(
        "rail.dwell_min.metro",
        1.0,
        "min",
        "Time charged per CRT stop: a 30-40 s dwell plus ~25 s lost braking and accelerating (about 1 m/s² from 80 km/h); with rail.running_share.metro this gives ~40 km/h at 1.5 km stop spacing and ~50 km/h at 3 km, the spread of Chinese metro travel speeds.",
    ),
    _p(
        "rail.dwell_min.suburban",
        0.75,
        "min",
        "Dwell at each stop of a suburban line (江跳线, 璧铜线; 45 s, longer platforms and door cycles than metro).",
    ),
    _p(
        "rail.interchange_max_km",
        0.6,
        "km",
        "Distinct stations this close are joined by an interchange walk (重庆北站南广场 ↔ 重庆北, 歇台子(1) ↔ 歇台子(5)); farther apart, a change goes through the access legs.",
    ),
    _p(
        "rail.feeder_max_km",
        3.0,
        "km",
        "A railway station is joined by a feeder ride (bus or taxi, at access.speed_kmh over access.circuity) to the nearest metro station open by each year within this distance, unless it already walks to one open as early: 重庆东 ↔ 邱家湾 (Line 6) 2.7 km, 几江 ↔ 圣泉寺 (江跳线) 2.0 km, 重庆西 ↔ 二郎 (环线) 2.6 km before 重庆西站's lines open in 2021; farther apart the station is left to the mesh access links.",
    ),
    _p(
        "rail.interchange_circuity",
        1.5,
        "ratio",
        "Walking path / straight line between two stations of an interchange (corridors, stairs, station squares).",
    ),
    _p(
        "rail.interchange_walk_kmh",
        4.5,
        "km/h",
        "Walking speed on an interchange path with luggage and stairs.",
    ),
    _p(
        "road.expressway_share",
        1.0,
        "ratio",
        "Mean car speed on an expressway / its design speed (free-flow, strategic model); fitted to the published times, which opening reports state at about the posted limit, often above the design-speed class the sources give (capped by road.expressway_max_kmh).",
        calibrated=True,
    ),
    _p(
        "road.expressway_max_kmh",
        120.0,
        "km/h",
        "Legal maximum speed on Chinese expressways (《道路交通安全法实施条例》 art. 78: 高速公路…最高车速不得超过每小时120公里); no modelled expressway speed exceeds it.",
    ),
    _p(
        "road.expressway_default_design_kmh",
        80.0,
        "km/h",
        "Design speed of expressways without one in the registry: the lowest regular class of JTG B01-2014 (80/100/120 km/h).",
    ),
    _p(
        "road.expressway_circuity",
        1.25,
        "ratio",
        "Road length / straight-line distance between control points where no section length is published (hilly terrain).",
    ),
    _p(
        "road.local_speed_kmh",
        40.0,
        "km/h",
        "Mean car speed on the modelled local roads (national/provincial roads between township points outside the towns); the dataset has no elevation data, so one value covers the region's hilly terrain.",
        calibrated=True,
    ),
    _p(
        "road.local_circuity",
        1.35,
        "ratio",
        "Local road length / straight-line distance between neighbouring township seats in hilly terrain.",
    ),
    _p(
        "road.urban_speed_kmh",
        30.0,
        "km/h",
        "Mean car speed on town streets outside the core (modelled links between two 街道/seat points, the town part of a seat's ramp). Prior 30 km/h ASSUMED (signal-controlled streets; no speed survey in the dataset); fitted to the published times, which mostly count from the interchange and so pull it to its upper bound.",
        calibrated=True,
    ),
    _p(
        "road.core_speed_kmh",
        40.0,
        "km/h",
        "ASSUMED mean car speed over the modelled streets between 街道 points of the 中心城区 (core units): they stand for the core's 快速路 and arterial network (inner ring roads, cross-river bridges and tunnels), which the dataset does not list link by link. Not fitted: only two published road times start in the core, too few to tell it from the expressway speed.",
    ),
    _p(
        "road.interchange_min",
        2.0,
        "min",
        "ASSUMED time to enter or leave an expressway at an interchange (ramp, toll gate); charged once each way, not when changing expressway at a shared interchange.",
    ),
    _p(
        "road.seat_interchange_km",
        3.0,
        "km",
        "ASSUMED street distance from a unit's seat to an expressway interchange the sources name after the unit (placed at the seat): district towns have their interchanges at the edge of the built-up area.",
    ),
    _p(
        "road.border_snap_max_km",
        15.0,
        "km",
        "A border control point without placed neighbours on both sides goes to the nearest point of the Chongqing boundary only when that is this close to the road's last placed point.",
    ),
    _p(
        "road.mesh_max_km",
        15.0,
        "km",
        "Longest straight-line link of the local road mesh (Delaunay over township/seat points); longer mesh edges are dropped unless needed to keep the mesh connected.",
    ),
    _p(
        "access.speed_kmh",
        25.0,
        "km/h",
        "Mean speed from a point (seat, zone, centre) to its nearest network nodes: urban streets and feeder buses.",
    ),
    _p("access.circuity", 1.3, "ratio", "Access path length / straight-line distance."),
    _p("access.k", 3.0, "count", "A point joins the network through its k nearest nodes."),
    _p(
        "access.max_km",
        10.0,
        "km",
        "Access links longer than this are not made (the nearest node is always joined).",
    ),
    _p(
        "access.station_k",
        2.0,
        "count",
        "A station joins the local road mesh through its k nearest township/seat points.",
    ),
    _p(
        "access.station_max_km",
        12.0,
        "km",
        "Longest station access link; stations farther from any mesh point (outside the area) join through the rail network only.",
    ),
    _p(
        "reach.hub_radius_km",
        20.0,
        "km",
        "Stations within this distance of the centre form the centre's rail hub for the rail-reach indicators (重庆, 重庆北, 重庆西 at 15.5 km, 沙坪坝, 重庆东).",
    ),
    _p(
        "commute.threshold_min",
        60.0,
        "min",
        "The plan's 1-hour commuting circle (chapter 2: 基本实现中心城区与周边区（市、县）1 小时通勤).",
    ),
    _p(
        "commute.basic_share",
        0.8,
        "ratio",
        "ASSUMED reading of 基本实现 (basically achieved): at least this share of the surrounding units within the threshold by the faster mode; the plan sets no share, so four in five is taken and the slowest unit is always shown beside it.",
    ),
]

DEFAULT_PARAMETERS: dict[str, Parameter] = {p.name: p for p in _DEFAULTS}
"""Default parameters, as written to parameters.toml by the build script."""

_J = "plan chapter 4 §2: 逐步实现 1 小时成渝双核直连、3 小时毗邻省会互通、6 小时北上广深通达"
DEFAULT_DESTINATION_GROUPS: dict[str, DestinationGroup] = {
    "chengdu_1h": DestinationGroup(
        "chengdu_1h", "成渝双核直连", "Chengdu within 1 h", ("成都|成都东",), 60.0, _J
    ),
    "capitals_3h": DestinationGroup(
        "capitals_3h",
        "毗邻省会互通",
        "neighbouring provincial capitals within 3 h",
        ("成都|成都东", "贵阳|贵阳北", "长沙", "武汉", "西安"),
        180.0,
        _J + "; capitals of the provinces bordering Chongqing (四川, 贵州, 湖南, 湖北, 陕西)",
    ),
    "beishangguangshen_6h": DestinationGroup(
        "beishangguangshen_6h",
        "北上广深通达",
        "Beijing, Shanghai, Guangzhou, Shenzhen within 6 h",
        ("北京", "上海", "广州", "深圳"),
        360.0,
        _J,
    ),
}
"""Rail-reach destination groups; a member ``a|b`` is reached at the faster of its nodes."""


@dataclass(frozen=True)
class Parameters:
    """A full parameter set: the named values and the destination groups."""

    values: dict[str, Parameter]
    destination_groups: dict[str, DestinationGroup]

    def __getitem__(self, name: str) -> float:
        try:
            return self.values[name].value
        except KeyError:
            msg = (
                f"unknown network parameter {name!r}; parameters.toml defines {sorted(self.values)}"
            )
            raise KeyError(msg) from None

    def get(self, name: str, default: float) -> float:
        """The value of ``name``, or ``default`` when it is not defined."""
        p = self.values.get(name)
        return default if p is None else p.value

    def with_values(self, **changes: float) -> Parameters:
        """A copy with some values replaced (names with dots given as ``a__b``)."""
        vals = dict(self.values)
        for k, v in changes.items():
            name = k.replace("__", ".")
            if name not in vals:
                msg = f"unknown network parameter {name!r}"
                raise KeyError(msg)
            vals[name] = replace(vals[name], value=float(v))
        return Parameters(vals, self.destination_groups)

    def override(self, values: dict[str, float]) -> Parameters:
        """A copy with the values of the mapping ``name → value`` replaced."""
        vals = dict(self.values)
        for name, v in values.items():
            if name not in vals:
                msg = f"unknown network parameter {name!r}"
                raise KeyError(msg)
            vals[name] = replace(vals[name], value=float(v))
        return Parameters(vals, self.destination_groups)


def replace_values(params: dict[str, Parameter], values: dict[str, float]) -> dict[str, Parameter]:
    """A copy of ``params`` with new values; a changed calibrated value keeps its prior."""
    out = dict(params)
    for name, v in values.items():
        p = out[name]
        out[name] = replace(p, value=float(v), prior=p.prior if p.prior is not None else p.value)
    return out


def _q(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_parameters(
    params: dict[str, Parameter],
    path: Path,
    *,
    groups: dict[str, DestinationGroup] | None = None,
) -> None:
    """Write a parameters.toml (one table per parameter, then the destination groups)."""
    lines = [
        "# Every modelling assumption of the strategic network: value, unit, one-line justification.",
        "# 'calibrated = true' marks values fitted to calibration_times.csv (prior = the value before).",
        "",
    ]
    for p in params.values():
        lines.append(f"[parameters.{_q(p.name)}]")
        lines.append(f"value = {float(p.value)!r}")
        lines.append(f"unit = {_q(p.unit)}")
        lines.append(f"justification = {_q(p.justification)}")
        if p.calibrated:
            lines.append("calibrated = true")
            lines.append(f"prior = {float(p.prior if p.prior is not None else p.value)!r}")
        lines.append("")
    for g in (groups or DEFAULT_DESTINATION_GROUPS).values():
        lines.append(f"[destination_groups.{g.id}]")
        lines.append(f"name_zh = {_q(g.name_zh)}")
        lines.append(f"name_en = {_q(g.name_en)}")
        lines.append("members = [" + ", ".join(_q(m) for m in g.members) + "]")
        lines.append(f"threshold_min = {float(g.threshold_min)!r}")
        lines.append(f"justification = {_q(g.justification)}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


def read_parameters(path: Path) -> tuple[Parameters | None, list[Problem]]:
    """Parse parameters.toml, collecting problems as file:row:field."""
    fname = path.name
    try:
        raw: dict[str, Any] = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem(fname, 0, "*", "file not found")]
    except tomllib.TOMLDecodeError as exc:
        return None, [Problem(fname, 0, "*", f"invalid TOML: {exc}")]
    problems: list[Problem] = []
    vals: dict[str, Parameter] = {}
    for name, t in (raw.get("parameters") or {}).items():
        if not isinstance(t, dict):
            problems.append(Problem(fname, 0, f"parameters.{name}", "must be a table"))
            continue
        v = t.get("value")
        if not isinstance(v, int | float) or isinstance(v, bool) or not math.isfinite(v) or v < 0:
            problems.append(
                Problem(fname, 0, f"parameters.{name}.value", "must be a non-negative number")
            )
            continue
        for key in ("unit", "justification"):
            if not isinstance(t.get(key), str) or not t.get(key):
                problems.append(
                    Problem(fname, 0, f"parameters.{name}.{key}", "required text is missing")
                )
        prior = t.get("prior")
        vals[name] = Parameter(
            name,
            float(v),
            str(t.get("unit", "")),
            str(t.get("justification", "")),
            bool(t.get("calibrated", False)),
            None if prior is None else float(prior),
        )
    for name in DEFAULT_PARAMETERS:
        if name not in vals:
            problems.append(
                Problem(fname, 0, f"parameters.{name}", "required parameter is missing")
            )
    groups: dict[str, DestinationGroup] = {}
    for gid, t in (raw.get("destination_groups") or {}).items():
        try:
            groups[gid] = DestinationGroup(
                gid,
                str(t["name_zh"]),
                str(t["name_en"]),
                tuple(str(m) for m in t["members"]),
                float(t["threshold_min"]),
                str(t.get("justification", "")),
            )
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(Problem(fname, 0, f"destination_groups.{gid}", f"invalid group: {exc}"))
    if problems:
        return None, problems
    return Parameters(vals, groups or dict(DEFAULT_DESTINATION_GROUPS)), []


def load_parameters(path: Path) -> Parameters:
    """Read parameters.toml or raise DataValidationError listing every problem."""
    params, problems = read_parameters(path)
    if params is None:
        raise DataValidationError(problems, summary=f"{path} is invalid")
    return params
