"""Every command that prints words speaks one language per run: --lang, else $METROCIRCLE_LANG, else zh."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metrocircle._errors import Problem
from metrocircle.cli import app
from metrocircle.problems import render, translate

runner = CliRunner()
HAN = re.compile(r"[\u4e00-\u9fff]")
WIDE = {"COLUMNS": "200", "METROCIRCLE_LANG": ""}


def out_of(*args: str, env: dict[str, str] | None = None) -> str:
    res = runner.invoke(app, list(args), env=env or WIDE)
    assert res.exit_code == 0, res.output
    return res.stdout


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (["info"], "常住人口（2020 年）", "Resident population (2020)"),
        (["targets"], "个量化目标", "quantified targets"),
        (["projects"], "个重点项目", "key projects"),
        (["evaluate", "--no-store"], "判定理由", "reason"),
        (["observations", "--no-store"], "是否计入", "counted"),
        (["scenarios", "list"], "基准情景", "base:"),
        (
            ["scenarios", "compare", "baseline-2020", "plan-2025"],
            "60 分钟内区县数",
            "units within 60 min",
        ),
    ],
)
def test_a_command_in_chinese_by_default_and_in_english_on_request(
    args: list[str], zh: str, en: str
) -> None:
    chinese = out_of(*args)
    assert zh in chinese
    assert en not in chinese
    english = out_of(*args, "--lang", "en")
    assert en in english
    assert zh not in english
    # the environment chooses when --lang is not given
    assert en in out_of(*args, env={"COLUMNS": "200", "METROCIRCLE_LANG": "en"})


def test_info_in_english_has_no_chinese_labels() -> None:
    english = out_of("info", "--lang", "en")
    assert not HAN.search(english), english


def test_validate_says_valid_in_the_chosen_language() -> None:
    assert "数据集有效" in out_of("validate", "chongqing")
    assert "chongqing: valid" in out_of("validate", "chongqing", "--lang", "en")


@pytest.mark.parametrize(
    "cmd", [["info"], ["targets"], ["validate", "chongqing"], ["users", "list"]]
)
def test_an_unknown_language_is_refused_in_the_default_language(cmd: list[str]) -> None:
    res = runner.invoke(app, [*cmd, "--lang", "fr"], env=WIDE)
    assert res.exit_code == 2
    assert "--lang 为 'fr'" in res.stderr


def test_od_takes_unit_names_and_speaks_english() -> None:
    english = out_of("access", "od", "--from", "Bishan", "--to", "渝中", "--lang", "en")
    assert english.startswith("Bishan District → Yuzhong District")
    assert "fastest" in english
    chinese = out_of("access", "od", "--from", "璧山", "--to", "500103")
    assert chinese.startswith("璧山区 → 渝中区")
    assert "最快" in chinese


def test_an_unknown_unit_is_one_message_in_the_chosen_language() -> None:
    res = runner.invoke(app, ["access", "od", "--from", "Atlantis", "--to", "渝中"], env=WIDE)
    assert res.exit_code == 2
    assert "未知的区县：--from Atlantis" in res.stderr
    res = runner.invoke(
        app, ["access", "od", "--from", "Atlantis", "--to", "渝中", "--lang", "en"], env=WIDE
    )
    assert "Unknown unit: --from Atlantis" in res.stderr


def test_isochrone_takes_a_unit_name(tmp_path: Path) -> None:
    out = tmp_path / "iso.geojson"
    text = out_of("access", "isochrone", "--from", "璧山区", "--minutes", "20", "--out", str(out))
    assert "已写入" in text
    assert out.is_file()


def test_a_library_problem_is_said_in_the_chosen_language() -> None:
    assert translate("unknown unit code 500999", "zh") == "未知的区县代码 500999"
    assert translate("required column is missing", "zh") == "缺少必需的列"
    assert translate("Input should be a valid number, unable to parse string", "zh") == "应为数字"
    assert translate("unknown unit code 500999", "en") == "unknown unit code 500999"


def test_a_root_cause_is_reported_once_with_its_count() -> None:
    problems = [
        Problem("targets.csv", i, "scope", "unknown unit code 500999") for i in range(2, 42)
    ]
    lines = render(problems, "zh")
    assert lines[0].startswith("targets.csv:2:scope: 未知的区县代码 500999（共 40 行：2、3、4")
    assert len(lines) == 2
    assert lines[-1] == "发现 40 个问题（1 个根本原因）"


def test_a_units_file_without_codes_is_the_one_cause_of_unknown_units() -> None:
    problems = [
        Problem("units.csv", 1, "code", "required column is missing"),
        *[
            Problem("targets.csv", i, "scope", f"unknown unit code 5001{i:02d}")
            for i in range(2, 12)
        ],
        Problem("projects.csv", 4, "units", "unknown unit code 500103"),
    ]
    lines = render(problems, "en", units_file="units.csv")
    assert lines[0] == "units.csv:1:code: required column is missing"
    assert not any("unknown unit code" in x for x in lines)
    assert "11 more problem(s) follow from the ones above" in lines[1]


def test_validate_reports_a_unit_used_by_many_rows_once(dataset_copy: Path) -> None:
    targets = dataset_copy / "targets.csv"
    rows = targets.read_text(encoding="utf-8").splitlines()
    head, body = rows[0], rows[1:]
    scope = head.split(",").index("scope")

    def swap(line: str) -> str:
        cells = line.split(",")
        if len(cells) > scope and cells[scope] == "region":
            cells[scope] = "599999"
        return ",".join(cells)

    changed = [swap(x) for x in body]
    n = sum(a != b for a, b in zip(body, changed, strict=True))
    assert n >= 3
    targets.write_text("\n".join([head, *changed]) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["validate", str(dataset_copy)], env=WIDE)
    assert res.exit_code == 2
    hits = [x for x in res.stderr.splitlines() if "599999" in x]
    assert len(hits) == 1, res.stderr
    assert f"未知的区县代码 599999（共 {n} 行" in hits[0]
