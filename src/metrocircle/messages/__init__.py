"""The message catalogue: every user-facing sentence of the report, the CLI and the evaluation, in Chinese and English.

Each entry is a key → ``(Chinese, English)`` pair, so a text cannot exist in one language
only; :func:`text` picks one and fills its ``str.format`` placeholders. Keys are grouped by
a prefix, one module of this package per domain: ``report.`` (:mod:`.report`, the evaluation
report), ``reason.`` and ``note.`` (:mod:`.evaluation`, why a target has its status), ``cli.``
(:mod:`.cli`, command-line messages), ``col.`` (:mod:`.columns`), ``flood.`` and ``fares.``
(those commands), ``problem.`` (:mod:`.problems`, what is wrong in an input file) and the
coverage/sector results (:mod:`.results`). A new entry goes into its domain's module; this
module joins them and refuses a key defined twice.

>>> text("reason.met", "en", latest="80.0%", year="2025", goal="at least 80.0% by 2025")
'The latest value, 80.0% (2025), meets the target (at least 80.0% by 2025).'
>>> lang_or_default(None, env={"METROCIRCLE_LANG": "en"})
'en'
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from metrocircle.messages.cli import CLI
from metrocircle.messages.columns import COL
from metrocircle.messages.evaluation import NOTE, REASON
from metrocircle.messages.fares import FARES
from metrocircle.messages.flood import FLOOD
from metrocircle.messages.problems import PROBLEM
from metrocircle.messages.report import REPORT
from metrocircle.messages.results import RESULTS

__all__ = ["CATALOGUE", "LANGS", "lang_or_default", "text"]

LANGS: tuple[str, ...] = ("zh", "en")
"""The languages every entry has, Chinese first."""

_DOMAINS: tuple[tuple[str, dict[str, tuple[str, str]]], ...] = (
    ("report.", REPORT),
    ("reason.", REASON),
    ("note.", NOTE),
    ("cli.", CLI),
    ("col.", COL),
    ("flood.", FLOOD),
    ("fares.", FARES),
    ("problem.", PROBLEM),
    ("", RESULTS),
)


def _join() -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for prefix, entries in _DOMAINS:
        for key, value in entries.items():
            full = prefix + key
            if full in out:
                msg = f"message key {full!r} is defined twice in metrocircle.messages"
                raise RuntimeError(msg)
            out[full] = value
    return out


CATALOGUE: dict[str, tuple[str, str]] = _join()
"""Every message: key → (Chinese, English)."""


def text(key: str, lang: str, **kw: object) -> str:
    """The message ``key`` in ``lang`` (``"zh"`` or ``"en"``), formatted with ``kw``.

    Raises
    ------
    KeyError
        For a key the catalogue does not hold.
    ValueError
        For a language other than ``zh`` or ``en``.
    """
    if lang not in LANGS:
        msg = f"`lang` was {lang!r} but is expected to be one of {list(LANGS)}"
        raise ValueError(msg)
    zh, en = CATALOGUE[key]
    s = zh if lang == "zh" else en
    return s.format(**kw) if kw else s


def lang_or_default(lang: str | None, *, env: Mapping[str, str] | None = None) -> str:
    """``lang`` if given, else ``METROCIRCLE_LANG`` from the environment, else Chinese."""
    if lang:
        return lang
    value = (env if env is not None else os.environ).get("METROCIRCLE_LANG", "").strip().lower()
    return value if value in LANGS else "zh"
