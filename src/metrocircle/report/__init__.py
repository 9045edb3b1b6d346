"""The plan implementation evaluation report (HTML, optional PDF); see :func:`build_report`."""

from __future__ import annotations

from typing import Any

__all__ = ["build_report", "render_report"]


def __getattr__(name: str) -> Any:
    # lazy: section modules import this package, and the builder pulls in the evaluation stack
    if name in __all__:
        from metrocircle.report import build

        return getattr(build, name)
    msg = f"module 'metrocircle.report' has no attribute {name!r}"
    raise AttributeError(msg)
