"""The store's multi-user side on SQLite and PostgreSQL: review, idempotency, accounts, chain, migration."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from metrocircle._errors import (
    ConflictError,
    DataValidationError,
    NotFoundError,
    PermissionDeniedError,
)
from metrocircle.store import Store
from metrocircle.store.db import _normalise_url
from metrocircle.store.observations_file import ObservationIn

PASSWORD = "a long enough passphrase"


def _obs(
    scope: str = "500103", period: int = 2024, value: float = 99.0, source: str = "s"
) -> ObservationIn:
    return ObservationIn("urbanisation_rate_pct", scope, period, value, "pct", source, line=2)


def test_only_accepted_values_are_published(store_url: str) -> None:
    with Store(store_url) as store:
        res = store.submit_observations([_obs(), _obs(period=2025)], user="officer")
        assert res.status == "submitted"
        assert len(res.ids) == 2
        assert store.observations() == []
        assert store.count_observations(status=None) == 2
        got = store.review(reviewer="rev", decision="accept", ids=[res.ids[0]])
        assert [o.status for o in got] == ["accepted"]
        assert got[0].reviewed_by == "rev"
        assert [o.period for o in store.observations()] == [2024]
        store.review(reviewer="rev", decision="reject", reason="wrong table", batch_id=res.batch_id)
        rejected = store.observations(status="rejected")
        assert [(o.period, o.review_reason) for o in rejected] == [(2025, "wrong table")]
        assert store.verify_audit().ok


def test_review_rules(store_url: str) -> None:
    with Store(store_url) as store:
        res = store.submit_observations([_obs()], user="officer")
        with pytest.raises(PermissionDeniedError, match="four-eyes"):
            store.review(reviewer="officer", decision="accept", ids=list(res.ids))
        with pytest.raises(DataValidationError, match="reason"):
            store.review(reviewer="rev", decision="reject", ids=list(res.ids))
        with pytest.raises(NotFoundError):
            store.review(reviewer="rev", decision="accept", ids=[999_999])
        store.review(reviewer="rev", decision="accept", ids=list(res.ids))
        with pytest.raises(ConflictError, match="already accepted"):
            store.review(reviewer="rev2", decision="reject", reason="x", ids=list(res.ids))
        with pytest.raises(ConflictError, match="no observation waiting"):
            store.review(reviewer="rev2", decision="accept", batch_id=res.batch_id)


def test_rejected_value_may_be_corrected_but_live_one_not_duplicated(store_url: str) -> None:
    with Store(store_url) as store:
        first = store.submit_observations([_obs(value=90.0)], user="officer")
        with pytest.raises(ConflictError, match="duplicate"):
            store.submit_observations([_obs(value=91.0)], user="officer")
        store.review(reviewer="rev", decision="reject", reason="typo", ids=list(first.ids))
        again = store.submit_observations([_obs(value=91.0)], user="officer")
        assert again.rows == 1
        assert store.count_observations(status=None) == 2


def test_idempotency_key_replays_and_refuses_reuse(store_url: str) -> None:
    with Store(store_url) as store:
        a = store.submit_observations(
            [_obs()], user="u1", idempotency_key="k-1", request_digest="d1"
        )
        b = store.submit_observations(
            [_obs()], user="u1", idempotency_key="k-1", request_digest="d1"
        )
        assert b.replayed
        assert (b.batch_id, b.ids) == (a.batch_id, a.ids)
        assert store.count_observations(status=None) == 1
        with pytest.raises(ConflictError, match="different request"):
            store.submit_observations(
                [_obs(period=2030)], user="u1", idempotency_key="k-1", request_digest="d2"
            )
        # the key is per user: another user's same key is a new submission
        c = store.submit_observations(
            [_obs(period=2031)], user="u2", idempotency_key="k-1", request_digest="d3"
        )
        assert not c.replayed
        assert store.count_observations(status=None) == 2


def test_accounts_and_tokens(store_url: str) -> None:
    with Store(store_url) as store:
        u = store.add_user("yuzhong", role="officer", unit="500103", password=PASSWORD, actor="t")
        assert (u.role, u.unit, u.disabled) == ("officer", "500103", False)
        with pytest.raises(ConflictError, match="exists"):
            store.add_user("yuzhong", role="viewer", password=PASSWORD, actor="t")
        with pytest.raises(DataValidationError) as err:
            store.add_user("x y", role="chief", password="short", actor="t")
        fields = {p.field for p in err.value.problems}
        assert fields == {"name", "role", "password"}
        with pytest.raises(DataValidationError, match="bound to a unit"):
            store.add_user("nounit", role="officer", password=PASSWORD, actor="t")
        assert store.authenticate("yuzhong", PASSWORD) is not None
        assert store.authenticate("yuzhong", PASSWORD + "!") is None
        assert store.authenticate("nobody", PASSWORD) is None
        rec, token = store.create_api_token("yuzhong", "feed", expires_days=1, actor="t")
        assert token.startswith("mc_")
        assert token not in str(rec)
        found = store.user_for_api_token(token)
        assert found is not None
        assert found.name == "yuzhong"
        store.revoke_api_token("yuzhong", rec.id, actor="t")
        assert store.user_for_api_token(token) is None
        _, token2 = store.create_api_token("yuzhong", "feed2", actor="t")
        store.set_disabled("yuzhong", True, actor="t")
        assert store.user_for_api_token(token2) is None
        assert store.authenticate("yuzhong", PASSWORD) is None
        with store.engine.connect() as conn:
            hashes = conn.execute(sa.text("SELECT password_hash FROM users")).scalars().all()
            stored_tokens = (
                conn.execute(sa.text("SELECT token_sha256 FROM api_tokens")).scalars().all()
            )
        assert all(h.startswith("$argon2id$") for h in hashes)
        assert token not in stored_tokens
        assert token2 not in stored_tokens
        actions = [e.action for e in store.audit_entries()]
        assert actions == [
            "add_user",
            "create_api_token",
            "revoke_api_token",
            "create_api_token",
            "disable_user",
        ]
        # Neither the password nor its hash is logged: only a tagged digest of the hash
        # (issue 19), so `audit verify` finds a hash swapped behind the log.
        logged = " ".join(str(e.after) for e in store.audit_entries())
        assert PASSWORD not in logged
        assert "$argon2" not in logged
        assert not any(h in logged for h in hashes)
        assert store.verify_audit().ok


def test_audit_entries_are_chained(store_url: str) -> None:
    with Store(store_url) as store:
        store.log(actor="a", action="x", detail={"n": 1}, origin="test")
        store.submit_observations([_obs()], user="officer", origin="api 10.0.0.1")
        entries = store.audit_entries()
        assert entries[0].prev_hash == "0" * 64
        assert entries[1].prev_hash == entries[0].hash
        assert entries[1].origin == "api 10.0.0.1"
        assert entries[1].after["rows"] == 1
        rep = store.verify_audit()
        assert (rep.ok, rep.entries, rep.head_hash) == (True, 2, entries[1].hash)


def _cfg(conn: sa.Connection) -> Config:
    from importlib import resources

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("metrocircle.store") / "migrations"))
    cfg.attributes["connection"] = conn
    return cfg


def test_migration_from_0001_keeps_data_and_chains_the_log(store_url: str) -> None:
    """A store made by the first release upgrades in place: rows accepted, log chained."""
    eng = sa.create_engine(_normalise_url(store_url))
    with eng.begin() as conn:
        command.upgrade(_cfg(conn), "0001")
        conn.execute(
            sa.text(
                "INSERT INTO observations (indicator, unit_code, period, value, unit_of_measure, "
                "source, submitted_by, submitted_at, batch_id) VALUES "
                "('urbanisation_rate_pct', '500103', 2021, 99.5, 'pct', 'old', 'cli', "
                ":at, 'b0000000-0000-0000-0000-000000000000')"
            ),
            {"at": "2025-01-01 00:00:00+00:00"},
        )
        conn.execute(
            sa.text(
                "INSERT INTO audit_log (at, actor, action, detail) VALUES "
                "(:at, 'cli', 'import_observations', :d)"
            ),
            {
                "at": "2025-01-01 00:00:00+00:00",
                "d": '{"batch_id": "b0000000-0000-0000-0000-000000000000", "rows": 1}',
            },
        )
    eng.dispose()
    with Store(store_url) as store:
        got = store.observations()
        assert [(o.period, o.status) for o in got] == [(2021, "accepted")]
        assert [s.rows for s in store.submissions()] == [1]
        rep = store.verify_audit()
        assert rep.ok, rep.problems
        assert rep.entries == 1
        # the upgraded log keeps refusing changes
        with pytest.raises(sa.exc.DBAPIError), store.engine.begin() as conn:
            conn.execute(sa.text("UPDATE audit_log SET actor = 'x'"))
        # and the old unique key is now the live-rows index: the same value again is refused
        with pytest.raises(ConflictError):
            store.import_observations(
                [ObservationIn("urbanisation_rate_pct", "500103", 2021, 1.0, "pct", "old", line=2)],
                submitted_by="t",
            )


def test_racing_retries_with_one_key_write_once(store_url: str) -> None:
    """A retry sent while the first request is still being written: one batch, one replay."""
    import threading

    rows = [_obs(period=2000 + i, source="race") for i in range(50)]
    start = threading.Barrier(4)
    results: list[object] = []

    def send() -> None:
        with Store(store_url, migrate=False) as store:
            start.wait()
            results.append(
                store.submit_observations(
                    rows, user="u1", idempotency_key="same-key", request_digest="d"
                )
            )

    Store(store_url).close()
    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == 4
    batches = {r.batch_id for r in results}  # type: ignore[attr-defined]
    assert len(batches) == 1
    assert sorted(r.replayed for r in results) == [False, True, True, True]  # type: ignore[attr-defined]
    with Store(store_url) as store:
        assert store.count_observations(status=None) == 50
        assert len(store.submissions()) == 1
        assert store.verify_audit().ok


def test_audit_pages_back_from_the_newest(store_url: str) -> None:
    with Store(store_url) as store:
        for i in range(7):
            store.log(actor="a" if i % 2 else "b", action="note", detail={"i": i})
        newest = store.audit_entries(newest_first=True, limit=3)
        assert [e.detail["i"] for e in newest] == [6, 5, 4]
        older = store.audit_entries(newest_first=True, before_id=newest[-1].id, limit=3)
        assert [e.detail["i"] for e in older] == [3, 2, 1]
        only_a = store.audit_entries(newest_first=True, actor="a", before_id=newest[0].id)
        assert [e.detail["i"] for e in only_a] == [5, 3, 1]
        assert [e.detail["i"] for e in store.audit_entries(after_id=newest[1].id)] == [6]


def test_a_submission_is_always_its_users_whatever_the_file_says(store_url: str) -> None:
    """A submitted_by column cannot pin one's own submission on someone else (four-eyes)."""
    row = ObservationIn(
        "urbanisation_rate_pct",
        "500103",
        2024,
        99.0,
        "pct",
        "s",
        submitted_by="someone else",
        line=2,
    )
    with Store(store_url) as store:
        res = store.submit_observations([row], user="admin1")
        assert [o.submitted_by for o in store.observations(status=None)] == ["admin1"]
        with pytest.raises(PermissionDeniedError, match="four-eyes"):
            store.review(reviewer="admin1", decision="accept", ids=list(res.ids))
