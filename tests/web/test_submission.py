"""Sign-in, the officers' submission form and the reviewers' list in headless Chromium (issue 9).

Accounts are made in the served app's store through the Python API; the API answers are the
oracle for what the page shows. The harness (server thread, browser, request guard,
screenshots into test-artifacts/) is in conftest.py. The submitted values are test inputs in
a throw-away store, not statistics.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from .accounts import SESSION_KEY, call_api, sign_in

pytestmark = pytest.mark.browser

Session = Any  # tests/web/conftest.py Session
TIMEOUT_MS = 90_000
"""Generous: the machine may be shared; a passing run never waits this long."""

OFFICER = ("officer.yubei", "yubei-figures-2026!")
GUANGAN_OFFICER = ("officer.guangan", "guangan-figures-2026!")
REVIEWER = ("reviewer.joint", "joint-office-review-26")
USERS = (
    (*OFFICER, "officer", "500112"),
    (*GUANGAN_OFFICER, "officer", "511600"),
    (*REVIEWER, "reviewer", None),
)
YUBEI = "500112"
GUANGAN_CITY = "511600"
TARGET = "intl_air_routes_ckg_2025"
"""Scoped to 渝北区 (500112); the shipped dataset has no value for it (status no_data)."""
INDICATOR = "intl_air_routes"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
YEAR = date.today().year - 1
"""A period the default evaluation year (this year) includes."""
PUBLISHER = "测试发布机构 test publisher"
PUBLICATION = "《测试公报》 test bulletin"

# every console message of each page (the harness keeps errors only): no secret may appear
CONSOLE: dict[str, list[str]] = {}
# the headers of every POST /api/observations the officer's page sent
POSTED: list[dict[str, str]] = []


TOKENS: dict[str, str] = {}


def _token(base: str, name: str, password: str) -> str:
    """A bearer token for the oracle's requests (one sign-in per user: logins are rate-limited)."""
    if name not in TOKENS:
        status, body = call_api(
            base, "/api/auth/token", form={"username": name, "password": password}
        )
        assert status == 200, body
        TOKENS[name] = str(body["access_token"])
    return TOKENS[name]


def _watch(s: Session) -> Session:
    CONSOLE[s.name] = []
    s.page.on("console", lambda m: CONSOLE[s.name].append(m.text))
    return s


def _only_refused_requests(s: Session) -> None:
    """Console errors are only the browser's own lines for answers the test provoked (4xx)."""
    assert [e for e in s.errors if not re.search(r"status of 4\d\d", e)] == [], s.errors


def _stored_token(s: Session) -> str | None:
    raw = s.page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')")
    return None if raw is None else str(json.loads(raw)["token"])


def _scope_options(s: Session) -> list[str]:
    return [
        v
        for v in s.page.eval_on_selector_all("#sub-scope option", "os => os.map(o => o.value)")
        if v
    ]


def _fill(
    s: Session,
    *,
    value: str,
    period: int = YEAR,
    source: str,
    url: str = "",
    kind: str = "official_statistics",
    publisher: str = PUBLISHER,
    publication: str = PUBLICATION,
) -> None:
    page = s.page
    page.select_option("#sub-indicator", INDICATOR)
    page.fill("#sub-period", str(period))
    page.fill("#sub-value", value)
    page.fill("#sub-source", source)
    page.fill("#sub-source-url", url)
    page.select_option("#sub-source-kind", kind)
    page.fill("#sub-publisher", publisher)
    page.fill("#sub-publication", publication)


def _card_status(s: Session) -> str | None:
    status: str | None = s.page.get_attribute(
        f"#tab-targets li.target-card[data-target-id='{TARGET}']", "data-status"
    )
    return status


def _board_status(base: str) -> dict[str, Any]:
    status, board = call_api(base, "/api/evaluation")
    assert status == 200
    return next(e for e in board["evaluations"] if e["id"] == TARGET)


@pytest.fixture(scope="module")
def public(
    open_dashboard: Callable[..., Session], tmp_path_factory: pytest.TempPathFactory
) -> Session:
    """The dashboard of an app whose store has an officer of 渝北区, one of 广安市 and a reviewer."""
    from metrocircle.api import app as app_module
    from metrocircle.settings import Settings
    from metrocircle.store import Store

    url = f"sqlite:///{tmp_path_factory.mktemp('submission') / 'store.sqlite'}"
    with Store(url) as store:
        for name, password, role, unit in USERS:
            store.add_user(name, role=role, unit=unit, password=password, actor="test")
    # the travel-time, sector and coverage routers play no part here: leave them out, so
    # each page opens quickly (the page says they are not available; test_degraded.py)
    lean = {
        k: r for k, r in app_module.ROUTERS.items() if k not in {"access", "sectors", "coverage"}
    }
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(app_module, "ROUTERS", lean)
        app = app_module.create_app(Settings(environment="test", db=url))
    paths = app.openapi()["paths"]
    assert {"/api/auth/token", "/api/auth/me", "/api/observations"} <= set(paths)
    return _watch(open_dashboard(app, name="submission-public"))


@pytest.fixture(scope="module")
def officer(open_dashboard: Callable[..., Session], public: Session) -> Session:
    """A second browser context, signed in as the officer of 渝北区."""
    s = _watch(open_dashboard(name="submission-officer", base_url=public.base_url))

    def record(req: Any) -> None:
        if req.method == "POST" and req.url.endswith("/api/observations"):
            POSTED.append(dict(req.headers))

    s.page.on("request", record)
    sign_in(s, *OFFICER)
    return s


@pytest.fixture(scope="module")
def reviewer(open_dashboard: Callable[..., Session], public: Session) -> Session:
    """A third browser context, signed in as the reviewer."""
    s = _watch(open_dashboard(name="submission-reviewer", base_url=public.base_url))
    sign_in(s, *REVIEWER)
    return s


def test_the_public_page_offers_sign_in_and_no_login_only_tab(public: Session) -> None:
    page = public.page
    assert page.locator("#login-btn").is_visible()
    assert page.locator("#login-btn").inner_text() == "登录"
    for tab in ("submit", "review"):
        assert page.locator(f".tabs button[data-tab='{tab}']").is_hidden()
        assert page.locator(f"#tab-{tab}").is_hidden()
    assert page.locator("#tab-targets").is_visible()
    assert "user" not in page.evaluate("({...document.body.dataset})")
    public.shot("1-public")
    assert public.errors == []


def test_a_wrong_password_shows_an_error(public: Session) -> None:
    page = public.page
    page.click("#login-btn")
    page.fill("#login-user", OFFICER[0])
    page.fill("#login-pass", "not-the-password-1")
    page.click("#login-submit")
    error = page.locator("#login-error")
    error.wait_for(state="visible", timeout=TIMEOUT_MS)
    public.settle()
    assert error.inner_text() == "用户名或密码错误"
    assert "user" not in page.evaluate("({...document.body.dataset})")
    assert _stored_token(public) is None
    assert page.locator(".tabs button[data-tab='submit']").is_hidden()
    public.shot("2-wrong-password")
    page.click("#login-cancel")
    assert page.locator("#login-form").is_hidden()
    assert not any("not-the-password-1" in m for m in CONSOLE[public.name])
    _only_refused_requests(public)


def test_a_prefecture_officer_is_offered_its_own_units_only(public: Session) -> None:
    """An officer of 广安市 may submit for it and its children, and for nothing else."""
    sign_in(public, *GUANGAN_OFFICER)
    status, me = call_api(
        public.base_url, "/api/auth/me", token=_token(public.base_url, *GUANGAN_OFFICER)
    )
    assert status == 200 and me["can_submit"]
    units = {u["code"]: u for u in public.api("/api/units")}
    offered = _scope_options(public)
    assert offered == me["units"]
    assert GUANGAN_CITY in offered and YUBEI not in offered
    assert all(c == GUANGAN_CITY or units[c]["parent"] == GUANGAN_CITY for c in offered)
    # the options are named with the units' names from /api/units
    labels = public.page.eval_on_selector_all(
        "#sub-scope option", "os => os.map(o => o.textContent)"
    )
    assert f"{units[GUANGAN_CITY]['name_zh']} ({GUANGAN_CITY})" in labels
    public.shot("3-guangan-officer")
    # signing out ends the session on the server, hides the officer's tab, forgets the token
    browser_token = _stored_token(public)
    assert browser_token is not None
    public.page.click("#logout-btn")
    public.page.wait_for_function("!('user' in document.body.dataset)", timeout=TIMEOUT_MS)
    status, _ = call_api(public.base_url, "/api/auth/me", token=browser_token)
    assert status == 401  # the token left in the tab's memory is dead on the server too
    TOKENS.pop(GUANGAN_OFFICER[0], None)  # every session of the user ended, the oracle's too
    assert public.page.locator("#auth-notice").inner_text() == "已退出登录"
    assert public.page.locator(".tabs button[data-tab='submit']").is_hidden()
    assert public.page.locator("#tab-targets").is_visible()
    assert _stored_token(public) is None
    _only_refused_requests(public)


def test_the_officer_sees_who_is_signed_in_and_only_their_unit(officer: Session) -> None:
    page = officer.page
    who = page.locator("#auth-who").inner_text()
    assert OFFICER[0] in who and "数据专员" in who and "渝北区" in who
    assert page.locator(".tabs button[data-tab='submit']").is_visible()
    assert page.locator(".tabs button[data-tab='review']").is_hidden()
    assert page.locator("#tab-submit").is_visible()  # a fresh sign-in opens the officer's tab
    token = _stored_token(officer)
    assert token
    stored_locally = page.evaluate("Object.values(localStorage).join(' ')")
    assert token not in stored_locally
    assert token not in page.url
    assert _scope_options(officer) == [YUBEI]
    # the unit of measure comes from the chosen indicator's target
    page.select_option("#sub-indicator", INDICATOR)
    target = next(t for t in officer.api("/api/targets") if t["id"] == TARGET)
    assert target["unit"] in page.input_value("#sub-unit")
    # the source kinds offered are the authority rules' kinds, none chosen until the officer does
    from metrocircle.indicators.authority import AuthorityRules

    kinds = page.eval_on_selector_all("#sub-source-kind option", "os => os.map(o => o.value)")
    assert kinds[0] == "" and set(kinds[1:]) == AuthorityRules.default().kinds
    assert len(kinds) == 1 + len(AuthorityRules.default().kinds)
    # the form speaks English too
    page.click("#lang-btn")
    page.wait_for_function("document.body.dataset.lang === 'en'", timeout=TIMEOUT_MS)
    assert page.locator(".tabs button[data-tab='submit']").inner_text() == "Submit"
    assert "data officer" in page.locator("#auth-who").inner_text()
    assert not re.search(
        r"[\u4e00-\u9fff]", page.locator("#sub-form > label > span").first.inner_text()
    )
    page.click("#lang-btn")
    page.wait_for_function("document.body.dataset.lang === 'zh'", timeout=TIMEOUT_MS)
    officer.shot("4-officer-form")
    assert officer.errors == []


def test_a_refused_value_is_named_next_to_its_field(officer: Session) -> None:
    page = officer.page
    # a missing source is refused before anything is sent
    _fill(officer, value="12", source="")
    page.click("#sub-send")
    assert page.locator(".field-error[data-field='source']").inner_text() == "必填"
    assert POSTED == []
    # an official kind names its publisher and publication, before anything is sent
    _fill(officer, value="12", source="测试来源 test source", publisher="", publication="")
    page.click("#sub-send")
    for f in ("publisher", "publication"):
        assert page.locator(f".field-error[data-field='{f}']").inner_text() == "官方来源须填写"
    assert POSTED == []
    # a negative count passes the page's checks; the API refuses it and names the field
    _fill(officer, value="-5", source="测试来源 test source")
    page.click("#sub-send")
    page.locator("#tab-submit .sub-error").wait_for(timeout=TIMEOUT_MS)
    officer.settle()
    assert page.locator("#tab-submit .sub-error").get_attribute("data-status") == "422"
    assert page.locator(".field-error[data-field='value']").count() == 1
    assert page.locator(".field-error[data-field='value']").inner_text() != ""
    officer.shot("5-refused-value")
    token = _token(officer.base_url, *OFFICER)
    status, mine = call_api(officer.base_url, f"/api/observations?scope={YUBEI}", token=token)
    assert status == 200 and mine["total"] == 0
    _only_refused_requests(officer)


def test_the_officer_submits_and_sees_it_pending(officer: Session) -> None:
    page = officer.page
    _fill(officer, value="120", source="测试来源 test source", url="https://example.org/routes")
    page.click("#sub-send")
    ok = page.locator("#tab-submit .sub-ok")
    ok.wait_for(timeout=TIMEOUT_MS)
    officer.settle()
    batch = ok.get_attribute("data-batch")
    assert batch and batch in ok.inner_text()
    # the page sent an Idempotency-Key, a fresh UUID per attempt
    keys = [h.get("idempotency-key", "") for h in POSTED]
    assert len(keys) == 2 and all(UUID.match(k) for k in keys) and keys[0] != keys[1]
    token = _token(officer.base_url, *OFFICER)
    status, mine = call_api(officer.base_url, f"/api/observations?scope={YUBEI}", token=token)
    assert status == 200
    (row,) = [o for o in mine["items"] if o["batch_id"] == batch]
    assert (
        row["status"] == "submitted" and row["value"] == 120 and row["submitted_by"] == OFFICER[0]
    )
    assert (row["source_kind"], row["publisher"], row["publication"]) == (
        "official_statistics",
        PUBLISHER,
        PUBLICATION,
    )
    item = page.locator(f"#tab-submit .obs-item[data-id='{row['id']}']")
    assert item.get_attribute("data-status") == "submitted"
    assert "待审核" in item.inner_text()
    provenance = item.locator(".obs-provenance")
    assert provenance.get_attribute("data-kind") == "official_statistics"
    assert "统计部门" in provenance.inner_text() and PUBLICATION in provenance.inner_text()
    # pending values do not enter the evaluation
    assert _board_status(officer.base_url)["status"] == "no_data"
    officer.shot("6-submitted")
    assert not any(OFFICER[1] in m or token in m for m in CONSOLE[officer.name])


def test_a_reviewer_accepts_and_everyone_sees_the_board_change(
    reviewer: Session, officer: Session, public: Session
) -> None:
    page = reviewer.page
    assert "审核员" in page.locator("#auth-who").inner_text()
    assert page.locator("#tab-review").is_visible()
    assert page.locator(".tabs button[data-tab='submit']").is_hidden()
    assert _card_status(reviewer) == "no_data"
    token = _token(reviewer.base_url, *REVIEWER)
    status, pending = call_api(reviewer.base_url, "/api/observations?status=submitted", token=token)
    assert status == 200
    (row,) = pending["items"]
    item = page.locator(f"#tab-review .obs-item[data-id='{row['id']}']")
    assert item.count() == 1 and "120" in item.inner_text()
    reviewer.shot("7-pending")
    item.locator(".rv-accept").click()
    page.wait_for_selector("#tab-review .sub-ok[data-status='accepted']", timeout=TIMEOUT_MS)
    reviewer.settle()
    assert item.count() == 0
    ev = _board_status(reviewer.base_url)
    assert ev["status"] != "no_data" and ev["latest_value"] == 120 and ev["latest_year"] == YEAR
    # the reviewer's board was read again
    assert _card_status(reviewer) == ev["status"]
    page.click(".tabs button[data-tab='targets']")
    card = page.locator(f"#tab-targets li.target-card[data-target-id='{TARGET}']")
    card.scroll_into_view_if_needed()
    assert "120" in card.inner_text()
    reviewer.shot("8-accepted-board")
    # the officer sees the submission accepted and the board changed
    officer.page.click("#sub-refresh")
    officer.page.wait_for_selector(
        f"#tab-submit .obs-item[data-id='{row['id']}'][data-status='accepted']", timeout=TIMEOUT_MS
    )
    officer.page.wait_for_function(
        f"document.querySelector(\"li.target-card[data-target-id='{TARGET}']\").dataset.status === '{ev['status']}'",
        timeout=TIMEOUT_MS,
    )
    officer.settle()
    assert (
        "已采纳"
        in officer.page.locator(f"#tab-submit .obs-item[data-id='{row['id']}']").inner_text()
    )
    officer.shot("9-officer-accepted")
    # and so does the public
    public.page.reload()
    public.page.wait_for_selector("body[data-ready='1']", timeout=TIMEOUT_MS)
    public.settle()
    assert _card_status(public) == ev["status"]
    public.shot("10-public-board")
    assert reviewer.errors == []


def test_a_rejection_needs_a_reason_and_the_officer_reads_it(
    reviewer: Session, officer: Session
) -> None:
    page = officer.page
    _fill(officer, value="121", period=YEAR - 1, source="测试来源 test source")
    page.click("#sub-send")
    page.locator("#tab-submit .sub-ok").wait_for(timeout=TIMEOUT_MS)
    officer.settle()
    rv = reviewer.page
    rv.click(".tabs button[data-tab='review']")
    rv.click("#rv-refresh")
    item = rv.locator("#tab-review .obs-item[data-status='submitted']")
    item.wait_for(timeout=TIMEOUT_MS)
    reviewer.settle()
    obs_id = item.get_attribute("data-id")
    item.locator(".rv-reject").click()
    assert item.locator(".rv-error").inner_text() == "退回须填写理由"
    item.locator(".rv-reason").fill("来源不可核实 source not verifiable")
    item.locator(".rv-reject").click()
    rv.wait_for_selector("#tab-review .sub-ok[data-status='rejected']", timeout=TIMEOUT_MS)
    reviewer.settle()
    assert rv.locator(f"#tab-review .obs-item[data-id='{obs_id}']").count() == 0
    reviewer.shot("11-rejected")
    page.click("#sub-refresh")
    mine = page.locator(f"#tab-submit .obs-item[data-id='{obs_id}'][data-status='rejected']")
    mine.wait_for(timeout=TIMEOUT_MS)
    officer.settle()
    assert "来源不可核实 source not verifiable" in mine.inner_text()
    officer.shot("12-officer-rejected")
    _only_refused_requests(officer)


def test_a_forged_token_reads_as_an_expired_session(reviewer: Session) -> None:
    page = reviewer.page
    page.evaluate(
        f"sessionStorage.setItem('{SESSION_KEY}', JSON.stringify({{token: 'forged.token.value', expiresAt: null}}))"
    )
    page.reload()
    page.wait_for_selector("body[data-ready='1']", timeout=TIMEOUT_MS)
    reviewer.settle()
    assert page.locator("#auth-notice").inner_text() == "登录已过期，请重新登录"
    assert "user" not in page.evaluate("({...document.body.dataset})")
    assert page.locator(".tabs button[data-tab='review']").is_hidden()
    assert _stored_token(reviewer) is None
    reviewer.shot("13-expired")
