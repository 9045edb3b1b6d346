"""Stored observations: reading them (filters, keyset paging), their batches, and review.

A submitted observation waits for a reviewer, who is never its submitter (four-eyes rule);
accepting or rejecting it is one transaction with its audit entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrocircle._errors import (
    ConflictError,
    DataValidationError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
)
from metrocircle.store import audit
from metrocircle.store.connection import utc, write
from metrocircle.store.tables import observations, submissions

__all__ = ["ObservationRecord", "SubmissionRecord", "batches", "count", "one", "query", "review"]


@dataclass(frozen=True)
class ObservationRecord:
    """An observation as stored, with who submitted it, when, and its review."""

    id: int
    indicator: str
    scope: str
    period: int
    value: float
    unit: str
    source: str
    source_url: str | None
    submitted_by: str
    submitted_at: datetime
    status: str = "accepted"
    batch_id: str = ""
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    review_reason: str | None = None
    source_kind: str | None = None
    """The kind of source (``indicators/data/authority.toml``); ``None``: stored before the
    store recorded kinds (revision 0007), shown as "unrecorded"."""
    publisher: str | None = None
    publication: str | None = None
    statement_zh: str | None = None
    published_date: str | None = None


@dataclass(frozen=True)
class SubmissionRecord:
    """One batch of observations: an import or a submission, and how far its review got."""

    batch_id: str
    submitted_by: str
    submitted_at: datetime
    origin: str | None
    note: str | None
    rows: int
    pending: int
    accepted: int
    rejected: int
    scopes: tuple[str, ...]


def record(r: Any) -> ObservationRecord:
    return ObservationRecord(
        r.id,
        r.indicator,
        r.unit_code,
        r.period,
        r.value,
        r.unit_of_measure,
        r.source,
        r.source_url,
        r.submitted_by,
        utc(r.submitted_at) or r.submitted_at,
        r.status,
        r.batch_id,
        r.reviewed_by,
        utc(r.reviewed_at),
        r.review_reason,
        r.source_kind,
        r.publisher,
        r.publication,
        r.statement_zh,
        r.published_date,
    )


def _id_span(ids: list[int]) -> str:
    """A short label of reviewed ids for the audit entry (the full list is in before/after).

    >>> _id_span([7]), _id_span([3, 4, 9])
    ('7', '3..9 (3 ids)')
    """
    return str(ids[0]) if len(ids) == 1 else f"{ids[0]}..{ids[-1]} ({len(ids)} ids)"


def query(
    engine: Engine,
    indicator: str | None = None,
    scope: str | None = None,
    *,
    status: str | Sequence[str] | None = "accepted",
    batch_id: str | None = None,
    scopes: Sequence[str] | None = None,
    unpublished_scopes: Sequence[str] | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    offset: int = 0,
    after_id: int | None = None,
) -> list[ObservationRecord]:
    """Stored observations, accepted ones by default, ordered by indicator, scope, period.

    Parameters
    ----------
    status
        One status, several, or ``None`` for all.
    scopes
        Only these scopes (with ``scope``: both must hold).
    unpublished_scopes
        When given, rows not yet accepted (or rejected) are returned only for these
        scopes: what a user may see of unpublished data. ``None``: no such restriction.
    newest_first
        Order by submission, newest first (a submitter's recent values) instead.
    after_id
        Keyset paging: rows with a larger id, in id order (as fast at any depth, unlike
        ``offset``, which reads and drops every row before the page).
    """
    order = (
        (observations.c.id.desc(),)
        if newest_first
        else (observations.c.id,)
        if after_id is not None
        else (
            observations.c.indicator,
            observations.c.unit_code,
            observations.c.period,
            observations.c.id,
        )
    )
    q = _filtered(
        sa.select(observations),
        indicator=indicator,
        scope=scope,
        status=status,
        batch_id=batch_id,
        scopes=scopes,
        unpublished_scopes=unpublished_scopes,
    ).order_by(*order)
    if after_id is not None:
        q = q.where(observations.c.id > after_id)
    if limit is not None:
        q = q.limit(limit)
    if offset:
        q = q.offset(offset)
    with engine.connect() as conn:
        return [record(r) for r in conn.execute(q)]


def count(
    engine: Engine,
    indicator: str | None = None,
    scope: str | None = None,
    *,
    status: str | Sequence[str] | None = "accepted",
    batch_id: str | None = None,
    scopes: Sequence[str] | None = None,
    unpublished_scopes: Sequence[str] | None = None,
) -> int:
    """How many observations :meth:`observations` would return without a limit."""
    q = _filtered(
        sa.select(sa.func.count()).select_from(observations),
        indicator=indicator,
        scope=scope,
        status=status,
        batch_id=batch_id,
        scopes=scopes,
        unpublished_scopes=unpublished_scopes,
    )
    with engine.connect() as conn:
        return int(conn.execute(q).scalar_one())


def _filtered(
    q: Any,
    *,
    indicator: str | None,
    scope: str | None,
    status: str | Sequence[str] | None,
    batch_id: str | None,
    scopes: Sequence[str] | None,
    unpublished_scopes: Sequence[str] | None = None,
) -> Any:
    if indicator is not None:
        q = q.where(observations.c.indicator == indicator)
    if scope is not None:
        q = q.where(observations.c.unit_code == scope)
    if isinstance(status, str):
        q = q.where(observations.c.status == status)
    elif status is not None:
        q = q.where(observations.c.status.in_(list(status)))
    if batch_id is not None:
        q = q.where(observations.c.batch_id == batch_id)
    if scopes is not None:
        q = q.where(observations.c.unit_code.in_(list(scopes)))
    if unpublished_scopes is not None:
        q = q.where(
            sa.or_(
                observations.c.status == "accepted",
                observations.c.unit_code.in_(list(unpublished_scopes)),
            )
        )
    return q


def one(engine: Engine, obs_id: int) -> ObservationRecord:
    """One observation by id (any status)."""
    with engine.connect() as conn:
        r = conn.execute(sa.select(observations).where(observations.c.id == obs_id)).one_or_none()
    if r is None:
        msg = f"no observation has id {obs_id}"
        raise NotFoundError(msg)
    return record(r)


def batches(
    engine: Engine, *, pending_only: bool = False, scopes: Sequence[str] | None = None
) -> list[SubmissionRecord]:
    """Batches with their review counts, newest first."""
    o = observations
    counts = (
        sa.select(
            o.c.batch_id,
            sa.func.sum(sa.case((o.c.status == "submitted", 1), else_=0)).label("pending"),
            sa.func.sum(sa.case((o.c.status == "accepted", 1), else_=0)).label("accepted"),
            sa.func.sum(sa.case((o.c.status == "rejected", 1), else_=0)).label("rejected"),
        )
        .group_by(o.c.batch_id)
        .subquery()
    )
    q = (
        sa.select(submissions, counts.c.pending, counts.c.accepted, counts.c.rejected)
        .join(counts, counts.c.batch_id == submissions.c.batch_id)
        .order_by(submissions.c.submitted_at.desc(), submissions.c.batch_id)
    )
    if pending_only:
        q = q.where(counts.c.pending > 0)
    with engine.connect() as conn:
        rows = conn.execute(q).all()
        scope_rows = conn.execute(sa.select(o.c.batch_id, o.c.unit_code).distinct()).all()
    by_batch: dict[str, set[str]] = {}
    for b, s in scope_rows:
        by_batch.setdefault(b, set()).add(s)
    out = []
    for r in rows:
        sc = tuple(sorted(by_batch.get(r.batch_id, ())))
        if scopes is not None and not set(sc) & set(scopes):
            continue
        out.append(
            SubmissionRecord(
                r.batch_id,
                r.submitted_by,
                utc(r.submitted_at) or r.submitted_at,
                r.origin,
                r.note,
                r.rows,
                int(r.pending or 0),
                int(r.accepted or 0),
                int(r.rejected or 0),
                sc,
            )
        )
    return out


def review(
    engine: Engine,
    *,
    reviewer: str,
    decision: str,
    reason: str | None = None,
    ids: Sequence[int] | None = None,
    batch_id: str | None = None,
    origin: str | None = None,
) -> list[ObservationRecord]:
    """Accept or reject submitted observations (by ids, or every pending one of a batch).

    Raises
    ------
    NotFoundError
        An id or batch does not exist.
    PermissionDeniedError
        The reviewer submitted one of the observations (four-eyes rule).
    ConflictError
        An observation is no longer waiting for review (decided already, perhaps by
        a concurrent reviewer). Nothing is changed.
    """
    if decision not in ("accept", "reject"):
        msg = f"decision must be 'accept' or 'reject', not {decision!r}"
        raise DataValidationError([Problem("body", 0, "decision", msg)])
    if decision == "reject" and not (reason or "").strip():
        raise DataValidationError(
            [Problem("body", 0, "reason", "a rejection must give its reason")]
        )
    if (ids is None) == (batch_id is None):
        msg = "give either ids or batch_id"
        raise ValueError(msg)
    new_status = "accepted" if decision == "accept" else "rejected"
    now = datetime.now(UTC)
    with write(engine) as conn:
        q = sa.select(observations)
        if ids is not None:
            wanted = sorted(set(ids))
            q = q.where(observations.c.id.in_(wanted))
        else:
            if (
                conn.execute(
                    sa.select(submissions.c.batch_id).where(submissions.c.batch_id == batch_id)
                ).one_or_none()
                is None
            ):
                msg = f"no submission has batch id {batch_id!r}"
                raise NotFoundError(msg)
            q = q.where(observations.c.batch_id == batch_id, observations.c.status == "submitted")
        found = conn.execute(q.order_by(observations.c.id)).all()
        if ids is not None:
            missing = sorted(set(wanted) - {r.id for r in found})
            if missing:
                msg = f"no observation has id {missing[0]}"
                raise NotFoundError(msg)
        if not found:
            raise ConflictError(
                [Problem("batch", 0, "batch_id", f"batch {batch_id} has nothing pending")],
                summary=f"batch {batch_id} has no observation waiting for review",
            )
        own = [r.id for r in found if r.submitted_by == reviewer]
        if own:
            msg = f"{reviewer!r} submitted observation {own[0]} and may not review it (four-eyes rule)"
            raise PermissionDeniedError(msg)
        decided = [r for r in found if r.status != "submitted"]
        if decided:
            r = decided[0]
            raise ConflictError(
                [Problem("observation", r.id, "status", f"already {r.status}")],
                summary=f"observation {r.id} is already {r.status}",
            )
        found_ids = [r.id for r in found]
        res = conn.execute(
            observations.update()
            .where(observations.c.id.in_(found_ids), observations.c.status == "submitted")
            .values(
                status=new_status,
                reviewed_by=reviewer,
                reviewed_at=now,
                review_reason=(reason or "").strip() or None,
            )
        )
        if res.rowcount != len(found_ids):
            # A concurrent reviewer decided some of them between our read and write.
            raise ConflictError(
                [Problem("observation", 0, "status", "decided by someone else meanwhile")],
                summary="some observations were reviewed concurrently; nothing was changed",
            )
        audit.append(
            conn,
            actor=reviewer,
            action="review_observations",
            entity="batch" if batch_id is not None else "observations",
            entity_id=batch_id if batch_id is not None else _id_span(found_ids),
            detail={"decision": decision},
            before={"status": "submitted", "ids": found_ids},
            after={
                "status": new_status,
                "ids": found_ids,
                "reason": (reason or "").strip() or None,
            },
            origin=origin,
            at=now,
        )
        out = conn.execute(
            sa.select(observations)
            .where(observations.c.id.in_(found_ids))
            .order_by(observations.c.id)
        ).all()
    return [record(r) for r in out]
