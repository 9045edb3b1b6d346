"""The dashboard's network lines in headless Chromium: inside the map, dashed where modelled, stubs named.

Also the unit panel's published time beside the modelled minutes (issue 13, items 5 and 7).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Session = Any  # tests/web/conftest.py Session
TIMEOUT_MS = 90_000
"""Generous: the machine may be shared; a passing run never waits this long."""
MARGIN_DEG = 0.01
"""How far (degrees) a drawn vertex may lie beyond the map's data extent: rounding only."""


@pytest.fixture(scope="module")
def session(
    open_dashboard: Callable[..., Session], tmp_path_factory: pytest.TempPathFactory
) -> Session:
    from metrocircle.api.app import create_app
    from metrocircle.settings import Settings

    db = tmp_path_factory.mktemp("net-web") / "store.sqlite"
    s = open_dashboard(
        create_app(Settings(environment="test", db=f"sqlite:///{db}")),
        name="network",
        query="lang=zh&scenario=plan-2035",
    )
    s.page.wait_for_function("window.__metrocircle.state.networkLoaded", timeout=TIMEOUT_MS)
    s.settle()
    return s


def _source_lines(session: Session) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = session.page.evaluate(
        """async () => (await window.__metrocircle.map.getSource("network").getData()).features"""
    )
    return out


def test_no_drawn_vertex_runs_off_the_map(session: Session) -> None:
    region = session.api("/api/region")
    w, s, e, n = region["bounds"]
    feats = _source_lines(session)
    lines = [f for f in feats if f["geometry"]["type"] == "LineString"]
    assert len(lines) > 20
    for f in lines:
        for lon, lat in f["geometry"]["coordinates"]:
            assert w - MARGIN_DEG <= lon <= e + MARGIN_DEG, f["properties"]["name_zh"]
            assert s - MARGIN_DEG <= lat <= n + MARGIN_DEG, f["properties"]["name_zh"]
    # and what is on screen stays inside the map canvas' view of that extent
    rendered = session.page.evaluate(
        """() => window.__metrocircle.map.queryRenderedFeatures({layers:
             ["net-road-sourced","net-road-modelled","net-rail-sourced","net-rail-modelled"]}).length"""
    )
    assert rendered > 0
    session.shot("lines")
    assert session.errors == []


def test_dashed_is_modelled_and_solid_is_sourced(session: Session) -> None:
    api = session.api("/api/access/network?scenario=plan-2035")
    drawn = {
        f["properties"]["link_ids"]: f["properties"]["drawn"]
        for f in api["features"]
        if f["geometry"]["type"] == "LineString"
    }
    assert set(drawn.values()) == {"sourced", "modelled"}
    shown = session.page.evaluate(
        """() => {
          const m = window.__metrocircle.map;
          const ids = ["net-road-sourced","net-road-modelled","net-rail-sourced","net-rail-modelled"];
          return ids.flatMap((id) => m.queryRenderedFeatures({layers: [id]}).map((f) => ({
            layer: id, ids: f.properties.link_ids, drawn: f.properties.drawn,
            dashed: m.getPaintProperty(id, "line-dasharray") !== undefined,
          })));
        }"""
    )
    assert {x["drawn"] for x in shown} == {"sourced", "modelled"}
    for x in shown:
        assert x["drawn"] == drawn[x["ids"]], x
        assert x["dashed"] == (x["drawn"] == "modelled"), x
        assert x["layer"].endswith(x["drawn"])


def test_external_links_are_named_stubs_at_the_edge(session: Session) -> None:
    api = session.api("/api/access/network?scenario=plan-2035")
    towards = {
        f["properties"]["towards"] for f in api["features"] if f["properties"].get("kind") == "stub"
    }
    assert {"北京", "郑州", "武汉"} <= towards
    box = session.page.locator("#map").bounding_box()
    for name in ("北京", "郑州"):
        stub = session.page.locator(f'.net-stub[data-towards="{name}"]').first
        assert (stub.text_content() or "").strip().endswith(name)
        assert (stub.get_attribute("title") or "").endswith(f"→ {name}")
        b = stub.bounding_box()
        cx, cy = b["x"] + b["width"] / 2, b["y"] + b["height"] / 2
        assert box["x"] <= cx <= box["x"] + box["width"]
        assert box["y"] <= cy <= box["y"] + box["height"]
    # the layer switch hides them with the lines
    session.page.locator("#layer-network").uncheck()
    assert session.page.locator(".net-stub").count() == 0
    session.page.locator("#layer-network").check()
    session.page.wait_for_selector(".net-stub", timeout=TIMEOUT_MS)


def test_unit_panel_shows_the_published_time_beside_the_model(session: Session) -> None:
    doc = session.api("/api/access/commute?scenario=plan-2035")
    row = next(r for r in doc["units"] if r["code"] == "500119")
    pub = row["published"]
    assert pub["kind"] == "published" and pub["minutes"] == 60.0
    unit = session.api("/api/units/500119")
    xy = session.page.evaluate(
        "([lon, lat]) => window.__metrocircle.map.project([lon, lat])",
        [unit["seat_lon"], unit["seat_lat"]],
    )
    box = session.page.locator("#map").bounding_box()
    # a little off the seat, so the click lands on the unit's fill, not on its project circle
    session.page.mouse.click(box["x"] + xy["x"] + 18, box["y"] + xy["y"] + 22)
    session.page.wait_for_function(
        "document.body.dataset.selected === '500119'", timeout=TIMEOUT_MS
    )
    cell = session.page.locator("#tab-unit .published")
    cell.wait_for(timeout=TIMEOUT_MS)
    assert cell.get_attribute("data-kind") == "published"
    assert cell.get_attribute("data-minutes") == "60"
    assert "60" in cell.inner_text() and "2020-11-01" in cell.inner_text()
    assert cell.locator("a").get_attribute("href") == pub["source_url"]
    panel = session.page.locator("#tab-unit").inner_text()
    assert "（模型）" in panel  # the modelled minutes say so
    session.shot("unit-published")
