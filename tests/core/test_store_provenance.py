"""Provenance of stored observations (issue 15) on SQLite and PostgreSQL: file → store → API.

Source kind, publisher, publication, statement and publication date are stored with each
row (revision 0007); a row naming no kind is ``secondary``; an unknown kind is refused by
file, row and field; rows stored before 0007 keep NULL ("unrecorded") and their audit
digests keep verifying, while a provenance edited behind the log is found. The values are
test inputs in throw-away stores, not statistics.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from fastapi.testclient import TestClient

from metrocircle._errors import DataValidationError
from metrocircle.indicators.authority import UNRECORDED_KIND, AuthorityRules
from metrocircle.indicators.service import store_observations
from metrocircle.region import load_region
from metrocircle.settings import Settings
from metrocircle.store import Store, audit
from metrocircle.store.db import _normalise_url
from metrocircle.store.observations_file import ObservationIn, read_observations_file

HEADER = (
    "indicator,scope,period,value,unit,source,source_url,source_kind,publisher,publication,"
    "statement_zh,published_date"
)
FULL = (
    "urbanisation_rate_pct,500112,2023,81.5,pct,test bulletin 2023,https://example.org/b,"
    "official_statistics,测试统计局 test bureau,《测试公报》 test bulletin,"
    "城镇化率为81.5% (test),2024-03-20"
)
PASSWORD = "a long enough passphrase"


@pytest.fixture(scope="module")
def region():  # type: ignore[no-untyped-def]
    return load_region("chongqing")


def _write(tmp_path: Path, *lines: str, name: str = "obs.csv") -> Path:
    p = tmp_path / name
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_every_field_round_trips_and_no_kind_is_secondary(
    store_url: str, tmp_path: Path, region
) -> None:  # type: ignore[no-untyped-def]
    rows = read_observations_file(
        _write(
            tmp_path,
            HEADER,
            FULL,
            # no kind, no publisher: imported as secondary
            "urbanisation_rate_pct,500112,2022,80.9,pct,a ranking site,,,,,,",
        ),
        region,
    )
    # an old file without any provenance column imports too, as secondary
    old = read_observations_file(
        _write(
            tmp_path,
            "indicator,scope,period,value,unit,source",
            "urbanisation_rate_pct,500103,2022,70.0,pct,an old file",
            name="old.csv",
        ),
        region,
    )
    with Store(store_url) as store:
        store.import_observations(rows + old, submitted_by="tester", file="obs.csv")
        got = {(o.scope, o.period): o for o in store.observations()}
        full = got[("500112", 2023)]
        assert (
            full.source_kind,
            full.publisher,
            full.publication,
            full.statement_zh,
            full.published_date,
            full.source_url,
        ) == (
            "official_statistics",
            "测试统计局 test bureau",
            "《测试公报》 test bulletin",
            "城镇化率为81.5% (test)",
            "2024-03-20",
            "https://example.org/b",
        )
        bare = got[("500112", 2022)]
        assert (bare.source_kind, bare.publisher, bare.publication) == ("secondary", None, None)
        assert got[("500103", 2022)].source_kind == "secondary"
        # the evaluation reads the stored kind: official counts, secondary is flagged
        by_period = {(o.scope, o.period): o for o in store_observations(store)}
        assert by_period[("500112", 2023)].provenance["source_kind"] == "official_statistics"
        assert by_period[("500112", 2023)].provenance["publisher"] == "测试统计局 test bureau"
        assert by_period[("500112", 2022)].provenance["source_kind"] == "secondary"
        rep = store.verify_audit()
        assert rep.ok, rep.problems
        entry = next(e for e in store.audit_entries() if e.action == "import_observations")
        assert entry.after["digest_v"] == audit.DIGEST_VERSION == 3


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        (FULL.replace("official_statistics", "blog"), "source_kind", "unknown source kind"),
        (FULL.replace("测试统计局 test bureau", ""), "publisher", "must name its publisher"),
        (
            FULL.replace("《测试公报》 test bulletin", ""),
            "publication",
            "must name its publication",
        ),
        (FULL.replace("2024-03-20", "20 March 2024"), "published_date", "YYYY-MM-DD"),
    ],
)
def test_bad_provenance_is_refused_by_row_and_field(
    tmp_path: Path, region, line: str, field: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    good = FULL.replace("2023", "2021", 1)
    with pytest.raises(DataValidationError) as exc:
        read_observations_file(_write(tmp_path, HEADER, good, line), region)
    (p,) = exc.value.problems
    assert (p.file, p.row, p.field) == ("obs.csv", 3, field)
    assert message in p.message
    if field == "source_kind":
        assert all(k in p.message for k in AuthorityRules.default().kinds)


def test_the_store_refuses_an_unknown_kind_given_directly(store_url: str) -> None:
    row = ObservationIn(
        "urbanisation_rate_pct", "500112", 2023, 1.0, "pct", "s", line=7, source_kind="blog"
    )
    with Store(store_url) as store:
        with pytest.raises(DataValidationError) as exc:
            store.import_observations([row], submitted_by="t", file="feed")
        (p,) = exc.value.problems
        assert (p.file, p.row, p.field) == ("feed", 7, "source_kind")
        assert store.count_observations(status=None) == 0


def _cfg(conn: sa.Connection) -> Config:
    from importlib import resources

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("metrocircle.store") / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


def test_migration_from_0006_keeps_rows_unrecorded_and_the_log_verifying(
    store_url: str,
) -> None:
    """A 0006 store with a logged batch upgrades: its rows are unrecorded, its digest holds."""
    eng = sa.create_engine(_normalise_url(store_url))
    batch = "c0000000-0000-0000-0000-000000000006"
    row = {
        "indicator": "urbanisation_rate_pct",
        "unit_code": "500103",
        "period": 2021,
        "value": 70.5,
        "unit_of_measure": "pct",
        "source": "old import",
        "source_url": None,
    }
    with eng.begin() as conn:
        command.upgrade(_cfg(conn), "0006")
        cols = {c["name"] for c in sa.inspect(conn).get_columns("observations")}
        assert "source_kind" not in cols
        conn.execute(
            sa.text(
                "INSERT INTO submissions (batch_id, submitted_by, submitted_at, rows) "
                "VALUES (:b, 'cli', :at, 1)"
            ),
            {"b": batch, "at": "2026-01-01 00:00:00+00:00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO observations (indicator, unit_code, period, value, unit_of_measure, "
                "source, source_url, submitted_by, submitted_at, batch_id, status) VALUES "
                "(:indicator, :unit_code, :period, :value, :unit_of_measure, :source, "
                ":source_url, 'cli', :at, :b, 'accepted')"
            ),
            row | {"at": "2026-01-01 00:00:00+00:00", "b": batch},
        )
        # the audit entry as the store of revision 0006 wrote it (digest version 2)
        audit.append(
            conn,
            actor="cli",
            action="import_observations",
            entity="batch",
            entity_id=batch,
            detail={"file": "old.csv", "note": None},
            after={
                "batch_id": batch,
                "status": "accepted",
                "rows": 1,
                "scopes": ["500103"],
                "digest": audit.batch_digest([row], version=2),
                "digest_v": 2,
            },
        )
    with Store(store_url) as store:
        (old,) = store.observations()
        assert old.source_kind is None and old.publisher is None
        assert store_observations(store)[0].provenance["source_kind"] == UNRECORDED_KIND
        rep = store.verify_audit()
        assert rep.ok, rep.problems
        # a new batch beside the old one: both verify
        store.import_observations(
            [
                ObservationIn(
                    "urbanisation_rate_pct",
                    "500103",
                    2023,
                    71.0,
                    "pct",
                    "new import",
                    line=2,
                    source_kind="official_statistics",
                    publisher="p",
                    publication="q",
                )
            ],
            submitted_by="cli",
        )
        rep = store.verify_audit()
        assert rep.ok, rep.problems
        assert rep.entries == 2
    # a kind written on the old row behind the log is found, though its digest is version 2
    with eng.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE observations SET source_kind = 'official_statistics' WHERE batch_id = :b"
            ),
            {"b": batch},
        )
    with Store(store_url) as store:
        rep = store.verify_audit()
        assert not rep.ok
        assert any(batch in p and "differ" in p for p in rep.problems), rep.problems
    # and so is a publisher changed on a new row (digest version 3)
    with eng.begin() as conn:
        conn.execute(
            sa.text("UPDATE observations SET source_kind = NULL WHERE batch_id = :b"), {"b": batch}
        )
        conn.execute(
            sa.text("UPDATE observations SET publisher = 'someone else' WHERE period = 2023")
        )
    with Store(store_url) as store:
        rep = store.verify_audit()
        assert not rep.ok
        assert len(rep.problems) == 1 and batch not in rep.problems[0], rep.problems
    eng.dispose()


def test_the_migration_goes_down_and_up_again(store_url: str) -> None:
    eng = sa.create_engine(_normalise_url(store_url))
    Store(store_url).close()
    with eng.begin() as conn:
        command.downgrade(_cfg(conn), "0006")
        cols = {c["name"] for c in sa.inspect(conn).get_columns("observations")}
        assert not cols & {"source_kind", "publisher", "publication", "statement_zh"}
    with eng.begin() as conn:
        command.upgrade(_cfg(conn), "head")
        cols = {c["name"] for c in sa.inspect(conn).get_columns("observations")}
        assert {"source_kind", "publisher", "publication", "statement_zh", "published_date"} <= cols
    eng.dispose()


def _login(c: TestClient, name: str) -> dict[str, str]:
    r = c.post("/api/auth/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def client(store_url: str) -> Iterator[TestClient]:
    """The app on a store of each database, with an administrator and a reviewer."""
    from metrocircle.api.app import create_app

    with Store(store_url) as store:
        store.add_user("office", role="admin", password=PASSWORD, actor="setup")
        store.add_user("checker", role="reviewer", password=PASSWORD, actor="setup")
    app = create_app(Settings(environment="test", db=store_url))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_the_api_takes_and_gives_the_fields_and_only_official_values_move_the_board(
    client: TestClient,
) -> None:
    c = client
    admin, reviewer = _login(c, "office"), _login(c, "checker")
    target = "heavy_pollution_days"
    base = {
        "indicator": target,
        "scope": "region",
        "value": 2.0,
        "unit": "days",
        "source": "test bulletin",
    }
    # an unknown kind is refused naming the row and field
    r = c.post(
        "/api/observations",
        json={"observations": [base | {"period": 2024, "source_kind": "blog"}]},
        headers=admin,
    )
    assert r.status_code == 422
    assert [d["loc"] for d in r.json()["detail"]] == [["body", "observations", 0, "source_kind"]]
    # a row naming no kind is secondary: accepted, it is listed but does not count
    r = c.post("/api/observations", json={"observations": [base | {"period": 2024}]}, headers=admin)
    assert r.status_code == 201, r.text
    batch = r.json()["batch_id"]
    assert c.post(
        f"/api/submissions/{batch}/review", json={"decision": "accept"}, headers=reviewer
    ).is_success
    (listed,) = c.get("/api/observations", params={"indicator": target}).json()["items"]
    assert listed["source_kind"] == "secondary" and listed["publisher"] is None
    board = c.get(f"/api/evaluation/{target}", params={"as_of": 2025}).json()
    assert board["status"] == "no_data"
    counted = c.get(
        f"/api/evaluation/{target}", params={"as_of": 2025, "include_secondary": "true"}
    ).json()
    assert counted["latest_value"] == 2.0
    # an official one, with every field, moves the board and is in the catalogue
    official = base | {
        "period": 2023,
        "value": 0.0,
        "source": "test bulletin 2023",
        "source_kind": "official_statistics",
        "publisher": "测试生态环境局 (test)",
        "publication": "《测试公报》 (test)",
        "statement_zh": "重污染天数1天 (test)",
        "published_date": "2024-06",
    }
    r = c.post("/api/observations", json={"observations": [official]}, headers=admin)
    assert r.status_code == 201, r.text
    assert c.post(
        f"/api/submissions/{r.json()['batch_id']}/review",
        json={"decision": "accept"},
        headers=reviewer,
    ).is_success
    board = c.get(f"/api/evaluation/{target}", params={"as_of": 2025}).json()
    assert (board["status"], board["latest_value"], board["latest_year"]) == ("achieved", 0.0, 2023)
    items = c.get("/api/observations", params={"indicator": target, "status": "accepted"})
    got = next(o for o in items.json()["items"] if o["period"] == 2023)
    assert {k: got[k] for k in official if k in got} == official
    cat = c.get("/api/observation-catalogue", params={"indicator": target}).json()
    stored = [o for o in cat["observations"] if o["origin"] == "store"]
    assert {(o["period"], o["source_kind"], o["authority"], o["counted"]) for o in stored} == {
        (2024, "secondary", "secondary", False),
        (2023, "official_statistics", "official", True),
    }
    entry = next(o for o in stored if o["period"] == 2023)
    assert (entry["publisher"], entry["publication"], entry["published_date"]) == (
        "测试生态环境局 (test)",
        "《测试公报》 (test)",
        "2024-06",
    )
    assert c.get("/api/audit/verify", headers=admin).json()["ok"] is True


def test_the_export_and_listing_carry_the_fields(tmp_path: Path, region) -> None:  # type: ignore[no-untyped-def]
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from metrocircle.cli import app

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    f = _write(tmp_path, HEADER, FULL)
    runner = CliRunner()
    r = runner.invoke(app, ["import", "observations", str(f), "--submitted-by", "t", "--db", url])
    assert r.exit_code == 0, r.output
    out = tmp_path / "obs.csv.out.csv"
    r = runner.invoke(app, ["export", "--what", "observations", "--out", str(out), "--db", url])
    assert r.exit_code == 0, r.output
    (row,) = pd.read_csv(out).to_dict("records")
    assert (row["source_kind"], row["publisher"], row["publication"], row["published_date"]) == (
        "official_statistics",
        "测试统计局 test bureau",
        "《测试公报》 test bulletin",
        "2024-03-20",
    )
    r = runner.invoke(
        app,
        [
            "observations",
            "--indicator",
            "urbanisation_rate_pct",
            "--scope",
            "500112",
            "--json",
            "--db",
            url,
        ],
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    (stored,) = [o for o in doc["observations"] if o["origin"] == "store"]
    assert (stored["source_kind"], stored["publisher"], stored["statement_zh"]) == (
        "official_statistics",
        "测试统计局 test bureau",
        "城镇化率为81.5% (test)",
    )


def test_a_workbook_carries_the_fields_and_an_unknown_kind_is_refused(
    tmp_path: Path, region
) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import Workbook

    def book(kind: str, name: str) -> Path:
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(HEADER.split(","))
        ws.append(FULL.replace("2023,81.5", "2022,80.0").split(","))
        ws.append(FULL.replace("official_statistics", kind).split(","))
        p = tmp_path / name
        wb.save(p)
        return p

    rows = read_observations_file(book("official_media", "ok.xlsx"), region)
    assert [(o.period, o.source_kind, o.publisher) for o in rows] == [
        (2022, "official_statistics", "测试统计局 test bureau"),
        (2023, "official_media", "测试统计局 test bureau"),
    ]
    with pytest.raises(DataValidationError) as exc:
        read_observations_file(book("rumour", "bad.xlsx"), region)
    (p,) = exc.value.problems
    assert (p.file, p.row, p.field) == ("bad.xlsx", 3, "source_kind")
