"""Dependencies of the API routers: settings, the region, the store, who is asking."""

from __future__ import annotations

import ipaddress
import logging
import math
import secrets
import threading
from collections.abc import Iterator
from typing import Annotated, TypeAlias

from fastapi import Depends, HTTPException, Request
from fastapi.security import OAuth2PasswordBearer

from metrocircle._errors import AuthError, NotFoundError
from metrocircle.region import Region
from metrocircle.security import API_TOKEN_PREFIX, Principal, decode_access_token, principal_for
from metrocircle.settings import Settings
from metrocircle.store import Store

__all__ = [
    "AdminDep",
    "PrincipalDep",
    "RegionDep",
    "SettingsDep",
    "StoreDep",
    "UserDep",
    "WriterDep",
    "client_address",
    "forwarded_client",
    "get_principal",
    "get_region",
    "get_settings",
    "get_store",
    "origin_of",
    "require_user",
    "signing_key",
    "write_limit",
]

log = logging.getLogger(__name__)

IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network

_OPEN_LOCK = threading.Lock()
oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/auth/token", auto_error=False)


def get_settings(request: Request) -> Settings:
    """The settings the app was built with."""
    settings: Settings = request.app.state.settings
    return settings


def get_region(request: Request) -> Region:
    """The region the app serves (loaded once, when the app starts)."""
    region: Region = request.app.state.region
    return region


def open_store(request: Request) -> Store:
    """The app's store, opened on first use (503 when it cannot be reached)."""
    from metrocircle._errors import StoreError

    store: Store | None = getattr(request.app.state, "store", None)
    if store is not None:
        return store
    with _OPEN_LOCK:  # concurrent first requests must not open (and migrate) it twice
        store = getattr(request.app.state, "store", None)
        if store is None:
            try:
                store = Store(request.app.state.settings.db)
            except StoreError as exc:
                raise HTTPException(status_code=503, detail=f"store unavailable: {exc}") from None
            request.app.state.store = store
    return store


def get_store(request: Request) -> Iterator[Store]:
    """The store (opened lazily, once per app); 503 when it cannot be reached."""
    yield open_store(request)


def signing_key(request: Request) -> str:
    """The key that signs access tokens: the configured one, else a random per-app key."""
    key: str | None = getattr(request.app.state, "signing_key", None)
    if key is None:
        settings: Settings = request.app.state.settings
        if settings.secret_key is not None:
            key = settings.secret_key.get_secret_value()
        else:
            key = secrets.token_hex(32)
            log.warning(
                "no METROCIRCLE_SECRET_KEY is set: access tokens are signed with a random key "
                "and end when this server stops"
            )
        request.app.state.signing_key = key
    return key


def client_address(request: Request) -> str:
    """The client's address: the one place that decides it (rate limits, audit origins, logs).

    Without ``trusted_proxies`` it is the TCP peer and X-Forwarded-For is ignored (uvicorn's
    own header handling is off, see :mod:`metrocircle.cli.serve`). With it, and only when the
    peer is a listed proxy, X-Forwarded-For is walked from the right: each listed proxy
    appends the address it saw, so the right-most hop that is not a listed proxy is the
    client; hops further left were written by the client and are never believed.
    """
    peer = request.client.host if request.client else "unknown"
    settings: Settings = request.app.state.settings
    if not settings.trusted_proxies:
        return peer
    return forwarded_client(
        peer, request.headers.getlist("x-forwarded-for"), trusted_networks(settings)
    )


def trusted_networks(settings: Settings) -> tuple[IPNetwork, ...]:
    """The parsed ``trusted_proxies`` of ``settings``."""
    return tuple(ipaddress.ip_network(n, strict=False) for n in settings.trusted_proxies)


def _is_trusted(addr: str, networks: tuple[IPNetwork, ...]) -> bool | None:
    """Whether ``addr`` is in ``networks``; None when it is not an IP address."""
    try:
        ip = ipaddress.ip_address(addr.strip().strip("[]"))
    except ValueError:
        return None
    return any(ip in n for n in networks)


def forwarded_client(peer: str, headers: list[str], networks: tuple[IPNetwork, ...]) -> str:
    """The client behind trusted proxies: the right-most untrusted X-Forwarded-For hop.

    >>> nets = (ipaddress.ip_network("10.0.0.0/8"),)
    >>> forwarded_client("10.0.0.5", ["6.6.6.6, 203.0.113.9"], nets)  # 6.6.6.6 is forged
    '203.0.113.9'
    >>> forwarded_client("10.0.0.5", ["203.0.113.9, 10.0.0.7"], nets)  # two proxies
    '203.0.113.9'
    >>> forwarded_client("198.51.100.1", ["6.6.6.6"], nets)  # not from a proxy: the peer
    '198.51.100.1'
    """
    if not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for line in headers for h in line.split(",") if h.strip()]
    nearest = peer
    for hop in reversed(hops):
        trusted = _is_trusted(hop, networks)
        if trusted is None:
            # a listed proxy passed on something that is no address: believe nothing further
            return nearest
        if not trusted:
            return hop.strip("[]")[:64]
        nearest = hop
    return nearest


def origin_of(request: Request) -> str:
    """Where a change came from, for the audit log: ``api <address>``."""
    return f"api {client_address(request)}"


def _unauthorised(msg: str) -> HTTPException:
    return HTTPException(status_code=401, detail=msg, headers={"WWW-Authenticate": "Bearer"})


def get_principal(
    request: Request, token: Annotated[str | None, Depends(oauth2_scheme)]
) -> Principal | None:
    """Who is asking: None for the public; 401 for a bad, expired or forged token."""
    if token is None:
        return None
    store = open_store(request)
    region = get_region(request)
    via = "api_token" if token.startswith(API_TOKEN_PREFIX) else "password"
    if via == "api_token":
        user = store.user_for_api_token(token)
        if user is None:
            msg = "the API token is unknown, revoked or expired"
            raise _unauthorised(msg)
    else:
        try:
            claims = decode_access_token(signing_key(request), token)
        except AuthError as exc:
            raise _unauthorised(str(exc)) from None
        try:
            user = store.user(str(claims["sub"]))
        except NotFoundError:
            msg = "the access token's user does not exist"
            raise _unauthorised(msg) from None
        if user.disabled:
            msg = "the user is disabled"
            raise _unauthorised(msg)
        if claims.get("tep") != user.token_epoch:
            msg = "this session was ended (sign-out or password change); log in again"
            raise _unauthorised(msg)
    return principal_for(region, user, via=via)


def require_user(principal: Annotated[Principal | None, Depends(get_principal)]) -> Principal:
    """A logged-in user (401 for the public)."""
    if principal is None:
        msg = "log in first: this needs a bearer token"
        raise _unauthorised(msg)
    return principal


def require_admin(principal: Annotated[Principal, Depends(require_user)]) -> Principal:
    """The joint office's administrators only (403 for others)."""
    if not principal.is_admin:
        raise HTTPException(status_code=403, detail="only an administrator may do this")
    return principal


def write_limit(
    request: Request, principal: Annotated[Principal, Depends(require_user)]
) -> Principal:
    """A logged-in user within their write rate (429 with Retry-After beyond it)."""
    limiter = request.app.state.write_limiter
    wait = limiter.hit(principal.name)
    if wait is not None:
        raise HTTPException(
            status_code=429,
            detail="too many write requests; slow down",
            headers={"Retry-After": str(math.ceil(wait))},
        )
    return principal


SettingsDep = Annotated[Settings, Depends(get_settings)]
RegionDep = Annotated[Region, Depends(get_region)]
StoreDep = Annotated[Store, Depends(get_store)]
PrincipalDep = Annotated[Principal | None, Depends(get_principal)]
UserDep = Annotated[Principal, Depends(require_user)]
AdminDep = Annotated[Principal, Depends(require_admin)]
WriterDep = Annotated[Principal, Depends(write_limit)]
