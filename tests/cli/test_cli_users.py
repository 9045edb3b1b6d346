"""The multi-user commands: users, import --as, review, audit (list, export, verify)."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from metrocircle.cli import app
from metrocircle.store import Store

runner = CliRunner()
PASSWORD = "a long enough passphrase"


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args), input=stdin, env={"METROCIRCLE_LANG": "en"})
    return res.exit_code, res.stdout, res.stderr


def _csv(path: Path, scope: str, period: int = 2024) -> Path:
    path.write_text(
        "indicator,scope,period,value,unit,source\n"
        f"urbanisation_rate_pct,{scope},{period},99.5,pct,区统计公报 {period}\n",
        encoding="utf-8",
    )
    return path


def test_officer_import_review_and_audit(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    code, out, err = run(
        "users",
        "add",
        "yz",
        "--role",
        "officer",
        "--unit",
        "渝中",  # a unit name, resolved to its code like everywhere a unit is asked for
        "--password-stdin",
        "--db",
        db,
        "--lang",
        "zh",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    assert "已添加数据报送员 yz（500103 渝中区）" in out
    code, _, err = run(
        "users",
        "add",
        "rv",
        "--role",
        "reviewer",
        "--password-stdin",
        "--db",
        db,
        stdin=PASSWORD + "\n",
    )
    assert code == 0, err
    code, _, err = run(
        "users",
        "add",
        "bad",
        "--role",
        "officer",
        "--unit",
        "999999",
        "--password-stdin",
        "--db",
        db,
        stdin=PASSWORD + "\n",
    )
    assert code == 2
    assert "999999" in err
    code, _, err = run(
        "users", "add", "weak", "--role", "viewer", "--password-stdin", "--db", db, stdin="short\n"
    )
    assert code == 2
    assert "password" in err
    code, out, _ = run("users", "list", "--json", "--db", db)
    listed = json.loads(out)
    assert [(u["name"], u["role"], u["unit"]) for u in listed] == [
        ("rv", "reviewer", None),
        ("yz", "officer", "500103"),
    ]
    assert "hash" not in out

    # another unit's rows are refused, naming file, row and field; nothing is written
    code, _, err = run(
        "import",
        "observations",
        str(_csv(tmp_path / "other.csv", "500104")),
        "--as",
        "yz",
        "--db",
        db,
    )
    assert code == 2
    assert "other.csv:2:scope" in err
    code, out, err = run(
        "import",
        "observations",
        str(_csv(tmp_path / "own.csv", "500103")),
        "--as",
        "yz",
        "--db",
        db,
        "--json",
    )
    assert code == 0, err
    batch = json.loads(out)["batch_id"]
    assert json.loads(out)["status"] == "submitted"
    with Store(db) as store:
        assert store.observations() == []

    code, out, _ = run("review", "list", "--json", "--db", db)
    assert [s["batch_id"] for s in json.loads(out)] == [batch]
    code, _, err = run("review", "accept", batch, "--as", "yz", "--db", db)
    assert code == 2
    assert "not an enabled reviewer" in err
    code, out, err = run("review", "accept", batch, "--as", "rv", "--db", db)
    assert code == 0, err
    with Store(db) as store:
        assert [o.reviewed_by for o in store.observations()] == ["rv"]

    code, out, _ = run("audit", "list", "--json", "--db", db)
    actions = [e["action"] for e in json.loads(out)]
    assert actions == ["add_user", "add_user", "submit_observations", "review_observations"]
    code, out, _ = run("audit", "verify", "--db", db)
    assert code == 0
    assert "intact: 4 entries" in out
    code, out, _ = run("audit", "export", "--out", str(tmp_path / "audit.jsonl"), "--db", db)
    assert code == 0
    lines = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["action"] for line in lines] == actions
    assert json.loads(lines[1])["prev_hash"] == json.loads(lines[0])["hash"]


def test_verify_exits_1_when_a_stored_value_is_edited(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    code, _, err = run(
        "import", "observations", str(_csv(tmp_path / "a.csv", "500103")), "--db", db
    )
    assert code == 0, err
    with Store(db) as store, store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE observations SET value = 12.0"))
    code, _, err = run("audit", "verify", "--db", db)
    assert code == 1
    assert "TAMPERED" in err
    assert "differ" in err


def test_disable_and_token(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.sqlite'}"
    run(
        "users",
        "add",
        "feed",
        "--role",
        "officer",
        "--unit",
        "500103",
        "--password-stdin",
        "--db",
        db,
        stdin=PASSWORD + "\n",
    )
    code, out, _ = run("users", "token", "feed", "--label", "nightly", "--db", db)
    assert code == 0
    token = out.strip()
    assert token.startswith("mc_")
    with Store(db) as store:
        assert store.user_for_api_token(token) is not None
    code, _, _ = run("users", "disable", "feed", "--db", db)
    assert code == 0
    with Store(db) as store:
        assert store.user_for_api_token(token) is None
        assert store.user("feed").disabled
    code, _, err = run("users", "disable", "nobody", "--db", db)
    assert code == 2
    assert "nobody" in err
