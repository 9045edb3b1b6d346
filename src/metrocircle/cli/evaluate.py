"""Commands ``metrocircle evaluate`` and ``metrocircle report``: thin wrappers over the library."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from metrocircle.cli._common import (
    DatasetOpt,
    JsonOpt,
    StoreOpt,
    emit_json,
    load_region_or_exit,
    open_store,
    progress_bar,
    user_errors,
)
from metrocircle.cli.observations import IncludeSecondaryOpt

if TYPE_CHECKING:
    from metrocircle.indicators.model import Thresholds

__all__ = ["Lang", "evaluate_command", "report_command"]


class Lang(StrEnum):
    """Language of the output."""

    ZH = "zh"
    EN = "en"


AsOfOpt = Annotated[
    int | None,
    typer.Option(
        "--as-of", help="Evaluate as of this year (ignore later values). Default: this year."
    ),
]
NoStoreOpt = Annotated[
    bool, typer.Option("--no-store", help="Use only the dataset's shipped values and computations.")
]
ThresholdsOpt = Annotated[
    Path | None,
    typer.Option(
        "--thresholds", help="TOML file overriding evaluation thresholds (any subset of keys)."
    ),
]

_STATUS_STYLE = {
    "achieved": "bold green",
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "bold red",
    "no_data": "dim",
}


def _thresholds(path: Path | None) -> Thresholds | None:
    if path is None:
        return None
    from metrocircle.indicators.model import Thresholds

    return Thresholds.from_toml(path)


def _fmt(v: float | None, digits: int = 2) -> str:
    if v is None:
        return "—"
    return f"{v:,.{digits}f}".rstrip("0").rstrip(".")


def evaluate_command(
    *,
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    as_of: AsOfOpt = None,
    lang: Annotated[
        Lang,
        typer.Option(
            "--lang",
            envvar="METROCIRCLE_LANG",
            help="Language of names, reasons and warnings (default: $METROCIRCLE_LANG, else zh).",
        ),
    ] = Lang.ZH,
    db: StoreOpt = None,
    no_store: NoStoreOpt = False,
    thresholds: ThresholdsOpt = None,
    include_secondary: IncludeSecondaryOpt = False,
) -> None:
    """Evaluate every target of the plan: status, progress, pace, projection and why."""
    from metrocircle.indicators.service import evaluate_region

    region = load_region_or_exit(dataset)
    store = None if no_store else open_store(db)
    try:
        with user_errors():
            evs = evaluate_region(
                region,
                store=store,
                as_of=as_of,
                thresholds=_thresholds(thresholds),
                include_secondary=include_secondary,
            )
    finally:
        if store is not None:
            store.close()
    names = {t.id: (t.name_zh, t.name_en) for t in region.targets}
    if json_out:
        out: list[dict[str, Any]] = []
        for e in evs:
            d = e.to_dict(lang=str(lang))
            d["name_zh"], d["name_en"] = names[e.id]
            out.append(d)
        emit_json(out)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    zh = lang is Lang.ZH
    table = Table(title=("规划目标评估" if zh else "Plan target evaluation"), show_lines=True)
    for col in (
        ("目标" if zh else "target"),
        ("状态" if zh else "status"),
        ("最新值" if zh else "latest"),
        ("进度" if zh else "progress"),
        ("目标年预测" if zh else "projected"),
        ("原因" if zh else "reason"),
    ):
        table.add_column(col)
    for e in evs:
        name = names[e.id][0 if zh else 1]
        latest = f"{_fmt(e.latest_value)} ({e.latest_year})" if e.latest_value is not None else "—"
        prog = f"{100 * e.progress:.0f}%" if e.progress is not None else "—"
        notes = "\n".join(f"· {w.text(str(lang))}" for w in e.warnings)
        reason = e.reason.text(str(lang)) + (f"\n{notes}" if notes else "")
        # names, ids and reasons are data: escaped, so "[...]" in them is shown, not eaten
        table.add_row(
            f"{escape(name)}\n[dim]{escape(e.id)}[/dim]",
            f"[{_STATUS_STYLE[str(e.status)]}]{escape(e.status.label(str(lang)))}[/]",
            escape(latest),
            escape(prog),
            escape(_fmt(e.projected_value)),
            escape(reason),
        )
    Console(width=max(120, int(os.environ.get("COLUMNS", "0") or 0))).print(table)


def report_command(
    *,
    dataset: DatasetOpt = "chongqing",
    lang: Annotated[
        Lang,
        typer.Option(
            "--lang",
            envvar="METROCIRCLE_LANG",
            help="Report language (default: $METROCIRCLE_LANG, else zh).",
        ),
    ] = Lang.ZH,
    out: Annotated[Path, typer.Option("--out", help="Folder to write the report into.")] = Path(
        "report"
    ),
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also render the report to PDF (WeasyPrint).")
    ] = False,
    as_of: AsOfOpt = None,
    db: StoreOpt = None,
    no_store: NoStoreOpt = False,
) -> None:
    """Write the plan implementation evaluation report (self-contained HTML, optional PDF)."""
    from metrocircle import messages
    from metrocircle.report.build import build_report

    region = load_region_or_exit(dataset)
    store = None if no_store else open_store(db)
    try:
        label = messages.text("cli.report_progress", str(lang))
        with progress_bar(label) as bar, user_errors():

            def step(what: str, done: int, total: int) -> None:
                bar(f"{label} · {what}", done, total)

            path = build_report(
                region,
                lang=str(lang),
                out_dir=out,
                pdf=pdf,
                store=store,
                progress=step,
                as_of=as_of,
            )
    finally:
        if store is not None:
            store.close()
    typer.echo(str(path))
    if pdf:
        typer.echo(str(path.with_suffix(".pdf")))
