"""Credentials of the multi-user mode: roles, password hashing, access and API tokens.

Pure functions over strings: nothing here reads or writes the store (the store keeps the
hashes these functions make; :mod:`metrocircle.security` decides what a user may do).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from metrocircle._errors import AuthError

__all__ = [
    "API_TOKEN_PREFIX",
    "MIN_PASSWORD_LENGTH",
    "ROLES",
    "Role",
    "burn_password_check",
    "decode_access_token",
    "hash_password",
    "issue_access_token",
    "new_api_token",
    "password_problems",
    "token_sha256",
    "verify_password",
]

API_TOKEN_PREFIX = "mc_"
"""Machine-feed tokens start with this, so they are told apart from signed access tokens."""

MIN_PASSWORD_LENGTH = 12
"""NIST SP 800-63B asks for at least 8; 12 for accounts that can change a public record."""

_JWT_ALGORITHM = "HS256"
_AUDIENCE = "metrocircle"


class Role(StrEnum):
    """What a user may do; the public (anonymous) only reads published data."""

    ADMIN = "admin"
    """The joint office (联席会议办公室): users, audit, any scope."""
    OFFICER = "officer"
    """A district's data officer: submits the data of their own unit (and its child units)."""
    REVIEWER = "reviewer"
    """Accepts or rejects submissions (never their own)."""
    VIEWER = "viewer"
    """Reads everything, including submissions not yet reviewed; writes nothing."""


ROLES: tuple[str, ...] = tuple(r.value for r in Role)
"""The account roles as stored (``users.role``), in the order of :class:`Role`."""


def password_problems(password: str, *, name: str = "") -> list[str]:
    """Why a password is refused (empty when it is acceptable).

    >>> password_problems("short")
    ['at least 12 characters are required']
    >>> password_problems("joint-office-2026!")
    []
    """
    out = []
    if len(password) < MIN_PASSWORD_LENGTH:
        out.append(f"at least {MIN_PASSWORD_LENGTH} characters are required")
    if name and name.lower() in password.lower():
        out.append("the password must not contain the user name")
    if password.strip() != password:
        out.append("the password must not begin or end with white space")
    return out


def _hasher() -> Any:
    from argon2 import PasswordHasher

    # argon2-cffi's defaults follow RFC 9106's second recommended option (Argon2id, 64 MiB).
    return PasswordHasher()


def hash_password(password: str) -> str:
    """An Argon2id hash (PHC string) of ``password``."""
    h: str = _hasher().hash(password)
    return h


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (constant-time in the hash library)."""
    from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

    try:
        return bool(_hasher().verify(stored_hash, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: str | None = None


def burn_password_check(password: str) -> None:
    """Spend the time of one verification, so an unknown user name answers as slowly as a known one."""
    global _DUMMY_HASH  # noqa: PLW0603 - one lazily made constant
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    verify_password(_DUMMY_HASH, password)


def issue_access_token(
    secret: str, *, name: str, role: str, unit: str | None, ttl: timedelta, epoch: int
) -> str:
    """A signed (HS256) bearer token for ``name``, valid for ``ttl``.

    ``epoch`` is the user's token epoch (:attr:`metrocircle.store.UserRecord.token_epoch`):
    a password change, disabling the user or signing out everywhere moves it on, and
    tokens of an older epoch are refused.
    """
    import jwt

    now = datetime.now(UTC)
    claims = {
        "sub": name,
        "role": role,
        "unit": unit,
        "iat": now,
        "exp": now + ttl,
        "aud": _AUDIENCE,
        "jti": secrets.token_hex(8),
        "tep": epoch,
    }
    return str(jwt.encode(claims, secret, algorithm=_JWT_ALGORITHM))


def decode_access_token(secret: str, token: str) -> dict[str, Any]:
    """The claims of a valid access token.

    Raises
    ------
    AuthError
        When the token is malformed, forged (bad signature or another algorithm, ``none``
        included), expired, or for another audience.
    """
    import jwt

    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            secret,
            algorithms=[_JWT_ALGORITHM],
            audience=_AUDIENCE,
            options={"require": ["exp", "iat", "sub", "aud"]},
        )
    except jwt.ExpiredSignatureError:
        msg = "the access token has expired; log in again"
        raise AuthError(msg) from None
    except jwt.PyJWTError:
        msg = "the access token is not valid"
        raise AuthError(msg) from None
    return claims


def new_api_token() -> tuple[str, str, str]:
    """A new machine-feed token: (token shown once, its SHA-256 to store, a display prefix)."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, token_sha256(token), token[:10]


def token_sha256(token: str) -> str:
    """SHA-256 (hex) of an API token: what the store keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
