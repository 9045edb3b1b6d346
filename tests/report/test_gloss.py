"""English names of Chinese sources (report.gloss) and brackets that never nest."""

from __future__ import annotations

import pytest

from metrocircle.region import Region
from metrocircle.report.annexes import place_names
from metrocircle.report.gloss import cite, flatten, place_en, publication_en, publisher_en


@pytest.fixture(scope="module")
def places(region: Region) -> dict[str, str]:
    return place_names(region)


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        (
            "《2023年重庆市国民经济和社会发展统计公报》",
            "Chongqing Statistical Communiqué on National Economic and Social Development 2023",
        ),
        (
            "《重庆市涪陵区2021年国民经济和社会发展统计公报》（2022-04-11）",
            "Fuling District Statistical Communiqué on National Economic and Social Development 2021"
            " (published 2022-04-11)",
        ),
        (
            "《重庆市南岸区人民政府工作报告》（2025年1月8日，2024年工作回顾）",
            "Nan'an District Government Work Report (published 2025-01-08; review of the year's work)",
        ),
        (
            "问答转述（称引自《重庆市2021年国民经济和社会发展统计公报》，非原文）",
            "Answer on a question-and-answer website citing the Chongqing Statistical Communiqué on"
            " National Economic and Social Development 2021 (not the original text)",
        ),
        ("《重庆都市圈发展规划》", "Development Plan of the Chongqing Metropolitan Area"),
    ],
)
def test_publication_titles_in_english(places: dict[str, str], zh: str, en: str) -> None:
    assert publication_en(zh, places) == en


def test_a_compilation_is_not_passed_off_as_the_communique_it_cites(places: dict[str, str]) -> None:
    en = publication_en(
        "2023年重庆市各区县人口排行榜（汇编表；称引自《2023年重庆市国民经济和社会发展统计公报》及各区县公报）",
        places,
    )
    assert en is not None and en.startswith("Ranking table citing the Chongqing Statistical")


def test_publishers_in_english(places: dict[str, str]) -> None:
    assert publisher_en("重庆市统计局、国家统计局重庆调查总队", places) == (
        "Chongqing Statistics Bureau, Chongqing Survey Organisation of the National Bureau of Statistics"
    )
    assert publisher_en("重庆市璧山区人民政府", places) == "Bishan District People's Government"
    assert publisher_en("中国新闻网", places) == "China News Service"
    assert publisher_en("某某公司", places) is None


def test_cite_puts_the_english_name_first_and_marks_the_original(places: dict[str, str]) -> None:
    title = "《2022年重庆市国民经济和社会发展统计公报》（2023-03-17）"
    en = str(cite(title, "en", places))
    assert en.startswith("Chongqing Statistical Communiqué")
    assert en.endswith(f'(<span lang="zh-CN">{title}</span>)')
    assert str(cite(title, "zh", places)) == title
    # a headline no rule renders is named by what it is, with the original beside it
    news = str(cite("新华社2023-02-27报道：重庆轨道交通运营总里程突破500公里", "en", places))
    assert news.startswith("Xinhua News Agency news report, 2023-02-27 (<span")
    # several sources of a derived value are each cited
    both = str(
        cite(
            "《2020年重庆市国民经济和社会发展统计公报》；《四川省2020年国民经济和社会发展统计公报》",
            "en",
            places,
        )
    )
    assert both.count('<span lang="zh-CN">') == 2 and "Sichuan Province Statistical" in both


def test_places_named_by_sources(places: dict[str, str]) -> None:
    assert place_en("南川区", places) == "Nanchuan District"
    assert place_en("重庆主城区", places) == "central Chongqing"
    assert place_en("重庆(主城)", places) == "central Chongqing"


@pytest.mark.parametrize(
    ("text", "lang", "flat"),
    [
        ("目标（不低于80.0%（2025 年））", "zh", "目标（不低于80.0%，2025 年）"),
        (
            "空气质量（89.9%（2024 年））、城镇化率（75.2%（2022 年））",
            "zh",
            "空气质量（89.9%，2024 年）、城镇化率（75.2%，2022 年）",
        ),
        ("Achieved: air (89.9% (2024)).", "en", "Achieved: air (89.9%; 2024)."),
        ("《公报》（2024-03-28）", "zh", "《公报》（2024-03-28）"),
    ],
)
def test_flatten(text: str, lang: str, flat: str) -> None:
    assert flatten(text, lang=lang) == flat
