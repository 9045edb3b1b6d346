"""The one-map dashboard in headless Chromium (Playwright), served by uvicorn on 127.0.0.1.

The harness (server thread, browser, request guard, screenshots) is in conftest.py.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.browser

# The dashboard's commute classes (web/src/scales.js MINUTE_BREAKS and PALETTES.minutes):
# the oracle below recomputes each unit's colour from the API's minutes.
MINUTE_BREAKS = (30, 45, 60, 75, 90)
MINUTE_COLOURS = ("#1a9850", "#91cf60", "#d9ef8b", "#fee08b", "#fc8d59", "#d73027")
NO_VALUE = "#d9d9d9"
SAVED_BREAKS = (1, 5, 10, 20)
SAVED_COLOURS = ("#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c")
TIMEOUT_MS = 90_000
"""Generous: the machine may be shared; a passing run never waits this long."""
Session = Any  # tests/web/conftest.py Session


@pytest.fixture(scope="module")
def session(
    open_dashboard: Callable[..., Session], tmp_path_factory: pytest.TempPathFactory
) -> Session:
    """The dashboard on the embedded dataset with every router, opened in Chinese."""
    from metrocircle.api.app import create_app
    from metrocircle.settings import Settings

    db = tmp_path_factory.mktemp("web") / "store.sqlite"
    return open_dashboard(
        create_app(Settings(environment="test", db=f"sqlite:///{db}")), name="dashboard"
    )


@pytest.fixture(scope="module")
def base_url(session: Session) -> str:
    return str(session.base_url)


def _api(base_url: str, path: str) -> Any:
    from urllib.request import urlopen

    with urlopen(base_url + path, timeout=60) as r:
        return json.loads(r.read())


def test_page_loads_without_console_errors(session: Session) -> None:
    session.shot("loaded")
    assert session.errors == []
    assert session.page.locator("#status").inner_text() == "就绪"


def test_map_shows_the_27_units(session: Session) -> None:
    page = session.page
    page.wait_for_function("document.body.dataset.renderedUnits === '27'", timeout=TIMEOUT_MS)
    colours = json.loads(page.evaluate("document.body.dataset.colours"))
    assert len(colours) == 27
    assert page.locator(".unit-label").count() == 27


def _click_unit(session: Session, base_url: str, code: str) -> None:
    unit = _api(base_url, f"/api/units/{code}")
    xy = session.page.evaluate(
        "([lon, lat]) => window.__metrocircle.map.project([lon, lat])",
        [unit["seat_lon"], unit["seat_lat"]],
    )
    box = session.page.locator("#map").bounding_box()
    assert box is not None
    # a little off the seat, so the click lands on the unit's fill, not on its project circle
    session.page.mouse.click(box["x"] + xy["x"] + 18, box["y"] + xy["y"] + 22)


def test_clicking_a_unit_opens_its_panel(session: Session, base_url: str) -> None:
    page = session.page
    _click_unit(session, base_url, "500117")
    page.wait_for_function("document.body.dataset.selected === '500117'", timeout=TIMEOUT_MS)
    panel = page.locator("#tab-unit")
    assert panel.is_visible()
    assert panel.locator("h2.unit-name").inner_text() == "合川区"
    unit = _api(base_url, "/api/units/500117")
    text = panel.inner_text()
    assert f"{unit['population_2020']:,}" in text
    rate = f"{unit['urbanisation_rate_2020_pct']:.2f}".rstrip("0").rstrip(".")
    assert f"{rate}%" in text
    assert "500117" in text
    session.settle()
    session.shot("unit-panel")


def test_switching_the_scenario_changes_the_commute_colours(
    session: Session, base_url: str
) -> None:
    page = session.page
    page.select_option("#indicator", "minutes")
    page.click("button[data-scenario='baseline-2020']")
    session.settle()
    before = json.loads(page.evaluate("document.body.dataset.colours"))
    paint_before = page.evaluate(
        "JSON.stringify(window.__metrocircle.map.getPaintProperty('units-fill', 'fill-color'))"
    )
    page.click("button[data-scenario='plan-2035']")
    page.wait_for_function("document.body.dataset.scenario === 'plan-2035'", timeout=TIMEOUT_MS)
    session.settle()
    after = json.loads(page.evaluate("document.body.dataset.colours"))
    paint_after = page.evaluate(
        "JSON.stringify(window.__metrocircle.map.getPaintProperty('units-fill', 'fill-color'))"
    )
    assert after != before
    assert paint_after != paint_before
    # each colour is the class of the unit's minutes in the API (an independent oracle)
    rows = _api(base_url, "/api/access/commute?scenario=plan-2035")["units"]
    for r in rows:
        m = r["minutes_to_centre"]
        expected = NO_VALUE if m is None else MINUTE_COLOURS[sum(m >= b for b in MINUTE_BREAKS)]
        assert after[r["code"]] == expected, r["code"]
    session.shot("scenario-plan-2035")


def test_minutes_saved_against_the_baseline(session: Session, base_url: str) -> None:
    page = session.page
    page.click("button[data-scenario='plan-2035']")
    page.wait_for_function("document.body.dataset.scenario === 'plan-2035'", timeout=TIMEOUT_MS)
    page.select_option("#indicator", "saved")
    page.wait_for_function("document.body.dataset.indicator === 'saved'", timeout=TIMEOUT_MS)
    session.settle()
    colours = json.loads(page.evaluate("document.body.dataset.colours"))
    base = {
        r["code"]: r["minutes_to_centre"]
        for r in _api(base_url, "/api/access/commute?scenario=baseline-2020")["units"]
    }
    plan = {
        r["code"]: r["minutes_to_centre"]
        for r in _api(base_url, "/api/access/commute?scenario=plan-2035")["units"]
    }
    for code, colour in colours.items():
        if base.get(code) is None or plan.get(code) is None:
            assert colour == NO_VALUE, code
        else:
            saved = base[code] - plan[code]
            assert colour == SAVED_COLOURS[sum(saved >= b for b in SAVED_BREAKS)], code
    assert (
        "Minutes saved" in page.locator("#legend").inner_text()
        or "节省" in page.locator("#legend").inner_text()
    )
    session.shot("minutes-saved")
    page.select_option("#indicator", "minutes")


def test_isochrone_from_a_clicked_unit(session: Session, base_url: str) -> None:
    page = session.page
    page.check("#layer-isochrone")
    _click_unit(session, base_url, "500118")
    page.wait_for_function("document.body.dataset.isochrone === '500118'", timeout=TIMEOUT_MS)
    session.settle()
    n = page.evaluate("window.__metrocircle.map.querySourceFeatures('isochrone').length")
    assert n >= 3
    session.shot("isochrone")
    page.uncheck("#layer-isochrone")


def test_switching_the_language_changes_the_labels(session: Session) -> None:
    page = session.page
    zh_title = page.locator("#tab-targets h2").first.inner_text()
    zh_button = page.locator("#lang-btn").inner_text()
    page.click(".tabs button[data-tab='targets']")
    page.click("#lang-btn")
    page.wait_for_function("document.body.dataset.lang === 'en'", timeout=TIMEOUT_MS)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("#tab-targets h2").first.inner_text() == "Progress of the plan's targets"
    assert page.locator("#tab-targets h2").first.inner_text() != zh_title
    assert page.locator("#lang-btn").inner_text() == "中文" != zh_button
    assert page.locator(".tabs button[data-tab='unit']").inner_text() == "Unit"
    labels = page.locator(".unit-label").all_inner_texts()
    assert "Hechuan" in labels
    assert not any("区" in x for x in labels)
    # the interface words are all English (data such as seat names may stay Chinese)
    for sel in (
        "#controls",
        ".tabs",
        "#title",
        "#subtitle",
        "#status",
        "#tab-targets h2",
        "#tab-targets .target-name",
    ):
        for text in page.locator(sel).all_inner_texts():
            assert not re.search(r"[\u4e00-\u9fff]", text), (sel, text)
    # no label is left untranslated: no element shows a raw dictionary key
    body = page.locator("body").inner_text()
    assert "legend_" not in body and "ind_" not in body and "tab_" not in body
    session.shot("english")
    page.click("#lang-btn")
    page.wait_for_function("document.body.dataset.lang === 'zh'", timeout=TIMEOUT_MS)
    assert page.locator("#tab-targets h2").first.inner_text() == zh_title


def test_the_targets_board_shows_every_target(session: Session, base_url: str) -> None:
    page = session.page
    page.click(".tabs button[data-tab='targets']")
    targets = _api(base_url, "/api/targets")
    cards = page.locator("#tab-targets li.target-card")
    assert cards.count() == len(targets)
    ids = [cards.nth(i).get_attribute("data-target-id") for i in range(cards.count())]
    assert ids == [t["id"] for t in targets]
    board = _api(base_url, "/api/evaluation")
    by_id = {e["id"]: e["status"] for e in board["evaluations"]}
    for i, tid in enumerate(ids):
        card = cards.nth(i)
        assert card.get_attribute("data-status") == by_id[tid]
        assert card.locator(".badge").count() >= 1
        assert card.locator("svg.target-chart").count() == 1
    session.shot("targets")


def test_warnings_panel(session: Session) -> None:
    page = session.page
    page.click(".tabs button[data-tab='warnings']")
    text = page.locator("#tab-warnings").inner_text()
    assert "空气质量联合预警" in text and "景区游客承载预警" in text
    assert "加载" not in text  # both lists finished loading
    page.click(".tabs button[data-tab='targets']")


def test_project_ranking_highlights_links(session: Session, base_url: str) -> None:
    page = session.page
    page.click("button[data-scenario='plan-2025']")
    page.wait_for_function("document.body.dataset.scenario === 'plan-2025'", timeout=TIMEOUT_MS)
    page.click(".tabs button[data-tab='ranking']")
    rows = page.locator("#tab-ranking tr[data-project]")
    rows.first.wait_for(timeout=TIMEOUT_MS)
    ranking = _api(base_url, "/api/access/ranking?scenario=plan-2025")["projects"]
    assert rows.count() == len(ranking)
    first = ranking[0]
    assert rows.first.get_attribute("data-project") == (
        first["project_id"] or f"ref:{first['refs']}"
    )
    # the dashboard names the project, never shows its id
    assert first["name_zh"] in rows.first.inner_text()
    if first["project_id"]:
        assert first["project_id"] not in rows.first.inner_text()
    rows.first.click()
    refs = page.evaluate("JSON.stringify(window.__metrocircle.map.getFilter('project-focus'))")
    assert ranking[0]["refs"].split(";")[0] in refs
    session.settle()
    session.shot("ranking")
    page.click(".tabs button[data-tab='targets']")
    assert session.errors == []


def test_evaluation_year_redraws_the_board(session: Session, base_url: str) -> None:
    page = session.page
    page.click(".tabs button[data-tab='targets']")
    page.select_option("#as-of", "2024")
    page.wait_for_function("document.body.dataset.asOf === '2024'", timeout=TIMEOUT_MS)
    session.settle()
    board = _api(base_url, "/api/evaluation?as_of=2024")
    cards = page.locator("#tab-targets li.target-card")
    shown = {
        cards.nth(i).get_attribute("data-target-id"): cards.nth(i).get_attribute("data-status")
        for i in range(cards.count())
    }
    assert shown == {e["id"]: e["status"] for e in board["evaluations"]}
    assert session.errors == []


def test_a_shared_address_reopens_the_view(
    session: Session, open_dashboard: Callable[..., Session]
) -> None:
    """The address bar follows the view; opening it elsewhere shows the same view (成果共享)."""
    page = session.page
    page.click("button[data-scenario='plan-2025']")
    page.wait_for_function("document.body.dataset.scenario === 'plan-2025'", timeout=TIMEOUT_MS)
    page.select_option("#unit-find", "500117")
    page.wait_for_function("document.body.dataset.selected === '500117'", timeout=TIMEOUT_MS)
    session.settle()
    address = page.url.split("?", 1)[1]
    assert "scenario=plan-2025" in address and "unit=500117" in address
    other = open_dashboard(name="shared", base_url=session.base_url, query=address)
    body = other.page.evaluate("({...document.body.dataset})")
    assert body["scenario"] == "plan-2025"
    assert body["selected"] == "500117"
    assert body["indicator"] == session.page.evaluate("document.body.dataset.indicator")
    assert other.page.locator("#tab-unit h2.unit-name").inner_text() == "合川区"
    assert other.errors == [] and other.outside == []
    other.shot("opened")
    other.page.close()


@pytest.mark.parametrize(
    "query",
    [
        "lang=xx&indicator=zzz&scenario=%3Cscript%3E&unit=..%2F..%2Fetc&tab=%22%5D",
        "lang=%E4%B8%AD&unit=999999&tab=ranking&scenario=plan-2099&indicator=",
    ],
)
def test_a_hostile_address_falls_back_to_defaults(
    session: Session, open_dashboard: Callable[..., Session], query: str
) -> None:
    other = open_dashboard(name="hostile", base_url=session.base_url, query=query)
    body = other.page.evaluate("({...document.body.dataset})")
    assert body["lang"] == "zh"
    assert body["scenario"] in {"baseline-2020", "plan-2025", "plan-2035"}
    assert "selected" not in body
    assert other.errors == [] and other.outside == []
    other.page.close()


def test_no_request_leaves_localhost(session: Session) -> None:
    """Runs last: every request of every step above stayed on 127.0.0.1."""
    assert any("/api/units" in u for u in session.local)  # the guard saw the page's requests
    assert session.outside == []
    assert session.errors == []


def test_the_status_line_says_the_map_is_drawing_until_it_is(browser: Any, base_url: str) -> None:
    """ "Ready" is not shown while the data is in but the map is still being drawn."""
    page = browser.new_page(viewport={"width": 1200, "height": 800}, bypass_csp=True)
    page.route(
        "**/*",
        lambda r: r.continue_() if "127.0.0.1" in r.request.url else r.abort(),
    )
    page.add_init_script(
        """
        window.__statusTexts = [];
        document.addEventListener("DOMContentLoaded", () => {
          const el = document.getElementById("status");
          const note = () => window.__statusTexts.push([el.textContent, document.body.dataset.ready || ""]);
          note();
          new MutationObserver(note).observe(el, {childList: true, characterData: true, subtree: true});
        });
        """
    )
    try:
        page.goto(f"{base_url}/?lang=zh")
        page.wait_for_selector("body[data-ready='1']", timeout=TIMEOUT_MS)
        texts = page.evaluate("window.__statusTexts")
    finally:
        page.close()
    assert any("绘制地图" in t for t, _ in texts), texts
    first = min(i for i, (t, _) in enumerate(texts) if "绘制地图" in t)
    last = max(i for i, (t, _) in enumerate(texts) if "绘制地图" in t)
    # from the data's arrival to the end of drawing the line never says "就绪"
    assert all(t != "就绪" for t, _ in texts[first : last + 1]), texts
