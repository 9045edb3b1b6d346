"""Cost limits of heavy analyses: a bounded worker pool, per-client concurrency, a timeout.

An anonymous p-median over 200 candidates once took ~9 s and ~600 MB, and the server's thread
pool admitted ~40 at once (issue 19). Heavy routes (siting, coverage, the project ranking)
now run their work in a small pool of their own (``heavy_workers``) with a bounded queue
(``heavy_queue``). Each client — an address for the public, an account once logged in — may
have only ``heavy_per_client`` (public) or ``heavy_per_user`` analyses running or waiting; a
request that does not finish within ``heavy_timeout_seconds`` (public) or
``heavy_user_timeout_seconds`` is answered 503. Its work keeps its worker until it ends (a
thread cannot be stopped), so the pool bounds the load even then; a queued request that
times out is cancelled. Size limits per request (``anonymous_max_sites``,
``anonymous_max_facilities``) are checked by the routes with :func:`check_size`.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from fastapi import HTTPException, Request

from metrocircle.settings import Settings

__all__ = ["HeavyPool", "check_size", "heavy"]

T = TypeVar("T")


class HeavyPool:
    """The worker pool of heavy analyses, with a bounded queue and per-client limits."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool = ThreadPoolExecutor(
            max_workers=settings.heavy_workers, thread_name_prefix="metrocircle-heavy"
        )
        self._lock = threading.Lock()
        self._per_client: dict[str, int] = {}
        self._admitted = 0

    def close(self) -> None:
        """Stop taking work; queued work is cancelled."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    @property
    def admitted(self) -> int:
        """Analyses running or waiting now."""
        return self._admitted

    def _release(self, client: str, _f: Future[Any]) -> None:
        with self._lock:
            self._admitted -= 1
            n = self._per_client.get(client, 1) - 1
            if n > 0:
                self._per_client[client] = n
            else:
                self._per_client.pop(client, None)

    def run(self, client: str, logged_in: bool, fn: Callable[[], T]) -> T:
        """Run ``fn`` in the pool for ``client``; 429/503 when over a limit or too slow."""
        s = self.settings
        per_client = s.heavy_per_user if logged_in else s.heavy_per_client
        timeout = s.heavy_user_timeout_seconds if logged_in else s.heavy_timeout_seconds
        with self._lock:
            if self._per_client.get(client, 0) >= per_client:
                raise HTTPException(
                    status_code=429,
                    detail=f"{per_client} heavy analysis(es) of yours are still running; "
                    "wait for them to finish",
                    headers={"Retry-After": str(math.ceil(timeout))},
                )
            if self._admitted >= s.heavy_workers + s.heavy_queue:
                raise HTTPException(
                    status_code=503,
                    detail="the server is busy with other analyses; try again shortly",
                    headers={"Retry-After": "10"},
                )
            self._admitted += 1
            self._per_client[client] = self._per_client.get(client, 0) + 1
        fut = self._pool.submit(fn)
        fut.add_done_callback(functools.partial(self._release, client))
        try:
            return fut.result(timeout=timeout)
        except FutureTimeout:
            fut.cancel()  # a queued analysis is dropped; a running one keeps its worker
            hint = "" if logged_in else "; logged-in users have a longer limit"
            raise HTTPException(
                status_code=503,
                detail=f"the analysis did not finish within {timeout:g} s{hint} "
                "(or use the command line)",
                headers={"Retry-After": str(math.ceil(timeout))},
            ) from None


def _who(request: Request) -> tuple[str, bool]:
    """(client key, logged in?) — the account once logged in, else the client address."""
    from metrocircle.api.deps import client_address, get_principal

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    principal = (
        get_principal(request, token.strip() or None) if scheme.lower() == "bearer" else None
    )
    if principal is not None:
        return f"user {principal.name}", True
    if getattr(request.app.state, "settings", None) is None:
        return f"addr {request.client.host if request.client else 'unknown'}", False
    return f"addr {client_address(request)}", False


def _settings(request: Request) -> Settings:
    """The app's settings (an app built without them, as some tests do, gets the defaults)."""
    s: Settings | None = getattr(request.app.state, "settings", None)
    return Settings() if s is None else s


_POOL_LOCK = threading.Lock()


def _pool_of(request: Request) -> HeavyPool:
    pool: HeavyPool | None = getattr(request.app.state, "heavy_pool", None)
    if pool is None:
        with _POOL_LOCK:
            pool = getattr(request.app.state, "heavy_pool", None)
            if pool is None:
                pool = HeavyPool(_settings(request))
                request.app.state.heavy_pool = pool
    return pool


def heavy(fn: Callable[..., T]) -> Callable[..., T]:
    """Run a route's work in the heavy pool (the route must take ``request``)."""

    @functools.wraps(fn)
    def gated(*args: Any, **kwargs: Any) -> T:
        request: Request = kwargs["request"]
        client, logged_in = _who(request)
        request.state.heavy_logged_in = logged_in
        return _pool_of(request).run(client, logged_in, lambda: fn(*args, **kwargs))

    return gated


def check_size(request: Request, *, sites: int = 0, facilities: int = 0) -> None:
    """Refuse a public request above the anonymous size limits (413 naming the setting)."""
    if getattr(request.state, "heavy_logged_in", False):
        return
    s = _settings(request)
    for n, limit, what, name in (
        (sites, s.anonymous_max_sites, "candidate and existing sites", "anonymous_max_sites"),
        (facilities, s.anonymous_max_facilities, "facilities", "anonymous_max_facilities"),
    ):
        if n > limit:
            raise HTTPException(
                status_code=413,
                detail=f"{n} {what} exceed the public limit of {limit} ({name}); "
                "log in for larger analyses, or use the command line",
            )
