"""The report's commute-circle sections: every unit and scenario, rail reach; the project ranking of chapter 3."""

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


def test_two_sections_in_each_language(sections: dict[str, str]) -> None:
    assert len(sections) == 2
    for body in sections.values():
        assert "http" not in body
        assert ".toml" not in body
        assert ".csv" not in body


def test_commute_table_has_every_unit_and_scenario(
    region: Region, sections: dict[str, str]
) -> None:
    from metrocircle.network.scenarios import load_region_scenarios

    body = next(iter(sections.values()))
    rows = _rows(body)
    zh = "区县" in body
    names = {
        (region.unit(c).name_zh if zh else region.unit(c).name_en) for c in region.county_codes
    }
    assert names <= {r[0] for r in rows if r}
    for sc in load_region_scenarios(region).values():
        assert (sc.name_zh if zh else sc.name_en) in body
        assert sc.id not in body


def test_ranking_names_projects_and_groups_other_changes(region: Region) -> None:
    from metrocircle.report.chapters import TransportFacts, ranking_rows

    ranked = rank_projects(region, "plan-2025")
    rows = ranking_rows(region, TransportFacts(ranking=ranked), "zh")
    named = {p.id for p in region.projects}
    n_named = sum(1 for p in ranked["project"] if p in named)
    n_other = len(ranked) - n_named
    assert len(rows) == n_named + (1 if n_other else 0)
    if n_other:
        assert f"（{n_other} 项）" in rows[-1][0]
    assert not any("ref:" in r[0] for r in rows)


def test_table_escapes_cells() -> None:
    html = table(["x"], [["<script>"]])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_bad_language(region: Region) -> None:
    with pytest.raises(ValueError, match="lang"):
        render_sections(region, lang="fr")


def test_commute_table_shows_published_beside_the_model(
    region: Region, sections: dict[str, str]
) -> None:
    body = next(iter(sections.values()))
    rows = _rows(body)
    zh = "区县" in body
    head = next(r for r in rows if r and r[0] == ("区县" if zh else "unit"))
    col = len(head) - 1
    assert "公开报道" in head[col] or "published" in head[col]
    nanchuan = region.unit("500119")
    row = next(r for r in rows if r and r[0] == (nanchuan.name_zh if zh else nanchuan.name_en))
    assert row[col].startswith("60 [")  # the published 60 min, not the modelled value
    bishan = region.unit("500120")
    row = next(r for r in rows if r and r[0] == (bishan.name_zh if zh else bishan.name_en))
    assert row[col] == "—"  # nothing published: empty, never the model's figure
    if zh:
        assert "南川区—重庆主城区" in body
    else:  # the English edition names both ends in English
        assert "Nanchuan District–central Chongqing" in body
        assert "南川区" not in body
