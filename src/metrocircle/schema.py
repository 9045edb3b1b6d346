"""Pydantic models of every dataset file; validation collects every problem as file:row:field."""

from __future__ import annotations

import csv
import math
import tomllib
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from metrocircle._errors import Problem
from metrocircle.problems import from_pydantic

__all__ = [
    "MEASURE_UNITS",
    "ROLES",
    "Direction",
    "FileEntry",
    "Manifest",
    "ProjectRow",
    "TargetRow",
    "UnitRow",
    "read_csv_rows",
    "validate_rows",
    "validate_rows_numbered",
]

ROLES: dict[str, tuple[str, str]] = {
    "core": ("中心城区", "central urban area"),
    "integration_pioneer": ("率先同城化", "first to integrate with the centre"),
    "strategic_pivot": ("战略支点", "strategic pivot"),
    "bridgehead": ("桥头堡城市", "bridgehead city"),
    "northern_subcentre": ("北部副中心", "northern sub-centre"),
    "satellite_town": ("新型卫星城", "new-type satellite town"),
}
"""The roles chapter 3 of a plan gives its units (id → (Chinese, English))."""

MEASURE_UNITS: dict[str, tuple[str, str, float | None, float | None]] = {
    "pct": ("%", "percent", 0.0, 100.0),
    "minutes": ("分钟", "minutes", 0.0, None),
    "hours": ("小时", "hours", 0.0, None),
    "km": ("公里", "km", 0.0, None),
    "count": ("个/条", "count", 0.0, None),
    "10k_tonnes": ("万吨", "10k tonnes", 0.0, None),
    "100m_m3": ("亿立方米", "100 million m³", 0.0, None),
    "10k_persons": ("万人", "10k persons", 0.0, None),
    "persons": ("人", "persons", 0.0, None),
    "100m_yuan": ("亿元", "100 million yuan", None, None),
    "road_grade": ("技术等级", "road technical grade", 1.0, 4.0),
    "class": ("水质类别", "water quality class (6 = worse than V)", 1.0, 6.0),
    "bool": ("是否", "yes (1) / no (0)", 0.0, 1.0),
    "ugm3": ("微克/立方米", "µg/m³", 0.0, None),
    "days": ("天", "days", 0.0, 366.0),
}
"""Units of measure: id → (Chinese label, English label, lowest valid, highest valid)."""


class Direction(StrEnum):
    """Which way a target points: at least, at most, or exactly."""

    GE = ">="
    LE = "<="
    EQ = "="

    @classmethod
    def _missing_(cls, value: object) -> Direction | None:
        aliases = {"≥": ">=", "≤": "<=", "==": "=", "ge": ">=", "le": "<=", "eq": "="}
        if isinstance(value, str) and value.strip() in aliases:
            return cls(aliases[value.strip()])
        return None


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip() == "":
            return None
        return v


def _split_list(v: Any) -> Any:
    if isinstance(v, str):
        return tuple(x.strip() for x in v.split(";") if x.strip())
    if v is None:
        return ()
    return v


class UnitRow(_Row):
    """One administrative unit (units.csv)."""

    code: str = Field(pattern=r"^\d{6}$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    parent: str | None = Field(default=None, pattern=r"^\d{6}$")
    level: str = Field(pattern=r"^(district|county|county_city|prefecture)$")
    roles: tuple[str, ...] = ()
    population_2020: int | None = Field(default=None, ge=0)
    urban_population_2020: int | None = Field(default=None, ge=0)
    urbanisation_rate_2020_pct: float | None = Field(default=None, ge=0, le=100)
    seat_name_zh: str | None = None
    seat_lon: float | None = Field(default=None, ge=-180, le=180)
    seat_lat: float | None = Field(default=None, ge=-90, le=90)
    area_km2_computed: float | None = Field(default=None, gt=0)
    notes: str | None = None

    _split_roles = field_validator("roles", mode="before")(_split_list)

    @field_validator("roles")
    @classmethod
    def _known_roles(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [r for r in v if r not in ROLES]
        if bad:
            msg = f"unknown role(s) {bad}; expected some of {sorted(ROLES)}"
            raise ValueError(msg)
        return v


class TargetRow(_Row):
    """One quantified target of the plan (targets.csv)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    indicator: str = Field(pattern=r"^[a-z0-9_.]+$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    scope: str = Field(pattern=r"^(region|\d{6}|group:[a-z_]+)$")
    unit: str
    direction: Direction
    baseline_value: float | None = None
    baseline_year: int | None = Field(default=None, ge=1949, le=2100)
    target_value: float
    target_year: int | None = Field(default=None, ge=1949, le=2100)
    chapter: str = Field(min_length=1)
    source_quote: str | None = None
    computed_by: str | None = None
    notes: str | None = None

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        if v not in MEASURE_UNITS:
            msg = f"unknown unit of measure {v!r}; expected one of {sorted(MEASURE_UNITS)}"
            raise ValueError(msg)
        return v

    @field_validator("target_value", "baseline_value")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            msg = "must be a finite number"
            raise ValueError(msg)
        return v


class ProjectRow(_Row):
    """One key project of the plan (projects.csv)."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    type: str = Field(pattern=r"^[a-z_]+$")
    chapter: str = Field(min_length=1)
    units: tuple[str, ...] = ()
    status: str = Field(pattern=r"^[a-z_]+$")
    in_service_year: int | None = Field(default=None, ge=1949, le=2100)
    network_ref: tuple[str, ...] = ()
    source_quote: str | None = None
    notes: str | None = None
    not_modelled_reason: str | None = None
    """Why a transport project has no network_ref (e.g. freight only, study without an alignment)."""

    _split_units = field_validator("units", "network_ref", mode="before")(_split_list)

    @field_validator("units")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in v if not (len(c) == 6 and c.isdigit())]
        if bad:
            msg = f"not 6-digit GB/T 2260 codes: {bad}"
            raise ValueError(msg)
        return v


class FileEntry(BaseModel):
    """One file the manifest declares."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str
    format: str = Field(pattern=r"^(csv|geojson|toml|md|parquet)$")
    crs: str | None = None
    units: str | None = None
    licence: str
    source: str
    description: str = ""


class Centre(BaseModel):
    """The point the commute indicators measure to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    unit: str = Field(pattern=r"^\d{6}$")
    name_zh: str
    name_en: str
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    source: str


class Manifest(BaseModel):
    """manifest.toml: what the dataset is and the files it holds."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    schema_version: int = Field(ge=1, le=1)
    name: str = Field(pattern=r"^[a-z0-9_-]+$")
    title_zh: str
    title_en: str
    plan_title_zh: str
    plan_title_en: str
    plan_ref: str
    plan_year: int
    plan_horizon: int
    outlook_year: int
    crs: str = Field(pattern=r"^EPSG:4326$")
    metric_crs: str = Field(pattern=r"^EPSG:\d+$")
    population_reference: str
    timezone: str = Field(
        default="UTC",
        description="IANA time zone of the region's clocks: times reported without an "
        "offset (visitor counts) are read in it.",
    )
    centre: Centre
    extra_scopes: dict[str, str] = Field(default_factory=dict)
    files: dict[str, FileEntry]

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown IANA time zone {value!r}"
            raise ValueError(msg) from None
        return value


T = TypeVar("T", bound=BaseModel)


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Read a UTF-8 CSV (BOM tolerated) into its header and a list of row dicts."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        rows = [dict(r) for r in reader]
    return header, rows


def validate_rows(
    model: type[T],
    rows: Iterable[dict[str, Any]],
    *,
    file: str,
    first_line: int = 2,
) -> tuple[list[T], list[Problem]]:
    """Validate rows with a model, collecting every problem rather than stopping at the first.

    Parameters
    ----------
    model
        The pydantic model of one row.
    rows
        Row dicts as read from the file.
    file
        The file name used in problems.
    first_line
        Line number of the first data row (2 after a header line).
    """
    good: list[T] = []
    problems: list[Problem] = []
    for i, raw in enumerate(rows):
        line = first_line + i
        if None in raw:
            problems.append(Problem.coded(file, line, "*", "extra_fields"))
            continue
        try:
            good.append(model.model_validate(raw))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "*"
                problems.append(from_pydantic(file, line, loc, err))
    return good, problems


def validate_rows_numbered(
    model: type[T],
    rows: Iterable[dict[str, Any]],
    *,
    file: str,
    first_line: int = 2,
) -> tuple[list[tuple[int, T]], list[Problem]]:
    """Like :func:`validate_rows`, but each valid row comes with its line number in the file."""
    good: list[tuple[int, T]] = []
    problems: list[Problem] = []
    for i, raw in enumerate(rows):
        line = first_line + i
        rows_ok, rows_bad = validate_rows(model, [raw], file=file, first_line=line)
        problems.extend(rows_bad)
        good.extend((line, r) for r in rows_ok)
    return good, problems


def check_header(header: Sequence[str], model: type[BaseModel], *, file: str) -> list[Problem]:
    """Report missing required columns and unknown columns of a CSV header."""
    problems: list[Problem] = []
    fields = model.model_fields
    for name, info in fields.items():
        if info.is_required() and name not in header:
            problems.append(Problem.coded(file, 1, name, "column_missing"))
    for col in header:
        if col not in fields:
            problems.append(Problem.coded(file, 1, col, "unknown_column"))
    return problems


def load_manifest(path: Path) -> tuple[Manifest | None, list[Problem]]:
    """Parse and validate manifest.toml, returning the manifest or the problems."""
    fname = path.name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem.coded(fname, 0, "*", "manifest_missing")]
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", 0) or 0
        return None, [Problem.coded(fname, line, "*", "invalid_toml", detail=exc)]
    try:
        return Manifest.model_validate(raw), []
    except ValidationError as exc:
        return None, [
            from_pydantic(fname, 0, ".".join(str(p) for p in e["loc"]), e) for e in exc.errors()
        ]
