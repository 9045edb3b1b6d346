"""Helpers of the load and robustness proofs: server process, accounts, big CSV files."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from metrocircle.region import Region
from metrocircle.store import Store

PASSWORD = "load-test-passphrase-2026"
"""Every test account's password (12+ characters, no user name in it)."""
SERVER_START_SECONDS = 60.0
"""How long the server may take to answer its first request (imports, region, migrations)."""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop(proc: subprocess.Popen[bytes], *, grace: float = 10.0) -> None:
    """End a subprocess this harness started: SIGTERM, then SIGKILL after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=grace)


@dataclass
class LiveServer:
    """A uvicorn process serving ``create_app`` on a store, and where it logs."""

    base_url: str
    store_url: str
    log_path: Path
    proc: subprocess.Popen[bytes]

    def log(self) -> str:
        """Everything the server printed so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def wait_until_answering(server: LiveServer) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    last = ""
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"the server exited with {server.proc.returncode}:\n{server.log()}")
        try:
            # A read of the store: the app opens (and migrates) it now, before any load.
            r = httpx.get(f"{server.base_url}/api/observations?limit=1", timeout=5.0)
        except httpx.HTTPError as exc:
            last = repr(exc)
        else:
            if r.status_code == 200:
                return
            last = f"{r.status_code} {r.text[:200]}"
        time.sleep(0.2)
    pytest.fail(
        f"the server did not answer within {SERVER_START_SECONDS} s ({last}):\n{server.log()}"
    )


@dataclass(frozen=True)
class Account:
    """A test account: name, role and unit (all share :data:`PASSWORD`)."""

    name: str
    role: str
    unit: str | None = None


def create_accounts(
    store: Store, accounts: list[Account], monkeypatch: pytest.MonkeyPatch, *, threads: int = 4
) -> None:
    """Create the accounts through :meth:`Store.add_user`, hashing the shared password once.

    Argon2id at its default cost (64 MiB) takes 0.3–0.7 s per hash on a shared 2-core
    machine; every account gets the same real hash of :data:`PASSWORD` (computed here by
    :func:`metrocircle.auth.hash_password`), so logins still verify a full-cost hash.
    """
    from metrocircle import auth

    real = auth.hash_password(PASSWORD)
    assert auth.verify_password(real, PASSWORD)
    monkeypatch.setattr(auth, "hash_password", lambda _password: real)

    def add(a: Account) -> None:
        store.add_user(a.name, role=a.role, unit=a.unit, password=PASSWORD, actor="load-test")

    try:
        with ThreadPoolExecutor(threads) as ex:
            list(ex.map(add, accounts))
    finally:
        monkeypatch.undo()


def officer_units(region: Region, n: int) -> list[str]:
    """``n`` officers' units, round-robin over every unit of the region."""
    codes = list(region.unit_codes)
    return [codes[i % len(codes)] for i in range(n)]


def login(client: httpx.Client, name: str) -> str:
    """A bearer token for ``name`` from ``POST /api/auth/token``."""
    r = client.post("/api/auth/token", data={"username": name, "password": PASSWORD})
    assert r.status_code == 200, (name, r.status_code, r.text)
    token: str = r.json()["access_token"]
    return token


def write_observations_csv(
    path: Path, *, indicator: str, unit: str, value: float, scopes: list[str], rows: int
) -> list[tuple[str, str, int, str]]:
    """Write ``rows`` valid observations with distinct keys; return the keys in file order.

    Row ``n`` is for ``scopes[n % len(scopes)]``, year ``2000 + (n // len(scopes)) % 100``
    and source ``kill-test source <n // (100 * len(scopes))>``: no two rows share
    (indicator, scope, period, source).
    """
    k = len(scopes)
    keys = [
        (indicator, scopes[n % k], 2000 + (n // k) % 100, f"kill-test source {n // (100 * k)}")
        for n in range(rows)
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write("indicator,scope,period,value,unit,source\n")
        f.writelines(f"{i},{s},{p},{value},{unit},{src}\n" for i, s, p, src in keys)
    return keys


@dataclass
class RunningCli:
    """A ``metrocircle`` command running in a subprocess, its stderr read line by line."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    _new: threading.Condition = field(default_factory=threading.Condition)
    _reader: threading.Thread | None = None

    def start_reading(self) -> None:
        """Drain stderr in a thread (so the pipe never fills and blocks the child)."""

        def read() -> None:
            assert self.proc.stderr is not None
            for line in self.proc.stderr:
                with self._new:
                    self.lines.append(line.rstrip("\n"))
                    self._new.notify_all()
            with self._new:
                self._new.notify_all()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()

    def wait_for_line(self, prefix: str, *, timeout: float) -> str | None:
        """The first stderr line starting with ``prefix``; None at the deadline or at EOF."""
        deadline = time.monotonic() + timeout
        with self._new:
            while True:
                for line in self.lines:
                    if line.startswith(prefix):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or not self._reading():
                    return None
                self._new.wait(min(left, 0.5))

    def _reading(self) -> bool:
        return self._reader is not None and self._reader.is_alive()

    def stderr(self) -> str:
        """What the command printed on stderr so far."""
        with self._new:
            return "\n".join(self.lines)
