"""Water levels of the flood gauge stations, kept in the store.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-02

A stored reading decides the flood warnings the joint office issues, so it is written like
every other change: in one transaction with its audit entry. One reading per station and
instant (UTC); the reading's own zone is kept in ``time_text``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "water_levels",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("station_id", sa.String(64), nullable=False),
        sa.Column("time_text", sa.String(40), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("level_m", sa.Float, nullable=False),
        sa.Column("reported_by", sa.String(120), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=False),
    )
    op.create_index(
        "uq_water_levels_station_time",
        "water_levels",
        ["station_id", "observed_at"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("uq_water_levels_station_time", table_name="water_levels")
    op.drop_table("water_levels")
