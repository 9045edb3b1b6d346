"""``districts`` in one language per run: Chinese headings and roles by default, English with --lang en."""

from __future__ import annotations

from typer.testing import CliRunner

from metrocircle.cli import app

runner = CliRunner()


def test_districts_in_chinese_by_default() -> None:
    res = runner.invoke(app, ["districts"], env={"COLUMNS": "200", "METROCIRCLE_LANG": ""})
    assert res.exit_code == 0, res.output
    assert "重庆都市圈：27 个区县（2020 年人口普查）" in res.output
    assert "功能定位" in res.output
    assert "中心城区" in res.output
    assert "census 2020" not in res.output
    assert "central urban area" not in res.output


def test_districts_in_english() -> None:
    res = runner.invoke(app, ["districts", "--lang", "en"], env={"COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    assert "Chongqing Metropolitan Area: 27 units (census 2020)" in res.output
    assert "central urban area" in res.output
    assert "功能定位" not in res.output


def test_districts_refuses_an_unknown_language() -> None:
    res = runner.invoke(app, ["districts", "--lang", "de"])
    assert res.exit_code == 2
