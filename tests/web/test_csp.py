"""The dashboard works under its own Content-Security-Policy (no eval, no outside origin)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser
TIMEOUT_MS = 90_000
Session = Any  # tests/web/conftest.py Session


def test_dashboard_runs_with_the_policy_enforced(
    open_dashboard: Callable[..., Session], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Map, tabs, isochrone request and sign-in control work; the browser reports no violation."""
    from metrocircle.api.app import create_app
    from metrocircle.settings import Settings

    db = tmp_path_factory.mktemp("csp") / "store.sqlite"
    s = open_dashboard(
        create_app(Settings(environment="test", db=f"sqlite:///{db}")),
        name="csp",
        enforce_csp=True,
    )
    page = s.page
    page.wait_for_selector("canvas.maplibregl-canvas", timeout=TIMEOUT_MS)
    page.click(".tabs button[data-tab='warnings']")
    page.wait_for_selector("#tab-warnings:not([hidden])", timeout=TIMEOUT_MS)
    page.click(".tabs button[data-tab='targets']")
    page.wait_for_selector("body[data-pending='0']", timeout=TIMEOUT_MS)
    assert page.locator("#login-btn").is_visible()
    page.wait_for_timeout(1500)  # let the map's workers and tiles finish
    s.shot("enforced")
    violations = [e for e in s.errors if "Content Security Policy" in e or "CSP" in e]
    assert violations == []
    assert s.errors == []
    assert s.outside == []
    # and the policy is really in force on this page (not bypassed): an injected inline
    # script does not run, and the browser reports the violation
    ran = page.evaluate(
        """() => new Promise((done) => {
            document.addEventListener("securitypolicyviolation", (e) =>
                done({ ran: window.__inlineRan === true, directive: e.violatedDirective }));
            const el = document.createElement("script");
            el.textContent = "window.__inlineRan = true";
            document.body.append(el);
            setTimeout(() => done({ ran: window.__inlineRan === true, directive: null }), 3000);
        })"""
    )
    assert ran["ran"] is False
    assert ran["directive"] is not None
    assert ran["directive"].startswith("script-src")
