"""The sectors router on a small app: validated bodies, 4xx naming the field, never 5xx."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with warnings.catch_warnings():
    # starlette 1.x warns at import that plain httpx is deprecated (httpx2 is not installed).
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from metrocircle.api.app import install_error_handlers
from metrocircle.api.routes.sectors import router
from metrocircle.region import Region


def _app(region: Region) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.state.region = region
    app.include_router(router)
    return app


@pytest.fixture
def client(region: Region) -> Iterator[TestClient]:
    with TestClient(_app(region), raise_server_exceptions=False) as c:
        yield c


def test_operation_ids_are_stable(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    ids = {op["operationId"] for path in spec["paths"].values() for op in path.values()}
    assert ids == {
        "sectors_air_aqi",
        "sectors_air_warnings",
        "sectors_air_warnings_evaluate",
        "sectors_water_class",
        "sectors_water_classify",
        "sectors_air_good_days",
        "sectors_air_daily",
        "sectors_air_stations",
        "sectors_water_limits",
        "sectors_tourism_tiers",
        "sectors_tourism_capacity",
        "sectors_fiscal_areas",
        "sectors_tourism_areas",
        "sectors_tourism_counts",
        "sectors_tourism_warnings",
        "sectors_fiscal_split",
    }


def test_aqi(client: TestClient) -> None:
    r = client.post("/api/sectors/air/aqi", json={"concentrations": {"pm2_5": 80, "pm10": 120}})
    assert r.status_code == 200 and r.json()["aqi"] == 107
    r = client.post(
        "/api/sectors/air/aqi", json={"standard": "HJ633-2026", "concentrations": {"pm2_5": 80}}
    )
    assert r.json()["aqi"] == 119 and r.json()["standard"] == "HJ633-2026"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"concentrations": {"pm2_5": -1}}, "pm2_5"),
        ({"concentrations": {"pm2_5": "x"}}, "pm2_5"),
        ({"concentrations": {"nh3": 1}}, "nh3"),
        ({"concentrations": {"pm2_5": 1e9}}, "pm2_5"),
        ({"concentrations": {}}, "concentrations"),
        ({"standard": "X", "concentrations": {"pm2_5": 1}}, "standard"),
        ({"concentrations": {"pm2_5": 501}}, "pm2_5"),
        ({"concentrations": {"so2_24h": 1}}, "so2_24h"),
        ({"report": "hourly", "concentrations": {"so2": 900}}, "so2_24h"),
        ([], "body"),
    ],
)
def test_aqi_bad_input_is_422_naming_the_field(
    client: TestClient, body: object, field: str
) -> None:
    r = client.post("/api/sectors/air/aqi", json=body)
    assert r.status_code == 422, r.text
    assert field in r.text


def test_aqi_unconfirmed_2026_rule(client: TestClient) -> None:
    body = {"standard": "HJ633-2026", "concentrations": {"o3_1h": 900, "o3_8h": 850}}
    r = client.post("/api/sectors/air/aqi", json=body)
    assert r.status_code == 422 and "unconfirmed" in r.text


def test_air_warnings(client: TestClient) -> None:
    assert client.get("/api/sectors/air/warnings").json() == []  # no hourly data in the dataset
    days = [
        {"unit": u, "date": d, "aqi": 250}
        for u in ("500103", "500105")
        for d in ("2025-01-01", "2025-01-02")
    ]
    r = client.post("/api/sectors/air/warnings", json={"days": days})
    assert r.status_code == 200
    assert [e["tier"] for e in r.json()] == ["yellow"]
    r = client.post(
        "/api/sectors/air/warnings",
        json={"days": [{"unit": "999999", "date": "2025-01-01", "aqi": 1}]},
    )
    assert r.status_code == 422 and "999999" in r.text
    r = client.post(
        "/api/sectors/air/warnings",
        json={"days": [{"unit": "500103", "date": "2025-13-45", "aqi": 1}]},
    )
    assert r.status_code == 422 and "date" in r.text
    r = client.post(
        "/api/sectors/air/warnings", json={"days": [{"unit": "500103", "date": "x", "aqi": 1}]}
    )
    assert r.status_code == 422 and "date" in r.text


def test_water_class(client: TestClient) -> None:
    r = client.post("/api/sectors/water/class", json={"measurements": {"do": 6.2, "nh3_n": 0.6}})
    assert r.status_code == 200 and r.json()["label"] == "III"
    r = client.post(
        "/api/sectors/water/class", json={"water_body": "lake", "measurements": {"tp": 0.05}}
    )
    assert r.json()["label"] == "III"
    for body, field in [
        ({"measurements": {"bogus": 1}}, "bogus"),
        ({"measurements": {}}, "measurements"),
        ({"measurements": {"do": -1}}, "do"),
        ({"water_body": "sea", "measurements": {"do": 1}}, "water_body"),
        ({"measurements": {"ph": 15}}, "ph"),
    ]:
        r = client.post("/api/sectors/water/class", json=body)
        assert r.status_code == 422 and field in r.text, (body, r.text)


def test_tourism_counts_and_warnings(dataset_copy: Path, tmp_path: Path) -> None:
    from metrocircle.api.app import create_app
    from metrocircle.settings import Settings
    from metrocircle.store import Store

    (dataset_copy / "sectors" / "scenic_capacities.csv").write_text(
        "scenic_id,capacity_instantaneous,capacity_daily,method,source\nurban_hongyadong,1000,,spatial,test approval\n",
        encoding="utf-8",
    )
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    password = "Jialing-river-bridge-2026"
    with Store(url) as store:
        store.add_user("joint-office", role="admin", password=password, actor="test")
    app = create_app(Settings(environment="test", db=url, dataset=str(dataset_copy)))
    with TestClient(app, raise_server_exceptions=False) as c:
        token = c.post(
            "/api/auth/token", data={"username": "joint-office", "password": password}
        ).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        areas = c.get("/api/sectors/tourism/areas").json()
        assert len(areas) == 36 and sum(a["has_capacity"] for a in areas) == 1
        assert c.get("/api/sectors/tourism/warnings").json() == []
        r = c.post(
            "/api/sectors/tourism/counts",
            json={
                "counts": [
                    {"scenic_id": "urban_hongyadong", "time": "2025-10-01T11:00", "in_park": 850}
                ]
            },
            headers=h,
        )
        assert r.status_code == 200 and r.json()["accepted"] == 1
        w = c.get("/api/sectors/tourism/warnings").json()
        assert [(x["scenic_id"], x["tier"]) for x in w] == [("urban_hongyadong", "announce")]
        for counts, field in [
            ([{"scenic_id": "nowhere", "time": "2025-10-01T11:00", "in_park": 1}], "scenic_id"),
            (
                [{"scenic_id": "urban_guangyang_island", "time": "2025-10-01T11:00", "in_park": 1}],
                "capacity",
            ),
            ([{"scenic_id": "urban_hongyadong", "time": "2025-10-01T11:00"}], "in_park"),
            ([{"scenic_id": "urban_hongyadong", "time": "yesterday", "in_park": 1}], "time"),
            ([{"scenic_id": "urban_hongyadong", "time": "2025-13-45T11:00", "in_park": 1}], "time"),
            (
                [{"scenic_id": "urban_hongyadong", "time": "2025-10-01T11:00", "in_park": -5}],
                "in_park",
            ),
            ([], "counts"),
        ]:
            r = c.post("/api/sectors/tourism/counts", json={"counts": counts}, headers=h)
            assert r.status_code == 422 and field in r.text, (counts, r.text)
        big = [{"scenic_id": "urban_hongyadong", "time": "2025-10-01T11:00", "in_park": 1}] * 5001
        assert (
            c.post("/api/sectors/tourism/counts", json={"counts": big}, headers=h).status_code
            == 422
        )


def _entries() -> list[dict[str, object]]:
    return [
        {"item": "tax", "year": 2020, "jurisdiction": "500112", "amount": "100.00"},
        {"item": "tax", "year": 2020, "jurisdiction": "511623", "amount": "60.00"},
        {"item": "tax", "year": 2021, "jurisdiction": "500112", "amount": "130.00"},
        {"item": "tax", "year": 2021, "jurisdiction": "511623", "amount": "75.50"},
    ]


def test_fiscal_split(client: TestClient) -> None:
    body = {"area_id": "chuanyu_gaozhu", "base_year": 2020, "entries": _entries()}
    r = client.post("/api/sectors/fiscal/split", json=body)
    assert r.status_code == 200
    assert [(a["jurisdiction"], a["allocated"]) for a in r.json()] == [
        ("500112", "122.75"),
        ("511623", "82.75"),
    ]
    bad = [
        ({**body, "area_id": "nowhere"}, "area_id"),
        ({**body, "base_year": 2019}, "base year"),
        ({**body, "shares": {"500112": "0.7", "511623": "0.7"}}, "shares"),
        (
            {
                **body,
                "entries": [
                    *_entries(),
                    {"item": "tax", "year": 2021, "jurisdiction": "500109", "amount": 1},
                ],
            },
            "500109",
        ),
        ({**body, "entries": [{**_entries()[0], "amount": "-1"}]}, "amount"),
        ({**body, "entries": [{**_entries()[0], "amount": "NaN"}]}, "amount"),
        ({**body, "entries": [{**_entries()[0], "jurisdiction": "12"}]}, "jurisdiction"),
        (
            {**body, "entries": [*_entries()[:3], {**_entries()[3], "amount": "75.555"}]},
            "decimal places",
        ),
        ({**body, "entries": [*_entries()[:3], {**_entries()[3], "amount": "1e-30"}]}, "amount"),
    ]
    for b, needle in bad:
        r = client.post("/api/sectors/fiscal/split", json=b)
        assert r.status_code == 422 and needle in r.text, (b, r.text)


_json = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
_keys = {
    "/api/sectors/air/aqi": ["report", "standard", "concentrations", "so2", "pm2_5", "o3_8h"],
    "/api/sectors/air/warnings": ["days", "unit", "date", "aqi", "ongoing_only"],
    "/api/sectors/water/class": ["water_body", "measurements", "do", "tp", "ph"],
    "/api/sectors/tourism/capacity": ["attractions", "area_m2", "m2_per_visitor", "open_hours"],
    "/api/sectors/water/classify": ["sections", "section_id", "water_body", "measurements", "do"],
    "/api/sectors/fiscal/split": [
        "area_id",
        "base_year",
        "shares",
        "decimals",
        "entries",
        "item",
        "year",
        "jurisdiction",
        "amount",
    ],
}


@settings(
    deadline=None, max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.sampled_from(sorted(_keys)),
    st.dictionaries(
        st.sampled_from(sorted({k for v in _keys.values() for k in v})), _json, max_size=5
    ),
)
def test_hostile_bodies_never_5xx(client: TestClient, path: str, body: dict[str, object]) -> None:
    r = client.post(
        path,
        # a hostile client may send NaN and infinity, which the test client's own JSON encoder refuses
        content=json.dumps(body, allow_nan=True),
        headers={"content-type": "application/json"},
    )
    assert r.status_code < 500, (path, body, r.text)
