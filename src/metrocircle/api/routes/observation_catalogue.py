"""Route of the observation catalogue: every observation the evaluation uses, with its provenance.

``GET /api/observation-catalogue`` returns the document of ``metrocircle observations --json``
(:func:`metrocircle.indicators.catalogue.observation_catalogue`).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from metrocircle.api.deps import RegionDep, StoreDep
from metrocircle.api.routes.core import cached

__all__ = ["CatalogueOut", "router"]

router = APIRouter(prefix="/api", tags=["observations"])


class CatalogueEntryOut(BaseModel):
    """One observation with its provenance and whether the evaluation counts it."""

    model_config = ConfigDict(extra="forbid")

    indicator: str
    indicator_name_zh: str
    indicator_name_en: str
    scope: str
    scope_name_zh: str
    scope_name_en: str
    period: int
    value: float
    unit: str
    source_kind: str = Field(
        description="official_statistics, government_document, official_media, secondary, or "
        "unrecorded (a value stored before the store recorded kinds)"
    )
    authority: str = Field(description="official or secondary")
    publisher: str
    publication: str
    source: str
    source_url: str
    statement_zh: str
    published_date: str
    submitted_by: str
    origin: str = Field(description="dataset, store or derived")
    counted: bool = Field(description="whether the evaluation counts it (with the given switch)")
    superseded: bool = Field(description="a secondary value of a year that has an official one")
    ref: str = Field(description="file:line of a shipped value, store:<id> of a stored one")


class CatalogueOut(BaseModel):
    """Every observation the evaluation uses, with counts by authority and source kind."""

    model_config = ConfigDict(extra="forbid")

    dataset: str
    data_version: str
    include_secondary: bool
    filters: dict[str, str | None]
    count: int
    official_count: int
    official_share: float | None
    by_source_kind: dict[str, int]
    official_kinds: list[str]
    fields: list[str]
    observations: list[CatalogueEntryOut]


_ID = r"^[A-Za-z0-9_.:-]{1,100}$"


@router.get(
    "/observation-catalogue",
    operation_id="get_observation_catalogue",
    response_model=CatalogueOut,
    responses={503: {"description": "The store is unavailable"}},
)
def get_observation_catalogue(
    request: Request,
    *,
    region: RegionDep,
    store: StoreDep,
    indicator: Annotated[str | None, Query(pattern=_ID, description="only this indicator")] = None,
    scope: Annotated[
        str | None, Query(pattern=_ID, description="only this scope ('region', a code, group:<id>)")
    ] = None,
    include_secondary: Annotated[
        bool, Query(description="count secondary sources where a year has no official value")
    ] = False,
) -> Any:
    """Shipped, accepted stored and derived observations with source kind, publisher, publication and page."""
    from metrocircle.indicators.catalogue import observation_catalogue

    key = (
        "observation-catalogue",
        region.data_version,
        indicator,
        scope,
        include_secondary,
        *store.audit_head(),
    )
    return cached(
        request,
        key,
        lambda: observation_catalogue(
            region,
            store=store,
            indicator=indicator,
            scope=scope,
            include_secondary=include_secondary,
        ),
    )
