"""The computed-indicator registry: indicator id → a function of the Region (and a scenario).

The indicators come from the extensions of :mod:`metrocircle.extensions` (built-in ones by
import, others through entry points); :func:`register_indicator` adds one at run time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from metrocircle._errors import UnknownIndicatorError
from metrocircle.extensions import indicator_specs
from metrocircle.indicators.computed import (
    Computation,
    ComputeContext,
    ComputedValue,
    IndicatorSpec,
)

__all__ = [
    "ComputeContext",
    "ComputedValue",
    "IndicatorSpec",
    "compute",
    "get_indicator",
    "list_indicators",
    "register_indicator",
]

_REGISTRY: dict[str, IndicatorSpec] = {}
"""Indicators registered at run time with :func:`register_indicator`."""


# functools.cache, not the result cache (metrocircle.cache): the installed indicator specs, never a dataset's
# file, so the answer is the same for every region and cannot go stale in a process.
@functools.cache
def _installed() -> dict[str, IndicatorSpec]:
    return indicator_specs()


def _all() -> dict[str, IndicatorSpec]:
    return {**_installed(), **_REGISTRY}


def register_indicator(
    indicator_id: str,
    *,
    name_zh: str,
    name_en: str,
    unit: str,
    description: str = "",
    needs: str = "",
) -> Callable[[Computation], Computation]:
    """Register ``fn`` as the computation of ``indicator_id`` at run time (decorator).

    Library modules do not use this: they provide an
    :class:`~metrocircle.indicators.computed.IndicatorSet` listed in
    :mod:`metrocircle.extensions`. Parameters as in
    :meth:`~metrocircle.indicators.computed.IndicatorSet.register`.
    """

    def deco(fn: Computation) -> Computation:
        _REGISTRY[indicator_id] = IndicatorSpec(
            indicator_id, name_zh, name_en, unit, fn, description, needs
        )
        return fn

    return deco


def list_indicators() -> list[IndicatorSpec]:
    """Every registered computation, sorted by id."""
    reg = _all()
    return [reg[k] for k in sorted(reg)]


def get_indicator(indicator_id: str) -> IndicatorSpec:
    """The registered computation ``indicator_id``; raises UnknownIndicatorError."""
    reg = _all()
    try:
        return reg[indicator_id]
    except KeyError:
        msg = f"no computation registered as {indicator_id!r}; known: {sorted(reg)}"
        raise UnknownIndicatorError(msg) from None


def compute(indicator_id: str, ctx: ComputeContext) -> list[ComputedValue]:
    """Run the registered computation ``indicator_id`` in ``ctx``."""
    return get_indicator(indicator_id).fn(ctx)
