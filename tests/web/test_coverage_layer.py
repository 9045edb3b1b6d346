"""The coverage tab of the dashboard in headless Chromium: facility file, rescue circle, siting.

The harness (server thread, browser, request guard, screenshots) is in conftest.py. The
facility file is TEST DATA made here: the seat points of two units from units.csv typed
as emergency reserve centres. They are not facilities; no facility layer ships with the
dataset (src/metrocircle/coverage/FACILITIES.md).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest

pytestmark = pytest.mark.browser

Session = Any  # tests/web/conftest.py Session
TIMEOUT_MS = 90_000
"""Generous: the machine may be shared; a passing run never waits this long."""

# The dashboard's coverage classes (web/src/scales.js COVERAGE_BREAKS, PALETTES.coverage):
# the oracle recomputes each unit's colour from the API's share.
COVERAGE_BREAKS = (25, 50, 75, 100)
COVERAGE_COLOURS = ("#d7191c", "#fdae61", "#ffffbf", "#a6d96a", "#1a9641")
NO_VALUE = "#d9d9d9"
SEATS = ("500103", "500112")
"""Units whose seats serve as the test facilities (Yuzhong, Yubei)."""
SCENARIO = "baseline-2020"


def _post(base_url: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    req = Request(
        base_url + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except HTTPError as err:
        return err.code, json.loads(err.read())


def _colour(share: float | None) -> str:
    if share is None:
        return NO_VALUE
    pct = share * 100
    for i, b in enumerate(COVERAGE_BREAKS):
        if pct < b:
            return COVERAGE_COLOURS[i]
    return COVERAGE_COLOURS[-1]


@pytest.fixture(scope="module")
def session(
    open_dashboard: Callable[..., Session], tmp_path_factory: pytest.TempPathFactory
) -> Session:
    """The dashboard on the embedded dataset with every router, opened in Chinese."""
    from metrocircle.api.app import create_app
    from metrocircle.settings import Settings

    db = tmp_path_factory.mktemp("coverage-web") / "store.sqlite"
    return open_dashboard(
        create_app(Settings(environment="test", db=f"sqlite:///{db}")), name="coverage"
    )


@pytest.fixture(scope="module")
def facilities(session: Session) -> list[dict[str, Any]]:
    """TEST DATA: two unit seats (units.csv) typed as emergency reserve centres."""
    rows = []
    for code in SEATS:
        u = session.api(f"/api/units/{code}")
        rows.append(
            {
                "id": f"test-{code}",
                "name_zh": f"测试数据{u['name_zh']}",
                "name_en": f"test data {u['name_en']}",
                "type": "emergency_reserve",
                "lon": u["seat_lon"],
                "lat": u["seat_lat"],
                "source": f"TEST DATA: seat point of unit {code} in units.csv, not a facility",
            }
        )
    return rows


def _csv(rows: list[dict[str, Any]]) -> bytes:
    cols = ["id", "name_zh", "name_en", "type", "grade", "capacity", "capacity_unit"]
    cols += ["lon", "lat", "source"]
    lines = [",".join(cols)]
    for r in rows:
        lines.append(
            ",".join(f'"{r.get(c, "")}"' if c == "source" else str(r.get(c, "")) for c in cols)
        )
    return ("\n".join(lines) + "\n").encode()


def _load(session: Session, name: str, data: bytes) -> None:
    page = session.page
    page.click(".tabs button[data-tab='coverage']")
    page.set_input_files(
        "#cov-file", files=[{"name": name, "mimeType": "text/csv", "buffer": data}]
    )


def test_tab_starts_from_the_parameters(session: Session) -> None:
    page = session.page
    page.click(".tabs button[data-tab='coverage']")
    assert page.locator(".tabs button[data-tab='coverage']").inner_text() == "覆盖"
    minutes = session.api("/api/coverage/parameters")["parameters"]["rescue_circle"]["minutes"]
    assert float(page.input_value("#cov-minutes")) == float(minutes)
    assert page.input_value("#cov-type") == "emergency_reserve"
    assert page.locator("#cov-run").is_disabled()  # nothing loaded yet
    assert page.locator("#indicator option[value='coverage']").is_disabled()


def test_a_bad_header_is_rejected_in_the_browser(session: Session) -> None:
    page = session.page
    _load(session, "no-lat.csv", b"id,name_zh,type,lon,source\nx,x,hospital,106.5,test data\n")
    err = page.locator("#tab-coverage .cov-error")
    err.wait_for(timeout=TIMEOUT_MS)
    assert "no-lat.csv:1:lat" in err.inner_text()
    assert page.locator("#cov-run").is_disabled()


def test_coverage_per_unit_matches_the_api(
    session: Session, facilities: list[dict[str, Any]]
) -> None:
    page = session.page
    _load(session, "test-facilities.csv", _csv(facilities))
    page.wait_for_selector(".cov-loaded[data-count='2']", timeout=TIMEOUT_MS)
    assert page.locator("#tab-coverage .cov-error").count() == 0
    page.click("#cov-run")
    page.wait_for_selector("body[data-coverage]", timeout=TIMEOUT_MS)
    session.settle()

    status, api = _post(
        session.base_url,
        "/api/coverage/rescue",
        {"facilities": facilities, "facility_type": "emergency_reserve", "scenario": SCENARIO},
    )
    assert status == 200
    assert 0 < api["share"] < 1  # two seats cover some of the area, not all of it
    # the table shows every unit of the answer with the answer's figures
    shown = {
        r.get_attribute("data-code"): r
        for r in page.locator("#tab-coverage table.cov-units tr[data-code]").all()
    }
    assert set(shown) == {u["code"] for u in api["units"]}
    for u in api["units"]:
        row = shown[u["code"]]
        assert float(row.get_attribute("data-population") or "nan") == pytest.approx(
            u["population"]
        )
        assert float(row.get_attribute("data-covered") or "nan") == pytest.approx(
            u["covered_population"]
        )
        if u["share"] is not None:
            assert float(row.get_attribute("data-share") or "nan") == pytest.approx(u["share"])
            pct = row.locator("td").nth(3).inner_text()
            assert pct == f"{u['share'] * 100:.1f}".rstrip("0").rstrip(".") + "%"
    assert float(page.evaluate("document.body.dataset.coverage")) == pytest.approx(api["share"])
    assert "估算" in page.locator("#tab-coverage .cov-area").inner_text()

    # the choropleth is the coverage share, coloured by the documented classes
    assert page.evaluate("document.body.dataset.indicator") == "coverage"
    colours = json.loads(page.evaluate("document.body.dataset.colours"))
    for u in api["units"]:
        assert colours[u["code"]] == _colour(u["share"]), u["code"]
    assert len({colours[u["code"]] for u in api["units"]}) >= 2
    assert "估算" in page.locator("#legend .legend-title").first.inner_text()

    # uncovered townships and the facilities are drawn on the map
    n_uncovered = len(api["uncovered"]["features"])
    assert n_uncovered > 0
    assert int(page.evaluate("document.body.dataset.uncovered")) == n_uncovered
    drawn = page.evaluate(
        "window.__metrocircle.map.queryRenderedFeatures({layers: ['cov-uncovered']})"
        ".map(f => f.properties.zone_id)"
    )
    expected = {f["properties"]["zone_id"] for f in api["uncovered"]["features"]}
    assert drawn and set(drawn) <= expected
    ids = page.evaluate(
        "window.__metrocircle.map.queryRenderedFeatures({layers: ['cov-facilities']})"
        ".map(f => f.properties.id)"
    )
    assert set(ids) == {f["id"] for f in facilities}
    session.shot("coverage")


def test_propose_sites_draws_the_api_answer(
    session: Session, facilities: list[dict[str, Any]]
) -> None:
    page = session.page
    page.select_option("#cov-model", "mclp")
    page.fill("#cov-p", "4")
    page.click("#cov-site")
    page.wait_for_selector("body[data-sites]", timeout=TIMEOUT_MS)
    session.settle()
    minutes = session.api("/api/coverage/parameters")["parameters"]["rescue_circle"]["minutes"]
    status, api = _post(
        session.base_url,
        "/api/coverage/site",
        {
            "model": "mclp",
            "p": 4,
            "builtin_candidates": "seats",
            "existing": facilities,
            "scenario": SCENARIO,
            "minutes": minutes,
        },
    )
    assert status == 200
    sites = api["proposed_sites"]["features"]
    assert {f["properties"]["id"] for f in sites if f["properties"]["existing"]} == {
        f["id"] for f in facilities
    }
    new = [f["properties"]["id"] for f in sites if not f["properties"]["existing"]]
    assert len(new) == 2  # p = 4 sites, the 2 test facilities included
    markers = page.locator(".cov-site-marker")
    assert markers.count() == 2
    assert [m.get_attribute("data-id") for m in markers.all()] == new
    assert [
        li.get_attribute("data-id") for li in page.locator("#tab-coverage ol.cov-sites li").all()
    ] == new
    drawn = page.evaluate(
        "window.__metrocircle.map.queryRenderedFeatures({layers: ['cov-sites']})"
        ".map(f => f.properties.id)"
    )
    assert sorted(drawn) == sorted(new)
    session.shot("sites")


def test_labels_switch_to_english(session: Session) -> None:
    page = session.page
    page.click("#lang-btn")
    page.wait_for_function("document.body.dataset.lang === 'en'", timeout=TIMEOUT_MS)
    assert page.locator(".tabs button[data-tab='coverage']").inner_text() == "Coverage"
    assert "rescue circle" in page.locator("#tab-coverage h2").first.inner_text()
    assert "estimate" in page.locator("#tab-coverage .cov-area").inner_text()
    assert page.locator(".cov-site-marker").count() == 2
    session.shot("coverage-en")


def test_a_422_names_the_field(session: Session, facilities: list[dict[str, Any]]) -> None:
    page = session.page
    bad = [dict(facilities[0], lat=100), facilities[1]]  # latitude out of range on row 2
    _load(session, "bad-lat.csv", _csv(bad))
    page.wait_for_selector(".cov-loaded[data-count='2']", timeout=TIMEOUT_MS)
    page.click("#cov-run")
    err = page.locator("#tab-coverage .cov-error")
    err.wait_for(timeout=TIMEOUT_MS)
    text = err.inner_text()
    assert "422" in text
    assert "bad-lat.csv:2:lat" in text  # the file row and the field of body.facilities[0].lat
    session.settle()
    assert "422" in page.locator("#status").inner_text()
    session.shot("error")


def test_pasted_geojson_is_read(session: Session, facilities: list[dict[str, Any]]) -> None:
    page = session.page
    gj = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [f["lon"], f["lat"]]},
                "properties": {k: v for k, v in f.items() if k not in ("lon", "lat")},
            }
            for f in facilities
        ],
    }
    page.click("#tab-coverage .cov-paste summary")
    page.fill("#cov-paste", json.dumps(gj, ensure_ascii=False))
    page.click("#cov-paste-read")
    page.wait_for_selector(".cov-loaded[data-count='2']", timeout=TIMEOUT_MS)
    assert page.locator("#tab-coverage .cov-error").count() == 0
    page.click("#cov-run")
    page.wait_for_selector("body[data-coverage]", timeout=TIMEOUT_MS)
    session.settle()
    _, api = _post(
        session.base_url,
        "/api/coverage/rescue",
        {"facilities": facilities, "facility_type": "emergency_reserve", "scenario": SCENARIO},
    )
    assert float(page.evaluate("document.body.dataset.coverage")) == pytest.approx(api["share"])
    assert page.locator("#tab-coverage .cov-error").count() == 0


def test_offline_and_no_page_errors(session: Session) -> None:
    assert session.outside == []
    assert all(u.startswith(("http://127.0.0.1:", "data:", "blob:")) for u in session.local)
    for path in ("/api/coverage/parameters", "/api/coverage/rescue", "/api/coverage/site"):
        assert any(u.endswith(path) for u in session.local), path
    # the one expected console line is the browser's own note on the rejected request
    unexpected = [e for e in session.errors if "status of 422" not in e]
    assert unexpected == []
