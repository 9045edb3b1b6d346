"""Routes of target evaluation: every target's status as of a year, or one target's."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request

from metrocircle.api.deps import RegionDep, StoreDep
from metrocircle.api.heavy import heavy_cached, settings_of
from metrocircle.api.schemas import EvaluationBoardOut, EvaluationOut

if TYPE_CHECKING:
    from metrocircle.region import Region
    from metrocircle.store import Store

__all__ = ["router"]

router = APIRouter(prefix="/api", tags=["evaluation"])

_BOARDS_MAX = 32
"""Evaluation boards kept (least recently used dropped first)."""

AsOf = Annotated[
    int | None,
    Query(ge=1949, le=2100, description="evaluate as of this calendar year (default: this year)"),
]


def _store_stamp(store: Store) -> tuple[int, str | None]:
    """The audit log's head: every change to the store (an import, a review) moves it."""
    return store.audit_head()


IncludeSecondary = Annotated[
    bool,
    Query(
        description="count secondary sources where a year has no official value (default: official only)"
    ),
]


def _board(
    region: Region, store: Store, as_of: int, include_secondary: bool = False
) -> EvaluationBoardOut:
    try:
        from metrocircle.indicators.service import evaluate_region
    except ModuleNotFoundError as exc:  # the evaluation service is an optional module
        if exc.name and exc.name.startswith("metrocircle.indicators"):
            raise HTTPException(
                status_code=503, detail="the evaluation service is not available"
            ) from None
        raise
    evaluations = evaluate_region(
        region, store=store, as_of=as_of, include_secondary=include_secondary
    )
    out = [EvaluationOut.build(ev, region.target(ev.id)) for ev in evaluations]
    counts = Counter(e.status for e in out)
    return EvaluationBoardOut(
        data_version=region.data_version, as_of=as_of, counts=dict(counts), evaluations=out
    )


def _cached_board(
    request: Request,
    region: Region,
    store: Store,
    as_of: int | None,
    include_secondary: bool = False,
) -> EvaluationBoardOut:
    # The service's default year is this year: resolve it here so the cache key is explicit.
    # Any year and either source rule make ~300 boards of seconds each per store state: a
    # miss is computed in the heavy pool under the caller's per-client limit, in a cache of
    # its own (it cannot push other routes' entries out).
    year = as_of if as_of is not None else date.today().year
    key = (region.data_version, year, include_secondary, *_store_stamp(store))
    board: EvaluationBoardOut = heavy_cached(
        request,
        "evaluation",
        _BOARDS_MAX,
        key,
        lambda: _board(region, store, year, include_secondary),
        per_client=settings_of(request).public_reads_per_client,
        what=f"evaluation (as_of={year}, include_secondary={str(include_secondary).lower()})",
    )
    return board


@router.get(
    "/evaluation",
    operation_id="list_evaluations",
    response_model=EvaluationBoardOut,
    responses={503: {"description": "The store or the evaluation service is unavailable"}},
)
def list_evaluations(
    request: Request,
    region: RegionDep,
    store: StoreDep,
    as_of: AsOf = None,
    include_secondary: IncludeSecondary = False,
) -> EvaluationBoardOut:
    """Every target's status, progress, projection and warnings (cached per data and store state)."""
    return _cached_board(request, region, store, as_of, include_secondary)


@router.get(
    "/evaluation/{target_id}",
    operation_id="get_evaluation",
    response_model=EvaluationOut,
    responses={
        404: {"description": "No target has this id"},
        503: {"description": "The store or the evaluation service is unavailable"},
    },
)
def get_evaluation(
    request: Request,
    *,
    region: RegionDep,
    store: StoreDep,
    target_id: Annotated[
        str, Path(max_length=100, description="target id, e.g. urbanisation_rate_2025")
    ],
    as_of: AsOf = None,
    include_secondary: IncludeSecondary = False,
) -> EvaluationOut:
    """One target's evaluation (404 naming the id when unknown)."""
    if target_id not in {t.id for t in region.targets}:
        raise HTTPException(status_code=404, detail=f"unknown target id {target_id!r}")
    board = _cached_board(request, region, store, as_of, include_secondary)
    for ev in board.evaluations:
        if ev.id == target_id:
            return ev
    raise HTTPException(status_code=404, detail=f"target {target_id!r} was not evaluated")
