"""Bracketed text in help and data is printed as written, never eaten as Rich markup (issue 14)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from metrocircle.cli import app

runner = CliRunner()
BRACKETED = "区统计公报 [files.facilities] [bold]粗[/bold] [water_body]"


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args), env={"COLUMNS": "250"})
    return res.exit_code, res.stdout, res.stderr


def test_help_keeps_bracketed_words() -> None:
    code, out, _ = run("water", "classify", "--help")
    assert code == 0
    assert "[water_body]" in out


def test_every_help_text_with_brackets_is_printed_whole() -> None:
    """Walk every command: each help text's bracketed words appear in its --help output."""
    root = typer.main.get_command(app)
    checked = 0

    def walk(cmd: Any, path: list[str]) -> None:
        nonlocal checked
        if hasattr(cmd, "commands"):  # a group (typer's own click, not necessarily click's)
            for name, sub in cmd.commands.items():
                walk(sub, [*path, name])
        texts = [cmd.help or ""] + [getattr(p, "help", None) or "" for p in cmd.params]
        words = [w for t in texts for w in t.split() if "[" in w and "]" in w]
        if not words:
            return
        code, out, _ = run(*path, "--help")
        assert code == 0, path
        flat = " ".join(out.split())
        for w in words:
            assert w.strip(".,;:()") in flat, (path, w)
            checked += 1

    walk(root, [])
    assert checked >= 1


def test_a_source_with_brackets_is_shown_in_the_observation_table(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    f = tmp_path / "obs.csv"
    f.write_text(
        f"indicator,scope,period,value,unit,source\ngdp,500103,2024,1500.5,100m_yuan,{BRACKETED}\n",
        encoding="utf-8",
    )
    code, _, err = run("import", "observations", str(f), "--db", db, "--submitted-by", "渝中区")
    assert code == 0, err
    code, out, err = run("observations", "--indicator", "gdp", "--scope", "500103", "--db", db)
    assert code == 0, err
    flat = "".join(out.split())
    assert "".join(BRACKETED.split()) in flat
