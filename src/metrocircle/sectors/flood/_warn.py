"""Grading readings by the national rules and alerting the reaches downstream."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

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

__all__ = [
    "dataset_stations",
    "flood_warnings",
    "grade_level",
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


def _downstream_alerts(
    station: FloodStation,
    time: datetime,
    by_id: Mapping[str, FloodStation],
    rules: FloodRules,
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
        alerts.append(
            ReachAlert(
                station_id=nxt.id,
                name_zh=nxt.name_zh,
                name_en=nxt.name_en,
                units=nxt.reach_units,
                travel_hours=hours,
                expected_time=time + timedelta(hours=hours),
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
) -> FloodWarnings:
    """Grade each station at its latest reading and alert the reaches downstream.

    A station at blue or above warns the governments of its own reach (``units``) and, with a
    parameterised travel time, those of each reach further down within the horizon.

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
        downstream = _downstream_alerts(s, r.time, by_id, rl)
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
            "does not publish cannot be reached there. Downstream times are parameterised."
        ),
        related_targets=rl.related_targets,
        limitation_zh=(
            "仅按水位条件分级：重现期条件（5年、20年、50年一遇）需各站洪水频率曲线，未见公开发布；"
            "站点未公布相应水位的等级无法判定。下游到达时间为参数化估算，不是水文预报。"
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
    types in a notified unit are listed under each warning.
    """
    stations = dataset_stations(root)
    rules = load_flood_rules(dataset_file(root, RULES_FILE))
    return flood_warnings(readings, stations, rules, projects=projects).to_dict()


def dataset_stations(root: Path | None = None) -> tuple[FloodStation, ...]:
    """The stations of a dataset folder (default: the embedded one)."""
    sources = load_flood_sources(dataset_file(root, SOURCES_FILE))
    return load_flood_stations(dataset_file(root, STATIONS_FILE), sources=sources)
