"""Sector workflows as library results: one function per question, one document for both faces.

Each function answers one question the command line (``metrocircle air|water|tourism|fiscal …``)
and the API (``/api/sectors/…``) both ask, and returns a frozen result whose
:meth:`to_json` is what ``--json`` prints and the API returns (same keys, same rows). The
faces parse their input (files, request bodies) and render; they compute nothing.

Dataset files are found under the region's folder: ``sectors/air_stations.csv``, the hourly
station files ``sectors/air_hourly/*.csv``, ``sectors/scenic_areas.csv``, an optional
``sectors/scenic_capacities.csv`` and ``sectors/shared_areas.toml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from metrocircle._errors import (
    DataValidationError,
    MetrocircleError,
    PermissionDeniedError,
    Problem,
)
from metrocircle._json import plain

if TYPE_CHECKING:
    from metrocircle.sectors.air import AQIResult
    from metrocircle.sectors.fiscal import LedgerEntry
    from metrocircle.sectors.tourism import Capacity, VisitorCount

__all__ = [
    "AIR_LEVELS",
    "AirDaily",
    "AirQualityIndex",
    "AirWarnings",
    "CheckedCount",
    "FiscalSplit",
    "GoodAirDays",
    "ReferenceRows",
    "Reporter",
    "ScenicAreaList",
    "SpatialCapacity",
    "TourismWarnings",
    "WaterClassification",
    "air_daily",
    "air_quality_index",
    "air_station_list",
    "air_warnings",
    "air_warnings_from_days",
    "check_visitor_counts",
    "crowd_tiers",
    "dataset_air_files",
    "fiscal_split",
    "good_air_days",
    "scenic_area_list",
    "scenic_areas",
    "scenic_capacities",
    "shared_area_list",
    "tourism_capacity",
    "tourism_warnings",
    "unit_adjacency",
    "water_classification",
    "water_classification_file",
    "water_limit_table",
]

AIR_LEVELS = ("station", "unit", "area")
"""Levels of the daily air table: one station, one county-level unit, the whole area."""


def _records(df: Any) -> tuple[dict[str, Any], ...]:
    return tuple(plain(r) for r in df.to_dict("records"))


@dataclass(frozen=True)
class ReferenceRows:
    """A reference table (station registry, limits, tiers, shared areas): one row per entry."""

    rows: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """The document both faces give."""
        return list(self.rows)


def air_station_list(root: Path | str) -> ReferenceRows:
    """The dataset's air station registry with each station's unit."""
    from metrocircle.sectors.air_eval import load_air_stations

    return ReferenceRows(_records(load_air_stations(Path(root) / "sectors" / "air_stations.csv")))


def water_limit_table() -> ReferenceRows:
    """GB 3838-2002 Table 1 limits (classes I–V), and whether each parameter decides the class."""
    from metrocircle.sectors._water_tables import EVALUATED, PARAMETERS

    return ReferenceRows(
        tuple(
            {
                "key": p.key,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "unit": p.unit,
                "kind": p.kind,
                "limits": list(p.limits),
                "lake_limits": list(p.lake_limits) if p.lake_limits else None,
                "evaluated": p.key in EVALUATED,
            }
            for p in PARAMETERS.values()
        )
    )


def crowd_tiers() -> ReferenceRows:
    """The configured crowd-warning tiers (LB/T 034-2014), lowest first."""
    from dataclasses import asdict

    from metrocircle.sectors.tourism import load_tiers

    return ReferenceRows(tuple(plain(asdict(t)) for t in load_tiers()))


def shared_area_list(root: Path | str) -> ReferenceRows:
    """The shared areas of ``sectors/shared_areas.toml``: jurisdictions and default shares."""
    from metrocircle.sectors.fiscal import load_shared_areas

    areas = load_shared_areas(Path(root) / "sectors" / "shared_areas.toml")
    return ReferenceRows(
        tuple(
            {
                "id": a.id,
                "name_zh": a.name_zh,
                "name_en": a.name_en,
                "shares": {k: str(v) for k, v in a.shares.items()},
                "rule_source": a.rule_source,
                "note": a.note,
            }
            for a in areas.values()
        )
    )


# --------------------------------------------------------------------------- air


@dataclass(frozen=True)
class AirQualityIndex:
    """HJ 633 AQI of one set of concentrations."""

    result: AQIResult

    def to_json(self) -> dict[str, Any]:
        """The document both faces give."""
        return self.result.to_dict()


def air_quality_index(
    concentrations: Mapping[str, float | None],
    *,
    report: str = "daily",
    standard: str = "HJ633-2012",
) -> AirQualityIndex:
    """AQI, IAQI per item, primary pollutants and category (``report``: daily or hourly).

    ``so2_24h`` (the 24-h SO2 mean an hourly AQI above 800 µg/m³ needs) belongs to hourly
    reports only; a daily SO2 is itself the 24-h mean.
    """
    from metrocircle.sectors.air import daily_aqi, hourly_aqi

    if report not in ("daily", "hourly"):
        msg = f"`report` was {report!r} but is expected to be daily or hourly"
        raise ValueError(msg)
    given = {k: v for k, v in concentrations.items() if v is not None}
    if report == "daily" and "so2_24h" in given:
        msg = "so2_24h applies to hourly reports only (daily SO2 is the 24-h mean: use so2)"
        raise DataValidationError([Problem("<concentrations>", 0, "so2_24h", msg)], summary=msg)
    if not given:
        msg = "give at least one concentration"
        raise DataValidationError([Problem("<concentrations>", 0, "concentrations", msg)])
    fn = hourly_aqi if report == "hourly" else daily_aqi
    return AirQualityIndex(fn(given, standard=standard))


def dataset_air_files(root: Path | str) -> tuple[list[Path], Path]:
    """The dataset's hourly station files (may be none) and its station registry path."""
    base = Path(root) / "sectors"
    return sorted((base / "air_hourly").glob("*.csv")), base / "air_stations.csv"


def _evaluate(files: Sequence[Path], stations: Path, standard: str | None) -> dict[str, Any]:
    from metrocircle.sectors.air_eval import (
        evaluate_good_days,
        load_air_stations,
        read_cnemc_hourly,
    )

    registry = load_air_stations(stations)
    hourly = read_cnemc_hourly(files)
    hourly = hourly[hourly["station"].isin(set(registry["station_code"]))]
    return evaluate_good_days(hourly, registry, standard=standard)


@dataclass(frozen=True)
class GoodAirDays:
    """HJ 663 good-air-day ratio per station, unit and area, per year."""

    rows: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """The document both faces give: one row per level, scope and year."""
        return list(self.rows)


def good_air_days(
    files: Sequence[Path], stations: Path, *, standard: str | None = None
) -> GoodAirDays:
    """Good-air-day ratios from CNEMC hourly files (no file: no rows).

    Stations outside the registry are ignored; ``standard=None`` uses the HJ 633 edition
    in force on each day.
    """
    if not files:
        return GoodAirDays(())
    return GoodAirDays(_records(_evaluate(files, stations, standard)["ratio"]))


@dataclass(frozen=True)
class AirDaily:
    """Daily AQI per station, unit or area."""

    level: str
    rows: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """One row per scope and day."""
        return list(self.rows)


def air_daily(
    files: Sequence[Path], stations: Path, *, level: str = "station", standard: str | None = None
) -> AirDaily:
    """Daily AQI at ``level`` (station, unit or area) from CNEMC hourly files."""
    if level not in AIR_LEVELS:
        msg = f"`level` was {level!r} but is expected to be station, unit or area"
        raise ValueError(msg)
    if not files:
        return AirDaily(level, ())
    return AirDaily(level, _records(_evaluate(files, stations, standard)[f"{level}_daily"]))


def unit_adjacency(region: Any) -> dict[str, set[str]]:
    """Which county-level units of the region touch (in the manifest's metric CRS)."""
    from metrocircle.sectors.air_warning import adjacency_from_units

    return adjacency_from_units(
        region.units.loc[list(region.county_codes)], metric_crs=region.manifest.metric_crs
    )


@dataclass(frozen=True)
class AirWarnings:
    """Joint heavy-pollution episodes across neighbouring units."""

    episodes: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """One entry per episode."""
        return list(self.episodes)


def air_warnings_from_days(
    days: Iterable[tuple[str, str, float | None]],
    adjacency: Mapping[str, Iterable[str]],
    *,
    ongoing_only: bool = True,
) -> AirWarnings:
    """Episodes in unit daily AQI ``(unit, date, aqi)``; unknown unit codes are refused."""
    from metrocircle.sectors.air_warning import current_air_warnings, detect_episodes

    triples = list(days)
    unknown = sorted({u for u, _, _ in triples} - set(adjacency))
    if unknown:
        msg = f"unknown unit code(s) {unknown[:10]}"
        raise DataValidationError([Problem("<days>", 0, "unit", msg)], summary=msg)
    fn = current_air_warnings if ongoing_only else detect_episodes
    return AirWarnings(tuple(e.to_dict() for e in fn(triples, adjacency)))  # type: ignore[arg-type]


def air_warnings(
    files: Sequence[Path],
    stations: Path,
    adjacency: Mapping[str, Iterable[str]],
    *,
    standard: str | None = None,
    ongoing_only: bool = True,
) -> AirWarnings:
    """Episodes (ongoing ones unless ``ongoing_only=False``) from CNEMC hourly files."""
    if not files:
        return AirWarnings(())
    res = _evaluate(files, stations, standard)
    triples = [
        (r["scope"], r["date"], r["aqi"])
        for r in res["unit_daily"].to_dict("records")
        if r["valid"]
    ]
    return air_warnings_from_days(triples, adjacency, ongoing_only=ongoing_only)


# --------------------------------------------------------------------------- water


@dataclass(frozen=True)
class WaterClassification:
    """GB 3838-2002 class of every section and the share at class III or better."""

    sections: tuple[dict[str, Any], ...]
    share_iii_or_better_pct: float | None

    def to_json(self) -> dict[str, Any]:
        """The document both faces give."""
        return {
            "sections": list(self.sections),
            "share_iii_or_better_pct": self.share_iii_or_better_pct,
        }


def _classification(rows: list[dict[str, Any]]) -> WaterClassification:
    share = 100.0 * sum(1 for r in rows if r["good"]) / len(rows) if rows else None
    return WaterClassification(tuple(rows), share)


def water_classification_file(path: Path | str) -> WaterClassification:
    """Classify every section of a CSV (``section_id``, ``[water_body]``, one column per parameter)."""
    from metrocircle.sectors.water import classify_file

    return _classification(classify_file(path))


def water_classification(
    sections: Iterable[tuple[str, str, Mapping[str, float]]],
) -> WaterClassification:
    """Classify ``(section_id, water_body, measurements)`` sections, all or nothing."""
    from metrocircle.sectors.water import section_class

    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, (sid, body, values) in enumerate(sections):
        if not sid or sid in seen:
            problems.append(Problem("<sections>", i, "section_id", "empty or duplicate"))
            continue
        seen.add(sid)
        try:
            res = section_class(dict(values), water_body=body)
        except DataValidationError as exc:
            problems.extend(Problem("<sections>", i, p.field, p.message) for p in exc.problems)
            continue
        except ValueError as exc:
            problems.append(Problem("<sections>", i, "water_body", str(exc)))
            continue
        rows.append({"section_id": sid, **res.to_dict()})
    if problems:
        raise DataValidationError(problems, summary=f"{len(problems)} problem(s) in the sections")
    return _classification(rows)


# --------------------------------------------------------------------------- tourism


def scenic_areas(root: Path | str) -> dict[str, dict[str, Any]]:
    """The dataset's scenic-area registry by id (empty when the dataset has none)."""
    from metrocircle.sectors.tourism import load_scenic_areas

    path = Path(root) / "sectors" / "scenic_areas.csv"
    return {a["id"]: a for a in load_scenic_areas(path)} if path.is_file() else {}


def scenic_capacities(
    root: Path | str, extra: Mapping[str, Capacity] | None = None
) -> dict[str, Capacity]:
    """Capacities of the scenic areas: published in the registry, then the dataset's
    ``sectors/scenic_capacities.csv`` (approved values), then ``extra`` (a user file); a
    later source replaces an earlier one for the same area."""
    from metrocircle.sectors.tourism import load_capacities, registry_capacities

    caps = registry_capacities(scenic_areas(root).values())
    path = Path(root) / "sectors" / "scenic_capacities.csv"
    if path.is_file():
        caps |= load_capacities(path)
    if extra:
        caps |= dict(extra)
    return caps


@dataclass(frozen=True)
class ScenicAreaList:
    """The plan's themed scenic areas (专栏5), each with whether a capacity is on file."""

    areas: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """One row per area, registry order."""
        return list(self.areas)


def scenic_area_list(root: Path | str) -> ScenicAreaList:
    """The registry rows plus ``has_capacity`` (published, or in ``scenic_capacities.csv``)."""
    caps = scenic_capacities(root)
    return ScenicAreaList(
        tuple(plain({**a, "has_capacity": a["id"] in caps}) for a in scenic_areas(root).values())
    )


@dataclass(frozen=True)
class TourismWarnings:
    """Scenic areas at or above a crowd-warning tier, highest ratio first."""

    warnings: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """One entry per area in warning."""
        return list(self.warnings)


def tourism_warnings(
    root: Path | str,
    counts: Iterable[VisitorCount],
    *,
    capacities: Mapping[str, Capacity] | None = None,
) -> TourismWarnings:
    """Current crowd warnings: the latest count of each area against its capacity.

    Times are written as ISO 8601 local date-times with seconds (``2025-10-01T11:00:00``),
    whichever face read them. ``capacities`` adds to (and overrides) the dataset's.
    """
    import pandas as pd

    from metrocircle.sectors.tourism import VisitorCount as _Count
    from metrocircle.sectors.tourism import current_warnings

    latest = [
        _Count(c.scenic_id, pd.Timestamp(c.time).isoformat(), c.in_park, c.cumulative_today)
        for c in counts
    ]
    if not latest:
        return TourismWarnings(())
    rows = current_warnings(latest, scenic_capacities(root, capacities), names=scenic_areas(root))
    return TourismWarnings(tuple(plain(r) for r in rows))


@dataclass(frozen=True)
class SpatialCapacity:
    """LB/T 034-2014 spatial capacity: instantaneous, and daily when T and t are given."""

    instantaneous: float
    daily: float | None

    def to_json(self) -> dict[str, Any]:
        """The document both faces give."""
        return {"instantaneous": self.instantaneous, "daily": self.daily}


def tourism_capacity(
    attractions: Sequence[tuple[float, float]],
    *,
    open_hours: float | None = None,
    visit_hours: float | None = None,
) -> SpatialCapacity:
    """Capacity by the area method from ``(area_m2, m2_per_visitor)`` pairs (see
    :func:`metrocircle.sectors.tourism.spatial_capacity`); daily only with T or t given."""
    from metrocircle.sectors.tourism import spatial_capacity

    pairs = list(attractions)
    inst = spatial_capacity(pairs)
    daily = (
        spatial_capacity(pairs, open_hours=open_hours, visit_hours=visit_hours)
        if (open_hours or visit_hours)
        else None
    )
    return SpatialCapacity(inst, daily)


class Reporter(Protocol):
    """Who reports a batch of counts (``metrocircle.security.Principal`` satisfies it)."""

    @property
    def name(self) -> str: ...  # pragma: no cover - protocol

    @property
    def role(self) -> Any: ...  # pragma: no cover - protocol

    @property
    def units(self) -> frozenset[str]: ...  # pragma: no cover - protocol

    @property
    def can_submit(self) -> bool: ...  # pragma: no cover - protocol

    @property
    def is_admin(self) -> bool: ...  # pragma: no cover - protocol


@dataclass(frozen=True)
class CheckedCount:
    """A visitor count accepted for storage: the local time as given and its UTC instant."""

    scenic_id: str
    time: str
    observed_at: datetime
    in_park: int | None
    cumulative_today: int | None


def check_visitor_counts(
    root: Path | str,
    counts: Sequence[tuple[str, str, int | None, int | None]],
    *,
    reporter: Reporter,
    timezone: str,
    max_clock_skew_seconds: int,
    now: datetime | None = None,
) -> tuple[CheckedCount, ...]:
    """A batch of ``(scenic_id, time, in_park, cumulative_today)`` checked all or nothing.

    Every area must be in the registry with a capacity on file; a time without an offset is
    ``timezone`` local time and may not lie more than ``max_clock_skew_seconds`` ahead of
    ``now``. Officers report for the scenic areas of their units, administrators for any.

    Raises
    ------
    PermissionDeniedError
        The reporter may not report counts, or not for some of the areas (each one named).
    DataValidationError
        Problems with file ``counts``, row = the count's index, field = its column.
    """
    from datetime import UTC, timedelta
    from zoneinfo import ZoneInfo

    if not reporter.can_submit:
        role = getattr(reporter.role, "value", reporter.role)
        msg = f"user {reporter.name!r} has role {role!r}, which may not report counts"
        raise PermissionDeniedError(msg)
    areas, caps = scenic_areas(root), scenic_capacities(root)
    local = ZoneInfo(timezone)
    latest_allowed = (now or datetime.now(UTC)) + timedelta(seconds=max_clock_skew_seconds)
    problems: list[Problem] = []
    refused: list[Problem] = []
    rows: list[CheckedCount] = []
    for i, (sid, when, in_park, cumulative) in enumerate(counts):
        if sid not in areas:
            problems.append(Problem("counts", i, "scenic_id", f"unknown scenic area {sid!r}"))
        elif sid not in caps:
            problems.append(Problem("counts", i, "scenic_id", f"no capacity on file for {sid!r}"))
        elif not reporter.is_admin and (areas[sid].get("unit_code") or "") not in reporter.units:
            refused.append(
                Problem(
                    "counts",
                    i,
                    "scenic_id",
                    f"{reporter.name!r} may report only for scenic areas of {sorted(reporter.units)}",
                )
            )
        if in_park is None and cumulative is None:
            problems.append(Problem("counts", i, "in_park", "give in_park or cumulative_today"))
        try:
            at = datetime.fromisoformat(when)
        except ValueError:
            problems.append(Problem("counts", i, "time", f"not a date-time: {when!r}"))
            continue
        at = (at.replace(tzinfo=local) if at.tzinfo is None else at).astimezone(UTC)
        if at > latest_allowed:
            problems.append(
                Problem(
                    "counts",
                    i,
                    "time",
                    f"{when} is in the future (more than {max_clock_skew_seconds} s ahead of "
                    "this server's clock)",
                )
            )
        rows.append(CheckedCount(sid, when, at, in_park, cumulative))
    if refused:
        msg = f"{len(refused)} count(s) are outside the units of {reporter.name!r}"
        raise PermissionDeniedError(msg, tuple(refused))
    if problems:
        raise DataValidationError(problems, summary=f"{len(problems)} problem(s) in the counts")
    return tuple(rows)


# --------------------------------------------------------------------------- fiscal


@dataclass(frozen=True)
class FiscalSplit:
    """A ledger split: stock stays, the increment over the base year is split by shares."""

    allocations: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """One row per item, year and jurisdiction."""
        return list(self.allocations)


def fiscal_split(
    entries: Sequence[LedgerEntry],
    *,
    base_year: int,
    root: Path | str | None = None,
    shares: Mapping[str, Decimal] | None = None,
    area_id: str | None = None,
    decimals: int = 2,
) -> FiscalSplit:
    """Split a ledger of one shared area (shares: given, else the area's in ``shared_areas.toml``)."""
    from metrocircle.sectors.fiscal import load_shared_areas, split_ledger

    if not entries:
        msg = "the ledger is empty"
        raise MetrocircleError(msg)
    area = area_id or entries[0].area_id
    if shares is None:
        path = None if root is None else Path(root) / "sectors" / "shared_areas.toml"
        areas = load_shared_areas(path) if path is not None and path.is_file() else {}
        if area not in areas:
            msg = f"unknown area_id {area!r}; known: {sorted(areas)} (or give shares)"
            raise DataValidationError([Problem("<ledger>", 0, "area_id", msg)], summary=msg)
        shares = dict(areas[area].shares)
    allocs = split_ledger(
        entries, base_year=base_year, shares=shares, area_id=area, decimals=decimals
    )
    return FiscalSplit(tuple(a.to_dict() for a in allocs))
