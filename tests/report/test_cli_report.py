"""The ``evaluate`` and ``report`` commands, mounted on a throwaway Typer app as the lead mounts them."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from metrocircle.cli.evaluate import evaluate_command, report_command
from metrocircle.region import load_region

app = typer.Typer()
app.command("evaluate")(evaluate_command)
app.command("report")(report_command)
runner = CliRunner()


@pytest.fixture(scope="module")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Chongqing dataset with only its first three targets (a fast report)."""
    src = load_region("chongqing").path
    dst = tmp_path_factory.mktemp("ds") / "chongqing_small"
    shutil.copytree(src, dst)
    path = dst / "targets.csv"
    with path.open(encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields, rows = list(reader.fieldnames or []), list(reader)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows[:3])
    return dst


def test_evaluate_json_has_every_target(tmp_path: Path) -> None:
    res = runner.invoke(
        app, ["evaluate", "--json", "--as-of", "2026", "--no-store"], env={"COLUMNS": "200"}
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    region = load_region("chongqing")
    assert [d["id"] for d in data] == [t.id for t in region.targets]
    for d in data:
        for key in (
            "id",
            "status",
            "progress",
            "latest_value",
            "latest_year",
            "projected_value",
            "warnings",
        ):
            assert key in d
        assert d["status"] in {"achieved", "on_track", "at_risk", "off_track", "no_data"}
        assert d["reason"]


def test_evaluate_table_and_store(tmp_path: Path, small_dataset: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    res = runner.invoke(
        app,
        [
            "evaluate",
            "--dataset",
            str(small_dataset),
            "--db",
            db,
            "--lang",
            "en",
            "--as-of",
            "2026",
        ],
        env={"COLUMNS": "200"},
    )
    assert res.exit_code == 0, res.output
    assert "Plan target evaluation" in res.stdout


def test_bad_input_exits_2(tmp_path: Path) -> None:
    res = runner.invoke(app, ["evaluate", "--dataset", str(tmp_path / "nope"), "--no-store"])
    assert res.exit_code == 2
    bad = tmp_path / "t.toml"
    bad.write_text("bogus = 1\n", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", "--no-store", "--thresholds", str(bad)])
    assert res.exit_code == 2
    assert "bogus" in res.stderr


def test_report_command_writes_html(tmp_path: Path, small_dataset: Path) -> None:
    out = tmp_path / "out"
    res = runner.invoke(
        app,
        [
            "report",
            "--dataset",
            str(small_dataset),
            "--lang",
            "en",
            "--out",
            str(out),
            "--no-store",
            "--as-of",
            "2026",
        ],
    )
    assert res.exit_code == 0, res.output
    path = Path(res.stdout.strip().splitlines()[-1])
    assert path.parent == out and path.suffix == ".html"
    assert "Implementation evaluation" in path.read_text(encoding="utf-8")
