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
    LangOpt,
    StoreOpt,
    cli_lang,
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


def evaluate_command(
    *,
    dataset: DatasetOpt = "chongqing",
    json_out: JsonOpt = False,
    as_of: AsOfOpt = None,
    lang: LangOpt = None,
    db: StoreOpt = None,
    no_store: NoStoreOpt = False,
    thresholds: ThresholdsOpt = None,
    include_secondary: IncludeSecondaryOpt = False,
) -> None:
    """Evaluate every target of the plan: status, progress, pace, projection and why."""
    from metrocircle import fmt
    from metrocircle.indicators.service import evaluate_region
    from metrocircle.messages import text

    lg = cli_lang(lang)
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
            d = e.to_dict(lang=lg)
            d["name_zh"], d["name_en"] = names[e.id]
            out.append(d)
        emit_json(out)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    zh = lg == "zh"
    units = {t.id: t.unit for t in region.targets}
    table = Table(title=text("cli.evaluate_title", lg), show_lines=True)
    for col in text("cli.evaluate_columns", lg).split("|"):
        table.add_column(col, overflow="fold")
    for e in evs:
        name = names[e.id][0 if zh else 1]
        u = units[e.id]
        latest = (
            text(
                "report.value_year",
                lg,
                value=fmt.quantity(e.latest_value, u, lg),
                year=fmt.year(e.latest_year),
            )
            if e.latest_value is not None and e.latest_year is not None
            else fmt.NO_DATA[lg]
        )
        prog = fmt.progress(e.progress, lg)
        projected = fmt.quantity(e.projected_value, u, lg) if e.projected_value is not None else "—"
        notes = "\n".join(f"· {w.text(lg)}" for w in e.warnings)
        reason = e.reason.text(lg) + (f"\n{notes}" if notes else "")
        # names and reasons are data: escaped, so "[...]" in them is shown, not eaten; the
        # target's internal id is for machines and appears only in --json
        table.add_row(
            escape(name),
            f"[{_STATUS_STYLE[str(e.status)]}]{escape(e.status.label(lg))}[/]",
            escape(latest),
            escape(prog),
            escape(projected),
            escape(reason),
        )
    Console(width=max(120, int(os.environ.get("COLUMNS", "0") or 0))).print(table)


def report_command(
    *,
    dataset: DatasetOpt = "chongqing",
    lang: LangOpt = None,
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

    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    store = None if no_store else open_store(db)
    try:
        label = messages.text("cli.report_progress", lg)
        with progress_bar(label) as bar, user_errors():

            def step(what: str, done: int, total: int) -> None:
                bar(f"{label} · {what}", done, total)

            path = build_report(
                region,
                lang=lg,
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
