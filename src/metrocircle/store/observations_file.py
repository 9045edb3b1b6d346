"""Read and validate observation files (CSV or XLSX): every problem named by file, row and field."""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrocircle._errors import DataValidationError, Problem
from metrocircle.schema import MEASURE_UNITS, ROLES, Manifest, read_csv_rows

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "REQUIRED_COLUMNS",
    "ObservationIn",
    "known_indicators",
    "parse_observation_rows",
    "read_observations_file",
    "read_table",
    "valid_scopes",
    "validate_observation_files",
]

REQUIRED_COLUMNS = ("indicator", "scope", "period", "value", "unit", "source")
OPTIONAL_COLUMNS = (
    "source_url",
    "statement_zh",
    "published_date",
    "submitted_by",
    "source_kind",
    "publisher",
    "publication",
)  # provenance columns (issue 15) accepted; the store records them once it has the fields


@dataclass(frozen=True)
class ObservationIn:
    """One validated observation, ready to be stored."""

    indicator: str
    scope: str
    period: int
    value: float
    unit: str
    source: str
    source_url: str | None = None
    submitted_by: str | None = None
    line: int = 0


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Read a CSV or XLSX file into a header and string-valued row dicts.

    Raises
    ------
    DataValidationError
        When the file is missing, empty, not UTF-8 or of an unknown type.
    """
    name = path.name
    if not path.is_file():
        raise DataValidationError([Problem(name, 0, "*", "file not found")])
    suffix = path.suffix.lower()
    if suffix == ".csv":
        try:
            header, rows = read_csv_rows(path)
        except UnicodeDecodeError as exc:
            raise DataValidationError(
                [Problem(name, 0, "*", f"not UTF-8 text: {exc.reason}")]
            ) from None
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several types for a corrupt workbook
            raise DataValidationError(
                [Problem(name, 0, "*", f"unreadable workbook: {exc}")]
            ) from None
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        first = next(it, None)
        header = [str(c).strip() if c is not None else "" for c in (first or ())]
        rows = []
        for vals in it:
            if vals is None or all(v is None for v in vals):
                continue
            rows.append(
                {h: ("" if v is None else str(v)) for h, v in zip(header, vals, strict=False) if h}
            )
        wb.close()
    else:
        raise DataValidationError(
            [Problem(name, 0, "*", f"unsupported file type {suffix!r}; use .csv or .xlsx")]
        )
    if not header:
        raise DataValidationError([Problem(name, 1, "*", "the file has no header row")])
    return header, rows


def known_indicators(region: Region) -> dict[str, str]:
    """Indicator id → expected unit of measure, from the targets and the shipped observations."""
    out: dict[str, str] = {}
    if region.has_file("observations"):
        _, rows = read_csv_rows(region.file("observations"))
        for r in rows:
            out.setdefault(r["indicator"], r["unit"])
    for t in region.targets:
        out[t.indicator] = t.unit
    return out


def valid_scopes(codes: Iterable[str], manifest: Manifest) -> set[str]:
    scopes = {"region", *codes, *manifest.extra_scopes}
    scopes |= {f"group:{r}" for r in ROLES}
    return scopes


def parse_observation_rows(
    header: list[str],
    rows: list[dict[str, str]],
    *,
    file: str,
    scopes: set[str],
    indicators: dict[str, str] | None,
) -> tuple[list[ObservationIn], list[Problem]]:
    """Validate observation rows; return the good ones and every problem found.

    Parameters
    ----------
    indicators
        Known indicator id → unit of measure; ``None`` accepts any indicator id (used
        when the dataset's own observation file defines its indicators).
    """
    problems = [
        Problem(file, 1, c, "required column is missing")
        for c in REQUIRED_COLUMNS
        if c not in header
    ]
    problems += [
        Problem(file, 1, c, "unknown column")
        for c in header
        if c not in REQUIRED_COLUMNS and c not in OPTIONAL_COLUMNS
    ]
    if problems:
        return [], problems
    good: list[ObservationIn] = []
    seen: dict[tuple[str, str, int, str], int] = {}
    for i, raw in enumerate(rows, start=2):
        # Text is stored in Unicode NFC, so one source spelt in two normal forms is one source
        # (and the audit digest hashes what is stored).
        r = {
            k: unicodedata.normalize("NFC", v) if isinstance(v, str) else v for k, v in raw.items()
        }
        row_problems: list[Problem] = []
        ind = (r.get("indicator") or "").strip()
        scope = (r.get("scope") or "").strip()
        unit = (r.get("unit") or "").strip()
        source = (r.get("source") or "").strip()
        if not ind:
            row_problems.append(Problem(file, i, "indicator", "is empty"))
        elif indicators is not None and ind not in indicators:
            row_problems.append(Problem(file, i, "indicator", f"unknown indicator {ind!r}"))
        if scope not in scopes:
            row_problems.append(Problem(file, i, "scope", f"unknown unit code or scope {scope!r}"))
        if unit not in MEASURE_UNITS:
            row_problems.append(
                Problem(
                    file,
                    i,
                    "unit",
                    f"unknown unit of measure {unit!r}; expected one of {sorted(MEASURE_UNITS)}",
                )
            )
        elif indicators is not None and ind in indicators and indicators[ind] != unit:
            row_problems.append(
                Problem(
                    file,
                    i,
                    "unit",
                    f"wrong unit of measure {unit!r} for {ind}: expected {indicators[ind]!r}",
                )
            )
        period: int | None = None
        try:
            period = int(str(r.get("period", "")).strip())
            if not 1949 <= period <= 2100:
                row_problems.append(
                    Problem(file, i, "period", f"year {period} out of range 1949–2100")
                )
        except ValueError:
            row_problems.append(Problem(file, i, "period", f"not a year: {r.get('period')!r}"))
        value: float | None = None
        try:
            value = float(str(r.get("value", "")).strip())
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            row_problems.append(Problem(file, i, "value", f"not a number: {r.get('value')!r}"))
            value = None
        if value is not None and unit in MEASURE_UNITS:
            lo, hi = MEASURE_UNITS[unit][2], MEASURE_UNITS[unit][3]
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                row_problems.append(
                    Problem(
                        file,
                        i,
                        "value",
                        f"{value:g} is out of range for unit {unit}: {_bounds(lo, hi)}",
                    )
                )
        if not source:
            row_problems.append(Problem(file, i, "source", "every observation needs its source"))
        if not row_problems and period is not None and value is not None:
            key = (ind, scope, period, source)
            if key in seen:
                row_problems.append(
                    Problem(
                        file,
                        i,
                        "indicator",
                        f"duplicate of line {seen[key]} (same indicator, scope, period, source)",
                    )
                )
            else:
                seen[key] = i
        problems.extend(row_problems)
        if not row_problems and period is not None and value is not None:
            good.append(
                ObservationIn(
                    ind,
                    scope,
                    period,
                    value,
                    unit,
                    source,
                    (r.get("source_url") or "").strip() or None,
                    (r.get("submitted_by") or "").strip() or None,
                    i,
                )
            )
    return good, problems


def _bounds(lo: float | None, hi: float | None) -> str:
    """The allowed range in words.

    >>> _bounds(0.0, None), _bounds(0.0, 100.0), _bounds(None, 5.0)
    ('must be ≥ 0', 'must be between 0 and 100', 'must be ≤ 5')
    """
    if lo is not None and hi is not None:
        return f"must be between {lo:g} and {hi:g}"
    if lo is not None:
        return f"must be ≥ {lo:g}"
    return f"must be ≤ {hi:g}" if hi is not None else "any value"


def read_observations_file(path: Path, region: Region) -> list[ObservationIn]:
    """Read and validate a user's observations file (CSV or XLSX) against ``region``.

    Raises
    ------
    DataValidationError
        Listing every problem (unknown unit codes, unknown indicators, wrong units of
        measure, out-of-range values, duplicates) as ``file:row:field: message``.
    """
    header, rows = read_table(path)
    scopes = valid_scopes(region.unit_codes, region.manifest)
    good, problems = parse_observation_rows(
        header, rows, file=path.name, scopes=scopes, indicators=known_indicators(region)
    )
    if problems:
        raise DataValidationError(
            problems, summary=f"{path.name}: {len(problems)} problem(s); nothing was imported"
        )
    if not good:
        raise DataValidationError([Problem(path.name, 0, "*", "the file has no observation rows")])
    return good


def validate_observation_files(path: Path, manifest: Manifest) -> list[Problem]:
    """Validate the dataset's own observations file when the manifest declares one."""
    entry = manifest.files.get("observations")
    if entry is None:
        return []
    f = path / entry.path
    if not f.is_file():
        return []
    from metrocircle.schema import UnitRow, validate_rows

    units_entry = manifest.files.get("units")
    codes: list[str] = []
    if units_entry is not None and (path / units_entry.path).is_file():
        _, urows = read_csv_rows(path / units_entry.path)
        units, _ = validate_rows(UnitRow, urows, file=units_entry.path)
        codes = [u.code for u in units]
    header, rows = read_csv_rows(f)
    _, problems = parse_observation_rows(
        header, rows, file=entry.path, scopes=valid_scopes(codes, manifest), indicators=None
    )
    return problems


def as_dicts(obs: Iterable[ObservationIn]) -> list[dict[str, Any]]:
    """Observations as plain dicts (for JSON output)."""
    return [o.__dict__ | {} for o in obs]
