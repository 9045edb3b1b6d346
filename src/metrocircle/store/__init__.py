"""The store of what changes: observations and the audit log (SQLite by default, PostgreSQL by URL)."""

from metrocircle.store.db import AuditEntry, ImportResult, ObservationRecord, Store, default_url
from metrocircle.store.observations_file import ObservationIn, read_observations_file

__all__ = [
    "AuditEntry",
    "ImportResult",
    "ObservationIn",
    "ObservationRecord",
    "Store",
    "default_url",
    "read_observations_file",
]
