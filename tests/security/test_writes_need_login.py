"""Hostile: no state changes without a login and a role allowed to make it (issue 19, item 1).

Found by the probe: anyone could post a visitor count dated in the future and make the
public crowd warnings say "red — stop admitting visitors". Every non-GET route of the
OpenAPI document is called anonymously here and must refuse; the only public ones are
listed below with the reason they change nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.routing import APIRoute

from metrocircle.api.deps import get_store

from .conftest import EnvFactory

PUBLIC_NON_GET: dict[str, str] = {
    "login": "exchanges a user name and password for a token: how one logs in at all",
    "sectors_air_aqi": "computes an AQI from the request body; stores nothing",
    "sectors_air_warnings_evaluate": "evaluates posted concentrations; stores nothing",
    "sectors_water_class": "classifies posted measurements; stores nothing",
    "sectors_water_classify": "classifies a posted batch of sections; stores nothing",
    "sectors_fiscal_split": "splits a posted ledger; stores nothing",
    "sectors_tourism_capacity": "computes a capacity from posted areas; stores nothing",
    "sectors_flood_warnings": "grades posted water levels against the shipped stations; stores nothing",
    "coverage_rescue": "computes coverage on the shipped data; stores nothing",
    "coverage_nth_nearest": "computes coverage on the shipped data; stores nothing",
    "coverage_two_step_fca": "computes accessibility on the shipped data; stores nothing",
    "coverage_site": "computes a siting on the shipped data; stores nothing",
}
"""Non-GET operations open to the public, each with why it is safe. A new public write
must be added here, with its reason, or the test below fails."""

STORE_READERS = {"login"}
"""Public operations allowed to open the store (to check a password, never to write)."""


def _non_get_operations(spec: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (method, path, op["operationId"])
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if method in ("post", "put", "patch", "delete")
    ]


def _api_routes(routes: Any) -> Iterator[APIRoute]:
    for r in routes:
        if isinstance(r, APIRoute):
            yield r
        elif hasattr(r, "original_router"):  # an included router (FastAPI >= 0.16x)
            yield from _api_routes(r.original_router.routes)


def _uses_store(dependant: Any) -> bool:
    return any(d.call is get_store or _uses_store(d) for d in dependant.dependencies)


def test_every_non_get_route_refuses_the_public(make_env: EnvFactory) -> None:
    env = make_env()
    ops = _non_get_operations(env.client.get("/openapi.json").json())
    assert len(ops) >= 10, ops  # the document really lists the writes
    ids = {op for _m, _p, op in ops}
    stale = sorted(set(PUBLIC_NON_GET) - ids)
    assert not stale, f"allow-list names operations that no longer exist: {stale}"
    head = env.store.audit_head()
    answered = {}
    for method, path, op in ops:
        if op in PUBLIC_NON_GET:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        r = env.client.request(method.upper(), url, json={})
        answered[op] = r.status_code
    assert answered and all(code == 401 for code in answered.values()), answered
    assert env.store.audit_head() == head  # and nothing was written on the way


def test_public_non_get_routes_cannot_reach_the_store(make_env: EnvFactory) -> None:
    """A listed public operation has no store dependency at all (login only reads)."""
    env = make_env()
    routes = {r.operation_id or r.unique_id: r for r in _api_routes(env.app.routes)}
    for op in PUBLIC_NON_GET:
        assert _uses_store(routes[op].dependant) == (op in STORE_READERS), op


# --------------------------------------------------------------------------- visitor counts

CAPACITIES = (
    "scenic_id,capacity_instantaneous,capacity_daily,method,source\n"
    "heritage_dazu_rock_carvings,1000,,spatial,test approval\n"
    "urban_hongyadong,1000,,spatial,test approval\n"
)
DAZU_AREA, DAZU_UNIT = "heritage_dazu_rock_carvings", "500111"


@pytest.fixture
def tourism_env(make_env: EnvFactory, dataset_copy: Path) -> Any:
    (dataset_copy / "sectors" / "scenic_capacities.csv").write_text(CAPACITIES, encoding="utf-8")
    env = make_env(dataset=str(dataset_copy))
    env.add_user("joint-office", "admin")
    env.add_user("dazu-officer", "officer", DAZU_UNIT)
    env.add_user("yuzhong-officer", "officer", "500103")
    env.add_user("a-viewer", "viewer")
    env.add_user("a-reviewer", "reviewer")
    return env


def _count(
    area: str = DAZU_AREA, *, time: str = "2025-10-01T11:00", in_park: Any = 850
) -> dict[str, Any]:
    return {"counts": [{"scenic_id": area, "time": time, "in_park": in_park}]}


def test_anonymous_count_is_refused_and_changes_no_warning(tourism_env: Any) -> None:
    env = tourism_env
    r = env.client.post("/api/sectors/tourism/counts", json=_count(in_park=5000))
    assert r.status_code == 401, r.text
    assert env.client.get("/api/sectors/tourism/warnings").json() == []
    assert env.store.latest_visitor_counts() == []


@pytest.mark.parametrize("who", ["a-viewer", "a-reviewer", "yuzhong-officer"])
def test_roles_and_units_that_may_not_report(tourism_env: Any, who: str) -> None:
    env = tourism_env
    r = env.client.post("/api/sectors/tourism/counts", json=_count(), headers=env.headers(who))
    assert r.status_code == 403, r.text
    assert env.store.latest_visitor_counts() == []


def test_officer_reports_for_own_area_with_an_audit_entry(tourism_env: Any) -> None:
    env = tourism_env
    r = env.client.post(
        "/api/sectors/tourism/counts", json=_count(), headers=env.headers("dazu-officer")
    )
    assert r.status_code == 200 and r.json() == {"accepted": 1, "areas_with_counts": 1}, r.text
    entry = env.store.audit_entries(action="report_visitor_counts")
    assert len(entry) == 1 and entry[0].actor == "dazu-officer"
    assert entry[0].after["scenic_ids"] == [DAZU_AREA] and entry[0].origin == "api testclient"
    assert env.store.verify_audit().ok
    w = env.client.get("/api/sectors/tourism/warnings").json()
    assert [(x["scenic_id"], x["tier"]) for x in w] == [(DAZU_AREA, "announce")]
    # an area without a unit: the joint office only
    hong = _count("urban_hongyadong")
    assert (
        env.client.post(
            "/api/sectors/tourism/counts", json=hong, headers=env.headers("dazu-officer")
        ).status_code
        == 403
    )
    r = env.client.post(
        "/api/sectors/tourism/counts", json=hong, headers=env.headers("joint-office")
    )
    assert r.status_code == 200 and r.json()["areas_with_counts"] == 2


def test_counts_in_the_future_are_refused_beyond_the_skew(
    make_env: EnvFactory, dataset_copy: Path
) -> None:
    (dataset_copy / "sectors" / "scenic_capacities.csv").write_text(CAPACITIES, encoding="utf-8")
    env = make_env(dataset=str(dataset_copy), max_clock_skew_seconds=120)
    env.add_user("joint-office", "admin")
    h = env.headers("joint-office")
    local = ZoneInfo(env.region.manifest.timezone)
    now = datetime.now(UTC)
    ahead = (now + timedelta(hours=2)).astimezone(local).strftime("%Y-%m-%dT%H:%M:%S")
    r = env.client.post(
        "/api/sectors/tourism/counts", json=_count(time=ahead, in_park=5000), headers=h
    )
    assert r.status_code == 422 and "future" in r.text and "time" in r.text, r.text
    utc_ahead = (now + timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    r = env.client.post("/api/sectors/tourism/counts", json=_count(time=utc_ahead), headers=h)
    assert r.status_code == 422, r.text
    assert env.client.get("/api/sectors/tourism/warnings").json() == []
    within = (now + timedelta(seconds=60)).astimezone(local).strftime("%Y-%m-%dT%H:%M:%S")
    r = env.client.post("/api/sectors/tourism/counts", json=_count(time=within), headers=h)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("bad", [True, "850", 850.5])
def test_counts_are_integers_not_coerced(tourism_env: Any, bad: Any) -> None:
    env = tourism_env
    r = env.client.post(
        "/api/sectors/tourism/counts",
        json=_count(in_park=bad),
        headers=env.headers("joint-office"),
    )
    assert r.status_code == 422 and "in_park" in r.text, r.text
