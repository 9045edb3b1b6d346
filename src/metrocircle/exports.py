"""Tables written for people to open in a spreadsheet: CSV (optionally for Excel) and XLSX.

Every export of the package (``metrocircle export``, the audit export of the command line
and of the API) goes through here, so two rules hold everywhere:

* **No formula injection.** Following OWASP's advice on CSV injection, a text cell that
  begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is written with a
  leading single quote, so a spreadsheet shows it as text instead of evaluating it (a source
  such as ``=HYPERLINK(...)`` stays readable and harmless). Numbers stay numbers: a float or
  an integer is never touched, and neither is a text that is exactly a number (``-12.5``).
* **Chinese survives Excel.** ``excel=True`` starts a CSV with a UTF-8 byte-order mark, the
  signal Excel needs to read UTF-8 instead of the local code page; XLSX needs none.

>>> neutralise("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> neutralise("-12.5"), neutralise(-3), neutralise("渝中区")
('-12.5', -3, '渝中区')
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

__all__ = [
    "BOM",
    "DANGEROUS_FIRST",
    "csv_chunks",
    "csv_text",
    "neutralise",
    "neutralise_row",
    "write_csv",
    "write_xlsx",
]

BOM = "\ufeff"
"""The UTF-8 byte-order mark, as text: Excel reads a CSV that starts with it as UTF-8."""

DANGEROUS_FIRST: frozenset[str] = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP)."""

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """``value``, with a text that a spreadsheet would run as a formula made inert.

    Non-text values (numbers, dates, ``None``) are returned unchanged; so is a text that is
    exactly a decimal number, which a spreadsheet reads as that number and nothing else.
    """
    if not isinstance(value, str) or not value or value[0] not in DANGEROUS_FIRST:
        return value
    if _NUMBER.fullmatch(value):
        return value
    return "'" + value


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    """Every cell of ``row`` through :func:`neutralise`."""
    return [neutralise(v) for v in row]


def _cell_text(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return ""
    return "" if v is None else v


def csv_text(rows: Iterable[Sequence[Any]], *, excel: bool = False) -> str:
    """CSV lines of ``rows`` (no header, no BOM), every cell neutralised."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if excel else "\n")
    w.writerows([_cell_text(v) for v in neutralise_row(row)] for row in rows)
    return buf.getvalue()


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, excel: bool = False
) -> Iterator[str]:
    """CSV text, header first, then one chunk per row; neutralised; a BOM first if ``excel``."""
    yield (BOM if excel else "") + csv_text([header], excel=excel)
    for row in rows:
        yield csv_text([row], excel=excel)


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, excel: bool = False
) -> None:
    """Write a neutralised CSV to ``path`` (UTF-8; with a BOM and CRLF lines if ``excel``)."""
    with path.open("w", encoding="utf-8", newline="") as fh:
        for chunk in csv_chunks(header, rows, excel=excel):
            fh.write(chunk)


def _xlsx_value(v: Any) -> Any:
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()  # numpy scalars
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    if isinstance(v, datetime) and v.tzinfo is not None:
        return v.astimezone(UTC).replace(tzinfo=None)  # Excel has no time zones: UTC
    if isinstance(v, (bool, int, float, datetime, date)):
        return v
    return neutralise(str(v))


def write_xlsx(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str = "data"
) -> int:
    """Write one sheet to ``path`` as XLSX; numbers stay numbers, texts are never formulas.

    Returns the number of data rows written.
    """
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet[:31] or "data")
    ws.append([str(h) for h in header])
    n = 0
    for row in rows:
        values = [_xlsx_value(v) for v in row]
        ws.append(values)
        n += 1
    wb.save(path)  # openpyxl would store a text beginning with "=" as a formula: quoted above
    return n
