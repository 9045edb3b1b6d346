"""create_app(settings): the FastAPI application of metrocircle (no app is built at import)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute, APIRouter
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.responses import Response

from metrocircle._errors import (
    AuthError,
    ConflictError,
    DataValidationError,
    MetrocircleError,
    NotFoundError,
    PermissionDeniedError,
    UnknownIndicatorError,
    UnknownUnitError,
)
from metrocircle.api.guards import NulGuard
from metrocircle.api.heavy import HeavyPool
from metrocircle.api.ratelimit import RateLimiter
from metrocircle.api.routes import (
    access,
    audit,
    core,
    coverage,
    evaluation,
    fares,
    flood,
    observation_catalogue,
    sectors,
    submissions,
    users,
)
from metrocircle.cache import ResultCache
from metrocircle.extensions import installed
from metrocircle.settings import Settings

__all__ = ["ROUTERS", "create_app", "install_error_handlers"]

log = logging.getLogger(__name__)

ROUTERS: dict[str, APIRouter] = {
    "core": core.router,
    "evaluation": evaluation.router,
    "observation_catalogue": observation_catalogue.router,
    "access": access.router,
    "sectors": sectors.router,
    "flood": flood.router,
    "fares": fares.router,
    "coverage": coverage.router,
    "users": users.router,
    "submissions": submissions.router,
    "audit": audit.router,
}
"""The API's routers by area, in inclusion order; extensions' routers follow them."""


def _operation_id(route: APIRoute) -> str:
    return route.name


class _BodyLimit(BaseHTTPMiddleware):
    def __init__(self, app: object, *, max_bytes: int) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.max_bytes = max_bytes

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        length = request.headers.get("content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                return JSONResponse({"detail": "invalid Content-Length header"}, status_code=400)
            if too_big:
                return JSONResponse(
                    {"detail": f"request body larger than {self.max_bytes} bytes"}, status_code=413
                )
        return await call_next(request)


def content_security_policy(settings: Settings) -> str:
    """The dashboard's Content-Security-Policy: its own files only, plus the basemap if on.

    MapLibre runs its workers from blob: URLs and draws data: images; the optional online
    basemap's origin is allowed for tiles.

    >>> "connect-src 'self';" in content_security_policy(Settings(_env_file=None))
    True
    """
    from urllib.parse import urlsplit

    tiles = ""
    if settings.online_basemap:
        u = urlsplit(settings.basemap_url.replace("{", "").replace("}", ""))
        tiles = f" {u.scheme}://{u.netloc}" if u.scheme and u.netloc else ""
    return (
        "default-src 'self'; "
        "script-src 'self'; "
        "worker-src 'self' blob:; child-src 'self' blob:; "
        "style-src 'self' 'unsafe-inline'; "
        f"img-src 'self' data: blob:{tiles}; "
        f"connect-src 'self'{tiles}; "
        "font-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


class _SecurityHeaders(BaseHTTPMiddleware):
    """Headers that stop sniffing, framing and leaking of the dashboard and the API."""

    def __init__(self, app: object, *, csp: str) -> None:
        super().__init__(app)  # type: ignore[arg-type]
        self.csp = csp

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        if not request.url.path.startswith(("/api/", "/docs", "/redoc")):
            # the dashboard; the API answers JSON and /docs loads its own CDN assets
            response.headers.setdefault("Content-Security-Policy", self.csp)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        if request.url.path.startswith("/api/auth") or request.headers.get("authorization"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def install_error_handlers(app: FastAPI) -> None:
    """Map metrocircle's errors and invalid requests to 4xx bodies that name the field.

    FastAPI's own validation handler echoes the input back and fails with a 500 when it
    holds NaN or infinity; this one reports location, message and type only.
    """

    @app.exception_handler(RequestValidationError)
    async def _request_invalid(_r: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own handler echoes the offending input, which fails to serialise when it
        # holds NaN or infinity (a 500); report each field and message, never the raw input.
        return JSONResponse(
            {
                "detail": [
                    {
                        "loc": [str(p) for p in e.get("loc", ())],
                        "msg": str(e.get("msg", "")),
                        "type": str(e.get("type", "")),
                    }
                    for e in exc.errors()
                ]
            },
            status_code=422,
        )

    @app.exception_handler(UnknownUnitError)
    async def _unknown_unit(_r: Request, exc: UnknownUnitError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(UnknownIndicatorError)
    async def _unknown_indicator(_r: Request, exc: UnknownIndicatorError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(NotFoundError)
    async def _not_found(_r: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=404)

    @app.exception_handler(AuthError)
    async def _auth(_r: Request, exc: AuthError) -> JSONResponse:
        return JSONResponse(
            {"detail": str(exc)}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(PermissionDeniedError)
    async def _forbidden(_r: Request, exc: PermissionDeniedError) -> JSONResponse:
        if exc.problems:
            body = [{"loc": [p.file, p.row, p.field], "msg": p.message} for p in exc.problems]
            return JSONResponse({"detail": body}, status_code=403)
        return JSONResponse({"detail": str(exc)}, status_code=403)

    @app.exception_handler(ConflictError)
    async def _conflict(_r: Request, exc: ConflictError) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": [p.file, p.row, p.field], "msg": p.message} for p in exc.problems]},
            status_code=409,
        )

    @app.exception_handler(DataValidationError)
    async def _invalid(_r: Request, exc: DataValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": [{"loc": [p.file, p.row, p.field], "msg": p.message} for p in exc.problems]},
            status_code=422,
        )

    @app.exception_handler(MetrocircleError)
    async def _other(_r: Request, exc: MetrocircleError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=422)


def static_dir() -> Path:
    """Folder of the built dashboard files shipped in the package."""
    return Path(str(resources.files("metrocircle.web") / "static"))


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API and dashboard app.

    Parameters
    ----------
    settings
        Settings to use; by default read from ``METROCIRCLE_*`` environment variables.
        The region is loaded (and validated) here, so a broken dataset fails at start.
    """
    from metrocircle.region import load_region

    settings = settings or Settings()
    region = load_region(settings.dataset)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.heavy_pool.close()
        store = getattr(app.state, "store", None)
        if store is not None:
            store.close()

    app = FastAPI(
        title="metrocircle",
        summary=f"{region.manifest.title_zh} · {region.manifest.title_en}: plan monitoring and accessibility API",
        version=_version(),
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
    )
    app.state.settings = settings
    if settings.environment == "production" and (settings.db or "").startswith("sqlite"):
        log.warning(
            "production on SQLite: fine for one office, but PostgreSQL is the recommended "
            "store for the multi-user mode (METROCIRCLE_DB=postgresql://…)"
        )
    app.state.region = region
    app.state.store = None
    app.state.results = ResultCache()  # one result cache per app (metrocircle.cache)
    app.state.login_limiter = RateLimiter(settings.login_attempts_per_minute)
    app.state.login_limiter_address = RateLimiter(5 * settings.login_attempts_per_minute)
    app.state.login_limiter_account = RateLimiter(5 * settings.login_attempts_per_minute)
    app.state.write_limiter = RateLimiter(settings.writes_per_minute)
    app.state.heavy_pool = HeavyPool(settings)
    if settings.secret_key is not None:
        app.state.signing_key = settings.secret_key.get_secret_value()
    app.add_middleware(NulGuard, max_bytes=settings.max_body_bytes)
    app.add_middleware(_SecurityHeaders, csp=content_security_policy(settings))
    app.add_middleware(_BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
        )

    install_error_handlers(app)

    for router in ROUTERS.values():
        app.include_router(router)
    for ext in installed():
        for router in ext.routers:
            app.include_router(router)

    sd = static_dir()
    if (sd / "index.html").is_file():
        from fastapi.staticfiles import StaticFiles

        app.mount("/", StaticFiles(directory=sd, html=True), name="dashboard")
    return app


def _version() -> str:
    from metrocircle import __version__

    return __version__
