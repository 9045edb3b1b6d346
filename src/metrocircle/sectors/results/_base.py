"""What every sector result shares: rows of a data frame as JSON-ready records, reference tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from metrocircle._json import plain

__all__ = ["ReferenceRows", "records"]


def records(df: Any) -> tuple[dict[str, Any], ...]:
    """The rows of a data frame as plain JSON values."""
    return tuple(plain(r) for r in df.to_dict("records"))


@dataclass(frozen=True)
class ReferenceRows:
    """A reference table (station registry, limits, tiers, shared areas): one row per entry."""

    rows: tuple[dict[str, Any], ...]

    def to_json(self) -> list[dict[str, Any]]:
        """The document both faces give."""
        return list(self.rows)
