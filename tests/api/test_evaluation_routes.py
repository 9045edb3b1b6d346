"""The evaluation routes: the targets board as of a year, one target, caching by store state."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from metrocircle.indicators.model import Status
from metrocircle.store import ObservationIn, Store

if TYPE_CHECKING:
    from collections.abc import Callable

    from fastapi.testclient import TestClient

    from metrocircle.region import Region
    from metrocircle.settings import Settings


def _field_named(body: dict[str, Any], field: str) -> bool:
    return any(field in [str(x) for x in e.get("loc", [])] for e in body["detail"])


def test_board_has_every_target(client: TestClient, region: Region) -> None:
    r = client.get("/api/evaluation", params={"as_of": 2025})
    assert r.status_code == 200
    board = r.json()
    assert board["as_of"] == 2025
    assert board["data_version"] == region.data_version
    ids = [e["id"] for e in board["evaluations"]]
    assert ids == [t.id for t in region.targets]
    assert sum(board["counts"].values()) == len(ids)
    statuses = {s.value for s in Status}
    for e in board["evaluations"]:
        assert e["status"] in statuses
        assert e["status_zh"] and e["status_en"]
        assert e["reason"]["zh"] and e["reason"]["en"]
        assert e["name_zh"] == region.target(e["id"]).name_zh


def test_default_year_is_this_year(client: TestClient) -> None:
    from datetime import date

    assert client.get("/api/evaluation").json()["as_of"] == date.today().year


def test_one_target_matches_the_board(client: TestClient) -> None:
    board = client.get("/api/evaluation", params={"as_of": 2025}).json()
    first = board["evaluations"][0]
    one = client.get(f"/api/evaluation/{first['id']}", params={"as_of": 2025})
    assert one.status_code == 200
    assert one.json() == first


@pytest.mark.parametrize("as_of", ["1800", "2101", "abc", "2025.5", "", "１９９９"])
def test_bad_year_is_422_naming_as_of(client: TestClient, as_of: str) -> None:
    r = client.get("/api/evaluation", params={"as_of": as_of})
    assert r.status_code == 422
    assert _field_named(r.json(), "as_of")
    r = client.get("/api/evaluation/heavy_pollution_days", params={"as_of": as_of})
    assert r.status_code == 422


@pytest.mark.parametrize("target_id", ["no_such_target", "渝中", "..%2F..%2Fsecret", "'; DROP"])
def test_unknown_target_is_404_naming_it(client: TestClient, target_id: str) -> None:
    r = client.get(f"/api/evaluation/{target_id}")
    assert r.status_code == 404
    if "%" not in target_id:
        assert target_id in r.json()["detail"]


def test_new_observations_reach_the_board(
    make_client: Callable[[Settings], TestClient], make_settings: Callable[..., Settings]
) -> None:
    """The cache is keyed by the store's state: an import shows on the next request."""
    settings = make_settings()
    c = make_client(settings)
    before = c.get("/api/evaluation/heavy_pollution_days", params={"as_of": 2025}).json()
    assert before["status"] == "no_data"
    assert before["latest_value"] is None
    with Store(settings.db) as store:
        store.import_observations(
            [
                ObservationIn(
                    "heavy_pollution_days",
                    "region",
                    2024,
                    0.0,
                    "days",
                    "test bulletin",
                    source_kind="official_statistics",
                    publisher="test publisher",
                    publication="test bulletin",
                )
            ],
            submitted_by="tester",
        )
    after = c.get("/api/evaluation/heavy_pollution_days", params={"as_of": 2025}).json()
    assert after["latest_value"] == 0.0
    assert after["latest_year"] == 2024
    assert after["status"] == "achieved"
    assert after["series"][-1]["source"] == "test bulletin"
