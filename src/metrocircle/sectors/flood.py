"""River-basin flood warning: gauge stations, water-level readings and national warning grades.

The grades follow 水利部《水情预警发布管理办法（试行）》(2013), whose 水情预警信号 are blue,
yellow, orange and red.  Each grade has a level criterion (approaching the warning level, at
or above the warning level, the guarantee level, the highest level on record) and a
return-period criterion (5, 20, 50 years).  Frequency curves of the stations are not
published, so only the level criteria are evaluated, and every warning says so.  A station
without a published level cannot reach the grades that need it.

A warning at a station alerts the governments along the reach below it at once, and those of
the reaches further downstream after a flood-wave travel time computed from a named,
fitted parameter (``flood_rules.toml``): those times are parameterised, never a forecast.
"""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from pyproj import Geod

from metrocircle._errors import DataValidationError, Problem

__all__ = [
    "FloodRules",
    "FloodSource",
    "FloodStation",
    "FloodWarning",
    "FloodWarnings",
    "Grade",
    "LevelReading",
    "ReachAlert",
    "dataset_stations",
    "flood_warnings",
    "grade_level",
    "load_flood_rules",
    "load_flood_sources",
    "load_flood_stations",
    "read_levels",
    "stations_document",
    "warnings_document",
]

STATIONS_FILE = "sectors/flood_stations.csv"
SOURCES_FILE = "sectors/flood_sources.csv"
RULES_FILE = "sectors/flood_rules.toml"
#: Upper bound on rows of one water-level file (keeps API and CLI memory bounded).
MAX_LEVEL_ROWS = 200_000
_BASES = frozenset({"stated", "derived"})
_PLACEMENTS = frozenset({"published_coordinate", "township_point", "unit_seat"})
_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True)
class FloodSource:
    """Where a station's figure was read: the publisher, the publication and its words."""

    id: str
    publisher: str
    publication: str
    published_date: str
    url: str
    statement: str


@dataclass(frozen=True, slots=True)
class FloodStation:
    """A hydrological gauge station with its published levels (metres, in ``datum``).

    ``*_basis`` is ``stated`` when the level is printed in the source, ``derived`` when it is a
    reported level minus the reported excess over it (both printed in the same source).
    """

    id: str
    name_zh: str
    name_en: str
    river_zh: str
    river_en: str
    unit: str | None
    lon: float | None
    lat: float | None
    placed_by: str | None
    datum: str | None
    warning_level_m: float | None
    warning_basis: str | None
    warning_source: str | None
    guarantee_level_m: float | None
    guarantee_basis: str | None
    guarantee_source: str | None
    highest_level_m: float | None
    highest_year: int | None
    highest_source: str | None
    downstream: str | None
    reach_units: tuple[str, ...]
    notes: str

    def to_dict(self, sources: Mapping[str, FloodSource] | None = None) -> dict[str, Any]:
        """JSON-ready item: the issue's fields first, then bases, sources and placement."""

        def cite(key: str | None) -> dict[str, str] | None:
            if key is None:
                return None
            src = (sources or {}).get(key)
            if src is None:
                return {"id": key}
            return {
                "id": key,
                "publisher": src.publisher,
                "publication": src.publication,
                "published_date": src.published_date,
                "url": src.url,
            }

        return {
            "id": self.id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "river": self.river_zh,
            "river_en": self.river_en,
            "lon": self.lon,
            "lat": self.lat,
            "unit": self.unit,
            "warning_level_m": self.warning_level_m,
            "guarantee_level_m": self.guarantee_level_m,
            "highest_level_m": self.highest_level_m,
            "highest_year": self.highest_year,
            "datum": self.datum,
            "source": {
                "warning": cite(self.warning_source),
                "guarantee": cite(self.guarantee_source),
                "highest": cite(self.highest_source),
            },
            "warning_basis": self.warning_basis,
            "guarantee_basis": self.guarantee_basis,
            "placed_by": self.placed_by,
            "downstream": self.downstream,
            "reach_units": list(self.reach_units),
            "notes": self.notes,
        }


@dataclass(frozen=True, slots=True)
class Grade:
    """One national warning grade: its level rule and its return-period rule."""

    grade: str
    name_zh: str
    name_en: str
    level_rule: str
    rule_zh: str
    return_period_years: int
    return_period_rule: str


@dataclass(frozen=True, slots=True)
class FloodRules:
    """Grades (lowest first) and the named parameters of the warning layer."""

    grades: tuple[Grade, ...]
    blue_margin_m: float
    wave_speed_straight_kmh: float
    horizon_hours: float
    publisher: str
    publication: str
    why: Mapping[str, str] = field(default_factory=dict)

    def grade(self, key: str) -> Grade:
        """The grade called ``key`` (blue, yellow, orange, red)."""
        for g in self.grades:
            if g.grade == key:
                return g
        msg = f"unknown flood grade {key!r}; expected one of {[g.grade for g in self.grades]}"
        raise KeyError(msg)


@dataclass(frozen=True, slots=True)
class LevelReading:
    """One water-level reading of a station: an aware time and the level in metres."""

    station_id: str
    time: datetime
    level_m: float


@dataclass(frozen=True, slots=True)
class ReachAlert:
    """An alert to the governments of a reach downstream of a warned station."""

    station_id: str
    name_zh: str
    name_en: str
    units: tuple[str, ...]
    travel_hours: float
    expected_time: datetime
    travel_kind: str = "parameterised"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "station_id": self.station_id,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "units": list(self.units),
            "travel_hours": round(self.travel_hours, 1),
            "expected_time": self.expected_time.isoformat(),
            "travel_kind": self.travel_kind,
        }


@dataclass(frozen=True, slots=True)
class FloodWarning:
    """The warning of one station at its latest reading."""

    station_id: str
    name_zh: str
    name_en: str
    river: str
    time: datetime
    level_m: float
    above_warning_m: float | None
    above_guarantee_m: float | None
    grade: str
    grade_zh: str
    criterion: str
    units: tuple[str, ...]
    downstream: tuple[ReachAlert, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict with the issue's fields first."""

        def rnd(v: float | None) -> float | None:
            return None if v is None else round(v, 2)

        return {
            "station_id": self.station_id,
            "time": self.time.isoformat(),
            "level_m": self.level_m,
            "above_warning_m": rnd(self.above_warning_m),
            "grade": self.grade,
            "units": list(self.units),
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "river": self.river,
            "above_guarantee_m": rnd(self.above_guarantee_m),
            "grade_zh": self.grade_zh,
            "criterion": self.criterion,
            "downstream": [a.to_dict() for a in self.downstream],
        }


@dataclass(frozen=True, slots=True)
class FloodWarnings:
    """Every warning of one set of readings, with the rule that graded them."""

    warnings: tuple[FloodWarning, ...]
    stations_read: int
    rule: str
    limitation: str
    limitation_zh: str

    def to_dict(self) -> dict[str, Any]:
        """JSON document: ``{"warnings": [...], "stations_read", "rule", "limitation"}``."""
        return {
            "warnings": [w.to_dict() for w in self.warnings],
            "stations_read": self.stations_read,
            "rule": self.rule,
            "limitation": self.limitation,
            "limitation_zh": self.limitation_zh,
        }


# --------------------------------------------------------------------------- loading


def _dataset_file(root: Path | None, rel: str) -> Path:
    if root is not None:
        return Path(root) / rel
    return Path(str(resources.files("metrocircle.data").joinpath("chongqing", rel)))


def _opt_float(
    row: Mapping[str, str], key: str, where: tuple[str, int], problems: list[Problem]
) -> float | None:
    raw = (row.get(key) or "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        problems.append(Problem(where[0], where[1], key, f"not a number: {raw!r}"))
        return None
    if not math.isfinite(value):
        problems.append(Problem(where[0], where[1], key, f"not a finite number: {raw!r}"))
        return None
    return value


def _opt(row: Mapping[str, str], key: str) -> str | None:
    raw = (row.get(key) or "").strip()
    return raw or None


def load_flood_sources(path: Path | str | None = None) -> dict[str, FloodSource]:
    """The citations of the station file, by id (default: the embedded dataset's)."""
    p = Path(path) if path is not None else _dataset_file(None, SOURCES_FILE)
    name = p.name
    problems: list[Problem] = []
    out: dict[str, FloodSource] = {}
    with p.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            sid = (row.get("id") or "").strip()
            if not sid:
                problems.append(Problem(name, i, "id", "empty"))
                continue
            if sid in out:
                problems.append(Problem(name, i, "id", f"duplicate id {sid!r}"))
            for key in ("publisher", "publication", "url"):
                if not (row.get(key) or "").strip():
                    problems.append(Problem(name, i, key, "empty: every figure needs its source"))
            out[sid] = FloodSource(
                id=sid,
                publisher=(row.get("publisher") or "").strip(),
                publication=(row.get("publication") or "").strip(),
                published_date=(row.get("published_date") or "").strip(),
                url=(row.get("url") or "").strip(),
                statement=(row.get("statement") or "").strip(),
            )
    if problems:
        raise DataValidationError(problems)
    return out


def _level_fields(
    row: Mapping[str, str],
    prefix: str,
    where: tuple[str, int],
    sources: Mapping[str, FloodSource],
    problems: list[Problem],
) -> tuple[float | None, str | None, str | None]:
    level = _opt_float(row, f"{prefix}_level_m", where, problems)
    basis = _opt(row, f"{prefix}_basis")
    source = _opt(row, f"{prefix}_source")
    if level is not None:
        if prefix != "highest" and basis not in _BASES:
            problems.append(
                Problem(where[0], where[1], f"{prefix}_basis", f"must be one of {sorted(_BASES)}")
            )
        if source is None:
            problems.append(
                Problem(where[0], where[1], f"{prefix}_source", "a level needs its source")
            )
    if source is not None and source not in sources:
        problems.append(
            Problem(where[0], where[1], f"{prefix}_source", f"unknown source id {source!r}")
        )
    return level, basis, source


def load_flood_stations(
    path: Path | str | None = None,
    *,
    sources: Mapping[str, FloodSource] | None = None,
    unit_codes: Iterable[str] | None = None,
) -> tuple[FloodStation, ...]:
    """Read and validate the gauge-station registry (default: the embedded dataset's).

    Every problem is reported at once as ``file:row:field``; nothing is half-loaded.

    Examples
    --------
    >>> stations = load_flood_stations()
    >>> cuntan = next(s for s in stations if s.id == "cuntan")
    >>> cuntan.river_zh, cuntan.warning_level_m, cuntan.guarantee_level_m
    ('长江', 180.5, 183.5)
    """
    p = Path(path) if path is not None else _dataset_file(None, STATIONS_FILE)
    if sources is None:
        sources = load_flood_sources(p.with_name("flood_sources.csv"))
    codes = set(unit_codes) if unit_codes is not None else None
    name = p.name
    problems: list[Problem] = []
    rows: list[FloodStation] = []
    with p.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            where = (name, i)
            sid = (row.get("id") or "").strip()
            if not sid:
                problems.append(Problem(name, i, "id", "empty"))
                continue
            unit = _opt(row, "unit")
            if unit is not None and codes is not None and unit not in codes:
                problems.append(Problem(name, i, "unit", f"unknown unit code {unit!r}"))
            lon = _opt_float(row, "lon", where, problems)
            lat = _opt_float(row, "lat", where, problems)
            placed_by = _opt(row, "placed_by")
            if (lon is None) != (lat is None):
                problems.append(Problem(name, i, "lon", "lon and lat go together"))
            if lon is not None and placed_by not in _PLACEMENTS:
                problems.append(
                    Problem(name, i, "placed_by", f"must be one of {sorted(_PLACEMENTS)}")
                )
            warning = _level_fields(row, "warning", where, sources, problems)
            guarantee = _level_fields(row, "guarantee", where, sources, problems)
            highest = _level_fields(row, "highest", where, sources, problems)
            if (
                warning[0] is not None
                and guarantee[0] is not None
                and not warning[0] < guarantee[0]
            ):
                problems.append(
                    Problem(name, i, "guarantee_level_m", "must be above the warning level")
                )
            year_raw = _opt(row, "highest_year")
            year = int(year_raw) if year_raw and year_raw.isdigit() else None
            if year_raw and year is None:
                problems.append(Problem(name, i, "highest_year", f"not a year: {year_raw!r}"))
            reach = tuple(c for c in (row.get("reach_units") or "").split(";") if c.strip())
            if codes is not None:
                for c in reach:
                    if c not in codes:
                        problems.append(Problem(name, i, "reach_units", f"unknown unit {c!r}"))
            rows.append(
                FloodStation(
                    id=sid,
                    name_zh=(row.get("name_zh") or "").strip(),
                    name_en=(row.get("name_en") or "").strip(),
                    river_zh=(row.get("river_zh") or "").strip(),
                    river_en=(row.get("river_en") or "").strip(),
                    unit=unit,
                    lon=lon,
                    lat=lat,
                    placed_by=placed_by,
                    datum=_opt(row, "datum"),
                    warning_level_m=warning[0],
                    warning_basis=warning[1],
                    warning_source=warning[2],
                    guarantee_level_m=guarantee[0],
                    guarantee_basis=guarantee[1],
                    guarantee_source=guarantee[2],
                    highest_level_m=highest[0],
                    highest_year=year,
                    highest_source=highest[2],
                    downstream=_opt(row, "downstream"),
                    reach_units=reach,
                    notes=(row.get("notes") or "").strip(),
                )
            )
    ids = [s.id for s in rows]
    seen: set[str] = set()
    for n, sid in enumerate(ids, start=2):
        if sid in seen:
            problems.append(Problem(name, n, "id", f"duplicate id {sid!r}"))
        seen.add(sid)
    for n, s in enumerate(rows, start=2):
        if s.downstream is not None and s.downstream not in seen:
            problems.append(Problem(name, n, "downstream", f"unknown station {s.downstream!r}"))
    if problems:
        raise DataValidationError(problems)
    _check_acyclic(rows, name)
    return tuple(rows)


def _check_acyclic(rows: Sequence[FloodStation], name: str) -> None:
    by_id = {s.id: s for s in rows}
    for s in rows:
        seen = {s.id}
        nxt = s.downstream
        while nxt is not None:
            if nxt in seen:
                msg = f"the downstream chain from {s.id!r} loops back to {nxt!r}"
                raise DataValidationError([Problem(name, 0, "downstream", msg)])
            seen.add(nxt)
            nxt = by_id[nxt].downstream


def load_flood_rules(path: Path | str | None = None) -> FloodRules:
    """The national grades and the named parameters (default: the embedded dataset's)."""
    p = Path(path) if path is not None else _dataset_file(None, RULES_FILE)
    with p.open("rb") as fh:
        doc = tomllib.load(fh)
    params = doc.get("parameters", {})
    problems: list[Problem] = []
    values: dict[str, float] = {}
    for key in ("blue_margin_m", "wave_speed_straight_kmh", "horizon_hours"):
        v = params.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
            problems.append(Problem(p.name, 0, f"parameters.{key}", "must be a number > 0"))
            continue
        if not str(params.get(f"why_{key}", "")).strip():
            problems.append(Problem(p.name, 0, f"parameters.why_{key}", "needs a justification"))
        values[key] = float(v)
    grades = tuple(
        Grade(
            grade=str(g["grade"]),
            name_zh=str(g["name_zh"]),
            name_en=str(g["name_en"]),
            level_rule=str(g["level_rule"]),
            rule_zh=str(g["rule_zh"]),
            return_period_years=int(g["return_period_years"]),
            return_period_rule=str(g["return_period_rule"]),
        )
        for g in doc.get("grades", [])
    )
    if [g.grade for g in grades] != ["blue", "yellow", "orange", "red"]:
        problems.append(Problem(p.name, 0, "grades", "must be blue, yellow, orange, red in order"))
    if problems:
        raise DataValidationError(problems)
    src = doc.get("source", {})
    why = {k: str(v) for k, v in params.items() if k.startswith("why_")}
    return FloodRules(
        grades=grades,
        blue_margin_m=values["blue_margin_m"],
        wave_speed_straight_kmh=values["wave_speed_straight_kmh"],
        horizon_hours=values["horizon_hours"],
        publisher=str(src.get("publisher", "")),
        publication=str(src.get("publication", "")),
        why=why,
    )


# --------------------------------------------------------------------------- readings


def _parse_time(raw: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    if t.tzinfo is None:
        return None
    return t


def _rows_of(path: Path) -> Iterable[tuple[int, dict[str, str]]]:
    if path.suffix.lower() == ".xlsx":
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            it = wb.active.iter_rows(values_only=True) if wb.active is not None else iter(())
            header = [str(c).strip() if c is not None else "" for c in next(it, ())]
            for i, values in enumerate(it, start=2):
                yield (
                    i,
                    {
                        h: (
                            ""
                            if v is None
                            else (v.isoformat() if hasattr(v, "isoformat") else str(v))
                        )
                        for h, v in zip(header, values, strict=False)
                    },
                )
        finally:
            wb.close()
        return
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from enumerate(csv.DictReader(fh), start=2)


def read_levels(
    path: Path | str, stations: Sequence[FloodStation] | None = None
) -> tuple[LevelReading, ...]:
    """Read a water-level file (CSV or XLSX: ``station_id``, ``time``, ``level_m``), all or nothing.

    ``time`` is ISO 8601 with a zone (``2020-08-20T08:00+08:00``); a reading without a zone is
    refused, since a gauge's hour is meaningless without it.  Every problem is reported at
    once as ``file:row:field``.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"{p}: not a regular file"
        raise DataValidationError([Problem(p.name, 0, "", msg)])
    known = {s.id for s in (stations if stations is not None else load_flood_stations())}
    problems: list[Problem] = []
    out: list[LevelReading] = []
    header_checked = False
    for i, row in _rows_of(p):
        if not header_checked:
            missing = [c for c in ("station_id", "time", "level_m") if c not in row]
            if missing:
                raise DataValidationError(
                    [Problem(p.name, 1, c, "missing column") for c in missing]
                )
            header_checked = True
        if i - 1 > MAX_LEVEL_ROWS:
            problems.append(Problem(p.name, i, "", f"more than {MAX_LEVEL_ROWS} rows"))
            break
        sid = (row.get("station_id") or "").strip()
        if sid not in known:
            problems.append(Problem(p.name, i, "station_id", f"unknown station {sid!r}"))
        t = _parse_time(row.get("time") or "")
        if t is None:
            problems.append(
                Problem(
                    p.name, i, "time", "expected ISO 8601 with a zone, e.g. 2020-08-20T08:00+08:00"
                )
            )
        raw = (row.get("level_m") or "").strip()
        try:
            level = float(raw)
            ok = math.isfinite(level)
        except ValueError:
            level, ok = math.nan, False
        if not ok:
            problems.append(
                Problem(p.name, i, "level_m", f"not a finite number of metres: {raw!r}")
            )
        if t is not None and ok and sid in known:
            out.append(LevelReading(sid, t, level))
    if not header_checked:
        raise DataValidationError([Problem(p.name, 1, "", "no rows")])
    if problems:
        raise DataValidationError(problems)
    return tuple(out)


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


def flood_warnings(
    readings: Iterable[LevelReading],
    stations: Sequence[FloodStation] | None = None,
    rules: FloodRules | None = None,
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
                downstream=_downstream_alerts(s, r.time, by_id, rl),
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
    sources = load_flood_sources(_dataset_file(root, SOURCES_FILE))
    stations = load_flood_stations(_dataset_file(root, STATIONS_FILE), sources=sources)
    return [s.to_dict(sources) for s in stations]


def warnings_document(readings: Iterable[LevelReading], root: Path | None = None) -> dict[str, Any]:
    """The warnings of ``readings`` as the CLI's ``--json`` and the API give them."""
    sources = load_flood_sources(_dataset_file(root, SOURCES_FILE))
    stations = load_flood_stations(_dataset_file(root, STATIONS_FILE), sources=sources)
    rules = load_flood_rules(_dataset_file(root, RULES_FILE))
    return flood_warnings(readings, stations, rules).to_dict()


def dataset_stations(root: Path | None = None) -> tuple[FloodStation, ...]:
    """The stations of a dataset folder (default: the embedded one)."""
    sources = load_flood_sources(_dataset_file(root, SOURCES_FILE))
    return load_flood_stations(_dataset_file(root, STATIONS_FILE), sources=sources)
