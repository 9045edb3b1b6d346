"""Authority of a value: which sources count towards a target's status (rules in ``indicators/data/authority.toml``).

Every observation carries a ``source_kind``: ``official_statistics`` (a statistics bureau's
bulletin, yearbook or release), ``government_document`` (a government work report, plan or
official notice), ``official_media`` (a state or party outlet quoting an official release) or
``secondary`` (anything else). By default only the *official* kinds count; secondary values
are shown and flagged, and ``include_secondary=True`` lets them count where no official value
exists. For the same indicator, scope and year an official value always wins over a secondary
one. Model computations are not sources and are never filtered here.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError, Problem
from metrocircle.indicators.model import Message, Observation, ObservationKind

__all__ = [
    "AUTHORITY_MODEL",
    "AUTHORITY_OFFICIAL",
    "AUTHORITY_SECONDARY",
    "UNRECORDED_KIND",
    "AuthorityRules",
    "authority_of",
    "prefer_official",
    "select_by_authority",
    "source_kind_of",
    "stored_kind",
]

AUTHORITY_OFFICIAL = "official"
AUTHORITY_SECONDARY = "secondary"
AUTHORITY_MODEL = "model"
UNRECORDED_KIND = "unrecorded"
"""Kind of a stored record whose source kind is NULL: stored before the store recorded kinds
(revision 0007). Such records were reviewed and accepted by a reviewer under the rules of
their day, so they keep counting, shown as "unrecorded"; every record stored since names its
kind (the rules' default kind, secondary, when none was given)."""


@dataclass(frozen=True)
class AuthorityRules:
    """Which source kinds exist, which count as official, and the kind of a value naming none."""

    kinds: frozenset[str]
    official_kinds: frozenset[str]
    default_kind: str

    @classmethod
    def default(cls) -> AuthorityRules:
        """The shipped rules (``indicators/data/authority.toml``)."""
        return _default_rules()

    @classmethod
    def from_toml(cls, path: str | Path) -> AuthorityRules:
        """Rules read from a TOML file; keys it omits keep the shipped values.

        Raises
        ------
        DataValidationError
            Naming the file and key of an unknown key or a bad value.
        """
        p = Path(path)
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise DataValidationError([Problem(p.name, 0, "*", f"invalid TOML: {exc}")]) from None
        return cls._from_mapping(raw, file=p.name, base=cls.default())

    @classmethod
    def _from_mapping(
        cls, raw: Mapping[str, Any], *, file: str, base: AuthorityRules | None
    ) -> AuthorityRules:
        known = ("kinds", "official_kinds", "default_kind")
        problems = [
            Problem(file, 0, k, f"unknown key; expected one of {list(known)}")
            for k in raw
            if k not in known
        ]
        vals: dict[str, Any] = {} if base is None else dict(base.__dict__)
        for key in ("kinds", "official_kinds"):
            if key in raw:
                v = raw[key]
                if not isinstance(v, list) or not v or not all(isinstance(x, str) for x in v):
                    problems.append(Problem(file, 0, key, "must be a non-empty list of strings"))
                else:
                    vals[key] = frozenset(v)
        if "default_kind" in raw:
            v = raw["default_kind"]
            if not isinstance(v, str) or not v:
                problems.append(Problem(file, 0, "default_kind", "must be a string"))
            else:
                vals["default_kind"] = v
        missing = [k for k in known if k not in vals]
        problems += [Problem(file, 0, k, "is missing") for k in missing]
        if not missing:
            unknown = sorted(vals["official_kinds"] - vals["kinds"])
            if unknown:
                problems.append(
                    Problem(file, 0, "official_kinds", f"not among kinds: {', '.join(unknown)}")
                )
            if vals["default_kind"] not in vals["kinds"]:
                problems.append(
                    Problem(file, 0, "default_kind", f"{vals['default_kind']!r} is not among kinds")
                )
        if problems:
            raise DataValidationError(problems, summary=f"{file}: invalid authority rules")
        return cls(vals["kinds"], vals["official_kinds"], vals["default_kind"])


# functools.cache, not the result cache (metrocircle.cache): the package's own authority.toml, never a dataset's
# file, so the answer is the same for every region and cannot go stale in a process.
@cache
def _default_rules() -> AuthorityRules:
    text = (resources.files("metrocircle.indicators") / "data" / "authority.toml").read_text(
        encoding="utf-8"
    )
    return AuthorityRules._from_mapping(tomllib.loads(text), file="authority.toml", base=None)


def stored_kind(kind: str | None, rules: AuthorityRules | None = None) -> str:
    """The kind of a stored record from its ``source_kind`` column (NULL: :data:`UNRECORDED_KIND`).

    >>> stored_kind("official_statistics"), stored_kind(None)
    ('official_statistics', 'unrecorded')

    Raises
    ------
    DataValidationError
        When the store holds a kind the rules do not know (the store refuses such a
        kind on write, so it was written behind its back or the rules lost a kind).
    """
    if kind is None:
        return UNRECORDED_KIND
    r = rules or AuthorityRules.default()
    if kind not in r.kinds:
        raise DataValidationError(
            [
                Problem(
                    "store",
                    0,
                    "source_kind",
                    f"unknown source kind {kind!r}; expected one of {sorted(r.kinds)}",
                )
            ]
        )
    return kind


def source_kind_of(o: Observation, rules: AuthorityRules | None = None) -> str:
    """The observation's ``source_kind`` (the rules' default kind when it names none)."""
    r = rules or AuthorityRules.default()
    return str(o.provenance.get("source_kind") or r.default_kind)


def authority_of(o: Observation, rules: AuthorityRules | None = None) -> str:
    """``"official"``, ``"secondary"`` or ``"model"`` (a computation, not a source).

    >>> from metrocircle.indicators.model import Observation
    >>> authority_of(Observation(1.0, 2022, "x", provenance={"source_kind": "official_media"}))
    'official'
    >>> authority_of(Observation(1.0, 2022, "x"))
    'secondary'
    """
    if o.kind is ObservationKind.COMPUTATION:
        return AUTHORITY_MODEL
    r = rules or AuthorityRules.default()
    kind = source_kind_of(o, r)
    return (
        AUTHORITY_OFFICIAL
        if kind in r.official_kinds or kind == UNRECORDED_KIND
        else AUTHORITY_SECONDARY
    )


def prefer_official(
    candidates: Sequence[Observation], rules: AuthorityRules | None = None
) -> Observation:
    """The value to show of several for one indicator, scope and year: the last official, else the last given."""
    official = [o for o in candidates if authority_of(o, rules) != AUTHORITY_SECONDARY]
    return (official or list(candidates))[-1]


def _listing(obs: Iterable[Observation], lang: str) -> str:
    sep = "；" if lang == "zh" else "; "
    items = []
    for o in sorted(obs, key=lambda x: x.period):
        src = o.source if len(o.source) <= 40 else o.source[:39] + "…"
        items.append(f"{o.period}: {o.value:g} ({src})")
    return sep.join(items)


def select_by_authority(
    series: Iterable[Observation],
    *,
    include_secondary: bool = False,
    rules: AuthorityRules | None = None,
) -> tuple[list[Observation], list[Message]]:
    """Keep the values that count under the authority rules, and say what was left out or flagged.

    Parameters
    ----------
    series
        Values of one indicator and scope, in the order given (the last of a year wins later).
    include_secondary
        Let secondary values count for years without an official value.
    rules
        Authority rules (default: the shipped ones).

    Returns
    -------
    kept, notes
        ``kept`` preserves the given order. An official value of a year always drops the
        secondary values of that year. Notes: ``secondary_excluded`` (values not counted,
        with the switch that counts them), ``secondary_superseded`` (secondary values
        dropped because the year has an official value), ``secondary_used`` (secondary
        values counted under the switch).

    Examples
    --------
    >>> from metrocircle.indicators.model import Observation
    >>> off = Observation(70.96, 2022, "bulletin", provenance={"source_kind": "official_statistics"})
    >>> sec = Observation(71.0, 2022, "ranking site", provenance={"source_kind": "secondary"})
    >>> old = Observation(70.3, 2021, "forum", provenance={"source_kind": "secondary"})
    >>> kept, _ = select_by_authority([sec, off, old])
    >>> [o.value for o in kept]
    [70.96]
    >>> kept, _ = select_by_authority([sec, off, old], include_secondary=True)
    >>> [o.value for o in kept]
    [70.96, 70.3]
    """
    r = rules or AuthorityRules.default()
    items = list(series)
    official_years = {o.period for o in items if authority_of(o, r) == AUTHORITY_OFFICIAL}
    kept: list[Observation] = []
    excluded: list[Observation] = []
    superseded: list[Observation] = []
    used: list[Observation] = []
    for o in items:
        a = authority_of(o, r)
        if a != AUTHORITY_SECONDARY:
            kept.append(o)
        elif o.period in official_years:
            superseded.append(o)
        elif include_secondary:
            kept.append(o)
            used.append(o)
        else:
            excluded.append(o)
    notes: list[Message] = []
    if excluded:
        notes.append(
            Message(
                "secondary_excluded",
                f"未计入 {len(excluded)} 个非官方来源数值（{_listing(excluded, 'zh')}）；"
                "状态只依据官方来源（统计公报、政府文件、官方媒体转述）。"
                "计入它们请用 `--include-secondary`（API：include_secondary=true）。",
                f"{len(excluded)} value(s) from secondary sources not counted ({_listing(excluded, 'en')}); "
                "the status uses official sources only (statistical bulletins, government documents, "
                "official media quoting them). Count them with `--include-secondary` "
                "(API: include_secondary=true).",
            )
        )
    if superseded:
        notes.append(
            Message(
                "secondary_superseded",
                f"{len(superseded)} 个非官方来源数值因同年已有官方数值而未采用（{_listing(superseded, 'zh')}）。",
                f"{len(superseded)} secondary value(s) not used because the same year has an official "
                f"value ({_listing(superseded, 'en')}).",
            )
        )
    if used:
        notes.append(
            Message(
                "secondary_used",
                f"按要求计入了 {len(used)} 个非官方来源数值（{_listing(used, 'zh')}），仅供参考。",
                f"{len(used)} value(s) from secondary sources counted on request ({_listing(used, 'en')}); "
                "for reference only.",
            )
        )
    return kept, notes
