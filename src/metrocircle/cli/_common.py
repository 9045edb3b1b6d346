"""Shared pieces of the command line: dataset and store options, JSON output, clean exits."""

from __future__ import annotations

import json
import math
import re
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
    "fail_key",
    "load_region_or_exit",
    "open_store",
    "progress_bar",
    "run_lang",
    "say",
    "unit_or_exit",
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


_RUN_LANG: list[str] = []
"""The language :func:`cli_lang` settled for this run, read by :func:`fail` and :func:`say`."""


def reset_run_lang() -> None:
    """Forget the language of an earlier run in this process (the app's callback, tests)."""
    _RUN_LANG.clear()


def run_lang() -> str:
    """The language of this run: the one :func:`cli_lang` settled, else the environment's."""
    from metrocircle.messages import lang_or_default

    if _RUN_LANG:
        return _RUN_LANG[-1]
    out = lang_or_default(None)
    return out if out in ("zh", "en") else "zh"


def _set_run_lang(lang: str) -> None:
    _RUN_LANG[:] = [lang]


def say(key: str, *, err: bool = False, **kw: object) -> None:
    """Print the catalogue message ``cli.<key>`` in this run's language."""
    from metrocircle.messages import text

    typer.echo(text(f"cli.{key}", run_lang(), **kw), err=err)


def fail(message: str, *, code: int = 2) -> NoReturn:
    """Print ``message`` on stderr (in this run's language) and exit with ``code`` (2: bad input).

    A library error text the catalogue knows (metrocircle.problems) is said in the run's
    language; a ``file:row:field: message`` line keeps its place and has its message said so.
    """
    from metrocircle.messages import text
    from metrocircle.problems import translate

    lang = run_lang()
    lines = []
    for line in message.splitlines() or [""]:
        m = _LOCATED.match(line)
        lines.append(
            f"{m.group('where')}: {translate(m.group('msg'), lang)}" if m else translate(line, lang)
        )
    typer.echo(text("cli.error", lang, message="\n".join(lines)), err=True)
    raise typer.Exit(code)


_LOCATED = re.compile(r"^(?P<where>[^\s:]+:\d+:[^\s:]+(?:\.[^\s:]+)*): (?P<msg>.*)$")


def fail_key(key: str, *, code: int = 2, **kw: object) -> NoReturn:
    """Exit with the catalogue message ``cli.<key>`` (in this run's language)."""
    from metrocircle.messages import text

    fail(text(f"cli.{key}", run_lang(), **kw), code=code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn metrocircle's user-facing errors into a message on stderr and exit status 2.

    A list of data problems is shown as ``metrocircle validate`` shows it: in the run's
    language, each root cause once with the count of rows it affects.
    """
    try:
        yield
    except DataValidationError as exc:
        from metrocircle.problems import render

        if not exc.problems:
            fail(str(exc))
        head = str(exc).split("\n", 1)[0]
        generic = head == f"{len(exc.problems)} problem(s) found"
        lines = render(exc.problems, run_lang(), total=generic)
        fail("\n".join(lines if generic else [head, *lines]))
    except (MetrocircleError, ValueError, KeyError, FileNotFoundError) as exc:
        fail(str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc))


def unit_or_exit(region: Region, value: str, *, option: str = "--unit") -> str:
    """The unit code ``value`` names (a code, 璧山区, 璧山 or Bishan); exit 2 when none or several.

    One resolver for every command (:func:`metrocircle.access.units.resolve_unit`, which
    the API uses too); only the message is the command line's own, in the run's language.
    """
    from metrocircle._errors import UnknownUnitError
    from metrocircle.access.units import resolve_unit

    try:
        return resolve_unit(region, value, field=option)
    except UnknownUnitError:
        fail_key("unknown_unit", value=f"{option} {value}")


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


def words_never_split(table: Any) -> None:
    """Let ``table`` wrap only between words: each column at least as wide as its longest word.

    Rich folds a word wider than its column mid-word ("Yuzhong" as "Yu/zh/ong") when a
    narrow terminal squeezes the table; with this, lines break at spaces and a name stays
    whole, while numeric columns keep the width of their widest figure and no more.
    """
    from rich.cells import cell_len

    han = re.compile(r"[\u4e00-\u9fff]")
    for col in table.columns:
        body = [str(c) for c in col.cells]
        # a Chinese heading may break between its characters (two at least on a line); a
        # name in the body never
        head = [
            min(cell_len(w), 4) if han.search(w) else cell_len(w) for w in str(col.header).split()
        ]
        longest = max([*head, *(cell_len(w) for c in body for w in c.split())], default=1)
        col.min_width = max(col.min_width or 0, longest)
        # a heading wraps at its spaces rather than widen a column of short figures
        col.max_width = max(longest, *(cell_len(c) for c in body)) if body else longest
        col.overflow = "fold"


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
        _set_run_lang("zh")
        fail_key("bad_lang", value=repr(out))
    _set_run_lang(out)
    return out
