"""Fixtures of the API tests: an app on the embedded dataset with a throw-away SQLite store."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from metrocircle.api.app import create_app
from metrocircle.settings import Settings

with warnings.catch_warnings():
    # starlette asks for httpx2 and warns about httpx; the client works the same.
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

if TYPE_CHECKING:
    from fastapi import FastAPI


def _settings(tmp: Path, **kw: Any) -> Settings:
    return Settings(environment="test", db=f"sqlite:///{tmp / 'store.sqlite'}", **kw)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    """Build test settings (store file under tmp_path) with extra fields."""
    return lambda **kw: _settings(tmp_path, **kw)


@pytest.fixture
def make_client() -> Iterator[Callable[[Settings], TestClient]]:
    """Open a TestClient on an app built from the given settings (closed after the test)."""
    opened: list[TestClient] = []

    def open_(settings: Settings) -> TestClient:
        c = TestClient(create_app(settings), raise_server_exceptions=False)
        c.__enter__()
        opened.append(c)
        return c

    yield open_
    for c in opened:
        c.__exit__(None, None, None)


@pytest.fixture(scope="module")
def api_app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    """The app on the embedded dataset, one per test module."""
    return create_app(_settings(tmp_path_factory.mktemp("api")))


@pytest.fixture(scope="module")
def client(api_app: FastAPI) -> Iterator[TestClient]:
    """A TestClient that never re-raises server exceptions (a 5xx must show as a 5xx)."""
    with TestClient(api_app, raise_server_exceptions=False) as c:
        yield c
