"""Accounts and their API tokens: creating, authenticating, disabling, signing out.

Every change is one transaction with its audit entry (the password hash itself is never
logged, only its keyed digest: :func:`metrocircle.store.accounts.secret_digest`).
Hashing and tokens are :mod:`metrocircle.auth`'s; the store keeps only their hashes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from metrocircle import auth
from metrocircle._errors import ConflictError, DataValidationError, NotFoundError, Problem
from metrocircle.auth import ROLES
from metrocircle.store import audit
from metrocircle.store.accounts import (
    DEFAULT_TOKEN_DAYS,
    MAX_TOKEN_DAYS,
    name_problems,
    normal_name,
    revoke_live_tokens,
    secret_digest,
    token_expiry,
)
from metrocircle.store.connection import utc, write
from metrocircle.store.tables import api_tokens, users

__all__ = ["ApiTokenRecord", "UserRecord"]

_USERS_LOCK = 731_2022_39
"""Advisory-lock key that serialises account creation on PostgreSQL."""


@dataclass(frozen=True)
class UserRecord:
    """An account (the password hash never leaves the store)."""

    id: int
    name: str
    role: str
    unit: str | None
    disabled: bool
    created_at: datetime
    created_by: str
    password_changed_at: datetime
    token_epoch: int = 0
    """Raised by a password change, disabling, or signing out everywhere: access tokens
    carry the epoch they were issued in and are void once it moves on."""


@dataclass(frozen=True)
class ApiTokenRecord:
    """A machine-feed token (only its hash and a display prefix are stored)."""

    id: int
    user: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def _record(r: Any) -> UserRecord:
    return UserRecord(
        r.id,
        r.name,
        r.role,
        r.unit_code,
        bool(r.disabled),
        utc(r.created_at) or r.created_at,
        r.created_by,
        utc(r.password_changed_at) or r.password_changed_at,
        int(r.token_epoch),
    )


def add_user(
    engine: Engine,
    name: str,
    *,
    role: str,
    password: str,
    unit: str | None = None,
    actor: str,
    origin: str | None = None,
) -> UserRecord:
    """Create an account (password hashed with Argon2id; the unit is the caller's to check).

    Raises
    ------
    DataValidationError
        A malformed name, an unknown role, an officer without a unit, a weak password.
    ConflictError
        The name is taken.
    """
    name = normal_name(name)
    problems = [Problem("user", 0, "name", p) for p in name_problems(name)]
    if role not in ROLES:
        problems.append(Problem("user", 0, "role", f"unknown role {role!r}; one of {list(ROLES)}"))
    if role == "officer" and not unit:
        problems.append(Problem("user", 0, "unit", "an officer must be bound to a unit"))
    problems += [
        Problem("user", 0, "password", p) for p in auth.password_problems(password, name=name)
    ]
    if problems:
        raise DataValidationError(problems, summary=f"user {name!r} was not created")
    now = datetime.now(UTC)
    pw = auth.hash_password(password)
    taken = ConflictError(
        [Problem("user", 0, "name", f"a user named {name!r} exists already")],
        summary=f"user {name!r} exists already",
    )
    try:
        with write(engine) as conn:
            if conn.dialect.name == "postgresql":
                # Serialise account creation, so two names differing in case cannot both
                # pass the check below (SQLite's BEGIN IMMEDIATE serialises already).
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _USERS_LOCK})
            clash = conn.execute(
                sa.select(users.c.name).where(sa.func.lower(users.c.name) == name.lower())
            ).first()
            if clash is not None and clash.name == name:
                raise taken
            if clash is not None:
                raise ConflictError(
                    [
                        Problem(
                            "user",
                            0,
                            "name",
                            f"{name!r} differs only in case from the user {clash.name!r}",
                        )
                    ],
                    summary=f"user {name!r} exists already",
                )
            conn.execute(
                users.insert().values(
                    name=name,
                    role=role,
                    unit_code=unit,
                    password_hash=pw,
                    disabled=False,
                    created_at=now,
                    created_by=actor,
                    password_changed_at=now,
                )
            )
            audit.append(
                conn,
                actor=actor,
                action="add_user",
                entity="user",
                entity_id=name,
                after={
                    "name": name,
                    "role": role,
                    "unit": unit,
                    "disabled": False,
                    "password_digest": secret_digest(pw),
                },
                origin=origin,
                at=now,
            )
    except sa.exc.IntegrityError:
        raise taken from None
    return one(engine, name)


def one(engine: Engine, name: str) -> UserRecord:
    """One account by name."""
    with engine.connect() as conn:
        r = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
    if r is None:
        msg = f"no user is named {name!r}"
        raise NotFoundError(msg)
    return _record(r)


def every(engine: Engine) -> list[UserRecord]:
    """Every account, by name."""
    with engine.connect() as conn:
        return [_record(r) for r in conn.execute(sa.select(users).order_by(users.c.name))]


def authenticate(engine: Engine, name: str, password: str) -> UserRecord | None:
    """The enabled user whose password this is, else None (same time either way)."""
    name = normal_name(name)
    with engine.connect() as conn:
        r = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
    if r is None:
        auth.burn_password_check(password)
        return None
    if not auth.verify_password(r.password_hash, password) or r.disabled:
        return None
    return _record(r)


def set_disabled(
    engine: Engine, name: str, disabled: bool, *, actor: str, origin: str | None = None
) -> UserRecord:
    """Disable (or enable) an account; a disabled user's tokens stop working at once.

    Disabling revokes the user's API tokens too: enabling the account again does not
    bring them back.
    """
    now = datetime.now(UTC)
    with write(engine) as conn:
        r = conn.execute(sa.select(users).where(users.c.name == name)).one_or_none()
        if r is None:
            msg = f"no user is named {name!r}"
            raise NotFoundError(msg)
        conn.execute(
            users.update()
            .where(users.c.id == r.id)
            .values(disabled=disabled, token_epoch=users.c.token_epoch + 1)
        )
        after: dict[str, Any] = {"disabled": disabled}
        if disabled:
            after["revoked_tokens"] = revoke_live_tokens(conn, r.id, now)
        audit.append(
            conn,
            actor=actor,
            action="disable_user" if disabled else "enable_user",
            entity="user",
            entity_id=name,
            before={"disabled": bool(r.disabled)},
            after=after,
            origin=origin,
            at=now,
        )
    return one(engine, name)


def set_password(
    engine: Engine, name: str, password: str, *, actor: str, origin: str | None = None
) -> None:
    """Change a password; access tokens issued before are void, API tokens revoked."""
    problems = [
        Problem("user", 0, "password", p) for p in auth.password_problems(password, name=name)
    ]
    if problems:
        raise DataValidationError(problems, summary="the password was not changed")
    now = datetime.now(UTC)
    pw = auth.hash_password(password)
    with write(engine) as conn:
        uid = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
        if uid is None:
            msg = f"no user is named {name!r}"
            raise NotFoundError(msg)
        conn.execute(
            users.update()
            .where(users.c.id == uid)
            .values(password_hash=pw, password_changed_at=now, token_epoch=users.c.token_epoch + 1)
        )
        audit.append(
            conn,
            actor=actor,
            action="set_password",
            entity="user",
            entity_id=name,
            after={
                "password_changed": True,
                "password_digest": secret_digest(pw),
                "revoked_tokens": revoke_live_tokens(conn, uid, now),
            },
            origin=origin,
            at=now,
        )


def end_sessions(engine: Engine, name: str, *, actor: str, origin: str | None = None) -> None:
    """Void every access token of ``name`` issued so far and revoke their API tokens.

    Signing out everywhere ends every credential: a token left in a script dies too.
    """
    now = datetime.now(UTC)
    with write(engine) as conn:
        uid = conn.execute(sa.select(users.c.id).where(users.c.name == name)).scalar()
        if uid is None:
            msg = f"no user is named {name!r}"
            raise NotFoundError(msg)
        conn.execute(
            users.update().where(users.c.id == uid).values(token_epoch=users.c.token_epoch + 1)
        )
        audit.append(
            conn,
            actor=actor,
            action="end_sessions",
            entity="user",
            entity_id=name,
            after={
                "sessions_ended": True,
                "revoked_tokens": revoke_live_tokens(conn, uid, now),
            },
            origin=origin,
            at=now,
        )


def create_api_token(
    engine: Engine,
    user: str,
    name: str,
    *,
    expires_days: int | None = None,
    default_days: int = DEFAULT_TOKEN_DAYS,
    max_days: int = MAX_TOKEN_DAYS,
    actor: str,
    origin: str | None = None,
) -> tuple[ApiTokenRecord, str]:
    """A machine-feed token for ``user``: (its record, the token — shown this once).

    Every token expires: after ``expires_days`` (default ``default_days``), at most
    ``max_days`` (the operator's settings ``api_token_default_days`` and
    ``api_token_max_days``).
    """
    if not name.strip() or len(name) > 80:
        raise DataValidationError([Problem("body", 0, "name", "1–80 characters")])
    now = datetime.now(UTC)
    expires = token_expiry(now, expires_days, default_days=default_days, max_days=max_days)
    token, digest, prefix = auth.new_api_token()
    with write(engine) as conn:
        u = conn.execute(sa.select(users.c.id).where(users.c.name == user)).one_or_none()
        if u is None:
            msg = f"no user is named {user!r}"
            raise NotFoundError(msg)
        tid = conn.execute(
            api_tokens.insert()
            .values(
                user_id=u.id,
                name=name,
                token_sha256=digest,
                prefix=prefix,
                created_at=now,
                expires_at=expires,
            )
            .returning(api_tokens.c.id)
        ).scalar_one()
        audit.append(
            conn,
            actor=actor,
            action="create_api_token",
            entity="api_token",
            entity_id=str(tid),
            after={
                "user": user,
                "name": name,
                "prefix": prefix,
                "expires_at": audit.at_text(expires),
                "secret_digest": secret_digest(digest),
            },
            origin=origin,
            at=now,
        )
    return ApiTokenRecord(tid, user, name, prefix, now, expires, None), token


def tokens(engine: Engine, user: str | None) -> list[ApiTokenRecord]:
    """The tokens of ``user`` (every user's with None), without the secrets."""
    q = (
        sa.select(api_tokens, users.c.name.label("user_name"))
        .join(users, users.c.id == api_tokens.c.user_id)
        .order_by(api_tokens.c.id)
    )
    if user is not None:
        q = q.where(users.c.name == user)
    with engine.connect() as conn:
        return [
            ApiTokenRecord(
                r.id,
                r.user_name,
                r.name,
                r.prefix,
                utc(r.created_at) or r.created_at,
                utc(r.expires_at),
                utc(r.revoked_at),
            )
            for r in conn.execute(q)
        ]


def revoke_api_token(
    engine: Engine, user: str | None, token_id: int, *, actor: str, origin: str | None = None
) -> None:
    """Revoke one of ``user``'s tokens (any user's with None: the administrator's)."""
    now = datetime.now(UTC)
    with write(engine) as conn:
        q = (
            sa.select(api_tokens.c.id, api_tokens.c.revoked_at)
            .join(users, users.c.id == api_tokens.c.user_id)
            .where(api_tokens.c.id == token_id)
        )
        if user is not None:
            q = q.where(users.c.name == user)
        r = conn.execute(q).one_or_none()
        if r is None:
            msg = (
                f"no API token has id {token_id}"
                if user is None
                else f"{user!r} has no API token with id {token_id}"
            )
            raise NotFoundError(msg)
        if r.revoked_at is not None:
            return
        conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(revoked_at=now))
        audit.append(
            conn,
            actor=actor,
            action="revoke_api_token",
            entity="api_token",
            entity_id=str(token_id),
            before={"revoked": False},
            after={"revoked": True},
            origin=origin,
            at=now,
        )


def user_for_api_token(engine: Engine, token: str) -> UserRecord | None:
    """The enabled user a live (not expired, not revoked) API token belongs to."""
    q = (
        sa.select(users, api_tokens.c.expires_at, api_tokens.c.revoked_at)
        .join(api_tokens, api_tokens.c.user_id == users.c.id)
        .where(api_tokens.c.token_sha256 == auth.token_sha256(token))
    )
    with engine.connect() as conn:
        r = conn.execute(q).one_or_none()
    if r is None or r.revoked_at is not None or r.disabled:
        return None
    exp = utc(r.expires_at)
    if exp is None or exp <= datetime.now(UTC):  # a token without an expiry is void
        return None
    return _record(r)
