"""Region: the validated, immutable in-memory model of one metropolitan-area dataset."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrocircle._errors import DataValidationError, Problem, UnknownUnitError
from metrocircle.extensions import validate_dataset_files
from metrocircle.schema import (
    Manifest,
    ProjectRow,
    TargetRow,
    UnitRow,
    check_header,
    load_manifest,
    read_csv_rows,
    validate_rows_numbered,
)

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["Region", "load_region", "resolve_dataset", "validate_dataset"]


@dataclass(frozen=True)
class Region:
    """A loaded metropolitan-area dataset: units, targets, projects and where they came from.

    Build one with :func:`load_region`; a Region is never partially valid.

    Attributes
    ----------
    name
        Dataset name from the manifest (``"chongqing"``).
    path
        Folder the dataset was read from.
    manifest
        The validated manifest.toml.
    units
        GeoDataFrame in EPSG:4326 indexed by GB/T 2260 code, one row per unit
        (county-level units and their prefecture-level parents).
    targets, projects
        The plan's quantified targets and key projects, in file order.
    data_version
        First 12 hex digits of a SHA-256 over every declared file, for caching and provenance.
    """

    name: str
    path: Path
    manifest: Manifest
    units: gpd.GeoDataFrame
    targets: tuple[TargetRow, ...]
    projects: tuple[ProjectRow, ...]
    data_version: str
    _unit_rows: dict[str, UnitRow] = field(repr=False)

    @property
    def dataset_path(self) -> Path:
        """Alias of :attr:`path`, the dataset folder."""
        return self.path

    def file(self, key: str) -> Path:
        """Path of the manifest file entry ``key`` (raises KeyError naming the valid keys)."""
        try:
            return self.path / self.manifest.files[key].path
        except KeyError:
            msg = f"dataset {self.name!r} declares no file {key!r}; it has {sorted(self.manifest.files)}"
            raise KeyError(msg) from None

    def has_file(self, key: str) -> bool:
        """Whether the manifest declares a file entry ``key``."""
        return key in self.manifest.files

    def unit(self, code: str) -> UnitRow:
        """The unit with GB/T 2260 ``code``; raises UnknownUnitError naming the code."""
        try:
            return self._unit_rows[code]
        except KeyError:
            msg = f"unknown unit code {code!r} in region {self.name!r}"
            raise UnknownUnitError(msg) from None

    @property
    def unit_codes(self) -> tuple[str, ...]:
        """Every unit code, parents included, in file order."""
        return tuple(self._unit_rows)

    @property
    def county_codes(self) -> tuple[str, ...]:
        """Codes of the county-level units (the units that tile the area, no double counting)."""
        return tuple(c for c, u in self._unit_rows.items() if u.level != "prefecture")

    def children(self, code: str) -> tuple[str, ...]:
        """Codes of the units whose parent is ``code``."""
        self.unit(code)
        return tuple(c for c, u in self._unit_rows.items() if u.parent == code)

    def role_members(self, role: str) -> tuple[str, ...]:
        """County-level codes that carry ``role`` themselves or through their parent."""
        out: list[str] = []
        for c in self.county_codes:
            u = self._unit_rows[c]
            parent_roles = self._unit_rows[u.parent].roles if u.parent in self._unit_rows else ()
            if role in u.roles or role in parent_roles:
                out.append(c)
        return tuple(out)

    def target(self, target_id: str) -> TargetRow:
        """The target with ``target_id`` (KeyError listing none of them, but naming the id)."""
        for t in self.targets:
            if t.id == target_id:
                return t
        msg = f"unknown target id {target_id!r}"
        raise KeyError(msg)

    def project(self, project_id: str) -> ProjectRow:
        """The project with ``project_id``."""
        for p in self.projects:
            if p.id == project_id:
                return p
        msg = f"unknown project id {project_id!r}"
        raise KeyError(msg)


def resolve_dataset(name_or_path: str | Path) -> Path:
    """Return the folder of an embedded dataset name or of a dataset path.

    Raises
    ------
    ValueError
        When the argument is neither an embedded dataset name nor a folder with a
        manifest.toml; the message lists the embedded names.
    """
    from metrocircle.data import AVAILABLE, get_path

    if isinstance(name_or_path, str) and name_or_path in AVAILABLE:
        return get_path(name_or_path)
    p = Path(name_or_path)
    if p.is_dir() and (p / "manifest.toml").is_file():
        return p
    msg = (
        f"dataset {str(name_or_path)!r} is neither an embedded dataset {list(AVAILABLE)} "
        "nor a folder containing manifest.toml"
    )
    raise ValueError(msg)


def _check_units(numbered: list[tuple[int, UnitRow]], file: str) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, u in numbered:
        if u.code in seen:
            problems.append(
                Problem.coded(file, i, "code", "duplicate_code", code=u.code, line=seen[u.code])
            )
        seen.setdefault(u.code, i)
    for i, u in numbered:
        if u.parent is not None and u.parent not in seen:
            problems.append(Problem.coded(file, i, "parent", "bad_parent", code=u.parent))
        if (
            u.population_2020 is not None
            and u.urban_population_2020 is not None
            and u.urban_population_2020 > u.population_2020
        ):
            problems.append(Problem.coded(file, i, "urban_population_2020", "urban_exceeds"))
        if (u.seat_lon is None) != (u.seat_lat is None):
            problems.append(Problem.coded(file, i, "seat_lon", "seat_pair"))
    return problems


def _check_refs(
    targets: list[tuple[int, TargetRow]],
    projects: list[tuple[int, ProjectRow]],
    codes: set[str],
    tfile: str,
    pfile: str,
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, t in targets:
        if t.id in seen:
            problems.append(Problem.coded(tfile, i, "id", "duplicate_target", id=t.id))
        seen.add(t.id)
        if t.scope.isdigit() and t.scope not in codes:
            problems.append(Problem.coded(tfile, i, "scope", "unknown_unit_code", code=t.scope))
        if (t.baseline_value is None) != (t.baseline_year is None):
            problems.append(Problem.coded(tfile, i, "baseline_year", "baseline_pair"))
        if (
            t.baseline_year is not None
            and t.target_year is not None
            and t.baseline_year >= t.target_year
        ):
            problems.append(Problem.coded(tfile, i, "target_year", "after_baseline"))
    seen.clear()
    for i, p in projects:
        if p.id in seen:
            problems.append(Problem.coded(pfile, i, "id", "duplicate_project", id=p.id))
        seen.add(p.id)
        for c in p.units:
            if c not in codes:
                problems.append(Problem.coded(pfile, i, "units", "unknown_unit_code", code=c))
    return problems


def _check_seats(
    numbered: list[tuple[int, UnitRow]], bnd: Any, units_file: str, boundaries_file: str
) -> list[Problem]:
    """A unit's seat must lie inside (or on) its own boundary: one problem per unit that does not.

    One message says both sides (the seat outside the unit, the boundary not holding its seat),
    because either file may be the wrong one; the distance helps tell a typo from a datum shift.
    """
    from shapely.geometry import Point

    problems: list[Problem] = []
    for i, u in numbered:
        if u.seat_lon is None or u.seat_lat is None or u.code not in bnd.index:
            continue
        shape = bnd.geometry.loc[u.code]
        seat = Point(u.seat_lon, u.seat_lat)
        if shape is None or shape.covers(seat):
            continue
        km = shape.distance(seat) * 111.32  # degrees to km at the equator: an indication only
        problems.append(
            Problem.coded(
                units_file,
                i,
                "seat_lon",
                "seat_outside",
                code=u.code,
                name=u.name_zh,
                name_en=u.name_en,
                lon=u.seat_lon,
                lat=u.seat_lat,
                file=boundaries_file,
                km=f"{km:.1f}",
            )
        )
    return problems


def _read_boundaries(path: Path, codes: set[str], file: str) -> tuple[Any, list[Problem]]:
    import geopandas as gpd

    problems: list[Problem] = []
    try:
        gj = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None, [Problem.coded(file, 0, "*", "file_not_found")]
    except json.JSONDecodeError as exc:
        return None, [Problem.coded(file, exc.lineno, "*", "invalid_json", detail=exc.msg)]
    feats = gj.get("features") if isinstance(gj, dict) else None
    if not isinstance(feats, list):
        return None, [Problem.coded(file, 0, "features", "not_feature_collection")]
    crs_name = (((gj.get("crs") or {}).get("properties") or {}).get("name")) or ""
    if crs_name and "4326" not in crs_name and "CRS84" not in crs_name:
        problems.append(Problem.coded(file, 0, "crs", "wrong_crs", crs=crs_name))
    found: set[str] = set()
    for k, f in enumerate(feats):
        code = str(((f or {}).get("properties") or {}).get("code", ""))
        if code not in codes:
            problems.append(
                Problem.coded(file, k + 1, "properties.code", "unknown_unit_code", code=repr(code))
            )
        found.add(code)
    for c in sorted(codes - found):
        problems.append(Problem.coded(file, 0, "features", "no_boundary", code=c))
    if problems:
        return None, problems
    try:
        gdf = gpd.GeoDataFrame.from_features(feats, crs="EPSG:4326")
    except Exception as exc:  # shapely/geopandas raise many types for bad geometry
        return None, [Problem.coded(file, 0, "geometry", "unreadable_geometry", detail=exc)]
    minx, miny, maxx, maxy = gdf.total_bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return None, [Problem.coded(file, 0, "geometry", "not_degrees")]
    invalid = ~gdf.geometry.is_valid
    for k in list(invalid[invalid].index):
        problems.append(Problem.coded(file, int(k) + 1, "geometry", "invalid_polygon"))
    gdf["code"] = gdf["code"].astype(str)
    return gdf.set_index("code"), problems


def _digest(path: Path, manifest: Manifest) -> str:
    h = hashlib.sha256()
    h.update((path / "manifest.toml").read_bytes())
    for key in sorted(manifest.files):
        f = path / manifest.files[key].path
        if f.is_file():
            h.update(key.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _load(path: Path) -> tuple[Region | None, list[Problem]]:
    manifest, problems = load_manifest(path / "manifest.toml")
    if manifest is None:
        return None, problems
    for key in ("units", "boundaries", "targets", "projects"):
        if key not in manifest.files:
            problems.append(Problem.coded("manifest.toml", 0, f"files.{key}", "entry_missing"))
    for key, entry in manifest.files.items():
        if not (path / entry.path).is_file():
            problems.append(
                Problem.coded(
                    "manifest.toml", 0, f"files.{key}.path", "path_missing", path=entry.path
                )
            )
    if problems:
        return None, problems

    raw_codes: set[str] = set()

    def rows_of(key: str, model: type[Any]) -> list[tuple[int, Any]]:
        fname = manifest.files[key].path
        header, raw = read_csv_rows(path / fname)
        if key == "units":
            raw_codes.update((r.get("code") or "").strip() for r in raw)
        hp = check_header(header, model, file=fname)
        problems.extend(hp)
        if hp:
            return []
        good, bad = validate_rows_numbered(model, raw, file=fname)
        problems.extend(bad)
        return good

    units_n = rows_of("units", UnitRow)
    targets_n = rows_of("targets", TargetRow)
    projects_n = rows_of("projects", ProjectRow)
    problems.extend(_check_units(units_n, manifest.files["units"].path))
    units = [u for _, u in units_n]
    targets = [t for _, t in targets_n]
    projects = [p for _, p in projects_n]
    codes = raw_codes - {""}
    problems.extend(
        _check_refs(
            targets_n,
            projects_n,
            codes,
            manifest.files["targets"].path,
            manifest.files["projects"].path,
        )
    )
    if manifest.centre.unit not in codes:
        problems.append(
            Problem.coded(
                "manifest.toml", 0, "centre.unit", "unknown_unit_code", code=manifest.centre.unit
            )
        )
    bnd, bp = _read_boundaries(
        path / manifest.files["boundaries"].path, codes, manifest.files["boundaries"].path
    )
    problems.extend(bp)
    if bnd is not None:
        problems.extend(
            _check_seats(
                units_n, bnd, manifest.files["units"].path, manifest.files["boundaries"].path
            )
        )
    problems.extend(validate_dataset_files(path, manifest))
    if problems or bnd is None:
        return None, problems

    import geopandas as gpd

    table = [u.model_dump() for u in units]
    for row in table:
        row["roles"] = list(row["roles"])
    gdf = gpd.GeoDataFrame(
        table,
        geometry=[bnd.geometry.loc[u.code] for u in units],
        crs="EPSG:4326",
    ).set_index("code", drop=False)
    gdf.index.name = None
    region = Region(
        name=manifest.name,
        path=path,
        manifest=manifest,
        units=gdf,
        targets=tuple(targets),
        projects=tuple(projects),
        data_version=_digest(path, manifest),
        _unit_rows={u.code: u for u in units},
    )
    return region, []


def validate_dataset(name_or_path: str | Path) -> list[Problem]:
    """Check a dataset and return every problem found (an empty list means valid)."""
    path = resolve_dataset(name_or_path)
    return _load(path)[1]


_CACHE: dict[tuple[str, str], Region] = {}


def load_region(name_or_path: str | Path = "chongqing") -> Region:
    """Load and validate a dataset into a :class:`Region`.

    Parameters
    ----------
    name_or_path
        An embedded dataset name (``"chongqing"``) or the folder of a dataset with
        the same layout (see README, "Dataset layout").

    Raises
    ------
    DataValidationError
        Listing every problem found, as ``file:row:field: message``; no Region is made.

    Examples
    --------
    >>> region = load_region("chongqing")
    >>> len(region.county_codes)
    27
    >>> region.unit("500103").name_zh
    '渝中区'
    """
    path = resolve_dataset(name_or_path).resolve()
    stamp = str(max((p.stat().st_mtime_ns for p in path.rglob("*") if p.is_file()), default=0))
    key = (str(path), stamp)
    if key in _CACHE:
        return _CACHE[key]
    region, problems = _load(path)
    if region is None:
        raise DataValidationError(
            problems, summary=f"dataset {path} is invalid: {len(problems)} problem(s)"
        )
    _CACHE[key] = region
    return region
