"""Cross-border revenue sharing and statistical splitting (统计分算) for a shared area.

Rule (重庆都市圈发展规划 专栏1, 川渝高竹新区 item 5): "存量收益由原行政辖区各自分享、增量收益
五五分成".  For each item (a revenue type or a statistic such as GDP) and each year after the
base year:

* stock — each jurisdiction keeps its own part's value of the **base year** (fixed; the
  base year is chosen by the user, it is not in the plan);
* increment — ``Σ_j value_j(year) − Σ_j value_j(base)`` is pooled and split by the shares
  (50/50 by default);
* allocation_j = stock_j + share_j × increment.

Amounts are decimals; the split is exact at ``decimals`` places (largest-remainder rounding),
so the parts always sum to the increment.  A negative increment, a missing year or
jurisdiction, or an unknown jurisdiction is an error.
"""

from __future__ import annotations

import csv
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError, Problem

__all__ = [
    "LEDGER_COLUMNS",
    "MAX_LEDGER_ROWS",
    "Allocation",
    "LedgerEntry",
    "SharedArea",
    "load_shared_areas",
    "parse_shares",
    "read_ledger",
    "split_increment",
    "split_ledger",
]

#: Columns of a ledger CSV.
LEDGER_COLUMNS: tuple[str, ...] = ("area_id", "item", "year", "jurisdiction", "amount")
#: Upper bound on ledger rows (bounded memory for CLI and API).
MAX_LEDGER_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class SharedArea:
    """An area shared by jurisdictions, with its default shares (decimal fractions summing to 1)."""

    id: str
    name_zh: str
    name_en: str
    shares: Mapping[str, Decimal]
    names_zh: Mapping[str, str]
    rule_source: str
    note: str
    names_en: Mapping[str, str] = field(default_factory=dict)
    note_en: str = ""


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One value of the ledger: what arose in ``jurisdiction``'s part of the area in ``year``."""

    area_id: str
    item: str
    year: int
    jurisdiction: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    """The split of one item in one year for one jurisdiction (amounts in the ledger's unit)."""

    area_id: str
    item: str
    year: int
    base_year: int
    jurisdiction: str
    collected: Decimal
    stock: Decimal
    increment_total: Decimal
    share: Decimal
    increment_share: Decimal
    allocated: Decimal

    @property
    def transfer(self) -> Decimal:
        """Allocated minus collected: > 0 receives, < 0 pays."""
        return self.allocated - self.collected

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping (decimals as strings, exact)."""
        return {
            "area_id": self.area_id,
            "item": self.item,
            "year": self.year,
            "base_year": self.base_year,
            "jurisdiction": self.jurisdiction,
            "collected": str(self.collected),
            "stock": str(self.stock),
            "increment_total": str(self.increment_total),
            "share": str(self.share),
            "increment_share": str(self.increment_share),
            "allocated": str(self.allocated),
            "transfer": str(self.transfer),
        }


def _decimal(text: Any, where: Problem) -> Decimal:
    try:
        d = Decimal(str(text).strip())
    except InvalidOperation:
        raise DataValidationError([where], summary=str(where)) from None
    if not d.is_finite():
        raise DataValidationError([where], summary=str(where))
    return d


def _check_shares(shares: Mapping[str, Decimal], where: str) -> dict[str, Decimal]:
    problems: list[Problem] = []
    if len(shares) < 2:
        problems.append(
            Problem(where, 0, "shares", "a shared area needs at least two jurisdictions")
        )
    for code, s in shares.items():
        if not (isinstance(code, str) and code.isdigit() and len(code) == 6):
            problems.append(
                Problem(where, 0, f"shares.{code}", "jurisdiction must be a 6-digit GB/T 2260 code")
            )
        if s < 0:
            problems.append(Problem(where, 0, f"shares.{code}", f"share must be >= 0, got {s}"))
    total = sum(shares.values(), Decimal(0))
    if total != 1:
        problems.append(
            Problem(where, 0, "shares", f"shares must sum to exactly 1, they sum to {total}")
        )
    if problems:
        raise DataValidationError(problems, summary=f"{where}: invalid shares")
    return dict(shares)


def parse_shares(text: str) -> dict[str, Decimal]:
    """Parse ``"500112=0.5,511623=0.5"`` into shares, validated (sum exactly 1)."""
    out: dict[str, Decimal] = {}
    for part in text.split(","):
        code, sep, value = part.partition("=")
        if not sep:
            msg = f"--shares: expected CODE=SHARE pairs separated by commas, got {part!r}"
            raise DataValidationError([Problem("--shares", 0, "shares", msg)], summary=msg)
        out[code.strip()] = _decimal(
            value, Problem("--shares", 0, code.strip(), f"not a decimal: {value!r}")
        )
    return _check_shares(out, "--shares")


def load_shared_areas(path: Path | str) -> dict[str, SharedArea]:
    """Read ``shared_areas.toml``: areas, their jurisdictions and default shares."""
    name = str(path)
    try:
        raw = tomllib.loads(Path(path).read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        msg = f"{name}: cannot be read ({exc})"
        raise DataValidationError([Problem(name, 0, "file", msg)], summary=msg) from None
    out: dict[str, SharedArea] = {}
    for i, a in enumerate(raw.get("area", []), start=1):
        try:
            juris = a["jurisdiction"]
            shares = {
                str(j["code"]): _decimal(
                    j["share"], Problem(name, 0, f"area[{i}].share", "not a decimal")
                )
                for j in juris
            }
            area = SharedArea(
                id=str(a["id"]),
                name_zh=str(a["name_zh"]),
                name_en=str(a["name_en"]),
                shares=_check_shares(shares, f"{name} area {a['id']}"),
                names_zh={str(j["code"]): str(j.get("name_zh", "")) for j in juris},
                rule_source=str(a.get("rule_source", "")),
                note=str(a.get("note", "")),
                names_en={str(j["code"]): str(j.get("name_en", "")) for j in juris},
                note_en=str(a.get("note_en", "")),
            )
        except KeyError as exc:
            msg = f"{name}: area[{i}] lacks {exc.args[0]!r}"
            raise DataValidationError(
                [Problem(name, 0, f"area[{i}].{exc.args[0]}", "missing")], summary=msg
            ) from None
        out[area.id] = area
    return out


def read_ledger(path: Path | str) -> list[LedgerEntry]:
    """Read a ledger CSV (:data:`LEDGER_COLUMNS`), all or nothing."""
    name = str(path)
    problems: list[Problem] = []
    entries: list[LedgerEntry] = []
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = [c for c in LEDGER_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                msg = f"{name}: missing column(s) {missing}"
                raise DataValidationError(
                    [Problem(name, 1, ",".join(missing), "missing column")], summary=msg
                )
            for row_no, row in enumerate(reader, start=2):
                if row_no - 1 > MAX_LEDGER_ROWS:
                    msg = f"{name}: more than {MAX_LEDGER_ROWS} rows"
                    raise DataValidationError([Problem(name, row_no, "file", msg)], summary=msg)
                try:
                    year = int(row["year"])
                except (TypeError, ValueError):
                    problems.append(Problem(name, row_no, "year", f"not a year: {row['year']!r}"))
                    continue
                try:
                    amount = _decimal(
                        row["amount"],
                        Problem(name, row_no, "amount", f"not a decimal: {row['amount']!r}"),
                    )
                except DataValidationError as exc:
                    problems.extend(exc.problems)
                    continue
                entries.append(
                    LedgerEntry(
                        row["area_id"].strip(),
                        row["item"].strip(),
                        year,
                        row["jurisdiction"].strip(),
                        amount,
                    )
                )
    except OSError as exc:
        msg = f"{name}: cannot be read ({exc.strerror})"
        raise DataValidationError([Problem(name, 0, "file", msg)], summary=msg) from None
    if problems:
        raise DataValidationError(problems, summary=f"{name}: {len(problems)} problem(s)")
    return entries


def split_increment(
    increment: Decimal, shares: Mapping[str, Decimal], *, decimals: int = 2
) -> dict[str, Decimal]:
    """Split ``increment`` by ``shares`` exactly at ``decimals`` places (largest remainder).

    The parts sum to ``increment`` whenever ``increment`` has at most ``decimals`` places.

    Examples
    --------
    >>> split_increment(Decimal("0.03"), {"a": Decimal("0.5"), "b": Decimal("0.5")})
    {'a': Decimal('0.02'), 'b': Decimal('0.01')}
    """
    if decimals < 0:
        msg = f"`decimals` must be >= 0, got {decimals}"
        raise ValueError(msg)
    quantum = Decimal(1).scaleb(-decimals)
    if increment != increment.quantize(quantum):
        msg = f"increment {increment} has more than {decimals} decimal places"
        raise ValueError(msg)
    raw = {j: increment * s for j, s in shares.items()}
    floors = {j: v.quantize(quantum, rounding=ROUND_FLOOR) for j, v in raw.items()}
    left = int((increment - sum(floors.values(), Decimal(0))) / quantum)
    order = sorted(shares, key=lambda j: (-(raw[j] - floors[j]), list(shares).index(j)))
    for j in order[:left]:
        floors[j] += quantum
    return floors


def split_ledger(
    entries: Sequence[LedgerEntry],
    *,
    base_year: int,
    shares: Mapping[str, Decimal],
    area_id: str | None = None,
    decimals: int = 2,
) -> list[Allocation]:
    """Split every item of a ledger by the stock/increment rule.

    Parameters
    ----------
    entries
        Ledger values of one shared area (its ``area_id`` must be the same on every entry).
    base_year
        The year whose values are the stock; it must be in the ledger for every item.
    shares
        Jurisdiction code → share of the increment (sum exactly 1); every ledger
        jurisdiction must have one, and every one must appear in every year.
    area_id
        Expected area id (checked against the entries) or None.
    decimals
        Decimal places of the split (amounts must not have more).

    Returns
    -------
    list of Allocation
        For every item, year after ``base_year`` and jurisdiction, in that order.

    Raises
    ------
    DataValidationError
        For unknown or missing jurisdictions, missing years, duplicate entries, negative
        increments or a missing base year; every problem is listed.
    """
    shares = _check_shares(shares, "shares")
    problems: list[Problem] = []
    if not entries:
        msg = "the ledger is empty"
        raise DataValidationError([Problem("<ledger>", 0, "ledger", msg)], summary=msg)
    areas = {e.area_id for e in entries}
    if len(areas) != 1 or (area_id is not None and areas != {area_id}):
        problems.append(
            Problem(
                "<ledger>",
                0,
                "area_id",
                f"expected one area {area_id or ''}, found {sorted(areas)}",
            )
        )
    values: dict[tuple[str, int], dict[str, Decimal]] = {}
    for e in entries:
        if e.jurisdiction not in shares:
            problems.append(
                Problem(
                    "<ledger>",
                    0,
                    "jurisdiction",
                    f"{e.jurisdiction} ({e.item} {e.year}) has no share; known: {sorted(shares)}",
                )
            )
            continue
        if e.amount < 0:
            problems.append(
                Problem(
                    "<ledger>",
                    0,
                    "amount",
                    f"{e.item} {e.year} {e.jurisdiction}: negative amount {e.amount}",
                )
            )
        slot = values.setdefault((e.item, e.year), {})
        if e.jurisdiction in slot:
            problems.append(
                Problem(
                    "<ledger>",
                    0,
                    "jurisdiction",
                    f"{e.item} {e.year} {e.jurisdiction}: given twice",
                )
            )
        slot[e.jurisdiction] = e.amount
    if problems:
        raise DataValidationError(problems, summary="invalid ledger")
    out: list[Allocation] = []
    area = next(iter(areas))
    for item in sorted({k[0] for k in values}):
        years = sorted(y for (i, y) in values if i == item)
        if base_year not in years:
            problems.append(
                Problem("<ledger>", 0, "year", f"{item}: base year {base_year} missing")
            )
            continue
        later = [y for y in years if y > base_year]
        if years[0] < base_year:
            problems.append(
                Problem(
                    "<ledger>",
                    0,
                    "year",
                    f"{item}: years before the base year {base_year}: {[y for y in years if y < base_year]}",
                )
            )
        gaps = sorted(set(range(base_year, (later[-1] if later else base_year) + 1)) - set(years))
        if gaps:
            problems.append(Problem("<ledger>", 0, "year", f"{item}: missing year(s) {gaps}"))
        for y in [base_year, *later]:
            absent = sorted(set(shares) - set(values[(item, y)]))
            if absent:
                problems.append(
                    Problem("<ledger>", 0, "jurisdiction", f"{item} {y}: no value for {absent}")
                )
        if problems:
            continue
        base = values[(item, base_year)]
        for y in later:
            cur = values[(item, y)]
            inc = sum(cur.values(), Decimal(0)) - sum(base.values(), Decimal(0))
            if inc < 0:
                problems.append(
                    Problem(
                        "<ledger>",
                        0,
                        "amount",
                        f"{item} {y}: total {sum(cur.values())} is below the base-year total {sum(base.values())} (negative increment {inc})",
                    )
                )
                continue
            try:
                parts = split_increment(inc, shares, decimals=decimals)
            except ValueError as exc:
                problems.append(Problem("<ledger>", 0, "amount", f"{item} {y}: {exc}"))
                continue
            for j in shares:
                out.append(
                    Allocation(
                        area,
                        item,
                        y,
                        base_year,
                        j,
                        cur[j],
                        base[j],
                        inc,
                        shares[j],
                        parts[j],
                        base[j] + parts[j],
                    )
                )
    if problems:
        raise DataValidationError(problems, summary="ledger cannot be split")
    return out
