"""The message catalogue: every entry exists in both languages, with the same placeholders."""

from __future__ import annotations

import re
import string

import pytest

from metrocircle.messages import CATALOGUE, LANGS, text

HAN = re.compile(r"[\u4e00-\u9fff]")

ZH_ONLY_FIELDS = {
    # the derivation note is data written in Chinese (observations.csv); the English edition
    # says what it is without quoting it, so the placeholder is left out on purpose
    "note.derived_value": {"note"},
}


EN_ONLY_FIELDS = {
    # the English edition glosses a Chinese place name with its English one
    "problem.seat_outside": {"name_en"},
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _bare(template: str) -> str:
    """The template without its placeholders (what the catalogue itself says)."""
    return re.sub(r"\{[^{}]*\}", "", template)


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_entry_says_the_same_in_both_languages(key: str) -> None:
    entry = CATALOGUE[key]
    assert len(entry) == len(LANGS), f"{key}: one text per language ({LANGS})"
    zh, en = entry
    assert zh.strip(), f"{key}: the Chinese text is empty"
    assert en.strip(), f"{key}: the English text is empty"
    dropped = ZH_ONLY_FIELDS.get(key, set())
    added = EN_ONLY_FIELDS.get(key, set())
    assert _fields(zh) - dropped == _fields(en) - added, (
        f"{key}: placeholders differ between zh and en"
    )


def test_english_texts_carry_no_chinese_of_their_own() -> None:
    leaks = [k for k, (_, en) in CATALOGUE.items() if HAN.search(_bare(en))]
    # a Chinese proper name may be quoted beside its English form (e.g. 一票式); nothing more
    assert len(leaks) <= max(5, len(CATALOGUE) // 50), leaks


def test_chinese_texts_are_chinese() -> None:
    no_han = [
        k
        for k, (zh, _) in CATALOGUE.items()
        if len(_bare(zh).strip()) > 12 and not HAN.search(_bare(zh))
    ]
    assert no_han == []


def test_an_unknown_key_is_an_error_not_an_empty_text() -> None:
    with pytest.raises(KeyError):
        text("no.such.key", "zh")
