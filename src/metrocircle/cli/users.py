"""Commands of the multi-user mode: users, review of submissions, the audit trail.

Whoever runs these holds the store's URL and so acts as the store's operator; each change
is still recorded in the audit log as ``cli <login>@<host>``.
"""

from __future__ import annotations

import getpass
import socket
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    LangOpt,
    StoreOpt,
    cli_lang,
    data_row,
    emit_json,
    fail_key,
    load_region_or_exit,
    open_store,
    run_lang,
    say,
    unit_or_exit,
    user_errors,
)

__all__ = ["audit_app", "cli_actor", "cli_origin", "review_app", "users_app"]

users_app = typer.Typer(help="Accounts of the multi-user mode.", no_args_is_help=True)
review_app = typer.Typer(help="Accept or reject submitted observations.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail: list, export, verify.", no_args_is_help=True)


class RoleOpt(StrEnum):
    """Roles a user may have."""

    admin = "admin"
    officer = "officer"
    reviewer = "reviewer"
    viewer = "viewer"


def cli_actor() -> str:
    """Who runs the command line (the operating-system login)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def cli_origin() -> str:
    """Where a command-line change comes from, for the audit log."""
    return f"cli {cli_actor().removeprefix('cli:')}@{socket.gethostname()}"


def _t(key: str, **kw: object) -> str:
    from metrocircle.messages import text

    return text(f"cli.{key}", run_lang(), **kw)


def _role(role: str) -> str:
    return _t(f"role_{role}") if role in RoleOpt.__members__ else role


def _read_password(prompt: bool) -> str:
    if prompt:
        first = getpass.getpass(_t("password_prompt"))
        if getpass.getpass(_t("password_again")) != first:
            fail_key("passwords_differ")
        return first
    line = sys.stdin.readline()
    if not line:
        fail_key("no_stdin")
    return line.rstrip("\r\n")


@users_app.command("add")
def add_user(
    *,
    name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . @ -).")],
    role: Annotated[RoleOpt, typer.Option(help="admin, officer, reviewer or viewer.")],
    unit: Annotated[
        str | None,
        typer.Option(help="Unit an officer submits for: code or name (500103, 渝中区, Yuzhong)."),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
    dataset: DatasetOpt = "chongqing",
    db: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    """Create an account; the password is read from stdin or asked for (never an argument)."""
    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    if unit is not None:
        unit = unit_or_exit(region, unit, option="--unit")
    password = _read_password(not password_stdin)
    store = open_store(db)
    try:
        with user_errors():
            u = store.add_user(
                name,
                role=role.value,
                unit=unit,
                password=password,
                actor=cli_actor(),
                origin=cli_origin(),
            )
    finally:
        store.close()
    where = ""
    if unit:
        ru = region.unit(unit)
        where = _t("user_for_unit", unit=f"{unit} {ru.name_zh if lg == 'zh' else ru.name_en}")
    say("user_added", role=_role(u.role), name=u.name, where=where)


@users_app.command("list")
def list_users(db: StoreOpt = None, json_out: JsonOpt = False, lang: LangOpt = None) -> None:
    """List the accounts (never their password hashes)."""
    cli_lang(lang)
    store = open_store(db)
    try:
        rows = [
            {
                "name": u.name,
                "role": u.role,
                "unit": u.unit,
                "disabled": u.disabled,
                "created_at": u.created_at,
                "created_by": u.created_by,
            }
            for u in store.users()
        ]
    finally:
        store.close()
    if json_out:
        emit_json(rows)
        return
    t = Table(title=Text(_t("users_title", n=len(rows))))
    for col in _t("users_columns").split("|"):
        t.add_column(col, overflow="fold")
    for r in rows:
        data_row(
            t,
            str(r["name"]),
            _role(str(r["role"])),
            str(r["unit"] or ""),
            _t("yes") if r["disabled"] else "",
            f"{r['created_at']:%Y-%m-%d %H:%M}",
            str(r["created_by"]),
        )
    Console().print(t)


def _set_disabled(name: str, disabled: bool, db: str | None) -> None:
    store = open_store(db)
    try:
        with user_errors():
            store.set_disabled(name, disabled, actor=cli_actor(), origin=cli_origin())
    finally:
        store.close()
    say("user_disabled_done" if disabled else "user_enabled_done", name=name)


@users_app.command("disable")
def disable_user(name: str, db: StoreOpt = None, lang: LangOpt = None) -> None:
    """Disable an account: its tokens stop working at once."""
    cli_lang(lang)
    _set_disabled(name, True, db)


@users_app.command("enable")
def enable_user(name: str, db: StoreOpt = None, lang: LangOpt = None) -> None:
    """Enable a disabled account."""
    cli_lang(lang)
    _set_disabled(name, False, db)


@users_app.command("passwd")
def set_password(
    name: str,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="Read the password from the first line of stdin."),
    ] = False,
    db: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    """Set a user's password; their earlier access tokens stop working."""
    cli_lang(lang)
    password = _read_password(not password_stdin)
    store = open_store(db)
    try:
        with user_errors():
            store.set_password(name, password, actor=cli_actor(), origin=cli_origin())
    finally:
        store.close()
    say("password_changed", name=name)


@users_app.command("token")
def create_token(
    name: Annotated[str, typer.Argument(help="The user the machine feed acts as.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "feed",
    expires_days: Annotated[
        int | None,
        typer.Option(
            "--expires-days",
            min=1,
            max=3660,
            help="Lifetime in days (default METROCIRCLE_API_TOKEN_DEFAULT_DAYS, at most "
            "METROCIRCLE_API_TOKEN_MAX_DAYS).",
        ),
    ] = None,
    db: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    """Make an API token for a machine feed; it is printed once and stored only as a hash."""
    from metrocircle.settings import Settings

    cli_lang(lang)
    with user_errors():
        settings = Settings()
    store = open_store(db)
    try:
        with user_errors():
            rec, token = store.create_api_token(
                name,
                label,
                expires_days=expires_days,
                default_days=settings.api_token_default_days,
                max_days=settings.api_token_max_days,
                actor=cli_actor(),
                origin=cli_origin(),
            )
    finally:
        store.close()
    say("token_made", err=True, prefix=rec.prefix, name=name, expires=f"{rec.expires_at:%Y-%m-%d}")
    typer.echo(token)


@users_app.command("tokens")
def list_tokens(
    name: Annotated[str, typer.Argument(help="The user whose API tokens to list.")],
    db: StoreOpt = None,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """List a user's API tokens, live and revoked (never the secrets)."""
    cli_lang(lang)
    store = open_store(db)
    try:
        with user_errors():
            store.user(name)
            tokens = store.api_tokens(name)
    finally:
        store.close()
    rows = [
        {
            "id": t.id,
            "user": t.user,
            "name": t.name,
            "prefix": t.prefix,
            "created_at": t.created_at.isoformat(),
            "expires_at": t.expires_at.isoformat() if t.expires_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        }
        for t in tokens
    ]
    if json_out:
        emit_json(rows)
        return
    t = Table(title=Text(_t("tokens_title", n=len(rows), name=name)))
    for col in _t("tokens_columns").split("|"):
        t.add_column(col, overflow="fold")
    for r in rows:
        data_row(
            t,
            *(
                str(r[c] or "")
                for c in ("id", "name", "prefix", "created_at", "expires_at", "revoked_at")
            ),
        )
    Console().print(t)


@users_app.command("revoke-token")
def revoke_token(
    token_id: Annotated[int, typer.Argument(help="The token's id (see `users tokens NAME`).")],
    db: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    """Revoke any user's API token by its id; the audit log names who did."""
    cli_lang(lang)
    store = open_store(db)
    try:
        with user_errors():
            store.revoke_api_token(None, token_id, actor=cli_actor(), origin=cli_origin())
    finally:
        store.close()
    say("token_revoked", id=token_id)


@review_app.command("list")
def list_pending(db: StoreOpt = None, json_out: JsonOpt = False, lang: LangOpt = None) -> None:
    """Submissions with observations waiting for review."""
    cli_lang(lang)
    store = open_store(db)
    try:
        subs = store.submissions(pending_only=True)
    finally:
        store.close()
    if json_out:
        emit_json([s.__dict__ for s in subs])
        return
    t = Table(title=Text(_t("pending_title", n=len(subs))))
    first, *cols = _t("pending_columns").split("|")
    t.add_column(first, no_wrap=True, min_width=36)
    for col in cols:
        t.add_column(col, overflow="fold")
    for s in subs:
        data_row(
            t,
            s.batch_id,
            s.submitted_by,
            f"{s.submitted_at:%Y-%m-%d %H:%M}",
            str(s.pending),
            ", ".join(s.scopes),
            s.note or "",
        )
    Console().print(t)


def _review(
    decision: str,
    batch: str,
    reviewer: str,
    reason: str | None,
    db: str | None,
    *,
    json_out: bool = False,
) -> None:
    from metrocircle.security import Principal, Role
    from metrocircle.submissions import review_submission

    store = open_store(db)
    try:
        with user_errors():
            u = store.user(reviewer)
            # Reviewing needs no jurisdiction: the account's role decides (no dataset needed).
            who = Principal(u.name, Role(u.role), u.unit, frozenset(), via="cli")
            if u.disabled or not who.can_review:
                fail_key("not_reviewer", user=repr(reviewer))
            res = review_submission(
                store, who, batch, decision=decision, reason=reason, origin=cli_origin()
            )
    finally:
        store.close()
    if json_out:
        emit_json(res.to_json())
        return
    say(f"{decision}ed_batch", n=res.rows, batch=batch)


@review_app.command("accept")
def accept(
    batch: Annotated[str, typer.Argument(help="Batch id of the submission.")],
    reviewer: Annotated[str, typer.Option("--as", help="The reviewer's user name.")],
    db: StoreOpt = None,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Accept every pending observation of a submission."""
    cli_lang(lang)
    _review("accept", batch, reviewer, None, db, json_out=json_out)


@review_app.command("reject")
def reject(
    batch: Annotated[str, typer.Argument(help="Batch id of the submission.")],
    *,
    reviewer: Annotated[str, typer.Option("--as", help="The reviewer's user name.")],
    reason: Annotated[str, typer.Option(help="Why (shown to the submitter).")],
    db: StoreOpt = None,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Reject every pending observation of a submission, with the reason."""
    cli_lang(lang)
    _review("reject", batch, reviewer, reason, db, json_out=json_out)


@audit_app.command("list")
def list_audit(
    db: StoreOpt = None,
    after_id: Annotated[int, typer.Option(min=0, help="Entries after this id.")] = 0,
    limit: Annotated[int, typer.Option(min=1, help="At most this many.")] = 50,
    json_out: JsonOpt = False,
    lang: LangOpt = None,
) -> None:
    """Who changed what, when and from where."""
    cli_lang(lang)
    store = open_store(db)
    try:
        entries = store.audit_entries(after_id=after_id, limit=limit)
    finally:
        store.close()
    if json_out:
        emit_json([e.__dict__ for e in entries])
        return
    t = Table(title=Text(_t("audit_title", n=len(entries))))
    for col in _t("audit_columns").split("|"):
        t.add_column(col, overflow="fold")
    for e in entries:
        data_row(
            t,
            str(e.id),
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.actor,
            e.action,
            f"{e.entity or ''} {e.entity_id or ''}".strip(),
            e.origin or "",
            (e.hash or "")[:12],
        )
    Console().print(t)


class AuditFormat(StrEnum):
    """Export formats of the audit log."""

    jsonl = "jsonl"
    csv = "csv"


@audit_app.command("export")
def export_audit(
    out: Annotated[Path, typer.Option("--out", "-o", help="File to write.")],
    fmt: Annotated[AuditFormat, typer.Option("--format")] = AuditFormat.jsonl,
    db: StoreOpt = None,
    lang: LangOpt = None,
) -> None:
    """Write the whole audit log (with its hash chain) as JSON lines or CSV."""
    cli_lang(lang)
    store = open_store(db)
    tmp = out.with_name(out.name + ".part")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            for chunk in store.export_audit(fmt.value):
                fh.write(chunk)
        tmp.replace(out)
        _, head = store.audit_head()
    finally:
        tmp.unlink(missing_ok=True)
        store.close()
    say("audit_written", path=out, head=head)


@audit_app.command("verify")
def verify_audit(db: StoreOpt = None, json_out: JsonOpt = False, lang: LangOpt = None) -> None:
    """Check the hash chain and the stored observations against the log; exit 1 if broken."""
    cli_lang(lang)
    store = open_store(db)
    try:
        rep = store.verify_audit()
    finally:
        store.close()
    if json_out:
        emit_json(
            {
                "ok": rep.ok,
                "entries": rep.entries,
                "head_hash": rep.head_hash,
                "first_bad_id": rep.first_bad_id,
                "problems": list(rep.problems),
            }
        )
    elif rep.ok:
        say("audit_intact", n=rep.entries, head=rep.head_hash)
    else:
        for p in rep.problems:
            say("audit_tampered", err=True, problem=p)
    if not rep.ok:
        raise typer.Exit(1)
