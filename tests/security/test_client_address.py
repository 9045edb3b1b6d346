"""Hostile: the client address cannot be forged with X-Forwarded-For (issue 19, item 2).

Found by the probe: uvicorn's own proxy-header handling (on by default, trusting 127.0.0.1)
rewrote the client address even with the app's trust switch off, and with it on the app
took the left-most hop, which the client writes. So a client could rotate the header to
escape the login limit and forge the audit log's origin.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from tests.multiuser.harness import PASSWORD, SECRET_KEY

from metrocircle.api.app import create_app
from metrocircle.settings import Settings

from .conftest import EnvFactory


def _login(client: Any, name: str, xff: str | None, password: str = "wrong-password-123") -> int:
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    r = client.post(
        "/api/auth/token", data={"username": name, "password": password}, headers=headers
    )
    return int(r.status_code)


def test_forwarded_for_is_ignored_without_trusted_proxies(make_env: EnvFactory) -> None:
    env = make_env(login_attempts_per_minute=3)
    env.add_user("an-officer", "officer", "500103")
    codes = [_login(env.client, "an-officer", f"198.51.100.{i}") for i in range(4)]
    assert codes == [401, 401, 401, 429], codes


def test_forwarded_for_is_ignored_for_the_audit_origin(make_env: EnvFactory) -> None:
    env = make_env()
    env.add_user("an-officer", "officer", "500103")
    h = {**env.headers("an-officer"), "X-Forwarded-For": "6.6.6.6"}
    assert env.client.post("/api/auth/logout", headers=h).status_code == 204
    [entry] = env.store.audit_entries(action="end_sessions")
    assert entry.origin == "api testclient"


def test_right_most_untrusted_hop_behind_a_trusted_proxy(make_env: EnvFactory) -> None:
    env = make_env(
        trusted_proxies="10.0.0.0/8, 192.168.1.1",
        login_attempts_per_minute=3,
        client_addr=("10.0.0.5", 40000),
    )
    env.add_user("an-officer", "officer", "500103")
    # the client forges the left part; the proxy appends the address it saw
    codes = [_login(env.client, "an-officer", f"6.6.6.{i}, 203.0.113.9") for i in range(4)]
    assert codes == [401, 401, 401, 429], codes
    h = {**env.headers("an-officer"), "X-Forwarded-For": "6.6.6.6, 203.0.113.7, 10.1.2.3"}
    # (a fresh address: the limit above was 203.0.113.9's)
    assert env.client.post("/api/auth/logout", headers=h).status_code == 204
    [entry] = env.store.audit_entries(action="end_sessions")
    assert entry.origin == "api 203.0.113.7"


def test_forwarded_for_from_an_untrusted_peer_is_ignored(make_env: EnvFactory) -> None:
    env = make_env(trusted_proxies="10.0.0.0/8", client_addr=("198.51.100.77", 40000))
    env.add_user("an-officer", "officer", "500103")
    h = {**env.headers("an-officer"), "X-Forwarded-For": "203.0.113.9"}
    assert env.client.post("/api/auth/logout", headers=h).status_code == 204
    [entry] = env.store.audit_entries(action="end_sessions")
    assert entry.origin == "api 198.51.100.77"


def test_login_limit_keys_on_the_account_too(make_env: EnvFactory) -> None:
    """Guessing one account's password from many addresses is limited as well."""
    env = make_env(
        trusted_proxies="10.0.0.0/8", login_attempts_per_minute=2, client_addr=("10.0.0.5", 1)
    )
    env.add_user("an-officer", "officer", "500103")
    codes = [_login(env.client, "an-officer", f"203.0.113.{i}") for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429], codes
    # another account from a fresh address is not affected
    env.add_user("a-reviewer", "reviewer")
    assert _login(env.client, "a-reviewer", "203.0.113.200", PASSWORD) == 200


def test_bad_trusted_proxies_setting_is_refused() -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        Settings(_env_file=None, trusted_proxies="10.0.0.0/8, proxy.example")  # type: ignore[call-arg]


# --------------------------------------------------------------------------- a real server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, store_url: str) -> Iterator[str]:
    """``metrocircle serve``'s uvicorn options, on a real socket; yields the base URL."""
    captured: dict[str, Any] = {}

    def fake_run(app: Any, **kw: Any) -> None:
        captured.update(kw)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    from metrocircle.cli.serve import serve_command

    serve_command(db=store_url, port=_free_port())  # a port free now: serve checks it first
    assert captured, "serve did not start uvicorn"
    port = _free_port()
    settings = Settings(
        environment="test", db=store_url, secret_key=SECRET_KEY, login_attempts_per_minute=3
    )
    app = create_app(settings)
    opts = {**captured, "host": "127.0.0.1", "port": port, "log_level": "error"}
    server = uvicorn.Server(uvicorn.Config(app, **opts))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started
    from metrocircle.store import Store

    with Store(store_url) as store:
        store.add_user("an-officer", role="officer", unit="500103", password=PASSWORD, actor="t")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        t.join(timeout=10)


def test_served_app_does_not_let_uvicorn_rewrite_the_address(served: str) -> None:
    with httpx.Client(base_url=served, timeout=30) as c:
        codes = [_login(c, "an-officer", f"198.51.100.{i}") for i in range(4)]
    assert codes == [401, 401, 401, 429], codes
