"""The facility layer: typed, sourced service points imported from CSV or GeoJSON, all-or-nothing.

A facility is a point (WGS84 longitude/latitude) of one type (an emergency reserve
centre, a hospital of a given grade, a fire station, a sports venue, ...), with an
optional capacity and a mandatory ``source`` naming where the row came from. Every row
is validated with pydantic; a file with any bad row is rejected whole, and the error
lists every problem as ``file:row:field: message``. The file format is documented in
``coverage/FACILITIES.md``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from metrocircle._enums import TolerantStrEnum
from metrocircle._errors import DataValidationError, Problem
from metrocircle.schema import check_header, read_csv_rows, validate_rows

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "COLUMNS",
    "FacilityLayer",
    "FacilityRow",
    "FacilityType",
    "HospitalGrade",
    "facilities_from_records",
    "load_facilities",
    "region_facilities",
    "validate_facility_files",
]

Datum = Literal["wgs84", "gcj02"]


class FacilityType(TolerantStrEnum):
    """Kinds of public-service facility the plan's chapter 11 names."""

    EMERGENCY_RESERVE = "emergency_reserve"
    """应急物资储备中心 — emergency (material) reserve centre, ch. 11 §4."""
    HOSPITAL = "hospital"
    """医院 — hospital; ``grade`` gives its level (ch. 11 §2)."""
    FIRE_STATION = "fire_station"
    """消防站 — fire station (ch. 11 §4)."""
    SPORTS_VENUE = "sports_venue"
    """体育场馆/全民健身中心 — public sports venue (ch. 11 §1, 15-minute fitness circle)."""
    SCHOOL = "school"
    """学校 — school (ch. 11 §1)."""
    DISEASE_CONTROL = "disease_control"
    """疾控中心 — centre for disease control (ch. 11 §4)."""
    ELDERLY_CARE = "elderly_care"
    """养老机构 — elderly-care institution (ch. 11 §2)."""


class HospitalGrade(StrEnum):
    """Hospital grade of the Chinese grading system (等级): level 1-3, class 甲/乙/丙 = A/B/C."""

    G3A = "3A"
    G3B = "3B"
    G3C = "3C"
    G2A = "2A"
    G2B = "2B"
    G2C = "2C"
    G1A = "1A"
    G1B = "1B"
    G1C = "1C"

    @property
    def rank(self) -> int:
        """Order of the grade, higher is better (3A = 9 ... 1C = 1)."""
        level, klass = int(self.value[0]), self.value[1]
        return (level - 1) * 3 + {"A": 3, "B": 2, "C": 1}[klass]

    @classmethod
    def _missing_(cls, value: object) -> HospitalGrade | None:
        if not isinstance(value, str):
            return None
        v = value.strip().upper()
        zh_level = {"一级": "1", "二级": "2", "三级": "3"}
        zh_class = {"甲等": "A", "乙等": "B", "丙等": "C", "甲": "A", "乙": "B", "丙": "C"}
        for zl, dl in zh_level.items():
            if v.startswith(zl):
                rest = v[len(zl) :]
                if rest in zh_class:
                    v = dl + zh_class[rest]
        for member in cls:
            if member.value == v:
                return member
        return None


class FacilityRow(BaseModel):
    """One facility as it appears in a file (a CSV row or a GeoJSON feature's properties).

    Coordinates are longitude/latitude in degrees; in GCJ-02 files they are converted to
    WGS84 on import (see :func:`load_facilities`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    type: FacilityType
    grade: HospitalGrade | None = None
    capacity: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    capacity_unit: str | None = Field(default=None, max_length=40)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    source: str = Field(min_length=1, max_length=500)

    @field_validator("name_en", "grade", "capacity", "capacity_unit", mode="before")
    @classmethod
    def _empty_is_none(cls, v: Any) -> Any:
        if isinstance(v, str) and not v.strip():
            return None
        return v

    @model_validator(mode="after")
    def _grade_only_for_hospitals(self) -> FacilityRow:
        if self.grade is not None and self.type is not FacilityType.HOSPITAL:
            msg = f"`grade` applies to hospitals only, this row's type is {self.type.value!r}"
            raise ValueError(msg)
        if self.capacity is not None and not self.capacity_unit:
            msg = "`capacity` needs `capacity_unit` (for example beds, tonnes, m2)"
            raise ValueError(msg)
        return self


COLUMNS: tuple[str, ...] = tuple(FacilityRow.model_fields)
"""Columns of a facility CSV, in the documented order."""


@dataclass(frozen=True)
class FacilityLayer:
    """A validated set of facilities, coordinates in WGS84 (EPSG:4326).

    Attributes
    ----------
    table
        DataFrame with :data:`COLUMNS`, one row per facility, ``id`` unique, ``lon``/``lat``
        in WGS84 degrees, ``type`` and ``grade`` as plain strings.
    origin
        Where the layer was read from (a file path or ``"<request>"``).
    datum
        Datum the coordinates were given in before conversion (``"wgs84"`` or ``"gcj02"``).
    """

    table: pd.DataFrame
    origin: str
    datum: str = "wgs84"

    def __len__(self) -> int:
        return len(self.table)

    @property
    def ids(self) -> list[str]:
        """Facility ids in layer order."""
        return [str(v) for v in self.table["id"]]

    def lonlat(self) -> list[tuple[float, float]]:
        """The (lon, lat) WGS84 pairs in layer order."""
        return [
            (float(a), float(b)) for a, b in zip(self.table["lon"], self.table["lat"], strict=True)
        ]

    def of_type(
        self, kind: FacilityType | str, *, min_grade: HospitalGrade | str | None = None
    ) -> FacilityLayer:
        """The facilities of one type (hospitals optionally at or above ``min_grade``)."""
        ftype = FacilityType(kind)
        mask = self.table["type"] == ftype.value
        if min_grade is not None:
            floor = HospitalGrade(min_grade).rank
            ranks = self.table["grade"].map(
                lambda g: HospitalGrade(g).rank if isinstance(g, str) else 0
            )
            mask &= ranks >= floor
        return FacilityLayer(self.table.loc[mask].reset_index(drop=True), self.origin, self.datum)

    def capacities(self) -> list[float | None]:
        """Capacity per facility (None where not given)."""
        return [None if v is None or math.isnan(v) else float(v) for v in self.table["capacity"]]

    def to_geojson(self) -> dict[str, Any]:
        """The layer as a GeoJSON FeatureCollection (WGS84)."""
        feats = []
        for rec in self.table.to_dict(orient="records"):
            props = {k: _plain(v) for k, v in rec.items() if k not in ("lon", "lat")}
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "Point",
                        "coordinates": [float(rec["lon"]), float(rec["lat"])],
                    },
                    "properties": props,
                }
            )
        return {"type": "FeatureCollection", "features": feats}


def _plain(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _build(
    rows: list[FacilityRow], lines: Sequence[int], *, file: str, datum: Datum
) -> FacilityLayer:
    import pandas as pd

    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row, line in zip(rows, lines, strict=True):
        if row.id in seen:
            problems.append(
                Problem(file, line, "id", f"duplicate id {row.id!r} (first on row {seen[row.id]})")
            )
        seen.setdefault(row.id, line)
    if problems:
        raise DataValidationError(
            problems, summary=f"{file}: {len(problems)} problem(s); nothing imported"
        )
    table = pd.DataFrame(
        [r.model_dump(mode="json") for r in rows],
        columns=list(COLUMNS),
    )
    if datum == "gcj02" and len(table):
        from metrocircle.geo import gcj02_to_wgs84

        lon, lat = gcj02_to_wgs84(table["lon"].to_numpy(), table["lat"].to_numpy())
        table["lon"], table["lat"] = lon, lat
    table["capacity"] = table["capacity"].astype("float64")
    return FacilityLayer(table, file, datum)


def _check_datum(datum: str) -> Datum:
    if datum not in ("wgs84", "gcj02"):
        msg = f"`datum` was {datum!r} but is expected to be 'wgs84' or 'gcj02'"
        raise ValueError(msg)
    return datum  # type: ignore[return-value]


def facilities_from_records(
    records: Iterable[Mapping[str, Any]],
    *,
    file: str = "<request>",
    datum: Datum = "wgs84",
    first_line: int = 1,
) -> FacilityLayer:
    """Validate facility records (dicts with :data:`COLUMNS` keys) into a layer.

    Parameters
    ----------
    records
        One mapping per facility; ``lon``/``lat`` in degrees of ``datum``.
    file
        Name used in problem messages.
    datum
        ``"wgs84"`` (default) or ``"gcj02"`` (AMap/Tencent coordinates, converted to WGS84).
    first_line
        Number reported for the first record (1-based position by default).

    Raises
    ------
    DataValidationError
        Listing every problem as ``file:row:field: message``; nothing is imported.
    """
    d = _check_datum(datum)
    recs = [dict(r) for r in records]
    good, problems = validate_rows(FacilityRow, recs, file=file, first_line=first_line)
    if problems:
        raise DataValidationError(
            problems, summary=f"{file}: {len(problems)} problem(s); nothing imported"
        )
    return _build(good, range(first_line, first_line + len(good)), file=file, datum=d)


def _read_geojson(path: Path, file: str) -> tuple[list[dict[str, Any]], list[Problem]]:
    try:
        gj = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        return [], [Problem(file, exc.lineno, "*", f"invalid JSON: {exc.msg}")]
    except UnicodeDecodeError:
        return [], [Problem(file, 0, "*", "not UTF-8 text")]
    feats = gj.get("features") if isinstance(gj, dict) else None
    if not isinstance(feats, list) or gj.get("type") != "FeatureCollection":
        return [], [Problem(file, 0, "features", "not a GeoJSON FeatureCollection")]
    crs_name = str((((gj.get("crs") or {}).get("properties") or {}).get("name")) or "")
    problems: list[Problem] = []
    if crs_name and "4326" not in crs_name and "CRS84" not in crs_name:
        problems.append(
            Problem(file, 0, "crs", f"expected WGS84 (EPSG:4326) lon/lat, found {crs_name}")
        )
    records: list[dict[str, Any]] = []
    for k, f in enumerate(feats, start=1):
        geom = f.get("geometry") if isinstance(f, dict) else None
        props = f.get("properties") if isinstance(f, dict) else None
        if not isinstance(props, dict):
            problems.append(Problem(file, k, "properties", "feature has no properties object"))
            continue
        coords = geom.get("coordinates") if isinstance(geom, dict) else None
        if (
            not isinstance(geom, dict)
            or geom.get("type") != "Point"
            or not isinstance(coords, list)
            or len(coords) < 2
        ):
            problems.append(Problem(file, k, "geometry", "expected a Point geometry [lon, lat]"))
            continue
        if "lon" in props or "lat" in props:
            problems.append(
                Problem(file, k, "properties.lon", "give coordinates in the geometry only")
            )
            continue
        records.append({**props, "lon": coords[0], "lat": coords[1]})
    return records, problems


def load_facilities(path: str | Path, *, datum: Datum = "wgs84") -> FacilityLayer:
    """Read and validate a facility file (CSV or GeoJSON) into a :class:`FacilityLayer`.

    Parameters
    ----------
    path
        A ``.csv`` file with the columns of :data:`COLUMNS` (header line first, UTF-8), or a
        ``.geojson``/``.json`` FeatureCollection of Point features whose properties carry
        every column but ``lon``/``lat`` (taken from the geometry).
    datum
        Datum of the coordinates in the file: ``"wgs84"`` (EPSG:4326, default) or
        ``"gcj02"`` (AMap/Tencent web maps), converted to WGS84 on import.

    Returns
    -------
    FacilityLayer
        Coordinates in WGS84 degrees.

    Raises
    ------
    DataValidationError
        Listing every problem as ``file:row:field: message`` (CSV rows count the header as
        line 1; GeoJSON rows are 1-based feature positions); nothing is imported.
    """
    d = _check_datum(datum)
    p = Path(path)
    file = p.name
    if not p.is_file():
        raise DataValidationError(
            [Problem(str(p), 0, "*", "file not found")], summary=f"cannot read {p}"
        )
    suffix = p.suffix.lower()
    if suffix == ".csv":
        try:
            header, raw = read_csv_rows(p)
        except UnicodeDecodeError:
            raise DataValidationError([Problem(file, 0, "*", "not UTF-8 text")]) from None
        problems = check_header(header, FacilityRow, file=file)
        if problems:
            raise DataValidationError(problems, summary=f"{file}: bad header; nothing imported")
        if not raw:
            raise DataValidationError([Problem(file, 2, "*", "no facility rows")])
        return facilities_from_records(raw, file=file, datum=d, first_line=2)
    if suffix in (".geojson", ".json"):
        records, problems = _read_geojson(p, file)
        if not problems and not records:
            problems = [Problem(file, 0, "features", "no facility features")]
        if problems:
            raise DataValidationError(
                problems, summary=f"{file}: {len(problems)} problem(s); nothing imported"
            )
        return facilities_from_records(records, file=file, datum=d, first_line=1)
    raise DataValidationError(
        [
            Problem(
                file, 0, "*", f"unsupported file type {suffix!r}; expected .csv, .geojson or .json"
            )
        ]
    )


def region_facilities(region: Any) -> FacilityLayer | None:
    """The facility layer a region's dataset ships (manifest file entry ``facilities``), if any.

    A dataset declares it in manifest.toml as ``[files.facilities]`` with ``path`` to a CSV
    or GeoJSON in WGS84. Returns None when the dataset ships no facility layer.
    """
    if not region.has_file("facilities"):
        return None
    return load_facilities(region.file("facilities"))


def validate_facility_files(path: Path, manifest: Any) -> list[Problem]:
    """Dataset validator: problems of the facility layer a manifest declares (none when it declares none).

    Listed in :data:`metrocircle.extensions.BUILTIN` (extension ``"facilities"``).
    """
    entry = getattr(manifest, "files", {}).get("facilities")
    if entry is None:
        return []
    try:
        load_facilities(Path(path) / entry.path)
    except DataValidationError as exc:
        return list(exc.problems)
    return []
