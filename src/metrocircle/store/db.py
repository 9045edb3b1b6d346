"""The Store: observations and the audit log in SQLite (default) or PostgreSQL, migrated by Alembic."""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrocircle._errors import DataValidationError, Problem, StoreError
from metrocircle.store.observations_file import ObservationIn
from metrocircle.store.tables import audit_log, observations

__all__ = ["AuditEntry", "ImportResult", "ObservationRecord", "Store", "default_url"]

ENV_VAR = "METROCIRCLE_DB"


def default_url() -> str:
    """The store URL: ``$METROCIRCLE_DB`` if set, else an SQLite file in the user data directory."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("metrocircle", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'metrocircle.sqlite'}"


@dataclass(frozen=True)
class ObservationRecord:
    """An observation as stored, with who submitted it and when."""

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


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only audit log."""

    id: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote."""

    batch_id: str
    rows: int


def _normalise_url(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


class Store:
    """Observations and the audit log behind SQLAlchemy.

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
    >>> store.close()
    """

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or default_url()
        try:
            self.engine: Engine = sa.create_engine(_normalise_url(self.url), future=True)
        except (sa.exc.ArgumentError, ModuleNotFoundError) as exc:
            msg = f"cannot open store {self.url!r}: {exc}"
            raise StoreError(msg) from None
        if self.engine.dialect.name == "sqlite":
            self._sqlite_pragmas()
        if migrate:
            self.migrate()

    def _sqlite_pragmas(self) -> None:
        memory = self.engine.url.database in (None, "", ":memory:")

        @sa.event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _rec: Any) -> None:
            cur = dbapi_conn.cursor()
            if not memory:
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        if memory:
            # One shared connection, so an in-memory database lives as long as the Store.
            self.engine = sa.create_engine(
                "sqlite://", poolclass=sa.pool.StaticPool, connect_args={"check_same_thread": False}
            )

    def migrate(self) -> None:
        """Apply every Alembic migration not yet applied."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option(
            "script_location", str(resources.files("metrocircle.store") / "migrations")
        )
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except sa.exc.OperationalError as exc:
            msg = f"cannot reach or migrate the store at {self.engine.url.render_as_string(hide_password=True)}: {exc.orig}"
            raise StoreError(msg) from None

    def close(self) -> None:
        """Release every pooled connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def import_observations(
        self, rows: list[ObservationIn], *, submitted_by: str, file: str = "<input>"
    ) -> ImportResult:
        """Insert observations in one transaction: all rows, or none when any is refused.

        Raises
        ------
        DataValidationError
            When a row duplicates a stored observation (same indicator, scope, period and
            source); the message names the file line. Nothing is written.
        """
        if not submitted_by.strip():
            msg = "`submitted_by` must name who submits the data"
            raise ValueError(msg)
        batch = str(uuid.uuid4())
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            existing = {
                (r.indicator, r.unit_code, r.period, r.source)
                for r in conn.execute(
                    sa.select(
                        observations.c.indicator,
                        observations.c.unit_code,
                        observations.c.period,
                        observations.c.source,
                    ).where(observations.c.indicator.in_({o.indicator for o in rows}))
                )
            }
            dups = [
                Problem(file, o.line, "indicator", "duplicate of an observation already stored")
                for o in rows
                if (o.indicator, o.scope, o.period, o.source) in existing
            ]
            if dups:
                raise DataValidationError(
                    dups, summary=f"{file}: {len(dups)} duplicate(s); nothing was imported"
                )
            if rows:
                conn.execute(
                    observations.insert(),
                    [
                        {
                            "indicator": o.indicator,
                            "unit_code": o.scope,
                            "period": o.period,
                            "value": o.value,
                            "unit_of_measure": o.unit,
                            "source": o.source,
                            "source_url": o.source_url,
                            "submitted_by": o.submitted_by or submitted_by,
                            "submitted_at": now,
                            "batch_id": batch,
                        }
                        for o in rows
                    ],
                )
            conn.execute(
                audit_log.insert().values(
                    at=now,
                    actor=submitted_by,
                    action="import_observations",
                    detail=json.dumps(
                        {"file": file, "rows": len(rows), "batch_id": batch}, ensure_ascii=False
                    ),
                )
            )
        return ImportResult(batch, len(rows))

    def observations(
        self, indicator: str | None = None, scope: str | None = None
    ) -> list[ObservationRecord]:
        """Stored observations, optionally of one indicator and one scope, ordered by period."""
        q = sa.select(observations).order_by(
            observations.c.indicator, observations.c.unit_code, observations.c.period
        )
        if indicator is not None:
            q = q.where(observations.c.indicator == indicator)
        if scope is not None:
            q = q.where(observations.c.unit_code == scope)
        with self.engine.connect() as conn:
            return [
                ObservationRecord(
                    r.id,
                    r.indicator,
                    r.unit_code,
                    r.period,
                    r.value,
                    r.unit_of_measure,
                    r.source,
                    r.source_url,
                    r.submitted_by,
                    r.submitted_at,
                )
                for r in conn.execute(q)
            ]

    def audit_entries(self) -> list[AuditEntry]:
        """The audit log, oldest first."""
        with self.engine.connect() as conn:
            return [
                AuditEntry(r.id, r.at, r.actor, r.action, json.loads(r.detail))
                for r in conn.execute(sa.select(audit_log).order_by(audit_log.c.id))
            ]

    def log(self, *, actor: str, action: str, detail: dict[str, Any]) -> None:
        """Append one entry to the audit log."""
        with self.engine.begin() as conn:
            conn.execute(
                audit_log.insert().values(
                    at=datetime.now(UTC),
                    actor=actor,
                    action=action,
                    detail=json.dumps(detail, ensure_ascii=False),
                )
            )
