"""Visitor counts of scenic areas, kept in the store (they were held in server memory).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

A reported count changes the public crowd warnings, so it is written like every other
change: by a logged-in user, in one transaction with its audit entry.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visitor_counts",
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
    op.create_index(
        "ix_visitor_counts_area_time", "visitor_counts", ["scenic_id", "observed_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_visitor_counts_area_time", table_name="visitor_counts")
    op.drop_table("visitor_counts")
