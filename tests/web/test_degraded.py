"""Without the optional routers (access, sectors, coverage) the page still works and says what is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Session = Any  # tests/web/conftest.py Session
CORE_ONLY = ("core", "evaluation")


@pytest.fixture(scope="module")
def session(
    open_dashboard: Callable[..., Session], tmp_path_factory: pytest.TempPathFactory
) -> Session:
    from metrocircle.api import app as app_module
    from metrocircle.settings import Settings

    db = tmp_path_factory.mktemp("degraded") / "store.sqlite"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(
            app_module, "ROUTERS", {k: v for k, v in app_module.ROUTERS.items() if k in CORE_ONLY}
        )
        app = app_module.create_app(Settings(environment="test", db=f"sqlite:///{db}"))
    assert not any(p.startswith("/api/access") for p in app.openapi()["paths"])
    return open_dashboard(app, name="degraded", lang="en")


def test_loads_without_errors_and_shows_the_units(session: Session) -> None:
    page = session.page
    page.wait_for_function("document.body.dataset.renderedUnits === '27'", timeout=90_000)
    assert session.errors == []
    assert page.evaluate("document.body.dataset.indicator") == "population"
    session.shot("loaded")


def test_missing_features_say_not_available(session: Session) -> None:
    page = session.page
    assert "commute endpoint is not available" in page.locator("#scenario-note").inner_text()
    assert page.locator("#scenarios button").count() == 3
    assert all(b.is_disabled() for b in page.locator("#scenarios button").all())
    assert page.locator("#indicator option[value='minutes']").is_disabled()
    assert page.locator("#layer-network").is_disabled()
    assert page.locator("#layer-flood").is_disabled()
    page.click(".tabs button[data-tab='warnings']")
    # air, tourism and flood warnings
    assert page.locator("#tab-warnings .not-available").count() == 3
    page.click(".tabs button[data-tab='ranking']")
    assert page.locator("#tab-ranking .not-available").count() == 1
    session.shot("not-available")


def test_never_calls_an_absent_endpoint(session: Session) -> None:
    called = [u for u in session.local if "/api/access" in u or "/api/sectors" in u]
    assert called == []
    assert session.outside == []
    assert session.errors == []
