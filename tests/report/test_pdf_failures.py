"""`report --pdf` when the PDF cannot be made: fail before the build, never lose a good file."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from metrocircle._errors import MetrocircleError
from metrocircle.cli.evaluate import report_command
from metrocircle.region import Region
from metrocircle.report import build, output

AS_OF = 2026


def _no_build(*_a: Any, **_k: Any) -> Any:
    raise AssertionError("the report was built although the PDF could not be made")


def test_missing_weasyprint_fails_before_the_build(
    region: Region, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = tmp_path / f"report-{region.name}-zh.html"
    good.write_text("<p>the good report of last week</p>", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails
    monkeypatch.setattr(build, "_render", _no_build)
    with pytest.raises(MetrocircleError, match="WeasyPrint"):
        build.build_report(region, lang="zh", out_dir=tmp_path, pdf=True, as_of=AS_OF)
    assert good.read_text(encoding="utf-8") == "<p>the good report of last week</p>"
    # the command says so in the chosen language, at once, with exit status 2
    app = typer.Typer()
    app.command("report")(report_command)
    app.command("noop")(lambda: None)
    t0 = time.monotonic()
    res = CliRunner().invoke(
        app, ["report", "--pdf", "--no-store", "--lang", "en", "--out", str(tmp_path)]
    )
    assert res.exit_code == 2, res.output
    assert "PDF output needs WeasyPrint" in res.stderr
    assert time.monotonic() - t0 < 10
    assert good.read_text(encoding="utf-8") == "<p>the good report of last week</p>"


def test_a_failed_pdf_keeps_the_html_and_the_previous_pdf(
    region: Region, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint

    class Broken:
        def __init__(self, *_a: Any, **_k: Any) -> None:
            pass

        def write_pdf(self, target: str) -> None:
            Path(target).write_bytes(b"%PDF-half")  # a partial file, then the failure
            raise RuntimeError("Pango fell over")

    monkeypatch.setattr(weasyprint, "HTML", Broken)
    old_pdf = tmp_path / f"report-{region.name}-zh.pdf"
    old_pdf.write_bytes(b"%PDF-the good one")
    small = dataclasses.replace(region, targets=region.targets[:2])
    with pytest.raises(MetrocircleError, match="Pango fell over") as err:
        build.build_report(small, lang="zh", out_dir=tmp_path, pdf=True, as_of=AS_OF)
    assert "HTML 报告已保留" in str(err.value)
    html = tmp_path / f"report-{region.name}-zh.html"
    assert "实施评估报告" in html.read_text(encoding="utf-8")
    assert old_pdf.read_bytes() == b"%PDF-the good one"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part")) == []


def test_the_written_report_is_readable_by_others_as_the_umask_allows(tmp_path: Path) -> None:
    import os

    old = os.umask(0o022)
    try:
        target = tmp_path / "r.html"
        output.replace_atomically(target, lambda tmp: tmp.write_text("x", encoding="utf-8"))
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == 0o644
