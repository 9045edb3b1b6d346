"""Permissions of the multi-user mode: who a user acts as, and for which scopes.

Pure functions and small types: the API turns a bearer token into a :class:`Principal`,
and every write asks :func:`check_scopes` first. Credentials (roles, password hashing,
tokens) are :mod:`metrocircle.auth`'s, re-exported here. Nothing here imports the store:
an account is anything with a name, a role and a unit (:class:`Account`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TypeVar

from metrocircle._errors import PermissionDeniedError, Problem
from metrocircle.auth import (
    API_TOKEN_PREFIX,
    MIN_PASSWORD_LENGTH,
    Role,
    burn_password_check,
    decode_access_token,
    hash_password,
    issue_access_token,
    new_api_token,
    password_problems,
    token_sha256,
    verify_password,
)
from metrocircle.schema import ROLES as GROUP_ROLES

if TYPE_CHECKING:
    from metrocircle.region import Region
    from metrocircle.schema import Manifest

__all__ = [
    "API_TOKEN_PREFIX",
    "MIN_PASSWORD_LENGTH",
    "Account",
    "Principal",
    "Role",
    "burn_password_check",
    "check_scopes",
    "decode_access_token",
    "hash_password",
    "issue_access_token",
    "jurisdiction",
    "new_api_token",
    "password_problems",
    "principal_for",
    "token_sha256",
    "valid_scopes",
    "verify_password",
    "within_jurisdiction",
]


class Account(Protocol):
    """What :func:`principal_for` needs of a stored account (a ``store.UserRecord``)."""

    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def unit(self) -> str | None: ...


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


def principal_for(region: Region, user: Account, *, via: str = "password") -> Principal:
    """The principal a stored account acts as in ``region`` (its role and jurisdiction)."""
    role = Role(user.role)
    return Principal(user.name, role, user.unit, jurisdiction(region, role, user.unit), via)


def jurisdiction(region: Region, role: Role, unit: str | None) -> frozenset[str]:
    """Scopes a user may submit for.

    An officer's own unit and the units whose parent it is (an officer of 广安市 also
    submits for 岳池县, 武胜县, …); an administrator any scope of the region; others none.
    """
    if role is Role.ADMIN:
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


class Scoped(Protocol):
    """A row that names its scope and its line in a file (an ``ObservationIn``)."""

    @property
    def scope(self) -> str: ...
    @property
    def line(self) -> int: ...


RowT = TypeVar("RowT", bound=Scoped)


def within_jurisdiction(
    principal: Principal,
    chunks: Iterable[tuple[Sequence[RowT], Sequence[Problem]]],
    *,
    file: str,
    keep: int = 1_000,
) -> Iterator[tuple[list[RowT], list[Problem]]]:
    """:func:`check_scopes` over a file read a chunk at a time: (rows, problems) as given.

    A row outside ``principal``'s units is taken out of its chunk and becomes a problem
    of it (so a store writing the chunks writes nothing more). When the chunks are
    exhausted and the only problems were such rows, :class:`PermissionDeniedError` names
    them (the first ``keep``, ``Problem.row`` being the file's line) with the count of
    all; with other problems too, the consumer reports every problem as usual.

    Raises
    ------
    PermissionDeniedError
        At once when the principal may not submit at all; at the end as said above.
    """
    check_scopes(principal, [], file=file)
    refused: list[Problem] = []
    n_refused = 0
    other = False
    for rows, problems in chunks:
        good = [r for r in rows if r.scope in principal.units]
        out = [
            Problem(
                file,
                r.line,
                "scope",
                f"{principal.name!r} may submit only for {sorted(principal.units)}, not {r.scope!r}",
            )
            for r in rows
            if r.scope not in principal.units
        ]
        other = other or bool(problems)
        n_refused += len(out)
        refused += out[: max(0, keep - len(refused))]
        yield good, [*problems, *out]
    if n_refused and not other:
        msg = f"{n_refused} row(s) are outside the units of {principal.name!r}"
        raise PermissionDeniedError(msg, tuple(refused))


def valid_scopes(codes: Iterable[str], manifest: Manifest) -> set[str]:
    """Every scope an observation may have: the region, its units, the manifest's extra
    scopes and the role groups (``group:<role>`` of :data:`metrocircle.schema.ROLES`)."""
    return {
        "region",
        *codes,
        *manifest.extra_scopes,
        *(f"group:{r}" for r in GROUP_ROLES),
    }
