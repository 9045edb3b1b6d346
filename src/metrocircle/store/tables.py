"""SQLAlchemy Core tables of the store: observations, submissions, users, tokens, the audit log."""

from __future__ import annotations

import sqlalchemy as sa

__all__ = [
    "OBSERVATION_STATUSES",
    "PROVENANCE_FIELDS",
    "api_tokens",
    "audit_log",
    "metadata",
    "observations",
    "submissions",
    "users",
    "visitor_counts",
    "water_levels",
]

metadata = sa.MetaData()

OBSERVATION_STATUSES = ("submitted", "accepted", "rejected")
"""A submitted observation waits for review; only accepted ones enter the evaluation."""

PROVENANCE_FIELDS = ("source_kind", "publisher", "publication", "statement_zh", "published_date")
"""Provenance columns of an observation besides ``source`` and ``source_url`` (issue 15)."""

observations = sa.Table(
    "observations",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("indicator", sa.String(80), nullable=False),
    sa.Column("unit_code", sa.String(40), nullable=False),
    sa.Column("period", sa.Integer, nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("unit_of_measure", sa.String(20), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("source_url", sa.Text, nullable=True),
    sa.Column("submitted_by", sa.String(120), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("batch_id", sa.String(36), nullable=False),
    sa.Column("status", sa.String(12), nullable=False, server_default="accepted"),
    sa.Column("reviewed_by", sa.String(120), nullable=True),
    sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("review_reason", sa.Text, nullable=True),
    # Provenance (issue 15, revision 0007). NULL: a row stored before the store recorded it
    # ("unrecorded"); every row written since names its kind (secondary when none is given).
    sa.Column("source_kind", sa.String(40), nullable=True),
    sa.Column("publisher", sa.Text, nullable=True),
    sa.Column("publication", sa.Text, nullable=True),
    sa.Column("statement_zh", sa.Text, nullable=True),
    sa.Column("published_date", sa.String(10), nullable=True),
    sa.CheckConstraint(
        "status IN ('submitted', 'accepted', 'rejected')", name="ck_observation_status"
    ),
)
sa.Index("ix_observations_indicator_unit", observations.c.indicator, observations.c.unit_code)
sa.Index("ix_observations_batch", observations.c.batch_id)
sa.Index("ix_observations_status", observations.c.status)
# One live (submitted or accepted) value per indicator, scope, year and source; a rejected
# value may be submitted again, corrected.
sa.Index(
    "uq_observation_live",
    observations.c.indicator,
    observations.c.unit_code,
    observations.c.period,
    observations.c.source,
    unique=True,
    sqlite_where=observations.c.status != "rejected",
    postgresql_where=observations.c.status != "rejected",
)

submissions = sa.Table(
    "submissions",
    metadata,
    sa.Column("batch_id", sa.String(36), primary_key=True),
    sa.Column("submitted_by", sa.String(120), nullable=False),
    sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("origin", sa.String(200), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("idempotency_key", sa.String(120), nullable=True),
    sa.Column("request_digest", sa.String(64), nullable=True),
    sa.UniqueConstraint("submitted_by", "idempotency_key", name="uq_submission_idempotency"),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(80), nullable=False, unique=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("unit_code", sa.String(40), nullable=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("token_epoch", sa.Integer, nullable=False, server_default="0"),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.String(80), nullable=False),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("prefix", sa.String(12), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("entity", sa.String(40), nullable=True),
    sa.Column("entity_id", sa.String(80), nullable=True),
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
    sa.Column("origin", sa.String(200), nullable=True),
    sa.Column("at_text", sa.String(40), nullable=True),
    sa.Column("prev_hash", sa.String(64), nullable=True),
    sa.Column("hash", sa.String(64), nullable=True),
)
sa.Index("uq_audit_hash", audit_log.c.hash, unique=True)

visitor_counts = sa.Table(
    "visitor_counts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scenic_id", sa.String(80), nullable=False),
    sa.Column("time_text", sa.String(40), nullable=False),
    sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("in_park", sa.Integer, nullable=True),
    sa.Column("cumulative_today", sa.Integer, nullable=True),
    sa.Column("reported_by", sa.String(120), nullable=False),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("batch_id", sa.String(36), nullable=False),
)
sa.Index("ix_visitor_counts_area_time", visitor_counts.c.scenic_id, visitor_counts.c.observed_at)

water_levels = sa.Table(
    "water_levels",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("station_id", sa.String(64), nullable=False),
    sa.Column("time_text", sa.String(40), nullable=False),
    sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("level_m", sa.Float, nullable=False),
    sa.Column("reported_by", sa.String(120), nullable=False),
    sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("batch_id", sa.String(36), nullable=False),
)
# One reading per gauge and instant: a second import of the same hour is refused, not doubled.
sa.Index(
    "uq_water_levels_station_time",
    water_levels.c.station_id,
    water_levels.c.observed_at,
    unique=True,
)
