"""The dashboard's flood layer in headless Chromium: stations by status, schematic reaches, warnings.

The water levels are TEST DATA written into the test's store before the page opens: 寸滩
0.5 m over its published warning level (180.50 m), 北碚 2 m under its own (194.50 m).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Session = Any  # tests/web/conftest.py Session
TIMEOUT_MS = 90_000
"""Generous: the machine may be shared; a passing run never waits this long."""
CST = timezone(timedelta(hours=8))
# web/src/flood.js FLOOD_COLOURS: the oracle of each station's colour
COLOURS = {"yellow": "#ffd92f", "normal": "#1a9850", "no_reading": "#bdbdbd"}


@pytest.fixture(scope="module")
def session(
    open_dashboard: Callable[..., Session], tmp_path_factory: pytest.TempPathFactory
) -> Session:
    from metrocircle.api.app import create_app
    from metrocircle.settings import Settings
    from metrocircle.store import Store
    from metrocircle.store.levels import WaterLevelIn, import_levels

    db = f"sqlite:///{tmp_path_factory.mktemp('flood-web') / 'store.sqlite'}"
    t = datetime(2020, 8, 19, 8, tzinfo=CST)
    with Store(db) as store:
        import_levels(
            store,
            [WaterLevelIn("cuntan", t, 181.0), WaterLevelIn("beibei", t, 192.5)],
            actor="test data",
        )
    s = open_dashboard(create_app(Settings(environment="test", db=db)), name="flood")
    s.page.wait_for_selector("body[data-flood-stations]", timeout=TIMEOUT_MS)
    s.settle()
    return s


def _rendered(session: Session, layer: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = session.page.evaluate(
        f"""() => window.__metrocircle.map.queryRenderedFeatures({{layers: ["{layer}"]}})
              .map((f) => ({{props: f.properties, colour: f.layer.paint['circle-color'] ?? null}}))"""
    )
    return out


def test_stations_render_with_their_status(session: Session) -> None:
    api = session.api("/api/sectors/flood/layer")
    placed = {
        f["properties"]["id"]: f["properties"]
        for f in api["features"]
        if f["properties"]["kind"] == "station"
    }
    assert session.page.evaluate("document.body.dataset.floodStations") == str(len(placed))
    shown = {f["props"]["id"]: f["props"] for f in _rendered(session, "flood-stations")}
    assert {"cuntan", "beibei", "zhutuo"} <= set(shown) <= set(placed)
    assert shown["cuntan"]["status"] == "yellow" == placed["cuntan"]["status"]
    assert shown["beibei"]["status"] == "normal"
    assert shown["zhutuo"]["status"] == "no_reading"
    colour = session.page.evaluate(
        """() => {
          const m = window.__metrocircle.map;
          const f = m.queryRenderedFeatures({layers: ["flood-stations"]})
            .find((x) => x.properties.id === "cuntan");
          const c = f.layer.paint["circle-color"];
          return [c.r, c.g, c.b].map((v) => Math.round(v * 255));
        }"""
    )
    assert colour == [int(COLOURS["yellow"][i : i + 2], 16) for i in (1, 3, 5)]


def test_reaches_render_schematic_and_the_warned_ones_alerted(session: Session) -> None:
    reaches = _rendered(session, "flood-reaches")
    assert reaches
    assert {r["props"]["geometry_kind"] for r in reaches} == {"schematic"}
    alerted = {r["props"]["station_id"] for r in reaches if r["props"].get("alert")}
    assert "cuntan" in alerted and "changshou" in alerted
    assert all(r["props"].get("alert") in (None, "yellow") for r in reaches)
    legend = session.page.locator("#legend").inner_text()
    assert "示意河段" in legend and "黄色预警" in legend


def test_warnings_tab_and_english(session: Session) -> None:
    page = session.page
    page.click(".tabs button[data-tab='warnings']")
    item = page.locator("ul.flood-warnings li[data-station='cuntan']")
    item.wait_for(timeout=TIMEOUT_MS)
    text = item.inner_text()
    assert "黄色预警" in text and "寸滩" in text and "超警戒 0.5 米" in text and "长寿区" in text
    assert page.locator("ul.flood-warnings li").count() == 1  # 北碚, 2 m under, warns nobody
    n = len(session.api("/api/sectors/flood/layer")["warnings"]["warnings"][0]["townships"])
    assert n > 0 and f"沿岸乡镇 {n} 个" in text
    k = len(session.api("/api/sectors/flood/layer")["warnings"]["warnings"][0]["projects"])
    assert k > 0 and f"沿江重点项目 {k} 个" in text
    assert "寸滩国际邮轮母港" in (item.locator(".flood-projects").get_attribute("title") or "")
    page.click("#lang-btn")
    page.wait_for_selector("body[data-lang='en']", timeout=TIMEOUT_MS)
    text = page.locator("ul.flood-warnings li[data-station='cuntan']").inner_text()
    assert "yellow warning" in text and "Cuntan" in text and "0.5 m above warning" in text
    assert "Changshou District" in text and "riverside key projects" in text
    legend = page.locator("#legend").inner_text()
    assert "schematic reach" in legend
    page.click("#lang-btn")
    page.wait_for_selector("body[data-lang='zh']", timeout=TIMEOUT_MS)


def test_layer_can_be_hidden(session: Session) -> None:
    page = session.page
    page.uncheck("#layer-flood")
    page.wait_for_function(
        "window.__metrocircle.map.getLayoutProperty('flood-stations', 'visibility') === 'none'",
        timeout=TIMEOUT_MS,
    )
    assert "示意河段" not in page.locator("#legend").inner_text()
    page.check("#layer-flood")
    session.settle()
    assert _rendered(session, "flood-stations")
    session.shot("flood-layer")


def test_offline_and_no_page_errors(session: Session) -> None:
    assert session.outside == []
    assert session.errors == []
