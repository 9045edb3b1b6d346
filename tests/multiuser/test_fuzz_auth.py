"""Schemathesis over the authenticated API, in process: no request may produce a server error.

Every operation of the OpenAPI document runs with an administrator's bearer token and again
with an officer's, on SQLite and on PostgreSQL (PostgreSQL refuses some input SQLite takes,
such as NUL characters and over-long strings, so both must be driven). The store holds a few
submitted rows first, so reviews and listings reach real data.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from .harness import obs_row

if TYPE_CHECKING:
    from schemathesis.schemas import APIOperation

    from .conftest import EnvFactory

AUTH_EXAMPLES = 8
"""Examples per operation that needs or reads a bearer token (the multi-user routes)."""
OTHER_EXAMPLES = 2
"""The public analysis routes are fuzzed at length in tests/api/test_fuzz.py; here they only
check that a bearer token changes nothing for them."""
EXPENSIVE = ("/api/evaluation", "/api/coverage", "/api/access")
"""Each new input runs a whole evaluation, coverage model or routing: one example each."""
LAST = ("/api/auth/logout",)
"""Signing out ends the token's session: fuzz it after everything else."""


def _fuzz(
    op: APIOperation[Any, Any, Any, Any],
    *,
    examples: int,
    auth: dict[str, str],
    found: list[str],
    statuses: Counter[int],
) -> None:
    """Run ``examples`` generated cases of ``op`` with ``auth``; collect 5xx into ``found``."""

    @given(case=op.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: schemathesis.Case) -> None:
        what = f"{case.method} {case.formatted_path} query={case.query!r} body={case.body!r:.300}"
        try:
            # The in-process client re-raises what the app raised: that is a 500 too.
            response = case.call(headers=auth)
        except Exception as exc:  # any escape from the app is a server error
            found.append(f"{what} → raised {type(exc).__name__}: {str(exc)[:300]}")
            return
        statuses[response.status_code // 100] += 1
        if response.status_code >= 500:
            found.append(f"{what} → {response.status_code}: {response.text[:200]}")

    run()


def test_no_server_errors_with_tokens(make_env: EnvFactory) -> None:
    """Every operation × {admin, officer} × generated input: zero 5xx."""
    env = make_env(login_attempts_per_minute=0, writes_per_minute=0)
    env.add_user("admin_fz", "admin")
    env.add_user("officer_fz", "officer", "500103")
    headers = {"admin": env.headers("admin_fz"), "officer": env.headers("officer_fz")}
    r = env.submit(
        headers["officer"],
        [obs_row("500103", source=f"fuzz seed {i}", period=2020 + i) for i in range(3)],
    )
    assert r.status_code == 201, r.text

    schema = schemathesis.openapi.from_asgi("/openapi.json", env.app)
    operations = [o.ok() for o in schema.get_all_operations() if isinstance(o, Ok)]
    assert len(operations) == len(list(schema.get_all_operations()))
    operations.sort(key=lambda o: o.path.startswith(LAST))
    secured = {o.path for o in operations if o.definition.raw.get("security")}
    assert {"/api/observations", "/api/audit", "/api/users"} <= secured
    server_errors: list[str] = []
    secured_statuses: dict[str, Counter[int]] = {role: Counter() for role in headers}
    for role, auth in headers.items():
        for op in operations:
            if op.path in secured:
                n, counts = AUTH_EXAMPLES, secured_statuses[role]
            else:
                n, counts = (1 if op.path.startswith(EXPENSIVE) else OTHER_EXAMPLES), Counter()
            found: list[str] = []
            _fuzz(op, examples=n, auth=auth, found=found, statuses=counts)
            server_errors += [f"[{role}] {e}" for e in found]
    assert not server_errors, "\n".join(server_errors[:20])
    # The tokens were honoured: each role got real answers from the secured routes.
    for role, counts in secured_statuses.items():
        assert counts[2] > 0, (role, counts)


NUL = "\x00"


def test_hostile_text_and_ids_are_client_errors(make_env: EnvFactory) -> None:
    """Inputs PostgreSQL cannot store or compare (NUL characters, ids beyond 32 bits): no 5xx.

    The fuzzer above finds these at random; here each text field a request carries into the
    store is tried once, so every one of them is covered on every run.
    """
    env = make_env(login_attempts_per_minute=0, writes_per_minute=0)
    env.add_user("admin_p", "admin")
    env.add_user("officer_p", "officer", "500103")
    env.add_user("reviewer_p", "reviewer")
    c = env.client
    admin, officer, reviewer = (env.headers(n) for n in ("admin_p", "officer_p", "reviewer_p"))
    seeded = env.submit(officer, [obs_row("500103", source="seed")])
    assert seeded.status_code == 201, seeded.text
    (obs_id,) = seeded.json()["ids"]
    row = obs_row("500103", source="hostile")
    probes = {
        "login user name": lambda: c.post(
            "/api/auth/token", data={"username": f"officer{NUL}p", "password": "x" * 12}
        ),
        "audit actor filter": lambda: c.get(
            "/api/audit", params={"actor": f"admin{NUL}"}, headers=admin
        ),
        "audit after_id past 32 bits": lambda: c.get(
            "/api/audit", params={"after_id": 2**31}, headers=admin
        ),
        "observation source": lambda: env.submit(officer, [{**row, "source": f"s{NUL}"}]),
        "observation source_url": lambda: env.submit(
            officer, [{**row, "source_url": f"https://example.org/{NUL}"}]
        ),
        "submission note": lambda: env.submit(officer, [row], note=f"note{NUL}"),
        "rejection reason": lambda: c.post(
            f"/api/observations/{obs_id}/review",
            json={"decision": "reject", "reason": f"why{NUL}"},
            headers=reviewer,
        ),
        "API token name": lambda: c.post(
            "/api/auth/api-tokens", json={"name": f"feed{NUL}"}, headers=officer
        ),
    }
    wrong = {}
    for what, call in probes.items():
        r = call()
        if r.status_code >= 500:
            wrong[what] = f"{r.status_code} {r.text[:100]}"
    assert wrong == {}
    # Whatever was refused or accepted, the audit chain is still sound.
    assert env.store.verify_audit().ok
