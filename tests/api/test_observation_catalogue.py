"""GET /api/observation-catalogue and the include_secondary switch of /api/evaluation."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from metrocircle.indicators.catalogue import observation_catalogue
from metrocircle.region import load_region

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def test_catalogue_route_returns_the_cli_document(client: TestClient) -> None:
    r = client.get(
        "/api/observation-catalogue",
        params={"indicator": "urbanisation_rate_pct", "scope": "region"},
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    want = observation_catalogue(
        load_region("chongqing"), indicator="urbanisation_rate_pct", scope="region"
    )
    assert doc == json.loads(json.dumps(want))
    (row,) = doc["observations"]
    assert row["origin"] == "derived" and row["period"] == 2022 and row["counted"]


def test_catalogue_route_counts_and_flags(client: TestClient) -> None:
    doc = client.get("/api/observation-catalogue").json()
    assert doc["official_share"] >= 0.70 and doc["include_secondary"] is False
    sec = [o for o in doc["observations"] if o["authority"] == "secondary"]
    assert sec and not any(o["counted"] for o in sec)
    lax = client.get("/api/observation-catalogue", params={"include_secondary": "true"}).json()
    assert lax["include_secondary"] is True
    assert any(o["counted"] for o in lax["observations"] if o["authority"] == "secondary")


def test_catalogue_route_rejects_bad_filters(client: TestClient) -> None:
    r = client.get("/api/observation-catalogue", params={"scope": "x" * 200})
    assert r.status_code == 422 and "scope" in r.text


def test_evaluation_route_says_which_sources_count(client: TestClient) -> None:
    strict = client.get("/api/evaluation/urbanisation_rate_2025", params={"as_of": 2025})
    lax = client.get(
        "/api/evaluation/urbanisation_rate_2025",
        params={"as_of": 2025, "include_secondary": "true"},
    )
    assert strict.status_code == lax.status_code == 200
    assert strict.json()["provenance"]["sources_counted"] == "official only"
    assert lax.json()["provenance"]["sources_counted"] == "official and secondary"
    assert strict.json()["latest_year"] == 2022
