"""Accounts and permissions of the multi-user mode: roles, password hashing, tokens.

Pure functions and small types: the store keeps users and token hashes, the API turns a
bearer token into a :class:`Principal`, and every write asks :func:`check_scopes` first.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from metrocircle._errors import AuthError, PermissionDeniedError, Problem

if TYPE_CHECKING:
    from metrocircle.region import Region
    from metrocircle.store import UserRecord

__all__ = [
    "API_TOKEN_PREFIX",
    "Principal",
    "Role",
    "check_scopes",
    "decode_access_token",
    "hash_password",
    "issue_access_token",
    "jurisdiction",
    "new_api_token",
    "password_problems",
    "principal_for",
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


@dataclass(frozen=True)
class Principal:
    """An authenticated user, as one request sees them."""

    name: str
    role: Role
    unit: str | None
    units: frozenset[str]
    """Scopes this user may submit for (empty for roles that do not submit)."""
    via: str = "password"
    """``password`` (a signed access token from a login) or ``api_token``."""

    @property
    def can_submit(self) -> bool:
        """Officers and administrators submit observations."""
        return self.role in (Role.OFFICER, Role.ADMIN)

    @property
    def can_review(self) -> bool:
        """Reviewers and administrators accept or reject submissions."""
        return self.role in (Role.REVIEWER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        """The joint office."""
        return self.role is Role.ADMIN


def principal_for(region: Region, user: UserRecord, *, via: str = "password") -> Principal:
    """The principal a stored account acts as in ``region`` (its role and jurisdiction)."""
    role = Role(user.role)
    return Principal(user.name, role, user.unit, jurisdiction(region, role, user.unit), via)


def jurisdiction(region: Region, role: Role, unit: str | None) -> frozenset[str]:
    """Scopes a user may submit for.

    An officer's own unit and the units whose parent it is (an officer of 广安市 also
    submits for 岳池县, 武胜县, …); an administrator any scope of the region; others none.
    """
    if role is Role.ADMIN:
        from metrocircle.store.observations_file import valid_scopes

        return frozenset(valid_scopes(region.unit_codes, region.manifest))
    if role is Role.OFFICER and unit is not None:
        return frozenset({unit, *region.children(unit)})
    return frozenset()


def check_scopes(principal: Principal, scopes: list[str], *, file: str = "body") -> None:
    """Refuse when ``principal`` may not submit, or any scope is outside their jurisdiction.

    Raises
    ------
    PermissionDeniedError
        Naming every refused row (``Problem.row`` is the row's index in the request).
    """
    if not principal.can_submit:
        msg = (
            f"user {principal.name!r} has role {principal.role.value!r}, which may not submit data"
        )
        raise PermissionDeniedError(msg)
    refused = tuple(
        Problem(
            file,
            i,
            "scope",
            f"{principal.name!r} may submit only for {sorted(principal.units)}, not {s!r}",
        )
        for i, s in enumerate(scopes)
        if s not in principal.units
    )
    if refused:
        msg = f"{len(refused)} row(s) are outside the units of {principal.name!r}"
        raise PermissionDeniedError(msg, refused)


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
