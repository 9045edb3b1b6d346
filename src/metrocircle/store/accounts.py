"""Accounts in the audit trail: what the log says users and tokens are, checked against the tables.

Every change to an account (created, disabled or enabled, password changed, token created or
revoked) is written with its audit entry. :func:`account_problems` replays those entries and
compares the result with the ``users`` and ``api_tokens`` tables, so a role, unit binding,
disabled flag, password hash or token edited, inserted or un-revoked behind the application's
back is reported by ``audit verify``. Password hashes and token hashes are recorded only as
a keyed digest (:func:`secret_digest`), never as themselves.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metrocircle._errors import DataValidationError, Problem
from metrocircle.store.audit import at_text
from metrocircle.store.tables import api_tokens, audit_log, users

__all__ = [
    "ACCOUNT_ACTIONS",
    "DEFAULT_TOKEN_DAYS",
    "MAX_TOKEN_DAYS",
    "account_problems",
    "name_problems",
    "normal_name",
    "revoke_live_tokens",
    "secret_digest",
    "token_expiry",
]

DEFAULT_TOKEN_DAYS = 90
"""Lifetime of an API token made without one (the settings' default; every token expires)."""
MAX_TOKEN_DAYS = 365
"""Longest lifetime of an API token unless the operator sets another (``api_token_max_days``)."""

_SECRET_TAG = b"metrocircle audit: stored secret\x00"

ACCOUNT_ACTIONS = (
    "add_user",
    "disable_user",
    "enable_user",
    "set_password",
    "end_sessions",
    "create_api_token",
    "revoke_api_token",
    "expire_api_tokens",
)
"""Audit actions that change an account or a token."""


_NAME_CHARS = re.compile(r"[A-Za-z0-9_.@\-\u3400-\u4dbf\u4e00-\u9fff]{2,80}")
"""A user name after NFKC: ASCII letters and digits, ``_ . @ -``, and Chinese characters."""


def normal_name(name: str) -> str:
    """A user name in NFKC (full-width ``ＡＢ１`` is ``AB1``), the form stored and compared.

    >>> normal_name("ｙｕｚｈｏｎｇ")
    'yuzhong'
    """
    return unicodedata.normalize("NFKC", name).strip()


def name_problems(name: str) -> list[str]:
    """Why a (normalised) user name is refused; empty when it is acceptable.

    Names are identifiers in the audit log and in every permission check, so a name that
    looks like another must not exist: only ASCII letters and digits, ``_ . @ -`` and
    Chinese characters are allowed (UTS #39's "highly restrictive" Latin + Han), which
    shuts out Cyrillic, Greek and other look-alike letters; names differing only in case
    are one name (checked by the store).

    >>> name_problems("yuzhong"), name_problems("渝中_officer")
    ([], [])
    >>> name_problems("аdmin")  # a Cyrillic а
    ['letters must be ASCII Latin or Chinese characters: U+0430 CYRILLIC SMALL LETTER A is a look-alike of another script']
    """
    if _NAME_CHARS.fullmatch(name):
        return []
    for c in name:
        if not _NAME_CHARS.fullmatch(c * 2):
            if c.isalnum():
                what = unicodedata.name(c, "an unnamed character")
                return [
                    "letters must be ASCII Latin or Chinese characters: "
                    f"U+{ord(c):04X} {what} is a look-alike of another script"
                ]
            return ["2–80 letters, digits or _ . @ - (no spaces)"]
    return ["2–80 letters, digits or _ . @ - (no spaces)"]


def secret_digest(stored: str) -> str:
    """A digest of a stored secret (a password hash, a token's SHA-256) for the audit log.

    Tagged, so it equals no digest the store keeps elsewhere; it proves the stored value is
    the one written without showing it.

    >>> len(secret_digest("x")), secret_digest("x") == secret_digest("y")
    (64, False)
    """
    return hashlib.sha256(_SECRET_TAG + stored.encode("utf-8")).hexdigest()


def token_expiry(
    now: datetime,
    expires_days: int | None,
    *,
    default_days: int = DEFAULT_TOKEN_DAYS,
    max_days: int = MAX_TOKEN_DAYS,
) -> datetime:
    """When a token made at ``now`` expires: never later than ``max_days``, never "never".

    Raises
    ------
    DataValidationError
        When ``expires_days`` is below 1 or above ``max_days``.

    >>> token_expiry(datetime(2026, 1, 1, tzinfo=UTC), None).date().isoformat()
    '2026-04-01'
    """
    days = default_days if expires_days is None else expires_days
    if not 1 <= days <= max_days:
        raise DataValidationError(
            [Problem("body", 0, "expires_days", f"between 1 and {max_days} days")],
            summary=f"an API token lives 1 to {max_days} days",
        )
    return now + timedelta(days=days)


def revoke_live_tokens(conn: Connection, user_id: int, now: datetime) -> list[int]:
    """Revoke every live API token of a user in the caller's transaction; their ids.

    The caller records the ids in its audit entry (``after["revoked_tokens"]``), so the
    log's replay knows they were revoked.
    """
    ids = [
        int(i)
        for i in conn.execute(
            sa.select(api_tokens.c.id)
            .where(api_tokens.c.user_id == user_id, api_tokens.c.revoked_at.is_(None))
            .order_by(api_tokens.c.id)
        ).scalars()
    ]
    if ids:
        conn.execute(api_tokens.update().where(api_tokens.c.id.in_(ids)).values(revoked_at=now))
    return ids


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


@dataclass
class _User:
    entry: int
    role: str | None
    unit: str | None
    disabled: bool = False
    password: str | None = None
    """Secret digest of the password hash, when the entry recorded one."""


@dataclass
class _Token:
    entry: int
    user: str | None
    name: str | None
    prefix: str | None
    expires_at: str | None
    revoked: bool = False
    secret: str | None = None
    checks: set[str] = field(default_factory=set)
    """Fields the entry recorded (older entries recorded fewer)."""


def _replay(conn: Connection) -> tuple[dict[str, _User], dict[int, _Token]]:
    who: dict[str, _User] = {}
    tokens: dict[int, _Token] = {}
    q = (
        sa.select(audit_log.c.id, audit_log.c.action, audit_log.c.entity_id, audit_log.c.after)
        .where(audit_log.c.action.in_(ACCOUNT_ACTIONS))
        .order_by(audit_log.c.id)
    )
    for r in conn.execute(q):
        after: dict[str, Any] = json.loads(r.after) if r.after else {}
        name = r.entity_id
        if r.action == "add_user":
            who[name] = _User(
                r.id,
                after.get("role"),
                after.get("unit"),
                bool(after.get("disabled", False)),
                after.get("password_digest"),
            )
        elif r.action in ("disable_user", "enable_user") and name in who:
            who[name].disabled = bool(after.get("disabled", r.action == "disable_user"))
        elif r.action == "set_password" and name in who:
            who[name].password = after.get("password_digest")
        elif r.action == "create_api_token" and name is not None:
            tokens[int(name)] = _Token(
                r.id,
                after.get("user"),
                after.get("name"),
                after.get("prefix"),
                after.get("expires_at"),
                False,
                after.get("secret_digest"),
                set(after),
            )
        elif r.action == "revoke_api_token" and name is not None and int(name) in tokens:
            tokens[int(name)].revoked = True
        # Revocations that come with another change (password, disable, sign-out everywhere).
        for tid in after.get("revoked_tokens", ()):
            if int(tid) in tokens:
                tokens[int(tid)].revoked = True
        for tid, when in after.get("expiry_set", {}).items():
            if int(tid) in tokens:
                tokens[int(tid)].expires_at = when
                tokens[int(tid)].checks.add("expires_at")
    return who, tokens


def account_problems(conn: Connection) -> list[str]:
    """Where the users and tokens tables differ from what the audit log recorded."""
    who, tokens = _replay(conn)
    problems: list[str] = []
    names: dict[int, str] = {}
    for u in conn.execute(sa.select(users).order_by(users.c.id)):
        names[u.id] = u.name
        want = who.get(u.name)
        if want is None:
            problems.append(f"user {u.name!r} has no audit entry (added behind the log)")
            continue
        where = f"user {u.name!r} (audit entry {want.entry})"
        if want.role is not None and u.role != want.role:
            problems.append(f"{where}: role is {u.role!r} but the audit log says {want.role!r}")
        if u.unit_code != want.unit:
            problems.append(
                f"{where}: unit is {u.unit_code!r} but the audit log says {want.unit!r}"
            )
        if bool(u.disabled) != want.disabled:
            problems.append(
                f"{where}: disabled is {bool(u.disabled)} but the audit log says {want.disabled}"
            )
        if want.password is not None and secret_digest(u.password_hash) != want.password:
            problems.append(f"{where}: the password hash was changed behind the log")
    stored = set(names.values())
    problems += [
        f"user {n!r} of audit entry {w.entry} is missing from the store"
        for n, w in who.items()
        if n not in stored
    ]
    seen: set[int] = set()
    for t in conn.execute(sa.select(api_tokens).order_by(api_tokens.c.id)):
        seen.add(t.id)
        want_t = tokens.get(t.id)
        if want_t is None:
            problems.append(f"API token {t.id} has no audit entry (added behind the log)")
            continue
        where = f"API token {t.id} (audit entry {want_t.entry})"
        owner = names.get(t.user_id)
        if want_t.user is not None and owner != want_t.user:
            problems.append(f"{where}: belongs to {owner!r} but the audit log says {want_t.user!r}")
        if want_t.name is not None and t.name != want_t.name:
            problems.append(f"{where}: name differs from the audit log")
        if want_t.prefix is not None and t.prefix != want_t.prefix:
            problems.append(f"{where}: prefix differs from the audit log")
        if "expires_at" in want_t.checks:
            exp = _utc(t.expires_at)
            got = None if exp is None else at_text(exp)
            if got != want_t.expires_at:
                problems.append(
                    f"{where}: expires {got} but the audit log says {want_t.expires_at}"
                )
        if (t.revoked_at is not None) != want_t.revoked:
            state = "revoked" if t.revoked_at is not None else "live"
            problems.append(f"{where}: is {state} but the audit log says otherwise")
        if want_t.secret is not None and secret_digest(t.token_sha256) != want_t.secret:
            problems.append(f"{where}: its secret was replaced behind the log")
    problems += [
        f"API token {i} of audit entry {w.entry} is missing from the store"
        for i, w in tokens.items()
        if i not in seen
    ]
    return problems
