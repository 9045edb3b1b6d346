"""Sector endpoints: AQI, joint air warnings, water class, scenic crowd warnings, revenue split."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

import fastapi
from fastapi import HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from metrocircle._errors import (
    DataValidationError,
    MetrocircleError,
)
from metrocircle.api.deps import SettingsDep, StoreDep, WriterDep, origin_of
from metrocircle.api.heavy import results_of

__all__ = ["router"]

router = fastapi.APIRouter(prefix="/api/sectors", tags=["sectors"])

_Conc = Annotated[float | None, Field(default=None, ge=0, le=100_000)]
_Code = Annotated[str, Field(pattern=r"^\d{6}$")]
_MAX_DAILY = 20_000
_MAX_COUNTS = 5_000
_MAX_LEDGER = 5_000
# a batch as large as a province's monitoring network, well below a costly body
_MAX_SECTIONS = 2_000
# attractions of one scenic area: far more than any has
_MAX_ATTRACTIONS = 500


def _unprocessable(exc: Exception) -> HTTPException:
    if isinstance(exc, DataValidationError):
        detail: Any = [
            {"loc": [p.field], "row": p.row, "msg": p.message} for p in exc.problems
        ] or str(exc)
    else:
        detail = str(exc)
    return HTTPException(status_code=422, detail=detail)


def _region(request: Request) -> Any:
    region = getattr(request.app.state, "region", None)
    if region is None:
        raise HTTPException(status_code=503, detail="no region loaded")
    return region


# --------------------------------------------------------------------------- air


class Concentrations(BaseModel):
    """Concentrations, µg/m³ (CO mg/m³); daily: 24-h means and O3 daily maxima; hourly: 1-h values."""

    model_config = ConfigDict(extra="forbid")
    so2: _Conc = None
    no2: _Conc = None
    pm10: _Conc = None
    pm2_5: _Conc = None
    co: _Conc = None
    o3_1h: _Conc = None
    o3_8h: _Conc = None
    so2_24h: _Conc = None


class AQIIn(BaseModel):
    """An AQI request."""

    model_config = ConfigDict(extra="forbid")
    report: Literal["daily", "hourly"] = "daily"
    standard: Literal["HJ633-2012", "HJ633-2026"] = "HJ633-2012"
    concentrations: Concentrations


@router.post(
    "/air/aqi", operation_id="sectors_air_aqi", summary="HJ 633 AQI of one set of concentrations"
)
def air_aqi(body: AQIIn) -> dict[str, Any]:
    """AQI, IAQI per item, primary pollutants and category, tagged with the standard."""
    from metrocircle.sectors.air import UnconfirmedStandardError
    from metrocircle.sectors.results import air_quality_index

    conc = body.concentrations.model_dump(exclude_none=True)
    try:
        res = air_quality_index(conc, report=body.report, standard=body.standard)
    except UnconfirmedStandardError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except (DataValidationError, ValueError) as exc:
        raise _unprocessable(exc) from None
    return res.to_json()


class UnitDay(BaseModel):
    """One unit's daily AQI."""

    model_config = ConfigDict(extra="forbid")
    unit: _Code
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    aqi: int | None = Field(default=None, ge=0, le=5000)


class EpisodesIn(BaseModel):
    """Unit daily AQI to scan for joint episodes."""

    model_config = ConfigDict(extra="forbid")
    days: list[UnitDay] = Field(max_length=_MAX_DAILY)
    ongoing_only: bool = True


def _adjacency(request: Request) -> dict[str, set[str]]:
    from metrocircle.sectors.results import unit_adjacency

    return unit_adjacency(_region(request), cache=results_of(request))


@router.post(
    "/air/warnings",
    operation_id="sectors_air_warnings_evaluate",
    summary="Joint episodes in posted unit daily AQI",
)
def air_warnings_evaluate(body: EpisodesIn, request: Request) -> list[dict[str, Any]]:
    """Joint heavy-pollution episodes across neighbouring units of the region."""
    from metrocircle.sectors.results import air_warnings_from_days

    triples = [(d.unit, d.date, None if d.aqi is None else float(d.aqi)) for d in body.days]
    try:
        res = air_warnings_from_days(triples, _adjacency(request), ongoing_only=body.ongoing_only)
    except DataValidationError as exc:
        raise _unprocessable(exc) from None
    return res.to_json()


@router.get(
    "/air/warnings", operation_id="sectors_air_warnings", summary="Current joint air warnings"
)
def air_warnings(request: Request) -> list[dict[str, Any]]:
    """Ongoing joint episodes computed from the dataset's hourly station files (empty without data)."""
    from metrocircle.sectors.results import air_warnings as warnings_of
    from metrocircle.sectors.results import dataset_air_files

    files, registry = dataset_air_files(_region(request).dataset_path)
    if not files or not registry.is_file():
        return []
    try:
        return warnings_of(
            files, registry, _adjacency(request), cache=results_of(request)
        ).to_json()
    except MetrocircleError as exc:
        raise HTTPException(
            status_code=500, detail=f"dataset air files are invalid: {exc}"
        ) from None


@router.get(
    "/air/daily",
    operation_id="sectors_air_daily",
    summary="Daily AQI per station, unit or area from the dataset's hourly station files",
)
def air_daily(
    request: Request, level: Literal["station", "unit", "area"] = "station"
) -> list[dict[str, Any]]:
    """The same rows as ``metrocircle air import <the dataset's sectors/air_hourly/*.csv> --level L --json``."""
    from metrocircle.sectors.results import air_daily as daily_of
    from metrocircle.sectors.results import dataset_air_files

    files, registry = dataset_air_files(_region(request).dataset_path)
    if not files or not registry.is_file():
        return []
    try:
        return daily_of(files, registry, level=level, cache=results_of(request)).to_json()
    except MetrocircleError as exc:
        raise HTTPException(
            status_code=500, detail=f"dataset air files are invalid: {exc}"
        ) from None


@router.get(
    "/air/good-days",
    operation_id="sectors_air_good_days",
    summary="HJ 663 good-air-day ratios from the dataset's hourly station files",
)
def air_good_days(request: Request) -> list[dict[str, Any]]:
    """Good-air-day ratio per station, unit and area, per year (empty without hourly data).

    The same rows as ``metrocircle air good-days <the dataset's sectors/air_hourly/*.csv> --json``.
    """
    from metrocircle.sectors.results import dataset_air_files, good_air_days

    files, registry = dataset_air_files(_region(request).dataset_path)
    if not files or not registry.is_file():
        return []
    try:
        return good_air_days(files, registry, cache=results_of(request)).to_json()
    except MetrocircleError as exc:
        raise HTTPException(
            status_code=500, detail=f"dataset air files are invalid: {exc}"
        ) from None


def _reference(request: Request, rel: str, fn: Any) -> list[dict[str, Any]]:
    """A dataset reference table; a dataset without the file has none (empty list)."""
    root = Path(_region(request).dataset_path)
    if not (root / rel).is_file():
        return []
    try:
        rows: list[dict[str, Any]] = fn(root).to_json()
    except MetrocircleError as exc:
        raise HTTPException(status_code=500, detail=f"dataset file is invalid: {exc}") from None
    return rows


@router.get(
    "/air/stations",
    operation_id="sectors_air_stations",
    summary="The air station registry with each station's unit",
)
def air_stations(request: Request) -> list[dict[str, Any]]:
    """The same rows as ``metrocircle air stations --json``."""
    from metrocircle.sectors.results import air_station_list

    return _reference(request, "sectors/air_stations.csv", air_station_list)


# --------------------------------------------------------------------------- water


@router.get(
    "/water/limits",
    operation_id="sectors_water_limits",
    summary="GB 3838-2002 Table 1 limits (classes I–V)",
)
def water_limits() -> list[dict[str, Any]]:
    """The same rows as ``metrocircle water limits --json``."""
    from metrocircle.sectors.results import water_limit_table

    return water_limit_table().to_json()


class SectionIn(BaseModel):
    """Measurements of one section (units of GB 3838-2002 Table 1)."""

    model_config = ConfigDict(extra="forbid")
    water_body: Literal["river", "lake"] = "river"
    measurements: dict[
        Annotated[str, Field(max_length=32)], Annotated[float, Field(ge=0, le=1e7)]
    ] = Field(min_length=1, max_length=40)


@router.post(
    "/water/class", operation_id="sectors_water_class", summary="GB 3838-2002 class of a section"
)
def water_class(body: SectionIn) -> dict[str, Any]:
    """Class I–V or 劣V by the single-factor method, with the deciding parameters."""
    from metrocircle.sectors.water import section_class

    try:
        return section_class(body.measurements, water_body=body.water_body).to_dict()
    except (DataValidationError, ValueError) as exc:
        raise _unprocessable(exc) from None


class NamedSectionIn(SectionIn):
    """One named section of a batch."""

    section_id: str = Field(min_length=1, max_length=80)


class SectionsIn(BaseModel):
    """Sections to classify together."""

    model_config = ConfigDict(extra="forbid")
    sections: list[NamedSectionIn] = Field(min_length=1, max_length=_MAX_SECTIONS)


@router.post(
    "/water/classify",
    operation_id="sectors_water_classify",
    summary="GB 3838-2002 class of many sections and the share at class III or better",
)
def water_classify(body: SectionsIn) -> dict[str, Any]:
    """Every section's class and the share at class III or better, all or nothing.

    The same document as ``metrocircle water classify FILE --json``; nothing is stored.
    """
    from metrocircle.sectors.results import water_classification

    try:
        return water_classification(
            (s.section_id, s.water_body, s.measurements) for s in body.sections
        ).to_json()
    except (DataValidationError, ValueError) as exc:
        raise _unprocessable(exc) from None


# --------------------------------------------------------------------------- tourism


def _scenic(request: Request) -> dict[str, dict[str, Any]]:
    from metrocircle.sectors.results import scenic_areas

    return scenic_areas(_region(request).dataset_path)


def _capacities(request: Request) -> dict[str, Any]:
    from metrocircle.sectors.results import scenic_capacities

    return dict(scenic_capacities(_region(request).dataset_path))


@router.get(
    "/tourism/areas", operation_id="sectors_tourism_areas", summary="Themed scenic areas (专栏5)"
)
def tourism_areas(request: Request) -> list[dict[str, Any]]:
    """The plan's scenic areas with whether a capacity is on file."""
    from metrocircle.sectors.results import scenic_area_list

    return scenic_area_list(_region(request).dataset_path).to_json()


@router.get(
    "/tourism/tiers",
    operation_id="sectors_tourism_tiers",
    summary="Crowd-warning tiers (LB/T 034-2014)",
)
def tourism_tiers() -> list[dict[str, Any]]:
    """The same rows as ``metrocircle tourism tiers --json``."""
    from metrocircle.sectors.results import crowd_tiers

    return crowd_tiers().to_json()


_Area = Annotated[float, Field(gt=0, le=1e9, allow_inf_nan=False)]
_Hours = Annotated[float, Field(gt=0, le=24, allow_inf_nan=False)]


class AttractionIn(BaseModel):
    """One attraction: effective visitable area (m²) and area per visitor (m²/person)."""

    model_config = ConfigDict(extra="forbid")
    area_m2: _Area
    m2_per_visitor: _Area


class CapacityIn(BaseModel):
    """Attractions of one scenic area; T and t (hours) give the daily capacity."""

    model_config = ConfigDict(extra="forbid")
    attractions: list[AttractionIn] = Field(min_length=1, max_length=_MAX_ATTRACTIONS)
    open_hours: _Hours | None = None
    visit_hours: _Hours | None = None


@router.post(
    "/tourism/capacity",
    operation_id="sectors_tourism_capacity",
    summary="LB/T 034-2014 spatial capacity of posted attractions; stores nothing",
)
def tourism_capacity(body: CapacityIn) -> dict[str, Any]:
    """Instantaneous and (with T and t) daily capacity, as ``metrocircle tourism capacity --json``."""
    from metrocircle.sectors.results import tourism_capacity as capacity

    try:
        return capacity(
            [(a.area_m2, a.m2_per_visitor) for a in body.attractions],
            open_hours=body.open_hours,
            visit_hours=body.visit_hours,
        ).to_json()
    except (DataValidationError, ValueError) as exc:
        raise _unprocessable(exc) from None


class CountIn(BaseModel):
    """One visitor count; ``time`` without an offset is the region's local time."""

    model_config = ConfigDict(extra="forbid")
    scenic_id: str = Field(min_length=1, max_length=80)
    time: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})?$")
    in_park: int | None = Field(default=None, ge=0, le=10_000_000, strict=True)
    cumulative_today: int | None = Field(default=None, ge=0, le=100_000_000, strict=True)


class CountsIn(BaseModel):
    """A batch of visitor counts."""

    model_config = ConfigDict(extra="forbid")
    counts: list[CountIn] = Field(min_length=1, max_length=_MAX_COUNTS)


@router.post(
    "/tourism/counts",
    operation_id="sectors_tourism_counts",
    summary="Post visitor counts",
    responses={
        401: {"description": "Not logged in"},
        403: {"description": "The role, or the scenic area's unit, is not the user's"},
    },
)
def tourism_counts(
    body: CountsIn,
    request: Request,
    principal: WriterDep,
    store: StoreDep,
    settings: SettingsDep,
) -> dict[str, Any]:
    """Accept a batch of counts (all or nothing); the latest per area feeds the current warnings.

    Officers report for the scenic areas of their units, administrators for any; every
    batch is stored with its audit entry. A time more than ``max_clock_skew_seconds`` in
    the future is refused.
    """
    from metrocircle.sectors.results import check_visitor_counts
    from metrocircle.store import VisitorCountIn

    try:
        checked = check_visitor_counts(
            _region(request).dataset_path,
            [(c.scenic_id, c.time, c.in_park, c.cumulative_today) for c in body.counts],
            reporter=principal,
            timezone=_region(request).manifest.timezone,
            max_clock_skew_seconds=settings.max_clock_skew_seconds,
        )
    except DataValidationError as exc:
        detail = [{"loc": ["counts", p.row, p.field], "msg": p.message} for p in exc.problems]
        raise HTTPException(status_code=422, detail=detail) from None
    rows = [
        VisitorCountIn(c.scenic_id, c.time, c.observed_at, c.in_park, c.cumulative_today)
        for c in checked
    ]
    store.report_visitor_counts(rows, actor=principal.name, origin=origin_of(request))
    return {"accepted": len(rows), "areas_with_counts": len(store.latest_visitor_counts())}


@router.get(
    "/tourism/warnings", operation_id="sectors_tourism_warnings", summary="Current crowd warnings"
)
def tourism_warnings(request: Request, store: StoreDep) -> list[dict[str, Any]]:
    """Scenic areas at or above a warning tier, highest ratio first (for joint release)."""
    from metrocircle.sectors.results import tourism_warnings as warnings_of
    from metrocircle.sectors.tourism import VisitorCount

    latest = [
        VisitorCount(c.scenic_id, c.time, c.in_park, c.cumulative_today)
        for c in store.latest_visitor_counts()
    ]
    try:
        return warnings_of(_region(request).dataset_path, latest).to_json()
    except DataValidationError as exc:
        raise _unprocessable(exc) from None


# --------------------------------------------------------------------------- fiscal


@router.get(
    "/fiscal/areas",
    operation_id="sectors_fiscal_areas",
    summary="Shared areas, their jurisdictions and default shares",
)
def fiscal_areas(request: Request) -> list[dict[str, Any]]:
    """The same rows as ``metrocircle fiscal areas --json``."""
    from metrocircle.sectors.results import shared_area_list

    return _reference(request, "sectors/shared_areas.toml", shared_area_list)


class LedgerRowIn(BaseModel):
    """One ledger value (amount as a decimal string or number, in the ledger's unit)."""

    model_config = ConfigDict(extra="forbid")
    item: str = Field(min_length=1, max_length=60)
    year: int = Field(ge=1949, le=2200)
    jurisdiction: _Code
    amount: Decimal = Field(ge=0, le=Decimal("1e15"), allow_inf_nan=False)


class SplitIn(BaseModel):
    """A ledger to split."""

    model_config = ConfigDict(extra="forbid")
    area_id: str = Field(min_length=1, max_length=60)
    base_year: int = Field(ge=1949, le=2200)
    shares: dict[_Code, Decimal] | None = Field(default=None, min_length=2, max_length=10)
    decimals: int = Field(default=2, ge=0, le=8)
    entries: list[LedgerRowIn] = Field(min_length=1, max_length=_MAX_LEDGER)


@router.post(
    "/fiscal/split",
    operation_id="sectors_fiscal_split",
    summary="Split increments over the base year",
)
def fiscal_split(body: SplitIn, request: Request) -> list[dict[str, Any]]:
    """Stock stays with each jurisdiction; the increment over the base year is split by shares."""
    from metrocircle.sectors.fiscal import LedgerEntry
    from metrocircle.sectors.results import fiscal_split as split

    entries = [
        LedgerEntry(body.area_id, e.item, e.year, e.jurisdiction, e.amount) for e in body.entries
    ]
    try:
        return split(
            entries,
            base_year=body.base_year,
            root=_region(request).dataset_path,
            shares=body.shares,
            area_id=body.area_id,
            decimals=body.decimals,
        ).to_json()
    except (DataValidationError, ValueError, ArithmeticError) as exc:
        raise _unprocessable(exc) from None
