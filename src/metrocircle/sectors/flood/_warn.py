"""Grading readings by the national rules and alerting the reaches downstream."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError
from metrocircle.sectors.flood._exposure import SCHEMATIC, Reach, reaches, townships_along
from metrocircle.sectors.flood._load import (
    dataset_file,
    load_flood_rules,
    load_flood_sources,
    load_flood_stations,
)
from metrocircle.sectors.flood._model import (
    _GEOD,
    RULES_FILE,
    SOURCES_FILE,
    STATIONS_FILE,
    FloodRules,
    FloodStation,
    FloodWarning,
    FloodWarnings,
    LevelReading,
    ReachAlert,
)

ZONES_FILE = "network/zones.csv"

__all__ = [
    "ZONES_FILE",
    "dataset_stations",
    "dataset_zones",
    "flood_warnings",
    "grade_level",
    "layer_document",
    "stations_document",
    "warnings_document",
]

# --------------------------------------------------------------------------- grading


def grade_level(station: FloodStation, level_m: float, rules: FloodRules) -> str | None:
    """The highest national grade the level meets at ``station`` (``None``: no warning).

    Only the level criteria are evaluated; a grade whose level is not published for the
    station cannot be reached.

    Examples
    --------
    >>> rules = load_flood_rules()
    >>> cuntan = next(s for s in load_flood_stations() if s.id == "cuntan")
    >>> grade_level(cuntan, 181.0, rules), grade_level(cuntan, 178.5, rules)
    ('yellow', None)
    """
    if station.highest_level_m is not None and level_m >= station.highest_level_m:
        return "red"
    if station.guarantee_level_m is not None and level_m >= station.guarantee_level_m:
        return "orange"
    if station.warning_level_m is not None:
        if level_m >= station.warning_level_m:
            return "yellow"
        if level_m >= station.warning_level_m - rules.blue_margin_m:
            return "blue"
    return None


def _travel_hours(a: FloodStation, b: FloodStation, rules: FloodRules) -> float | None:
    if a.lon is None or a.lat is None or b.lon is None or b.lat is None:
        return None
    _, _, metres = _GEOD.inv(a.lon, a.lat, b.lon, b.lat)
    return float(metres) / 1000.0 / rules.wave_speed_straight_kmh


def _exposure(
    station_id: str,
    rch: Mapping[str, Reach],
    zones: Sequence[Mapping[str, Any]] | None,
    rules: FloodRules,
) -> tuple[tuple[Mapping[str, Any], ...], str | None]:
    reach = rch.get(station_id)
    if reach is None:
        return (), None
    if zones is None:
        return (), reach.geometry
    found = townships_along(reach, zones, rules.township_distance_km)
    return tuple(t.to_dict() for t in found), reach.geometry


def _downstream_alerts(
    station: FloodStation,
    time: datetime,
    by_id: Mapping[str, FloodStation],
    rules: FloodRules,
    *,
    rch: Mapping[str, Reach],
    zones: Sequence[Mapping[str, Any]] | None,
) -> tuple[ReachAlert, ...]:
    alerts: list[ReachAlert] = []
    hours = 0.0
    here = station
    while here.downstream is not None:
        nxt = by_id[here.downstream]
        leg = _travel_hours(here, nxt, rules)
        if leg is None:
            break
        hours += leg
        if hours > rules.horizon_hours:
            break
        towns, geometry = _exposure(nxt.id, rch, zones, rules)
        alerts.append(
            ReachAlert(
                station_id=nxt.id,
                name_zh=nxt.name_zh,
                name_en=nxt.name_en,
                units=nxt.reach_units,
                travel_hours=hours,
                expected_time=time + timedelta(hours=hours),
                townships=towns,
                reach_geometry=geometry,
            )
        )
        here = nxt
    return tuple(alerts)


def _exposed_projects(
    units: Iterable[str], projects: Iterable[Any], types: Sequence[str]
) -> tuple[Mapping[str, str], ...]:
    wanted = set(units)
    out = []
    for p in projects:
        if p.type in types and wanted.intersection(p.units):
            out.append({"id": p.id, "name_zh": p.name_zh, "name_en": p.name_en, "type": p.type})
    return tuple(out)


def flood_warnings(
    readings: Iterable[LevelReading],
    stations: Sequence[FloodStation] | None = None,
    rules: FloodRules | None = None,
    *,
    projects: Iterable[Any] = (),
    zones: Sequence[Mapping[str, Any]] | None = None,
) -> FloodWarnings:
    """Grade each station at its latest reading and alert the reaches downstream.

    A station at blue or above warns the governments of its own reach (``units``) and, with a
    parameterised travel time, those of each reach further down within the horizon.  With
    ``zones`` (township points: ``zone_id``, ``code``, ``name_zh``, ``lon``, ``lat``), each
    reach lists the townships of its units within ``township_distance_km`` of its
    schematic line.

    Examples
    --------
    >>> from datetime import datetime, timezone, timedelta
    >>> t = datetime(2020, 8, 19, 8, tzinfo=timezone(timedelta(hours=8)))
    >>> res = flood_warnings([LevelReading("cuntan", t, 181.0)])
    >>> w = res.warnings[0]
    >>> w.grade, round(w.above_warning_m, 2), w.units[:2], [a.station_id for a in w.downstream]
    ('yellow', 0.5, ('500105', '500108'), ['changshou', 'qingxichang'])
    """
    project_rows = tuple(projects)
    st = tuple(stations) if stations is not None else load_flood_stations()
    rl = rules if rules is not None else load_flood_rules()
    by_id = {s.id: s for s in st}
    rch = reaches(st)
    latest: dict[str, LevelReading] = {}
    for r in readings:
        if r.station_id not in by_id:
            msg = f"unknown station {r.station_id!r}"
            raise KeyError(msg)
        cur = latest.get(r.station_id)
        if cur is None or r.time > cur.time:
            latest[r.station_id] = r
    out: list[FloodWarning] = []
    for sid, r in latest.items():
        s = by_id[sid]
        g = grade_level(s, r.level_m, rl)
        if g is None:
            continue
        grade = rl.grade(g)
        downstream = _downstream_alerts(s, r.time, by_id, rl, rch=rch, zones=zones)
        towns, geometry = _exposure(sid, rch, zones, rl)
        notified = set(s.reach_units).union(*(a.units for a in downstream))
        out.append(
            FloodWarning(
                station_id=sid,
                name_zh=s.name_zh,
                name_en=s.name_en,
                river=s.river_zh,
                time=r.time,
                level_m=r.level_m,
                above_warning_m=None
                if s.warning_level_m is None
                else r.level_m - s.warning_level_m,
                above_guarantee_m=None
                if s.guarantee_level_m is None
                else r.level_m - s.guarantee_level_m,
                grade=g,
                grade_zh=grade.name_zh,
                criterion=grade.rule_zh,
                units=s.reach_units,
                downstream=downstream,
                projects=_exposed_projects(notified, project_rows, rl.exposure_project_types),
                townships=towns,
                reach_geometry=geometry,
            )
        )
    order = {g.grade: n for n, g in enumerate(rl.grades)}
    out.sort(key=lambda w: (-order[w.grade], -(w.above_warning_m or 0.0), w.station_id))
    return FloodWarnings(
        warnings=tuple(out),
        stations_read=len(latest),
        rule=f"{rl.publisher}{rl.publication}",
        limitation=(
            "Level criteria only: the return-period criteria (5, 20, 50 years) need frequency "
            "curves that are not published for these stations; a grade whose level a station "
            "does not publish cannot be reached there. Downstream times are parameterised. "
            "Reaches are schematic (straight lines between stations): no open river geometry "
            "was available."
        ),
        related_targets=rl.related_targets,
        township_distance_km=rl.township_distance_km if zones is not None else None,
        limitation_zh=(
            "仅按水位条件分级：重现期条件（5年、20年、50年一遇）需各站洪水频率曲线，未见公开发布；"
            "站点未公布相应水位的等级无法判定。下游到达时间为参数化估算，不是水文预报。"
            "河段为示意线（站点之间的直线），未取得公开的河道空间数据。"
        ),
    )


# --------------------------------------------------------------------------- documents


def stations_document(root: Path | None = None) -> list[dict[str, Any]]:
    """The station list as the CLI's ``--json`` and the API give it (one item per station).

    ``root`` is a dataset folder (default: the embedded Chongqing dataset).

    Examples
    --------
    >>> items = stations_document()
    >>> sorted(items[0])[:5]
    ['datum', 'downstream', 'guarantee_basis', 'guarantee_level_m', 'highest_level_m']
    """
    sources = load_flood_sources(dataset_file(root, SOURCES_FILE))
    stations = load_flood_stations(dataset_file(root, STATIONS_FILE), sources=sources)
    return [s.to_dict(sources) for s in stations]


def warnings_document(
    readings: Iterable[LevelReading], root: Path | None = None, *, projects: Iterable[Any] = ()
) -> dict[str, Any]:
    """The warnings of ``readings`` as the CLI's ``--json`` and the API give them.

    ``projects`` are the region's key projects (``Region.projects``): those of the exposure
    types in a notified unit are listed under each warning; the townships along each reach
    come from the dataset's ``network/zones.csv`` when it has one.
    """
    stations = dataset_stations(root)
    rules = load_flood_rules(dataset_file(root, RULES_FILE))
    return flood_warnings(
        readings, stations, rules, projects=projects, zones=dataset_zones(root)
    ).to_dict()


def dataset_zones(root: Path | None = None) -> list[dict[str, Any]] | None:
    """The township points of a dataset folder (``None`` when it has no zones file)."""
    from metrocircle.access.zones import read_zones

    path = dataset_file(root, ZONES_FILE)
    if not path.is_file():
        return None
    df, problems = read_zones(path)
    if df is None:
        raise DataValidationError(problems)
    cols = ["zone_id", "code", "name_zh", "lon", "lat"]
    return [dict(r) for r in df[cols].to_dict("records")]


def dataset_stations(root: Path | None = None) -> tuple[FloodStation, ...]:
    """The stations of a dataset folder (default: the embedded one)."""
    sources = load_flood_sources(dataset_file(root, SOURCES_FILE))
    return load_flood_stations(dataset_file(root, STATIONS_FILE), sources=sources)


def layer_document(
    readings: Iterable[LevelReading], root: Path | None = None, *, projects: Iterable[Any] = ()
) -> dict[str, Any]:
    """The dashboard's flood layer: a GeoJSON FeatureCollection of stations and reaches.

    Each placed station is a Point with its latest reading and ``status``: ``no_reading``,
    ``no_level`` (read, but the station publishes no level to grade it by), ``normal`` or the
    grade.  Each reach is a LineString (``geometry_kind`` ``schematic``) with ``alert``: the
    highest grade of a warning whose own or downstream reach it is (``None`` otherwise).
    ``warnings`` holds the warnings document of the same readings (with the townships and,
    given ``projects``, the key projects of each warning).
    """
    stations = dataset_stations(root)
    rules = load_flood_rules(dataset_file(root, RULES_FILE))
    readings = tuple(readings)
    doc = flood_warnings(
        readings, stations, rules, projects=projects, zones=dataset_zones(root)
    ).to_dict()
    order = {g.grade: n for n, g in enumerate(rules.grades)}
    latest: dict[str, LevelReading] = {}
    for r in readings:
        if r.station_id not in latest or r.time > latest[r.station_id].time:
            latest[r.station_id] = r
    graded = {w["station_id"]: w["grade"] for w in doc["warnings"]}
    alert: dict[str, str] = {}
    for w in doc["warnings"]:
        for sid in [w["station_id"], *(a["station_id"] for a in w["downstream"])]:
            if sid not in alert or order[w["grade"]] > order[alert[sid]]:
                alert[sid] = w["grade"]
    features: list[dict[str, Any]] = [
        reach.to_feature(alert=alert.get(sid)) for sid, reach in reaches(stations).items()
    ]
    for s in stations:
        if s.lon is None or s.lat is None:
            continue
        last = latest.get(s.id)
        if last is None:
            status = "no_reading"
        elif s.id in graded:
            status = graded[s.id]
        elif s.warning_level_m is None and s.guarantee_level_m is None:
            status = "no_level"
        else:
            status = "normal"
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [s.lon, s.lat]},
                "properties": {
                    "kind": "station",
                    "id": s.id,
                    "name_zh": s.name_zh,
                    "name_en": s.name_en,
                    "river_zh": s.river_zh,
                    "river_en": s.river_en,
                    "warning_level_m": s.warning_level_m,
                    "guarantee_level_m": s.guarantee_level_m,
                    "level_m": None if last is None else last.level_m,
                    "time": None if last is None else last.time.isoformat(),
                    "above_warning_m": None
                    if last is None or s.warning_level_m is None
                    else round(last.level_m - s.warning_level_m, 2),
                    "status": status,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "reach_geometry": SCHEMATIC,
        "warnings": doc,
    }
