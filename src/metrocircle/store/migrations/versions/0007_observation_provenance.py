"""Provenance of stored observations: source kind, publisher, publication, statement, date.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

The evaluation counts official values only (issue 15): a stored value must say what kind of
source it comes from (``official_statistics``, ``government_document``, ``official_media``
or ``secondary``), who published it and in which publication. The columns are nullable: a
row stored before this revision keeps NULL, shown as "unrecorded" (its review accepted it
under the rules of its day), and its batch digest in the audit log stays as written.
Rows stored from this revision on always name a kind (``secondary`` when none is given).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("source_kind", sa.String(40)),
    ("publisher", sa.Text()),
    ("publication", sa.Text()),
    ("statement_zh", sa.Text()),
    ("published_date", sa.String(10)),
)


def upgrade() -> None:
    for name, type_ in _COLUMNS:
        op.add_column("observations", sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    # ALTER TABLE … DROP COLUMN on both databases (SQLite 3.35+): no index uses these columns.
    for name, _type in reversed(_COLUMNS):
        op.drop_column("observations", name)
