"""SQLAlchemy Core tables of the store: observations and the append-only audit log."""

from __future__ import annotations

import sqlalchemy as sa

__all__ = ["audit_log", "metadata", "observations"]

metadata = sa.MetaData()

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
    sa.UniqueConstraint("indicator", "unit_code", "period", "source", name="uq_observation"),
)
sa.Index("ix_observations_indicator_unit", observations.c.indicator, observations.c.unit_code)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor", sa.String(120), nullable=False),
    sa.Column("action", sa.String(40), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
)
