"""The embedded datasets (package data, offline): a small registry of region folders."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["AVAILABLE", "get_path"]

AVAILABLE: tuple[str, ...] = ("chongqing",)
"""Names of the embedded datasets."""


def get_path(name: str = "chongqing") -> Path:
    """Return the folder of the embedded dataset ``name``.

    Raises
    ------
    ValueError
        When ``name`` is not embedded; the message lists the valid names.
    """
    if name not in AVAILABLE:
        msg = f"`name` was {name!r} but is expected to be one of {list(AVAILABLE)}"
        raise ValueError(msg)
    return Path(str(resources.files("metrocircle.data") / name))
