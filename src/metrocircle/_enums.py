"""Enums for user-typed strings that forgive case, spaces and hyphens."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

__all__ = ["TolerantStrEnum"]


class TolerantStrEnum(StrEnum):
    """A StrEnum whose lookup accepts ``"On Track"`` or ``"on-track"`` for ``"on_track"``.

    >>> class Colour(TolerantStrEnum):
    ...     DARK_RED = "dark_red"
    >>> Colour("Dark-Red") is Colour.DARK_RED
    True
    """

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if isinstance(value, str):
            key = value.strip().lower().replace("-", "_").replace(" ", "_")
            for member in cls:
                if member.value == key:
                    return member
        return None
