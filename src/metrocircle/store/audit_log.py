"""Reading the audit log, exporting it, and verifying it against what the store holds.

:func:`verify` walks the hash chain (:mod:`metrocircle.store.audit`) and then checks that
every stored observation, review, water level and account is what the log recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrocircle import exports
from metrocircle.store import audit
from metrocircle.store.accounts import account_problems
from metrocircle.store.connection import utc
from metrocircle.store.levels import verify_levels
from metrocircle.store.tables import audit_log, observations

__all__ = ["AuditEntry", "AuditReport", "entries", "export", "head", "verify"]


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the append-only, hash-chained audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]
    entity: str | None = None
    entity_id: str | None = None
    before: Any = None
    after: Any = None
    origin: str | None = None
    prev_hash: str | None = None
    hash: str | None = None


@dataclass(frozen=True)
class AuditReport:
    """What :meth:`Store.verify_audit` found."""

    ok: bool
    entries: int
    head_hash: str | None
    first_bad_id: int | None = None
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def problem(self) -> str | None:
        """The first problem, if any."""
        return self.problems[0] if self.problems else None


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def entries(
    engine: Engine,
    *,
    after_id: int = 0,
    before_id: int | None = None,
    newest_first: bool = False,
    limit: int | None = None,
    actor: str | None = None,
    action: str | None = None,
) -> list[AuditEntry]:
    """The audit log between ids (exclusive), oldest first or newest first, filtered."""
    q = sa.select(audit_log).where(audit_log.c.id > after_id)
    if before_id is not None:
        q = q.where(audit_log.c.id < before_id)
    q = q.order_by(audit_log.c.id.desc() if newest_first else audit_log.c.id)
    if actor is not None:
        q = q.where(audit_log.c.actor == actor)
    if action is not None:
        q = q.where(audit_log.c.action == action)
    if limit is not None:
        q = q.limit(limit)
    with engine.connect() as conn:
        return [
            AuditEntry(
                r.id,
                utc(r.at) or r.at,
                r.actor,
                r.action,
                json.loads(r.detail),
                r.entity,
                r.entity_id,
                loads(r.before),
                loads(r.after),
                r.origin,
                r.prev_hash,
                r.hash,
            )
            for r in conn.execute(q)
        ]


def head(engine: Engine) -> tuple[int, str | None]:
    """(id, hash) of the newest audit entry: changes whenever anything in the store does."""
    with engine.connect() as conn:
        r = conn.execute(
            sa.select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
        ).one_or_none()
    return (0, None) if r is None else (int(r.id), r.hash)


def verify(engine: Engine) -> AuditReport:
    """Check the hash chain, and that stored observations match what the log recorded.

    Finds: a changed, removed or inserted audit entry; an observation whose value was
    edited, added or removed behind the log (batch digests); a status changed without
    a review entry; water levels edited, added or removed behind the log; a user's role,
    unit, disabled flag or password hash, or an API token, that differs from what the log
    recorded (:mod:`metrocircle.store.accounts`).
    """
    # Streams: the log and the observations are read in keyset chunks of
    # audit.VERIFY_CHUNK rows, carrying the running hash; what is kept is one batch's
    # digest lines at a time, the batches' recorded digests and the reviewed ids.
    batches: dict[str, tuple[int, str, str | None, int]] = {}
    reviewed: dict[int, str] = {}
    with engine.connect() as conn:
        entries, head, brk = audit.verify_chain(audit.log_rows(conn))
        if brk is not None:
            return AuditReport(
                False,
                entries,
                head,
                brk.entry_id,
                (f"audit entry {brk.entry_id}: {brk.problem}",),
            )
        for r in audit.log_rows(
            conn,
            audit_log.c.action,
            audit_log.c.detail,
            audit_log.c.after,
            where=audit_log.c.action.in_(
                ("import_observations", "submit_observations", "review_observations")
            ),
        ):
            after = loads(r.after)
            if r.action == "review_observations":
                for i in after["ids"]:
                    reviewed[int(i)] = after["status"]
            elif after is not None:
                batches[after["batch_id"]] = (
                    r.id,
                    after["status"],
                    after["digest"],
                    int(after.get("digest_v", 1)),
                )
            else:  # an import logged before revision 0002: no digest was recorded
                legacy = json.loads(r.detail).get("batch_id")
                if legacy:
                    batches[legacy] = (r.id, "accepted", None, 1)
        problems: list[str] = list(account_problems(conn))
        status_problems: list[str] = []
        stored = conn.execute(
            sa.select(observations.c.batch_id)
            .group_by(observations.c.batch_id)
            .order_by(sa.func.min(observations.c.id))
        ).scalars()
        seen: set[str] = set()
        for b in list(stored):
            seen.add(b)
            known = batches.get(b)
            version = known[3] if known is not None else 1
            lines: list[str] = []
            n = 0
            for row in _batch_rows(conn, b):
                n += 1
                if known is None:
                    continue
                if known[2] is not None:
                    lines.append(audit.digest_line(row, version=version))
                want = reviewed.get(row["id"], known[1])
                if want != row["status"]:
                    status_problems.append(
                        f"observation {row['id']} (batch {b}) is {row['status']!r} "
                        f"but the audit log says {want!r}"
                    )
            if known is None:
                problems.append(f"batch {b}: {n} observation(s) with no audit entry")
            elif known[2] is not None and audit.digest_of_lines(lines) != known[2]:
                problems.append(
                    f"batch {b}: stored observations differ from what audit entry "
                    f"{known[0]} recorded"
                )
        for b, (entry_id, _s, digest, _v) in batches.items():
            if b not in seen and digest is not None:
                problems.append(f"batch {b} of audit entry {entry_id} has no stored observations")
    problems += status_problems
    with engine.connect() as conn:
        problems.extend(verify_levels(conn))
    return AuditReport(not problems, entries, head, None, tuple(problems))


def _batch_rows(conn: Connection, batch: str) -> Iterator[dict[str, Any]]:
    """One batch's observations in id order, in keyset chunks of ``audit.VERIFY_CHUNK``."""
    last = 0
    while True:
        rows = conn.execute(
            sa.select(observations)
            .where(observations.c.batch_id == batch, observations.c.id > last)
            .order_by(observations.c.id)
            .limit(audit.VERIFY_CHUNK)
        ).all()
        for r in rows:
            yield r._asdict()
        if len(rows) < audit.VERIFY_CHUNK:
            return
        last = rows[-1].id


def export(engine: Engine, fmt: str = "jsonl") -> Iterator[str]:
    """The whole audit log as JSON lines or CSV text, chunk by chunk.

    The CSV is for a reviewer's spreadsheet: it starts with a UTF-8 byte-order mark and
    its cells are neutralised against formula injection (:mod:`metrocircle.exports`);
    the JSON lines keep every value exactly as stored.
    """
    cols = [c.name for c in audit_log.columns if c.name != "at"]
    if fmt == "csv":
        yield from exports.csv_chunks(cols, [], excel=True)
    elif fmt != "jsonl":
        msg = f"unknown export format {fmt!r}; use jsonl or csv"
        raise ValueError(msg)
    after = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(*[audit_log.c[c] for c in cols])
                .where(audit_log.c.id > after)
                .order_by(audit_log.c.id)
                .limit(1000)
            ).all()
        if not rows:
            return
        after = rows[-1].id
        if fmt == "jsonl":
            yield "".join(json.dumps(dict(r._mapping), ensure_ascii=False) + "\n" for r in rows)
        else:
            yield exports.csv_text([list(r) for r in rows], excel=True)
