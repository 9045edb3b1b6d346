"""``access commute`` speaks one language per run: Chinese by default, English with --lang en."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from metrocircle.cli.access import access_app

runner = CliRunner()
HAN = re.compile(r"[\u4e00-\u9fff]")


def _run(*args: str, env: dict[str, str] | None = None) -> str:
    res = runner.invoke(access_app, ["commute", *args], env={"COLUMNS": "200", **(env or {})})
    assert res.exit_code == 0, res.output
    return res.output


def test_chinese_by_default() -> None:
    out = _run(env={"METROCIRCLE_LANG": ""})
    assert "至解放碑通行时间（分钟，模型）" in out
    assert "周边区县 60 分钟内" in out
    assert "涪陵区" in out
    assert "surrounding units" not in out
    assert "Fuling" not in out


def test_english_with_lang_en() -> None:
    out = _run("--lang", "en")
    assert "Minutes to Jiefangbei (modelled)" in out
    assert "Surrounding units within 60 min" in out
    assert "Fuling District" in out
    # Chinese only where a Chinese term is quoted on purpose (中心城区/主城, 基本实现)
    leftover = set(HAN.findall(re.sub(r"中心城区/主城|基本实现", "", out)))
    assert leftover == set()


def test_the_environment_chooses_when_no_option_is_given() -> None:
    assert "Minutes to Jiefangbei" in _run(env={"METROCIRCLE_LANG": "en"})


def test_an_unknown_language_is_refused() -> None:
    res = runner.invoke(access_app, ["commute", "--lang", "fr"])
    assert res.exit_code == 2
    assert "--lang" in res.output


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_names_are_wrapped_not_cut_in_a_narrow_terminal(lang: str) -> None:
    res = runner.invoke(access_app, ["commute", "--lang", lang], env={"COLUMNS": "80"})
    assert res.exit_code == 0, res.output
    assert "…" not in res.output
