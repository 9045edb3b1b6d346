"""Browser-test harness: the app served by uvicorn on 127.0.0.1, and headless Chromium.

Never downloads a browser: uses Debian's /usr/bin/chromium (CI installs it) and skips with
the reason when it is missing. Every request that would leave 127.0.0.1 is aborted and
recorded; console errors are recorded. Screenshots go to test-artifacts/ (gitignored).
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from urllib.request import urlopen

import pytest

if TYPE_CHECKING:
    from fastapi import FastAPI
    from playwright.sync_api import Browser, Page, Route

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]
TIMEOUT_MS = 90_000
"""Generous: the machine may be shared; a passing run never waits this long."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Session:
    """A loaded dashboard page, its server address, and what it logged and requested."""

    page: Page
    base_url: str
    name: str
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    local: list[str] = field(default_factory=list)

    def shot(self, step: str) -> None:
        """Save a screenshot of the page as test-artifacts/<name>-<step>.png."""
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"{self.name}-{step}.png"))

    def settle(self) -> None:
        """Wait until no API request is pending and the map has finished loading."""
        self.page.wait_for_function("document.body.dataset.pending === '0'", timeout=TIMEOUT_MS)
        self.page.wait_for_function(
            "window.__metrocircle && window.__metrocircle.map.loaded()", timeout=TIMEOUT_MS
        )

    def api(self, path: str) -> Any:
        """GET a JSON document from the same server (the oracle for what the page shows)."""
        with urlopen(self.base_url + path, timeout=60) as r:
            return json.loads(r.read())


def _serve(app: FastAPI) -> tuple[str, Callable[[], None]]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium (skips, saying why, when it is not installed)."""
    if not CHROMIUM.is_file():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium (CI does); no browser is downloaded"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def open_dashboard(browser: Browser) -> Iterator[Callable[..., Session]]:
    """Serve ``app`` (or reuse ``base_url``) and open the dashboard: ``open_dashboard(app, name=...)``.

    ``query`` replaces the default address query ``lang=<lang>``. Pages bypass the
    dashboard's Content-Security-Policy (Playwright's wait_for_function evaluates strings,
    which the policy forbids) unless ``enforce_csp``: then waits use selectors only.
    """
    stops: list[Callable[[], None]] = []

    def open_(
        app: FastAPI | None = None,
        *,
        name: str,
        lang: str = "zh",
        base_url: str | None = None,
        query: str = "",
        enforce_csp: bool = False,
    ) -> Session:
        if base_url is not None:
            url = base_url
        elif app is not None:
            url, stop = _serve(app)
            stops.append(stop)
        else:
            pytest.fail("open_dashboard needs an app or the base_url of a running one")
        page = browser.new_page(
            viewport={"width": 1500, "height": 900}, locale="zh-CN", bypass_csp=not enforce_csp
        )
        s = Session(page, url, name)

        def guard(route: Route) -> None:
            req_url = route.request.url
            if req_url.startswith(("data:", "blob:")) or urlsplit(req_url).hostname == "127.0.0.1":
                s.local.append(req_url)
                route.continue_()
            else:
                s.outside.append(req_url)
                route.abort()

        page.route("**/*", guard)
        page.on("console", lambda m: s.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: s.errors.append(f"pageerror: {e}"))
        page.goto(f"{url}/?{query or f'lang={lang}'}")
        page.wait_for_selector("body[data-ready='1']", timeout=TIMEOUT_MS)
        if enforce_csp:
            page.wait_for_selector("body[data-pending='0']", timeout=TIMEOUT_MS)
        else:
            s.settle()
        return s

    yield open_
    for stop in stops:
        stop()
