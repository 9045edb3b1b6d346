"""Public-transport fares as data: today's fares by operator, and integrated (一票式) schemes.

A trip is a sequence of in-vehicle legs, each with the network category of its line
(``metro``, ``suburban``, ``bus``, ``high_speed`` …), its distance and its minutes.  The
``separate`` fare sums each operator's published fare with the published transfer discounts;
an ``integrated`` scheme prices the whole trip by one rule a user defines in ``fares.toml``.
A leg whose line has no published fare in the file (China Railway tickets, for example) has
no fare: the separate total is then "no data", never a guess.
"""

from __future__ import annotations

import itertools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from metrocircle._errors import DataValidationError, Problem

__all__ = [
    "FARES_FILE",
    "FareLeg",
    "FareOd",
    "FareRules",
    "FareSystem",
    "Scheme",
    "TripFare",
    "band_fare",
    "commute_costs",
    "fares_od",
    "load_fare_rules",
    "trip_fare",
]

FARES_FILE = "sectors/fares.toml"


@dataclass(frozen=True, slots=True)
class FareSystem:
    """One operator's fare rule: distance bands or a flat fare, with its card factor."""

    id: str
    name_zh: str
    name_en: str
    kind: str
    categories: tuple[str, ...]
    band_upper_km: tuple[float, ...] = ()
    band_fare_yuan: tuple[float, ...] = ()
    cap_yuan: float | None = None
    fare_yuan: float | None = None
    card_factor: float = 1.0

    def fare(self, km: float) -> float:
        """The card fare (元) of one ride of ``km`` on this system."""
        if self.kind == "flat":
            assert self.fare_yuan is not None  # checked on load
            return round(self.fare_yuan * self.card_factor, 2)
        return _banded(km, self.band_upper_km, self.band_fare_yuan, self.cap_yuan, self.card_factor)


@dataclass(frozen=True, slots=True)
class Scheme:
    """An integrated scheme: one distance-band fare over the whole in-vehicle distance."""

    id: str
    name_zh: str
    name_en: str
    band_upper_km: tuple[float, ...]
    band_fare_yuan: tuple[float, ...]
    cap_yuan: float | None
    card_factor: float
    why: str

    def fare(self, km: float) -> float:
        """The fare (元) of a whole trip of ``km`` in vehicles under this scheme."""
        return _banded(km, self.band_upper_km, self.band_fare_yuan, self.cap_yuan, self.card_factor)


@dataclass(frozen=True, slots=True)
class FareRules:
    """Systems, the transfer discount, schemes and the named parameters."""

    systems: tuple[FareSystem, ...]
    transfer_between: frozenset[str]
    transfer_within_minutes: float
    transfer_max_discount_yuan: float
    schemes: tuple[Scheme, ...]
    working_days_per_month: int
    value_of_time_yuan_per_min: float

    def system_for(self, category: str) -> FareSystem | None:
        """The fare system that prices lines of ``category`` (``None``: no published fare)."""
        for s in self.systems:
            if category in s.categories:
                return s
        return None

    def scheme(self, scheme_id: str) -> Scheme:
        """The integrated scheme called ``scheme_id``."""
        for s in self.schemes:
            if s.id == scheme_id:
                return s
        msg = f"unknown fare scheme {scheme_id!r}; expected one of {[s.id for s in self.schemes]}"
        raise KeyError(msg)


@dataclass(frozen=True, slots=True)
class FareLeg:
    """One in-vehicle leg: its line's network category, name, distance (km) and minutes."""

    category: str
    name: str
    km: float
    minutes: float


@dataclass(frozen=True, slots=True)
class TripFare:
    """Fares of one trip: ``separate`` (today, by operator) and each integrated scheme (元)."""

    separate: float | None
    integrated: Mapping[str, float]
    legs: tuple[dict[str, Any], ...]
    unpriced_legs: tuple[str, ...]
    minutes: float
    in_vehicle_km: float
    value_of_time_yuan_per_min: float
    working_days_per_month: int

    def generalised_minutes(self, fare: float | None) -> float | None:
        """Minutes plus the fare turned into minutes by the value of time."""
        if fare is None:
            return None
        return self.minutes + fare / self.value_of_time_yuan_per_min

    def monthly(self, fare: float | None) -> float | None:
        """Cost of a commuting month: two trips a working day."""
        return None if fare is None else round(fare * 2 * self.working_days_per_month, 2)

    def to_dict(self, scheme: str | None = None) -> dict[str, Any]:
        """JSON document: fares, minutes, generalised minutes and the monthly costs."""
        sid = scheme or next(iter(self.integrated), None)
        integrated = self.integrated.get(sid) if sid is not None else None
        gen = self.generalised_minutes(self.separate)
        return {
            "fare_yuan": {"separate": self.separate, "integrated": integrated},
            "minutes": round(self.minutes, 1),
            "generalised_minutes": None if gen is None else round(gen, 1),
            "generalised_minutes_integrated": None
            if integrated is None
            else round(self.minutes + integrated / self.value_of_time_yuan_per_min, 1),
            "monthly_yuan": {
                "separate": self.monthly(self.separate),
                "integrated": self.monthly(integrated),
            },
            "scheme": sid,
            "schemes": dict(self.integrated),
            "in_vehicle_km": round(self.in_vehicle_km, 1),
            "legs": list(self.legs),
            "unpriced_legs": list(self.unpriced_legs),
        }


def _banded(
    km: float,
    upper_km: Sequence[float],
    fares: Sequence[float],
    cap_yuan: float | None,
    card_factor: float,
) -> float:
    """The band fare of ``km``, capped, times the card factor, to the fen."""
    base = band_fare(km, upper_km, fares)
    if cap_yuan is not None:
        base = min(base, cap_yuan)
    return round(base * card_factor, 2)


def band_fare(km: float, upper_km: Sequence[float], fares: Sequence[float]) -> float:
    """The fare of the first band whose upper bound (inclusive) is at least ``km``.

    Examples
    --------
    >>> band_fare(6.0, [6, 11], [2, 3, 4]), band_fare(6.1, [6, 11], [2, 3, 4])
    (2, 3)
    >>> band_fare(80.0, [6, 11], [2, 3, 4])
    4
    """
    if not math.isfinite(km) or km < 0:
        msg = f"`km` must be a finite distance ≥ 0, got {km!r}"
        raise ValueError(msg)
    for bound, fare in zip(upper_km, fares, strict=False):
        if km <= bound:
            return fare
    return fares[-1]


# --------------------------------------------------------------------------- loading


def _bands(
    doc: Mapping[str, Any], where: str, problems: list[Problem], name: str
) -> tuple[tuple[float, ...], tuple[float, ...]]:
    up = tuple(float(v) for v in doc.get("band_upper_km", []))
    fa = tuple(float(v) for v in doc.get("band_fare_yuan", []))
    if len(fa) != len(up) + 1 or any(b <= a for a, b in itertools.pairwise(up)):
        problems.append(
            Problem(
                name, 0, f"{where}.band_fare_yuan", "needs one fare more than bounds, bounds rising"
            )
        )
    return up, fa


def load_fare_rules(path: Path | str | None = None) -> FareRules:
    """Read and validate ``fares.toml`` (default: the embedded dataset's).

    Examples
    --------
    >>> rules = load_fare_rules()
    >>> rail = rules.system_for("metro")
    >>> rail.fare(8.0), rail.fare(70.0)
    (2.7, 6.3)
    """
    p = (
        Path(path)
        if path is not None
        else Path(str(resources.files("metrocircle.data").joinpath("chongqing", FARES_FILE)))
    )
    with p.open("rb") as fh:
        doc = tomllib.load(fh)
    name = p.name
    problems: list[Problem] = []
    systems: list[FareSystem] = []
    for i, s in enumerate(doc.get("systems", [])):
        where = f"systems[{i}]"
        kind = s.get("kind")
        for key in ("id", "name_zh", "kind"):
            if not s.get(key):
                problems.append(Problem(name, 0, f"{where}.{key}", "required"))
        sources = [k for k in s if k.startswith("source")]
        if not sources:
            problems.append(Problem(name, 0, f"{where}.source", "every fare needs its source"))
        up: tuple[float, ...] = ()
        fa: tuple[float, ...] = ()
        if kind == "distance_bands":
            up, fa = _bands(s, where, problems, name)
        elif kind == "flat":
            if not isinstance(s.get("fare_yuan"), int | float):
                problems.append(
                    Problem(name, 0, f"{where}.fare_yuan", "a flat fare needs fare_yuan")
                )
        else:
            problems.append(Problem(name, 0, f"{where}.kind", "must be distance_bands or flat"))
        systems.append(
            FareSystem(
                id=str(s.get("id", "")),
                name_zh=str(s.get("name_zh", "")),
                name_en=str(s.get("name_en", "")),
                kind=str(kind),
                categories=tuple(str(c) for c in s.get("categories", [])),
                band_upper_km=up,
                band_fare_yuan=fa,
                cap_yuan=float(s["cap_yuan"]) if "cap_yuan" in s else None,
                fare_yuan=float(s["fare_yuan"])
                if isinstance(s.get("fare_yuan"), int | float)
                else None,
                card_factor=float(s.get("card_factor", 1.0)),
            )
        )
    by_id = {s.id: s for s in systems}
    transfers = doc.get("transfers", [])
    between: frozenset[str] = frozenset()
    within = 0.0
    max_disc = 0.0
    if transfers:
        t = transfers[0]
        between = frozenset(str(x) for x in t.get("between", []))
        within = float(t.get("within_minutes", 0))
        max_disc = float(t.get("max_discount_yuan", 0))
        for sid in between:
            if sid not in by_id:
                problems.append(Problem(name, 0, "transfers[0].between", f"unknown system {sid!r}"))
    schemes: list[Scheme] = []
    for i, sc in enumerate(doc.get("schemes", [])):
        where = f"schemes[{i}]"
        src = by_id.get(str(sc.get("bands_from", "")))
        if src is None:
            problems.append(
                Problem(name, 0, f"{where}.bands_from", "must name a distance-band system")
            )
            continue
        if not str(sc.get("why", "")).strip():
            problems.append(Problem(name, 0, f"{where}.why", "a scheme needs its justification"))
        schemes.append(
            Scheme(
                id=str(sc.get("id", "")),
                name_zh=str(sc.get("name_zh", "")),
                name_en=str(sc.get("name_en", "")),
                band_upper_km=src.band_upper_km,
                band_fare_yuan=src.band_fare_yuan,
                cap_yuan=src.cap_yuan if sc.get("use_cap", False) else None,
                card_factor=float(sc.get("card_factor", 1.0)),
                why=str(sc.get("why", "")),
            )
        )
    params = doc.get("parameters", {})
    for key in ("working_days_per_month", "value_of_time_yuan_per_min"):
        v = params.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or not v > 0:
            problems.append(Problem(name, 0, f"parameters.{key}", "must be a number > 0"))
        elif not str(params.get(f"why_{key}", "")).strip():
            problems.append(Problem(name, 0, f"parameters.why_{key}", "needs a justification"))
    if problems:
        raise DataValidationError(problems)
    return FareRules(
        systems=tuple(systems),
        transfer_between=between,
        transfer_within_minutes=within,
        transfer_max_discount_yuan=max_disc,
        schemes=tuple(schemes),
        working_days_per_month=int(params["working_days_per_month"]),
        value_of_time_yuan_per_min=float(params["value_of_time_yuan_per_min"]),
    )


# --------------------------------------------------------------------------- pricing


def _rides(
    legs: Sequence[FareLeg], rules: FareRules
) -> list[tuple[FareSystem | None, float, float, str]]:
    """Merge consecutive legs of one system into one ride (a fare gate is passed once)."""
    rides: list[tuple[FareSystem | None, float, float, str]] = []
    for leg in legs:
        system = rules.system_for(leg.category)
        if rides and system is not None and rides[-1][0] is system:
            s, km, minutes, names = rides[-1]
            rides[-1] = (s, km + leg.km, minutes + leg.minutes, f"{names} / {leg.name}")
        else:
            rides.append((system, leg.km, leg.minutes, leg.name))
    return rides


def trip_fare(
    legs: Sequence[FareLeg], rules: FareRules, *, access_minutes: float = 0.0
) -> TripFare:
    """Separate and integrated fares of a trip made of in-vehicle ``legs``.

    Transfers between systems listed in the transfer rule get one discount within its time
    window: the smaller of the next fare, the previous fare paid and the maximum discount.

    Examples
    --------
    A rail-transit ride of 8 km (3 元, 9折 = 2.70) and a bus ride (2 元, free within the hour):

    >>> rules = load_fare_rules()
    >>> f = trip_fare([FareLeg("metro", "1号线", 8.0, 15.0), FareLeg("bus", "公交", 5.0, 10.0)], rules)
    >>> f.separate, f.integrated["one_ticket_distance"]
    (2.7, 3.6)
    """
    total = 0.0
    missing: list[str] = []
    out_legs: list[dict[str, Any]] = []
    prev_paid: float | None = None
    prev_system: FareSystem | None = None
    elapsed = access_minutes
    discount_used = False
    for system, km, minutes, names in _rides(legs, rules):
        if system is None:
            missing.append(names)
            out_legs.append({"line": names, "km": round(km, 1), "fare_yuan": None, "system": None})
            prev_paid, prev_system = None, None
            elapsed += minutes
            continue
        fare = system.fare(km)
        paid = fare
        if (
            not discount_used
            and prev_system is not None
            and prev_paid is not None
            and {prev_system.id, system.id} <= rules.transfer_between
            and elapsed <= rules.transfer_within_minutes
        ):
            paid = round(fare - min(fare, prev_paid, rules.transfer_max_discount_yuan), 2)
            discount_used = True
        total += paid
        out_legs.append({"line": names, "km": round(km, 1), "fare_yuan": paid, "system": system.id})
        prev_paid, prev_system = paid if paid > 0 else fare, system
        elapsed += minutes
    km_total = sum(leg.km for leg in legs)
    minutes_total = access_minutes + sum(leg.minutes for leg in legs)
    return TripFare(
        separate=None if missing else round(total, 2),
        integrated={s.id: s.fare(km_total) for s in rules.schemes},
        legs=tuple(out_legs),
        unpriced_legs=tuple(missing),
        minutes=minutes_total,
        in_vehicle_km=km_total,
        value_of_time_yuan_per_min=rules.value_of_time_yuan_per_min,
        working_days_per_month=rules.working_days_per_month,
    )


# --------------------------------------------------------------------------- workflows


@dataclass(frozen=True, slots=True)
class FareOd:
    """The public-transport trip of ``access od`` between two units, priced."""

    from_code: str
    from_name_zh: str
    to_code: str
    to_name_zh: str
    scenario: str
    scheme: str
    fare: TripFare | None
    reason: str | None

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``fares od`` (CLI ``--json`` and API alike)."""
        head: dict[str, Any] = {
            "from": self.from_code,
            "from_name_zh": self.from_name_zh,
            "to": self.to_code,
            "to_name_zh": self.to_name_zh,
            "scenario": self.scenario,
            "value_kind": "modelled",
        }
        if self.fare is None:
            return {
                **head,
                "fare_yuan": {"separate": None, "integrated": None},
                "minutes": None,
                "generalised_minutes": None,
                "reason": self.reason,
            }
        return {**head, **self.fare.to_dict(self.scheme), "reason": self.reason}


def fares_od(
    region: Any,
    from_unit: str,
    to_unit: str,
    *,
    scenario: str = "baseline-2020",
    scheme: str | None = None,
    rules: FareRules | None = None,
) -> FareOd:
    """Fares of the public-transport (rail) trip of ``access od`` from one unit to another.

    The access and egress legs (walk or bus, modelled) are not priced; rail legs of lines
    without a published fare in ``fares.toml`` make the separate fare "no data".
    """
    from metrocircle.access.od import od

    rl = rules if rules is not None else load_fare_rules(region.dataset_path / FARES_FILE)
    sid = scheme or (rl.schemes[0].id if rl.schemes else "")
    if rl.schemes:
        rl.scheme(sid)  # unknown scheme: KeyError naming the choices
    res = od(region, from_unit, to_unit, scenario)

    def answer(fare: TripFare | None, reason: str | None) -> FareOd:
        return FareOd(
            res.from_code,
            res.from_name_zh,
            res.to_code,
            res.to_name_zh,
            scenario,
            sid,
            fare,
            reason,
        )

    legs = res.legs_by_mode.get("rail", ())
    if res.by_mode.get("rail") is None or not legs:
        return answer(
            None, "no public-transport trip by rail between the two seats in this scenario"
        )
    ride = [
        FareLeg(str(x.category), x.name_zh, float(x.km), float(x.minutes))
        for x in legs
        if x.mode == "rail" and x.km > 0 and x.category is not None
    ]
    if not ride:
        return answer(None, "the trip is access legs only (walk or bus, modelled): not priced")
    other = sum(x.minutes for x in legs if not (x.mode == "rail" and x.km > 0))
    fare = trip_fare(ride, rl, access_minutes=other)
    reason = None
    if fare.unpriced_legs:
        reason = "no published fare in the dataset for: " + "; ".join(fare.unpriced_legs)
    return answer(fare, reason)


def commute_costs(
    region: Any, *, scenario: str = "baseline-2020", rules: FareRules | None = None
) -> list[dict[str, Any]]:
    """Per unit: the rail trip to the centre's unit and its monthly cost under each fare rule.

    One row per county-level unit other than the centre's, in the units' order; the cost of
    a commuting month is two trips on each of ``working_days_per_month`` days.
    ``monthly_yuan`` gives ``separate`` and the first scheme as ``integrated``;
    ``monthly_yuan_by_scheme`` gives ``separate`` and every scheme of ``fares.toml`` by id
    (``None``: no published fare for a leg, or no rail trip).
    """
    rl = rules if rules is not None else load_fare_rules(region.dataset_path / FARES_FILE)
    centre = str(region.manifest.centre.unit)
    rows: list[dict[str, Any]] = []
    for code in region.county_codes:
        if code == centre:
            continue
        doc = fares_od(region, code, centre, scenario=scenario, rules=rl).to_dict()
        per_scheme: dict[str, float | None] = {"separate": doc["fare_yuan"]["separate"]}
        for sc in rl.schemes:
            per_scheme[sc.id] = doc.get("schemes", {}).get(sc.id)
        rows.append(
            {
                "unit": code,
                "name_zh": doc["from_name_zh"],
                "minutes_rail": doc["minutes"],
                "fare_yuan": doc["fare_yuan"],
                "monthly_yuan": doc.get("monthly_yuan", {"separate": None, "integrated": None}),
                "fare_yuan_by_scheme": per_scheme,
                "monthly_yuan_by_scheme": {
                    k: None if v is None else round(v * 2 * rl.working_days_per_month, 2)
                    for k, v in per_scheme.items()
                },
                "generalised_minutes": doc["generalised_minutes"],
                "reason": doc["reason"],
                "value_kind": "modelled",
            }
        )
    return rows
