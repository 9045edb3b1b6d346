"""Progress bars of the long commands: on stderr on a terminal, silent when piped or with --json."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from metrocircle.cli import app
from metrocircle.cli._common import progress_bar

runner = CliRunner()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_bar_draws_on_a_terminal_stderr_only(monkeypatch: pytest.MonkeyPatch) -> None:
    err, out = _Terminal(), _Terminal()
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    with progress_bar("生成评估报告 [files.facilities]") as step:
        step("生成评估报告 [files.facilities]", 3, 7)
    assert "生成评估报告 [files.facilities]" in err.getvalue()
    assert "3/7" in err.getvalue()
    assert out.getvalue() == ""


@pytest.mark.parametrize("json_out", [True, False])
def test_the_bar_is_silent_with_json_or_when_piped(
    monkeypatch: pytest.MonkeyPatch, json_out: bool
) -> None:
    err = _Terminal() if json_out else io.StringIO()  # piped: not a terminal
    monkeypatch.setattr(sys, "stderr", err)
    with progress_bar("ranking", json_out=json_out) as step:
        step("ranking", 1, 2)
    assert err.getvalue() == ""


def test_isochrone_reports_its_steps_and_json_stays_clean(tmp_path: Path) -> None:
    from metrocircle.access.workflows import isochrone
    from metrocircle.region import load_region

    seen: list[tuple[int, int]] = []
    isochrone(load_region("chongqing"), "500103", 20, progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1][0] == seen[-1][1] == len(seen)
    res = runner.invoke(
        app, ["access", "isochrone", "--from", "500103", "--minutes", "20", "--json"]
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["features"]
    assert res.stderr == ""


def test_rank_speaks_the_chosen_language() -> None:
    res = runner.invoke(app, ["projects", "rank", "--lang", "en"], env={"METROCIRCLE_LANG": "zh"})
    assert res.exit_code == 0, res.output
    assert "brings inside 60 min" in res.stdout and "去掉该项目" not in res.stdout
    assert res.stderr == ""  # no bar when stderr is not a terminal


def test_evaluate_takes_its_language_from_the_environment() -> None:
    res = runner.invoke(app, ["evaluate", "--no-store", "--json"], env={"METROCIRCLE_LANG": "en"})
    assert res.exit_code == 0, res.output
    reasons = [e["reason"] for e in json.loads(res.stdout)]
    assert any(r.startswith("No data: needs") for r in reasons)
