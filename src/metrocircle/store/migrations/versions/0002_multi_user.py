"""Multi-user mode: users, API tokens, submissions with review, a hash-chained audit log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Existing observations become ``accepted`` (they were imported by the store's operator);
existing batches get a submissions row; existing audit entries are chained in id order
(the append-only trigger is lifted for that one update and put back).
"""

import hashlib
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _canon(obj: object) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _hash(prev: str, fields: list[object]) -> str:
    # Frozen copy of metrocircle.store.audit.entry_hash as of this revision.
    return hashlib.sha256(_canon([prev, *fields]).encode("utf-8")).hexdigest()


def _at_text(at: datetime | str) -> str:
    if isinstance(at, str):
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _lift_append_only(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")


def _restore_append_only(dialect: str) -> None:
    if dialect == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )
        # TRUNCATE bypasses row triggers: refuse it too.
        op.execute(
            "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name

    with op.batch_alter_table("observations", recreate="auto") as b:
        b.add_column(sa.Column("status", sa.String(12), nullable=False, server_default="accepted"))
        b.add_column(sa.Column("reviewed_by", sa.String(120), nullable=True))
        b.add_column(sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True))
        b.add_column(sa.Column("review_reason", sa.Text, nullable=True))
        b.drop_constraint("uq_observation", type_="unique")
        b.create_check_constraint(
            "ck_observation_status", "status IN ('submitted', 'accepted', 'rejected')"
        )
    live = sa.text("status <> 'rejected'")
    op.create_index(
        "uq_observation_live",
        "observations",
        ["indicator", "unit_code", "period", "source"],
        unique=True,
        sqlite_where=live,
        postgresql_where=live,
    )
    op.create_index("ix_observations_batch", "observations", ["batch_id"])
    op.create_index("ix_observations_status", "observations", ["status"])

    op.create_table(
        "submissions",
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
    op.execute(
        "INSERT INTO submissions (batch_id, submitted_by, submitted_at, rows) "
        "SELECT batch_id, MIN(submitted_by), MIN(submitted_at), COUNT(*) "
        "FROM observations GROUP BY batch_id"
    )
    op.create_table(
        "users",
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
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("name", sa.String(80), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )

    for col in (
        sa.Column("entity", sa.String(40), nullable=True),
        sa.Column("entity_id", sa.String(80), nullable=True),
        sa.Column("before", sa.Text, nullable=True),
        sa.Column("after", sa.Text, nullable=True),
        sa.Column("origin", sa.String(200), nullable=True),
        sa.Column("at_text", sa.String(40), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=True),
        sa.Column("hash", sa.String(64), nullable=True),
    ):
        op.add_column("audit_log", col)
    _lift_append_only(dialect)
    rows = bind.execute(
        sa.text("SELECT id, at, actor, action, detail FROM audit_log ORDER BY id")
    ).all()
    prev = GENESIS
    for r in rows:
        at = _at_text(r.at)
        h = _hash(prev, [at, r.actor, r.action, None, None, r.detail, None, None, None])
        bind.execute(
            sa.text("UPDATE audit_log SET at_text = :at, prev_hash = :p, hash = :h WHERE id = :id"),
            {"at": at, "p": prev, "h": h, "id": r.id},
        )
        prev = h
    _restore_append_only(dialect)
    op.create_index("uq_audit_hash", "audit_log", ["hash"], unique=True)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("uq_audit_hash", table_name="audit_log")
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    _lift_append_only(dialect)
    with op.batch_alter_table("audit_log") as b:
        for name in ("hash", "prev_hash", "at_text", "origin", "after", "before", "entity_id", "entity"):
            b.drop_column(name)
    _restore_append_only(dialect)
    if dialect == "postgresql":
        # _restore_append_only added the TRUNCATE trigger, which revision 0001 did not have.
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    op.drop_table("api_tokens")
    op.drop_table("users")
    op.drop_table("submissions")
    op.drop_index("ix_observations_status", table_name="observations")
    op.drop_index("ix_observations_batch", table_name="observations")
    op.drop_index("uq_observation_live", table_name="observations")
    with op.batch_alter_table("observations", recreate="auto") as b:
        b.drop_constraint("ck_observation_status", type_="check")
        b.create_unique_constraint("uq_observation", ["indicator", "unit_code", "period", "source"])
        for name in ("review_reason", "reviewed_at", "reviewed_by", "status"):
            b.drop_column(name)
