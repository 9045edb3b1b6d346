"""Fiscal results (shared areas' ledgers split by jurisdiction) for both faces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from metrocircle._errors import DataValidationError, MetrocircleError, Problem
from metrocircle.sectors.results._base import ReferenceRows

if TYPE_CHECKING:
    from metrocircle.sectors.fiscal import LedgerEntry

__all__ = [
    "FiscalSplit",
    "fiscal_split",
    "shared_area_list",
]


def shared_area_list(root: Path | str) -> ReferenceRows:
    """The shared areas of ``sectors/shared_areas.toml``: jurisdictions and default shares."""
    from metrocircle.sectors.fiscal import load_shared_areas

    areas = load_shared_areas(Path(root) / "sectors" / "shared_areas.toml")
    return ReferenceRows(
        tuple(
            {
                "id": a.id,
                "name_zh": a.name_zh,
                "name_en": a.name_en,
                "shares": {k: str(v) for k, v in a.shares.items()},
                "rule_source": a.rule_source,
                "note": a.note,
            }
            for a in areas.values()
        )
    )


@dataclass(frozen=True)
class FiscalSplit:
    """A ledger split: stock stays, the increment over the base year is split by shares."""

    allocations: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """One row per item, year and jurisdiction."""
        return list(self.allocations)


def fiscal_split(
    entries: Sequence[LedgerEntry],
    *,
    base_year: int,
    root: Path | str | None = None,
    shares: Mapping[str, Decimal] | None = None,
    area_id: str | None = None,
    decimals: int = 2,
) -> FiscalSplit:
    """Split a ledger of one shared area (shares: given, else the area's in ``shared_areas.toml``)."""
    from metrocircle.sectors.fiscal import load_shared_areas, split_ledger

    if not entries:
        msg = "the ledger is empty"
        raise MetrocircleError(msg)
    area = area_id or entries[0].area_id
    if shares is None:
        path = None if root is None else Path(root) / "sectors" / "shared_areas.toml"
        areas = load_shared_areas(path) if path is not None and path.is_file() else {}
        if area not in areas:
            msg = f"unknown area_id {area!r}; known: {sorted(areas)} (or give shares)"
            raise DataValidationError([Problem("<ledger>", 0, "area_id", msg)], summary=msg)
        shares = dict(areas[area].shares)
    allocs = split_ledger(
        entries, base_year=base_year, shares=shares, area_id=area, decimals=decimals
    )
    return FiscalSplit(tuple(a.to_dict() for a in allocs))
