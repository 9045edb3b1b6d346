"""Routes of accounts: login (OAuth2 password flow), who am I, API tokens, users (admin)."""

from __future__ import annotations

import logging
import math
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from metrocircle.api.deps import (
    AdminDep,
    RegionDep,
    SettingsDep,
    StoreDep,
    UserDep,
    client_address,
    origin_of,
    signing_key,
)
from metrocircle.api.routes.core import invalid
from metrocircle.api.schemas_users import (
    ApiTokenIn,
    ApiTokenOut,
    MeOut,
    NewApiTokenOut,
    TokenOut,
    TokenUserOut,
    UserIn,
    UserOut,
)
from metrocircle.security import issue_access_token

__all__ = ["router"]

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api", tags=["accounts"])

UserName = Annotated[str, Path(min_length=2, max_length=80, pattern=r"^[\w.@-]+$")]
_401: dict[int | str, dict[str, Any]] = {
    401: {"description": "Not logged in, or a bad, expired or forged token"}
}
_403: dict[int | str, dict[str, Any]] = {403: {"description": "Logged in, but not allowed"}}


@router.post(
    "/auth/token",
    operation_id="login",
    response_model=TokenOut,
    responses={
        401: {"description": "Wrong user name or password"},
        429: {"description": "Too many login attempts"},
    },
)
def login(
    *,
    request: Request,
    settings: SettingsDep,
    store: StoreDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> TokenOut:
    """Exchange a user name and password for a short-lived bearer token (OAuth2 password flow)."""
    addr = client_address(request)
    name = form.username[:80]
    limiter = request.app.state.login_limiter
    wait = limiter.hit(f"{addr}|{name}")
    if wait is None:
        # A looser limit per address alone stops guessing across many user names.
        wait = request.app.state.login_limiter_address.hit(addr)
    if wait is None:
        # and one per account alone stops guessing one password from many addresses.
        wait = request.app.state.login_limiter_account.hit(name.casefold())
    if wait is not None:
        log.warning("login rate limit reached for user %r from %s", name, addr)
        raise HTTPException(
            status_code=429,
            detail="too many login attempts; wait and try again",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    user = store.authenticate(name, form.password[:1000])
    if user is None:
        log.warning("failed login for user %r from %s", name, addr)
        raise HTTPException(
            status_code=401,
            detail="wrong user name or password",
            headers={"WWW-Authenticate": "Bearer"},
        )
    ttl = timedelta(minutes=settings.access_token_minutes)
    token = issue_access_token(
        signing_key(request),
        name=user.name,
        role=user.role,
        unit=user.unit,
        ttl=ttl,
        epoch=user.token_epoch,
    )
    log.info("user %r logged in from %s", user.name, addr)
    return TokenOut(
        access_token=token,
        expires_in=int(ttl.total_seconds()),
        user=TokenUserOut(name=user.name, role=user.role, unit=user.unit),
    )


@router.get("/auth/me", operation_id="who_am_i", response_model=MeOut, responses=_401)
def who_am_i(principal: UserDep) -> MeOut:
    """The logged-in user, their role, unit and the scopes they may submit for."""
    return MeOut.build(principal)


@router.post("/auth/logout", operation_id="logout", status_code=204, responses=_401)
def logout(request: Request, principal: UserDep, store: StoreDep) -> Response:
    """End every session of the logged-in user: all their access tokens stop working.

    Bearer tokens cannot be recalled one by one; this moves the user's token epoch on, so
    a token left in another browser dies too. The user's API tokens are revoked as well.
    """
    store.end_sessions(principal.name, actor=principal.name, origin=origin_of(request))
    return Response(status_code=204)


@router.get(
    "/auth/api-tokens",
    operation_id="list_api_tokens",
    response_model=list[ApiTokenOut],
    responses=_401,
)
def list_api_tokens(principal: UserDep, store: StoreDep) -> list[ApiTokenOut]:
    """The logged-in user's machine-feed tokens (never the secrets)."""
    return [ApiTokenOut.build(t) for t in store.api_tokens(principal.name)]


@router.post(
    "/auth/api-tokens",
    operation_id="create_api_token",
    response_model=NewApiTokenOut,
    status_code=201,
    responses=_401 | _403,
)
def create_api_token(
    *,
    request: Request,
    principal: UserDep,
    store: StoreDep,
    settings: SettingsDep,
    body: ApiTokenIn,
) -> NewApiTokenOut:
    """A machine-feed token for the logged-in user; the secret is shown in this answer only.

    Only a password login may make tokens (a token cannot breed more tokens).
    """
    if principal.via != "password":
        raise HTTPException(status_code=403, detail="log in with a password to make API tokens")
    rec, token = store.create_api_token(
        principal.name,
        body.name,
        expires_days=body.expires_days,
        default_days=settings.api_token_default_days,
        max_days=settings.api_token_max_days,
        actor=principal.name,
        origin=origin_of(request),
    )
    return NewApiTokenOut(**ApiTokenOut.build(rec).model_dump(), token=token)


@router.delete(
    "/auth/api-tokens/{token_id}",
    operation_id="revoke_api_token",
    status_code=204,
    responses=_401 | {404: {"description": "No such token of this user"}},
)
def revoke_api_token(
    *,
    request: Request,
    principal: UserDep,
    store: StoreDep,
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    """Revoke one of the logged-in user's tokens."""
    store.revoke_api_token(
        principal.name, token_id, actor=principal.name, origin=origin_of(request)
    )
    return Response(status_code=204)


@router.get(
    "/users/{name}/api-tokens",
    operation_id="list_user_api_tokens",
    response_model=list[ApiTokenOut],
    responses=_401 | _403 | {404: {"description": "No such user"}},
)
def list_user_api_tokens(_admin: AdminDep, store: StoreDep, name: UserName) -> list[ApiTokenOut]:
    """Any user's machine-feed tokens, live and revoked (administrators only; never secrets)."""
    store.user(name)  # 404 for an unknown user, not an empty list
    return [ApiTokenOut.build(t) for t in store.api_tokens(name)]


@router.delete(
    "/users/{name}/api-tokens/{token_id}",
    operation_id="revoke_user_api_token",
    status_code=204,
    responses=_401 | _403 | {404: {"description": "No such token of this user"}},
)
def revoke_user_api_token(
    *,
    request: Request,
    admin: AdminDep,
    store: StoreDep,
    name: UserName,
    token_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
) -> Response:
    """Revoke any user's token (administrators only); the audit log names who did."""
    store.revoke_api_token(name, token_id, actor=admin.name, origin=origin_of(request))
    return Response(status_code=204)


@router.get(
    "/users", operation_id="list_users", response_model=list[UserOut], responses=_401 | _403
)
def list_users(_admin: AdminDep, store: StoreDep) -> list[UserOut]:
    """Every account (administrators only)."""
    return [UserOut.build(u) for u in store.users()]


@router.post(
    "/users",
    operation_id="add_user",
    response_model=UserOut,
    status_code=201,
    responses=_401 | _403 | {409: {"description": "The name is taken"}},
)
def add_user(
    *, request: Request, admin: AdminDep, store: StoreDep, region: RegionDep, body: UserIn
) -> UserOut:
    """Create an account (administrators only); an officer is bound to a unit of the region."""
    if body.unit is not None and body.unit not in region.unit_codes:
        raise invalid(("body", "unit"), f"unknown unit code {body.unit!r}")
    u = store.add_user(
        body.name,
        role=body.role,
        unit=body.unit,
        password=body.password,
        actor=admin.name,
        origin=origin_of(request),
    )
    return UserOut.build(u)


def _set_disabled(
    request: Request, admin: str, store: StoreDep, name: str, disabled: bool
) -> UserOut:
    if name == admin and disabled:
        raise HTTPException(status_code=409, detail="an administrator may not disable themselves")
    return UserOut.build(store.set_disabled(name, disabled, actor=admin, origin=origin_of(request)))


@router.post(
    "/users/{name}/disable",
    operation_id="disable_user",
    response_model=UserOut,
    responses=_401 | _403 | {404: {"description": "No such user"}},
)
def disable_user(request: Request, admin: AdminDep, store: StoreDep, name: UserName) -> UserOut:
    """Disable an account: its tokens stop working at once (administrators only)."""
    return _set_disabled(request, admin.name, store, name, True)


@router.post(
    "/users/{name}/enable",
    operation_id="enable_user",
    response_model=UserOut,
    responses=_401 | _403 | {404: {"description": "No such user"}},
)
def enable_user(request: Request, admin: AdminDep, store: StoreDep, name: UserName) -> UserOut:
    """Enable a disabled account again (administrators only)."""
    return _set_disabled(request, admin.name, store, name, False)
