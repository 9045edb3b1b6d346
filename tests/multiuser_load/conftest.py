"""Fixtures of the load and robustness proofs: a live uvicorn server, CLI subprocesses.

Every subprocess is stopped when its test ends, so a hung server or import never hangs the
suite.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest

from metrocircle.store import Store

from ._harness import LiveServer, RunningCli, free_port, stop, wait_until_answering

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture
def live_server(store_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """``python -m uvicorn --factory metrocircle.api.app:create_app`` on the store, answering.

    Settings through the environment: test environment, a random signing key, no write or
    login rate limits (the load would trip them by design).
    """
    # Migrate before the server starts, so the first requests do not race to do it.
    Store(store_url).close()
    port = free_port()
    env = {
        **os.environ,
        "METROCIRCLE_DB": store_url,
        "METROCIRCLE_ENVIRONMENT": "test",
        "METROCIRCLE_SECRET_KEY": secrets.token_hex(32),
        "METROCIRCLE_WRITES_PER_MINUTE": "0",
        "METROCIRCLE_LOGIN_ATTEMPTS_PER_MINUTE": "0",
    }
    log_path = tmp_path / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "metrocircle.api.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", store_url, log_path, proc)
    try:
        wait_until_answering(server)
        yield server
    finally:
        stop(proc)


@pytest.fixture
def run_cli() -> Iterator[Callable[[list[str]], RunningCli]]:
    """Start ``metrocircle ARGS`` in a subprocess (stderr piped); every one is killed at the end."""
    started: list[RunningCli] = []

    def start(args: list[str]) -> RunningCli:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from metrocircle.cli import main; main()", *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env={
                **os.environ,
                "COLUMNS": "200",
                "METROCIRCLE_LANG": "en",
            },  # the progress line is read in English
        )
        cli = RunningCli(proc)
        cli.start_reading()
        started.append(cli)
        return cli

    yield start
    for cli in started:
        if cli.proc.poll() is None:
            cli.proc.kill()
            cli.proc.wait(timeout=30)
