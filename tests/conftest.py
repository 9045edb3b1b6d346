"""Shared fixtures: the embedded region, store URLs for SQLite and PostgreSQL, dataset copies."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from metrocircle.data import get_path
from metrocircle.region import Region, load_region

PG_ADMIN_URL = os.environ.get(
    "METROCIRCLE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_ALL = os.environ.get("METROCIRCLE_REQUIRE_SERVICES", "") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI (METROCIRCLE_REQUIRE_SERVICES=1) a skipped test is a failure: every service is there."""
    outcome = yield
    rep = outcome.get_result()  # type: ignore[attr-defined]
    if REQUIRE_ALL and rep.skipped:
        rep.outcome = "failed"
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.longrepr = f"skipped in CI, where every service must be present: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector: pytest.Collector) -> Iterator[None]:
    """In CI a module skipped at collection (importorskip) is a failure too."""
    outcome = yield
    rep = outcome.get_result()  # type: ignore[attr-defined]
    if REQUIRE_ALL and rep.skipped:
        reason = rep.longrepr[2] if isinstance(rep.longrepr, tuple) else str(rep.longrepr)
        rep.outcome = "failed"
        rep.longrepr = (
            f"skipped at collection in CI, where every dependency must be present: {reason}"
        )


@pytest.fixture(scope="session")
def region() -> Region:
    """The embedded Chongqing region."""
    return load_region("chongqing")


@pytest.fixture
def dataset_copy(tmp_path: Path) -> Path:
    """A writable copy of the embedded dataset (to corrupt in tests)."""
    dst = tmp_path / "dataset"
    shutil.copytree(get_path("chongqing"), dst)
    return dst


def _pg_available() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3, autocommit=True):
            return None
    except Exception as exc:  # any failure to connect means: not reachable here
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc}"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (dropped afterwards)."""
    why = _pg_available()
    if why:
        pytest.skip(why)
    import psycopg

    name = f"metrocircle_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A store URL on each backend: an SQLite file, and a clean PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    url: str = request.getfixturevalue("pg_url")
    import sqlalchemy as sa

    from metrocircle.store.db import _normalise_url

    eng = sa.create_engine(_normalise_url(url))
    with eng.begin() as conn:
        conn.execute(
            sa.text(
                "DROP TABLE IF EXISTS observations, audit_log, submissions, api_tokens, users, "
                "visitor_counts, water_levels, alembic_version CASCADE"
            )
        )
        conn.execute(sa.text("DROP FUNCTION IF EXISTS audit_log_append_only() CASCADE"))
    eng.dispose()
    return url
