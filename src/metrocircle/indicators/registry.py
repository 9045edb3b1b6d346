"""The computed-indicator registry: indicator id → a function of the Region (and a scenario)."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from metrocircle._errors import UnknownIndicatorError

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = [
    "ComputeContext",
    "ComputedValue",
    "IndicatorSpec",
    "compute",
    "get_indicator",
    "list_indicators",
    "register_indicator",
]


@dataclass(frozen=True)
class ComputeContext:
    """What a computation may read: the region, an optional scenario id, options and a store.

    ``params`` carries computation options (for example ``{"threshold_min": 60}``);
    ``store`` is an optional :class:`metrocircle.store.Store` for observation-based inputs.
    """

    region: Region
    scenario: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    store: Any = None


@dataclass(frozen=True)
class ComputedValue:
    """One computed value of an indicator for a scope and period, with its provenance.

    ``provenance`` says how it was made, at least ``{"model": ..., "data_version": ...}``
    and, where it applies, ``"scenario"`` and ``"standard"``.
    """

    scope: str
    period: int
    value: float | None
    provenance: Mapping[str, str] = field(default_factory=dict)


Computation = Callable[[ComputeContext], list[ComputedValue]]


@dataclass(frozen=True)
class IndicatorSpec:
    """A registered computation and what it measures."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    fn: Computation
    description: str = ""
    needs: str = ""


_REGISTRY: dict[str, IndicatorSpec] = {}

# Modules that register computations when imported; loaded on first lookup so the core
# registry has no import-time dependency on the network or sector engines.
_PROVIDERS: tuple[str, ...] = (
    "metrocircle.indicators.builtin",
    "metrocircle.access.indicators",
    "metrocircle.sectors.indicators",
    "metrocircle.coverage.indicators",
)
_loaded = False


def register_indicator(
    indicator_id: str,
    *,
    name_zh: str,
    name_en: str,
    unit: str,
    description: str = "",
    needs: str = "",
) -> Callable[[Computation], Computation]:
    """Register ``fn`` as the computation of ``indicator_id`` (decorator).

    Parameters
    ----------
    indicator_id
        Dotted id such as ``"region.urbanisation_rate"``; targets name it in ``computed_by``.
    name_zh, name_en
        Human names in both languages.
    unit
        Unit of measure id (see :data:`metrocircle.schema.MEASURE_UNITS`).
    description
        One line on the method.
    needs
        What input data the computation needs, shown when it cannot run.
    """

    def deco(fn: Computation) -> Computation:
        _REGISTRY[indicator_id] = IndicatorSpec(
            indicator_id, name_zh, name_en, unit, fn, description, needs
        )
        return fn

    return deco


def _ensure_loaded() -> None:
    global _loaded  # noqa: PLW0603 - one-time lazy import of the provider modules
    if _loaded:
        return
    _loaded = True
    for mod in _PROVIDERS:
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:
            if exc.name and mod.startswith(exc.name):
                continue
            raise


def list_indicators() -> list[IndicatorSpec]:
    """Every registered computation, sorted by id."""
    _ensure_loaded()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_indicator(indicator_id: str) -> IndicatorSpec:
    """The registered computation ``indicator_id``; raises UnknownIndicatorError."""
    _ensure_loaded()
    try:
        return _REGISTRY[indicator_id]
    except KeyError:
        msg = f"no computation registered as {indicator_id!r}; known: {sorted(_REGISTRY)}"
        raise UnknownIndicatorError(msg) from None


def compute(indicator_id: str, ctx: ComputeContext) -> list[ComputedValue]:
    """Run the registered computation ``indicator_id`` in ``ctx``."""
    return get_indicator(indicator_id).fn(ctx)
