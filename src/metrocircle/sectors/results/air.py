"""Air-quality results (HJ 633 AQI, HJ 663 good-air days, joint warnings) for both faces."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrocircle._errors import DataValidationError, Problem
from metrocircle.cache import ResultCache, process_cache
from metrocircle.sectors.results._base import ReferenceRows, records

if TYPE_CHECKING:
    from metrocircle.sectors.air import AQIResult

__all__ = [
    "ADJACENCY_QUESTION",
    "AIR_LEVELS",
    "EVALUATIONS_KEPT",
    "EVALUATION_QUESTION",
    "AirDaily",
    "AirQualityIndex",
    "AirWarnings",
    "GoodAirDays",
    "air_daily",
    "air_quality_index",
    "air_station_list",
    "air_warnings",
    "air_warnings_from_days",
    "dataset_air_files",
    "good_air_days",
    "unit_adjacency",
]

ADJACENCY_QUESTION = "sectors.unit_adjacency"
"""The result-cache question of :func:`unit_adjacency`."""

AIR_LEVELS = ("station", "unit", "area")
"""Levels of the daily air table: one station, one county-level unit, the whole area."""


def air_station_list(root: Path | str) -> ReferenceRows:
    """The dataset's air station registry with each station's unit."""
    from metrocircle.sectors.air_eval import load_air_stations

    return ReferenceRows(records(load_air_stations(Path(root) / "sectors" / "air_stations.csv")))


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


EVALUATION_QUESTION = "sectors.air_evaluation"
"""The result-cache question of an evaluation of hourly station files."""
EVALUATIONS_KEPT = 4
"""Evaluations kept per cache: each holds every station's daily table (a few MB for a year
of hourly files), and a dataset has one set of files (memory bound, not a model parameter)."""


def _compute(files: Sequence[Path], stations: Path, standard: str | None) -> dict[str, Any]:
    from metrocircle.sectors.air_eval import (
        evaluate_good_days,
        load_air_stations,
        read_cnemc_hourly,
    )

    registry = load_air_stations(stations)
    hourly = read_cnemc_hourly(files)
    hourly = hourly[hourly["station"].isin(set(registry["station_code"]))]
    return evaluate_good_days(hourly, registry, standard=standard)


def _evaluate(
    files: Sequence[Path], stations: Path, standard: str | None, cache: ResultCache | None
) -> dict[str, Any]:
    """The evaluation of ``files``, kept under a digest of their content (and the registry's):
    an edited or added file is evaluated again. Callers only read the tables."""
    store = process_cache() if cache is None else cache
    if store.bound(EVALUATION_QUESTION) != EVALUATIONS_KEPT:
        store.set_bound(EVALUATION_QUESTION, EVALUATIONS_KEPT)
    digest = hashlib.sha256()
    try:
        for path in (*files, stations):
            digest.update(str(path).encode() + b"\0" + Path(path).read_bytes())
    except OSError:
        return _compute(files, stations, standard)  # the readers name the unreadable file
    args = (tuple(str(f) for f in files), str(stations), standard)
    result: dict[str, Any] = store.get(
        digest.hexdigest()[:16],
        EVALUATION_QUESTION,
        args,
        lambda: _compute(files, stations, standard),
    )
    return result


@dataclass(frozen=True)
class GoodAirDays:
    """HJ 663 good-air-day ratio per station, unit and area, per year."""

    rows: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """The document both faces give: one row per level, scope and year."""
        return list(self.rows)


def good_air_days(
    files: Sequence[Path],
    stations: Path,
    *,
    standard: str | None = None,
    cache: ResultCache | None = None,
) -> GoodAirDays:
    """Good-air-day ratios from CNEMC hourly files (no file: no rows).

    Stations outside the registry are ignored; ``standard=None`` uses the HJ 633 edition
    in force on each day.
    """
    if not files:
        return GoodAirDays(())
    return GoodAirDays(records(_evaluate(files, stations, standard, cache)["ratio"]))


@dataclass(frozen=True)
class AirDaily:
    """Daily AQI per station, unit or area."""

    level: str
    rows: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """One row per scope and day."""
        return list(self.rows)


def air_daily(
    files: Sequence[Path],
    stations: Path,
    *,
    level: str = "station",
    standard: str | None = None,
    cache: ResultCache | None = None,
) -> AirDaily:
    """Daily AQI at ``level`` (station, unit or area) from CNEMC hourly files."""
    if level not in AIR_LEVELS:
        msg = f"`level` was {level!r} but is expected to be station, unit or area"
        raise ValueError(msg)
    if not files:
        return AirDaily(level, ())
    return AirDaily(level, records(_evaluate(files, stations, standard, cache)[f"{level}_daily"]))


def unit_adjacency(region: Any, *, cache: ResultCache | None = None) -> dict[str, set[str]]:
    """Which county-level units of the region touch (in the manifest's metric CRS).

    Kept in ``cache`` (default: the process's, :func:`metrocircle.cache.process_cache`)
    under the region's data version; callers must not change the answer.
    """
    from metrocircle.sectors.air_warning import adjacency_from_units

    def make() -> dict[str, set[str]]:
        return adjacency_from_units(
            region.units.loc[list(region.county_codes)], metric_crs=region.manifest.metric_crs
        )

    store = process_cache() if cache is None else cache
    adjacency: dict[str, set[str]] = store.get(
        region.data_version, ADJACENCY_QUESTION, region.manifest.metric_crs, make
    )
    return adjacency


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
    cache: ResultCache | None = None,
) -> AirWarnings:
    """Episodes (ongoing ones unless ``ongoing_only=False``) from CNEMC hourly files."""
    if not files:
        return AirWarnings(())
    res = _evaluate(files, stations, standard, cache)
    triples = [
        (r["scope"], r["date"], r["aqi"])
        for r in res["unit_daily"].to_dict("records")
        if r["valid"]
    ]
    return air_warnings_from_days(triples, adjacency, ongoing_only=ongoing_only)
