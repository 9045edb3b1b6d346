"""Hostile: expensive anonymous work is bounded (issue 19, item 4), on SQLite and PostgreSQL.

Found by the probe: an anonymous p-median with 200 candidates took ~9 s and ~600 MB, four at
once held 2 GB and the thread pool admitted ~40; deep ``offset`` paging took 7.5 s on 2 M
rows. Here the public gets a size limit per request, one analysis at a time per address, a
small server-wide pool with a bounded queue and a timeout (logged-in users larger limits);
observations page by ``after_id`` and ``offset`` is capped. Memory of a heavy request is
measured by ``benchmarks/heavy_request.py``, not here.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from fastapi import HTTPException
from tests.multiuser.harness import Env

from metrocircle.api.heavy import HeavyPool
from metrocircle.settings import Settings

from .conftest import EnvFactory

SLOW_MACHINE = {"heavy_timeout_seconds": 900.0, "heavy_user_timeout_seconds": 900.0}
"""Timeouts for tests on a shared CI machine, where the first run also compiles the engine."""


def _sites(n: int) -> list[dict[str, Any]]:
    """``n`` candidate sites around the centre of 重庆 (WGS84)."""
    return [
        {
            "id": f"c{i}",
            "name_zh": f"候选{i}",
            "type": "emergency_reserve",
            "source": "hostile test: a made-up candidate site",
            "lon": 106.40 + 0.05 * (i % 10),
            "lat": 29.40 + 0.05 * (i // 10),
        }
        for i in range(n)
    ]


def test_anonymous_siting_over_the_size_limit_refused(make_env: EnvFactory) -> None:
    """Above ``anonymous_max_sites`` the public gets 413 naming the setting; a user does not."""
    env = make_env(anonymous_max_sites=4, **SLOW_MACHINE)
    body = {"model": "lscp", "candidates": _sites(5), "minutes": 240}
    r = env.client.post("/api/coverage/site", json=body)
    assert r.status_code == 413, r.text
    assert "anonymous_max_sites" in r.json()["detail"]
    # The built-in candidate layers count too (27 unit seats > 4).
    r = env.client.post(
        "/api/coverage/site", json={"model": "lscp", "builtin_candidates": "seats", "minutes": 240}
    )
    assert r.status_code == 413, r.text
    env.add_user("viewer_v", "viewer")
    r = env.client.post("/api/coverage/site", json=body, headers=env.headers("viewer_v"))
    assert r.status_code == 200, r.text


def test_anonymous_coverage_over_the_size_limit_refused(make_env: EnvFactory) -> None:
    """Coverage with more facilities than ``anonymous_max_facilities``: 413 for the public."""
    env = make_env(anonymous_max_facilities=3, **SLOW_MACHINE)
    facilities = _sites(4)
    r = env.client.post("/api/coverage/rescue", json={"facilities": facilities})
    assert r.status_code == 413, r.text
    assert "anonymous_max_facilities" in r.json()["detail"]
    r = env.client.post("/api/coverage/rescue", json={"facilities": facilities[:3]})
    assert r.status_code == 200, r.text


def test_a_bad_token_is_not_the_public(env: Env) -> None:
    """A forged bearer token on a heavy route is 401, not served as anonymous."""
    r = env.client.post(
        "/api/coverage/rescue",
        json={"facilities": _sites(1)},
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert r.status_code == 401, r.text


def _pool(**kw: Any) -> HeavyPool:
    base: dict[str, Any] = {
        "environment": "test",
        "heavy_workers": 1,
        "heavy_queue": 1,
        "heavy_per_client": 1,
        "heavy_per_user": 2,
        "heavy_timeout_seconds": 5.0,
    }
    base.update(kw)
    return HeavyPool(Settings(**base))


def _in_thread(fn: Any) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []

    def run() -> None:
        try:
            out.append(fn())
        except HTTPException as exc:
            out.append(exc.status_code)

    t = threading.Thread(target=run)
    t.start()
    return t, out


def _wait_for(pred: Any, seconds: float = 5.0) -> None:
    end = time.monotonic() + seconds
    while not pred():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.01)


def test_one_analysis_per_anonymous_client() -> None:
    """A second analysis from the same address while one runs: 429; another address is queued."""
    pool = _pool()
    gate = threading.Event()
    t, out = _in_thread(lambda: pool.run("addr a", False, lambda: gate.wait(5) and "first"))
    _wait_for(lambda: pool.admitted == 1)
    with pytest.raises(HTTPException) as err:
        pool.run("addr a", False, lambda: "second")
    assert err.value.status_code == 429
    assert "Retry-After" in (err.value.headers or {})
    t2, out2 = _in_thread(lambda: pool.run("addr b", False, lambda: "other client"))
    _wait_for(lambda: pool.admitted == 2)  # waiting in the queue (one worker)
    # The queue (1) and the worker (1) are full: a third client is turned away.
    with pytest.raises(HTTPException) as err:
        pool.run("addr c", False, lambda: "third")
    assert err.value.status_code == 503
    gate.set()
    t.join(5)
    t2.join(5)
    assert out == ["first"] and out2 == ["other client"]
    assert pool.admitted == 0
    pool.close()


def test_logged_in_users_may_run_more_at_once() -> None:
    """``heavy_per_user`` (2) for an account, where an address gets ``heavy_per_client`` (1)."""
    pool = _pool(heavy_workers=2, heavy_queue=2)
    gate = threading.Event()
    threads = [
        _in_thread(lambda: pool.run("user u", True, lambda: gate.wait(5) and "ok"))
        for _ in range(2)
    ]
    _wait_for(lambda: pool.admitted == 2)
    with pytest.raises(HTTPException) as err:
        pool.run("user u", True, lambda: "third")
    assert err.value.status_code == 429
    gate.set()
    for t, out in threads:
        t.join(5)
        assert out == ["ok"]
    pool.close()


def test_slow_analysis_times_out_and_keeps_its_worker() -> None:
    """Past ``heavy_timeout_seconds``: 503; the work still holds its worker until it ends."""
    pool = _pool(heavy_timeout_seconds=0.2, heavy_queue=0)
    gate = threading.Event()
    t0 = time.monotonic()
    with pytest.raises(HTTPException) as err:
        pool.run("addr a", False, lambda: gate.wait(5))
    assert err.value.status_code == 503 and "0.2 s" in str(err.value.detail)
    assert time.monotonic() - t0 < 2
    assert pool.admitted == 1  # the thread cannot be stopped: it still counts
    with pytest.raises(HTTPException) as err:
        pool.run("addr b", False, lambda: "next")
    assert err.value.status_code == 503  # no worker free and no queue
    gate.set()
    _wait_for(lambda: pool.admitted == 0)
    assert pool.run("addr b", False, lambda: "next") == "next"
    pool.close()


def test_concurrent_anonymous_requests_through_the_api(make_env: EnvFactory) -> None:
    """Many anonymous analyses at once from one address: served one at a time or refused."""
    env = make_env(heavy_workers=1, heavy_queue=0, heavy_per_client=1, **SLOW_MACHINE)
    pool: HeavyPool = env.app.state.heavy_pool
    seen: list[int] = []
    gate = threading.Event()
    real = pool.run

    def slow_run(client: str, logged_in: bool, fn: Any) -> Any:
        def held() -> Any:
            gate.wait(5)
            return fn()

        return real(client, logged_in, held)

    pool.run = slow_run  # type: ignore[method-assign]
    body = {"facilities": _sites(2)}
    threads = [
        _in_thread(
            lambda: seen.append(env.client.post("/api/coverage/rescue", json=body).status_code)
        )
        for _ in range(4)
    ]
    _wait_for(lambda: len(seen) >= 3)  # three are refused at once, one holds the worker
    gate.set()
    for t, _ in threads:
        t.join(30)
    assert sorted(seen) == [200, 429, 429, 429], seen


# ---------------------------------------------------------------- paging


def _rows(n: int) -> list[dict[str, Any]]:
    return [
        {
            "indicator": "urbanisation_rate_pct",
            "scope": "500103",
            "period": 2000 + i,
            "value": 50.0 + i / 10,
            "unit": "pct",
            "source": "yearbook",
            "source_url": None,
        }
        for i in range(n)
    ]


def test_keyset_paging_of_observations(env: Env) -> None:
    """``after_id`` walks every row once in id order; ``next_after_id`` leads to the next page."""
    env.add_user("admin_a", "admin")
    h = env.headers("admin_a")
    r = env.submit(h, _rows(7))
    assert r.status_code == 201, r.text
    ids = r.json()["ids"]
    got: list[int] = []
    after = 0
    for _ in range(10):
        page = env.client.get(
            "/api/observations",
            params={"after_id": after, "limit": 3, "status": "submitted"},
            headers=h,
        ).json()
        got += [o["id"] for o in page["items"]]
        if page["next_after_id"] is None:
            break
        after = page["next_after_id"]
    assert got == sorted(ids)


def test_offset_is_capped(make_env: EnvFactory) -> None:
    """An ``offset`` beyond ``max_offset`` is refused naming it and pointing at ``after_id``."""
    env = make_env(max_offset=100)
    assert env.client.get("/api/observations", params={"offset": 100}).status_code == 200
    r = env.client.get("/api/observations", params={"offset": 101})
    assert r.status_code == 422, r.text
    assert "after_id" in r.text and "offset" in r.text
    r = env.client.get("/api/observations", params={"after_id": 5, "order": "newest"})
    assert r.status_code == 422, r.text
