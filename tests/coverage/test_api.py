"""/api/coverage: validated bodies, bounded sizes, GeoJSON out, and no 5xx on hostile input."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrocircle.api.routes.coverage import router
from metrocircle.region import Region

# test sites only: seat points of 渝中区 and 璧山区 as they appear in units.csv
FAC = [
    {
        "id": "r1",
        "name_zh": "渝中测试点",
        "type": "emergency_reserve",
        "lon": 106.565198,
        "lat": 29.555611,
        "source": "test fixture",
        "capacity": 5000,
        "capacity_unit": "persons",
    },
    {
        "id": "r2",
        "name_zh": "璧山测试点",
        "type": "emergency_reserve",
        "lon": 106.22353,
        "lat": 29.59472,
        "source": "test fixture",
        "capacity": 5000,
        "capacity_unit": "persons",
    },
]


@pytest.fixture(scope="module")
def client(region: Region) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.region = region
    app.include_router(router)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_parameters(client: TestClient) -> None:
    r = client.get("/api/coverage/parameters")
    assert r.status_code == 200
    assert r.json()["parameters"]["rescue_circle"]["minutes"] == 60
    assert "emergency_reserve" in r.json()["facility_types"]


def test_rescue(client: TestClient) -> None:
    r = client.post("/api/coverage/rescue", json={"facilities": FAC})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["minutes"] == 60
    by = {u["code"]: u for u in d["units"]}
    assert by["500103"]["share"] == 1.0
    assert by["500103"]["name_en"] == "Yuzhong District"
    assert d["uncovered"]["type"] == "FeatureCollection"
    assert len(d["uncovered"]["features"]) > 0
    f = d["uncovered"]["features"][0]
    assert f["geometry"]["type"] == "Point" and f["properties"]["covered"] is False


def test_nth_and_2sfca(client: TestClient) -> None:
    r = client.post("/api/coverage/nth", json={"facilities": FAC, "n": 3})
    assert r.status_code == 200, r.text
    assert all(z["minutes"] is None for z in r.json()["zones"])  # only two facilities
    r = client.post("/api/coverage/2sfca", json={"facilities": FAC, "decay": "linear"})
    assert r.status_code == 200, r.text
    assert r.json()["capacity_unit"] == ["persons"]


def test_site(client: TestClient) -> None:
    body = {"model": "mclp", "builtin_candidates": "seats", "existing": FAC, "p": 3, "minutes": 45}
    r = client.post("/api/coverage/site", json=body)
    assert r.status_code == 200, r.text
    d = r.json()
    assert {"r1", "r2"} <= set(d["selected"])
    assert len(d["proposed_sites"]["features"]) == 3
    assert d["uncovered"]["type"] == "FeatureCollection"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/api/coverage/rescue", {"facilities": []}, 422),
        ("/api/coverage/rescue", {"facilities": FAC, "minutes": -1}, 422),
        ("/api/coverage/rescue", {"facilities": FAC, "scenario": "nope"}, 404),
        ("/api/coverage/rescue", {"facilities": FAC, "scenario": "../../etc"}, 422),
        ("/api/coverage/rescue", {"facilities": FAC, "facility_type": "school"}, 422),
        ("/api/coverage/rescue", {"facilities": [FAC[0], FAC[0]]}, 422),
        ("/api/coverage/rescue", {"facilities": [{**FAC[0], "lon": 500}]}, 422),
        ("/api/coverage/rescue", {"facilities": [{**FAC[0], "evil": 1}]}, 422),
        ("/api/coverage/rescue", {"facilities": [FAC[0]] * 2001}, 422),
        (
            "/api/coverage/2sfca",
            {
                "facilities": [
                    {k: v for k, v in FAC[0].items() if k not in ("capacity", "capacity_unit")}
                ]
            },
            422,
        ),
        ("/api/coverage/site", {"model": "lscp"}, 422),
        ("/api/coverage/site", {"model": "pmedian", "builtin_candidates": "seats"}, 422),
        ("/api/coverage/site", {"model": "pmedian", "builtin_candidates": "seats", "p": 500}, 422),
        (
            "/api/coverage/site",
            {"model": "mclp", "builtin_candidates": "seats", "p": 1, "capacitated": True},
            422,
        ),
        (
            "/api/coverage/site",
            {
                "model": "lscp",
                "builtin_candidates": "seats",
                "existing": [{**FAC[0], "id": "seat-500103"}],
            },
            422,
        ),
    ],
)
def test_bad_requests(client: TestClient, path: str, body: dict[str, Any], status: int) -> None:
    r = client.post(path, json=body)
    assert r.status_code == status, r.text


def test_duplicate_ids_name_the_row(client: TestClient) -> None:
    r = client.post("/api/coverage/rescue", json={"facilities": [FAC[0], FAC[0]]})
    assert r.status_code == 422
    assert any(d["loc"][-1] == "id" and "duplicate" in d["msg"] for d in r.json()["detail"])


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(
        ["/api/coverage/rescue", "/api/coverage/nth", "/api/coverage/2sfca", "/api/coverage/site"]
    ),
    st.dictionaries(
        st.sampled_from(
            ["facilities", "model", "p", "minutes", "scenario", "candidates", "n", "decay", "datum"]
        ),
        json_values,
        max_size=5,
    ),
)
def test_hostile_bodies_never_5xx(client: TestClient, path: str, body: dict[str, Any]) -> None:
    r = client.post(
        path,
        # a hostile client may send NaN and infinity, which the test client's own JSON encoder refuses
        content=json.dumps(body, allow_nan=True),
        headers={"content-type": "application/json"},
    )
    assert r.status_code < 500, r.text


def test_non_json_numbers_and_garbage(client: TestClient) -> None:
    for raw in ('{"facilities": NaN}', '{"facilities": [{"lon": Infinity}]}', "not json", "[]"):
        r = client.post(
            "/api/coverage/rescue", content=raw, headers={"content-type": "application/json"}
        )
        assert r.status_code == 422, raw


def test_operation_ids_are_stable(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert ids == {
        "coverage_parameters",
        "coverage_rescue",
        "coverage_nth_nearest",
        "coverage_two_step_fca",
        "coverage_site",
    }


def test_request_bounds_match_parameters(client: TestClient) -> None:
    from metrocircle.api.routes import coverage as routes
    from metrocircle.coverage.measures import load_parameters

    api = load_parameters()["api"]
    assert api["max_facilities"] == routes._MAX_FACILITIES
    assert api["max_candidates"] == routes._MAX_CANDIDATES
    body = {"model": "pmedian", "builtin_candidates": "townships", "p": 2}
    # The public meets its own, smaller limit first (issue 19: anonymous work is bounded).
    r = client.post("/api/coverage/site", json=body)
    assert r.status_code == 413
    assert "anonymous_max_sites" in r.json()["detail"]
    from metrocircle.settings import Settings

    state = client.app.state  # type: ignore[attr-defined]
    state.settings = Settings(environment="test", anonymous_max_sites=100_000)
    try:
        r = client.post("/api/coverage/site", json=body)
    finally:
        del state.settings
    assert r.status_code == 422
    assert "API limit" in r.json()["detail"]
