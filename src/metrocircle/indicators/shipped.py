"""The dataset's own observation files: shipped observations, stand-ins, indicator and scope names.

Read all or nothing: a bad row raises :class:`~metrocircle._errors.DataValidationError`
naming file, line and field. :mod:`metrocircle.indicators.service` layers what is read here
with the store's observations and the computed values.
"""

from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from metrocircle._errors import DataValidationError, Problem
from metrocircle.indicators.authority import AuthorityRules
from metrocircle.indicators.model import Message, Observation, ObservationKind
from metrocircle.schema import MEASURE_UNITS, ROLES

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "PROVENANCE_COLUMNS",
    "StandIn",
    "indicator_names",
    "load_shipped_observations",
    "load_stand_ins",
    "observations_path",
    "scope_name",
    "short_scope_name",
]

_OBS_DEFAULT = "observations/observations.csv"
_STAND_INS = "observations/stand_ins.csv"
_INDICATORS = "observations/indicators.csv"
_SCOPE_RE = re.compile(r"^(region|\d{6}|group:[a-z_]+)$")
_OBS_REQUIRED = ("indicator", "scope", "period", "value", "unit", "source")
PROVENANCE_COLUMNS = ("source_url", "statement_zh", "published_date", "publisher", "publication")
"""Provenance columns an observation may carry (shipped file and store alike)."""


@dataclass(frozen=True)
class StandIn:
    """Values of ``indicator`` for ``scope`` may stand in for ``stands_for``, with a caveat."""

    indicator: str
    scope: str
    stands_for: str
    caveat: Message
    scope_name_zh: str = ""
    scope_name_en: str = ""


def observations_path(region: Region) -> Path | None:
    """The dataset's observations file: the manifest entry ``observations`` or ``observations/observations.csv``."""
    if region.has_file("observations"):
        return region.file("observations")
    p = region.path / _OBS_DEFAULT
    return p if p.is_file() else None


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), [dict(r) for r in reader]


def load_shipped_observations(
    region: Region, *, authority: AuthorityRules | None = None
) -> list[Observation]:
    """Read the dataset's observations file into :class:`Observation` objects (all or nothing).

    The provenance of each carries ``source_kind`` (the authority rules' default kind when
    the file has no such column), ``publisher``, ``publication``, ``source_url``,
    ``statement_zh`` and ``published_date`` where given, and ``file`` (name:line).

    Raises
    ------
    DataValidationError
        Naming file, line and field of every bad row (missing column, non-numeric value or
        year, unknown unit of measure, malformed scope, unknown source kind).
    """
    rules = authority or AuthorityRules.default()
    path = observations_path(region)
    if path is None:
        return []
    name = path.name
    header, rows = _read_csv(path)
    problems = [
        Problem(name, 1, c, "required column is missing") for c in _OBS_REQUIRED if c not in header
    ]
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid observations file")
    out: list[Observation] = []
    for i, r in enumerate(rows, start=2):
        bad: list[Problem] = []
        scope = (r.get("scope") or "").strip()
        unit = (r.get("unit") or "").strip()
        if not _SCOPE_RE.match(scope):
            bad.append(
                Problem(
                    name, i, "scope", f"not 'region', a 6-digit code or 'group:<id>': {scope!r}"
                )
            )
        if unit not in MEASURE_UNITS:
            bad.append(Problem(name, i, "unit", f"unknown unit of measure {unit!r}"))
        try:
            period = int((r.get("period") or "").strip())
        except ValueError:
            bad.append(Problem(name, i, "period", f"not a year: {r.get('period')!r}"))
            period = 0
        try:
            value = float((r.get("value") or "").strip())
            if not math.isfinite(value):
                raise ValueError
        except ValueError:
            bad.append(Problem(name, i, "value", f"not a number: {r.get('value')!r}"))
            value = math.nan
        if not (r.get("source") or "").strip():
            bad.append(Problem(name, i, "source", "every observation needs its source"))
        kind = (r.get("source_kind") or "").strip() or rules.default_kind
        if kind not in rules.kinds:
            bad.append(
                Problem(
                    name,
                    i,
                    "source_kind",
                    f"unknown source kind {kind!r}; expected one of {sorted(rules.kinds)}",
                )
            )
        problems.extend(bad)
        if bad:
            continue
        prov = {k: (r.get(k) or "").strip() for k in PROVENANCE_COLUMNS if (r.get(k) or "").strip()}
        prov["source_kind"] = kind
        prov["file"] = f"{name}:{i}"
        statement = prov.get("statement_zh", "")
        out.append(
            Observation(
                value=value,
                period=period,
                source=r["source"].strip(),
                submitted_by=(r.get("submitted_by") or "").strip() or "dataset",
                kind=ObservationKind.OBSERVATION,
                provenance=prov,
                scope=scope,
                unit=unit,
                note=statement if "派生" in statement or "推定" in statement else "",
                indicator=(r.get("indicator") or "").strip(),
            )
        )
    if problems:
        raise DataValidationError(problems, summary=f"{name}: {len(problems)} problem(s)")
    return out


def load_stand_ins(region: Region) -> list[StandIn]:
    """Read ``observations/stand_ins.csv``, if present.

    Columns: indicator, scope, scope_name_zh, scope_name_en, stands_for, caveat_zh, caveat_en.
    """
    path = region.path / _STAND_INS
    if not path.is_file():
        return []
    header, rows = _read_csv(path)
    cols = (
        "indicator",
        "scope",
        "scope_name_zh",
        "scope_name_en",
        "stands_for",
        "caveat_zh",
        "caveat_en",
    )
    problems = [
        Problem(path.name, 1, c, "required column is missing") for c in cols if c not in header
    ]
    for i, r in enumerate(rows, start=2):
        for c in cols:
            if not (r.get(c) or "").strip():
                problems.append(Problem(path.name, i, c, "is empty"))
    if problems:
        raise DataValidationError(problems, summary=f"{path.name}: invalid stand-ins file")
    return [
        StandIn(
            r["indicator"].strip(),
            r["scope"].strip(),
            r["stands_for"].strip(),
            Message("stand_in", r["caveat_zh"].strip(), r["caveat_en"].strip()),
            r["scope_name_zh"].strip(),
            r["scope_name_en"].strip(),
        )
        for r in rows
    ]


def indicator_names(region: Region) -> dict[str, tuple[str, str, str]]:
    """Indicator id → (Chinese name, English name, unit) from ``observations/indicators.csv``, the targets and the registry."""
    from metrocircle.indicators.registry import list_indicators

    out: dict[str, tuple[str, str, str]] = {
        s.id: (s.name_zh, s.name_en, s.unit) for s in list_indicators()
    }
    path = region.path / _INDICATORS
    if path.is_file():
        _, rows = _read_csv(path)
        for r in rows:
            out[r["id"].strip()] = (r["name_zh"].strip(), r["name_en"].strip(), r["unit"].strip())
    for t in region.targets:
        out.setdefault(t.indicator, (t.name_zh, t.name_en, t.unit))
    return out


def scope_name(region: Region, scope: str, lang: str = "zh") -> str:
    """Human name of a scope code in ``lang``."""
    zh = lang == "zh"
    if scope == "region":
        return region.manifest.title_zh if zh else region.manifest.title_en
    if scope.isdigit() and scope in region.unit_codes:
        u = region.unit(scope)
        return u.name_zh if zh else u.name_en
    if scope.startswith("group:") and scope[6:] in ROLES:
        zh_name, en_name = ROLES[scope[6:]]
        return zh_name if zh else en_name
    extra = getattr(region.manifest, "extra_scopes", {}) or {}
    return str(extra.get(scope, scope))


def short_scope_name(region: Region, scope: str, lang: str = "zh") -> str:
    """A scope's name without the explanation an extra scope's declaration carries.

    >>> from metrocircle.region import load_region
    >>> short_scope_name(load_region("chongqing"), "group:cq_metro_districts")
    '主城都市区'
    """
    name = scope_name(region, scope, lang)
    return re.split(r"[:：(（]| as a whole", name, maxsplit=1)[0].strip() or name
