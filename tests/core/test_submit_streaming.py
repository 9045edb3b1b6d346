"""A user's submission from a file (``import observations --as``) streams like the import.

Each chunk is checked against the user's units as it is read; the batch is ``submitted``,
all or none, and records the audit digest the list-based submission records for the
same rows, on both databases.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from metrocircle._errors import DataValidationError, PermissionDeniedError
from metrocircle.cli import app
from metrocircle.region import Region
from metrocircle.security import principal_for, within_jurisdiction
from metrocircle.store import Store, read_observations_file
from metrocircle.store.db import CHUNK_ROWS
from metrocircle.store.observations_file import iter_observation_chunks

HEADER = "indicator,scope,period,value,unit,source\n"
CHUNK = 40
PASSWORD = "district-officer-2026"
OWN = "500103"
"""The officer's unit."""
OTHER = "500104"
"""A unit outside the officer's jurisdiction (not theirs, not a child of theirs)."""


def _lines(n: int, scope: str = OWN, *, start: int = 0) -> list[str]:
    return [
        f"urbanisation_rate_pct,{scope},{1949 + i % 150},{(i % 1000) / 10},pct,bulletin {i}\n"
        for i in range(start, start + n)
    ]


def _write(tmp_path: Path, lines: list[str], name: str = "sub.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + "".join(lines), encoding="utf-8")
    return p


def _submit(store: Store, region: Region, path: Path, user: str = "yz") -> object:
    who = principal_for(region, store.user(user))
    chunks = iter_observation_chunks(path, region, chunk_rows=CHUNK)
    return store.submit_observation_chunks(
        within_jurisdiction(who, chunks, file=path.name), user=user, file=path.name
    )


def _officer(store: Store) -> None:
    store.add_user("yz", role="officer", unit=OWN, password=PASSWORD, actor="admin")


def _digest(store: Store) -> str:
    entry = next(e for e in store.audit_entries() if e.action == "submit_observations")
    return str(entry.after["digest"])


def test_streamed_submission_is_the_list_submission(
    store_url: str, region: Region, tmp_path: Path
) -> None:
    n = 4 * CHUNK + 7
    p = _write(tmp_path, _lines(n))
    with Store(store_url) as store:
        _officer(store)
        res = _submit(store, region, p)
        assert (res.rows, res.status) == (n, "submitted")  # type: ignore[attr-defined]
        rows = store.observations(status="submitted")
        assert len(rows) == n
        assert res.ids == tuple(o.id for o in sorted(rows, key=lambda o: o.id))  # type: ignore[attr-defined]
        assert {o.submitted_by for o in rows} == {"yz"}
        assert store.observations() == []  # nothing is published before review
        assert [s.rows for s in store.submissions(pending_only=True)] == [n]
        assert store.verify_audit().ok
        streamed = _digest(store)
    with Store(f"sqlite:///{tmp_path / 'list.sqlite'}") as other:
        _officer(other)
        other.submit_observations(read_observations_file(p, region), user="yz", file=p.name)
        assert _digest(other) == streamed


def test_a_row_outside_the_units_in_a_late_chunk_writes_nothing(
    store_url: str, region: Region, tmp_path: Path
) -> None:
    n = 3 * CHUNK
    p = _write(tmp_path, [*_lines(n), *_lines(2, OTHER, start=n)])
    with Store(store_url) as store:
        _officer(store)
        with pytest.raises(PermissionDeniedError, match="2 row") as err:
            _submit(store, region, p)
        # header on line 1: the foreign rows are the file's lines n + 2 and n + 3
        assert [(q.row, q.field) for q in err.value.problems] == [
            (n + 2, "scope"),
            (n + 3, "scope"),
        ]
        assert OTHER in err.value.problems[0].message
        assert store.observations(status=None) == []
        assert store.submissions() == []
        assert store.verify_audit().ok


def test_with_other_problems_too_every_problem_is_reported(
    store_url: str, region: Region, tmp_path: Path
) -> None:
    bad = "urbanisation_rate_pct,500103,2023,many,pct,s\n"
    p = _write(tmp_path, [*_lines(CHUNK), *_lines(1, OTHER, start=CHUNK), bad])
    with Store(store_url) as store:
        _officer(store)
        with pytest.raises(DataValidationError) as err:
            _submit(store, region, p)
        got = {(q.row, q.field) for q in err.value.problems}
        assert (CHUNK + 2, "scope") in got
        assert (CHUNK + 3, "value") in got
        assert store.observations(status=None) == []


def test_a_viewer_may_not_submit_a_file(store_url: str, region: Region, tmp_path: Path) -> None:
    p = _write(tmp_path, _lines(3))
    with Store(store_url) as store:
        store.add_user("vw", role="viewer", password=PASSWORD, actor="admin")
        with pytest.raises(PermissionDeniedError, match="may not submit"):
            _submit(store, region, p, user="vw")
        assert store.observations(status=None) == []


def test_cli_submission_streams_a_file_longer_than_a_chunk(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from metrocircle.store import observations_file

    read = observations_file.iter_observation_chunks
    chunks_read: list[int] = []

    def counted(*args: Any, **kw: Any) -> Iterator[Any]:
        for chunk in read(*args, **kw):
            chunks_read.append(len(chunk[0]))
            yield chunk

    monkeypatch.setattr(observations_file, "iter_observation_chunks", counted)
    n = 2 * CHUNK_ROWS + 17
    p = _write(tmp_path, _lines(n), "big.csv")
    with Store(store_url) as store:
        _officer(store)
    res = CliRunner().invoke(
        app, ["import", "observations", str(p), "--as", "yz", "--db", store_url, "--lang", "en"]
    )
    assert res.exit_code == 0, res.stderr
    # read a chunk at a time (never the whole file into one list)
    assert chunks_read == [CHUNK_ROWS, CHUNK_ROWS, 17]
    # the plain progress lines on a non-terminal, one per chunk, as the file is read
    assert f"{CHUNK_ROWS}/{n}" in res.stderr.replace(" ", "")
    assert f"{n}/{n}" in res.stderr.replace(" ", "")
    with Store(store_url) as store:
        assert len(store.observations(status="submitted")) == n
        assert store.verify_audit().ok
    late = _write(tmp_path, [*_lines(n, start=n), *_lines(1, OTHER, start=2 * n)], "late.csv")
    res = CliRunner().invoke(
        app, ["import", "observations", str(late), "--as", "yz", "--db", store_url, "--lang", "en"]
    )
    assert res.exit_code == 2
    assert f"late.csv:{n + 2}:scope" in res.stderr
    assert "Traceback" not in res.stderr
    with Store(store_url) as store:
        assert len(store.observations(status=None)) == n
