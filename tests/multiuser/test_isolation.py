"""Issue 9's isolation matrix: an officer of each unit writes for every scope; only their own pass.

For every unit of the embedded region, an officer bound to it posts one valid row for every
scope an observation may have (every unit code, ``region``, the groups and extra scopes).
Rows outside the officer's units are refused with 403 naming ``body.observations.0.scope``;
the officer's own unit (for the prefecture 广安市, also its child units) is accepted with 201.
Afterwards the store holds exactly the accepted rows: a refused request writes nothing, not
even part of a mixed batch. Runs on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from metrocircle.api.routes.core import valid_scopes

from .harness import obs_row

if TYPE_CHECKING:
    from metrocircle.region import Region

    from .conftest import EnvFactory
    from .harness import Env

GUANG_AN = "511600"
"""广安市: the one prefecture-level unit whose officer also submits for its child units."""


def _officer(code: str) -> str:
    return f"officer_{code}"


def _allowed(region: Region, code: str) -> set[str]:
    return {code, *region.children(code)}


def test_prefecture_parent_has_its_counties_as_children(region: Region) -> None:
    """The matrix's expectation for 广安市 rests on its children: the 5116xx county codes."""
    kids = set(region.children(GUANG_AN))
    assert kids
    assert kids == {c for c in region.unit_codes if c.startswith("5116") and c != GUANG_AN}
    assert [c for c in region.unit_codes if region.children(c)] == [GUANG_AN]


def _add_officers(env: Env) -> None:
    for code in env.region.unit_codes:
        env.add_user(_officer(code), "officer", code)


def test_isolation_matrix(make_env: EnvFactory) -> None:
    """Every unit's officer × every scope: 403 outside their units, 201 inside; nothing leaks."""
    env = make_env(login_attempts_per_minute=0)
    region = env.region
    scopes = sorted(valid_scopes(region))
    assert set(region.unit_codes) | {"region"} <= set(scopes)
    _add_officers(env)

    wrong: list[str] = []
    expected: list[tuple[str, str, str, str]] = []
    refused = 0
    for code in region.unit_codes:
        user = _officer(code)
        headers = env.headers(user)
        allowed = _allowed(region, code)
        for scope in scopes:
            source = f"isolation matrix: {user} for {scope}"
            r = env.submit(headers, [obs_row(scope, source=source)])
            if scope in allowed:
                if r.status_code != 201:
                    wrong.append(f"{user} → {scope}: {r.status_code} {r.text[:200]}, want 201")
                    continue
                body = r.json()
                if body["rows"] != 1 or len(body["ids"]) != 1 or body["status"] != "submitted":
                    wrong.append(f"{user} → {scope}: 201 with {body}")
                expected.append((scope, source, user, "submitted"))
            else:
                refused += 1
                detail = r.json().get("detail") if r.status_code == 403 else None
                locs = [d.get("loc") for d in detail] if isinstance(detail, list) else None
                if locs != [["body", "observations", 0, "scope"]]:
                    wrong.append(f"{user} → {scope}: {r.status_code} {r.text[:200]}, want 403")

    assert not wrong, f"{len(wrong)} wrong answers:\n" + "\n".join(wrong[:40])
    # 27 single units plus 广安市 with its children: each officer was refused somewhere.
    n_accepted = sum(len(_allowed(region, c)) for c in region.unit_codes)
    assert len(expected) == n_accepted
    assert refused == len(region.unit_codes) * len(scopes) - n_accepted
    # The store holds exactly the accepted rows: refused requests wrote nothing at all.
    assert env.all_rows() == sorted(expected)
    subs = env.store.submissions()
    assert len(subs) == n_accepted
    assert all(s.rows == 1 for s in subs)
    logged = env.store.audit_entries(action="submit_observations")
    assert len(logged) == n_accepted
    assert {(e.actor, tuple(e.after["scopes"])) for e in logged} == {
        (user, (scope,)) for scope, _src, user, _st in expected
    }
    assert env.store.verify_audit().ok


def test_mixed_batch_writes_nothing(make_env: EnvFactory) -> None:
    """One allowed and one forbidden row: 403 naming only the forbidden row; no row stored."""
    env = make_env()
    env.add_user("officer_a", "officer", "500103")
    env.add_user("officer_ga", "officer", GUANG_AN)
    kid = env.region.children(GUANG_AN)[0]
    before = env.all_rows()
    audit_before = env.store.audit_head()

    r = env.submit(
        env.headers("officer_a"),
        [obs_row("500103", source="mixed own"), obs_row("500104", source="mixed other")],
    )
    assert r.status_code == 403, r.text
    assert [d["loc"] for d in r.json()["detail"]] == [["body", "observations", 1, "scope"]]

    r = env.submit(
        env.headers("officer_ga"),
        [
            obs_row(kid, source="mixed child"),
            obs_row("region", source="mixed region"),
            obs_row(GUANG_AN, source="mixed own"),
            obs_row("500103", source="mixed chongqing"),
        ],
    )
    assert r.status_code == 403, r.text
    assert [d["loc"] for d in r.json()["detail"]] == [
        ["body", "observations", 1, "scope"],
        ["body", "observations", 3, "scope"],
    ]
    assert env.all_rows() == before
    assert env.store.submissions() == []
    assert env.store.audit_head() == audit_before

    # The same officer's allowed rows alone go through: the refusal was about the scopes.
    r = env.submit(
        env.headers("officer_ga"),
        [obs_row(kid, source="mixed child"), obs_row(GUANG_AN, source="mixed own")],
    )
    assert r.status_code == 201, r.text
    assert [s for s, *_ in env.all_rows()] == sorted([kid, GUANG_AN])


def test_scope_spelling_does_not_get_round_the_check(make_env: EnvFactory) -> None:
    """Padded or re-cased codes of another unit are refused (403 or 422) and write nothing."""
    env = make_env()
    env.add_user("officer_a", "officer", "500103")
    h = env.headers("officer_a")
    for scope in (" 500104", "500104 ", "500104\t", "REGION", "Region", " region", "5001040"):
        r = env.submit(h, [obs_row(scope, source=f"spelling {scope!r}")])
        assert r.status_code in (403, 422), (scope, r.status_code, r.text)
    assert env.all_rows() == []


def test_officers_read_only_their_own_unpublished_rows(make_env: EnvFactory) -> None:
    """Submitted (unreviewed) rows: their unit's officer sees them; other officers and the public do not."""
    env = make_env()
    env.add_user("officer_a", "officer", "500103")
    env.add_user("officer_b", "officer", "500104")
    env.add_user("viewer_v", "viewer")
    assert env.submit(env.headers("officer_a"), [obs_row("500103", source="a")]).status_code == 201
    assert env.submit(env.headers("officer_b"), [obs_row("500104", source="b")]).status_code == 201

    def scopes_seen(headers: dict[str, str] | None) -> list[str]:
        r = env.client.get("/api/observations", headers=headers or {})
        assert r.status_code == 200, r.text
        return sorted(i["scope"] for i in r.json()["items"] if i["status"] == "submitted")

    assert scopes_seen(env.headers("officer_a")) == ["500103"]
    assert scopes_seen(env.headers("officer_b")) == ["500104"]
    assert scopes_seen(env.headers("viewer_v")) == ["500103", "500104"]
    assert scopes_seen(None) == []
    r = env.client.get(
        "/api/observations", params={"status": "submitted"}, headers=env.headers("officer_a")
    )
    assert [i["scope"] for i in r.json()["items"]] == ["500103"]
    assert env.client.get("/api/observations", params={"status": "submitted"}).status_code == 401
