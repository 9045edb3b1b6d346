"""Command ``metrocircle observations``: every observation the evaluation uses, with its provenance."""

from __future__ import annotations

import os
from typing import Annotated

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
    user_errors,
)

__all__ = ["IncludeSecondaryOpt", "observations_command"]

IncludeSecondaryOpt = Annotated[
    bool,
    typer.Option(
        "--include-secondary",
        help="Count values from secondary sources (ranking sites, forums, …) where a year has no "
        "official value. Default: only official sources count; secondary ones are shown, flagged.",
    ),
]

_AUTHORITY_STYLE = {"official": "green", "secondary": "yellow"}


def observations_command(
    *,
    dataset: DatasetOpt = "chongqing",
    indicator: Annotated[
        str | None, typer.Option("--indicator", "-i", help="Only this indicator id.")
    ] = None,
    scope: Annotated[
        str | None,
        typer.Option(
            "--scope", "-s", help="Only this scope: 'region', a unit code or 'group:<id>'."
        ),
    ] = None,
    json_out: JsonOpt = False,
    db: StoreOpt = None,
    no_store: Annotated[
        bool, typer.Option("--no-store", help="Only the dataset's shipped observations.")
    ] = False,
    include_secondary: IncludeSecondaryOpt = False,
    lang: LangOpt = None,
) -> None:
    """List every observation the evaluation uses (shipped, accepted from the store, derived) with its source.

    Each row names its source kind (official statistics, government document, official
    media, secondary), publisher, publication, the page it was read on and whether the
    evaluation counts it.
    """
    from metrocircle.indicators.catalogue import observation_catalogue
    from metrocircle.indicators.service import short_scope_name

    lg = cli_lang(lang)
    region = load_region_or_exit(dataset)
    store = None if no_store else open_store(db)
    try:
        with user_errors():
            doc = observation_catalogue(
                region,
                store=store,
                indicator=indicator,
                scope=scope,
                include_secondary=include_secondary,
            )
    finally:
        if store is not None:
            store.close()
    if json_out:
        emit_json(doc)
        return
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from metrocircle import fmt
    from metrocircle.messages import text

    share = doc["official_share"]
    pct = (
        ""
        if share is None
        else f"（{fmt.percent(100 * share, lang=lg)}）"
        if lg == "zh"
        else f" ({fmt.percent(100 * share, lang=lg)})"
    )
    title = text(
        "cli.obs_title",
        lg,
        n=fmt.number(doc["count"], lang=lg),
        official=fmt.number(doc["official_count"], lang=lg),
        share=pct if share is not None else "",
    )
    table = Table(title=escape(title), show_lines=False)
    for col in text("cli.obs_columns", lg).split("|"):
        table.add_column(col, overflow="fold")
    for r in doc["observations"]:
        style = _AUTHORITY_STYLE.get(r["authority"], "")
        # every piece of data is escaped: a source "[...]" is shown, not taken for markup
        source = (
            f"[{style}]{escape(_kind_words(r['source_kind'], lg))}[/] · "
            f"{escape(r['publisher'] or '—')}\n"
            f"{escape(r['publication'] or r['source'])}"
        )
        if r["source_url"]:
            source += f"\n[dim]{escape(r['source_url'])}[/dim]"
        table.add_row(
            escape(r["indicator_name_zh"] if lg == "zh" else r["indicator_name_en"])
            + f"\n[dim]{escape(r['indicator'])}[/dim]",
            f"{escape(short_scope_name(region, r['scope'], lg))}\n[dim]{escape(r['scope'])}[/dim]",
            str(r["period"]),
            escape(fmt.quantity(r["value"], r["unit"], lg)),
            source,
            text("cli.yes" if r["counted"] else "cli.no", lg)
            + (text("cli.superseded", lg) if r["superseded"] else ""),
        )
    Console(width=max(140, int(os.environ.get("COLUMNS", "0") or 0))).print(table)


def _kind_words(kind: str | None, lang: str) -> str:
    """A source kind in words (统计部门发布 / statistics bureau); the id itself if unknown."""
    from metrocircle.messages import CATALOGUE, text

    key = f"cli.source_kind_{kind or 'unrecorded'}"
    return text(key, lang) if key in CATALOGUE else str(kind)
