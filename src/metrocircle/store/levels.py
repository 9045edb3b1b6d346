"""Water levels of the flood gauge stations: imported with their audit entry, read back as the latest per station.

The functions take a :class:`~metrocircle.store.Store` (or, for the ``*_in`` forms, the
caller's connection inside a transaction).  Validation of the file or request, and who may
import, are the caller's; this module refuses only what the store itself knows: a reading
for a station and instant already stored.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from metrocircle._errors import ConflictError, Problem
from metrocircle.store import audit
from metrocircle.store.tables import audit_log, water_levels

if TYPE_CHECKING:
    from metrocircle.store.db import Store

__all__ = [
    "WaterLevelIn",
    "WaterLevelRecord",
    "add_levels",
    "import_levels",
    "latest_levels",
    "latest_water_levels",
    "levels_digest",
    "verify_levels",
]

ACTION = "import_water_levels"
"""The audit action of an import."""


@dataclass(frozen=True)
class WaterLevelIn:
    """One reading to store: the time as given (with its zone), the instant, the level (m).

    ``line`` is the reading's row in its file (or its index in a request), for errors.
    """

    station_id: str
    time: datetime
    level_m: float
    line: int = 0


@dataclass(frozen=True)
class WaterLevelRecord:
    """A stored reading with who imported it and when; ``time`` keeps the zone it came in."""

    id: int
    station_id: str
    time: datetime
    level_m: float
    reported_by: str
    reported_at: datetime
    batch_id: str


def _utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def levels_digest(rows: Sequence[WaterLevelIn]) -> str:
    """SHA-256 of a batch of readings (order-independent), recorded in the audit entry."""
    lines = sorted(
        json.dumps(
            [r.station_id, audit.at_text(r.time), audit.canonical_number(r.level_m)],
            separators=(",", ":"),
        )
        for r in rows
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def _refuse_stored(conn: Connection, rows: Sequence[WaterLevelIn], file: str) -> None:
    w = water_levels
    stations = {r.station_id for r in rows}
    instants = [_utc(r.time) for r in rows]
    stored = {
        (s, _utc(t))
        for s, t in conn.execute(
            sa.select(w.c.station_id, w.c.observed_at).where(
                w.c.station_id.in_(stations),
                w.c.observed_at >= min(instants),
                w.c.observed_at <= max(instants),
            )
        )
    }
    dups = [
        Problem(
            file,
            r.line,
            "time",
            f"{r.station_id} already has a stored reading at {r.time.isoformat()}",
        )
        for r in rows
        if (r.station_id, _utc(r.time)) in stored
    ]
    if dups:
        raise ConflictError(
            dups, summary=f"{file}: {len(dups)} reading(s) already stored; nothing was imported"
        )


def add_levels(
    conn: Connection,
    rows: Sequence[WaterLevelIn],
    *,
    actor: str,
    origin: str | None,
    file: str = "<input>",
) -> str:
    """Insert ``rows`` and their audit entry in the caller's transaction; return the batch id.

    Raises
    ------
    ConflictError
        When a row's station already has a reading at that instant (naming the row); nothing
        is written.
    """
    if not rows:
        msg = "no water-level readings to import"
        raise ValueError(msg)
    _refuse_stored(conn, rows, file)
    batch = str(uuid.uuid4())
    now = datetime.now(UTC)
    conn.execute(
        water_levels.insert(),
        [
            {
                "station_id": r.station_id,
                "time_text": r.time.isoformat(),
                "observed_at": _utc(r.time),
                "level_m": float(r.level_m),
                "reported_by": actor,
                "reported_at": now,
                "batch_id": batch,
            }
            for r in rows
        ],
    )
    times = sorted(_utc(r.time) for r in rows)
    audit.append(
        conn,
        actor=actor,
        action=ACTION,
        detail={"file": file},
        entity="water_levels",
        entity_id=batch,
        after={
            "batch_id": batch,
            "rows": len(rows),
            "station_ids": sorted({r.station_id for r in rows}),
            "from": audit.at_text(times[0]),
            "to": audit.at_text(times[-1]),
            "digest": levels_digest(rows),
        },
        origin=origin,
        at=now,
    )
    return batch


def latest_levels(conn: Connection) -> list[WaterLevelRecord]:
    """The latest stored reading of each station (by instant), ordered by station id."""
    w = water_levels
    newest = (
        sa.select(w.c.station_id, sa.func.max(w.c.observed_at).label("at"))
        .group_by(w.c.station_id)
        .subquery()
    )
    q = (
        sa.select(w)
        .join(
            newest, sa.and_(newest.c.station_id == w.c.station_id, newest.c.at == w.c.observed_at)
        )
        .order_by(w.c.station_id, w.c.id)
    )
    out: dict[str, WaterLevelRecord] = {}
    for r in conn.execute(q):
        out[r.station_id] = WaterLevelRecord(
            r.id,
            r.station_id,
            datetime.fromisoformat(r.time_text),
            float(r.level_m),
            r.reported_by,
            _utc(r.reported_at),
            r.batch_id,
        )
    return list(out.values())


def import_levels(
    store: Store,
    rows: Sequence[WaterLevelIn],
    *,
    actor: str,
    origin: str | None = None,
    file: str = "<input>",
) -> str:
    """Store validated readings with their audit entry, all or none; return the batch id.

    Raises
    ------
    ConflictError
        When a reading duplicates a stored one (same station and instant), naming its row.
    """
    for attempt in range(2):
        try:
            with store._write() as conn:
                return add_levels(conn, rows, actor=actor, origin=origin, file=file)
        except sa.exc.IntegrityError:
            # A concurrent import stored the same station and instant first: the second
            # attempt sees its rows and answers with a ConflictError naming them.
            if attempt == 1:
                raise
    raise AssertionError  # pragma: no cover - the loop returns or raises


def latest_water_levels(store: Store) -> list[WaterLevelRecord]:
    """The latest stored reading of each station."""
    with store.engine.connect() as conn:
        return latest_levels(conn)


def verify_levels(conn: Connection) -> list[str]:
    """Problems found comparing the stored readings with what their audit entries recorded.

    A batch of readings with no audit entry, a batch whose readings differ from the digest
    its entry recorded (a level or time edited, a row added or removed behind the
    application), and an entry whose batch has no readings left.
    """
    entries: dict[str, tuple[int, str]] = {}
    for r in conn.execute(
        sa.select(audit_log.c.id, audit_log.c.after)
        .where(audit_log.c.action == ACTION)
        .order_by(audit_log.c.id)
    ):
        after = json.loads(r.after) if r.after else {}
        if after.get("batch_id"):
            entries[after["batch_id"]] = (r.id, after.get("digest", ""))
    batches: dict[str, list[WaterLevelIn]] = {}
    for r in conn.execute(sa.select(water_levels).order_by(water_levels.c.id)):
        batches.setdefault(r.batch_id, []).append(
            WaterLevelIn(r.station_id, _utc(r.observed_at), float(r.level_m))
        )
    problems: list[str] = []
    for batch, rows in batches.items():
        if batch not in entries:
            problems.append(
                f"water levels batch {batch}: {len(rows)} reading(s) with no audit entry"
            )
        elif levels_digest(rows) != entries[batch][1]:
            problems.append(
                f"water levels batch {batch}: stored readings differ from what audit entry "
                f"{entries[batch][0]} recorded"
            )
    for batch, (entry_id, _digest) in entries.items():
        if batch not in batches:
            problems.append(
                f"water levels batch {batch} of audit entry {entry_id} has no stored readings"
            )
    return problems
