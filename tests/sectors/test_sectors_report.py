"""Report sections for the sectors: both languages complete, self-contained HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from metrocircle.region import Region
from metrocircle.report.sections.sectors import render_sections


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sections_are_complete_and_self_contained(region: Region, lang: str) -> None:
    secs = render_sections(region, lang=lang)
    assert len(secs) == 5
    for title, html in secs:
        assert title and html.startswith("<section")
        assert not re.search(r"(src|href)\s*=|https?://|<script", html)
        c = _Checker()
        c.feed(html)
        assert not c.errors and not c.stack, title
    text = " ".join(h for _, h in secs)
    if lang == "zh":
        assert "89.4%" in text and "川渝高竹新区" in text and "洪崖洞" in text and "渝中区" in text
    else:
        assert "89.4 %" in text and "Gaozhu" in text and "Hongyadong" in text
        # English text carries no Chinese, except the class label 劣V, which has no English form
        stripped = re.sub(r"<[^>]+>", "", text).replace("劣V", "")
        assert not re.search(r"[\u4e00-\u9fff]", stripped), re.findall(
            r".{20}[\u4e00-\u9fff].{20}", stripped
        )[:3]


def test_bad_language(region: Region) -> None:
    with pytest.raises(ValueError, match="lang"):
        render_sections(region, lang="fr")
