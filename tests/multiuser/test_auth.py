"""Issue 9's authentication and permission proofs, on SQLite and on PostgreSQL.

Anonymous writes are refused (401) on every write route; viewers and reviewers may not
submit, officers may not review, nobody reviews their own submission (four eyes). Expired
and forged access tokens, tokens of disabled users and tokens older than a password change
are refused; API tokens work until revoked or expired and cannot breed more tokens. The
audit log is for administrators only, records who/what/before/after/where, and its check
finds tampering. Logins are rate-limited, production refuses default secrets, and no
password or token reaches the logs.
"""

from __future__ import annotations

import base64
import hmac
import itertools
import json
import logging
import os
import re
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from hashlib import sha256, sha512
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from metrocircle.security import issue_access_token
from metrocircle.settings import Settings
from metrocircle.store.tables import api_tokens, audit_log, observations

from .harness import (
    PASSWORD,
    SECRET_KEY,
    b64url_json,
    bearer,
    obs_row,
    unb64url_json,
)

if TYPE_CHECKING:
    from .conftest import EnvFactory
    from .harness import Env

NO_UUID = "00000000-0000-4000-8000-000000000000"
WRITE_ROUTES: list[tuple[str, str, str, dict[str, Any]]] = [
    (
        "POST",
        "/api/observations",
        "/api/observations",
        {"json": {"observations": [obs_row("500103", source="x")]}},
    ),
    (
        "POST",
        "/api/observations/{obs_id}/review",
        "/api/observations/1/review",
        {"json": {"decision": "accept"}},
    ),
    (
        "POST",
        "/api/submissions/{batch_id}/review",
        f"/api/submissions/{NO_UUID}/review",
        {"json": {"decision": "accept"}},
    ),
    (
        "POST",
        "/api/users",
        "/api/users",
        {"json": {"name": "intruder", "role": "admin", "unit": None, "password": PASSWORD}},
    ),
    ("POST", "/api/users/{name}/disable", "/api/users/officer_a/disable", {}),
    ("POST", "/api/users/{name}/enable", "/api/users/officer_a/enable", {}),
    (
        "POST",
        "/api/auth/api-tokens",
        "/api/auth/api-tokens",
        {"json": {"name": "feed", "expires_days": 30}},
    ),
    ("DELETE", "/api/auth/api-tokens/{token_id}", "/api/auth/api-tokens/1", {}),
    (
        "DELETE",
        "/api/users/{name}/api-tokens/{token_id}",
        "/api/users/officer_a/api-tokens/1",
        {},
    ),
    ("POST", "/api/auth/logout", "/api/auth/logout", {}),
]
"""Every route that changes the store (login aside), with a well-formed body."""


def _cast(env: Env) -> None:
    """Two administrators, an officer of 500103, a reviewer and a viewer."""
    env.add_user("admin_a", "admin")
    env.add_user("admin_b", "admin")
    env.add_user("officer_a", "officer", "500103")
    env.add_user("reviewer_r", "reviewer")
    env.add_user("viewer_v", "viewer")


# ---------------------------------------------------------------- who may write


def test_every_write_route_is_listed(env: Env) -> None:
    """The list below covers every POST/DELETE of the accounts, observations and audit routers."""
    spec = env.client.get("/openapi.json").json()
    writes = {
        (m.upper(), p)
        for p, ops in spec["paths"].items()
        for m, op in ops.items()
        if m in ("post", "put", "patch", "delete")
        and set(op.get("tags", ())) & {"accounts", "observations", "audit"}
    }
    listed = {(m, template) for m, template, _path, _kw in WRITE_ROUTES}
    assert writes == listed | {("POST", "/api/auth/token")}


def test_anonymous_writes_refused(env: Env) -> None:
    """No bearer token: 401 with WWW-Authenticate on every write route; nothing written."""
    _cast(env)
    head = env.store.audit_head()
    for method, _template, path, kw in WRITE_ROUTES:
        r = env.client.request(method, path, **kw)
        assert r.status_code == 401, (method, path, r.status_code, r.text)
        assert r.headers.get("www-authenticate") == "Bearer", (method, path)
    assert env.store.audit_head() == head
    assert env.all_rows() == []
    assert [u.name for u in env.store.users()] == sorted(
        ["admin_a", "admin_b", "officer_a", "reviewer_r", "viewer_v"]
    )


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_viewer_and_reviewer_cannot_submit(make_env: EnvFactory, role: str) -> None:
    """Roles that read or review may not submit, for any scope."""
    env = make_env()
    env.add_user("user_x", role)
    h = env.headers("user_x")
    for scope in ("500103", "region", "511600"):
        r = env.submit(h, [obs_row(scope, source=f"{role} {scope}")])
        assert r.status_code == 403, (role, scope, r.text)
        assert "may not submit" in r.json()["detail"]
    assert env.all_rows() == []
    me = env.client.get("/api/auth/me", headers=h).json()
    assert me["can_submit"] is False
    assert me["units"] == []


@pytest.mark.parametrize("user", ["officer_a", "reviewer_r", "viewer_v"])
def test_only_admins_manage_users(env: Env, user: str) -> None:
    """Creating, listing, disabling users: 403 for every role but administrators."""
    _cast(env)
    h = env.headers(user)
    new = {"name": "sneaky_admin", "role": "admin", "unit": None, "password": PASSWORD}
    assert env.client.post("/api/users", json=new, headers=h).status_code == 403
    assert env.client.get("/api/users", headers=h).status_code == 403
    assert env.client.post("/api/users/admin_a/disable", headers=h).status_code == 403
    assert "sneaky_admin" not in {u.name for u in env.store.users()}
    assert not env.store.user("admin_a").disabled


# ---------------------------------------------------------------- review


def test_review_permissions_and_four_eyes(env: Env) -> None:
    """Officers cannot review; nobody accepts their own rows; decided rows cannot be re-reviewed."""
    _cast(env)
    r = env.submit(env.headers("admin_a"), [obs_row("500104", source="admin's own")])
    assert r.status_code == 201, r.text
    (own_id,) = r.json()["ids"]
    batch = r.json()["batch_id"]
    accept = {"decision": "accept"}

    # The submitter, though an administrator, may not accept their own row or batch.
    r = env.client.post(
        f"/api/observations/{own_id}/review", json=accept, headers=env.headers("admin_a")
    )
    assert r.status_code == 403, r.text
    assert "four-eyes" in r.text
    r = env.client.post(
        f"/api/submissions/{batch}/review", json=accept, headers=env.headers("admin_a")
    )
    assert r.status_code == 403, r.text
    # An officer and a viewer may not review anybody's row.
    for who in ("officer_a", "viewer_v"):
        r = env.client.post(
            f"/api/observations/{own_id}/review", json=accept, headers=env.headers(who)
        )
        assert r.status_code == 403, (who, r.text)
    assert env.store.observation(own_id).status == "submitted"

    # Another administrator accepts.
    r = env.client.post(
        f"/api/observations/{own_id}/review", json=accept, headers=env.headers("admin_b")
    )
    assert r.status_code == 200, r.text
    item = r.json()
    assert (item["status"], item["reviewed_by"], item["submitted_by"]) == (
        "accepted",
        "admin_b",
        "admin_a",
    )
    # Decided: a second review is a conflict, whoever asks.
    for who, body in (
        ("reviewer_r", accept),
        ("reviewer_r", {"decision": "reject", "reason": "x"}),
    ):
        r = env.client.post(
            f"/api/observations/{own_id}/review", json=body, headers=env.headers(who)
        )
        assert r.status_code == 409, r.text
    r = env.client.post(
        f"/api/submissions/{batch}/review", json=accept, headers=env.headers("reviewer_r")
    )
    assert r.status_code == 409, r.text
    assert env.store.observation(own_id).reviewed_by == "admin_b"

    # The officer's submission: the officer cannot review it; a reviewer can.
    r = env.submit(env.headers("officer_a"), [obs_row("500103", source="officer's row")])
    (off_id,) = r.json()["ids"]
    r = env.client.post(
        f"/api/observations/{off_id}/review", json=accept, headers=env.headers("officer_a")
    )
    assert r.status_code == 403, r.text
    for reason in (None, "", "   "):
        body = (
            {"decision": "reject"} if reason is None else {"decision": "reject", "reason": reason}
        )
        r = env.client.post(
            f"/api/observations/{off_id}/review", json=body, headers=env.headers("reviewer_r")
        )
        assert r.status_code == 422, (reason, r.text)
        assert "reason" in json.dumps(r.json()["detail"])
    assert env.store.observation(off_id).status == "submitted"
    r = env.client.post(
        f"/api/observations/{off_id}/review",
        json={"decision": "reject", "reason": "the yearbook gives 61.2"},
        headers=env.headers("reviewer_r"),
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["review_reason"]) == (
        "rejected",
        "the yearbook gives 61.2",
    )
    r = env.client.post(
        "/api/observations/99999/review", json=accept, headers=env.headers("reviewer_r")
    )
    assert r.status_code == 404, r.text
    assert env.store.verify_audit().ok


# ---------------------------------------------------------------- access tokens


def _claims(env: Env, name: str, **over: Any) -> dict[str, Any]:
    """The claims of a genuine token of ``name`` (minted with the app's key), changed by ``over``."""
    u = env.store.user(name)
    minted = issue_access_token(
        SECRET_KEY,
        name=name,
        role=u.role,
        unit=u.unit,
        ttl=timedelta(minutes=5),
        epoch=u.token_epoch,
    )
    claims = unb64url_json(minted.split(".")[1])
    claims.update(over)
    return claims


def _sign(header: dict[str, Any], claims: dict[str, Any], key: str) -> str:
    head = b64url_json(header) + "." + b64url_json(claims)
    alg = {"HS256": sha256, "HS512": sha512}[header["alg"]]
    sig = hmac.new(key.encode(), head.encode(), alg).digest()
    return head + "." + base64.urlsafe_b64encode(sig).rstrip(b"=").decode()


def _refused_everywhere(env: Env, token: str) -> list[str]:
    """Why ``token`` was not refused (empty when /me and a submission both answer 401)."""
    out = []
    h = bearer(token)
    r = env.client.get("/api/auth/me", headers=h)
    if r.status_code != 401:
        out.append(f"/api/auth/me → {r.status_code} {r.text[:120]}")
    r = env.submit(h, [obs_row("500103", source=f"forged {token[-12:]}")])
    if r.status_code != 401:
        out.append(f"POST /api/observations → {r.status_code} {r.text[:120]}")
    return out


def test_hand_made_token_is_accepted_as_control(env: Env) -> None:
    """The forgeries below are built like this valid token: refusals are not accidents."""
    env.add_user("officer_a", "officer", "500103")
    token = _sign({"alg": "HS256", "typ": "JWT"}, _claims(env, "officer_a"), SECRET_KEY)
    r = env.client.get("/api/auth/me", headers=bearer(token))
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "officer_a"
    minted = issue_access_token(
        SECRET_KEY,
        name="officer_a",
        role="officer",
        unit="500103",
        ttl=timedelta(minutes=5),
        epoch=env.store.user("officer_a").token_epoch,
    )
    assert env.client.get("/api/auth/me", headers=bearer(minted)).status_code == 200


def test_expired_access_token_refused(env: Env) -> None:
    """A token past its exp is refused with 401 and says so."""
    env.add_user("officer_a", "officer", "500103")
    epoch = env.store.user("officer_a").token_epoch
    for ttl in (timedelta(seconds=-1), timedelta(minutes=-20), timedelta(days=-400)):
        token = issue_access_token(
            SECRET_KEY, name="officer_a", role="officer", unit="500103", ttl=ttl, epoch=epoch
        )
        assert _refused_everywhere(env, token) == [], ttl
        r = env.client.get("/api/auth/me", headers=bearer(token))
        assert "expired" in r.json()["detail"]
    assert env.all_rows() == []


def test_forged_access_tokens_refused(env: Env) -> None:
    """Wrong key, alg none, another algorithm, tampered claims, garbage, unknown user: 401."""
    env.add_user("officer_a", "officer", "500103")
    env.add_user("admin_a", "admin")
    good = env.login("officer_a")
    head, payload, sig = good.split(".")
    claims = unb64url_json(payload)
    as_admin = {**claims, "role": "admin", "unit": None}
    as_admin_sub = {**as_admin, "sub": "admin_a"}
    hs = {"alg": "HS256", "typ": "JWT"}
    forged = {
        "wrong signing key": _sign(hs, _claims(env, "admin_a"), "f" * 10 + SECRET_KEY[10:]),
        "alg none": b64url_json({"alg": "none", "typ": "JWT"})
        + "."
        + b64url_json(_claims(env, "admin_a"))
        + ".",
        "alg None, no dot": b64url_json({"alg": "None"}) + "." + b64url_json(as_admin_sub),
        "HS512 with the right key": _sign(
            {"alg": "HS512", "typ": "JWT"}, _claims(env, "admin_a"), SECRET_KEY
        ),
        "role changed to admin": f"{head}.{b64url_json(as_admin)}.{sig}",
        "sub changed to an admin": f"{head}.{b64url_json(as_admin_sub)}.{sig}",
        "signature dropped": f"{head}.{payload}.",
        "signature of another token": ".".join([head, payload, env.login("admin_a").split(".")[2]]),
        "another audience": _sign(hs, _claims(env, "officer_a", aud="elsewhere"), SECRET_KEY),
        "no exp": _sign(
            hs, {k: v for k, v in _claims(env, "officer_a").items() if k != "exp"}, SECRET_KEY
        ),
        "garbage": "not-a-token",
        "three garbage parts": "a.b.c",
        "API token look-alike": "mc_" + "A" * 43,
        "user that does not exist": issue_access_token(
            SECRET_KEY,
            name="ghost_admin",
            role="admin",
            unit=None,
            ttl=timedelta(minutes=5),
            epoch=0,
        ),
    }
    wrong = {k: why for k, t in forged.items() if (why := _refused_everywhere(env, t))}
    assert wrong == {}
    assert env.all_rows() == []
    # The genuine token still works: the refusals above were about the forgeries.
    assert env.client.get("/api/auth/me", headers=bearer(good)).status_code == 200


def test_disabled_user_token_refused(env: Env) -> None:
    """Disabling a user ends their still-valid access and API tokens at once."""
    _cast(env)
    h = env.headers("officer_a")
    r = env.client.post(
        "/api/auth/api-tokens", json={"name": "feed", "expires_days": 30}, headers=h
    )
    assert r.status_code == 201, r.text
    api = bearer(r.json()["token"])
    assert env.client.get("/api/auth/me", headers=api).status_code == 200
    r = env.client.post("/api/users/officer_a/disable", headers=env.headers("admin_a"))
    assert r.status_code == 200, r.text
    assert r.json()["disabled"] is True
    for headers in (h, api):
        assert env.client.get("/api/auth/me", headers=headers).status_code == 401
        r = env.submit(headers, [obs_row("500103", source="after disable")])
        assert r.status_code == 401, r.text
    r = env.client.post("/api/auth/token", data={"username": "officer_a", "password": PASSWORD})
    assert r.status_code == 401
    assert env.all_rows() == []


def test_token_issued_before_password_change_refused(env: Env) -> None:
    """A password change voids access tokens issued before it; a new login works."""
    env.add_user("officer_a", "officer", "500103")
    old = env.login("officer_a")
    assert env.client.get("/api/auth/me", headers=bearer(old)).status_code == 200
    new_password = "Yangtze-ferry-crossing-77"
    env.store.set_password("officer_a", new_password, actor="admin_a")
    r = env.client.get("/api/auth/me", headers=bearer(old))
    assert r.status_code == 401, "a token issued before the password change still works"
    assert env.submit(bearer(old), [obs_row("500103", source="old token")]).status_code == 401
    r = env.client.post("/api/auth/token", data={"username": "officer_a", "password": PASSWORD})
    assert r.status_code == 401
    fresh = env.login("officer_a", new_password)
    assert env.client.get("/api/auth/me", headers=bearer(fresh)).status_code == 200
    assert env.all_rows() == []


def test_logout_ends_every_session(env: Env) -> None:
    """Sign-out voids all the user's access tokens (other sessions too) and API tokens."""
    env.add_user("officer_a", "officer", "500103")
    first, second = env.login("officer_a"), env.login("officer_a")
    r = env.client.post(
        "/api/auth/api-tokens", json={"name": "feed", "expires_days": 30}, headers=bearer(first)
    )
    api = bearer(r.json()["token"])
    assert env.client.post("/api/auth/logout", headers=bearer(second)).status_code == 204
    for token in (first, second):
        assert _refused_everywhere(env, token) == []
    # Signing out everywhere ends the API tokens too (issue 19: they outlived a logout).
    assert env.client.get("/api/auth/me", headers=api).status_code == 401
    fresh = env.login("officer_a")
    assert env.client.get("/api/auth/me", headers=bearer(fresh)).status_code == 200
    assert env.all_rows() == []


# ---------------------------------------------------------------- API tokens


def test_api_token_lifecycle(env: Env) -> None:
    """Create after a password login, submit with it, revoke it (401 after); it breeds no tokens."""
    env.add_user("officer_a", "officer", "500103")
    h = env.headers("officer_a")
    r = env.client.post(
        "/api/auth/api-tokens", json={"name": "district feed", "expires_days": 30}, headers=h
    )
    assert r.status_code == 201, r.text
    made = r.json()
    token = made["token"]
    assert token.startswith("mc_")
    assert token.startswith(made["prefix"])
    api = bearer(token)

    me = env.client.get("/api/auth/me", headers=api).json()
    assert (me["name"], me["via"], me["units"]) == ("officer_a", "api_token", ["500103"])
    r = env.submit(api, [obs_row("500103", source="via API token")])
    assert r.status_code == 201, r.text
    assert env.store.observation(r.json()["ids"][0]).submitted_by == "officer_a"
    # The isolation holds for API tokens too.
    assert env.submit(api, [obs_row("500104", source="other unit")]).status_code == 403

    # A token cannot make tokens, nor see the list of secrets.
    r = env.client.post(
        "/api/auth/api-tokens", json={"name": "child", "expires_days": 1}, headers=api
    )
    assert r.status_code == 403, r.text
    listed = env.client.get("/api/auth/api-tokens", headers=h).json()
    assert [t["name"] for t in listed] == ["district feed"]
    assert "token" not in listed[0]
    assert token not in json.dumps(listed)

    r = env.client.delete(f"/api/auth/api-tokens/{made['id']}", headers=h)
    assert r.status_code == 204, r.text
    assert env.client.get("/api/auth/me", headers=api).status_code == 401
    assert env.submit(api, [obs_row("500103", source="after revoke")]).status_code == 401
    assert [s for s, src, *_ in env.all_rows()] == ["500103"]
    # Nobody else may revoke (or see) another user's token.
    env.add_user("officer_b", "officer", "500104")
    r = env.client.post(
        "/api/auth/api-tokens", json={"name": "b feed", "expires_days": 30}, headers=h
    )
    r = env.client.delete(
        f"/api/auth/api-tokens/{r.json()['id']}", headers=env.headers("officer_b")
    )
    assert r.status_code == 404, r.text


def test_expired_api_token_refused(env: Env) -> None:
    """An API token past its expiry date is refused with 401."""
    env.add_user("officer_a", "officer", "500103")
    r = env.client.post(
        "/api/auth/api-tokens",
        json={"name": "short", "expires_days": 1},
        headers=env.headers("officer_a"),
    )
    assert r.status_code == 201, r.text
    api = bearer(r.json()["token"])
    assert env.client.get("/api/auth/me", headers=api).status_code == 200
    with env.store.engine.begin() as conn:
        conn.execute(
            api_tokens.update()
            .where(api_tokens.c.id == r.json()["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert env.client.get("/api/auth/me", headers=api).status_code == 401
    assert env.submit(api, [obs_row("500103", source="expired feed")]).status_code == 401
    assert env.all_rows() == []


# ---------------------------------------------------------------- audit


def test_audit_is_for_administrators(env: Env) -> None:
    """GET /api/audit (and export, verify): 401 anonymous, 403 other roles, 200 admin."""
    _cast(env)
    for path in ("/api/audit", "/api/audit/verify", "/api/audit/export"):
        assert env.client.get(path).status_code == 401, path
        for who in ("officer_a", "viewer_v", "reviewer_r"):
            assert env.client.get(path, headers=env.headers(who)).status_code == 403, (path, who)
        assert env.client.get(path, headers=env.headers("admin_a")).status_code == 200, path


def _history(env: Env) -> dict[str, Any]:
    """A small history through the API: a user made, a submission, an acceptance, another submission."""
    _cast(env)
    admin = env.headers("admin_a")
    r = env.client.post(
        "/api/users",
        json={"name": "officer_ga", "role": "officer", "unit": "511600", "password": PASSWORD},
        headers=admin,
    )
    assert r.status_code == 201, r.text
    r1 = env.submit(
        env.headers("officer_a"),
        [obs_row("500103", source="first", value=60.25), obs_row("500103", source="second")],
        note="yearbook 2025",
    )
    assert r1.status_code == 201, r1.text
    rv = env.client.post(
        f"/api/submissions/{r1.json()['batch_id']}/review",
        json={"decision": "accept"},
        headers=env.headers("reviewer_r"),
    )
    assert rv.status_code == 200, rv.text
    r2 = env.submit(env.headers("officer_ga"), [obs_row("511602", source="third")])
    assert r2.status_code == 201, r2.text
    return {"first": r1.json(), "second": r2.json()}


def test_audit_records_who_what_before_after_origin(env: Env) -> None:
    """Entries name the actor, action, entity, before/after and origin, chained by hash."""
    made = _history(env)
    r = env.client.get("/api/audit", headers=env.headers("admin_a"))
    assert r.status_code == 200, r.text
    page = r.json()
    items = page["items"]
    by_action: dict[str, list[dict[str, Any]]] = {}
    for e in items:
        by_action.setdefault(e["action"], []).append(e)

    (add,) = [e for e in by_action["add_user"] if e["entity_id"] == "officer_ga"]
    assert (add["actor"], add["entity"], add["origin"]) == ("admin_a", "user", "api testclient")
    # The password hash is recorded only as a digest (so `audit verify` can check it).
    after = dict(add["after"])
    assert re.fullmatch(r"[0-9a-f]{64}", after.pop("password_digest"))
    assert after == {
        "name": "officer_ga",
        "role": "officer",
        "unit": "511600",
        "disabled": False,
    }
    assert add["before"] is None

    subs = by_action["submit_observations"]
    assert [(e["actor"], e["entity_id"]) for e in subs] == [
        ("officer_a", made["first"]["batch_id"]),
        ("officer_ga", made["second"]["batch_id"]),
    ]
    assert subs[0]["after"]["status"] == "submitted"
    assert subs[0]["after"]["rows"] == 2
    assert subs[0]["after"]["scopes"] == ["500103"]
    assert subs[0]["detail"]["note"] == "yearbook 2025"
    assert subs[0]["origin"] == "api testclient"

    (rev,) = by_action["review_observations"]
    assert rev["actor"] == "reviewer_r"
    assert rev["before"] == {"status": "submitted", "ids": made["first"]["ids"]}
    assert rev["after"]["status"] == "accepted"
    assert rev["after"]["ids"] == made["first"]["ids"]
    assert rev["origin"] == "api testclient"

    # The chain: each entry points at the previous one's hash; the head is the last hash.
    assert items[0]["prev_hash"] == "0" * 64
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(items))
    assert page["head_hash"] == items[-1]["hash"]
    assert [e["id"] for e in items] == sorted(e["id"] for e in items)
    # Filters and paging.
    only = env.client.get(
        "/api/audit", params={"actor": "reviewer_r"}, headers=env.headers("admin_a")
    ).json()["items"]
    assert [e["action"] for e in only] == ["review_observations"]
    rest = env.client.get(
        "/api/audit", params={"after_id": items[2]["id"]}, headers=env.headers("admin_a")
    ).json()["items"]
    assert rest == items[3:]

    v = env.client.get("/api/audit/verify", headers=env.headers("admin_a")).json()
    assert v["ok"] is True, v
    assert (v["entries"], v["head_hash"], v["first_bad_id"]) == (
        len(items),
        page["head_hash"],
        None,
    )

    export = env.client.get("/api/audit/export", headers=env.headers("admin_a"))
    assert export.status_code == 200
    lines = [json.loads(x) for x in export.text.splitlines()]
    assert [x["hash"] for x in lines] == [e["hash"] for e in items]
    assert PASSWORD not in export.text
    assert "argon2" not in export.text


def _verify(env: Env) -> dict[str, Any]:
    r = env.client.get("/api/audit/verify", headers=env.headers("admin_a"))
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


def _drop_append_only(env: Env) -> None:
    """What an attacker with database access does first: lift the append-only trigger."""
    with env.store.engine.begin() as conn:
        if env.store.dialect == "postgresql":
            conn.execute(sa.text("DROP TRIGGER audit_log_no_change ON audit_log"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_log_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_log_no_delete"))


def _middle_entry(env: Env) -> int:
    ids = [e.id for e in env.store.audit_entries()]
    assert len(ids) >= 5
    return ids[len(ids) // 2]


def test_audit_log_is_append_only_in_the_database(env: Env) -> None:
    """With the trigger in place, UPDATE and DELETE of audit entries fail in the database."""
    _history(env)
    mid = _middle_entry(env)
    for stmt in (
        audit_log.update().where(audit_log.c.id == mid).values(actor="mallory"),
        audit_log.delete().where(audit_log.c.id == mid),
    ):
        with pytest.raises(sa.exc.DBAPIError), env.store.engine.begin() as conn:
            conn.execute(stmt)
    assert _verify(env)["ok"] is True


def test_tampered_actor_detected(env: Env) -> None:
    """An entry's actor changed behind the application: verify names that entry."""
    _history(env)
    assert _verify(env)["ok"] is True
    mid = _middle_entry(env)
    _drop_append_only(env)
    with env.store.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == mid).values(actor="mallory"))
    v = _verify(env)
    assert v["ok"] is False
    assert v["first_bad_id"] == mid
    assert str(mid) in v["problem"]


def test_deleted_entry_detected(env: Env) -> None:
    """A middle entry deleted: the chain breaks at the entry after it."""
    _history(env)
    ids = [e.id for e in env.store.audit_entries()]
    mid = _middle_entry(env)
    _drop_append_only(env)
    with env.store.engine.begin() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.id == mid))
    v = _verify(env)
    assert v["ok"] is False
    assert v["first_bad_id"] == ids[ids.index(mid) + 1]


def test_edited_observation_value_detected(env: Env) -> None:
    """A stored value changed by SQL (the log untouched) no longer matches its batch digest."""
    made = _history(env)
    obs_id = made["first"]["ids"][0]
    with env.store.engine.begin() as conn:
        conn.execute(observations.update().where(observations.c.id == obs_id).values(value=99.5))
    v = _verify(env)
    assert v["ok"] is False
    assert made["first"]["batch_id"] in v["problem"]
    assert v["first_bad_id"] is None  # the chain itself is intact


def test_status_changed_without_review_detected(env: Env) -> None:
    """A submitted row set to accepted by SQL, with no review entry: found and named."""
    made = _history(env)
    (obs_id,) = made["second"]["ids"]
    with env.store.engine.begin() as conn:
        conn.execute(
            observations.update().where(observations.c.id == obs_id).values(status="accepted")
        )
    v = _verify(env)
    assert v["ok"] is False
    assert any(f"observation {obs_id} " in p for p in v["problems"]), v


def test_observation_inserted_behind_the_log_detected(env: Env) -> None:
    """A row inserted by SQL (no submission, no audit entry) is found."""
    _history(env)
    with env.store.engine.begin() as conn:
        conn.execute(
            observations.insert().values(
                indicator="urbanisation_rate_pct",
                unit_code="500103",
                period=2023,
                value=70.0,
                unit_of_measure="pct",
                source="smuggled",
                source_url=None,
                submitted_by="officer_a",
                submitted_at=datetime.now(UTC),
                batch_id=NO_UUID,
                status="accepted",
            )
        )
    v = _verify(env)
    assert v["ok"] is False
    assert NO_UUID in v["problem"]


# ---------------------------------------------------------------- rate limits


def test_login_rate_limit(make_sqlite_env: EnvFactory) -> None:
    """With 3 attempts a minute, the 4th wrong password gets 429 and Retry-After."""
    env = make_sqlite_env(login_attempts_per_minute=3)
    env.add_user("officer_a", "officer", "500103")
    env.add_user("officer_b", "officer", "500104")
    wrong = {"username": "officer_a", "password": "not-the-password-1"}
    for _ in range(3):
        r = env.client.post("/api/auth/token", data=wrong)
        assert r.status_code == 401, r.text
    r = env.client.post("/api/auth/token", data=wrong)
    assert r.status_code == 429, r.text
    assert 1 <= int(r.headers["retry-after"]) <= 60
    # Limited means limited: now even the right password waits.
    r = env.client.post("/api/auth/token", data={"username": "officer_a", "password": PASSWORD})
    assert r.status_code == 429
    # The limit is per user name (and address): another user still logs in.
    env.login("officer_b")


def test_write_rate_limit(make_sqlite_env: EnvFactory) -> None:
    """With 2 writes a minute, a user's 3rd write gets 429 and Retry-After, and writes nothing."""
    env = make_sqlite_env(writes_per_minute=2)
    env.add_user("officer_a", "officer", "500103")
    h = env.headers("officer_a")
    for i in range(2):
        assert env.submit(h, [obs_row("500103", source=f"w{i}")]).status_code == 201
    r = env.submit(h, [obs_row("500103", source="w2")])
    assert r.status_code == 429, r.text
    assert int(r.headers["retry-after"]) >= 1
    assert len(env.all_rows()) == 2


# ---------------------------------------------------------------- production settings


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """No METROCIRCLE_* variable from the caller's shell leaks into Settings()."""
    for k in list(os.environ):
        if k.startswith("METROCIRCLE_"):
            monkeypatch.delenv(k)


@pytest.mark.usefixtures("clean_environ")
@pytest.mark.parametrize(
    "key",
    [None, "", "change-me", "CHANGE-ME", "secret", "short-but-random-9f3", "a" * 64, "ab" * 40],
    ids=["unset", "empty", "change-me", "CHANGE-ME", "secret", "short", "one-char", "two-chars"],
)
def test_production_refuses_weak_secret(key: str | None) -> None:
    """Production without a strong signing key does not even build its settings."""
    kw: dict[str, Any] = {} if key is None else {"secret_key": key}
    with pytest.raises(ValidationError, match="METROCIRCLE_SECRET_KEY"):
        Settings(environment="production", **kw)


@pytest.mark.usefixtures("clean_environ")
def test_production_accepts_random_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 64-hex key is accepted, directly and from the environment; CORS '*' is not."""
    s = Settings(environment="production", secret_key=SECRET_KEY)
    assert s.secret_key is not None
    assert s.secret_key.get_secret_value() == SECRET_KEY
    assert SECRET_KEY not in repr(s)
    assert SECRET_KEY not in str(s.model_dump())
    monkeypatch.setenv("METROCIRCLE_ENVIRONMENT", "production")
    monkeypatch.setenv("METROCIRCLE_SECRET_KEY", SECRET_KEY)
    assert Settings().environment == "production"
    with pytest.raises(ValidationError, match="cors_origins"):
        Settings(cors_origins=["*"])
    # Development and tests run without a key (a random one is made per server).
    monkeypatch.delenv("METROCIRCLE_SECRET_KEY")
    monkeypatch.setenv("METROCIRCLE_ENVIRONMENT", "development")
    assert Settings().secret_key is None


def _fragments(secret: str, width: int = 8) -> list[str]:
    return [secret[i : i + width] for i in range(len(secret) - width + 1)]


@pytest.mark.usefixtures("clean_environ")
def test_refused_settings_do_not_echo_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """A refusal for another reason (CORS '*') must not print any part of a good key.

    The message ends up on stderr and in the server's log when it refuses to start.
    """
    leaks = []
    with pytest.raises(ValidationError) as info:
        Settings(environment="production", secret_key=SECRET_KEY, cors_origins=["*"])
    leaks += [f for f in _fragments(SECRET_KEY) if f in str(info.value)]
    monkeypatch.setenv("METROCIRCLE_ENVIRONMENT", "production")
    monkeypatch.setenv("METROCIRCLE_SECRET_KEY", SECRET_KEY)
    monkeypatch.setenv("METROCIRCLE_CORS_ORIGINS", '["*"]')
    with pytest.raises(ValidationError) as info:
        Settings()
    leaks += [f for f in _fragments(SECRET_KEY) if f in str(info.value)]
    assert leaks == [], f"the error message shows the key: {info.value}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_refuses_to_start_in_production_without_key(tmp_path: Path) -> None:
    """`metrocircle serve` with METROCIRCLE_ENVIRONMENT=production and no key exits, saying why."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("METROCIRCLE_")}
    env["METROCIRCLE_ENVIRONMENT"] = "production"
    env["METROCIRCLE_DB"] = f"sqlite:///{tmp_path / 'store.sqlite'}"
    script = Path(sys.executable).with_name("metrocircle")
    proc = subprocess.run(
        [str(script), "serve", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode != 0
    assert "METROCIRCLE_SECRET_KEY" in proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert not (tmp_path / "store.sqlite").exists()


# ---------------------------------------------------------------- logs


def test_no_secret_in_logs(env: Env, caplog: pytest.LogCaptureFixture) -> None:
    """Failed and good logins, a token made and used: no password or token text is logged."""
    env.add_user("officer_a", "officer", "500103")
    caplog.set_level(logging.DEBUG)
    for name in ("uvicorn", "metrocircle", "sqlalchemy", "sqlalchemy.engine", "httpx", "fastapi"):
        caplog.set_level(logging.DEBUG, logger=name)
    wrong_password = "Wrong-guess-of-the-password-42"
    r = env.client.post(
        "/api/auth/token", data={"username": "officer_a", "password": wrong_password}
    )
    assert r.status_code == 401
    access = env.login("officer_a")
    r = env.client.post(
        "/api/auth/api-tokens",
        json={"name": "feed", "expires_days": 30},
        headers=bearer(access),
    )
    assert r.status_code == 201, r.text
    api_token = r.json()["token"]
    r = env.submit(bearer(api_token), [obs_row("500103", source="logged?")])
    assert r.status_code == 201, r.text
    r = env.submit(bearer(api_token), [obs_row("500104", source="refused, logged")])
    assert r.status_code == 403

    assert caplog.records, "nothing was logged at all: the capture is not working"
    assert any("officer_a" in rec.getMessage() for rec in caplog.records)
    secrets = {
        "password": PASSWORD,
        "wrong password": wrong_password,
        "access token": access,
        "access token signature": access.rsplit(".", 1)[1],
        "API token": api_token,
        "API token body": api_token[10:],
        "signing key": SECRET_KEY,
    }
    leaks = []
    for rec in caplog.records:
        texts = [rec.getMessage(), repr(rec.args), str(rec.msg), rec.exc_text or ""]
        for what, secret in secrets.items():
            if any(secret in t for t in texts):
                leaks.append(f"{what} in {rec.name}: {rec.getMessage()[:200]}")
    assert leaks == []
    assert not any(s in caplog.text for s in secrets.values())
