"""50 officers submit 200 observations each at once through a live server: none lost, none twice.

Issue 9's load proof, on SQLite and on PostgreSQL: a real uvicorn process, 50 submitter
threads (one HTTP client each) sending batches of 10 rows with an Idempotency-Key and
retrying every fifth request, then two reviewers accepting every batch concurrently (some
batches by both at the same instant). The database is then checked directly.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from metrocircle.schema import MEASURE_UNITS
from metrocircle.store import Store

from ._harness import Account, create_accounts, login, officer_units

if TYPE_CHECKING:
    from metrocircle.region import Region

    from ._harness import LiveServer

OFFICERS = 50
ROWS_PER_OFFICER = 200
ROWS_PER_REQUEST = 10
REQUESTS_PER_OFFICER = ROWS_PER_OFFICER // ROWS_PER_REQUEST
RETRY_EVERY = 5
"""Every fifth request is sent a second time with the same Idempotency-Key."""
DOUBLE_REVIEW_EVERY = 10
"""Every tenth batch is accepted by both reviewers at the same instant."""
REVIEW_THREADS = 16
HTTP_TIMEOUT = httpx.Timeout(120.0)
PHASE_TIMEOUT = 300.0
"""Seconds a barrier waits for the other threads (a stuck phase fails instead of hanging)."""

Key = tuple[str, str, int, str]


@dataclass(frozen=True)
class Answer:
    """One HTTP answer kept for the checks: who asked what, status, body, replay header."""

    who: str
    what: str
    status: int
    body: Any
    replayed_header: str | None = None


def _value(unit: str, seed: int) -> float:
    """A value inside the unit of measure's range (the API refuses any other)."""
    lo, hi = MEASURE_UNITS[unit][2], MEASURE_UNITS[unit][3]
    base = lo if lo is not None else 0.0
    span = (hi - base) if hi is not None else 1_000.0
    return round(base + span * (seed % 97) / 97, 3)


def _plan(region: Region, units: list[str]) -> list[list[list[dict[str, Any]]]]:
    """Per officer, per request, the 10 rows: indicator-unit pairs of the targets, own unit.

    The source names the officer and the request, the year the row, so every
    (indicator, scope, period, source) is distinct across all 10,000 rows.
    """
    pairs = sorted({(t.indicator, t.unit) for t in region.targets if t.unit in MEASURE_UNITS})
    assert pairs
    plan = []
    for i, unit_code in enumerate(units):
        requests = []
        for r in range(REQUESTS_PER_OFFICER):
            rows = []
            for j in range(ROWS_PER_REQUEST):
                indicator, measure = pairs[(i + r * ROWS_PER_REQUEST + j) % len(pairs)]
                rows.append(
                    {
                        "indicator": indicator,
                        "scope": unit_code,
                        "period": 2001 + j,
                        "value": _value(measure, i * 1_000 + r * 10 + j),
                        "unit": measure,
                        "source": f"load test: officer {i:02d}, request {r:02d}",
                        "source_url": None,
                    }
                )
            requests.append(rows)
        plan.append(requests)
    return plan


def _keep(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return r.text


def _submit_all(
    server: LiveServer, names: list[str], plan: list[list[list[dict[str, Any]]]]
) -> tuple[list[Answer], dict[str, float]]:
    """Every officer logs in, then all submit at once; returns the answers and timings."""
    answers: list[Answer] = []
    lock = threading.Lock()
    ready = threading.Barrier(len(names) + 1, timeout=PHASE_TIMEOUT)
    done = threading.Barrier(len(names) + 1, timeout=PHASE_TIMEOUT)
    errors: list[BaseException] = []

    def keep(a: Answer) -> None:
        with lock:
            answers.append(a)

    def officer(i: int) -> None:
        name = names[i]
        try:
            with httpx.Client(base_url=server.base_url, timeout=HTTP_TIMEOUT) as client:
                token = login(client, name)
                client.headers["Authorization"] = f"Bearer {token}"
                ready.wait()
                for r, rows in enumerate(plan[i]):
                    body = {"observations": rows, "note": f"load test {name} #{r}"}
                    key = f"load-{i:02d}-{r:02d}-{uuid.uuid4().hex}"
                    sends = 2 if r % RETRY_EVERY == RETRY_EVERY - 1 else 1
                    for attempt in range(sends):
                        resp = client.post(
                            "/api/observations", json=body, headers={"Idempotency-Key": key}
                        )
                        keep(
                            Answer(
                                name,
                                f"submit {r} {'retry' if attempt else 'first'}",
                                resp.status_code,
                                _keep(resp),
                                resp.headers.get("Idempotent-Replayed"),
                            )
                        )
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
            ready.abort()
        finally:
            with contextlib.suppress(threading.BrokenBarrierError):
                done.wait()

    threads = [threading.Thread(target=officer, args=(i,), daemon=True) for i in range(len(names))]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    try:
        ready.wait()
    except threading.BrokenBarrierError:
        done.abort()
        raise AssertionError(f"an officer could not log in: {errors!r}") from None
    t1 = time.perf_counter()
    done.wait()
    t2 = time.perf_counter()
    for t in threads:
        t.join(timeout=PHASE_TIMEOUT)
    assert not errors, errors
    return answers, {"logins_s": t1 - t0, "submissions_s": t2 - t1}


def _review_all(
    server: LiveServer, reviewers: list[str], batches: list[str]
) -> tuple[list[tuple[int, list[Answer]]], float]:
    """Both reviewers accept every batch concurrently; some batches both at the same instant."""
    tokens = {}
    with httpx.Client(base_url=server.base_url, timeout=HTTP_TIMEOUT) as c:
        for name in reviewers:
            tokens[name] = login(c, name)
    local = threading.local()
    clients: list[httpx.Client] = []
    clients_lock = threading.Lock()

    def client() -> httpx.Client:
        c: httpx.Client | None = getattr(local, "client", None)
        if c is None:
            c = httpx.Client(base_url=server.base_url, timeout=HTTP_TIMEOUT)
            with clients_lock:
                clients.append(c)
            local.client = c
        return c

    def accept(reviewer: str, batch: str, barrier: threading.Barrier | None) -> Answer:
        if barrier is not None:
            barrier.wait()
        r = client().post(
            f"/api/submissions/{batch}/review",
            json={"decision": "accept"},
            headers={"Authorization": f"Bearer {tokens[reviewer]}"},
        )
        return Answer(reviewer, f"review {batch}", r.status_code, _keep(r))

    t0 = time.perf_counter()
    futures = []
    with ThreadPoolExecutor(REVIEW_THREADS) as ex:
        for b, batch in enumerate(batches):
            if b % DOUBLE_REVIEW_EVERY == 0:
                # Adjacent in the queue, so a free worker always picks up the partner.
                both = threading.Barrier(2, timeout=PHASE_TIMEOUT)
                futures.append((b, [ex.submit(accept, name, batch, both) for name in reviewers]))
            else:
                futures.append((b, [ex.submit(accept, reviewers[b % 2], batch, None)]))
        results = [(b, [f.result(timeout=PHASE_TIMEOUT) for f in fs]) for b, fs in futures]
    elapsed = time.perf_counter() - t0
    for c in clients:
        c.close()
    return results, elapsed


@pytest.mark.timeout(900)
def test_fifty_concurrent_submitters_lose_and_duplicate_nothing(
    *,
    live_server: LiveServer,
    region: Region,
    monkeypatch: pytest.MonkeyPatch,
    record_property: Any,
) -> None:
    units = officer_units(region, OFFICERS)
    officers = [Account(f"officer{i:02d}", "officer", u) for i, u in enumerate(units)]
    reviewers = [Account("reviewer1", "reviewer"), Account("reviewer2", "reviewer")]
    t_setup = time.perf_counter()
    with Store(live_server.store_url) as store:
        create_accounts(store, [*officers, *reviewers], monkeypatch)
    setup_s = time.perf_counter() - t_setup
    plan = _plan(region, units)
    expected: dict[Key, tuple[float, str]] = {
        (row["indicator"], row["scope"], row["period"], row["source"]): (row["value"], o.name)
        for o, requests in zip(officers, plan, strict=True)
        for rows in requests
        for row in rows
    }
    assert len(expected) == OFFICERS * ROWS_PER_OFFICER

    answers, timings = _submit_all(live_server, [o.name for o in officers], plan)

    # No server error anywhere, and each first request stored its 10 rows.
    assert not [a for a in answers if a.status >= 500], "server errors while submitting"
    firsts = {(a.who, a.what.split()[1]): a for a in answers if a.what.endswith("first")}
    retries = [a for a in answers if a.what.endswith("retry")]
    assert len(firsts) == OFFICERS * REQUESTS_PER_OFFICER
    assert len(retries) == OFFICERS * (REQUESTS_PER_OFFICER // RETRY_EVERY)
    bad = [a for a in firsts.values() if a.status != 201 or a.body["replayed"]]
    assert not bad, bad[:3]
    assert all(a.body["rows"] == ROWS_PER_REQUEST for a in firsts.values())
    assert all(len(a.body["ids"]) == ROWS_PER_REQUEST for a in firsts.values())
    assert all(a.body["status"] == "submitted" for a in firsts.values())
    # A retry is answered as a replay of the first answer: same batch, same ids.
    for a in retries:
        first = firsts[(a.who, a.what.split()[1])]
        assert a.status == 201, a
        assert a.body["replayed"] is True, a
        assert a.replayed_header == "true", a
        assert a.body["batch_id"] == first.body["batch_id"], (a, first)
        assert a.body["ids"] == first.body["ids"], (a, first)
    batches = [a.body["batch_id"] for a in firsts.values()]
    assert len(set(batches)) == OFFICERS * REQUESTS_PER_OFFICER
    all_ids = [i for a in firsts.values() for i in a.body["ids"]]
    ids_of = {a.body["batch_id"]: a.body["ids"] for a in firsts.values()}
    assert len(set(all_ids)) == OFFICERS * ROWS_PER_OFFICER

    reviews, review_s = _review_all(live_server, [r.name for r in reviewers], batches)
    assert not [a for _, group in reviews for a in group if a.status >= 500], (
        "server errors while reviewing"
    )
    doubles = 0
    for b, group in reviews:
        if len(group) == 2:
            doubles += 1
            # Two reviewers accepting one batch at once: exactly one wins, the other is told.
            assert sorted(a.status for a in group) == [200, 409], (b, group)
            won = next(a for a in group if a.status == 200)
        else:
            (won,) = group
            assert won.status == 200, (b, won)
        assert won.body == {
            "batch_id": batches[b],
            "decision": "accept",
            "rows": ROWS_PER_REQUEST,
            "ids": ids_of[batches[b]],  # the review document names what it decided (issue 16)
        }
    assert doubles == len(batches) // DOUBLE_REVIEW_EVERY

    # The database itself: exactly the submitted rows, once each, all accepted.
    with Store(live_server.store_url) as store:
        assert store.count_observations(status=None) == OFFICERS * ROWS_PER_OFFICER
        assert store.count_observations(status="accepted") == OFFICERS * ROWS_PER_OFFICER
        stored = store.observations(status=None)
        keys = Counter((o.indicator, o.scope, o.period, o.source) for o in stored)
        assert set(keys) == set(expected), "rows lost or foreign rows stored"
        assert max(keys.values()) == 1, [k for k, n in keys.items() if n > 1][:5]
        for o in stored:
            value, who = expected[(o.indicator, o.scope, o.period, o.source)]
            assert (o.value, o.submitted_by, o.status) == (value, who, "accepted"), o
        assert {o.id for o in stored} == set(all_ids)
        assert {o.batch_id for o in stored} == set(batches)
        subs = store.submissions()
        assert len(subs) == len(batches)
        assert all((s.rows, s.accepted, s.pending) == (ROWS_PER_REQUEST,) * 2 + (0,) for s in subs)
        report = store.verify_audit()
        assert report.ok, report.problems[:5]
        users_n = len(officers) + len(reviewers)
        assert report.entries == users_n + 2 * len(batches)
        actions = Counter(e.action for e in store.audit_entries())
        assert actions == {
            "add_user": users_n,
            "submit_observations": len(batches),
            "review_observations": len(batches),
        }
    log = live_server.log()
    assert "database is locked" not in log
    assert "Traceback" not in log, log[-5_000:]

    timings |= {"accounts_s": setup_s, "reviews_s": review_s}
    record_property("timings", {k: round(v, 1) for k, v in timings.items()})
    print(  # the measured times are part of the proof's report (pytest -s)
        f"{store.dialect}: " + ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
    )
