"""Hostile: strict input (issue 19, item 7), on SQLite and on PostgreSQL.

Found by the probe: ``true``, ``"5"`` and ``2.023e3`` were coerced into numbers and years;
look-alike user names (Cyrillic, full-width, case) could be created; ``source_url`` took
``javascript:``; a CSV field over 128 KiB or a NUL byte gave a traceback (PostgreSQL) or was
stored (SQLite); the CLI followed a symbolic link and echoed the first line of its target.
A GBK file (what Excel on Chinese Windows saves) was refused as "not UTF-8".
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from tests.multiuser.harness import PASSWORD, Env
from typer.testing import CliRunner

from metrocircle._errors import ConflictError, DataValidationError
from metrocircle.cli import app
from metrocircle.store import Store

HEADER = "indicator,scope,period,value,unit,source,source_url"
GOOD = "urbanisation_rate_pct,500103,2024,61.5,pct,重庆市统计局 2024 年鉴,https://tjj.cq.gov.cn/"


def _row(**kw: Any) -> dict[str, Any]:
    row = {
        "indicator": "urbanisation_rate_pct",
        "scope": "500103",
        "period": 2024,
        "value": 61.5,
        "unit": "pct",
        "source": "statistical yearbook",
        "source_url": None,
    }
    row.update(kw)
    return row


def _import(store_url: str, path: Path) -> Any:
    return CliRunner().invoke(
        app, ["import", "observations", str(path), "--db", store_url, "--lang", "en"]
    )


def _stored(store_url: str) -> int:
    with Store(store_url) as s:
        return len(s.observations(status=None))


# ---------------------------------------------------------------- numbers and years


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("value", True),
        ("value", "5"),
        ("value", "61.5"),
        ("period", "2024"),
        ("period", 2024.0),
        ("period", 2.023e3),
        ("period", True),
    ],
)
def test_api_refuses_coerced_numbers(env: Env, field: str, bad: Any) -> None:
    """A bool or a string is no number, a float is no year: 422 naming the field."""
    env.add_user("officer_a", "officer", "500103")
    r = env.submit(env.headers("officer_a"), [_row(**{field: bad})])
    assert r.status_code == 422, r.text
    assert field in {str(p) for e in r.json()["detail"] for p in e["loc"]}, r.text
    assert env.all_rows() == []


@pytest.mark.parametrize(
    ("field", "bad"),
    [
        ("value", "true"),
        ("value", "1_000"),
        ("value", "１２"),
        ("value", "0x10"),
        ("value", "infinity"),
        ("period", "2.023e3"),
        ("period", "2024.0"),
        ("period", "２０２４"),
        ("period", "true"),
    ],
)
def test_file_refuses_coerced_numbers(store_url: str, tmp_path: Path, field: str, bad: str) -> None:
    """In a CSV the same words are refused by line and field; nothing is imported."""
    cells = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    cells[field] = bad
    f = tmp_path / "obs.csv"
    f.write_text(
        HEADER + "\n" + GOOD.replace("2024,", "2023,", 1) + "\n" + ",".join(cells.values()) + "\n",
        encoding="utf-8",
    )
    run = _import(store_url, f)
    assert run.exit_code != 0
    assert f"obs.csv:3:{field}" in run.output, run.output
    assert "Traceback" not in run.output
    assert _stored(store_url) == 0


# ---------------------------------------------------------------- source_url


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "ftp://x/y", "//evil"]
)
def test_source_url_must_be_http(env: Env, tmp_path: Path, url: str) -> None:
    """API and file refuse a source_url that is not http(s), naming the field."""
    env.add_user("officer_a", "officer", "500103")
    r = env.submit(env.headers("officer_a"), [_row(source_url=url)])
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][-1] == "source_url"
    f = tmp_path / "obs.csv"
    f.write_text(f'{HEADER}\n{GOOD.rsplit(",", 1)[0]},"{url}"\n', encoding="utf-8")
    run = _import(env.store.url, f)
    assert run.exit_code != 0 and "obs.csv:2:source_url" in run.output, run.output
    assert env.all_rows() == []
    r = env.submit(env.headers("officer_a"), [_row(source_url="HTTPS://tjj.cq.gov.cn/a?b=1")])
    assert r.status_code == 201, r.text


# ---------------------------------------------------------------- user names


def test_user_names_are_nfkc_and_case_insensitive(store_url: str) -> None:
    """Full-width is stored as ASCII; a name differing only in case or width is taken."""
    with Store(store_url) as s:
        u = s.add_user("ｙｕｚｈｏｎｇ", role="viewer", password=PASSWORD, actor="t")
        assert u.name == "yuzhong"
        for clash in ("YuZhong", "ＹＵＺＨＯＮＧ", "yuzhong"):
            with pytest.raises(ConflictError, match="exists already"):
                s.add_user(clash, role="admin", password=PASSWORD, actor="t")
        assert [x.name for x in s.users()] == ["yuzhong"]
        assert s.authenticate("ｙｕｚｈｏｎｇ", PASSWORD) is not None  # NFKC at login too
        s.add_user("渝中区_数据员", role="viewer", password=PASSWORD, actor="t")


@pytest.mark.parametrize(
    "name",
    [
        "\u0430dmin",  # Cyrillic а + Latin
        "\u0430\u0434\u043c\u0438\u043d",  # all Cyrillic
        "\u03bffficer",  # Greek ο
        "admi\u0578",  # Armenian ո
        "caf\u00e9",  # Latin beyond ASCII (é looks like e)
        "ad\u200bmin",  # zero-width space
        "adm\u0131n",  # dotless ı
        "٣admin",  # Arabic-Indic digit
    ],
)
def test_look_alike_user_names_refused(env: Env, name: str) -> None:
    """Mixed or foreign scripts that mimic Latin letters are refused (store and API)."""
    env.add_user("admin_a", "admin")
    with pytest.raises(DataValidationError) as err:
        env.store.add_user(name, role="admin", password=PASSWORD, actor="t")
    assert {p.field for p in err.value.problems} == {"name"}
    body = {"name": name, "role": "viewer", "unit": None, "password": PASSWORD}
    r = env.client.post("/api/users", json=body, headers=env.headers("admin_a"))
    assert r.status_code == 422, r.text
    assert [u.name for u in env.store.users()] == ["admin_a"]


# ---------------------------------------------------------------- files


def test_import_refuses_symlinks_and_special_files(store_url: str, tmp_path: Path) -> None:
    """A link (even to a valid file), a folder and a FIFO are refused; no line of them is echoed."""
    secret = tmp_path / "secret.csv"
    secret.write_text("root:x:0:0:TOP-SECRET-LINE\n", encoding="utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(secret)
    run = _import(store_url, link)
    assert run.exit_code != 0 and "symbolic link" in run.output, run.output
    assert "TOP-SECRET-LINE" not in run.output
    good = tmp_path / "good.csv"
    good.write_text(f"{HEADER}\n{GOOD}\n", encoding="utf-8")
    link2 = tmp_path / "link2.csv"
    link2.symlink_to(good)
    assert _import(store_url, link2).exit_code != 0
    folder = tmp_path / "dir.csv"
    folder.mkdir()
    run = _import(store_url, folder)
    assert run.exit_code != 0 and "not a regular file" in run.output, run.output
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    run = _import(store_url, fifo)  # must not block waiting for a writer
    assert run.exit_code != 0 and "not a regular file" in run.output, run.output
    assert "Traceback" not in run.output
    assert _stored(store_url) == 0
    assert _import(store_url, good).exit_code == 0
    assert _stored(store_url) == 1


@pytest.mark.parametrize(
    ("cell", "field", "message"),
    [
        ("x" * (128 * 1024 + 1), "source", "longer than 128 KiB"),
        ("统" * 50_000, "source", "longer than 128 KiB"),  # 150 000 bytes in UTF-8
        ("x" * (17 * 1024 * 1024), "*", "longer than 128 KiB"),  # past the reader's limit
        ("before\x00after", "source", "NUL"),
    ],
    ids=["ascii", "utf8-bytes", "huge", "nul"],
)
def test_long_field_or_nul_named_by_row_and_field(
    store_url: str, tmp_path: Path, cell: str, field: str, message: str
) -> None:
    """Over 128 KiB or a NUL: refused by line and field, no traceback, nothing stored."""
    f = tmp_path / "obs.csv"
    bad = GOOD.replace("重庆市统计局 2024 年鉴", cell).replace("2024,", "2023,", 1)
    f.write_text(f"{HEADER}\n{GOOD}\n{bad}\n", encoding="utf-8")
    run = _import(store_url, f)
    assert run.exit_code != 0, run.output[:500]
    assert f"obs.csv:3:{field}" in run.output and message in run.output, run.output[:500]
    assert "Traceback" not in run.output and len(run.output) < 5_000
    assert _stored(store_url) == 0


def test_extra_fields_refused(store_url: str, tmp_path: Path) -> None:
    """A row with more fields than the header is refused by line."""
    f = tmp_path / "obs.csv"
    f.write_text(f"{HEADER}\n{GOOD},surplus\n", encoding="utf-8")
    run = _import(store_url, f)
    assert run.exit_code != 0 and "obs.csv:2:*" in run.output, run.output
    assert _stored(store_url) == 0


def test_gbk_csv_is_read(store_url: str, tmp_path: Path) -> None:
    """A CSV saved by Excel on Chinese Windows (GBK) is imported with its Chinese intact."""
    f = tmp_path / "gbk.csv"
    f.write_bytes(f"{HEADER}\n{GOOD}\n".encode("gbk"))
    run = _import(store_url, f)
    assert run.exit_code == 0, run.output
    with Store(store_url) as s:
        (o,) = s.observations(status=None)
        assert o.source == "重庆市统计局 2024 年鉴"
        assert s.verify_audit().ok


def test_unknown_encoding_refused_with_a_hint(store_url: str, tmp_path: Path) -> None:
    """Neither UTF-8 nor GBK (here Latin-1): refused naming the encodings to use."""
    f = tmp_path / "latin.csv"
    f.write_bytes(
        f"{HEADER}\n{GOOD.replace('重庆市统计局 2024 年鉴', 'Annuaire é, ü')}\n".encode("latin-1")
    )
    run = _import(store_url, f)
    assert run.exit_code != 0
    assert "UTF-8" in run.output and "GBK" in run.output, run.output
    assert _stored(store_url) == 0
