"""Fixtures of the multi-user tests: an app per test on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .harness import Env, open_env

EnvFactory = Callable[..., Env]


@pytest.fixture
def make_env(store_url: str) -> Iterator[EnvFactory]:
    """Build an app on this test's store (both backends) with extra settings; closed after."""
    opened: list[Any] = []

    def make(**settings: Any) -> Env:
        env, client = open_env(store_url, **settings)
        opened.append(client)
        return env

    yield make
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture
def env(make_env: EnvFactory) -> Env:
    """The app with default test settings, on SQLite and on PostgreSQL."""
    return make_env()


@pytest.fixture
def make_sqlite_env(tmp_path: Path) -> Iterator[EnvFactory]:
    """Build an app on an SQLite file only (checks that do not depend on the database)."""
    opened: list[Any] = []

    def make(**settings: Any) -> Env:
        env, client = open_env(f"sqlite:///{tmp_path / 'store.sqlite'}", **settings)
        opened.append(client)
        return env

    yield make
    for c in opened:
        c.__exit__(None, None, None)
