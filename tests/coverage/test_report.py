"""The coverage report sections: complete in zh and en, and honest about missing facility data."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from metrocircle.region import Region, load_region
from metrocircle.report.sections.coverage import render_sections


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_sections_without_facility_layer(region: Region, lang: str) -> None:
    secs = render_sections(region, lang=lang)
    assert len(secs) == 3
    for title, html in secs:
        assert title and html.startswith("<p>")
        assert html.count("<table") == html.count("</table>")
    rescue = secs[0][1]
    if lang == "zh":
        assert "数据缺失" in rescue and "应急物资储备中心" in rescue
        assert "metrocircle" not in rescue and ".md" not in rescue
        assert not re.search(r"[A-Za-z]{12,}", secs[1][0])
    else:
        assert "No data" in rescue and "emergency reserve centres" in rescue
    siting = secs[1][1]
    base = "2020年现状" if lang == "zh" else "2020 baseline"
    assert "<table" in siting and f"<td>{base}</td>" in siting


def test_bad_lang(region: Region) -> None:
    with pytest.raises(ValueError, match="`lang`"):
        render_sections(region, lang="fr")


def test_sections_with_a_facility_layer(dataset_copy: Path) -> None:
    # a dataset that declares a (test) facility layer gets the coverage table instead of "no data"
    fac = dataset_copy / "facilities.csv"
    fac.write_text(
        "id,name_zh,name_en,type,grade,capacity,capacity_unit,lon,lat,source\n"
        "r1,测试点,,emergency_reserve,,,,106.565198,29.555611,test fixture (units.csv seat of 500103)\n",
        encoding="utf-8",
    )
    manifest = dataset_copy / "manifest.toml"
    manifest.write_text(
        manifest.read_text(encoding="utf-8") + '\n[files.facilities]\npath = "facilities.csv"\n'
        'format = "csv"\nsource = "test fixture"\nlicence = "test"\n',
        encoding="utf-8",
    )
    try:
        region = load_region(dataset_copy)
    except Exception as exc:  # the manifest's file entry may need other fields
        pytest.fail(f"dataset copy with a facilities entry does not load: {exc}")
    html = render_sections(region, lang="en")[0][1]
    assert "No data" not in html
    assert "Yuzhong District" in html and "Whole area" in html
    shutil.rmtree(dataset_copy)
