"""Opening a store: its URL, the SQLAlchemy engine (SQLite or PostgreSQL), migrations.

SQLite (default, WAL, write transactions opened with ``BEGIN IMMEDIATE``) or PostgreSQL
(recommended for the multi-user mode), migrated by Alembic.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from metrocircle._errors import StoreError

__all__ = [
    "ENV_VAR",
    "create_engine",
    "default_url",
    "migrate",
    "normalise_url",
    "shown",
    "utc",
    "write",
]

ENV_VAR = "METROCIRCLE_DB"
_MIGRATE_LOCK = 731_2022_38
"""Advisory-lock key that serialises migrations on PostgreSQL."""


def default_url() -> str:
    """The store URL: ``$METROCIRCLE_DB`` if set, else an SQLite file in the user data directory."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return env
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("metrocircle", appauthor=False))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'metrocircle.sqlite'}"


def utc(dt: datetime | None) -> datetime | None:
    """Timestamps read back from SQLite are naive; they were written in UTC."""
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def shown(url: str) -> str:
    """The URL with any password masked, for messages and logs.

    >>> shown("postgresql://office:s3cret@db/metrocircle")
    'postgresql://office:***@db/metrocircle'
    """
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return re.sub(r"//([^:/@]*):[^@]*@", r"//\1:***@", url)


def normalise_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` URLs name the psycopg 3 driver.

    >>> normalise_url("postgres://db/x"), normalise_url("sqlite://")
    ('postgresql+psycopg://db/x', 'sqlite://')
    """
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://") :]
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://") :]
    return url


def create_engine(url: str) -> Engine:
    """The engine of a (normalised) URL: a pool for PostgreSQL, WAL and immediate writes for SQLite."""
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


@contextmanager
def write(engine: Engine) -> Iterator[Connection]:
    """A write transaction (``BEGIN IMMEDIATE`` on SQLite)."""
    with engine.connect() as conn:
        conn.execution_options(metrocircle_write=True)
        with conn.begin():
            yield conn


def migrate(engine: Engine) -> None:
    """Apply every Alembic migration not yet applied."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("metrocircle.store") / "migrations"))
    try:
        with write(engine) as conn:
            if engine.dialect.name == "postgresql":
                # Two processes opening a new database at once migrate one after the other.
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except sa.exc.OperationalError as exc:
        where = engine.url.render_as_string(hide_password=True)
        msg = f"cannot reach or migrate the store at {where}: {exc.orig}"
        raise StoreError(msg) from None
