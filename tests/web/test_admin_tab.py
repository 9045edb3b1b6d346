"""The administrators' audit tab (留痕 / Audit) in headless Chromium (issue 9).

One page signs in as the public, an officer, a reviewer and the administrator in turn (each
user signs in once: logins are rate-limited and Argon2 is slow on purpose); the served API
is the oracle for what the tab shows. The store's audit log gets 60 marker entries so the
trail spans two pages. The harness (server thread, browser, request guard, screenshots into
test-artifacts/) is in conftest.py. Submitted values are test inputs, not statistics.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from .accounts import call_api, sign_in

pytestmark = pytest.mark.browser

Session = Any  # tests/web/conftest.py Session
TIMEOUT_MS = 90_000
"""Generous: the machine may be shared; a passing run never waits this long."""

ADMIN = ("admin.office", "joint-office-admin-26")
OFFICER = ("officer.yubei", "yubei-figures-2026!")
REVIEWER = ("reviewer.joint", "joint-office-review-26")
VIEWER = ("viewer.press", "press-reading-2026!")
USERS = (
    (*ADMIN, "admin", None),
    (*OFFICER, "officer", "500112"),
    (*REVIEWER, "reviewer", None),
    (*VIEWER, "viewer", None),
)
NEW_OFFICER = ("officer.jiangbei", "jiangbei-data-2026!", "500105")
MARKERS = 60
"""Marker entries written straight into the log: with them the trail is longer than a page."""
PAGE = 50
"""Entries per page of the trail (web/src/admin.js PAGE)."""
YEAR = date.today().year - 1

STATE: dict[str, Any] = {}
"""What one step leaves for the next: the store URL, the admin's token, the batch id."""
SENT: list[str] = []
"""Method and path of every request the page sent to the API (the token never in a URL)."""


def _audit(base: str, **params: str) -> list[dict[str, Any]]:
    """The whole audit log from the API (oldest first), paged by id."""
    out: list[dict[str, Any]] = []
    after = 0
    while True:
        q = urlencode({"after_id": after, "limit": 5000, **params})
        status, page = call_api(base, f"/api/audit?{q}", token=STATE["admin_token"])
        assert status == 200, page
        out += page["items"]
        if len(page["items"]) < 5000:
            return out
        after = page["items"][-1]["id"]


def _signed_in(s: Session, name: str, password: str) -> str:
    """Sign in through the header form; the token the page keeps (the test's only login)."""
    token = sign_in(s, name, password)
    assert token is not None
    return token


def _sign_out(s: Session) -> None:
    s.page.click("#logout-btn")
    s.page.wait_for_function("!('user' in document.body.dataset)", timeout=TIMEOUT_MS)
    s.settle()


def _admin_tab_is_hidden(s: Session) -> None:
    page = s.page
    assert page.locator(".tabs button[data-tab='admin']").is_hidden()
    assert page.locator("#tab-admin").is_hidden()
    assert page.eval_on_selector("#tab-admin", "e => e.childElementCount") == 0


def _trail_ids(s: Session) -> list[int]:
    return [
        int(x)
        for x in s.page.eval_on_selector_all(
            "#adm-trail tbody tr", "rs => rs.map(r => r.dataset.id)"
        )
    ]


def _settle(s: Session) -> None:
    s.page.wait_for_function("document.body.dataset.pending === '0'", timeout=TIMEOUT_MS)


def _only_refused_requests(s: Session) -> None:
    """Console errors are only the browser's own lines for answers the test provoked (4xx)."""
    assert [e for e in s.errors if not re.search(r"status of 4\d\d", e)] == [], s.errors


@pytest.fixture(scope="module")
def page(
    open_dashboard: Callable[..., Session], tmp_path_factory: pytest.TempPathFactory
) -> Session:
    """The dashboard of an app whose store has an admin, an officer, a reviewer and a viewer."""
    from metrocircle.api import app as app_module
    from metrocircle.settings import Settings
    from metrocircle.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('admin') / 'store.sqlite'}"
    with Store(url) as store:
        for name, password, role, unit in USERS:
            store.add_user(name, role=role, unit=unit, password=password, actor="test")
        for n in range(MARKERS):
            store.log(actor="test", action="test_marker", detail={"n": n}, origin="test")
    STATE["url"] = url
    # the travel-time, sector and coverage routers play no part here: leave them out
    lean = {
        k: r for k, r in app_module.ROUTERS.items() if k not in {"access", "sectors", "coverage"}
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app_module, "ROUTERS", lean)
        app = app_module.create_app(Settings(environment="test", db=url))
    assert {"/api/audit", "/api/audit/verify", "/api/users"} <= set(app.openapi()["paths"])
    s = open_dashboard(app, name="admin")
    s.page.on("request", lambda r: SENT.append(f"{r.method} {r.url}"))
    return s


def test_the_tab_is_hidden_and_never_requested_for_public_officer_and_reviewer(
    page: Session,
) -> None:
    base = page.base_url
    _admin_tab_is_hidden(page)
    page.shot("1-public")

    token = _signed_in(page, *OFFICER)
    _admin_tab_is_hidden(page)
    assert page.page.locator(".tabs button[data-tab='submit']").is_visible()
    # an officer's submission through the API: it must appear in the trail with its origin
    row = {
        "indicator": "intl_air_routes",
        "scope": "500112",
        "period": YEAR,
        "value": 7.0,
        "unit": "count",
        "source": "test input for the audit tab",
    }
    status, sub = call_api(base, "/api/observations", token=token, body={"observations": [row]})
    assert status == 201, sub
    STATE["batch"] = sub["batch_id"]
    STATE["obs_ids"] = sub["ids"]
    status, _ = call_api(base, "/api/audit", token=token)
    assert status == 403  # the oracle: officers may not read the log
    page.shot("2-officer")
    _sign_out(page)

    token = _signed_in(page, *REVIEWER)
    _admin_tab_is_hidden(page)
    status, rv = call_api(
        base,
        f"/api/observations/{sub['ids'][0]}/review",
        token=token,
        body={"decision": "accept"},
    )
    assert status == 200, rv
    page.shot("3-reviewer")
    _sign_out(page)

    assert not [u for u in SENT if "/api/audit" in u or "/api/users" in u], SENT
    assert page.errors == []


def test_an_admin_sees_the_tab_with_an_intact_log(page: Session) -> None:
    STATE["admin_token"] = _signed_in(page, *ADMIN)
    p = page.page
    tab = p.locator(".tabs button[data-tab='admin']")
    assert tab.is_visible()
    assert tab.inner_text() == "留痕"
    assert p.locator("#tab-admin").is_visible()  # a fresh admin sign-in opens it
    p.wait_for_selector("#adm-verify[data-ok='true']", timeout=TIMEOUT_MS)
    p.wait_for_selector("#adm-trail tbody tr", timeout=TIMEOUT_MS)
    p.wait_for_selector("#adm-users tbody tr", timeout=TIMEOUT_MS)
    _settle(page)
    status, v = call_api(page.base_url, "/api/audit/verify", token=STATE["admin_token"])
    assert status == 200 and v["ok"], v
    box = p.locator("#adm-verify")
    assert box.get_attribute("data-entries") == str(v["entries"])
    text = box.inner_text()
    assert "完整" in text and v["head_hash"] in text
    assert "TAMPERED" not in text
    page.shot("4-admin-intact")


def test_the_trail_shows_the_newest_entries_first_and_pages_back(page: Session) -> None:
    p = page.page
    every = _audit(page.base_url)
    assert len(every) > PAGE  # the markers make the log longer than one page
    newest_first = [e["id"] for e in reversed(every)]
    assert _trail_ids(page) == newest_first[:PAGE]

    # the officer's submission, as the log recorded it: no before, the batch after, the origin
    entry = next(e for e in every if e["action"] == "submit_observations")
    assert entry["actor"] == OFFICER[0] and entry["after"]["batch_id"] == STATE["batch"]
    r = p.locator(f"#adm-trail tr[data-id='{entry['id']}']")
    assert r.get_attribute("data-actor") == OFFICER[0]
    assert r.locator(".adm-before").inner_text() == "–"
    assert json.loads(r.locator(".adm-after").inner_text()) == entry["after"]
    assert r.locator(".adm-origin").inner_text() == entry["origin"]
    assert entry["origin"].startswith("api 127.0.0.1")
    assert STATE["batch"] in r.locator(".adm-entity").inner_text()
    # the review that accepted it: before and after
    review = next(e for e in every if e["action"] == "review_observations")
    r = p.locator(f"#adm-trail tr[data-id='{review['id']}']")
    assert json.loads(r.locator(".adm-before").inner_text()) == review["before"]
    assert json.loads(r.locator(".adm-after").inner_text()) == review["after"]
    assert review["before"]["status"] == "submitted" and review["after"]["status"] == "accepted"
    r.scroll_into_view_if_needed()
    page.shot("5-trail")

    p.click("#adm-more")
    p.wait_for_selector("#adm-trail-end", timeout=TIMEOUT_MS)
    _settle(page)
    assert _trail_ids(page) == newest_first
    assert p.locator("#adm-more").count() == 0

    # filter by actor, then by action: the rows are the API's filtered answer, newest first
    p.fill("#adm-actor", OFFICER[0])
    p.click("#adm-filter-apply")
    p.wait_for_selector(f"#adm-trail tbody tr[data-actor='{OFFICER[0]}']", timeout=TIMEOUT_MS)
    _settle(page)
    by_officer = [e["id"] for e in reversed(_audit(page.base_url, actor=OFFICER[0]))]
    assert len(by_officer) >= 2  # the submission and the sign-out
    assert _trail_ids(page) == by_officer
    page.shot("6-filter-actor")
    p.fill("#adm-actor", "")
    p.fill("#adm-action", "test_marker")
    p.click("#adm-filter-apply")
    p.wait_for_selector("#adm-trail tbody tr[data-action='test_marker']", timeout=TIMEOUT_MS)
    _settle(page)
    markers = [e["id"] for e in reversed(_audit(page.base_url, action="test_marker"))]
    assert len(markers) == MARKERS
    assert _trail_ids(page) == markers[:PAGE]  # a filtered trail pages the same way
    p.click("#adm-more")
    p.wait_for_selector("#adm-trail-end", timeout=TIMEOUT_MS)
    _settle(page)
    assert _trail_ids(page) == markers
    p.click("#adm-filter-clear")
    p.wait_for_function(
        f"document.querySelectorAll('#adm-trail tbody tr').length === {PAGE}", timeout=TIMEOUT_MS
    )
    _settle(page)
    assert _trail_ids(page) == newest_first[:PAGE]


def test_adding_a_user_checks_the_fields_and_the_user_can_signed_in(page: Session) -> None:
    p = page.page
    base = page.base_url
    name, password, unit = NEW_OFFICER
    posted_before = sum(1 for u in SENT if u == f"POST {base}/api/users")
    form = p.locator("#adm-user-form")
    form.scroll_into_view_if_needed()
    # an officer without a unit, a short password: refused here, nothing is sent
    p.fill("#adm-user-name", name)
    p.select_option("#adm-user-role", "officer")
    p.fill("#adm-user-password", "short-pw")
    p.fill("#adm-user-password2", "short-pw")
    p.click("#adm-user-add")
    p.wait_for_selector(".field-error[data-field='password']", timeout=TIMEOUT_MS)
    assert p.locator(".field-error[data-field='unit']").inner_text() == "数据专员必须绑定一个单位"
    assert p.locator(".field-error[data-field='password']").inner_text() == "密码至少 12 个字符"
    assert sum(1 for u in SENT if u == f"POST {base}/api/users") == posted_before
    page.shot("7-user-form-errors")

    # the server's own check: the password may not contain the user name (4xx naming the field)
    p.select_option("#adm-user-unit", unit)
    p.fill("#adm-user-password", f"{name}-2026")
    p.fill("#adm-user-password2", f"{name}-2026")
    p.click("#adm-user-add")
    p.wait_for_selector("#adm-user-refused", timeout=TIMEOUT_MS)
    _settle(page)
    assert p.get_attribute("#adm-user-refused", "data-status") == "422"
    assert "user name" in p.locator(".field-error[data-field='password']").inner_text()
    assert p.locator(".field-error[data-field='unit']").count() == 0
    status, _ = call_api(
        base, "/api/auth/token", form={"username": name, "password": f"{name}-2026"}
    )
    assert status == 401  # nothing was created
    page.shot("8-user-server-error")

    p.fill("#adm-user-password", password)
    p.fill("#adm-user-password2", password)
    p.click("#adm-user-add")
    p.wait_for_selector(f"#adm-user-ok[data-name='{name}']", timeout=TIMEOUT_MS)
    p.wait_for_selector(f"#adm-users tr[data-name='{name}']", timeout=TIMEOUT_MS)
    _settle(page)
    r = p.locator(f"#adm-users tr[data-name='{name}']")
    assert r.get_attribute("data-role") == "officer"
    assert "江北区 (500105)" in r.inner_text()
    status, body = call_api(base, "/api/auth/token", form={"username": name, "password": password})
    assert status == 200, body
    assert body["user"] == {"name": name, "role": "officer", "unit": unit}
    # the trail was read again: its newest entry is the account just made
    first = p.locator("#adm-trail tbody tr").first
    assert first.get_attribute("data-action") == "add_user"
    assert json.loads(first.locator(".adm-after").inner_text())["name"] == name
    page.shot("9-user-added")
    _only_refused_requests(page)


def test_disabling_a_user_kills_their_token_and_an_admin_cannot_disable_themselves(
    page: Session,
) -> None:
    p = page.page
    base = page.base_url
    status, body = call_api(
        base, "/api/auth/token", form={"username": VIEWER[0], "password": VIEWER[1]}
    )
    assert status == 200, body
    viewer_token = body["access_token"]
    assert call_api(base, "/api/auth/me", token=viewer_token)[0] == 200

    row = p.locator(f"#adm-users tr[data-name='{VIEWER[0]}']")
    assert row.get_attribute("data-disabled") == "false"
    row.locator("button.adm-toggle").click()
    p.wait_for_selector(
        f"#adm-users tr[data-name='{VIEWER[0]}'][data-disabled='true']", timeout=TIMEOUT_MS
    )
    _settle(page)
    assert call_api(base, "/api/auth/me", token=viewer_token)[0] == 401
    first = p.locator("#adm-trail tbody tr").first
    assert first.get_attribute("data-action") == "disable_user"
    assert json.loads(first.locator(".adm-before").inner_text()) == {"disabled": False}
    after = json.loads(first.locator(".adm-after").inner_text())
    # disabling also revokes the user's API tokens (issue 19.5); the entry lists which
    assert after["disabled"] is True
    assert isinstance(after["revoked_tokens"], list)
    page.shot("10-user-disabled")

    me = p.locator(f"#adm-users tr[data-name='{ADMIN[0]}']")
    me.locator("button.adm-toggle").click()
    p.wait_for_selector(
        f"#adm-users tr[data-name='{ADMIN[0]}'] .adm-user-error", timeout=TIMEOUT_MS
    )
    _settle(page)
    assert "HTTP 409" in me.locator(".adm-user-error").inner_text()
    assert me.get_attribute("data-disabled") == "false"
    assert call_api(base, "/api/auth/me", token=STATE["admin_token"])[0] == 200
    page.shot("11-self-disable-refused")
    _only_refused_requests(page)


def test_the_exports_download_the_log_with_the_token_in_a_header(page: Session) -> None:
    p = page.page
    p.locator("#adm-export-jsonl").scroll_into_view_if_needed()
    with p.expect_download(timeout=TIMEOUT_MS) as got:
        p.click("#adm-export-jsonl")
    download = got.value
    assert re.fullmatch(r"audit-\d{8}T\d{6}Z\.jsonl", download.suggested_filename)
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    every = _audit(page.base_url)
    assert len(lines) == len(every)
    for line, entry in zip(lines, every, strict=True):
        row = json.loads(line)
        for k in ("id", "actor", "action", "entity", "entity_id", "origin", "prev_hash", "hash"):
            assert row[k] == entry[k], (k, row, entry)
        for k in ("before", "after"):
            assert (None if row[k] is None else json.loads(row[k])) == entry[k]
    p.wait_for_selector(".adm-export-done", timeout=TIMEOUT_MS)

    with p.expect_download(timeout=TIMEOUT_MS) as got:
        p.click("#adm-export-csv")
    raw = Path(got.value.path()).read_text(encoding="utf-8")
    assert raw.startswith("\ufeff")  # the BOM Excel needs to read the Chinese as UTF-8
    rows = list(csv.DictReader(io.StringIO(raw.removeprefix("\ufeff"))))
    assert [int(r["id"]) for r in rows] == [e["id"] for e in every]
    assert [r["hash"] for r in rows] == [e["hash"] for e in every]
    page.shot("12-exported")
    token = STATE["admin_token"]
    assert not [u for u in SENT if token in u]  # the token never went into an address
    assert [u for u in SENT if "/api/audit/export?format=jsonl" in u]


def test_tampering_is_reported_after_verify_again(page: Session) -> None:
    import sqlalchemy as sa

    from metrocircle.store import Store

    p = page.page
    p.click("#lang-btn")  # the verdict in English: the same tab, the other language
    assert p.locator(".tabs button[data-tab='admin']").inner_text() == "Audit"
    assert "intact" in p.locator("#adm-verify").inner_text()
    with Store(STATE["url"]) as store, store.engine.begin() as conn:
        conn.execute(sa.text("DROP TRIGGER audit_log_no_update"))
        conn.execute(sa.text("UPDATE audit_log SET actor='mallory' WHERE id=1"))
    p.locator("#adm-verify-again").scroll_into_view_if_needed()
    p.click("#adm-verify-again")
    p.wait_for_selector("#adm-verify[data-ok='false']", timeout=TIMEOUT_MS)
    _settle(page)
    status, v = call_api(page.base_url, "/api/audit/verify", token=STATE["admin_token"])
    assert status == 200 and not v["ok"] and v["first_bad_id"] == 1, v
    box = p.locator("#adm-verify")
    assert box.get_attribute("data-first-bad-id") == "1"
    text = box.inner_text()
    assert "TAMPERED" in text and "#1" in text
    problems = box.locator(".adm-problems li").all_inner_texts()
    assert problems == v["problems"] and problems
    assert "audit entry 1" in problems[0]
    page.shot("13-tampered")
    _only_refused_requests(page)
