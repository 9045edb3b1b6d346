"""Request and response models of the multi-user routes: login, users, submissions, review, audit."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from metrocircle.security import Principal
    from metrocircle.store import ApiTokenRecord, AuditEntry, SubmissionRecord, UserRecord

__all__ = [
    "ApiTokenIn",
    "ApiTokenOut",
    "AuditEntryOut",
    "AuditPageOut",
    "AuditVerifyOut",
    "MeOut",
    "NewApiTokenOut",
    "ObservationSubmitIn",
    "ReviewIn",
    "ReviewResultOut",
    "SubmissionIn",
    "SubmissionListOut",
    "SubmissionOut",
    "SubmissionResultOut",
    "TokenOut",
    "TokenUserOut",
    "UserIn",
    "UserOut",
]

MAX_ROWS_PER_REQUEST = 5_000
"""Rows one POST may carry; larger imports go through `metrocircle import observations --as`."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ObservationSubmitIn(_In):
    """One observation a user submits."""

    indicator: str = Field(min_length=1, max_length=80, description="indicator id")
    scope: str = Field(min_length=1, max_length=64, description="unit code (or region/group:…)")
    # Strict: a JSON number only (no true, no "5", no 2024.0 as a year).
    period: int = Field(ge=1949, le=2100, strict=True, description="calendar year")
    value: float = Field(allow_inf_nan=False, strict=True)
    unit: str = Field(min_length=1, max_length=20, description="unit of measure, e.g. pct")
    source: str = Field(min_length=1, max_length=1000, description="document, table, year")
    source_url: str | None = Field(default=None, max_length=2000)
    source_kind: str | None = Field(
        default=None,
        max_length=40,
        description="official_statistics, government_document, official_media or secondary "
        "(the default); an official kind names its publisher and publication",
    )
    publisher: str | None = Field(
        default=None, max_length=200, description="who published it, e.g. 重庆市统计局"
    )
    publication: str | None = Field(
        default=None, max_length=1000, description="the publication, e.g. a statistical bulletin"
    )
    statement_zh: str | None = Field(
        default=None, max_length=4000, description="the statement quoted from the publication"
    )
    published_date: str | None = Field(
        default=None, max_length=10, description="YYYY, YYYY-MM or YYYY-MM-DD"
    )


class SubmissionIn(_In):
    """A batch of observations: stored all together or not at all."""

    observations: list[ObservationSubmitIn] = Field(min_length=1, max_length=MAX_ROWS_PER_REQUEST)
    note: str | None = Field(default=None, max_length=2000)


class SubmissionResultOut(_Out):
    """What a submission stored (or, replayed by its Idempotency-Key, had stored)."""

    batch_id: str
    status: str
    rows: int
    ids: list[int]
    replayed: bool
    file: str | None = None
    """The file the rows came from (none for a request body; the CLI's document names it)."""


class ReviewIn(_In):
    """A reviewer's decision; a rejection gives its reason."""

    decision: Literal["accept", "reject"]
    reason: str | None = Field(default=None, max_length=2000)


class ReviewResultOut(_Out):
    """A batch review's outcome."""

    batch_id: str
    decision: str
    rows: int
    ids: list[int] = []
    """The observations decided."""


class SubmissionOut(_Out):
    """A batch and how far its review got."""

    batch_id: str
    submitted_by: str
    submitted_at: datetime
    origin: str | None
    note: str | None
    rows: int
    pending: int
    accepted: int
    rejected: int
    scopes: list[str]

    @classmethod
    def build(cls, s: SubmissionRecord) -> SubmissionOut:
        """From a store record."""
        return cls(
            batch_id=s.batch_id,
            submitted_by=s.submitted_by,
            submitted_at=s.submitted_at,
            origin=s.origin,
            note=s.note,
            rows=s.rows,
            pending=s.pending,
            accepted=s.accepted,
            rejected=s.rejected,
            scopes=list(s.scopes),
        )


class SubmissionListOut(_Out):
    """Batches, newest first."""

    items: list[SubmissionOut]


class TokenUserOut(_Out):
    """Who a token belongs to."""

    name: str
    role: str
    unit: str | None


class TokenOut(_Out):
    """The OAuth2 password flow's answer."""

    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user: TokenUserOut


class MeOut(_Out):
    """The logged-in user and what they may do."""

    name: str
    role: str
    unit: str | None
    units: list[str]
    can_submit: bool
    can_review: bool
    is_admin: bool
    via: str

    @classmethod
    def build(cls, p: Principal) -> MeOut:
        """From the request's principal."""
        return cls(
            name=p.name,
            role=p.role.value,
            unit=p.unit,
            units=sorted(p.units),
            can_submit=p.can_submit,
            can_review=p.can_review,
            is_admin=p.is_admin,
            via=p.via,
        )


class ApiTokenIn(_In):
    """A new machine-feed token."""

    name: str = Field(min_length=1, max_length=80)
    expires_days: int | None = Field(
        default=None,
        ge=1,
        le=3660,
        description="lifetime in days; default and maximum are the server's settings "
        "(api_token_default_days, api_token_max_days); every token expires",
    )


class ApiTokenOut(_Out):
    """A machine-feed token without its secret."""

    id: int
    user: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def build(cls, t: ApiTokenRecord) -> ApiTokenOut:
        """From a store record."""
        return cls(
            id=t.id,
            user=t.user,
            name=t.name,
            prefix=t.prefix,
            created_at=t.created_at,
            expires_at=t.expires_at,
            revoked_at=t.revoked_at,
        )


class NewApiTokenOut(ApiTokenOut):
    """A token just made: the secret is shown this once."""

    token: str


class UserIn(_In):
    """A new account."""

    name: str = Field(min_length=2, max_length=80, pattern=r"^[\w.@-]+$")
    role: Literal["admin", "officer", "reviewer", "viewer"]
    unit: str | None = Field(default=None, max_length=40)
    password: str = Field(min_length=12, max_length=1000)


class UserOut(_Out):
    """An account (never its password hash)."""

    name: str
    role: str
    unit: str | None
    disabled: bool
    created_at: datetime
    created_by: str

    @classmethod
    def build(cls, u: UserRecord) -> UserOut:
        """From a store record."""
        return cls(
            name=u.name,
            role=u.role,
            unit=u.unit,
            disabled=u.disabled,
            created_at=u.created_at,
            created_by=u.created_by,
        )


class AuditEntryOut(_Out):
    """One audit entry: who, when, what, before and after, from where, and its chain hashes."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str | None
    entity_id: str | None
    before: Any
    after: Any
    origin: str | None
    detail: dict[str, Any]
    prev_hash: str | None
    hash: str | None

    @classmethod
    def build(cls, e: AuditEntry) -> AuditEntryOut:
        """From a store record."""
        return cls(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            entity=e.entity,
            entity_id=e.entity_id,
            before=e.before,
            after=e.after,
            origin=e.origin,
            detail=e.detail,
            prev_hash=e.prev_hash,
            hash=e.hash,
        )


class AuditPageOut(_Out):
    """A page of the audit log and the chain's current head."""

    items: list[AuditEntryOut]
    head_hash: str | None


class AuditVerifyOut(_Out):
    """The audit log's integrity check."""

    ok: bool
    entries: int
    head_hash: str | None
    first_bad_id: int | None
    problem: str | None
    problems: list[str]
