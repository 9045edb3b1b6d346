"""Visitor counts of scenic areas: written with their audit entry, read back as the latest per area."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metrocircle.store import audit
from metrocircle.store.tables import visitor_counts

__all__ = ["VisitorCountIn", "VisitorCountRecord", "add_counts", "latest_counts"]


@dataclass(frozen=True)
class VisitorCountIn:
    """One count as reported: the local time as given and the instant it stands for."""

    scenic_id: str
    time: str
    observed_at: datetime
    in_park: int | None
    cumulative_today: int | None


@dataclass(frozen=True)
class VisitorCountRecord:
    """A stored count, with who reported it and when."""

    id: int
    scenic_id: str
    time: str
    observed_at: datetime
    in_park: int | None
    cumulative_today: int | None
    reported_by: str
    reported_at: datetime


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def counts_digest(rows: Sequence[VisitorCountIn]) -> str:
    """SHA-256 of a batch of counts (order-independent), recorded in the audit entry."""
    lines = sorted(
        json.dumps(
            [r.scenic_id, r.time, audit.at_text(r.observed_at), r.in_park, r.cumulative_today],
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for r in rows
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def add_counts(
    conn: Connection, rows: Sequence[VisitorCountIn], *, actor: str, origin: str | None
) -> str:
    """Insert ``rows`` and their audit entry in the caller's transaction; return the batch id."""
    batch = str(uuid.uuid4())
    now = datetime.now(UTC)
    conn.execute(
        visitor_counts.insert(),
        [
            {
                "scenic_id": r.scenic_id,
                "time_text": r.time,
                "observed_at": r.observed_at,
                "in_park": r.in_park,
                "cumulative_today": r.cumulative_today,
                "reported_by": actor,
                "reported_at": now,
                "batch_id": batch,
            }
            for r in rows
        ],
    )
    audit.append(
        conn,
        actor=actor,
        action="report_visitor_counts",
        entity="visitor_counts",
        entity_id=batch,
        after={
            "batch_id": batch,
            "rows": len(rows),
            "scenic_ids": sorted({r.scenic_id for r in rows}),
            "digest": counts_digest(rows),
        },
        origin=origin,
        at=now,
    )
    return batch


def latest_counts(conn: Connection) -> list[VisitorCountRecord]:
    """The latest count of each scenic area (by the instant observed; the newest row on a tie)."""
    v = visitor_counts
    newest = (
        sa.select(v.c.scenic_id, sa.func.max(v.c.observed_at).label("at"))
        .group_by(v.c.scenic_id)
        .subquery()
    )
    q = (
        sa.select(v)
        .join(newest, sa.and_(newest.c.scenic_id == v.c.scenic_id, newest.c.at == v.c.observed_at))
        .order_by(v.c.scenic_id, v.c.id)
    )
    out: dict[str, VisitorCountRecord] = {}
    for r in conn.execute(q):
        out[r.scenic_id] = VisitorCountRecord(
            r.id,
            r.scenic_id,
            r.time_text,
            _utc(r.observed_at),
            r.in_park,
            r.cumulative_today,
            r.reported_by,
            _utc(r.reported_at),
        )
    return list(out.values())
