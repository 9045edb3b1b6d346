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
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, TypeVar

from fastapi import HTTPException, Request

from metrocircle.cache import ResultCache
from metrocircle.settings import Settings

__all__ = [
    "HeavyPool",
    "SharedResults",
    "check_public_limit",
    "check_size",
    "data_version_of",
    "heavy",
    "heavy_cached",
    "results_of",
    "settings_of",
]

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

    def _release(self, client: str | None, _f: Future[Any]) -> None:
        with self._lock:
            self._admitted -= 1
            if client is None:
                return
            n = self._per_client.get(client, 1) - 1
            if n > 0:
                self._per_client[client] = n
            else:
                self._per_client.pop(client, None)

    def submit(
        self,
        client: str | None,
        logged_in: bool,
        fn: Callable[[], T],
        *,
        per_client: int | None = None,
        what: str = "",
    ) -> Future[T]:
        """Admit ``fn`` for ``client`` (429 over its limit, 503 when the pool is full).

        ``per_client`` replaces ``heavy_per_client`` for an anonymous client (a route whose
        dashboard view asks several at once); ``client=None`` is shared work (one result
        for everybody, see :class:`SharedResults`), bounded by the pool alone. ``what``
        names the request in a refusal (e.g. ``isochrone (from=…, minutes=60)``).
        """
        s = self.settings
        limit = s.heavy_per_user if logged_in else (per_client or s.heavy_per_client)
        timeout = self.timeout(logged_in)
        with self._lock:
            if client is not None and self._per_client.get(client, 0) >= limit:
                raise HTTPException(
                    status_code=429,
                    detail=f"{what or 'this analysis'}: {limit} heavy analysis(es) of this "
                    "kind of yours are still running; wait for them to finish",
                    headers={"Retry-After": str(math.ceil(timeout))},
                )
            if self._admitted >= s.heavy_workers + s.heavy_queue:
                raise HTTPException(
                    status_code=503,
                    detail=f"{what or 'this analysis'}: the server is busy with other "
                    "analyses; try again shortly",
                    headers={"Retry-After": "10"},
                )
            self._admitted += 1
            key = "" if client is None else client
            if client is not None:
                self._per_client[key] = self._per_client.get(key, 0) + 1
        fut = self._pool.submit(fn)
        fut.add_done_callback(functools.partial(self._release, client))
        return fut

    def timeout(self, logged_in: bool) -> float:
        """Seconds a request waits for its analysis."""
        s = self.settings
        return s.heavy_user_timeout_seconds if logged_in else s.heavy_timeout_seconds

    def wait(self, fut: Future[T], logged_in: bool, *, cancel: bool = True, what: str = "") -> T:
        """The result of ``fut``; 503 past the caller's timeout (``cancel``: drop it if queued).

        ``cancel=False`` is shared work others may wait for too: it is never dropped, and the
        caller waits the logged-in time, since giving up early would save nothing.
        """
        timeout = self.timeout(logged_in or not cancel)
        try:
            return fut.result(timeout=timeout)
        except (FutureTimeout, CancelledError):
            if cancel:
                fut.cancel()  # a queued analysis is dropped; a running one keeps its worker
            hint = "" if logged_in or not cancel else "; logged-in users have a longer limit"
            raise HTTPException(
                status_code=503,
                detail=f"{what or 'the analysis'} did not finish within {timeout:g} s{hint} "
                "(or use the command line)",
                headers={"Retry-After": str(math.ceil(timeout))},
            ) from None

    def run(
        self, client: str, logged_in: bool, fn: Callable[[], T], *, per_client: int | None = None
    ) -> T:
        """Run ``fn`` in the pool for ``client``; 429/503 when over a limit or too slow."""
        return self.wait(self.submit(client, logged_in, fn, per_client=per_client), logged_in)


def _who(request: Request, *, lenient: bool = False) -> tuple[str, bool]:
    """(client key, logged in?) — the account once logged in, else the client address.

    A bad or expired token is 401, or with ``lenient`` (public GET routes, which answer
    the same with or without a login) the public.
    """
    from metrocircle.api.deps import client_address, get_principal

    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    principal = None
    if scheme.lower() == "bearer":
        try:
            principal = get_principal(request, token.strip() or None)
        except HTTPException:
            if not lenient:
                raise
    if principal is not None:
        return f"user {principal.name}", True
    if getattr(request.app.state, "settings", None) is None:
        return f"addr {request.client.host if request.client else 'unknown'}", False
    return f"addr {client_address(request)}", False


def settings_of(request: Request) -> Settings:
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
                pool = HeavyPool(settings_of(request))
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
    s = settings_of(request)
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


def results_of(request: Request) -> ResultCache:
    """The app's result cache (``app.state.results``; made on first use by an app built
    without one, as some tests do). One per app: the API's routes share it with any library
    call given it (``cache=``)."""
    state = request.app.state
    cache: ResultCache | None = getattr(state, "results", None)
    if cache is None:
        with _POOL_LOCK:
            cache = getattr(state, "results", None)
            if cache is None:
                cache = ResultCache()
                state.results = cache
    return cache


def data_version_of(request: Request) -> str:
    """The loaded region's data version (empty for an app without a region)."""
    return str(getattr(getattr(request.app.state, "region", None), "data_version", "") or "")


class SharedResults:
    """Cached results of heavy work, computed once per key in the heavy pool (single flight).

    Requests for a key being computed wait for that computation instead of starting
    another; a finished result is kept in a :class:`~metrocircle.cache.ResultCache` under
    (the app's data version, ``name``, key), at most ``maxsize`` of them (least recently used
    dropped first); a failure is not kept. ``shared=True`` is for routes whose keys come from
    a small closed set (the scenarios, their pairs): everybody gets the same few results, so
    the total work is bounded by that set and no per-client limit applies (the dashboard asks
    for every scenario's commute at once). Otherwise the key is the caller's choice (any
    minutes, any year) and starting a computation counts against the caller's per-client
    limit for this kind of result (``name``), so a dashboard's isochrones do not block its
    evaluation.
    """

    def __init__(self, name: str, maxsize: int, cache: ResultCache | None = None) -> None:
        self.name = name
        self.maxsize = maxsize
        self.cache = ResultCache(maxsize) if cache is None else cache
        self.cache.set_bound(name, maxsize)
        self._lock = threading.Lock()
        self._running: dict[Any, Future[Any]] = {}

    def __len__(self) -> int:
        return self.cache.size(self.name)

    def _finished(self, version: str, key: Any, fut: Future[Any]) -> None:
        with self._lock:
            if self._running.get((version, key)) is fut:
                del self._running[(version, key)]
            if fut.cancelled() or fut.exception() is not None:
                return
            self.cache.put(version, self.name, key, fut.result())

    def get(
        self,
        request: Request,
        key: Any,
        make: Callable[[], T],
        *,
        shared: bool = False,
        per_client: int | None = None,
        what: str = "",
    ) -> T:
        """The result of ``key``, computing it with ``make()`` in the heavy pool on a miss."""
        version = data_version_of(request)
        with self._lock:
            hit, value = self.cache.lookup(version, self.name, key)
            if hit:
                return value  # type: ignore[no-any-return]
            fut = self._running.get((version, key))
        client, logged_in = ("", False) if shared else _who(request, lenient=True)
        pool = _pool_of(request)
        if fut is None:
            with self._lock:
                fut = self._running.get((version, key))
                new = fut is None
                if fut is None:
                    fut = pool.submit(
                        None if shared else f"{client} {self.name}",
                        logged_in,
                        make,
                        per_client=per_client,
                        what=what,
                    )
                    self._running[(version, key)] = fut
            if new:
                fut.add_done_callback(functools.partial(self._finished, version, key))
        # Another request may wait for the same work: never cancel it on our timeout.
        return pool.wait(fut, logged_in, cancel=not shared, what=what)  # type: ignore[no-any-return]


def heavy_cached(
    request: Request,
    name: str,
    maxsize: int,
    key: Any,
    make: Callable[[], T],
    *,
    shared: bool = False,
    per_client: int | None = None,
    what: str = "",
) -> T:
    """:meth:`SharedResults.get` on the app's results ``name`` (made on first use), kept in
    the app's :func:`results_of` cache."""
    state = request.app.state
    caches: dict[str, SharedResults] | None = getattr(state, "heavy_results", None)
    if caches is None:
        with _POOL_LOCK:
            caches = getattr(state, "heavy_results", None)
            if caches is None:
                caches = {}
                state.heavy_results = caches
    results = results_of(request)
    with _POOL_LOCK:
        cache = caches.get(name)
        if cache is None:
            cache = caches[name] = SharedResults(name, maxsize, results)
    return cache.get(request, key, make, shared=shared, per_client=per_client, what=what)


def check_public_limit(
    request: Request, field: tuple[str, str], value: float, *, limit: float, setting: str
) -> None:
    """Refuse a public request whose ``field`` exceeds ``limit``: 422 naming field and setting.

    ``field`` is (where, name), e.g. ``("query", "minutes")``.

    Logged-in users are not held to it (their route's own bound applies).
    """
    if value <= limit or _who(request, lenient=True)[1]:
        return
    where, name = field
    raise HTTPException(
        status_code=422,
        detail=[
            {
                "loc": [where, name],
                "msg": f"{name}: {value:g} exceeds the public limit of {limit:g} ({setting}); "
                "log in for larger values, or use the command line",
                "type": "value_error",
            }
        ],
    )
