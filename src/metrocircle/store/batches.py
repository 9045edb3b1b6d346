"""Writing observations: a batch (an operator's import or a user's submission), all or none.

A batch is one transaction: its ``submissions`` row, its observations and its audit entry
(with the digest of the rows it wrote). A user's submission may carry an idempotency key:
the same request again answers with the first result and writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrocircle._errors import ConflictError, DataValidationError, Problem
from metrocircle.indicators.authority import AuthorityRules
from metrocircle.store import audit
from metrocircle.store.connection import write
from metrocircle.store.observations_file import ObservationIn
from metrocircle.store.tables import observations, submissions

__all__ = ["CHUNK_ROWS", "MAX_PROBLEMS", "ImportResult", "add_batch", "import_chunks"]

CHUNK_ROWS = 2_000
"""Rows per INSERT statement of a large import (all chunks in one transaction)."""
MAX_PROBLEMS = 1_000
"""Problems a streamed import keeps to report (it counts them all): enough to fix a file's
systematic mistakes from, while a file wrong on every one of millions of rows stays bounded."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ImportResult:
    """What an import or submission wrote (or, for a replayed request, had written)."""

    batch_id: str
    rows: int
    ids: tuple[int, ...] = ()
    replayed: bool = False
    status: str = "accepted"


def key_lock(actor: str, key: str) -> int:
    """A signed 64-bit advisory-lock key for one user's idempotency key.

    >>> key_lock("u1", "k") == key_lock("u1", "k") != key_lock("u2", "k")
    True
    """
    digest = hashlib.blake2b(f"{actor}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _key_hash(row: dict[str, Any]) -> str:
    """SHA-256 of a stored row's live key (indicator, scope, period, source), for an index."""
    key = json.dumps(
        [row["indicator"], row["unit_code"], row["period"], row["source"]], ensure_ascii=False
    )
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _unknown_kinds(rows: Sequence[ObservationIn], file: str) -> list[Problem]:
    rules = AuthorityRules.default()
    return [
        Problem(
            file,
            o.line,
            "source_kind",
            f"unknown source kind {o.source_kind!r}; expected one of {sorted(rules.kinds)}",
        )
        for o in rows
        if o.source_kind is not None and o.source_kind not in rules.kinds
    ]


def stored_row(
    o: ObservationIn, *, actor: str, status: str, now: datetime, batch: str
) -> dict[str, Any]:
    """The observations row written for ``o`` (what the batch digest hashes)."""
    nfc = audit.canonical_text
    return {
        "indicator": nfc(o.indicator),
        "unit_code": nfc(o.scope),
        "period": int(o.period),
        # Stored as the canonical double: SQLite would drop the sign of −0.0.
        "value": float(audit.canonical_number(o.value)),
        "unit_of_measure": nfc(o.unit),
        "source": nfc(o.source),
        "source_url": nfc(o.source_url),
        # A user's submission is theirs, whatever a file's submitted_by column says (the
        # four-eyes rule compares it with the reviewer); the operator's import keeps the
        # named submitter of each row.
        "submitted_by": actor if status == "submitted" else (o.submitted_by or actor),
        "submitted_at": now,
        "batch_id": batch,
        "status": status,
        # every row written now names its kind: NULL is only a row stored before the store
        # recorded provenance (revision 0007)
        "source_kind": nfc(o.source_kind) or AuthorityRules.default().default_kind,
        "publisher": nfc(o.publisher),
        "publication": nfc(o.publication),
        "statement_zh": nfc(o.statement_zh),
        "published_date": nfc(o.published_date),
    }


def _refuse_blank(actor: str) -> None:
    if not actor.strip():
        msg = "`submitted_by` must name who submits the data"
        raise ValueError(msg)


def _open_batch(
    conn: Connection,
    *,
    batch: str,
    actor: str,
    now: datetime,
    origin: str | None,
    note: str | None,
    idempotency_key: str | None = None,
    request_digest: str | None = None,
) -> None:
    """The batch's ``submissions`` row (its row count is set by :func:`_finish_batch`)."""
    conn.execute(
        submissions.insert().values(
            batch_id=batch,
            submitted_by=actor,
            submitted_at=now,
            origin=origin,
            note=note,
            rows=0,
            idempotency_key=idempotency_key,
            request_digest=request_digest,
        )
    )


def _finish_batch(
    conn: Connection,
    *,
    batch: str,
    actor: str,
    status: str,
    now: datetime,
    file: str,
    origin: str | None,
    note: str | None,
    rows: int,
    scopes: Iterable[str],
    digest: str,
    ids: tuple[int, ...] = (),
) -> ImportResult:
    """The tail every batch shares: its row count, its audit entry (last), its result."""
    conn.execute(submissions.update().where(submissions.c.batch_id == batch).values(rows=rows))
    action = "import_observations" if status == "accepted" else "submit_observations"
    audit.append(
        conn,
        actor=actor,
        action=action,
        entity="batch",
        entity_id=batch,
        detail={"file": file, "note": note},
        after={
            "batch_id": batch,
            "status": status,
            "rows": rows,
            "scopes": sorted(set(scopes)),
            "digest": digest,
            "digest_v": audit.DIGEST_VERSION,
        },
        origin=origin,
        at=now,
    )
    return ImportResult(batch, rows, ids, False, status)


def add_batch(
    engine: Engine,
    rows: list[ObservationIn],
    *,
    actor: str,
    status: str,
    file: str,
    origin: str | None,
    note: str | None,
    idempotency_key: str | None,
    request_digest: str | None,
    progress: Progress | None,
) -> ImportResult:
    """Write ``rows`` (validated, in memory) as one batch of ``status``, all or none.

    Raises
    ------
    DataValidationError
        A row names a source kind the authority rules do not know.
    ConflictError
        A row duplicates a stored live observation, or the idempotency key was used for a
        different request. Nothing is written.
    """
    _refuse_blank(actor)
    bad = _unknown_kinds(rows, file)
    if bad:
        raise DataValidationError(bad, summary=f"{file}: {len(bad)} unknown source kind(s)")
    batch = str(uuid.uuid4())
    now = datetime.now(UTC)
    with write(engine) as conn:
        if idempotency_key is not None:
            if conn.dialect.name == "postgresql":
                # Same user, same key: one request at a time. Under READ COMMITTED a
                # racing retry could miss the first request's submission row and then
                # see its observations, refusing them as duplicates instead of replaying.
                conn.execute(
                    sa.text("SELECT pg_advisory_xact_lock(:k)"),
                    {"k": key_lock(actor, idempotency_key)},
                )
            prior = _replay(conn, actor, idempotency_key, request_digest)
            if prior is not None:
                return prior
        _refuse_duplicates(conn, rows, file)
        _open_batch(
            conn,
            batch=batch,
            actor=actor,
            now=now,
            origin=origin,
            note=note,
            idempotency_key=idempotency_key,
            request_digest=request_digest,
        )

        def stored(o: ObservationIn) -> dict[str, Any]:
            return stored_row(o, actor=actor, status=status, now=now, batch=batch)

        # Row dicts are built a chunk at a time (a large import once held them all).
        for start in range(0, len(rows), CHUNK_ROWS):
            chunk = [stored(o) for o in rows[start : start + CHUNK_ROWS]]
            conn.execute(observations.insert(), chunk)
            if progress is not None:
                progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
        ids = tuple(
            conn.execute(
                sa.select(observations.c.id)
                .where(observations.c.batch_id == batch)
                .order_by(observations.c.id)
            ).scalars()
        )
        return _finish_batch(
            conn,
            batch=batch,
            actor=actor,
            status=status,
            now=now,
            file=file,
            origin=origin,
            note=note,
            rows=len(rows),
            scopes={o.scope for o in rows},
            digest=audit.batch_digest(stored(o) for o in rows),
            ids=ids,
        )


def _replay(conn: Connection, actor: str, key: str, digest: str | None) -> ImportResult | None:
    """The first result of ``actor``'s request with idempotency ``key``, if there was one."""
    prior = conn.execute(
        sa.select(submissions).where(
            submissions.c.submitted_by == actor, submissions.c.idempotency_key == key
        )
    ).one_or_none()
    if prior is None:
        return None
    if digest is not None and prior.request_digest not in (None, digest):
        raise ConflictError(
            [Problem("header", 0, "Idempotency-Key", "already used for a different request")],
            summary="the Idempotency-Key was already used for a different request",
        )
    got = conn.execute(
        sa.select(observations.c.id, observations.c.status)
        .where(observations.c.batch_id == prior.batch_id)
        .order_by(observations.c.id)
    ).all()
    return ImportResult(
        prior.batch_id,
        prior.rows,
        tuple(r.id for r in got),
        True,
        got[0].status if got else "submitted",
    )


def _refuse_duplicates(conn: Connection, rows: list[ObservationIn], file: str) -> None:
    if not rows:
        return
    existing = {
        (r.indicator, r.unit_code, r.period, r.source)
        for r in conn.execute(
            sa.select(
                observations.c.indicator,
                observations.c.unit_code,
                observations.c.period,
                observations.c.source,
            ).where(
                observations.c.indicator.in_({o.indicator for o in rows}),
                observations.c.unit_code.in_({o.scope for o in rows}),
                observations.c.status != "rejected",
            )
        )
    }
    dups = [
        Problem(
            file,
            o.line,
            "indicator",
            f"duplicate of a stored observation ({o.indicator}, {o.scope}, {o.period}, same source)",
        )
        for o in rows
        if (o.indicator, o.scope, o.period, o.source) in existing
    ]
    if dups:
        raise ConflictError(dups, summary=f"{file}: {len(dups)} duplicate(s); nothing was imported")


def submit(engine: Engine, rows: list[ObservationIn], **kw: Any) -> ImportResult:
    """:func:`add_batch`, retried when a concurrent request won a race (at most 3 times)."""
    for attempt in range(3):
        try:
            return add_batch(engine, rows, **kw)
        except sa.exc.IntegrityError:
            # A concurrent request won a race on the same key or observation: the next
            # attempt sees its committed rows and answers as a replay or a conflict.
            if attempt == 2:
                raise
    raise AssertionError  # pragma: no cover - the loop returns or raises


_STAGE_COLUMNS = "chunk, line, key_hash, indicator, unit_code, period, source, digest_line"


def import_chunks(
    engine: Engine,
    chunks: Iterable[tuple[Sequence[ObservationIn], Sequence[Problem]]],
    *,
    actor: str,
    file: str,
    origin: str | None,
    progress: Progress | None,
    total: int,
    status: str = "accepted",
    note: str | None = None,
) -> ImportResult:
    """A file read a chunk at a time written as one batch: memory bounded, all or none.

    ``status`` ``accepted`` is the operator's import, ``submitted`` a user's submission
    (stored as theirs, waiting for review: permission is the caller's to check, e.g. by
    :func:`metrocircle.security.within_jurisdiction` on the chunks).

    The keys and digest lines of the rows go to a temporary table, so neither the
    duplicate check (within the file, across chunks too, and against stored rows) nor the
    audit digest (the same as :func:`add_batch` computes for the same rows) holds the file
    in memory. At most :data:`MAX_PROBLEMS` problems are kept; the summary counts all.
    """
    _refuse_blank(actor)
    batch = str(uuid.uuid4())
    now = datetime.now(UTC)
    problems: list[Problem] = []
    dups: list[Problem] = []
    n_problems = n_dups = n_rows = 0
    scopes: set[str] = set()
    tmp = f"import_rows_{uuid.uuid4().hex}"
    with write(engine) as conn:
        pg = conn.dialect.name == "postgresql"
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {tmp} (chunk INTEGER NOT NULL, line INTEGER NOT NULL, "
            "key_hash VARCHAR(64) NOT NULL, indicator TEXT NOT NULL, unit_code TEXT NOT NULL, "
            "period INTEGER NOT NULL, source TEXT NOT NULL, digest_line TEXT NOT NULL)"
            f"{' ON COMMIT DROP' if pg else ''}"
        )
        conn.exec_driver_sql(f"CREATE INDEX {tmp}_key ON {tmp} (key_hash)")
        conn.exec_driver_sql(f"CREATE INDEX {tmp}_chunk ON {tmp} (chunk)")
        _open_batch(conn, batch=batch, actor=actor, now=now, origin=origin, note=note)
        for chunk_no, (parsed, bad) in enumerate(chunks):
            found = list(bad)
            good = list(parsed)
            kinds = _unknown_kinds(good, file)
            found += kinds
            if kinds:
                refused = {p.row for p in kinds}
                good = [o for o in good if o.line not in refused]
            rows = [stored_row(o, actor=actor, status=status, now=now, batch=batch) for o in good]
            _stage(conn, tmp, chunk_no, good, rows)
            found += _file_duplicates(conn, tmp, chunk_no, file)
            stored_dups = _stored_duplicates(conn, tmp, chunk_no, file, batch)
            found.sort(key=lambda p: p.row)
            n_problems += len(found)
            n_dups += len(stored_dups)
            problems += found[: max(0, MAX_PROBLEMS - len(problems))]
            dups += stored_dups[: max(0, MAX_PROBLEMS - len(dups))]
            if rows and not n_problems and not n_dups:
                conn.execute(observations.insert(), rows)
            n_rows += len(rows)
            scopes.update(r["unit_code"] for r in rows)
            if progress is not None:
                progress(n_rows, max(total, n_rows))
        if n_problems:
            # the count is of all problems; the list holds the first MAX_PROBLEMS
            raise DataValidationError(
                problems, summary=f"{file}: {n_problems} problem(s); nothing was imported"
            )
        if n_dups:
            raise ConflictError(
                dups, summary=f"{file}: {n_dups} duplicate(s); nothing was imported"
            )
        if not n_rows:
            raise DataValidationError([Problem(file, 0, "*", "the file has no observation rows")])
        # The digest hashes the sorted lines (audit.digest_of_lines): sorted here by the
        # database, in code-point order (SQLite compares UTF-8 bytes; "C" on PostgreSQL).
        h = hashlib.sha256()
        order = ' COLLATE "C"' if pg else ""
        for line in conn.execute(
            sa.text(f"SELECT digest_line FROM {tmp} ORDER BY digest_line{order}")
        ).scalars():
            h.update(line.encode("utf-8"))
            h.update(b"\n")
        if not pg:
            conn.exec_driver_sql(f"DROP TABLE {tmp}")
        # A submission answers with its ids, as add_batch does (a reviewer's handle); the
        # operator's import does not (its rows are those of the batch).
        ids = (
            tuple(
                conn.execute(
                    sa.select(observations.c.id)
                    .where(observations.c.batch_id == batch)
                    .order_by(observations.c.id)
                ).scalars()
            )
            if status == "submitted"
            else ()
        )
        return _finish_batch(
            conn,
            batch=batch,
            actor=actor,
            status=status,
            now=now,
            file=file,
            origin=origin,
            note=note,
            rows=n_rows,
            scopes=scopes,
            digest=h.hexdigest(),
            ids=ids,
        )


def _stage(
    conn: Connection,
    tmp: str,
    chunk_no: int,
    good: Sequence[ObservationIn],
    rows: Sequence[dict[str, Any]],
) -> None:
    """Keys and digest lines of one chunk's rows into the temporary table ``tmp``."""
    if not rows:
        return
    conn.execute(
        sa.text(
            f"INSERT INTO {tmp} ({_STAGE_COLUMNS}) VALUES (:chunk, :line, :key_hash, "
            ":indicator, :unit_code, :period, :source, :digest_line)"
        ),
        [
            {
                "chunk": chunk_no,
                "line": o.line,
                "key_hash": _key_hash(r),
                "indicator": r["indicator"],
                "unit_code": r["unit_code"],
                "period": r["period"],
                "source": r["source"],
                "digest_line": audit.digest_line(r),
            }
            for o, r in zip(good, rows, strict=True)
        ],
    )
    if conn.dialect.name == "postgresql":
        # No autovacuum statistics for a temporary table: without these the planner's
        # guesses turn the per-chunk joins quadratic.
        conn.exec_driver_sql(f"ANALYZE {tmp}")


def _file_duplicates(conn: Connection, tmp: str, chunk_no: int, file: str) -> list[Problem]:
    """Rows of chunk ``chunk_no`` repeating an earlier line of the file."""
    return [
        Problem(
            file,
            r.line,
            "indicator",
            f"duplicate of line {r.first} (same indicator, scope, period, source)",
        )
        for r in conn.execute(
            sa.text(
                f"SELECT n.line AS line, MIN(p.line) AS first FROM {tmp} n "
                f"JOIN {tmp} p ON p.key_hash = n.key_hash AND p.line < n.line "
                "AND p.indicator = n.indicator AND p.unit_code = n.unit_code "
                "AND p.period = n.period AND p.source = n.source "
                "WHERE n.chunk = :c GROUP BY n.line ORDER BY n.line"
            ),
            {"c": chunk_no},
        )
    ]


def _stored_duplicates(
    conn: Connection, tmp: str, chunk_no: int, file: str, batch: str
) -> list[Problem]:
    """Rows of chunk ``chunk_no`` repeating a live observation stored by another batch."""
    return [
        Problem(
            file,
            r.line,
            "indicator",
            f"duplicate of a stored observation ({r.indicator}, {r.unit_code}, "
            f"{r.period}, same source)",
        )
        for r in conn.execute(
            sa.text(
                f"SELECT n.line, n.indicator, n.unit_code, n.period FROM {tmp} n "
                "WHERE n.chunk = :c AND EXISTS (SELECT 1 FROM observations o "
                "WHERE o.indicator = n.indicator AND o.unit_code = n.unit_code "
                "AND o.period = n.period AND o.source = n.source "
                "AND o.status != 'rejected' AND o.batch_id != :b) ORDER BY n.line"
            ),
            {"c": chunk_no, "b": batch},
        )
    ]
