"""Peak memory of ``audit verify``: the streaming walk beside the old all-in-memory one.

Usage::

    python benchmarks/verify_memory.py [--rows 200000] [--batch 50000] [--entries 20000]
                                       [--db URL] [--json]

Fills a fresh store (an SQLite file in a temporary folder, or the empty database ``--db``)
with ``--rows`` observations imported in batches of ``--batch`` and ``--entries`` extra
audit entries, then runs, in this one process and on the same data, the old verify (the
whole log walked from one query, every observation held as a dict; issue 19 measured
~3 GB on 2 M rows) and :meth:`Store.verify_audit`, which reads the log and each batch in
keyset chunks of ``audit.VERIFY_CHUNK`` rows. For each it reports the wall time and the
peak Python heap during the call (``tracemalloc``), and the ratio old / new. Both must
agree (same entries, head and verdict) or the script exits 1.

What the streaming walk still holds is one batch's digest lines (the stored digest sorts
them), the batches' recorded digests and the reviewed ids: a bigger ``--batch`` raises it.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from metrocircle.store import Store, audit
from metrocircle.store.accounts import account_problems
from metrocircle.store.audit_log import AuditReport
from metrocircle.store.audit_log import loads as _loads
from metrocircle.store.levels import verify_levels
from metrocircle.store.observations_file import ObservationIn
from metrocircle.store.tables import audit_log, observations

__all__ = ["legacy_verify", "main"]


def legacy_verify(store: Store) -> AuditReport:
    """``Store.verify_audit`` as it was before it streamed (commit 88196d3), for comparison."""
    expected_status: dict[int, str] = {}
    batches: dict[str, tuple[int, str, str | None, int]] = {}
    reviews: list[tuple[int, str, list[int]]] = []
    with store.engine.connect() as conn:
        entries, head, brk = audit.verify_chain(
            conn.execute(sa.select(audit_log).order_by(audit_log.c.id))
        )
        if brk is not None:
            return AuditReport(False, entries, head, brk.entry_id, (brk.problem,))
        for r in conn.execute(
            sa.select(audit_log.c.id, audit_log.c.action, audit_log.c.detail, audit_log.c.after)
            .where(
                audit_log.c.action.in_(
                    ("import_observations", "submit_observations", "review_observations")
                )
            )
            .order_by(audit_log.c.id)
        ):
            after = _loads(r.after)
            if r.action == "review_observations":
                reviews.append((r.id, after["status"], list(after["ids"])))
            elif after is not None:
                batches[after["batch_id"]] = (
                    r.id,
                    after["status"],
                    after["digest"],
                    int(after.get("digest_v", 1)),
                )
        account_issues = account_problems(conn)
        rows_by_batch: dict[str, list[dict[str, Any]]] = {}
        status_now: dict[int, tuple[str, str]] = {}
        for r in conn.execute(sa.select(observations).order_by(observations.c.id)):
            rows_by_batch.setdefault(r.batch_id, []).append(r._asdict())
            status_now[r.id] = (r.status, r.batch_id)
    problems: list[str] = list(account_issues)
    for b, rows in rows_by_batch.items():
        if b not in batches:
            problems.append(f"batch {b}: {len(rows)} observation(s) with no audit entry")
            continue
        entry_id, status, digest, version = batches[b]
        if digest is not None and audit.batch_digest(rows, version=version) != digest:
            problems.append(f"batch {b}: stored observations differ (entry {entry_id})")
        for row in rows:
            expected_status[row["id"]] = status
    for _entry, status, ids in reviews:
        for i in ids:
            expected_status[i] = status
    for i, (st, b) in status_now.items():
        want = expected_status.get(i)
        if want is not None and want != st:
            problems.append(f"observation {i} (batch {b}) is {st!r}, log says {want!r}")
    with store.engine.connect() as conn:
        problems.extend(verify_levels(conn))
    return AuditReport(not problems, entries, head, None, tuple(problems))


def _fill(store: Store, rows: int, batch: int, entries: int) -> None:
    done = 0
    b = 0
    while done < rows:
        n = min(batch, rows - done)
        store.import_observations(
            [
                ObservationIn(
                    indicator="urbanisation_rate_pct",
                    scope="500103",
                    period=1900 + (i % 200),
                    value=50.0 + (i % 1000) / 100,
                    unit="pct",
                    source=f"benchmark: batch {b} row group {i // 200}",
                    source_url="https://example.org/yearbook",
                )
                for i in range(n)
            ],
            submitted_by="bench",
        )
        done += n
        b += 1
    with store.engine.begin() as conn:
        for i in range(entries):
            audit.append(conn, actor="bench", action="bench_note", detail={"i": i})


def _measure(fn: Callable[[], AuditReport]) -> tuple[AuditReport, float, int]:
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    t0 = time.perf_counter()
    rep = fn()
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return rep, dt, peak


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print a table (or one JSON line)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=50_000)
    ap.add_argument("--entries", type=int, default=20_000)
    ap.add_argument("--db", default=None, help="an EMPTY database URL (default: SQLite file)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        store = Store(url)
        t0 = time.perf_counter()
        _fill(store, args.rows, args.batch, args.entries)
        fill_s = time.perf_counter() - t0
        old, old_s, old_peak = _measure(lambda: legacy_verify(store))
        new, new_s, new_peak = _measure(store.verify_audit)
        store.close()
    same = (old.ok, old.entries, old.head_hash) == (new.ok, new.entries, new.head_hash)
    out = {
        "backend": url.split(":", 1)[0],
        "rows": args.rows,
        "batch": args.batch,
        "audit_entries": new.entries,
        "chunk": audit.VERIFY_CHUNK,
        "fill_seconds": round(fill_s, 1),
        "old_seconds": round(old_s, 2),
        "old_peak_mib": round(old_peak / 2**20, 1),
        "new_seconds": round(new_s, 2),
        "new_peak_mib": round(new_peak / 2**20, 1),
        "ratio_old_over_new": round(old_peak / max(new_peak, 1), 1),
        "same_result": same,
        "ok": new.ok,
    }
    if args.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>20}: {v}")
    return 0 if same and new.ok else 1


if __name__ == "__main__":
    sys.exit(main())
