"""A process killed (SIGKILL) in the middle of a large import leaves the store as before.

Issue 9's robustness proof, on SQLite and on PostgreSQL, for the operator's import and for
an officer's ``--as USER`` submission: ``metrocircle import observations`` of 150,000 rows
runs in a subprocess; at its first ``progress:`` line (rows written, not committed) it is
killed. The store must hold exactly what it held before, its audit chain must verify, no
transaction of the dead process may linger, and the same file must then import whole.
"""

from __future__ import annotations

import re
import signal
import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa

from metrocircle.store import Store
from metrocircle.store.observations_file import ObservationIn

from ._harness import PASSWORD, RunningCli, write_observations_csv

if TYPE_CHECKING:
    from pathlib import Path

    from metrocircle.region import Region

ROWS = 150_000
"""Rows of the big import: 75 INSERT chunks of 2,000, so the kill lands well before commit."""
FIRST_PROGRESS_SECONDS = 240.0
"""Deadline for reading and validating the file and writing the first chunk."""
IMPORT_SECONDS = 400.0
"""Deadline for the whole import afterwards."""
PARENT_UNIT = "511600"
"""广安市: its officer may submit for its six child units as well."""
PROGRESS = re.compile(r"^progress: (\d+)/(\d+) rows written \(not committed yet\)$")


@dataclass(frozen=True)
class Snapshot:
    """What the store holds, as far as an interrupted import could change it."""

    by_status: dict[str, int]
    batches: frozenset[str]
    audit_head: tuple[int, str | None]
    audit_entries: int

    @classmethod
    def of(cls, store: Store) -> Snapshot:
        report = store.verify_audit()
        assert report.ok, report.problems[:5]
        return cls(
            {s: store.count_observations(status=s) for s in ("submitted", "accepted", "rejected")},
            frozenset(s.batch_id for s in store.submissions()),
            store.audit_head(),
            report.entries,
        )


def _indicator(region: Region) -> tuple[str, str]:
    """A real indicator of the region's targets and its unit (urbanisation rate, in %)."""
    pairs = {t.indicator: t.unit for t in region.targets}
    assert pairs.get("urbanisation_rate_pct") == "pct"
    return "urbanisation_rate_pct", "pct"


def _seed(store: Store, region: Region, officer: str) -> None:
    """Rows already in the store: an accepted import and an officer's pending submission."""
    indicator, unit = _indicator(region)

    def rows(scopes: list[str], source: str) -> list[ObservationIn]:
        return [
            ObservationIn(indicator, s, 2020 + k, 60.0 + k, unit, source, None, None, n + 2)
            for n, (s, k) in enumerate((s, k) for s in scopes for k in range(3))
        ]

    store.import_observations(
        rows(list(region.unit_codes), "seed: operator import"), submitted_by="seed"
    )
    store.submit_observations(
        rows([PARENT_UNIT, *region.children(PARENT_UNIT)], "seed: officer submission"),
        user=officer,
    )


def _open_write_transaction_seen(store: Store, url: str, app_name: str) -> bool:
    """Whether the import's process holds an open write transaction right now."""
    if store.dialect == "postgresql":
        with store.engine.connect() as conn:
            n = conn.execute(
                sa.text(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE application_name = :a AND xact_start IS NOT NULL"
                ),
                {"a": app_name},
            ).scalar_one()
        return bool(n)
    # SQLite: the writer holds the database's write lock; taking it without waiting fails.
    path = sa.engine.make_url(url).database
    assert path
    probe = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc)
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def _backends_of(store: Store, app_name: str) -> list[dict[str, Any]]:
    with store.engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(
                sa.text(
                    "SELECT pid, state, xact_start FROM pg_stat_activity "
                    "WHERE application_name = :a"
                ),
                {"a": app_name},
            )
        ]


@pytest.mark.timeout(900)
@pytest.mark.parametrize("as_officer", [False, True], ids=["operator-import", "officer-submit"])
def test_sigkill_mid_import_leaves_the_store_as_before(
    *,
    store_url: str,
    region: Region,
    tmp_path: Path,
    run_cli: Callable[[list[str]], RunningCli],
    as_officer: bool,
    record_property: Any,
) -> None:
    officer = "officer_guang_an"
    with Store(store_url) as store:
        store.add_user(
            officer, role="officer", unit=PARENT_UNIT, password=PASSWORD, actor="kill-test"
        )
        _seed(store, region, officer)
        before = Snapshot.of(store)
        dialect = store.dialect
    assert before.by_status["accepted"] > 0
    assert before.by_status["submitted"] > 0

    indicator, unit = _indicator(region)
    scopes = [PARENT_UNIT, *region.children(PARENT_UNIT)] if as_officer else list(region.unit_codes)
    big = tmp_path / "big.csv"
    keys = write_observations_csv(
        big, indicator=indicator, unit=unit, value=66.6, scopes=scopes, rows=ROWS
    )
    assert len(set(keys)) == ROWS
    who = ["--as", officer] if as_officer else []

    # The dead process is known to PostgreSQL by its application name.
    app_name = f"mc-kill-{uuid.uuid4().hex[:12]}"
    doomed_url = (
        f"{store_url}?application_name={app_name}" if dialect == "postgresql" else store_url
    )
    t0 = time.perf_counter()
    cli = run_cli(["import", "observations", str(big), "--db", doomed_url, *who])
    line = cli.wait_for_line("progress:", timeout=FIRST_PROGRESS_SECONDS)
    t_first = time.perf_counter() - t0
    assert line is not None, f"no progress line (exit {cli.proc.poll()}):\n{cli.stderr()}"
    m = PROGRESS.match(line)
    assert m, line
    written, total = int(m[1]), int(m[2])
    assert total == ROWS
    assert 0 < written < total
    with Store(store_url, migrate=False) as store:
        # The kill must interrupt an open write transaction, not a finished import.
        assert _open_write_transaction_seen(store, store_url, app_name)
    cli.proc.send_signal(signal.SIGKILL)
    assert cli.proc.wait(timeout=30) == -signal.SIGKILL

    with Store(store_url) as store:
        if dialect == "postgresql":
            # The server notices the dropped connection and rolls its transaction back.
            deadline = time.monotonic() + 30
            while _backends_of(store, app_name) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _backends_of(store, app_name) == []
            with store.engine.connect() as conn:
                stuck = conn.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                    )
                ).scalar_one()
            assert stuck == 0
        else:
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar_one() == "ok"
        after = Snapshot.of(store)
        assert after == before

    # The store accepts a new import afterwards: the very same file, whole.
    t1 = time.perf_counter()
    again = run_cli(["import", "observations", str(big), "--db", store_url, *who])
    rc = again.proc.wait(timeout=IMPORT_SECONDS)
    t_full = time.perf_counter() - t1
    assert rc == 0, again.stderr()
    with Store(store_url) as store:
        status = "submitted" if as_officer else "accepted"
        final = Snapshot.of(store)
        want = dict(before.by_status)
        want[status] += ROWS
        assert final.by_status == want
        assert len(final.batches - before.batches) == 1
        assert final.audit_entries == before.audit_entries + 1
        (batch,) = final.batches - before.batches
        stored = {
            (o.indicator, o.scope, o.period, o.source)
            for o in store.observations(status=status, batch_id=batch)
        }
        assert stored == set(keys)
    timings = {"to_first_progress_s": t_first, "full_import_s": t_full}
    record_property("timings", {k: round(v, 1) for k, v in timings.items()})
    print(  # the measured times are part of the proof's report (pytest -s)
        f"{dialect} {'--as officer' if as_officer else 'operator'}: "
        + ", ".join(f"{k} {v:.1f}" for k, v in timings.items())
    )
