"""The flood and fares sections of the report, in both languages."""

from __future__ import annotations

import re

from metrocircle.region import Region
from metrocircle.report.build import SECTIONS
from metrocircle.report.sections.flood import render_sections
from metrocircle.sectors import flood


def test_registered_in_the_report() -> None:
    assert "flood" in dict(SECTIONS)


def test_station_table_has_every_station_and_its_published_levels(region: Region) -> None:
    stations = flood.dataset_stations()
    (zh_flood, zh_fares) = render_sections(region, lang="zh")
    (en_flood, en_fares) = render_sections(region, lang="en")
    assert zh_flood[0] == "流域防洪监测预警"
    assert en_flood[0] == "River-basin flood monitoring and warning"
    for s in stations:
        assert s.name_zh in zh_flood[1]
        if s.warning_level_m is not None:
            assert f"{s.warning_level_m:.2f}" in zh_flood[1]
    # one language per edition: no Latin words in the zh text outside the table's proper names
    text = re.sub(r"<[^>]+>", " ", zh_flood[1] + zh_fares[1])
    assert not re.findall(r"[A-Za-z]{4,}", text)
    assert "暂无数据" in zh_fares[1] and "no data" in en_fares[1]
