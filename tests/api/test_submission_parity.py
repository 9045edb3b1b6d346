"""One library, two faces: a submission and its review give one document on the command line
(``import observations --as USER --json``, ``review accept|reject --json``) and in the API
(``POST /api/observations``, ``POST /api/submissions/{batch_id}/review``).

Each face works on a fresh store of its own with the same accounts and the same rows, so
even the stored ids agree; only the batch id (a random UUID) and where the rows came from
(the CLI names its file, a request body has none) differ.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from metrocircle.cli import app as cli_app
from metrocircle.settings import Settings
from metrocircle.store import Store

PASSWORD = "a long enough passphrase"
runner = CliRunner()

ROW = {
    "indicator": "heavy_pollution_days",
    "period": 2024,
    "unit": "days",
    "source": "渝中区生态环境状况公报 2024 (test)",
    "source_kind": "official_statistics",
    "publisher": "重庆市渝中区生态环境局 (test)",
    "publication": "《2024年渝中区生态环境状况公报》 (test)",
}
# (case id, rows by (scope, value), decision, reason)
CASES: list[tuple[str, list[tuple[str, float]], str, str | None]] = [
    ("one-row-accepted", [("500103", 3.0)], "accept", None),
    ("two-rows-rejected", [("500103", 2.0), ("500103", 4.0)], "reject", "figure not in source"),
]


def _rows(values: list[tuple[str, float]]) -> list[dict[str, Any]]:
    return [
        {**ROW, "scope": scope, "value": v, "period": 2020 + i}
        for i, (scope, v) in enumerate(values)
    ]


def _fresh(make_settings: Callable[..., Settings], folder: Path) -> Settings:
    folder.mkdir()
    settings = make_settings(secret_key="k" * 8 + "0123456789abcdef0123456789abcdef")
    settings = settings.model_copy(update={"db": f"sqlite:///{folder / 'store.sqlite'}"})
    with Store(settings.db) as store:
        store.add_user("officer", role="officer", unit="500103", password=PASSWORD, actor="setup")
        store.add_user("checker", role="reviewer", password=PASSWORD, actor="setup")
    return settings


def _cli(args: list[str]) -> dict[str, Any]:
    res = runner.invoke(cli_app, args)
    assert res.exit_code == 0, res.output
    doc: dict[str, Any] = json.loads(res.stdout)
    return doc


def _login(c: TestClient, name: str) -> dict[str, str]:
    r = c.post("/api/auth/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_cli_and_api_give_one_submission_and_review_document(
    case: tuple[str, list[tuple[str, float]], str, str | None],
    make_settings: Callable[..., Settings],
    make_client: Callable[[Settings], TestClient],
    tmp_path: Path,
) -> None:
    name, values, decision, reason = case
    rows = _rows(values)
    # the command line, on its own store
    cli_settings = _fresh(make_settings, tmp_path / "cli")
    db = ["--db", str(cli_settings.db)]
    path = tmp_path / f"{name}.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    cli_sub = _cli(["import", "observations", str(path), "--as", "officer", "--json", *db])
    review = ["review", decision, cli_sub["batch_id"], "--as", "checker", "--json", *db]
    cli_rev = _cli(review + (["--reason", reason] if reason else []))

    # the API, on another store with the same accounts
    c = make_client(_fresh(make_settings, tmp_path / "api"))
    r = c.post("/api/observations", json={"observations": rows}, headers=_login(c, "officer"))
    assert r.status_code == 201, r.text
    api_sub = r.json()
    body = {"decision": decision} | ({"reason": reason} if reason else {})
    r = c.post(
        f"/api/submissions/{api_sub['batch_id']}/review", json=body, headers=_login(c, "checker")
    )
    assert r.status_code == 200, r.text
    api_rev = r.json()

    assert list(cli_sub) == list(api_sub)  # same keys, same order
    assert cli_sub["file"] == str(path) and api_sub["file"] is None
    same = {"batch_id": "<batch>", "file": None}
    assert cli_sub | same == api_sub | same
    assert (api_sub["status"], api_sub["rows"], len(api_sub["ids"])) == (
        "submitted",
        len(rows),
        len(rows),
    )
    assert list(cli_rev) == list(api_rev)
    assert cli_rev | {"batch_id": "<batch>"} == api_rev | {"batch_id": "<batch>"}
    assert (api_rev["decision"], api_rev["rows"], api_rev["ids"]) == (
        decision,
        len(rows),
        api_sub["ids"],
    )
    assert cli_rev["batch_id"] == cli_sub["batch_id"] and api_rev["batch_id"] == api_sub["batch_id"]


def test_only_a_reviewer_reviews_in_the_library_too(
    make_settings: Callable[..., Settings], tmp_path: Path
) -> None:
    """The permission check lives in the library, not in a face: an officer calling
    review_submission directly is refused before the store is touched."""
    from metrocircle._errors import PermissionDeniedError
    from metrocircle.region import load_region
    from metrocircle.security import principal_for
    from metrocircle.submissions import review_submission, submit_observations

    settings = _fresh(make_settings, tmp_path / "lib")
    region = load_region("chongqing")
    with Store(settings.db) as store:
        officer = principal_for(region, store.user("officer"))
        from metrocircle.store import ObservationIn

        outside = ObservationIn(**{**ROW, "scope": "500120", "value": 1.0})  # 璧山, not theirs
        with pytest.raises(PermissionDeniedError) as refused:
            submit_observations(store, officer, [outside])
        assert [p.field for p in refused.value.problems] == ["scope"]
        inside = ObservationIn(**{**ROW, "scope": "500103", "value": 1.0})
        sub = submit_observations(store, officer, [inside])
        assert sub.status == "submitted" and sub.rows == 1 and sub.file is None
        with pytest.raises(PermissionDeniedError, match="only a reviewer"):
            review_submission(store, officer, sub.batch_id, decision="accept")
        assert [s.pending for s in store.submissions(pending_only=True)] == [1]
