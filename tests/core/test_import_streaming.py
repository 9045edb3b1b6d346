"""The operator's import streams a file chunk by chunk, in one transaction, on both databases.

Issue 19 (item 7): a 2 M-row CLI import once held ~27x the file in memory. Now a chunk at a
time is read and written; a problem or a duplicate in any chunk still leaves nothing written,
and the batch's audit digest is the one the list-based import computes for the same rows.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from metrocircle._errors import ConflictError, DataValidationError
from metrocircle.cli import app
from metrocircle.region import Region
from metrocircle.store import Store, read_observations_file
from metrocircle.store.db import MAX_PROBLEMS
from metrocircle.store.observations_file import iter_observation_chunks

HEADER = "indicator,scope,period,value,unit,source\n"
CHUNK = 50
"""Rows per chunk in these tests: small, so a few hundred rows span several chunks."""

# Sources in several scripts and cases, so the digest lines sort differently by code point
# and by a locale's collation (the streamed digest is sorted by the database).
SOURCES = ("bulletin", "Bulletin", "统计公报", "Ébauche", "zeta", "年鉴 2024", "_x")


def _lines(n: int, *, start: int = 0) -> list[str]:
    return [
        f"urbanisation_rate_pct,500103,{1949 + i % 150},{(i % 1000) / 10},pct,"
        f"{SOURCES[i % len(SOURCES)]} {i}\n"
        for i in range(start, start + n)
    ]


def _write(tmp_path: Path, lines: list[str], name: str = "obs.csv") -> Path:
    p = tmp_path / name
    p.write_text(HEADER + "".join(lines), encoding="utf-8")
    return p


def _import(store: Store, path: Path, region: Region) -> object:
    return store.import_observation_chunks(
        iter_observation_chunks(path, region, chunk_rows=CHUNK),
        submitted_by="tester",
        file=path.name,
    )


def _digest(store: Store) -> str:
    entry = next(e for e in store.audit_entries() if e.action == "import_observations")
    return str(entry.after["digest"])


def test_many_chunks_import_fully_with_the_list_digest(
    store_url: str, region: Region, tmp_path: Path
) -> None:
    p = _write(tmp_path, _lines(7 * CHUNK + 13))
    seen: list[tuple[int, int]] = []
    with Store(store_url) as store:
        res = store.import_observation_chunks(
            iter_observation_chunks(p, region, chunk_rows=CHUNK),
            submitted_by="tester",
            file=p.name,
            progress=lambda done, total: seen.append((done, total)),
            total=7 * CHUNK + 13,
        )
        assert res.rows == 7 * CHUNK + 13
        assert len(store.observations()) == 7 * CHUNK + 13
        assert store.verify_audit().ok
        streamed = _digest(store)
    assert len(seen) == 8
    assert seen[-1] == (7 * CHUNK + 13, 7 * CHUNK + 13)
    # the list-based import of the same rows, into another store, records the same digest
    with Store(f"sqlite:///{tmp_path / 'list.sqlite'}") as other:
        other.import_observations(read_observations_file(p, region), submitted_by="tester")
        assert _digest(other) == streamed


def test_error_in_a_late_chunk_writes_nothing(
    store_url: str, region: Region, tmp_path: Path
) -> None:
    lines = _lines(6 * CHUNK)
    bad_line = 5 * CHUNK + 7  # the file's line number (header = line 1)
    lines[bad_line - 2] = "urbanisation_rate_pct,500103,2021,130,pct,late\n"  # out of range
    p = _write(tmp_path, lines, "late.csv")
    with Store(store_url) as store:
        with pytest.raises(DataValidationError) as err:
            _import(store, p, region)
        assert f"late.csv:{bad_line}:value" in str(err.value)
        assert "1 problem(s); nothing was imported" in str(err.value)
        assert store.observations() == []
        assert store.audit_entries() == []
        assert store.verify_audit().ok
        # the same store takes a good file afterwards (no temporary table left in the way)
        good = _write(tmp_path, _lines(2 * CHUNK + 1), "good.csv")
        assert _import(store, good, region).rows == 2 * CHUNK + 1  # type: ignore[attr-defined]
        assert store.verify_audit().ok


def test_duplicate_across_chunks_is_refused(store_url: str, region: Region, tmp_path: Path) -> None:
    lines = _lines(4 * CHUNK)
    lines.append(lines[3])  # line 5 again, three chunks later
    p = _write(tmp_path, lines, "dup.csv")
    with Store(store_url) as store:
        with pytest.raises(DataValidationError) as err:
            _import(store, p, region)
        want = f"dup.csv:{4 * CHUNK + 2}:indicator: duplicate of line 5"
        assert want in str(err.value)
        assert store.observations() == []


def test_duplicate_of_a_stored_row_in_a_late_chunk_is_refused(
    store_url: str, region: Region, tmp_path: Path
) -> None:
    with Store(store_url) as store:
        first = _write(tmp_path, _lines(CHUNK), "first.csv")
        _import(store, first, region)
        lines = _lines(3 * CHUNK, start=CHUNK)
        lines.append(_lines(1, start=10)[0])  # stored by the first import
        p = _write(tmp_path, lines, "again.csv")
        with pytest.raises(ConflictError) as err:
            _import(store, p, region)
        assert f"again.csv:{3 * CHUNK + 2}:indicator: duplicate of a stored" in str(err.value)
        assert len(store.observations()) == CHUNK
        assert store.verify_audit().ok


def test_problems_are_bounded_but_counted(store_url: str, region: Region, tmp_path: Path) -> None:
    n = MAX_PROBLEMS + 250
    p = _write(tmp_path, ["urbanisation_rate_pct,500103,20x1,5,pct,s\n"] * n, "many.csv")
    with Store(store_url) as store:
        with pytest.raises(DataValidationError) as err:
            _import(store, p, region)
        assert len(err.value.problems) == MAX_PROBLEMS
        assert f"many.csv: {n} problem(s); nothing was imported" in str(err.value)
        assert err.value.problems[0].row == 2
        assert store.observations() == []


def test_cli_import_streams_a_file_longer_than_a_chunk(store_url: str, tmp_path: Path) -> None:
    from metrocircle.store.db import CHUNK_ROWS

    n = 2 * CHUNK_ROWS + 17
    p = _write(tmp_path, _lines(n), "big.csv")
    res = CliRunner().invoke(
        app, ["import", "observations", str(p), "--db", store_url, "--lang", "en"]
    )
    assert res.exit_code == 0, res.stderr
    # the plain progress lines on a non-terminal, one per chunk
    assert f"{n}/{n}" in res.stderr.replace(" ", "")
    with Store(store_url) as store:
        assert len(store.observations()) == n
        assert store.verify_audit().ok
    bad = _write(tmp_path, [*_lines(n, start=n), "urbanisation_rate_pct,500199,2023,5,pct,s\n"])
    res = CliRunner().invoke(
        app, ["import", "observations", str(bad), "--db", store_url, "--lang", "en"]
    )
    assert res.exit_code == 2
    assert f"obs.csv:{n + 2}:scope" in res.stderr
    assert "nothing was imported" in res.stderr
    assert "Traceback" not in res.stderr
    with Store(store_url) as store:
        assert len(store.observations()) == n
