"""The Store: one facade over the store's aggregates, each in its own module.

- :mod:`~metrocircle.store.connection`: the URL, the engine, migrations;
- :mod:`~metrocircle.store.batches`: writing observations (imports, submissions, idempotency);
- :mod:`~metrocircle.store.observations`: reading them, their batches, and review;
- :mod:`~metrocircle.store.users`: accounts and API tokens;
- :mod:`~metrocircle.store.counts`, :mod:`~metrocircle.store.levels`: sector feeds;
- :mod:`~metrocircle.store.audit_log`: the audit log read, exported and verified.

Every change is written in one transaction together with its audit entry: a change
without its trace cannot be committed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrocircle._errors import Problem, StoreError
from metrocircle.auth import ROLES
from metrocircle.store import audit, audit_log, batches, connection, observations, users
from metrocircle.store.accounts import DEFAULT_TOKEN_DAYS, MAX_TOKEN_DAYS
from metrocircle.store.audit_log import AuditEntry, AuditReport
from metrocircle.store.batches import CHUNK_ROWS, MAX_PROBLEMS, ImportResult
from metrocircle.store.connection import ENV_VAR, default_url
from metrocircle.store.connection import normalise_url as _normalise_url
from metrocircle.store.counts import VisitorCountIn, VisitorCountRecord, add_counts, latest_counts
from metrocircle.store.observations import ObservationRecord, SubmissionRecord
from metrocircle.store.observations_file import ObservationIn
from metrocircle.store.users import ApiTokenRecord, UserRecord

__all__ = [
    "CHUNK_ROWS",
    "ENV_VAR",
    "MAX_PROBLEMS",
    "ROLES",
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
            self.engine: Engine = connection.create_engine(_normalise_url(self.url))
        except (sa.exc.ArgumentError, ModuleNotFoundError) as exc:
            msg = f"cannot open store {connection.shown(self.url)!r}: {exc}"
            raise StoreError(msg) from None
        if migrate:
            self.migrate()

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return str(self.engine.dialect.name)

    def migrate(self) -> None:
        """Apply every Alembic migration not yet applied."""
        connection.migrate(self.engine)

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
        with connection.write(self.engine) as conn:
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
        return batches.add_batch(
            self.engine,
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
        return batches.import_chunks(
            self.engine,
            chunks,
            actor=submitted_by,
            file=file,
            origin=origin,
            progress=progress,
            total=total,
        )

    def submit_observation_chunks(
        self,
        chunks: Iterable[tuple[Sequence[ObservationIn], Sequence[Problem]]],
        *,
        user: str,
        file: str = "<input>",
        origin: str | None = None,
        note: str | None = None,
        progress: Callable[[int, int], None] | None = None,
        total: int = 0,
    ) -> ImportResult:
        """A user's submission of a file read a chunk at a time, as ``submitted``; all or none.

        What :meth:`submit_observations` stores for the same rows (the same audit digest),
        with the memory of :meth:`import_observation_chunks`. Permission is the caller's to
        check (:func:`metrocircle.security.within_jurisdiction` wraps the chunks); there
        is no idempotency key (a command line's file, not a retried request). ``ids`` of
        the result are the stored rows', as :meth:`submit_observations` gives them.
        """
        return batches.import_chunks(
            self.engine,
            chunks,
            actor=user,
            file=file,
            origin=origin,
            progress=progress,
            total=total,
            status="submitted",
            note=note,
        )

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
        return batches.submit(
            self.engine,
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
        return observations.query(
            self.engine,
            indicator,
            scope,
            status=status,
            batch_id=batch_id,
            scopes=scopes,
            unpublished_scopes=unpublished_scopes,
            newest_first=newest_first,
            limit=limit,
            offset=offset,
            after_id=after_id,
        )

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
        return observations.count(
            self.engine,
            indicator,
            scope,
            status=status,
            batch_id=batch_id,
            scopes=scopes,
            unpublished_scopes=unpublished_scopes,
        )

    def observation(self, obs_id: int) -> ObservationRecord:
        """One observation by id (any status)."""
        return observations.one(self.engine, obs_id)

    def submissions(
        self, *, pending_only: bool = False, scopes: Sequence[str] | None = None
    ) -> list[SubmissionRecord]:
        """Batches with their review counts, newest first."""
        return observations.batches(self.engine, pending_only=pending_only, scopes=scopes)

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
        return observations.review(
            self.engine,
            reviewer=reviewer,
            decision=decision,
            reason=reason,
            ids=ids,
            batch_id=batch_id,
            origin=origin,
        )

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
        return users.add_user(
            self.engine, name, role=role, password=password, unit=unit, actor=actor, origin=origin
        )

    def user(self, name: str) -> UserRecord:
        """One account by name."""
        return users.one(self.engine, name)

    def users(self) -> list[UserRecord]:
        """Every account, by name."""
        return users.every(self.engine)

    def authenticate(self, name: str, password: str) -> UserRecord | None:
        """The enabled user whose password this is, else None (same time either way)."""
        return users.authenticate(self.engine, name, password)

    def set_disabled(
        self, name: str, disabled: bool, *, actor: str, origin: str | None = None
    ) -> UserRecord:
        """Disable (or enable) an account; a disabled user's tokens stop working at once.

        Disabling revokes the user's API tokens too: enabling the account again does not
        bring them back.
        """
        return users.set_disabled(self.engine, name, disabled, actor=actor, origin=origin)

    def set_password(
        self, name: str, password: str, *, actor: str, origin: str | None = None
    ) -> None:
        """Change a password; access tokens issued before are void, API tokens revoked."""
        users.set_password(self.engine, name, password, actor=actor, origin=origin)

    def end_sessions(self, name: str, *, actor: str, origin: str | None = None) -> None:
        """Void every access token of ``name`` issued so far and revoke their API tokens.

        Signing out everywhere ends every credential: a token left in a script dies too.
        """
        users.end_sessions(self.engine, name, actor=actor, origin=origin)

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
        return users.create_api_token(
            self.engine,
            user,
            name,
            expires_days=expires_days,
            default_days=default_days,
            max_days=max_days,
            actor=actor,
            origin=origin,
        )

    def api_tokens(self, user: str | None) -> list[ApiTokenRecord]:
        """The tokens of ``user`` (every user's with None), without the secrets."""
        return users.tokens(self.engine, user)

    def revoke_api_token(
        self, user: str | None, token_id: int, *, actor: str, origin: str | None = None
    ) -> None:
        """Revoke one of ``user``'s tokens (any user's with None: the administrator's)."""
        users.revoke_api_token(self.engine, user, token_id, actor=actor, origin=origin)

    def user_for_api_token(self, token: str) -> UserRecord | None:
        """The enabled user a live (not expired, not revoked) API token belongs to."""
        return users.user_for_api_token(self.engine, token)

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
        return audit_log.entries(
            self.engine,
            after_id=after_id,
            before_id=before_id,
            newest_first=newest_first,
            limit=limit,
            actor=actor,
            action=action,
        )

    def audit_head(self) -> tuple[int, str | None]:
        """(id, hash) of the newest audit entry: changes whenever anything in the store does."""
        return audit_log.head(self.engine)

    def verify_audit(self) -> AuditReport:
        """Check the hash chain, and that stored observations match what the log recorded.

        Finds: a changed, removed or inserted audit entry; an observation whose value was
        edited, added or removed behind the log (batch digests); a status changed without
        a review entry; water levels edited, added or removed behind the log; a user's role,
        unit, disabled flag or password hash, or an API token, that differs from what the log
        recorded (:mod:`metrocircle.store.accounts`).
        """
        return audit_log.verify(self.engine)

    def export_audit(self, fmt: str = "jsonl") -> Iterator[str]:
        """The whole audit log as JSON lines or CSV text, chunk by chunk.

        The CSV is for a reviewer's spreadsheet: it starts with a UTF-8 byte-order mark and
        its cells are neutralised against formula injection (:mod:`metrocircle.exports`);
        the JSON lines keep every value exactly as stored.
        """
        return audit_log.export(self.engine, fmt)
