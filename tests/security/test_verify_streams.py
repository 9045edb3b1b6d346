"""Hostile: ``audit verify`` streams (issue 19, Low finding), on SQLite and PostgreSQL.

The probe measured ~3 GB for verify on 2 M rows: it read the whole log and every
observation into memory at once. Now the log is walked in keyset chunks of
``audit.VERIFY_CHUNK`` rows carrying the running hash, and each batch's observations the
same way, one batch at a time. Here the chunk is made tiny so that a small store spans many
chunks; ``benchmarks/verify_memory.py`` measures the memory on a large one.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from metrocircle.store import Store, audit
from metrocircle.store.observations_file import ObservationIn
from metrocircle.store.tables import audit_log, observations

CHUNK = 7
BATCHES, ROWS, NOTES = 4, 17, 30


@pytest.fixture
def store(store_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A store whose log (34+ entries) and batches (17 rows) each span several chunks."""
    monkeypatch.setattr(audit, "VERIFY_CHUNK", CHUNK)
    s = Store(store_url)
    for b in range(BATCHES):
        s.import_observations(
            [
                ObservationIn(
                    indicator="urbanisation_rate_pct",
                    scope="500103",
                    period=1990 + i,
                    value=50.0 + i / 10,
                    unit="pct",
                    source=f"hostile test: batch {b}",
                )
                for i in range(ROWS)
            ],
            submitted_by="operator",
        )
    with s.engine.begin() as conn:
        for i in range(NOTES):
            audit.append(conn, actor="operator", action="test_note", detail={"i": i})
    yield s
    s.close()


def _statements(store: Store) -> tuple[list[str], Any]:
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
        seen.append(" ".join(statement.split()).lower())

    sa.event.listen(store.engine, "before_cursor_execute", record)
    return seen, record


def _drop_append_only(store: Store) -> None:
    """What an attacker with database access does first: lift the append-only trigger."""
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            conn.execute(sa.text("DROP TRIGGER audit_log_no_change ON audit_log"))
        else:
            conn.execute(sa.text("DROP TRIGGER audit_log_no_update"))
            conn.execute(sa.text("DROP TRIGGER audit_log_no_delete"))


def test_a_log_of_many_chunks_verifies_in_chunks(store: Store) -> None:
    """Intact: ok, every entry counted, the head as the all-at-once walk gives; read by chunk."""
    with store.engine.connect() as conn:
        whole = conn.execute(sa.select(audit_log).order_by(audit_log.c.id)).all()
    n, head, brk = audit.verify_chain(whole)
    assert brk is None and n >= BATCHES + NOTES
    seen, hook = _statements(store)
    try:
        rep = store.verify_audit()
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", hook)
    assert rep.ok, rep.problems
    assert (rep.entries, rep.head_hash) == (n, head)
    log_reads = [s for s in seen if "from audit_log" in s and "limit" in s]
    assert len(log_reads) >= math.ceil(n / CHUNK), seen
    obs_reads = [s for s in seen if "from observations" in s and "limit" in s]
    assert len(obs_reads) >= BATCHES * math.ceil(ROWS / CHUNK), seen
    # No statement reads a whole table without a bound any more.
    assert not [s for s in seen if "from audit_log" in s and "limit" not in s and "where" not in s]


def test_a_changed_entry_in_a_late_chunk_is_named(store: Store) -> None:
    """An entry of the last chunk edited behind the log: verify names that entry."""
    with store.engine.connect() as conn:
        ids = list(conn.execute(sa.select(audit_log.c.id).order_by(audit_log.c.id)).scalars())
    late = ids[-2]
    assert ids.index(late) >= 4 * CHUNK  # well past the first chunks
    _drop_append_only(store)
    with store.engine.begin() as conn:
        conn.execute(audit_log.update().where(audit_log.c.id == late).values(actor="mallory"))
    rep = store.verify_audit()
    assert not rep.ok
    assert rep.first_bad_id == late
    assert f"audit entry {late}" in rep.problems[0]


def test_a_changed_observation_in_a_late_chunk_is_named(store: Store) -> None:
    """The last observation of the last batch edited (value, then status): both named."""
    with store.engine.connect() as conn:
        last = conn.execute(
            sa.select(observations.c.id, observations.c.batch_id).order_by(observations.c.id.desc())
        ).first()
    assert last is not None
    with store.engine.begin() as conn:
        conn.execute(observations.update().where(observations.c.id == last.id).values(value=99.9))
    rep = store.verify_audit()
    assert not rep.ok
    assert any(f"batch {last.batch_id}" in p and "differ" in p for p in rep.problems), rep
    with store.engine.begin() as conn:
        conn.execute(
            observations.update().where(observations.c.id == last.id).values(value=50.0 + 1.6)
        )
    assert store.verify_audit().ok
    with store.engine.begin() as conn:
        conn.execute(
            observations.update().where(observations.c.id == last.id).values(status="rejected")
        )
    rep = store.verify_audit()
    assert not rep.ok
    assert any(f"observation {last.id} (batch {last.batch_id})" in p for p in rep.problems), rep
