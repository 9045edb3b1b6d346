"""Hostile: the audit digest survives both databases; ``verify`` covers accounts (issue 19, item 3).

Found by the probe: a value of −0.0 was hashed as ``-0.0`` but SQLite stores ``0.0``, so any
officer could make ``audit verify`` report tampering for ever. Edge values (−0.0, 1e-300, the
smallest double, large integers, one text in two Unicode normal forms) go through the API and
the CLI on SQLite and PostgreSQL here and the log stays intact. Accounts and tokens edited
behind the log are found, as observation values are.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.multiuser.harness import Env, bearer
from typer.testing import CliRunner

from metrocircle.cli import app
from metrocircle.store.tables import api_tokens, observations, users

NFD = unicodedata.normalize("NFD", "重庆市统计局 Café Résumé")
NFC = unicodedata.normalize("NFC", NFD)


def _row(scope: str, value: Any, *, source: str, indicator: str, unit: str) -> dict[str, Any]:
    return {
        "indicator": indicator,
        "scope": scope,
        "period": 2024,
        "value": value,
        "unit": unit,
        "source": source,
        "source_url": None,
    }


EDGE_ROWS = [
    _row("500103", -0.0, source="negative zero", indicator="urbanisation_rate_pct", unit="pct"),
    _row("500103", 1e-300, source="tiny", indicator="urbanisation_rate_pct", unit="pct"),
    _row("500103", 5e-324, source="subnormal", indicator="urbanisation_rate_pct", unit="pct"),
    _row("500112", 10**20, source="large integer", indicator="intl_air_routes", unit="count"),
    _row("500112", 2**53 + 1, source="past 2**53", indicator="intl_air_routes", unit="count"),
    _row("500112", 1.7976931348623157e308, source="max", indicator="intl_air_routes", unit="count"),
    _row("500103", 61.5, source=NFD, indicator="urbanisation_rate_pct", unit="pct"),
]


def _verify_ok(env: Env) -> None:
    rep = env.store.verify_audit()
    assert rep.ok, rep.problems
    r = env.client.get("/api/audit/verify", headers=env.headers("admin_a"))
    assert r.status_code == 200 and r.json()["ok"] is True, r.text


def test_edge_values_through_the_api_keep_the_chain_intact(env: Env) -> None:
    """−0.0, 1e-300, 5e-324, 1e20, 2**53+1, the largest double, NFD text: submitted, accepted, verified."""
    env.add_user("admin_a", "admin")
    env.add_user("admin_b", "admin")
    r = env.submit(env.headers("admin_a"), EDGE_ROWS)
    assert r.status_code == 201, r.text
    _verify_ok(env)
    r = env.client.post(
        f"/api/submissions/{r.json()['batch_id']}/review",
        json={"decision": "accept"},
        headers=env.headers("admin_b"),
    )
    assert r.status_code == 200, r.text
    _verify_ok(env)
    stored = {o.source: o.value for o in env.store.observations(status=None)}
    assert str(stored["negative zero"]) == "0.0"  # stored unsigned on both databases
    assert stored["tiny"] == 1e-300
    assert stored["subnormal"] == 5e-324
    assert stored["large integer"] == 1e20
    assert NFC in stored and NFD not in stored  # text is stored in NFC


def test_edge_values_through_the_cli_keep_the_chain_intact(store_url: str, tmp_path: Path) -> None:
    """The operator's CSV import of the same values verifies on both databases."""
    f = tmp_path / "edge.csv"
    lines = ["indicator,scope,period,value,unit,source"]
    lines += [
        "urbanisation_rate_pct,500103,2024,-0.0,pct,negative zero",
        "urbanisation_rate_pct,500103,2024,-0,pct,negative integer zero",
        "urbanisation_rate_pct,500103,2024,1e-300,pct,tiny",
        "intl_air_routes,500112,2024,100000000000000000000,count,large integer",
        f"urbanisation_rate_pct,500103,2024,61.5,pct,{NFD}",
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    run = CliRunner().invoke(app, ["import", "observations", str(f), "--db", store_url])
    assert run.exit_code == 0, run.output
    run = CliRunner().invoke(app, ["audit", "verify", "--db", store_url, "--json"])
    assert run.exit_code == 0, run.output
    assert '"ok": true' in run.output


def test_two_normal_forms_of_one_source_are_one_source(env: Env) -> None:
    """NFD and NFC spellings of a source in one submission are duplicates, refused by row."""
    env.add_user("admin_a", "admin")
    rows = [
        _row("500103", 60.0, source=NFD, indicator="urbanisation_rate_pct", unit="pct"),
        _row("500103", 61.0, source=NFC, indicator="urbanisation_rate_pct", unit="pct"),
    ]
    r = env.submit(env.headers("admin_a"), rows)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["body", "observations", 1, "indicator"]
    assert env.all_rows() == []


def test_edited_edge_value_still_detected(env: Env) -> None:
    """The canonical encoding does not blind the check: 0.0 → 1e-300 behind the log is found."""
    env.add_user("admin_a", "admin")
    r = env.submit(env.headers("admin_a"), EDGE_ROWS[:1])
    assert r.status_code == 201, r.text
    assert env.store.verify_audit().ok
    with env.store.engine.begin() as conn:
        conn.execute(observations.update().values(value=1e-300))
    rep = env.store.verify_audit()
    assert not rep.ok and "differ" in (rep.problem or "")


# ---------------------------------------------------------------- accounts and tokens


def _accounts(env: Env) -> str:
    """An account history through the API: users, a disable/enable, a password, tokens."""
    env.add_user("admin_a", "admin")
    env.add_user("officer_a", "officer", "500103")
    a = env.headers("admin_a")
    # Disabling revokes tokens, so the account is disabled and enabled before they are made.
    assert env.client.post("/api/users/officer_a/disable", headers=a).status_code == 200
    assert env.client.post("/api/users/officer_a/enable", headers=a).status_code == 200
    h = env.headers("officer_a")
    r = env.client.post(
        "/api/auth/api-tokens", json={"name": "feed", "expires_days": 30}, headers=h
    )
    assert r.status_code == 201, r.text
    token = r.json()["token"]
    r2 = env.client.post("/api/auth/api-tokens", json={"name": "old", "expires_days": 5}, headers=h)
    assert (
        env.client.delete(f"/api/auth/api-tokens/{r2.json()['id']}", headers=h).status_code == 204
    )
    assert env.store.verify_audit().ok, env.store.verify_audit().problems
    return token


def _tamper(env: Env, stmt: Any) -> str:
    with env.store.engine.begin() as conn:
        conn.execute(stmt)
    rep = env.store.verify_audit()
    assert not rep.ok
    return " | ".join(rep.problems)


def test_account_history_verifies(env: Env) -> None:
    """Users, a disable and enable, two tokens (one revoked): the check finds nothing wrong."""
    _accounts(env)
    env.store.set_password("officer_a", "Yangtze-ferry-crossing-2027", actor="admin_a")
    _verify_ok(env)


@pytest.mark.parametrize(
    ("change", "expect"),
    [
        (users.update().where(users.c.name == "officer_a").values(role="admin"), "role is 'admin'"),
        (
            users.update().where(users.c.name == "officer_a").values(unit_code="500104"),
            "unit is '500104'",
        ),
        (users.update().where(users.c.name == "officer_a").values(disabled=True), "disabled"),
        (
            users.update()
            .where(users.c.name == "officer_a")
            .values(
                password_hash=sa.select(users.c.password_hash)
                .where(users.c.name == "admin_a")
                .scalar_subquery()
            ),
            "password hash",
        ),
        (api_tokens.update().values(revoked_at=None), "is live"),
        (
            api_tokens.update().where(api_tokens.c.name == "feed").values(expires_at=None),
            "expires None",
        ),
        (
            api_tokens.update().where(api_tokens.c.name == "feed").values(token_sha256="0" * 64),
            "secret was replaced",
        ),
        (
            api_tokens.update()
            .where(api_tokens.c.name == "feed")
            .values(
                user_id=sa.select(users.c.id).where(users.c.name == "admin_a").scalar_subquery()
            ),
            "belongs to 'admin_a'",
        ),
    ],
    ids=["role", "unit", "disabled", "password", "unrevoke", "expiry", "secret", "owner"],
)
def test_account_edited_behind_the_log_detected(env: Env, change: Any, expect: str) -> None:
    """A role, unit binding, disabled flag, password hash or token edited in the database is found."""
    _accounts(env)
    assert expect in _tamper(env, change)


def test_user_and_token_inserted_behind_the_log_detected(env: Env) -> None:
    """An account or token inserted straight into the tables is found (with no audit entry)."""
    token = _accounts(env)
    assert env.client.get("/api/auth/me", headers=bearer(token)).status_code == 200
    with env.store.engine.begin() as conn:
        row = conn.execute(sa.select(users).where(users.c.name == "officer_a")).one()._asdict()
        row.pop("id")
        row["name"] = "ghost_admin"
        row["role"] = "admin"
        uid = conn.execute(users.insert().values(**row).returning(users.c.id)).scalar_one()
        t = conn.execute(sa.select(api_tokens).limit(1)).one()._asdict()
        t.pop("id")
        t.update(user_id=uid, token_sha256="1" * 64, revoked_at=None)
        conn.execute(api_tokens.insert().values(**t))
    problems = " | ".join(env.store.verify_audit().problems)
    assert "user 'ghost_admin' has no audit entry" in problems
    assert "has no audit entry (added behind the log)" in problems.replace(
        "user 'ghost_admin' has no audit entry (added behind the log)", ""
    )
