"""Hostile: no permanent credentials (issue 19, item 5), on SQLite and on PostgreSQL.

Found by the probe: a 15-minute login could mint an API token without expiry that survived
logout, a password change, and disable + enable; an administrator could not list or revoke
another user's tokens. Here every token expires (default and maximum set by the operator),
dies with each of those events, and administrators list and revoke anyone's tokens through
the API and the command line; the audit log records it all and still verifies.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from importlib import resources

import pytest
import sqlalchemy as sa
from tests.multiuser.harness import Env, bearer
from typer.testing import CliRunner

from metrocircle.cli import app
from metrocircle.store import Store
from metrocircle.store.tables import api_tokens

from .conftest import EnvFactory

NEW_PASSWORD = "Chaotianmen-dock-steps-2027"


def _token(env: Env, user: str, **body: object) -> dict[str, object]:
    r = env.client.post(
        "/api/auth/api-tokens", json={"name": "feed", **body}, headers=env.headers(user)
    )
    assert r.status_code == 201, r.text
    out: dict[str, object] = r.json()
    return out


def _alive(env: Env, token: object) -> bool:
    r = env.client.get("/api/auth/me", headers=bearer(str(token)))
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


def test_a_token_without_a_lifetime_gets_the_default(make_env: EnvFactory) -> None:
    """No ``expires_days``: the operator's default (here 7 days), never "no expiry"."""
    env = make_env(api_token_default_days=7, api_token_max_days=30)
    env.add_user("officer_a", "officer", "500103")
    made = _token(env, "officer_a")
    exp = datetime.fromisoformat(str(made["expires_at"]))
    want = datetime.now(UTC) + timedelta(days=7)
    assert abs((exp - want).total_seconds()) < 120
    r = env.client.post(
        "/api/auth/api-tokens",
        json={"name": "forever", "expires_days": None},
        headers=env.headers("officer_a"),
    )
    assert r.status_code == 201 and r.json()["expires_at"] is not None, r.text


def test_a_lifetime_over_the_maximum_is_refused(make_env: EnvFactory) -> None:
    """Above ``api_token_max_days`` the request is refused naming the field; nothing is made."""
    env = make_env(api_token_max_days=30, api_token_default_days=10)
    env.add_user("officer_a", "officer", "500103")
    r = env.client.post(
        "/api/auth/api-tokens",
        json={"name": "long", "expires_days": 31},
        headers=env.headers("officer_a"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == "expires_days"
    assert env.store.api_tokens("officer_a") == []
    assert _token(env, "officer_a", expires_days=30)["expires_at"]


def test_settings_refuse_a_default_above_the_maximum() -> None:
    """A default lifetime longer than the maximum is a configuration error."""
    from pydantic import ValidationError

    from metrocircle.settings import Settings

    with pytest.raises(ValidationError, match="api_token_default_days"):
        Settings(api_token_default_days=400, api_token_max_days=365)


@pytest.mark.parametrize("event", ["password", "disable_enable", "logout_everywhere"])
def test_tokens_die_with_password_disable_and_logout(env: Env, event: str) -> None:
    """Each event revokes every API token of the user; enabling again does not revive them."""
    env.add_user("admin_a", "admin")
    env.add_user("officer_a", "officer", "500103")
    first, second = _token(env, "officer_a"), _token(env, "officer_a", expires_days=3)
    other = _token(env, "admin_a")
    assert _alive(env, first["token"]) and _alive(env, second["token"])
    if event == "password":
        env.store.set_password("officer_a", NEW_PASSWORD, actor="admin_a")
    elif event == "disable_enable":
        a = env.headers("admin_a")
        assert env.client.post("/api/users/officer_a/disable", headers=a).status_code == 200
        assert env.client.post("/api/users/officer_a/enable", headers=a).status_code == 200
    else:
        r = env.client.post("/api/auth/logout", headers=env.headers("officer_a"))
        assert r.status_code == 204, r.text
    assert not _alive(env, first["token"])
    assert not _alive(env, second["token"])
    assert _alive(env, other["token"])  # another user's token is untouched
    assert all(t.revoked_at is not None for t in env.store.api_tokens("officer_a"))
    rep = env.store.verify_audit()
    assert rep.ok, rep.problems


def test_a_token_without_expiry_is_refused(env: Env) -> None:
    """A row without ``expires_at`` (what the old store allowed) authenticates nobody."""
    env.add_user("officer_a", "officer", "500103")
    made = _token(env, "officer_a")
    with env.store.engine.begin() as conn:
        conn.execute(api_tokens.update().values(expires_at=None))
    assert not _alive(env, made["token"])


def test_admin_lists_and_revokes_any_users_tokens(env: Env) -> None:
    """Administrators see and revoke another user's tokens; others get 403, the public 401."""
    env.add_user("admin_a", "admin")
    env.add_user("officer_a", "officer", "500103")
    env.add_user("officer_b", "officer", "500104")
    made = _token(env, "officer_a")
    a = env.headers("admin_a")
    r = env.client.get("/api/users/officer_a/api-tokens", headers=a)
    assert r.status_code == 200, r.text
    listed = r.json()
    assert [(t["id"], t["user"], t["name"]) for t in listed] == [(made["id"], "officer_a", "feed")]
    assert str(made["token"]) not in json.dumps(listed)
    url = f"/api/users/officer_a/api-tokens/{made['id']}"
    assert env.client.get("/api/users/officer_a/api-tokens").status_code == 401
    assert env.client.delete(url).status_code == 401
    b = env.headers("officer_b")
    assert env.client.get("/api/users/officer_a/api-tokens", headers=b).status_code == 403
    assert env.client.delete(url, headers=b).status_code == 403
    assert _alive(env, made["token"])
    # The token belongs to officer_a: naming another user finds nothing.
    r = env.client.delete(f"/api/users/officer_b/api-tokens/{made['id']}", headers=a)
    assert r.status_code == 404, r.text
    assert env.client.get("/api/users/nobody_here/api-tokens", headers=a).status_code == 404
    assert env.client.delete(url, headers=a).status_code == 204
    assert not _alive(env, made["token"])
    (entry,) = [e for e in env.store.audit_entries() if e.action == "revoke_api_token"]
    assert (entry.actor, entry.entity_id) == ("admin_a", str(made["id"]))
    assert env.store.verify_audit().ok


def test_cli_lists_and_revokes_tokens(env: Env) -> None:
    """`users tokens NAME` lists (no secrets), `users revoke-token ID` revokes; both DBs."""
    env.add_user("officer_a", "officer", "500103")
    made = _token(env, "officer_a")
    run = CliRunner().invoke(app, ["users", "tokens", "officer_a", "--db", env.store.url, "--json"])
    assert run.exit_code == 0, run.output
    rows = json.loads(run.output)
    assert [(r["id"], r["name"], r["revoked_at"]) for r in rows] == [(made["id"], "feed", None)]
    assert str(made["token"]) not in run.output
    run = CliRunner().invoke(app, ["users", "revoke-token", str(made["id"]), "--db", env.store.url])
    assert run.exit_code == 0, run.output
    assert not _alive(env, made["token"])
    run = CliRunner().invoke(app, ["users", "revoke-token", "99999", "--db", env.store.url])
    assert run.exit_code != 0 and "99999" in run.output
    assert "Traceback" not in run.output
    run = CliRunner().invoke(app, ["users", "tokens", "nobody_here", "--db", env.store.url])
    assert run.exit_code != 0 and "nobody_here" in run.output


def test_cli_token_refuses_a_lifetime_over_the_maximum(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI obeys METROCIRCLE_API_TOKEN_MAX_DAYS too."""
    env.add_user("officer_a", "officer", "500103")
    monkeypatch.setenv("METROCIRCLE_API_TOKEN_MAX_DAYS", "30")
    monkeypatch.setenv("METROCIRCLE_API_TOKEN_DEFAULT_DAYS", "10")
    argv = ["users", "token", "officer_a", "--db", env.store.url, "--expires-days", "31"]
    run = CliRunner().invoke(app, argv)
    assert run.exit_code != 0 and "expires_days" in run.output, run.output
    assert env.store.api_tokens("officer_a") == []


def test_migration_gives_old_tokens_an_expiry(store_url: str) -> None:
    """Upgrading a store whose live token has no expiry sets one and logs it; verify holds."""
    from alembic import command
    from alembic.config import Config

    store = Store(store_url)
    store.add_user("officer_a", role="officer", unit="500103", password=NEW_PASSWORD, actor="t")
    rec, token = store.create_api_token("officer_a", "old feed", actor="t")
    # What the old store allowed: a token without an expiry, logged as such.
    with store.engine.begin() as conn:
        conn.execute(api_tokens.update().values(expires_at=None))
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("metrocircle.store") / "migrations"))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    store.close()
    store = Store(store_url)  # upgrades to head again
    try:
        (t,) = store.api_tokens("officer_a")
        assert t.expires_at is not None
        assert t.expires_at > datetime.now(UTC) + timedelta(days=80)
        assert store.user_for_api_token(token) is not None
        (entry,) = [e for e in store.audit_entries() if e.action == "expire_api_tokens"]
        assert entry.after == {"expiry_set": {str(rec.id): entry.after["expiry_set"][str(rec.id)]}}
        with store.engine.connect() as conn:
            n = conn.execute(sa.select(sa.func.count()).select_from(api_tokens)).scalar_one()
        assert n == 1
        rep = store.verify_audit()
        assert rep.ok, rep.problems
    finally:
        store.close()
