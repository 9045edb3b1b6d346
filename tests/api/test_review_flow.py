"""Officers submit, reviewers accept, everyone sees the evaluation update (issue 9's 'done when')."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from metrocircle.settings import Settings
from metrocircle.store import Store

PASSWORD = "a long enough passphrase"
TARGET = "heavy_pollution_days"


def _login(c: TestClient, name: str) -> dict[str, str]:
    r = c.post("/api/auth/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    assert r.json()["token_type"] == "bearer"
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def test_submission_reaches_the_evaluation_only_when_accepted(
    make_client: Callable[[Settings], TestClient], make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings(secret_key="k" * 8 + "0123456789abcdef0123456789abcdef")
    with Store(settings.db) as store:
        store.add_user("office", role="admin", password=PASSWORD, actor="setup")
        store.add_user("checker", role="reviewer", password=PASSWORD, actor="setup")
    c = make_client(settings)
    admin, reviewer = _login(c, "office"), _login(c, "checker")
    before = c.get(f"/api/evaluation/{TARGET}", params={"as_of": 2025}).json()
    assert before["status"] == "no_data"

    body = {
        "observations": [
            {
                "indicator": TARGET,
                "scope": "region",
                "period": 2024,
                "value": 0.0,
                "unit": "days",
                "source": "重庆市生态环境状况公报 2024 (test)",
                "source_kind": "official_statistics",
                "publisher": "重庆市生态环境局 (test)",
                "publication": "《2024年重庆市生态环境状况公报》 (test)",
            }
        ],
        "note": "yearly bulletin",
    }
    r = c.post("/api/observations", json=body, headers=admin)
    assert r.status_code == 201, r.text
    sub = r.json()
    assert (sub["status"], sub["rows"], sub["replayed"]) == ("submitted", 1, False)

    # submitted, not yet published: the public and the board do not see it
    assert c.get(f"/api/evaluation/{TARGET}", params={"as_of": 2025}).json()["status"] == "no_data"
    assert c.get("/api/observations", params={"indicator": TARGET}).json()["total"] == 0
    pending = c.get("/api/submissions", headers=reviewer).json()["items"]
    assert [p["batch_id"] for p in pending] == [sub["batch_id"]]
    assert pending[0]["note"] == "yearly bulletin"
    assert pending[0]["origin"].startswith("api ")

    # the submitter may not accept their own value
    own = c.post(
        f"/api/submissions/{sub['batch_id']}/review", json={"decision": "accept"}, headers=admin
    )
    assert own.status_code == 403
    r = c.post(
        f"/api/submissions/{sub['batch_id']}/review", json={"decision": "accept"}, headers=reviewer
    )
    assert r.status_code == 200, r.text
    assert r.json()["rows"] == 1

    after = c.get(f"/api/evaluation/{TARGET}", params={"as_of": 2025}).json()
    assert after["latest_value"] == 0.0
    assert after["latest_year"] == 2024
    assert after["status"] == "achieved"
    published = c.get("/api/observations", params={"indicator": TARGET}).json()["items"]
    assert [(o["status"], o["reviewed_by"]) for o in published] == [("accepted", "checker")]
    assert published[0]["source_kind"] == "official_statistics"
    assert published[0]["publisher"] == "重庆市生态环境局 (test)"

    # every step is in the audit trail, with before and after, and the chain holds
    audit = c.get("/api/audit", headers=admin).json()
    steps = [(e["actor"], e["action"]) for e in audit["items"]]
    assert steps[-2:] == [("office", "submit_observations"), ("checker", "review_observations")]
    review = audit["items"][-1]
    assert review["before"]["status"] == "submitted"
    assert review["after"]["status"] == "accepted"
    assert review["origin"].startswith("api ")
    assert c.get("/api/audit/verify", headers=admin).json()["ok"] is True


def test_rejected_submission_never_reaches_the_board(
    make_client: Callable[[Settings], TestClient], make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings()
    with Store(settings.db) as store:
        store.add_user("yz", role="officer", unit="500103", password=PASSWORD, actor="setup")
        store.add_user("checker", role="reviewer", password=PASSWORD, actor="setup")
    c = make_client(settings)
    officer, reviewer = _login(c, "yz"), _login(c, "checker")
    row = {
        "indicator": "urbanisation_rate_pct",
        "scope": "500103",
        "period": 2024,
        "value": 100.0,
        "unit": "pct",
        "source": "test",
    }
    r = c.post("/api/observations", json={"observations": [row]}, headers=officer)
    assert r.status_code == 201
    obs_id = r.json()["ids"][0]
    no_reason = c.post(
        f"/api/observations/{obs_id}/review", json={"decision": "reject"}, headers=reviewer
    )
    assert no_reason.status_code == 422
    r = c.post(
        f"/api/observations/{obs_id}/review",
        json={"decision": "reject", "reason": "the bulletin says 99.9"},
        headers=reviewer,
    )
    assert r.status_code == 200
    assert r.json()["status"] == "rejected"
    # the officer sees why; the public sees nothing
    mine = c.get("/api/observations", params={"scope": "500103"}, headers=officer).json()["items"]
    assert [(o["status"], o["review_reason"]) for o in mine] == [
        ("rejected", "the bulletin says 99.9")
    ]
    assert c.get("/api/observations", params={"scope": "500103"}).json()["total"] == 0
    assert c.get("/api/observations", params={"status": "rejected"}).status_code == 401
    # a corrected value may be submitted again
    row["value"] = 99.9
    assert (
        c.post("/api/observations", json={"observations": [row]}, headers=officer).status_code
        == 201
    )


def test_logout_ends_every_session_of_the_user(
    make_client: Callable[[Settings], TestClient], make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings()
    with Store(settings.db) as store:
        store.add_user("yz", role="officer", unit="500103", password=PASSWORD, actor="setup")
        store.add_user("other", role="viewer", password=PASSWORD, actor="setup")
    c = make_client(settings)
    laptop, phone, other = _login(c, "yz"), _login(c, "yz"), _login(c, "other")
    assert c.get("/api/auth/me", headers=phone).status_code == 200
    assert c.post("/api/auth/logout", headers=laptop).status_code == 204
    for headers in (laptop, phone):
        r = c.get("/api/auth/me", headers=headers)
        assert r.status_code == 401
        assert "ended" in r.json()["detail"]
    assert c.get("/api/auth/me", headers=other).status_code == 200
    assert c.get("/api/auth/me", headers=_login(c, "yz")).status_code == 200
    assert c.post("/api/auth/logout").status_code == 401


def test_an_officer_pages_their_newest_submissions_first(
    make_client: Callable[[Settings], TestClient], make_settings: Callable[..., Settings]
) -> None:
    settings = make_settings()
    with Store(settings.db) as store:
        store.add_user("yz", role="officer", unit="500103", password=PASSWORD, actor="setup")
    c = make_client(settings)
    officer = _login(c, "yz")
    for year in (2023, 2021, 2022):
        row = {
            "indicator": "urbanisation_rate_pct",
            "scope": "500103",
            "period": year,
            "value": 99.0,
            "unit": "pct",
            "source": f"bulletin {year}",
        }
        assert (
            c.post("/api/observations", json={"observations": [row]}, headers=officer).status_code
            == 201
        )
    newest = c.get(
        "/api/observations", params={"order": "newest", "limit": 2}, headers=officer
    ).json()
    assert newest["total"] == 3
    assert [o["period"] for o in newest["items"]] == [2022, 2021]
    by_year = c.get("/api/observations", headers=officer).json()["items"]
    assert [o["period"] for o in by_year] == [2021, 2022, 2023]
    assert c.get("/api/observations", params={"order": "random"}).status_code == 422
