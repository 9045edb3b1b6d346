"""Routes of observations: read (public: accepted only), submit (officers), review (reviewers)."""

from __future__ import annotations

import hashlib
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request, Response

from metrocircle import submissions as workflow
from metrocircle._errors import PermissionDeniedError
from metrocircle.api.deps import (
    PrincipalDep,
    RegionDep,
    SettingsDep,
    StoreDep,
    UserDep,
    WriterDep,
    origin_of,
)
from metrocircle.api.routes.core import invalid, valid_scopes
from metrocircle.api.schemas import ObservationOut, ObservationPageOut
from metrocircle.api.schemas_users import (
    ReviewIn,
    ReviewResultOut,
    SubmissionIn,
    SubmissionListOut,
    SubmissionOut,
    SubmissionResultOut,
)
from metrocircle.security import Role
from metrocircle.store.observations_file import known_indicators, parse_observation_rows
from metrocircle.store.tables import PROVENANCE_FIELDS

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["observations"])

_401: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in, or a bad, expired or forged token"}
}
_403: dict[int | str, dict[str, Any]] = {
    403: {"description": "Logged in, but not allowed (the body names the refused field)"}
}
_409: dict[int | str, dict[str, Any]] = {
    409: {"description": "Clashes with what is stored (duplicate, or already decided)"}
}
_503: dict[int | str, dict[str, Any]] = {503: {"description": "The store cannot be reached"}}
Status = Literal["submitted", "accepted", "rejected"]
BatchId = Annotated[str, Path(min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$")]


@router.get(
    "/observations",
    operation_id="list_observations",
    response_model=ObservationPageOut,
    responses=_401 | _503,
)
def list_observations(
    *,
    region: RegionDep,
    store: StoreDep,
    settings: SettingsDep,
    principal: PrincipalDep,
    indicator: Annotated[
        str | None,
        Query(max_length=100, pattern=r"^[a-z0-9_.]+$", description="indicator id"),
    ] = None,
    scope: Annotated[
        str | None,
        Query(max_length=64, description="region, a unit code, group:<role> or an extra scope"),
    ] = None,
    status: Annotated[
        Status | None,
        Query(description="only this review status; the public sees accepted values only"),
    ] = None,
    batch_id: Annotated[
        str | None, Query(min_length=36, max_length=36, pattern=r"^[0-9a-f-]{36}$")
    ] = None,
    order: Annotated[
        Literal["indicator", "newest"],
        Query(description="by indicator, scope and year (default), or newest submission first"),
    ] = "indicator",
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1_000,
    offset: Annotated[
        int, Query(ge=0, le=10_000_000, description="at most the server's max_offset")
    ] = 0,
    after_id: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**31 - 1,
            description="keyset paging: rows after this id, in id order (use next_after_id)",
        ),
    ] = None,
) -> ObservationPageOut:
    """Stored observations, optionally of one indicator, scope, status or batch.

    The public sees accepted (published) values; an officer also sees everything of their
    own units; reviewers, viewers and administrators see every status.
    """
    if scope is not None and scope not in valid_scopes(region):
        msg = f"unknown scope {scope!r}; use region, a unit code or group:<role>"
        raise invalid(("query", "scope"), msg)
    max_offset = settings.max_offset
    if offset > max_offset:
        msg = f"offset is at most {max_offset}; page deeper with after_id (next_after_id)"
        raise invalid(("query", "offset"), msg)
    if after_id is not None and (offset or order == "newest"):
        msg = "after_id pages in id order: give neither offset nor order=newest with it"
        raise invalid(("query", "after_id"), msg)
    if indicator is not None and indicator not in known_indicators(region):
        raise invalid(("query", "indicator"), f"unknown indicator {indicator!r}")
    if principal is None:
        if status not in (None, "accepted"):
            raise HTTPException(
                status_code=401,
                detail="log in to see observations that are not published",
                headers={"WWW-Authenticate": "Bearer"},
            )
        unpublished: list[str] | None = []
    elif principal.role is Role.OFFICER:
        unpublished = sorted(principal.units)
    else:
        unpublished = None
    total = store.count_observations(
        indicator, scope, status=status, batch_id=batch_id, unpublished_scopes=unpublished
    )
    items = store.observations(
        indicator,
        scope,
        status=status,
        batch_id=batch_id,
        unpublished_scopes=unpublished,
        newest_first=order == "newest",
        limit=limit,
        offset=offset,
        after_id=after_id,
    )
    return ObservationPageOut(
        total=total,
        items=[ObservationOut.build(r) for r in items],
        next_after_id=items[-1].id if after_id is not None and len(items) == limit else None,
    )


def _digest(body: SubmissionIn) -> str:
    return hashlib.sha256(body.model_dump_json().encode("utf-8")).hexdigest()


@router.post(
    "/observations",
    operation_id="submit_observations",
    response_model=SubmissionResultOut,
    status_code=201,
    responses=_401 | _403 | _409 | _503 | {429: {"description": "Too many write requests"}},
)
def submit_observations(
    *,
    request: Request,
    response: Response,
    region: RegionDep,
    store: StoreDep,
    principal: WriterDep,
    body: SubmissionIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            min_length=8,
            max_length=120,
            pattern=r"^[A-Za-z0-9_.:-]+$",
            description="a retried request with the same key returns the first answer",
        ),
    ] = None,
) -> SubmissionResultOut:
    """Submit observations for review: all rows are stored (as ``submitted``) or none.

    Officers submit for their own unit (and its child units) only; a row outside them is
    refused with 403 naming the row. Only accepted values enter the evaluation, and by
    default only those of an official ``source_kind``; a row naming no kind is stored as
    ``secondary``.
    """
    header = [
        "indicator",
        "scope",
        "period",
        "value",
        "unit",
        "source",
        "source_url",
        *PROVENANCE_FIELDS,
    ]
    rows = [
        {k: ("" if v is None else str(v)) for k, v in o.model_dump(include=set(header)).items()}
        for o in body.observations
    ]
    good, problems = parse_observation_rows(
        header,
        rows,
        file="body",
        scopes=valid_scopes(region),
        indicators=known_indicators(region),
    )
    if problems:
        # parse_observation_rows numbers rows like file lines (the first data row is 2).
        raise HTTPException(
            status_code=422,
            detail=[
                {
                    "loc": ["body", "observations", p.row - 2, p.field],
                    "msg": p.message,
                    "type": "value_error",
                }
                for p in problems
            ],
        )
    try:
        res = workflow.submit_observations(
            store,
            principal,
            good,
            origin=origin_of(request),
            note=body.note,
            idempotency_key=idempotency_key,
            request_digest=_digest(body),
        )
    except PermissionDeniedError as exc:
        log.warning("refused submission by %r: %s", principal.name, exc)
        if not exc.problems:
            raise HTTPException(status_code=403, detail=str(exc)) from None
        raise HTTPException(
            status_code=403,
            detail=[
                {
                    "loc": ["body", "observations", p.row, p.field],
                    "msg": p.message,
                    "type": "forbidden",
                }
                for p in exc.problems
            ],
        ) from None
    if res.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return SubmissionResultOut(**res.to_json())


@router.post(
    "/observations/{obs_id}/review",
    operation_id="review_observation",
    response_model=ObservationOut,
    responses=_401 | _403 | _409 | {404: {"description": "No observation has this id"}},
)
def review_observation(
    *,
    request: Request,
    store: StoreDep,
    principal: WriterDep,
    obs_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: ReviewIn,
) -> ObservationOut:
    """Accept or reject one submitted observation (never one's own: four-eyes rule)."""
    record = workflow.review_observation(
        store,
        principal,
        obs_id,
        decision=body.decision,
        reason=body.reason,
        origin=origin_of(request),
    )
    return ObservationOut.build(record)


@router.post(
    "/submissions/{batch_id}/review",
    operation_id="review_submission",
    response_model=ReviewResultOut,
    responses=_401 | _403 | _409 | {404: {"description": "No submission has this batch id"}},
)
def review_submission(
    *, request: Request, store: StoreDep, principal: WriterDep, batch_id: BatchId, body: ReviewIn
) -> ReviewResultOut:
    """Accept or reject every pending observation of one submission."""
    res = workflow.review_submission(
        store,
        principal,
        batch_id,
        decision=body.decision,
        reason=body.reason,
        origin=origin_of(request),
    )
    return ReviewResultOut(**res.to_json())


@router.get(
    "/submissions",
    operation_id="list_submissions",
    response_model=SubmissionListOut,
    responses=_401,
)
def list_submissions(
    store: StoreDep,
    principal: UserDep,
    status: Annotated[Literal["pending", "all"], Query()] = "pending",
) -> SubmissionListOut:
    """Submissions, newest first: an officer's own units, or all for the other roles."""
    scopes = sorted(principal.units) if principal.role is Role.OFFICER else None
    items = store.submissions(pending_only=status == "pending", scopes=scopes)
    return SubmissionListOut(items=[SubmissionOut.build(s) for s in items])
