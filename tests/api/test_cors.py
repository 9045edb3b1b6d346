"""CORS is configurable: a listed origin may call the API with a bearer token, others not."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from metrocircle.settings import Settings

ALLOWED = "https://office.example.gov.cn"


def test_listed_origin_may_send_a_token_others_may_not(
    make_client: Callable[[Settings], TestClient], make_settings: Callable[..., Settings]
) -> None:
    c = make_client(make_settings(cors_origins=[ALLOWED]))
    ok = c.options(
        "/api/observations",
        headers={
            "Origin": ALLOWED,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
        },
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == ALLOWED
    allowed_headers = ok.headers["access-control-allow-headers"].lower()
    assert {"authorization", "idempotency-key"} <= {h.strip() for h in allowed_headers.split(",")}
    other = c.options(
        "/api/observations",
        headers={"Origin": "https://elsewhere.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in other.headers
    plain = c.get("/api/region", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in plain.headers


def test_no_cors_unless_configured(
    make_client: Callable[[Settings], TestClient], make_settings: Callable[..., Settings]
) -> None:
    c = make_client(make_settings())
    r = c.get("/api/region", headers={"Origin": ALLOWED})
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"


def test_dashboard_pages_carry_a_content_security_policy(
    make_client: Callable[[Settings], TestClient], make_settings: Callable[..., Settings]
) -> None:
    c = make_client(make_settings())
    csp = c.get("/").headers["content-security-policy"]
    assert "script-src 'self';" in csp
    assert "frame-ancestors 'none'" in csp
    assert "tile.openstreetmap.org" not in csp
    assert "content-security-policy" not in c.get("/api/region").headers
    online = make_client(make_settings(online_basemap=True))
    assert "https://tile.openstreetmap.org" in online.get("/").headers["content-security-policy"]
