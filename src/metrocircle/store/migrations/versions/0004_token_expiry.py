"""Every API token expires: tokens made without an expiry get one, written to the audit log.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Before this revision a machine-feed token could be made without an expiry and then lived for
ever (issue 19). The store now refuses a token without ``expires_at``; this revision gives each
live token that has none the default lifetime (90 days, ``api_token_default_days``) from the
day of the upgrade, so feeds keep working while their owners make new tokens, and records
the change as one audit entry (``expire_api_tokens``) so ``audit verify`` sees it.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

DEFAULT_DAYS = 90
"""The default token lifetime of the settings (``api_token_default_days``) at this revision."""


def upgrade() -> None:
    from metrocircle.store import audit

    conn = op.get_bind()
    tokens = sa.table(
        "api_tokens",
        sa.column("id", sa.Integer),
        sa.column("expires_at", sa.DateTime(timezone=True)),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
    )
    ids = [
        int(i)
        for i in conn.execute(
            sa.select(tokens.c.id)
            .where(tokens.c.expires_at.is_(None), tokens.c.revoked_at.is_(None))
            .order_by(tokens.c.id)
        ).scalars()
    ]
    if not ids:
        return
    now = datetime.now(UTC)
    expires = now + timedelta(days=DEFAULT_DAYS)
    conn.execute(tokens.update().where(tokens.c.id.in_(ids)).values(expires_at=expires))
    audit.append(
        conn,
        actor="migration 0004",
        action="expire_api_tokens",
        detail={"reason": "every API token expires (issue 19)", "days": DEFAULT_DAYS},
        entity="api_token",
        after={"expiry_set": {str(i): audit.at_text(expires) for i in ids}},
        at=now,
    )


def downgrade() -> None:
    # The expiry given to old tokens stays: removing it would make them live for ever again.
    pass
