"""The report's commute-circle sections: every unit and scenario, rail reach, the project ranking."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from metrocircle.access.ranking import rank_projects
from metrocircle.region import Region
from metrocircle.report.sections._html import table
from metrocircle.report.sections.access import render_sections


class _Rows(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _rows(html: str) -> list[list[str]]:
    parser = _Rows()
    parser.feed(html)
    return parser.rows


@pytest.fixture(scope="module", params=["zh", "en"])
def sections(request: pytest.FixtureRequest, region: Region) -> dict[str, str]:
    return dict(render_sections(region, lang=request.param))


def test_three_sections_in_each_language(sections: dict[str, str]) -> None:
    assert len(sections) == 3
    for body in sections.values():
        assert "http" not in body


def test_commute_table_has_every_unit_and_scenario(
    region: Region, sections: dict[str, str]
) -> None:
    body = next(iter(sections.values()))
    rows = _rows(body)
    codes = {r[0] for r in rows if r and r[0].isdigit()}
    assert codes == set(region.county_codes)
    for sid in ("baseline-2020", "plan-2025", "plan-2035"):
        assert sid in body


def test_ranking_lists_every_ranked_project(region: Region, sections: dict[str, str]) -> None:
    body = list(sections.values())[2]
    ranked = rank_projects(region, "plan-2025")
    assert len(_rows(body)) == len(ranked) + 1  # header row


def test_table_escapes_cells() -> None:
    html = table(["x"], [["<script>"]])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_bad_language(region: Region) -> None:
    with pytest.raises(ValueError, match="lang"):
        render_sections(region, lang="fr")
