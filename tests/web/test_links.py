"""The dashboard renders a source as a link only when its URL is http(s) (issue 19, item 6).

The rule lives in web/src/links.js; node runs it on hostile and ordinary addresses, and a scan
of web/src checks that every ``href`` the page builds goes through it (the one exception is the
``blob:`` URL the audit download makes itself).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "web" / "src"

CASES = {
    "https://tjj.cq.gov.cn/zwgk_233/tjgb/": "https://tjj.cq.gov.cn/zwgk_233/tjgb/",
    "  http://example.org/a b ": "http://example.org/a%20b",
    "HTTPS://EXAMPLE.ORG/": "https://example.org/",
    "javascript:alert(1)": None,
    "JavaScript:alert(1)": None,
    " javascript:alert(1)": None,
    "data:text/html,<script>alert(1)</script>": None,
    "vbscript:msgbox(1)": None,
    "//evil.example/x": None,
    "/api/audit": None,
    "ftp://example.org/": None,
    "http://": None,
    '=HYPERLINK("http://evil.example")': None,
    "": None,
}


def test_safe_href_accepts_only_http_and_https(tmp_path: Path) -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (CI installs it to build the dashboard)")
    script = tmp_path / "check.mjs"
    script.write_text(
        f"import {{ safeHref }} from {json.dumps((WEB / 'links.js').as_uri())};\n"
        f"const cases = {json.dumps(list(CASES))};\n"
        "console.log(JSON.stringify([...cases.map(safeHref), safeHref(null), safeHref(42)]));\n",
        encoding="utf-8",
    )
    out = subprocess.run(
        [node, str(script)], capture_output=True, text=True, check=True, timeout=60
    )
    got = json.loads(out.stdout)
    assert got == [*CASES.values(), None, None]


def test_every_link_the_page_builds_goes_through_safe_href() -> None:
    offenders = []
    for js in sorted(WEB.glob("*.js")):
        if js.name == "links.js":
            continue
        lines = js.read_text(encoding="utf-8").splitlines()
        for n, line in enumerate(lines, 1):
            # an attribute `href: value` or the shorthand `{ href, ... }`
            for m in re.finditer(r"(?<![.\w])href\s*(:\s*([^,}]+)|(?=[,}]))", line):
                value = (m.group(2) or "href").strip()
                if value.startswith("safeHref("):
                    continue
                if value == "url" and js.name == "admin.js":  # the blob: URL of a download
                    continue
                if value == "href" and "= safeHref(" in "".join(lines[max(0, n - 6) : n]):
                    continue
                offenders.append(f"{js.name}:{n}: {line.strip()}")
    assert offenders == []
