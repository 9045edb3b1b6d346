"""Published door-to-door times: observations of kind ``published``, shown beside the model.

The dataset's ``network/published_times.csv`` holds every travel time a public source
states between places in and around the area (from ``calibration_times.csv`` and the
minutes of ``seat_distances.csv`` in the shared data), as the statement names the places,
with the statement, its date and its page. Two columns say which place of the model each
end is: a county-level unit code, ``centre`` (the central urban area, 中心城区/主城, the
commute's destination) or empty when the place is not one the model has (a station such as
重庆北站, an airport, a toll gate, a city outside the area, or 重庆 without saying where).

Those columns are written by :func:`match_place` (``scripts/build_published_times.py``)
and kept in the file so each match can be read and checked. The model never uses these
rows here: they are shown beside modelled minutes, never mixed into them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrocircle._errors import DataValidationError, Problem
from metrocircle.cache import process_cache

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "CENTRE",
    "CENTRE_NAMES",
    "COLUMNS",
    "FILE_KEY",
    "PublishedTime",
    "load_published",
    "match_place",
    "published_between",
    "published_to_centre",
    "read_published",
]

FILE_KEY = "network_published_times"
"""Manifest key of the file."""
CENTRE = "centre"
"""Value of ``from_unit``/``to_unit`` for the central urban area as a whole."""
CENTRE_NAMES = frozenset(
    {
        "重庆主城",
        "重庆主城区",
        "重庆(主城)",
        "重庆（主城）",
        "重庆市主城区",
        "重庆中心城区",
        "重庆市中心城区",
        "中心城区",
        "主城",
        "主城区",
        "重庆市区",
        "重庆市中心",
        "渝中",
        "渝中区",
        "解放碑",
    }
)
"""Names a statement uses for the central urban area (the commute's destination).

重庆 alone is not among them (a statement about 重庆 as a city does not say where in it),
nor are its stations (重庆北站, 重庆西站), its airport or toll gates: a time to those is
not a time to the centre.
"""
COLUMNS = (
    "mode",
    "from_zh",
    "to_zh",
    "from_unit",
    "to_unit",
    "minutes",
    "statement_kind",
    "statement_zh",
    "statement_date",
    "date_note",
    "source_url",
    "source_note",
    "source_file",
)
MODES = ("road", "rail")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CITY_SUFFIXES = ("市主城区", "主城区", "城区")


@dataclass(frozen=True)
class PublishedTime:
    """One published travel time between two places, with its statement and source."""

    mode: str
    from_zh: str
    to_zh: str
    from_unit: str
    to_unit: str
    minutes: float
    statement_kind: str
    statement_zh: str
    statement_date: str
    source_url: str
    source_note: str
    kind: str = "published"

    def reference(self, end: str) -> str:
        """What a matched end of the statement is, in words (``end`` is ``from`` or ``to``)."""
        name = self.from_zh if end == "from" else self.to_zh
        ref = self.from_unit if end == "from" else self.to_unit
        if ref == CENTRE:
            return f"中心城区 as published ({name}); no point stated"
        return f"{name} (seat of unit {ref})" if ref else f"{name} (not a place of the model)"

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of a published time (``kind`` is always ``published``)."""
        d = asdict(self)
        d["from_reference"] = self.reference("from")
        d["to_reference"] = self.reference("to")
        d["source_url"] = self.source_url or None
        d["statement_date"] = self.statement_date or None
        return d


def read_published(
    path: Path, unit_codes: set[str] | frozenset[str] | None = None
) -> tuple[list[PublishedTime] | None, list[Problem]]:
    """Read and check ``published_times.csv``; the rows, or the problems (file, row, field).

    With ``unit_codes``, ``from_unit``/``to_unit`` must be one of them, ``centre`` or empty.
    """
    f = path.name
    if not path.is_file():
        return None, [Problem(f, 0, "*", "file not found")]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        r = csv.DictReader(fh)
        header = list(r.fieldnames or [])
        rows = [dict(x) for x in r]
    problems = [Problem(f, 1, c, "required column is missing") for c in COLUMNS if c not in header]
    if problems:
        return None, problems
    out: list[PublishedTime] = []
    for i, x in enumerate(rows, start=2):
        if None in x:
            problems.append(Problem(f, i, "*", "more fields than the header has"))
            continue
        if x["mode"] not in MODES:
            problems.append(Problem(f, i, "mode", f"{x['mode']!r} is not one of {list(MODES)}"))
        for c in ("from_zh", "to_zh", "statement_kind"):
            if not x[c].strip():
                problems.append(Problem(f, i, c, "empty"))
        try:
            minutes = float(x["minutes"])
            if not 0 < minutes < 10_000:
                raise ValueError
        except ValueError:
            problems.append(Problem(f, i, "minutes", f"{x['minutes']!r} is not minutes > 0"))
            continue
        if x["statement_date"] and not _DATE.match(x["statement_date"]):
            problems.append(
                Problem(f, i, "statement_date", f"{x['statement_date']!r} is not YYYY[-MM[-DD]]")
            )
        if x["source_url"] and not x["source_url"].startswith(("http://", "https://")):
            problems.append(Problem(f, i, "source_url", "not an http(s) URL"))
        if not (x["source_url"] or x["source_note"]):
            problems.append(Problem(f, i, "source_url", "no source (URL or source_note)"))
        for end in ("from_unit", "to_unit"):
            ref = x[end]
            if ref and ref != CENTRE and unit_codes is not None and ref not in unit_codes:
                problems.append(Problem(f, i, end, f"unknown unit {ref!r}"))
        out.append(
            PublishedTime(
                x["mode"],
                x["from_zh"],
                x["to_zh"],
                x["from_unit"],
                x["to_unit"],
                minutes,
                x["statement_kind"],
                x["statement_zh"],
                x["statement_date"],
                x["source_url"],
                x["source_note"],
            )
        )
    return (None, problems) if problems else (out, [])


def _load(path: str, codes: frozenset[str]) -> tuple[PublishedTime, ...]:
    rows, problems = read_published(Path(path), codes)
    if problems:
        raise DataValidationError(problems)
    return tuple(rows or ())


def load_published(region: Region) -> tuple[PublishedTime, ...]:
    """The dataset's published times (empty when it declares no such file).

    Raises
    ------
    DataValidationError
        A row is malformed or names an unknown unit (file, row and field named).
    """
    if not region.has_file(FILE_KEY):
        return ()
    path, codes = str(region.file(FILE_KEY)), frozenset(region.units.index)
    # Kept under the data version (the file's content is part of it): an edited file is re-read.
    return process_cache().get(
        region.data_version, "access.published", (path, codes), lambda: _load(path, codes)
    )


def _ends(region: Region, code: str) -> set[str]:
    ends = {code}
    if code == str(region.manifest.centre.unit):
        ends.add(CENTRE)
    return ends


def published_between(region: Region, a: str, b: str) -> list[PublishedTime]:
    """Published times between units ``a`` and ``b`` (either direction), most recent first.

    A statement about the central urban area (``centre``) counts for the centre's unit
    (the manifest's ``[centre] unit``, 渝中区).
    """
    ea, eb = _ends(region, a), _ends(region, b)
    hits = [
        p
        for p in load_published(region)
        if (p.from_unit in ea and p.to_unit in eb) or (p.from_unit in eb and p.to_unit in ea)
    ]
    return sorted(hits, key=lambda p: p.statement_date, reverse=True)  # undated last


def published_to_centre(region: Region, code: str) -> list[PublishedTime]:
    """Published times between unit ``code`` and the central urban area, most recent first."""
    return published_between(region, code, str(region.manifest.centre.unit))


def match_place(region: Region, name: str) -> str:
    """The place of the model a statement's place name is: a unit code, ``centre`` or ``""``.

    Rules, in order: a name of the central urban area (:data:`CENTRE_NAMES`) is ``centre``;
    a county-level unit's name or stem (永川, 永川区) is that unit; a prefecture (广安,
    广安市, 广安主城区, 广安市(城区, 广安区)) is the child unit a parenthesis names, else its
    city proper, the child district of the same stem (广安区); anything else — a station, an
    airport, a toll gate, a city outside the area, 重庆 alone — is ``""`` (not matched).
    """
    from metrocircle._errors import UnknownUnitError
    from metrocircle.access.units import resolve_unit

    q = name.strip()
    if q in CENTRE_NAMES:
        return CENTRE
    m = re.match(r"^(.*?)[(（](.*)[)）]$", q)
    base, paren = (m.group(1), m.group(2)) if m else (q, "")
    for s in _CITY_SUFFIXES:
        if base.endswith(s) and len(base) > len(s) + 1:
            base = base[: -len(s)]
            break

    def resolve(text: str) -> str:
        try:
            return resolve_unit(region, text)
        except UnknownUnitError:
            pass
        # 广安 names both 广安市 and its district 广安区: the prefecture is meant
        hits = [
            c
            for c in region.units.index
            if text in (region.units.at[c, "name_zh"], _stem(str(region.units.at[c, "name_zh"])))
            and region.children(str(c))
        ]
        return str(hits[0]) if len(hits) == 1 else ""

    code = resolve(base)
    if not code:
        return ""
    if code in region.county_codes:
        return code
    kids = region.children(code)
    for part in re.split(r"[,，、\s]+", paren):
        k = resolve(part) if part else ""
        if k in kids:
            return k
    stem = _stem(str(region.units.at[code, "name_zh"]))
    proper = [k for k in kids if _stem(str(region.units.at[k, "name_zh"])) == stem]
    return proper[0] if len(proper) == 1 else ""


def _stem(name: str) -> str:
    """A unit name without its 区/县/市 suffix (广安市 → 广安)."""
    for s in ("自治县", "新区", "区", "县", "市"):
        if name.endswith(s) and len(name) > len(s) + 1:
            return name[: -len(s)]
    return name
