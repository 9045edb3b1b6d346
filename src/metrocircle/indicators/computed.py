"""Computed-indicator types: the context a computation reads, its values, and a set of specs."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from metrocircle.region import Region

__all__ = ["Computation", "ComputeContext", "ComputedValue", "IndicatorSet", "IndicatorSpec"]


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
    """A computation and what it measures."""

    id: str
    name_zh: str
    name_en: str
    unit: str
    fn: Computation
    description: str = ""
    needs: str = ""


class IndicatorSet:
    """The computed indicators one module provides, collected by its ``register`` decorator.

    A provider module defines ``INDICATORS = IndicatorSet()`` and decorates its computations
    with ``@INDICATORS.register(...)``; :mod:`metrocircle.extensions` lists the sets by import.

    Examples
    --------
    >>> s = IndicatorSet()
    >>> @s.register("demo.zero", name_zh="零", name_en="zero", unit="count")
    ... def zero(ctx):
    ...     return []
    >>> [spec.id for spec in s]
    ['demo.zero']
    """

    def __init__(self) -> None:
        self._specs: dict[str, IndicatorSpec] = {}

    def register(
        self,
        indicator_id: str,
        *,
        name_zh: str,
        name_en: str,
        unit: str,
        description: str = "",
        needs: str = "",
    ) -> Callable[[Computation], Computation]:
        """Decorator: add ``fn`` as the computation of ``indicator_id`` to this set.

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
            if indicator_id in self._specs:
                msg = f"indicator {indicator_id!r} is registered twice in one set"
                raise ValueError(msg)
            self._specs[indicator_id] = IndicatorSpec(
                indicator_id, name_zh, name_en, unit, fn, description, needs
            )
            return fn

        return deco

    def __iter__(self) -> Iterator[IndicatorSpec]:
        return iter(tuple(self._specs.values()))

    def __len__(self) -> int:
        return len(self._specs)
