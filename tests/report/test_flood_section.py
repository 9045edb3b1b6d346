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


def test_exposure_and_every_fare_scheme_in_both_languages(region: Region) -> None:
    from metrocircle.sectors import fares

    km = f"{flood.load_flood_rules().township_distance_km:g}"
    (zh_flood, zh_fares) = render_sections(region, lang="zh")
    (en_flood, en_fares) = render_sections(region, lang="en")
    assert f"{km} 公里以内的乡镇" in zh_flood[1] and "示意河段" in zh_flood[1]
    assert f"within {km} km of the schematic reach" in en_flood[1]
    for sc in fares.load_fare_rules(region.dataset_path / fares.FARES_FILE).schemes:
        assert f"每月·{sc.name_zh}" in zh_fares[1]
        assert f"Monthly, {sc.name_en}" in en_fares[1]
    assert "每月·分段" in zh_fares[1] and "Monthly, separate" in en_fares[1]
