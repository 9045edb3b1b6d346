"""The evaluation report: every target in both languages, nothing loaded from outside, PDF renders."""

from __future__ import annotations

import base64
import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from metrocircle._errors import MetrocircleError
from metrocircle.region import Region, load_region
from metrocircle.report import _fonts, build
from metrocircle.report.build import build_report, extra_sections, render_report
from metrocircle.report.i18n import METHOD_PARAGRAPHS, STRINGS

AS_OF = 2026
CJK = re.compile(r"[\u4e00-\u9fff]")
URL_ATTRS = {"src", "href", "srcset", "action", "data", "poster", "xlink:href", "background"}


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: dict[str, list[str]] = {}
        self._stack: list[str] = []
        self.style = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._stack:
            while self._stack and self._stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self._stack:
            self.text.setdefault(self._stack[-1], []).append(data)
            if self._stack[-1] == "style":
                self.style += data


def _parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


@pytest.fixture(scope="module")
def region() -> Region:
    return load_region("chongqing")


@pytest.fixture(scope="module")
def reports(region: Region, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("report")
    calls: list[tuple[str, int, int]] = []
    path = build_report(
        region, lang="zh", out_dir=out, as_of=AS_OF, progress=lambda *a: calls.append(a)
    )
    assert path.name == "report-chongqing-zh.html" and path.is_file()
    dones = [d for _, d, _ in calls]
    assert dones == sorted(dones) and dones[-1] == calls[-1][2]  # the bar reaches its total
    return {
        "zh": path.read_text(encoding="utf-8"),
        "en": render_report(region, lang="en", as_of=AS_OF),
    }


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_target_appears_with_a_status(
    reports: dict[str, str], region: Region, lang: str
) -> None:
    p = _parse(reports[lang])
    rows = [a["data-target"] for t, a in p.tags if t == "tr" and "data-target" in a]
    cards = [a["data-target"] for t, a in p.tags if t == "article" and "data-target" in a]
    ids = [t.id for t in region.targets]
    # each target once: in the table with data or in the no-data one
    assert sorted(rows) == sorted(ids)
    assert cards == [r for r in rows if r in cards]
    assert cards and len(cards) < len(ids)
    html = reports[lang]
    for t in region.targets:
        assert str(escape(t.name_zh if lang == "zh" else t.name_en)) in html
    badges = [a["class"] for t, a in p.tags if t == "span" and "badge" in a.get("class", "")]
    assert len(badges) == 2 * len(cards)  # the table row and the card of each target with data


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_nothing_is_loaded_from_outside(reports: dict[str, str], lang: str) -> None:
    p = _parse(reports[lang])
    assert not [t for t, _ in p.tags if t in {"script", "link", "iframe", "object", "embed"}]
    for tag, attrs in p.tags:
        for k, v in attrs.items():
            if k in URL_ATTRS:
                assert not re.match(r"\s*(https?:)?//", v, re.I), (tag, k, v[:80])
                assert v.startswith(("#", "data:")), (tag, k, v[:80])
    assert not re.search(r"url\(|@import", p.style)
    imgs = [a["src"] for t, a in p.tags if t == "img"]
    assert imgs and all(s.startswith("data:image/svg+xml;base64,") for s in imgs)
    svg = base64.b64decode(imgs[0].split(",", 1)[1]).decode("utf-8")
    assert "<svg" in svg and not re.search(r"(href|src)=\"https?://", svg)


def test_maps_cover_population_and_urbanisation(reports: dict[str, str]) -> None:
    p = _parse(reports["zh"])
    maps = [a["data-indicator"] for t, a in p.tags if t == "figure" and "data-indicator" in a]
    assert maps[:2] == ["resident_population", "urbanisation_rate_pct"]
    assert "gdp" in maps


def test_english_report_is_complete(reports: dict[str, str]) -> None:
    assert STRINGS["zh"].keys() == STRINGS["en"].keys()
    assert len(METHOD_PARAGRAPHS["zh"]) == len(METHOD_PARAGRAPHS["en"])
    en, zh = _parse(reports["en"]), _parse(reports["zh"])
    for tag in ("h1", "h2", "th", "figcaption"):
        assert en.text.get(tag), tag
        assert not any(CJK.search(s) for s in en.text[tag]), (
            tag,
            [s for s in en.text[tag] if CJK.search(s)],
        )
    assert all(CJK.search(s) for s in zh.text["h2"] if s.strip())
    for para in METHOD_PARAGRAPHS["en"]:
        assert not CJK.search(para)
    assert "Progress runs from 0 at the baseline" in reports["en"]
    assert "on track" in reports["en"] or "off track" in reports["en"] or "no data" in reports["en"]


def test_unknown_language_is_rejected(region: Region) -> None:
    with pytest.raises(ValueError, match="lang"):
        render_report(region, lang="fr")


def test_pdf_smoke(region: Region, tmp_path: Path) -> None:
    import pypdf

    small = dataclasses.replace(region, targets=region.targets[:2])
    path = build_report(small, lang="zh", out_dir=tmp_path, pdf=True, as_of=AS_OF)
    pdf = path.with_suffix(".pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    reader = pypdf.PdfReader(str(pdf))
    assert len(reader.pages) >= 3
    first = reader.pages[0].extract_text()
    assert "重庆都市圈" in first


def test_missing_cjk_font_fails_clearly(monkeypatch: pytest.MonkeyPatch) -> None:
    _fonts.cjk_font_family.cache_clear()
    monkeypatch.setattr(_fonts, "CJK_FAMILIES", ("No Such Font Family",))
    monkeypatch.setattr(_fonts, "_FILE_HINTS", ("no-such-font-file",))
    try:
        with pytest.raises(_fonts.MissingFontError, match="fonts-noto-cjk"):
            _fonts.cjk_font_family()
    finally:
        _fonts.cjk_font_family.cache_clear()


def test_extra_sections_come_from_the_listed_functions_in_order(
    region: Region, monkeypatch: pytest.MonkeyPatch
) -> None:
    def alpha(region: Region, *, lang: str) -> list[tuple[str, str]]:
        return [("Alpha " + lang, f"<p class='alpha'>units: {len(region.county_codes)}</p>")]

    def beta(region: Region, *, lang: str) -> list[tuple[str, str]]:
        msg = "needs a facilities file"
        raise MetrocircleError(msg)

    monkeypatch.setattr(build, "SECTIONS", (("alpha", alpha), ("beta", beta)))
    got = extra_sections(region, lang="en")
    assert [t for t, _ in got] == ["Alpha en", "beta"]
    assert "units: 27" in got[0][1]
    assert "needs a facilities file" in got[1][1]


def test_the_shipped_sections_are_listed() -> None:
    from metrocircle.report.sections import access, coverage, flood, sectors

    assert [fn for _, fn in build.SECTIONS] == [
        access.render_sections,
        coverage.render_sections,
        sectors.render_sections,
        flood.render_sections,
    ]


def test_report_prints_the_audit_head(region: Region) -> None:
    """A published report anchors the audit chain: its head hash is printed in the header."""
    from metrocircle.store import Store

    with Store("sqlite://") as store:
        store.log(actor="test", action="note", detail={"why": "anchor"})
        entry_id, digest = store.audit_head()
        html = render_report(region, store=store, as_of=AS_OF, lang="en")
    assert digest is not None
    assert f"#{entry_id} {digest}" in html
    assert "Audit trail check code" in html
