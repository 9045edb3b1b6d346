"""The facility layers a dataset ships: hospitals and emergency sites, placed and sourced.

Two dataset files (declared in manifest.toml as ``[files.hospitals]`` and
``[files.emergency_sites]``) hold the facilities found in public sources, one row per
facility, each with the unit it lies in, a WGS84 point, how the point was placed
(``placed_by``) and a source for every figure. A third file (``[files.facility_gaps]``)
says whether each layer is complete and, when not, what is missing; an indicator that
needs a complete layer reports "no data" with that list instead of a value computed on
a partial one.

Placement rules (``placed_by``):

``published_coordinate``
    A coordinate published by the facility or an authority (``location_source`` names it).
``township_point``
    The published address names a 街道/镇 of the unit (``township_code``); the point is
    that township's point in ``network/zones.csv``.
``unit_seat``
    No usable address is published; the point is the unit's seat in ``units.csv``. It
    stands for the unit, not for the building.

The validator (:func:`validate_layer_files`, run by ``metrocircle validate`` and by the
region loader) checks every row: a known county-level unit, a point inside that unit's
boundary in ``boundaries.geojson``, a point equal to the township point or the seat it
claims, and a source beside every grade, role, bed count and capacity. Problems come as
``file:row:field: message``; a dataset with one bad row does not load.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrocircle._errors import DataValidationError, Problem
from metrocircle.cache import process_cache

if TYPE_CHECKING:
    from metrocircle.coverage.facilities import FacilityLayer
    from metrocircle.region import Region

__all__ = [
    "EMERGENCY_COLUMNS",
    "EMERGENCY_KINDS",
    "HOSPITAL_COLUMNS",
    "HOSPITAL_ROLES",
    "PLACED_BY",
    "LayerGap",
    "layer_gap",
    "load_emergency_sites",
    "load_hospitals",
    "shipped_facilities",
    "validate_all_facility_files",
    "validate_layer_files",
]

PLACED_BY = ("published_coordinate", "township_point", "unit_seat")
"""How a facility's point was obtained (see the module docstring)."""

HOSPITAL_ROLES: dict[str, str] = {
    "tertiary_3a": "三级甲等医院 (graded 3A by the health authority)",
    "national_regional_medical_centre": "国家区域医疗中心 (project of the national programme, plan ch. 11 §2)",
    "provincial_regional_medical_centre": "省级区域医疗中心 (provincial regional medical centre, plan ch. 11 §2)",
}
"""Roles a hospital row may carry (``roles``, separated by ``;``)."""

EMERGENCY_KINDS: dict[str, str] = {
    "material_reserve": "应急物资储备库/中心 (emergency material reserve)",
    "aviation_rescue_base": "航空应急救援基地 (aviation emergency rescue base)",
    "rescue_base": "国家/区域应急救援基地 (national or regional emergency rescue base)",
}
"""Kinds of emergency site (``kind``); all of them count as rescue-circle origins."""

HOSPITAL_COLUMNS: tuple[str, ...] = (
    "id",
    "name_zh",
    "name_en",
    "grade",
    "roles",
    "status",
    "unit_code",
    "unit_basis",
    "township_code",
    "placed_by",
    "lon",
    "lat",
    "location_source",
    "grade_source",
    "role_source",
    "beds",
    "beds_kind",
    "beds_source",
)
EMERGENCY_COLUMNS: tuple[str, ...] = (
    "id",
    "name_zh",
    "name_en",
    "kind",
    "status",
    "unit_code",
    "unit_basis",
    "township_code",
    "placed_by",
    "lon",
    "lat",
    "location_source",
    "capacity",
    "capacity_unit",
    "capacity_source",
    "source",
)
_BEDS_KINDS = ("编制", "设置", "开放", "实有")
_STATUS = ("in_service", "under_construction", "planned")
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_YEAR = re.compile(r"(19|20)\d\d")
_POINT_TOL = 1e-6  # degrees: a placed point must equal its township point or seat


@dataclass(frozen=True)
class _Geo:
    """Units, boundaries and township points of a dataset folder (for the checks)."""

    units: dict[str, dict[str, str]]
    shapes: dict[str, Any]
    townships: dict[str, tuple[str, float, float]]


def _geo(folder: str) -> _Geo:
    from shapely.geometry import shape
    from shapely.prepared import prep

    root = Path(folder)
    with (root / "units.csv").open(encoding="utf-8-sig", newline="") as fh:
        units = {r["code"]: r for r in csv.DictReader(fh)}
    shapes: dict[str, Any] = {}
    gj = json.loads((root / "boundaries.geojson").read_text(encoding="utf-8"))
    for f in gj.get("features", []):
        code = str((f.get("properties") or {}).get("code", ""))
        if code:
            shapes[code] = prep(shape(f["geometry"]))
    townships: dict[str, tuple[str, float, float]] = {}
    zones = root / "network" / "zones.csv"
    if zones.is_file():
        with zones.open(encoding="utf-8-sig", newline="") as fh:
            for r in csv.DictReader(fh):
                townships[r["zone_id"]] = (r["code"], float(r["lon"]), float(r["lat"]))
    return _Geo(units, shapes, townships)


_GEO_FILES = ("units.csv", "boundaries.geojson", "network/zones.csv")
"""The files :func:`_geo` reads: their content is the data version of its answer."""


def _geo_for(folder: Path) -> _Geo:
    """The checks' geography of ``folder``, kept in the process's result cache under a digest
    of the files it is read from (an edited file is read again, whatever its time stamp)."""
    digest = hashlib.sha256()
    for rel in _GEO_FILES:
        p = folder / rel
        digest.update(rel.encode())
        digest.update(p.read_bytes() if p.is_file() else b"")
    return process_cache().get(
        digest.hexdigest()[:16], "coverage.layer_geography", str(folder), lambda: _geo(str(folder))
    )


def _num(text: str, name: str, line: int, field: str, problems: list[Problem]) -> float | None:
    t = text.strip()
    if not t:
        return None
    try:
        v = float(t)
    except ValueError:
        problems.append(Problem(name, line, field, f"not a number: {t!r}"))
        return None
    if not math.isfinite(v):
        problems.append(Problem(name, line, field, f"not a finite number: {t!r}"))
        return None
    return v


def _need_source(
    value: str, source: str, *, at: tuple[str, int, str], problems: list[Problem]
) -> None:
    """A figure needs a source naming publisher, publication or page and a year."""
    name, line, field = at
    if not value.strip():
        return
    s = source.strip()
    if not s:
        problems.append(Problem(name, line, field, "a source is required beside this value"))
    elif not _YEAR.search(s):
        problems.append(
            Problem(name, line, field, "the source must name its year (publisher, page, year)")
        )


def _read(path: Path, columns: tuple[str, ...]) -> tuple[str, list[dict[str, str]]]:
    name = path.name
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = list(reader.fieldnames or [])
            rows = [dict(r) for r in reader]
    except UnicodeDecodeError:
        raise DataValidationError([Problem(name, 0, "*", "not UTF-8 text")]) from None
    problems = [
        Problem(name, 1, c, "required column is missing") for c in columns if c not in header
    ]
    problems += [Problem(name, 1, c, "unknown column") for c in header if c not in columns]
    if problems:
        raise DataValidationError(problems, summary=f"{name}: bad header; nothing loaded")
    return name, [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in rows]


def _check_place(
    r: dict[str, str],
    rec: dict[str, Any],
    geo: _Geo,
    *,
    at: tuple[str, int],
    problems: list[Problem],
) -> None:
    """Unit, placement rule and point of one row (appends problems; fills lon/lat)."""
    name, line = at
    from shapely.geometry import Point

    code = r["unit_code"]
    unit = geo.units.get(code)
    if unit is None:
        problems.append(Problem(name, line, "unit_code", f"unknown unit code {code!r}"))
    elif unit.get("level") == "prefecture":
        problems.append(
            Problem(name, line, "unit_code", f"{code} is a prefecture; give its county-level unit")
        )
    lon = _num(r["lon"], name, line, "lon", problems)
    lat = _num(r["lat"], name, line, "lat", problems)
    rec["lon"], rec["lat"] = lon, lat
    if lon is None or lat is None:
        problems.append(Problem(name, line, "lon", "a point (lon, lat, WGS84) is required"))
        return
    how = r["placed_by"]
    if how not in PLACED_BY:
        problems.append(
            Problem(name, line, "placed_by", f"{how!r} is not one of {list(PLACED_BY)}")
        )
        return
    if how == "township_point":
        twp = geo.townships.get(r["township_code"])
        if twp is None:
            problems.append(
                Problem(
                    name,
                    line,
                    "township_code",
                    f"{r['township_code']!r} has no point in network/zones.csv",
                )
            )
        elif twp[0] != code:
            problems.append(
                Problem(name, line, "township_code", f"township of unit {twp[0]}, not of {code}")
            )
        elif abs(twp[1] - lon) > _POINT_TOL or abs(twp[2] - lat) > _POINT_TOL:
            problems.append(
                Problem(name, line, "lon", "point differs from the township point it claims")
            )
        if not r["location_source"]:
            problems.append(
                Problem(name, line, "location_source", "name the page publishing the address")
            )
    elif how == "unit_seat" and unit is not None:
        s_lon = _num(unit.get("seat_lon", ""), "units.csv", 0, "seat_lon", [])
        s_lat = _num(unit.get("seat_lat", ""), "units.csv", 0, "seat_lat", [])
        if s_lon is None or s_lat is None:
            problems.append(Problem(name, line, "placed_by", f"unit {code} has no seat point"))
        elif abs(s_lon - lon) > _POINT_TOL or abs(s_lat - lat) > _POINT_TOL:
            problems.append(Problem(name, line, "lon", f"point differs from the seat of {code}"))
    elif how == "published_coordinate" and not r["location_source"]:
        problems.append(Problem(name, line, "location_source", "name who publishes the coordinate"))
    shp = geo.shapes.get(code)
    if unit is not None and shp is None:
        problems.append(Problem(name, line, "unit_code", f"no boundary for {code}"))
    elif shp is not None and not shp.contains(Point(lon, lat)):
        problems.append(
            Problem(
                name,
                line,
                "lon",
                f"point ({lon}, {lat}) lies outside the boundary of {code} (boundaries.geojson)",
            )
        )


def load_hospitals(path: Path | str, dataset: Path | str | None = None) -> list[dict[str, Any]]:
    """Read and check the hospital layer (``sectors/hospitals.csv``).

    Parameters
    ----------
    path
        The CSV (columns :data:`HOSPITAL_COLUMNS`).
    dataset
        The dataset folder holding units.csv, boundaries.geojson and network/zones.csv
        (default: two levels above ``path``).

    Returns
    -------
    list of dict
        One dict per row; ``lon``/``lat``/``beds`` as numbers (``beds`` None when unpublished),
        ``roles`` as a tuple.

    Raises
    ------
    DataValidationError
        Every problem as ``file:row:field: message``.
    """
    p = Path(path)
    folder = Path(dataset) if dataset is not None else p.parent.parent
    name, rows = _read(p, HOSPITAL_COLUMNS)
    geo = _geo_for(folder)
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(rows, start=2):
        rec: dict[str, Any] = dict(r)
        if not _ID.match(r["id"]):
            problems.append(Problem(name, i, "id", "letters, digits, _ . : - (1-64 characters)"))
        elif r["id"] in seen:
            problems.append(Problem(name, i, "id", f"duplicate (first on row {seen[r['id']]})"))
        seen.setdefault(r["id"], i)
        if not r["name_zh"]:
            problems.append(Problem(name, i, "name_zh", "required"))
        roles = tuple(x.strip() for x in r["roles"].split(";") if x.strip())
        rec["roles"] = roles
        if not roles:
            problems.append(Problem(name, i, "roles", "at least one role is required"))
        for role in roles:
            if role not in HOSPITAL_ROLES:
                problems.append(
                    Problem(name, i, "roles", f"{role!r} is not one of {list(HOSPITAL_ROLES)}")
                )
        if r["status"] not in _STATUS:
            problems.append(Problem(name, i, "status", f"one of {list(_STATUS)}"))
        if ("tertiary_3a" in roles) != (r["grade"] == "3A"):
            problems.append(Problem(name, i, "grade", "grade 3A and role tertiary_3a go together"))
        if r["grade"] and r["grade"] != "3A":
            problems.append(Problem(name, i, "grade", "only 3A (三级甲等) is listed here"))
        _need_source(r["grade"], r["grade_source"], at=(name, i, "grade_source"), problems=problems)
        other = [x for x in roles if x != "tertiary_3a"]
        _need_source(
            ";".join(other), r["role_source"], at=(name, i, "role_source"), problems=problems
        )
        beds = _num(r["beds"], name, i, "beds", problems)
        rec["beds"] = beds
        if beds is not None:
            if beds <= 0 or beds != int(beds):
                problems.append(Problem(name, i, "beds", "a positive whole number of beds"))
            if r["beds_kind"] not in _BEDS_KINDS:
                problems.append(
                    Problem(name, i, "beds_kind", f"which beds: one of {list(_BEDS_KINDS)}")
                )
        elif r["beds_kind"] or r["beds_source"]:
            problems.append(Problem(name, i, "beds", "beds_kind/beds_source without beds"))
        _need_source(r["beds"], r["beds_source"], at=(name, i, "beds_source"), problems=problems)
        _check_place(r, rec, geo, at=(name, i), problems=problems)
        out.append(rec)
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid hospital layer")
    return out


def load_emergency_sites(
    path: Path | str, dataset: Path | str | None = None
) -> list[dict[str, Any]]:
    """Read and check the emergency-site layer (``sectors/emergency_sites.csv``).

    Columns :data:`EMERGENCY_COLUMNS`; ``kind`` one of :data:`EMERGENCY_KINDS`, ``status``
    ``in_service``, ``under_construction`` or ``planned``; ``source`` (with its year) on
    every row; a capacity needs its unit and source. See :func:`load_hospitals` for the
    place checks and the errors.
    """
    p = Path(path)
    folder = Path(dataset) if dataset is not None else p.parent.parent
    name, rows = _read(p, EMERGENCY_COLUMNS)
    geo = _geo_for(folder)
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for i, r in enumerate(rows, start=2):
        rec: dict[str, Any] = dict(r)
        if not _ID.match(r["id"]):
            problems.append(Problem(name, i, "id", "letters, digits, _ . : - (1-64 characters)"))
        elif r["id"] in seen:
            problems.append(Problem(name, i, "id", f"duplicate (first on row {seen[r['id']]})"))
        seen.setdefault(r["id"], i)
        if not r["name_zh"]:
            problems.append(Problem(name, i, "name_zh", "required"))
        if r["kind"] not in EMERGENCY_KINDS:
            problems.append(Problem(name, i, "kind", f"one of {list(EMERGENCY_KINDS)}"))
        if r["status"] not in _STATUS:
            problems.append(Problem(name, i, "status", f"one of {list(_STATUS)}"))
        if not r["source"]:
            problems.append(Problem(name, i, "source", "a source is required on every row"))
        else:
            _need_source(r["name_zh"], r["source"], at=(name, i, "source"), problems=problems)
        cap = _num(r["capacity"], name, i, "capacity", problems)
        rec["capacity"] = cap
        if cap is not None and (cap < 0 or not r["capacity_unit"]):
            problems.append(Problem(name, i, "capacity_unit", "a capacity ≥ 0 with its unit"))
        _need_source(
            r["capacity"], r["capacity_source"], at=(name, i, "capacity_source"), problems=problems
        )
        _check_place(r, rec, geo, at=(name, i), problems=problems)
        out.append(rec)
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid emergency-site layer")
    return out


@dataclass(frozen=True)
class LayerGap:
    """Whether a shipped layer is complete, and what it is known to lack."""

    layer: str
    complete: bool
    note: str
    missing: tuple[str, ...]

    def statement(self) -> str:
        """One sentence: the layer is partial, and the list of what is missing."""
        tail = "; ".join(self.missing) if self.missing else "not listed"
        return f"the shipped {self.layer} layer is incomplete ({self.note}); missing: {tail}"


def _load_gaps(path: Path) -> dict[str, LayerGap]:
    name = path.name
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataValidationError([Problem(name, 0, "*", f"invalid TOML: {exc}")]) from None
    problems: list[Problem] = []
    out: dict[str, LayerGap] = {}
    for key in ("hospitals", "emergency_sites"):
        sec = doc.get(key)
        if not isinstance(sec, dict):
            problems.append(Problem(name, 0, key, "section is missing"))
            continue
        complete = sec.get("complete")
        missing = sec.get("missing", [])
        note = sec.get("note", "")
        if not isinstance(complete, bool):
            problems.append(Problem(name, 0, f"{key}.complete", "true or false"))
        if not isinstance(missing, list) or not all(isinstance(m, str) for m in missing):
            problems.append(Problem(name, 0, f"{key}.missing", "a list of strings"))
        if not isinstance(note, str) or not note.strip():
            problems.append(Problem(name, 0, f"{key}.note", "say why (a sentence)"))
        if complete is False and not missing:
            problems.append(
                Problem(name, 0, f"{key}.missing", "an incomplete layer lists what is missing")
            )
        if not problems:
            out[key] = LayerGap(key, bool(complete), str(note), tuple(missing))
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid")
    return out


def layer_gap(region: Region, layer: str) -> LayerGap | None:
    """The completeness statement of a shipped layer (None when the dataset has none)."""
    if not region.has_file("facility_gaps"):
        return None
    return _load_gaps(region.file("facility_gaps")).get(layer)


def _hospital_records(rows: list[dict[str, Any]], file: str) -> list[dict[str, Any]]:
    recs = []
    for r in rows:
        if r["status"] != "in_service":
            continue
        parts = [r["grade_source"], r["role_source"], r["beds_source"]]
        placed = f"point: {r['placed_by']}" + (
            f" ({r['location_source']})" if r["location_source"] else ""
        )
        recs.append(
            {
                "id": r["id"],
                "name_zh": r["name_zh"],
                "name_en": r["name_en"] or None,
                "type": "hospital",
                "grade": r["grade"] or None,
                "capacity": r["beds"],
                "capacity_unit": "beds" if r["beds"] is not None else None,
                "lon": r["lon"],
                "lat": r["lat"],
                "source": (f"{file}: " + " | ".join(x for x in [*parts, placed] if x))[:500],
            }
        )
    return recs


def _emergency_records(rows: list[dict[str, Any]], file: str) -> list[dict[str, Any]]:
    return [
        {
            "id": r["id"],
            "name_zh": r["name_zh"],
            "name_en": r["name_en"] or None,
            "type": "emergency_reserve",
            "grade": None,
            "capacity": r["capacity"],
            "capacity_unit": r["capacity_unit"] or None,
            "lon": r["lon"],
            "lat": r["lat"],
            "source": f"{file}: {r['source']} | point: {r['placed_by']}"[:500],
        }
        for r in rows
        if r["status"] == "in_service"
    ]


def shipped_facilities(region: Region, kind: str | None = None) -> FacilityLayer | None:
    """The facility layer made of the dataset's shipped layers, or None when it ships none.

    Hospitals in service become ``type=hospital`` (grade, beds as ``capacity`` in ``beds``); emergency
    sites in service become ``type=emergency_reserve`` (sites under construction or planned
    are left out). ``kind`` (a :class:`~metrocircle.coverage.facilities.FacilityType` value)
    keeps one type only.
    """
    from metrocircle.coverage.facilities import facilities_from_records

    recs: list[dict[str, Any]] = []
    if region.has_file("hospitals"):
        f = region.file("hospitals")
        recs += _hospital_records(load_hospitals(f, region.path), f.name)
    if region.has_file("emergency_sites"):
        f = region.file("emergency_sites")
        recs += _emergency_records(load_emergency_sites(f, region.path), f.name)
    if not recs:
        return None
    layer = facilities_from_records(recs, file=f"{region.name}:shipped layers")
    return layer.of_type(kind) if kind is not None else layer


def validate_layer_files(path: Path, manifest: Any) -> list[Problem]:
    """Dataset validator: problems of the shipped hospital, emergency and gap files.

    Run through :func:`validate_all_facility_files` (extension ``"facilities"``).
    """
    files = getattr(manifest, "files", {})
    problems: list[Problem] = []
    for key, loader in (
        ("hospitals", load_hospitals),
        ("emergency_sites", load_emergency_sites),
    ):
        entry = files.get(key)
        if entry is None:
            continue
        f = Path(path) / entry.path
        if not f.is_file():
            problems.append(
                Problem(entry.path, 0, "*", "file declared in manifest.toml is missing")
            )
            continue
        try:
            loader(f, path)
        except DataValidationError as exc:
            problems.extend(exc.problems)
    gaps = files.get("facility_gaps")
    if gaps is not None:
        try:
            _load_gaps(Path(path) / gaps.path)
        except (DataValidationError, FileNotFoundError) as exc:
            problems.extend(
                exc.problems
                if isinstance(exc, DataValidationError)
                else [Problem(gaps.path, 0, "*", "file declared in manifest.toml is missing")]
            )
    return problems


def validate_all_facility_files(path: Path, manifest: Any) -> list[Problem]:
    """Dataset validator of the ``facilities`` extension: the user layer and the shipped layers.

    Listed in :data:`metrocircle.extensions.BUILTIN`.
    """
    from metrocircle.coverage.facilities import validate_facility_files

    return [*validate_facility_files(path, manifest), *validate_layer_files(path, manifest)]
