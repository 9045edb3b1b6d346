"""Alembic environment: runs migrations on the connection the Store hands over."""

from __future__ import annotations

from alembic import context

from metrocircle.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the Store always passes a connection
    msg = "metrocircle migrations run through metrocircle.store.Store, which passes a connection"
    raise RuntimeError(msg)
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
