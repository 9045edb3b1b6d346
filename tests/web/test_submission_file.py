"""The officers' CSV upload on the submit tab in headless Chromium (issue 9).

A file chosen with ``set_input_files`` (in memory) is read, checked and previewed in the
browser, then sent as one request. Python's csv module reading the same bytes is the oracle
for the page's parser (no JavaScript in the oracle); the store, read through the Python API,
is the oracle for what was stored. The harness is in conftest.py. The values in the files
are test inputs in a throw-away store, not statistics.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

pytestmark = pytest.mark.browser

Session = Any  # tests/web/conftest.py Session
TIMEOUT_MS = 90_000
"""Generous: the machine may be shared; a passing run never waits this long."""

OFFICER = ("officer.yubei.file", "yubei-file-upload-2026!")
YUBEI = "500112"
OTHER_UNIT = "511600"  # 广安市: not the officer's
YEAR = date.today().year - 1
HEADER = "indicator,scope,period,value,unit,source,source_url"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
BOM = b"\xef\xbb\xbf"

# every POST /api/observations the page sent: its headers and JSON body
POSTED: list[tuple[dict[str, str], Any]] = []
# every console message of the page: no token may appear
CONSOLE: list[str] = []


def _csv(*lines: str, bom: bool = False, newline: str = "\r\n") -> bytes:
    """A CSV file's bytes: the lines joined by ``newline``, a blank trailing line."""
    return (BOM if bom else b"") + (newline.join(lines) + newline + newline).encode("utf-8")


def _oracle_rows(data: bytes) -> list[dict[str, str]]:
    """The data rows as Python's csv module reads them (the command-line import's reader)."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [r for r in reader if any((v or "").strip() for v in r.values())]


def _choose(s: Session, name: str, data: bytes, mime: str = "text/csv") -> None:
    s.page.set_input_files("#subf-input", files=[{"name": name, "mimeType": mime, "buffer": data}])
    s.page.wait_for_selector(f"#subf-name:has-text('{name}')", timeout=TIMEOUT_MS)


def _stored(url: str, **kw: Any) -> list[Any]:
    from metrocircle.store import Store

    with Store(url) as store:
        return list(store.observations(status=None, scope=YUBEI, **kw))


def _batches(url: str) -> list[Any]:
    from metrocircle.store import Store

    with Store(url) as store:
        return [b for b in store.submissions(pending_only=False) if b.submitted_by == OFFICER[0]]


def _token(s: Session) -> str:
    raw = s.page.evaluate("sessionStorage.getItem('metrocircle.session')")
    return str(json.loads(raw)["token"])


@pytest.fixture(scope="module")
def officer(
    open_dashboard: Callable[..., Session], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Session, str]]:
    """The dashboard signed in (once) as an officer of 渝北区, and the store's URL."""
    from metrocircle.api import app as app_module
    from metrocircle.settings import Settings
    from metrocircle.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('submission-file') / 'store.sqlite'}"
    with Store(url) as store:
        store.add_user(OFFICER[0], role="officer", unit=YUBEI, password=OFFICER[1], actor="test")
    # the travel-time, sector and coverage routers play no part here: leave them out
    lean = {
        k: r for k, r in app_module.ROUTERS.items() if k not in {"access", "sectors", "coverage"}
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app_module, "ROUTERS", lean)
        app = app_module.create_app(Settings(environment="test", db=url))
    s = open_dashboard(app, name="submission-file")
    s.page.on("console", lambda m: CONSOLE.append(m.text))

    def record(req: Any) -> None:
        if req.method == "POST" and req.url.endswith("/api/observations"):
            POSTED.append((dict(req.headers), req.post_data_json))

    s.page.on("request", record)
    page = s.page
    page.click("#login-btn")
    page.fill("#login-user", OFFICER[0])
    page.fill("#login-pass", OFFICER[1])
    page.click("#login-submit")
    page.wait_for_selector(f"body[data-user='{OFFICER[0]}']", timeout=TIMEOUT_MS)
    s.settle()
    page.wait_for_selector("#subf-input", timeout=TIMEOUT_MS)
    yield s, url
    token = _token(s)
    assert not any(token in m or OFFICER[1] in m for m in CONSOLE)


def _only_refused_requests(s: Session) -> None:
    """Console errors are only the browser's lines for answers the test provoked."""
    provoked = r"status of 4\d\d|net::ERR_FAILED"
    assert [e for e in s.errors if not re.search(provoked, e)] == [], s.errors


def test_a_valid_file_is_previewed_and_stored_as_one_batch(officer: tuple[Session, str]) -> None:
    s, url = officer
    page = s.page
    data = _csv(
        HEADER,
        f'intl_air_routes,{YUBEI},{YEAR},118,count,"渝北区统计公报, 表3",https://example.org/a',
        f'urbanisation_rate_pct,{YUBEI},{YEAR},71.5,pct,"Yubei bulletin, table ""2""",',
        f"good_air_days_pct,{YUBEI},{YEAR},88.2,pct,测试来源 test source,",
        f'intl_air_routes,{YUBEI},{YEAR - 1},110,count,"two-line\nsource",',
        bom=True,
    )
    expected = _oracle_rows(data)
    assert len(expected) == 4
    _choose(s, "yubei-2025.csv", data)
    preview = page.locator("#subf-preview")
    # the JS-free oracle: the preview counts the rows Python's csv module reads
    assert preview.get_attribute("data-rows") == str(len(expected))
    assert page.locator("#subf-count").inner_text() == f"{len(expected)} 行数据"
    assert page.locator("#subf-units").inner_text() == f"单位: 渝北区 ({YUBEI}) ×4"
    indicators = page.locator("#subf-indicators").inner_text()
    for ind, n in (("intl_air_routes", 2), ("urbanisation_rate_pct", 1), ("good_air_days_pct", 1)):
        assert re.search(rf"{ind} ×{n}", indicators), indicators
    # the first rows as parsed: quoted commas, doubled quotes and a line break inside quotes
    shown = page.eval_on_selector_all(
        "#subf-preview tbody tr td[data-col='source']", "tds => tds.map(td => td.textContent)"
    )
    assert shown == [r["source"] for r in expected]
    lines = page.eval_on_selector_all(
        "#subf-preview tbody tr", "trs => trs.map(tr => Number(tr.dataset.line))"
    )
    assert lines == [2, 3, 4, 5]
    assert page.locator("#subf-problems").count() == 0
    s.shot("1-preview")
    before = len(POSTED)
    page.click("#subf-send")
    ok = page.locator("#subf-ok")
    ok.wait_for(timeout=TIMEOUT_MS)
    s.settle()
    batch = ok.get_attribute("data-batch")
    assert batch and batch in ok.inner_text()
    assert ok.get_attribute("data-rows") == "4" and ok.get_attribute("data-replayed") == "false"
    # one request carried every row, with a fresh Idempotency-Key
    assert len(POSTED) == before + 1
    headers, body = POSTED[-1]
    assert UUID.match(headers.get("idempotency-key", ""))
    assert len(body["observations"]) == 4
    # stored once, as one submitted batch, exactly as Python reads the file
    (b,) = _batches(url)
    assert b.batch_id == batch and b.rows == 4 and b.pending == 4
    rows = sorted(_stored(url, batch_id=batch), key=lambda r: r.id)
    assert [
        (r.indicator, r.scope, r.period, r.value, r.unit, r.source, r.source_url, r.status)
        for r in rows
    ] == [
        (
            e["indicator"],
            e["scope"],
            int(e["period"]),
            float(e["value"]),
            e["unit"],
            e["source"],
            e["source_url"] or None,
            "submitted",
        )
        for e in expected
    ]
    assert page.locator("#subf-send").count() == 0  # done: a new file starts a new submission
    s.shot("2-stored")
    assert s.errors == []


def test_a_row_for_another_unit_is_refused_before_sending(officer: tuple[Session, str]) -> None:
    s, _ = officer
    page = s.page
    data = _csv(
        HEADER,
        f"intl_air_routes,{YUBEI},{YEAR - 2},100,count,refusal test source,",
        f"intl_air_routes,{OTHER_UNIT},{YEAR - 2},100,count,refusal test source,",
        newline="\n",
    )
    before = len(POSTED)
    _choose(s, "other-unit.csv", data)
    problems = page.locator("#subf-problems li")
    assert problems.count() == 1
    item = page.locator("#subf-problems li[data-line='3'][data-field='scope']")
    assert item.count() == 1
    text = item.inner_text()
    assert text.startswith("文件第 3 行，scope：") and OTHER_UNIT in text and YUBEI in text
    assert page.locator("#subf-preview").get_attribute("data-rows") == str(len(_oracle_rows(data)))
    assert page.locator("#subf-send").count() == 0
    assert len(POSTED) == before  # nothing was sent
    s.shot("3-other-unit")
    assert s.errors == []


def test_a_missing_column_is_refused_naming_it(officer: tuple[Session, str]) -> None:
    s, _ = officer
    page = s.page
    data = _csv(
        "indicator,scope,period,valeu,unit,source",
        f"intl_air_routes,{YUBEI},{YEAR},100,count,column test source",
    )
    before = len(POSTED)
    _choose(s, "missing-column.csv", data)
    missing = page.locator("#subf-problems li[data-line='1'][data-field='value']")
    assert missing.inner_text() == "文件第 1 行，value：缺少必需的列"
    unknown = page.locator("#subf-problems li[data-line='1'][data-field='valeu']")
    assert unknown.inner_text().startswith("文件第 1 行，valeu：未知的列")
    assert page.locator("#subf-problems li").count() == 2
    assert page.locator("#subf-send").count() == 0
    assert len(POSTED) == before
    s.shot("4-missing-column")


def test_a_workbook_is_pointed_to_the_command_line(officer: tuple[Session, str]) -> None:
    s, _ = officer
    before = len(POSTED)
    _choose(s, "figures.xlsx", b"PK\x03\x04 not read in the browser", mime="application/zip")
    notice = s.page.locator("#subf-notice").inner_text()
    assert "XLSX" in notice and f"metrocircle import observations FILE --as {OFFICER[0]}" in notice
    assert len(POSTED) == before


def test_an_out_of_range_value_shows_the_apis_422_by_line(officer: tuple[Session, str]) -> None:
    s, url = officer
    page = s.page
    page.click("#lang-btn")
    page.wait_for_function("document.body.dataset.lang === 'en'", timeout=TIMEOUT_MS)
    stored_before = len(_stored(url))
    data = _csv(
        HEADER,
        f"good_air_days_pct,{YUBEI},{YEAR - 3},90,pct,range test source,",
        f"good_air_days_pct,{YUBEI},{YEAR - 4},120,pct,range test source,",
    )
    _choose(s, "out-of-range.csv", data)
    assert page.locator("#subf-count").inner_text() == "2 data rows"
    page.click("#subf-send")
    error = page.locator("#subf-error")
    error.wait_for(timeout=TIMEOUT_MS)
    s.settle()
    assert error.get_attribute("data-status") == "422"
    (item,) = page.locator("#subf-error li").all()
    text = item.inner_text()
    assert text.startswith("file line 3, value: ") and "out of range" in text, text
    assert "no row was stored" in error.inner_text()
    assert len(_stored(url)) == stored_before  # all or nothing: the good row is not stored either
    s.shot("5-out-of-range")
    page.click("#lang-btn")
    page.wait_for_function("document.body.dataset.lang === 'zh'", timeout=TIMEOUT_MS)
    _only_refused_requests(s)


def test_a_retry_after_a_lost_answer_does_not_store_twice(officer: tuple[Session, str]) -> None:
    s, url = officer
    page = s.page
    data = _csv(
        HEADER,
        f"intl_air_routes,{YUBEI},{YEAR - 5},101,count,retry test source,",
        f"urbanisation_rate_pct,{YUBEI},{YEAR - 5},69,pct,retry test source,",
    )
    batches_before = {b.batch_id for b in _batches(url)}
    lost: list[int] = []

    def lose_first_answer(route: Any) -> None:
        """The server stores the first POST, but its answer never reaches the page."""
        if route.request.method == "POST" and not lost:
            lost.append(route.fetch().status)
            route.abort("failed")
        else:
            route.fallback()

    page.route("**/api/observations", lose_first_answer)
    try:
        _choose(s, "retry.csv", data)
        before = len(POSTED)
        page.click("#subf-send")
        error = page.locator("#subf-error[data-status='']")
        error.wait_for(timeout=TIMEOUT_MS)
        s.settle()
        assert lost == [201]
        assert "不会重复报送" in error.inner_text()
        (new,) = [b for b in _batches(url) if b.batch_id not in batches_before]
        assert new.rows == 2
        # the officer presses "Submit all" again: the same key, the first answer replayed
        page.click("#subf-send")
        ok = page.locator("#subf-ok")
        ok.wait_for(timeout=TIMEOUT_MS)
        s.settle()
        assert ok.get_attribute("data-batch") == new.batch_id
        assert ok.get_attribute("data-replayed") == "true"
        # choosing the same file again and submitting it replays too
        _choose(s, "retry.csv", data)
        page.click("#subf-send")
        page.locator("#subf-ok").wait_for(timeout=TIMEOUT_MS)
        s.settle()
        assert page.locator("#subf-ok").get_attribute("data-batch") == new.batch_id
    finally:
        page.unroute("**/api/observations", lose_first_answer)
    keys = {h.get("idempotency-key") for h, _ in POSTED[before:]}
    assert len(POSTED) - before == 3 and len(keys) == 1
    (again,) = [b for b in _batches(url) if b.batch_id not in batches_before]
    assert again.batch_id == new.batch_id and again.rows == 2
    assert len(_stored(url, batch_id=new.batch_id)) == 2
    s.shot("6-retried")
    _only_refused_requests(s)


def test_a_duplicate_of_a_stored_row_is_named_by_its_line(officer: tuple[Session, str]) -> None:
    """A clash with a stored row (409) is named by the request's line: shown as the file line."""
    s, url = officer
    page = s.page
    first = f"good_air_days_pct,{YUBEI},{YEAR - 6},91,pct,duplicate test source,"
    _choose(s, "first.csv", _csv(HEADER, first))
    page.click("#subf-send")
    page.locator("#subf-ok").wait_for(timeout=TIMEOUT_MS)
    s.settle()
    stored_before = len(_stored(url))
    data = _csv(
        HEADER, f"good_air_days_pct,{YUBEI},{YEAR - 7},92,pct,duplicate test source,", first
    )
    _choose(s, "second.csv", data)
    page.click("#subf-send")
    error = page.locator("#subf-error")
    error.wait_for(timeout=TIMEOUT_MS)
    s.settle()
    assert error.get_attribute("data-status") == "409"
    (item,) = page.locator("#subf-error li").all()
    assert (
        item.get_attribute("data-line") == "3" and item.get_attribute("data-field") == "indicator"
    )
    assert item.inner_text().startswith("文件第 3 行，indicator：duplicate")
    assert len(_stored(url)) == stored_before
    _only_refused_requests(s)
