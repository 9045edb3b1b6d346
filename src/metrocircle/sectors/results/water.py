"""Surface-water results (GB 3838-2002 classes) for both faces."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError, Problem
from metrocircle.sectors.results._base import ReferenceRows

__all__ = [
    "WaterClassification",
    "water_classification",
    "water_classification_file",
    "water_limit_table",
]


def water_limit_table() -> ReferenceRows:
    """GB 3838-2002 Table 1 limits (classes I–V), and whether each parameter decides the class."""
    from metrocircle.sectors._water_tables import EVALUATED, PARAMETERS

    return ReferenceRows(
        tuple(
            {
                "key": p.key,
                "name_zh": p.name_zh,
                "name_en": p.name_en,
                "unit": p.unit,
                "kind": p.kind,
                "limits": list(p.limits),
                "lake_limits": list(p.lake_limits) if p.lake_limits else None,
                "evaluated": p.key in EVALUATED,
            }
            for p in PARAMETERS.values()
        )
    )


@dataclass(frozen=True)
class WaterClassification:
    """GB 3838-2002 class of every section and the share at class III or better."""

    sections: tuple[dict[str, Any], ...]
    share_iii_or_better_pct: float | None

    def to_json(self) -> dict[str, Any]:
        """The document both faces give."""
        return {
            "sections": list(self.sections),
            "share_iii_or_better_pct": self.share_iii_or_better_pct,
        }


def _classification(rows: list[dict[str, Any]]) -> WaterClassification:
    share = 100.0 * sum(1 for r in rows if r["good"]) / len(rows) if rows else None
    return WaterClassification(tuple(rows), share)


def water_classification_file(path: Path | str) -> WaterClassification:
    """Classify every section of a CSV (``section_id``, ``[water_body]``, one column per parameter)."""
    from metrocircle.sectors.water import classify_file

    return _classification(classify_file(path))


def water_classification(
    sections: Iterable[tuple[str, str, Mapping[str, float]]],
) -> WaterClassification:
    """Classify ``(section_id, water_body, measurements)`` sections, all or nothing."""
    from metrocircle.sectors.water import section_class

    rows: list[dict[str, Any]] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, (sid, body, values) in enumerate(sections):
        if not sid or sid in seen:
            problems.append(Problem("<sections>", i, "section_id", "empty or duplicate"))
            continue
        seen.add(sid)
        try:
            res = section_class(dict(values), water_body=body)
        except DataValidationError as exc:
            problems.extend(Problem("<sections>", i, p.field, p.message) for p in exc.problems)
            continue
        except ValueError as exc:
            problems.append(Problem("<sections>", i, "water_body", str(exc)))
            continue
        rows.append({"section_id": sid, **res.to_dict()})
    if problems:
        raise DataValidationError(problems, summary=f"{len(problems)} problem(s) in the sections")
    return _classification(rows)
