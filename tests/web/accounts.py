"""Helpers of the signed-in browser tests: a direct API call (the oracle) and the sign-in form."""

from __future__ import annotations

import json
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

SESSION_KEY = "metrocircle.session"
"""Where web/src/auth.js keeps the session in the tab's sessionStorage."""
TIMEOUT_MS = 90_000


def call_api(
    base: str,
    path: str,
    *,
    token: str | None = None,
    form: dict[str, str] | None = None,
    body: Any = None,
) -> tuple[int, Any]:
    """One request to the served API: (status, parsed JSON body); POST when there is a body."""
    headers = {"Accept": "application/json"}
    data = None
    if form is not None:
        data = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = Request(base + path, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read() or b"null")
    except HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


def sign_in(s: Any, name: str, password: str) -> str | None:
    """Sign in through the header form and wait until the page has settled; the kept token."""
    page = s.page
    page.click("#login-btn")
    page.fill("#login-user", name)
    page.fill("#login-pass", password)
    page.click("#login-submit")
    page.wait_for_selector(f"body[data-user='{name}']", timeout=TIMEOUT_MS)
    s.settle()
    raw = page.evaluate(f"sessionStorage.getItem('{SESSION_KEY}')")
    return None if raw is None else str(json.loads(raw)["token"])
