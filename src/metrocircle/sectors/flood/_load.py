"""Loading and validating the flood layer's files, and reading water-level files (all or nothing)."""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from openpyxl import load_workbook

from metrocircle._errors import DataValidationError, Problem
from metrocircle.sectors.flood._model import (
    _BASES,
    _PLACEMENTS,
    MAX_LEVEL_ROWS,
    RULES_FILE,
    SOURCES_FILE,
    STATIONS_FILE,
    FloodRules,
    FloodSource,
    FloodStation,
    Grade,
    LevelReading,
)

__all__ = [
    "dataset_file",
    "load_flood_rules",
    "load_flood_sources",
    "load_flood_stations",
    "read_levels",
]

# --------------------------------------------------------------------------- loading


def dataset_file(root: Path | None, rel: str) -> Path:
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
    p = Path(path) if path is not None else dataset_file(None, SOURCES_FILE)
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
    p = Path(path) if path is not None else dataset_file(None, STATIONS_FILE)
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
    p = Path(path) if path is not None else dataset_file(None, RULES_FILE)
    with p.open("rb") as fh:
        doc = tomllib.load(fh)
    params = doc.get("parameters", {})
    problems: list[Problem] = []
    values: dict[str, float] = {}
    for key in (
        "blue_margin_m",
        "wave_speed_straight_kmh",
        "horizon_hours",
        "township_distance_km",
    ):
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
    exposure = doc.get("exposure", {})
    return FloodRules(
        exposure_project_types=tuple(str(t) for t in exposure.get("project_types", [])),
        related_targets=tuple(str(t) for t in exposure.get("related_targets", [])),
        grades=grades,
        blue_margin_m=values["blue_margin_m"],
        wave_speed_straight_kmh=values["wave_speed_straight_kmh"],
        horizon_hours=values["horizon_hours"],
        township_distance_km=values["township_distance_km"],
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


def _cell(v: object) -> str:
    if v is None:
        return ""
    iso = getattr(v, "isoformat", None)
    return str(iso()) if callable(iso) else str(v)


_Row = tuple[int, dict[str, str], bool]
"""A data row: its line number, its cells by column, whether it had more fields than the header."""


def _rows_of(path: Path, limit: int) -> tuple[list[str], list[_Row]]:
    """The header and data rows of a CSV or XLSX file (blank rows skipped, at most ``limit + 1``).

    An unreadable file (not UTF-8, a corrupt workbook, another type) raises a
    :class:`DataValidationError` naming the file.
    """
    name = path.name
    suffix = path.suffix.lower()
    rows: list[_Row] = []
    if suffix in (".xlsx", ".xlsm"):
        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a corrupt workbook
            msg = f"unreadable workbook: {exc}"
            raise DataValidationError([Problem(name, 0, "*", msg)]) from None
        try:
            it = wb.worksheets[0].iter_rows(values_only=True)
            header = [str(c).strip() if c is not None else "" for c in next(it, ()) or ()]
            for i, values in enumerate(it, start=2):
                if values is None or all(v is None or str(v).strip() == "" for v in values):
                    continue
                cells = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
                over = any(v is not None for v in values[len(header) :])
                rows.append((i, cells, over))
                if len(rows) > limit:
                    break
        finally:
            wb.close()
        return header, rows
    if suffix not in (".csv", ".txt"):
        msg = f"unsupported file type {suffix!r}; use .csv or .xlsx"
        raise DataValidationError([Problem(name, 0, "*", msg)])
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            reader.fieldnames = header
            for row in reader:
                over = None in row
                cells = {k: v or "" for k, v in row.items() if isinstance(k, str)}
                rows.append((reader.line_num, cells, over))
                if len(rows) > limit:
                    break
    except UnicodeDecodeError as exc:
        msg = f"not UTF-8 text: {exc.reason}"
        raise DataValidationError([Problem(name, 0, "*", msg)]) from None
    return header, rows


def read_levels(
    path: Path | str,
    stations: Sequence[FloodStation] | None = None,
    *,
    not_after: datetime | None = None,
) -> tuple[LevelReading, ...]:
    """Read a water-level file (CSV or XLSX: ``station_id``, ``time``, ``level_m``), all or nothing.

    ``time`` is ISO 8601 with a zone (``2020-08-20T08:00+08:00``); a reading without a zone is
    refused, since a gauge's hour is meaningless without it.  With ``not_after`` (the clock
    plus the tolerated skew) a reading later than it is refused, and so is a second reading
    of one station at one instant.  Every problem is reported at once as ``file:row:field``.
    """
    p = Path(path)
    if not p.is_file():
        msg = f"{p}: not a regular file"
        raise DataValidationError([Problem(p.name, 0, "", msg)])
    known = {s.id for s in (stations if stations is not None else load_flood_stations())}
    problems: list[Problem] = []
    out: list[LevelReading] = []
    seen: dict[tuple[str, datetime], int] = {}
    header, rows = _rows_of(p, MAX_LEVEL_ROWS)
    missing = [c for c in ("station_id", "time", "level_m") if c not in header]
    if missing:
        raise DataValidationError([Problem(p.name, 1, c, "missing column") for c in missing])
    if not rows:
        raise DataValidationError([Problem(p.name, 2, "*", "the file has no readings")])
    if len(rows) > MAX_LEVEL_ROWS:
        msg = f"more than {MAX_LEVEL_ROWS} readings in one file; split it"
        raise DataValidationError([Problem(p.name, rows[-1][0], "*", msg)])
    for i, row, over in rows:
        if over:
            problems.append(Problem(p.name, i, "*", "more fields than the header has"))
            continue
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
        if t is not None and not_after is not None and t > not_after:
            problems.append(
                Problem(
                    p.name,
                    i,
                    "time",
                    f"{t.isoformat()} is in the future (later than {not_after.isoformat()})",
                )
            )
            t = None
        if t is not None and ok and sid in known:
            key = (sid, t.astimezone(UTC))
            if key in seen:
                problems.append(
                    Problem(
                        p.name,
                        i,
                        "time",
                        f"a second reading of {sid} at this time (row {seen[key]})",
                    )
                )
            else:
                seen[key] = i
        if t is not None and ok and sid in known:
            out.append(LevelReading(sid, t, level, line=i))
    if problems:
        raise DataValidationError(problems)
    return tuple(out)
