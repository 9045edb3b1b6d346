"""Fixtures of the hostile tests: an app per test on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.multiuser.harness import Env, open_env

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
