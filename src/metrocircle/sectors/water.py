"""Surface-water class of a monitoring section per GB 3838-2002 by the single-factor method.

A section's class is the worst class over its evaluated parameters (环办〔2011〕22号
《地表水环境质量评价办法（试行）》: "根据评价时段内该断面参评的指标中类别最高的一项来确定").
Each parameter's class is the best class whose limit it meets; beyond class V it is 劣V.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from metrocircle._errors import DataValidationError, Problem
from metrocircle.sectors._water_tables import CLASS_LABELS, EVALUATED, NOT_EVALUATED, PARAMETERS

__all__ = [
    "CLASS_LABELS",
    "SECTION_REGISTRY_COLUMNS",
    "SectionClass",
    "classify_file",
    "load_section_registry",
    "parameter_class",
    "section_class",
    "share_class_iii_or_better",
]

WaterBody = Literal["river", "lake"]
_GOOD_MAX = 3  # class III or better counts as 优良 (达到或优于Ⅲ类)
# Qualitative description per class (环办〔2011〕22号 §; anchors §5.2 [M]).
_QUALITY = {
    1: ("优", "excellent"),
    2: ("优", "excellent"),
    3: ("良好", "good"),
    4: ("轻度污染", "lightly polluted"),
    5: ("中度污染", "moderately polluted"),
    6: ("重度污染", "heavily polluted"),
}


def _check_body(water_body: str) -> str:
    wb = water_body.strip().lower()
    aliases = {
        "river": "river",
        "lake": "lake",
        "reservoir": "lake",
        "湖库": "lake",
        "河流": "river",
    }
    if wb not in aliases:
        msg = f"`water_body` was {water_body!r} but is expected to be 'river' or 'lake' (lake or reservoir)"
        raise ValueError(msg)
    return aliases[wb]


def parameter_class(key: str, value: float, *, water_body: WaterBody | str = "river") -> int:
    """Class of one parameter value: 1..5 for I..V, 6 for 劣V.

    Parameters
    ----------
    key
        Parameter key of GB 3838-2002 Table 1 (``do``, ``codmn``, ``nh3_n``, ``tp``, ``ph`` …).
    value
        Measured value in the parameter's unit (mg/L; pH dimensionless; coliforms count/L).
    water_body
        ``"river"`` or ``"lake"`` (lakes and reservoirs: stricter total-phosphorus limits).

    Examples
    --------
    >>> parameter_class("do", 5.5), parameter_class("tp", 0.05, water_body="lake")
    (3, 3)
    """
    if key not in PARAMETERS:
        msg = f"unknown parameter {key!r}; expected one of {sorted(PARAMETERS)}"
        raise DataValidationError([Problem("<input>", 0, key, msg)], summary="invalid input")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        msg = f"{key}: value must be a finite number, got {value!r}"
        raise DataValidationError([Problem("<input>", 0, key, msg)], summary="invalid input")
    if value < 0 or (key == "ph" and value > 14):
        msg = f"{key}: value {value} is outside the physical range"
        raise DataValidationError([Problem("<input>", 0, key, msg)], summary="invalid input")
    p = PARAMETERS[key]
    if p.kind == "range":
        lo, hi = p.limits
        return 1 if lo <= value <= hi else 6
    limits = (
        p.lake_limits if (_check_body(str(water_body)) == "lake" and p.lake_limits) else p.limits
    )
    for i, limit in enumerate(limits, start=1):
        if (p.kind == "min" and value >= limit) or (p.kind == "max" and value <= limit):
            return i
    return 6


@dataclass(frozen=True)
class SectionClass:
    """The class of one section and how it was reached.

    Attributes
    ----------
    klass
        1..5 for I..V, 6 for 劣V.
    label
        ``"I"`` … ``"V"`` or ``"劣V"``.
    parameter_classes
        Class of every evaluated parameter given.
    deciding
        Parameters whose class equals the section class (定类指标).
    not_evaluated
        Parameters given but outside the single-factor class (TN, faecal coliforms), with
        their own class.
    quality_zh, quality_en
        Qualitative description (优 … 重度污染).
    water_body
        ``"river"`` or ``"lake"``.
    """

    klass: int
    label: str
    parameter_classes: dict[str, int]
    deciding: tuple[str, ...]
    not_evaluated: dict[str, int]
    quality_zh: str
    quality_en: str
    water_body: str

    @property
    def good(self) -> bool:
        """Whether the section is class III or better (达到或优于Ⅲ类)."""
        return self.klass <= _GOOD_MAX

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "class": self.klass,
            "label": self.label,
            "good": self.good,
            "parameter_classes": {
                k: CLASS_LABELS[v - 1] for k, v in self.parameter_classes.items()
            },
            "deciding": list(self.deciding),
            "not_evaluated": {k: CLASS_LABELS[v - 1] for k, v in self.not_evaluated.items()},
            "quality_zh": self.quality_zh,
            "quality_en": self.quality_en,
            "water_body": self.water_body,
        }


def section_class(
    measurements: Mapping[str, float], *, water_body: WaterBody | str = "river"
) -> SectionClass:
    """Class of a monitoring section by the single-factor method (GB 3838-2002).

    Parameters
    ----------
    measurements
        Parameter key → value (e.g. the annual or monthly mean), units of Table 1.  At least
        one of the 21 evaluated parameters is needed; ``tn`` and ``faecal_coliform`` are
        classified but do not set the class.
    water_body
        ``"river"`` or ``"lake"`` (lake or reservoir).

    Returns
    -------
    SectionClass

    Examples
    --------
    >>> r = section_class({"do": 6.2, "codmn": 3.1, "nh3_n": 0.6, "tp": 0.12})
    >>> r.label, r.deciding
    ('III', ('nh3_n', 'tp'))
    """
    body = _check_body(str(water_body))
    problems: list[Problem] = []
    classes: dict[str, int] = {}
    other: dict[str, int] = {}
    for key, value in measurements.items():
        k = str(key).strip().lower()
        try:
            c = parameter_class(k, value, water_body=body)
        except DataValidationError as exc:
            problems.extend(exc.problems)
            continue
        (other if k in NOT_EVALUATED else classes)[k] = c
    if problems:
        raise DataValidationError(problems, summary="invalid section measurements")
    if not classes:
        msg = f"no evaluated parameter given; expected some of {list(EVALUATED)}"
        raise DataValidationError(
            [Problem("<input>", 0, "measurements", msg)], summary="invalid input"
        )
    worst = max(classes.values())
    return SectionClass(
        klass=worst,
        label=CLASS_LABELS[worst - 1],
        parameter_classes=classes,
        deciding=tuple(k for k, v in classes.items() if v == worst),
        not_evaluated=other,
        quality_zh=_QUALITY[worst][0],
        quality_en=_QUALITY[worst][1],
        water_body=body,
    )


def share_class_iii_or_better(classes: Iterable[SectionClass | int]) -> float:
    """Share of sections at class III or better (断面水质优良比例), percent.

    Raises
    ------
    ValueError
        When no section is given.
    """
    ks = [c.klass if isinstance(c, SectionClass) else int(c) for c in classes]
    if not ks:
        msg = "no section given: the share is undefined"
        raise ValueError(msg)
    return 100.0 * sum(1 for k in ks if k <= _GOOD_MAX) / len(ks)


def classify_file(path: Path | str) -> list[dict[str, Any]]:
    """Classify every section of a CSV file, all or nothing.

    The file has a ``section_id`` column, an optional ``water_body`` column (``river`` or
    ``lake``; river when absent or empty) and one column per parameter key of Table 1; empty
    cells are not measured.

    Returns
    -------
    list of dict
        ``{"section_id", ...SectionClass.to_dict()}`` per row, in file order.
    """
    name = str(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            rows = list(reader)
    except OSError as exc:
        msg = f"{name}: cannot be read ({exc.strerror})"
        raise DataValidationError([Problem(name, 0, "file", msg)], summary=msg) from None
    problems: list[Problem] = []
    if "section_id" not in header:
        problems.append(Problem(name, 1, "section_id", "missing column"))
    unknown = [
        h
        for h in header
        if h not in PARAMETERS and h not in ("section_id", "water_body", "name", "period")
    ]
    for h in unknown:
        problems.append(Problem(name, 1, h, f"unknown column; parameters are {sorted(PARAMETERS)}"))
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid header")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for row_no, row in enumerate(rows, start=2):
        sid = (row.get("section_id") or "").strip()
        if not sid or sid in seen:
            problems.append(Problem(name, row_no, "section_id", "empty or duplicate"))
            continue
        seen.add(sid)
        body = (row.get("water_body") or "river").strip() or "river"
        values: dict[str, float] = {}
        for key in (h for h in header if h in PARAMETERS):
            text = (row.get(key) or "").strip()
            if not text:
                continue
            try:
                values[key] = float(text)
            except ValueError:
                problems.append(Problem(name, row_no, key, f"not a number: {text!r}"))
        try:
            res = section_class(values, water_body=body)
        except DataValidationError as exc:
            problems.extend(Problem(name, row_no, p.field, p.message) for p in exc.problems)
            continue
        except ValueError as exc:
            problems.append(Problem(name, row_no, "water_body", str(exc)))
            continue
        out.append({"section_id": sid, **res.to_dict()})
    if problems:
        raise DataValidationError(problems, summary=f"{name}: {len(problems)} problem(s)")
    return out


#: Columns of a (user-supplied) registry of cross-border monitoring sections.
SECTION_REGISTRY_COLUMNS: tuple[str, ...] = (
    "section_id", "name_zh", "river_zh", "water_body", "jurisdictions", "lon", "lat", "source",
)  # fmt: skip


def load_section_registry(
    path: Path | str, *, unit_codes: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Read a registry of cross-border sections, all or nothing.

    Columns: :data:`SECTION_REGISTRY_COLUMNS`; ``jurisdictions`` lists the GB/T 2260 codes the
    section lies between, ``;``-separated (at least two, for a cross-border section); ``lon``
    and ``lat`` are WGS84 degrees or empty; ``source`` is required.  No registry is shipped:
    no published list with coordinates was found.

    Parameters
    ----------
    path
        CSV file.
    unit_codes
        Known unit codes; when given, every jurisdiction must be one of them.
    """
    name = str(path)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            rows = list(reader)
    except OSError as exc:
        msg = f"{name}: cannot be read ({exc.strerror})"
        raise DataValidationError([Problem(name, 0, "file", msg)], summary=msg) from None
    missing = [c for c in SECTION_REGISTRY_COLUMNS if c not in header]
    if missing:
        msg = f"{name}: missing column(s) {missing}"
        raise DataValidationError(
            [Problem(name, 1, ",".join(missing), "missing column")], summary=msg
        )
    known = set(unit_codes) if unit_codes is not None else None
    problems: list[Problem] = []
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, r in enumerate(rows, start=2):
        sid = r["section_id"].strip()
        if not sid or sid in seen:
            problems.append(Problem(name, i, "section_id", "empty or duplicate"))
        seen.add(sid)
        codes = [c.strip() for c in r["jurisdictions"].split(";") if c.strip()]
        if len(codes) < 2:
            problems.append(
                Problem(
                    name,
                    i,
                    "jurisdictions",
                    "a cross-border section lies between at least two units",
                )
            )
        bad = [
            c
            for c in codes
            if not (c.isdigit() and len(c) == 6) or (known is not None and c not in known)
        ]
        if bad:
            problems.append(Problem(name, i, "jurisdictions", f"unknown unit code(s) {bad}"))
        try:
            _check_body(r["water_body"] or "river")
        except ValueError as exc:
            problems.append(Problem(name, i, "water_body", str(exc)))
        rec: dict[str, Any] = {**r, "jurisdictions": codes}
        for col, lo, hi in (("lon", 73.0, 136.0), ("lat", 3.0, 54.0)):
            text = r[col].strip()
            if not text:
                rec[col] = None
                continue
            try:
                rec[col] = float(text)
                if not lo <= rec[col] <= hi:
                    problems.append(Problem(name, i, col, f"{text} outside China"))
            except ValueError:
                problems.append(Problem(name, i, col, f"not a number: {text!r}"))
        if not r["source"].strip():
            problems.append(Problem(name, i, "source", "every section needs its source"))
        out.append(rec)
    if problems:
        raise DataValidationError(problems, summary=f"{name}: invalid section registry")
    return out
