"""Hostile: the anonymous commute, isochrone and evaluation routes are bounded (issue 19, item 4).

Before, ``GET /api/access/isochrone`` took any minutes up to 600 as a float, so every request
with a new value (59.9, 59.99, …) was a fresh computation in the server's own thread pool,
and its results pushed the commute and ranking out of their shared cache; the evaluation
computed a new board for each of ~300 (year, source rule) choices. Now each miss runs in the
heavy pool: caller-chosen keys (isochrone, origin-destination, evaluation) count against the
caller's per-client limit, results over the closed set of scenarios (commute, ranking,
compare, network) are computed once for everybody, and the public's isochrone budget is
capped. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.multiuser.harness import Env

from metrocircle.api.heavy import HeavyPool
from metrocircle.settings import Settings

from .conftest import EnvFactory

SLOW_MACHINE = {"heavy_timeout_seconds": 900.0, "heavy_user_timeout_seconds": 900.0}
"""Timeouts for a shared CI machine, where the first run also builds the network."""


_GATES: list[threading.Event] = []
_THREADS: list[threading.Thread] = []


@pytest.fixture(autouse=True)
def _release_held(make_env: EnvFactory) -> Iterator[None]:
    """After each test (before its app closes): open every gate and wait for the requests."""
    yield
    for g in _GATES:
        g.set()
    for t in _THREADS:
        t.join(600)
    _GATES.clear()
    _THREADS.clear()


def _hold_pool(env: Env, monkeypatch: pytest.MonkeyPatch) -> tuple[HeavyPool, threading.Event]:
    """Make every analysis admitted to the app's pool wait for the returned event first."""
    pool: HeavyPool = env.app.state.heavy_pool
    gate = threading.Event()
    _GATES.append(gate)
    real = pool.submit

    def held_submit(client: Any, logged_in: bool, fn: Any, **kw: Any) -> Any:
        def held() -> Any:
            gate.wait(600)
            return fn()

        return real(client, logged_in, held, **kw)

    monkeypatch.setattr(pool, "submit", held_submit)
    return pool, gate


def _get_in_thread(
    client: TestClient, url: str, params: dict[str, Any], out: list[Any]
) -> threading.Thread:
    def run() -> None:
        r = client.get(url, params=params)
        out.append((params, r.status_code, r.text))

    t = threading.Thread(target=run)
    _THREADS.append(t)
    t.start()
    return t


def _wait_for(pred: Any, seconds: float = 10.0) -> None:
    end = time.monotonic() + seconds
    while not pred():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_public_isochrone_budget_is_capped(make_env: EnvFactory) -> None:
    """Above ``anonymous_max_isochrone_minutes``: 422 naming ``minutes`` and the setting."""
    assert Settings().anonymous_max_isochrone_minutes == 240
    env = make_env(anonymous_max_isochrone_minutes=45, **SLOW_MACHINE)
    r = env.client.get("/api/access/isochrone", params={"from": "璧山", "minutes": 45.5})
    assert r.status_code == 422, r.text
    (err,) = r.json()["detail"]
    assert err["loc"] == ["query", "minutes"]
    assert "anonymous_max_isochrone_minutes" in err["msg"] and "45.5" in err["msg"]
    ok = env.client.get("/api/access/isochrone", params={"from": "璧山", "minutes": 45})
    assert ok.status_code == 200, ok.text
    env.add_user("viewer_v", "viewer")
    r = env.client.get(
        "/api/access/isochrone",
        params={"from": "璧山", "minutes": 90},
        headers=env.headers("viewer_v"),
    )
    assert r.status_code == 200, r.text


def test_default_cap_refuses_the_old_maximum(env: Env) -> None:
    """With default settings the public can no longer ask for 600 minutes (was accepted)."""
    r = env.client.get("/api/access/isochrone", params={"from": "璧山", "minutes": 600})
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["query", "minutes"]


def test_isochrones_per_client_limit(make_env: EnvFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``public_reads_per_client`` new isochrones at once: 429 naming the request.

    The same isochrone asked again while it is computed waits for that computation (no
    new work, no refusal), and another address is not held to this one's limit.
    """
    env = make_env(public_reads_per_client=2, **SLOW_MACHINE)
    pool, gate = _hold_pool(env, monkeypatch)
    url = "/api/access/isochrone"
    out: list[Any] = []
    threads = [
        _get_in_thread(env.client, url, {"from": "璧山", "minutes": m}, out) for m in (30, 45)
    ]
    _wait_for(lambda: pool.admitted == 2)
    r = env.client.get(url, params={"from": "璧山", "minutes": 50})
    assert r.status_code == 429, r.text
    assert "isochrone (from=500120, minutes=50" in r.json()["detail"]
    assert "Retry-After" in r.headers
    threads.append(_get_in_thread(env.client, url, {"from": "璧山", "minutes": 30}, out))
    other = TestClient(env.app, raise_server_exceptions=False, client=("192.0.2.7", 40000))
    threads.append(_get_in_thread(other, url, {"from": "璧山", "minutes": 55}, out))
    _wait_for(lambda: pool.admitted == 3)  # the repeated 30 added no work
    gate.set()
    for t in threads:
        t.join(600)
    assert sorted((p["minutes"], code) for p, code, _ in out) == [
        (30, 200),
        (30, 200),
        (45, 200),
        (55, 200),
    ], out
    assert pool.admitted == 0


def test_evaluation_years_per_client_limit(
    make_env: EnvFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second new evaluation year while one is computed: 429 naming ``as_of``."""
    assert Settings().public_reads_per_client == 6
    env = make_env(public_reads_per_client=1, **SLOW_MACHINE)
    pool, gate = _hold_pool(env, monkeypatch)
    out: list[Any] = []
    threads = [_get_in_thread(env.client, "/api/evaluation", {"as_of": 2020}, out)]
    _wait_for(lambda: pool.admitted == 1)
    r = env.client.get("/api/evaluation", params={"as_of": 2021})
    assert r.status_code == 429, r.text
    assert "evaluation (as_of=2021" in r.json()["detail"]
    threads.append(_get_in_thread(env.client, "/api/evaluation", {"as_of": 2020}, out))
    time.sleep(0.2)
    assert pool.admitted == 1  # the same year joins the running board
    gate.set()
    for t in threads:
        t.join(600)
    assert [code for _, code, _ in out] == [200, 200], out
    assert out[0][2] == out[1][2]


def test_slow_evaluation_answers_503_naming_the_request(
    make_env: EnvFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past ``heavy_timeout_seconds`` the public gets 503 naming what it asked for."""
    env = make_env(heavy_timeout_seconds=0.3)
    _hold_pool(env, monkeypatch)
    r = env.client.get("/api/evaluation", params={"as_of": 2022, "include_secondary": True})
    assert r.status_code == 503, r.text
    detail = r.json()["detail"]
    assert "evaluation (as_of=2022, include_secondary=true)" in detail and "0.3 s" in detail


@dataclass
class _Fake:
    scenario: str

    def to_dict(self) -> dict[str, Any]:
        return {"scenario": self.scenario, "units": []}


def test_shared_results_are_computed_once(
    make_env: EnvFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many clients asking for the ranking and every scenario's commute at once (as the
    dashboard does): all answered, each result computed once, no per-client refusal."""
    import metrocircle.access.ranking as ranking_mod
    import metrocircle.access.workflows as workflows_mod

    env = make_env(heavy_per_client=1, **SLOW_MACHINE)
    pool, gate = _hold_pool(env, monkeypatch)
    calls: list[tuple[str, str]] = []
    lock = threading.Lock()

    def counted(kind: str) -> Any:
        def fake(_region: Any, scenario: str) -> _Fake:
            with lock:
                calls.append((kind, scenario))
            return _Fake(scenario)

        return fake

    monkeypatch.setattr(ranking_mod, "project_ranking", counted("ranking"))
    monkeypatch.setattr(workflows_mod, "commute_report", counted("commute"))
    scenarios = ["baseline-2020", "plan-2025", "plan-2035"]
    clients = [env.client] + [
        TestClient(env.app, raise_server_exceptions=False, client=(f"192.0.2.{i}", 40000))
        for i in (1, 2)
    ]
    out: list[Any] = []
    threads = []
    for c in clients:
        threads.append(_get_in_thread(c, "/api/access/ranking", {}, out))
        threads += [
            _get_in_thread(c, "/api/access/commute", {"scenario": s}, out) for s in scenarios
        ]
    _wait_for(lambda: pool.admitted == 4)
    gate.set()
    for t in threads:
        t.join(60)
    assert [code for _, code, _ in out] == [200] * 12, out
    assert sorted(calls) == sorted([("ranking", "plan-2025")] + [("commute", s) for s in scenarios])
    r = env.client.get("/api/access/ranking")
    assert r.status_code == 200 and len(calls) == 4  # from the cache


def test_a_bad_token_on_a_public_read_is_the_public(make_env: EnvFactory) -> None:
    """Public GETs answer a forged or expired token as the public (as a cached answer
    would), never as a logged-in user: the public isochrone cap still applies."""
    env = make_env(anonymous_max_isochrone_minutes=45, **SLOW_MACHINE)
    forged = {"Authorization": "Bearer not-a-token"}
    r = env.client.get(
        "/api/access/isochrone", params={"from": "璧山", "minutes": 40}, headers=forged
    )
    assert r.status_code == 200, r.text
    r = env.client.get(
        "/api/access/isochrone", params={"from": "璧山", "minutes": 50}, headers=forged
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"] == ["query", "minutes"]
    r = env.client.get("/api/evaluation", params={"as_of": 2023}, headers=forged)
    assert r.status_code == 200, r.text
