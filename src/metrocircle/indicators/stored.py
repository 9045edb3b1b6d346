"""Observations held in the store, as the evaluation's :class:`Observation` type."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from metrocircle.indicators.authority import stored_kind
from metrocircle.indicators.model import Observation, ObservationKind
from metrocircle.indicators.shipped import PROVENANCE_COLUMNS

if TYPE_CHECKING:
    from metrocircle.store import ObservationRecord

__all__ = ["rec_scope", "store_observation", "store_observations", "store_series"]


def rec_scope(rec: Any) -> str:
    """Scope of a stored record (``scope``; ``unit_code`` in the table's own naming)."""
    return str(getattr(rec, "scope", None) or getattr(rec, "unit_code", "") or "")


def _rec_unit(rec: Any) -> str:
    """Unit of measure of a stored record (``unit``; ``unit_of_measure`` in the table)."""
    return str(getattr(rec, "unit", None) or getattr(rec, "unit_of_measure", "") or "")


def store_observation(rec: ObservationRecord, indicator: str = "", scope: str = "") -> Observation:
    """A stored record as an :class:`Observation`, with the kind the store recorded.

    A record stored before the store recorded kinds (NULL) is ``unrecorded``
    (:func:`~metrocircle.indicators.authority.stored_kind`).
    """
    prov = {"store_id": str(rec.id)}
    for k in PROVENANCE_COLUMNS:
        v = getattr(rec, k)
        if v:
            prov[k] = str(v)
    prov["source_kind"] = stored_kind(rec.source_kind)
    at = getattr(rec, "submitted_at", None)
    if at is not None:
        prov["submitted_at"] = at.isoformat() if hasattr(at, "isoformat") else str(at)
    return Observation(
        value=float(rec.value),
        period=int(rec.period),
        source=str(rec.source),
        submitted_by=str(getattr(rec, "submitted_by", "") or ""),
        kind=ObservationKind.OBSERVATION,
        provenance=prov,
        scope=rec_scope(rec) or scope,
        unit=_rec_unit(rec),
        indicator=str(getattr(rec, "indicator", "") or indicator),
    )


def store_series(store: Any, indicator: str, scope: str) -> list[Observation]:
    return [
        store_observation(rec, indicator, scope)
        for rec in store.observations(indicator=indicator, scope=scope)
    ]


def store_observations(store: Any) -> list[Observation]:
    """Every observation the store holds that the evaluation uses (the accepted ones), as :class:`Observation`."""
    return [store_observation(rec) for rec in store.observations()]
