"""Open a table file (CSV or XLSX) safely and read its rows lazily, naming file and row.

A symbolic link, a FIFO or a device is refused; a CSV in UTF-8 (BOM tolerated) or in
GBK/GB18030 is read; fields beyond the header and over-long fields are kept for the
caller to name (:data:`EXTRA_FIELDS`, :data:`MAX_FIELD_BYTES`).
"""

from __future__ import annotations

import codecs
import csv
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError, Problem

__all__ = ["EXTRA_FIELDS", "MAX_FIELD_BYTES", "count_table_rows", "open_table"]

MAX_FIELD_BYTES = 128 * 1024
"""Longest field of an observation file or request (128 KiB): far more than any citation
needs; a longer field is a mistake or an attack, refused by row and field."""
_CSV_READ_LIMIT = 16 * 1024 * 1024
"""Longest field the CSV reader takes in at all (so an over-long one is reported by field)."""
_SNIFF_BYTES = 1 << 16
"""Bytes read to tell UTF-8 from GBK/GB18030 before streaming the rest."""
EXTRA_FIELDS = "\x00extra"
"""Key of a row's fields beyond the header (a key no header can have: NUL is refused)."""


def _refuse(name: str, row: int, field: str, message: str) -> DataValidationError:
    return DataValidationError([Problem(name, row, field, message)], summary=f"{name}: {message}")


def _open_regular(path: Path) -> int:
    """Open ``path`` for reading when it is a regular file itself (not a link, FIFO, device)."""
    name = path.name
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    if path.is_symlink():
        raise _refuse(name, 0, "*", "is a symbolic link; give the file itself")
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise _refuse(name, 0, "*", "file not found") from None
    except OSError as exc:  # ELOOP: a link swapped in after the check; EACCES; …
        raise _refuse(name, 0, "*", f"cannot open the file: {exc.strerror}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _refuse(name, 0, "*", "not a regular file (a folder, pipe or device)")
    os.set_blocking(fd, True)
    return fd


def _cjk_share(text: str) -> float:
    """Share of the non-ASCII characters that are CJK ideographs or CJK punctuation."""
    wide = [c for c in text if ord(c) > 127]
    if not wide:
        return 0.0
    cjk = sum(
        1
        for c in wide
        if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f" or "\uff00" <= c <= "\uffef"
    )
    return cjk / len(wide)


def _encoding_of(fh: io.BufferedReader, name: str) -> str:
    """``utf-8-sig``, or ``gb18030`` for a GBK file (what Excel on Chinese Windows saves).

    Decided on the first 64 KiB: UTF-8 when it decodes as UTF-8; GB18030 (a superset of
    GBK) when it decodes as that and its non-ASCII text is mostly Chinese; refused otherwise.
    """
    sample = fh.read(_SNIFF_BYTES)
    fh.seek(0)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8-sig"
    try:
        text = codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
    except UnicodeDecodeError:
        text = ""
    if text and _cjk_share(text) >= 0.8:
        return "gb18030"
    msg = "not UTF-8 text (nor GBK Chinese text); save it as “CSV UTF-8” in Excel"
    raise _refuse(name, 0, "*", msg)


def _csv_records(reader: Any, name: str, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each non-blank record, read one at a time."""
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            hint = (
                "the file changes encoding midway"
                if encoding == "gb18030"
                else "not UTF-8 text here; if Excel saved it as GBK, save it as “CSV UTF-8”"
            )
            raise _refuse(name, reader.line_num + 1, "*", f"{hint} ({exc.reason})") from None
        except csv.Error as exc:
            line = reader.line_num
            if "field larger than field limit" in str(exc):
                msg = f"a field is longer than {MAX_FIELD_BYTES // 1024} KiB"
                raise _refuse(name, line, "*", msg) from None
            raise _refuse(name, line, "*", f"malformed CSV: {exc}") from None
        if not rec or all(not c.strip() for c in rec):
            continue
        yield reader.line_num, rec


def _csv_dicts(
    records: Iterator[tuple[int, list[str]]], header: list[str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    n = len(header)
    for line, rec in records:
        row: dict[str, Any] = dict(zip(header, rec, strict=False))
        if len(rec) > n:
            row[EXTRA_FIELDS] = rec[n:]
        yield line, row


@contextmanager
def open_table(path: Path) -> Iterator[tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]]:
    """Open a CSV or XLSX file: its header and an iterator of (line, row dict), read lazily.

    Rows are read one at a time, so memory does not grow with the file while reading.
    Symbolic links and anything but a regular file are refused (nothing of their target is
    echoed); a CSV in UTF-8 (BOM tolerated) or GBK/GB18030 is read.

    Raises
    ------
    DataValidationError
        When the file is missing, a link or not a regular file, empty, in another encoding,
        or of an unknown type.
    """
    name = path.name
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise _refuse(name, 0, "*", f"unsupported file type {suffix!r}; use .csv or .xlsx")
    fd = _open_regular(path)
    with os.fdopen(fd, "rb") as fh:
        if suffix == ".csv":
            encoding = _encoding_of(fh, name)
            if csv.field_size_limit() < _CSV_READ_LIMIT:
                csv.field_size_limit(_CSV_READ_LIMIT)
            text = io.TextIOWrapper(fh, encoding=encoding, newline="")
            reader = csv.reader(text)
            records = _csv_records(reader, name, encoding)
            first = next(records, None)
            header = [h.strip() for h in first[1]] if first else []
            if not header or not any(header):
                raise _refuse(name, 1, "*", "the file has no header row")
            yield header, _csv_dicts(records, header)
        else:
            yield from _xlsx_table(fh, name)


def _xlsx_table(
    fh: io.BufferedReader, name: str
) -> Iterator[tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(fh, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several types for a corrupt workbook
        raise _refuse(name, 0, "*", f"unreadable workbook: {exc}") from None
    try:
        ws = wb.worksheets[0]
        it = ws.iter_rows(values_only=True)
        first = next(it, None)
        header = [str(c).strip() if c is not None else "" for c in (first or ())]
        if not header or not any(header):
            raise _refuse(name, 1, "*", "the file has no header row")

        def rows() -> Iterator[tuple[int, dict[str, Any]]]:
            for line, vals in enumerate(it, start=2):
                if vals is None or all(v is None for v in vals):
                    continue
                yield line, {h: _cell(v) for h, v in zip(header, vals, strict=False) if h}

        yield header, rows()
    finally:
        wb.close()


def _cell(v: Any) -> Any:
    """A workbook cell as text; a boolean stays a boolean (refused where a number is due)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return v
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))  # Excel keeps every number as a double: 2024.0 is the year 2024
    return str(v)


def count_table_rows(path: Path) -> int:
    """Non-blank data rows of a CSV or XLSX file, read one at a time (for a progress bar)."""
    with open_table(path) as (_, rows):
        return sum(1 for _ in rows)
