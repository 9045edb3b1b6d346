"""Routes of the audit trail (administrators only): read, export, verify the hash chain."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from metrocircle.api.deps import AdminDep, StoreDep
from metrocircle.api.schemas_users import AuditEntryOut, AuditPageOut, AuditVerifyOut

__all__ = ["router"]

router = APIRouter(prefix="/api/audit", tags=["audit"])

_AUTH: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in, or a bad, expired or forged token"},
    403: {"description": "Not an administrator"},
}


@router.get("", operation_id="list_audit", response_model=AuditPageOut, responses=_AUTH)
def list_audit(
    *,
    _admin: AdminDep,
    store: StoreDep,
    after_id: Annotated[int, Query(ge=0, le=2**31 - 1, description="entries after this id")] = 0,
    before_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="entries before this id")
    ] = None,
    order: Annotated[
        Literal["oldest", "newest"], Query(description="oldest first (default) or newest first")
    ] = "oldest",
    limit: Annotated[int, Query(ge=1, le=5_000)] = 500,
    actor: Annotated[str | None, Query(max_length=120)] = None,
    action: Annotated[str | None, Query(max_length=40, pattern=r"^[a-z_]+$")] = None,
) -> AuditPageOut:
    """Who changed what, when, from where, with before and after.

    Page forward with ``after_id`` (oldest first), or back from the newest with
    ``order=newest`` and ``before_id`` set to the smallest id already shown.
    """
    items = store.audit_entries(
        after_id=after_id,
        before_id=before_id,
        newest_first=order == "newest",
        limit=limit,
        actor=actor,
        action=action,
    )
    _, head = store.audit_head()
    return AuditPageOut(items=[AuditEntryOut.build(e) for e in items], head_hash=head)


@router.get(
    "/export",
    operation_id="export_audit",
    responses=_AUTH
    | {200: {"content": {"application/x-ndjson": {}, "text/csv": {}}, "description": "The log"}},
)
def export_audit(
    _admin: AdminDep,
    store: StoreDep,
    format: Annotated[Literal["jsonl", "csv"], Query()] = "jsonl",
) -> StreamingResponse:
    """The whole audit log as JSON lines or CSV, with the hash columns to verify it elsewhere."""
    media = "application/x-ndjson" if format == "jsonl" else "text/csv; charset=utf-8"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return StreamingResponse(
        store.export_audit(format),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="audit-{stamp}.{format}"'},
    )


@router.get("/verify", operation_id="verify_audit", response_model=AuditVerifyOut, responses=_AUTH)
def verify_audit(_admin: AdminDep, store: StoreDep) -> AuditVerifyOut:
    """Check the hash chain and that stored observations match what the log recorded."""
    rep = store.verify_audit()
    return AuditVerifyOut(
        ok=rep.ok,
        entries=rep.entries,
        head_hash=rep.head_hash,
        first_bad_id=rep.first_bad_id,
        problem=rep.problem,
        problems=list(rep.problems[:100]),
    )
