"""Harness of the multi-user tests: an app on a given store, its users, logins and rows.

The app and the test share one :class:`~metrocircle.store.Store`, so a test can look behind
the API (what was written, what the audit log says) and tamper with the database directly.
"""

from __future__ import annotations

import base64
import json
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from metrocircle.api.app import create_app
from metrocircle.settings import Settings
from metrocircle.store import Store

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns about httpx; the client works the same.
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    import httpx2
    from fastapi import FastAPI

    from metrocircle.region import Region

__all__ = [
    "INDICATOR",
    "MEASURE",
    "PASSWORD",
    "SECRET_KEY",
    "Env",
    "b64url_json",
    "obs_row",
    "open_env",
    "unb64url_json",
]

SECRET_KEY = "6f1c0b9e2d4a87f35c1e0a9b7d3f2e48a5c6b1d09e8f7a6b5c4d3e2f1a0b9c8d"
"""A 64-hex signing key (what `openssl rand -hex 32` gives): accepted in production too."""
PASSWORD = "Jialing-river-bridge-2026"
"""Every test user's password (12+ characters, contains no test user's name)."""
INDICATOR, MEASURE = "urbanisation_rate_pct", "pct"
"""A target indicator of the embedded region and its unit of measure."""


def obs_row(scope: str, *, source: str, period: int = 2024, value: float = 61.5) -> dict[str, Any]:
    """One valid observation row of the submission body, for ``scope``."""
    return {
        "indicator": INDICATOR,
        "scope": scope,
        "period": period,
        "value": value,
        "unit": MEASURE,
        "source": source,
        "source_url": None,
    }


def b64url_json(obj: dict[str, Any]) -> str:
    """A JWT segment: compact JSON, base64url without padding."""
    raw = json.dumps(obj, separators=(",", ":")).encode("utf-8")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unb64url_json(segment: str) -> dict[str, Any]:
    """Decode a JWT segment."""
    pad = "=" * (-len(segment) % 4)
    out: dict[str, Any] = json.loads(base64.urlsafe_b64decode(segment + pad))
    return out


@dataclass
class Env:
    """An app on one store (SQLite or PostgreSQL), its client, and logged-in users."""

    app: FastAPI
    client: TestClient
    store: Store
    settings: Settings
    _tokens: dict[str, str] = field(default_factory=dict)

    @property
    def region(self) -> Region:
        """The region the app serves."""
        region: Region = self.app.state.region
        return region

    def add_user(
        self, name: str, role: str, unit: str | None = None, *, password: str = PASSWORD
    ) -> None:
        """Create an account directly in the store (as the operator's CLI does)."""
        self.store.add_user(name, role=role, unit=unit, password=password, actor="setup")

    def login(self, name: str, password: str = PASSWORD) -> str:
        """Log in through the API; return the access token (fails the test on refusal)."""
        r = self.client.post("/api/auth/token", data={"username": name, "password": password})
        assert r.status_code == 200, (name, r.status_code, r.text)
        token: str = r.json()["access_token"]
        return token

    def headers(self, name: str) -> dict[str, str]:
        """Authorization header of ``name`` (logged in once, then reused)."""
        if name not in self._tokens:
            self._tokens[name] = self.login(name)
        return bearer(self._tokens[name])

    def submit(
        self, headers: dict[str, str] | None, rows: list[dict[str, Any]], **extra: Any
    ) -> httpx2.Response:
        """POST /api/observations with these rows."""
        return self.client.post(
            "/api/observations", json={"observations": rows, **extra}, headers=headers or {}
        )

    def all_rows(self) -> list[tuple[str, str, str, str]]:
        """Every stored observation, any status: (scope, source, submitted_by, status)."""
        return sorted(
            (o.scope, o.source, o.submitted_by, o.status)
            for o in self.store.observations(status=None)
        )


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


def open_env(
    url: str, *, client_addr: tuple[str, int] = ("testclient", 50000), **settings: Any
) -> tuple[Env, TestClient]:
    """Build the app on ``url`` with test settings (and ``settings``), and open its client.

    ``client_addr`` is the TCP peer the app sees. The caller closes the returned client
    (its lifespan closes the store).
    """
    kw: dict[str, Any] = {"environment": "test", "db": url, "secret_key": SECRET_KEY}
    kw.update(settings)
    s = Settings(**kw)
    app = create_app(s)
    store = Store(url)
    app.state.store = store
    client = TestClient(app, raise_server_exceptions=False, client=client_addr)
    client.__enter__()
    return Env(app, client, store, s), client
