"""The store of what changes: observations with their review, accounts, and the audit log."""

from metrocircle.store.counts import VisitorCountIn, VisitorCountRecord
from metrocircle.store.db import (
    ApiTokenRecord,
    AuditEntry,
    AuditReport,
    ImportResult,
    ObservationRecord,
    Store,
    SubmissionRecord,
    UserRecord,
    default_url,
)
from metrocircle.store.observations_file import ObservationIn, read_observations_file

__all__ = [
    "ApiTokenRecord",
    "AuditEntry",
    "AuditReport",
    "ImportResult",
    "ObservationIn",
    "ObservationRecord",
    "Store",
    "SubmissionRecord",
    "UserRecord",
    "VisitorCountIn",
    "VisitorCountRecord",
    "default_url",
    "read_observations_file",
]
