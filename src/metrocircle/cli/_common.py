"""Shared pieces of the command line: dataset and store options, JSON output, clean exits."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

from metrocircle._errors import DataValidationError, MetrocircleError

if TYPE_CHECKING:
    from metrocircle.region import Region
    from metrocircle.store import Store

__all__ = [
    "DatasetOpt",
    "JsonOpt",
    "LangOpt",
    "StoreOpt",
    "cli_lang",
    "data_row",
    "dataset_option",
    "emit_json",
    "fail",
    "load_region_or_exit",
    "open_store",
    "progress_bar",
    "user_errors",
]

dataset_option = typer.Option(
    "chongqing",
    "--dataset",
    "-d",
    help="Embedded dataset name or path to a dataset folder with the same layout.",
    envvar="METROCIRCLE_DATASET",
)
"""Use as a default: ``dataset: str = dataset_option``."""
DatasetOpt = Annotated[
    str,
    typer.Option(
        "--dataset",
        "-d",
        help="Embedded dataset name or path to a dataset folder with the same layout.",
        envvar="METROCIRCLE_DATASET",
    ),
]
"""Use as an annotation: ``dataset: DatasetOpt = "chongqing"``."""
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--db", help="Store URL (default: $METROCIRCLE_DB or an SQLite file in the user data dir)."
    ),
]


def _default(o: Any) -> Any:
    if isinstance(o, (datetime, date)):
        return o.isoformat()
    if isinstance(o, Path):
        return str(o)
    if hasattr(o, "item"):
        return o.item()
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    msg = f"not JSON serialisable: {type(o).__name__}"
    raise TypeError(msg)


def _clean(o: Any) -> Any:
    if isinstance(o, float) and not math.isfinite(o):
        return None
    if isinstance(o, dict):
        return {str(k): _clean(v) for k, v in o.items()}
    if isinstance(o, (list, tuple)):
        return [_clean(v) for v in o]
    if hasattr(o, "item") and not isinstance(o, (str, bytes)):
        try:
            return _clean(o.item())
        except (ValueError, AttributeError):
            return o
    return o


def emit_json(obj: Any) -> None:
    """Print ``obj`` as JSON on stdout (NaN and infinities become null)."""
    typer.echo(json.dumps(_clean(obj), ensure_ascii=False, default=_default, indent=2))


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print ``message`` on stderr and exit with ``code`` (2: bad input)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn metrocircle's user-facing errors into a message on stderr and exit status 2."""
    try:
        yield
    except DataValidationError as exc:
        fail(str(exc))
    except (MetrocircleError, ValueError, KeyError, FileNotFoundError) as exc:
        fail(str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc))


def load_region_or_exit(dataset: str) -> Region:
    """Load a dataset, exiting with status 2 and every problem listed when it is invalid."""
    from metrocircle.region import load_region

    with user_errors():
        return load_region(dataset)
    raise AssertionError  # pragma: no cover - user_errors either returns or exits


def open_store(url: str | None = None) -> Store:
    """Open (and migrate) the store, exiting with status 2 when it cannot be reached."""
    from metrocircle.store import Store

    with user_errors():
        return Store(url)
    raise AssertionError  # pragma: no cover


def data_row(table: Any, *cells: Any) -> None:
    """Add a row of data (names, notes, sources) to a Rich table, shown exactly as written.

    Rich reads ``[...]`` in a plain string as markup and drops it; a text cell here becomes
    a :class:`rich.text.Text`, which Rich never parses, so ``[water_body]`` stays visible.
    """
    from rich.text import Text

    table.add_row(*(Text(c) if isinstance(c, str) else c for c in cells))


def is_tty() -> bool:
    """Whether stdout is a terminal (progress bars only then)."""
    return sys.stdout.isatty()


ProgressFn = Callable[[str, int, int | None], None]
"""``step(description, done, total)``: move a progress bar (``total=None``: not known yet)."""


@contextmanager
def progress_bar(label: str, *, json_out: bool = False) -> Iterator[ProgressFn]:
    """A Rich progress bar on stderr for a long command; off with ``--json`` or when piped.

    Yields ``step(description, done, total)``. Nothing is drawn when stderr is not a
    terminal or when the command prints JSON, so scripts and logs get only the result; the
    bar is transient, so a terminal is left with the result alone too.
    """
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
        disable=json_out or not sys.stderr.isatty(),
    ) as bar:
        task = bar.add_task(escape(label), total=None)

        def step(description: str, done: int, total: int | None) -> None:
            bar.update(task, description=escape(description), completed=done, total=total)

        yield step


LangOpt = Annotated[
    str | None,
    typer.Option("--lang", help="zh or en (default: $METROCIRCLE_LANG, else zh)."),
]
"""The ``--lang`` option every command that prints sentences takes."""


def cli_lang(lang: str | None) -> str:
    """The language of this run: ``--lang``, else ``$METROCIRCLE_LANG``, else zh; exit 2 otherwise."""
    from metrocircle.messages import lang_or_default

    out = lang_or_default(lang)
    if out not in ("zh", "en"):
        fail(f"`--lang` was {out!r} but is expected to be zh or en")
    return out
