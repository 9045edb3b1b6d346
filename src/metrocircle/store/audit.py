"""The audit trail (留痕): an append-only, hash-chained log of every change to the store.

Each entry's ``hash`` is the SHA-256 of its canonical content and the previous entry's hash,
so changing, inserting or deleting any entry breaks the chain from that point on. The
database also refuses UPDATE and DELETE on the table (a trigger, installed by the
migrations), and observation rows are tied to the log by a digest of each batch, so an edit
of a stored value behind the application's back is found by :func:`verify_chain`'s caller
(:meth:`metrocircle.store.Store.verify_audit`).

The chain proves integrity relative to its head: publish the head hash (the yearly report
prints it) so that removing the newest entries is detectable too.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metrocircle.store.tables import audit_log

__all__ = [
    "GENESIS",
    "ChainBreak",
    "append",
    "at_text",
    "batch_digest",
    "canonical_number",
    "canonical_text",
    "digest_line",
    "digest_of_lines",
    "entry_hash",
    "log_rows",
    "verify_chain",
]

VERIFY_CHUNK = 5_000
"""Rows per keyset query when verify walks a table: ~5 MB of rows in memory at a time, and
400 queries for 2 M rows (before, verify held the whole log and every observation: ~3 GB)."""

GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""

_PG_LOCK_KEY = 731_2022_37
"""Advisory-lock key that serialises appends on PostgreSQL (the plan's document number)."""


def at_text(at: datetime) -> str:
    """The canonical UTC text of a timestamp, as hashed (microsecond precision).

    >>> at_text(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    '2026-11-27T09:00:00.000000Z'
    """
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


DIGEST_VERSION = 3
"""Version of :func:`batch_digest`'s encoding recorded with each new batch (1: before −0.0,
integers and unicode were canonicalised; 2: before the provenance fields were recorded;
such entries are verified the way they were written)."""

_V3_FIELDS = ("source_kind", "publisher", "publication", "statement_zh", "published_date")
"""Provenance fields a version 3 digest covers, fixed with the version (the columns of revision
0007; a later field needs a new version, or old digests would stop verifying)."""


def canonical_number(value: float) -> str:
    """The fixed text of a stored number, the same whichever database kept it.

    Both databases keep an IEEE double, but SQLite stores −0.0 as 0.0 (its REAL keeps no
    sign of zero), so zero is hashed unsigned; integers are hashed as the double they become;
    every other value by ``repr`` (the shortest text that round-trips exactly).

    >>> canonical_number(-0.0), canonical_number(0), canonical_number(10**20)
    ('0.0', '0.0', '1e+20')
    >>> canonical_number(1e-300), canonical_number(0.1)
    ('1e-300', '0.1')
    """
    f = float(value)
    if f == 0.0:
        f = 0.0
    return repr(f)


def canonical_text(text: str | None) -> str | None:
    """Text in Unicode NFC, as stored (inputs are normalised before they are written).

    >>> canonical_text("Cafe\u0301") == "Caf\u00e9"
    True
    """
    return None if text is None else unicodedata.normalize("NFC", text)


def _legacy_number(value: float) -> str:
    return repr(float(value))


def _raw_text(text: str | None) -> str | None:
    return text


def _canon(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(
    prev_hash: str,
    *,
    at: str,
    actor: str,
    action: str,
    entity: str | None,
    entity_id: str | None,
    detail: str,
    before: str | None,
    after: str | None,
    origin: str | None,
) -> str:
    """SHA-256 (hex) of an entry's canonical content chained to ``prev_hash``.

    The JSON-valued fields are hashed as the exact text stored, so what is verified is
    byte for byte what the database holds.

    >>> h = entry_hash(GENESIS, at="2026-11-27T09:00:00.000000Z", actor="a", action="x",
    ...                entity=None, entity_id=None, detail="{}", before=None, after=None,
    ...                origin=None)
    >>> len(h), h == entry_hash(GENESIS, at="2026-11-27T09:00:00.000000Z", actor="b",
    ...     action="x", entity=None, entity_id=None, detail="{}", before=None, after=None,
    ...     origin=None)
    (64, False)
    """
    payload = _canon(
        [prev_hash, at, actor, action, entity, entity_id, detail, before, after, origin]
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def digest_line(row: Mapping[str, Any], *, version: int = DIGEST_VERSION) -> str:
    """One observation's line of its batch digest (see :func:`batch_digest`)."""
    num, txt = (_legacy_number, _raw_text) if version == 1 else (canonical_number, canonical_text)
    fields: list[Any] = [
        txt(row["indicator"]),
        txt(row["unit_code"]),
        int(row["period"]),
        num(row["value"]),
        txt(row["unit_of_measure"]),
        txt(row["source"]),
        txt(row["source_url"]),
    ]
    prov = [txt(row.get(k)) for k in _V3_FIELDS]
    if version >= 3 or any(v is not None for v in prov):
        fields += prov
    return _canon(fields)


def digest_of_lines(lines: Iterable[str]) -> str:
    """SHA-256 of the sorted lines: the digest is independent of the rows' order."""
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def batch_digest(rows: Iterable[Mapping[str, Any]], *, version: int = DIGEST_VERSION) -> str:
    """SHA-256 of a batch of observations (order-independent), to tie stored values to the log.

    Each row needs indicator, unit_code, period, value, unit_of_measure, source and
    source_url, and for version 3 source_kind, publisher, publication, statement_zh and
    published_date. Versions 2 and 3 hash values by :func:`canonical_number` and text by
    :func:`canonical_text`; version 1 (entries written before) by ``repr(float)`` and the
    raw text. Version 3 (the default) also hashes the provenance fields. Versions 1 and 2
    were written when the store had no provenance: a row of such a batch has none (NULL),
    and one that has some was changed behind the log, so its provenance is then hashed too
    and the digest no longer matches.

    >>> row = {"indicator": "x", "unit_code": "region", "period": 2024, "value": 1.0,
    ...        "unit_of_measure": "pct", "source": "s", "source_url": None}
    >>> batch_digest([row], version=2) == batch_digest([row | {"source_kind": None}], version=2)
    True
    >>> batch_digest([row], version=2) == batch_digest([row | {"publisher": "p"}], version=2)
    False
    """
    return digest_of_lines(digest_line(r, version=version) for r in rows)


def append(
    conn: Connection,
    *,
    actor: str,
    action: str,
    detail: Mapping[str, Any] | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    before: Any = None,
    after: Any = None,
    origin: str | None = None,
    at: datetime | None = None,
) -> str:
    """Append one entry inside the caller's transaction; return its hash.

    Appends are serialised (an advisory transaction lock on PostgreSQL; SQLite writes are
    serial already, the store opens write transactions with ``BEGIN IMMEDIATE``), so the
    chain has no forks even under concurrent writers. Call it last in a transaction: the
    lock is held until commit.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    prev = conn.execute(
        sa.select(audit_log.c.hash).order_by(audit_log.c.id.desc()).limit(1)
    ).scalar_one_or_none()
    prev_hash = prev or GENESIS
    when = at or datetime.now(UTC)
    stamp = at_text(when)
    detail_text = _canon(dict(detail or {}))
    before_text = None if before is None else _canon(before)
    after_text = None if after is None else _canon(after)
    h = entry_hash(
        prev_hash,
        at=stamp,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        detail=detail_text,
        before=before_text,
        after=after_text,
        origin=origin,
    )
    conn.execute(
        audit_log.insert().values(
            at=when,
            at_text=stamp,
            actor=actor,
            action=action,
            detail=detail_text,
            entity=entity,
            entity_id=entity_id,
            before=before_text,
            after=after_text,
            origin=origin,
            prev_hash=prev_hash,
            hash=h,
        )
    )
    return h


@dataclass(frozen=True)
class ChainBreak:
    """Where the chain first fails and why."""

    entry_id: int
    problem: str


def log_rows(
    conn: Connection, *columns: Any, where: Any = None, chunk: int | None = None
) -> Iterator[Any]:
    """The audit log's rows (``columns``, default all) in id order, ``chunk`` at a time.

    Each chunk is one keyset query (``id > last ORDER BY id LIMIT chunk``, on the primary
    key: the same cost at any depth), so memory holds one chunk whatever the log's size.
    """
    size = chunk or VERIFY_CHUNK
    cols = list(columns) or list(audit_log.c)
    if not any(c is audit_log.c.id for c in cols):
        cols.insert(0, audit_log.c.id)
    last = 0
    while True:
        q = sa.select(*cols).where(audit_log.c.id > last)
        if where is not None:
            q = q.where(where)
        rows = conn.execute(q.order_by(audit_log.c.id).limit(size)).all()
        yield from rows
        if len(rows) < size:
            return
        last = rows[-1].id


def verify_chain(rows: Iterable[Any]) -> tuple[int, str | None, ChainBreak | None]:
    """Walk audit rows in id order; return (entries, head hash, first break or None).

    Only the running hash is carried from row to row: give it :func:`log_rows` and memory
    stays bounded however long the log is.
    """
    prev = GENESIS
    n = 0
    head: str | None = None
    for r in rows:
        n += 1
        if r.hash is None or r.at_text is None:
            return n, head, ChainBreak(r.id, "entry carries no hash")
        if r.prev_hash != prev:
            return (
                n,
                head,
                ChainBreak(
                    r.id,
                    "prev_hash does not match the previous entry (an entry was removed or inserted)",
                ),
            )
        expect = entry_hash(
            prev,
            at=r.at_text,
            actor=r.actor,
            action=r.action,
            entity=r.entity,
            entity_id=r.entity_id,
            detail=r.detail,
            before=r.before,
            after=r.after,
            origin=r.origin,
        )
        if expect != r.hash:
            return (
                n,
                head,
                ChainBreak(r.id, "content does not match its hash (the entry was changed)"),
            )
        prev = head = r.hash
    return n, head, None
