"""The Store: observations, submissions and review, users and tokens, and the audit log.

SQLite (default, WAL, write transactions opened with ``BEGIN IMMEDIATE``) or PostgreSQL
(recommended for the multi-user mode), migrated by Alembic. Every change is written in one
transaction together with its audit entry: a change without its trace cannot be committed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrocircle._errors import (
    ConflictError,
    DataValidationError,
    NotFoundError,
    PermissionDeniedError,
    Problem,
    StoreError,
)
from metrocircle.indicators.authority import AuthorityRules
from metrocircle.store import audit
from metrocircle.store.accounts import (
    DEFAULT_TOKEN_DAYS,
    MAX_TOKEN_DAYS,
    account_problems,
    name_problems,
    normal_name,
    revoke_live_tokens,
    secret_digest,
    token_expiry,
)
from metrocircle.store.counts import (
    VisitorCountIn,
    VisitorCountRecord,
    add_counts,
    latest_counts,
)
from metrocircle.store.levels import verify_levels
from metrocircle.store.observations_file import ObservationIn
from metrocircle.store.tables import (
    api_tokens,
    audit_log,
    observations,
    submissions,
    users,
)

__all__ = [
    "ApiTokenRecord",
    "AuditEntry",
    "AuditReport",
    "ImportResult",
    "ObservationRecord",
    "Store",
    "SubmissionRecord",
    "UserRecord",
    "default_url",
]

ENV_VAR = "METROCIRCLE_DB"
ROLES = ("admin", "officer", "reviewer", "viewer")
_USERS_LOCK = 731_2022_39
"""Advisory-lock key that serialises account creation on PostgreSQL."""
_MIGRATE_LOCK = 731_2022_38
"""Advisory-lock key that serialises migrations on PostgreSQL."""
CHUNK_ROWS = 2_000
"""Rows per INSERT statement of a large import (all chunks in one transaction)."""
MAX_PROBLEMS = 1_000
"""Problems a streamed import keeps to report (it counts them all): enough to fix a file's
systematic mistakes from, while a file wrong on every one of millions of rows stays bounded."""


def _key_lock(actor: str, key: str) -> int:
    """A signed 64-bit advisory-lock key for one user's idempotency key.

    >>> _key_lock("u1", "k") == _key_lock("u1", "k") != _key_lock("u2", "k")
    True
    """
    digest = hashlib.blake2b(f"{actor}\x00{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def default_url() -> str:
    """The store URL: ``$METROCIRCLE_DB`` if set, else an SQLite file in the user data directory."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("metrocircle", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'metrocircle.sqlite'}"


def _utc(dt: datetime | None) -> datetime | None:
    """Timestamps read back from SQLite are naive; they were written in UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


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


@dataclass(frozen=True)
class UserRecord:
    """An account (the password hash never leaves the store)."""

    id: int
    name: str
    role: str
    unit: str | None
    disabled: bool
    created_at: datetime
    created_by: str
    password_changed_at: datetime
    token_epoch: int = 0
    """Raised by a password change, disabling, or signing out everywhere: access tokens
    carry the epoch they were issued in and are void once it moves on."""


@dataclass(frozen=True)
class ApiTokenRecord:
    """A machine-feed token (only its hash and a display prefix are stored)."""

    id: int
    user: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


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


@dataclass(frozen=True)
class ImportResult:
    """What an import or submission wrote (or, for a replayed request, had written)."""

    batch_id: str
    rows: int
    ids: tuple[int, ...] = ()
    replayed: bool = False
    status: str = "accepted"


def _shown(url: str) -> str:
    """The URL with any password masked, for messages and logs.

    >>> _shown("postgresql://office:s3cret@db/metrocircle")
    'postgresql://office:***@db/metrocircle'
    """
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)


def _normalise_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


def _record(r: Any) -> ObservationRecord:
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
        _utc(r.submitted_at) or r.submitted_at,
        r.status,
        r.batch_id,
        r.reviewed_by,
        _utc(r.reviewed_at),
        r.review_reason,
        r.source_kind,
        r.publisher,
        r.publication,
        r.statement_zh,
        r.published_date,
    )


def _refuse_unknown_kinds(rows: Sequence[ObservationIn], file: str) -> None:
    """Refuse a row whose source kind the authority rules do not know (nothing is written)."""
    bad = _unknown_kinds(rows, file)
    if bad:
        raise DataValidationError(bad, summary=f"{file}: {len(bad)} unknown source kind(s)")


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


def _stored_row(
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


def _user(r: Any) -> UserRecord:
    return UserRecord(
        r.id,
        r.name,
        r.role,
        r.unit_code,
        bool(r.disabled),
        _utc(r.created_at) or r.created_at,
        r.created_by,
        _utc(r.password_changed_at) or r.password_changed_at,
        int(r.token_epoch),
    )


def _id_span(ids: list[int]) -> str:
    """A short label of reviewed ids for the audit entry (the full list is in before/after).

    >>> _id_span([7]), _id_span([3, 4, 9])
    ('7', '3..9 (3 ids)')
    """
    return str(ids[0]) if len(ids) == 1 else f"{ids[0]}..{ids[-1]} ({len(ids)} ids)"


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


class Store:
    """Observations, submissions, accounts and the audit log behind SQLAlchemy.

    Parameters
    ----------
    url
        SQLAlchemy URL; ``postgresql://…`` uses psycopg 3. Default: :func:`default_url`.
    migrate
        Bring the schema to the newest Alembic revision on open (default True).

    Examples
    --------
    >>> store = Store("sqlite://")
    >>> store.observations()
    []
    >>> store.verify_audit().ok
    True
    >>> store.close()
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_url()
        try:
            self.engine: Engine = self._create_engine(_normalise_url(self.url))
        except (sa.exc.ArgumentError, ModuleNotFoundError) as exc:
            msg = f"cannot open store {_shown(self.url)!r}: {exc}"
            raise StoreError(msg) from None
        if migrate:
            self.migrate()

    @staticmethod
    def _create_engine(url: str) -> Engine:
        if not url.startswith("sqlite"):
            # A connection per concurrent request of a threaded server, within PostgreSQL's
            # default max_connections (100) for a couple of server processes.
            return sa.create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
        memory = sa.engine.make_url(url).database in (None, "", ":memory:")
        if memory:
            # One shared connection, so an in-memory database lives as long as the Store.
            engine = sa.create_engine(
                "sqlite://", poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            engine = sa.create_engine(url, connect_args={"timeout": 60})

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            # Let SQLAlchemy emit BEGIN itself (pysqlite's own would defer locks and DDL).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # A write takes the database lock at BEGIN, so concurrent writers queue (busy
            # timeout) instead of failing when a read lock cannot be upgraded.
            write = conn.get_execution_options().get("metrocircle_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    def migrate(self) -> None:
        """Apply every Alembic migration not yet applied."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("metrocircle.store") / "migrations")
        )
        try:
            with self._write() as conn:
                if self.dialect == "postgresql":
                    # Two processes opening a new database at once migrate one after the other.
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa.exc.OperationalError as exc:
            where = self.engine.url.render_as_string(hide_password=True)
            msg = f"cannot reach or migrate the store at {where}: {exc.orig}"
            raise StoreError(msg) from None

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
        with self.engine.connect() as conn:
            conn.execution_options(metrocircle_write=True)
            with conn.begin():
                yield conn

    # ------------------------------------------------------------------ observations

    def import_observations(
        self,
        rows: list[ObservationIn],
        *,
        submitted_by: str,
        file: str = "<input>",
        origin: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportResult:
        """Insert accepted observations (the operator's import) in one transaction.

        All rows, or none when any is refused or the process dies midway.

        Raises
        ------
        ConflictError
            When a row duplicates a stored live observation (same indicator, scope,
            period and source); the message names the file line. Nothing is written.
        """
        return self._add_batch(
            rows,
            actor=submitted_by,
            status="accepted",
            file=file,
            origin=origin,
            note=None,
            idempotency_key=None,
            request_digest=None,
            progress=progress,
        )

    def import_observation_chunks(
        self,
        chunks: Iterable[tuple[Sequence[ObservationIn], Sequence[Problem]]],
        *,
        submitted_by: str,
        file: str = "<input>",
        origin: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        total: int = 0,
    ) -> ImportResult:
        """The operator's import of a file read a chunk at a time: memory bounded, all or none.

        ``chunks`` are (good rows, problems) as
        :func:`~metrocircle.store.observations_file.iter_observation_chunks` yields them.
        Every chunk is written in one transaction; a problem in any chunk, a duplicate
        within the file (across chunks too) or of a stored observation rolls back all of
        it. The keys and digest lines of the rows go to a temporary table, so neither the
        duplicate check nor the audit digest (the same as :meth:`import_observations`
        computes for the same rows) holds the file in memory. At most
        :data:`MAX_PROBLEMS` problems are kept; the summary counts all of them.
        ``ids`` of the result is empty: the rows are those of ``batch_id``.

        Raises
        ------
        DataValidationError
            Naming ``file:row:field`` of each problem (the first :data:`MAX_PROBLEMS`).
        ConflictError
            When a row duplicates a stored live observation. Nothing is written.
        """
        if not submitted_by.strip():
            msg = "`submitted_by` must name who submits the data"
            raise ValueError(msg)
        batch = str(uuid.uuid4())
        now = datetime.now(UTC)
        problems: list[Problem] = []
        dups: list[Problem] = []
        n_problems = n_dups = n_rows = 0
        scopes: set[str] = set()
        tmp = f"import_rows_{uuid.uuid4().hex}"
        text_c = ' COLLATE "C"' if self.dialect == "postgresql" else ""
        with self._write() as conn:
            on_commit = " ON COMMIT DROP" if self.dialect == "postgresql" else ""
            conn.exec_driver_sql(
                f"CREATE TEMPORARY TABLE {tmp} (chunk INTEGER NOT NULL, line INTEGER NOT NULL, "
                "key_hash VARCHAR(64) NOT NULL, indicator TEXT NOT NULL, unit_code TEXT NOT NULL, "
                "period INTEGER NOT NULL, source TEXT NOT NULL, digest_line TEXT NOT NULL)"
                f"{on_commit}"
            )
            conn.exec_driver_sql(f"CREATE INDEX {tmp}_key ON {tmp} (key_hash)")
            conn.exec_driver_sql(f"CREATE INDEX {tmp}_chunk ON {tmp} (chunk)")
            conn.execute(
                submissions.insert().values(
                    batch_id=batch,
                    submitted_by=submitted_by,
                    submitted_at=now,
                    origin=origin,
                    note=None,
                    rows=0,
                )
            )
            for chunk_no, (parsed, bad) in enumerate(chunks):
                found = list(bad)
                good = list(parsed)
                kinds = _unknown_kinds(good, file)
                found += kinds
                if kinds:
                    refused = {p.row for p in kinds}
                    good = [o for o in good if o.line not in refused]
                rows = [
                    _stored_row(o, actor=submitted_by, status="accepted", now=now, batch=batch)
                    for o in good
                ]
                if rows:
                    conn.execute(
                        sa.text(
                            f"INSERT INTO {tmp} (chunk, line, key_hash, indicator, unit_code, "
                            "period, source, digest_line) VALUES (:chunk, :line, :key_hash, "
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
                    if self.dialect == "postgresql":
                        # No autovacuum statistics for a temporary table: without these the
                        # planner's guesses turn the per-chunk joins quadratic.
                        conn.exec_driver_sql(f"ANALYZE {tmp}")
                found += [
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
                stored_dups = [
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
                raise DataValidationError(
                    [Problem(file, 0, "*", "the file has no observation rows")]
                )
            # The digest hashes the sorted lines (audit.digest_of_lines): sorted here by the
            # database, in code-point order (SQLite compares UTF-8 bytes; "C" on PostgreSQL).
            h = hashlib.sha256()
            for line in conn.execute(
                sa.text(f"SELECT digest_line FROM {tmp} ORDER BY digest_line{text_c}")
            ).scalars():
                h.update(line.encode("utf-8"))
                h.update(b"\n")
            if self.dialect != "postgresql":
                conn.exec_driver_sql(f"DROP TABLE {tmp}")
            conn.execute(
                submissions.update().where(submissions.c.batch_id == batch).values(rows=n_rows)
            )
            audit.append(
                conn,
                actor=submitted_by,
                action="import_observations",
                entity="batch",
                entity_id=batch,
                detail={"file": file, "note": None},
                after={
                    "batch_id": batch,
                    "status": "accepted",
                    "rows": n_rows,
                    "scopes": sorted(scopes),
                    "digest": h.hexdigest(),
                    "digest_v": audit.DIGEST_VERSION,
                },
                origin=origin,
                at=now,
            )
        return ImportResult(batch, n_rows, (), False, "accepted")

    def submit_observations(
        self,
        rows: list[ObservationIn],
        *,
        user: str,
        file: str = "body",
        origin: str | None = None,
        note: str | None = None,
        idempotency_key: str | None = None,
        request_digest: str | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ImportResult:
        """Store a user's observations as ``submitted`` (waiting for review), all or none.

        Permission to submit for the rows' scopes is the caller's to check
        (:func:`metrocircle.security.check_scopes`). With ``idempotency_key``, a second
        call by the same user with the same key returns the first result and writes
        nothing; with a different ``request_digest`` it is refused.
        """
        for attempt in range(3):
            try:
                return self._add_batch(
                    rows,
                    actor=user,
                    status="submitted",
                    file=file,
                    origin=origin,
                    note=note,
                    idempotency_key=idempotency_key,
                    request_digest=request_digest,
                    progress=progress,
                )
            except sa.exc.IntegrityError:
                # A concurrent request won a race on the same key or observation: the next
                # attempt sees its committed rows and answers as a replay or a conflict.
                if attempt == 2:
                    raise
        raise AssertionError  # pragma: no cover - the loop returns or raises

    def _add_batch(
        self,
        rows: list[ObservationIn],
        *,
        actor: str,
        status: str,
        file: str,
        origin: str | None,
        note: str | None,
        idempotency_key: str | None,
        request_digest: str | None,
        progress: Callable[[int, int], None] | None,
    ) -> ImportResult:
        if not actor.strip():
            msg = "`submitted_by` must name who submits the data"
            raise ValueError(msg)
        _refuse_unknown_kinds(rows, file)
        batch = str(uuid.uuid4())
        now = datetime.now(UTC)
        with self._write() as conn:
            if idempotency_key is not None:
                if self.dialect == "postgresql":
                    # Same user, same key: one request at a time. Under READ COMMITTED a
                    # racing retry could miss the first request's submission row and then
                    # see its observations, refusing them as duplicates instead of replaying.
                    conn.execute(
                        sa.text("SELECT pg_advisory_xact_lock(:k)"),
                        {"k": _key_lock(actor, idempotency_key)},
                    )
                prior = self._replay(conn, actor, idempotency_key, request_digest)
                if prior is not None:
                    return prior
            self._refuse_duplicates(conn, rows, file)
            conn.execute(
                submissions.insert().values(
                    batch_id=batch,
                    submitted_by=actor,
                    submitted_at=now,
                    origin=origin,
                    note=note,
                    rows=len(rows),
                    idempotency_key=idempotency_key,
                    request_digest=request_digest,
                )
            )

            def stored(o: ObservationIn) -> dict[str, Any]:
                return _stored_row(o, actor=actor, status=status, now=now, batch=batch)

            # Row dicts are built a chunk at a time (a large import once held them all).
            for start in range(0, len(rows), CHUNK_ROWS):
                chunk = [stored(o) for o in rows[start : start + CHUNK_ROWS]]
                conn.execute(observations.insert(), chunk)
                if progress is not None:
                    progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
            digest = audit.batch_digest(stored(o) for o in rows)
            ids = tuple(
                conn.execute(
                    sa.select(observations.c.id)
                    .where(observations.c.batch_id == batch)
                    .order_by(observations.c.id)
                ).scalars()
            )
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
                    "rows": len(rows),
                    "scopes": sorted({o.scope for o in rows}),
                    "digest": digest,
                    "digest_v": audit.DIGEST_VERSION,
                },
                origin=origin,
                at=now,
            )
        return ImportResult(batch, len(rows), ids, False, status)

    @staticmethod
    def _replay(conn: Connection, actor: str, key: str, digest: str | None) -> ImportResult | None:
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

    @staticmethod
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
            raise ConflictError(
                dups, summary=f"{file}: {len(dups)} duplicate(s); nothing was imported"
            )

    def observations(
        self,
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
        q = self._filtered(
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
        with self.engine.connect() as conn:
            return [_record(r) for r in conn.execute(q)]

    def count_observations(
        self,
        indicator: str | None = None,
        scope: str | None = None,
        *,
        status: str | Sequence[str] | None = "accepted",
        batch_id: str | None = None,
        scopes: Sequence[str] | None = None,
        unpublished_scopes: Sequence[str] | None = None,
    ) -> int:
        """How many observations :meth:`observations` would return without a limit."""
        q = self._filtered(
            sa.select(sa.func.count()).select_from(observations),
            indicator=indicator,
            scope=scope,
            status=status,
            batch_id=batch_id,
            scopes=scopes,
            unpublished_scopes=unpublished_scopes,
        )
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    @staticmethod
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

    def observation(self, obs_id: int) -> ObservationRecord:
        """One observation by id (any status)."""
        with self.engine.connect() as conn:
            r = conn.execute(
                sa.select(observations).where(observations.c.id == obs_id)
            ).one_or_none()
        if r is None:
            msg = f"no observation has id {obs_id}"
            raise NotFoundError(msg)
        return _record(r)

    def submissions(
        self, *, pending_only: bool = False, scopes: Sequence[str] | None = None
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
        with self.engine.connect() as conn:
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
                    _utc(r.submitted_at) or r.submitted_at,
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
        self,
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
        with self._write() as conn:
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
                q = q.where(
                    observations.c.batch_id == batch_id, observations.c.status == "submitted"
                )
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
        return [_record(r) for r in out]

    # ------------------------------------------------------------------ users and tokens

    def add_user(
        self,
        name: str,
        *,
        role: str,
        password: str,
        unit: str | None = None,
        actor: str,
        origin: str | None = None,
    ) -> UserRecord:
        """Create an account (password hashed with Argon2id; the unit is the caller's to check).

        Raises
        ------
        DataValidationError
            A malformed name, an unknown role, an officer without a unit, a weak password.
        ConflictError
            The name is taken.
        """
        from metrocircle.security import hash_password, password_problems

        name = normal_name(name)
        problems = [Problem("user", 0, "name", p) for p in name_problems(name)]
        if role not in ROLES:
            problems.append(
                Problem("user", 0, "role", f"unknown role {role!r}; one of {list(ROLES)}")
            )
        if role == "officer" and not unit:
            problems.append(Problem("user", 0, "unit", "an officer must be bound to a unit"))
        problems += [
            Problem("user", 0, "password", p) for p in password_problems(password, name=name)
        ]
        if problems:
            raise DataValidationError(problems, summary=f"user {name!r} was not created")
        now = datetime.now(UTC)
        pw = hash_password(password)
        taken = ConflictError(
            [Problem("user", 0, "name", f"a user named {name!r} exists already")],
            summary=f"user {name!r} exists already",
        )
        try:
            with self._write() as conn:
                if self.dialect == "postgresql":
                    # Serialise account creation, so two names differing in case cannot both
                    # pass the check below (SQLite's BEGIN IMMEDIATE serialises already).
                    conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _USERS_LOCK})
                clash = conn.execute(
                    sa.select(users.c.name).where(sa.func.lower(users.c.name) == name.lower())
                ).first()
                if clash is not None and clash.name == name:
                    raise taken
                if clash is not None:
                    raise ConflictError(
                        [
                            Problem(
                                "user",
                                0,
                                "name",
                                f"{name!r} differs only in case from the user {clash.name!r}",
                            )
                        ],
                        summary=f"user {name!r} exists already",
                    )
                conn.execute(
                    users.insert().values(
                        name=name,
                        role=role,
                        unit_code=unit,
                        password_hash=pw,
                        disabled=False,
                        created_at=now,
                        created_by=actor,
                        password_changed_at=now,
                    )
                )
                audit.append(
                    conn,
                    actor=actor,
                    action="add_user",
                    entity="user",
                    entity_id=name,
                    after={
                        "name": name,
                        "role": role,
                        "unit": unit,
                        "disabled": False,
                        "password_digest": secret_digest(pw),
                    },
                    origin=origin,
                    at=now,
                )
        except sa.exc.IntegrityError:
            raise taken from None
        return self.user(name)

    def user(self, name: str) -> UserRecord:
        """One account by name."""
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
        if r is None:
            msg = f"no user is named {name!r}"
            raise NotFoundError(msg)
        return _user(r)

    def users(self) -> list[UserRecord]:
        """Every account, by name."""
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]

    def authenticate(self, name: str, password: str) -> UserRecord | None:
        """The enabled user whose password this is, else None (same time either way)."""
        from metrocircle.security import burn_password_check, verify_password

        name = normal_name(name)
        with self.engine.connect() as conn:
            r = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
        if r is None:
            burn_password_check(password)
            return None
        if not verify_password(r.password_hash, password) or r.disabled:
            return None
        return _user(r)

    def set_disabled(
        self, name: str, disabled: bool, *, actor: str, origin: str | None = None
    ) -> UserRecord:
        """Disable (or enable) an account; a disabled user's tokens stop working at once.

        Disabling revokes the user's API tokens too: enabling the account again does not
        bring them back.
        """
        now = datetime.now(UTC)
        with self._write() as conn:
            r = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
            if r is None:
                msg = f"no user is named {name!r}"
                raise NotFoundError(msg)
            conn.execute(
                users.update()
                .where(users.c.id == r.id)
                .values(disabled=disabled, token_epoch=users.c.token_epoch + 1)
            )
            after: dict[str, Any] = {"disabled": disabled}
            if disabled:
                after["revoked_tokens"] = revoke_live_tokens(conn, r.id, now)
            audit.append(
                conn,
                actor=actor,
                action="disable_user" if disabled else "enable_user",
                entity="user",
                entity_id=name,
                before={"disabled": bool(r.disabled)},
                after=after,
                origin=origin,
                at=now,
            )
        return self.user(name)

    def set_password(
        self, name: str, password: str, *, actor: str, origin: str | None = None
    ) -> None:
        """Change a password; access tokens issued before are void, API tokens revoked."""
        from metrocircle.security import hash_password, password_problems

        problems = [
            Problem("user", 0, "password", p) for p in password_problems(password, name=name)
        ]
        if problems:
            raise DataValidationError(problems, summary="the password was not changed")
        now = datetime.now(UTC)
        pw = hash_password(password)
        with self._write() as conn:
            uid = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
            if uid is None:
                msg = f"no user is named {name!r}"
                raise NotFoundError(msg)
            conn.execute(
                users.update()
                .where(users.c.id == uid)
                .values(
                    password_hash=pw, password_changed_at=now, token_epoch=users.c.token_epoch + 1
                )
            )
            audit.append(
                conn,
                actor=actor,
                action="set_password",
                entity="user",
                entity_id=name,
                after={
                    "password_changed": True,
                    "password_digest": secret_digest(pw),
                    "revoked_tokens": revoke_live_tokens(conn, uid, now),
                },
                origin=origin,
                at=now,
            )

    def end_sessions(self, name: str, *, actor: str, origin: str | None = None) -> None:
        """Void every access token of ``name`` issued so far and revoke their API tokens.

        Signing out everywhere ends every credential: a token left in a script dies too.
        """
        now = datetime.now(UTC)
        with self._write() as conn:
            uid = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
            if uid is None:
                msg = f"no user is named {name!r}"
                raise NotFoundError(msg)
            conn.execute(
                users.update().where(users.c.id == uid).values(token_epoch=users.c.token_epoch + 1)
            )
            audit.append(
                conn,
                actor=actor,
                action="end_sessions",
                entity="user",
                entity_id=name,
                after={
                    "sessions_ended": True,
                    "revoked_tokens": revoke_live_tokens(conn, uid, now),
                },
                origin=origin,
                at=now,
            )

    def create_api_token(
        self,
        user: str,
        name: str,
        *,
        expires_days: int | None = None,
        default_days: int = DEFAULT_TOKEN_DAYS,
        max_days: int = MAX_TOKEN_DAYS,
        actor: str,
        origin: str | None = None,
    ) -> tuple[ApiTokenRecord, str]:
        """A machine-feed token for ``user``: (its record, the token — shown this once).

        Every token expires: after ``expires_days`` (default ``default_days``), at most
        ``max_days`` (the operator's settings ``api_token_default_days`` and
        ``api_token_max_days``).
        """
        from metrocircle.security import new_api_token

        if not name.strip() or len(name) > 80:
            raise DataValidationError([Problem("body", 0, "name", "1–80 characters")])
        now = datetime.now(UTC)
        expires = token_expiry(now, expires_days, default_days=default_days, max_days=max_days)
        token, digest, prefix = new_api_token()
        with self._write() as conn:
            u = conn.execute(sa.select(users.c.id).where(users.c.name == user)).one_or_none()
            if u is None:
                msg = f"no user is named {user!r}"
                raise NotFoundError(msg)
            tid = conn.execute(
                api_tokens.insert()
                .values(
                    user_id=u.id,
                    name=name,
                    token_sha256=digest,
                    prefix=prefix,
                    created_at=now,
                    expires_at=expires,
                )
                .returning(api_tokens.c.id)
            ).scalar_one()
            audit.append(
                conn,
                actor=actor,
                action="create_api_token",
                entity="api_token",
                entity_id=str(tid),
                after={
                    "user": user,
                    "name": name,
                    "prefix": prefix,
                    "expires_at": audit.at_text(expires),
                    "secret_digest": secret_digest(digest),
                },
                origin=origin,
                at=now,
            )
        return ApiTokenRecord(tid, user, name, prefix, now, expires, None), token

    def api_tokens(self, user: str | None) -> list[ApiTokenRecord]:
        """The tokens of ``user`` (every user's with None), without the secrets."""
        q = (
            sa.select(api_tokens, users.c.name.label("user_name"))
            .join(users, users.c.id == api_tokens.c.user_id)
            .order_by(api_tokens.c.id)
        )
        if user is not None:
            q = q.where(users.c.name == user)
        with self.engine.connect() as conn:
            return [
                ApiTokenRecord(
                    r.id,
                    r.user_name,
                    r.name,
                    r.prefix,
                    _utc(r.created_at) or r.created_at,
                    _utc(r.expires_at),
                    _utc(r.revoked_at),
                )
                for r in conn.execute(q)
            ]

    def revoke_api_token(
        self, user: str | None, token_id: int, *, actor: str, origin: str | None = None
    ) -> None:
        """Revoke one of ``user``'s tokens (any user's with None: the administrator's)."""
        now = datetime.now(UTC)
        with self._write() as conn:
            q = (
                sa.select(api_tokens.c.id, api_tokens.c.revoked_at)
                .join(users, users.c.id == api_tokens.c.user_id)
                .where(api_tokens.c.id == token_id)
            )
            if user is not None:
                q = q.where(users.c.name == user)
            r = conn.execute(q).one_or_none()
            if r is None:
                msg = (
                    f"no API token has id {token_id}"
                    if user is None
                    else f"{user!r} has no API token with id {token_id}"
                )
                raise NotFoundError(msg)
            if r.revoked_at is not None:
                return
            conn.execute(
                api_tokens.update().where(api_tokens.c.id == token_id).values(revoked_at=now)
            )
            audit.append(
                conn,
                actor=actor,
                action="revoke_api_token",
                entity="api_token",
                entity_id=str(token_id),
                before={"revoked": False},
                after={"revoked": True},
                origin=origin,
                at=now,
            )

    def user_for_api_token(self, token: str) -> UserRecord | None:
        """The enabled user a live (not expired, not revoked) API token belongs to."""
        from metrocircle.security import token_sha256

        q = (
            sa.select(users, api_tokens.c.expires_at, api_tokens.c.revoked_at)
            .join(api_tokens, api_tokens.c.user_id == users.c.id)
            .where(api_tokens.c.token_sha256 == token_sha256(token))
        )
        with self.engine.connect() as conn:
            r = conn.execute(q).one_or_none()
        if r is None or r.revoked_at is not None or r.disabled:
            return None
        exp = _utc(r.expires_at)
        if exp is None or exp <= datetime.now(UTC):  # a token without an expiry is void
            return None
        return _user(r)

    # ------------------------------------------------------------------ visitor counts

    def report_visitor_counts(
        self, rows: Sequence[VisitorCountIn], *, actor: str, origin: str | None = None
    ) -> str:
        """Store reported visitor counts with their audit entry (one transaction); the batch id.

        Permission (who may report for which area) and validation are the caller's.
        """
        with self._write() as conn:
            return add_counts(conn, rows, actor=actor, origin=origin)

    def latest_visitor_counts(self) -> list[VisitorCountRecord]:
        """The latest reported count of each scenic area."""
        with self.engine.connect() as conn:
            return latest_counts(conn)

    # ------------------------------------------------------------------ audit

    def log(
        self,
        *,
        actor: str,
        action: str,
        detail: dict[str, Any],
        origin: str | None = None,
    ) -> None:
        """Append one entry to the audit log (its own transaction)."""
        with self._write() as conn:
            audit.append(conn, actor=actor, action=action, detail=detail, origin=origin)

    def audit_entries(
        self,
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
        with self.engine.connect() as conn:
            return [
                AuditEntry(
                    r.id,
                    _utc(r.at) or r.at,
                    r.actor,
                    r.action,
                    json.loads(r.detail),
                    r.entity,
                    r.entity_id,
                    _loads(r.before),
                    _loads(r.after),
                    r.origin,
                    r.prev_hash,
                    r.hash,
                )
                for r in conn.execute(q)
            ]

    def audit_head(self) -> tuple[int, str | None]:
        """(id, hash) of the newest audit entry: changes whenever anything in the store does."""
        with self.engine.connect() as conn:
            r = conn.execute(
                sa.select(audit_log.c.id, audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
            ).one_or_none()
        return (0, None) if r is None else (int(r.id), r.hash)

    def verify_audit(self) -> AuditReport:
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
        with self.engine.connect() as conn:
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
                after = _loads(r.after)
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
                for row in self._batch_rows(conn, b):
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
                    problems.append(
                        f"batch {b} of audit entry {entry_id} has no stored observations"
                    )
        problems += status_problems
        with self.engine.connect() as conn:
            problems.extend(verify_levels(conn))
        return AuditReport(not problems, entries, head, None, tuple(problems))

    @staticmethod
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

    def export_audit(self, fmt: str = "jsonl") -> Iterator[str]:
        """The whole audit log as JSON lines or CSV text, chunk by chunk.

        The CSV is for a reviewer's spreadsheet: it starts with a UTF-8 byte-order mark and
        its cells are neutralised against formula injection (:mod:`metrocircle.exports`);
        the JSON lines keep every value exactly as stored.
        """
        from metrocircle import exports

        cols = [c.name for c in audit_log.columns if c.name != "at"]
        if fmt == "csv":
            yield from exports.csv_chunks(cols, [], excel=True)
        elif fmt != "jsonl":
            msg = f"unknown export format {fmt!r}; use jsonl or csv"
            raise ValueError(msg)
        after = 0
        while True:
            with self.engine.connect() as conn:
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
