"""Read and validate observation files (CSV or XLSX): every problem named by file, row and field."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from metrocircle._errors import DataValidationError, Problem
from metrocircle.indicators.authority import AuthorityRules
from metrocircle.schema import MEASURE_UNITS, Manifest, read_csv_rows
from metrocircle.security import valid_scopes
from metrocircle.store.table_file import (
    EXTRA_FIELDS,
    MAX_FIELD_BYTES,
    count_table_rows,
    open_table,
)

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "MAX_FIELD_BYTES",
    "REQUIRED_COLUMNS",
    "ObservationIn",
    "count_table_rows",
    "iter_observation_chunks",
    "known_indicators",
    "open_table",
    "parse_observation_rows",
    "read_observations_file",
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
)
"""Optional columns; the provenance ones (issue 15) are stored with each row. A row without
``source_kind`` is the authority rules' default kind (``secondary``)."""


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?", re.ASCII)
"""A decimal number in ASCII digits (no ``true``, ``1_000``, full-width digits or hex)."""
_YEAR = re.compile(r"\d{4}", re.ASCII)
"""A year: four ASCII digits (no ``2.023e3``, ``2024.0`` or ``true``)."""
_DATE = re.compile(r"\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?", re.ASCII)
"""A publication date: YYYY, YYYY-MM or YYYY-MM-DD (a release often gives only the month)."""


@dataclass(frozen=True, slots=True)
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
    source_kind: str | None = None
    """``official_statistics``, ``government_document``, ``official_media`` or ``secondary``
    (``indicators/data/authority.toml``); ``None`` is stored as the rules' default kind."""
    publisher: str | None = None
    publication: str | None = None
    statement_zh: str | None = None
    published_date: str | None = None


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


def _field_problems(file: str, line: int, r: dict[Any, Any]) -> list[Problem]:
    """A NUL, an over-long field or extra fields: reported without echoing the value."""
    out: list[Problem] = []
    if EXTRA_FIELDS in r or None in r:
        out.append(Problem(file, line, "*", "more fields than the header has"))
    for k, v in r.items():
        if not isinstance(v, str) or k in (EXTRA_FIELDS, None):
            continue
        if "\x00" in v:
            out.append(Problem(file, line, str(k), "contains a NUL byte"))
        elif len(v) > MAX_FIELD_BYTES // 4 and len(v.encode("utf-8")) > MAX_FIELD_BYTES:
            out.append(Problem(file, line, str(k), f"is longer than {MAX_FIELD_BYTES // 1024} KiB"))
    return out


def _short(text: str) -> str:
    """``repr`` of a value for a message, cut to 60 characters."""
    r = repr(text)
    return r if len(r) <= 60 else r[:57] + "…'"


def _number(text: str) -> float | None:
    """A finite number written in ASCII decimal notation, else None.

    >>> _number("61.5"), _number("-0"), _number("1e-300"), _number("true"), _number("1_000")
    (61.5, -0.0, 1e-300, None, None)
    >>> _number("１２"), _number("0x10"), _number("nan"), _number("1e999")
    (None, None, None, None)
    """
    if not _NUMBER.fullmatch(text):
        return None
    v = float(text)
    return v if math.isfinite(v) else None


def source_url_problem(url: str) -> str | None:
    """Why a source URL is refused: it must be an http(s) address with a host.

    >>> source_url_problem("https://tjj.cq.gov.cn/x") is None
    True
    >>> source_url_problem("javascript:alert(1)")
    "must be an http:// or https:// address, not 'javascript:…'"
    """
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        head = url.split(":", 1)[0][:20] if ":" in url else url[:20]
        return f"must be an http:// or https:// address, not {head + ':…'!r}"
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "must not contain spaces or control characters"
    return None


def parse_observation_rows(
    header: list[str],
    rows: Iterable[dict[str, Any]] | Iterable[tuple[int, dict[str, Any]]],
    *,
    file: str,
    scopes: set[str],
    indicators: dict[str, str] | None,
    numbered: bool = False,
    authority: AuthorityRules | None = None,
) -> tuple[list[ObservationIn], list[Problem]]:
    """Validate observation rows; return the good ones and every problem found.

    Numbers must be written as numbers (no ``true``, ``1_000`` or full-width digits),
    years as four digits; text is stored in NFC; a field with a NUL or over
    :data:`MAX_FIELD_BYTES` is refused by row and field without echoing it.

    Parameters
    ----------
    rows
        Row dicts (numbered 2, 3, … like the lines of a file with a header), or with
        ``numbered`` (line, row dict) pairs as :func:`open_table` yields them.
    indicators
        Known indicator id → unit of measure; ``None`` accepts any indicator id (used
        when the dataset's own observation file defines its indicators).
    authority
        Source kinds allowed and the kind of a row naming none (default: the shipped
        rules, ``indicators/data/authority.toml``).
    """
    rules = authority or AuthorityRules.default()
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
    pairs: Iterable[tuple[int, dict[str, Any]]] = (
        rows if numbered else enumerate(rows, start=2)  # type: ignore[assignment,arg-type]
    )
    for i, raw in pairs:
        bad = _field_problems(file, i, raw)
        if bad:
            problems.extend(bad)
            continue
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
            row_problems.append(Problem(file, i, "indicator", f"unknown indicator {_short(ind)}"))
        if scope not in scopes:
            row_problems.append(
                Problem(file, i, "scope", f"unknown unit code or scope {_short(scope)}")
            )
        if unit not in MEASURE_UNITS:
            row_problems.append(
                Problem(
                    file,
                    i,
                    "unit",
                    f"unknown unit of measure {_short(unit)}; expected one of {sorted(MEASURE_UNITS)}",
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
        p_raw = r.get("period", "")
        p_text = p_raw.strip() if isinstance(p_raw, str) else None
        if p_text is not None and _YEAR.fullmatch(p_text):
            period = int(p_text)
            if not 1949 <= period <= 2100:
                row_problems.append(
                    Problem(file, i, "period", f"year {period} out of range 1949–2100")
                )
                period = None
        else:
            shown = repr(p_raw)[:40]
            row_problems.append(Problem(file, i, "period", f"not a year (four digits): {shown}"))
        v_raw = r.get("value", "")
        value = _number(v_raw.strip()) if isinstance(v_raw, str) else None
        if value is None:
            shown = repr(v_raw)[:40]
            row_problems.append(Problem(file, i, "value", f"not a number: {shown}"))
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
        url = (r.get("source_url") or "").strip()
        why = source_url_problem(url) if url else None
        if why:
            row_problems.append(Problem(file, i, "source_url", why))
        prov, prov_problems = _provenance(file, i, r, rules)
        row_problems += prov_problems
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
                    url or None,
                    (r.get("submitted_by") or "").strip() or None,
                    i,
                    **prov,
                )
            )
    return good, problems


def _text(r: dict[str, Any], key: str) -> str | None:
    v = r.get(key)
    return (v.strip() or None) if isinstance(v, str) else None


def _provenance(
    file: str, line: int, r: dict[str, Any], rules: AuthorityRules
) -> tuple[dict[str, str | None], list[Problem]]:
    """A row's source kind (the rules' default when empty), publisher, publication, statement, date.

    An official kind must name its publisher and publication: that is what an evaluator
    checks a figure against (issue 15).
    """
    problems: list[Problem] = []
    kind = _text(r, "source_kind") or rules.default_kind
    if kind not in rules.kinds:
        problems.append(
            Problem(
                file,
                line,
                "source_kind",
                f"unknown source kind {_short(kind)}; expected one of {sorted(rules.kinds)}",
            )
        )
    prov: dict[str, str | None] = {
        "source_kind": kind,
        "publisher": _text(r, "publisher"),
        "publication": _text(r, "publication"),
        "statement_zh": _text(r, "statement_zh"),
        "published_date": _text(r, "published_date"),
    }
    if kind in rules.official_kinds:
        problems += [
            Problem(file, line, k, f"an official source ({kind}) must name its {k}")
            for k in ("publisher", "publication")
            if not prov[k]
        ]
    date = prov["published_date"]
    if date is not None and not _DATE.fullmatch(date):
        problems.append(
            Problem(
                file, line, "published_date", f"not YYYY, YYYY-MM or YYYY-MM-DD: {_short(date)}"
            )
        )
    return prov, problems


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
    scopes = valid_scopes(region.unit_codes, region.manifest)
    with open_table(path) as (header, rows):
        good, problems = parse_observation_rows(
            header,
            rows,
            file=path.name,
            scopes=scopes,
            indicators=known_indicators(region),
            numbered=True,
        )
    if problems:
        raise DataValidationError(
            problems, summary=f"{path.name}: {len(problems)} problem(s); nothing was imported"
        )
    if not good:
        raise DataValidationError([Problem(path.name, 0, "*", "the file has no observation rows")])
    return good


def iter_observation_chunks(
    path: Path, region: Region, *, chunk_rows: int = 2_000
) -> Iterator[tuple[list[ObservationIn], list[Problem]]]:
    """Read and validate ``path`` a chunk of ``chunk_rows`` rows at a time: (good rows, problems).

    Memory holds one chunk, whatever the file's size. Each row is checked as by
    :func:`read_observations_file`, except for duplicates across chunks, which the caller
    must refuse (:meth:`metrocircle.store.Store.import_observation_chunks` does, with the
    rows it has written so far). An empty file yields no chunk.

    Raises
    ------
    DataValidationError
        When the file cannot be read, or its header lacks a required column or names an
        unknown one (nothing of the rows is then worth reading).
    """
    scopes = valid_scopes(region.unit_codes, region.manifest)
    indicators = known_indicators(region)
    with open_table(path) as (header, rows):
        _, problems = parse_observation_rows(
            header, [], file=path.name, scopes=scopes, indicators=indicators, numbered=True
        )
        if problems:
            raise DataValidationError(
                problems, summary=f"{path.name}: {len(problems)} problem(s); nothing was imported"
            )
        while raw := list(islice(rows, chunk_rows)):
            yield parse_observation_rows(
                header, raw, file=path.name, scopes=scopes, indicators=indicators, numbered=True
            )


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
